"""The care plan as the resident signs it: her goals, in her words where she
gave them, the actions under each (what, who, by when), the next review
date, and signature blocks for her, the social worker and, when one was
used, the interpreter. Printed in the language she chooses (independent of
the interface's). An agreed version carries its reference and verification
code; a draft says on every page that it is a draft and carries neither.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle
from reportlab.platypus.doctemplate import ActionFlowable, BaseDocTemplate

from shelter.documents.builder import (
    BODY,
    CONFIDENTIAL_RED,
    HEADING,
    PAGE_SIZE,
    SMALL,
    SUBHEADING,
    DocumentContext,
    PageFurniture,
    build_pdf,
)
from shelter.documents.handover import _EMBEDDED_FONT, _LABEL, _RULE, _rows, _signatures
from shelter.documents.text import BidiParagraph, Direction, TextStyle, base_direction, draw_line, fit_line
from shelter.domain.dates import format_date
from shelter.domain.vocabulary import ASSESSMENT_DOMAIN, G_, GENDER_CONTEXTS, GOAL_STATUS, PRIORITY
from shelter.i18n import N_, Translator, normalise_language, translator


@dataclass(frozen=True)
class ActionLine:
    what: str
    owner: str  # a staff member's name or a partner organisation, as written
    due_on: date | None
    done_on: date | None


@dataclass(frozen=True)
class GoalLine:
    domain: str  # vocabulary.ASSESSMENT_DOMAIN code
    goal: str
    resident_words: str  # "" when she gave none
    priority: str  # vocabulary.PRIORITY code
    target_on: date | None
    status: str  # vocabulary.GOAL_STATUS code
    actions: tuple[ActionLine, ...] = ()


@dataclass(frozen=True)
class CarePlanPrint:
    """What a care plan document prints. ``draft`` documents have no
    reference or code."""

    case_number: str
    resident_name: str
    sex: str  # vocabulary.SEX code, for the labels about her
    shelter_name: str
    version: int
    draft: bool
    reference: str  # "" for a draft
    verification_code: str  # "" for a draft
    social_worker: str
    interpreter: str  # "" when none was used
    agreed_on: date | None
    next_review_on: date | None
    assessed_on: date | None  # the assessment the plan answers
    goals: tuple[GoalLine, ...]
    no_goal_reasons: tuple[tuple[str, str], ...]  # (domain code, reason)
    printed_by: str
    printed_at: datetime  # local time


# Labels about the resident: a neutral English message, agreed with a woman
# or a man in the languages that need it (see vocabulary.G_).
_RESIDENT = G_("Resident")
_THE_RESIDENT = G_("The resident")
_OWN_WORDS = G_("In the resident's own words: {words}")
# The word drawn faintly across every page of a draft.
_DRAFT_MARK = N_("Draft")

_DRAFT_RED = CONFIDENTIAL_RED
_DRAFT_ALPHA = 0.13
_HEADER_FILL = colors.HexColor("#eeeeee")


def _about_resident(tr: Translator, label: str, sex: str) -> str:
    """``label`` agreed with the resident's sex where the catalogue has the
    agreed form; otherwise its neutral translation."""
    if sex in GENDER_CONTEXTS:
        agreed = tr.pgettext(GENDER_CONTEXTS[sex], label)
        if agreed != label:
            return agreed
    return tr.gettext(label)


def _own_direction(ctx: DocumentContext, text: str) -> Direction:
    """The direction of a text as written by staff or the resident: an Arabic
    sentence on a French or English page still reads right to left; on an
    Arabic page everything follows the page."""
    return "rtl" if ctx.direction == "rtl" else base_direction(text, "ltr")


class _Paragraph(BidiParagraph):
    """A paragraph that splits at the width it was laid out for. ReportLab
    splits a table row that runs over a page by handing each cell the
    column's whole width, padding included: wrapped again at that width,
    the cell's text would run into the next column."""

    _wrapped_width: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 (ReportLab API)
        self._wrapped_width = availWidth
        return super().wrap(availWidth, availHeight)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803 (ReportLab API)
        return super().split(min(availWidth, self._wrapped_width or availWidth), availHeight)


def _text(ctx: DocumentContext, text: str, style: TextStyle | None = None) -> Flowable:
    """A label or a value in the document's language and direction."""
    return _Paragraph(text, style or BODY, ctx.direction)


def _written(ctx: DocumentContext, text: str, style: TextStyle | None = None) -> Flowable:
    """A text as staff or the resident wrote it, in its own direction."""
    return _Paragraph(text, style or BODY, _own_direction(ctx, text))


def _grid(ctx: DocumentContext, rows: list[list[Flowable]], widths: list[float], *style: tuple,
          header: bool = False) -> Table:
    """A table in reading order (laid out right to left in Arabic) whose
    rows may split across a page when one cell is very long, the header row
    repeated on the next page."""
    if ctx.direction == "rtl":
        rows = [row[::-1] for row in rows]
        widths = widths[::-1]
    table = Table(rows, colWidths=widths, hAlign="CENTER", repeatRows=1 if header else 0, splitInRow=1)
    table.setStyle(TableStyle([*_EMBEDDED_FONT, ("LEFTPADDING", (0, 0), (-1, -1), 3),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 3), ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               *style]))
    return table


