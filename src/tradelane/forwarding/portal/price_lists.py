"""The customer's own price list (报价表) as an Excel workbook: one tab per channel open to it,
with the sale sheet that prices it today (its own, else its level's, else the standard sale
sheet, the order ``pricing.Pricer`` quotes in), the zones and their countries, and the weight
brackets. Never a cost sheet, never another customer's or level's sheet."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from tradelane.core import spreadsheet_safety as safety
from tradelane.logistics.models import RateSheet
from tradelane.logistics.rates import selectors as rates
from tradelane.logistics.rates.descriptions import SHEET_SALE, SheetData

from ..partners.models import CustomerAccount
from ..waybills.pricing import Pricer


def _kg(grams: int | None) -> Decimal | None:
    return None if grams is None else Decimal(grams) / 1000


def sheets(
    customer: CustomerAccount, on: dt.date | None = None
) -> list[tuple[str, str, SheetData]]:
    """(channel code, channel name, sale sheet) for every open channel that has one today."""
    on = on or timezone.localdate()
    pricer = Pricer(customer)
    found = []
    for code, ch in sorted(pricer.compiled.items()):
        level = ch.first_level_with_sheet(SHEET_SALE, pricer.levels, on)
        compiled = ch.sheet_for(SHEET_SALE, level, on)
        if compiled is None or compiled.id is None:
            continue
        sheet = RateSheet.objects.get(pk=compiled.id)
        if sheet.kind != SHEET_SALE or sheet.customer_level not in ("", *pricer.levels):
            continue  # never a cost sheet, never another customer's or level's
        found.append((code, pricer.names.get(code, code), rates.sheet_data(sheet)))
    return found


def workbook(customer: CustomerAccount, on: dt.date | None = None) -> bytes:
    from openpyxl import Workbook

    on = on or timezone.localdate()
    wb = Workbook()
    summary = wb.active
    summary.title = _("Channels")[:31]
    heading = _("Price list of %(customer)s on %(date)s") % {
        "customer": customer.company,
        "date": on,
    }
    summary.append(safety.xlsx_row(summary, [heading]))
    summary.append(
        safety.xlsx_row(summary, [_("Channel"), _("Name"), _("Currency"), _("In force from")])
    )
    for code, name, data in sheets(customer, on):
        summary.append(safety.xlsx_row(summary, [code, name, data.currency, data.effective_date]))
        ws = wb.create_sheet(code[:31])
        ws.append(safety.xlsx_row(ws, [_("Zone"), _("Zone name"), _("Countries")]))
        for z in data.zones:
            places = sorted({r.country for r in z.rules})
            ws.append(safety.xlsx_row(ws, [z.code, z.name, ", ".join(places)]))
        ws.append([])
        ws.append(safety.xlsx_row(ws, [
            _("Zone"), _("From kg (exclusive)"), _("To kg"), _("Flat"), _("First kg"),
            _("First weight fee"), _("Step kg"), _("Step fee"), _("Per kg"),
            _("Registration per piece"), _("Currency"),
        ]))  # fmt: skip
        for b in data.brackets:
            ws.append(safety.xlsx_row(ws, [
                b.zone, _kg(b.lower_g), _kg(b.upper_g), b.flat, _kg(b.first_g), b.first_fee,
                _kg(b.step_g), b.step_fee, b.per_kg, b.registration, data.currency,
            ]))  # fmt: skip
        if data.surcharges:
            ws.append([])
            ws.append(safety.xlsx_row(ws, [_("Surcharge"), _("Amount"), _("Per kg")]))
            for s in data.surcharges:
                ws.append(safety.xlsx_row(ws, [s.description or s.code, s.amount, s.per_kg]))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
