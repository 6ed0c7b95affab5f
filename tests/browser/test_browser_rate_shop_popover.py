"""In a real Chromium: the explanation of a rate-shop choice opens in full on every row of the
shipping workbench, the last one included (the table scrolls sideways and used to clip it)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tradelane import demo
from tradelane.web.tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# Is every corner of the open explanation drawn, i.e. not cut off by a scrolling ancestor?
# elementFromPoint answers with what is really painted at a point, clipping included.
VISIBLE = """(el) => {
  const r = el.getBoundingClientRect();
  const inside = (x, y) => { const hit = document.elementFromPoint(x, y);
                             return !!hit && (hit === el || el.contains(hit)); };
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
          height: window.innerHeight,
          corners: [inside(r.left + 3, r.top + 3), inside(r.right - 3, r.top + 3),
                    inside(r.left + 3, r.bottom - 3), inside(r.right - 3, r.bottom - 3)]};
}"""


def test_the_explanation_of_the_last_row_is_not_clipped(page, live_server, shot):
    demo.load()
    log_in(page, live_server, "logistics", "logistics-demo")
    page.goto(f"{live_server.url}/shipping/")
    rows = page.locator("table[data-rows] tbody tr[data-order]")
    assert rows.count() >= 10
    for name, row in (("last", rows.last), ("first", rows.first)):
        row.scroll_into_view_if_needed()
        row.locator("td.why summary").click()
        explain = row.locator("ul.explain")
        expect(explain).to_be_visible()
        box = explain.evaluate(VISIBLE)
        assert box["corners"] == [True, True, True, True], box
        assert 0 <= box["top"] and box["bottom"] <= box["height"], box
        shot(page, f"66-shipping-explain-{name}-row")
        row.locator("td.why summary").click()
        expect(explain).to_be_hidden()
    # the order nothing can carry explains why, in full
    none = page.locator("table[data-rows] tbody tr:has(.chip-invalid)").first
    none.scroll_into_view_if_needed()
    none.locator("td.why summary").click()
    expect(none.locator("ul.explain")).to_contain_text("没有渠道能承运这个包裹")
    assert none.locator("ul.explain").evaluate(VISIBLE)["corners"] == [True] * 4
    assert not page.js_errors
