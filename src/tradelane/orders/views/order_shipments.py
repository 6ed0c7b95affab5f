"""The order page's shipments panel: every shipment carrying the order with its numbers (ours,
the carrier's, each parcel's, the last mile's), its tracking events and the public link, for
whoever may read tracking (``P.TRACKING_READ``: customer service, logistics, warehouse, boss)."""

from __future__ import annotations

from tradelane.accounts.roles import P
from tradelane.logistics.tracking import selectors as tracking_selectors
from tradelane.logistics.tracking.views import SHIPMENT_STATUS, status_label, tone


def shipments_panel(user, order) -> list[dict] | None:
    """The panel's rows, or None when the user may not read tracking (no panel at all)."""
    if not user.has_perm(P.TRACKING_READ):
        return None
    rows = []
    for row in tracking_selectors.order_shipments(order.pk):
        s = row["shipment"]
        rows.append(
            {
                **row,
                "status": SHIPMENT_STATUS.get(s.status, s.status),
                "tracking_label": status_label(s.tracking_status),
                "tracking_tone": tone(s.tracking_status),
                "events": [
                    {"event": e, "label": status_label(e.status), "tone": tone(e.status)}
                    for e in row["events"]
                ],
            }
        )
    return rows
