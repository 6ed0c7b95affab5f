"""Rate sheets as Excel workbooks, in the zone x weight grid that providers send.

Tabs (English names; the Chinese names in brackets are accepted too):

- ``Prices`` (价格): the grid. Row 1: ``from_kg`` (optional), ``to_kg``, then one column per
  zone code. Each further row is a weight bracket (lower exclusive, upper inclusive, kg); a cell
  is the flat price of that zone for that bracket; an empty cell (or ``-``) means none. Without
  a ``from_kg`` column a row starts where the previous one ended (the first at 0).
- ``Zones`` (分区): zone, name, country, postcode_prefix, postcode_from, postcode_to, city. One
  row per rule; several rows may name one zone. A country cell may list several countries
  ("US, CA") when the row has no postcode or city.
- ``Formulas`` (公式): zone, from_kg, to_kg, first_kg, first_fee, step_kg, step_fee, per_kg,
  registration (and optionally flat): first/continued weight, per-kg and per-parcel
  registration prices, alone or on top of the grid's flat price for the same bracket.
- ``Fuel`` (燃油): effective_from, percent, applies_to ("freight, remote").
- ``Surcharges`` (附加费): code, kind, description, amount, per_kg, minimum, threshold_mm,
  threshold_g. ``Remote areas`` (偏远地区): surcharge, country, postcode_prefix, postcode_from,
  postcode_to, city.
- ``Sheet`` (说明): key / value rows: kind, customer_level, currency, effective_date, name.

``read_workbook`` returns a validated ``SheetData`` or raises ``ValidationFailed`` with code
``import_failed`` and every problem as ``{sheet, row, column, code, message}``: nothing is
imported unless the whole file is right. The file is read under the import limits of
``core.spreadsheet_safety`` (archive sizes, rows per tab, cell length; 413 past one).
``write_workbook`` writes the same layout (text as text cells, never formulas), so
``read_workbook(write_workbook(data)) == data``.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from tradelane.core import spreadsheet_safety as safety
from tradelane.core.errors import ValidationFailed

from .descriptions import (
    SHEET_COST,
    AreaRule,
    BracketData,
    FuelData,
    SheetData,
    SurchargeData,
    ZoneData,
)
from .validation import validate_sheet


def get_column_letter(index: int) -> str:
    """openpyxl's column letter; openpyxl (about 12 MB) is imported where a sheet is read or
    written, not by every process that imports the rates package."""
    from openpyxl.utils import get_column_letter as letter

    return letter(index)


TAB_PRICES, TAB_ZONES, TAB_FORMULAS = "Prices", "Zones", "Formulas"
TAB_FUEL, TAB_SURCHARGES, TAB_AREAS, TAB_SHEET = "Fuel", "Surcharges", "Remote areas", "Sheet"
_TAB_ALIASES = {
    TAB_PRICES: {"prices", "price", "价格", "价格表", "运费"},
    TAB_ZONES: {"zones", "zone", "分区", "分区表"},
    TAB_FORMULAS: {"formulas", "formula", "公式", "首续重"},
    TAB_FUEL: {"fuel", "燃油"},
    TAB_SURCHARGES: {"surcharges", "surcharge", "附加费"},
    TAB_AREAS: {"remote areas", "remote_areas", "remote", "偏远地区", "偏远"},
    TAB_SHEET: {"sheet", "说明", "表头"},
}

ZONE_COLUMNS = (
    "zone",
    "name",
    "country",
    "postcode_prefix",
    "postcode_from",
    "postcode_to",
    "city",
)
FORMULA_COLUMNS = (
    "zone",
    "from_kg",
    "to_kg",
    "first_kg",
    "first_fee",
    "step_kg",
    "step_fee",
    "per_kg",
    "registration",
    "flat",
)
FUEL_COLUMNS = ("effective_from", "percent", "applies_to")
SURCHARGE_COLUMNS = (
    "code",
    "kind",
    "description",
    "amount",
    "per_kg",
    "minimum",
    "threshold_mm",
    "threshold_g",
)
AREA_COLUMNS = ("surcharge", "country", "postcode_prefix", "postcode_from", "postcode_to", "city")
SHEET_KEYS = ("kind", "customer_level", "currency", "effective_date", "name")

_HEADER_ALIASES = {
    "zone": {"zone", "zone_code", "分区", "区"},
    "name": {"name", "zone_name", "名称", "分区名称"},
    "country": {"country", "countries", "国家", "国家代码"},
    "postcode_prefix": {"postcode_prefix", "prefix", "zip_prefix", "邮编前缀"},
    "postcode_from": {"postcode_from", "zip_from", "邮编起"},
    "postcode_to": {"postcode_to", "zip_to", "邮编止"},
    "city": {"city", "城市"},
    "from_kg": {"from_kg", "from", "起重", "起始重量"},
    "to_kg": {"to_kg", "weight_kg", "kg", "weight", "to", "重量", "重量(kg)", "重量kg", "止重"},
    "first_kg": {"first_kg", "首重"},
    "first_fee": {"first_fee", "首重价格", "首重运费"},
    "step_kg": {"step_kg", "续重单位"},
    "step_fee": {"step_fee", "续重价格", "续重运费"},
    "per_kg": {"per_kg", "per_kg_rate", "每公斤", "公斤价"},
    "registration": {"registration", "registration_fee", "挂号费", "处理费"},
    "flat": {"flat", "flat_price", "价格"},
    "effective_from": {"effective_from", "from_date", "生效日期"},
    "percent": {"percent", "rate", "百分比", "燃油率"},
    "applies_to": {"applies_to", "适用"},
    "code": {"code", "代码"},
    "kind": {"kind", "type", "类型"},
    "description": {"description", "说明", "描述"},
    "amount": {"amount", "fee", "金额"},
    "minimum": {"minimum", "min", "最低"},
    "threshold_mm": {"threshold_mm"},
    "threshold_g": {"threshold_g"},
    "surcharge": {"surcharge", "附加费"},
}
_FIELD_COLUMN = {  # spec field -> workbook column name
    "lower_g": "from_kg",
    "upper_g": "to_kg",
    "first_g": "first_kg",
    "step_g": "step_kg",
    "areas": "surcharge",
}
_FORMULA_FIELDS = {"first_g", "first_fee", "step_g", "step_fee", "per_kg", "registration"}
_EMPTY = {"", "-", "—", "–", "/", "n/a", "N/A"}


# --- errors ---------------------------------------------------------------------------------


@dataclass
class _Loc:
    tab: str
    row: int | None
    columns: dict[str, str] = field(default_factory=dict)  # field -> column letter

    def column(self, name: str) -> str | None:
        return self.columns.get(name) or self.columns.get(_FIELD_COLUMN.get(name, name))


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, tab: str, row: int | None, column: str | None, code: str, msg: str) -> None:
        self.items.append(
            {"sheet": tab, "row": row, "column": column, "code": code, "message": msg}
        )

    def raise_if_any(self) -> None:
        if self.items:
            n = len(self.items)
            first = self.items[0]
            where = f"{first['sheet']}" + (f" row {first['row']}" if first["row"] else "")
            raise ValidationFailed(
                f"The rate sheet has {n} error{'s' if n > 1 else ''}, nothing was imported "
                f"(first: {where}: {first['message']})",
                code="import_failed",
                details={"errors": self.items},
            )


class _CellError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


# --- cell values ----------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return safety.restore(str(value).strip())


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise _CellError("not_a_number", f"{value!r} is not a number")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        # Excel stores numbers as doubles; repr gives the shortest exact decimal text
        result = Decimal(repr(value))
    else:
        raw = str(value).strip()
        if raw in _EMPTY:
            return None
        try:
            result = Decimal(raw.replace(",", "").replace("，", ""))
        except InvalidOperation:
            raise _CellError("not_a_number", f"{raw!r} is not a number") from None
    if not result.is_finite():
        raise _CellError("not_a_number", f"{value!r} is not a number")
    return result


def _grams_from_kg(value: Any) -> int | None:
    kg = _decimal(value)
    if kg is None:
        return None
    grams = kg * 1000
    if grams != grams.to_integral_value():
        raise _CellError("not_whole_grams", f"{kg} kg is not a whole number of grams")
    if grams < 0:
        raise _CellError("negative", "A weight cannot be negative")
    return int(grams)


def _whole(value: Any) -> int | None:
    number = _decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise _CellError("not_whole", f"{number} is not a whole number")
    return int(number)


def _date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise _CellError("invalid_date", f"{value!r} is not a date (YYYY-MM-DD)") from None


def _kg(grams: int | None) -> Decimal | None:
    return None if grams is None else Decimal(grams).scaleb(-3)


# --- reading --------------------------------------------------------------------------------


def _norm_header(value: Any) -> str:
    return _text(value).lower().replace(" ", "_").replace("（", "(").replace("）", ")")


def _header_map(header: tuple, wanted: tuple[str, ...]) -> dict[str, int]:
    """{field: column index} for the headers this tab knows."""
    found: dict[str, int] = {}
    for i, raw in enumerate(header):
        h = _norm_header(raw)
        for name in wanted:
            if name not in found and (h == name or h in _HEADER_ALIASES.get(name, ())):
                found[name] = i
                break
    return found


def _at(row: tuple, i: int) -> Any:
    return row[i] if i < len(row) else None


def _rows(ws) -> list[tuple[int, tuple]]:
    """The tab's non-blank rows, numbered; past the import limits the file is refused."""
    guard = safety.RowGuard()
    out = []
    for r, row in enumerate(safety.sheet_rows(ws, code="not_xlsx"), start=1):
        guard.row()
        guard.cells(row, r)
        if any(v is not None and _text(v) != "" for v in row):
            out.append((r, row))
    return out


