"""Reads of appointments and freight space shared by the pages (and later the API).

Departures and slots are the provider's offer: a portal user sees the published ones that can
still be booked, staff see them all. Bookings and pickups belong to customers and are read
through ``partners.scoping`` only: a portal customer sees its own, a salesperson those of its
customers, an object outside the scope is "not found".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from tradelane.accounts.roles import HUB_DRIVER, P
from tradelane.core.errors import NotFound

from ..partners import scoping
from .models import (
    Departure,
    DepartureStatus,
    DriverArea,
    Hub,
    HubSlot,
    PickupKind,
    PickupRequest,
    PickupRoute,
    PickupStatus,
    PickupTask,
    SpaceBooking,
    SpaceStatus,
    TaskStatus,
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
    """The pickups and drop-offs ``user`` sees; each brings its driver's tasks, newest first
    (``task_list``: the first is the one the customer is told about)."""
    tasks = PickupTask.objects.select_related("route__driver").order_by("-pk")
    qs = scoping.scoped(user, PickupRequest.objects.select_related("customer", "slot__hub"))
    qs = qs.prefetch_related(Prefetch("tasks", queryset=tasks, to_attr="task_list"))
    if slot_id is not None:
        qs = qs.filter(slot_id=slot_id)
    return qs.order_by("-date", "-pk")


def pickup(user, pk: int) -> PickupRequest:
    return scoping.get_scoped(user, pickups(user), pk=pk)


# --- pickup tasks (drivers' routes) ------------------------------------------------------------

# the stops a route shows (a reassigned task lives on in the other route)
SHOWN = (TaskStatus.ASSIGNED, TaskStatus.COLLECTED, TaskStatus.EXCEPTION, TaskStatus.CLOSED)


def is_dispatcher(user) -> bool:
    """Provider staff who assign pickups to drivers (and see every driver's tasks)."""
    return (
        getattr(user, "is_authenticated", False)
        and user.has_perm(P.PICKUP_DISPATCH)
        and not scoping.is_portal_user(user)
    )


def drivers() -> QuerySet:
    """The active users holding the driver's role."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=HUB_DRIVER)
        .order_by("username")
        .distinct()
    )


def unassigned_pickups(date: dt.date | None = None) -> QuerySet[PickupRequest]:
    """Pickups (at a customer's address) still waiting for a driver: requested or scheduled
    and without a live task. For dispatchers only (the callers check)."""
    live = PickupTask.objects.filter(pickup=OuterRef("pk"), status__in=(
        TaskStatus.ASSIGNED, TaskStatus.EXCEPTION, TaskStatus.COLLECTED))  # fmt: skip
    qs = PickupRequest.objects.filter(
        kind=PickupKind.PICKUP, status__in=(PickupStatus.REQUESTED, PickupStatus.SCHEDULED)
    ).filter(~Exists(live))
    if date is not None:
        qs = qs.filter(date=date)
    return qs


def routes(user, date: dt.date) -> list[PickupRoute]:
    """A dispatcher's view of ``date``: every driver's route with its stops in order
    (``stops``); a driver sees only its own."""
    qs = PickupRoute.objects.filter(date=date).select_related("driver").order_by(
        "driver__username")  # fmt: skip
    if not is_dispatcher(user):
        qs = qs.filter(driver_id=getattr(user, "pk", None))
    stops = PickupTask.objects.filter(status__in=SHOWN).select_related("pickup__customer")
    return list(qs.prefetch_related(Prefetch("tasks", queryset=stops.order_by("sequence", "pk"),
                                             to_attr="stops")))  # fmt: skip


def driver_stops(user, date: dt.date) -> list[PickupTask]:
    """The stops of ``user``'s own route of ``date``, in order (whoever asks: only its own)."""
    return list(
        PickupTask.objects.filter(route__driver_id=getattr(user, "pk", None), route__date=date,
                                  status__in=SHOWN)
        .select_related("pickup__customer", "route")
        .order_by("sequence", "pk")
    )  # fmt: skip


def open_exceptions(user) -> list[PickupTask]:
    """Stops waiting for a dispatcher's decision (reassign, close, accept the count)."""
    if not is_dispatcher(user):
        return []
    return list(
        PickupTask.objects.filter(status=TaskStatus.EXCEPTION)
        .select_related("pickup__customer", "route__driver", "done_by")
        .order_by("route__date", "pk")[:200]
    )


def task(user, pk: int) -> PickupTask:
    """One task: a dispatcher's any, a driver's only its own; else "not found"."""
    qs = PickupTask.objects.select_related("route__driver", "pickup__customer")
    if not is_dispatcher(user):
        qs = qs.filter(route__driver_id=getattr(user, "pk", None))
    found = qs.filter(pk=pk).first() if getattr(user, "is_authenticated", False) else None
    if found is None:
        raise NotFound(f"No pickup stop {pk}", code="pickup_task_not_found")
    return found


def driver_area(pk: int | None) -> DriverArea:
    found = DriverArea.objects.select_related("driver").filter(pk=pk).first() if pk else None
    if found is None:
        raise NotFound(f"No driver area {pk}", code="area_not_found")
    return found
