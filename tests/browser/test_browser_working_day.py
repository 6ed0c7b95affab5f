"""The seller's first hour on the demo, in a real Chromium, one role after another:

1. the admin adds a customer-service colleague on the settings pages; she sets her password
   from the one-time link and signs in;
2. the automation takes a new order from the import to a label with no further click;
3. logistics cannot simply split that labelled order: the page offers "void and split", says
   what the void does, and does it;
4. the warehouse receives the stock an order waits for, and the order is released;
5. the new colleague answers "where is my parcel?" from the order page.

Screenshots ``hour-*`` go to test-artifacts/screenshots/."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tradelane import demo
from tradelane.core.errors import DomainError
from tradelane.inventory.models import StockBalance
from tradelane.logistics.models import Shipment, ShipmentOrder, TrackingEvent
from tradelane.orders import services
from tradelane.orders.models import Order, Package
from tradelane.web.tests.browser_login import log_in as _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
COLLEAGUE_PASSWORD = "Harbour-Lantern-58"


def _log_out(page) -> None:
    page.get_by_role("button", name="退出").click()


def _new_order_file() -> bytes:
    """One order as the store would send it: two phone cases to a buyer in California."""
    order = {
        "store": "SHOP-US", "external_id": "HOUR-1", "number": "#HOUR-1", "currency": "USD",
        "buyer": {"name": "Emily Johnson", "email": "emily.johnson@example.com",
                  "phone": "+1 415-555-0132"},
        "shipping_address": {"name": "Emily Johnson", "address1": "1 Market Street",
                             "city": "San Francisco", "state": "CA", "postcode": "94105",
                             "country": "US", "phone": "+1 415-555-0132"},
        "lines": [{"store_sku": "CASE-IP15-CLR", "title": "iPhone 15 case, clear",
                   "quantity": 2, "unit_price": "15.99"}],
    }  # fmt: skip
    return json.dumps([order]).encode()


def test_the_first_hour_of_a_seller_team(page, live_server, shot, immediate_tasks):
    demo.load()

    # 1. the admin invites a customer-service colleague, who signs in ------------------------
    _log_in(page, live_server, "admin", "admin-demo")
    page.goto(f"{live_server.url}/settings/users/")
    page.locator("#new-user summary").click()
    page.get_by_label("用户名").fill("kf_chen")
    page.get_by_label("显示名称").fill("陈客服")
    page.get_by_label("客服", exact=True).check()
    page.get_by_test_id("user-create").click()
    link = page.get_by_test_id("one-time-link").input_value()
    shot(page, "hour-1-colleague-invited")

    # 2. a new order is imported; the automation reviews, allocates, rate-shops and labels it
    page.goto(f"{live_server.url}/orders/")
    page.get_by_test_id("import-open").click()
    page.get_by_test_id("import-file").set_input_files(
        {"name": "shopify-orders.json", "mimeType": "application/json",
         "buffer": _new_order_file()}
    )  # fmt: skip
    page.get_by_test_id("import-submit").click()
    job = page.locator("#job-box .job")
    expect(job).to_have_attribute("data-status", "done")
    shot(page, "hour-2-import-report")
    expect(job.get_by_test_id("import-report").locator('[data-count="created"] b')).to_have_text(
        "1"
    )
    new = Order.objects.get(external_id="HOUR-1")
    shipment = Shipment.objects.get(order_links__order=new)
    assert shipment.status == "labelled" and shipment.created_by.username == "system.automation"
    page.goto(f"{live_server.url}/orders/{new.pk}/")
    expect(page.get_by_test_id("order-status")).to_have_text("待发货")
    history = page.locator("table.history")
    expect(history).to_contain_text("自动（审核通过后）：已分配到仓库")
    expect(history).to_contain_text(f"已在渠道 {shipment.channel.code} 创建运单 {shipment.number}")
    expect(page.get_by_test_id("order-shipments")).to_contain_text(shipment.number)
    shot(page, "hour-2-imported-order-labelled-by-itself", full_page=True)
    _log_out(page)

    # 3. logistics: a plain split of the labelled order is refused; "void and split" works ---
    from tradelane.accounts.models import User

    clerk = User.objects.get(username="logistics")
    (line,) = new.lines.all()
    packages_before = Package.objects.count()
    reserved = list(StockBalance.objects.order_by("id").values_list("id", "reserved"))
    half = {"warehouse_id": new.warehouse_id, "lines": [{"line_id": line.pk, "quantity": 1}]}
    with pytest.raises(DomainError) as refused:
        services.split_order(clerk, new, [half, half])
    assert refused.value.code == "shipment_live"
    assert Package.objects.count() == packages_before
    assert list(StockBalance.objects.order_by("id").values_list("id", "reserved")) == reserved
    assert Shipment.objects.get(pk=shipment.pk).status == "labelled"

    _log_in(page, live_server, "logistics", "logistics-demo")
    page.goto(f"{live_server.url}/orders/{new.pk}/")
    page.get_by_test_id("split-open").click()
    plan = page.get_by_test_id("split-void-plan")
    expect(plan).to_contain_text(f"运单 {shipment.number} 将被取消")
    button = page.get_by_test_id("split-submit")
    expect(button).to_have_text("作废并拆分")
    page.locator(f'input[name="qty_0_{line.pk}"]').fill("1")
    page.locator(f'input[name="qty_1_{line.pk}"]').fill("1")
    shot(page, "hour-3-void-and-split-plan", full_page=True)
    button.click()
    expect(page.locator(".alert-success")).to_contain_text(f"已作废运单 {shipment.number}。")
    assert Shipment.objects.get(pk=shipment.pk).status == "cancelled"
    assert (
        Package.objects.filter(kind="split", status="open", lines__order_line__order=new)
        .distinct()
        .count()
        == 2
    )
    shot(page, "hour-3-void-and-split-done", full_page=True)
    _log_out(page)

    # 4. the warehouse receives what an order waits for; the order is released --------------
    waiting = Order.objects.filter(status="pending_purchase").order_by("created_at", "id").first()
    assert waiting is not None, "the demo has orders waiting for stock"
    _log_in(page, live_server, "warehouse", "warehouse-demo")
    page.goto(f"{live_server.url}/stock/operations/")
    receive = page.get_by_test_id("receive-form")
    warehouse = StockBalance.objects.filter(sku__code="CASE-IP15-CLR").order_by("-on_hand").first()
    for order_line in waiting.lines.select_related("sku"):
        receive.get_by_label("SKU 编码").fill(order_line.sku.code)
        receive.get_by_label("仓库").select_option(str(warehouse.warehouse_id))
        receive.get_by_label("收货数量").fill(str(order_line.quantity + 20))
        receive.get_by_label("单据号").fill("PO-2612-HOUR")
        page.get_by_test_id("receive-submit").click()
        expect(page.locator(".alert-success")).to_contain_text(f"已收货 {order_line.quantity + 20}")
        receive = page.get_by_test_id("receive-form")
    shot(page, "hour-4-stock-received", full_page=True)
    waiting.refresh_from_db()
    assert waiting.status == "pending_shipment", waiting.status
    page.goto(f"{live_server.url}/orders/{waiting.pk}/")
    expect(page.get_by_test_id("order-status")).to_have_text("待发货")
    expect(page.locator("table.history")).to_contain_text("已分配到仓库")
    shot(page, "hour-4-waiting-order-released", full_page=True)
    _log_out(page)

    # 5. the new colleague sets her password and answers "where is my parcel?" --------------
    page.goto(link)
    page.get_by_label("新密码", exact=True).fill(COLLEAGUE_PASSWORD)
    page.get_by_label("再次输入新密码").fill(COLLEAGUE_PASSWORD)
    page.get_by_test_id("set-password").click()
    expect(page.locator(".alert-success")).to_contain_text("密码已设置")
    _log_in(page, live_server, "kf_chen", COLLEAGUE_PASSWORD)
    expect(page.locator(".topbar .who")).to_contain_text("陈客服")
    tracked = (
        ShipmentOrder.objects.filter(
            shipment__tracking_number__gt="",
            shipment__id__in=TrackingEvent.objects.values("shipment_id"),
        )
        .select_related("order", "shipment")
        .order_by("shipment_id")
        .first()
    )
    assert tracked is not None, "the demo has tracked parcels"
    order, parcel = tracked.order, tracked.shipment
    page.goto(f"{live_server.url}/orders/?status=pending_review")
    search = page.locator('input[name="q"]')
    search.fill(order.number)
    search.press("Enter")
    row = page.locator(f'table.orders tbody tr[data-order="{order.pk}"]')
    expect(row).to_be_visible()  # the search left the empty tab for the one with the order
    row.locator("a.order-link").click()
    page.wait_for_url(re.compile(rf"/orders/{order.pk}/(\?.*)?$"))
    panel = page.get_by_test_id("order-shipments")
    expect(panel.get_by_test_id("shipment-tracking-number").first).to_have_text(
        parcel.tracking_number
    )
    expect(panel.get_by_test_id("shipment-public-link").first).to_have_attribute(
        "href", f"/t/{parcel.tracking_number}/{parcel.public_key}"
    )
    expect(panel.get_by_test_id("timeline").first).to_be_visible()
    shot(page, "hour-5-where-is-my-parcel", full_page=True)
    assert not page.js_errors
