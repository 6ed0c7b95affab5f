"""The receivables' ageing as an Excel workbook (one sheet: a row per customer and currency,
the four age buckets and the total, then a total row per currency). openpyxl is imported
here, when a workbook is made."""

from __future__ import annotations

import datetime as dt
import io

from django.utils.translation import gettext as _

from .selectors import BUCKETS, AgeingRow, ageing_totals


def bucket_labels() -> dict[str, str]:
    return {"0_30": _("0-30 days"), "31_60": _("31-60 days"), "61_90": _("61-90 days"),
            "90_plus": _("Over 90 days")}  # fmt: skip


def ageing_workbook(rows: list[AgeingRow], as_of: dt.date) -> bytes:
    from openpyxl import Workbook

    labels = bucket_labels()
    wb = Workbook()
    ws = wb.active
    ws.title = _("Ageing")[:31]
    ws.append([_("Receivables ageing on %(date)s") % {"date": as_of.isoformat()}])
    ws.append([_("Customer"), _("Company"), _("Currency"), *(labels[b] for b in BUCKETS),
               _("Total")])  # fmt: skip
    for r in rows:
        ws.append([r.customer.code, r.customer.company, r.currency,
                   *(r.buckets[b] for b in BUCKETS), r.total])  # fmt: skip
    for currency, t in sorted(ageing_totals(rows).items()):
        ws.append([_("Total"), "", currency, *(t[b] for b in BUCKETS), t["total"]])
    for row in ws.iter_rows(min_row=3, min_col=4, max_col=8):
        for cell in row:
            cell.number_format = "#,##0.00"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