class _Reader:
    def __init__(self, wb) -> None:
        self.errors = _Errors()
        self.locs: dict[tuple, _Loc] = {}
        self.tabs: dict[str, Any] = {}
        for ws in wb.worksheets:
            name = ws.title.strip().lower()
            for tab, aliases in _TAB_ALIASES.items():
                if name == tab.lower() or name in aliases:
                    self.tabs.setdefault(tab, ws)

    def table(self, tab: str, wanted: tuple[str, ...], required: tuple[str, ...]):
        ws = self.tabs.get(tab)
        if ws is None:
            return None, {}
        rows = _rows(ws)
        if not rows:
            return [], {}
        header_row, header = rows[0]
        cols = _header_map(header, wanted)
        missing = [c for c in required if c not in cols]
        for name in missing:
            self.errors.add(tab, header_row, None, "missing_column", f"No {name} column")
        letters = {name: get_column_letter(i + 1) for name, i in cols.items()}
        return (
            [
                (r, {n: (row[i] if i < len(row) else None) for n, i in cols.items()})
                for r, row in rows[1:]
            ]
            if not missing
            else []
        ), letters

    def cell(self, tab: str, r: int, letters: dict, name: str, fn, value):
        try:
            return fn(value)
        except _CellError as exc:
            self.errors.add(tab, r, letters.get(name), exc.code, exc.message)
            return None


