"""Build a PDF in memory with the page furniture every document shares.

Every page carries the shelter's name, the document title, its reference
number, a "Confidential" marking, "Page x of y", and when and by whom it was
printed. In Arabic the furniture is mirrored: what sits on the left in
French and English sits on the right.

The PDF is written into a ``BytesIO`` only: nothing touches the disk, in
line with "nothing sensitive is written unencrypted unless a person asks".
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from shelter.documents.fonts import REGULAR, register_fonts
from shelter.documents.text import BidiParagraph, Direction, TextStyle, draw_line, fit_line
from shelter.i18n import Translator, is_rtl, normalise_language, translator

PAGE_SIZE = A4
MARGIN_SIDE = 20 * mm
MARGIN_TOP = 30 * mm  # room for the two header lines and their rule
MARGIN_BOTTOM = 22 * mm  # room for the footer line and its rule

CONFIDENTIAL_RED = colors.HexColor("#9b1c1c")
FURNITURE_GREY = colors.HexColor("#444444")


@dataclass(frozen=True)
class PageFurniture:
    """What every page of a document shows around its content.

    ``reference`` is the document's reference number (a case number such as
    "RBT-2026-0042"), or None for documents that have none. ``printed_at`` is
    local time; it is shown as YYYY-MM-DD HH:MM (Gregorian, digits 0-9).
    """

    shelter_name: str
    title: str
    printed_by: str
    printed_at: datetime
    reference: str | None = None


@dataclass(frozen=True)
class DocumentContext:
    """Handed to a story function: the document's language, its translator
    and direction, and helpers that make paragraphs in that direction."""

    lang: str
    tr: Translator
    direction: Direction
    frame_width: float

    def paragraph(self, text: str, style: TextStyle | None = None, *, direction: Direction | None = None) -> BidiParagraph:
        """A paragraph in the document's direction (or ``direction``)."""
        return BidiParagraph(text, style or BODY, direction or self.direction)


BODY = TextStyle(size=10.5, space_after=4)
HEADING = TextStyle(size=15, bold=True, space_before=4, space_after=6)
SUBHEADING = TextStyle(size=11.5, bold=True, space_before=8, space_after=2)
SMALL = TextStyle(size=8.5, color=FURNITURE_GREY)

StoryFunction = Callable[[DocumentContext], Sequence[Flowable]]


def build_pdf(lang: str, furniture: PageFurniture, story_fn: StoryFunction) -> bytes:
    """Lay out the flowables returned by ``story_fn`` on A4 pages with the
    furniture, in language ``lang`` ("ar", "fr" or "en"), and return the PDF.

    ``story_fn`` receives a ``DocumentContext``; it should build its text
    with ``ctx.tr.gettext`` and ``ctx.paragraph`` so that it follows the
    document's language and direction. Fonts are embedded (subset).
    """
    register_fonts()
    lang = normalise_language(lang)
    direction: Direction = "rtl" if is_rtl(lang) else "ltr"
    tr = translator(lang)
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN_SIDE,
        rightMargin=MARGIN_SIDE,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=_metadata_title(furniture),
        author="",
        subject=furniture.title,
        creator="Shelter",
        lang=lang,
        # Otherwise every page names Helvetica, a font the PDF does not embed.
        initialFontName=REGULAR.latin,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    context = DocumentContext(lang=lang, tr=tr, direction=direction, frame_width=doc.width)
    story = list(story_fn(context))
    canvasmaker = partial(_FurnitureCanvas, furniture=furniture, tr=tr, direction=direction)
    doc.build(story, canvasmaker=canvasmaker)
    return buffer.getvalue()


def _metadata_title(furniture: PageFurniture) -> str:
    if furniture.reference:
        return f"{furniture.title} — {furniture.reference}"
    return furniture.title


