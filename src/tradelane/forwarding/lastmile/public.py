"""The public tracking page of a provider's parcel (``/w/<number>``): anyone finds it by
ANY of its three public numbers, the waybill number, the tracking number or the last-mile
number (never the customer's reference), and sees the one timeline, ours and the last
mile's, with statuses, times, places and the carrier's words, and the destination city and
country. No name, address, phone, customer or reference. The page is
``views.public_page``: unknown numbers count against the client as on the seller side's page
(``public_miss_limit``), and the seller side's template draws it."""

from __future__ import annotations

from django.db.models import Q

from tradelane.logistics.tracking import codes

from ..waybills.models import Waybill, WaybillStatus
from .tracking import LAST_MILE, PROVIDER


def find(number: str) -> Waybill | None:
    """The waybill whose waybill, tracking or last-mile number is ``number`` (the newest when
    a carrier reused a number); never a cancelled one."""
    number = (number or "").strip()
    if not number:
        return None
    qs = Waybill.objects.exclude(status=WaybillStatus.CANCELLED)
    return (qs.filter(number=number).first()
            or qs.filter(Q(tracking_number=number) | Q(last_mile_number=number))
            .order_by("-created_at", "-id").first())  # fmt: skip


def tone(status: str) -> str:
    if status == codes.DELIVERED:
        return "ok"
    return "bad" if status in codes.EXCEPTIONS else ""


def public_view(w: Waybill) -> dict:
    """What the public may see of ``w``: newest event first."""
    events = w.events.select_related("last_mile").order_by("-occurred_at", "-id")
    shown = [
        {"occurred_at": e.occurred_at, "status": e.status, "text": e.description,
         "city": e.location, "country": "", "tone": tone(e.status),
         "source": LAST_MILE if hasattr(e, "last_mile") else PROVIDER}
        for e in events
    ]  # fmt: skip
    latest = shown[0] if shown else None
    return {
        "status": latest["status"] if latest else codes.INFO_RECEIVED,
        "status_at": latest["occurred_at"] if latest else None,
        "last_mile": (
            {"carrier": w.last_mile_carrier, "tracking_number": w.last_mile_number}
            if w.last_mile_number
            else None
        ),  # fmt: skip
        "destination": {"city": w.consignee_city, "country": w.consignee_country},
        "events": shown,
    }
