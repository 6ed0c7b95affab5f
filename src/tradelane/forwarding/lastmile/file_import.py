"""The line's file of last-mile numbers (转单文件): Excel or CSV, one waybill a row.

Columns, by header (Chinese or English, any case): the waybill (运单号 / waybill number, or
客户单号 / reference, or 跟踪号 / tracking number), the carrier (服务商 / 承运商 / carrier,
or the upload's default carrier) and the last-mile number (转单号 / 服务商单号 / last-mile
number). ``preview`` checks every row and reports each (row, ok or error, code, message in
English and Chinese) without writing; ``apply`` writes all-or-nothing (nothing when a row is
refused) or the valid rows only, set-based (``assignment.write_assignments``), so a 10,000-row
file is a few statements, not one per row.

The reader uses openpyxl (through ``core.spreadsheet_safety``, under the import limits) and
the csv module; the domain never imports the integrations' spreadsheet machinery.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core import spreadsheet_safety as safety
from tradelane.core.errors import Conflict, DomainError, ValidationFailed

from ..partners import scoping
from ..waybills.models import Waybill
from . import assignment
from .models import AssignmentSource, LastMileAssignment

ALL_OR_NOTHING, VALID_ONLY = "all_or_nothing", "valid_only"
MODES = (ALL_OR_NOTHING, VALID_ONLY)
OK, ERROR = "ok", "error"
MAX_COLUMNS = 50

# header (lower case, spaces and _ - removed) -> column
HEADERS = {
    "waybill": ("运单号", "运单编号", "waybill", "waybillnumber", "waybillno"),
    "reference": ("客户单号", "参考号", "订单号", "reference", "referenceno", "customerreference"),
    "tracking": ("跟踪号", "追踪号", "tracking", "trackingnumber", "trackingno"),
    "carrier": ("服务商", "承运商", "尾程服务商", "转单服务商", "carrier", "lastmilecarrier"),
    "number": ("转单号", "服务商单号", "尾程单号", "lastmilenumber", "lastmileno", "lastmile",
               "carriernumber"),
}  # fmt: skip
_BY_HEADER = {name: col for col, names in HEADERS.items() for name in names}

# code -> (English, 简体中文): the row report speaks both
MESSAGES = {
    "ok": ("Ready", "可导入"),
    "written": ("Assigned", "已转单"),
    "unchanged": ("Already assigned", "已是此单号"),
    "waybill_missing": ("No waybill, reference or tracking number in the row",
                        "此行没有运单号、客户单号或跟踪号"),
    "waybill_not_found": ("No such waybill", "找不到此运单"),
    "reference_ambiguous": ("This reference is on waybills of several customers: use the "
                            "waybill number", "多个客户有此客户单号，请用运单号"),
    "last_mile_carrier_required": ("No carrier in the row", "此行没有服务商"),
    "last_mile_carrier_invalid": ("The carrier name is too long", "服务商名称过长"),
    "last_mile_number_required": ("No last-mile number in the row", "此行没有转单号"),
    "last_mile_number_invalid": ("Not a last-mile number (3 to 60 letters, digits or - _ . /)",
                                 "转单号格式不对（3至60位字母、数字或 - _ . /）"),
    "last_mile_number_taken": ("The number is already on another waybill",
                               "此转单号已用于另一运单"),
    "last_mile_not_assignable": ("The waybill is delivered, returned or cancelled",
                                 "运单已签收、退回或取消"),
    "duplicate_waybill": ("The waybill is in the file twice", "文件中此运单出现两次"),
    "duplicate_number": ("The number is in the file twice", "文件中此转单号出现两次"),
    "batch_rejected": ("Not written: another row of this all-or-nothing file was refused",
                       "未导入：全部或不导入模式下有其他行出错"),
}  # fmt: skip


@dataclass
class RowResult:
    row: int
    key: str  # what the row named the waybill by
    carrier: str
    number: str
    status: str = OK
    code: str = "ok"
    waybill: Waybill | None = None

    @property
    def message_en(self) -> str:
        return MESSAGES.get(self.code, (self.code, self.code))[0]

    @property
    def message_zh(self) -> str:
        return MESSAGES.get(self.code, (self.code, self.code))[1]

    def refuse(self, code: str) -> None:
        self.status, self.code = ERROR, code

    def as_dict(self) -> dict:
        return {"row": self.row, "waybill": self.waybill.number if self.waybill else self.key,
                "carrier": self.carrier, "number": self.number, "status": self.status,
                "code": self.code, "message_en": self.message_en,
                "message_zh": self.message_zh}  # fmt: skip


@dataclass
class Report:
    rows: list[RowResult] = field(default_factory=list)
    written: int = 0
    applied: bool = False

    @property
    def ok(self) -> int:
        return sum(1 for r in self.rows if r.status == OK)

    @property
    def errors(self) -> int:
        return sum(1 for r in self.rows if r.status == ERROR)


# --- reading -------------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(repr(value)))
    return safety.restore(str(value).strip())


def _sniff(sample: bytes) -> str:
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 3:
            return "gb18030"  # what Excel in Simplified Chinese writes for "CSV"
    return "utf-8-sig"


def _csv_rows(data: bytes, guard: safety.RowGuard) -> Iterator[list[str]]:
    text = io.TextIOWrapper(io.BytesIO(data), encoding=_sniff(data[: 64 * 1024]), newline="")
    try:
        first = text.readline()
        delimiter = max(",;\t", key=first.count)
        for n, row in enumerate(csv.reader(itertools.chain([first], text), delimiter=delimiter), 1):
            guard.row()
            guard.cells(row, n)
            yield [safety.restore(c.strip()) for c in row[:MAX_COLUMNS]]
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"The file is not readable: {exc.reason}; save it as UTF-8",
                               code="invalid_encoding") from None  # fmt: skip
    except csv.Error as exc:
        raise ValidationFailed(f"The CSV file is broken: {exc}", code="invalid_csv") from None


def _xlsx_rows(data: bytes, guard: safety.RowGuard) -> Iterator[list[str]]:
    wb = safety.open_workbook(data, guard.limits, code="invalid_xlsx")
    try:
        rows = safety.sheet_rows(wb.worksheets[0], code="invalid_xlsx", max_col=MAX_COLUMNS)
        for n, row in enumerate(rows, 1):
            guard.row()
            guard.cells(row, n)
            yield [_cell(v) for v in row]
    finally:
        wb.close()


def _column(header: str) -> str:
    key = "".join(header.lower().replace("_", "").replace("-", "").split())
    return _BY_HEADER.get(key, "")


def read_rows(data: bytes, filename: str = "") -> list[tuple[int, dict[str, str]]]:
    """The file's rows as ``(row number, {column: text})`` (the header is row 1), blank rows
    skipped; columns are ``HEADERS``' keys. A file without a number column is refused."""
    if not data:
        raise ValidationFailed("The file is empty", code="empty_file")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or filename.lower().endswith(".xls"):
        raise ValidationFailed("Old Excel files (.xls) cannot be read; save as .xlsx or CSV",
                               code="unsupported_format")  # fmt: skip
    guard = safety.RowGuard()
    rows = _xlsx_rows(data, guard) if data[:4] == b"PK\x03\x04" else _csv_rows(data, guard)
    columns: list[str] = []
    out = []
    for n, row in enumerate(rows, 1):
        if not any(row):
            continue
        if not columns:
            columns = [_column(h) for h in row]
            found = set(columns)
            if "number" not in found or not found & {"waybill", "reference", "tracking"}:
                raise ValidationFailed(
                    "The file needs a last-mile number column (转单号) and a waybill column "
                    "(运单号, 客户单号 or 跟踪号)", code="lastmile_file_columns",
                    details={"headers": row},
                )  # fmt: skip
            continue
        out.append((n, {c: v for c, v in zip(columns, row, strict=False) if c and v}))
    if not columns:
        raise ValidationFailed("The file has no header row", code="empty_file")
    return out


