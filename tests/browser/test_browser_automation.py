"""The automation in a real Chromium: approving an order is the last click (it is allocated,
rate-shopped and labelled by itself); an order no channel carries is stopped, with its reason
on its page and under the workbench's "automation stopped" tab, and resumed once fixed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tradelane.logistics.models import Shipment
from tradelane.logistics.tests.shipfix import own_channel
from tradelane.orders import services
from tradelane.orders.models import Order
from tradelane.orders.tests.factories import make_order
from tradelane.web.tests import data
from tradelane.web.tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


FR = dict(
    ship_name="Marie Curie", ship_address1="10 Rue de Rivoli", ship_city="Paris",
    ship_state="", ship_postcode="75001", ship_country="FR", ship_phone="+33 6 12 34 56 78",
)  # fmt: skip


def test_approve_is_the_last_click_and_a_stopped_order_says_why(
    page, live_server, shot, immediate_tasks
):
    world = data.seed(0)
    admin, store = world["admin"], world["store"]
    services.set_automation(admin, store, auto_allocate=True, auto_ship=True, order_priority=100)
    own_channel(admin, "POST", countries=("US",))
    mug = world["skus"]["MUG-WHT"]
    us = make_order(store, [(mug, 1)], status="pending_contact")
    fr = make_order(store, [(mug, 1)], status="pending_contact", **FR)
    both = data.user("logistics", "ops_zhao", name="赵物流")
    both.groups.add(*world["cs"].groups.all())
    log_in(page, live_server, "ops_zhao")

    page.goto(f"{live_server.url}/orders/{us.pk}/")
    page.get_by_test_id("action-approve").click()
    expect(page.get_by_test_id("order-status")).to_have_text("待发货")
    history = page.locator("table.history")
    expect(history).to_contain_text("自动（审核通过后）：已分配到仓库")
    expect(history).to_contain_text("比价选中渠道 POST")
    shipment = Shipment.objects.get(order_links__order=us)
    expect(history).to_contain_text(f"已在渠道 POST 创建运单 {shipment.number}")
    assert shipment.status == "labelled"
    shot(page, "70-order-flowed-to-a-label", full_page=True)

    page.goto(f"{live_server.url}/orders/{fr.pk}/")
    page.get_by_test_id("action-approve").click()
    stop = page.get_by_test_id("automation-stop")
    expect(stop).to_contain_text("没有运输渠道能承运此订单")
    shot(page, "71-order-stopped-with-reason", full_page=True)

    page.goto(f"{live_server.url}/orders/?status=")
    tab = page.locator('.tab[data-tab="stopped"]')
    expect(tab.locator("[data-count]")).to_have_text("1")
    tab.click()
    expect(page.locator("table.orders tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("stopped-badge")).to_be_visible()
    shot(page, "72-workbench-automation-stopped")

    own_channel(admin, "EU", countries=("FR",))
    page.goto(f"{live_server.url}/orders/{fr.pk}/")
    page.get_by_test_id("action-resume").click()
    expect(page.get_by_test_id("automation-stop")).to_have_count(0)
    expect(page.locator("table.history")).to_contain_text("比价选中渠道 EU")
    assert Order.objects.get(pk=fr.pk).automation_stopped_at is None
    assert Shipment.objects.get(order_links__order=fr).channel.code == "EU"
    assert not page.js_errors
