"""The recovery sheet: the paper copy of the database recovery code.

The code opens the recovery key slot, which lets an administrator regain
access to the encrypted database when every password is lost, so whoever
holds the sheet can read every record. The sheet says so in the chosen
language, with a short line in the other two, because the person who finds
it in the safe years later may not read the language it was printed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, Spacer

from shelter.documents.builder import BODY, HEADING, SMALL, SUBHEADING, DocumentContext, PageFurniture, build_pdf
from shelter.documents.fonts import BOLD, register_fonts
from shelter.documents.text import BidiParagraph, TextStyle
from shelter.i18n import LANGUAGES, N_, SOURCE_LANGUAGE, is_rtl, normalise_language, translator

# The line repeated in the two languages the sheet is not printed in.
OTHER_LANGUAGE_NOTICE = N_(
    "Recovery code for this shelter's encrypted database. Whoever holds it can read every record: "
    "keep it in the safe; never photograph it or store it on a computer."
)

GROUPS_PER_ROW = 3
_CELL_FILL = colors.HexColor("#f2f2f2")
_CELL_STROKE = colors.HexColor("#999999")
_DASH = colors.HexColor("#777777")


@dataclass(frozen=True)
class RecoverySheet:
    """What the recovery sheet prints.

    ``recovery_code`` is the formatted code (groups joined by dashes, as
    ``keyring.format_recovery_code`` makes it); ``issued_at`` is when the
    code was made (a newer sheet replaces an older one); ``store_id`` a
    short identifier of the store the code opens, for a shelter with
    several computers; ``printed_by`` the display name of the person
    printing it. Times are local.
    """

    shelter_name: str
    recovery_code: str
    issued_at: datetime
    store_id: str
    printed_by: str
    printed_at: datetime


class RecoveryCodeBlock(Flowable):
    """The recovery code, large, in groups: every character sits centred in a
    cell of the same width (the even rhythm of a monospace font, with the
    clearer shapes of Noto Sans Bold) and each group has a light frame, so
    that it can be read out and typed back without losing one's place.
    Always left to right, even in Arabic: the code is typed that way."""

    def __init__(self, code: str, size: float = 22.0) -> None:
        super().__init__()
        register_fonts()
        self.groups = [group for group in code.split("-") if group]
        self.size = size
        self.font = BOLD.latin
        widest = max(pdfmetrics.stringWidth(char, self.font, size) for char in "".join(self.groups) or "W")
        self.cell = widest + 0.3 * size
        self.group_gap = 0.9 * size
        self.row_height = 1.9 * size

    def _rows(self) -> list[list[str]]:
        return [self.groups[i : i + GROUPS_PER_ROW] for i in range(0, len(self.groups), GROUPS_PER_ROW)]

    def _row_width(self, row: list[str]) -> float:
        return sum(len(group) for group in row) * self.cell + (len(row) - 1) * self.group_gap

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 (ReportLab API)
        self.width = availWidth
        self.height = len(self._rows()) * self.row_height + 0.6 * self.size
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setFont(self.font, self.size)
        for index, row in enumerate(self._rows()):
            top = self.height - 0.3 * self.size - index * self.row_height
            baseline = top - 1.2 * self.size
            x = (self.width - self._row_width(row)) / 2
            for number, group in enumerate(row):
                if number:
                    # The dash the code is written with, drawn between groups.
                    canvas.setFillColor(_DASH)
                    canvas.drawCentredString(x + self.group_gap / 2, baseline, "-")
                    x += self.group_gap
                self._draw_group(group, x, top, baseline)
                x += len(group) * self.cell
        canvas.restoreState()

    def _draw_group(self, group: str, x: float, top: float, baseline: float) -> None:
        canvas = self.canv
        width = len(group) * self.cell
        canvas.setStrokeColor(_CELL_STROKE)
        canvas.setFillColor(_CELL_FILL)
        box_bottom = top - self.row_height + 0.25 * self.size
        canvas.roundRect(x - 2, box_bottom, width + 4, self.row_height - 0.2 * self.size, 4, stroke=1, fill=1)
        canvas.setFillColor(colors.black)
        # One string per group, spaced so that each character is centred in
        # its cell: text extraction then reads the group as one word.
        text = canvas.beginText(x, baseline)
        text.setFont(self.font, self.size)
        for offset, char in enumerate(group):
            char_width = pdfmetrics.stringWidth(char, self.font, self.size)
            text.setTextOrigin(x + offset * self.cell + (self.cell - char_width) / 2, baseline)
            text.textOut(char)
        canvas.drawText(text)


def _notices(lang: str) -> list[tuple[str, str]]:
    """The short line in each language other than ``lang``, as (language,
    text). A language whose catalogue lacks the line is left out rather
    than printed in English under another language's name."""
    found: list[tuple[str, str]] = []
    for other in LANGUAGES:
        if other == lang:
            continue
        text = translator(other).gettext(OTHER_LANGUAGE_NOTICE)
        if other == SOURCE_LANGUAGE or text != OTHER_LANGUAGE_NOTICE:
            found.append((other, text))
    return found


