"""Reads of stock, taking the acting user (the provider side will scope these later)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Q, QuerySet

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P

from .models import StockBalance, StockMovement, Warehouse


def warehouses_for(user) -> QuerySet[Warehouse]:
    require(user, P.STOCK_VIEW)
    return Warehouse.objects.all()


def balances_for(
    user, *, warehouse_id: int | None = None, sku: str | None = None, low_only: bool = False
) -> QuerySet[StockBalance]:
    require(user, P.STOCK_VIEW)
    qs = StockBalance.objects.select_related("sku", "warehouse").annotate(
        available_qty=F("on_hand") - F("reserved")
    )
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    if sku:
        qs = qs.filter(Q(sku__code__icontains=sku) | Q(sku__name__icontains=sku))
    if low_only:
        qs = qs.filter(safety_stock__gt=0, available_qty__lt=F("safety_stock"))
    return qs.order_by("warehouse__priority", "sku__code")


def low_stock_for(user) -> QuerySet[StockBalance]:
    return balances_for(user, low_only=True)


def movements_for(
    user,
    *,
    sku_id: int | None = None,
    warehouse_id: int | None = None,
    source_type: str | None = None,
    source_id: str | None = None,
) -> QuerySet[StockMovement]:
    require(user, P.STOCK_VIEW)
    qs = StockMovement.objects.select_related("sku", "warehouse", "actor")
    if sku_id:
        qs = qs.filter(sku_id=sku_id)
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    if source_type:
        qs = qs.filter(source_type=source_type)
    if source_id:
        qs = qs.filter(source_id=source_id)
    return qs.order_by("-created_at", "-id")


def available_map(
    sku_ids: Iterable[int], warehouse_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], int]:
    """{(sku_id, warehouse_id): available} for planning allocations (no permission: internal)."""
    ids = list(set(sku_ids))
    out: dict[tuple[int, int], int] = {}
    for start in range(0, len(ids), 900):
        qs = StockBalance.objects.filter(sku_id__in=ids[start : start + 900])
        if warehouse_ids is not None:
            qs = qs.filter(warehouse_id__in=list(warehouse_ids))
        for sku_id, wh_id, on_hand, reserved in qs.values_list(
            "sku_id", "warehouse_id", "on_hand", "reserved"
        ):
            out[(sku_id, wh_id)] = on_hand - reserved
    return out


def warehouse_detail(user, warehouse_id: int) -> Warehouse:
    from tradelane.core.errors import NotFound

    require(user, P.STOCK_VIEW)
    found = Warehouse.objects.filter(pk=warehouse_id).first()
    if found is None:
        raise NotFound(f"Warehouse {warehouse_id} does not exist", code="warehouse_not_found")
    return found


def sku_id_by_code(code: str) -> int:
    """The id of the SKU with this code (a stock form names SKUs by code)."""
    from tradelane.catalog.models import Sku
    from tradelane.core.errors import ValidationFailed

    found = Sku.objects.filter(code=(code or "").strip()).values_list("pk", flat=True).first()
    if found is None:
        raise ValidationFailed(
            f"No SKU has the code {code!r}", code="sku_not_found", details={"field": "sku"}
        )
    return found
