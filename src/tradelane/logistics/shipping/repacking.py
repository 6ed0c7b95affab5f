"""Repacking an order that already has a shipment: void the shipment, then split, at once.

``orders.services`` refuses to split, merge or re-allocate an order while a live shipment
carries it (code ``shipment_live``): the old label would stay valid for a parcel that no
longer exists. ``void_and_split`` is the one explicit way through: in one transaction it
cancels each live shipment the user was shown (a carrier's label is voided through the outbox,
``logistics.void_label``; our own channels' numbers are simply withdrawn) and then splits the
order (``orders.services.split_order``: the old reservation is released and the parts reserve
in their warehouses). Any refusal on the way, in the cancel or in the split, leaves everything
as it was: no shipment cancelled, no void queued, no package or reservation changed.

``consequences`` describes what it would do, for the page to show before the user confirms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.errors import Conflict, ValidationFailed
from tradelane.orders import services as order_services
from tradelane.orders.models import Order, Package

from ..rates.descriptions import KIND_RATE_SHEET
from .models import ShipmentStatus
from .selectors import LiveShipment, live_shipments
from .services import cancel_shipment


@dataclass(frozen=True, slots=True)
class Consequence:
    """What voiding one live shipment means, as the page shows it."""

    shipment: LiveShipment
    voids_at_carrier: bool  # a carrier's label: a void goes out through the outbox
    can_void: bool  # not yet handed over (draft or labelled)


def consequences(order: Order) -> list[Consequence]:
    """The live shipments carrying this order and what voiding each would do (read only)."""
    return [
        Consequence(
            s,
            voids_at_carrier=s.channel_kind != KIND_RATE_SHEET and bool(s.tracking_number),
            can_void=s.status in (ShipmentStatus.DRAFT, ShipmentStatus.LABELLED),
        )
        for s in live_shipments([order.pk])
    ]


def void_and_split(
    actor, order: Order, parts: list[dict], *, shipment_ids: Sequence[int], reason: str = ""
) -> tuple[list[LiveShipment], list[Package]]:
    """Cancel the live shipments ``shipment_ids`` carrying ``order`` (what the user was shown
    and agreed to void), then split the order into ``parts`` (as ``split_order`` takes them).
    All or nothing; returns (the shipments voided, the new packages).

    Refused: ``shipment_ids`` empty (``void_nothing``); the live shipments are not exactly those
    (``live_shipments_changed``: someone shipped or cancelled meanwhile, look again); one was
    handed over already (``shipment_already_shipped``: a parcel on its way cannot be voided).
    """
    require(actor, P.SHIPMENT_CANCEL)
    require(actor, P.ORDER_MERGE_SPLIT)
    wanted = sorted({int(i) for i in shipment_ids})
    if not wanted:
        raise ValidationFailed(
            "Name the shipments to void (those the page showed)", code="void_nothing"
        )
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        live = live_shipments([order.pk])
        if sorted(s.id for s in live) != wanted:
            raise Conflict(
                "The shipments carrying this order changed meanwhile: look again",
                code="live_shipments_changed",
                details={"shipment_ids": [s.id for s in live], "given": wanted},
            )
        shipped = [s.number for s in live if s.status == ShipmentStatus.SHIPPED]
        if shipped:
            raise Conflict(
                f"Shipment {', '.join(shipped)} was handed over: it cannot be voided",
                code="shipment_already_shipped",
                details={"shipments": ", ".join(shipped)},
            )
        why = reason.strip() or f"voided to split order {order}"
        for s in live:
            cancel_shipment(actor, s.id, why)
        packages = order_services.split_order(actor, order, parts)
        audit.record(
            actor,
            "logistics.shipment.void_and_split",
            order,
            {
                "voided": [s.number for s in live],
                "tracking_numbers": [s.tracking_number for s in live],
                "packages": [str(p) for p in packages],
            },
        )
    return live, packages
