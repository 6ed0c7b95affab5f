"""Customs holds and clearance on the waybill's timeline.

- ``hold_for_customs(actor, waybill, note)``: customs stopped the parcel: a ``customs_hold``
  problem (a hold: the next scan refuses the parcel) and the "Held by customs" exception on
  the timeline. Holding a parcel already held is the same hold (no second event).
- ``customs_cleared(actor, waybills)``: export customs let these parcels go: the "Export
  customs cleared" event on each not cleared before (set-based, one insert); refused whole,
  with nothing written, while one of them is held by customs.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.bulk import insert_rows
from tradelane.core.errors import Conflict, NotFound, ValidationFailed
from tradelane.logistics.tracking import codes

from ..hub.models import ProblemParcel, ProblemReason
from ..hub.problems import open_problem
from ..partners import scoping
from ..waybills.models import Waybill, WaybillEvent, WaybillStatus
from ..waybills.services import record_event

HELD_TEXT = "Held by customs"
CLEARED_TEXT = "Export customs cleared"
# a parcel meets export customs after inbound and before it is delivered or returned
AT_CUSTOMS = frozenset({WaybillStatus.RECEIVED, WaybillStatus.HELD, WaybillStatus.IN_TRANSIT})
EVENT_FIELDS = ["waybill_id", "status", "description", "location", "occurred_at", "created_at"]


def hold_for_customs(actor, waybill: Waybill, note: str, *, location: str = ""):
    """The open customs hold of ``waybill`` (made if none): ``(problem, made)``."""
    require(actor, P.CUSTOMS_DECLARE)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("Say why customs hold the parcel", code="reason_required")
    if waybill.status not in AT_CUSTOMS:
        raise Conflict(
            f"Waybill {waybill.number} is {waybill.status}: not at export customs",
            code="not_at_customs", details={"status": waybill.status},
        )  # fmt: skip
    with transaction.atomic():
        problem, made = open_problem(actor, waybill, ProblemReason.CUSTOMS_HOLD, note)
        if made:
            record_event(waybill, codes.EXCEPTION, HELD_TEXT, location[:100])
            audit.record(actor, "forwarding.customs.hold", waybill, {"note": note})
    return problem, made


def customs_cleared(actor, waybills: Sequence[Waybill | int], *, location: str = "") -> int:
    """The cleared event on each of ``waybills`` (rows or ids in the actor's scope) that has
    none yet; returns how many got one."""
    require(actor, P.CUSTOMS_DECLARE)
    ids = list(dict.fromkeys(w.pk if isinstance(w, Waybill) else int(w) for w in waybills))
    if not ids:
        return 0
    found = dict(
        scoping.scoped(actor, Waybill.objects.filter(pk__in=ids)).values_list("pk", "number")
    )
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound("Some waybills do not exist", code="waybill_not_found",
                       details={"ids": missing})  # fmt: skip
    held = sorted(
        ProblemParcel.objects.filter(
            waybill_id__in=ids, reason=ProblemReason.CUSTOMS_HOLD, resolved_at__isnull=True
        ).values_list("waybill__number", flat=True)
    )
    if held:
        raise Conflict(f"Waybill {held[0]} is held by customs", code="customs_hold_open",
                       details={"numbers": held})  # fmt: skip
    done = set(
        WaybillEvent.objects.filter(
            waybill_id__in=ids, status=codes.CUSTOMS_RELEASED, description=CLEARED_TEXT
        ).values_list("waybill_id", flat=True)
    )
    todo = [i for i in ids if i not in done]
    if not todo:
        return 0
    now = timezone.now()
    with transaction.atomic():
        insert_rows(WaybillEvent, EVENT_FIELDS,
                    ((i, codes.CUSTOMS_RELEASED, CLEARED_TEXT, location[:100], now, now)
                     for i in todo))  # fmt: skip
        audit.record_many(actor, "forwarding.customs.cleared", Waybill._meta.label_lower, todo)
    return len(todo)
