"""Thermal shipping labels as ZPL II for 203 dpi printers (8 dots/mm).

Sizes: ``4x6`` is ``^PW812 ^LL1218``; ``100x100`` is ``^PW800 ^LL800``. The layout follows
the PDF label (labels_pdf.py). Text is sent as UTF-8 (``^CI28``).

CJK text: the printer's resident fonts (``^A0``, CG Triumvirate) have no Chinese glyphs, so a
field that is not plain Latin-1 uses font ``J``, which each label maps with
``^CWJ,E:ANMDS.TTF`` to Zebra's "Andale Mono Simplified Chinese" TrueType font (an optional
Zebra font kit installed in the printer's flash, ``E:``). ``^CW`` is used rather than
``^A@N,h,w,E:ANMDS.TTF`` on each field because it names the font once per label; a site with
another Unicode font passes ``cjk_font="E:SIMSUN.TTF"`` (any ``d:name.ext``). Latin-only
fields stay on the resident ``^A0`` so a printer without the kit still prints every Latin
label completely.

The tracking barcode is ``^BC`` Code128 in mode N with explicit subset invocation codes
(``>:`` start B, ``>;`` start C, ``>5`` to C, ``>6`` to B) so digit runs are packed in
subset C, and the module width (``^BY``) is the widest that fits the label. The printer
prints the interpretation line under the bars.

For 100x100 labels the CN22 goes on a second label (one more ``^XA...^XZ``), as in the PDF.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from tradelane.core.errors import ValidationFailed

from .choice import label_has_cn22
from .data import CATEGORIES, CATEGORY_LABELS, SIZES, CustomsDeclaration, LabelData
from .formatting import amount, country_label, dims, kg

DEFAULT_CJK_FONT = "E:ANMDS.TTF"
DOTS = {"4x6": (812, 1218), "100x100": (800, 800)}


# --- Code128 data with subsets ---------------------------------------------------------------


def _digit_run(s: str, i: int) -> int:
    j = i
    while j < len(s) and s[j].isdigit():
        j += 1
    return j - i


def code128_zpl(data: str) -> tuple[str, int]:
    """(field data with invocation codes, number of modules without quiet zones).

    Subset C for a leading run of 4+ digits, a run of 6+ digits inside, or 4+ at the end
    (an odd run gives its first digit to subset B); subset B for the rest. Printable ASCII
    only; ``>`` is written ``><``; ``^`` and ``~`` cannot be sent in a ZPL field."""
    if not data or not all(32 <= ord(ch) < 127 for ch in data) or set("^~") & set(data):
        raise ValidationFailed(
            f"Cannot encode {data!r} in a ZPL Code128 barcode", code="invalid_barcode_data"
        )
    out: list[str] = []
    symbols = 1  # the start code
    subset = ""
    i, n = 0, len(data)
    while i < n:
        run = _digit_run(data, i)
        if subset == "":
            use_c = run >= 4 or (run == n and run >= 2 and run % 2 == 0)
        else:
            use_c = run >= 6 or (i + run == n and run >= 4)
        if subset == "C" and run >= 2:
            use_c = True
        if use_c:
            if run % 2:
                if subset != "B":
                    out.append(">:" if subset == "" else ">6")
                    symbols += 0 if subset == "" else 1
                    subset = "B"
                out.append(data[i])
                symbols += 1
                i += 1
                run -= 1
            if subset != "C":
                out.append(">;" if subset == "" else ">5")
                symbols += 0 if subset == "" else 1
                subset = "C"
            out.append(data[i : i + run])
            symbols += run // 2
            i += run
        else:
            if subset != "B":
                out.append(">:" if subset == "" else ">6")
                symbols += 0 if subset == "" else 1
                subset = "B"
            ch = data[i]
            out.append("><" if ch == ">" else ch)
            symbols += 1
            i += 1
    symbols += 1  # the check symbol
    return "".join(out), symbols * 11 + 13


# --- fields ------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _latin(s: str) -> bool:
    if s.isascii():
        return True
    try:
        s.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _fd(s: str) -> str:
    """``^FD...^FS`` for text, hex-escaping (``^FH``) the characters ZPL reserves."""
    if "^" in s or "~" in s or "_" in s:
        esc = s.replace("_", "_5F").replace("^", "_5E").replace("~", "_7E")
        return f"^FH^FD{esc}^FS"
    return f"^FD{s}^FS"


@lru_cache(maxsize=8192)
def _clip(s: str, h: int, width: int) -> str:
    """Cut ``s`` so it fits ``width`` dots at height ``h``: Latin in ^A0 (condensed) advances
    about 0.55 h a character, CJK in a square font about h."""
    if len(s) * h <= width:  # fits even if every character were CJK
        return s
    if s.isascii() and len(s) * h * 0.55 <= width:
        return s
    budget = width
    out = []
    for ch in s:
        adv = h * 0.55 if ord(ch) < 0x2E80 else h * 1.0
        if budget < adv:
            return "".join(out).rstrip() + ".."
        budget -= adv
        out.append(ch)
    return s


def _text(x: int, y: int, s: str, h: int, width: int, align: str = "L", reverse=False) -> str:
    """A one-line text field in a block of ``width`` dots (``^FB`` aligns and stops wrap)."""
    if not s:
        return ""
    s = _clip(s, h, width)
    font = f"^A0N,{h},{h}" if _latin(s) else f"^AJN,{h},{h}"
    fr = "^FR" if reverse else ""
    return f"^FO{x},{y}{font}^FB{width},1,0,{align},0{fr}{_fd(s)}\n"


def _box(x: int, y: int, w: int, h: int, t: int = 2) -> str:
    return f"^FO{x},{y}^GB{w},{h},{t}^FS\n"


def _barcode(x0: int, y: int, width: int, data: str, height: int, max_module: int) -> str:
    fd, modules = code128_zpl(data)
    module = max(1, min(max_module, (width - 40) // modules))
    x = x0 + (width - modules * module) // 2
    return f"^FO{x},{y}^BY{module},3,{height}^BCN,{height},Y,N,N^FD{fd}^FS\n"


# --- labels ------------------------------------------------------------------------------


def render_label_zpl(label: LabelData, size: str = "4x6", *, cjk_font: str = DEFAULT_CJK_FONT):
    """One label as ZPL text (two ``^XA...^XZ`` formats for a 100x100 label with CN22)."""
    if size not in SIZES:
        raise ValidationFailed(
            f"Unknown label size {size!r}", code="invalid_label_size", details=list(SIZES)
        )
    pw, ll = DOTS[size]
    big = size == "4x6"
    cn22 = label_has_cn22(label)
    head = f"^XA\n^CI28\n^PW{pw}\n^LL{ll}\n^LH0,0\n^CWJ,{cjk_font}\n"
    parts = [head]
    m = 16
    x0, x1 = m, pw - m
    w = x1 - x0
    pad = 12
    cn22_here = cn22 and big
    if big:
        header_h, from_h = 120, 160
        to_h = 288 if cn22_here else 400
        code_h = 200 if cn22_here else 248
        info_h = 64
    else:
        header_h, from_h, to_h, code_h, info_h = 88, 112, 264, 184, 0
    parts.append(_box(x0, m, w, ll - 2 * m, 3))

    # header
    y = m
    code = label.sort_code or label.channel_code
    box_w = int(w * 0.42) if code else 0
    if code:
        parts.append(f"^FO{x1 - box_w},{y}^GB{box_w},{header_h},{header_h}^FS\n")
        ch = 64 if big else 48
        parts.append(
            _text(x1 - box_w, y + (header_h - ch) // 2, code, ch, box_w, "C", reverse=True)
        )
    left_w = w - box_w - 2 * pad
    parts.append(_text(x0 + pad, y + 14, label.carrier_name, 44 if big else 34, left_w))
    svc = label.service_name or label.channel_code
    parts.append(
        _text(x0 + pad, y + header_h - (40 if big else 32), svc, 26 if big else 22, left_w)
    )
    y += header_h
    parts.append(_box(x0, y, w, 0, 3))

    # sender and facts
    fs = 22 if big else 18
    lead = fs + 4
    split = x0 + int(w * 0.62)
    parts.append(f"^FO{split},{y}^GB0,{from_h},2^FS\n")
    s = label.sender
    yy = y + 8
    col_w = split - x0 - 2 * pad
    sender_lines = [
        "FROM 寄件人:",
        s.name + (f" / {s.company}" if s.company else ""),
        " ".join(p for p in (s.address1, s.address2) if p),
        f"{s.city_line()} {s.country}".strip(),
        s.phone,
    ]
    for line in sender_lines:
        if line and yy + fs <= y + from_h - 4:
            parts.append(_text(x0 + pad, yy, line, fs, col_w))
            yy += lead
    facts = []
    if label.date:
        facts.append(f"Date: {label.date.isoformat()}")
    if label.weight_g:
        facts.append(f"Weight: {kg(label.weight_g)} kg")
    size_text = dims(label.length_mm, label.width_mm, label.height_mm)
    if size_text:
        facts.append(f"Size: {size_text}")
    if label.postal:
        facts.append("POSTAL 邮政")
    yy = y + 8
    fw = x1 - pad - split - pad
    for fact in facts[: 4 if big else 3]:
        parts.append(_text(split + pad, yy, fact, fs, fw))
        yy += lead + 6
    y += from_h
    parts.append(_box(x0, y, w, 0, 3))

    # receiver
    r = label.receiver
    rw = w - 2 * pad
    small = 24 if big else 18
    yy = y + 8
    parts.append(_text(x0 + pad, yy, "TO 收件人:", small, rw // 2))
    if r.phone:
        parts.append(_text(x0 + pad + rw // 2, yy, f"Tel {r.phone}", small, rw // 2, "R"))
    yy += small + 8
    name_h, addr_h = (48, 36) if big else (36, 26)
    parts.append(_text(x0 + pad, yy, r.name, name_h, rw))
    yy += name_h + 6
    if r.company:
        parts.append(_text(x0 + pad, yy, r.company, addr_h, rw))
        yy += addr_h + 4
    street = ", ".join(p for p in (r.address1, r.address2) if p)
    lines = 2 if (big and not cn22_here) or not r.company else 1
    if street:
        font = f"^A0N,{addr_h},{addr_h}" if _latin(street) else f"^AJN,{addr_h},{addr_h}"
        street = _clip(street, addr_h, rw * lines)
        parts.append(f"^FO{x0 + pad},{yy}{font}^FB{rw},{lines},4,L,0{_fd(street)}\n")
        yy += (addr_h + 4) * lines
    parts.append(_text(x0 + pad, yy + 2, r.city_line(), addr_h + 6, rw))
    country_h = 56 if big else 40
    parts.append(
        _text(x0 + pad, y + to_h - country_h - 10, country_label(r.country), country_h, rw)
    )
    y += to_h
    parts.append(_box(x0, y, w, 0, 3))

    # tracking barcode (the printer prints the text under it)
    bar_h = code_h - (70 if big else 64)
    parts.append(_barcode(x0, y + 14, w, label.tracking_number, bar_h, 4 if big else 3))
    y += code_h
    parts.append(_box(x0, y, w, 0, 3))

    # reference and pieces
    pieces = f"PCS {label.piece}/{label.pieces}"
    if big:
        parts.append(_text(x0 + pad, y + 18, f"Ref: {label.reference}", 30, int(w * 0.62)))
        parts.append(
            _text(x0 + pad + int(w * 0.62), y + 12, pieces, 42, int(w * 0.38) - 2 * pad, "R")
        )
        y += info_h
        parts.append(_box(x0, y, w, 0, 3))
    else:
        parts.append(_text(x0 + pad, y + 30, f"Ref: {label.reference}", 26, int(w * 0.6)))
        parts.append(
            _text(x0 + pad + int(w * 0.6), y + 22, pieces, 44, int(w * 0.4) - 2 * pad, "R")
        )

    if cn22_here:
        parts.append(_cn22(label.customs, label, x0, y, w, ll - m - y, 1.0))
    elif big and label.return_address is not None:
        ret = label.return_address
        line = ", ".join(
            p for p in (ret.name, ret.company, ret.address1, ret.address2, ret.city_line()) if p
        )
        parts.append(_text(x0 + pad, y + 12, "If undeliverable return to 无法投递请退回:", 22, rw))
        parts.append(_text(x0 + pad, y + 40, f"{line}, {ret.country}", 22, rw))
    parts.append("^PQ1\n^XZ\n")

    if cn22 and not big:
        parts.append(head)
        parts.append(_box(x0, m, w, ll - 2 * m, 3))
        parts.append(_cn22(label.customs, label, x0, m, w, ll - 2 * m, 1.2))
        parts.append("^PQ1\n^XZ\n")
    return "".join(parts)


def render_labels_zpl(labels: Iterable[LabelData], size: str = "4x6", **kw) -> str:
    """Many labels as one ZPL stream (one ``^XA...^XZ`` format each)."""
    return "".join(render_label_zpl(label, size, **kw) for label in labels)


def _cn22(
    customs: CustomsDeclaration, label: LabelData, x0: int, y0: int, w: int, h: int, k: float
) -> str:
    """The CN22 block in the box whose top-left corner is (x0, y0)."""
    out: list[str] = []
    pad = 10
    x1 = x0 + w
    fs = int(18 * k)
    y = y0 + 8
    out.append(_text(x0 + pad, y, "CUSTOMS DECLARATION CN 22 报关签条", int(26 * k), int(w * 0.68)))
    out.append(
        _text(x0 + int(w * 0.68), y + 6, "May be opened officially", fs, int(w * 0.32) - pad, "R")
    )
    y += int(34 * k)
    out.append(_box(x0, y, w, 0, 2))
    box = int(18 * k)
    col = (w - 2 * pad) // 3
    for i, cat in enumerate(CATEGORIES):
        cx = x0 + pad + (i % 3) * col
        cy = y + 6 + (i // 3) * (box + 6)
        out.append(_box(cx, cy, box, box, 2))
        if customs.category == cat:
            out.append(
                f"^FO{cx},{cy}^GD{box},{box},3,B,L^FS\n^FO{cx},{cy}^GD{box},{box},3,B,R^FS\n"
            )
        en, zh = CATEGORY_LABELS[cat]
        out.append(_text(cx + box + 6, cy + 1, f"{en} {zh}", fs, col - box - 10))
    y += 2 * (box + 6) + 6
    out.append(_box(x0, y, w, 0, 2))
    fracs = (0.43, 0.13, 0.16, 0.17, 0.11)
    xs = [x0]
    for f in fracs:
        xs.append(xs[-1] + int(w * f))
    xs[-1] = x1
    cur = customs.currency
    heads = ("Description 内件名称", "Kg", f"Value {cur}", "HS code", "Origin")
    row = fs + 8
    y += 6
    for i, head in enumerate(heads):
        out.append(_text(xs[i] + 4, y, head, fs, xs[i + 1] - xs[i] - 8))
    footer = row * 2 + fs * 3 + 40
    room = max(1, (y0 + h - y - row - footer) // row)
    items = customs.items
    shown = items if len(items) <= room else items[: max(room - 1, 0)]
    for item in shown:
        y += row
        desc = f"{item.quantity} x {item.name_zh} {item.name_en}".replace("  ", " ")
        cells = (desc, kg(item.weight_g), amount(item.line_value, cur), item.hs_code,
                 item.origin_country)  # fmt: skip
        for i, cell in enumerate(cells):
            out.append(_text(xs[i] + 4, y, cell, fs, xs[i + 1] - xs[i] - 8))
    if len(shown) < len(items):
        y += row
        more = len(items) - len(shown)
        out.append(_text(xs[0] + 4, y, f"+ {more} more item(s), see CN23/invoice", fs, w - 8))
    y += row + 2
    out.append(_box(x0, y, w, 0, 2))
    y += 6
    out.append(_text(xs[0] + 4, y, "Total 总计", fs, xs[1] - xs[0] - 8))
    out.append(_text(xs[1] + 4, y, kg(customs.total_weight_g), fs, xs[2] - xs[1] - 8))
    out.append(_text(xs[2] + 4, y, amount(customs.total_value, cur), fs, xs[3] - xs[2] - 8))
    y += row
    out.append(_box(x0, y, w, 0, 2))
    y += 6
    stmt = (
        "I certify that the particulars given in this declaration are correct and that this "
        "item does not contain any dangerous article or articles prohibited by legislation or "
        "by postal or customs regulations."
    )
    sh = max(14, int(15 * k))
    out.append(f"^FO{x0 + pad},{y}^A0N,{sh},{sh}^FB{w - 2 * pad},3,2,L,0{_fd(stmt)}\n")
    date = customs.date or label.date
    sign_y = y0 + h - fs - 12
    out.append(_text(x0 + pad, sign_y, "Date and signature 日期和签名:", fs, int(w * 0.45)))
    out.append(
        _text(x0 + int(w * 0.47), sign_y, date.isoformat() if date else "", fs, int(w * 0.2))
    )
    sig_x = x0 + int(w * 0.68)
    out.append(_text(sig_x, sign_y - 4, customs.signature_name, fs + 4, x1 - pad - sig_x))
    out.append(f"^FO{sig_x},{sign_y + fs + 2}^GB{x1 - pad - sig_x},0,2^FS\n")
    return "".join(out)
