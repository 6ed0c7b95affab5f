"""Assigning a waybill its last-mile carrier and number (转单): by hand, from the line's file,
or from a carrier API's answer.

``assign`` is the hub's one-at-a-time door, on top of ``waybills.services.assign_numbers``
(which tells the customer: ``waybill.last_mile_assigned``). ``write_assignments`` is the
set-based writer the file import and the carrier job use: the same rows, events, audit and
webhooks for many waybills in a few statements. Either way a re-assignment supersedes the
current ``LastMileAssignment`` and keeps it; a carrier's number belongs to one waybill at a
time (``last_mile_number_taken``), and the timeline says "Last-mile number assigned".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.bulk import insert_rows, update_rows
from tradelane.core.errors import Conflict, NotFound, ValidationFailed
from tradelane.logistics.tracking import codes

from ..partners import scoping
from ..waybills import notifications
from ..waybills import services as waybills
from ..waybills.models import TrackingStatus, Waybill, WaybillEvent, WaybillStatus
from .models import AssignmentSource, LastMileAssignment

ASSIGNED_TEXT = "Last-mile number assigned"
# a waybill takes a last-mile number from its forecast until it is delivered or returned
ASSIGNABLE = frozenset({WaybillStatus.CREATED, WaybillStatus.RECEIVED, WaybillStatus.HELD,
                        WaybillStatus.IN_TRANSIT})  # fmt: skip
NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_./]{2,59}$")


def clean(carrier: str, number: str) -> tuple[str, str]:
    """The carrier and number as stored, or ``ValidationFailed`` with why."""
    carrier = " ".join((carrier or "").split())
    number = (number or "").strip()
    if not carrier:
        raise ValidationFailed("Name the last-mile carrier", code="last_mile_carrier_required")
    if len(carrier) > 60:
        raise ValidationFailed("The carrier name is too long (60 at most)",
                               code="last_mile_carrier_invalid")  # fmt: skip
    if not number:
        raise ValidationFailed("Give the last-mile number", code="last_mile_number_required")
    if not NUMBER_RE.match(number):
        raise ValidationFailed(
            f"{number!r} is not a last-mile number: 3 to 60 letters, digits or - _ . /",
            code="last_mile_number_invalid", details={"number": number},
        )  # fmt: skip
    return carrier, number


def check_assignable(w: Waybill) -> None:
    if w.status not in ASSIGNABLE:
        raise Conflict(
            f"Waybill {w.number} is {w.status}: it takes no last-mile number now",
            code="last_mile_not_assignable", details={"status": w.status},
        )  # fmt: skip


def holder_of(carrier: str, number: str, *, besides: int | None = None) -> Waybill | None:
    """The waybill that has this carrier's number now (other than ``besides``), or None."""
    current = LastMileAssignment.objects.filter(
        carrier=carrier, number=number, superseded_at__isnull=True
    ).values("waybill_id")
    qs = Waybill.objects.filter(
        Q(pk__in=current) | Q(last_mile_carrier=carrier, last_mile_number=number)
    )
    if besides is not None:
        qs = qs.exclude(pk=besides)
    return qs.order_by("pk").first()


def _taken(carrier: str, number: str, holder: Waybill) -> Conflict:
    return Conflict(
        f"{carrier} number {number} is already on waybill {holder.number}",
        code="last_mile_number_taken", details={"waybill": holder.number, "number": number},
    )  # fmt: skip


def current(w: Waybill) -> LastMileAssignment | None:
    return LastMileAssignment.objects.filter(waybill=w, superseded_at__isnull=True).first()


def history(w: Waybill) -> list[LastMileAssignment]:
    return list(LastMileAssignment.objects.filter(waybill=w).select_related("assigned_by"))


