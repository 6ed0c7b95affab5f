"""CN23 customs declarations and commercial invoices as A4 PDFs (DOMAIN.md, "Customs")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import pdfdraw as d
from .data import CATEGORIES, CATEGORY_LABELS, Address, CustomsDeclaration
from .formatting import amount, country_label, kg
from .labels_pdf import CN22_STATEMENT
from .tables import MARGIN, MM, PAGE_W, Column, address_block, render_table_document

if TYPE_CHECKING:  # reportlab is imported where a PDF is drawn (pdfdraw)
    from reportlab.pdfgen.canvas import Canvas

W = PAGE_W - 2 * MARGIN
INVOICE_DATE_WIDTH = 36 * MM  # "Date 日期:" and an ISO date at the end of the signature line
REASONS = {
    "gift": "Gift",
    "commercial_sample": "Commercial sample",
    "documents": "Documents",
    "returned_goods": "Returned goods",
    "sale_of_goods": "Sale of goods",
    "other": "Other",
}


def _address_lines(a: Address) -> list[str]:
    return [
        a.name,
        a.company,
        " ".join(p for p in (a.address1, a.address2) if p),
        a.city_line(),
        country_label(a.country),
        f"Tel {a.phone}" if a.phone else "",
        a.email,
    ]


def _item_rows(decl: CustomsDeclaration) -> list[list[str]]:
    cur = decl.currency
    return [
        [
            str(n),
            f"{i.name_en} {i.name_zh}".strip(),
            i.hs_code,
            i.origin_country,
            str(i.quantity),
            kg(i.weight_g),
            amount(i.unit_value, cur),
            amount(i.line_value, cur),
        ]
        for n, i in enumerate(decl.items, start=1)
    ]


def _columns(cur: str) -> list[Column]:
    return [
        Column("#", 0.04),
        Column("Description 内件名称", 0.36),
        Column("HS code", 0.11),
        Column("Origin", 0.07),
        Column("Qty", 0.06, "right"),
        Column("Net kg", 0.09, "right"),
        Column(f"Unit {cur}", 0.13, "right"),
        Column(f"Total {cur}", 0.14, "right"),
    ]


def render_cn23_pdf(
    declaration: CustomsDeclaration, sender: Address, receiver: Address, tracking: str
) -> bytes:
    """A CN23 customs declaration: sender and importer with references and contact, item
    lines (description, quantity, net weight, value, HS code, origin), category, totals,
    postal charges, invoice, licence and certificate numbers, date and signature."""
    decl = declaration
    cur = decl.currency

    def header(c: Canvas, top: float) -> float:
        d.text(c, MARGIN, top - 14, "CUSTOMS DECLARATION  CN 23  报关单", 15, bold=True)
        d.text(c, PAGE_W - MARGIN, top - 12, "May be opened officially", 8, align="right")
        d.barcode(c, PAGE_W - MARGIN - 62 * MM, top - 34, tracking, max_width=62 * MM,
                  height=14, max_bar=0.3 * MM)  # fmt: skip
        d.text(c, PAGE_W - MARGIN - 31 * MM, top - 42, tracking, 8, align="center")
        y = top - 54
        half = W / 2 - 4
        y1 = address_block(c, MARGIN, y, half, "From 寄件人", _address_lines(sender))
        y1 = address_block(
            c, MARGIN, y1 - 2, half, "Sender's customs reference",
            [decl.sender_reference or "-"],
        )  # fmt: skip
        lines = _address_lines(receiver)
        if decl.importer_phone:
            lines.append(f"Importer tel {decl.importer_phone}")
        if decl.importer_email:
            lines.append(f"Importer email {decl.importer_email}")
        y2 = address_block(c, MARGIN + W / 2, y, half, "To 收件人 / importer", lines)
        y2 = address_block(
            c, MARGIN + W / 2, y2 - 2, half, "Importer's reference (tax code/VAT/importer code)",
            [decl.importer_reference or decl.vat_number or "-"],
        )  # fmt: skip
        y = min(y1, y2) - 6
        # category boxes
        d.text(c, MARGIN, y, "Category of item 邮件种类:", 8, bold=True)
        x = MARGIN + 44 * MM
        for cat in CATEGORIES:
            c.setLineWidth(0.6)
            c.rect(x, y - 1, 7, 7, stroke=1, fill=0)
            if decl.category == cat:
                c.line(x + 1, y, x + 6, y + 5)
                c.line(x + 1, y + 5, x + 6, y)
            en, zh = CATEGORY_LABELS[cat]
            d.text(c, x + 9, y, en, 7)
            x += d.width(en, 7) + 18
        y -= 12
        if decl.explanation:
            y = d.paragraph(c, MARGIN, y, f"Explanation: {decl.explanation}", 8, W, 2)
        return y - 4

    def footer(c: Canvas, top: float) -> float:
        y = top - 12
        d.text(c, MARGIN, y, "Total gross weight 总重量:", 9, bold=True)
        d.text(c, MARGIN + 48 * MM, y, f"{kg(decl.total_weight_g)} kg", 9)
        d.text(c, MARGIN + W / 2, y, "Total value 总价值:", 9, bold=True)
        d.text(c, PAGE_W - MARGIN, y, f"{amount(decl.total_value, cur)} {cur}", 10,
               bold=True, align="right")  # fmt: skip
        y -= 13
        charges = amount(decl.postal_charges, cur) + f" {cur}" if decl.postal_charges else "-"
        facts = [
            ("Postal charges/fees 邮费", charges),
            ("Invoice no.", decl.invoice_number or "-"),
            ("Licence no(s).", ", ".join(decl.licence_numbers) or "-"),
            ("Certificate no(s).", ", ".join(decl.certificate_numbers) or "-"),
            ("Incoterm", decl.incoterm),
            ("IOSS / VAT / EORI", " / ".join(
                p or "-" for p in (decl.ioss_number, decl.vat_number, decl.eori_number))),
        ]  # fmt: skip
        for i, (name, value) in enumerate(facts):
            x = MARGIN + (i % 2) * W / 2
            d.text(c, x, y, f"{name}:", 8, bold=True)
            d.text(c, x + 36 * MM, y, value, 8, max_width=W / 2 - 38 * MM)
            if i % 2:
                y -= 11
        if decl.comments:
            y = d.paragraph(c, MARGIN, y, f"Comments: {decl.comments}", 8, W, 2)
        y -= 4
        y = d.paragraph(c, MARGIN, y, CN22_STATEMENT, 7.5, W, 3)
        y -= 10
        date = decl.date.isoformat() if decl.date else ""
        d.text(c, MARGIN, y, "Date and sender's signature 日期和寄件人签名:", 8.5, bold=True)
        d.text(c, MARGIN + 72 * MM, y, date, 9)
        sign_x = MARGIN + 102 * MM
        d.text(c, sign_x, y, decl.signature_name, 10, max_width=PAGE_W - MARGIN - sign_x)
        c.setLineWidth(0.5)
        c.line(MARGIN + 100 * MM, y - 2, PAGE_W - MARGIN, y - 2)
        return y - 6

    return render_table_document(
        title=f"CN23 {tracking}",
        columns=_columns(cur),
        rows=_item_rows(decl),
        draw_header=header,
        draw_footer=footer,
        header_height=80 * MM,
        footer_height=58 * MM,
    )


def render_commercial_invoice_pdf(
    declaration: CustomsDeclaration,
    seller: Address,
    importer: Address,
    *,
    tracking: str = "",
    invoice_number: str = "",
    reason: str = "",
    carrier: str = "",
) -> bytes:
    """A commercial (or pro-forma) invoice for courier and express shipments: seller/exporter,
    importer, invoice number and date, items with HS code, origin, quantity, unit value and
    line total, totals, incoterm, IOSS/VAT/EORI numbers, reason for export and signature."""
    decl = declaration
    cur = decl.currency
    number = invoice_number or decl.invoice_number or "-"
    why = reason or decl.explanation or REASONS[decl.category]

    def header(c: Canvas, top: float) -> float:
        d.text(c, MARGIN, top - 16, "COMMERCIAL INVOICE  商业发票", 16, bold=True)
        y = top - 34
        facts = [
            ("Invoice no. 发票号", number),
            ("Date 日期", decl.date.isoformat() if decl.date else ""),
            ("Tracking / AWB", tracking or "-"),
            ("Carrier", carrier or "-"),
            ("Incoterm", decl.incoterm),
            ("Reason for export 出口原因", why),
            ("Currency", cur),
            ("IOSS no.", decl.ioss_number or "-"),
            ("VAT no.", decl.vat_number or "-"),
            ("EORI no.", decl.eori_number or "-"),
        ]
        for i, (name, value) in enumerate(facts):
            x = MARGIN + (i % 2) * W / 2
            d.text(c, x, y, f"{name}:", 8, bold=True)
            d.text(c, x + 40 * MM, y, value, 8.5, max_width=W / 2 - 42 * MM)
            if i % 2:
                y -= 11
        y -= 6
        half = W / 2 - 4
        y1 = address_block(c, MARGIN, y, half, "Seller / exporter 卖方/出口商",
                           _address_lines(seller))  # fmt: skip
        y2 = address_block(c, MARGIN + W / 2, y, half, "Importer / consignee 进口商/收货人",
                           _address_lines(importer))  # fmt: skip
        return min(y1, y2) - 6

    def footer(c: Canvas, top: float) -> float:
        y = top - 12
        n = sum(i.quantity for i in decl.items)
        d.text(c, MARGIN, y, f"Total pieces: {n}", 9, bold=True)
        d.text(c, MARGIN + 45 * MM, y, f"Total net weight: {kg(decl.total_weight_g)} kg", 9,
               bold=True)  # fmt: skip
        d.text(c, PAGE_W - MARGIN, y, f"Total value: {amount(decl.total_value, cur)} {cur}", 11,
               bold=True, align="right")  # fmt: skip
        y -= 18
        y = d.paragraph(
            c, MARGIN, y,
            "I declare that the information on this invoice is true and correct and that the "
            "contents of this shipment are as stated above.", 8, W, 2,
        )  # fmt: skip
        y -= 14
        # The date sits at the right margin; the signature line and the name (a company name
        # can be long) end 6 mm before it: the name shrinks, then clips, never runs into it.
        date_x = PAGE_W - MARGIN - INVOICE_DATE_WIDTH
        sign_x, line_end = MARGIN + 30 * MM, date_x - 6 * MM
        d.text(c, MARGIN, y, "Signature 签名:", 9, bold=True)
        d.text(c, sign_x, y, decl.signature_name, 10, max_width=line_end - sign_x)
        c.setLineWidth(0.5)
        c.line(MARGIN + 28 * MM, y - 2, line_end, y - 2)
        d.text(c, date_x, y, "Date 日期:", 9, bold=True)
        date = decl.date.isoformat() if decl.date else ""
        d.text(c, PAGE_W - MARGIN, y, date, 9, align="right")
        return y - 6

    return render_table_document(
        title=f"Commercial invoice {number}",
        columns=_columns(cur),
        rows=_item_rows(decl),
        draw_header=header,
        draw_footer=footer,
        header_height=90 * MM,
        footer_height=36 * MM,
    )
