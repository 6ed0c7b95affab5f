"""In Chromium: the settings pages. The admin invites a warehouse keeper with the users page;
the keeper opens the one-time link, chooses a password, logs in and sees what the role allows
(stock operations, not the user administration). Each settings page is photographed."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect

from tradelane.accounts import roles
from tradelane.accounts.models import User
from tradelane.catalog.models import Product, Sku
from tradelane.inventory.models import StockBalance, Warehouse
from tradelane.web.tests import data
from tradelane.web.tests.browser_login import log_in as _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "Quartz-Lantern-47"


def _menu(page):
    menu = page.get_by_test_id("settings-menu")
    menu.locator("summary").click()
    return menu


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 64), (40, 110, 200)).save(out, format="PNG")
    return out.getvalue()


def test_the_admin_invites_a_keeper_who_then_logs_in_and_sees_their_role(
    page, live_server, shot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    data.seed(4)
    data.user(roles.ADMIN, "the_admin", name="王总管")
    _log_in(page, live_server, "the_admin")

    menu = _menu(page)
    expect(menu.locator("a")).to_have_text(
        ["用户与角色", "公司资料", "黑名单", "仓库", "库存调整与调拨", "新建产品", "登录锁定"]
    )
    shot(page, "settings-menu-admin")
    menu.get_by_role("link", name="用户与角色").click()
    expect(page.get_by_role("heading", name="用户与角色")).to_be_visible()
    page.locator("#new-user summary").click()
    page.get_by_label("用户名").fill("keeper")
    page.get_by_label("显示名称").fill("小仓")
    page.get_by_label("仓库", exact=True).check()
    shot(page, "settings-users-add", full_page=True)
    page.get_by_test_id("user-create").click()
    link = page.get_by_test_id("one-time-link").input_value()
    assert "/set-password/" in link
    expect(page.locator(".alert-success")).to_contain_text("已邀请 keeper")
    shot(page, "settings-users-invitation-link")
    page.goto(f"{live_server.url}/settings/users/")
    expect(page.get_by_test_id("user-keeper")).to_contain_text("尚未设置密码")
    shot(page, "settings-users-list")
    page.get_by_test_id("user-keeper").get_by_role("link").click()
    shot(page, "settings-user-detail", full_page=True)

    # the other settings pages, as the admin sees them
    page.goto(f"{live_server.url}/settings/company/")
    page.get_by_label("高额订单起点（本位币）").fill("6000")
    page.get_by_test_id("company-save").click()
    expect(page.locator(".alert-success")).to_contain_text("公司资料已保存")
    shot(page, "settings-company", full_page=True)
    page.goto(f"{live_server.url}/settings/warehouses/")
    page.locator("#new-warehouse summary").click()
    form = page.get_by_test_id("warehouse-form")
    form.get_by_label("代码", exact=True).fill("FRA")
    form.get_by_label("名称").fill("Frankfurt")
    form.get_by_label("国家（ISO 代码）").fill("DE")
    page.get_by_test_id("warehouse-create").click()
    expect(page.get_by_test_id("warehouse-FRA")).to_be_visible()
    shot(page, "settings-warehouses")
    page.goto(f"{live_server.url}/products/new/")
    page.get_by_label("产品编码").fill("P-CUP")
    page.get_by_label("名称", exact=True).fill("保温杯")
    page.get_by_label("图片", exact=True).set_input_files(
        {"name": "cup.png", "mimeType": "image/png", "buffer": _png()}
    )
    shot(page, "settings-product-new")
    page.get_by_test_id("product-save").click()
    expect(page.get_by_test_id("product-image")).to_be_visible()
    page.locator("#new-sku summary").click()
    sku_form = page.get_by_test_id("sku-form")
    sku_form.get_by_label("SKU 编码").fill("CUP-500")
    sku_form.get_by_label("名称", exact=True).fill("保温杯 500ml")
    sku_form.get_by_label("重量（g）").fill("380")
    sku_form.get_by_label("海关编码").fill("9617.00")
    sku_form.get_by_label("含电池").check()
    shot(page, "settings-product-edit", full_page=True)
    page.get_by_test_id("sku-create").click()
    expect(page.get_by_test_id("sku-CUP-500")).to_contain_text("961700")
    sku = Sku.objects.get(code="CUP-500")
    assert (sku.hs_code, sku.has_battery, sku.product.code) == ("961700", True, "P-CUP")
    assert Product.objects.get(code="P-CUP").image
    page.get_by_test_id("sku-CUP-500").get_by_role("link", name="编辑").click()
    shot(page, "settings-sku-edit", full_page=True)

    # the same page in English
    page.get_by_test_id("lang-en").click()
    page.goto(f"{live_server.url}/settings/users/")
    expect(page.get_by_role("heading", name="Users and roles")).to_be_visible()
    shot(page, "settings-users-list-en")
    page.get_by_test_id("lang-zh-hans").click()
    page.get_by_role("button", name="退出").click()

    # the keeper: the one-time link, a password, a login, what the role allows
    page.goto(link)
    expect(page.get_by_role("heading", name="设置您的密码")).to_be_visible()
    page.get_by_label("新密码", exact=True).fill("short")
    page.get_by_label("再次输入新密码").fill("short")
    page.get_by_test_id("set-password").click()
    expect(page.locator('[data-field-error="password"]')).to_be_visible()
    shot(page, "settings-set-password-refused")
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    page.get_by_test_id("set-password").click()
    expect(page.locator(".alert-success")).to_contain_text("密码已设置")
    _log_in(page, live_server, "keeper", NEW_PASSWORD)
    expect(page.locator(".topbar .who")).to_contain_text("小仓")
    expect(page.locator(".topbar .who")).to_contain_text("仓库")
    menu = _menu(page)
    expect(menu.locator("a")).to_have_text(["库存调整与调拨"])
    shot(page, "settings-menu-warehouse")
    menu.get_by_role("link", name="库存调整与调拨").click()
    sz = Warehouse.objects.get(code="SZ")
    adjust = page.get_by_test_id("adjust-form")
    adjust.get_by_label("SKU 编码").fill("MUG-WHT")
    adjust.get_by_label("仓库").select_option(str(sz.pk))
    adjust.get_by_label("变动（+ 或 −）").fill("-2")
    adjust.get_by_label("原因").fill("盘点少两件")
    before = StockBalance.objects.get(sku__code="MUG-WHT", warehouse=sz).on_hand
    page.get_by_test_id("adjust-submit").click()
    expect(page.locator(".alert-success")).to_contain_text("MUG-WHT")
    assert StockBalance.objects.get(sku__code="MUG-WHT", warehouse=sz).on_hand == before - 2
    shot(page, "settings-stock-operations", full_page=True)
    refused = page.goto(f"{live_server.url}/settings/users/")
    assert refused is not None and refused.status == 403
    assert User.objects.get(username="keeper").groups.get().name == "warehouse"
    assert page.js_errors == []
