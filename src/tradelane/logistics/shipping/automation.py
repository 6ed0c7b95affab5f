"""The shipping step of the order automation (``orders.automation``): rate-shop the orders
the pipeline has just allocated and create their shipments.

Per batch (``orders.automation.SHIP_BATCH`` orders), acting as ``system.automation``:
orders of stores with ``auto_ship`` on, still pending shipment and not stopped, not in an open
merged or split package (a person ships those) and not already in an active shipment are
rate-shopped set-based (two reads, one write of the choices); each order with a channel then
gets its shipment in its own transaction (``services.create_shipments``), which numbers the
label on our own channels and queues the purchase from the carrier otherwise. An order no
channel can carry, or whose shipment is refused, is stopped with the reason; the others go on.
"""

from __future__ import annotations

from django.db import transaction

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit, followups
from tradelane.core.errors import DomainError
from tradelane.orders import automation as pipeline
from tradelane.orders.models import Package, PackageLine
from tradelane.orders.states import OrderStatus

from ..shopping.services import Shopper, load_order_subjects, write_choices
from . import services
from .models import ShipmentOrder
from .states import ACTIVE_STATES

PROBLEM_TEXT = {
    "unmapped_sku": "A line is not mapped to one of our SKUs",
}


def _prepare(payload: dict) -> list[dict]:
    ids = sorted({int(i) for i in payload.get("order_ids") or []})
    ids = pipeline.automatic_ids(ids, (OrderStatus.PENDING_SHIPMENT,), "auto_ship")
    trigger = payload.get("trigger") or pipeline.AFTER_ALLOCATION
    return [
        {"order_ids": ids[i : i + pipeline.SHIP_BATCH], "trigger": trigger}
        for i in range(0, len(ids), pipeline.SHIP_BATCH)
    ]


def shippable(ids: list[int]) -> list[int]:
    """Those of ``ids`` the step may ship: not in an open package, not in an active shipment."""
    if not ids:
        return []
    busy = set(
        ShipmentOrder.objects.filter(
            order_id__in=ids, shipment__status__in=ACTIVE_STATES
        ).values_list("order_id", flat=True)
    )
    busy |= set(
        PackageLine.objects.filter(
            package__status=Package.Status.OPEN, order_line__order_id__in=ids
        ).values_list("order_line__order_id", flat=True)
    )
    return [i for i in ids if i not in busy]


@followups.followup(pipeline.SHIP, prepare=_prepare)
def run_ship(payload: dict) -> dict[str, int]:
    trigger = payload.get("trigger") or pipeline.AFTER_ALLOCATION
    ids = sorted({int(i) for i in payload.get("order_ids") or []})
    ids = pipeline.automatic_ids(ids, (OrderStatus.PENDING_SHIPMENT,), "auto_ship")
    ids = shippable(ids)
    counts = {"shipped": 0, "stopped": 0}
    if not ids:
        return counts
    actor = pipeline.automation_actor()
    require(actor, P.RATE_SHOP)
    _orders, subjects, problems = load_order_subjects(ids)
    choices = Shopper().choose_all(subjects)
    stops: dict[int, tuple[str, str, str]] = {
        oid: ("rate_shop", code, PROBLEM_TEXT.get(code, code)) for oid, code in problems.items()
    }
    chosen, events = [], []
    for c in choices:
        if c.quote is None:
            stops[c.ref] = ("rate_shop", "no_channel", "; ".join(c.short()))
        else:
            chosen.append(c.ref)
            text = f"channel {c.quote.channel_code} chosen"
            events.append((c.ref, "rate_shop", pipeline.reason(trigger, text)))
    with transaction.atomic():
        write_choices(choices)
        pipeline.record_events(actor, events)
        audit.record(
            actor, "logistics.rate_shop", None, {"orders": ids, "automatic": True},
            entity="orders.order", object_id=",".join(map(str, ids))[:64],
        )  # fmt: skip
    for order_id in chosen:
        try:
            with transaction.atomic():
                (shipment,) = services.create_shipments(actor, order_ids=[order_id])
                text = f"shipment {shipment.number} created on {shipment.channel.code}"
                pipeline.record_events(
                    actor, [(order_id, "shipment", pipeline.reason(trigger, text))]
                )
        except DomainError as exc:
            if exc.code not in pipeline.RACED:  # else someone shipped or released it meanwhile
                stops[order_id] = ("ship", exc.code, exc.message)
        else:
            counts["shipped"] += 1
    pipeline.stop_orders(actor, stops, trigger)
    counts["stopped"] = len(stops)
    return counts
