"""Exports of orders, products and stock as CSV or .xlsx, in the columns the import reads.

Rows are produced lazily (``.iterator()``), so a large export holds only a chunk in memory; CSV
is streamed as it is produced, .xlsx written with openpyxl's write-only mode. With a template,
each mapped field gets the user's own column header back, so an export can be edited and
imported again with the same template.

Text from stores and people (buyer names, addresses, titles) may look like a spreadsheet
formula: every cell goes through ``core.spreadsheet_safety`` (a quote in front in CSV, a text
cell in .xlsx), and the import takes the quote off again.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

from tradelane.accounts.permissions import require
from tradelane.catalog.models import Sku
from tradelane.core import spreadsheet_safety as safety
from tradelane.core.errors import ValidationFailed
from tradelane.core.units import grams_to_kg, mm_to_cm
from tradelane.inventory.models import StockBalance
from tradelane.orders import selectors as order_selectors
from tradelane.orders.importing.readers import CSV_COLUMNS
from tradelane.orders.models import OrderLine

from . import waybill_rows
from .fields import ENTITIES, field_keys
from .services import EXPORT_PERMS

FORMATS = ("csv", "xlsx")
STOCK_EXTRA = ("reserved", "available")
_ORDER_FIELDS = [
    c for c in CSV_COLUMNS if c not in ("store_sku", "title", "quantity", "unit_price")
]


def columns(entity: str) -> list[str]:
    if entity == "stock":
        return [*field_keys("stock"), *STOCK_EXTRA]
    if entity == "products":
        return [k for k in field_keys("products") if k != "weight_g"]
    if entity == "waybills":
        return [*field_keys("waybills"), *waybill_rows.EXPORT_EXTRA]
    return list(field_keys(entity))


def _text(value) -> str:
    """A cell's text; text itself is returned as it is (see ``_csv_cell``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _csv_cell(value) -> str:
    # text is neutralized, numbers are not (a negative amount stays a number)
    return safety.neutralize(value) if isinstance(value, str) else _text(value)


def product_rows(user) -> Iterator[dict]:
    require(user, EXPORT_PERMS["products"])
    qs = Sku.objects.select_related("product").order_by("product__code", "code")
    for s in qs.iterator(chunk_size=2000):
        yield {
            "product_code": s.product.code,
            "product_name": s.product.name,
            "product_name_en": s.product.name_en,
            "code": s.code,
            "name": s.name,
            "variant": s.variant,
            "weight_kg": grams_to_kg(s.weight_g),
            "length_cm": mm_to_cm(s.length_mm),
            "width_cm": mm_to_cm(s.width_mm),
            "height_cm": mm_to_cm(s.height_mm),
            "cost": s.cost_amount,
            "cost_currency": s.cost_currency,
            "declared_name_zh": s.declared_name_zh,
            "declared_name_en": s.declared_name_en,
            "hs_code": s.hs_code,
            "declared_value": s.declared_value,
            "declared_currency": s.declared_currency,
            "origin_country": s.origin_country,
            "has_battery": s.has_battery,
            "has_liquid": s.has_liquid,
            "has_magnet": s.has_magnet,
            "status": s.status,
        }


def stock_rows(user, warehouse: str = "") -> Iterator[dict]:
    require(user, EXPORT_PERMS["stock"])
    qs = StockBalance.objects.order_by("warehouse__code", "sku__code")
    if warehouse:
        qs = qs.filter(warehouse__code=warehouse)
    for sku, wh, on_hand, reserved in qs.values_list(
        "sku__code", "warehouse__code", "on_hand", "reserved"
    ).iterator(chunk_size=2000):
        yield {
            "sku": sku,
            "warehouse": wh,
            "quantity": on_hand,
            "reserved": reserved,
            "available": on_hand - reserved,
        }


