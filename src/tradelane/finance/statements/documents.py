"""A statement as PDF (reportlab, A4, the CJK font of ``logistics.documents.fonts`` picked per
string by ``pdfdraw``) and as Excel (openpyxl): head, one row per fee line, the totals by fee
item and the total. Headings are in both languages (对账单 / Statement), as customers file
them. Drawing only: the caller reads the rows (``selectors``)."""

from __future__ import annotations

import io

from tradelane.core.money import quantize
from tradelane.core.spreadsheet_safety import xlsx_row

from .models import Statement, StatementLine
from .selectors import ItemTotal

HEAD = ("运单号 Waybill", "费用项 Fee item", "阶段 Stage", "金额 Amount", "原币 Original",
        "汇率 Rate", "调整 Adjustment")  # fmt: skip
STATUS = {"draft": "草稿 Draft", "issued": "已出账 Issued", "confirmed": "已确认 Confirmed",
          "disputed": "有异议 Disputed", "settled": "已结清 Settled"}  # fmt: skip


def _item(line_or_total) -> str:
    item = (
        line_or_total.fee_item if isinstance(line_or_total, StatementLine) else line_or_total.item
    )
    return f"{item.name_zh} {item.name_en}"


def _original(x: StatementLine) -> str:
    if not x.original_currency:
        return ""
    return f"{quantize(x.original_amount, x.original_currency)} {x.original_currency}"


def _rate(x: StatementLine) -> str:
    if not x.original_currency:
        return ""
    return f"{x.fx_rate.normalize()} ({x.fx_rate_source} {x.fx_rate_date})"


def _head(s: Statement) -> list[tuple[str, str]]:
    return [
        ("对账单 Statement", s.number),
        ("客户 Customer", f"{s.customer.company} ({s.customer.code})"),
        ("账期 Period", f"{s.period_start} – {s.period_end}"),
        ("状态 Status", STATUS.get(s.status, s.status)),
        ("币种 Currency", s.currency),
        ("合计 Total", f"{quantize(s.total, s.currency)} {s.currency}"),
    ]


def render_pdf(s: Statement, lines: list[StatementLine], totals: list[ItemTotal]) -> bytes:
    from reportlab.lib.pagesizes import A4

    from tradelane.logistics.documents.pdfdraw import new_canvas, text

    buf = io.BytesIO()
    c = new_canvas(buf, A4, f"Statement {s.number}")
    w, h = A4
    left, right = 36, w - 36
    cols = (left, left + 110, left + 250, left + 330, left + 400, left + 460)

    def new_page() -> float:
        return h - 40

    y = new_page()
    text(c, left, y, "对账单 Statement", 16, bold=True)
    y -= 24
    for k, v in _head(s):
        text(c, left, y, k, 9, bold=True)
        text(c, left + 110, y, v, 9, max_width=right - left - 110)
        y -= 14
    y -= 8

    def header(y: float) -> float:
        for x, label in zip(cols[:3], HEAD[:3], strict=True):
            text(c, x, y, label, 8, bold=True)
        text(c, cols[4] - 4, y, HEAD[3], 8, bold=True, align="right")
        text(c, cols[4] + 4, y, HEAD[4], 8, bold=True)
        text(c, cols[5] + 20, y, HEAD[6], 8, bold=True)
        return y - 12

    y = header(y)
    for x in lines:
        if y < 60:
            c.showPage()
            y = header(new_page())
        text(c, cols[0], y, x.waybill.number, 8, max_width=105)
        text(c, cols[1], y, _item(x), 8, max_width=135)
        text(c, cols[2], y, x.stage, 8, max_width=75)
        text(c, cols[4] - 4, y, f"{quantize(x.amount, s.currency)}", 8, align="right")
        text(c, cols[4] + 4, y, _original(x), 8, max_width=80)
        text(c, cols[5] + 20, y, "是 yes" if x.adjustment else "", 8)
        y -= 12
    y -= 10
    if y < 100:
        c.showPage()
        y = new_page()
    text(c, left, y, "按费用项合计 Totals by fee item", 10, bold=True)
    y -= 14
    for t in totals:
        text(c, left, y, _item(t), 9, max_width=250)
        text(c, cols[4] - 4, y, f"{t.amount} {s.currency}", 9, align="right")
        y -= 12
    text(c, left, y - 4, "合计 Total", 10, bold=True)
    text(c, cols[4] - 4, y - 4, f"{quantize(s.total, s.currency)} {s.currency}", 10, bold=True,
         align="right")  # fmt: skip
    c.showPage()
    c.save()
    return buf.getvalue()


def render_xlsx(s: Statement, lines: list[StatementLine], totals: list[ItemTotal]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("对账单 Statement")
    for row in _head(s):
        ws.append(xlsx_row(ws, row))
    ws.append([])
    ws.append(xlsx_row(ws, HEAD))
    for x in lines:
        ws.append(xlsx_row(ws, (x.waybill.number, _item(x), x.stage,
                                quantize(x.amount, s.currency), _original(x), _rate(x),
                                "是 yes" if x.adjustment else "")))  # fmt: skip
    ws.append([])
    ws.append(xlsx_row(ws, ("按费用项合计 Totals by fee item",)))
    for t in totals:
        ws.append(xlsx_row(ws, ("", _item(t), "", t.amount)))
    ws.append(xlsx_row(ws, ("合计 Total", "", "", quantize(s.total, s.currency), s.currency)))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
