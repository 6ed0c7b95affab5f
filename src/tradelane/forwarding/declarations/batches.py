"""Customs batches (报关批次): the hub groups received waybills for one declaration (e.g. one
departure date and channel), exports them, declares the batch and, once customs let it go,
marks it cleared (every waybill gets the "Export customs cleared" event, ``holds``).

``create_batch`` takes received waybills in the actor's scope that are in no other batch; a
refusal (none chosen, one not received, one already in a batch) writes nothing. Numbers are
``CB<yyyymmdd>-<n>`` per day, taken again if another process took the same one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.errors import Conflict, NotFound, ValidationFailed
from tradelane.core.models import StateEvent
from tradelane.core.states import transition
from tradelane.logistics.models import Channel

from ..partners import scoping
from ..waybills.models import Waybill, WaybillStatus
from . import holds
from .models import CustomsBatch, CustomsBatchStatus, CustomsBatchWaybill

TRANSITIONS = {
    CustomsBatchStatus.OPEN: {CustomsBatchStatus.DECLARED, CustomsBatchStatus.CLEARED},
    CustomsBatchStatus.DECLARED: {CustomsBatchStatus.CLEARED},
    CustomsBatchStatus.CLEARED: set(),
}
MAX_BATCH = 10_000


def _waybills(actor) -> QuerySet[Waybill]:
    return scoping.scoped(actor, Waybill.objects.select_related("channel", "customer"))


def selectable(
    actor, *, channel: str = "", destination: str = "", received_on: dt.date | None = None
) -> QuerySet[Waybill]:
    """Received waybills in no batch yet, optionally of one channel (code), one destination
    and received at the hub on one day."""
    in_batch = CustomsBatchWaybill.objects.filter(waybill_id=OuterRef("pk"))
    qs = _waybills(actor).filter(status=WaybillStatus.RECEIVED).exclude(Exists(in_batch))
    if channel:
        qs = qs.filter(channel__code=channel)
    if destination:
        qs = qs.filter(consignee_country=destination.upper())
    if received_on is not None:
        qs = qs.filter(Exists(StateEvent.objects.filter(
            entity="forwarding.waybill", object_id=OuterRef("pk"), to_state="received",
            created_at__date=received_on,
        )))  # fmt: skip
    return qs.order_by("id")


def batches(actor) -> QuerySet[CustomsBatch]:
    require(actor, P.CUSTOMS_VIEW)
    return CustomsBatch.objects.select_related("channel")


def batch(actor, number: str) -> CustomsBatch:
    try:
        return batches(actor).get(number=number)
    except CustomsBatch.DoesNotExist:
        raise NotFound(f"No customs batch {number}", code="customs_batch_not_found") from None


def batch_waybills(actor, b: CustomsBatch) -> QuerySet[Waybill]:
    """The batch's waybills in the actor's scope, in the order they were added."""
    return (
        _waybills(actor)
        .filter(pk__in=CustomsBatchWaybill.objects.filter(batch=b).values("waybill_id"))
        .order_by("id")
    )


def _next_number(day: dt.date) -> str:
    prefix = f"CB{day:%Y%m%d}-"
    taken = CustomsBatch.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1:03d}"


def create_batch(
    actor,
    waybill_ids: Sequence[int],
    *,
    name: str = "",
    channel: str = "",
    destination: str = "",
    departure_date: dt.date | None = None,
) -> CustomsBatch:
    """A batch of these received waybills (ids in the actor's scope)."""
    require(actor, P.CUSTOMS_DECLARE)
    ids = list(dict.fromkeys(int(i) for i in waybill_ids))
    if not ids:
        raise ValidationFailed("Select at least one waybill", code="no_waybill_selected")
    if len(ids) > MAX_BATCH:
        raise ValidationFailed(f"At most {MAX_BATCH} waybills in a batch",
                               code="too_many_waybills", details={"max": MAX_BATCH})  # fmt: skip
    rows = {w.pk: w for w in _waybills(actor).filter(pk__in=ids)}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise NotFound("Some waybills do not exist", code="waybill_not_found",
                       details={"ids": missing})  # fmt: skip
    not_received = [rows[i].number for i in ids if rows[i].status != WaybillStatus.RECEIVED]
    if not_received:
        raise Conflict(f"Waybill {not_received[0]} is not received at the hub",
                       code="not_received", details={"numbers": not_received})  # fmt: skip
    ch = None
    if channel:
        ch = Channel.objects.filter(code=channel).first()
        if ch is None:
            raise NotFound(f"No channel {channel}", code="channel_not_found")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return _insert(actor, ids, rows, name, ch, destination, departure_date)
        except IntegrityError:  # another process took the number or one of the waybills
            taken = _already_batched(ids)
            if taken:
                raise Conflict(
                    f"Waybill {taken[0]} is already in a customs batch",
                    code="already_in_batch",
                    details={"numbers": taken},
                ) from None
    raise Conflict("Could not number the batch, try again", code="stale_state")


def batch_for_dispatch(actor, dispatch_pk: int) -> CustomsBatch:
    """The export declaration of one dispatch (出库): a batch of the parcels in its bags,
    named after it, with its channel and departure date; the same batch when asked again."""
    from ..outbound.models import BagItem, Dispatch

    require(actor, P.CUSTOMS_DECLARE)
    d = Dispatch.objects.select_related("channel").filter(pk=dispatch_pk).first()
    if d is None:
        raise NotFound("No such dispatch", code="dispatch_not_found")
    ids = list(BagItem.objects.filter(bag__dispatch=d).order_by("id")
               .values_list("waybill_id", flat=True))  # fmt: skip
    if not ids:
        raise ValidationFailed(f"Dispatch {d.number} has no parcels", code="dispatch_empty")
    name = f"{d.number}" + (f" {d.mawb}" if d.mawb else "")
    existing = CustomsBatch.objects.filter(name=name, entries__waybill_id=ids[0]).first()
    if existing is not None:
        return existing
    return create_batch(actor, ids, name=name, channel=d.channel.code,
                        departure_date=d.departure_date)  # fmt: skip


def _already_batched(ids: Sequence[int]) -> list[str]:
    return list(
        Waybill.objects.filter(pk__in=CustomsBatchWaybill.objects.filter(
            waybill_id__in=list(ids)).values("waybill_id")).order_by("id")
        .values_list("number", flat=True)
    )  # fmt: skip


def _insert(actor, ids, rows, name, ch, destination, departure_date) -> CustomsBatch:
    taken = _already_batched(ids)
    if taken:
        raise Conflict(f"Waybill {taken[0]} is already in a customs batch",
                       code="already_in_batch", details={"numbers": taken})  # fmt: skip
    now = timezone.now()
    b = CustomsBatch.objects.create(
        number=_next_number(timezone.localdate(now)), name=(name or "").strip()[:200],
        channel=ch, destination=(destination or "").upper()[:2], departure_date=departure_date,
        created_by=actor, created_at=now, updated_at=now,
    )  # fmt: skip
    CustomsBatchWaybill.objects.bulk_create(
        [CustomsBatchWaybill(batch=b, waybill_id=i) for i in ids]
    )
    audit.record(actor, "forwarding.customs_batch.create", b,
                 {"number": b.number, "waybills": [rows[i].number for i in ids]})  # fmt: skip
    return b


def mark_declared(actor, b: CustomsBatch) -> CustomsBatch:
    """The batch's declaration was filed (its export sent to the broker)."""
    require(actor, P.CUSTOMS_DECLARE)
    with transaction.atomic():
        transition(b, CustomsBatchStatus.DECLARED, table=TRANSITIONS, actor=actor,
                   reason="customs declaration filed")  # fmt: skip
        audit.record(actor, "forwarding.customs_batch.declare", b, {"number": b.number})
    return b


def clear_batch(actor, b: CustomsBatch) -> int:
    """Customs let the batch go: every waybill of it gets the cleared event (none while one
    of them is held by customs); the batch is cleared. Returns the waybills newly cleared."""
    require(actor, P.CUSTOMS_DECLARE)
    with transaction.atomic():
        ids = list(CustomsBatchWaybill.objects.filter(batch=b).values_list("waybill_id", flat=True))
        count = holds.customs_cleared(actor, ids)
        transition(b, CustomsBatchStatus.CLEARED, table=TRANSITIONS, actor=actor,
                   reason="export customs cleared")  # fmt: skip
        audit.record(actor, "forwarding.customs_batch.clear", b,
                     {"number": b.number, "cleared": count})  # fmt: skip
    return count
