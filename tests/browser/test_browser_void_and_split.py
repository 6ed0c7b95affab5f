"""In a real Chromium: an order whose shipment has a label is split only by voiding that
shipment in the same step; the page says what the void does before the user confirms."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tradelane.accounts import roles
from tradelane.logistics.models import Shipment
from tradelane.logistics.shipping import services as shipping
from tradelane.logistics.tests.shipfix import own_channel
from tradelane.orders import services
from tradelane.orders.models import Order, Package
from tradelane.web.tests import data
from tradelane.web.tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_void_and_split_an_order_with_a_label(page, live_server, shot):
    world = data.seed(12)
    log = data.user(roles.LOGISTICS, "log_wang", name="王物流")
    order = Order.objects.get(number="#1002")  # MUG-W x2
    services.review_orders(world["cs"], [order.pk])
    services.allocate_orders(log, [order.pk])
    order.refresh_from_db()
    assert order.status == "pending_shipment"
    own_channel(log, "OWN", countries=(order.ship_country,))
    (s,) = shipping.create_shipments(log, order_ids=[order.pk], channel="OWN")
    s.refresh_from_db()
    (line,) = order.lines.all()

    log_in(page, live_server, "log_wang")
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    page.get_by_test_id("split-open").click()
    plan = page.get_by_test_id("split-void-plan")
    expect(plan).to_be_visible()
    expect(plan).to_contain_text(f"运单 {s.number} 将被取消，其跟踪号 {s.tracking_number}")
    expect(plan).to_contain_text("订单原有的库存占用会释放")
    button = page.get_by_test_id("split-submit")
    expect(button).to_have_text("作废并拆分")
    page.locator(f'input[name="qty_0_{line.pk}"]').fill("1")
    page.locator(f'input[name="qty_1_{line.pk}"]').fill("1")
    shot(page, "25-void-and-split-form", full_page=True)
    button.click()
    expect(page.locator(".alert-success")).to_contain_text(f"已作废运单 {s.number}。")
    expect(page.get_by_test_id("split-void-plan")).to_have_count(0)
    shot(page, "26-void-and-split-done", full_page=True)
    assert Shipment.objects.get(pk=s.pk).status == "cancelled"
    assert Package.objects.filter(kind="split", status="open").count() == 2
    assert not page.js_errors
