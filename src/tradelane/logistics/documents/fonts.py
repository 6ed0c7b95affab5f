"""Fonts for the PDFs: Helvetica for Latin-1 text, an embedded CJK TrueType font for the rest.

The CJK font is looked for, in order: the file named by ``TRADELANE_CJK_FONT`` (a path,
optionally ``path#index`` for a face of a TrueType collection), Debian's ``fonts-wqy-microhei``,
``fonts-wqy-zenhei``, ``fonts-arphic-uming``. reportlab embeds TrueType outlines only
(``/FontFile2``); Noto CJK is OpenType/CFF and cannot be embedded by reportlab, so it is not
listed. Without any of these files the PDFs fall back to the non-embedded Adobe CID font
``STSong-Light``: a reader without a Chinese font of its own shows that text blank (document
titles, goods descriptions, names). ``tradelane up`` says so at start with the install command
(``missing_cjk_font``), admins see a banner in the UI, and the first PDF drawn logs a warning.

Fonts are registered once per process (parsing the 5 MB collection takes a moment); the
renderers only ask ``cjk_font()`` for the registered name.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass

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
INSTALL_COMMAND = "sudo apt-get install fonts-wqy-microhei"
MISSING_FONT_WARNING = (
    "no CJK TrueType font found: PDFs (labels, invoices, customs forms) use the non-embedded "
    f"{FALLBACK_CID}, and a PDF reader without a Chinese font shows their Chinese text blank. "
    f"Install one ({INSTALL_COMMAND} on Debian/Ubuntu) or set {ENV_VAR} to a .ttf/.ttc file, "
    "then restart."
)


@dataclass(frozen=True)
class CJKFont:
    name: str  # the registered reportlab font name
    path: str | None  # the TrueType file, None for the CID fallback
    embedded: bool


_lock = threading.Lock()
_font: CJKFont | None = None
_warned = False


def _candidates() -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        path, _, index = env.partition("#")
        found.append((path, int(index) if index.isdigit() else 0))
    found.extend(CANDIDATES)
    return found


def _register() -> CJKFont:
    # reportlab is imported here, by the first PDF drawn (the UI's banner imports this module)
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

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
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID))
    return CJKFont(FALLBACK_CID, None, False)


def _chosen() -> CJKFont:
    global _font
    if _font is None:
        with _lock:
            if _font is None:
                _font = _register()
    return _font


def cjk_font() -> CJKFont:
    """The CJK font, registered on first use (once per process, thread-safe). The first call
    that finds no TrueType font logs ``MISSING_FONT_WARNING`` (unless ``up`` already said it)."""
    global _warned
    font = _chosen()
    if not font.embedded and not _warned:
        _warned = True
        log.warning(MISSING_FONT_WARNING)
    return font


def missing_cjk_font(*, announced: bool = False) -> bool:
    """True when no CJK TrueType font can be embedded. ``announced``: the caller tells the
    person itself (``tradelane up`` prints the warning), so the log does not repeat it."""
    global _warned
    missing = not _chosen().embedded
    if missing and announced:
        _warned = True
    return missing


def reset_for_tests() -> None:
    """Forget the chosen font so a test can change ``TRADELANE_CJK_FONT`` (tests only)."""
    global _font, _warned
    with _lock:
        _font = None
        _warned = False
