"""Reading CSV (any common encoding and delimiter) and Excel (.xlsx) into numbered rows.

Rows are numbered as the user sees them: the header is row 1, the first data row is row 2.
Blank rows are skipped. Cells come back as text: Excel numbers without a float's noise
(12.9, not 12.900000000000000355), dates in ISO 8601, booleans as true/false.
"""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal

from tradelane.core.errors import ValidationFailed
from tradelane.orders.importing import sniff_encoding

KINDS = ("csv", "xlsx")
MAX_COLUMNS = 200


def file_kind(filename: str, data: bytes) -> str:
    """``xlsx`` for an Excel workbook (a zip file), ``csv`` for text; .xls is refused."""
    name = (filename or "").lower()
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if name.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ValidationFailed(
            "Old Excel files (.xls) cannot be read; save the file as .xlsx or CSV",
            code="unsupported_format",
        )
    return "csv"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return str(Decimal(repr(value)))  # the shortest text that reads back as this float
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def _decode_csv(data: bytes) -> io.TextIOBase:
    encoding = sniff_encoding(data[: 64 * 1024])
    return io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=counts.__getitem__)  # a tie keeps the comma


def sheet_names(data: bytes) -> list[str]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    text = _decode_csv(data)
    try:
        first = text.readline()
        reader = csv.reader(itertools.chain([first], text), delimiter=_delimiter(first))
        for row in reader:
            yield [c.strip() for c in row[:MAX_COLUMNS]]
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            f"The file is not readable as {text.encoding}: {exc.reason}; save it as UTF-8",
            code="invalid_encoding",
        ) from None
    except csv.Error as exc:
        raise ValidationFailed(f"The CSV file is broken: {exc}", code="invalid_csv") from None


def _xlsx_rows(data: bytes, sheet: str = "") -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationFailed(
            f"The Excel file cannot be read: {exc}", code="invalid_xlsx"
        ) from None
    try:
        if sheet:
            if sheet not in wb.sheetnames:
                raise ValidationFailed(
                    f"The workbook has no sheet {sheet!r}",
                    code="unknown_sheet",
                    details={"sheets": wb.sheetnames},
                )
            ws = wb[sheet]
        else:
            ws = wb.worksheets[0]
        for row in ws.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            yield [_cell(v) for v in row]
    finally:
        wb.close()


def raw_rows(data: bytes, kind: str, sheet: str = "") -> Iterator[list[str]]:
    return _xlsx_rows(data, sheet) if kind == "xlsx" else _csv_rows(data)


def read(data: bytes, kind: str, sheet: str = "") -> tuple[list[str], Iterator[tuple[int, dict]]]:
    """(headers, rows): each row ``(row number, {header: text})``, blank rows skipped.

    The header is the first non-blank row; duplicate headers get " (2)", " (3)" appended.
    """
    rows = raw_rows(data, kind, sheet)
    headers: list[str] = []
    header_row = 0
    for n, row in enumerate(rows, 1):
        if any(row):
            header_row = n
            seen: dict[str, int] = {}
            for i, h in enumerate(row):
                h = h or f"column {i + 1}"
                seen[h] = seen.get(h, 0) + 1
                headers.append(h if seen[h] == 1 else f"{h} ({seen[h]})")
            break
    while headers and headers[-1].startswith("column "):
        headers.pop()
    if not headers:
        raise ValidationFailed("The file has no header row", code="empty_file")

    def body() -> Iterator[tuple[int, dict]]:
        for n, row in enumerate(rows, header_row + 1):
            if not any(row):
                continue
            yield n, dict(zip(headers, row, strict=False))

    return headers, body()


def count_rows(data: bytes, kind: str, sheet: str = "") -> int:
    _, body = read(data, kind, sheet)
    return sum(1 for _ in body)