# --- checking and writing ---------------------------------------------------------------------


def _find(actor, rows: list[RowResult], parsed: list[dict]) -> None:
    """Each row's waybill, by number, tracking number or reference, in three queries."""
    want = {"waybill": set(), "tracking": set(), "reference": set()}
    for data in parsed:
        for col in want:
            if data.get(col):
                want[col].add(data[col])
    qs = scoping.scoped(actor, Waybill.objects.select_related("customer", "channel"))
    by = {"waybill": {}, "tracking": {}, "reference": {}}
    if want["waybill"]:
        by["waybill"] = {w.number: w for w in qs.filter(number__in=want["waybill"])}
    if want["tracking"]:
        found = qs.filter(Q(tracking_number__in=want["tracking"]) | Q(number__in=want["tracking"]))
        for w in found.order_by("created_at", "id"):
            by["tracking"][w.tracking_number] = w
            by["tracking"].setdefault(w.number, w)
    refs: dict[str, list[Waybill]] = {}
    if want["reference"]:
        for w in qs.filter(reference__in=want["reference"]):
            refs.setdefault(w.reference, []).append(w)
    for r, data in zip(rows, parsed, strict=True):
        for col in ("waybill", "tracking"):
            if data.get(col):
                r.waybill = by[col].get(data[col])
                break
        else:
            if data.get("reference"):
                found_refs = refs.get(data["reference"], [])
                if len(found_refs) > 1:
                    r.refuse("reference_ambiguous")
                    continue
                r.waybill = found_refs[0] if found_refs else None
        if r.waybill is None:
            r.refuse("waybill_not_found")


