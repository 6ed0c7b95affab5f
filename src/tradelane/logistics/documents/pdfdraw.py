"""Small, fast drawing helpers on a reportlab canvas: text that picks its font, shrinks to fit,
wraps (by words for Latin, by characters for CJK), and Code128 barcodes.

Latin-1 text is set in Helvetica (built into every PDF reader, nothing to embed); any other
text (Chinese, Cyrillic, ...) in the embedded CJK font, with a stroked outline for bold since
the CJK font has a single weight.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import TYPE_CHECKING

from .fonts import LATIN, LATIN_BOLD, cjk_font

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

# reportlab (about 6 MB with Pillow) is imported by the first PDF drawn, not by every process
# that imports the documents package (the API's URLconf does): the functions below import it.


def _first_string_width(text: str, name: str, size: float) -> float:
    """Imports reportlab's ``stringWidth`` and puts it in ``_string_width``'s place, so the
    many calls that follow (wrapping, fitting) cost nothing extra."""
    global _string_width
    from reportlab.pdfbase.pdfmetrics import stringWidth

    _string_width = stringWidth
    return _string_width(text, name, size)


_string_width = _first_string_width


MM = 72 / 25.4


@lru_cache(maxsize=4096)
def _is_latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def font_for(text: str, bold: bool = False) -> tuple[str, bool]:
    """(font name, fake bold) for ``text``."""
    if text.isascii() or _is_latin1(text):
        return (LATIN_BOLD if bold else LATIN), False
    return cjk_font().name, bold


def width(text: str, size: float, bold: bool = False) -> float:
    name, _ = font_for(text, bold)
    return _string_width(text, name, size)


def fit_size(text: str, size: float, max_width: float, bold: bool = False, min_size=5.0):
    """The largest size <= ``size`` (down to ``min_size``) at which ``text`` fits."""
    w = width(text, size, bold)
    if w <= max_width or w == 0:
        return size
    return max(min_size, size * max_width / w)


def clip(text: str, size: float, max_width: float, bold: bool = False) -> str:
    """``text`` cut with an ellipsis so it fits ``max_width`` at ``size``."""
    if width(text, size, bold) <= max_width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if width(text[:mid] + "…", size, bold) <= max_width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"


def text(
    c: Canvas,
    x: float,
    y: float,
    s: str,
    size: float,
    *,
    bold: bool = False,
    max_width: float | None = None,
    align: str = "left",
    min_size: float = 5.0,
) -> float:
    """Draw ``s`` with its baseline at ``y``; shrink (then clip) to ``max_width``.
    Returns the size used."""
    if not s:
        return size
    if max_width is not None:
        size = fit_size(s, size, max_width, bold, min_size)
        s = clip(s, size, max_width, bold)
    name, fake_bold = font_for(s, bold)
    if align != "left":
        w = _string_width(s, name, size)
        x = x - w if align == "right" else x - w / 2
    if fake_bold:
        c.saveState()
        t = c.beginText(x, y)
        t.setFont(name, size)
        t.setTextRenderMode(2)
        c.setLineWidth(size * 0.035)
        t.textOut(s)
        c.drawText(t)
        c.restoreState()
    else:
        c.setFont(name, size)
        c.drawString(x, y, s)
    return size


def _is_cjk_char(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def wrap(s: str, size: float, max_width: float, bold: bool = False) -> list[str]:
    """Break ``s`` into lines no wider than ``max_width``: at spaces, or between CJK
    characters, or (for one over-long word) anywhere."""
    if not s:
        return []
    if width(s, size, bold) <= max_width:
        return [s]
    lines: list[str] = []
    tokens: list[str] = []
    word = ""
    for ch in s:  # tokens: words with their trailing space, single CJK characters
        if _is_cjk_char(ch):
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        else:
            word += ch
            if ch == " ":
                tokens.append(word)
                word = ""
    if word:
        tokens.append(word)
    line = ""
    for tok in tokens:
        candidate = line + tok
        if width(candidate.rstrip(), size, bold) <= max_width:
            line = candidate
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = tok.lstrip()
        while width(line.rstrip(), size, bold) > max_width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and width(line[:cut], size, bold) > max_width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines


def paragraph(
    c: Canvas,
    x: float,
    y: float,
    s: str,
    size: float,
    max_width: float,
    max_lines: int,
    *,
    bold: bool = False,
    leading: float = 1.15,
    min_size: float = 5.0,
) -> float:
    """Draw ``s`` wrapped into at most ``max_lines`` lines from baseline ``y`` downwards,
    shrinking the size until it fits (the last line is clipped if it still does not).
    Returns the baseline below the last line drawn."""
    if not s:
        return y
    lines = wrap(s, size, max_width, bold)
    while len(lines) > max_lines and size > min_size:
        size = max(min_size, size - 0.5)
        lines = wrap(s, size, max_width, bold)
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [" ".join(lines[max_lines - 1 :])]
    for line in lines:
        text(c, x, y, line, size, bold=bold, max_width=max_width, min_size=size)
        y -= size * leading
    return y


def barcode(
    c: Canvas,
    x: float,
    y: float,
    value: str,
    *,
    max_width: float,
    height: float,
    max_bar: float = 0.5 * MM,
    align: str = "center",
) -> float:
    """A Code128 barcode of ``value`` (no text) with its bottom-left near (x, y); the module
    width is the largest up to ``max_bar`` that fits ``max_width`` including quiet zones.
    Returns the drawn width."""
    modules = _modules(value)
    bar = min(max_bar, max_width / (modules + 20))
    from reportlab.graphics.barcode.code128 import Code128

    bc = Code128(value, barWidth=bar, barHeight=height, humanReadable=False, quiet=True)
    w = bc.width
    if align == "center":
        x = x + (max_width - w) / 2
    bc.drawOn(c, x, y)
    return w


@lru_cache(maxsize=1024)
def _modules(value: str) -> int:
    """The number of modules (narrow bar units) of ``value``'s Code128 symbol, no quiet zone."""
    from reportlab.graphics.barcode.code128 import Code128

    bc = Code128(value, barWidth=1, humanReadable=False, quiet=False)
    return round(bc.width)


def new_canvas(buffer: io.BytesIO, pagesize, title: str) -> Canvas:
    from reportlab.pdfgen.canvas import Canvas

    c = Canvas(buffer, pagesize=pagesize, pageCompression=1, invariant=1)
    c.setTitle(title)
    c.setCreator("Tradelane")
    return c
