"""In a real Chromium, customer service (客服): from an order's page finds its parcel (numbers,
timeline, public link) and opens its tracking; fixes an order's phone so the review passes;
sees the tracking home; keeps the block list."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tradelane.accounts import roles
from tradelane.accounts.models import BlockedBuyer
from tradelane.core.models import FxRate
from tradelane.inventory.models import Warehouse
from tradelane.logistics.carriers.contract import TrackEvent
from tradelane.logistics.tests.tracking_factories import at, make_shipment
from tradelane.logistics.tracking import codes as tc
from tradelane.logistics.tracking import services as tracking
from tradelane.orders.models import Order
from tradelane.orders.review import review_orders
from tradelane.orders.tests.factories import make_order, make_store
from tradelane.web.tests import data
from tradelane.web.tests.browser_login import log_in as _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_service_finds_the_parcel_from_the_order_page(page, live_server, shot, make_sku):
    cs = data.user(roles.CUSTOMER_SERVICE, "kf_li", name="李客服")
    wh = Warehouse.objects.create(code="SZ", name="深圳仓", country="CN", priority=10)
    order = make_order(make_store(), [(make_sku("MUG"), 1)], status="shipped")
    shipment = make_shipment(wh, status="shipped", tracking="RR123456785CN", orders=[order])
    tracking.record_events(
        None, shipment,
        [TrackEvent(at(0), tc.PICKED_UP, "PU", "深圳邮政已收寄", "Shenzhen", "CN"),
         TrackEvent(at(70), tc.CUSTOMS, "CUS", "Customs clearance", "Leipzig", "DE")],
        "poll",
    )  # fmt: skip
    tracking.set_last_mile(data.user(roles.ADMIN, "boss_admin"), shipment, "DHL", "00340434")
    assert cs.has_perm("logistics.view_trackingevent")

    _log_in(page, live_server, "kf_li")
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    panel = page.get_by_test_id("order-shipments")
    expect(panel).to_be_visible()
    expect(panel.get_by_test_id("shipment-tracking-number")).to_have_text("RR123456785CN")
    expect(panel.get_by_test_id("shipment-last-mile")).to_have_text("00340434")
    expect(panel.get_by_test_id("shipment-public-link")).to_have_attribute(
        "href", f"/t/RR123456785CN/{shipment.public_key}"
    )
    expect(panel.get_by_test_id("timeline")).to_contain_text("清关中")
    shot(page, "90-service-order-shipments", full_page=True)

    panel.get_by_test_id("shipment-link").click()
    page.wait_for_url(f"{live_server.url}/tracking/shipments/{shipment.pk}/")
    expect(page.get_by_test_id("tracking-status")).to_have_text("清关中")
    expect(page.get_by_test_id("timeline")).to_contain_text("深圳邮政已收寄")
    expect(page.get_by_test_id("event-form")).to_have_count(0)  # reads, does not change

    # the tracking home: the parcel has had no news for days
    page.get_by_role("link", name="← 追踪").click()
    expect(page.get_by_test_id("quiet-parcels")).to_contain_text(shipment.number)
    expect(page.get_by_test_id("recent-exceptions")).to_be_visible()
    shot(page, "91-service-tracking-home", full_page=True)


def test_service_fixes_a_phone_and_keeps_the_block_list(page, live_server, shot, make_sku):
    from tradelane.accounts.selectors import company

    company()
    FxRate.objects.create(
        base="USD", quote="CNY", rate=Decimal("7.1"), date="2026-11-20", source="test"
    )
    cs = data.user(roles.CUSTOMER_SERVICE, "kf_wang", name="王客服")
    order = make_order(make_store(), [(make_sku("MUG"), 1)], ship_phone="12345")
    review_orders(cs, [order.pk])
    assert Order.objects.get(pk=order.pk).status == "pending_contact"

    _log_in(page, live_server, "kf_wang")
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    page.get_by_test_id("edit-open").click()
    page.get_by_test_id("edit-ship_phone").fill("555")
    page.get_by_test_id("edit-save").click()
    expect(page.locator('[data-error-code="invalid_phone"]')).to_contain_text("有效电话号码")
    shot(page, "92-service-order-edit-refused", full_page=True)
    page.get_by_test_id("edit-ship_phone").fill("+1 650-253-0001")
    page.get_by_test_id("edit-save").click()
    page.wait_for_url(f"{live_server.url}/orders/{order.pk}/")
    expect(page.get_by_test_id("order-status")).to_have_text("已审核")
    expect(page.locator("table.history")).to_contain_text("12345 → +16502530001")
    shot(page, "93-service-order-edited", full_page=True)

    page.goto(f"{live_server.url}/settings/blocked-buyers/")
    page.get_by_test_id("block-open").click()
    page.get_by_test_id("block-email").fill("fraud@example.com")
    page.get_by_test_id("block-reason").fill("多次拒付")
    page.get_by_test_id("block-save").click()
    row = BlockedBuyer.objects.get()
    expect(page.get_by_test_id(f"blocked-{row.pk}")).to_contain_text("多次拒付")
    shot(page, "94-service-block-list", full_page=True)
    page.get_by_test_id(f"unblock-{row.pk}").click()
    expect(page.get_by_test_id("no-blocked")).to_be_visible()
    assert not BlockedBuyer.objects.exists()
