"""The store connection health page in Chromium: connect a Shopify store through the connect
screen, land on what the test call proved (scopes ✓/✗, webhooks), then re-verify after a
subscription went missing."""

from __future__ import annotations

import pytest

from tradelane.integrations.stores.models import StoreConnection
from tradelane.orders import services as order_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Test-123"


@pytest.fixture
def fake(fake):
    """The browser conftest's fake Shopify, granting no read_all_orders."""
    fake.onboarding.scopes = ["read_orders", "write_merchant_managed_fulfillment_orders"]
    return fake


def test_connect_lands_on_health_and_reverify_recreates(page, live_server, make_user, fake,
                                                        settings, shot):  # fmt: skip
    settings.TRADELANE_PUBLIC_URL = "https://tl.example"
    admin = make_user("admin", "boss1")
    admin.set_password(PASSWORD)
    admin.save()
    store = order_services.create_store(
        admin, code="SHOP-H", name="美国店", platform="shopify", currency="USD", country="US"
    )
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("boss1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/stores/{store.pk}/connect/")
    page.locator("input[name=shop_domain]").fill(fake.shop)
    page.locator("input[name=base_url]").fill(fake.base_url)
    page.locator("input[name=access_token]").fill(fake.token)
    page.locator("input[name=webhook_secrets]").fill("shpss_x")
    page.get_by_role("button", name="连接", exact=True).click()
    conn = StoreConnection.objects.get(store=store)
    page.wait_for_url(f"{live_server.url}/stores/connections/{conn.pk}/health/")
    assert page.get_by_test_id("shop-name").inner_text() == "Fake Shop"
    row = page.locator('tr[data-scope="read_all_orders"]')
    assert "缺失" in row.inner_text() and "row-failed" in (row.get_attribute("class") or "")
    assert "只能导入最近 60 天的订单" in page.get_by_test_id("verification").inner_text()
    assert page.locator('[data-testid="topics"] .badge-ok').count() == 5
    assert "2027-10-01" in page.get_by_test_id("api-version").inner_text()
    shot(page, "store-health", full_page=True)

    fake.onboarding.drop("ORDERS_UPDATED")
    page.reload()
    assert "缺失" in page.locator('tr[data-topic="ORDERS_UPDATED"]').inner_text()
    page.get_by_test_id("reverify").click()
    page.wait_for_url(f"{live_server.url}/stores/connections/{conn.pk}/health/")
    assert page.locator('[data-testid="topics"] .badge-ok').count() == 5
    assert len(fake.onboarding.pairs()) == 5
    assert not page.js_errors
