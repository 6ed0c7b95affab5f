"""Receivables ageing: unpaid charges by age, payments applied to the oldest first (FIFO),
worked out by hand; one query for every customer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tradelane.core.money import Money
from tradelane.finance.ledgers import services as ledgers
from tradelane.forwarding.partners import scoping

from .. import selectors
from .helpers import credit_provider

D = Decimal
AS_OF = dt.date(2026, 6, 30)


def _post(p, account, kind, amount, on):
    ledgers.post(p.finance, account, kind, Money(D(amount), "CNY"), on=on)


@pytest.mark.django_db
def test_ageing_buckets_worked_out_by_hand():
    p = credit_provider()
    pre = ledgers.open_account(p.finance, p.pre)
    acme = ledgers.open_account(p.finance, p.acme)
    bolt = ledgers.open_account(p.finance, p.bolt)
    # PRE: 100 (121 days old), 50 (76), 30 (41), 20 (10); then 120 paid: the 100 and 20 of
    # the 50 are settled, the oldest first
    _post(p, pre, "charge", "100.00", dt.date(2026, 3, 1))
    _post(p, pre, "charge", "50.00", dt.date(2026, 4, 15))
    _post(p, pre, "charge", "30.00", dt.date(2026, 5, 20))
    _post(p, pre, "charge", "20.00", dt.date(2026, 6, 20))
    _post(p, pre, "receipt", "120.00", dt.date(2026, 6, 25))
    _post(p, pre, "charge", "999.00", dt.date(2026, 7, 1))  # after the day asked for
    # ACME: the edges (30 days is 0-30, 31 is 31-60), a negative adjustment owes like a
    # charge, a positive one pays like a receipt
    _post(p, acme, "adjustment", "-7.00", dt.date(2026, 1, 1))
    _post(p, acme, "adjustment", "2.00", dt.date(2026, 1, 2))
    _post(p, acme, "charge", "5.00", dt.date(2026, 5, 30))
    _post(p, acme, "charge", "10.00", dt.date(2026, 5, 31))
    # BOLT: paid in advance, owes nothing
    _post(p, bolt, "receipt", "50.00", dt.date(2026, 6, 1))
    _post(p, bolt, "charge", "40.00", dt.date(2026, 6, 2))

    scoping.membership(p.finance)  # read once per request (none: staff)
    with CaptureQueriesContext(connection) as ctx:
        rows = selectors.ageing(p.finance, AS_OF)
    assert len(ctx.captured_queries) == 2  # the customers in scope; the ageing of them all
    got = {(r.customer.code, r.currency): r.buckets for r in rows}
    assert got == {
        ("ACME", "CNY"): {"0_30": D("10.00"), "31_60": D("5.00"), "61_90": D("0.00"),
                          "90_plus": D("5.00")},
        ("PRE", "CNY"): {"0_30": D("20.00"), "31_60": D("30.00"), "61_90": D("30.00"),
                         "90_plus": D("0.00")},
    }  # fmt: skip
    assert [r.total for r in rows] == [D("20.00"), D("80.00")]
    assert selectors.ageing_totals(rows) == {"CNY": {
        "0_30": D("30.00"), "31_60": D("35.00"), "61_90": D("30.00"), "90_plus": D("5.00"),
        "total": D("100.00"),
    }}  # fmt: skip


@pytest.mark.django_db
def test_a_salesperson_ages_only_its_own_customers_and_a_portal_user_its_own_account():
    p = credit_provider()
    acme = ledgers.open_account(p.finance, p.acme)
    bolt = ledgers.open_account(p.finance, p.bolt)
    _post(p, acme, "charge", "5.00", dt.date(2026, 6, 1))
    _post(p, bolt, "charge", "6.00", dt.date(2026, 6, 1))
    assert [r.customer.code for r in selectors.ageing(p.sales1, AS_OF)] == ["ACME"]
    assert [r.customer.code for r in selectors.ageing(p.bolt_user, AS_OF)] == ["BOLT"]
    assert [r.customer.code for r in selectors.ageing(p.finance, AS_OF)] == ["ACME", "BOLT"]
