"""Reading order files: JSON (an array, read incrementally), JSON Lines and CSV, and their
encodings.

Each reader yields (row number, order dict) in the normalized form (see the package's doc), or
(row number, ``_Bad``) for an item that could not be read, under the import limits of
``core.spreadsheet_safety`` (orders or CSV rows, cell length). CSV: one row per order line
with the flat columns of ``CSV_COLUMNS``; consecutive rows with the same (store, external_id)
form one order (the order-level cells are read from its first row; a later row that
contradicts them is refused); the cells lose the quote our exports put before formula-like
text. A binary file is decoded as UTF-8, UTF-16 (by its BOM) or GB18030 (``sniff_encoding``).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from tradelane.core import spreadsheet_safety as safety
from tradelane.core.errors import ValidationFailed

from .report import _Bad, _err

MAX_ELEMENT_CHARS = 8 << 20  # one order in a JSON array; more is a broken file
FORMATS = ("json", "jsonl", "csv")

CSV_COLUMNS = (
    "store", "external_id", "number", "placed_at", "currency", "payment_status",
    "buyer_name", "buyer_email", "buyer_phone",
    "ship_name", "ship_company", "ship_address1", "ship_address2", "ship_city", "ship_state",
    "ship_postcode", "ship_country", "ship_phone",
    "items_total", "shipping_total", "tax_total", "discount_total", "grand_total",
    "store_sku", "title", "quantity", "unit_price", "note",
)  # fmt: skip

_CSV_LINE_COLUMNS = ("store_sku", "title", "quantity", "unit_price")
_CSV_REQUIRED = ("store", "external_id", "store_sku", "quantity")


def _decoder() -> json.JSONDecoder:
    return json.JSONDecoder(parse_float=Decimal)


def _guard(limits: safety.FileLimits | None, what: str = "orders") -> safety.RowGuard:
    return safety.RowGuard(limits, header=0, what=what)  # the data rows alone are counted


def read_jsonl(
    stream: Iterable[str], limits: safety.FileLimits | None = None, *, check_only: bool = False
) -> Iterator[tuple[int, Any]]:
    """(line number, order dict or _Bad) for each non-blank line (one order per line, counted
    against the row limit; its strings against the cell limit).

    A string decoded from JSON is never longer than its JSON text (an escape only shortens
    it), so the strings of a line no longer than the cell limit are not walked one by one.
    ``check_only``: only the limits are checked (``import_file``'s first pass): a line that
    short is not even decoded, and nothing is yielded.
    """
    decoder = _decoder()
    guard = _guard(limits)
    max_chars = guard.limits.max_cell_chars
    for n, line in enumerate(stream, 1):
        text = line.strip()
        if not text:
            continue
        guard.row()
        if check_only and len(text) <= max_chars:
            continue
        try:
            value = decoder.decode(text)
        except ValueError as exc:
            if not check_only:
                yield n, _Bad("invalid_json", f"Line {n} is not JSON: {exc}")
            continue
        if len(text) > max_chars:
            guard.strings(value, n)
        if not check_only:
            yield n, value


def read_json_array(
    stream: io.TextIOBase, block: int = 1 << 20, limits: safety.FileLimits | None = None
) -> Iterator[tuple[int, Any]]:
    """(position from 1, order dict or _Bad) for each element of a JSON array, read in blocks.

    Only one block and one element are held in memory at a time. A syntax error ends the
    reading with one rejected entry (a JSON array cannot be resumed after a broken element).
    Elements count against the row limit, their strings against the cell limit.
    """
    decoder = _decoder()
    guard = _guard(limits)
    max_chars = guard.limits.max_cell_chars
    buf = stream.read(block)
    pos = 0
    eof = not buf

    def skip_blank() -> None:
        nonlocal pos
        while pos < len(buf) and buf[pos] in " \t\r\n\ufeff":
            pos += 1

    def fill() -> bool:
        nonlocal buf, pos, eof
        if eof:
            return False
        more = stream.read(block)
        if not more:
            eof = True
            return False
        buf = buf[pos:] + more
        pos = 0
        return True

    skip_blank()
    while pos >= len(buf) and fill():
        skip_blank()
    if pos >= len(buf) or buf[pos] != "[":
        yield 1, _Bad("invalid_json", "A JSON file must hold an array of orders")
        return
    pos += 1
    n = 0
    expect_value = True  # after "[" or ","
    while True:
        skip_blank()
        if pos >= len(buf):
            if fill():
                continue
            yield n + 1, _Bad("invalid_json", "The JSON array is not closed")
            return
        char = buf[pos]
        if char == "]" and (n == 0 or not expect_value):
            return
        if not expect_value:
            if char != ",":
                yield n + 1, _Bad("invalid_json", f"Expected ',' or ']' after element {n}")
                return
            pos += 1
            expect_value = True
            continue
        try:
            value, end = decoder.raw_decode(buf, pos)
        except ValueError as exc:
            # The element may go on in the next block (but one order is never this big).
            if len(buf) - pos < MAX_ELEMENT_CHARS and fill():
                continue
            yield n + 1, _Bad("invalid_json", f"Element {n + 1} is not JSON: {exc}")
            return
        if end == len(buf) and not isinstance(value, dict | list | str) and fill():
            continue  # a number cut at the block's end: read it again whole
        n += 1
        size, pos = end - pos, end
        expect_value = False
        guard.row()
        if size > max_chars:  # (shorter: no string inside can be longer, as in JSON Lines)
            guard.strings(value, n)
        yield (
            n,
            value
            if isinstance(value, dict)
            else _Bad("invalid_type", f"Element {n} is not an object"),
        )


def read_csv(
    stream: Iterable[str], limits: safety.FileLimits | None = None
) -> Iterator[tuple[int, Any]]:
    """(first line number, order dict) per group of consecutive rows of one order.

    The header names the columns (any order, any case; unknown columns are ignored); the
    delimiter is a comma, or a semicolon or tab when the header uses one instead. Rows count
    against the row limit and cells against the cell limit; a cell that our exports
    neutralized (``'=...``) gets its text back.
    """
    guard = _guard(limits, "rows")
    lines = iter(stream)
    first = next(lines, "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=counts.__getitem__)  # a tie keeps the comma
    reader = csv.DictReader(itertools.chain([first], lines), delimiter=delimiter)
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in _CSV_REQUIRED if c not in header]
    if missing:
        raise ValidationFailed(
            f"The CSV file lacks the columns {', '.join(missing)}",
            code="invalid_csv",
            details={"missing": missing, "expected": list(CSV_COLUMNS)},
        )
    reader.fieldnames = header
    order_columns = [c for c in CSV_COLUMNS if c not in _CSV_LINE_COLUMNS and c in header]

    def numbered() -> Iterator[tuple[int, dict]]:
        while True:
            try:
                row = next(reader, None)
            except csv.Error as exc:  # e.g. a field over the size limit: the file cannot go on
                message = f"Line {reader.line_num}: {exc}; the rest of the file was not read"
                raise _RowsBroken(reader.line_num, message) from exc
            if row is None:
                return
            guard.row()
            for column, value in row.items():
                if value.__class__ is str:
                    if len(value) > guard.limits.max_cell_chars:
                        guard.cell(value, reader.line_num, column or "")
                    if value[:1] == "'":
                        row[column] = safety.restore(value)
            yield reader.line_num, row

    yield from _grouped(numbered(), order_columns, "Line")


class _RowsBroken(Exception):
    """The rows cannot go on (a broken CSV line): ``_grouped`` refuses the open order."""

    def __init__(self, line_no: int, message: str):
        super().__init__(message)
        self.line_no = line_no
        self.message = message


def _grouped(
    rows: Iterable[tuple[int, dict]], order_columns: list[str], word: str
) -> Iterator[tuple[int, Any]]:
    """(first row number, order dict) per group of consecutive flat rows of one order (same
    store and external id); an order cell that contradicts the group's first row is an error.
    ``word`` names a row in messages ("Line" in a CSV file, "Row" in a spreadsheet)."""
    current: dict | None = None
    first_row: dict = {}
    start = 0
    key = None
    try:
        for line_no, row in rows:
            row_key = ((row.get("store") or "").strip(), (row.get("external_id") or "").strip())
            if current is None or row_key != key:
                if current is not None:
                    yield start, current
                current, first_row, start, key = _csv_order(row), row, line_no, row_key
            else:
                for column in order_columns:
                    value = (row.get(column) or "").strip()
                    if value and value != (first_row.get(column) or "").strip():
                        current["_errors"].append(
                            _err(
                                column,
                                "conflicting_value",
                                f"{word} {line_no} gives another {column} than "
                                f"{word.lower()} {start}",
                            )
                        )
            current["lines"].append({c: row.get(c) for c in _CSV_LINE_COLUMNS})
    except _RowsBroken as exc:
        # The broken line may belong to the order being gathered: refuse it whole.
        yield (start if current is not None else exc.line_no), _Bad("invalid_csv", exc.message)
        return
    if current is not None:
        yield start, current


def _csv_order(row: dict) -> dict:
    def get(column: str) -> str:
        return (row.get(column) or "").strip()

    return {
        "store": get("store"),
        "external_id": get("external_id"),
        "number": get("number"),
        "placed_at": get("placed_at"),
        "currency": get("currency"),
        "payment_status": get("payment_status"),
        "buyer": {k: get(f"buyer_{k}") for k in ("name", "email", "phone")},
        "shipping_address": {
            k: get(f"ship_{k}")
            for k in (
                "name",
                "company",
                "address1",
                "address2",
                "city",
                "state",
                "postcode",
                "country",
                "phone",
            )
        },  # fmt: skip
        "totals": {k: get(f"{k}_total") for k in ("items", "shipping", "tax", "discount", "grand")},
        "note": get("note"),
        "lines": [],
        "_errors": [],
    }


class _Prefixed(io.RawIOBase):
    """A binary stream: ``prefix`` (already read to sniff the encoding), then the rest."""

    def __init__(self, prefix: bytes, rest):
        self._prefix = prefix
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def sniff_encoding(sample: bytes) -> str:
    """UTF-8 (a BOM skipped) when the sample decodes as such; else GB18030, which is what
    Excel in Simplified Chinese writes for "CSV"; UTF-16 when it starts with its BOM."""
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 3:  # not just a character cut at the sample's end
            return "gb18030"
    return "utf-8-sig"


def _text_stream(fileobj) -> io.TextIOBase:
    """A text stream over ``fileobj``: a text file as it is, a binary one decoded (see
    ``sniff_encoding``) without closing it afterwards."""
    probe = fileobj.read(0)
    if not isinstance(probe, bytes):
        return fileobj
    sample = fileobj.read(64 * 1024) or b""
    raw = io.BufferedReader(_Prefixed(sample, fileobj), buffer_size=256 * 1024)
    return io.TextIOWrapper(raw, encoding=sniff_encoding(sample), newline="")


def _orders_in(
    fileobj, fmt: str, limits: safety.FileLimits, *, check_only: bool = False
) -> Iterator[tuple[int, Any]]:
    """The file's (row number, order) items; ``check_only``: just check the file against the
    limits and its encoding (JSON Lines then yields nothing and decodes only long lines)."""
    stream = _text_stream(fileobj)
    if fmt == "jsonl":
        numbered = read_jsonl(stream, limits, check_only=check_only)
    elif fmt == "json":
        numbered = read_json_array(stream, limits=limits)
    else:
        numbered = read_csv(stream, limits)
    try:
        yield from numbered
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            f"The file is not readable as {getattr(stream, 'encoding', 'text')}: {exc.reason}; "
            "save it as UTF-8 and import it again",
            code="invalid_encoding",
        ) from None


def _rewindable(fileobj):
    """``fileobj`` when it can seek back (uploads, files), else a spooled copy of it."""
    try:
        if fileobj.seekable():
            return fileobj
    except (AttributeError, ValueError):
        pass
    text = isinstance(fileobj.read(0), str)
    copy = tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+" if text else "w+b")
    shutil.copyfileobj(fileobj, copy)
    copy.seek(0)
    return copy


def orders_from_rows(rows: Iterable[tuple[int, dict]]) -> Iterator[tuple[int, Any]]:
    """(first row number, order dict) per group of consecutive flat rows of one order.

    The rows are dicts keyed by ``CSV_COLUMNS`` (from a spreadsheet, after its columns were
    mapped); grouping and the check of contradicting order cells are the CSV reader's.
    """
    order_columns = [c for c in CSV_COLUMNS if c not in _CSV_LINE_COLUMNS]
    yield from _grouped(rows, order_columns, "Row")
