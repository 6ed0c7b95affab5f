"""An upstream bill's rows through the line's column mapping: each row's fields parsed
(numbers, chargeable weight in kg or g to grams, charge, currency, fee item, date), or the
row's error code. Pure: no queries. The file itself is read by the spreadsheet reader
(``integrations.spreadsheets.reading``), which hands over ``(row number, {header: text})``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from tradelane.core.errors import ValidationFailed
from tradelane.core.money import check_currency, quantize

from .models import WeightUnit

# our field -> whether a mapping must name a column for it
FIELDS = ("waybill_number", "last_mile_number", "reference", "weight", "amount", "currency",
          "fee_item", "date")  # fmt: skip
NUMBER_FIELDS = ("waybill_number", "last_mile_number", "reference")
MAX_WEIGHT_G = 10_000_000  # 10 t: a bill row above it is a typo
MAX_AMOUNT = Decimal("1000000000")

# code -> (English, 简体中文): the row report speaks both
MESSAGES = {
    "ok": ("Ready", "可导入"),
    "imported": ("Imported", "已导入"),
    "payable_row_number_missing": ("No waybill, last-mile or reference number in the row",
                                   "此行没有运单号、转单号或客户单号"),
    "payable_row_amount_invalid": ("The charge is missing or not a positive amount",
                                   "费用为空或不是正数金额"),
    "payable_row_weight_invalid": ("The chargeable weight is not a weight",
                                   "计费重不是有效重量"),
    "payable_row_currency_invalid": ("The currency is missing or unknown", "币种为空或无效"),
    "payable_row_date_invalid": ("The date is not a date (YYYY-MM-DD)", "日期无效（年-月-日）"),
    "payable_row_duplicate": ("The same waybill and fee item are in the bill twice",
                              "同一运单和费用项在账单中出现两次"),
    "payable_row_billed_before": ("An earlier bill of this line has this waybill and fee item",
                                  "此上游的早前账单已有此运单和费用项"),
    "batch_rejected": ("Not imported: another row of this all-or-nothing bill was refused",
                       "未导入：全部或不导入模式下有其他行出错"),
}  # fmt: skip


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, str]  # our field -> their header
    weight_unit: str = WeightUnit.KG
    default_currency: str = ""


def clean(columns, weight_unit: str = WeightUnit.KG, default_currency: str = "") -> Mapping:
    """A mapping checked: known fields, short header names, a number column, a charge column,
    a currency (a column or the default), a known weight unit."""
    if not isinstance(columns, dict):
        raise ValidationFailed("The column mapping is an object", code="payable_mapping_invalid")
    out = {}
    for field, header in columns.items():
        if field not in FIELDS:
            raise ValidationFailed(f"Unknown field {field!r}", code="payable_mapping_invalid",
                                   details={"fields": list(FIELDS)})  # fmt: skip
        header = str(header or "").strip()
        if len(header) > 100:
            raise ValidationFailed(f"{field}: header too long", code="payable_mapping_invalid")
        if header:
            out[field] = header
    if not any(f in out for f in NUMBER_FIELDS) or "amount" not in out:
        raise ValidationFailed(
            "The mapping needs a number column (waybill, last-mile or reference) and a charge "
            "column", code="payable_mapping_incomplete",
        )  # fmt: skip
    if weight_unit not in WeightUnit.values:
        raise ValidationFailed(f"Unknown weight unit {weight_unit!r}",
                               code="payable_mapping_invalid")  # fmt: skip
    default_currency = (default_currency or "").strip().upper()
    if default_currency:
        default_currency = check_currency(default_currency)
    elif "currency" not in out:
        raise ValidationFailed("The mapping needs a currency column or a default currency",
                               code="payable_mapping_incomplete")  # fmt: skip
    return Mapping(out, weight_unit, default_currency)


def check_headers(mapping: Mapping, headers: list[str]) -> None:
    missing = sorted(h for h in mapping.columns.values() if h not in headers)
    if missing:
        raise ValidationFailed(
            f"The file has no column {', '.join(missing)}", code="payable_columns_missing",
            details={"missing": missing, "headers": headers},
        )  # fmt: skip


@dataclass
class Row:
    row: int
    waybill_number: str = ""
    last_mile_number: str = ""
    reference: str = ""
    weight_g: int | None = None
    amount: Decimal | None = None
    currency: str = ""
    fee_item: str = ""
    billed_on: dt.date | None = None
    code: str = "ok"

    @property
    def ok(self) -> bool:
        return self.code in ("ok", "imported")

    @property
    def key(self) -> str:
        return self.waybill_number or self.last_mile_number or self.reference

    @property
    def message_en(self) -> str:
        return MESSAGES.get(self.code, (self.code, self.code))[0]

    @property
    def message_zh(self) -> str:
        return MESSAGES.get(self.code, (self.code, self.code))[1]

    def as_dict(self) -> dict:
        return {"row": self.row, "number": self.key, "weight_g": self.weight_g,
                "amount": None if self.amount is None else str(self.amount),
                "currency": self.currency, "code": self.code,
                "message_en": self.message_en, "message_zh": self.message_zh}  # fmt: skip


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def number(text: str) -> Decimal:
    """A number as a bill writes it; a comma only as a thousands separator (1,234.50):
    "1,5" is refused, never read as 15."""
    text = text.replace(" ", "")
    if "," in text:
        if not _THOUSANDS.match(text):
            raise InvalidOperation
        text = text.replace(",", "")
    value = Decimal(text)
    if not value.is_finite():
        raise InvalidOperation
    return value


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text[:10].replace("/", "-"))


def parse(mapping: Mapping, n: int, cells: dict[str, str]) -> Row:
    """One row through the mapping: its fields, or the first error's code."""

    def get(field: str) -> str:
        header = mapping.columns.get(field)
        return (cells.get(header) or "").strip() if header else ""

    row = Row(n, get("waybill_number")[:60], get("last_mile_number")[:60], get("reference")[:60],
              fee_item=get("fee_item")[:60])  # fmt: skip
    if not row.key:
        row.code = "payable_row_number_missing"
        return row
    try:
        row.currency = check_currency((get("currency") or mapping.default_currency).upper())
    except ValidationFailed:
        row.code = "payable_row_currency_invalid"
        return row
    try:
        amount = number(get("amount"))
        if not 0 < amount < MAX_AMOUNT or quantize(amount, row.currency) != amount:
            raise InvalidOperation
        row.amount = amount
    except (InvalidOperation, ValueError):
        row.code = "payable_row_amount_invalid"
        return row
    weight = get("weight")
    if weight:
        try:
            grams = number(weight) * (1000 if mapping.weight_unit == WeightUnit.KG else 1)
            g = int(grams.quantize(Decimal(1), rounding=ROUND_HALF_UP))
            if not 0 <= g <= MAX_WEIGHT_G:
                raise InvalidOperation
            row.weight_g = g
        except (InvalidOperation, ValueError):
            row.code = "payable_row_weight_invalid"
            return row
    date = get("date")
    if date:
        try:
            row.billed_on = _date(date)
        except ValueError:
            row.code = "payable_row_date_invalid"
            return row
    return row


def parse_all(mapping: Mapping, rows) -> list[Row]:
    """Every row parsed; a waybill and fee item billed twice refuses the later row."""
    out = [parse(mapping, n, cells) for n, cells in rows]
    seen: set[tuple] = set()
    for r in out:
        if not r.ok:
            continue
        key = (r.waybill_number, r.last_mile_number, r.reference, r.fee_item)
        if key in seen:
            r.code = "payable_row_duplicate"
        seen.add(key)
    return out


def digest(rows: list[Row]) -> str:
    """The bill's identity: a hash of every row's mapped fields (the same bill saved as CSV
    or .xlsx, or uploaded again, hashes the same)."""
    payload = [
        [r.row, r.waybill_number, r.last_mile_number, r.reference, r.weight_g,
         None if r.amount is None else str(r.amount), r.currency, r.fee_item,
         r.billed_on.isoformat() if r.billed_on else "", r.code]
        for r in rows
    ]  # fmt: skip
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()
