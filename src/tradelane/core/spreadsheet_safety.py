"""Spreadsheets in and out: the limits every imported file is read under, and formula
neutralization for every exported cell.

**Files coming in** (the spreadsheet import, order files, rate sheets) are read under one set of
limits (settings, from environment variables; see the README's configuration table):

- ``TRADELANE_IMPORT_MAX_ROWS`` (200,000): rows after the header, blank ones included; a JSON
  or JSON Lines file of orders counts its orders;
- ``TRADELANE_IMPORT_MAX_CELL_CHARS`` (32,768, a little over Excel's own 32,767): one cell's
  text;
- ``TRADELANE_IMPORT_MAX_EXPANDED_MB`` (256) and ``TRADELANE_IMPORT_MAX_ZIP_RATIO`` (100): an
  .xlsx is a zip archive; the uncompressed sizes its directory declares are added up and
  compared with the compressed ones *before* openpyxl expands anything. Python's ``zipfile``
  never inflates a member past its declared size (it stops there, and the CRC check then fails),
  so an archive that lies about its sizes cannot expand further than it says.

A file beyond a limit is refused whole with ``FileLimitExceeded`` (HTTP 413) and a code naming
the limit (``file_too_many_rows``, ``file_cell_too_long``, ``file_expands_too_much``,
``file_compression_too_high``), the limit and its setting in ``details``. Rows are counted
while they stream (``RowGuard``), so nothing beyond the limit is read into memory; callers check
a file whole before they write anything, so a refused file leaves no rows.

**Cells going out** (every CSV and .xlsx export) go through ``neutralize`` (CSV) or ``xlsx_row``
(.xlsx), after OWASP's advice on CSV injection: a text cell that starts with ``=``, ``+``,
``-``, ``@``, a tab, a carriage return or a NUL would be read as a formula by Excel, LibreOffice
or WPS, so in CSV it gets a single quote in front (``'=SUM(A1)``); in .xlsx it is written as a
text cell (never a formula) with Excel's quote-prefix style, its text unchanged. Numbers stay
numbers: only text is touched, so a negative amount exported as a number is left alone, while
a buyer's name "-5" is neutralized. ``restore`` takes the quote off again when a file we
exported is imported, so an export imported again changes nothing.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.conf import settings

from .errors import DomainError, ValidationFailed

MB = 1024 * 1024
# a member this small may compress as well as it likes (an archive's tiny XML parts do)
_RATIO_GRACE = 1 * MB


# --- limits of imported files ---------------------------------------------------------------


@dataclass(frozen=True)
class FileLimits:
    max_rows: int = 200_000
    max_cell_chars: int = 32_768
    max_expanded_bytes: int = 256 * MB
    max_zip_ratio: int = 100


def file_limits() -> FileLimits:
    """The limits in force (the ``IMPORT_MAX_*`` settings, read at each call)."""
    default = FileLimits()
    expanded_mb = getattr(settings, "IMPORT_MAX_EXPANDED_MB", default.max_expanded_bytes / MB)
    return FileLimits(
        max_rows=getattr(settings, "IMPORT_MAX_ROWS", default.max_rows),
        max_cell_chars=getattr(settings, "IMPORT_MAX_CELL_CHARS", default.max_cell_chars),
        max_expanded_bytes=int(expanded_mb * MB),
        max_zip_ratio=getattr(settings, "IMPORT_MAX_ZIP_RATIO", default.max_zip_ratio),
    )


class FileLimitExceeded(DomainError):
    """A file beyond one of the import limits: refused whole, nothing of it is imported."""

    status = 413
    code = "file_limit_exceeded"


def too_many_rows(limits: FileLimits, what: str = "rows") -> FileLimitExceeded:
    return FileLimitExceeded(
        f"The file has more than {limits.max_rows} {what}; split it into smaller files "
        "(nothing was imported)",
        code="file_too_many_rows",
        details={"limit": limits.max_rows, "setting": "TRADELANE_IMPORT_MAX_ROWS"},
    )


def cell_too_long(limits: FileLimits, row: int, column: str | int) -> FileLimitExceeded:
    return FileLimitExceeded(
        f"Row {row}, column {column}: a cell holds more than {limits.max_cell_chars} "
        "characters (nothing was imported)",
        code="file_cell_too_long",
        details={
            "limit": limits.max_cell_chars,
            "row": row,
            "column": column,
            "setting": "TRADELANE_IMPORT_MAX_CELL_CHARS",
        },
    )


class RowGuard:
    """Counts the rows of one table (sheet, CSV file, JSON file) as they stream and checks each
    cell's length: the first row or cell beyond a limit raises ``FileLimitExceeded``.

    ``header`` rows (1 for a sheet or CSV file with a header) are allowed on top of
    ``max_rows``.
    """

    def __init__(self, limits: FileLimits | None = None, *, header: int = 1, what: str = "rows"):
        self.limits = limits or file_limits()
        self.allowed = self.limits.max_rows + header
        self.what = what
        self.rows = 0

    def row(self) -> None:
        self.rows += 1
        if self.rows > self.allowed:
            raise too_many_rows(self.limits, self.what)

    def cell(self, text: str, row: int, column: str | int) -> str:
        if len(text) > self.limits.max_cell_chars:
            raise cell_too_long(self.limits, row, column)
        return text

    def cells(self, cells: Sequence[Any], row: int, names: Sequence[str] = ()) -> None:
        """Check every text cell of a row (``names``: the column names, else letters)."""
        limit = self.limits.max_cell_chars
        for i, value in enumerate(cells):
            if value.__class__ is str and len(value) > limit:
                raise cell_too_long(self.limits, row, names[i] if i < len(names) else _letter(i))

    def strings(self, value: Any, row: int, path: str = "") -> None:
        """Check every string inside a decoded JSON value (an order and its lines)."""
        if isinstance(value, str):
            self.cell(value, row, path or "value")
        elif isinstance(value, dict):
            for k, v in value.items():
                self.strings(v, row, f"{path}.{k}" if path else str(k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self.strings(v, row, f"{path}[{i}]")


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# --- .xlsx: the archive before openpyxl expands it ------------------------------------------


def check_workbook_archive(source: bytes | BinaryIO, limits: FileLimits | None = None) -> None:
    """Refuse a zip archive whose members would expand past the limits (the sizes its central
    directory declares, which ``zipfile`` holds every member to). A file that is not a zip
    archive passes: the workbook reader refuses it with its own message."""
    limits = limits or file_limits()
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    start = stream.tell()
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    finally:
        stream.seek(start)
    total = 0
    for info in members:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_GRACE and ratio > limits.max_zip_ratio:
            raise FileLimitExceeded(
                f"The workbook's part {info.filename} expands {ratio:.0f} times (more than "
                f"{limits.max_zip_ratio}): it looks like a zip bomb, so it was not opened",
                code="file_compression_too_high",
                details={
                    "limit": limits.max_zip_ratio,
                    "ratio": round(ratio),
                    "part": info.filename,
                    "setting": "TRADELANE_IMPORT_MAX_ZIP_RATIO",
                },
            )
    if total > limits.max_expanded_bytes:
        raise FileLimitExceeded(
            f"The workbook expands to {total / MB:.0f} MB, more than "
            f"{limits.max_expanded_bytes / MB:.0f} MB; save it as CSV or split it",
            code="file_expands_too_much",
            details={
                "limit_mb": round(limits.max_expanded_bytes / MB, 1),
                "expanded_mb": round(total / MB, 1),
                "setting": "TRADELANE_IMPORT_MAX_EXPANDED_MB",
            },
        )


# Errors a broken or hostile workbook raises while it is opened or read: zip problems (a bad
# CRC when a member lies about its size), XML that does not parse or declares entities
# (openpyxl reads through defusedxml), missing parts.
WORKBOOK_ERRORS = (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, SyntaxError)


def open_workbook(
    source: bytes | BinaryIO,
    limits: FileLimits | None = None,
    *,
    code: str,
    message: str = "The Excel file cannot be read",
):
    """An openpyxl workbook in read-only mode (rows stream from the archive), after the
    archive check; a file openpyxl cannot open is refused with ``ValidationFailed(code)``."""
    from openpyxl import load_workbook

    check_workbook_archive(source, limits)
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    try:
        return load_workbook(stream, read_only=True, data_only=True)
    except WORKBOOK_ERRORS as exc:
        raise ValidationFailed(f"{message}: {exc}", code=code) from None


def sheet_rows(ws, *, code: str, max_col: int | None = None) -> Iterator[tuple]:
    """The rows of a read-only worksheet as value tuples; a part that breaks while it streams
    (bad XML, a bad CRC) is refused with ``ValidationFailed(code)``."""
    rows = ws.iter_rows(values_only=True, max_col=max_col)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except WORKBOOK_ERRORS as exc:
            raise ValidationFailed(f"The Excel file cannot be read: {exc}", code=code) from None
        yield row


# --- cells going out: formula neutralization ------------------------------------------------

FORMULA_STARTS = frozenset("=+-@\t\r\0")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula (quotes we put in front aside:
    ``'=1`` needs one more, so that ``restore`` gives it back exactly)."""
    return text.lstrip("'")[:1] in FORMULA_STARTS


def neutralize(value: Any) -> Any:
    """A CSV cell: text that a spreadsheet would read as a formula gets a ``'`` in front;
    anything that is not text (numbers, dates, None) is returned as it is."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def restore(text: str) -> str:
    """The import side of ``neutralize``: the quote we put in front comes off again."""
    if text[:1] == "'" and looks_like_formula(text[1:]):
        return text[1:]
    return text


def xlsx_row(ws, values: Iterable[Any]) -> list:
    """A row for ``ws.append`` (write-only or not): every text value becomes a text cell, so
    openpyxl never writes it as a formula (it would for a str starting with ``=``), and one that
    looks like a formula also gets Excel's quote prefix, so editing the cell keeps it text."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    out = []
    for value in values:
        if isinstance(value, str):
            # XML 1.0 cannot hold most control characters (a buyer name from a store may):
            # openpyxl raises on them, so they are dropped rather than failing the export
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            if looks_like_formula(value):
                cell.quotePrefix = True
            out.append(cell)
        else:
            out.append(value)
    return out
