"""Reads shared by the shipping workbench, the API and the demo: the orders waiting for a
shipment and how many of them rate shopping found a channel for."""

from __future__ import annotations

from django.db.models import QuerySet

from tradelane.orders.models import Order
from tradelane.orders.states import OrderStatus

from ..shopping.models import RateChoice
from .models import ShipmentOrder
from .states import ACTIVE_STATES


def waiting_for_shipment() -> QuerySet[Order]:
    """Allocated orders (pending shipment) that are in no active shipment: the workbench list."""
    active = ShipmentOrder.objects.filter(shipment__status__in=ACTIVE_STATES).values("order_id")
    return Order.objects.filter(status=OrderStatus.PENDING_SHIPMENT).exclude(pk__in=active)


def waiting_with_channel() -> tuple[int, int]:
    """(orders waiting for shipment whose last rate shopping chose a channel, all of them), in
    two queries."""
    waiting = waiting_for_shipment()
    chosen = RateChoice.objects.filter(channel__isnull=False).values("order_id")
    return waiting.filter(pk__in=chosen).count(), waiting.count()
