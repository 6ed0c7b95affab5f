"""The daily manifest of one channel: every shipment handed over, with totals (PDF and CSV)."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from tradelane.core.spreadsheet_safety import neutralize

from . import pdfdraw as d
from .data import ManifestData
from .formatting import amount, amounts_text, kg
from .tables import MARGIN, MM, PAGE_W, Column, render_table_document

if TYPE_CHECKING:  # reportlab is imported where a PDF is drawn (pdfdraw)
    from reportlab.pdfgen.canvas import Canvas

CSV_HEADER = (
    "line", "tracking_number", "reference", "receiver_name", "city", "country", "pieces",
    "weight_kg", "declared_value", "currency",
)  # fmt: skip


def draw_signatures(c: Canvas, y: float) -> float:
    """The handover's two signature lines (handed over by, received by) at ``y``; returns
    the height below them."""
    c.setLineWidth(0.5)
    for i, who in enumerate(("Handed over by 交货人", "Received by 接收人")):
        x = MARGIN + i * 90 * MM
        d.text(c, x, y, who, 8.5, bold=True)
        c.line(x + 35 * MM, y - 2, x + 85 * MM, y - 2)
    return y - 6


def render_manifest_pdf(manifest: ManifestData) -> bytes:
    """A4 manifest: channel, date, manifest number (Code128), a table of all shipments over
    as many pages as needed, totals (shipments, pieces, weight, value per currency) and
    page numbers n/N."""
    m = manifest
    columns = [
        Column("#", 0.05),
        Column("Tracking no.", 0.19),
        Column("Reference", 0.15),
        Column("Receiver", 0.2),
        Column("City", 0.13),
        Column("Ctry", 0.05),
        Column("Pcs", 0.05, "right"),
        Column("Kg", 0.08, "right"),
        Column("Value", 0.1, "right"),
    ]
    rows = [
        [
            str(n),
            r.tracking_number,
            r.reference,
            r.receiver_name,
            r.city,
            r.country,
            str(r.pieces),
            kg(r.weight_g),
            f"{amount(r.declared_value, r.currency)} {r.currency}",
        ]
        for n, r in enumerate(m.rows, start=1)
    ]

    def header(c: Canvas, top: float) -> float:
        d.text(c, MARGIN, top - 16, "MANIFEST  交接清单", 16, bold=True)
        y = top - 32
        for name, value in (
            ("Manifest no.", m.number),
            ("Channel 渠道", m.channel),
            ("Carrier", m.carrier_name or "-"),
            ("Shipper", m.shipper or "-"),
            ("Date 日期", m.date.isoformat()),
        ):
            d.text(c, MARGIN, y, f"{name}:", 9, bold=True)
            d.text(c, MARGIN + 30 * MM, y, value, 9, max_width=90 * MM)
            y -= 12
        d.barcode(c, PAGE_W - MARGIN - 70 * MM, top - 52, m.number, max_width=70 * MM,
                  height=30, max_bar=0.35 * MM)  # fmt: skip
        d.text(c, PAGE_W - MARGIN - 35 * MM, top - 62, m.number, 9, align="center")
        return y - 4

    def footer(c: Canvas, top: float) -> float:
        y = top - 14
        d.text(c, MARGIN, y, f"Shipments: {len(m.rows)}", 10, bold=True)
        d.text(c, MARGIN + 40 * MM, y, f"Pieces: {m.total_pieces}", 10, bold=True)
        d.text(c, MARGIN + 75 * MM, y, f"Weight: {kg(m.total_weight_g)} kg", 10, bold=True)
        y -= 14
        d.text(c, MARGIN, y, f"Declared value: {amounts_text(m.total_values)}", 10, bold=True)
        return draw_signatures(c, y - 26)

    return render_table_document(
        title=f"Manifest {m.number}",
        columns=columns,
        rows=rows,
        draw_header=header,
        draw_footer=footer,
        header_height=32 * MM,
        footer_height=26 * MM,
    )


def render_manifest_csv(manifest: ManifestData) -> str:
    """The manifest as CSV (comma separated, a header line, weights in kg, one line per
    shipment, then a TOTAL line per currency). Text from orders (a receiver's name, a city)
    that a spreadsheet would read as a formula gets a quote in front (``neutralize``)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_HEADER)
    for n, r in enumerate(manifest.rows, start=1):
        text = [r.tracking_number, r.reference, r.receiver_name, r.city, r.country]
        w.writerow([
            n, *map(neutralize, text), r.pieces,
            kg(r.weight_g), amount(r.declared_value, r.currency), neutralize(r.currency),
        ])  # fmt: skip
    totals = manifest.total_values or (("", None),)
    for i, (cur, value) in enumerate(totals):
        w.writerow([
            "TOTAL", len(manifest.rows), "", "", "", "",
            manifest.total_pieces if i == 0 else "",
            kg(manifest.total_weight_g) if i == 0 else "",
            amount(value, cur) if value is not None else "", cur,
        ])  # fmt: skip
    return out.getvalue()
