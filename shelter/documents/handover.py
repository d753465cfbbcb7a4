"""The handover document: the signed paper a receiving organisation gets
when a resident is transferred, referred or discharged.

It carries what the receiver needs to know and nothing more. The service
(``shelter.services.handover``) decides which sections may be printed for
this receiver, from the resident's consent; the builder prints the sections
it is given and names, without their content, the ones left out. Safety
considerations are flags and instructions, never narratives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from shelter.documents.builder import BODY, HEADING, SMALL, SUBHEADING, DocumentContext, PageFurniture, build_pdf
from shelter.documents.fonts import REGULAR
from shelter.documents.text import TextStyle
from shelter.domain.vocabulary import HANDOVER_REASON, HANDOVER_SECTION, RISK_LEVEL, SEX
from shelter.i18n import N_, Translator, list_text, normalise_language, translator

# What the receiver must do about each flag: instructions, not the story.
FLAG_INSTRUCTIONS = {
    "trafficker_contact": N_("Risk of contact from the traffickers: do not confirm to anyone that this person is "
                             "with you, and refer every enquiry about them to the shelter."),
    "no_visits": N_("No visits unless the shelter has agreed them in advance."),
    "no_phone": N_("No personal phone: the person must not be reachable by phone for now."),
    "media_exposure": N_("The case has drawn media attention: no photographs, no statements to the press."),
}

_RULE = colors.HexColor("#999999")
# A table sets its cells' font even when they hold only flowables; without
# this it names Helvetica, which the PDF would not embed.
_EMBEDDED_FONT = [("FONTNAME", (0, 0), (-1, -1), REGULAR.latin)]
_LABEL = colors.HexColor("#444444")


@dataclass(frozen=True)
class IdentityPart:
    name_arabic: str
    name_latin: str
    preferred_name: str
    sex: str
    birth_date: date | None
    birth_year_estimated: int | None
    nationality: str


@dataclass(frozen=True)
class LanguagesPart:
    languages: tuple[str, ...]
    interpreter_needed: bool


@dataclass(frozen=True)
class StayPart:
    shelter_name: str
    admitted_on: date
    bed: str  # "Room / Bed", or "" once discharged
    discharged_on: date | None


@dataclass(frozen=True)
class SafetyPart:
    flags: tuple[str, ...]  # keys of FLAG_INSTRUCTIONS
    risk_level: str


@dataclass(frozen=True)
class Handover:
    """What a handover document prints. Sections set to None are not shared
    with this receiver; ``withheld`` names them (vocabulary.HANDOVER_SECTION codes)."""

    reference: str
    case_number: str
    reason: str
    receiver_organisation: str
    receiver_person: str
    handover_on: date
    shelter_name: str
    shelter_city: str
    shelter_contact: str
    belongings: tuple[tuple[str, bool], ...]  # (item, handed over)
    verification_code: str
    printed_by: str
    printed_at: datetime
    identity: IdentityPart | None = None
    languages: LanguagesPart | None = None
    stay: StayPart | None = None
    safety: SafetyPart | None = None
    withheld: tuple[str, ...] = ()


class CheckBox(Flowable):
    """A square drawn on the start side of its line, ticked or empty, so that
    the receiver can tick what they actually received."""

    def __init__(self, ticked: bool, size: float = 3.4 * mm) -> None:
        super().__init__()
        self.ticked = ticked
        self.size = size

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 (ReportLab API)
        return self.size, self.size

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setLineWidth(0.8)
        c.rect(0, 0, self.size, self.size, stroke=1, fill=0)
        if self.ticked:
            c.setLineWidth(1.2)
            s = self.size
            c.lines([(0.2 * s, 0.5 * s, 0.42 * s, 0.22 * s), (0.42 * s, 0.22 * s, 0.82 * s, 0.8 * s)])
        c.restoreState()


def _table(ctx: DocumentContext, rows: list[list[Flowable]], widths: list[float], padding: float,
           *style: tuple) -> Table:
    """A table in reading order: columns given start to end, laid out right
    to left in Arabic. Every cell uses an embedded font."""
    if ctx.direction == "rtl":
        rows = [row[::-1] for row in rows]
        widths = widths[::-1]
    table = Table(rows, colWidths=widths, hAlign="CENTER")
    table.setStyle(TableStyle([*_EMBEDDED_FONT, ("LEFTPADDING", (0, 0), (-1, -1), padding),
                               ("RIGHTPADDING", (0, 0), (-1, -1), padding), *style]))
    return table


def _rows(ctx: DocumentContext, rows: list[tuple[str, str]]) -> Table:
    """Label / value rows; in Arabic the label sits on the right."""
    label_style = TextStyle(size=BODY.size, color=_LABEL)
    label_width = 0.34 * ctx.frame_width
    cells = [[ctx.paragraph(label, label_style), ctx.paragraph(value or "—", BODY)] for label, value in rows]
    return _table(ctx, cells, [label_width, ctx.frame_width - label_width], 2,
                  ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 1),
                  ("BOTTOMPADDING", (0, 0), (-1, -1), 1), ("LINEBELOW", (0, 0), (-1, -1), 0.3, _RULE))


def _checklist(ctx: DocumentContext, items: tuple[tuple[str, bool], ...]) -> Table:
    box = 6 * mm
    cells: list[list[Flowable]] = [[CheckBox(ticked), ctx.paragraph(item)] for item, ticked in items]
    return _table(ctx, cells, [box, ctx.frame_width - box], 2, ("VALIGN", (0, 0), (-1, -1), "MIDDLE"))


def _signatures(ctx: DocumentContext, who: list[str]) -> Table:
    """Signature blocks side by side, in reading order."""
    gettext = ctx.tr.gettext
    style = TextStyle(size=9.5)
    blocks = [[
        ctx.paragraph(title, TextStyle(size=10, bold=True, space_after=4)),
        ctx.paragraph(gettext("Name:"), style),
        Spacer(1, 5 * mm),
        ctx.paragraph(gettext("Signature:"), style),
        Spacer(1, 12 * mm),
        ctx.paragraph(gettext("Date:"), style),
    ] for title in who]
    return _table(ctx, [blocks], [ctx.frame_width / len(blocks)] * len(blocks), 5,
                  ("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOX", (0, 0), (-1, -1), 0.6, _RULE),
                  ("INNERGRID", (0, 0), (-1, -1), 0.6, _RULE), ("TOPPADDING", (0, 0), (-1, -1), 5),
                  ("BOTTOMPADDING", (0, 0), (-1, -1), 5))


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def identity_rows(p: IdentityPart, tr: Translator, day: Callable[[date | None], str]) -> list[tuple[str, str]]:
    """What the identity section says (the handover's and every document
    that prints this section of her file), with dates written by ``day``."""
    gettext = tr.gettext
    if p.birth_date:
        born = day(p.birth_date)
    elif p.birth_year_estimated:
        born = gettext("about {year} (estimated)").format(year=p.birth_year_estimated)
    else:
        born = gettext("Not known")
    return [
        (gettext("Name in Arabic script"), p.name_arabic),
        (gettext("Name in Latin script"), p.name_latin),
        (gettext("Preferred name"), p.preferred_name),
        (gettext("Sex"), SEX.label(p.sex, tr)),
        (gettext("Date of birth"), born),
        (gettext("Nationality"), p.nationality),
    ]


def languages_rows(p: LanguagesPart, tr: Translator) -> list[tuple[str, str]]:
    gettext = tr.gettext
    return [(gettext("Languages spoken"), list_text(p.languages, tr)),
            (gettext("Interpreter needed"), gettext("Yes") if p.interpreter_needed else gettext("No"))]


def safety_lines(p: SafetyPart, tr: Translator) -> list[str]:
    """The safety instructions the section prints, one per flag raised."""
    return [tr.gettext(FLAG_INSTRUCTIONS[flag]) for flag in p.flags if flag in FLAG_INSTRUCTIONS] or [
        tr.gettext("No particular safety instruction.")]


def handover_document(doc: Handover, lang: str) -> bytes:
    """The handover document as PDF bytes in ``lang`` ("ar", "fr", "en"),
    built in memory only."""
    lang = normalise_language(lang)
    tr = translator(lang)
    furniture = PageFurniture(
        shelter_name=doc.shelter_name,
        title=tr.gettext("Handover document"),
        printed_by=doc.printed_by,
        printed_at=doc.printed_at,
        reference=doc.reference,
    )

    def story(ctx: DocumentContext) -> list[Flowable]:
        gettext = ctx.tr.gettext

        def section(title: str, *content: Flowable) -> KeepTogether:
            """A section's heading and content on one page."""
            return KeepTogether([ctx.paragraph(title, SUBHEADING), *content])
        flow: list[Flowable] = [
            ctx.paragraph(gettext("Handover document"), HEADING),
            ctx.paragraph(HANDOVER_REASON.label(doc.reason, ctx.tr), TextStyle(size=12, bold=True, space_after=6)),
            _rows(ctx, [
                (gettext("Case number"), doc.case_number),
                (gettext("Receiving organisation"), doc.receiver_organisation),
                (gettext("Receiving person"), doc.receiver_person),
                (gettext("Date of handover"), _day(doc.handover_on)),
            ]),
        ]
        if doc.identity is not None:
            flow += [section(HANDOVER_SECTION.label("identity", ctx.tr), _rows(ctx, identity_rows(doc.identity, ctx.tr,
                                                                                             _day)))]
        if doc.languages is not None:
            flow += [section(HANDOVER_SECTION.label("languages", ctx.tr), _rows(ctx, languages_rows(doc.languages,
                                                                                               ctx.tr)))]
        if doc.stay is not None:
            p = doc.stay
            rows = [(ctx.tr.pgettext("a shelter, as a place", "Shelter"), p.shelter_name), (gettext("Admitted on"), _day(p.admitted_on))]
            if p.discharged_on:
                rows.append((gettext("Discharged on"), _day(p.discharged_on)))
            else:
                rows.append((gettext("Current bed"), p.bed))
            flow.append(section(HANDOVER_SECTION.label("stay", ctx.tr), _rows(ctx, rows)))
        if doc.safety is not None:
            p = doc.safety
            instructions = safety_lines(p, ctx.tr)
            flow.append(section(HANDOVER_SECTION.label("safety", ctx.tr),
                                _rows(ctx, [(gettext("Risk level"), RISK_LEVEL.label(p.risk_level, ctx.tr))]),
                                *(ctx.paragraph("•  " + line, TextStyle(size=BODY.size, space_before=2))
                                  for line in instructions)))
        if doc.withheld:
            flow.append(ctx.paragraph(
                gettext("Not shared with this receiver, by the resident's choice: {sections}.").format(
                    sections=list_text([HANDOVER_SECTION.label(s, ctx.tr) for s in doc.withheld], ctx.tr)),
                TextStyle(size=9.5, color=SMALL.color, space_before=6)))
        flow.append(section(gettext("Belongings and documents handed over"),
                            _checklist(ctx, doc.belongings) if doc.belongings
                            else ctx.paragraph(gettext("Nothing handed over."))))
        flow += [
            section(gettext("Contacts at the shelter"), _rows(ctx, [
                (ctx.tr.pgettext("a shelter, as a place", "Shelter"), list_text([x for x in (doc.shelter_name, doc.shelter_city) if x], ctx.tr)),
                (gettext("Contact"), doc.shelter_contact),
                (gettext("Prepared by"), doc.printed_by),
            ])),
            Spacer(1, 6 * mm),
            KeepTogether([_signatures(ctx, [gettext("The resident"), gettext("For the shelter"),
                                             gettext("The receiver")])]),
            Spacer(1, 5 * mm),
            ctx.paragraph(gettext("Verification code: {code}").format(code=doc.verification_code),
                          TextStyle(size=11, bold=True, space_after=2)),
            ctx.paragraph(gettext("The shelter can confirm that this paper is genuine from its reference and this "
                                  "code. Keep it confidential; do not copy it beyond what the handover needs."),
                          TextStyle(size=9, color=SMALL.color)),
        ]
        return flow

    return build_pdf(lang, furniture, story)