class _FurnitureCanvas(Canvas):
    """A canvas that holds every page back until the end, so that each page
    can say "Page x of y" once y is known (ReportLab's usual two-stage
    numbering, kept in memory)."""

    def __init__(self, *args: Any, furniture: PageFurniture, tr: Translator, direction: Direction, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._furniture = furniture
        self._tr = tr
        self._direction = direction
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (ReportLab API)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            draw_furniture(self, self._furniture, self._tr, self._direction, self.getPageNumber(), total)
            super().showPage()
        super().save()


def draw_furniture(canvas: Canvas, furniture: PageFurniture, tr: Translator, direction: Direction, page: int, pages: int) -> None:
    """Draw header and footer on the current page. "Start" items (shelter,
    title, printed by) go left in LTR and right in RTL; "end" items
    (confidential, reference, page number) go to the other side."""
    width, height = PAGE_SIZE
    left, right = MARGIN_SIDE, width - MARGIN_SIDE
    start_x, end_x = (right, left) if direction == "rtl" else (left, right)
    start_anchor, end_anchor = ("right", "left") if direction == "rtl" else ("left", "right")
    # Each side may use a bit less than half the width, so the two never touch.
    side = (right - left) / 2 - 6 * mm

    canvas.saveState()
    # Header line 1: shelter name | CONFIDENTIAL (boxed).
    y1 = height - 15 * mm
    name, size = fit_line(furniture.shelter_name, side, size=11, bold=True, direction=direction)
    canvas.setFillColor(colors.black)
    draw_line(canvas, name, start_x, y1, size, start_anchor)
    _draw_confidential(canvas, tr.gettext("Confidential"), end_x, y1, end_anchor, direction, side)

    # Header line 2: document title | reference.
    y2 = height - 21.5 * mm
    canvas.setFillColor(FURNITURE_GREY)
    title, size = fit_line(furniture.title, side, size=9.5, direction=direction)
    draw_line(canvas, title, start_x, y2, size, start_anchor)
    if furniture.reference:
        label = tr.gettext("Reference: {reference}").format(reference=furniture.reference)
        ref, size = fit_line(label, side, size=9.5, direction=direction)
        draw_line(canvas, ref, end_x, y2, size, end_anchor)
    canvas.setStrokeColor(FURNITURE_GREY)
    canvas.setLineWidth(0.6)
    canvas.line(left, height - 24.5 * mm, right, height - 24.5 * mm)

    # Footer: printed on … by … | Page x of y.
    canvas.line(left, 16 * mm, right, 16 * mm)
    y3 = 11 * mm
    # The date and the time apart, with words between them: run together, an
    # Arabic line showed them as one left-to-right number, the time read first.
    printed = tr.gettext("Printed on {date} at {time} by {name}").format(
        date=furniture.printed_at.strftime("%Y-%m-%d"), time=furniture.printed_at.strftime("%H:%M"),
        name=furniture.printed_by)
    line, size = fit_line(printed, side + 20 * mm, size=8.5, direction=direction)
    draw_line(canvas, line, start_x, y3, size, start_anchor)
    numbering = tr.gettext("Page {page} of {pages}").format(page=page, pages=pages)
    line, size = fit_line(numbering, side - 20 * mm, size=8.5, direction=direction)
    draw_line(canvas, line, end_x, y3, size, end_anchor)
    canvas.restoreState()


def _draw_confidential(canvas: Canvas, label: str, x: float, baseline: float, anchor: str, direction: Direction, max_width: float) -> None:
    """The "Confidential" marking: bold, dark red, in a thin box."""
    pad = 2 * mm
    line, size = fit_line(label.upper(), max_width - 2 * pad, size=9, bold=True, direction=direction)
    box_width = line.width + 2 * pad
    box_left = x - box_width if anchor == "right" else x
    canvas.setStrokeColor(CONFIDENTIAL_RED)
    canvas.setLineWidth(1)
    canvas.rect(box_left, baseline - 0.45 * size - 1, box_width, 1.55 * size + 2, stroke=1, fill=0)
    canvas.setFillColor(CONFIDENTIAL_RED)
    draw_line(canvas, line, box_left + pad, baseline, size, "left")
