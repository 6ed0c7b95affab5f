"""Bulk import of orders from a normalized JSON, JSON Lines or CSV form, with a per-row report.

The normalized order (one dict per order)::

    {"store": "US1", "external_id": "5001", "number": "#1001",
     "placed_at": "2026-11-20T10:15:00Z", "currency": "USD", "payment_status": "paid",
     "buyer": {"name", "email", "phone"},
     "shipping_address": {"name", "company", "address1", "address2", "city", "state",
                          "postcode", "country", "phone"},
     "totals": {"items", "shipping", "tax", "discount", "grand"},   # decimal strings
     "lines": [{"store_sku", "title", "quantity", "unit_price"}],
     "note": ""}

Defaults: ``currency`` the store's, ``payment_status`` paid, ``totals.items`` the sum of the
lines, ``shipping``/``tax``/``discount`` 0, ``grand`` items + shipping + tax - discount,
``placed_at`` now. A ``placed_at`` without an offset is read in the server's time zone.
Amounts are Decimals from strings (or integers); floats are refused, and JSON files are parsed
with ``parse_float=Decimal`` so a number literal in a file never becomes a float.

CSV: one row per order line with the flat columns of ``CSV_COLUMNS``; consecutive rows with the
same (store, external_id) form one order (the order-level cells are read from its first row;
a later row that contradicts them is refused). JSON: an array of orders (read incrementally).
JSON Lines: one order per line.

Each order is reported ``created``, ``updated``, ``unchanged`` or ``rejected`` with its errors
(``{"field", "code", "message"}``). A rejected order writes nothing; the others land.
Idempotent: orders are unique per (store, external_id) and carry ``content_hash``, the sha256
of their canonical normalized form, so the same order again is ``unchanged`` and writes
nothing. A changed order still in pending review, pending contact or approved is ``updated``
(fields and lines replaced, moved back to pending review, one audit row each, review re-run);
a changed order further along (allocated, shipped, invalid, cancelled, or already packed) is
kept as it is and reported ``unchanged`` with the error code ``locked_status``.

Files are read under the import limits of ``core.spreadsheet_safety`` (orders or CSV rows,
cell length): ``import_file`` reads the whole file once against them before it writes anything,
so a file past a limit is refused whole (413) and leaves no rows. CSV cells lose the quote our
exports put before formula-like text.

Set-based and streaming: orders are read lazily and handled in chunks (``CHUNK``) of one
transaction each, with a fixed number of queries per chunk; after the commit, the review of
the chunk's new and changed orders (``review.review_orders``). Memory does not grow with the
number of orders: the report keeps every rejected or locked row but only the first
``max_rows`` of the others (the counts are always exact).

Where things are: this module runs an import (``import_file``, ``import_orders``,
``import_numbered``, the ``orders.import`` job); ``readers.py`` reads the file formats and
their encodings; ``normalizing.py`` validates one order and computes its hashes;
``writing.py`` is the set-based writer of one chunk (SKU mapping included); ``report.py``
holds the per-row report.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit, jobs
from tradelane.core import spreadsheet_safety as safety
from tradelane.core.errors import ValidationFailed

from ..models import Order
from .normalizing import (
    DATA_FIELDS,
    MAX_NOTE,
    MAX_QUANTITY,
    normalize_order,
    order_fingerprint,
    stores_by_code,
)
from .readers import (
    CSV_COLUMNS,
    FORMATS,
    MAX_ELEMENT_CHARS,
    _orders_in,
    _rewindable,
    orders_from_rows,
    read_csv,
    read_json_array,
    read_jsonl,
    sniff_encoding,
)
from .report import (
    CREATED,
    MAX_ROWS,
    REJECTED,
    UNCHANGED,
    UPDATED,
    ImportReport,
    _Bad,
    _err,
    _rejected,
)
from .writing import (
    _ORDER,
    ANALYZE_AFTER,
    IN_BATCH,
    MAX_LINE_UNITS,
    Components,
    _Context,
    _flush,
    _Mappings,
    _Statistics,
    expand_lines,
)

__all__ = [
    "CHUNK",
    "CREATED",
    "CSV_COLUMNS",
    "FORMATS",
    "JOB_KIND",
    "MAX_ROWS",
    "REJECTED",
    "UNCHANGED",
    "UPDATED",
    "ImportReport",
    "import_file",
    "import_job",
    "import_numbered",
    "import_orders",
    "imports_dir",
]

# Names callers knew from this package when it was one module, importing.py; they live in
# readers.py, normalizing.py and writing.py now. Kept for one release.
__reexported__ = (
    ANALYZE_AFTER, DATA_FIELDS, IN_BATCH, MAX_ELEMENT_CHARS, MAX_LINE_UNITS, MAX_NOTE,
    MAX_QUANTITY, Components, expand_lines, normalize_order, order_fingerprint, orders_from_rows,
    read_csv, read_json_array, read_jsonl, sniff_encoding,
)  # fmt: skip

CHUNK = 2000  # orders per transaction
JOB_KIND = "orders.import"


# --- the import -----------------------------------------------------------------------------


def import_orders(
    actor,
    rows: Iterable[Any],
    *,
    source: str = "import",
    review: bool = True,
    chunk: int = CHUNK,
    max_rows: int = MAX_ROWS,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import normalized order dicts (see the module's doc); return the per-row report.

    ``rows`` may be any iterable, read lazily (a generator over a huge file is fine); its items
    are numbered from 1. ``review=False`` leaves new and changed orders in pending review
    (for a later ``review_orders``). ``progress(n)`` is called after each chunk with the number
    of orders handled so far.
    """
    return _run(actor, enumerate(rows, 1), source, review, chunk, max_rows, progress)


