"""In a real Chromium, as finance (财务) reading Chinese: import an upstream line's CSV bill
with a column mapping (preview with the bad row first, then the valid rows), read the audit's
totals, show the differences only, accept a line and see the line's balance."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tradelane.finance.payables.tests.helpers import COLUMNS, provider
from tradelane.finance.payables.tests.test_views import bill_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_a_bill_audit_it_and_accept_a_line(page, live_server, shot):
    p = provider()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("fin1")
    page.get_by_label("密码").fill("pw-Tradelane-1")
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"{live_server.url}/")

    page.locator('.mainnav a[data-key="u"]').click()
    expect(page.get_by_role("heading", name="上游账单")).to_be_visible()
    page.get_by_role("link", name="导入账单").click()
    page.locator('select[name="line"]').select_option("UP1")
    page.get_by_role("button", name="选择").click()
    form = page.get_by_test_id("payable-upload")
    form.locator('input[name="file"]').set_input_files(
        {"name": "UP1-2026-11.csv", "mimeType": "text/csv", "buffer": bill_csv(p)}
    )
    for field, header in COLUMNS.items():
        form.locator(f'input[name="map_{field}"]').fill(header)
    form.locator('input[name="default_currency"]').fill("CNY")
    form.get_by_role("button", name="预览").click()
    preview = page.get_by_test_id("payable-preview")
    expect(preview).to_contain_text("费用为空或不是正数金额")
    expect(preview.locator("tbody tr").first).to_contain_text("payable_row_amount_invalid")
    shot(page, "payables-preview", full_page=True)

    page.get_by_test_id("payable-upload").locator('select[name="mode"]').select_option("valid_only")
    page.get_by_test_id("payable-upload").get_by_role("button", name="导入", exact=True).click()
    totals = page.get_by_test_id("payable-totals")
    expect(totals).to_contain_text("252.50")
    expect(totals).to_contain_text("224.00")
    page.get_by_label("只看差异").check()
    page.get_by_role("button", name="筛选").click()
    audit = page.get_by_test_id("payable-audit")
    expect(audit.locator("tbody tr")).to_have_count(4)
    expect(audit).to_contain_text("我方没有此单号的运单")
    shot(page, "payables-audit", full_page=True)

    row = page.get_by_test_id("payable-action-3")
    row.locator('select[name="action"]').select_option("accept")
    row.get_by_role("button", name="执行").click()
    expect(page.get_by_text("账单行已更新。")).to_be_visible()
    page.get_by_role("link", name="UP1").first.click()
    expect(page.get_by_test_id("payable-balance")).to_contain_text("56.00")