def check(actor, data: list[tuple[int, dict[str, str]]], default_carrier: str = "") -> Report:
    require(actor, P.HUB_RECEIVE)
    report = Report()
    parsed = []
    for n, row in data:
        key = row.get("waybill") or row.get("tracking") or row.get("reference") or ""
        r = RowResult(n, key, row.get("carrier") or default_carrier.strip(), row.get("number", ""))
        report.rows.append(r)
        parsed.append(row)
        if not key:
            r.refuse("waybill_missing")
            continue
        try:
            r.carrier, r.number = assignment.clean(r.carrier, r.number)
        except ValidationFailed as exc:
            r.refuse(exc.code)
    _find(actor, [r for r in report.rows if r.status == OK],
          [p for r, p in zip(report.rows, parsed, strict=True) if r.status == OK])  # fmt: skip
    seen_w: set[int] = set()
    seen_n: set[tuple[str, str]] = set()
    for r in report.rows:
        if r.status != OK:
            continue
        assert r.waybill is not None
        try:
            assignment.check_assignable(r.waybill)
        except DomainError as exc:
            r.refuse(exc.code)
            continue
        if r.waybill.pk in seen_w:
            r.refuse("duplicate_waybill")
        elif (r.carrier, r.number) in seen_n:
            r.refuse("duplicate_number")
        seen_w.add(r.waybill.pk)
        seen_n.add((r.carrier, r.number))
        if (r.waybill.last_mile_carrier, r.waybill.last_mile_number) == (r.carrier, r.number):
            r.code = "unchanged"
    _check_taken(report)
    return report


def _check_taken(report: Report) -> None:
    """Rows whose carrier and number another waybill has now (two queries for the file)."""
    todo = [r for r in report.rows if r.status == OK and r.code != "unchanged"]
    numbers = {r.number for r in todo}
    if not numbers:
        return
    holders: dict[tuple[str, str], int] = {}
    for carrier, number, wid in Waybill.objects.filter(last_mile_number__in=numbers).values_list(
        "last_mile_carrier", "last_mile_number", "pk"
    ):
        holders[(carrier, number)] = wid
    for carrier, number, wid in LastMileAssignment.objects.filter(
        number__in=numbers, superseded_at__isnull=True
    ).values_list("carrier", "number", "waybill_id"):
        holders[(carrier, number)] = wid
    for r in todo:
        holder = holders.get((r.carrier, r.number))
        if holder is not None and holder != r.waybill.pk:
            r.refuse("last_mile_number_taken")


def preview(actor, data: bytes, filename: str = "", *, default_carrier: str = "") -> Report:
    """Every row checked and reported; nothing written."""
    require(actor, P.HUB_RECEIVE)
    return check(actor, read_rows(data, filename), default_carrier)


def apply(
    actor, data: bytes, filename: str = "", *, mode: str = ALL_OR_NOTHING,
    default_carrier: str = "",
) -> Report:  # fmt: skip
    """Check, then write: ``all_or_nothing`` writes nothing when one row is refused (the
    others say ``batch_rejected``), ``valid_only`` writes the valid rows."""
    require(actor, P.HUB_RECEIVE)
    if mode not in MODES:
        raise ValidationFailed(f"Unknown mode {mode!r}", code="invalid_mode",
                               details={"choices": list(MODES)})  # fmt: skip
    report = check(actor, read_rows(data, filename), default_carrier)
    if mode == ALL_OR_NOTHING and report.errors:
        for r in report.rows:
            if r.status == OK:
                r.refuse("batch_rejected")
        return report
    todo = [r for r in report.rows if r.status == OK and r.code != "unchanged"]
    try:
        with transaction.atomic():
            report.written = assignment.write_assignments(
                actor, [assignment.NewNumber(r.waybill, r.carrier, r.number) for r in todo],
                AssignmentSource.FILE,
            )  # fmt: skip
            audit.record(actor, "forwarding.lastmile.file", None, {
                "file": filename[:200], "mode": mode, "rows": len(report.rows),
                "written": report.written, "refused": report.errors,
            })  # fmt: skip
    except IntegrityError:  # a number taken by another station while the file was checked
        raise Conflict("A number in the file was assigned meanwhile: check the file again",
                       code="last_mile_number_taken") from None  # fmt: skip
    for r in todo:
        r.code = "written"
    report.applied = True
    return report
