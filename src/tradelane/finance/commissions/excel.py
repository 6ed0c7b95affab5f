"""The Excel export of a commission statement (openpyxl, imported here only): a head with the
beneficiary, period, state and total, then one row per waybill with its basis."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from .models import CommissionStatement


def statement_xlsx(s: CommissionStatement, lines: list, labels: dict) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Commission statement"))
    who = s.agent.code if s.agent_id else s.salesperson.get_username()
    ws.append([_("Commission statement"), who, s.label])
    ws.append([_("Status"), labels["status"].get(s.status, s.status)])
    ws.append([_("Total"), s.total, s.currency])
    ws.append([_("Waybills"), s.waybill_count])
    ws.append([])
    ws.append([_("Waybill"), _("Customer"), _("Channel"), _("Date"), _("Basis"), _("Base"),
               _("Month's volume"), _("Tier from"), _("Rate"), _("Amount"), _("Currency"),
               _("Delta"), _("Note")])  # fmt: skip
    for x in lines:
        w = x.waybill
        ws.append([
            w.number, w.customer.code, w.channel.code, w.created_at.date().isoformat(),
            labels["basis"].get(x.basis, x.basis), x.base, x.volume,
            x.tier_min if x.tier_min is not None else "", x.rate, x.amount, x.currency,
            _("yes") if x.is_delta else "", labels["note"].get(x.note, x.note),
        ])  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
