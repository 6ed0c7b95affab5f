"""Statements in the role matrix's world: the waybill's fee lines on one issued statement
(the portal's and finance's pages, confirm, dispute) and a later line on a draft (issue)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tradelane.finance.fees.models import WaybillFeeLine
from tradelane.finance.statements import services


def _next_month(day: dt.date, n: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 + n, 12)
    return dt.date(y, m + 1, 1)


def seed_statements(admin, waybill) -> dict:
    today = timezone.localdate()
    WaybillFeeLine.objects.create(waybill=waybill, fee_item_id="freight", side="receivable",
                                  amount="30.00", currency="CNY", stage="manual",
                                  reason="matrix")  # fmt: skip
    [issued] = services.generate_statements(admin, today=_next_month(today, 1))
    services.issue_statement(admin, issued)
    WaybillFeeLine.objects.create(waybill=waybill, fee_item_id="storage", side="receivable",
                                  amount="5.00", currency="CNY", stage="manual",
                                  reason="matrix")  # fmt: skip
    [draft] = services.generate_statements(admin, today=_next_month(today, 2))
    line = issued.lines.first()
    return {"statement": issued.number, "statement_draft": draft.number,
            "statement_line": line.pk}  # fmt: skip
