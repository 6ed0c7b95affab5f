"""Warehouses and stock over HTTP: validate, call selectors and services, map to schemas."""

from __future__ import annotations

from ninja import Query, Router, Status

from tradelane.api.errors import responses
from tradelane.api.paging import page_of, paginate
from tradelane.catalog.models import Sku
from tradelane.core.errors import NotFound, ValidationFailed

from . import selectors, services
from .models import StockBalance, StockMovement, Warehouse
from .schemas import (
    AdjustmentIn,
    BalanceFilters,
    BalanceOut,
    MovementFilters,
    MovementOut,
    ReceiptIn,
    SafetyStockIn,
    TransferIn,
    TransferOut,
    WarehouseFilters,
    WarehouseIn,
    WarehouseOut,
    WarehousePatch,
)

router = Router()


def _sku_id(ref) -> int:
    """The id of the SKU a request names (by id or code); 422 if there is none."""
    if ref.sku_id is not None:
        found = Sku.objects.filter(pk=ref.sku_id).values_list("pk", flat=True).first()
    else:
        found = Sku.objects.filter(code=ref.sku.strip()).values_list("pk", flat=True).first()
    if found is None:
        raise ValidationFailed(
            "No such SKU",
            code="unknown_sku",
            details={"field": "sku_id" if ref.sku_id is not None else "sku"},
        )
    return found


def _warehouse_id(warehouse_id: int, field: str = "warehouse_id") -> int:
    if not Warehouse.objects.filter(pk=warehouse_id).exists():
        raise ValidationFailed(
            f"No warehouse {warehouse_id}", code="unknown_warehouse", details={"field": field}
        )
    return warehouse_id


def _warehouse(user, warehouse_id: int) -> Warehouse:
    warehouse = selectors.warehouses_for(user).filter(pk=warehouse_id).first()
    if warehouse is None:
        raise NotFound(f"Warehouse {warehouse_id} does not exist", code="warehouse_not_found")
    return warehouse


def _movement(pk: int) -> StockMovement:
    return StockMovement.objects.select_related("sku", "warehouse", "actor").get(pk=pk)


# --- warehouses -----------------------------------------------------------------------------


@router.get(
    "/warehouses", response=responses(200, page_of(WarehouseOut)), operation_id="warehouses_list"
)
def list_warehouses(request, filters: Query[WarehouseFilters]):
    qs = selectors.warehouses_for(request.auth)
    if filters.kind:
        qs = qs.filter(kind=filters.kind.value)
    if filters.country:
        qs = qs.filter(country=filters.country.strip().upper())
    if filters.is_active is not None:
        qs = qs.filter(is_active=filters.is_active)
    return paginate(qs.order_by("priority", "code"), filters)


@router.post("/warehouses", response=responses(201, WarehouseOut), operation_id="warehouses_create")
def create_warehouse(request, payload: WarehouseIn):
    warehouse = services.save_warehouse(request.auth, **payload.to_fields())
    return Status(201, warehouse)


@router.get(
    "/warehouses/{id:warehouse_id}",
    response=responses(200, WarehouseOut),
    operation_id="warehouses_get",
)
def get_warehouse(request, warehouse_id: int):
    return _warehouse(request.auth, warehouse_id)


@router.patch(
    "/warehouses/{id:warehouse_id}",
    response=responses(200, WarehouseOut),
    operation_id="warehouses_update",
)
def update_warehouse(request, warehouse_id: int, payload: WarehousePatch):
    warehouse = _warehouse(request.auth, warehouse_id)
    return services.save_warehouse(request.auth, warehouse=warehouse, **payload.to_fields())


@router.delete(
    "/warehouses/{id:warehouse_id}",
    response=responses(200, WarehouseOut),
    operation_id="warehouses_deactivate",
)
def deactivate_warehouse(request, warehouse_id: int):
    """Retire a warehouse: it is deactivated, not erased, because its stock ledger refers to
    it. Allocation stops choosing it; ``PATCH {"is_active": true}`` brings it back."""
    warehouse = _warehouse(request.auth, warehouse_id)
    return services.save_warehouse(request.auth, warehouse=warehouse, is_active=False)


# --- stock ----------------------------------------------------------------------------------


@router.get(
    "/stock/balances",
    response=responses(200, page_of(BalanceOut)),
    operation_id="stock_balances_list",
)
def list_balances(request, filters: Query[BalanceFilters]):
    qs = selectors.balances_for(
        request.auth,
        warehouse_id=filters.warehouse_id,
        sku=filters.sku,
        low_only=filters.low_only,
    )
    return paginate(qs, filters)


@router.get(
    "/stock/movements",
    response=responses(200, page_of(MovementOut)),
    operation_id="stock_movements_list",
)
def list_movements(request, filters: Query[MovementFilters]):
    qs = selectors.movements_for(
        request.auth,
        sku_id=filters.sku_id,
        warehouse_id=filters.warehouse_id,
        source_type=filters.source_type,
        source_id=filters.source_id,
    )
    if filters.kind:
        qs = qs.filter(kind=filters.kind.value)
    return paginate(qs, filters)


@router.post("/stock/receipts", response=responses(201, MovementOut), operation_id="stock_receive")
def receive(request, payload: ReceiptIn):
    movement = services.receive(
        request.auth,
        sku_id=_sku_id(payload),
        warehouse_id=_warehouse_id(payload.warehouse_id),
        quantity=payload.quantity,
        source_type="receipt" if payload.reference else "manual",
        source_id=payload.reference,
        note=payload.note,
    )
    return Status(201, _movement(movement.pk))


@router.post(
    "/stock/adjustments", response=responses(201, MovementOut), operation_id="stock_adjust"
)
def adjust(request, payload: AdjustmentIn):
    movement = services.adjust(
        request.auth,
        sku_id=_sku_id(payload),
        warehouse_id=_warehouse_id(payload.warehouse_id),
        delta=payload.delta,
        note=payload.note,
    )
    return Status(201, _movement(movement.pk))


@router.post(
    "/stock/transfers", response=responses(201, TransferOut), operation_id="stock_transfer"
)
def transfer(request, payload: TransferIn):
    out, into = services.transfer(
        request.auth,
        sku_id=_sku_id(payload),
        from_warehouse_id=_warehouse_id(payload.from_warehouse_id, "from_warehouse_id"),
        to_warehouse_id=_warehouse_id(payload.to_warehouse_id, "to_warehouse_id"),
        quantity=payload.quantity,
        note=payload.note,
    )
    return Status(201, {"out": _movement(out.pk), "into": _movement(into.pk)})


@router.post(
    "/stock/safety-stock",
    response=responses(200, BalanceOut),
    operation_id="stock_safety_stock_set",
)
def set_safety_stock(request, payload: SafetyStockIn):
    balance = services.set_safety_stock(
        request.auth,
        sku_id=_sku_id(payload),
        warehouse_id=_warehouse_id(payload.warehouse_id),
        quantity=payload.quantity,
    )
    return StockBalance.objects.select_related("sku", "warehouse").get(pk=balance.pk)
