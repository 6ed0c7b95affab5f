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
from .models import TaskStatus as T

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

# a pickup stop: the driver collects it or reports an exception; a dispatcher reassigns it
# (to another driver or day: this task ends, a new one starts) or closes it (the pickup has
# failed), or accepts a short count (``fewer_pieces``) as collected. A cancelled pickup
# closes its task.
TASK_TRANSITIONS: dict[str, set[str]] = {
    T.ASSIGNED: {T.COLLECTED, T.EXCEPTION, T.REASSIGNED, T.CLOSED},
    T.EXCEPTION: {T.REASSIGNED, T.CLOSED, T.COLLECTED},
    T.COLLECTED: set(),
    T.REASSIGNED: set(),
    T.CLOSED: set(),
}
