"""A provider whose customers have waybills with fee lines, a finance clerk, and dates."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tradelane.accounts import roles
from tradelane.finance.fx import services as fx
from tradelane.forwarding.hub.tests.helpers import hub_provider
from tradelane.forwarding.tests.factories import payload, user
from tradelane.forwarding.waybills import services as waybills


def world():
    p = hub_provider()
    p.finance = user("fin1", roles.PROVIDER_FINANCE)
    p.boss = user("boss1", roles.BOSS)
    today = timezone.localdate()
    # 1 USD = 7.1234 CNY, a manual rate of a few days ago (the latest on or before any line)
    fx.set_manual_rate(p.finance, "USD", "CNY", "7.1234", today - dt.timedelta(days=3))
    return p


def create(p, ref: str, customer=None, portal_user=None):
    w, _ = waybills.create_waybill(portal_user or p.acme_user, customer or p.acme, payload(ref))
    return w


def next_month(day: dt.date, n: int = 1) -> dt.date:
    """The first day of the n-th month after ``day``'s: a "today" when this month is closed."""
    y, m = divmod(day.year * 12 + day.month - 1 + n, 12)
    return dt.date(y, m + 1, 1)
