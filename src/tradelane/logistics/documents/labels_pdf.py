"""Thermal shipping labels as PDF: 4x6 inch (101.6 x 152.4 mm) and 100 x 100 mm.

Layout, top to bottom: carrier and service with the channel or sort code in a black box;
sender (small) beside date, weight and size; receiver (large: name, address, city line,
country); the tracking number as a Code128 barcode with its text; reference and pieces n/N;
and for postal items under CN22 the CN22 block. A 100 x 100 label has no room for a legible
CN22 block, so its CN22 is printed as a second 100 x 100 page right after the label (label
printers feed it as the next label).

Batch printing draws every label on one canvas, so fonts are set up and embedded once.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TYPE_CHECKING

from tradelane.core.errors import ValidationFailed

from . import pdfdraw as d
from .choice import label_has_cn22
from .data import CATEGORIES, CATEGORY_LABELS, SIZES, CustomsDeclaration, LabelData
from .formatting import amount, country_label, dims, kg

if TYPE_CHECKING:  # reportlab is imported where a PDF is drawn (pdfdraw)
    from reportlab.pdfgen.canvas import Canvas

MM = d.MM
PAGE = {"4x6": (101.6 * MM, 152.4 * MM), "100x100": (100 * MM, 100 * MM)}
CN22_STATEMENT = (
    "I, the undersigned, whose name and address are given on the item, certify that the "
    "particulars given in this declaration are correct and that this item does not contain "
    "any dangerous article or articles prohibited by legislation or by postal or customs "
    "regulations."
)


def _check_size(size: str) -> tuple[float, float]:
    if size not in SIZES:
        raise ValidationFailed(
            f"Unknown label size {size!r}", code="invalid_label_size", details=list(SIZES)
        )
    return PAGE[size]


def render_label_pdf(label: LabelData, size: str = "4x6") -> bytes:
    """One label as a PDF (one page; two for a 100x100 label with a CN22)."""
    return render_labels_pdf([label], size)


def join_pdfs(parts: list[bytes]) -> bytes:
    """One PDF of ``parts`` (whole PDFs, their pages in order): a batch of labels of several
    sizes, or ours with a carrier's."""
    if len(parts) == 1:
        return parts[0]
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_labels_pdf(labels: Iterable[LabelData], size: str = "4x6") -> bytes:
    """Many labels in one PDF, one page each, drawn on one canvas."""
    page = _check_size(size)
    buf = io.BytesIO()
    c = d.new_canvas(buf, page, "Labels")
    count = 0
    for label in labels:
        _draw_label(c, label, size, page)
        count += 1
    if count == 0:
        raise ValidationFailed("No label to print", code="no_labels")
    c.save()
    return buf.getvalue()


def _frame(c: Canvas, x: float, y: float, w: float, h: float, lw: float = 0.8) -> None:
    c.setLineWidth(lw)
    c.rect(x, y, w, h, stroke=1, fill=0)


def _hline(c: Canvas, x1: float, x2: float, y: float, lw: float = 0.8) -> None:
    c.setLineWidth(lw)
    c.line(x1, y, x2, y)


