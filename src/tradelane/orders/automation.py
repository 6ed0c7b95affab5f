"""The order automation pipeline: review passed → allocate → rate-shop and create the shipment.

Each store switches the steps (``Store.auto_allocate``, ``Store.auto_ship``, on the store
settings page). The steps run in tasks that follow the change that triggers them
(``core.followups``), in batches, acting as the system user ``system.automation``:

- an order whose review passes (``review.review_orders``, or approved by hand after a call)
  is allocated (``ALLOCATE``);
- stock that arrives (receipt, transfer in, positive adjustment or stocktake, stock released
  by a cancelled or de-allocated order) re-allocates the pending-purchase orders that wait for
  that SKU, oldest first, then by store priority, until that stock is gone
  (``STOCK_ARRIVED``, triggered by ``inventory.services``);
- an allocated order (by the pipeline or by a person) is rate-shopped and its shipment
  created, which numbers the label on our own channels and buys it from the carrier otherwise
  (``SHIP``, queued by ``allocation.allocate_orders``, carried out by
  ``logistics.shipping.automation``).

Every automatic action is in the order's history with its reason: state changes carry it
(``auto after review: allocated``), other steps write an event with ``field="automation"``.
A step that fails for an order (no channel can carry it, the channel refuses the parcel, a
number series is used up...) stops that order only: ``automation_stop`` holds the step, a
code and the message, shown on the order page and as a filter and badge on the workbench.
A stopped order is skipped by automatic steps until someone resumes it (``resume``).
"""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.accounts.system_users import system_user
from tradelane.core import audit, followups
from tradelane.core.bulk import insert_rows, select_in, update_rows
from tradelane.core.errors import Conflict, DomainError
from tradelane.core.models import StateEvent
from tradelane.core.states import entity_label
from tradelane.inventory import selectors as stock
from tradelane.inventory.models import Warehouse

from .allocation import ALLOCATABLE, SHIP_FOLLOWUP, allocate_orders
from .models import Order, OrderLine, Store
from .states import OrderStatus as S

log = logging.getLogger(__name__)

USERNAME = "system.automation"
PERMISSIONS = (P.ORDER_VIEW, P.ORDER_ALLOCATE, P.RATE_SHOP, P.SHIP)

ALLOCATE = "orders.auto_allocate"  # {"order_ids": [...], "trigger": "..."}
STOCK_ARRIVED = "orders.stock_arrived"  # {"pairs": [[sku_id, warehouse_id], ...]}
SHIP = SHIP_FOLLOWUP  # {"order_ids": [...], "trigger": "..."}, see logistics

# What set a step off, as written at the start of the history reasons ("auto <trigger>: ...")
AFTER_REVIEW = "after review"
ON_STOCK = "on stock arrival"
AFTER_RESUME = "after resume"
AFTER_ALLOCATION = "after allocation"
TRIGGERS = (AFTER_REVIEW, ON_STOCK, AFTER_RESUME, AFTER_ALLOCATION)

BATCH = 1000  # orders per allocation task (one allocation chunk)
SHIP_BATCH = 200  # orders per shipping task (a shipment each)
FIELD = "automation"  # StateEvent.field of the automation's own history entries
# Refusals that mean someone else got there first (another worker, a person): not a failure
# of the order, nothing to stop.
RACED = frozenset({"stale_state", "already_in_shipment", "order_not_allocated"})


def automation_actor():
    """The system user the pipeline acts as (created on first use, with only what it needs)."""
    return system_user(USERNAME, "Automation", PERMISSIONS)


def reason(trigger: str, what: str) -> str:
    return f"auto {trigger}: {what}"


# --- history and stops ----------------------------------------------------------------------


def record_events(actor, rows) -> None:
    """One history entry per (order_id, step, reason), in one insert."""
    now = timezone.now()
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    label = entity_label(Order)
    insert_rows(
        StateEvent,
        ("entity", "object_id", "field", "from_state", "to_state", "actor", "reason",
         "created_at"),
        ((label, order_id, FIELD, "", step[:32], actor_id, text, now)
         for order_id, step, text in rows),
    )  # fmt: skip


