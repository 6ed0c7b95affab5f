"""Bag labels (袋牌): CN 35 (air) and CN 34 (surface) for a sealed postal bag, the provider's
own bag label otherwise; 4x6 inch PDF (reportlab, a Code128 barcode of the id) and ZPL.

A postal bag's label carries its S9 receptacle id, which is final only at the seal (the
weight is in it): an open postal bag prints our own number on the provider's label until then.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from tradelane.logistics.documents import pdfdraw as d
from tradelane.logistics.documents.formatting import kg
from tradelane.logistics.documents.labels_zpl import code128_zpl

from .ids import parse_s9
from .models import Bag, BagKind

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

MM = d.MM
PAGE = (101.6 * MM, 152.4 * MM)
ZPL_W, ZPL_H = 812, 1218  # 4x6 at 203 dpi


@dataclass(frozen=True)
class BagLabel:
    form: str  # "CN 35", "CN 34" or "BAG"
    mode_text: str  # PAR AVION / BY AIRMAIL, SURFACE, ...
    label_id: str
    origin: str
    destination: str
    sort_key: str
    channel: str
    dispatch: str  # the S8 id, or our dispatch number
    receptacle: str
    weight_g: int
    parcels: int
    pieces: int
    last: bool
    registered: bool
    date: str


def label_of(bag: Bag) -> BagLabel:
    postal = bag.is_postal and bag.receptacle_id
    air = bag.kind == BagKind.AIR
    day = timezone.localdate(bag.sealed_at or bag.created_at).isoformat()
    common = {"label_id": bag.label_id, "sort_key": bag.sort_key, "channel": bag.channel.code,
              "weight_g": bag.gross_weight_g, "parcels": bag.parcel_count,
              "pieces": bag.piece_count, "last": bag.last_receptacle, "date": day}  # fmt: skip
    if postal:
        s9 = parse_s9(bag.receptacle_id)
        return BagLabel(
            form="CN 35" if air else "CN 34",
            mode_text="PAR AVION / BY AIRMAIL" if air else "SURFACE / 水陆路",
            origin=s9["origin_office"], destination=s9["destination_office"],
            dispatch=s9["dispatch_id"], receptacle=f"{s9['receptacle']:03d}",
            registered=s9["registered"] != "0", **common,
        )  # fmt: skip
    return BagLabel(
        form="BAG", mode_text="AIR / 空运" if air else "SURFACE / 陆运",
        origin=bag.hub.code if bag.hub_id else "", destination=bag.destination,
        dispatch=bag.dispatch.number if bag.dispatch_id else "", receptacle="",
        registered=False, **common,
    )  # fmt: skip


def _draw(c: Canvas, lab: BagLabel) -> None:
    w, h = PAGE
    m = 4 * MM
    c.setLineWidth(1.2)
    c.rect(m, m, w - 2 * m, h - 2 * m)
    top = h - m
    # header: the form and the mode; the sort key in a black box
    d.text(c, m + 3 * MM, top - 12 * MM, lab.form, 26, bold=True)
    d.text(c, m + 3 * MM, top - 18 * MM, lab.mode_text, 9, bold=True, max_width=45 * MM)
    box_w = 42 * MM
    c.rect(w - m - box_w, top - 22 * MM, box_w, 22 * MM, stroke=0, fill=1)
    c.setFillGray(1)
    d.text(c, w - m - box_w / 2, top - 13 * MM, lab.sort_key, 16, bold=True,
           max_width=box_w - 4 * MM, align="center")  # fmt: skip
    c.setFillGray(0)
    y = top - 22 * MM
    c.line(m, y, w - m, y)
    # from / to
    half = (w - 2 * m) / 2
    d.text(c, m + 3 * MM, y - 5 * MM, "FROM 原寄", 8, bold=True)
    d.text(c, m + 3 * MM, y - 14 * MM, lab.origin or "-", 20, bold=True, max_width=half - 6 * MM)
    d.text(c, m + half + 3 * MM, y - 5 * MM, "TO 寄达", 8, bold=True)
    d.text(c, m + half + 3 * MM, y - 14 * MM, lab.destination, 20, bold=True,
           max_width=half - 6 * MM)  # fmt: skip
    c.line(m + half, y, m + half, y - 18 * MM)
    y -= 18 * MM
    c.line(m, y, w - m, y)
    # facts
    facts = [
        ("Dispatch 总包号", lab.dispatch or "-"), ("Receptacle 袋序号", lab.receptacle or "-"),
        ("Weight 重量", f"{kg(lab.weight_g, 1)} kg"),
        ("Parcels 件数", f"{lab.parcels} ({lab.pieces} pcs)"), ("Channel 渠道", lab.channel),
        ("Date 日期", lab.date),
    ]  # fmt: skip
    if lab.form != "BAG":
        facts.append(("Last 最后一袋", "YES" if lab.last else "no"))
        facts.append(("Registered 挂号", "R" if lab.registered else "-"))
    yy = y - 6 * MM
    for name, value in facts:
        d.text(c, m + 3 * MM, yy, name, 8.5, bold=True)
        d.text(c, m + 38 * MM, yy, value, 10, max_width=w - 2 * m - 41 * MM)
        yy -= 5.6 * MM
    # the id's barcode and its text
    d.barcode(c, m + 2 * MM, m + 14 * MM, lab.label_id, max_width=w - 2 * m - 4 * MM,
              height=22 * MM, max_bar=0.42 * MM)  # fmt: skip
    d.text(c, w / 2, m + 7 * MM, _spaced(lab.label_id), 11, bold=True, align="center",
           max_width=w - 2 * m - 4 * MM)  # fmt: skip


def _spaced(label_id: str) -> str:
    """A 29-character S9 id in its fields (S8 20, serial 3, flags 2, weight 4)."""
    if len(label_id) == 29:
        r = label_id
        return f"{r[:6]} {r[6:12]} {r[12:15]} {r[15:20]} {r[20:23]} {r[23:25]} {r[25:]}"
    return label_id


def render_bag_labels_pdf(bags: Iterable[Bag]) -> bytes:
    buf = io.BytesIO()
    c = d.new_canvas(buf, PAGE, "Bag labels")
    for bag in bags:
        _draw(c, label_of(bag))
        c.showPage()
    c.save()
    return buf.getvalue()


def _zpl_text(x: int, y: int, s: str, h: int, width: int = ZPL_W - 80) -> str:
    s = "".join(ch for ch in s if 32 <= ord(ch) < 127 and ch not in "^~")
    return f"^FO{x},{y}^A0N,{h},{h}^FB{width},1,0,L,0^FD{s}^FS\n" if s else ""


def _ascii(s: str) -> str:
    """The Latin part of a bilingual text (ZPL's built-in font has no Chinese)."""
    return s.split(" / ")[0] if "/" in s and not s.isascii() else s


def render_bag_label_zpl(bag: Bag) -> str:
    lab = label_of(bag)
    out = ["^XA\n^CI28\n", f"^PW{ZPL_W}\n^LL{ZPL_H}\n^LH0,0\n", "^FO20,20^GB772,1178,3^FS\n"]
    out.append(_zpl_text(40, 40, lab.form, 90, 360))
    out.append(_zpl_text(40, 140, _ascii(lab.mode_text), 30, 360))
    out.append("^FO440,20^GB352,180,180^FS\n")
    key = "".join(ch for ch in lab.sort_key if 32 <= ord(ch) < 127 and ch not in "^~")
    out.append(f"^FO440,80^A0N,56,56^FB352,1,0,C,0^FR^FD{key}^FS\n")
    out.append("^FO20,200^GB772,0,3^FS\n")
    out.append(_zpl_text(40, 215, "FROM", 26, 360) + _zpl_text(420, 215, "TO", 26, 360))
    out.append(_zpl_text(40, 250, lab.origin or "-", 64, 360))
    out.append(_zpl_text(420, 250, lab.destination, 64, 360))
    out.append("^FO20,340^GB772,0,3^FS\n")
    facts = [("Dispatch", lab.dispatch or "-"), ("Receptacle", lab.receptacle or "-"),
             ("Weight", f"{kg(lab.weight_g, 1)} kg"),
             ("Parcels", f"{lab.parcels} ({lab.pieces} pcs)"), ("Channel", lab.channel),
             ("Date", lab.date)]  # fmt: skip
    if lab.form != "BAG":
        facts += [("Last", "YES" if lab.last else "no"), ("Registered", "R" if lab.registered
                                                          else "-")]  # fmt: skip
    y = 360
    for name, value in facts:
        out.append(_zpl_text(40, y, name, 30, 260) + _zpl_text(300, y, value, 34, 470))
        y += 46
    fd, modules = code128_zpl(lab.label_id)
    module = max(1, min(4, (ZPL_W - 80) // modules))
    x = (ZPL_W - modules * module) // 2
    out.append(f"^FO{x},{ZPL_H - 330}^BY{module},3,200^BCN,200,N,N,N^FD{fd}^FS\n")
    out.append(f"^FO40,{ZPL_H - 110}^A0N,36,36^FB732,1,0,C,0^FD{_spaced(lab.label_id)}^FS\n")
    out.append("^XZ\n")
    return "".join(out)


def render_bag_labels_zpl(bags: Iterable[Bag]) -> str:
    return "".join(render_bag_label_zpl(b) for b in bags)