class _OnEveryPage(ActionFlowable):
    """Draws ``draw(canvas)`` at the end of every page, from the page it is
    placed on: ReportLab's page-end hook, set from inside the story, since
    ``build_pdf`` makes its page template itself and offers no hook."""

    def __init__(self, draw: Callable[[Canvas], None]) -> None:
        super().__init__()
        self._draw = draw

    def apply(self, doc: BaseDocTemplate) -> None:
        for template in doc.pageTemplates:
            def on_page_end(canvas: Canvas, document: BaseDocTemplate,
                            previous: Callable[[Canvas, BaseDocTemplate], None] = template.onPageEnd) -> None:
                previous(canvas, document)
                self._draw(canvas)
            template.onPageEnd = on_page_end


def _draft_watermark(label: str, direction: Direction) -> Callable[[Canvas], None]:
    """The word "Draft", large, faint and diagonal across the page."""
    width, height = PAGE_SIZE
    line, size = fit_line(label.upper(), 0.8 * (width ** 2 + height ** 2) ** 0.5, size=110, bold=True,
                          direction=direction)

    def draw(canvas: Canvas) -> None:
        canvas.saveState()
        canvas.translate(width / 2, height / 2)
        canvas.rotate(55)
        canvas.setFillColor(_DRAFT_RED)
        canvas.setFillAlpha(_DRAFT_ALPHA)
        draw_line(canvas, line, 0, -0.35 * size, size, "center")
        canvas.restoreState()
    return draw


