"""Tracking reads shared by the API and the UI: timelines, the public view, the exception queue.

``public_tracking`` is what anyone with the link may see: statuses, times, the city and country
of each event, the carrier's text, and the destination city and country, as carriers show
them. Nothing else of the shipment (no name, address, postcode, phone, e-mail, order or
shipment number) leaves it, and event texts have the receiver's details masked.

Who may see it (``find_public``): a number must not be guessable. A number we drew at random
(``Shipment.public_by_number``) opens the page alone; any other number (an S10 serial, a
carrier's or last-mile number, the sequential numbers of older shipments) only together with
the shipment's ``public_key``, which the links we hand out carry (``public_url``). Every miss
(unknown number, wrong key, a shipment not yet labelled) gets the same answer.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from tradelane.core.throttle import MissLimit

from ..shipping.models import Shipment, ShipmentOrder, ShipmentStatus
from ..shipping.numbers import looks_random
from . import codes as tc
from .models import TrackingEvent, TrackingException

PUBLIC_STATES = (
    ShipmentStatus.LABELLED,
    ShipmentStatus.SHIPPED,
    ShipmentStatus.DELIVERED,
    ShipmentStatus.RETURNED,
)
# the events the public sees: carrier news, not our own bookkeeping
_INTERNAL = Q(source="system", raw_code="last_mile")


def find_public(number: str, key: str = "") -> Shipment | None:
    """The shipment the public page may show for ``number`` (labelled or later), or None.

    With ``key``: the shipment with that public key, when ``number`` is its tracking or
    last-mile number. Without: a tracking number we drew at random, and nothing else.
    """
    number, key = (number or "").strip(), (key or "").strip()
    if not number or len(number) > 64 or len(key) > 64:
        return None
    public = Shipment.objects.filter(status__in=PUBLIC_STATES)
    if key:
        shipment = public.filter(public_key=key).first()
        if shipment is None:
            return None
        mine = (shipment.tracking_number, shipment.last_mile_tracking_number)
        return shipment if any(n and constant_time_compare(n, number) for n in mine) else None
    if not looks_random(number):
        return None  # not one of our random numbers: no query for a guess
    return (
        public.filter(tracking_number=number, public_by_number=True)
        .order_by("-created_at", "-pk")
        .first()
    )


def public_miss_limit() -> MissLimit:
    """How many unknown numbers one client may try on the public page and API per window."""
    return MissLimit(
        "public_tracking",
        getattr(settings, "TRADELANE_PUBLIC_TRACKING_MISSES", 30),
        getattr(settings, "TRADELANE_PUBLIC_TRACKING_WINDOW", 600),
    )


def public_url(shipment: Shipment, number: str = "") -> str:
    """The link to our public page for one of the shipment's numbers (its key included), when
    the installation's public address (``TRADELANE_PUBLIC_URL``) is known; else "".
    ``tradelane up`` sets that address, when unset, to the one it serves on (``cli.py``); web
    and worker processes started otherwise need it in their environment."""
    base = (getattr(settings, "TRADELANE_PUBLIC_URL", "") or "").rstrip("/")
    number = number or shipment.tracking_number
    if not base or not number:
        return ""
    return f"{base}{public_path(shipment, number)}"


def public_path(shipment: Shipment, number: str = "") -> str:
    from urllib.parse import quote

    number = quote(number or shipment.tracking_number, safe="")
    return f"/t/{number}/{shipment.public_key}"


def timeline(shipment: Shipment, *, newest_first: bool = True) -> QuerySet[TrackingEvent]:
    order = ("-occurred_at", "-id") if newest_first else ("occurred_at", "id")
    return TrackingEvent.objects.filter(shipment=shipment).order_by(*order)


_PHONE_LIKE = re.compile(r"\+?\d[\d\s().\-/]{4,}\d")
_MASK = "***"


def _masker(shipment: Shipment):
    """A function that masks the receiver's details in a carrier's or our team's text: the
    whole name, company, street lines, e-mail and postcode, and any run of digits that is
    (part of) the phone number. Single words of a name are left alone: they are ordinary
    words too ("Receiver not at home"), and a carrier's "signed by SMITH" is what carriers
    themselves show."""
    words: set[str] = set()
    for value in (shipment.ship_name, shipment.ship_company, shipment.ship_address1,
                  shipment.ship_address2, shipment.ship_email, shipment.ship_postcode):  # fmt: skip
        value = " ".join((value or "").split())
        if len(value) >= 3:
            words.add(value)
    exact = (
        re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I)
        if words
        else None
    )
    phone = re.sub(r"\D", "", shipment.ship_phone or "")

    def phone_part(m: re.Match) -> str:
        digits = re.sub(r"\D", "", m.group(0))
        if len(phone) >= 6 and len(digits) >= 6 and (digits in phone or phone[-6:] in digits):
            return _MASK
        return m.group(0)

    def mask(text: str) -> str:
        if exact is not None:
            text = exact.sub(_MASK, text)
        return _PHONE_LIKE.sub(phone_part, text) if phone else text

    return mask


def public_tracking(number: str, key: str = "") -> dict[str, Any] | None:
    """The privacy-safe view of one tracking number, or None (see ``find_public``)."""
    shipment = find_public(number, key)
    if shipment is None:
        return None
    mask = _masker(shipment)
    events = [
        {
            "occurred_at": e.occurred_at,
            "status": e.status,
            "text": mask(e.raw_text),
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


def order_shipments(order_id: int) -> list[dict[str, Any]]:
    """Every shipment that carries the order (newest first, cancelled ones too) with all its
    numbers (ours, the carrier's, each parcel's, the last mile's), its events newest first and
    the public page's link once it is labelled (four queries however many shipments)."""
    from django.db.models import Prefetch

    from ..shipping.models import ShipmentParcel

    linked = ShipmentOrder.objects.filter(order_id=order_id).values("shipment_id")
    shipments = (
        Shipment.objects.filter(pk__in=linked)
        .select_related("channel")
        .prefetch_related(
            Prefetch("events", queryset=TrackingEvent.objects.order_by("-occurred_at", "-id")),
            Prefetch("parcels", queryset=ShipmentParcel.objects.order_by("seq")),
        )
        .order_by("-created_at", "-pk")
    )
    out = []
    for s in shipments:
        public = s.status in PUBLIC_STATES and bool(s.tracking_number)
        out.append(
            {
                "shipment": s,
                "parcel_numbers": [
                    p.tracking_number
                    for p in s.parcels.all()
                    if p.tracking_number and p.tracking_number != s.tracking_number
                ],
                "events": list(s.events.all()),
                "public_url": (public_url(s) or public_path(s)) if public else "",
            }
        )
    return out


QUIET_DAYS = (3, 5, 7, 14, 30)  # choices of "no news for N days" on the tracking home
DEFAULT_QUIET_DAYS = 5


def quiet_shipments(
    days: int = DEFAULT_QUIET_DAYS, *, now: dt.datetime | None = None, limit: int = 20
) -> tuple[list[Shipment], int]:
    """Parcels on their way with no carrier news for ``days`` days: shipped, not delivered,
    returned or lost, whose latest carrier or team event (our own bookkeeping aside: the "no
    news" marker, a last-mile number; else the hand-over or the label) is older than that.
    Oldest news first, at most ``limit``, and how many there are in all (one query; a second
    to count when there are more than ``limit``)."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce

    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    last_event = (
        TrackingEvent.objects.filter(shipment=OuterRef("pk"))
        .exclude(source="system")
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    qs = (
        Shipment.objects.filter(status=ShipmentStatus.SHIPPED)
        .exclude(tracking_status__in=tc.TERMINAL)
        .annotate(last_news=Coalesce(Subquery(last_event), "shipped_at", "labelled_at"))
        .filter(last_news__lt=cutoff)
    )
    rows = list(qs.select_related("channel").order_by("last_news", "pk")[:limit])
    total = len(rows) if len(rows) < limit else qs.count()
    return rows, total


def recent_exceptions(limit: int = 10) -> list[TrackingException]:
    """The newest open exceptions (the queue itself is worked oldest first)."""
    return list(exceptions().order_by("-opened_at", "-pk")[:limit])
