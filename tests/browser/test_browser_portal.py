"""In a real Chromium, in Chinese: a provider's customer signs in, lands in its workspace (the
portal's menu only), fills a waybill whose live quote shows its own price and the channels
that refuse the parcel, creates it and finds it in its list."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tradelane.forwarding.models import Waybill
from tradelane.forwarding.tests.factories import provider
from tradelane.logistics.rates import selectors
from tradelane.web.tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIELDS = {
    "consignee.name": "Jane Doe",
    "consignee.phone": "+1 212 555 0100",
    "consignee.address1": "350 Fifth Avenue",
    "consignee.city": "New York",
    "consignee.state": "NY",
    "consignee.postcode": "10118",
    "pieces[0].weight_kg": "1.2",
    "pieces[0].length_cm": "30",
    "pieces[0].width_cm": "20",
    "pieces[0].height_cm": "10",
    "items[0].name_zh": "棉T恤",
    "items[0].name_en": "Cotton T-shirt",
    "items[0].quantity": "2",
    "items[0].unit_value": "12.50",
    "items[0].currency": "USD",
    "items[0].hs_code": "610910",
    "reference": "SHOP-1001",
}


def test_a_customer_creates_a_waybill_with_the_live_quote(page, live_server, shot, settled):
    selectors.clear_cache()
    provider()
    log_in(page, live_server, "acme", "pw-Tradelane-1", wait=False)
    page.wait_for_url(f"{live_server.url}/portal/")
    expect(page.get_by_test_id("portal-account")).to_contain_text("Acme Trading")
    nav = page.locator("nav.mainnav a")
    expect(nav).to_have_text(
        [
            "工作台",
            "运单",
            "新建运单",
            "批量下单",
            "舱位",
            "预约取件",
            "报价表",
            "对账单",
            "开放 API",
            "余额",
        ]
    )

    page.get_by_test_id("portal-new").click()
    page.wait_for_url(re.compile(r".*/portal/waybills/new/$"))
    settled(page)
    page.get_by_test_id("f-consignee.country").select_option("US")
    for name, value in FIELDS.items():
        page.get_by_test_id(f"f-{name}").fill(value)
    page.get_by_test_id("f-reference").press("Tab")  # a change: the quote runs
    offer = page.get_by_test_id("offer-USLINE")
    expect(offer).to_be_checked()
    row = page.locator('tr[data-channel="USLINE"]')
    expect(row).to_contain_text("76.00")  # ACME's own sale price, not the standard 82.00
    expect(row).to_contain_text("6–10")
    expect(page.get_by_test_id("refused-EUPOST")).to_contain_text("费率表没有分区覆盖这个目的地")
    settled(page)
    shot(page, "80-portal-new-waybill-quote", full_page=True)

    page.get_by_test_id("waybill-submit").click()
    page.wait_for_url(re.compile(r".*/portal/waybills/TL\d+/$"))
    w = Waybill.objects.get(reference="SHOP-1001")
    assert (w.customer.code, w.channel.code, w.forecast_weight_g, w.sale_amount) == (
        "ACME", "USLINE", 1200, Decimal("76.00"))  # fmt: skip
    expect(page.get_by_test_id("waybill-numbers")).to_contain_text(w.number)
    expect(page.get_by_test_id("waybill-status")).to_have_text("已预报")
    expect(page.get_by_test_id("timeline")).to_contain_text("运单已创建，等待包裹入库")
    shot(page, "81-portal-waybill-detail", full_page=True)

    page.locator("nav.mainnav a", has_text="运单").first.click()
    page.wait_for_url(re.compile(r".*/portal/waybills/$"))
    listed = page.locator(f'tr[data-number="{w.number}"]')
    expect(page.locator("nav.mainnav a.active")).to_have_text("运单")
    expect(listed).to_contain_text("SHOP-1001")
    expect(listed).to_contain_text("已预报")
    expect(listed).to_contain_text("76.00 CNY")
    shot(page, "82-portal-waybill-list")
    page.locator("nav.mainnav a", has_text="工作台").click()
    expect(page.get_by_test_id("count-created")).to_contain_text("1")
    shot(page, "83-portal-workspace")
    assert not page.js_errors


def test_a_customer_ticks_two_waybills_and_prints_their_labels(page, live_server, shot, settled):
    """The list's checkboxes by mouse and keyboard, one PDF of the two labels in the order
    shown, then a pending waybill among the ticked: the page says which is skipped and why."""
    import io

    from pypdf import PdfReader

    from tradelane.forwarding.tests.factories import payload
    from tradelane.forwarding.waybills import services

    selectors.clear_cache()
    p = provider()
    made = []
    for i in range(3):
        w, _ = services.create_waybill(p.acme_user, p.acme, payload(f"SHOP-20{i}"))
        if i < 2:
            w = services.assign_numbers(p.hub, w, tracking_number=f"LX00000000{i}CN")
        made.append(w)
    first, second, pending = made
    log_in(page, live_server, "acme", "pw-Tradelane-1", wait=False)
    page.wait_for_url(f"{live_server.url}/portal/")
    page.goto(f"{live_server.url}/portal/waybills/")
    settled(page)
    page.locator(f'tr[data-number="{first.number}"] input[name="ids"]').check()
    box = page.locator(f'tr[data-number="{second.number}"] input[name="ids"]')
    box.focus()
    page.keyboard.press("Space")  # reachable by keyboard
    expect(box).to_be_checked()
    expect(page.locator("[data-selected-count] b")).to_have_text("2")
    expect(page.get_by_test_id("print-selected")).to_have_text("打印所选运单的面单")
    shot(page, "84-portal-waybills-ticked")
    with page.expect_download() as download:
        page.get_by_test_id("print-selected").click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    assert len(pdf.pages) == 2
    # newest first, as the list shows them
    assert f"{second.number} SHOP-201" in pdf.pages[0].extract_text()
    assert f"{first.number} SHOP-200" in pdf.pages[1].extract_text()

    page.get_by_test_id("select-all").check()
    expect(page.locator("[data-selected-count] b")).to_have_text("3")
    page.get_by_test_id("print-selected").click()
    page.wait_for_url(re.compile(r".*/portal/waybills/labels/$"))
    skipped = page.get_by_test_id("labels-skipped")
    expect(skipped).to_contain_text(pending.number)
    expect(skipped).to_contain_text("跟踪号尚未分配，分配后才能打印面单。")
    expect(page.get_by_test_id("labels-ready")).to_contain_text("2 个运单的面单已就绪")
    settled(page)
    shot(page, "85-portal-labels-skipped")
    with page.expect_download() as download:
        page.get_by_test_id("print-ready").click()
    assert len(PdfReader(io.BytesIO(download.value.path().read_bytes())).pages) == 2
    assert not page.js_errors and not page.csp_violations
