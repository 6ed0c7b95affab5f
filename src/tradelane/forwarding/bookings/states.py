"""The states of pickup requests, departures and space bookings (``core.states.transition``).

A pickup is requested, then scheduled by the provider (a drop-off in a slot starts scheduled:
the slot is its appointment); a scheduled one is collected or has failed. Either may be
cancelled before it is collected, which frees what it held of a slot. A departure is drafted,
published (customers see and book it) and closed (no more bookings). A space booking is booked
until it is cancelled, which frees its weight and volume on the departure.
"""

from __future__ import annotations

from .models import DepartureStatus as D
from .models import PickupStatus as P
from .models import SpaceStatus as S

PICKUP_TRANSITIONS: dict[str, set[str]] = {
    P.REQUESTED: {P.SCHEDULED, P.CANCELLED},
    P.SCHEDULED: {P.COLLECTED, P.FAILED, P.CANCELLED},
    P.COLLECTED: set(),
    P.FAILED: set(),
    P.CANCELLED: set(),
}

DEPARTURE_TRANSITIONS: dict[str, set[str]] = {
    D.DRAFT: {D.PUBLISHED},
    D.PUBLISHED: {D.CLOSED},
    D.CLOSED: set(),
}

SPACE_TRANSITIONS: dict[str, set[str]] = {
    S.BOOKED: {S.CANCELLED},
    S.CANCELLED: set(),
}

# what a customer may still cancel
PICKUP_CANCELLABLE = frozenset({P.REQUESTED, P.SCHEDULED})
