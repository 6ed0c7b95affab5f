"""Bill rows matched to our waybills and compared, set-based: one query per kind of number
for the whole bill (waybill number, last-mile number, reference), one for the payable fee
nets and the latest payable chargeable grams of every matched waybill.

A waybill billed on several rows (one per fee item) is compared once, on its first row:
their chargeable grams (the first row that gives one) against ours (the chargeable grams of
our latest payable fee line, else the waybill's), their total charge against our payable net
in the bill's currency (converted at the row's date when our lines are in another one).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Sum

from tradelane.core.errors import DomainError
from tradelane.core.money import Money, quantize
from tradelane.forwarding.waybills.models import Waybill

from ..fees.models import FeeSide, WaybillFeeLine
from ..fx.conversion import convert
from .mapping import Row

CHUNK = 500


@dataclass
class Match:
    waybill_id: int | None = None
    match_code: str = ""
    compared: bool = False
    their_total: Decimal | None = None
    our_weight_g: int | None = None
    our_amount: Decimal | None = None
    weight_diff_g: int | None = None
    price_diff: Decimal | None = None


def _chunks(values):
    values = sorted(values)
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def _find(rows: list[Row]) -> dict[int, tuple[int | None, str]]:
    """row number -> (waybill id or None, why none)."""
    want = {f: {getattr(r, f) for r in rows if getattr(r, f)}
            for f in ("waybill_number", "last_mile_number", "reference")}  # fmt: skip
    by_number: dict[str, int] = {}
    by_last_mile: dict[str, set[int]] = defaultdict(set)
    by_reference: dict[str, set[int]] = defaultdict(set)
    for chunk in _chunks(want["waybill_number"]):
        by_number.update(Waybill.objects.filter(number__in=chunk).values_list("number", "pk"))
    for chunk in _chunks(want["last_mile_number"]):
        for num, pk in Waybill.objects.filter(last_mile_number__in=chunk).values_list(
            "last_mile_number", "pk"
        ):
            by_last_mile[num].add(pk)
    for chunk in _chunks(want["reference"]):
        for ref, pk in Waybill.objects.filter(reference__in=chunk).values_list("reference", "pk"):
            by_reference[ref].add(pk)
    out = {}
    for r in rows:
        found: int | None = None
        code = "payable_waybill_unknown"
        if r.waybill_number and r.waybill_number in by_number:
            found = by_number[r.waybill_number]
        else:
            for table, value in ((by_last_mile, r.last_mile_number),
                                 (by_reference, r.reference)):  # fmt: skip
                ids = table.get(value) if value else None
                if ids and len(ids) == 1:
                    found = next(iter(ids))
                    break
                if ids:
                    code = "payable_waybill_ambiguous"
        out[r.row] = (found, "" if found else code)
    return out


def _ours(ids: set[int]) -> tuple[dict[int, dict[str, Decimal]], dict[int, int]]:
    """Each waybill's payable nets per currency and our chargeable grams."""
    nets: dict[int, dict[str, Decimal]] = defaultdict(dict)
    grams: dict[int, int] = {}
    latest: dict[int, int] = {}
    for chunk in _chunks(ids):
        payable = WaybillFeeLine.objects.filter(waybill_id__in=chunk, side=FeeSide.PAYABLE)
        for wid, cur, net in (
            payable.values_list("waybill_id", "currency").annotate(net=Sum("amount")).order_by()
        ):
            nets[wid][cur] = Decimal(str(net)) if not isinstance(net, Decimal) else net
        latest.update(payable.values_list("waybill_id").annotate(last=Max("id")).order_by())
        grams.update(Waybill.objects.filter(pk__in=chunk).values_list("pk", "chargeable_weight_g"))
    if latest:
        for chunk in _chunks(latest.values()):
            for wid, g in WaybillFeeLine.objects.filter(pk__in=chunk).values_list(
                "waybill_id", "chargeable_g"
            ):
                if g:
                    grams[wid] = g
    return nets, grams


def _our_amount(nets: dict[str, Decimal], currency: str, on) -> Decimal | None:
    if not nets:
        return Decimal(0)
    if set(nets) == {currency}:
        return quantize(nets[currency], currency)
    total = Decimal(0)
    for cur, net in nets.items():
        if cur == currency:
            total += net
            continue
        try:
            total += convert(Money(net, cur), currency, on=on).converted.amount
        except DomainError:
            return None  # no rate: the row says so (payable_currency_unconverted)
    return quantize(total, currency)


def match(rows: list[Row]) -> dict[int, Match]:
    """row number -> its match and comparison, for the valid rows given."""
    found = _find(rows)
    ids = {wid for wid, _ in found.values() if wid}
    nets, grams = _ours(ids)
    groups: dict[int, list[Row]] = defaultdict(list)
    out: dict[int, Match] = {}
    for r in rows:
        wid, code = found[r.row]
        out[r.row] = Match(wid, code)
        if wid:
            groups[wid].append(r)
    for wid, group in groups.items():
        first = group[0]
        m = out[first.row]
        m.compared = True
        m.their_total = sum((r.amount for r in group if r.currency == first.currency),
                            Decimal(0))  # fmt: skip
        m.our_weight_g = grams.get(wid)
        theirs_g = next((r.weight_g for r in group if r.weight_g is not None), None)
        if theirs_g is not None and m.our_weight_g is not None:
            m.weight_diff_g = theirs_g - m.our_weight_g
        m.our_amount = _our_amount(nets.get(wid, {}), first.currency, first.billed_on)
        if m.our_amount is None:
            m.match_code = "payable_currency_unconverted"
        else:
            m.price_diff = m.their_total - m.our_amount
    return out
