"""In a real Chromium: a logistics user opens the channels, uploads an Excel rate sheet (first
with a broken row, then a good one), runs a quote, expands an explanation, switches language."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tradelane.accounts import roles
from tradelane.logistics.models import RateSheet
from tradelane.logistics.rates import selectors
from tradelane.logistics.rates.samples import create_sample_channels
from tradelane.web.tests import data
from tradelane.web.tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_channels_upload_quote_and_explain(page, live_server, shot, tmp_path):
    user = data.user(roles.LOGISTICS, "wl_chen", name="陈物流")
    selectors.clear_cache()
    create_sample_channels(user)
    log_in(page, live_server, "wl_chen")

    # the nav entry, by its shortcut: g c
    page.keyboard.press("g")
    page.keyboard.press("c")
    page.wait_for_url(f"{live_server.url}/channels/")
    expect(page.locator("h1")).to_have_text("物流渠道")
    expect(page.locator("tr[data-channel]")).to_have_count(5)
    shot(page, "40-channels")

    page.get_by_role("link", name="EMS", exact=True).click()
    expect(page.locator("h1")).to_contain_text("EMS 国际特快专递")
    expect(page.locator("table.sheets tbody tr")).to_have_count(2)

    # a workbook with a broken price cell: every row error shown, nothing imported
    dhl = RateSheet.objects.get(channel__code="DHL-EXP", kind="cost")
    wb = load_workbook(io.BytesIO(selectors.export_rate_sheet(dhl)))
    good = tmp_path / "dhl-rates.xlsx"
    wb.save(good)
    wb["Prices"]["C3"] = "abc"
    wb["Prices"]["D4"] = -5
    bad = tmp_path / "broken.xlsx"
    wb.save(bad)
    page.get_by_test_id("upload-file").set_input_files(str(bad))
    page.get_by_test_id("upload-submit").click()
    report = page.locator(".upload-report")
    expect(report).to_contain_text("文件中有 2 处错误")
    expect(report.locator('tr[data-row="3"]')).to_contain_text("不是数字")
    expect(report.locator('tr[data-row="4"]')).to_contain_text("不能为负数")
    assert RateSheet.objects.filter(channel__code="EMS").count() == 2
    shot(page, "41-channel-upload-errors", full_page=True)

    # the good one, as a VIP sale sheet from a date: lands on its grid
    page.get_by_test_id("upload-file").set_input_files(str(good))
    form = page.get_by_test_id("upload-form")
    form.locator('select[name="kind"]').select_option("sale")
    form.locator('input[name="customer_level"]').fill("VIP")
    form.locator('input[name="effective_date"]').fill("2026-06-01")
    page.get_by_test_id("upload-submit").click()
    expect(page.locator(".alert-success")).to_contain_text("费率表已导入：4 个分区，44 个重量段")
    expect(page.get_by_test_id("rate-grid")).to_be_visible()
    expect(page.get_by_test_id("rate-grid").locator("tbody tr")).to_have_count(11)
    shot(page, "42-rate-sheet-grid", full_page=True)

    page.get_by_role("link", name="EMS").first.click()
    expect(page.locator("table.sheets tbody tr")).to_have_count(3)
    page.locator("#edit summary").click()
    shot(page, "43-channel-page", full_page=True)

    # the quote calculator: the weight has the focus, Enter submits
    page.goto(f"{live_server.url}/quote/")
    weight = page.get_by_test_id("q-weight")
    expect(weight).to_be_focused()
    weight.fill("1.2")
    page.locator('input[name="length_cm"]').fill("30")
    page.locator('input[name="width_cm"]').fill("20")
    page.locator('input[name="height_cm"]').fill("10")
    page.locator('select[name="country"]').select_option("US")
    page.get_by_test_id("q-postcode").fill("99501")
    page.get_by_test_id("q-postcode").press("Enter")
    rows = page.locator("tr[data-expand]")
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("YW-EXPRESS")
    expect(rows.last).to_contain_text("907.42")

    # the first row has the focus: Enter opens its explanation; a click opens another
    expect(rows.first).to_be_focused()
    page.keyboard.press("Enter")
    first_explain = page.locator('tbody[data-channel="YW-EXPRESS"] tr.explain')
    expect(first_explain).to_be_visible()
    expect(first_explain).to_contain_text("计费重")
    page.get_by_test_id("quote-DHL-EXP").click()
    dhl_explain = page.locator('tbody[data-channel="DHL-EXP"] tr.explain')
    expect(dhl_explain).to_contain_text("燃油附加费")
    expect(dhl_explain).to_contain_text("偏远地区")
    expect(dhl_explain).to_contain_text("725.94")
    page.get_by_test_id("quote-YW-EXPRESS").click()  # closes again
    expect(first_explain).to_be_hidden()
    shot(page, "44-quote-explained", full_page=True)

    # a battery to Japan: refused channels with their reasons
    weight.fill("3")
    page.locator('select[name="country"]').select_option("JP")
    page.get_by_test_id("q-postcode").fill("")
    page.locator('input[name="battery"]').check()
    weight.press("Enter")
    refused = page.get_by_test_id("refused")
    expect(refused).to_contain_text("该渠道不收带电货")
    expect(page.locator("tr[data-expand]")).to_have_count(1)
    shot(page, "45-quote-refused", full_page=True)

    # English
    page.get_by_test_id("lang-en").click()
    expect(page.locator("h1")).to_have_text("Quote calculator")
    page.get_by_test_id("q-weight").fill("0.8")
    page.get_by_test_id("q-weight").press("Enter")
    expect(page.locator("tr[data-expand]").first).to_be_visible()
    page.locator("tr[data-expand]").first.click()
    expect(page.locator("tr.explain").first).to_contain_text("Chargeable weight")
    shot(page, "46-quote-english", full_page=True)
    page.goto(f"{live_server.url}/channels/DHL-EXP/")
    expect(page.locator("#fuel")).to_contain_text("Fuel surcharge history")
    shot(page, "47-channel-english", full_page=True)
    assert not page.js_errors


def test_channels_show_what_they_price_warn_on_larger_claims_and_bound_fuel(
    page, live_server, shot
):
    from decimal import Decimal

    from tradelane.logistics.models import FuelRate
    from tradelane.logistics.rates import services
    from tradelane.logistics.tests.factories import bracket, country, sheet, zone

    user = data.user(roles.LOGISTICS, "wl_chen", name="陈物流")
    selectors.clear_cache()
    create_sample_channels(user)
    wide = services.create_channel(user, code="WIDE", name="全球小包 Worldwide", currency="CNY")
    services.create_rate_sheet(
        user, wide, sheet([zone("Z1", country("US"))], [bracket(0, 2000, flat=Decimal(50))])
    )
    log_in(page, live_server, "wl_chen")
    page.goto(f"{live_server.url}/channels/")
    warnings = page.get_by_test_id("coverage-warning")
    expect(warnings).to_have_count(1)  # the sample channels declare what they price
    expect(page.locator('[data-coverage="WIDE"]')).to_contain_text("声明国家超出费率表")
    expect(page.locator('[data-coverage="EMS"] .chip')).to_have_count(8)  # and "+5"
    shot(page, "41-channels-coverage")

    page.get_by_role("link", name="WIDE", exact=True).click()
    expect(page.get_by_test_id("coverage-warning")).to_contain_text(
        "声明服务所有国家，但当前生效的成本费率表只能报价 US"
    )
    expect(page.get_by_test_id("priced-countries")).to_have_text("US")
    shot(page, "42-channel-coverage-warning")

    # the fuel form takes 0 to 100: the browser itself refuses 999, nothing is sent
    page.goto(f"{live_server.url}/channels/DHL-EXP/")
    before = FuelRate.objects.count()
    form = page.get_by_test_id("fuel-form")
    form.locator('input[name="effective_from"]').fill("2027-01-01")
    form.get_by_test_id("fuel-percent").fill("999")
    form.get_by_test_id("fuel-submit").click()
    assert form.get_by_test_id("fuel-percent").evaluate("el => el.validity.rangeOverflow")
    assert FuelRate.objects.count() == before
    form.get_by_test_id("fuel-percent").fill("27.5")
    form.get_by_test_id("fuel-submit").click()
    expect(page.locator("#fuel")).to_contain_text("27.5%")
    assert FuelRate.objects.count() == before + 1
    assert not page.js_errors