def order_rows(user, *, status: str = "", store: str = "", date_from=None, date_to=None):
    """One row per store line (a bundle's component lines are folded back into the store line
    they came from); order cells repeat on every row of the order, as the import reads them."""
    require(user, EXPORT_PERMS["orders"])
    orders = order_selectors.orders_for(user)
    if status:
        orders = orders.filter(status=status)
    if store:
        orders = orders.filter(store__code=store)
    if date_from:
        orders = orders.filter(placed_at__date__gte=date_from)
    if date_to:
        orders = orders.filter(placed_at__date__lte=date_to)
    lines = (
        OrderLine.objects.filter(order__in=orders.values("pk"))
        .order_by("order_id", "line_no")
        .values_list(
            "order_id",
            "store_sku",
            "store_quantity",
            "title",
            "sku_id",
            "quantity",
            "unit_price",
            "order__store__code",
            "order__external_id",
            *(f"order__{f}" for f in _ORDER_FIELDS if f not in ("store", "external_id")),
        )
    )
    order_cols = [f for f in _ORDER_FIELDS if f not in ("store", "external_id")]
    pending: dict | None = None
    pending_key = None
    for row in lines.iterator(chunk_size=2000):
        order_id, store_sku, store_qty, title, sku_id, qty, price, store_code, ext = row[:9]
        key = (order_id, store_sku, store_qty, title)
        if pending is not None and key == pending_key and store_qty != qty:
            pending["_value"] += price * qty  # a bundle's next component
            continue
        if pending is not None:
            yield _fold(pending)
        pending_key = key
        pending = {
            "store": store_code,
            "external_id": ext,
            **{f: v for f, v in zip(order_cols, row[9:], strict=True)},
            "store_sku": store_sku,
            "title": title,
            "quantity": store_qty,
            "_value": price * qty,
            "_single": store_qty == qty,
        }
    if pending is not None:
        yield _fold(pending)


def _fold(row: dict) -> dict:
    value = row.pop("_value")
    row.pop("_single")
    row["unit_price"] = (value / row["quantity"]).quantize(Decimal("0.0001"))
    return row


def rows_for(user, entity: str, **filters) -> Iterator[dict]:
    if entity not in ENTITIES:
        raise ValidationFailed(f"entity is one of {', '.join(ENTITIES)}", code="invalid_entity")
    if entity == "orders":
        return order_rows(user, **filters)
    if entity == "products":
        return product_rows(user)
    if entity == "waybills":
        require(user, EXPORT_PERMS["waybills"])
        keep = ("status", "date_from", "date_to")
        return waybill_rows.export_rows(user, **{k: v for k, v in filters.items() if k in keep})
    return stock_rows(user, warehouse=filters.get("warehouse", ""))


def headers(entity: str, mapping: dict | None = None) -> list[str]:
    mapping = mapping or {}
    return [mapping.get(c, c) for c in columns(entity)]


def csv_chunks(entity: str, rows: Iterator[dict], mapping: dict | None = None) -> Iterator[bytes]:
    """UTF-8 with a BOM (Excel then opens the Chinese correctly), streamed line by line."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    cols = columns(entity)
    writer.writerow([safety.neutralize(h) for h in headers(entity, mapping)])
    yield "\ufeff".encode() + _drain(buf)
    n = 0
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in cols])
        n += 1
        if n % 500 == 0:
            yield _drain(buf)
    yield _drain(buf)


def _drain(buf: io.StringIO) -> bytes:
    data = buf.getvalue()
    buf.seek(0)
    buf.truncate()
    return data.encode("utf-8")


def xlsx_file(entity: str, rows: Iterator[dict], mapping: dict | None = None):
    """A temporary file holding the workbook (write-only mode: rows are not kept in memory)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(entity)
    cols = columns(entity)
    ws.append(safety.xlsx_row(ws, headers(entity, mapping)))
    for row in rows:
        ws.append(safety.xlsx_row(ws, [_text(row.get(c)) for c in cols]))
    out = tempfile.SpooledTemporaryFile(max_size=8 << 20)
    wb.save(out)
    out.seek(0)
    return out
