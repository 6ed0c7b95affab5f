"""DDP duty and VAT lines (关税/增值税) from the destination's dated thresholds and rates.

For a DDP waybill, on a date (its creation day by default):

- EU member, value at most the IOSS threshold (EUR 150): VAT at the member's rate on the
  declared value (rule ``ioss``); duty only from the EU flat duty's date (EUR 3 per distinct
  HS subheading, the first six digits, rule ``eu_flat_duty``), none before.
- UK, value at most GBP 135: VAT 20 % on the declared value, collected at sale (rule
  ``vat_at_sale``); no duty.
- US: while the de minimis is above zero and the value at most it (USD 800 until 2025-08-28),
  nothing; since 2025-08-29 (de minimis 0) duty at the configured US rate (rule ``duty``).
- Above a threshold, or elsewhere: duty at the destination's configured duty rate and VAT at
  its VAT rate on the value plus the duty; a destination with neither is ``no_tax_rate``.

Base and amount are in the waybill's declared currency (the flat EU duty in EUR); each line is
rounded half up to its currency's minor units. Thresholds in another currency are compared
through the kept FX rates (``no_fx_rate`` without one).

``refresh_duty_lines`` writes them set-based: a waybill before inbound gets its lines again
when its destination, value or currency changed; after inbound its lines are kept as they
are (made if it has none); a waybill no longer DDP loses them before inbound.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.countries import EU_MEMBERS
from tradelane.core.errors import PermissionDenied
from tradelane.core.fx import Rates
from tradelane.core.money import Money, quantize
from tradelane.logistics.customs import decisions

from ..waybills.models import Incoterm, Waybill, WaybillStatus
from .models import DestinationTaxRate, TaxKind, WaybillDutyLine

WRITERS = (P.CUSTOMS_DECLARE, P.WAYBILL_ADD, P.WAYBILL_CHANGE, P.HUB_RECEIVE)


@dataclass(frozen=True, slots=True)
class Line:
    kind: str
    base_amount: Decimal
    base_currency: str
    rate: Decimal | None
    amount: Decimal
    currency: str
    rule: str


class NoLines(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def tax_rate(destination: str, kind: str, on: dt.date) -> DestinationTaxRate | None:
    """The rate in force on ``on``: the country's own row, else the EU's for a member."""
    places = [destination, "EU"] if destination in EU_MEMBERS else [destination]
    rows = DestinationTaxRate.objects.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on),
        destination__in=places, kind=kind, effective_from__lte=on,
    ).order_by("-effective_from")  # fmt: skip
    found = {r.destination: r for r in reversed(list(rows))}  # the newest per place wins
    return next((found[p] for p in places if p in found), None)


def _rule(kind: str, row) -> str:
    return f"{kind}:{row.destination or '*'}:{row.effective_from.isoformat()}"


def _within(value: Money, t, rates: Rates) -> bool:
    conv = rates.convert(value, t.currency)
    if conv is None:
        raise NoLines("no_fx_rate")
    return conv.amount <= t.amount


def _pct(base: Decimal, cur: str, row, kind: str, rule: str) -> Line:
    return Line(kind, base, cur, row.rate, quantize(base * row.rate, cur), cur, rule)


def compute(w: Waybill, on: dt.date, rates: Rates | None = None) -> list[Line]:
    """The duty and VAT lines of DDP waybill ``w`` on ``on`` (``NoLines`` with a code if
    they cannot be computed)."""
    rates = rates or Rates()
    country, cur = w.consignee_country, w.declared_currency
    value = Money(w.declared_value, cur)
    base = quantize(w.declared_value, cur)
    vat = tax_rate(country, TaxKind.VAT, on)
    duty = tax_rate(country, TaxKind.DUTY, on)
    if country in EU_MEMBERS:
        t = decisions.threshold(country, decisions.IOSS, on)
        if t is not None and _within(value, t, rates):
            if vat is None:
                raise NoLines("no_tax_rate")
            lines = []
            flat = decisions.threshold(country, decisions.EU_FLAT_DUTY, on)
            if flat is not None:
                n = len({it.hs_code[:6] for it in w.items.all() if it.hs_code})
                lines.append(Line(TaxKind.DUTY, base, cur, None,
                                  quantize(flat.amount * max(n, 1), flat.currency),
                                  flat.currency, _rule(decisions.EU_FLAT_DUTY, flat)))  # fmt: skip
            lines.append(_pct(base, cur, vat, TaxKind.VAT, _rule(decisions.IOSS, t)))
            return lines
    if country == "GB":
        t = decisions.threshold(country, decisions.VAT_AT_SALE, on)
        if t is not None and vat is not None and _within(value, t, rates):
            return [_pct(base, cur, vat, TaxKind.VAT, _rule(decisions.VAT_AT_SALE, t))]
    t = decisions.threshold(country, decisions.DE_MINIMIS, on)
    if t is not None and t.amount > 0 and _within(value, t, rates):
        return []  # under the duty-free value: nothing owed
    if duty is None and vat is None:
        raise NoLines("no_tax_rate")
    lines = []
    duty_amount = Decimal(0)
    if duty is not None:
        line = _pct(base, cur, duty, TaxKind.DUTY, _rule("duty", duty))
        duty_amount = line.amount
        lines.append(line)
    if vat is not None:
        lines.append(_pct(base + duty_amount, cur, vat, TaxKind.VAT, _rule("vat", vat)))
    return lines


def basis(w: Waybill) -> str:
    return f"{w.consignee_country}|{w.declared_value}|{w.declared_currency}"


@dataclass
class Refresh:
    written: list[Waybill]
    kept: list[Waybill]
    refused: list[tuple[Waybill, str]]


def refresh_duty_lines(actor, waybills: Sequence[Waybill], on_date: dt.date | None = None):
    """Write the duty and VAT lines of ``waybills`` as the module's docstring says."""
    if not any(actor.has_perm(p) for p in WRITERS):
        raise PermissionDenied("You may not change customs lines", code="permission_denied")
    rows = list(waybills)
    have: dict[int, set[str]] = {}
    for wid, b in WaybillDutyLine.objects.filter(waybill__in=rows).values_list(
        "waybill_id", "basis"
    ):
        have.setdefault(wid, set()).add(b)
    result = Refresh([], [], [])
    drop: list[int] = []
    new: list[WaybillDutyLine] = []
    rates = Rates()
    now = timezone.now()
    for w in rows:
        before_inbound = w.status == WaybillStatus.CREATED
        if w.incoterm != Incoterm.DDP:
            if before_inbound and w.pk in have:
                drop.append(w.pk)
            continue
        if w.pk in have and (not before_inbound or have[w.pk] == {basis(w)}):
            result.kept.append(w)
            continue
        on = on_date or timezone.localdate(w.created_at)
        try:
            lines = compute(w, on, rates)
        except NoLines as exc:
            result.refused.append((w, exc.code))
            continue
        if w.pk in have:
            drop.append(w.pk)
        new.extend(
            WaybillDutyLine(waybill=w, kind=x.kind, base_amount=x.base_amount,
                            base_currency=x.base_currency, rate=x.rate, amount=x.amount,
                            currency=x.currency, rule=x.rule, on_date=on, basis=basis(w),
                            created_at=now)
            for x in lines
        )  # fmt: skip
        result.written.append(w)
    with transaction.atomic():
        if drop:
            WaybillDutyLine.objects.filter(waybill_id__in=drop).delete()
        WaybillDutyLine.objects.bulk_create(new)
        if result.written or drop:
            audit.record_many(actor, "forwarding.duty_lines.refresh", Waybill._meta.label_lower,
                              sorted({w.pk for w in result.written} | set(drop)))  # fmt: skip
    return result


def lines_of(actor, w: Waybill) -> list[WaybillDutyLine]:
    require(actor, P.WAYBILL_VIEW)
    return list(WaybillDutyLine.objects.filter(waybill=w).order_by("kind"))
