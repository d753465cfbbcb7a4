"""Lay out mixed Arabic/Latin text for a PDF: shape, wrap, reorder, pick fonts.

ReportLab draws strings left to right, glyph by glyph, and knows nothing of
Arabic joining or right-to-left order. So text goes through these steps, in
this order (the order matters):

1. **Shape** the logical-order text with ``arabic-reshaper``: each Arabic
   letter becomes its contextual presentation form (initial, medial, final,
   isolated; lam-alef ligatures). Shaping works on logical order, where a
   letter's neighbours are its real neighbours, and never across a space,
   so shaping a whole paragraph before wrapping is safe.
2. **Wrap** in logical order, measuring every candidate line with the real
   font metrics, so a line break falls between the words a reader expects.
3. **Keep numbers whole**: in a right-to-left paragraph, a stretch of
   non-Arabic words that holds a digit (a date 2026-11-22, a case number
   RBT-2026-0042, a telephone number 06 12 34 56 78) is wrapped in a
   left-to-right embedding. Plain UAX #9 would turn digits after Arabic
   letters into "Arabic numbers" and print 2026-11-22 as 22-11-2026.
4. **Reorder** each line for display with the Unicode bidirectional
   algorithm (UAX #9, ``python-bidi``), the paragraph direction given
   explicitly; French words keep their own direction inside Arabic, and
   brackets are mirrored (rule L4) inside right-to-left runs.
5. **Split into runs**: pieces of the line in one font (Arabic script in
   Noto Naskh Arabic, the rest in Noto Sans, see ``fonts``) and one
   direction. Each run knows its place on the line *and* its place in the
   logical text: runs are written into the PDF in logical order, each at
   its visual position, so the page looks right and text extraction (copy,
   search, screen readers, the tests) reads the sentence in the order it
   was written.

Harakat (short-vowel marks: shadda, fatha, tanwin…) are dropped by the
shaper. Without OpenType mark positioning a mark sits where the font's
default puts it, not on its letter's anchor, and collides with letter dots
(a shadda on ف makes it read as ق): a misread letter is worse than a missing
vowel, and Arabic prose, names and notes are read without them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal

from arabic_reshaper import ArabicReshaper

# The pure-Python UAX #9 implementation of python-bidi, step by step rather
# than through ``get_display``: the steps let each character keep its logical
# index through the reordering (the runs need it). The Rust wrapper exported
# as ``bidi.get_display`` returns only the reordered string and does not
# apply rule L4 (mirrored brackets).
from bidi import algorithm as uax9
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from shelter.documents.fonts import BOLD, REGULAR, FontPair, has_glyph, register_fonts, scaled_size

Direction = Literal["rtl", "ltr"]
Align = Literal["start", "end", "center"]
Anchor = Literal["left", "right", "center"]

# Unicode blocks of the Arabic script (letters, Arabic-Indic digits, Arabic
# punctuation and both presentation-form blocks the shaper emits).
_ARABIC_RANGES: tuple[tuple[int, int], ...] = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x08A0, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)
# Bidi classes that decide a run's font; the others (spaces, punctuation)
# take the font of the run they sit in.
_STRONG_OR_NUMBER = {"L", "R", "AL", "EN", "AN"}
_LRE, _PDF = "\u202a", "\u202c"  # left-to-right embedding, pop directional formatting
_RLE = "\u202b"
# Directional isolates (UAX #9 since Unicode 6.3), as ``i18n.isolate`` puts
# around a name or a value inside a sentence. python-bidi's pure-Python
# algorithm predates them, so they are read as the embeddings closest to
# them, one character for one (the runs keep their logical indexes).
_LRI, _RLI, _FSI, _PDI = "\u2066", "\u2067", "\u2068", "\u2069"
_CONTROLS = frozenset({_LRE, _RLE, _PDF, "\u202d", "\u202e", _LRI, _RLI, _FSI, _PDI})
# The core of a number-bearing stretch: from its first letter, digit or "+"
# to its last letter, digit or "%"; brackets and sentence punctuation around
# it stay outside and follow the Arabic sentence.
_SPAN_CORE = re.compile(r"[+\w].*[\w%]|\w", re.DOTALL)

_RESHAPER = ArabicReshaper(configuration={"delete_harakat": True, "support_ligatures": True})


def is_arabic(char: str) -> bool:
    """True when ``char`` belongs to the Arabic script blocks."""
    code = ord(char)
    return any(low <= code <= high for low, high in _ARABIC_RANGES)


def has_rtl(text: str) -> bool:
    """True when ``text`` holds a right-to-left letter (Arabic, Hebrew…)."""
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def base_direction(text: str, default: Direction = "ltr") -> Direction:
    """Direction of the first strong character of ``text`` (UAX #9 P2/P3),
    or ``default`` when it has none (digits only, empty)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return default


def shape(text: str) -> str:
    """Join Arabic letters: logical-order text in, logical-order text with
    Arabic presentation forms out. Non-Arabic text comes back unchanged."""
    if not any(is_arabic(char) for char in text):
        return text
    return _RESHAPER.reshape(text)


def keep_numbers_whole(line: str) -> str:
    """Wrap each stretch of words without Arabic letters holding a digit in a
    left-to-right embedding, so that dates, case numbers and telephone
    numbers inside an Arabic line print in their own order."""
    words = line.split(" ")
    out: list[str] = []
    stretch: list[str] = []

    def close_stretch() -> None:
        if stretch:
            out.append(_embed_ltr(" ".join(stretch)))
            stretch.clear()

    for word in words:
        if word and not has_rtl(word):  # Arabic punctuation (، ؛) may cling to a number
            stretch.append(word)
        else:
            close_stretch()
            out.append(word)
    close_stretch()
    return " ".join(out)


def _embed_ltr(stretch: str) -> str:
    if not any(char.isdigit() for char in stretch):
        return stretch  # words alone: UAX #9 already keeps them left to right
    core = _SPAN_CORE.search(stretch)
    if core is None:
        return stretch
    start, end = core.span()
    return f"{stretch[:start]}{_LRE}{stretch[start:end]}{_PDF}{stretch[end:]}"


@dataclass(frozen=True)
class _Char:
    """One character after reordering: what to draw, where it came from."""

    char: str
    index: int  # position in the logical line
    rtl: bool  # resolved direction (odd embedding level)


def _isolates_as_embeddings(line: str) -> str:
    """``line`` with each isolate initiator read as the embedding of its
    direction (an FSI takes the direction of the first strong letter before
    its matching PDI, rule P2) and each PDI as the pop that closes it."""
    if not any(char in line for char in (_LRI, _RLI, _FSI, _PDI)):
        return line
    out = list(line)
    for index, char in enumerate(line):
        if char == _LRI:
            out[index] = _LRE
        elif char == _RLI:
            out[index] = _RLE
        elif char == _PDI:
            out[index] = _PDF
        elif char == _FSI:
            out[index] = _LRE if _first_strong(line, index + 1) == "ltr" else _RLE
    return "".join(out)


def _first_strong(line: str, start: int) -> Direction:
    depth = 0
    for char in line[start:]:
        if char in (_LRI, _RLI, _FSI):
            depth += 1
        elif char == _PDI:
            if depth == 0:
                break
            depth -= 1
        elif depth == 0:
            kind = unicodedata.bidirectional(char)
            if kind in ("R", "AL"):
                return "rtl"
            if kind == "L":
                return "ltr"
    return "ltr"


def reorder(line: str, direction: Direction) -> list[_Char]:
    """The characters of one logical line in visual (left-to-right) order,
    each with its logical index and resolved direction (UAX #9, rules P to
    L4, with ``direction`` as the paragraph level). Embedding controls are
    consumed (rule X9)."""
    storage: dict[str, Any] = uax9.get_empty_storage()
    storage["base_level"] = 1 if direction == "rtl" else 0
    storage["base_dir"] = "R" if direction == "rtl" else "L"
    uax9.get_embedding_levels(_isolates_as_embeddings(line), storage)
    for index, char in enumerate(storage["chars"]):
        char["index"] = index
    uax9.explicit_embed_and_overrides(storage)
    uax9.resolve_weak_types(storage)
    uax9.resolve_neutral_types(storage, False)
    uax9.resolve_implicit_levels(storage, False)
    uax9.reorder_resolved_levels(storage, False)
    uax9.apply_mirroring(storage, False)
    return [_Char(c["ch"], c["index"], bool(c["level"] % 2)) for c in storage["chars"]]


@dataclass(frozen=True)
class Run:
    """A piece of a line in one font and one direction.

    ``text`` is in visual order (reversed for right-to-left runs); ``x`` is
    its left edge from the line's left edge; ``order`` its place in the
    logical text, the order in which runs are written into the PDF."""

    text: str
    font: str
    x: float
    width: float
    order: int


@lru_cache(maxsize=4096)
def _font_for(char: str, current: str | None, fonts: FontPair) -> str:
    if unicodedata.bidirectional(char) in _STRONG_OR_NUMBER or current is None:
        return fonts.arabic if is_arabic(char) else fonts.latin
    if has_glyph(current, char):
        return current
    return fonts.arabic if has_glyph(fonts.arabic, char) else fonts.latin


def _continues(run: list[_Char], char: _Char) -> bool:
    """Whether ``char`` extends ``run`` in both visual and logical order."""
    last = run[-1]
    if char.rtl != last.rtl:
        return False
    return char.index == last.index + (-1 if last.rtl else 1)


def make_runs(chars: list[_Char], fonts: FontPair, size: float) -> tuple[Run, ...]:
    """Group visually ordered characters into runs of one font, one
    direction and consecutive logical positions, and place them."""
    groups: list[tuple[str, list[_Char]]] = []
    current_font: str | None = None
    for char in chars:
        font = _font_for(char.char, current_font, fonts)
        if groups and font == current_font and _continues(groups[-1][1], char):
            groups[-1][1].append(char)
        else:
            groups.append((font, [char]))
        current_font = font
    runs: list[Run] = []
    x = 0.0
    for font, members in groups:
        text = "".join(c.char for c in members)
        width = pdfmetrics.stringWidth(text, font, scaled_size(font, size))
        runs.append(Run(text, font, x, width, min(c.index for c in members)))
        x += width
    return tuple(runs)


def measure(text: str, fonts: FontPair, size: float) -> float:
    """Width in points of ``text`` (shaped) set in ``fonts`` at ``size``."""
    register_fonts()
    width = 0.0
    current: str | None = None
    piece: list[str] = []
    for char in text:
        if char in _CONTROLS:  # not drawn: consumed by the reordering
            continue
        font = _font_for(char, current, fonts)
        if font != current and piece and current is not None:
            width += pdfmetrics.stringWidth("".join(piece), current, scaled_size(current, size))
            piece = []
        current = font
        piece.append(char)
    if piece and current is not None:
        width += pdfmetrics.stringWidth("".join(piece), current, scaled_size(current, size))
    return width


@dataclass(frozen=True)
class Line:
    """One laid-out line: its runs and total width."""

    runs: tuple[Run, ...]
    width: float

    @property
    def visual_text(self) -> str:
        """The line as it looks, left to right."""
        return "".join(run.text for run in self.runs)


def make_line(logical: str, direction: Direction, fonts: FontPair, size: float) -> Line:
    """Lay out one shaped, logical-order line for drawing."""
    if direction == "rtl":
        logical = keep_numbers_whole(logical)
    runs = make_runs(reorder(logical, direction), fonts, size)
    return Line(runs, sum(run.width for run in runs))


def _break_word(word: str, width: float, fonts: FontPair, size: float) -> list[str]:
    """Cut a word wider than ``width`` (a long code or address) into pieces
    that fit, character by character; every piece holds at least one char."""
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and measure(current + char, fonts, size) > width:
            pieces.append(current)
            current = char
        else:
            current += char
    if current:
        pieces.append(current)
    return pieces


def _wrap_logical(shaped: str, width: float, fonts: FontPair, size: float) -> list[str]:
    """Greedy wrap of one hard line (no newline) into logical-order lines."""
    words: list[str] = []
    for word in shaped.split():
        if measure(word, fonts, size) > width:
            words.extend(_break_word(word, width, fonts, size))
        else:
            words.append(word)
    space = measure(" ", fonts, size)
    lines: list[str] = []
    current: list[str] = []
    current_width = 0.0
    for word in words:
        word_width = measure(word, fonts, size)
        if current and current_width + space + word_width > width:
            lines.append(" ".join(current))
            current, current_width = [word], word_width
        else:
            current_width += (space if current else 0.0) + word_width
            current.append(word)
    if current or not lines:
        lines.append(" ".join(current))
    return lines


def paragraph_direction(text: str, direction: Direction) -> Direction:
    """The base direction to reorder ``text`` with in a ``direction``
    document: a paragraph without any right-to-left letter (an English
    phrase not yet translated, a case number alone) reads left to right
    even on an Arabic page, so its final full stop stays at its end."""
    return direction if direction == "ltr" or has_rtl(text) else "ltr"


def layout(text: str, width: float, *, size: float, bold: bool = False, direction: Direction) -> list[Line]:
    """Wrap logical-order ``text`` into lines no wider than ``width`` points.

    Newlines in ``text`` force a break; runs of spaces collapse to one.
    ``direction`` is the paragraph's direction ("rtl" for an Arabic
    paragraph even when it starts with a French word). Lines come back in
    reading order (first line first), each ready to draw.
    """
    register_fonts()
    fonts = BOLD if bold else REGULAR
    base = paragraph_direction(text, direction)
    lines: list[Line] = []
    for hard_line in text.split("\n"):
        for logical in _wrap_logical(shape(hard_line), width, fonts, size):
            lines.append(make_line(logical, base, fonts, size))
    return lines


def draw_line(canvas: Canvas, line: Line, x: float, y: float, size: float, anchor: Anchor) -> None:
    """Draw ``line`` with its baseline at ``y``; ``x`` is its left edge,
    right edge or centre according to ``anchor``. Runs are written in
    logical order, each at its visual place. Uses the current fill colour."""
    if anchor == "right":
        x -= line.width
    elif anchor == "center":
        x -= line.width / 2
    text_object = canvas.beginText(x, y)
    for run in sorted(line.runs, key=lambda r: r.order):
        text_object.setTextOrigin(x + run.x, y)
        text_object.setFont(run.font, scaled_size(run.font, size))
        text_object.textOut(run.text)
    canvas.drawText(text_object)


def fit_line(text: str, max_width: float, *, size: float, bold: bool = False, direction: Direction | None = None,
             min_size: float = 6.0) -> tuple[Line, float]:
    """Lay ``text`` out on a single line no wider than ``max_width``: the font
    shrinks down to ``min_size``, then the text is cut with an ellipsis.
    Returns the line and the size it must be drawn at. For page furniture,
    where a long shelter name must not run into the reference number."""
    register_fonts()
    fonts = BOLD if bold else REGULAR
    text = " ".join(text.split())
    base = paragraph_direction(text, direction or base_direction(text))
    while size > min_size and measure(shape(text), fonts, size) > max_width:
        size = max(min_size, size - 0.5)
    shaped = shape(text)
    while len(text) > 1 and measure(shaped, fonts, size) > max_width:
        # Cut the logical text and shape again, so the last letter left
        # takes its final form.
        text = text[:-2].rstrip() + "…"
        shaped = shape(text)
    return make_line(shaped, base, fonts, size), size


@dataclass(frozen=True)
class TextStyle:
    """How a ``BidiParagraph`` looks. ``leading`` is the distance between
    baselines (Arabic needs about 1.6 × size for its tall letters and deep
    descenders); ``align`` is relative to the paragraph direction ("start"
    is right in Arabic, left in French)."""

    size: float = 10.0
    leading: float | None = None
    bold: bool = False
    color: colors.Color = colors.black
    align: Align = "start"
    space_before: float = 0.0
    space_after: float = 0.0

    @property
    def line_height(self) -> float:
        return self.leading if self.leading is not None else round(self.size * 1.6, 2)


def anchor_for(align: Align, direction: Direction) -> Anchor:
    """Which edge a line is drawn from: "start" is the left edge in a
    left-to-right paragraph and the right edge in a right-to-left one."""
    if align == "center":
        return "center"
    at_start = align == "start"
    return "left" if (direction == "ltr") == at_start else "right"


class BidiParagraph(Flowable):
    """A platypus flowable for one paragraph of plain (not marked-up) text in
    any mix of Arabic and Latin script.

    Wraps to the frame width, splits across pages line by line, and aligns
    to the start side of its direction. ``direction`` is the document's
    (``"rtl"`` for Arabic documents); ``None`` means "from the first strong
    character of the text", for a line in another language on a bilingual
    page.
    """

    def __init__(self, text: str, style: TextStyle | None = None, direction: Direction | None = "ltr") -> None:
        super().__init__()
        self.text = text
        self.style = style or TextStyle()
        self.direction: Direction = direction or base_direction(text)
        self._lines: list[Line] = []
        self._laid_out_for: float | None = None
        self._is_part = False

    def __repr__(self) -> str:
        return f"BidiParagraph({self.text[:40]!r}, direction={self.direction!r})"

    @classmethod
    def _part(cls, whole: BidiParagraph, style: TextStyle, lines: list[Line]) -> BidiParagraph:
        """A piece of ``whole`` after a page break, with its lines laid out."""
        part = cls(whole.text, style, whole.direction)
        part._lines = lines
        part._is_part = True
        return part

    def _lay_out(self, avail_width: float) -> list[Line]:
        # A part keeps the lines it was cut with (frames share one width).
        if not self._is_part and self._laid_out_for != avail_width:
            self._lines = layout(self.text, avail_width, size=self.style.size, bold=self.style.bold,
                                 direction=self.direction)
            self._laid_out_for = avail_width
        return self._lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 (ReportLab API)
        lines = self._lay_out(availWidth)
        self.width = availWidth
        self.height = len(lines) * self.style.line_height
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803 (ReportLab API)
        lines = self._lay_out(availWidth)
        fitting = int(availHeight // self.style.line_height)
        if fitting <= 0:
            return []
        if fitting >= len(lines):
            return [self]
        return [
            self._part(self, replace(self.style, space_after=0.0), lines[:fitting]),
            self._part(self, replace(self.style, space_before=0.0), lines[fitting:]),
        ]

    def getSpaceBefore(self) -> float:  # noqa: N802 (ReportLab API)
        return self.style.space_before

    def getSpaceAfter(self) -> float:  # noqa: N802 (ReportLab API)
        return self.style.space_after

    def draw(self) -> None:
        leading = self.style.line_height
        size = self.style.size
        anchor = anchor_for(self.style.align, self.direction)
        x = {"left": 0.0, "right": self.width, "center": self.width / 2}[anchor]
        self.canv.setFillColor(self.style.color)
        for index, line in enumerate(self._lines):
            # Centre the em box in the line box; 0.8 em of it is above the baseline.
            baseline = self.height - index * leading - (leading - size) / 2 - 0.8 * size
            draw_line(self.canv, line, x, baseline, size, anchor)
