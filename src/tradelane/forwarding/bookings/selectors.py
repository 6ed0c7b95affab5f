"""Reads of appointments and freight space shared by the pages (and later the API).

Departures and slots are the provider's offer: a portal user sees the published ones that can
still be booked, staff see them all. Bookings and pickups belong to customers and are read
through ``partners.scoping`` only: a portal customer sees its own, a salesperson those of its
customers, an object outside the scope is "not found".
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from tradelane.accounts.roles import P
from tradelane.core.errors import NotFound

from ..partners import scoping
from .models import (
    Departure,
    DepartureStatus,
    Hub,
    HubSlot,
    PickupRequest,
    SpaceBooking,
    SpaceStatus,
)

CM3_PER_M3 = Decimal(1_000_000)
G_PER_KG = Decimal(1000)


def m3(cm3: int | None) -> str:
    """Cubic centimetres as m³ with three decimals."""
    return "" if cm3 is None else str((Decimal(cm3) / CM3_PER_M3).quantize(Decimal("0.001")))


def kg(grams: int | None) -> str:
    return "" if grams is None else str((Decimal(grams) / G_PER_KG).quantize(Decimal("0.001")))


def is_staff_reader(user) -> bool:
    """Provider staff who see every departure and slot (drafts, closed, past ones too)."""
    return (
        getattr(user, "is_authenticated", False)
        and not scoping.is_portal_user(user)
        and user.has_perm(P.PARTNER_VIEW)
    )


def departures(user, *, open_only: bool | None = None) -> QuerySet[Departure]:
    """The departures ``user`` may see; ``open_only`` (the default for portal users): the
    published ones whose cut-off is still ahead."""
    qs = Departure.objects.all()
    if open_only is None:
        open_only = not is_staff_reader(user)
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if open_only:
        qs = qs.filter(status=DepartureStatus.PUBLISHED, cutoff_at__gt=timezone.now())
    return qs.order_by("departure_date", "cutoff_at", "pk")


def departure(user, pk: int) -> Departure:
    found = departures(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No departure {pk}", code="departure_not_found")
    return found


def space_bookings(user, *, departure_id: int | None = None) -> QuerySet[SpaceBooking]:
    qs = scoping.scoped(user, SpaceBooking.objects.select_related("customer", "departure"))
    if departure_id is not None:
        qs = qs.filter(departure_id=departure_id)
    return qs.order_by("-created_at", "-pk")


def space_booking(user, pk: int) -> SpaceBooking:
    return scoping.get_scoped(user, space_bookings(user), pk=pk)


def booked_totals(user, departure_id: int) -> dict[str, int]:
    """Pieces, grams and cm³ of the live bookings ``user`` sees on one departure."""
    rows = space_bookings(user, departure_id=departure_id).filter(status=SpaceStatus.BOOKED)
    out = {"count": 0, "pieces": 0, "weight_g": 0, "volume_cm3": 0}
    for pieces, weight, volume in rows.values_list("pieces", "weight_g", "volume_cm3"):
        out["count"] += 1
        out["pieces"] += pieces
        out["weight_g"] += weight
        out["volume_cm3"] += volume
    return out


def hubs(user) -> QuerySet[Hub]:
    if not getattr(user, "is_authenticated", False):
        return Hub.objects.none()
    return Hub.objects.order_by("code")


def slots(user, *, open_only: bool | None = None) -> QuerySet[HubSlot]:
    """Slots ``user`` may see; portal users: published ones from today on with room left."""
    qs = HubSlot.objects.select_related("hub")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if open_only is None:
        open_only = not is_staff_reader(user)
    if open_only:
        qs = qs.filter(published=True, date__gte=timezone.localdate())
    return qs.order_by("date", "start_time", "hub__code")


def slot(user, pk: int) -> HubSlot:
    found = slots(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No slot {pk}", code="slot_not_found")
    return found


def pickups(user, *, slot_id: int | None = None) -> QuerySet[PickupRequest]:
    qs = scoping.scoped(user, PickupRequest.objects.select_related("customer", "slot__hub"))
    if slot_id is not None:
        qs = qs.filter(slot_id=slot_id)
    return qs.order_by("-date", "-pk")


def pickup(user, pk: int) -> PickupRequest:
    return scoping.get_scoped(user, pickups(user), pk=pk)