def _draw_label(c: Canvas, label: LabelData, size: str, page: tuple[float, float]) -> None:
    pw, ph = page
    m = 2.5 * MM  # outer margin
    x0, x1 = m, pw - m
    w = x1 - x0
    pad = 1.6 * MM
    cn22 = label_has_cn22(label)
    big = size == "4x6"
    cn22_here = cn22 and big

    # Section heights (points), from the top.
    if big:
        header_h, from_h = 15 * MM, 20 * MM
        to_h = 36 * MM if cn22_here else 50 * MM
        code_h = 25 * MM if cn22_here else 31 * MM
        info_h = 8 * MM
    else:
        header_h, from_h, to_h, code_h, info_h = 11 * MM, 14 * MM, 33 * MM, 23 * MM, 0

    top = ph - m
    _frame(c, x0, m, w, ph - 2 * m, 1.2)

    # --- header: carrier / service left, code box right -----------------------------------
    y = top
    code = label.sort_code or label.channel_code
    box_w = w * 0.42 if code else 0
    if code:
        c.setFillGray(0)
        c.rect(x1 - box_w, y - header_h, box_w, header_h, stroke=0, fill=1)
        c.setFillGray(1)
        d.text(
            c,
            x1 - box_w / 2,
            y - header_h / 2 - (6.5 if big else 4.8),
            code,
            20 if big else 14,
            bold=True,
            max_width=box_w - 2 * pad,
            align="center",
        )
        c.setFillGray(0)
    left_w = w - box_w - 2 * pad
    d.text(
        c,
        x0 + pad,
        y - (6 * MM if big else 4.4 * MM),
        label.carrier_name or "",
        14 if big else 10,
        bold=True,
        max_width=left_w,
    )
    d.text(
        c,
        x0 + pad,
        y - header_h + (2.8 * MM if big else 2 * MM),
        label.service_name or label.channel_code,
        9 if big else 7,
        max_width=left_w,
    )
    y -= header_h
    _hline(c, x0, x1, y, 1.2)

    # --- sender (left) and facts (right) --------------------------------------------------
    fs = 6.5 if big else 5.5
    lead = fs * 1.18
    split = x0 + w * 0.62
    c.setLineWidth(0.6)
    c.line(split, y, split, y - from_h)
    s = label.sender
    yy = y - fs - 1.2
    d.text(c, x0 + pad, yy, "FROM 寄件人:", fs, bold=True)
    yy -= lead
    col_w = split - x0 - 2 * pad
    sender_lines = [
        s.name + (f" / {s.company}" if s.company else ""),
        " ".join(p for p in (s.address1, s.address2) if p),
        f"{s.city_line()} {s.country}".strip(),
        s.phone,
    ]
    for line in sender_lines:
        if line and yy > y - from_h + 1:
            d.text(c, x0 + pad, yy, line, fs, max_width=col_w)
            yy -= lead
    facts = []
    if label.date:
        facts.append(("Date", label.date.isoformat()))
    if label.weight_g:
        facts.append(("Weight", f"{kg(label.weight_g)} kg"))
    size_text = dims(label.length_mm, label.width_mm, label.height_mm)
    if size_text:
        facts.append(("Size", size_text))
    if label.postal:
        facts.append(("Mail", "POSTAL / 邮政"))
    yy = y - fs - 1.2
    fx = split + pad
    fw = x1 - pad - fx
    for name, value in facts[: 4 if big else 3]:
        d.text(c, fx, yy, f"{name}:", fs, bold=True)
        d.text(c, fx + fw, yy, value, fs, max_width=fw * 0.68, align="right")
        yy -= lead * 1.15
    y -= from_h
    _hline(c, x0, x1, y, 1.2)

    # --- receiver (large) -----------------------------------------------------------------
    r = label.receiver
    rw = w - 2 * pad
    name_fs = 15 if big else 11
    addr_fs = 11 if big else 8
    yy = y - 9 * (1 if big else 0.8)
    d.text(c, x0 + pad, yy, "TO 收件人:", 7 if big else 6, bold=True)
    if r.phone:
        d.text(c, x1 - pad, yy, f"Tel {r.phone}", 7 if big else 6, align="right", max_width=rw / 2)
    yy -= name_fs + 1
    d.text(c, x0 + pad, yy, r.name, name_fs, bold=True, max_width=rw, min_size=8)
    yy -= addr_fs * 1.25
    if r.company:
        d.text(c, x0 + pad, yy, r.company, addr_fs, max_width=rw)
        yy -= addr_fs * 1.2
    street = ", ".join(p for p in (r.address1, r.address2) if p)
    lines_left = 2 if (big and not cn22_here) or not r.company else 1
    yy = d.paragraph(c, x0 + pad, yy, street, addr_fs, rw, lines_left, min_size=6.5)
    city_fs = 13 if big else 9.5
    d.text(c, x0 + pad, yy - 1, r.city_line(), city_fs, bold=True, max_width=rw)
    bottom = y - to_h
    d.text(
        c,
        x0 + pad,
        bottom + 2.2 * MM,
        country_label(r.country),
        16 if big else 11,
        bold=True,
        max_width=rw,
    )
    y = bottom
    _hline(c, x0, x1, y, 1.2)

    # --- tracking barcode -----------------------------------------------------------------
    text_fs = 12 if big else 10
    bar_h = code_h - text_fs - 4 * MM
    d.barcode(
        c,
        x0,
        y - 1.5 * MM - bar_h,
        label.tracking_number,
        max_width=w,
        height=bar_h,
        max_bar=0.45 * MM if big else 0.38 * MM,
    )
    d.text(
        c,
        x0 + w / 2,
        y - code_h + 1.6 * MM,
        _spaced(label.tracking_number),
        text_fs,
        bold=True,
        align="center",
        max_width=w - 2 * pad,
    )
    y -= code_h
    _hline(c, x0, x1, y, 1.2)

    # --- reference and pieces -------------------------------------------------------------
    pieces = f"{label.piece}/{label.pieces}"
    if big:
        info_fs = 9
        base = y - info_h / 2 - info_fs / 2 + 1.5
        d.text(c, x0 + pad, base, "Ref:", info_fs, bold=True)
        d.text(c, x0 + pad + 18, base, label.reference, info_fs, max_width=w * 0.55)
        d.text(c, x1 - pad, base, f"PCS {pieces}", 12, bold=True, align="right")
        y -= info_h
        _hline(c, x0, x1, y, 1.2)
    else:
        # 100x100: reference and pieces in the last band, whatever height is left.
        band = y - m
        base = m + band / 2 - 4
        d.text(c, x0 + pad, base + 6, "Ref:", 7, bold=True)
        d.text(c, x0 + pad, base - 4, label.reference, 8, max_width=w * 0.55)
        d.text(c, x1 - pad, base - 3, f"PCS {pieces}", 13, bold=True, align="right")

    if cn22_here:
        _draw_cn22(c, label.customs, label, x0, m, w, y - m, scale=1.0)
    elif big:
        ret = label.return_address
        if ret is not None:
            yy = y - 8
            d.text(c, x0 + pad, yy, "If undeliverable return to 无法投递请退回:", 6.5, bold=True)
            yy -= 8
            line = ", ".join(
                p for p in (ret.name, ret.company, ret.address1, ret.address2, ret.city_line()) if p
            )
            d.paragraph(c, x0 + pad, yy, f"{line}, {ret.country}", 6.5, w - 2 * pad, 3)
    c.showPage()

    if cn22 and not big:
        _frame(c, x0, m, w, ph - 2 * m, 1.2)
        _draw_cn22(c, label.customs, label, x0, m, w, ph - 2 * m, scale=1.15)
        c.showPage()


