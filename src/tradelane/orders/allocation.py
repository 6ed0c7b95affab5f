"""Allocation: pick one warehouse that can ship every line of an order and reserve its stock.

Preference: the warehouses the order's store lists (``Store.warehouse_priority``, best first),
then an active, non-platform warehouse in the destination country, then the configured priority
(lower first). Orders are served first come, first served (placed_at), orders placed at the
same moment by their store's ``order_priority`` (lower first).
An order no single warehouse can cover goes to pending purchase with its shortage listed
(against the warehouse that misses the fewest units).

Set-based: per chunk, one read of the orders, one of their stores' warehouse lists, one of their
lines, one of the balances; the plan
is made in memory and written with one conditional update per (SKU, warehouse) — see
``inventory.services.reserve_many`` — plus bulk inserts. If stock moved under us meanwhile
(another allocator), the chunk falls back to one order at a time, each all-or-nothing.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection, transaction

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import followups
from tradelane.core.bulk import dense_range, off_index, select_in, update_rows
from tradelane.core.states import bulk_transition
from tradelane.inventory import selectors as stock
from tradelane.inventory import services as inventory
from tradelane.inventory.models import Warehouse

from .models import Order, OrderLine, Store
from .states import TRANSITIONS
from .states import OrderStatus as S

CHUNK = 1000
ALLOCATABLE = (S.APPROVED, S.PENDING_PURCHASE)
SOURCE = "order"
# The follow-up that rate-shops and ships what was allocated, for the stores that ship
# automatically (``orders.automation``; carried out by ``logistics.shipping.automation``).
SHIP_FOLLOWUP = "logistics.auto_ship"


def candidate_warehouses() -> list[tuple[int, str]]:
    """(id, country) of warehouses that ship orders, in priority order."""
    return list(
        Warehouse.objects.filter(is_active=True)
        .exclude(kind=Warehouse.Kind.PLATFORM)
        .order_by("priority", "id")
        .values_list("id", "country")
    )


def store_preferences(store_ids, ids_by_code: dict[str, int]) -> dict[int, dict[int, int]]:
    """``{store_id: {warehouse_id: rank}}`` for the stores that list preferred warehouses (one
    query). Codes not in ``ids_by_code`` (inactive or platform warehouses) are skipped."""
    prefs: dict[int, dict[int, int]] = {}
    for store_id, codes in Store.objects.filter(pk__in=set(store_ids)).values_list(
        "id", "warehouse_priority"
    ):
        ranks: dict[int, int] = {}
        for code in codes or []:
            wh_id = ids_by_code.get(code)
            if wh_id is not None and wh_id not in ranks:
                ranks[wh_id] = len(ranks)
        if ranks:
            prefs[store_id] = ranks
    return prefs


def ordered_for(o, warehouses, preferences=None):
    """``warehouses`` in the order to try them for order ``o``: the store's own list first, then
    the destination country, then the global priority (the sort is stable)."""
    ranks = (preferences or {}).get(o.get("store_id"), {})
    last = len(ranks)
    return sorted(warehouses, key=lambda w: (ranks.get(w[0], last), w[1] != o["ship_country"]))


def plan_allocation(orders, needs, warehouses, available, preferences=None):
    """Return ({order_id: warehouse_id}, {order_id: shortage list}) and consume ``available``.

    ``preferences``: ``{store_id: {warehouse_id: rank}}`` (see ``store_preferences``)."""
    chosen: dict[int, int] = {}
    short: dict[int, list[dict]] = {}
    orders_of: dict[tuple, list] = {}  # the warehouse order per (store, destination)
    for o in orders:
        items = needs.get(o["id"])
        if not items:
            continue
        key = (o.get("store_id"), o["ship_country"])
        ordered = orders_of.get(key)
        if ordered is None:
            ordered = orders_of[key] = ordered_for(o, warehouses, preferences)
        best = None
        for wh_id, _country in ordered:
            missing = sum(
                max(0, qty - available.get((sku, wh_id), 0)) for sku, qty in items.items()
            )
            if missing == 0:
                for sku, qty in items.items():
                    available[(sku, wh_id)] -= qty
                chosen[o["id"]] = wh_id
                break
            if best is None or missing < best[0]:
                best = (missing, wh_id)
        else:
            wh_id = best[1] if best else None
            short[o["id"]] = [
                {
                    "sku_id": sku,
                    "needed": qty,
                    "available": max(0, available.get((sku, wh_id), 0)) if wh_id else 0,
                    "warehouse_id": wh_id,
                }
                for sku, qty in sorted(items.items())
                if wh_id is None or qty > available.get((sku, wh_id), 0)
            ]
    return chosen, short


def allocate_orders(
    actor,
    order_ids,
    *,
    chunk: int = CHUNK,
    reason_format: str = "{}",
    ship_trigger: str = "after allocation",
) -> dict[str, int]:
    """Allocate approved (and pending purchase) orders. Others are skipped.

    ``reason_format`` frames the reasons on the state events (the automation says what set it
    off: ``"auto after review: {}"``). The orders allocated are handed to ``SHIP_FOLLOWUP``
    after commit (``ship_trigger`` names why in their history); it ships those of stores that
    ship automatically and ignores the others."""
    require(actor, P.ORDER_ALLOCATE)
    return reallocate(
        actor, order_ids, chunk=chunk, reason_format=reason_format, ship_trigger=ship_trigger
    )


def reallocate(
    actor,
    order_ids,
    *,
    chunk: int = CHUNK,
    reason_format: str = "{}",
    ship_trigger: str = "after allocation",
) -> dict[str, int]:
    """Allocate again orders another service has just taken out of allocation (an edit of an
    allocated order): that service checked its own permission, so none is checked here."""
    ids = sorted(set(int(i) for i in order_ids))
    counts = {"allocated": 0, "pending_purchase": 0, "skipped": 0}
    warehouses = candidate_warehouses()
    ids_by_code = dict(
        Warehouse.objects.filter(pk__in=[w[0] for w in warehouses]).values_list("code", "id")
    )
    for start in range(0, len(ids), chunk):
        _allocate_chunk(
            actor, ids[start : start + chunk], warehouses, ids_by_code, counts, reason_format,
            ship_trigger,
        )  # fmt: skip
    return counts


def _allocate_chunk(
    actor, ids, warehouses, ids_by_code, counts, reason_format="{}", ship_trigger=""
) -> None:
    with transaction.atomic():
        orders = _locked_orders(ids)
        counts["skipped"] += len(ids) - len(orders)
        if not orders:
            return
        needs: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        unmapped = set()
        found = {o["id"] for o in orders}
        span = dense_range(found)  # read the ids' range, keep the ids (the same rows)
        lines = OrderLine.objects.filter(
            **(
                {"order_id__gte": span[0], "order_id__lte": span[1]}
                if span
                else {"order_id__in": sorted(found)}
            )
        )
        for order_id, sku_id, qty in lines.values_list("order_id", "sku_id", "quantity"):
            if order_id not in found:
                continue
            if sku_id is None:
                unmapped.add(order_id)
            else:
                needs[order_id][sku_id] += qty
        for order_id in unmapped:
            needs.pop(order_id, None)
        orders = [o for o in orders if o["id"] in needs]
        counts["skipped"] += len(unmapped)
        sku_ids = {sku for items in needs.values() for sku in items}
        available = stock.available_map(sku_ids, [w[0] for w in warehouses])
        prefs = store_preferences([o["store_id"] for o in orders], ids_by_code)
        chosen, short = plan_allocation(orders, needs, warehouses, available, prefs)
        try:
            with transaction.atomic():
                _write(actor, orders, needs, chosen, short, reason_format)
        except inventory.InsufficientStock:
            # Someone reserved meanwhile: redo the chunk one order at a time.
            for o in orders:
                _allocate_one(actor, o, needs[o["id"]], warehouses, prefs, reason_format)
            chosen, short = {}, {}
            for o in Order.objects.filter(pk__in=[o["id"] for o in orders]).values("id", "status"):
                if o["status"] == S.PENDING_SHIPMENT:
                    chosen[o["id"]] = 0
                else:
                    short[o["id"]] = []
        counts["allocated"] += len(chosen)
        counts["pending_purchase"] += len(short)
        if chosen:
            followups.after_commit(
                SHIP_FOLLOWUP, {"order_ids": sorted(chosen), "trigger": ship_trigger}
            )


def _locked_orders(ids) -> list[dict]:
    """The allocatable orders among ``ids``, locked (where the database locks rows), first come
    first served: by placed_at, then their store's order priority, then id. One statement, the
    ids as one parameter, the rows found by primary key (the status kept off its index)."""
    order = connection.ops.quote_name(Order._meta.db_table)
    store = connection.ops.quote_name(Store._meta.db_table)
    lock = " FOR UPDATE OF o" if connection.features.has_select_for_update else ""
    states = ", ".join(["%s"] * len(ALLOCATABLE))
    rows = select_in(
        f"SELECT o.id, o.status, o.ship_country, o.store_id FROM {order} o "
        f"INNER JOIN {store} s ON s.id = o.store_id "
        f"WHERE {off_index('o.status')} IN ({states}) AND o.id {{}} "
        f"ORDER BY o.placed_at, s.order_priority, o.id{lock}",
        [str(state) for state in ALLOCATABLE],
        sorted(ids),
    )
    return [
        {"id": pk, "status": status, "ship_country": country, "store_id": store_id}
        for pk, status, country, store_id in rows
    ]


def _write(actor, orders, needs, chosen, short, reason_format="{}") -> None:
    status_of = {o["id"]: o["status"] for o in orders}
    inventory.reserve_many(
        actor,
        [
            inventory.Reservation(wh_id, needs[order_id], SOURCE, str(order_id))
            for order_id, wh_id in chosen.items()
        ],
    )
    by_move: dict[tuple[str, int], list[int]] = defaultdict(list)
    for order_id, wh_id in chosen.items():
        by_move[(status_of[order_id], wh_id)].append(order_id)
    for (from_state, wh_id), move_ids in by_move.items():
        bulk_transition(
            Order,
            move_ids,
            from_state,
            S.PENDING_SHIPMENT,
            table=TRANSITIONS,
            actor=actor,
            reason=reason_format.format("allocated"),
            extra={"warehouse_id": wh_id, "shortage": []},
        )
    if short:
        update_rows(Order, ("shortage",), [(s, order_id) for order_id, s in short.items()])
        to_purchase = [i for i in short if status_of[i] == S.APPROVED]
        bulk_transition(
            Order,
            to_purchase,
            S.APPROVED,
            S.PENDING_PURCHASE,
            table=TRANSITIONS,
            actor=actor,
            reason=reason_format.format("no warehouse has all lines in stock"),
        )


def _allocate_one(actor, o, items, warehouses, prefs, reason_format="{}") -> None:
    for wh_id, _country in ordered_for(o, warehouses, prefs):
        try:
            with transaction.atomic():
                _write(actor, [o], {o["id"]: items}, {o["id"]: wh_id}, {}, reason_format)
            return
        except inventory.InsufficientStock:
            continue
    available = stock.available_map(items.keys(), [w[0] for w in warehouses])
    _, short = plan_allocation([o], {o["id"]: items}, warehouses, available, prefs)
    with transaction.atomic():
        _write(actor, [o], {}, {}, short, reason_format)
