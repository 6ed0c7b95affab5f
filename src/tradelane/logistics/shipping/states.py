"""Shipment statuses and the transitions allowed between them (``core.states.transition``).

draft -> labelled (a tracking number and label exist) -> shipped (handed over, or the carrier
reports it moving) -> delivered; returned from shipped; draft or labelled -> cancelled (a
carrier label is voided). A delivered parcel can still come back (returned) when the carrier
reports a return after a wrong delivery scan.
"""

from __future__ import annotations

from .models import ShipmentStatus

S = ShipmentStatus

SHIPMENT_TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.LABELLED, S.CANCELLED},
    S.LABELLED: {S.SHIPPED, S.CANCELLED},
    S.SHIPPED: {S.DELIVERED, S.RETURNED},
    S.DELIVERED: {S.RETURNED},
    S.RETURNED: set(),
    S.CANCELLED: set(),
}

# shipments that still hold their orders (an order is in at most one of these at a time)
ACTIVE_STATES = (S.DRAFT, S.LABELLED, S.SHIPPED)
# shipments whose tracking is still followed
TRACKED_STATES = (S.LABELLED, S.SHIPPED)