def _spaced(number: str) -> str:
    """An S10 number in its printed groups (RR 1234 5678 5 CN); others as given."""
    if len(number) == 13 and number[:2].isalpha() and number[2:11].isdigit():
        return f"{number[:2]} {number[2:6]} {number[6:10]} {number[10]} {number[11:]}"
    return number


def _draw_cn22(
    c: Canvas,
    customs: CustomsDeclaration,
    label: LabelData,
    x0: float,
    y0: float,
    w: float,
    h: float,
    scale: float,
) -> None:
    """The CN22 block in the box (x0, y0, w, h), laid out from the top."""
    pad = 1.4 * MM
    x1 = x0 + w
    top = y0 + h
    fs = 5.6 * scale
    y = top - 8.5 * scale
    d.text(c, x0 + pad, y, "CUSTOMS DECLARATION  CN 22  报关签条", 7.5 * scale, bold=True)
    d.text(c, x1 - pad, y, "May be opened officially", fs, align="right")
    y -= 2.5 * scale
    _hline(c, x0, x1, y, 0.5)

    # Category tick boxes: two rows of three.
    box = 5.0 * scale
    col = (w - 2 * pad) / 3
    for i, cat in enumerate(CATEGORIES):
        cx = x0 + pad + (i % 3) * col
        cy = y - 2.2 * scale - box - (i // 3) * (box + 2.2 * scale)
        c.setLineWidth(0.5)
        c.rect(cx, cy, box, box, stroke=1, fill=0)
        if customs.category == cat:
            c.setLineWidth(0.9)
            c.line(cx + 0.8, cy + 0.8, cx + box - 0.8, cy + box - 0.8)
            c.line(cx + 0.8, cy + box - 0.8, cx + box - 0.8, cy + 0.8)
        en, zh = CATEGORY_LABELS[cat]
        d.text(c, cx + box + 1.5, cy + 1.2, f"{en} {zh}", fs, max_width=col - box - 3)
    y -= 2 * (box + 2.2 * scale) + 2.2 * scale
    _hline(c, x0, x1, y, 0.5)

    # Item table.
    widths = (0.43, 0.13, 0.16, 0.17, 0.11)
    xs = [x0]
    for frac in widths:
        xs.append(xs[-1] + w * frac)
    cur = customs.currency
    heads = (
        "Description of contents 内件详细名称",
        "Weight(kg)",
        f"Value({cur})",
        "HS tariff no.",
        "Origin",
    )
    row_h = fs * 1.5
    y -= row_h - 1.2
    for i, head in enumerate(heads):
        d.text(c, xs[i] + 1.2, y, head, fs * 0.92, bold=True, max_width=xs[i + 1] - xs[i] - 2.4)
    # rows: keep room for totals (1 row), statement (2 lines) and signature (1 row)
    footer_h = row_h * 1.2 + fs * 0.95 * 1.15 * 3 + 9 * scale
    room = int((y - y0 - footer_h) / row_h)
    items = customs.items
    shown = items if len(items) <= room else items[: max(room - 1, 0)]
    table_top = y + row_h - 1.2
    for item in shown:
        y -= row_h
        desc = f"{item.quantity} x {item.name_zh} {item.name_en}".replace("  ", " ")
        cells = (
            desc,
            kg(item.weight_g),
            amount(item.line_value, cur),
            item.hs_code,
            item.origin_country,
        )
        for i, cell in enumerate(cells):
            d.text(c, xs[i] + 1.2, y, cell, fs, max_width=xs[i + 1] - xs[i] - 2.4, min_size=4)
    if len(shown) < len(items):
        y -= row_h
        more = len(items) - len(shown)
        d.text(c, xs[0] + 1.2, y, f"+ {more} more item(s), see CN23/invoice", fs, bold=True)
    y -= row_h * 0.55
    c.setLineWidth(0.4)
    for xv in xs[1:-1]:
        c.line(xv, table_top, xv, y - row_h * 0.65)
    _hline(c, x0, x1, y, 0.5)
    y -= row_h * 0.95
    d.text(c, xs[0] + 1.2, y, "Total 总计", fs, bold=True)
    d.text(c, xs[1] + 1.2, y, kg(customs.total_weight_g), fs, bold=True)
    d.text(
        c,
        xs[2] + 1.2,
        y,
        amount(customs.total_value, cur),
        fs,
        bold=True,
        max_width=xs[3] - xs[2] - 2,
    )
    y -= row_h * 0.65
    _hline(c, x0, x1, y, 0.5)
    y -= fs * 0.95 + 1
    y = d.paragraph(c, x0 + pad, y, CN22_STATEMENT, fs * 0.85, w - 2 * pad, 3, min_size=3.8)
    date = (customs.date or label.date).isoformat() if (customs.date or label.date) else ""
    sign_y = y0 + 3 * scale
    d.text(c, x0 + pad, sign_y, "Date and sender's signature 日期和寄件人签名:", fs, bold=True)
    d.text(c, x0 + w * 0.53, sign_y, date, fs)
    sig_x = x0 + w * 0.7
    d.text(c, sig_x, sign_y + 1, customs.signature_name, fs * 1.2, max_width=x1 - pad - sig_x)
    c.setLineWidth(0.4)
    c.line(sig_x, sign_y - 1.2, x1 - pad, sign_y - 1.2)