def _run(actor, numbered, source, review, chunk, max_rows, progress) -> ImportReport:
    require(actor, P.ORDER_ADD)
    source = (source or "import")[: Order._meta.get_field("source").max_length]
    report = ImportReport(max_rows=max_rows)
    ctx = _Context(
        actor=actor,
        source=source,
        stores=stores_by_code(),
        mappings=_Mappings(),
        report=report,
        review=review,
        can_review=review and actor.has_perm(P.ORDER_REVIEW),
        stats=_Statistics(),
    )
    try:
        _read_all(ctx, numbered, chunk, progress)
    finally:
        # One audit row per run that wrote something, also when it stopped half-way.
        if report.created or report.updated:
            with transaction.atomic():
                audit.record(
                    actor,
                    "orders.import",
                    entity=_ORDER,
                    changes={
                        "source": source,
                        "created": report.created,
                        "updated": report.updated,
                        "unchanged": report.unchanged,
                        "rejected": report.rejected,
                        "finished": sys.exc_info()[0] is None,
                    },
                )
    return report


def _read_all(ctx: _Context, numbered, chunk: int, progress) -> None:
    pending: list[tuple[int, dict]] = []  # valid orders of the chunk being gathered
    refused: list[dict] = []  # their rejected neighbours, reported in row order with them
    keys: set[tuple[int, str]] = set()
    handled = 0
    for n, raw in numbered:
        if isinstance(raw, _Bad):
            norm, errors = {}, [_err("", raw.code, raw.message)]
        else:
            norm, errors = normalize_order(raw, ctx.stores)
        if errors:
            refused.append(_rejected(n, raw, errors))
        else:
            key = (norm["store_id"], norm["external_id"])
            if key in keys:  # the same order twice: the first is written before the second
                handled += _flush(ctx, pending, refused)
                pending, refused, keys = [], [], set()
                if progress:
                    progress(handled)
            keys.add(key)
            pending.append((n, norm))
        if len(pending) + len(refused) >= chunk:
            handled += _flush(ctx, pending, refused)
            pending, refused, keys = [], [], set()
            if progress:
                progress(handled)
    if pending or refused:
        handled += _flush(ctx, pending, refused)
        if progress:
            progress(handled)


# --- importing a file -----------------------------------------------------------------------


def import_file(
    actor,
    fileobj,
    fmt: str,
    *,
    source: str = "import",
    review: bool = True,
    chunk: int = CHUNK,
    max_rows: int = MAX_ROWS,
    progress: Callable[[int], None] | None = None,
    limits: safety.FileLimits | None = None,
) -> ImportReport:
    """Import a file (binary or text) in the format ``json``, ``jsonl`` or ``csv``.

    Rows are numbered by line for JSON Lines and CSV (the first line of an order's rows; the
    CSV header is line 1) and by position for a JSON array. ``limits`` default to the
    settings' (``core.spreadsheet_safety.file_limits``).
    """
    require(actor, P.ORDER_ADD)
    fmt = (fmt or "").lower().lstrip(".")
    if fmt == "ndjson":
        fmt = "jsonl"
    if fmt not in FORMATS:
        raise ValidationFailed(
            f"Unknown import format {fmt!r}; use json, jsonl or csv", code="invalid_format"
        )
    limits = limits or safety.file_limits()
    fileobj = _rewindable(fileobj)
    start = fileobj.tell()
    # First the whole file against the limits (and its encoding), writing nothing: a file
    # refused for either leaves no rows.
    for _ in _orders_in(fileobj, fmt, limits, check_only=True):
        pass
    fileobj.seek(start)
    return _run(actor, _orders_in(fileobj, fmt, limits), source, review, chunk, max_rows, progress)


# --- the job --------------------------------------------------------------------------------


def imports_dir() -> Path:
    """Where uploaded files wait for their import job (under the data folder)."""
    return Path(settings.DATA_DIR) / "imports"


@jobs.kind(JOB_KIND, transient=("content",))
def import_job(actor, params: dict, progress) -> dict:
    """Run an import as a job: ``params`` = {"format", "path" (under ``imports_dir()``) or
    "content" (the file's text), "source"}. Progress is in bytes of the file read."""
    fmt = str(params.get("format") or "")
    if params.get("path"):
        root = imports_dir().resolve()
        path = (root / str(params["path"])).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise ValidationFailed("The import file is not there any more", code="file_missing")
        handle = path.open("rb")
        size = path.stat().st_size
    else:
        data = str(params.get("content") or "").encode()
        handle = io.BytesIO(data)
        size = len(data)
    with handle:
        progress(0, size)
        report = import_file(
            actor,
            handle,
            fmt,
            source=str(params.get("source") or "import"),
            progress=lambda _n: progress(min(handle.tell(), size), size),
        )
        progress(size, size)
    return report.as_dict()


def import_numbered(
    actor,
    numbered: Iterable[tuple[int, Any]],
    *,
    source: str = "import",
    review: bool = True,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """``import_orders`` for rows that carry their own numbers (e.g. a spreadsheet's rows)."""
    return _run(actor, numbered, source, review, CHUNK, MAX_ROWS, progress)
