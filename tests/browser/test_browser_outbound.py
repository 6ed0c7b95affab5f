"""In a real Chromium, in Chinese, by keyboard alone: a hub operator scans a parcel into a bag
(green), a parcel of another sort key (red: wrong bag), leaves the field and presses S to
seal, then load-scans the bag against its dispatch."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tradelane.forwarding.models import Bag
from tradelane.forwarding.outbound import bags, dispatches
from tradelane.forwarding.outbound.tests.factories import received
from tradelane.forwarding.outbound.tests.test_bags import GB
from tradelane.forwarding.tests.factories import provider
from tradelane.web.tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
COPIES = Path("/tmp/shots_outbound")


def test_a_bag_is_scanned_sealed_and_load_scanned_by_keyboard(page, live_server, shot):
    p = provider()
    us = received(p, "US1")
    gb = received(p, "GB1", channel="EUPOST", consignee=GB)
    bag = bags.open_bag(p.hub, channel="USLINE", destination="US")

    log_in(page, live_server, "hub1", "pw-Tradelane-1", wait=False)
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/hub/bags/{bag.pk}/")
    code = page.locator("#scan-code")
    expect(code).to_be_focused()
    page.keyboard.type(us.number)
    page.keyboard.press("Enter")
    result = page.get_by_test_id("scan-result")
    expect(result).to_have_attribute("data-ok", "1")
    expect(result).to_contain_text(f"已入袋：{us.number}")
    expect(page.get_by_test_id("bag-counts")).to_contain_text("1 件包裹")
    expect(code).to_be_focused()
    expect(code).to_have_value("")

    page.keyboard.type(gb.number)
    page.keyboard.press("Enter")
    expect(result).to_have_attribute("data-ok", "0")
    expect(page.locator('[data-error-code="wrong_bag"]')).to_be_visible()
    expect(page.get_by_test_id("bag-counts")).to_contain_text("1 件包裹")
    shot(page, "outbound-bag-wrong-bag", full_page=True)

    page.keyboard.press("Escape")
    page.keyboard.press("s")
    expect(page.get_by_test_id("bag-counts")).to_have_attribute("data-status", "sealed")
    assert Bag.objects.get(pk=bag.pk).status == "sealed"

    d = dispatches.create_dispatch(p.hub, channel="USLINE", mode="air", mawb="176-12345675",
                                   flight="EK303", departure_date=dt.date(2026, 12, 5),
                                   origin_airport="PVG", destination_airport="JFK")  # fmt: skip
    dispatches.add_bag(p.hub, d, bag.number)
    page.goto(f"{live_server.url}/hub/dispatches/{d.pk}/")
    expect(page.get_by_test_id("missing-bags")).to_contain_text(bag.number)
    expect(page.locator("#scan-code")).to_be_focused()
    page.keyboard.type("BG000000")
    page.keyboard.press("Enter")
    expect(page.locator('[data-error-code="stray_bag"]')).to_be_visible()
    page.keyboard.type(bag.number)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("scan-result")).to_contain_text("（1 / 1）")
    expect(page.get_by_test_id("missing-bags")).to_have_count(0)
    expect(page.get_by_test_id("reconcile")).to_have_attribute("data-ok", "1")
    taken = shot(page, "outbound-dispatch-load-scan", full_page=True)
    COPIES.mkdir(parents=True, exist_ok=True)
    for name in ("outbound-bag-wrong-bag", "outbound-dispatch-load-scan"):
        shutil.copy(taken.parent / f"{name}.png", COPIES / f"{name}.png")
    assert page.js_errors == [] and page.csp_violations == []
