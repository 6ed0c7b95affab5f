"""Bulk re-rating (issue 14, section 2): when a sheet or a fuel rate is corrected, every
affected waybill of a period priced again on the rates of one date, a preview of the
differences first, then the delta lines on confirm, as a job with progress.

Set-based: the waybills are read in chunks of ``chunk`` with the fields pricing needs (one
query for the waybills, one for their forecast pieces, one for the hub's measured pieces),
each quoted in memory on the compiled channels (a ``Pricer`` per customer and channel, kept
for the whole run), and the confirm writes each chunk through ``services.post_fees_many``
(the lock, the nets, one insert): a fixed number of queries per chunk. A delta is always a
new line, so lines on an issued statement stay as they are; re-running writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit, jobs
from tradelane.core.errors import ValidationFailed
from tradelane.core.money import quantize
from tradelane.forwarding.hub.models import InboundPiece
from tradelane.forwarding.partners import scoping
from tradelane.forwarding.waybills.models import Waybill, WaybillPiece, WaybillStatus
from tradelane.forwarding.waybills.pricing import Pricer
from tradelane.forwarding.waybills.services import parcel_of_waybill
from tradelane.forwarding.waybills.validation import PieceInput

from . import services
from .breakdown import FeeBreakdown, delta_lines
from .models import FeeStage

JOB_KIND = "finance.rerate"
CHUNK = 2000
SAMPLE = 20
_FIELDS = (
    "id", "number", "customer_id", "channel_id", "status", "measured_weight_g",
    "consignee_country", "consignee_postcode", "consignee_city", "declared_value",
    "declared_currency", "battery", "liquid", "magnet",
)  # fmt: skip


@dataclass(frozen=True)
class Selection:
    """The waybills to re-rate: of a channel and/or a customer, created in [date_from,
    date_to], priced on the rates of ``on_date``."""

    on_date: dt.date
    date_from: dt.date
    date_to: dt.date
    channel_id: int | None = None
    customer_id: int | None = None

    @classmethod
    def of(cls, params: dict) -> Selection:
        try:
            sel = cls(
                on_date=dt.date.fromisoformat(str(params["on_date"])),
                date_from=dt.date.fromisoformat(str(params["date_from"])),
                date_to=dt.date.fromisoformat(str(params["date_to"])),
                channel_id=int(params["channel_id"]) if params.get("channel_id") else None,
                customer_id=int(params["customer_id"]) if params.get("customer_id") else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationFailed("Give the period and the date of the rates",
                                   code="rerate_selection_invalid") from exc  # fmt: skip
        if sel.date_from > sel.date_to:
            raise ValidationFailed("The period ends before it starts",
                                   code="rerate_selection_invalid")  # fmt: skip
        if sel.channel_id is None and sel.customer_id is None:
            raise ValidationFailed("Choose a channel or a customer",
                                   code="rerate_selection_invalid")  # fmt: skip
        return sel

    def as_params(self) -> dict:
        return {
            "on_date": self.on_date.isoformat(), "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(), "channel_id": self.channel_id,
            "customer_id": self.customer_id,
        }  # fmt: skip

    def waybills(self):
        qs = Waybill.objects.exclude(status=WaybillStatus.CANCELLED).filter(
            created_at__date__gte=self.date_from, created_at__date__lte=self.date_to
        )
        if self.channel_id:
            qs = qs.filter(channel_id=self.channel_id)
        if self.customer_id:
            qs = qs.filter(customer_id=self.customer_id)
        return qs


@dataclass
class Outcome:
    """What a preview found or a confirm wrote."""

    waybills: int = 0
    changed: int = 0
    lines: int = 0
    unpriced: int = 0
    totals: dict = field(default_factory=dict)  # "side/item/currency": Decimal
    sample: list = field(default_factory=list)

    def add(self, number: str, deltas) -> None:
        if not deltas:
            return
        self.changed += 1
        self.lines += len(deltas)
        for d in deltas:
            amount = quantize(d.amount, d.currency)  # SQLite's sums carry long tails
            key = f"{d.side}/{d.item}/{d.currency}"
            self.totals[key] = self.totals.get(key, Decimal(0)) + amount
            if len(self.sample) < SAMPLE:
                self.sample.append([number, d.side, d.item, str(amount), d.currency])

    def as_dict(self) -> dict:
        return {
            "waybills": self.waybills, "changed": self.changed, "lines": self.lines,
            "unpriced": self.unpriced,
            "totals": {k: str(v) for k, v in sorted(self.totals.items())},
            "sample": self.sample,
        }  # fmt: skip


class _Pricers:
    """One compiled ``Pricer`` per (customer, channel) for the whole run."""

    def __init__(self):
        self._by: dict[tuple[int, int], Pricer | None] = {}
        from tradelane.forwarding.partners.models import CustomerAccount
        from tradelane.logistics.models import Channel

        self._customers = CustomerAccount
        self._channels = Channel

    def get(self, customer_id: int, channel_id: int) -> Pricer | None:
        key = (customer_id, channel_id)
        if key not in self._by:
            customer = self._customers.objects.select_related("level").get(pk=customer_id)
            ch = self._channels.objects.get(pk=channel_id)
            self._by[key] = Pricer(customer, [ch])
        return self._by[key]


def _chunks(sel: Selection, size: int) -> Iterator[list[dict]]:
    last = 0
    qs = sel.waybills().order_by("pk").values(*_FIELDS)
    while True:
        rows = list(qs.filter(pk__gt=last)[:size])
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


def _pieces(rows: list[dict]) -> dict[int, list[PieceInput]]:
    """The pieces that price each waybill now (as ``services._priced_pieces``): the hub's
    measured pieces once received, else the measured weight shared over the forecast's
    cartons, else the forecast; two queries for the chunk."""
    ids = [r["id"] for r in rows]
    forecast: dict[int, list] = {}
    for wid, g, ln, wd, ht in (WaybillPiece.objects.filter(waybill_id__in=ids).order_by("id")
                               .values_list("waybill_id", "weight_g", "length_mm", "width_mm",
                                            "height_mm")):  # fmt: skip
        forecast.setdefault(wid, []).append((g, ln, wd, ht))
    received = [r["id"] for r in rows
                if r["status"] != WaybillStatus.CREATED and r["measured_weight_g"]]  # fmt: skip
    measured: dict[int, list[PieceInput]] = {}
    if received:
        for wid, g, ln, wd, ht in (InboundPiece.objects.filter(waybill_id__in=received)
                                   .order_by("waybill_id", "seq")
                                   .values_list("waybill_id", "weight_g", "length_mm",
                                                "width_mm", "height_mm")):  # fmt: skip
            measured.setdefault(wid, []).append(PieceInput(g, ln, wd, ht))
    out: dict[int, list[PieceInput]] = {}
    for r in rows:
        pk, fc = r["id"], forecast.get(r["id"], [])
        if pk in measured:
            out[pk] = measured[pk]
        elif r["status"] != WaybillStatus.CREATED and r["measured_weight_g"]:
            share = -(-r["measured_weight_g"] // max(len(fc), 1))
            out[pk] = [PieceInput(share, ln, wd, ht) for _, ln, wd, ht in fc] or [
                PieceInput(r["measured_weight_g"])
            ]
        else:
            out[pk] = [PieceInput(g, ln, wd, ht) for g, ln, wd, ht in fc]
    return out


class _Row:
    """The fields ``parcel_of_waybill`` reads, from a values() row."""

    __slots__ = ("consignee_country", "consignee_postcode", "consignee_city",
                 "declared_value", "declared_currency", "battery", "liquid", "magnet")  # fmt: skip

    def __init__(self, r: dict):
        for name in self.__slots__:
            setattr(self, name, r[name])


def _breakdowns(
    rows: list[dict], sel: Selection, pricers: _Pricers, out: Outcome
) -> list[tuple[int, str, FeeBreakdown]]:
    from .breakdown import breakdown_of_priced

    pieces = _pieces(rows)
    result = []
    for r in rows:
        pricer = pricers.get(r["customer_id"], r["channel_id"])
        compiled = next(iter(pricer.compiled.values()), None) if pricer else None
        if compiled is None or not pieces[r["id"]]:
            out.unpriced += 1
            continue
        parcel = parcel_of_waybill(_Row(r), pieces[r["id"]])  # type: ignore[arg-type]
        priced = pricer.offer(compiled, parcel, sel.on_date).priced
        bd = breakdown_of_priced(priced)
        if not bd.sides:
            out.unpriced += 1
            continue
        result.append((r["id"], r["number"], bd))
    return result


def _check(actor, sel: Selection) -> None:
    require(actor, P.FEE_ADJUST)
    if sel.customer_id is not None:
        from tradelane.forwarding.partners.models import CustomerAccount

        customer = CustomerAccount.objects.filter(pk=sel.customer_id).first()
        if customer is None or not scoping.sees_customer(actor, customer):
            raise ValidationFailed("No such customer", code="rerate_selection_invalid")


def preview(actor, sel: Selection, *, chunk: int = CHUNK) -> dict:
    """The differences a confirm would write, and nothing written."""
    _check(actor, sel)
    out, pricers = Outcome(), _Pricers()
    for rows in _chunks(sel, chunk):
        out.waybills += len(rows)
        bds = _breakdowns(rows, sel, pricers, out)
        current = services.current_nets([pk for pk, _, _ in bds])
        for pk, number, bd in bds:
            out.add(number, delta_lines(current.get(pk, {}), bd))
    return out.as_dict()


def confirm(actor, sel: Selection, *, chunk: int = CHUNK, progress=None,
            stage: str = FeeStage.FUEL) -> dict:  # fmt: skip
    """Write the delta lines, one transaction per chunk (its waybills locked, their nets read
    under the lock, one insert); confirming again writes nothing."""
    _check(actor, sel)
    out, pricers = Outcome(), _Pricers()
    total = sel.waybills().count() if progress else 0
    for rows in _chunks(sel, chunk):
        out.waybills += len(rows)
        bds = _breakdowns(rows, sel, pricers, out)
        numbers = {pk: number for pk, number, _ in bds}
        with transaction.atomic():
            written = services.post_fees_many(actor, [(pk, bd) for pk, _, bd in bds], stage)
        for pk, deltas in written.items():
            out.add(numbers[pk], deltas)
        if progress:
            progress(out.waybills, max(total, out.waybills))
    result = out.as_dict()
    audit.record(actor, "finance.fee_lines.rerated", None,
                 {**sel.as_params(), "changed": out.changed, "lines": out.lines},
                 entity="finance.waybillfeeline")  # fmt: skip
    return result


def start(actor, sel: Selection):
    """The confirm as a job with progress (``core.jobs``)."""
    _check(actor, sel)
    return jobs.start(actor, JOB_KIND, sel.as_params(), total=sel.waybills().count())


@jobs.kind(JOB_KIND)
def _run(actor, params: dict, progress) -> dict:
    return confirm(actor, Selection.of(params), progress=progress)
