"""Merge on the workbench, split on the order page, import of order files with a per-row report:
permissions per role, refusals shown translated and changing nothing, the happy paths."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tradelane.core.models import Job
from tradelane.inventory.models import StockBalance
from tradelane.orders import importing, services
from tradelane.orders.importing import import_orders
from tradelane.orders.models import Order, Package
from tradelane.web.tests import data

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world():
    return data.seed(12)


@pytest.fixture
def immediate(settings, django_capture_on_commit_callbacks):
    """Jobs run when the request's transaction commits (no worker in these tests)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return lambda: django_capture_on_commit_callbacks(execute=True)


def login(client, user):
    client.force_login(user)
    return client


def statuses():
    return dict(Order.objects.values_list("pk", "status"))


def stock():
    return sorted(StockBalance.objects.values_list("sku_id", "warehouse_id", "on_hand", "reserved"))


def pair(world) -> list[Order]:
    """Two approved orders of one buyer to one address."""
    report = import_orders(world["cs"], data.same_buyer_rows(), review=True)
    ids = sorted(r["order_id"] for r in report.rows)
    orders = list(Order.objects.filter(pk__in=ids).order_by("pk"))
    assert [o.status for o in orders] == ["approved", "approved"], [o.review for o in orders]
    return orders


# --- merge ----------------------------------------------------------------------------------


