"""The one normalized tracking status set (DOMAIN.md, "Tracking").

Every carrier's events are mapped to these codes; the carrier's raw code and text are kept
beside ours on each event. The order of ``STATUSES`` is the usual order of a parcel's life;
``TERMINAL`` statuses end tracking; ``EXCEPTIONS`` put the shipment in the logistics team's
exception queue.
"""

from __future__ import annotations

INFO_RECEIVED = "info_received"  # the carrier has the data, not the parcel
PICKED_UP = "picked_up"
IN_TRANSIT = "in_transit"  # departed / arrived at a facility
CUSTOMS = "customs_processing"
CUSTOMS_RELEASED = "customs_released"
AVAILABLE_FOR_PICKUP = "available_for_pickup"
OUT_FOR_DELIVERY = "out_for_delivery"
DELIVERY_FAILED = "delivery_failed"  # an attempt failed (reason in the event text)
DELIVERED = "delivered"
RETURNING = "returning"  # exception: on its way back to the sender
RETURNED = "returned"  # exception: back at the sender
DAMAGED = "damaged"
LOST = "lost"
DELAYED = "delayed"
EXCEPTION = "exception"  # any other carrier exception
EXPIRED = "expired"  # no news for too long (30 days express, 60 days postal: per channel)
UNKNOWN = "unknown"  # a raw code we cannot map yet (kept, shown, never guessed)

STATUSES = (
    INFO_RECEIVED,
    PICKED_UP,
    IN_TRANSIT,
    CUSTOMS,
    CUSTOMS_RELEASED,
    AVAILABLE_FOR_PICKUP,
    OUT_FOR_DELIVERY,
    DELIVERY_FAILED,
    DELIVERED,
    RETURNING,
    RETURNED,
    DAMAGED,
    LOST,
    DELAYED,
    EXCEPTION,
    EXPIRED,
    UNKNOWN,
)
TERMINAL = frozenset({DELIVERED, RETURNED, LOST})
EXCEPTIONS = frozenset({DELIVERY_FAILED, RETURNING, RETURNED, DAMAGED, LOST, DELAYED, EXCEPTION,
                        EXPIRED})  # fmt: skip
# Statuses that mean the carrier physically has the parcel (the order counts as shipped).
MOVING = frozenset(STATUSES) - {INFO_RECEIVED, UNKNOWN}
