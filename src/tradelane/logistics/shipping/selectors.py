"""Shipment reads shared by the shipping workbench, the API, the demo and other apps: the orders
waiting for a shipment and how many of them rate shopping found a channel for; which live
shipments hold an order's parcels.

A shipment is live while it still holds its orders (``states.ACTIVE_STATES``: draft, labelled,
shipped); a cancelled one has had its label voided. ``orders.services`` asks before it splits,
merges or re-allocates an order: repacking an order whose parcel has a live label would leave
that label valid for a parcel that no longer exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from tradelane.orders.models import Order
from tradelane.orders.states import OrderStatus

from ..shopping.selectors import current_choices
from .models import ShipmentOrder
from .states import ACTIVE_STATES


def waiting_for_shipment() -> QuerySet[Order]:
    """Allocated orders (pending shipment) that are in no active shipment: the workbench list."""
    active = ShipmentOrder.objects.filter(shipment__status__in=ACTIVE_STATES).values("order_id")
    return Order.objects.filter(status=OrderStatus.PENDING_SHIPMENT).exclude(pk__in=active)


def waiting_with_channel() -> tuple[int, int]:
    """(orders waiting for shipment whose rate shopping chose a channel for the parcel that
    ships, all of them), in two queries. A choice made before a merge or split does not count
    (``shopping.selectors.current_choices``)."""
    waiting = waiting_for_shipment()
    chosen = current_choices().filter(channel__isnull=False).values("order_id")
    return waiting.filter(pk__in=chosen).count(), waiting.count()


@dataclass(frozen=True, slots=True)
class LiveShipment:
    """A live shipment holding some of the orders asked about."""

    id: int
    number: str
    status: str
    tracking_number: str
    channel_code: str
    channel_kind: str
    warehouse_code: str
    order_ids: tuple[int, ...]
    package_ids: tuple[int, ...]


def live_shipments(order_ids: Iterable[int]) -> list[LiveShipment]:
    """The live shipments carrying any of these orders (one query), oldest first."""
    ids = sorted({int(i) for i in order_ids})
    if not ids:
        return []
    rows = (
        ShipmentOrder.objects.filter(order_id__in=ids, shipment__status__in=ACTIVE_STATES)
        .order_by("shipment_id", "order_id")
        .values_list(
            "shipment_id", "shipment__number", "shipment__status", "shipment__tracking_number",
            "shipment__channel__code", "shipment__channel__kind", "shipment__warehouse__code",
            "order_id", "package_id",
        )
    )  # fmt: skip
    found: dict[int, dict] = {}
    for sid, number, status, tracking, code, kind, wh, order_id, package_id in rows:
        entry = found.setdefault(
            sid,
            {"head": (sid, number, status, tracking or "", code, kind, wh or ""), "o": [], "p": []},
        )
        entry["o"].append(order_id)
        if package_id is not None and package_id not in entry["p"]:
            entry["p"].append(package_id)
    return [LiveShipment(*e["head"], tuple(e["o"]), tuple(sorted(e["p"]))) for e in found.values()]
