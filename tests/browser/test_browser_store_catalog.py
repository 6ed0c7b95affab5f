"""The store catalog page (店铺商品) in a real Chromium: the import's bar, the locations form
and the proposed SKU mappings, in Chinese."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tradelane.accounts import roles
from tradelane.core import jobs
from tradelane.integrations.stores import services
from tradelane.integrations.stores.models import StoreConnection
from tradelane.integrations.stores.onboarding import catalog_import
from tradelane.orders import services as order_services
from tradelane.orders.models import StoreSkuMapping

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Test-123"


@pytest.fixture
def imported(make_user, fake, make_sku, wh_us, wh_cn):
    admin = make_user(roles.ADMIN, "ops_admin")
    make_sku("MUG-1", name="蓝色马克杯 Blue Mug")
    make_sku("BOTTLE-1", name="保温杯 Steel Bottle", barcode="4006381333931")
    make_sku("BOARD-L", name="Bamboo Cutting Board Large")
    fake.catalog.add_location(1, "Los Angeles", "US")
    fake.catalog.add_location(2, "Shenzhen", "CN")
    fake.catalog.add_product("Mug", [{"sku": "MUG-1", "title": "Blue"}])
    fake.catalog.add_product("Bottle", [{"sku": "SHOP-BTL", "barcode": "4006381333931"}])
    fake.catalog.add_product("Bamboo Cutting Board", [{"sku": "SHOP-BOARD"}])
    fake.catalog.add_product("Wireless Mouse", [{"sku": "SHOP-MOUSE"}])
    store = order_services.create_store(
        admin, code="SHOP-US", name="Shopify 美国站", platform="shopify", currency="USD",
        country="US",
    )  # fmt: skip
    conn = services.connect(
        admin, store, shop_domain=fake.shop, base_url=fake.base_url,
        credentials={"access_token": fake.token, "webhook_secrets": ["shpss_1234"]},
    )  # fmt: skip
    jobs.run(catalog_import.start(admin, conn).pk)
    return conn


def test_the_catalog_page_reads_well_and_takes_decisions(page, live_server, imported, shot):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("ops_admin")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/stores/connections/{imported.pk}/catalog/")
    expect(page.get_by_role("heading", name="店铺商品: Shopify 美国站")).to_be_visible()
    expect(page.get_by_test_id("catalog-count")).to_have_text("已读取 4 / 4 个变体")
    table = page.get_by_test_id("proposals")
    expect(table.locator("tbody tr")).to_have_count(3)  # the mouse is unmatched
    expect(table).to_contain_text("SKU 相同")
    expect(table).to_contain_text("条码")
    expect(table).to_contain_text("标题相似")
    expect(page.get_by_test_id("accept-above")).to_contain_text("接受置信度不低于此值")
    # the locations form is pre-filled by name
    expect(page.locator('select[name="location:gid://shopify/Location/1"]')).to_have_value("LA")
    expect(page.locator('select[name="location:gid://shopify/Location/2"]')).to_have_value("SZ")
    shot(page, "store-catalog", full_page=True)
    page.get_by_test_id("locations-save").click()
    expect(page.locator(".messages")).to_contain_text("地点映射已保存")
    conn = StoreConnection.objects.get(pk=imported.pk)
    assert conn.settings["locations"] == {"LA": "gid://shopify/Location/1",
                                          "SZ": "gid://shopify/Location/2"}  # fmt: skip
    page.get_by_test_id("accept-above").get_by_role("button", name="全部接受").click()
    expect(page.get_by_test_id("filter-accepted")).to_contain_text("2")
    assert set(StoreSkuMapping.objects.values_list("store_sku", flat=True)) == {
        "MUG-1", "SHOP-BTL"}  # fmt: skip
    assert not page.js_errors
