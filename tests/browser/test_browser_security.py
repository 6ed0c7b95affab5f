"""In Chromium: the pages pass the Content-Security-Policy, and a login lockout reads clearly."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tradelane.accounts import roles
from tradelane.web.tests import data
from tradelane.web.tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/", "/orders/", "/products/", "/stock/", "/io/", "/shipping/", "/shipping/shipments/",
    "/shipping/manifests/", "/tracking/", "/tracking/exceptions/", "/channels/", "/quote/",
    "/dispatch/", "/stores/", "/settings/login-lockouts/", "/settings/users/",
    "/settings/company/", "/settings/warehouses/", "/stock/operations/", "/products/new/",
    "/api/docs", "/admin/",
]  # fmt: skip


def test_the_main_pages_run_under_the_csp_without_a_violation(page, live_server, shot):
    data.seed(6)
    admin = data.user(roles.ADMIN, "csp_admin")
    admin.is_staff = True
    admin.is_superuser = True
    admin.save()
    log_in(page, live_server, "csp_admin")
    for path in PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    assert page.csp_violations == [] and page.js_errors == []
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".swagger-ui")).to_be_visible()  # the API docs still render
    shot(page, "security-api-docs-under-csp")


def test_a_locked_out_login_says_why_and_an_admin_unlocks_it(page, live_server, shot, settings):
    settings.AXES_FAILURE_LIMIT = 3
    # in this test everyone comes from 127.0.0.1, so only the user name counts here (the
    # per-address lock is proven in web/tests/test_login_security.py)
    settings.AXES_LOCKOUT_PARAMETERS = ["username"]
    data.user(roles.CUSTOMER_SERVICE, "cs_li")
    data.user(roles.ADMIN, "the_admin")
    for _ in range(3):
        log_in(page, live_server, "cs_li", "wrong-password", wait=False)
    expect(page.get_by_test_id("locked-out")).to_contain_text("登录失败次数过多")
    shot(page, "security-login-locked-out")
    log_in(page, live_server, "cs_li", wait=False)  # the right password waits too
    expect(page.get_by_test_id("locked-out")).to_be_visible()

    log_in(page, live_server, "the_admin")
    page.get_by_test_id("settings-menu").locator("summary").click()
    page.get_by_role("link", name="登录锁定").click()
    expect(page.locator("table.grid")).to_contain_text("cs_li")
    shot(page, "security-login-lockouts-page")
    page.get_by_test_id("unlock-cs_li").first.click()
    expect(page.locator(".alert-success")).to_contain_text("已解锁")

    page.get_by_role("button", name="退出").click()
    log_in(page, live_server, "cs_li")
    expect(page.locator(".topbar .who")).to_be_visible()
