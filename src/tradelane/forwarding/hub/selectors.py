"""Reads of the hub's rows for its pages: the problem queue with its filters, the unknown
parcels waiting for customer service, a station's last scans; and the open problems of a
customer's waybills for the portal (scoped through ``partners.scoping``)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import pgettext

from ..partners import scoping
from ..waybills.models import Waybill
from .models import (
    HOLD_REASONS,
    InboundScan,
    ProblemParcel,
    ProblemReason,
    ScanResult,
    UnknownParcel,
)

RECENT = 20


def problems(actor, *, reason: str = "", state: str = "open", owner: str = "",
             due: str = "") -> QuerySet[ProblemParcel]:  # fmt: skip
    """The queue: ``state`` open (default), overdue, closed or all; ``owner`` "me", "none" or
    ""; ``due`` "today" (due before the day ends) or ""; ``reason`` one of the reasons."""
    qs = ProblemParcel.objects.select_related(
        "waybill", "waybill__customer", "waybill__channel", "owner", "unknown_parcel"
    )
    now = timezone.now()
    if state == "open":
        qs = qs.filter(resolved_at__isnull=True)
    elif state == "overdue":
        qs = qs.filter(resolved_at__isnull=True, due_at__lt=now)
    elif state == "closed":
        qs = qs.filter(resolved_at__isnull=False).order_by("-resolved_at", "-id")
    if reason in ProblemReason.values:
        qs = qs.filter(reason=reason)
    elif reason == "holds":
        qs = qs.filter(reason__in=list(HOLD_REASONS))
    if owner == "me":
        qs = qs.filter(owner=actor)
    elif owner == "none":
        qs = qs.filter(owner__isnull=True)
    if due == "today":
        end = timezone.localtime(now).replace(hour=23, minute=59, second=59)
        qs = qs.filter(due_at__lte=end)
    return qs


def problem(pk: int) -> ProblemParcel:
    from tradelane.core.errors import NotFound

    found = ProblemParcel.objects.select_related("waybill").filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No problem {pk}", code="problem_not_found")
    return found


def unknown_parcels(*, waiting_only: bool = True) -> QuerySet[UnknownParcel]:
    qs = UnknownParcel.objects.select_related("customer", "waybill", "problem", "scanned_by")
    return qs.filter(waybill__isnull=True) if waiting_only else qs


def unknown_parcel(pk: int) -> UnknownParcel:
    from tradelane.core.errors import NotFound

    found = UnknownParcel.objects.select_related("problem").filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No unknown parcel {pk}", code="parcel_not_found")
    return found


def _scan_label(r: InboundScan) -> str:
    """The result in the reader's language, with the problem's reason: 扣件（海关查验）."""
    if r.result == ScanResult.OK:
        text = pgettext("scan result", "Received")
    else:
        text = str(ScanResult(r.result).label) if r.result in ScanResult.values else r.result
    if r.reason and r.reason in ProblemReason.values and r.result != ScanResult.UNKNOWN:
        return f"{text} ({ProblemReason(r.reason).label})"
    return text


def recent_scans(station: str) -> list[dict]:
    rows = InboundScan.objects.filter(station=station).order_by("-scanned_at", "-id")[:RECENT]
    return [
        {"at": timezone.localtime(r.scanned_at).strftime("%H:%M:%S"), "code": r.code,
         "waybill": r.number or None, "result": r.result, "reason": r.reason or None,
         "piece": r.piece or None, "weight_g": r.weight_g, "label": _scan_label(r)}
        for r in rows
    ]  # fmt: skip


def open_problems_of(actor, waybill: Waybill) -> list[ProblemParcel]:
    """The open problems of one waybill the actor may see (the portal's detail page)."""
    if not scoping.scoped(actor, Waybill.objects.filter(pk=waybill.pk)).exists():
        return []
    return list(ProblemParcel.objects.filter(waybill=waybill, resolved_at__isnull=True))


def with_open_problem(qs: QuerySet[Waybill]) -> QuerySet[Waybill]:
    """The portal's list filter: the waybills of ``qs`` (already scoped) with a problem open."""
    return qs.filter(problems__resolved_at__isnull=True).distinct()
