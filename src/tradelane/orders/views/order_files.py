"""Files of orders in the UI: reading an upload, the sample CSV, and the import report as people
read it (translated reasons, CSV column names and line numbers).

The import itself is ``tradelane.orders.importing`` (run as the ``orders.import`` job); this
module only prepares its input and presents its output.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from django.utils import timezone

from tradelane.core.errors import ValidationFailed
from tradelane.core.spreadsheet_safety import neutralize
from tradelane.orders import importing
from tradelane.web import labels

MAX_UPLOAD = 20 * 1024 * 1024  # bytes; larger files go through the API in parts or the CLI
REPORT_ROWS_SHOWN = 200  # rows without problems listed under the report (the counts are exact)

EXTENSIONS = {"csv": "csv", "json": "json", "jsonl": "jsonl", "ndjson": "jsonl"}


def file_format(filename: str, chosen: str = "") -> str:
    """``csv``, ``json`` or ``jsonl``: the format the user chose, else the file's extension."""
    chosen = (chosen or "").strip().lower()
    if chosen:
        fmt = EXTENSIONS.get(chosen)
    else:
        ext = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
        fmt = EXTENSIONS.get(ext)
    if fmt not in importing.FORMATS:
        raise ValidationFailed(
            f"Unknown import format for {filename!r}; use .csv, .json or .jsonl",
            code="invalid_format",
        )
    return fmt


def decode_upload(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a BOM), else GB18030, which is what Excel on a
    Chinese Windows writes when it saves "CSV"."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break  # a binary file (an .xlsx saved under another name, for example)
        return text
    raise ValidationFailed("The file is not UTF-8 or GB18030 text", code="invalid_encoding")


def sample_csv(store_code: str, store_skus: list[str]) -> str:
    """A small, valid CSV in the layout the importer reads: one order with two lines (two rows,
    the second repeating only store and external_id) and one order with one line."""
    skus = (list(store_skus) + ["SKU-1", "SKU-2"])[:2]
    placed = timezone.localtime() - timedelta(hours=2)
    stamp = placed.replace(microsecond=0).isoformat()
    blank = dict.fromkeys(importing.CSV_COLUMNS, "")
    rows = [
        {
            **blank,
            "store": store_code, "external_id": "SO-10001", "number": "#10001",
            "placed_at": stamp, "currency": "USD", "payment_status": "paid",
            "buyer_name": "Jane Doe", "buyer_email": "jane@example.com",
            "buyer_phone": "+1 650-253-0000", "ship_name": "Jane Doe",
            "ship_address1": "1600 Amphitheatre Pkwy", "ship_city": "Mountain View",
            "ship_state": "CA", "ship_postcode": "94043", "ship_country": "US",
            "ship_phone": "+1 650-253-0000", "shipping_total": "4.99",
            "store_sku": skus[0], "title": "Ceramic mug, white", "quantity": "2",
            "unit_price": "12.90", "note": "",
        },
        {
            **blank,
            "store": store_code, "external_id": "SO-10001",
            "store_sku": skus[1], "title": "Mug set", "quantity": "1", "unit_price": "22.00",
        },
        {
            **blank,
            "store": store_code, "external_id": "SO-10002", "number": "#10002",
            "placed_at": stamp, "currency": "EUR", "payment_status": "paid",
            "buyer_name": "Max Mustermann", "buyer_email": "max@example.com",
            "buyer_phone": "+49 30 22730", "ship_name": "Max Mustermann",
            "ship_address1": "Unter den Linden 77", "ship_city": "Berlin",
            "ship_postcode": "10117", "ship_country": "DE", "ship_phone": "+49 30 22730",
            "shipping_total": "6.50", "discount_total": "2.00",
            "store_sku": skus[0], "title": "Ceramic mug, white", "quantity": "1",
            "unit_price": "12.90", "note": "请用礼品包装",
        },
    ]  # fmt: skip
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=importing.CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    # the store's code and SKUs come from the store: neutralized like any exported text
    writer.writerows({k: neutralize(v) for k, v in row.items()} for row in rows)
    return out.getvalue()


# --- the report -----------------------------------------------------------------------------

_LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)$")
_GROUPS = {"buyer": "buyer_{}", "shipping_address": "ship_{}", "totals": "{}_total"}


def csv_place(field: str, row: int) -> tuple[str, int]:
    """The importer's field name -> (CSV column, CSV line) for an order starting at ``row``.

    ``shipping_address.country`` -> ``ship_country``; ``lines[2].quantity`` -> ``quantity`` on
    the order's third row (consecutive rows of one order are its lines).
    """
    match = _LINE_FIELD.match(field or "")
    if match:
        return match.group(2), row + int(match.group(1))
    group, _, key = (field or "").partition(".")
    if key and group in _GROUPS:
        return _GROUPS[group].format(key), row
    return field or "", row


def _errors(entry: dict, fmt: str) -> list[dict]:
    out = []
    row = entry.get("row") or 0
    for error in entry.get("errors") or []:
        if not isinstance(error, dict):
            continue
        field, code = str(error.get("field") or ""), str(error.get("code") or "")
        message = str(error.get("message") or "")
        column, line = csv_place(field, row) if fmt == "csv" else (field, row)
        text = labels.import_error_text(code, message)
        out.append(
            {
                "field": column,
                "line": line,
                "code": code,
                "message": text,
                "detail": message if message != text else "",
            }
        )
    return out


def report_context(result: dict, fmt: str) -> dict:
    """What the job box shows for a finished import: counts, review outcome, problem rows."""
    counts = [
        {"key": key, "label": str(labels.IMPORT_RESULT[key]), "n": int(result.get(key) or 0)}
        for key in ("created", "updated", "unchanged", "rejected")
    ]
    problems, others = [], []
    for entry in result.get("rows") or []:
        if not isinstance(entry, dict):
            continue
        item = {
            "row": entry.get("row"),
            "external_id": entry.get("external_id") or "",
            "store": entry.get("store") or "",
            "result": entry.get("result") or "",
            "result_label": str(labels.IMPORT_RESULT.get(entry.get("result"), "")),
            "order_id": entry.get("order_id"),
            "errors": _errors(entry, fmt),
        }
        (problems if item["errors"] else others).append(item)
    shown = others[:REPORT_ROWS_SHOWN]
    return {
        "format": fmt,
        "counts": counts,
        "total": int(result.get("total") or sum(c["n"] for c in counts)),
        "review": labels.count_items(result.get("review") or {}),
        "problems": problems,
        "others": shown,
        "others_hidden": len(others) - len(shown) + int(result.get("rows_omitted") or 0),
    }
