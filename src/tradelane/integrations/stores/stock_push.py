"""Stock levels flow to the stores: the trigger of the ``store.stock`` outbox handler.

Every sweep, for each connected store whose settings have ``push_stock`` on, the store SKUs
whose stock moved since the last push are found from the append-only ledger
(``inventory.StockMovement``, whose id only grows) through the store's SKU mappings (bundles
included: a movement of any component counts), and ONE ``store.stock`` message is queued for
the store with those SKUs; the connection's ``stock_pushed_movement_id`` (the high-water mark)
moves in the same transaction, with a conditional UPDATE, so two sweeps at once queue one
message. A store with nothing changed gets nothing; a store never pushed gets all its mapped
SKUs once. Reads are a fixed number of aggregated queries whatever the number of movements;
writes are a few queries per store that has something to push. A store never pushed
(mark null) gets all its mapped SKUs once it has any mapping.

Known limit: a movement whose transaction commits after a later id was already seen (long
transactions on PostgreSQL) is counted only when its SKU moves again or on a manual push.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import Max

from tradelane.core import outbox
from tradelane.inventory.models import StockMovement, Warehouse
from tradelane.orders.models import StoreSkuMapping

from .models import StoreConnection
from .settings_schema import settings_of

TOPIC = "store.stock"


def _eligible() -> list[tuple[StoreConnection, set[str]]]:
    """(connection, warehouse codes with a platform location) of the stores to push to."""
    out = []
    for conn in StoreConnection.objects.filter(state=StoreConnection.State.CONNECTED).only(
        "id", "store_id", "settings", "stock_pushed_movement_id"
    ):
        opts = settings_of(conn)
        if opts.push_stock and opts.locations:
            out.append((conn, set(opts.locations)))
    return out


Push = tuple[StoreConnection, list[str] | None]


def pending_pushes() -> tuple[int, list[Push], list[int]]:
    """(high-water mark, [(connection, store SKUs to push or None for all mapped)], ids of
    the connections examined with nothing to push). Reads only; a fixed number of queries."""
    stores = _eligible()
    if not stores:
        return 0, [], []
    high = StockMovement.objects.aggregate(m=Max("id"))["m"] or 0
    first = [c for c, _ in stores if c.stock_pushed_movement_id is None]
    later = [
        (c, codes)
        for c, codes in stores
        if c.stock_pushed_movement_id is not None and c.stock_pushed_movement_id < high
    ]
    out: list[Push] = []
    if first:  # never pushed: every mapped SKU, if the store has any mapping
        mapped = set(
            StoreSkuMapping.objects.filter(store_id__in=[c.store_id for c in first])
            .values_list("store_id", flat=True)
            .distinct()
        )
        out += [(c, None) for c in first if c.store_id in mapped]
    if not later:
        return high, out, []
    codes = set().union(*(codes for _, codes in later))
    wh_ids = dict(Warehouse.objects.filter(code__in=codes).values_list("code", "id"))
    since = min(c.stock_pushed_movement_id for c, _ in later)
    moved = StockMovement.objects.filter(
        id__gt=since, id__lte=high, warehouse_id__in=list(wh_ids.values())
    )
    # the last movement id per (SKU, warehouse): rows = distinct balances moved, not movements
    last: dict[int, dict[int, int]] = defaultdict(dict)
    for sku_id, wh_id, last_id in (
        moved.values("sku_id", "warehouse_id")
        .annotate(last=Max("id"))
        .values_list("sku_id", "warehouse_id", "last")
    ):
        last[sku_id][wh_id] = last_id
    skus_of: dict[int, list[tuple[str, int]]] = defaultdict(list)  # store -> (store_sku, sku)
    for store_id, store_sku, sku_id in StoreSkuMapping.objects.filter(
        store_id__in=[c.store_id for c, _ in later],
        sku_id__in=moved.values("sku_id"),
    ).values_list("store_id", "store_sku", "sku_id"):
        skus_of[store_id].append((store_sku, sku_id))
    idle = []
    for conn, codes in later:
        mine = {wh_ids[c] for c in codes if c in wh_ids}
        mark = conn.stock_pushed_movement_id
        changed = sorted(
            {
                store_sku
                for store_sku, sku_id in skus_of.get(conn.store_id, ())
                if any(i > mark for wh, i in last.get(sku_id, {}).items() if wh in mine)
            }
        )
        if changed:
            out.append((conn, changed))
        else:
            idle.append(conn.pk)
    return high, out, idle


def queue_changed() -> dict:
    """The sweep's job: queue one ``store.stock`` message per store with changed stock."""
    high, pushes, idle = pending_pushes()
    queued = 0
    for conn, store_skus in pushes:
        mark = conn.stock_pushed_movement_id
        payload: dict = {"store_id": conn.store_id, "movement_id": high}
        if store_skus is not None:
            payload["store_skus"] = store_skus
        with transaction.atomic():
            same = (
                {"stock_pushed_movement_id__isnull": True}
                if mark is None
                else {"stock_pushed_movement_id": mark}
            )
            moved = StoreConnection.objects.filter(pk=conn.pk, **same).update(
                stock_pushed_movement_id=high
            )
            if not moved:  # another sweep took this range; the next sweep starts from its mark
                continue
            outbox.enqueue(TOPIC, payload, dedupe_key=f"{TOPIC}:{conn.store_id}:{mark or 0}-{high}")
            queued += 1
    if idle:  # examined, nothing to push: the mark moves on (never back), so the next
        # sweep reads only newer movements
        StoreConnection.objects.filter(pk__in=idle, stock_pushed_movement_id__lt=high).update(
            stock_pushed_movement_id=high
        )
    return {"queued": queued, "movement_id": high}
