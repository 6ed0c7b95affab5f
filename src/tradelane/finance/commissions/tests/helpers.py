"""Waybills with fee lines for commission tests, written in bulk (a month of 1,200 waybills
would take minutes through the waybill services; the figures are what matter here)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from tradelane.accounts import roles
from tradelane.finance.fees.models import FeeSide, FeeStage, WaybillFeeLine
from tradelane.forwarding.tests.factories import provider, user
from tradelane.forwarding.waybills.models import Waybill, WaybillStatus

_seq = itertools.count(1)


def commission_provider():
    p = provider()
    p.finance = user("fin1", roles.PROVIDER_FINANCE)
    p.boss = user("boss1", roles.BOSS)
    return p


def waybills(p, n: int, *, day=dt.date(2026, 11, 10), channel=None, grams: int = 1000,
             sale: str | None = "60.00", cost: str | None = "40.00", customer=None,
             status=WaybillStatus.RECEIVED, currency: str = "CNY") -> list[Waybill]:  # fmt: skip
    """``n`` waybills of ``customer`` (ACME, brought by agent AG1 and bound to sales1) on
    ``day`` at noon in the server's zone, each with one receivable and one payable line."""
    when = dt.datetime.combine(day, dt.time(12), ZoneInfo(settings.TIME_ZONE))
    customer = customer or p.acme
    channel = channel or p.us
    rows = []
    for _ in range(n):
        k = next(_seq)
        rows.append(Waybill(
            number=f"TL{k:08d}", customer=customer, reference=f"C{k}", channel=channel,
            status=status, source="api", consignee_name="Jane", consignee_address1="1 Road",
            consignee_city="NYC", consignee_country="US", declared_value=Decimal("10"),
            declared_currency="USD", forecast_weight_g=grams, measured_weight_g=grams,
            chargeable_weight_g=grams, body_hash="x", created_at=when, updated_at=when,
        ))  # fmt: skip
    made = Waybill.objects.bulk_create(rows)
    made = list(Waybill.objects.filter(number__in=[w.number for w in rows]).order_by("pk"))
    lines = []
    for w in made:
        for side, amount in ((FeeSide.RECEIVABLE, sale), (FeeSide.PAYABLE, cost)):
            if amount is not None:
                lines.append(WaybillFeeLine(
                    waybill=w, fee_item_id="freight", side=side, amount=Decimal(amount),
                    currency=currency, stage=FeeStage.ACTUAL, chargeable_g=grams,
                ))  # fmt: skip
    WaybillFeeLine.objects.bulk_create(lines)
    return made


def add_line(w, side: str, amount: str, currency: str = "CNY") -> None:
    WaybillFeeLine.objects.create(waybill=w, fee_item_id="freight", side=side,
                                  amount=Decimal(amount), currency=currency,
                                  stage=FeeStage.ACTUAL)  # fmt: skip