def recovery_sheet(sheet: RecoverySheet, lang: str) -> bytes:
    """The recovery sheet as PDF bytes, in ``lang`` ("ar", "fr" or "en"),
    with a short line in the other two languages. Built in memory only."""
    lang = normalise_language(lang)
    tr = translator(lang)
    furniture = PageFurniture(
        shelter_name=sheet.shelter_name,
        title=tr.gettext("Recovery sheet"),
        printed_by=sheet.printed_by,
        printed_at=sheet.printed_at,
    )

    def story(ctx: DocumentContext) -> list[Flowable]:
        gettext = ctx.tr.gettext
        hint = TextStyle(size=9, color=SMALL.color, align="center", space_before=2)
        flow: list[Flowable] = [
            ctx.paragraph(gettext("Recovery code for the encrypted database"), HEADING),
            ctx.paragraph(gettext("Shelter: {name}").format(name=sheet.shelter_name)),
            ctx.paragraph(gettext("Code created on: {date}").format(date=sheet.issued_at.strftime("%Y-%m-%d"))),
            ctx.paragraph(gettext("Store identifier: {store}").format(store=sheet.store_id)),
            Spacer(1, 4 * mm),
            RecoveryCodeBlock(sheet.recovery_code),
            ctx.paragraph(gettext("Digits and capital letters only; the letters I, L, O and U are never used: "
                                  "0 is the digit zero and 1 the digit one."), hint),
            ctx.paragraph(gettext("When typing the code, capital or small letters, spaces and dashes do not matter."),
                          TextStyle(size=9, color=SMALL.color, align="center")),
            ctx.paragraph(gettext("What this code is for"), SUBHEADING),
            ctx.paragraph(" ".join((
                gettext("If every password is lost, this code lets an administrator regain access to the shelter's "
                        "encrypted database. Whoever holds this code can read all records, including residents' files."),
                gettext("A newer sheet replaces this one: the code on an older sheet no longer works."),
            ))),
            ctx.paragraph(gettext("Where to keep it"), SUBHEADING),
        ]
        for rule in (
            gettext("Keep this sheet in the shelter's safe, in a sealed envelope."),
            gettext("Never photograph, scan or copy it."),
            gettext("Never type it into or store it on the computer, a phone or an e-mail."),
            " ".join((gettext("If you think someone else has seen it, tell the administrator at once."),
                      gettext("They can issue a new code, and this one stops working."))),
        ):
            flow.append(ctx.paragraph(f"•  {rule}", TextStyle(size=BODY.size, space_after=2)))
        flow.append(Spacer(1, 8 * mm))
        for other, notice in _notices(ctx.lang):
            direction = "rtl" if is_rtl(other) else "ltr"
            flow.append(BidiParagraph(notice, TextStyle(size=9, color=SMALL.color, space_after=4), direction))
        return flow

    return build_pdf(lang, furniture, story)