def assign(actor, waybill: Waybill, carrier: str, number: str) -> LastMileAssignment:
    """The hub assigns ``waybill`` the last-mile ``carrier`` and ``number`` by hand. The same
    carrier and number again is the current assignment (a scanner sending twice)."""
    require(actor, P.HUB_RECEIVE)
    if not scoping.scoped(actor, Waybill.objects.filter(pk=waybill.pk)).exists():
        raise NotFound(f"No waybill {waybill.number}", code="waybill_not_found")
    carrier, number = clean(carrier, number)
    try:
        with transaction.atomic():
            w = Waybill.objects.select_for_update().get(pk=waybill.pk)
            check_assignable(w)
            now_row = current(w)
            if now_row and (now_row.carrier, now_row.number) == (carrier, number):
                return now_row
            holder = holder_of(carrier, number, besides=w.pk)
            if holder is not None:
                raise _taken(carrier, number, holder)
            now = timezone.now()
            if now_row is not None:
                LastMileAssignment.objects.filter(pk=now_row.pk).update(superseded_at=now)
            row = LastMileAssignment.objects.create(
                waybill=w, carrier=carrier, number=number, source=AssignmentSource.MANUAL,
                assigned_by=actor, assigned_at=now,
            )  # fmt: skip
            before = (w.last_mile_carrier, w.last_mile_number)
            if number != w.last_mile_number:
                waybills.assign_numbers(actor, w, last_mile_carrier=carrier,
                                        last_mile_number=number)  # fmt: skip
            elif carrier != w.last_mile_carrier:  # the same number, another carrier
                Waybill.objects.filter(pk=w.pk).update(last_mile_carrier=carrier,
                                                       updated_at=now)  # fmt: skip
                w.refresh_from_db()
                notifications.notify(w, notifications.LAST_MILE_ASSIGNED,
                                     {"last_mile_carrier": [before[0], carrier]})  # fmt: skip
            waybills.record_event(w, codes.INFO_RECEIVED, f"{ASSIGNED_TEXT}: {carrier} {number}")
            audit.record(actor, "forwarding.lastmile.assign", w, {
                "carrier": [before[0], carrier], "number": [before[1], number],
                "source": AssignmentSource.MANUAL,
            })  # fmt: skip
    except IntegrityError:  # another station took this number a moment ago
        holder = holder_of(carrier, number, besides=waybill.pk)
        if holder is None:
            raise
        raise _taken(carrier, number, holder) from None
    waybill.refresh_from_db()
    return row


@dataclass(frozen=True)
class NewNumber:
    waybill: Waybill
    carrier: str
    number: str


_EVENT_FIELDS = ("waybill_id", "status", "description", "location", "occurred_at", "created_at")
_ROW_FIELDS = ("waybill_id", "carrier", "number", "source", "assigned_by_id", "assigned_at",
               "superseded_at")  # fmt: skip
_WAYBILL_FIELDS = ("last_mile_carrier", "last_mile_number", "tracking_number", "tracking_status",
                   "updated_at")  # fmt: skip


def write_assignments(actor, todo: Sequence[NewNumber], source: str) -> int:
    """Write checked new numbers (the caller checked the format, the waybills' states and
    that no other waybill has them), set-based, in the caller's transaction: supersede the
    current rows, add the new ones, set the waybills' numbers (the tracking number too when
    it was still pending, as ``assign_numbers`` does), a timeline event, the audit rows and
    the customers' webhooks. ``actor`` None is the system (a carrier job). Returns the count;
    a number taken meanwhile raises ``IntegrityError`` (nothing written)."""
    todo = [t for t in todo if (t.waybill.last_mile_carrier, t.waybill.last_mile_number)
            != (t.carrier, t.number)]  # fmt: skip
    if not todo:
        return 0
    now = timezone.now()
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    ids = [t.waybill.pk for t in todo]
    with transaction.atomic():
        LastMileAssignment.objects.filter(waybill_id__in=ids, superseded_at__isnull=True).update(
            superseded_at=now
        )
        insert_rows(LastMileAssignment, _ROW_FIELDS,
                    ((t.waybill.pk, t.carrier, t.number, source, actor_id, now, None)
                     for t in todo))  # fmt: skip
        changes: dict[int, dict] = {}
        rows = []
        for t in todo:
            w = t.waybill
            change = {"last_mile_carrier": [w.last_mile_carrier, t.carrier],
                      "last_mile_number": [w.last_mile_number, t.number]}  # fmt: skip
            tracking, status = w.tracking_number, w.tracking_status
            if not tracking:
                tracking, status = t.number, TrackingStatus.ASSIGNED
                change["tracking_number"] = ["", t.number]
            changes[w.pk] = change
            rows.append((t.carrier, t.number, tracking, status, now, w.pk))
        update_rows(Waybill, _WAYBILL_FIELDS, rows)
        insert_rows(WaybillEvent, _EVENT_FIELDS,
                    ((t.waybill.pk, codes.INFO_RECEIVED,
                      f"{ASSIGNED_TEXT}: {t.carrier} {t.number}"[:300], "", now, now)
                     for t in todo))  # fmt: skip
        audit.record_many(actor, "forwarding.lastmile.assign", Waybill._meta.label_lower, ids,
                          {"source": source})  # fmt: skip
        told = Waybill.objects.filter(pk__in=ids).exclude(customer__webhook_url="")
        for w in told.select_related("customer", "channel").order_by("pk"):
            change = changes[w.pk]
            if "tracking_number" in change:
                notifications.notify(w, notifications.TRACKING_NUMBER_ASSIGNED, change)
            notifications.notify(w, notifications.LAST_MILE_ASSIGNED, change)
    return len(todo)
