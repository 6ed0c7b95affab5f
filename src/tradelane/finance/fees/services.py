"""Every write of fees: the catalogue's seeding, the delta lines of a (re-)pricing, one waybill
or many at once, a manual line with its reason, and a line's mark once it is on a statement.

``post_fees_many`` is the set-based path: one read of the current nets of every waybill
(one query per 500 waybills), the deltas in memory (``breakdown.delta_lines``), one insert of
all the lines. Re-running a computation writes nothing. The waybills are locked first (by id,
in order), so two re-ratings of one waybill never post the same delta twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.bulk import insert_rows
from tradelane.core.errors import Conflict, NotFound, ValidationFailed
from tradelane.core.money import check_currency, quantize
from tradelane.core.statements import Param, Select
from tradelane.forwarding.hub.models import InboundPiece
from tradelane.forwarding.partners import scoping
from tradelane.forwarding.waybills import price_listeners
from tradelane.forwarding.waybills.models import Waybill, WaybillStatus
from tradelane.forwarding.waybills.pricing import Pricer
from tradelane.forwarding.waybills.services import parcel_of_waybill
from tradelane.forwarding.waybills.validation import PieceInput
from tradelane.logistics.rates.engine import PricedQuote

from .breakdown import FeeBreakdown, FeeDelta, breakdown_of_priced, delta_lines, nets
from .catalogue import FEE_ITEMS
from .models import FeeItem, FeeSide, FeeStage, WaybillFeeLine

CHUNK = 500
MAX_REASON = 300
_LINE_FIELDS = (
    "waybill_id", "fee_item_id", "side", "amount", "currency", "stage", "chargeable_g",
    "channel_code", "sheet_id", "zone", "basis", "reason", "created_by_id", "created_at",
)  # fmt: skip
# the stages the waybill pricing hooks post under (``price_listeners``)
_HOOK_STAGES = {
    price_listeners.ESTIMATED: FeeStage.ESTIMATED,
    price_listeners.ACTUAL: FeeStage.ACTUAL,
    price_listeners.CHANNEL_CHANGE: FeeStage.CHANNEL_CHANGE,
}


# --- the catalogue ---------------------------------------------------------------------------


def seed_fee_items() -> int:
    """Write ``catalogue.FEE_ITEMS`` to ``FeeItem``: new items added, names and flags brought
    up to date, nothing removed (lines point at them). Idempotent; returns the items added."""
    have = {f.code: f for f in FeeItem.objects.all()}
    new, changed = [], []
    for order, spec in enumerate(FEE_ITEMS):
        values = {
            "name_zh": spec.name_zh, "name_en": spec.name_en, "receivable": spec.receivable,
            "payable": spec.payable, "taxable": spec.taxable, "sort_order": order,
        }  # fmt: skip
        row = have.get(spec.code)
        if row is None:
            new.append(FeeItem(code=spec.code, **values))
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            changed.append(row)
    with transaction.atomic():
        FeeItem.objects.bulk_create(new, ignore_conflicts=True)
        if changed:
            FeeItem.objects.bulk_update(changed, ["name_zh", "name_en", "receivable", "payable",
                                                  "taxable", "sort_order"])  # fmt: skip
    return len(new)


def seed_after_migrate(sender, **kwargs) -> None:
    """post_migrate (also after a test database's flush): the catalogue is always there."""
    seed_fee_items()


# --- posting deltas --------------------------------------------------------------------------


def _net_rows(lines):
    return (lines.exclude(stage=FeeStage.MANUAL)
            .values_list("waybill_id", "side", "fee_item_id", "currency")
            .annotate(net=Sum("amount")).order_by())  # fmt: skip


# one waybill (every inbound scan): the lock and the nets on statements compiled once
_LOCK_ONE = Select(lambda: Waybill.objects.select_for_update(of=("self",))
                   .filter(pk=Param("pk")).values_list("pk", flat=True))  # fmt: skip
_NETS_ONE = Select(lambda: _net_rows(WaybillFeeLine.objects.filter(waybill_id=Param("pk"))))


def current_nets(waybill_ids: Iterable[int]) -> dict[int, dict]:
    """{waybill id: {(side, item, currency): net}} of the rated lines (manual ones excluded:
    a re-rating never takes back what a person posted); one query per ``CHUNK`` waybills."""
    ids = sorted(set(waybill_ids))
    out: dict[int, dict] = {pk: {} for pk in ids}
    for i in range(0, len(ids), CHUNK):
        if len(ids) == 1:
            rows = _NETS_ONE.all(pk=ids[0])
        else:
            rows = _net_rows(WaybillFeeLine.objects.filter(waybill_id__in=ids[i : i + CHUNK]))
        by_waybill: dict[int, list] = {}
        for pk, side, item, currency, net in rows:
            by_waybill.setdefault(pk, []).append((side, item, currency, net))
        for pk, found in by_waybill.items():
            out[pk] = nets(found)
    return out


def _lock(waybill_ids: Sequence[int]) -> None:
    ids = sorted(set(waybill_ids))
    if len(ids) == 1:
        _LOCK_ONE.all(pk=ids[0])
        return
    for i in range(0, len(ids), CHUNK):
        list(Waybill.objects.select_for_update().filter(pk__in=ids[i : i + CHUNK])
             .order_by("pk").values_list("pk", flat=True))  # fmt: skip


def _row(waybill_id: int, d: FeeDelta, stage: str, actor_id, now, reason: str = "") -> tuple:
    b = d.basis
    return (waybill_id, d.item, d.side, d.amount, d.currency, stage, b.chargeable_g,
            b.channel_code[:40], b.sheet_id, b.zone[:40], dict(b.extra), reason, actor_id,
            now)  # fmt: skip


def post_fees_many(
    actor,
    breakdowns: Sequence[tuple[int, FeeBreakdown]],
    stage: str,
    *,
    new: bool = False,
) -> dict[int, list[FeeDelta]]:
    """Post the delta lines that take each waybill (by id) to its new breakdown, in the
    caller's transaction or one of its own; ``new``: the waybills were just created (nothing
    to read or lock). Returns the deltas written, by waybill (none: nothing changed)."""
    if stage not in FeeStage.values or stage == FeeStage.MANUAL:
        raise ValidationFailed(f"Fees are not posted at stage {stage!r}", code="invalid_stage")
    ids = [pk for pk, _ in breakdowns]
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    now = timezone.now()
    written: dict[int, list[FeeDelta]] = {}
    # no savepoint of its own: called inside the pricing write's transaction, on the hub's
    # hot path; an error here rolls that whole write back anyway
    with transaction.atomic(savepoint=False):
        if new:
            current: dict[int, dict] = {}
        else:
            _lock(ids)
            current = current_nets(ids)
        rows = []
        for pk, bd in breakdowns:
            deltas = delta_lines(current.get(pk, {}), bd)
            if deltas:
                written[pk] = deltas
                rows.extend(_row(pk, d, stage, actor_id, now) for d in deltas)
        if rows:
            insert_rows(WaybillFeeLine, _LINE_FIELDS, rows)
    return written


def post_fees(actor, waybill: Waybill, stage: str, breakdown: FeeBreakdown) -> list[FeeDelta]:
    """One waybill: its delta lines to ``breakdown`` (none when nothing changed)."""
    return post_fees_many(actor, [(waybill.pk, breakdown)], stage).get(waybill.pk, [])


def on_waybills_priced(
    actor, priced: Sequence[tuple[Waybill, PricedQuote]], stage: str, *, new: bool = False
) -> None:
    """The waybills' pricing hook (registered in ``FinanceConfig.ready``): their fee lines."""
    post_fees_many(
        actor, [(w.pk, breakdown_of_priced(p)) for w, p in priced], _HOOK_STAGES[stage], new=new
    )


# --- re-rating one waybill (a fuel rate of another date, a new sheet) -------------------------


def _priced_pieces(w: Waybill) -> list[PieceInput]:
    """The pieces that price the waybill now: as the hub measured them once received (or the
    measured weight shared over the forecast's cartons, as ``waybills.services.receive`` does
    without pieces), else as forecast."""
    rows = list(w.piece_rows.all())
    if w.status != WaybillStatus.CREATED and w.measured_weight_g:
        measured = [PieceInput(p.weight_g, p.length_mm, p.width_mm, p.height_mm)
                    for p in InboundPiece.objects.filter(waybill=w).order_by("seq")]  # fmt: skip
        if measured:
            return measured
        share = -(-w.measured_weight_g // max(len(rows), 1))
        return [PieceInput(share, r.length_mm, r.width_mm, r.height_mm) for r in rows] or [
            PieceInput(w.measured_weight_g)
        ]
    return [PieceInput(r.weight_g, r.length_mm, r.width_mm, r.height_mm) for r in rows]


def quote_waybill(w: Waybill, on_date: dt.date | None = None) -> PricedQuote:
    """The waybill's sale and cost price now, on its own channel, on ``on_date``'s sheets and
    fuel rate (today by default)."""
    pricer = Pricer(w.customer, [w.channel])
    compiled = pricer.compiled.get(w.channel.code)
    if compiled is None:
        raise Conflict(f"Channel {w.channel.code} cannot be priced", code="channel_not_priced")
    parcel = parcel_of_waybill(w, _priced_pieces(w))
    return pricer.offer(compiled, parcel, on_date).priced


def rerate_waybill(
    actor, w: Waybill, *, stage: str = FeeStage.FUEL, on_date: dt.date | None = None
) -> list[FeeDelta]:
    """Price the waybill again (a fuel rate that changed by date, a corrected sheet) and post
    the deltas; the waybill's own quoted price is the forwarding app's to change."""
    require(actor, P.FEE_ADJUST)
    _check_scope(actor, w)
    if w.status == WaybillStatus.CANCELLED:
        raise Conflict(f"Waybill {w.number} was cancelled", code="waybill_cancelled",
                       details={"number": w.number})  # fmt: skip
    return post_fees(actor, w, stage, breakdown_of_priced(quote_waybill(w, on_date)))


# --- by hand ---------------------------------------------------------------------------------


def _check_scope(actor, w: Waybill) -> None:
    if not scoping.sees_customer(actor, w.customer):
        raise NotFound(f"No waybill {w.number}", code="waybill_not_found")


def _amount(value, currency: str) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        amount = None
    if (
        amount is None
        or not amount.is_finite()
        or not amount
        or quantize(amount, currency) != amount
    ):
        raise ValidationFailed(
            "The amount must be a number other than 0, in the currency's minor units",
            code="fee_amount_invalid", details={"field": "amount"},
        )  # fmt: skip
    if abs(amount) >= Decimal(10) ** 12:
        raise ValidationFailed("The amount is too large", code="fee_amount_invalid",
                               details={"field": "amount"})  # fmt: skip
    return amount


def add_manual_line(
    actor, w: Waybill, *, side: str, item: str, amount, currency: str, reason: str
) -> WaybillFeeLine:
    """A fee line by hand (a correction, a storage fee...): a reason is required; a negative
    amount takes money back. Re-ratings leave manual lines as they are."""
    require(actor, P.FEE_ADJUST)
    _check_scope(actor, w)
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationFailed("Say why this fee line is added", code="fee_reason_required",
                               details={"field": "reason"})  # fmt: skip
    if len(reason) > MAX_REASON:
        raise ValidationFailed(f"The reason has at most {MAX_REASON} characters",
                               code="fee_reason_required",
                               details={"field": "reason", "max": MAX_REASON})  # fmt: skip
    if side not in FeeSide.values:
        raise ValidationFailed("The side is receivable or payable", code="fee_item_side",
                               details={"field": "side"})  # fmt: skip
    fee_item = FeeItem.objects.filter(code=item).first()
    if fee_item is None:
        raise ValidationFailed(f"No fee item {item!r}", code="fee_item_unknown",
                               details={"field": "item"})  # fmt: skip
    if not (fee_item.receivable if side == FeeSide.RECEIVABLE else fee_item.payable):
        raise ValidationFailed(f"{fee_item.name_en} is not a {side} fee",
                               code="fee_item_side", details={"field": "side"})  # fmt: skip
    currency = check_currency(currency)
    amount = _amount(amount, currency)
    with transaction.atomic():
        _lock([w.pk])
        line = WaybillFeeLine.objects.create(
            waybill=w, fee_item=fee_item, side=side, amount=amount, currency=currency,
            stage=FeeStage.MANUAL, chargeable_g=w.chargeable_weight_g,
            channel_code=w.channel.code, reason=reason, created_by=actor,
        )  # fmt: skip
        audit.record(actor, "finance.fee_line.manual", line, {
            "waybill": w.number, "side": side, "item": item, "amount": str(amount),
            "currency": currency, "reason": reason,
        })  # fmt: skip
    return line


# --- statements ------------------------------------------------------------------------------


def mark_on_statement(actor, line_ids: Sequence[int], statement_id: int) -> int:
    """Put lines on an issued statement (the statements part calls this): the one change a
    line ever takes, once. A line already on a statement is refused, and nothing is marked."""
    require(actor, P.FEE_ADJUST)
    ids = sorted(set(line_ids))
    with transaction.atomic():
        taken = list(WaybillFeeLine.objects.filter(pk__in=ids, statement_id__isnull=False)
                     .values_list("pk", flat=True))  # fmt: skip
        if taken:
            raise Conflict("Some fee lines are on a statement already",
                           code="fee_line_on_statement", details={"lines": taken})  # fmt: skip
        marked = WaybillFeeLine.objects.filter(pk__in=ids).mark_on_statement(statement_id)
        if marked != len(ids):
            raise Conflict("Some fee lines are on a statement already (or do not exist)",
                           code="fee_line_on_statement", details={"lines": ids})  # fmt: skip
        audit.record(actor, "finance.fee_line.on_statement", None,
                     {"lines": ids, "statement": statement_id},
                     entity="finance.waybillfeeline")  # fmt: skip
    return marked
