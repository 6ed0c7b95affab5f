"""In a real Chromium: without a CJK font for the PDFs, an admin sees a banner saying how to
install one; other roles do not."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tradelane.accounts import roles
from tradelane.web.tests import data
from tradelane.web.tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_sees_the_missing_font_banner(page, browser, live_server, shot, no_cjk_font):
    data.user(roles.ADMIN, "boss_admin")
    data.user(roles.WAREHOUSE, "wh_zhang")
    log_in(page, live_server, "boss_admin")
    banner = page.get_by_test_id("installation-warning")
    expect(banner).to_contain_text("本服务器没有用于 PDF 的中文字体")
    expect(banner).to_contain_text("sudo apt-get install fonts-wqy-microhei")
    page.goto(f"{live_server.url}/orders/")
    expect(banner).to_be_visible()
    shot(page, "admin-missing-font-banner")
    assert not page.js_errors

    other = browser.new_context(locale="zh-CN").new_page()
    try:
        log_in(other, live_server, "wh_zhang")
        expect(other.locator(".topbar .who")).to_be_visible()
        expect(other.get_by_test_id("installation-warning")).to_have_count(0)
    finally:
        other.context.close()
