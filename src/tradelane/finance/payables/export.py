"""A bill's audit as an Excel workbook (openpyxl, imported here): one row per bill line with
their figures, ours and the differences, its state; then the totals. Headers in both
languages (中文 / English), as finance sends it back to the line."""

from __future__ import annotations

import io

from tradelane.core.spreadsheet_safety import xlsx_row

from . import selectors
from .models import UpstreamBill

HEAD = (
    "行 / Row", "运单号 / Waybill", "转单号 / Last-mile", "客户单号 / Reference",
    "我方运单 / Our waybill", "对方计费重(g) / Their chargeable (g)",
    "我方计费重(g) / Our chargeable (g)", "重量差(g) / Weight difference (g)",
    "对方费用 / Their charge", "币种 / Currency", "费用项 / Fee item", "对方合计 / Their total",
    "我方应付 / Our payable", "价差 / Price difference", "匹配 / Match", "状态 / Status",
    "原因 / Reason", "结果 / Outcome", "确认金额 / Settled", "处理人 / By", "处理时间 / At",
)  # fmt: skip


def audit_xlsx(bill: UpstreamBill, *, differences_only: bool = False) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "audit"
    ws.append(xlsx_row(ws, HEAD))
    for x in selectors.bill_lines(bill, differences_only=differences_only):
        ws.append(xlsx_row(ws, (
            x.row_number, x.waybill_number, x.last_mile_number, x.reference,
            x.waybill.number if x.waybill else "", x.their_weight_g, x.our_weight_g,
            x.weight_diff_g, x.their_amount, x.currency, x.fee_item, x.their_total,
            x.our_amount, x.price_diff, x.match_code or "matched", x.status, x.reason,
            x.outcome, x.settled_amount, x.decided_by.username if x.decided_by else "",
            x.decided_at.strftime("%Y-%m-%d %H:%M") if x.decided_at else "",
        )))  # fmt: skip
    t = selectors.totals(bill)
    ws.append([])
    summary = [
        ("行数 / Lines", t.lines), ("已匹配 / Matched", t.matched),
        ("未匹配 / Unmatched", t.unmatched),
        ("重量差行数 / Weight differences", t.weight_differences),
        ("重量差合计(g) / Weight difference (g)", t.weight_diff_g),
        ("价差行数 / Price differences", t.price_differences),
    ]  # fmt: skip
    for cur in sorted(set(t.billed) | set(t.ours)):
        summary += [
            (f"对方合计 / Billed {cur}", t.billed.get(cur)),
            (f"我方应付 / Our payable {cur}", t.ours.get(cur)),
            (f"价差合计 / Price difference {cur}", t.price_diff.get(cur)),
            (f"未匹配金额 / Unmatched {cur}", t.unmatched_amount.get(cur)),
            (f"已确认 / Accepted {cur}", t.accepted.get(cur)),
        ]  # fmt: skip
    for row in summary:
        ws.append(xlsx_row(ws, row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