def stop_orders(actor, stops: dict[int, tuple[str, str, str]], trigger: str) -> None:
    """Stop these orders' automation: ``{order_id: (step, code, message)}``. Set-based."""
    if not stops:
        return
    now = timezone.now()
    with transaction.atomic():
        update_rows(
            Order,
            ("automation_stop", "automation_stopped_at"),
            [
                ({"step": step, "code": code, "message": message[:500]}, now, order_id)
                for order_id, (step, code, message) in sorted(stops.items())
            ],
        )
        record_events(
            actor,
            [
                (order_id, "stopped", reason(trigger, f"stopped at {step}: {code}: {message}"))
                for order_id, (step, code, message) in sorted(stops.items())
            ],
        )


def clear_stops(order_ids) -> int:
    """Forget the stops of these orders (a person shipped or resumed them). One update."""
    ids = [int(i) for i in order_ids]
    cleared = 0
    for start in range(0, len(ids), 900):
        cleared += Order.objects.filter(
            pk__in=ids[start : start + 900], automation_stopped_at__isnull=False
        ).update(automation_stop=None, automation_stopped_at=None)
    return cleared


def resume(actor, order: Order) -> Order:
    """Clear the order's stop and run the next automatic step for its state again."""
    require(actor, P.ORDER_ALLOCATE)
    with transaction.atomic():
        locked = Order.objects.select_for_update().filter(pk=order.pk).first()
        if locked is None or locked.automation_stopped_at is None:
            raise Conflict("The order's automation is not stopped", code="automation_not_stopped")
        stop = locked.automation_stop
        clear_stops([order.pk])
        record_events(actor, [(order.pk, "resumed", reason(AFTER_RESUME, "resumed"))])
        audit.record(actor, "orders.automation.resume", locked, {"stop": stop})
        if locked.status in ALLOCATABLE:
            followups.after_commit(ALLOCATE, {"order_ids": [order.pk], "trigger": AFTER_RESUME})
        elif locked.status == S.PENDING_SHIPMENT:
            followups.after_commit(SHIP, {"order_ids": [order.pk], "trigger": AFTER_RESUME})
    order.automation_stop, order.automation_stopped_at = None, None
    return order


# --- triggers (called inside the services' transactions) ------------------------------------


def after_review(order_ids) -> None:
    """Orders whose review passed: allocate them once the transaction commits."""
    ids = sorted({int(i) for i in order_ids})
    if ids:
        followups.after_commit(ALLOCATE, {"order_ids": ids, "trigger": AFTER_REVIEW})


def automatic_ids(ids, statuses, switch: str) -> list[int]:
    """The ids among ``ids`` in ``statuses``, of a store with ``switch`` on, not stopped.

    Two reads whatever the number of ids: the stores with the switch on (none: nothing to
    read), then the orders by id with ``select_in`` (the ORM compiles an IN list value by
    value, about 20 ms per 900 ids, on every review and allocation chunk)."""
    if not ids:
        return []
    stores = set(Store.objects.filter(**{switch: True}).values_list("id", flat=True))
    if not stores:
        return []
    wanted = frozenset(statuses)
    table = connection.ops.quote_name(Order._meta.db_table)
    rows = select_in(
        f"SELECT id, status, store_id FROM {table} WHERE automation_stopped_at IS NULL AND id {{}}",
        [],
        sorted({int(i) for i in ids}),
    )
    return sorted(pk for pk, status, store_id in rows if status in wanted and store_id in stores)


def _batches(ids: list[int], size: int, trigger: str) -> list[dict]:
    return [{"order_ids": ids[i : i + size], "trigger": trigger} for i in range(0, len(ids), size)]


def _prepare_allocate(payload: dict) -> list[dict]:
    ids = sorted({int(i) for i in payload.get("order_ids") or []})
    return _batches(automatic_ids(ids, ALLOCATABLE, "auto_allocate"), BATCH, payload["trigger"])


def _prepare_stock(payload: dict) -> list[dict]:
    """Only warehouses that ship orders: stock arriving in a platform (FBA) warehouse or an
    inactive one releases nothing."""
    pairs = {(int(s), int(w)) for s, w in payload.get("pairs") or []}
    if not pairs or not Store.objects.filter(auto_allocate=True).exists():
        return []
    shipping = set(
        Warehouse.objects.filter(pk__in={w for _, w in pairs}, is_active=True)
        .exclude(kind=Warehouse.Kind.PLATFORM)
        .values_list("id", flat=True)
    )
    kept = sorted([s, w] for s, w in pairs if w in shipping)
    return [{"pairs": kept}] if kept else []