def read_workbook(source: bytes | BinaryIO, *, overrides: dict | None = None) -> SheetData:
    """Read a rate-sheet workbook. ``overrides`` (kind, customer_level, currency,
    effective_date, name) win over the file's ``Sheet`` tab."""
    raw = source if isinstance(source, bytes) else source.read()
    wb = safety.open_workbook(raw, code="not_xlsx", message="Not an Excel (.xlsx) file")
    try:
        return _read(_Reader(wb), overrides or {})
    finally:
        wb.close()


def _read(rd: _Reader, overrides: dict) -> SheetData:
    err = rd.errors
    cell = rd.cell

    # Sheet: key/value
    header: dict[str, Any] = {}
    if TAB_SHEET in rd.tabs:
        for r, row in _rows(rd.tabs[TAB_SHEET]):
            key = _norm_header(row[0] if row else None)
            if key in SHEET_KEYS:
                header[key] = (row[1] if len(row) > 1 else None, r)
    sheet_loc = _Loc(TAB_SHEET, None)

    def head(key: str, conv, default):
        if key in overrides and overrides[key] is not None:
            return overrides[key]
        if key in header:
            value, r = header[key]
            sheet_loc.columns[key] = "B"
            result = cell(TAB_SHEET, r, {key: "B"}, key, conv, value)
            return default if result is None else result
        return default

    kind = head("kind", _text, SHEET_COST) or SHEET_COST
    level = head("customer_level", _text, "")
    currency = head("currency", _text, "")
    effective = head("effective_date", _date, None)
    sheet_name = head("name", _text, "")
    if not currency:
        err.add(TAB_SHEET, None, None, "required", "The currency is missing")
    if effective is None:
        err.add(TAB_SHEET, None, None, "required", "The effective date is missing")
    rd.locs[("sheet",)] = sheet_loc

    # Zones
    zone_rules: dict[str, list[AreaRule]] = {}
    zone_names: dict[str, str] = {}
    rows, letters = rd.table(TAB_ZONES, ZONE_COLUMNS, ("zone", "country"))
    if rows is None:
        err.add(TAB_ZONES, None, None, "missing_sheet", "No Zones sheet")
        rows = []
    for r, row in rows:
        code = _text(row.get("zone"))
        if not code:
            err.add(TAB_ZONES, r, letters.get("zone"), "required", "The zone is missing")
            continue
        zone_rules.setdefault(code, [])
        if _text(row.get("name")) and not zone_names.get(code):
            zone_names[code] = _text(row.get("name"))
        rd.locs.setdefault(("zone", code), _Loc(TAB_ZONES, r, letters))
        refine = {k: _text(row.get(k)) for k in ZONE_COLUMNS[3:]}
        countries = [
            c
            for c in _text(row.get("country"))
            .replace("、", ",")
            .replace(";", ",")
            .replace("/", ",")
            .split(",")
            if c.strip()
        ]
        if len(countries) > 1 and any(refine.values()):
            err.add(
                TAB_ZONES,
                r,
                letters.get("country"),
                "ambiguous_rule",
                "A row with a postcode or city names one country",
            )
            continue
        for country in countries or [""]:
            rd.locs[("zone_rule", code, len(zone_rules[code]))] = _Loc(TAB_ZONES, r, letters)
            zone_rules[code].append(AreaRule(country=country.strip(), **refine))
    zones = [
        ZoneData(code, zone_names.get(code, ""), tuple(rules)) for code, rules in zone_rules.items()
    ]

    # Prices grid
    brackets: dict[tuple[str, int, int], dict[str, Any]] = {}
    grid = _rows(rd.tabs[TAB_PRICES]) if TAB_PRICES in rd.tabs else []
    if grid:
        hr, hrow = grid[0]
        cols = _header_map(hrow, ("from_kg", "to_kg"))
        if "to_kg" not in cols:
            err.add(TAB_PRICES, hr, None, "missing_column", "No to_kg (weight) column")
            grid = grid[:1]
        weights = {name: get_column_letter(i + 1) for name, i in cols.items()}
        zone_cols = [
            (i, _text(v)) for i, v in enumerate(hrow) if i not in cols.values() and _text(v)
        ]
        for i, code in zone_cols:
            if code not in zone_rules:
                err.add(
                    TAB_PRICES,
                    hr,
                    get_column_letter(i + 1),
                    "unknown_zone",
                    f"Zone {code} is not in the Zones sheet",
                )
        previous_upper = 0
        for r, row in grid[1:]:
            n = len(err.items)
            upper = cell(TAB_PRICES, r, weights, "to_kg", _grams_from_kg, _at(row, cols["to_kg"]))
            lower = None
            if "from_kg" in cols:
                lower = cell(
                    TAB_PRICES, r, weights, "from_kg", _grams_from_kg, _at(row, cols["from_kg"])
                )
            if len(err.items) > n:
                continue
            if upper is None:
                err.add(TAB_PRICES, r, weights["to_kg"], "required", "The weight is missing")
                continue
            lower = previous_upper if lower is None else lower
            previous_upper = upper
            for i, code in zone_cols:
                letter = get_column_letter(i + 1)
                price = cell(TAB_PRICES, r, {code: letter}, code, _decimal, _at(row, i))
                if price is None or code not in zone_rules:
                    continue
                key = (code, lower, upper)
                if key in brackets:
                    err.add(
                        TAB_PRICES,
                        r,
                        letter,
                        "duplicate_bracket",
                        f"Zone {code} has two prices for {_kg(lower)}–{_kg(upper)} kg",
                    )
                    continue
                brackets[key] = {"flat": price}
                rd.locs[("bracket", *key)] = _Loc(
                    TAB_PRICES, r, {**weights, "flat": letter, "zone": letter}
                )

    # Formulas
    rows, letters = rd.table(TAB_FORMULAS, FORMULA_COLUMNS, ("zone", "to_kg"))
    seen_formula: set[tuple] = set()
    for r, row in rows or []:
        code = _text(row.get("zone"))
        if code not in zone_rules:
            err.add(
                TAB_FORMULAS,
                r,
                letters.get("zone"),
                "unknown_zone",
                f"Zone {code!r} is not in the Zones sheet",
            )
            continue
        values = {}
        n = len(err.items)
        for name in ("from_kg", "to_kg", "first_kg", "step_kg"):
            values[name] = cell(TAB_FORMULAS, r, letters, name, _grams_from_kg, row.get(name))
        for name in ("first_fee", "step_fee", "per_kg", "registration", "flat"):
            values[name] = cell(TAB_FORMULAS, r, letters, name, _decimal, row.get(name))
        if len(err.items) > n:
            continue
        if values["to_kg"] is None:
            err.add(TAB_FORMULAS, r, letters.get("to_kg"), "required", "to_kg is missing")
            continue
        key = (code, values["from_kg"] or 0, values["to_kg"])
        if key in seen_formula:
            err.add(
                TAB_FORMULAS,
                r,
                letters.get("to_kg"),
                "duplicate_bracket",
                f"Zone {code} has two formula rows for this weight range",
            )
            continue
        seen_formula.add(key)
        parts = brackets.setdefault(key, {})
        if values["flat"] is not None and "flat" in parts:
            err.add(
                TAB_FORMULAS,
                r,
                letters.get("flat"),
                "flat_twice",
                "This bracket already has a flat price in the Prices grid",
            )
            continue
        for src, dst in (
            ("first_kg", "first_g"),
            ("first_fee", "first_fee"),
            ("step_kg", "step_g"),
            ("step_fee", "step_fee"),
            ("per_kg", "per_kg"),
            ("registration", "registration"),
            ("flat", "flat"),
        ):
            if values[src] is not None:
                parts[dst] = values[src]
        ref = ("bracket", *key)
        if ref in rd.locs:
            # grid location for the flat price and weights, formula row for the rest
            grid = rd.locs[ref]
            merged = dict(letters)
            merged.update({"flat": grid.columns["flat"]} if values["flat"] is None else {})
            rd.locs[ref] = _Loc(TAB_FORMULAS, r, merged)
        else:
            rd.locs[ref] = _Loc(TAB_FORMULAS, r, letters)
    if TAB_PRICES not in rd.tabs and TAB_FORMULAS not in rd.tabs:
        err.add(TAB_PRICES, None, None, "missing_sheet", "No Prices (or Formulas) sheet")

    # Surcharges and remote areas
    surcharges: list[dict[str, Any]] = []
    rows, letters = rd.table(TAB_SURCHARGES, SURCHARGE_COLUMNS, ("code", "kind"))
    by_code: dict[str, dict[str, Any]] = {}
    for r, row in rows or []:
        item: dict[str, Any] = {
            "code": _text(row.get("code")),
            "kind": _text(row.get("kind")),
            "description": _text(row.get("description")),
            "areas": [],
        }
        for name in ("amount", "per_kg", "minimum"):
            item[name] = cell(TAB_SURCHARGES, r, letters, name, _decimal, row.get(name))
        for name in ("threshold_mm", "threshold_g"):
            item[name] = cell(TAB_SURCHARGES, r, letters, name, _whole, row.get(name))
        rd.locs[("surcharge", item["code"] or len(surcharges))] = _Loc(TAB_SURCHARGES, r, letters)
        surcharges.append(item)
        by_code.setdefault(item["code"], item)
    rows, letters = rd.table(TAB_AREAS, AREA_COLUMNS, ("surcharge", "country"))
    for r, row in rows or []:
        code = _text(row.get("surcharge"))
        target = by_code.get(code)
        if target is None:
            err.add(
                TAB_AREAS,
                r,
                letters.get("surcharge"),
                "unknown_surcharge",
                f"Surcharge {code!r} is not in the Surcharges sheet",
            )
            continue
        rd.locs[("area", code, len(target["areas"]))] = _Loc(TAB_AREAS, r, letters)
        target["areas"].append(AreaRule(**{k: _text(row.get(k)) for k in AREA_COLUMNS[1:]}))

    # Fuel
    fuel: list[FuelData] = []
    rows, letters = rd.table(TAB_FUEL, FUEL_COLUMNS, ("effective_from", "percent"))
    for r, row in rows or []:
        n = len(err.items)
        when = cell(TAB_FUEL, r, letters, "effective_from", _date, row.get("effective_from"))
        pct = cell(TAB_FUEL, r, letters, "percent", _decimal, row.get("percent"))
        if len(err.items) > n:
            continue
        if when is None or pct is None:
            err.add(
                TAB_FUEL,
                r,
                letters.get("effective_from" if when is None else "percent"),
                "required",
                "A fuel row needs a date and a percentage",
            )
            continue
        applies = tuple(
            c.strip()
            for c in _text(row.get("applies_to")).replace("，", ",").split(",")
            if c.strip()
        )
        rd.locs[("fuel", when)] = _Loc(TAB_FUEL, r, letters)
        fuel.append(FuelData(when, pct, applies) if applies else FuelData(when, pct))

    data = SheetData(
        kind=kind,
        customer_level=level,
        currency=currency,
        effective_date=effective or dt.date(1970, 1, 1),
        name=sheet_name,
        active=True,
        zones=tuple(zones),
        brackets=tuple(
            BracketData(zone=z, lower_g=lo, upper_g=hi, **parts)
            for (z, lo, hi), parts in brackets.items()
        ),
        fuel=tuple(fuel),
        surcharges=tuple(SurchargeData(**{**s, "areas": tuple(s["areas"])}) for s in surcharges),
    )
    clean, problems = validate_sheet(data)
    missing = {
        name for name, value in (("currency", currency), ("effective_date", effective)) if not value
    }
    for p in problems:
        if p.ref == ("sheet",) and p.field in missing:
            continue  # already reported as missing
        loc = rd.locs.get(p.ref)
        if loc is None and p.ref and p.ref[0] == "bracket":
            loc = rd.locs.get(("bracket", *p.ref[1:]))
        if loc is None:
            err.add(TAB_SHEET if p.ref == ("sheet",) else "", None, None, p.code, p.message)
        else:
            err.add(loc.tab, loc.row, loc.column(p.field), p.code, p.message)
    err.raise_if_any()
    return clean


