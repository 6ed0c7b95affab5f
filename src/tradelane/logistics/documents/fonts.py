"""Fonts for the PDFs: Helvetica for Latin-1 text, an embedded CJK TrueType font for the rest.

The CJK font is looked for, in order: the file named by ``TRADELANE_CJK_FONT`` (a path,
optionally ``path#index`` for a face of a TrueType collection), Debian's ``fonts-wqy-microhei``,
``fonts-wqy-zenhei``, ``fonts-arphic-uming``. reportlab embeds TrueType outlines only
(``/FontFile2``); Noto CJK is OpenType/CFF and cannot be embedded by reportlab, so it is not
listed. Without any of these files the PDFs fall back to the non-embedded Adobe CID font
``STSong-Light`` (readers substitute a local font) and a warning is logged once.

Fonts are registered once per process (parsing the 5 MB collection takes a moment); the
renderers only ask ``cjk_font()`` for the registered name.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

ENV_VAR = "TRADELANE_CJK_FONT"
CANDIDATES = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
)
CJK_NAME = "TradelaneCJK"
FALLBACK_CID = "STSong-Light"
LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"


@dataclass(frozen=True)
class CJKFont:
    name: str  # the registered reportlab font name
    path: str | None  # the TrueType file, None for the CID fallback
    embedded: bool


_lock = threading.Lock()
_font: CJKFont | None = None


def _candidates() -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        path, _, index = env.partition("#")
        found.append((path, int(index) if index.isdigit() else 0))
    found.extend(CANDIDATES)
    return found


def _register() -> CJKFont:
    for path, index in _candidates():
        if not os.path.isfile(path):
            continue
        try:
            font = TTFont(CJK_NAME, path, subfontIndex=index)
        except Exception as exc:  # a damaged or CFF font: say so, try the next one
            log.warning("cannot use %s as CJK font: %s", path, exc)
            continue
        pdfmetrics.registerFont(font)
        return CJKFont(CJK_NAME, path, True)
    log.warning(
        "no CJK TrueType font found (install fonts-wqy-microhei or set %s); "
        "PDFs use the non-embedded %s",
        ENV_VAR,
        FALLBACK_CID,
    )
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID))
    return CJKFont(FALLBACK_CID, None, False)


def cjk_font() -> CJKFont:
    """The CJK font, registered on first use (once per process, thread-safe)."""
    global _font
    if _font is None:
        with _lock:
            if _font is None:
                _font = _register()
    return _font


def reset_for_tests() -> None:
    """Forget the chosen font so a test can change ``TRADELANE_CJK_FONT`` (tests only)."""
    global _font
    with _lock:
        _font = None