# --- the allocation step --------------------------------------------------------------------


def _allocate(actor, ids: list[int], trigger: str) -> dict[str, int]:
    """Allocate ``ids`` set-based; if the batch fails as a whole, one by one, stopping only the
    orders that fail. Then queue the shipping step for the orders now allocated."""
    if not ids:
        return {"allocated": 0, "pending_purchase": 0, "skipped": 0, "stopped": 0}
    why = reason(trigger, "{}")
    try:
        counts = allocate_orders(actor, ids, reason_format=why, ship_trigger=trigger)
        failed: dict[int, tuple[str, str, str]] = {}
    except DomainError:
        counts = {"allocated": 0, "pending_purchase": 0, "skipped": 0}
        failed = {}
        for order_id in ids:
            try:
                one = allocate_orders(actor, [order_id], reason_format=why, ship_trigger=trigger)
            except DomainError as exc:
                if exc.code not in RACED:
                    failed[order_id] = ("allocate", exc.code, exc.message)
            else:
                for key, value in one.items():
                    counts[key] += value
    # allocation skips orders with a line not mapped to our SKUs: they cannot go on alone
    unmapped = set(
        OrderLine.objects.filter(order_id__in=ids, sku__isnull=True).values_list(
            "order_id", flat=True
        )
    )
    for order_id in unmapped - set(failed):
        failed[order_id] = ("allocate", "unmapped_sku", "A line is not mapped to one of our SKUs")
    stop_orders(actor, failed, trigger)  # (the allocated ones went on to SHIP themselves)
    return {**counts, "stopped": len(failed)}


@followups.followup(ALLOCATE, prepare=_prepare_allocate)
def run_allocate(payload: dict) -> dict[str, int]:
    """The allocation step for orders whose review passed (or that were resumed)."""
    ids = sorted({int(i) for i in payload.get("order_ids") or []})
    ids = automatic_ids(ids, ALLOCATABLE, "auto_allocate")  # switched off or stopped meanwhile
    return _allocate(automation_actor(), ids, payload.get("trigger") or AFTER_REVIEW)


def waiting_orders(sku_ids) -> list[int]:
    """Pending-purchase orders of stores that allocate automatically, not stopped, with a line
    of one of ``sku_ids``: oldest first, then by store priority (one query per 900 SKUs)."""
    skus = sorted(set(sku_ids))
    found: dict[int, tuple] = {}
    for start in range(0, len(skus), 900):
        rows = Order.objects.filter(
            status=S.PENDING_PURCHASE,
            store__auto_allocate=True,
            automation_stopped_at__isnull=True,
            pk__in=OrderLine.objects.filter(sku_id__in=skus[start : start + 900]).values(
                "order_id"
            ),
        ).values_list("placed_at", "store__order_priority", "id")
        found.update((row[2], row) for row in rows)
    return [row[2] for row in sorted(found.values())]


@followups.followup(STOCK_ARRIVED, prepare=_prepare_stock)
def run_stock_arrived(payload: dict) -> dict[str, int]:
    """Stock arrived: allocate the orders waiting for it, a batch at a time, oldest first,
    until the arrived stock is gone (each batch is one set-based allocation)."""
    pairs = {(int(s), int(w)) for s, w in payload.get("pairs") or []}
    totals = {"allocated": 0, "pending_purchase": 0, "skipped": 0, "stopped": 0}
    if not pairs:
        return totals
    sku_ids = {s for s, _ in pairs}
    wh_ids = {w for _, w in pairs}
    ids = waiting_orders(sku_ids)
    actor = automation_actor() if ids else None
    for start in range(0, len(ids), BATCH):
        for key, value in _allocate(actor, ids[start : start + BATCH], ON_STOCK).items():
            totals[key] += value
        left = stock.available_map(sku_ids, wh_ids)
        if all(left.get(pair, 0) <= 0 for pair in pairs):
            break
    return totals