# --- writing --------------------------------------------------------------------------------


def _append(ws, values: list[Any], text_columns: tuple[int, ...] = ()) -> None:
    """A row: text as text cells (never a formula, see ``core.spreadsheet_safety``); the
    ``text_columns`` also formatted as text (postcodes keep their leading zeros)."""
    ws.append(safety.xlsx_row(ws, values))
    for i in text_columns:
        ws.cell(row=ws.max_row, column=i + 1).number_format = "@"


def write_workbook(data: SheetData) -> bytes:
    """Write a (validated) sheet in the layout ``read_workbook`` reads."""
    from openpyxl import Workbook

    data = data.canonical()
    wb = Workbook()
    ws = wb.active
    ws.title = TAB_PRICES
    zone_codes = [z.code for z in data.zones]
    ranges = sorted(
        {(b.lower_g, b.upper_g) for b in data.brackets if b.flat is not None},
        key=lambda t: (t[1], t[0]),
    )
    flat = {(b.zone, b.lower_g, b.upper_g): b.flat for b in data.brackets if b.flat is not None}
    _append(ws, ["from_kg", "to_kg", *zone_codes], tuple(range(2, 2 + len(zone_codes))))
    for lower, upper in ranges:
        _append(ws, [_kg(lower), _kg(upper), *(flat.get((z, lower, upper)) for z in zone_codes)])

    ws = wb.create_sheet(TAB_ZONES)
    _append(ws, list(ZONE_COLUMNS))
    for z in data.zones:
        for rule in z.rules:
            _append(
                ws,
                [
                    z.code,
                    z.name,
                    rule.country,
                    rule.postcode_prefix,
                    rule.postcode_from,
                    rule.postcode_to,
                    rule.city,
                ],
                (0, 3, 4, 5),
            )

    ws = wb.create_sheet(TAB_FORMULAS)
    _append(ws, list(FORMULA_COLUMNS[:-1]))
    for b in data.brackets:
        if b.first_fee is None and b.per_kg is None and b.registration is None:
            continue
        _append(
            ws,
            [
                b.zone,
                _kg(b.lower_g),
                _kg(b.upper_g),
                _kg(b.first_g),
                b.first_fee,
                _kg(b.step_g),
                b.step_fee,
                b.per_kg,
                b.registration,
            ],
            (0,),
        )

    ws = wb.create_sheet(TAB_FUEL)
    _append(ws, list(FUEL_COLUMNS))
    for f in data.fuel:
        _append(ws, [f.effective_from, f.percent, ", ".join(f.applies_to)])
        ws.cell(row=ws.max_row, column=1).number_format = "yyyy-mm-dd"

    ws = wb.create_sheet(TAB_SURCHARGES)
    _append(ws, list(SURCHARGE_COLUMNS))
    for s in data.surcharges:
        _append(
            ws,
            [
                s.code,
                s.kind,
                s.description,
                s.amount,
                s.per_kg,
                s.minimum,
                s.threshold_mm,
                s.threshold_g,
            ],
        )
    ws = wb.create_sheet(TAB_AREAS)
    _append(ws, list(AREA_COLUMNS))
    for s in data.surcharges:
        for a in s.areas:
            _append(
                ws,
                [s.code, a.country, a.postcode_prefix, a.postcode_from, a.postcode_to, a.city],
                (0, 2, 3, 4),
            )

    ws = wb.create_sheet(TAB_SHEET)
    _append(ws, ["kind", data.kind])
    _append(ws, ["customer_level", data.customer_level])
    _append(ws, ["currency", data.currency])
    _append(ws, ["effective_date", data.effective_date])
    ws.cell(row=ws.max_row, column=2).number_format = "yyyy-mm-dd"
    _append(ws, ["name", data.name])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
