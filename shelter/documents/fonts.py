"""The bundled fonts, registered once with ReportLab.

Two families cover everything a document prints: Noto Naskh Arabic for
Arabic-script runs (it carries the presentation-form glyphs that
``arabic-reshaper`` emits) and Noto Sans for everything else (Latin with
French accents, digits, punctuation); Noto Naskh has almost no Latin and
Noto Sans has no Arabic, so neither covers both. ReportLab's ``TTFont``
embeds only the glyphs used (a subset, named ``XXXXXX+Font``), so a
one-page PDF stays small.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from shelter.resources import resource

# ReportLab font name -> file under resources/fonts.
_FILES: dict[str, str] = {
    "NotoNaskhArabic": "NotoNaskhArabic-Regular.ttf",
    "NotoNaskhArabic-Bold": "NotoNaskhArabic-Bold.ttf",
    "NotoSans": "NotoSans-Regular.ttf",
    "NotoSans-Bold": "NotoSans-Bold.ttf",
}

# Noto Naskh Arabic draws smaller than Noto Sans at the same point size (a
# lower x-height and long ascenders): its runs are set this much larger, so
# that Arabic and Latin words on one line look the same size.
_SIZE_FACTOR: dict[str, float] = {"NotoNaskhArabic": 1.15, "NotoNaskhArabic-Bold": 1.15}

_lock = threading.Lock()
_registered = False


@dataclass(frozen=True)
class FontPair:
    """The two ReportLab font names used for one weight: ``arabic`` draws
    Arabic-script runs, ``latin`` draws every other run."""

    arabic: str
    latin: str


REGULAR = FontPair(arabic="NotoNaskhArabic", latin="NotoSans")
BOLD = FontPair(arabic="NotoNaskhArabic-Bold", latin="NotoSans-Bold")


def register_fonts() -> None:
    """Register the bundled fonts with ReportLab (idempotent, thread-safe).

    Every drawing helper in this package calls it, so callers need not.
    Raises ``FileNotFoundError`` when a font file is missing from the
    installation (a broken build, not a user error).
    """
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name, filename in _FILES.items():
            path = resource("fonts", filename)
            if not path.is_file():
                raise FileNotFoundError(f"bundled font missing: {path}")
            pdfmetrics.registerFont(TTFont(name, str(path)))
        _registered = True


def scaled_size(font_name: str, size: float) -> float:
    """The point size to draw ``font_name`` at for text of nominal ``size``."""
    return size * _SIZE_FACTOR.get(font_name, 1.0)


def has_glyph(font_name: str, char: str) -> bool:
    """True when the registered font ``font_name`` has a glyph for ``char``."""
    register_fonts()
    font = pdfmetrics.getFont(font_name)
    return ord(char) in font.face.charToGlyph
