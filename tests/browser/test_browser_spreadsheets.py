"""In a real Chromium: upload an Excel file of products on 导入导出, map a column by hand,
preview (the bad row highlighted), import all-or-nothing (refused), then the valid rows."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect

from tradelane.accounts import roles
from tradelane.catalog.models import Sku
from tradelane.web.tests import data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["产品编码", "产品名称", "SKU", "品名规格", "重量(kg)", "HS编码", "申报价值", "带电"])
    ws.append(["P-LAMP", "台灯", "LAMP-W", "台灯 白", 1.25, "940520", "15", "是"])
    ws.append(["P-LAMP", "台灯", "LAMP-B", "台灯 黑", 1.3, "123", "15", "否"])
    ws.append(["P-FAN", "风扇", "FAN-1", "小风扇", 0.8, "841451", "9.5", "是"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_upload_excel_map_preview_import_and_read_the_report(page, live_server, shot, settled):
    data.user(roles.PURCHASING, "cg_wang", name="王采购")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("cg_wang")
    page.get_by_label("密码").fill(data.PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"{live_server.url}/")

    page.locator('.mainnav a[data-key="i"]').click()
    expect(page.get_by_role("heading", name="导入导出")).to_be_visible()
    page.get_by_test_id("io-entity").select_option("products")
    page.get_by_test_id("io-file").set_input_files(
        {"name": "产品.xlsx", "mimeType": "application/octet-stream", "buffer": _xlsx()}
    )
    page.get_by_test_id("io-upload").click()

    # "品名规格" is not a header we know: map it to the SKU name by hand, then preview again
    name_select = page.locator('select[data-field="name"]')
    expect(name_select).to_have_value("")
    settled(page)  # the swapped-in form is wired up once htmx settles
    expect(page.locator('select[data-field="hs_code"]')).to_have_value("HS编码")
    name_select.select_option("品名规格")
    page.get_by_role("button", name="重新预览").click()
    preview = page.get_by_test_id("io-preview")
    expect(preview.locator("tbody tr")).to_have_count(3)
    bad = preview.locator("tbody tr.row-bad")
    expect(bad).to_have_count(1)
    expect(bad).to_contain_text("invalid_hs_code")
    expect(preview).to_contain_text("台灯 黑")
    shot(page, "40-io-preview", full_page=True)

    settled(page)
    page.get_by_test_id("io-import").click()
    report = page.get_by_test_id("io-report")
    expect(report).to_contain_text("没有导入任何数据")
    assert not Sku.objects.filter(code__in=["LAMP-W", "FAN-1"]).exists()

    settled(page)
    page.get_by_test_id("io-partial").check()
    page.get_by_test_id("io-import").click()
    expect(report).to_contain_text("已导入")
    expect(report.locator("tbody tr")).to_have_count(3)
    expect(report.locator("tbody tr.row-bad")).to_contain_text("HS编码")
    shot(page, "41-io-report", full_page=True)
    assert sorted(Sku.objects.values_list("code", "weight_g", "has_battery")) == [
        ("FAN-1", 800, True),
        ("LAMP-W", 1250, True),
    ]
