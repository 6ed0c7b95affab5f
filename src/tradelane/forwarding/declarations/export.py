"""Export declaration data (出口报关数据) for a batch of waybills: one row per goods line in the
column set of docs/customs_export.md, as rows, Excel (openpyxl, write-only) or CSV, after a
per-waybill check of what a declaration needs.

- ``check(waybills, on_date)``: for each waybill the reasons it cannot be declared (no goods
  lines, an item without HS code or value, items in another currency than the waybill's, an
  EU DDP parcel under the IOSS threshold without an IOSS number); an empty list is fine.
- ``export(waybills, on_date)``: the rows of the waybills that pass and the refused ones with
  their reasons; ``export_rows``, ``export_xlsx`` and ``export_csv`` are built on it. The
  workbook lists the refused waybills on a second sheet, so none is dropped silently.

Item weight: when every goods line of a waybill declares a unit weight, a line weighs
``unit weight x quantity``; otherwise the parcel's weight (measured, else forecast) is shared
among its lines by line value (by quantity when no line has a value), largest remainder to
the gram, so the lines add up to the parcel's weight exactly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from tradelane.core.countries import EU_MEMBERS
from tradelane.core.fx import Rates
from tradelane.core.money import Money, quantize
from tradelane.logistics.customs import decisions

from ..waybills.models import Incoterm, Waybill, WaybillItem

# (key, 中文, English): the documented column set, in order (docs/customs_export.md)
COLUMNS = (
    ("line", "序号", "Line"),
    ("waybill", "运单号", "Waybill"),
    ("tracking_number", "跟踪号", "Tracking number"),
    ("reference", "客户单号", "Customer reference"),
    ("name_zh", "中文品名", "Name (zh)"),
    ("name_en", "英文品名", "Name (en)"),
    ("hs_code", "HS编码", "HS code"),
    ("quantity", "数量", "Quantity"),
    ("unit_value", "单价", "Unit value"),
    ("total_value", "总价", "Total value"),
    ("currency", "币种", "Currency"),
    ("origin", "原产国", "Origin"),
    ("weight_kg", "重量(kg)", "Weight (kg)"),
    ("consignee_country", "收件国家", "Consignee country"),
    ("ioss", "IOSS", "IOSS"),
    ("consignee", "收件人", "Consignee"),
    ("consignee_address", "收件地址", "Consignee address"),
    ("consignee_city", "收件城市", "Consignee city"),
    ("consignee_postcode", "收件邮编", "Consignee postcode"),
    ("incoterm", "贸易条款", "Incoterm"),
    ("channel", "渠道", "Channel"),
)
KEYS = tuple(k for k, _zh, _en in COLUMNS)
HEADER = tuple(zh if zh == en else f"{zh}/{en}" for _k, zh, en in COLUMNS)
REFUSED_HEADER = ("运单号/Waybill", "原因代码/Reason code", "原因/Reason")
KG = Decimal(1000)
GRAM = Decimal("0.001")


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str
    message: str


@dataclass
class ExportResult:
    rows: list[dict] = field(default_factory=list)
    exported: list[Waybill] = field(default_factory=list)
    refused: list[tuple[Waybill, list[Refusal]]] = field(default_factory=list)


def with_items(waybills: Iterable[Waybill] | QuerySet) -> list[Waybill]:
    """The waybills with their channel, customer and goods lines (3 queries for a queryset,
    oldest first)."""
    if isinstance(waybills, QuerySet):
        return list(
            waybills.order_by("id")
            .select_related("channel", "customer")
            .prefetch_related(Prefetch("items", queryset=WaybillItem.objects.order_by("seq")))
        )
    return list(waybills)


class IossThresholds:
    """The IOSS threshold per EU destination on one date (one query per country), and the
    conversions to its currency."""

    def __init__(self, on_date: dt.date, rates: Rates | None = None) -> None:
        self.on = on_date
        self.rates = rates or Rates()
        self._found: dict[str, object] = {}

    def threshold(self, country: str):
        if country not in self._found:
            self._found[country] = decisions.threshold(country, decisions.IOSS, self.on)
        return self._found[country]

    def under(self, country: str, value: Money) -> bool | None:
        """Whether ``value`` is at most the IOSS threshold; None without a threshold or rate."""
        t = self.threshold(country)
        if t is None:
            return None
        conv = self.rates.convert(value, t.currency)
        return None if conv is None else conv.amount <= t.amount


def reasons(w: Waybill, ioss: IossThresholds) -> list[Refusal]:
    """Why ``w`` cannot be declared as it is (empty when it can)."""
    items = list(w.items.all())
    out: list[Refusal] = []
    if not items:
        return [Refusal("no_items", f"Waybill {w.number} has no goods lines")]
    for it in items:
        if not it.hs_code.strip():
            out.append(Refusal("hs_code_missing", f"Line {it.seq} ({it.name_en}) has no HS code"))
        if it.unit_value is None or it.unit_value <= 0:
            out.append(Refusal("item_value_missing", f"Line {it.seq} ({it.name_en}) has no value"))
        if it.currency != w.declared_currency:
            out.append(Refusal(
                "currency_mismatch",
                f"Line {it.seq} is in {it.currency}, the waybill in {w.declared_currency}",
            ))  # fmt: skip
    if (
        w.consignee_country in EU_MEMBERS
        and w.incoterm == Incoterm.DDP
        and not w.ioss.strip()
        and ioss.under(w.consignee_country, Money(w.declared_value, w.declared_currency))
    ):
        out.append(Refusal(
            "ioss_missing",
            f"DDP to {w.consignee_country} under the IOSS threshold needs an IOSS number",
        ))  # fmt: skip
    return out


def check(
    waybills: Iterable[Waybill] | QuerySet, on_date: dt.date | None = None
) -> list[tuple[Waybill, list[Refusal]]]:
    """Every waybill with the reasons it cannot be declared (an empty list when it can)."""
    ioss = IossThresholds(on_date or timezone.localdate())
    return [(w, reasons(w, ioss)) for w in with_items(waybills)]


def _shares(total: int, weights: list[Decimal]) -> list[int]:
    """``total`` grams shared in proportion to ``weights`` (largest remainder): sums to it."""
    whole = sum(weights)
    if whole <= 0:
        weights, whole = [Decimal(1)] * len(weights), Decimal(len(weights))
    exact = [Decimal(total) * w / whole for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def item_weights_g(w: Waybill, items: list[WaybillItem]) -> list[int]:
    """Each goods line's weight in grams, by the rule in the module's docstring."""
    if items and all(it.unit_weight_g > 0 for it in items):
        return [it.unit_weight_g * it.quantity for it in items]
    values = [it.unit_value * it.quantity for it in items]
    if sum(values) <= 0:
        values = [Decimal(it.quantity) for it in items]
    return _shares(w.weight_g, values)


def money(amount: Decimal, currency: str) -> Decimal:
    """An amount in its currency's minor units (12.50 USD), unless that would round it."""
    q = quantize(amount, currency)
    return q if q == amount else amount.normalize()