def test_merge_two_orders_of_one_buyer(client, world):
    a, b = pair(world)
    login(client, world["cs"])
    page = client.get(reverse("web:orders"), {"status": "approved"}).content.decode()
    assert 'data-testid="bulk-merge"' in page and "合并发货" in page
    response = client.post(
        reverse("web:orders_bulk"), {"action": "merge", "ids": [a.pk, b.pk]}, **HTMX
    )
    assert response.status_code == 200
    package = Package.objects.get()
    text = response.content.decode()
    assert str(package) in text and "已合并为包裹" in text and "SZ" in text
    assert a.number in text and b.number in text
    assert response["HX-Trigger"] == "ordersChanged"
    assert set(Order.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {
        "pending_shipment"
    }
    # The workbench shows the parcel on both rows, the order page the parcel and its partner.
    page = client.get(reverse("web:orders"), {"status": "pending_shipment"}).content.decode()
    assert page.count(str(package)) == 2
    detail = client.get(reverse("web:order", args=[a.pk])).content.decode()
    assert str(package) in detail and "合并包裹" in detail and "一起发货的订单" in detail
    assert f'href="/orders/{b.pk}/"' in detail
    assert "合并到" in detail  # the history says so, translated
    assert 'data-testid="split-merged-warning"' in detail  # a split would undo the merge


def test_merge_without_htmx_redirects_with_a_message(client, world):
    a, b = pair(world)
    login(client, world["cs"])
    response = client.post(
        reverse("web:orders_bulk"),
        {"action": "merge", "ids": [a.pk, b.pk], "next": "/orders/?status=approved"},
        follow=True,
    )
    assert response.redirect_chain[0][0] == "/orders/?status=approved"
    assert "合并为包裹" in response.content.decode()
    assert Package.objects.count() == 1


def test_merge_refusals_are_translated_and_change_nothing(client, world):
    a, b = pair(world)
    services.review_orders(world["cs"], list(Order.objects.values_list("pk", flat=True)))
    other = Order.objects.filter(status="approved").exclude(pk__in=[a.pk, b.pk]).first()
    pending = Order.objects.create(
        store=world["store"], external_id="X-1", number="#X1", currency="USD"
    )
    before, stock_before = statuses(), stock()
    login(client, world["cs"])
    cases = [
        ([a.pk], 422, "merge_needs_two", "合并至少需要选择两个订单"),
        ([a.pk, other.pk], 409, "merge_different_buyers", "不是同一买家"),
        ([a.pk, pending.pk], 409, "merge_wrong_status", "#X1：待审核"),
    ]
    for ids, status, code, words in cases:
        response = client.post(reverse("web:orders_bulk"), {"action": "merge", "ids": ids}, **HTMX)
        text = response.content.decode()
        assert response.status_code == status, text
        assert code in text and words in text, text
        assert "<html" not in text
    assert statuses() == before and stock() == stock_before
    assert not Package.objects.exists()


def test_merge_short_of_stock_names_the_sku(client, world):
    a, b = pair(world)
    sz, la = world["warehouses"]
    from tradelane.inventory import services as inventory

    black = world["skus"]["MUG-BLK"]  # the second order's mug: only Shenzhen stocks it
    balance = StockBalance.objects.get(sku=black, warehouse=sz)
    inventory.adjust(world["admin"], sku_id=black.pk, warehouse_id=sz.pk,
                     delta=-(balance.on_hand - balance.reserved), note="count")  # fmt: skip
    before, stock_before = statuses(), stock()
    login(client, world["cs"])
    response = client.post(
        reverse("web:orders_bulk"), {"action": "merge", "ids": [a.pk, b.pk]}, **HTMX
    )
    text = response.content.decode()
    assert response.status_code == 409
    assert (
        "库存不足" in text and "MUG-BLK：需要 2，LA 可用 0" in text and "insufficient_stock" in text
    )
    assert statuses() == before and stock() == stock_before


def test_warehouse_cannot_merge(client, world, warehouse_user):
    a, b = pair(world)
    before = statuses()
    login(client, warehouse_user)
    page = client.get(reverse("web:orders"), {"status": "approved"}).content.decode()
    assert "bulk-merge" not in page
    response = client.post(
        reverse("web:orders_bulk"), {"action": "merge", "ids": [a.pk, b.pk]}, **HTMX
    )
    assert response.status_code == 403
    assert "您的角色无权执行此操作" in response.content.decode()
    response = client.post(reverse("web:orders_bulk"), {"action": "merge", "ids": [a.pk, b.pk]})
    assert response.status_code == 403
    assert statuses() == before and not Package.objects.exists()


# --- split ----------------------------------------------------------------------------------


def _approved_bundle_order(world) -> Order:
    order = Order.objects.get(number="#1009")  # MUG-W x2, MUG-SET x1 (a bundle), LAMP x1
    services.review_orders(world["cs"], [order.pk])
    order.refresh_from_db()
    assert order.status == "approved"
    return order


def _split_post(order, world, plan: dict[int, list[int]], warehouses=("SZ", "LA")) -> dict:
    """``plan``: {line index: [units in part 0, units in part 1, ...]}."""
    codes = {w.code: w.pk for w in world["warehouses"]}
    lines = list(order.lines.order_by("line_no"))
    post = {"parts": str(len(warehouses))}
    for p, code in enumerate(warehouses):
        post[f"wh_{p}"] = str(codes[code])
    for index, units in plan.items():
        for p, n in enumerate(units):
            post[f"qty_{p}_{lines[index].pk}"] = str(n) if n else ""
    return post


def test_split_an_order_across_two_warehouses(client, world):
    order = _approved_bundle_order(world)
    lines = list(order.lines.order_by("line_no"))
    assert [(line.sku.code, line.quantity) for line in lines] == [
        ("MUG-WHT", 2), ("MUG-WHT", 1), ("MUG-BLK", 1), ("LAMP-01", 1),
    ]  # fmt: skip
    login(client, world["cs"])
    page = client.get(reverse("web:order", args=[order.pk])).content.decode()
    assert 'id="split-form"' in page and "拆分发货" in page and "包裹 2" in page
    post = _split_post(order, world, {0: [0, 2], 1: [1, 0], 2: [1, 0], 3: [1, 0]})
    response = client.post(reverse("web:order_split", args=[order.pk]), post, **HTMX)
    text = response.content.decode()
    assert response.status_code == 200, text
    packages = list(Package.objects.order_by("pk"))
    assert [(p.kind, p.warehouse.code) for p in packages] == [("split", "SZ"), ("split", "LA")]
    assert f"已拆分为 {packages[0]} (SZ)、{packages[1]} (LA)" in text or "已拆分为" in text
    assert 'data-status="pending_shipment"' in text
    assert text.count('data-kind="split"') == 2
    order.refresh_from_db()
    assert order.status == "pending_shipment"


def test_split_refusals_show_in_place_and_change_nothing(client, world):
    order = _approved_bundle_order(world)
    lines = list(order.lines.order_by("line_no"))
    login(client, world["cs"])
    before, stock_before = statuses(), stock()
    url = reverse("web:order_split", args=[order.pk])

    # One unit of the first line is in no parcel.
    post = _split_post(order, world, {0: [1, 0], 1: [1, 0], 2: [0, 1], 3: [1, 0]})
    response = client.post(url, post, **HTMX)
    text = response.content.decode()
    assert response.status_code == 422
    assert "split_quantities_mismatch" in text and "每个订单行的每一件" in text
    assert f'<tr data-line="{lines[0].pk}" data-quantity="2" class="bad">' in text
    assert f'name="qty_0_{lines[0].pk}" value="1"' in text  # what the user typed stays
    assert "请检查标红的行：MUG-WHT" in text
    assert '<details class="panel split-panel" id="split-panel" open>' in text

    # The lamp is not stocked in Los Angeles.
    post = _split_post(order, world, {0: [2, 0], 1: [1, 0], 2: [1, 0], 3: [0, 1]})
    response = client.post(url, post, **HTMX)
    text = response.content.decode()
    assert response.status_code == 409
    assert "库存不足" in text and "LAMP-01" in text

    # Not a number.
    post = _split_post(order, world, {0: [2, 0], 1: [1, 0], 2: [1, 0], 3: [1, 0]})
    post[f"qty_1_{lines[3].pk}"] = "-1"
    response = client.post(url, post, **HTMX)
    assert response.status_code == 422 and "数量须为从 1 开始的整数" in response.content.decode()

    # Everything in one parcel: a split needs two.
    post = _split_post(order, world, {0: [2, 0], 1: [1, 0], 2: [1, 0], 3: [1, 0]})
    response = client.post(url, post, **HTMX)
    assert response.status_code == 422 and "拆分至少需要两个包裹" in response.content.decode()

    assert statuses() == before and stock() == stock_before
    assert not Package.objects.exists()


def test_split_refused_for_an_order_in_review(client, world):
    order = Order.objects.get(number="#1002")  # pending review
    login(client, world["cs"])
    page = client.get(reverse("web:order", args=[order.pk])).content.decode()
    assert "split-form" not in page
    line = order.lines.get()
    sz, la = world["warehouses"]
    post = {"parts": "2", "wh_0": sz.pk, "wh_1": la.pk, f"qty_0_{line.pk}": "1",
            f"qty_1_{line.pk}": "1"}  # fmt: skip
    response = client.post(reverse("web:order_split", args=[order.pk]), post, **HTMX)
    assert response.status_code == 409
    assert "该状态的订单不能拆分" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "pending_review" and not Package.objects.exists()


def test_add_a_parcel_keeps_what_was_typed(client, world):
    order = _approved_bundle_order(world)
    line = order.lines.order_by("line_no").first()
    login(client, world["cs"])
    response = client.get(
        reverse("web:order_split", args=[order.pk]),
        {"parts": "2", "add_part": "1", f"qty_1_{line.pk}": "1"},
        **HTMX,
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert text.startswith('<details class="panel split-panel" id="split-panel" open>')
    assert 'name="wh_2"' in text and 'name="parts" value="3"' in text
    assert f'name="qty_1_{line.pk}" value="1"' in text


def test_warehouse_cannot_split(client, world, warehouse_user):
    order = _approved_bundle_order(world)
    login(client, warehouse_user)
    page = client.get(reverse("web:order", args=[order.pk])).content.decode()
    assert "split-form" not in page
    before, stock_before = statuses(), stock()
    post = _split_post(order, world, {0: [0, 2], 1: [1, 0], 2: [1, 0], 3: [1, 0]})
    response = client.post(reverse("web:order_split", args=[order.pk]), post, **HTMX)
    assert response.status_code == 403
    assert "您的角色无权执行此操作" in response.content.decode()
    response = client.post(reverse("web:order_split", args=[order.pk]), post)
    assert response.status_code == 403
    assert statuses() == before and stock() == stock_before and not Package.objects.exists()


def test_order_page_with_parcels_keeps_a_fixed_number_of_queries(client, world):
    order = _approved_bundle_order(world)
    login(client, world["cs"])
    url = reverse("web:order", args=[order.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    post = _split_post(order, world, {0: [1, 1], 1: [1, 0], 2: [1, 0], 3: [1, 0]})
    assert client.post(reverse("web:order_split", args=[order.pk]), post).status_code == 302
    two = count()
    order.refresh_from_db()
    services.change_status(world["admin"], order, "approved", "again")
    order.refresh_from_db()
    post = _split_post(
        order, world, {0: [1, 1, 0], 1: [0, 0, 1], 2: [1, 0, 0], 3: [1, 0, 0]}, ("SZ", "LA", "SZ")
    )
    assert client.post(reverse("web:order_split", args=[order.pk]), post).status_code == 302
    assert Package.objects.count() == 5  # two cancelled, three open
    assert count() == two


# --- import ---------------------------------------------------------------------------------


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=importing.CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode()


def _csv_row(ext: str, **kw) -> dict:
    row = {
        "store": "SHOP1", "external_id": ext, "number": f"#{ext}", "currency": "USD",
        "buyer_name": "Jane Doe", "buyer_email": f"{ext}@example.com",
        "buyer_phone": "+1 650-253-0000", "ship_name": "Jane Doe",
        "ship_address1": "1600 Amphitheatre Pkwy", "ship_city": "Mountain View",
        "ship_state": "CA", "ship_postcode": "94043", "ship_country": "US",
        "ship_phone": "+1 650-253-0000", "store_sku": "MUG-W", "title": "Mug", "quantity": "1",
        "unit_price": "12.90",
    }  # fmt: skip
    row.update(kw)
    return row


def _upload(client, content: bytes, name: str, **extra):
    return client.post(
        reverse("web:orders_import"),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv"), **extra},
        **HTMX,
    )


def test_import_a_csv_with_a_bad_row_shows_the_report(client, world, immediate):
    body = _csv(
        [
            _csv_row("IMP-1"),
            _csv_row("IMP-1", store_sku="MUG-B", quantity="2"),  # second line of IMP-1
            _csv_row("IMP-2", quantity="zwei"),  # refused: line 4
            _csv_row("IMP-3", ship_country="XX"),  # refused: line 5
        ]
    )
    login(client, world["cs"])
    page = client.get(reverse("web:orders")).content.decode()
    assert 'id="import-form"' in page and "下载 CSV 样例" in page
    with immediate():
        response = _upload(client, body, "orders.csv")
    assert response.status_code == 200
    job = Job.objects.get()
    assert job.kind == "orders.import" and job.status == "done", job.error
    assert (job.result["created"], job.result["rejected"]) == (1, 2)
    response = client.get(reverse("web:job", args=[job.pk]), **HTMX)
    text = response.content.decode()
    assert response["HX-Trigger"] == "ordersChanged"
    assert "导入订单" in text and "orders.csv" in text and 'data-percent="100"' in text
    assert '<li class="count-created" data-count="created"><b>1</b> 新建</li>' in text
    assert '<li class="count-rejected" data-count="rejected"><b>2</b> 拒绝</li>' in text
    assert 'data-row="4" data-external-id="IMP-2"' in text
    assert "invalid_quantity" in text and "数量须为从 1 开始的整数" in text
    assert "<code>quantity</code>" in text  # the CSV column, not the importer's path
    assert 'data-row="5" data-external-id="IMP-3"' in text
    assert "<code>ship_country</code>" in text and "未知的国家代码" in text
    assert "需要修改的行" in text
    assert Order.objects.filter(external_id="IMP-1").get().lines.count() == 2
    assert not Order.objects.filter(external_id__in=["IMP-2", "IMP-3"]).exists()
    # The same file again: nothing changes, the report says so.
    with immediate():
        _upload(client, body, "orders.csv")
    again = Job.objects.order_by("-pk").first()
    assert (again.result["created"], again.result["unchanged"]) == (0, 1)


def test_import_json_and_jsonl_and_a_gbk_csv(client, world, immediate):
    login(client, world["cs"])
    rows = [data.order_row(i) for i in (70, 71)]
    with immediate():
        _upload(client, json.dumps(rows).encode(), "orders.json")
        lines = "\n".join(json.dumps(r) for r in [data.order_row(72), {"store": "NOPE"}])
        _upload(client, lines.encode(), "orders.ndjson")
        gbk = _csv([_csv_row("GBK-1", note="请用礼品包装")]).decode().encode("gb18030")
        _upload(client, gbk, "excel.csv")
    results = [j.result for j in Job.objects.order_by("pk")]
    assert [(r["created"], r["rejected"]) for r in results] == [(2, 0), (1, 1), (1, 0)]
    assert Order.objects.get(external_id="GBK-1").note == "请用礼品包装"
    text = client.get(reverse("web:job", args=[Job.objects.order_by("pk")[1].pk]), **HTMX)
    text = text.content.decode()
    assert "没有这个店铺代码" in text and "unknown_store" in text and "NOPE" in text


def test_import_a_csv_without_required_columns_fails_with_a_reason(client, world, immediate):
    login(client, world["cs"])
    with immediate():
        _upload(client, b"store,external_id\nSHOP1,1\n", "orders.csv")
    job = Job.objects.get()
    assert job.status == "failed"
    text = client.get(reverse("web:job", args=[job.pk]), **HTMX).content.decode()
    assert "CSV 文件缺少必需的列" in text and "store_sku" in text


def test_import_refusals_before_the_job(client, world):
    login(client, world["cs"])
    response = _upload(client, b"", "orders.csv")
    assert response.status_code == 422 and "请选择要导入的文件" in response.content.decode()
    response = _upload(client, b"PK\x03\x04", "orders.xlsx")
    assert response.status_code == 422 and "未知的文件格式" in response.content.decode()
    response = _upload(client, b"\x00\x01\xff\xfe", "orders.csv")
    assert response.status_code == 422 and "invalid_encoding" in response.content.decode()
    assert not Job.objects.exists()


def test_warehouse_and_logistics_cannot_import(client, world, warehouse_user, logistics):
    before = Order.objects.count()
    body = _csv([_csv_row("NO-1")])
    for user in (warehouse_user, logistics):
        login(client, user)
        page = client.get(reverse("web:orders")).content.decode()
        assert "import-form" not in page
        response = _upload(client, body, "orders.csv")
        assert response.status_code == 403
        assert "您的角色无权执行此操作" in response.content.decode()
        response = client.post(
            reverse("web:orders_import"),
            {"file": SimpleUploadedFile("orders.csv", body, content_type="text/csv")},
        )
        assert response.status_code == 403
        assert client.get(reverse("web:orders_import_sample")).status_code == 403
    assert not Job.objects.exists() and Order.objects.count() == before


def test_the_sample_csv_has_the_importers_columns_and_imports_cleanly(client, world, immediate):
    login(client, world["cs"])
    response = client.get(reverse("web:orders_import_sample"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert body.startswith("\ufeff".encode())
    header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert tuple(header) == importing.CSV_COLUMNS
    with immediate():
        _upload(client, body, "tradelane-orders-sample.csv")
    job = Job.objects.get()
    assert (job.result["created"], job.result["rejected"]) == (2, 0), job.result
    order = Order.objects.get(external_id="SO-10001")
    assert order.store == world["store"] and order.lines.count() == 2


def test_import_past_the_row_limit_fails_in_the_job_and_says_why(
    client, world, immediate, settings
):
    settings.IMPORT_MAX_ROWS = 2
    before = Order.objects.count()
    login(client, world["cs"])
    body = _csv([_csv_row("LIM-1"), _csv_row("LIM-2"), _csv_row("LIM-3")])
    with immediate():
        response = _upload(client, body, "orders.csv")
    assert response.status_code == 200  # the request only starts the job: it counts nothing
    job = Job.objects.get()
    assert (job.status, job.result["code"]) == ("failed", "file_too_many_rows")
    text = client.get(reverse("web:job", args=[job.pk]), **HTMX).content.decode()
    assert "文件超过 2 行，请拆分成较小的文件。未导入任何数据。" in text
    client.cookies["django_language"] = "en"
    text = client.get(reverse("web:job", args=[job.pk]), **HTMX).content.decode()
    assert "The file has more than 2 rows; split it into smaller files." in text
    assert Order.objects.count() == before


def test_the_sample_csv_neutralizes_formula_like_text_and_imports_it_back(client, world, immediate):
    login(client, world["cs"])
    text = client.get(reverse("web:orders_import_sample")).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["buyer_phone"] == "'+1 650-253-0000"  # a spreadsheet would compute it
    assert rows[0]["ship_phone"] == "'+1 650-253-0000"
    with immediate():
        _upload(client, text.encode(), "sample.csv")
    order = Order.objects.get(external_id="SO-10001")
    assert not order.buyer_phone.startswith("'") and not order.ship_phone.startswith("'")
    assert order.buyer_phone.lstrip("+").startswith("1")
