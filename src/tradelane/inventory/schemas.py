"""HTTP shapes of warehouses, stock balances, movements and stock operations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import model_validator

from tradelane.api.paging import PageParams
from tradelane.api.types import BodySchema, Bool, Choice, Id, Int, column_int, one_of

from .models import StockBalance, StockMovement, Warehouse

MAX_QUANTITY = 10_000_000  # units in one stock operation
Priority = column_int(Warehouse, "priority", ge=-1_000_000, le=1_000_000)
Quantity = Int(1, MAX_QUANTITY)
SafetyStock = column_int(StockBalance, "safety_stock", ge=0, le=MAX_QUANTITY)
# both enums are called Kind: documented in place so that they do not collapse into one
WarehouseKind = Choice(Warehouse.Kind, inline=True)
MovementKind = Choice(StockMovement.Kind, inline=True)


class WarehousePatch(BodySchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: WarehouseKind | None = None
    country: str | None = Field(None, description="ISO 3166 alpha-2")
    state: str | None = Field(None, max_length=100)
    city: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=300)
    postcode: str | None = Field(None, max_length=20)
    contact: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=40)
    priority: Priority | None = Field(None, description="lower first")
    is_active: bool | None = None

    def to_fields(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True, exclude_none=True)
        if "kind" in data:
            data["kind"] = str(self.kind.value)
        return data


class WarehouseIn(WarehousePatch):
    code: str = Field(..., min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    name: str = Field(..., min_length=1, max_length=200)
    country: str = Field(..., description="ISO 3166 alpha-2")


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    country: str
    state: str
    city: str
    address: str
    postcode: str
    contact: str
    phone: str
    priority: int
    is_active: bool
    created_at: datetime


class WarehouseFilters(PageParams):
    kind: WarehouseKind | None = None
    country: str | None = None
    is_active: Bool | None = None


class BalanceOut(Schema):
    id: int
    sku_id: int
    sku_code: str
    sku_name: str
    warehouse_id: int
    warehouse_code: str
    on_hand: int
    reserved: int
    available: int
    safety_stock: int
    low: bool = Field(..., description="available below a set safety stock")
    updated_at: datetime

    @staticmethod
    def resolve_sku_code(obj) -> str:
        return obj.sku.code

    @staticmethod
    def resolve_sku_name(obj) -> str:
        return obj.sku.name

    @staticmethod
    def resolve_warehouse_code(obj) -> str:
        return obj.warehouse.code

    @staticmethod
    def resolve_available(obj) -> int:
        return obj.on_hand - obj.reserved

    @staticmethod
    def resolve_low(obj) -> bool:
        return obj.safety_stock > 0 and obj.on_hand - obj.reserved < obj.safety_stock


class BalanceFilters(PageParams):
    warehouse_id: Id | None = None
    sku: str | None = Field(None, description="part of a SKU code or name")
    low_only: Bool = Field(False, description="only balances below their safety stock")


class MovementOut(Schema):
    id: int
    sku_id: int
    sku_code: str
    warehouse_id: int
    warehouse_code: str
    kind: str
    on_hand_delta: int
    reserved_delta: int
    source_type: str
    source_id: str
    actor: str | None
    note: str
    created_at: datetime

    @staticmethod
    def resolve_sku_code(obj) -> str:
        return obj.sku.code

    @staticmethod
    def resolve_warehouse_code(obj) -> str:
        return obj.warehouse.code

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None


class MovementFilters(PageParams):
    sku_id: Id | None = None
    warehouse_id: Id | None = None
    kind: MovementKind | None = None
    source_type: str | None = None
    source_id: str | None = None


class _SkuRef(BodySchema):
    """A SKU by id or by code (one of the two)."""

    model_config = {"json_schema_extra": one_of("sku_id", "sku")}

    sku_id: Id | None = None
    sku: str | None = Field(None, max_length=64, description="SKU code, instead of sku_id")

    @model_validator(mode="after")
    def _one_ref(self):
        if (self.sku_id is None) == (self.sku is None):
            raise ValueError("give exactly one of sku_id and sku")
        return self


class ReceiptIn(_SkuRef):
    warehouse_id: Id
    quantity: Quantity
    reference: str = Field("", max_length=64, description="e.g. a purchase order or ASN number")
    note: str = Field("", max_length=300)


class AdjustmentIn(_SkuRef):
    warehouse_id: Id
    delta: Int(-MAX_QUANTITY, MAX_QUANTITY) = Field(..., description="+found / -lost, not 0")
    note: str = Field(..., min_length=1, max_length=300, description="why (stock-take, damage)")


class TransferIn(_SkuRef):
    from_warehouse_id: Id
    to_warehouse_id: Id
    quantity: Quantity
    note: str = Field("", max_length=300)


class SafetyStockIn(_SkuRef):
    warehouse_id: Id
    quantity: SafetyStock


class TransferOut(Schema):
    out: MovementOut
    into: MovementOut