def _draft_banner(ctx: DocumentContext, text: str) -> Table:
    """The first thing on the first page of a draft: a red, boxed line."""
    cell = _text(ctx, text, TextStyle(size=12, bold=True, color=_DRAFT_RED, align="center"))
    table = Table([[cell]], colWidths=[ctx.frame_width], hAlign="CENTER")
    table.setStyle(TableStyle([*_EMBEDDED_FONT, ("BOX", (0, 0), (-1, -1), 1.2, _DRAFT_RED),
                               ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    return table


def _goal_block(ctx: DocumentContext, goal: GoalLine, domain_heading: bool, sex: str) -> list[Flowable]:
    """One goal, to be kept on one page when it fits: its domain (for the
    first goal of a domain), the goal, her words, the facts, the actions."""
    tr = ctx.tr
    small = TextStyle(size=9, color=_LABEL)
    parts: list[Flowable] = []
    if domain_heading:
        parts.append(_text(ctx, ASSESSMENT_DOMAIN.label(goal.domain, tr, sex),
                           TextStyle(size=10.5, bold=True, color=_LABEL, space_before=8, space_after=1)))
    parts.append(_written(ctx, goal.goal, TextStyle(size=11, bold=True, space_before=3, space_after=2)))
    if goal.resident_words.strip():
        words = " ".join(goal.resident_words.split())
        parts.append(_written(ctx, _about_resident(tr, _OWN_WORDS, sex).format(words=words),
                              TextStyle(size=10, space_after=2)))
    target = (tr.gettext("Target date: {date}").format(date=format_date(goal.target_on)) if goal.target_on
              else tr.gettext("No target date"))
    facts = [PRIORITY.label(goal.priority, tr, sex), target,
             tr.gettext("Status: {status}").format(status=GOAL_STATUS.label(goal.status, tr, sex))]
    third = ctx.frame_width / 3
    parts.append(_grid(ctx, [[_text(ctx, fact, small) for fact in facts]], [third] * 3,
                       ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)))
    if goal.actions:
        parts += [Spacer(1, 1.5 * mm), _actions(ctx, goal.actions)]
    else:
        parts.append(_text(ctx, tr.gettext("No action yet."),
                           TextStyle(size=9.5, color=SMALL.color, space_before=2)))
    parts.append(Spacer(1, 3 * mm))
    return parts


def _actions(ctx: DocumentContext, actions: tuple[ActionLine, ...]) -> Table:
    """What / Who / By / Done, a line per action, the header repeated when
    the table runs onto the next page."""
    pgettext = ctx.tr.pgettext
    head = TextStyle(size=9, bold=True, color=_LABEL)
    cell = TextStyle(size=9.5)
    rows: list[list[Flowable]] = [[
        _text(ctx, pgettext("care plan action column: the action", "What"), head),
        _text(ctx, pgettext("care plan action column: who does it", "Who"), head),
        _text(ctx, pgettext("care plan action column: due date", "By"), head),
        _text(ctx, pgettext("care plan action column: date done", "Done"), head),
    ]]
    for action in actions:
        rows.append([_written(ctx, action.what, cell), _written(ctx, action.owner, cell),
                     _text(ctx, format_date(action.due_on), cell),
                     _text(ctx, format_date(action.done_on), cell)])
    width = ctx.frame_width
    dates = 0.15 * width
    owner = 0.25 * width
    return _grid(ctx, rows, [width - owner - 2 * dates, owner, dates, dates],
                 ("BACKGROUND", (0, 0), (-1, 0), _HEADER_FILL), ("BOX", (0, 0), (-1, -1), 0.5, _RULE),
                 ("INNERGRID", (0, 0), (-1, -1), 0.3, _RULE), header=True)


def _no_goal(ctx: DocumentContext, reasons: tuple[tuple[str, str], ...], sex: str) -> list[Flowable]:
    """The needs the plan sets no goal for, and why."""
    label_style = TextStyle(size=BODY.size, color=_LABEL)
    label_width = 0.34 * ctx.frame_width
    rows = [[_text(ctx, ASSESSMENT_DOMAIN.label(domain, ctx.tr, sex), label_style),
             _written(ctx, reason or "—", BODY)] for domain, reason in reasons]
    heading = _text(ctx, ctx.tr.gettext("Needs without a goal"), SUBHEADING)
    table = _grid(ctx, rows, [label_width, ctx.frame_width - label_width],
                  ("LINEBELOW", (0, 0), (-1, -1), 0.3, _RULE))
    # The heading stays with at least the table's start.
    return [KeepTogether([heading, table])]


def care_plan_document(doc: CarePlanPrint, lang: str) -> bytes:
    """The care plan as PDF bytes in ``lang`` ("ar", "fr", "en"), in memory only.

    A draft is marked on every page (the title in the header and a faint
    diagonal "Draft"), opens with a boxed warning, and has neither
    verification code nor signature blocks: it is for discussing, not for
    signing."""
    lang = normalise_language(lang)
    tr = translator(lang)
    title = tr.gettext("Care plan")
    furniture = PageFurniture(
        shelter_name=doc.shelter_name,
        title=tr.gettext("Care plan (draft)") if doc.draft else title,
        printed_by=doc.printed_by,
        printed_at=doc.printed_at,
        reference=doc.case_number if doc.draft else doc.reference,
    )
    sex = doc.sex

    def story(ctx: DocumentContext) -> list[Flowable]:
        gettext = ctx.tr.gettext
        flow: list[Flowable] = []
        if doc.draft:
            flow += [_OnEveryPage(_draft_watermark(gettext(_DRAFT_MARK), ctx.direction)),
                     _draft_banner(ctx, gettext("DRAFT — not agreed, not valid for signature")),
                     Spacer(1, 3 * mm)]
        flow += [
            ctx.paragraph(title, HEADING),
            ctx.paragraph(gettext("Version {number}").format(number=doc.version),
                          TextStyle(size=12, bold=True, space_after=6)),
        ]
        rows = [
            (gettext("Case number"), doc.case_number),
            (_about_resident(ctx.tr, _RESIDENT, sex), doc.resident_name),
            (ctx.tr.pgettext("a shelter, as a place", "Shelter"), doc.shelter_name),
            (gettext("Social worker"), doc.social_worker),
            (gettext("Agreed on"), format_date(doc.agreed_on) if doc.agreed_on else gettext("Not agreed yet")),
            (gettext("Based on the assessment of"), format_date(doc.assessed_on)),
            (gettext("Next review"), format_date(doc.next_review_on)),
        ]
        if doc.interpreter.strip():
            rows.append((gettext("Interpreter"), doc.interpreter))
        flow.append(_rows(ctx, rows))

        goals_heading = ctx.paragraph(gettext("Goals"), SUBHEADING)
        if not doc.goals:
            flow.append(KeepTogether([goals_heading, ctx.paragraph(gettext("No goal in this plan yet."))]))
        previous_domain: str | None = None
        for index, goal in enumerate(doc.goals):
            block = _goal_block(ctx, goal, goal.domain != previous_domain, sex)
            previous_domain = goal.domain
            # The "Goals" heading never ends a page alone. (One KeepTogether,
            # never one inside another: the inner one claims the whole page.)
            flow.append(KeepTogether([goals_heading, *block] if index == 0 else block))
        if doc.no_goal_reasons:
            flow += _no_goal(ctx, doc.no_goal_reasons, sex)

        flow.append(Spacer(1, 6 * mm))
        if doc.draft:
            flow.append(ctx.paragraph(
                gettext("This is a draft: it cannot be verified and must not be signed. Only the agreed version "
                        "of the plan is signed."),
                TextStyle(size=11, bold=True, color=_DRAFT_RED)))
            return flow
        who = [_about_resident(ctx.tr, _THE_RESIDENT, sex), gettext("The social worker")]
        if doc.interpreter.strip():
            who.append(gettext("The interpreter"))
        # The signatures and the code on one page.
        flow.append(KeepTogether([
            _signatures(ctx, who),
            Spacer(1, 5 * mm),
            ctx.paragraph(gettext("Verification code: {code}").format(code=doc.verification_code),
                          TextStyle(size=11, bold=True, space_after=2)),
            ctx.paragraph(gettext("The shelter can confirm that this paper is genuine from its reference and "
                                  "this code."), TextStyle(size=9, color=SMALL.color)),
        ]))
        return flow

    return build_pdf(lang, furniture, story)
