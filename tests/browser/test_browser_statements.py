"""In a real Chromium, in Chinese: a provider's customer signs in to the portal, opens its
statement (对账单) from the menu, sees its lines and totals by fee item, and confirms it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tradelane.accounts import roles
from tradelane.finance.fees import services as fees
from tradelane.finance.fx import services as fx
from tradelane.finance.statements import services
from tradelane.finance.statements.models import Statement
from tradelane.forwarding.tests.factories import payload, provider, user
from tradelane.forwarding.waybills import services as waybills
from tradelane.web.tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _next_month(day: dt.date) -> dt.date:
    y, m = divmod(day.year * 12 + day.month, 12)
    return dt.date(y, m + 1, 1)


def test_a_customer_opens_its_statement_and_confirms_it(page, live_server, shot):
    p = provider()
    finance = user("fin1", roles.PROVIDER_FINANCE)
    today = timezone.localdate()
    fx.set_manual_rate(finance, "USD", "CNY", "7.1234", today - dt.timedelta(days=3))
    w, _ = waybills.create_waybill(p.acme_user, p.acme, payload("SHOP-2001"))
    fees.add_manual_line(finance, w, side="receivable", item="storage", amount="5.00",
                         currency="USD", reason="three days on the shelf")  # fmt: skip
    [s] = services.generate_statements(finance, today=_next_month(today))
    services.issue_statement(finance, s)

    log_in(page, live_server, "acme", "pw-Tradelane-1", wait=False)
    page.wait_for_url(f"{live_server.url}/portal/")
    page.locator("nav.mainnav a", has_text="对账单").click()
    page.wait_for_url(re.compile(r".*/portal/statements/$"))
    page.get_by_role("link", name=s.number).click()
    page.wait_for_url(re.compile(r".*/portal/statements/ST-ACME-.*/$"))
    expect(page.get_by_test_id("statement-status")).to_have_text("已出账")
    # 66.00 + 10.00 + 5.00 USD x 7.1234 = 35.62: 111.62 CNY
    expect(page.get_by_test_id("statement-total")).to_contain_text("111.62")
    expect(page.get_by_test_id("statement-totals")).to_contain_text("运费")
    expect(page.get_by_test_id("statement-lines")).to_contain_text("5.00")
    shot(page, "90-portal-statement", full_page=True)

    page.get_by_test_id("statement-confirm").click()
    page.wait_for_url(re.compile(r".*/portal/statements/ST-ACME-.*/$"))
    expect(page.get_by_test_id("statement-status")).to_have_text("已确认")
    expect(page.locator("body")).to_contain_text("对账单已确认。")
    shot(page, "91-portal-statement-confirmed", full_page=True)
    s.refresh_from_db()
    assert (s.status, s.confirmed_by) == ("confirmed", p.acme_user)
    assert not page.js_errors
    assert Statement.objects.count() == 1
