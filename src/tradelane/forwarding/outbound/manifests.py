"""Handover manifests of a dispatch, PDF (reportlab, many pages, totals) and Excel (openpyxl
write-only): a CN 38 delivery bill for a postal dispatch (its receptacles: S9 ids, parcels,
weights), otherwise the MAWB (or truck) manifest of the house parcels: waybill number,
consignee, goods, HS code, value and currency, IOSS, pieces, gross and chargeable weight.

The totals printed are the dispatch's reconciliation (``dispatches.reconcile``); a dispatch
whose bags do not add up to their parcels gets no manifest (``dispatch_does_not_reconcile``).
Rows are read with two queries (parcels, goods lines), not one object per parcel.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from tradelane.core.errors import Conflict
from tradelane.core.spreadsheet_safety import xlsx_row
from tradelane.logistics.documents import pdfdraw as d
from tradelane.logistics.documents.data import totals_by_currency
from tradelane.logistics.documents.formatting import amount, amounts_text, kg
from tradelane.logistics.documents.manifest import draw_signatures
from tradelane.logistics.documents.tables import MARGIN, MM, PAGE_W, Column, render_table_document

from ..waybills.models import Waybill, WaybillItem
from .dispatches import Reconciliation, reconcile
from .ids import parse_s9
from .models import Bag, Dispatch, DispatchMode

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

KIND_CN38, KIND_MAWB = "cn38", "mawb"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ManifestLine:
    number: str
    bag: str
    consignee: str
    country: str
    goods: str
    hs_codes: str
    value: Decimal
    currency: str
    ioss: str
    pieces: int
    gross_weight_g: int
    chargeable_weight_g: int


@dataclass(frozen=True)
class BagLine:
    receptacle_id: str
    dispatch_id: str
    receptacle: int
    last: bool
    category: str
    parcels: int
    pieces: int
    weight_g: int


@dataclass
class Manifest:
    dispatch: Dispatch
    kind: str
    lines: list[ManifestLine]
    bags: list[BagLine]
    totals: Reconciliation

    @property
    def values_by_currency(self) -> list[tuple[str, Decimal]]:
        return list(totals_by_currency((line.currency, line.value) for line in self.lines))


def is_postal(dispatch: Dispatch) -> bool:
    return Bag.objects.filter(dispatch=dispatch, postal_route__isnull=False).exists()


def build_manifest(dispatch: Dispatch) -> Manifest:
    totals = reconcile(dispatch)
    if not totals.ok:
        raise Conflict("The bags' totals do not match their parcels: no manifest",
                       code="dispatch_does_not_reconcile",
                       details={"differences": totals.differences})  # fmt: skip
    goods: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for wid, name_en, name_zh, hs in (
        WaybillItem.objects.filter(waybill__bag_item__bag__dispatch=dispatch)
        .order_by("waybill_id", "seq")
        .values_list("waybill_id", "name_en", "name_zh", "hs_code")
    ):
        goods[wid].append((name_en or name_zh, hs))
    rows = (
        Waybill.objects.filter(bag_item__bag__dispatch=dispatch)
        .order_by("bag_item__bag_id", "pk")
        .values_list("pk", "number", "consignee_name", "consignee_country", "declared_value",
                     "declared_currency", "ioss", "pieces", "measured_weight_g",
                     "forecast_weight_g", "chargeable_weight_g", "bag_item__bag__number",
                     "bag_item__bag__receptacle_id")
    )  # fmt: skip
    lines = []
    for (
        pk,
        number,
        name,
        country,
        value,
        cur,
        ioss,
        pieces,
        measured,
        forecast,
        chg,
        bag,
        rid,
    ) in rows:
        g = goods.get(pk, [])
        lines.append(ManifestLine(
            number, rid or bag, name, country, "; ".join(n for n, _ in g),
            ", ".join(dict.fromkeys(h for _, h in g if h)), value, cur, ioss, pieces,
            measured or forecast, chg,
        ))  # fmt: skip
    bags = []
    for b in Bag.objects.filter(dispatch=dispatch).order_by("receptacle_id", "number"):
        s9 = parse_s9(b.receptacle_id) if b.receptacle_id else None
        bags.append(BagLine(
            b.label_id, s9["dispatch_id"] if s9 else "", s9["receptacle"] if s9 else 0,
            b.last_receptacle, f"{s9['category']}{s9['subclass']}" if s9 else b.kind,
            b.parcel_count, b.piece_count, b.gross_weight_g,
        ))  # fmt: skip
    kind = KIND_CN38 if is_postal(dispatch) else KIND_MAWB
    return Manifest(dispatch, kind, lines, bags, totals)


def _transport_lines(dsp: Dispatch) -> list[tuple[str, str]]:
    if dsp.mode == DispatchMode.AIR:
        return [
            ("MAWB 主单号", dsp.mawb),
            ("Flight 航班", dsp.flight),
            ("Date 日期", dsp.departure_date.isoformat() if dsp.departure_date else "-"),
            ("Airports 机场", f"{dsp.origin_airport} - {dsp.destination_airport}"),
        ]
    return [
        ("Truck 车牌", dsp.truck_plate),
        ("Depot 接收仓", dsp.receiving_depot or "-"),
        ("Date 日期", dsp.departure_date.isoformat() if dsp.departure_date else "-"),
    ]


def _header(m: Manifest, title: str):
    dsp = m.dispatch

    def draw(c: Canvas, top: float) -> float:
        d.text(c, MARGIN, top - 16, title, 15, bold=True)
        y = top - 32
        fields = [("Dispatch 交接单", dsp.number), ("Channel 渠道", dsp.channel.code),
                  *_transport_lines(dsp)]  # fmt: skip
        if m.kind == KIND_CN38 and m.bags:
            first = parse_s9(m.bags[0].receptacle_id)
            fields.append(
                ("Offices 互换局", f"{first['origin_office']} -> {first['destination_office']}")
            )
        for name, value in fields:
            d.text(c, MARGIN, y, f"{name}:", 8.5, bold=True)
            d.text(c, MARGIN + 32 * MM, y, value, 8.5, max_width=85 * MM)
            y -= 11
        code = dsp.mawb.replace("-", "") if dsp.mawb else dsp.number
        d.barcode(c, PAGE_W - MARGIN - 65 * MM, top - 50, code, max_width=65 * MM, height=28,
                  max_bar=0.35 * MM)  # fmt: skip
        d.text(c, PAGE_W - MARGIN - 32.5 * MM, top - 60, dsp.mawb or dsp.number, 9,
               align="center")  # fmt: skip
        return y - 4

    return draw


def _footer(m: Manifest):
    t = m.totals

    def draw(c: Canvas, top: float) -> float:
        y = top - 13
        d.text(c, MARGIN, y, f"Bags 袋数: {t.bags}", 9.5, bold=True)
        d.text(c, MARGIN + 35 * MM, y, f"Parcels 票数: {t.parcels}", 9.5, bold=True)
        d.text(c, MARGIN + 75 * MM, y, f"Pieces 件数: {t.pieces}", 9.5, bold=True)
        y -= 13
        d.text(c, MARGIN, y, f"Gross 毛重: {kg(t.gross_weight_g)} kg", 9.5, bold=True)
        d.text(c, MARGIN + 55 * MM, y, f"Chargeable 计费重: {kg(t.chargeable_weight_g)} kg",
               9.5, bold=True)  # fmt: skip
        if m.kind == KIND_MAWB:
            y -= 13
            values = amounts_text(m.values_by_currency)
            d.text(c, MARGIN, y, f"Declared value 申报价值: {values}", 9.5, bold=True,
                   max_width=PAGE_W - 2 * MARGIN)  # fmt: skip
        return draw_signatures(c, y - 24)

    return draw


MAWB_COLUMNS = [
    Column("#", 0.045), Column("Waybill 运单号", 0.125), Column("Bag 袋号", 0.11),
    Column("Consignee 收件人", 0.12), Column("Ctry", 0.035), Column("Goods 品名", 0.15),
    Column("HS", 0.07), Column("Value 价值", 0.085, "right"), Column("IOSS", 0.09),
    Column("Pcs", 0.035, "right"), Column("Gross kg", 0.065, "right"),
    Column("Chg kg", 0.065, "right"),
]  # fmt: skip
CN38_COLUMNS = [
    Column("#", 0.05), Column("Receptacle id 总包袋号", 0.34), Column("Dispatch S8", 0.24),
    Column("No.", 0.05, "right"), Column("Last", 0.05), Column("Class", 0.07),
    Column("Parcels", 0.07, "right"), Column("Kg", 0.08, "right"),
]  # fmt: skip


def render_manifest_pdf(m: Manifest) -> bytes:
    dsp = m.dispatch
    if m.kind == KIND_CN38:
        title = f"CN 38 DELIVERY BILL  航空邮件路单  {dsp.number}"
        rows = [[str(n), b.receptacle_id, b.dispatch_id, f"{b.receptacle:03d}",
                 "1" if b.last else "0", b.category, str(b.parcels), kg(b.weight_g, 1)]
                for n, b in enumerate(m.bags, start=1)]  # fmt: skip
        columns, size = CN38_COLUMNS, 8.0
    else:
        head = "MAWB MANIFEST" if dsp.mode == DispatchMode.AIR else "HANDOVER MANIFEST"
        title = f"{head}  交接清单  {dsp.mawb or dsp.number}"
        rows = [[str(n), x.number, x.bag, x.consignee, x.country, x.goods, x.hs_codes,
                 f"{amount(x.value, x.currency)} {x.currency}", x.ioss, str(x.pieces),
                 kg(x.gross_weight_g), kg(x.chargeable_weight_g)]
                for n, x in enumerate(m.lines, start=1)]  # fmt: skip
        columns, size = MAWB_COLUMNS, 6.0
    return render_table_document(
        title=title, columns=columns, rows=rows, draw_header=_header(m, title),
        draw_footer=_footer(m), header_height=34 * MM, footer_height=30 * MM, row_size=size,
    )  # fmt: skip


PARCEL_HEAD = ("Waybill", "Bag", "Consignee", "Country", "Goods", "HS code", "Value",
               "Currency", "IOSS", "Pieces", "Gross kg", "Chargeable kg")  # fmt: skip
BAG_HEAD = ("Receptacle id", "Dispatch (S8)", "Receptacle", "Last", "Class", "Parcels",
            "Pieces", "Gross kg")  # fmt: skip


def render_manifest_xlsx(m: Manifest) -> bytes:
    """One sheet of parcels (both kinds) and, for a CN 38, one of receptacles first; a head
    block with the dispatch and its transport, and a totals row. Weights in kg as numbers."""
    from openpyxl import Workbook

    dsp, t = m.dispatch, m.totals
    wb = Workbook(write_only=True)
    head = [("Dispatch", dsp.number), ("Channel", dsp.channel.code),
            *((k.split(" ")[0], v) for k, v in _transport_lines(dsp))]  # fmt: skip
    if m.kind == KIND_CN38:
        ws = wb.create_sheet("CN 38")
        for row in head:
            ws.append(xlsx_row(ws, row))
        ws.append([])
        ws.append(xlsx_row(ws, BAG_HEAD))
        for b in m.bags:
            ws.append(
                xlsx_row(
                    ws,
                    (
                        b.receptacle_id,
                        b.dispatch_id,
                        b.receptacle,
                        int(b.last),
                        b.category,
                        b.parcels,
                        b.pieces,
                        b.weight_g / 1000,
                    ),
                )
            )
        ws.append(xlsx_row(ws, ("Total", "", t.bags, "", "", t.parcels, t.pieces,
                                t.gross_weight_g / 1000)))  # fmt: skip
    ws = wb.create_sheet("Parcels")
    for row in head:
        ws.append(xlsx_row(ws, row))
    ws.append([])
    ws.append(xlsx_row(ws, PARCEL_HEAD))
    for x in m.lines:
        ws.append(xlsx_row(ws, (x.number, x.bag, x.consignee, x.country, x.goods, x.hs_codes,
                                x.value, x.currency, x.ioss, x.pieces, x.gross_weight_g / 1000,
                                x.chargeable_weight_g / 1000)))  # fmt: skip
    ws.append(xlsx_row(ws, (f"Total: {t.parcels} parcels in {t.bags} bags", "", "", "", "",
                            "", "", "", "", t.pieces, t.parcels_weight_g / 1000,
                            t.chargeable_weight_g / 1000)))  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def manifest_filename(m: Manifest, ext: str) -> str:
    stem = "CN38" if m.kind == KIND_CN38 else ("MAWB-" + m.dispatch.mawb if m.dispatch.mawb
                                                else "manifest")  # fmt: skip
    return f"{stem}-{m.dispatch.number}.{ext}"
