"""The inbound scan screen in a real Chromium, driven by the keyboard alone, in Chinese: a
parcel scanned, weighed and measured goes green with its sort key; with weight differences
sent to the problem queue an overweight one goes red; a held one is refused in red; Esc
clears; the code field has the focus again after every scan."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tradelane.forwarding.hub import holds
from tradelane.forwarding.models import InboundScan, Waybill
from tradelane.forwarding.tests.factories import numbered, provider
from tradelane.web.tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LEAD = Path("/tmp/shots_inbound")


def scan_by_keys(page, code: str, *figures: str) -> None:
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    for figure in figures:
        page.keyboard.type(figure)
        page.keyboard.press("Enter")


def test_scans_by_keyboard_alone_green_problem_and_held(page, live_server, shot, settings,
                                                          tmp_path):  # fmt: skip
    settings.TRADELANE_HUB_WEIGHT_DIFFERENCE = "problem"
    p = provider()
    ok, heavy, stop = (numbered(p, f"R{i}", f"TRK000{i}") for i in (1, 2, 3))
    holds.hold(p.service, stop, "customs_hold", "海关查验")
    page.set_default_timeout(45_000)  # a loaded machine: the first pages are slow to come
    log_in(page, live_server, "hub1", "pw-Tradelane-1", wait=False)
    page.wait_for_url(f"{live_server.url}/**")
    page.goto(f"{live_server.url}/hub/scan/")
    code = page.get_by_test_id("scan-code")
    result = page.get_by_test_id("scan-result")
    expect(code).to_be_focused()

    # the forecast weight (1.2 kg), within the tolerance: green, the sort key shown
    scan_by_keys(page, ok.number, "1.2", "30", "20", "10")
    expect(result).to_have_attribute("data-result", "ok")
    expect(result).to_contain_text(f"已入库：{ok.number} → USLINE/US")
    expect(code).to_be_focused()
    expect(code).to_have_value("")
    expect(page.locator("#scan-recent tr")).to_have_count(1)
    shots = [shot(page, "hub-scan-1-ok")]

    # 3.5 kg against 1.2 forecast, sides skipped (Enter on an empty field sends): the problem shelf
    scan_by_keys(page, heavy.number, "3.5", "")
    expect(result).to_have_attribute("data-result", "problem")
    expect(result).to_contain_text(f"问题件（重量差异）：{heavy.number}")
    expect(code).to_be_focused()

    # a held parcel is refused, nothing received
    scan_by_keys(page, stop.number, "1250", "")
    expect(result).to_have_attribute("data-result", "held")
    expect(result).to_contain_text(f"扣件：{stop.number} 不得发出。海关查验")
    expect(page.locator("#scan-recent tr")).to_have_count(3)
    shots.append(shot(page, "hub-scan-2-held"))
    assert Waybill.objects.get(pk=stop.pk).status == "created"
    assert Waybill.objects.get(pk=heavy.pk).measured_weight_g == 3500

    # Esc clears a half-typed scan and goes back to the code
    page.keyboard.type("TYPO")
    page.keyboard.press("Enter")
    page.keyboard.type("9")
    page.keyboard.press("Escape")
    expect(code).to_be_focused()
    expect(code).to_have_value("")
    expect(page.get_by_test_id("scan-weight")).to_have_value("")
    assert list(InboundScan.objects.order_by("id").values_list("result", flat=True)) == [
        "ok", "problem", "held",
    ]  # fmt: skip
    assert page.js_errors == []
    LEAD.mkdir(parents=True, exist_ok=True)
    for path in shots:
        shutil.copy(path, tmp_path / path.name)
        shutil.copy(path, LEAD / path.name)
