"""The generic push API: any platform or ERP pushes orders, products and stock in batches.

``POST /api/v1/push/orders``, ``/push/products``, ``/push/stock``: up to 1,000 items a request,
one result per item (in the order sent), a refused item writes nothing and the others land.
Orders are upserted by (store, external id) through the order importer (a changed order still
in review is updated, an unchanged one is left alone). Send ``Idempotency-Key`` with each POST:
a retry with the same key and body gets the first answer again and writes nothing twice.
"""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, Router, Schema

from tradelane.api.errors import responses
from tradelane.api.types import BodySchema, column_int
from tradelane.catalog.models import Sku
from tradelane.catalog.schemas import Cost, DeclaredValue, HeightCm, Kg, LengthCm, WidthCm
from tradelane.catalog.services import upsert_skus
from tradelane.inventory import services as inventory
from tradelane.inventory.models import StockBalance, Warehouse
from tradelane.inventory.schemas import MAX_QUANTITY
from tradelane.orders import importing

from ..spreadsheets.services import product_row

router = Router()

MAX_BATCH = 1000
IDEMPOTENCY_NOTE = (
    "\n\nSend `Idempotency-Key: <unique string>`: the same key with the same body returns the "
    "first answer again (header `Idempotent-Replayed: true`) and writes nothing twice; the "
    "same key with another body is refused with 422 `idempotency_key_reused`."
)


class ItemError(Schema):
    field: str = ""
    code: str
    message: str


class ItemResult(Schema):
    index: int = Field(..., description="position of the item in the request, from 0")
    key: str = Field(..., description="store/external_id, the SKU code, or sku@warehouse")
    result: Literal["created", "updated", "unchanged", "rejected"]
    id: int | None = Field(None, description="the order or SKU id when written")
    errors: list[ItemError] = []


class BatchOut(Schema):
    created: int
    updated: int
    unchanged: int
    rejected: int
    items: list[ItemResult]


def _batch(results: list[dict]) -> dict:
    counts = {k: 0 for k in ("created", "updated", "unchanged", "rejected")}
    for r in results:
        counts[r["result"]] += 1
    return {**counts, "items": results}


# --- orders ---------------------------------------------------------------------------------

ORDER_EXAMPLE = {
    "orders": [
        {
            "store": "US1",
            "external_id": "5001",
            "number": "#1001",
            "placed_at": "2026-11-20T10:15:00Z",
            "currency": "USD",
            "buyer": {"name": "Jane Doe", "email": "jane@example.com"},
            "shipping_address": {
                "name": "Jane Doe",
                "address1": "1 Main St",
                "city": "Austin",
                "state": "TX",
                "postcode": "73301",
                "country": "US",
                "phone": "+1 512 555 0100",
            },
            "totals": {"shipping": "4.99"},
            "lines": [{"store_sku": "MUG-W", "title": "Mug", "quantity": 2, "unit_price": "12.90"}],
        }
    ]
}


class PushOrdersIn(BodySchema):
    orders: list[dict[str, Any]] = Field(
        ...,
        min_length=1,
        max_length=MAX_BATCH,
        description="orders in the normalized form of the order import (see the example)",
    )


@router.post(
    "/push/orders",
    response=responses(200, BatchOut),
    summary="Push orders (upsert by store + external id)",
    description="Up to 1,000 orders; amounts are decimal strings." + IDEMPOTENCY_NOTE,
    openapi_extra={"requestBody": {"content": {"application/json": {"example": ORDER_EXAMPLE}}}},
    operation_id="push_orders",
)
def push_orders(request, payload: PushOrdersIn):
    report = importing.import_orders(
        request.auth, payload.orders, source="push", max_rows=MAX_BATCH
    )
    results = []
    for e in sorted(report.rows, key=lambda e: e["row"]):
        results.append(
            {
                "index": e["row"] - 1,
                "key": f"{e.get('store', '')}/{e.get('external_id', '')}",
                "result": e["result"],
                "id": e.get("order_id"),
                "errors": e.get("errors") or [],
            }
        )
    return _batch(results)


# --- products -------------------------------------------------------------------------------


class ProductItem(BodySchema):
    product_code: str | None = Field(None, description="needed when the SKU is new")
    product_name: str | None = None
    product_name_en: str | None = None
    code: str = Field(..., description="the SKU code: created or updated by it")
    name: str | None = None
    variant: str | None = None
    weight_kg: Kg | None = None
    length_cm: LengthCm | None = None
    width_cm: WidthCm | None = None
    height_cm: HeightCm | None = None
    cost: Cost | None = None
    cost_currency: str | None = None
    declared_name_zh: str | None = None
    declared_name_en: str | None = None
    hs_code: str | None = None
    declared_value: DeclaredValue | None = None
    declared_currency: str | None = None
    origin_country: str | None = None
    has_battery: bool | None = None
    has_liquid: bool | None = None
    has_magnet: bool | None = None
    status: Literal["active", "inactive"] | None = None