def _address(w: Waybill) -> str:
    return " ".join(p for p in (w.consignee_address1, w.consignee_address2) if p)


def waybill_rows(w: Waybill, start: int = 1) -> list[dict]:
    items = list(w.items.all())
    weights = item_weights_g(w, items)
    rows = []
    for n, (it, grams) in enumerate(zip(items, weights, strict=True), start=start):
        cur = it.currency
        rows.append({
            "line": n, "waybill": w.number, "tracking_number": w.tracking_number,
            "reference": w.reference, "name_zh": it.name_zh, "name_en": it.name_en,
            "hs_code": it.hs_code, "quantity": it.quantity, "unit_value": money(it.unit_value, cur),
            "total_value": money(it.unit_value * it.quantity, cur), "currency": cur,
            "origin": it.origin, "weight_kg": (Decimal(grams) / KG).quantize(GRAM),
            "consignee_country": w.consignee_country, "ioss": w.ioss,
            "consignee": w.consignee_name, "consignee_address": _address(w),
            "consignee_city": w.consignee_city, "consignee_postcode": w.consignee_postcode,
            "incoterm": w.incoterm, "channel": w.channel.code,
        })  # fmt: skip
    return rows


def export(waybills: Iterable[Waybill] | QuerySet, on_date: dt.date | None = None) -> ExportResult:
    result = ExportResult()
    for w, found in check(waybills, on_date):
        if found:
            result.refused.append((w, found))
            continue
        result.rows.extend(waybill_rows(w, len(result.rows) + 1))
        result.exported.append(w)
    return result


def export_rows(
    waybills: Iterable[Waybill] | QuerySet, on_date: dt.date | None = None
) -> list[dict]:
    """One dict per goods line (keys ``KEYS``) of the waybills that can be declared."""
    return export(waybills, on_date).rows


def export_xlsx(
    waybills: Iterable[Waybill] | QuerySet, title: str, on_date: dt.date | None = None
) -> bytes:
    """The declaration rows as an Excel workbook: sheet 1 the rows under the two-language
    header (a title line above it), sheet 2 the refused waybills with their reasons."""
    from openpyxl import Workbook

    result = export(waybills, on_date)
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("报关 Declaration")
    sheet.append([title])
    sheet.append(list(HEADER))
    for row in result.rows:
        sheet.append([row[k] for k in KEYS])
    refused = wb.create_sheet("未通过 Refused")
    refused.append(list(REFUSED_HEADER))
    for w, found in result.refused:
        for r in found:
            refused.append([w.number, r.code, r.message])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_csv(waybills: Iterable[Waybill] | QuerySet, on_date: dt.date | None = None) -> str:
    """The declaration rows as CSV under the two-language header (UTF-8; the view adds a BOM
    so that Excel reads the Chinese)."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(HEADER)
    for row in export(waybills, on_date).rows:
        out.writerow([row[k] for k in KEYS])
    return buf.getvalue()
