"""Waybill states and the moves between them (``core.states.transition``).

created (已预报) -> received (已入库) at inbound, or cancelled before it; received -> held
(扣件) and back, -> in transit when it leaves the hub; in transit -> delivered or returned.
The hub issue adds the steps between received and in transit.
"""

from __future__ import annotations

from .models import WaybillStatus as S

TRANSITIONS: dict[str, set[str]] = {
    S.CREATED: {S.RECEIVED, S.CANCELLED},
    S.RECEIVED: {S.HELD, S.IN_TRANSIT, S.RETURNED},
    S.HELD: {S.RECEIVED, S.RETURNED},
    S.IN_TRANSIT: {S.DELIVERED, S.RETURNED},
    S.DELIVERED: set(),
    S.RETURNED: set(),
    S.CANCELLED: set(),
}

# before inbound the customer may still edit and cancel; after it, only ask for an intercept
EDITABLE = frozenset({S.CREATED})
INTERCEPTABLE = frozenset({S.RECEIVED, S.HELD})