class PushProductsIn(BodySchema):
    items: list[ProductItem] = Field(..., min_length=1, max_length=MAX_BATCH)


PRODUCT_EXAMPLE = {
    "items": [
        {
            "product_code": "P-LAMP",
            "product_name": "台灯",
            "code": "LAMP-W",
            "name": "台灯 白",
            "weight_kg": "1.25",
            "length_cm": "30",
            "width_cm": "20",
            "height_cm": "15",
            "cost": "88.00",
            "cost_currency": "CNY",
            "declared_name_zh": "台灯",
            "declared_name_en": "Desk lamp",
            "hs_code": "940520",
            "declared_value": "15.00",
            "declared_currency": "USD",
            "origin_country": "CN",
            "has_battery": False,
        }
    ]
}


def _cells(item: ProductItem) -> dict[str, str]:
    out = {}
    for k, v in item.dict().items():
        if v is None:
            continue
        out[k] = ("true" if v else "false") if isinstance(v, bool) else str(v)
    return out


@router.post(
    "/push/products",
    response=responses(200, BatchOut),
    summary="Push products and SKUs (upsert by SKU code)",
    description="Up to 1,000 SKUs; weights in kg, dimensions in cm, amounts as decimal strings; "
    "fields left out keep their value." + IDEMPOTENCY_NOTE,
    openapi_extra={"requestBody": {"content": {"application/json": {"example": PRODUCT_EXAMPLE}}}},
    operation_id="push_products",
)
def push_products(request, payload: PushProductsIn):
    converted = [product_row(_cells(item)) for item in payload.items]
    valid = [row for row, errors in converted if not errors]
    done = iter(upsert_skus(request.auth, valid))
    results = []
    for i, (row, errors) in enumerate(converted):
        if errors:
            results.append(
                {"index": i, "key": row.get("code", ""), "result": "rejected", "errors": errors}
            )
            continue
        r = next(done)
        results.append(
            {
                "index": i,
                "key": r["code"],
                "result": r["result"],
                "id": r["sku_id"],
                "errors": r["errors"],
            }
        )
    return _batch(results)


# --- stock ----------------------------------------------------------------------------------


class StockItem(BodySchema):
    sku: str = Field(..., max_length=64)
    warehouse: str = Field(..., max_length=32)
    quantity: column_int(StockBalance, "on_hand", ge=0, le=MAX_QUANTITY)


class PushStockIn(BodySchema):
    mode: Literal["stocktake", "receipt"] = Field(
        ...,
        description="stocktake: on hand becomes the quantity (the ledger gets the "
        "difference as an adjustment; refused below reserved stock); receipt: adds it",
    )
    items: list[StockItem] = Field(..., min_length=1, max_length=MAX_BATCH)
    note: str = Field("", max_length=300)


STOCK_EXAMPLE = {
    "mode": "stocktake",
    "items": [{"sku": "LAMP-W", "warehouse": "SZ", "quantity": 40}],
    "note": "monthly count",
}


@router.post(
    "/push/stock",
    response=responses(200, BatchOut),
    summary="Push stock counts or receipts",
    description="Up to 1,000 (SKU, warehouse, quantity) items, through the stock ledger."
    + IDEMPOTENCY_NOTE,
    openapi_extra={"requestBody": {"content": {"application/json": {"example": STOCK_EXAMPLE}}}},
    operation_id="push_stock",
)
def push_stock(request, payload: PushStockIn):
    items = payload.items
    skus = dict(Sku.objects.filter(code__in={i.sku for i in items}).values_list("code", "pk"))
    whs = dict(
        Warehouse.objects.filter(code__in={i.warehouse for i in items}).values_list("code", "pk")
    )
    valid, results = [], []
    for i, item in enumerate(items):
        errors = []
        if item.sku not in skus:
            errors.append(
                {
                    "field": "sku",
                    "code": "unknown_sku",
                    "message": f"No SKU with the code {item.sku!r}",
                }
            )
        if item.warehouse not in whs:
            errors.append(
                {
                    "field": "warehouse",
                    "code": "unknown_warehouse",
                    "message": f"No warehouse with the code {item.warehouse!r}",
                }
            )
        results.append(
            {
                "index": i,
                "key": f"{item.sku}@{item.warehouse}",
                "result": "rejected",
                "errors": errors,
            }
        )
        if not errors:
            valid.append((i, (skus[item.sku], whs[item.warehouse], item.quantity)))
    done = inventory.apply_counts(
        request.auth, [v for _, v in valid], payload.mode, note=payload.note, source_id="push"
    )
    for (i, _), r in zip(valid, done, strict=True):
        results[i].update(result=r["result"], errors=r["errors"])
    return _batch(results)
