"""In a real Chromium: a search on the order workbench that finds nothing on the open tab
moves to the tab that has the hits, and the address bar follows."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tradelane.orders.models import Order
from tradelane.web.tests import data
from tradelane.web.tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_moves_to_the_tab_with_the_hits(page, live_server, shot, settled):
    data.seed(12)
    Order.objects.filter(number="#1005").update(status="approved", number="1025")
    log_in(page, live_server, "cs_li")
    page.goto(f"{live_server.url}/orders/")
    expect(page.locator('.tab.active[data-tab="pending_review"]')).to_be_visible()

    page.locator("#q").fill("#1025")
    page.locator("#q").press("Enter")
    expect(page.locator('.tab.active[data-tab="approved"]')).to_be_visible()
    rows = page.locator("table.orders tbody tr[data-order]")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".order-link")).to_have_text("1025")
    expect(page.get_by_test_id("search-moved")).to_have_text(
        "“待审核”下没有匹配的订单，已显示“已审核”下的匹配结果。"
    )
    assert "status=approved" in page.url and "q=%231025" in page.url
    shot(page, "workbench-search-moved")

    # Searching again from there stays on the tab that has the hits.
    settled(page)
    page.locator("#q").fill("1025")
    page.locator("#q").press("Enter")
    settled(page)
    expect(page.locator('.tab.active[data-tab="approved"]')).to_be_visible()
    expect(page.get_by_test_id("search-moved")).to_have_count(0)
    expect(rows).to_have_count(1)
    assert not page.js_errors
