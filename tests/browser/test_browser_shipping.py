"""In a real Chromium, as the demo's logistics clerk: rate-shop every pending order (the progress
bar finishes), create shipments for selected orders, print their labels (one PDF), hand them
over, close today's manifest."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tradelane import demo
from tradelane.logistics.models import Manifest, RateChoice, Shipment
from tradelane.orders.models import PackageLine
from tradelane.web.tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_shipping_workbench_end_to_end(page, live_server, shot, immediate_tasks):
    demo.load()
    log_in(page, live_server, "logistics", "logistics-demo")
    # g f: the shipping workbench from the keyboard
    page.keyboard.press("g")
    page.keyboard.press("f")
    page.wait_for_url(f"{live_server.url}/shipping/")
    expect(page.locator("h1")).to_have_text("待发货订单")
    rows = page.locator("table[data-rows] tbody tr[data-order]")
    waiting = rows.count()
    assert waiting >= 4

    page.get_by_test_id("rate-shop-all").click()
    job = page.locator("#job-box .job")
    expect(job).to_have_attribute("data-status", "done")
    expect(job.locator(".progress-bar")).to_have_attribute("style", "width: 100%")
    expect(job).to_contain_text("批量比价")
    expect(job).to_contain_text("已选渠道")
    shot(page, "60-shipping-rate-shopped")

    # the explanation of a choice, one click away
    first = page.locator("table[data-rows] tbody tr:has(.chip-channel)").first
    first.locator("td.why summary").click()
    expect(first.locator("ul.explain")).to_contain_text("选用")
    shot(page, "61-shipping-explain")
    first.locator("td.why summary").click()

    # select two orders with a channel by keyboard (j/x) and create their shipments
    packed = set(PackageLine.objects.values_list("order_line__order_id", flat=True))
    shippable = [
        r.get_attribute("data-order")
        for r in rows.all()
        if r.locator(".chip-channel").count() and int(r.get_attribute("data-order")) not in packed
    ][:2]
    n = len(shippable)
    assert n >= 1
    for order_id in shippable:
        page.locator(f'tr[data-order="{order_id}"] input[name="ids"]').check()
    expect(page.locator("[data-selected-count] b")).to_have_text(str(n))
    before = Shipment.objects.count()
    page.get_by_test_id("create-shipments").click()
    results = page.get_by_test_id("create-results")
    expect(results.locator('[data-result="created"]')).to_have_count(n)
    assert Shipment.objects.count() == before + n
    expect(rows).to_have_count(waiting - n)  # the list reloads without them
    shot(page, "62-shipping-created")

    made = list(Shipment.objects.order_by("-id")[:n])
    page.get_by_test_id("nav-shipments").click()
    expect(page.locator('.tab.active[data-tab="labelled"]')).to_be_visible()
    for s in made:
        page.get_by_label(f"选择发货单 {s.number}").check()
    with page.expect_popup() as popup_info:
        page.get_by_test_id("print-pdf").click()
    popup = popup_info.value
    # the PDF the popup opened: fetch the same POST from the page to read it
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    response = page.request.post(
        f"{live_server.url}/shipping/shipments/labels/",
        form={"ids": str(made[0].pk), "format": "pdf", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{live_server.url}/shipping/shipments/"},
    )
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.body())).pages) == made[0].pieces
    popup.close()
    shot(page, "63-shipments-labelled")

    page.get_by_test_id("bulk-ship").click()
    expect(page.get_by_test_id("bulk-results").locator("[data-done]")).to_have_text(str(n))
    assert {s.status for s in Shipment.objects.filter(pk__in=[s.pk for s in made])} == {"shipped"}

    # the shipment page
    page.goto(f"{live_server.url}/shipping/shipments/{made[0].pk}/")
    expect(page.get_by_test_id("shipment-status")).to_have_text("已发货")
    expect(page.get_by_test_id("tracking-number")).to_have_text(made[0].tracking_number)
    shot(page, "64-shipment-page", full_page=True)

    # close today's manifest for the channel
    page.get_by_test_id("nav-manifests").click()
    page.get_by_test_id("manifest-channel").select_option(made[0].channel.code)
    before = Manifest.objects.count()
    page.get_by_test_id("close-manifest").click()
    expect(page.get_by_test_id("manifest-flash")).to_contain_text("已生成")
    assert Manifest.objects.count() == before + 1
    m = Manifest.objects.order_by("-id").first()
    assert made[0].pk in set(m.shipments.values_list("pk", flat=True))
    shot(page, "65-manifests")
    # again: nothing new, refused in Chinese
    page.get_by_test_id("close-manifest").click()
    expect(page.locator("#manifest-main .alert-error")).to_contain_text("当天没有等待列入交接单")
    assert Manifest.objects.count() == before + 1
    assert RateChoice.objects.exists()
    assert not page.js_errors
