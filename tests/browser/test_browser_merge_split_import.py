"""In a real Chromium: merge two orders of one buyer on the workbench, split an order on its
page, upload a CSV of orders with one bad row and read the report."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from tradelane.orders import importing, services
from tradelane.orders.importing import import_orders
from tradelane.orders.models import Order, Package
from tradelane.web.tests import data
from tradelane.web.tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_count(page, status: str) -> int:
    return int(page.locator(f'.tab[data-tab="{status}"] [data-count]').inner_text())


def test_merge_two_orders_of_one_buyer_from_the_workbench(page, live_server, shot):
    world = data.seed(12, review=True)
    report = import_orders(world["cs"], data.same_buyer_rows(), review=True)
    pair = list(Order.objects.filter(pk__in=[r["order_id"] for r in report.rows]).order_by("pk"))
    assert {o.status for o in pair} == {"approved"}
    log_in(page, live_server, "cs_li")
    page.goto(f"{live_server.url}/orders/?status=approved")
    approved = tab_count(page, "approved")

    # Two orders of different buyers first: refused, translated, nothing moves.
    other = Order.objects.filter(status="approved").exclude(pk__in=[o.pk for o in pair]).first()
    page.get_by_label(f"选择订单 {pair[0]}").check()
    page.get_by_label(f"选择订单 {other}").check()
    page.get_by_test_id("bulk-merge").click()
    expect(page.locator("#job-box .alert-error")).to_contain_text("这些订单不是同一买家、同一地址")
    assert tab_count(page, "approved") == approved and not Package.objects.exists()

    page.get_by_label(f"选择订单 {other}").uncheck()
    page.get_by_label(f"选择订单 {pair[1]}").check()
    expect(page.locator("[data-selected-count] b")).to_have_text("2")
    page.get_by_test_id("bulk-merge").click()
    merged = page.locator("#job-box .merged")
    expect(merged).to_contain_text("已合并为包裹")
    package = Package.objects.get()
    expect(merged).to_contain_text(str(package))
    expect(merged).to_contain_text("SZ")
    # The list reloads: both orders left the approved tab for pending shipment.
    expect(page.locator('.tab[data-tab="approved"] [data-count]')).to_have_text(str(approved - 2))
    shot(page, "20-workbench-merged")

    page.locator('.tab[data-tab="pending_shipment"]').click()
    expect(page.locator(f'tr[data-order="{pair[0].pk}"] .chip-package')).to_have_text(str(package))
    expect(page.locator(f'tr[data-order="{pair[1].pk}"] .chip-package')).to_have_text(str(package))
    page.locator("#workbench").get_by_role("link", name=str(pair[0]), exact=True).click()
    panel = page.locator("#packages")
    expect(panel).to_contain_text(str(package))
    expect(panel).to_contain_text("合并包裹")
    expect(panel.get_by_role("link", name=str(pair[1]))).to_be_visible()
    expect(page.locator("table.history tbody tr").first).to_contain_text(f"合并到 {package}")
    shot(page, "21-order-in-a-merged-parcel", full_page=True)
    assert not page.js_errors


def test_split_an_order_on_its_page(page, live_server, shot, settled):
    world = data.seed(12)
    order = Order.objects.get(number="#1009")  # MUG-W x2, MUG-SET (bundle), LAMP
    services.review_orders(world["cs"], [order.pk])
    order.refresh_from_db()
    assert order.status == "approved"
    lines = list(order.lines.order_by("line_no"))
    log_in(page, live_server, "cs_li")
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    page.get_by_test_id("split-open").click()
    form = page.locator("#split-form")
    expect(form).to_be_visible()
    expect(form.locator("tbody tr")).to_have_count(4)

    def qty(part: int, index: int):
        return form.locator(f'input[name="qty_{part}_{lines[index].pk}"]')

    # Put both white mugs of the first line in parcel 2 too, without taking them from parcel 1.
    qty(1, 0).fill("2")
    expect(form.locator(f'tr[data-line="{lines[0].pk}"] [data-left]')).to_have_text("-2")
    page.get_by_test_id("split-submit").click()
    error = page.locator("#split-panel .alert-error")
    expect(error).to_contain_text("每个订单行的每一件都必须且只能放进一个包裹")
    expect(page.locator(f'#split-form tr[data-line="{lines[0].pk}"]')).to_have_class("bad")
    expect(page.get_by_test_id("order-status")).to_have_text("已审核")
    shot(page, "22-split-refused", full_page=True)
    order.refresh_from_db()
    assert order.status == "approved" and not Package.objects.exists()

    # A third parcel column appears and what was typed stays.
    settled(page)  # the swapped-in form is wired up once htmx settles
    page.get_by_test_id("split-add-part").click()
    expect(page.locator("#split-form thead th.part")).to_have_count(3)
    expect(qty(1, 0)).to_have_value("2")
    qty(0, 0).fill("0")
    page.get_by_test_id("split-warehouse-1").select_option(label="LA Los Angeles")
    expect(page.locator("#split-form [data-left].left-bad")).to_have_count(0)
    shot(page, "23-split-form", full_page=True)
    page.get_by_test_id("split-submit").click()
    expect(page.get_by_test_id("order-status")).to_have_text("待发货")
    expect(page.locator(".alert-success")).to_contain_text("已拆分为")
    packages = list(Package.objects.order_by("pk"))
    assert [(p.kind, p.warehouse.code) for p in packages] == [("split", "SZ"), ("split", "LA")]
    panel = page.locator("#packages")
    for package in packages:
        expect(panel).to_contain_text(str(package))
    expect(panel.locator('[data-kind="split"]')).to_have_count(2)
    shot(page, "24-order-split", full_page=True)
    assert not page.js_errors


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=importing.CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _row(ext: str, **kw) -> dict:
    row = {
        "store": "SHOP1", "external_id": ext, "number": f"#{ext}", "currency": "USD",
        "buyer_name": "Oliver Smith", "buyer_email": f"{ext.lower()}@example.com",
        "buyer_phone": "+44 20 7925 0918", "ship_name": "Oliver Smith",
        "ship_address1": "10 Downing Street", "ship_city": "London", "ship_postcode": "SW1A 2AA",
        "ship_country": "GB", "ship_phone": "+44 20 7925 0918", "store_sku": "MUG-W",
        "title": "Ceramic mug, white", "quantity": "1", "unit_price": "12.90",
    }  # fmt: skip
    row.update(kw)
    return row


def test_upload_a_csv_with_a_bad_row_and_read_the_report(page, live_server, shot, immediate_tasks):
    data.seed(12)
    body = _csv(
        [
            _row("CSV-1"),
            _row("CSV-1", store_sku="LAMP", title="LED desk lamp", unit_price="39.00"),
            _row("CSV-2", quantity="两个"),  # line 4: refused
            _row("CSV-3", store_sku="MUG-B"),
        ]
    )
    log_in(page, live_server, "cs_li")
    page.goto(f"{live_server.url}/orders/")
    before = tab_count(page, "pending_review") + tab_count(page, "approved")

    page.get_by_test_id("import-open").click()
    expect(page.locator("#import-form")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_test_id("import-sample").click()
    sample = download.value
    assert sample.suggested_filename == "tradelane-orders-sample.csv"
    with open(sample.path(), encoding="utf-8-sig") as handle:
        assert tuple(next(csv.reader(handle))) == importing.CSV_COLUMNS
    page.get_by_test_id("import-file").set_input_files(
        {"name": "店铺订单.csv", "mimeType": "text/csv", "buffer": body}
    )
    shot(page, "25-import-dialog")
    page.get_by_test_id("import-submit").click()

    job = page.locator("#job-box .job")
    expect(job).to_have_attribute("data-status", "done")
    expect(job.locator("[data-percent-text]")).to_have_text("100%")
    expect(page.locator("#import-form")).to_be_hidden()  # the dropdown closed
    report = job.get_by_test_id("import-report")
    expect(report.locator('[data-count="created"] b')).to_have_text("2")
    expect(report.locator('[data-count="rejected"] b')).to_have_text("1")
    bad = report.locator('tbody.problem[data-external-id="CSV-2"]')
    expect(bad).to_have_attribute("data-row", "4")
    expect(bad).to_contain_text("quantity")
    expect(bad).to_contain_text("invalid_quantity")
    expect(bad).to_contain_text("数量须为从 1 开始的整数")
    expect(job).to_contain_text("店铺订单.csv")
    # The list reloaded with the two new orders.
    page.wait_for_function(
        "n => Number(document.querySelector('.tab[data-tab=\"pending_review\"] [data-count]')"
        ".textContent) + Number(document.querySelector('.tab[data-tab=\"approved\"] [data-count]')"
        ".textContent) === n",
        arg=before + 2,
    )
    shot(page, "26-import-report")
    assert set(Order.objects.filter(external_id__startswith="CSV-").values_list(
        "external_id", flat=True)) == {"CSV-1", "CSV-3"}  # fmt: skip

    # The job's own page tells the same in English.
    job_id = job.get_attribute("data-job")
    page.get_by_test_id("lang-en").click()
    expect(page.locator("h1")).to_have_text("Order workbench")
    page.goto(f"{live_server.url}/jobs/{job_id}/")
    expect(page.locator("h1")).to_have_text("Import orders")
    report = page.get_by_test_id("import-report")
    expect(report).to_contain_text("Rows to fix")
    expect(report.locator('tbody.problem[data-external-id="CSV-2"]')).to_contain_text(
        "The quantity must be a whole number from 1."
    )
    report.get_by_text("Imported orders").click()
    expect(report.get_by_role("link", name="CSV-3")).to_be_visible()
    shot(page, "27-import-report-english", full_page=True)
    assert not page.js_errors
