"""Tracking reads shared by the API and the UI: timelines, the public view, the exception queue.

``public_tracking`` is what anyone with a tracking number may see: statuses, times, the city
and country of each event, the carrier's text, and the destination city and country. Nothing
else of the shipment (no name, address, phone, e-mail, order or shipment number) leaves it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from . import tracking_codes as tc
from .models import Shipment, ShipmentOrder, ShipmentStatus, TrackingEvent, TrackingException

PUBLIC_STATES = (
    ShipmentStatus.LABELLED,
    ShipmentStatus.SHIPPED,
    ShipmentStatus.DELIVERED,
    ShipmentStatus.RETURNED,
)
# the events the public sees: carrier news, not our own bookkeeping
_INTERNAL = Q(source="system", raw_code="last_mile")


def find_by_number(number: str) -> Shipment | None:
    """The shipment a provider or last-mile tracking number belongs to (labelled or later)."""
    number = (number or "").strip()
    if not number or len(number) > 64:
        return None
    return (
        Shipment.objects.filter(
            Q(tracking_number=number) | Q(last_mile_tracking_number=number),
            status__in=PUBLIC_STATES,
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def timeline(shipment: Shipment, *, newest_first: bool = True) -> QuerySet[TrackingEvent]:
    order = ("-occurred_at", "-id") if newest_first else ("occurred_at", "id")
    return TrackingEvent.objects.filter(shipment=shipment).order_by(*order)


def public_tracking(number: str) -> dict[str, Any] | None:
    """The privacy-safe view of one tracking number, or None when unknown."""
    shipment = find_by_number(number)
    if shipment is None:
        return None
    events = [
        {
            "occurred_at": e.occurred_at,
            "status": e.status,
            "text": e.raw_text,
            "city": e.city,
            "country": e.country,
        }
        for e in timeline(shipment)
        .exclude(_INTERNAL)
        .only("occurred_at", "status", "raw_text", "city", "country")
    ]
    return {
        "tracking_number": number.strip(),
        "status": shipment.tracking_status or (events[0]["status"] if events else ""),
        "status_at": shipment.tracking_status_at,
        "delivered": shipment.tracking_status == tc.DELIVERED,
        "destination": {"city": shipment.ship_city, "country": shipment.ship_country},
        "last_mile": {
            "carrier": shipment.last_mile_carrier,
            "tracking_number": shipment.last_mile_tracking_number,
        }
        if shipment.last_mile_tracking_number
        else None,
        "events": events,
    }


def shipments_for_search(q: str, limit: int = 20) -> list[Shipment]:
    """Shipments by tracking number, last-mile number, shipment number or order number."""
    from tradelane.orders.models import Order

    q = (q or "").strip()[:64]
    if not q:
        return []
    order_ids = Order.objects.filter(Q(number=q) | Q(number=f"#{q}") | Q(external_id=q)).values(
        "pk"
    )
    linked = ShipmentOrder.objects.filter(order_id__in=order_ids).values("shipment_id")
    return list(
        Shipment.objects.filter(
            Q(tracking_number=q) | Q(last_mile_tracking_number=q) | Q(number=q) | Q(pk__in=linked)
        )
        .select_related("channel")
        .order_by("-created_at", "-pk")[:limit]
    )


def exceptions(
    *,
    kind: str | None = None,
    status: str | None = TrackingException.Status.OPEN,
    channel: str | None = None,
    min_age_days: int | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[TrackingException]:
    qs = TrackingException.objects.select_related("shipment", "shipment__channel", "resolved_by")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if channel:
        qs = qs.filter(shipment__channel__code=channel)
    if min_age_days:
        qs = qs.filter(opened_at__lte=(now or timezone.now()) - dt.timedelta(days=min_age_days))
    return qs.order_by("opened_at", "pk")  # oldest first: the queue is worked from the top


def exception_counts(status: str | None = TrackingException.Status.OPEN) -> dict[str, int]:
    """{kind: count} of the queue, one query."""
    qs = TrackingException.objects.all()
    if status:
        qs = qs.filter(status=status)
    return {k: n for k, n in qs.order_by().values_list("kind").annotate(n=Count("id"))}


def age_days(opened_at: dt.datetime, now: dt.datetime | None = None) -> int:
    return max(0, ((now or timezone.now()) - opened_at).days)
