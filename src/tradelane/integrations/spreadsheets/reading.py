"""Reading CSV (any common encoding and delimiter) and Excel (.xlsx) into numbered rows.

Rows are numbered as the user sees them: the header is row 1, the first data row is row 2.
Blank rows are skipped. Cells come back as text: Excel numbers without a float's noise
(12.9, not 12.900000000000000355), dates in ISO 8601, booleans as true/false; the quote our
exports put before a formula-like text (``'=...``) comes off again.

Every file is read under the import limits of ``core.spreadsheet_safety``: an .xlsx archive is
checked before openpyxl opens it, rows are counted and cells measured as they stream, and the
first row or cell beyond a limit refuses the file (413).
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal

from tradelane.core import spreadsheet_safety as safety
from tradelane.core.errors import ValidationFailed
from tradelane.orders.importing.readers import sniff_encoding

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
    return safety.restore(str(value).strip())


def _decode_csv(data: bytes) -> io.TextIOBase:
    encoding = sniff_encoding(data[: 64 * 1024])
    return io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=counts.__getitem__)  # a tie keeps the comma


def sheet_names(data: bytes) -> list[str]:
    wb = safety.open_workbook(data, code="invalid_xlsx")
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _csv_rows(data: bytes, guard: safety.RowGuard) -> Iterator[list[str]]:
    text = _decode_csv(data)
    try:
        first = text.readline()
        reader = csv.reader(itertools.chain([first], text), delimiter=_delimiter(first))
        for n, row in enumerate(reader, 1):
            guard.row()
            guard.cells(row, n)
            yield [safety.restore(c.strip()) for c in row[:MAX_COLUMNS]]
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            f"The file is not readable as {text.encoding}: {exc.reason}; save it as UTF-8",
            code="invalid_encoding",
        ) from None
    except csv.Error as exc:
        raise ValidationFailed(f"The CSV file is broken: {exc}", code="invalid_csv") from None


def _xlsx_rows(data: bytes, sheet: str, guard: safety.RowGuard) -> Iterator[list[str]]:
    wb = safety.open_workbook(data, guard.limits, code="invalid_xlsx")
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
        for n, row in enumerate(safety.sheet_rows(ws, code="invalid_xlsx", max_col=MAX_COLUMNS), 1):
            guard.row()
            guard.cells(row, n)
            yield [_cell(v) for v in row]
    finally:
        wb.close()


def raw_rows(
    data: bytes, kind: str, sheet: str = "", limits: safety.FileLimits | None = None
) -> Iterator[list[str]]:
    """The file's rows as text cells, blank ones included, under the import limits."""
    guard = safety.RowGuard(limits)
    return _xlsx_rows(data, sheet, guard) if kind == "xlsx" else _csv_rows(data, guard)


def read(
    data: bytes, kind: str, sheet: str = "", limits: safety.FileLimits | None = None
) -> tuple[list[str], Iterator[tuple[int, dict]]]:
    """(headers, rows): each row ``(row number, {header: text})``, blank rows skipped.

    The header is the first non-blank row; duplicate headers get " (2)", " (3)" appended.
    Rows are read as they are asked for: a caller that stops early reads no further.
    """
    rows = raw_rows(data, kind, sheet, limits)
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


def count_rows(data: bytes, kind: str, sheet: str = "", progress=None) -> int:
    """The data rows of the whole file (refused past the row limit); ``progress(n)`` is
    called every 1,000 rows."""
    _, body = read(data, kind, sheet)
    n = 0
    for n, _ in enumerate(body, 1):
        if progress and n % 1000 == 0:
            progress(n)
    return n
