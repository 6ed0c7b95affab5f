"""A4 documents with a header block, an item table that breaks across pages, totals and page
numbers ``n/N`` (pagination is computed before drawing, so N is known)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import A4  # a constant; reportlab.lib loads nothing heavy

from . import pdfdraw as d

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

MM = d.MM
PAGE_W, PAGE_H = A4
MARGIN = 14 * MM


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # fraction of the table width
    align: str = "left"


def render_table_document(
    *,
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    draw_header: Callable[[Canvas, float], float],
    draw_footer: Callable[[Canvas, float], float],
    footer_height: float,
    header_height: float,
    row_size: float = 8,
) -> bytes:
    """``draw_header(canvas, top) -> y`` draws the first page's head block (``header_height``
    tall at most) and ``draw_footer(canvas, top) -> y`` the totals after the last row
    (``footer_height`` tall). Other pages carry the title and the column heads only."""
    buf = io.BytesIO()
    c = d.new_canvas(buf, A4, title)
    row_h = row_size * 1.55
    table_w = PAGE_W - 2 * MARGIN
    body_top_first = PAGE_H - MARGIN - header_height - row_h
    body_top_next = PAGE_H - MARGIN - 12 * MM - row_h
    bottom = MARGIN + 8 * MM
    first = max(1, int((body_top_first - bottom) / row_h))
    nxt = max(1, int((body_top_next - bottom) / row_h))
    pages: list[Sequence[Sequence[str]]] = [rows[:first]]
    rest = rows[first:]
    while rest:
        pages.append(rest[:nxt])
        rest = rest[nxt:]
    # the footer needs room after the last row, or a page of its own
    last_top = body_top_first if len(pages) == 1 else body_top_next
    if last_top - row_h * len(pages[-1]) - footer_height < bottom:
        pages.append([])
    total = len(pages)
    xs = [MARGIN]
    for col in columns:
        xs.append(xs[-1] + table_w * col.width)
    for n, page_rows in enumerate(pages, start=1):
        if n == 1:
            y = draw_header(c, PAGE_H - MARGIN)
            y = min(y, PAGE_H - MARGIN - header_height)
        else:
            d.text(c, MARGIN, PAGE_H - MARGIN - 10, title, 11, bold=True)
            y = PAGE_H - MARGIN - 12 * MM
        if page_rows or n < total:
            y = _heads(c, xs, columns, y, row_size, row_h)
            for row in page_rows:
                y -= row_h
                for i, cell in enumerate(row):
                    _cell(c, xs, i, columns[i], y + row_h * 0.32, cell, row_size)
                c.setLineWidth(0.25)
                c.setStrokeGray(0.7)
                c.line(MARGIN, y, MARGIN + table_w, y)
                c.setStrokeGray(0)
        if n == total:
            draw_footer(c, y - 4)
        d.text(c, PAGE_W - MARGIN, MARGIN - 2, f"{n}/{total}", 8, align="right")
        d.text(c, MARGIN, MARGIN - 2, title, 7)
        c.showPage()
    c.save()
    return buf.getvalue()


def _heads(c: Canvas, xs, columns, y: float, size: float, row_h: float) -> float:
    c.setFillGray(0.88)
    c.rect(xs[0], y - row_h, xs[-1] - xs[0], row_h, stroke=0, fill=1)
    c.setFillGray(0)
    for i, col in enumerate(columns):
        _cell(c, xs, i, col, y - row_h * 0.68, col.title, size, bold=True)
    return y - row_h


def _cell(c, xs, i, col: Column, y, s: str, size, bold=False) -> None:
    w = xs[i + 1] - xs[i] - 4
    if col.align == "right":
        d.text(c, xs[i + 1] - 2, y, s, size, bold=bold, max_width=w, align="right")
    else:
        d.text(c, xs[i] + 2, y, s, size, bold=bold, max_width=w)


def address_block(c: Canvas, x: float, y: float, w: float, heading: str, lines) -> float:
    """A heading and the non-empty lines under it; returns the y under the block."""
    d.text(c, x, y, heading, 8, bold=True)
    y -= 11
    for line in lines:
        if line:
            y = d.paragraph(c, x, y, line, 8.5, w, 2)
    return y
