"""The reintegration plan on paper, for the resident or for a receiving
partner: the pathway she chose, in her words, and her consent to it; the
milestones, each with its due date, who is responsible (a staff member or a
partner) and where it stands; the partners involved and how to reach them;
after discharge, the follow-ups still to come; the shelter's contact; the
reference and verification code.

For a partner, the sections of her file (identity, languages, stay, safety)
are printed only as the service decided from her consent (the handover
document's rule); the ones left out are named, never shown. Nothing from
counselling, risk screens or the care plan is ever printed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table, TableStyle

from shelter.documents.builder import (
    BODY,
    HEADING,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    PAGE_SIZE,
    SMALL,
    SUBHEADING,
    DocumentContext,
    PageFurniture,
    build_pdf,
)
from shelter.documents.care_plan import _HEADER_FILL, _about_resident, _text, _written
from shelter.documents.handover import (
    _EMBEDDED_FONT,
    _LABEL,
    _RULE,
    IdentityPart,
    LanguagesPart,
    SafetyPart,
    StayPart,
    _signatures,
    identity_rows,
    languages_rows,
    safety_lines,
)
from shelter.documents.text import TextStyle
from shelter.domain.dates import format_date
from shelter.domain.vocabulary import (
    FOLLOW_UP_STATE,
    G_,
    HANDOVER_SECTION,
    MILESTONE,
    MILESTONE_STATUS,
    PARTNER_KIND,
    PATHWAY,
    RISK_LEVEL,
)
from shelter.i18n import list_text, normalise_language, translator

AUDIENCES = ("resident", "partner")


@dataclass(frozen=True)
class MilestoneLine:
    code: str | None  # vocabulary.MILESTONE code: the title is its label in the document's language
    title: str  # the title written for it ("" when ``code`` names it)
    due_on: date | None
    owner: str  # a staff member's or a partner's name, "" when nobody is named
    status: str  # vocabulary.MILESTONE_STATUS code
    done_on: date | None


@dataclass(frozen=True)
class PartnerLine:
    name: str
    kind: str  # vocabulary.PARTNER_KIND code
    city: str
    contact: str  # person, phone, e-mail: as the partner gave them
    services: tuple[str, ...] = ()  # what she was referred for (the resident's copy only)


@dataclass(frozen=True)
class FollowUpLine:
    months: int
    due_on: date | None
    state: str  # vocabulary.FOLLOW_UP_STATE code


@dataclass(frozen=True)
class ReintegrationPrint:
    """What a reintegration plan document prints. For a partner's copy,
    sections of the file set to None are not shared; ``withheld`` names them
    (vocabulary.HANDOVER_SECTION codes). ``resident_name`` and ``sex`` are
    given only when the identity section is printed (sex only agrees the
    labels about her)."""

    reference: str
    case_number: str
    verification_code: str
    audience: str  # "resident" or "partner"
    partner_name: str  # the receiving partner, "" for the resident's copy
    shelter_name: str
    shelter_city: str
    shelter_contact: str  # who to ask for at the shelter
    pathway: str  # vocabulary.PATHWAY code
    pathway_detail: str
    resident_choice: str  # her choice in her own words, "" when not written
    opened_on: date
    consent_on: date | None
    milestones: tuple[MilestoneLine, ...]
    partners: tuple[PartnerLine, ...]
    discharged_on: date | None
    follow_ups: tuple[FollowUpLine, ...]  # the ones still to come, after discharge
    printed_by: str
    printed_at: datetime  # local time
    resident_name: str = ""
    sex: str = ""
    identity: IdentityPart | None = None
    languages: LanguagesPart | None = None
    stay: StayPart | None = None
    safety: SafetyPart | None = None
    withheld: tuple[str, ...] = ()


# Labels about the resident (see vocabulary.G_): agreed with her or his sex
# when it is printed, neutral otherwise.
_RESIDENT = G_("Resident")
_THE_RESIDENT = G_("The resident")
_CHOICE = G_("The choice, in the resident's own words")
_FOR_RESIDENT = G_("Copy for the resident")


_FRAME_HEIGHT = PAGE_SIZE[1] - MARGIN_TOP - MARGIN_BOTTOM
_HEADING_AND_ROWS = 35 * mm  # a section heading, a table's header and its first rows


class _WholeRows(Table):
    """A table that breaks between rows, and inside a row only when that row
    could not fit on any page (a partner's very long contact). ReportLab's
    own in-row splitting also cuts short rows, leaving a repeated header
    with two lines under it at the foot of a page."""

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803 (ReportLab API)
        self._calc(availWidth, availHeight)
        parts = self._splitRows(availHeight, doInRowSplit=0)
        if parts:
            return parts
        header = sum(self._rowHeights[:self.repeatRows]) if isinstance(self.repeatRows, int) else 0
        row = self._getFirstPossibleSplitRowPosition(availHeight)
        if row < len(self._rowHeights) and header + self._rowHeights[row] > _FRAME_HEIGHT:
            return self._splitRows(availHeight, doInRowSplit=1)
        return []  # the row goes whole to the next page


def _grid(ctx: DocumentContext, rows: list[list[object]], widths: list[float], *style: tuple,
          header: bool = False) -> Table:
    """A table in reading order (laid out right to left in Arabic), its
    header row repeated on each page it runs onto."""
    if ctx.direction == "rtl":
        rows = [row[::-1] for row in rows]
        widths = widths[::-1]
    table = _WholeRows(rows, colWidths=widths, hAlign="CENTER", repeatRows=1 if header else 0)
    table.setStyle(TableStyle([*_EMBEDDED_FONT, ("LEFTPADDING", (0, 0), (-1, -1), 3),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 3), ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               *style]))
    return table


def milestone_title(line: MilestoneLine, tr) -> str:  # noqa: ANN001 (a Translator)
    """The title written for a milestone, or its template's label translated."""
    return line.title.strip() or (MILESTONE.label(line.code, tr) if line.code else "")


def _rows(ctx: DocumentContext, rows: list[tuple[str, str]], *, written: bool = False) -> Flowable:
    """Label / value rows, the label on the start side. ``written`` values
    (names, words typed by staff or the resident) keep their own direction."""
    label_style = TextStyle(size=BODY.size, color=_LABEL)
    label_width = 0.34 * ctx.frame_width
    value = _written if written else _text
    cells = [[_text(ctx, label, label_style), value(ctx, text or "—", BODY)] for label, text in rows]
    return _grid(ctx, cells, [label_width, ctx.frame_width - label_width],
                 ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                 ("LINEBELOW", (0, 0), (-1, -1), 0.3, _RULE))


def _milestones(ctx: DocumentContext, lines: tuple[MilestoneLine, ...]) -> Flowable:
    """Step / Due / Who is responsible / Status, a line per milestone, the
    header repeated when the table runs onto the next page."""
    tr = ctx.tr
    head = TextStyle(size=9, bold=True, color=_LABEL)
    cell = TextStyle(size=9.5)
    rows: list[list[Flowable]] = [[
        _text(ctx, tr.pgettext("reintegration plan column: the milestone", "Step"), head),
        _text(ctx, tr.pgettext("reintegration plan column: due date", "Due"), head),
        _text(ctx, tr.pgettext("reintegration plan column: who does it", "Who is responsible"), head),
        _text(ctx, tr.pgettext("reintegration plan column: milestone status", "Status"), head),
    ]]
    for line in lines:
        status: list[Flowable] = [_text(ctx, MILESTONE_STATUS.label(line.status, tr), cell)]
        if line.status == "done" and line.done_on:
            status.append(_text(ctx, format_date(line.done_on), TextStyle(size=8.5, color=_LABEL)))
        rows.append([_written(ctx, milestone_title(line, tr), cell), _text(ctx, format_date(line.due_on), cell),
                     _written(ctx, line.owner or "—", cell), status])
    width = ctx.frame_width
    due, owner, status_width = 0.14 * width, 0.27 * width, 0.18 * width
    return _grid(ctx, rows, [width - due - owner - status_width, due, owner, status_width],
                 ("BACKGROUND", (0, 0), (-1, 0), _HEADER_FILL), ("BOX", (0, 0), (-1, -1), 0.5, _RULE),
                 ("INNERGRID", (0, 0), (-1, -1), 0.3, _RULE), header=True)


def _partners(ctx: DocumentContext, lines: tuple[PartnerLine, ...], with_services: bool) -> Flowable:
    """Partner (name and kind) / City / Contact [/ Asked for]."""
    tr = ctx.tr
    head = TextStyle(size=9, bold=True, color=_LABEL)
    cell = TextStyle(size=9.5)
    small = TextStyle(size=8.5, color=_LABEL)
    header = [_text(ctx, tr.pgettext("reintegration plan column: partner organisation", "Partner"), head),
              _text(ctx, tr.pgettext("reintegration plan column: partner's city", "City"), head),
              _text(ctx, tr.pgettext("reintegration plan column: how to reach the partner", "Contact"), head)]
    if with_services:
        header.append(_text(ctx, tr.pgettext("reintegration plan column: service the resident was referred for",
                                             "Asked for"), head))
    rows: list[list[Flowable]] = [header]
    for line in lines:
        row: list[Flowable] = [[_written(ctx, line.name, TextStyle(size=9.5, bold=True)),
                                _text(ctx, PARTNER_KIND.label(line.kind, tr), small)],
                               _written(ctx, line.city or "—", cell), _written(ctx, line.contact or "—", cell)]
        if with_services:
            row.append([_written(ctx, service, cell) for service in line.services] or _text(ctx, "—", cell))
        rows.append(row)
    width = ctx.frame_width
    if with_services:
        widths = [0.26 * width, 0.12 * width, 0.36 * width, 0.26 * width]
    else:
        widths = [0.34 * width, 0.18 * width, 0.48 * width]
    return _grid(ctx, rows, widths, ("BACKGROUND", (0, 0), (-1, 0), _HEADER_FILL),
                 ("BOX", (0, 0), (-1, -1), 0.5, _RULE), ("INNERGRID", (0, 0), (-1, -1), 0.3, _RULE), header=True)


def _file_sections(ctx: DocumentContext, doc: ReintegrationPrint) -> list[Flowable]:
    """The sections of her file printed on this copy (as the handover document prints them)."""
    gettext = ctx.tr.gettext
    flow: list[Flowable] = []

    def section(code: str, *content: Flowable) -> None:
        flow.append(KeepTogether([_text(ctx, HANDOVER_SECTION.label(code, ctx.tr), SUBHEADING), *content]))

    if doc.identity is not None:
        section("identity", _rows(ctx, identity_rows(doc.identity, ctx.tr, format_date), written=True))
    if doc.languages is not None:
        section("languages", _rows(ctx, languages_rows(doc.languages, ctx.tr)))
    if doc.stay is not None:
        p = doc.stay
        rows = [(ctx.tr.pgettext("a shelter, as a place", "Shelter"), p.shelter_name),
                (gettext("Admitted on"), format_date(p.admitted_on))]
        if p.discharged_on:
            rows.append((gettext("Discharged on"), format_date(p.discharged_on)))
        section("stay", _rows(ctx, rows, written=True))
    if doc.safety is not None:
        p = doc.safety
        instructions = safety_lines(p, ctx.tr)
        section("safety", _rows(ctx, [(gettext("Risk level"), RISK_LEVEL.label(p.risk_level, ctx.tr))]),
                *(_text(ctx, "•  " + line, TextStyle(size=BODY.size, space_before=2)) for line in instructions))
    return flow


def reintegration_plan_document(doc: ReintegrationPrint, lang: str) -> bytes:
    """The reintegration plan as PDF bytes in ``lang`` ("ar", "fr", "en"),
    built in memory only."""
    lang = normalise_language(lang)
    tr = translator(lang)
    furniture = PageFurniture(
        shelter_name=doc.shelter_name,
        title=tr.gettext("Reintegration plan"),
        printed_by=doc.printed_by,
        printed_at=doc.printed_at,
        reference=doc.reference,
    )
    sex = doc.sex
    for_partner = doc.audience == "partner"

    def story(ctx: DocumentContext) -> list[Flowable]:
        gettext = ctx.tr.gettext
        copy_for = (gettext("Copy for {partner}").format(partner=doc.partner_name) if for_partner
                    else _about_resident(ctx.tr, _FOR_RESIDENT, sex))
        flow: list[Flowable] = [
            _text(ctx, gettext("Reintegration plan"), HEADING),
            _written(ctx, copy_for, TextStyle(size=12, bold=True, space_after=6)),
        ]
        rows = [(gettext("Case number"), doc.case_number)]
        if doc.resident_name:
            rows.append((_about_resident(ctx.tr, _RESIDENT, sex), doc.resident_name))
        rows += [
            (ctx.tr.pgettext("a shelter, as a place", "Shelter"),
             list_text([x for x in (doc.shelter_name, doc.shelter_city) if x], ctx.tr)),
            (gettext("Contact at the shelter"), doc.shelter_contact),
            (gettext("Date"), format_date(doc.printed_at.date())),
        ]
        flow.append(_rows(ctx, rows, written=True))

        # The pathway she chose, and her consent to it.
        pathway_rows = [(gettext("Pathway"), PATHWAY.label(doc.pathway, ctx.tr))]
        if doc.pathway_detail.strip():
            pathway_rows.append((gettext("Detail"), doc.pathway_detail))
        pathway_rows.append((gettext("Plan made on"), format_date(doc.opened_on)))
        pathway_rows.append((gettext("Informed consent given on"),
                             format_date(doc.consent_on) if doc.consent_on else gettext("Not yet given")))
        choice = " ".join(doc.resident_choice.split())
        pathway_part: list[Flowable] = [_text(ctx, gettext("Pathway"), SUBHEADING), _rows(ctx, pathway_rows, written=True)]
        if choice:
            pathway_part += [
                _text(ctx, _about_resident(ctx.tr, _CHOICE, sex),
                      TextStyle(size=BODY.size, color=_LABEL, space_before=4, space_after=1)),
                _written(ctx, choice, TextStyle(size=10.5, space_after=2)),
            ]
        flow.append(KeepTogether(pathway_part))

        heading = _text(ctx, gettext("Milestones: who does what"), SUBHEADING)
        if doc.milestones:
            # The heading never ends a page alone: it goes over with the
            # table's first rows when too little room is left.
            flow += [CondPageBreak(_HEADING_AND_ROWS), heading, _milestones(ctx, doc.milestones)]
        else:
            flow.append(KeepTogether([heading, _text(ctx, gettext("No milestone in this plan yet."))]))

        heading = _text(ctx, gettext("Partners and how to reach them"), SUBHEADING)
        if doc.partners:
            flow += [CondPageBreak(_HEADING_AND_ROWS), heading,
                     _partners(ctx, doc.partners, with_services=not for_partner)]
        else:
            flow.append(KeepTogether([heading, _text(ctx, gettext("No partner is involved yet."))]))

        if doc.discharged_on is not None:
            heading = _text(ctx, gettext("Follow-up after leaving the shelter"), SUBHEADING)
            rows = [(gettext("Left the shelter on"), format_date(doc.discharged_on))]
            rows += [(gettext("After {n} months").format(n=line.months),
                      gettext("{date} ({state})").format(date=format_date(line.due_on),
                                                         state=FOLLOW_UP_STATE.label(line.state, ctx.tr)))
                     for line in doc.follow_ups]
            if not doc.follow_ups:
                rows.append((gettext("Next follow-up"), gettext("None planned")))
            flow.append(KeepTogether([heading, _rows(ctx, rows)]))

        flow += _file_sections(ctx, doc)
        if doc.withheld:
            flow.append(_text(ctx, gettext("Not shared with this partner, by the resident's choice: {sections}.").format(
                sections=list_text([HANDOVER_SECTION.label(s, ctx.tr) for s in doc.withheld], ctx.tr)),
                TextStyle(size=9.5, color=SMALL.color, space_before=6)))

        who = ([gettext("For the shelter"), gettext("For the partner")] if for_partner
               else [_about_resident(ctx.tr, _THE_RESIDENT, sex), gettext("For the shelter")])
        flow += [
            Spacer(1, 6 * mm),
            KeepTogether([
                _signatures(ctx, who),
                Spacer(1, 5 * mm),
                _text(ctx, gettext("Verification code: {code}").format(code=doc.verification_code),
                      TextStyle(size=11, bold=True, space_after=2)),
                _text(ctx, gettext("The shelter can confirm that this paper is genuine from its reference and "
                                   "this code. Keep it confidential; do not copy it beyond what the plan needs."),
                      TextStyle(size=9, color=SMALL.color)),
            ]),
        ]
        return flow

    return build_pdf(lang, furniture, story)

