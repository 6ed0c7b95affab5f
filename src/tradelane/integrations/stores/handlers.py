"""Outbox handlers: tracking and stock leave for the platforms here.

``store.fulfillment`` payload: ``{"order_id", "store_id", "tracking_company",
"tracking_number", "tracking_url", "update": bool, "package_id": optional,
"previous_number": optional (an update: the number to replace)}`` (the logistics
side enqueues it when a shipment ships, ``update`` when its last-mile number changes). With
``package_id`` (a split or merged package) only that parcel's lines and quantities are
pushed, in the store's units; without it, all the order's open lines. A platform that holds
part of the order (``FulfillmentWaiting``) leaves the message waiting, with the reason.
``store.stock`` payload: ``{"store_id", "store_skus": [...] (optional, default: all mapped)}``.

Platform unavailable (429/5xx/network) -> ``RetryLater(retry_after=...)``; the outbox retries.
A stock push sends the message's id as the idempotency key, the same on every retry.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from django.utils import timezone

from tradelane.core.outbox import GiveUp, RetryLater, Waiting, handler
from tradelane.inventory.models import Warehouse
from tradelane.inventory.selectors import available_map
from tradelane.orders.models import Order, PackageLine, StoreSkuMapping

from .contract import (
    Fulfillment,
    FulfillmentLine,
    FulfillmentWaiting,
    PlatformError,
    StockLevel,
    Unavailable,
    connector_for,
)
from .models import PlatformInventoryItem, StoreConnection, SyncRun
from .settings_schema import settings_of

log = logging.getLogger(__name__)


def _connection(store_id) -> StoreConnection | None:
    conn = StoreConnection.objects.select_related("store").filter(store_id=store_id).first()
    if conn is None or conn.state == StoreConnection.State.DISCONNECTED:
        return None
    return conn


@handler("store.fulfillment")
def push_fulfillment(msg) -> None:
    p = msg.payload
    conn = _connection(p.get("store_id"))
    if conn is None:
        log.info(
            "fulfillment for order %s: store not connected, nothing to push", p.get("order_id")
        )
        return
    external_id = Order.objects.filter(pk=p["order_id"]).values_list("external_id", flat=True)
    external_id = external_id.first()
    if external_id is None:
        return
    f = Fulfillment(
        order_external_id=external_id,
        tracking_company=str(p.get("tracking_company") or ""),
        tracking_number=str(p.get("tracking_number") or ""),
        tracking_url=str(p.get("tracking_url") or ""),
        lines=package_lines(p["order_id"], p.get("package_id")),
        previous_tracking_number=str(p.get("previous_number") or ""),
    )
    connector = connector_for(conn)
    try:
        if p.get("update"):
            connector.update_tracking(f)
        else:
            connector.push_fulfillment(f)
    except FulfillmentWaiting as exc:  # held on the platform: wait, visibly, until released
        raise Waiting(str(exc), retry_after=WAIT_FOR_RELEASE_S) from exc
    except Unavailable as exc:
        raise RetryLater(str(exc), retry_after=exc.retry_after) from exc
    except PlatformError as exc:  # refused for good (e.g. no such order there): dead letter
        raise GiveUp(str(exc)) from exc


WAIT_FOR_RELEASE_S = 900


def package_lines(order_id: int, package_id) -> tuple[FulfillmentLine, ...]:
    """The store lines of one order in one package, quantities in the store's units (a line
    of bundles counts whole bundles: our units x store quantity / our quantity)."""
    if not package_id:
        return ()
    totals: dict[str, int] = defaultdict(int)
    for store_sku, qty, line_qty, store_qty in PackageLine.objects.filter(
        package_id=package_id, order_line__order_id=order_id
    ).values_list(
        "order_line__store_sku", "quantity", "order_line__quantity", "order_line__store_quantity"
    ):
        totals[store_sku] += max(1, qty * store_qty // max(1, line_qty))
    return tuple(FulfillmentLine(sku, n) for sku, n in sorted(totals.items()))


# Platforms whose stock is set per store SKU (Amazon: the seller SKU of a listing): a mapped
# SKU needs no recorded platform inventory item.
SKU_IS_ITEM = frozenset({"amazon"})


def stock_levels(conn: StoreConnection, store_skus: list[str] | None = None) -> list[StockLevel]:
    """Available stock per platform location for the store's mapped SKUs (bundles: the
    number of whole bundles the components allow)."""
    locations = settings_of(conn).locations  # warehouse code -> platform location id
    if not locations:
        return []
    warehouses = dict(Warehouse.objects.filter(code__in=list(locations)).values_list("id", "code"))
    items = PlatformInventoryItem.objects.filter(connection=conn)
    if store_skus:
        items = items.filter(store_sku__in=store_skus)
    item_of = dict(items.values_list("store_sku", "inventory_item_id"))
    if conn.platform in SKU_IS_ITEM:  # the listing is named by the store SKU itself
        mapped = StoreSkuMapping.objects.filter(store_id=conn.store_id)
        if store_skus:
            mapped = mapped.filter(store_sku__in=store_skus)
        item_of = {s: s for s in mapped.values_list("store_sku", flat=True)} | item_of
    comps: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for store_sku, sku_id, qty in StoreSkuMapping.objects.filter(
        store_id=conn.store_id, store_sku__in=list(item_of)
    ).values_list("store_sku", "sku_id", "quantity"):
        comps[store_sku].append((sku_id, qty))
    available = available_map({s for c in comps.values() for s, _ in c}, list(warehouses))
    levels = []
    for store_sku, parts in sorted(comps.items()):
        for wh_id, code in warehouses.items():
            whole = min(max(0, available.get((sku_id, wh_id), 0)) // qty for sku_id, qty in parts)
            levels.append(StockLevel(item_of[store_sku], locations[code], whole))
    return levels


@handler("store.stock")
def push_stock(msg) -> None:
    p = msg.payload
    conn = _connection(p.get("store_id"))
    if conn is None or not settings_of(conn).push_stock:
        return
    levels = stock_levels(conn, p.get("store_skus") or None)
    if not levels:
        return
    run = SyncRun.objects.create(connection=conn, kind=SyncRun.Kind.PUSH)
    try:
        result = connector_for(conn).push_stock(levels, idempotency_key=f"outbox-{msg.pk}")
    except Unavailable as exc:
        SyncRun.objects.filter(pk=run.pk).update(
            status=SyncRun.Status.FAILED, error=str(exc)[:4000], finished_at=timezone.now()
        )
        raise RetryLater(str(exc), retry_after=exc.retry_after) from exc
    except Exception as exc:
        SyncRun.objects.filter(pk=run.pk).update(
            status=SyncRun.Status.FAILED, error=str(exc)[:4000], finished_at=timezone.now()
        )
        raise
    SyncRun.objects.filter(pk=run.pk).update(
        status=SyncRun.Status.SUCCEEDED, updated=result.count, finished_at=timezone.now()
    )
