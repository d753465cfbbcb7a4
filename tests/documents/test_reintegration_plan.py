"""The reintegration plan on paper, read back from the PDF: the pathway and
her words, the milestones with who does what, the partners and how to reach
them, in Arabic (shaped, in logical order, right-aligned), French and
English, with embedded fonts; a partner's copy names what it leaves out; a
long name and ten milestones flow over the page without running into each
other."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from shelter.documents.builder import PAGE_SIZE
from shelter.documents.handover import IdentityPart, LanguagesPart
from shelter.documents.reintegration_plan import (
    FollowUpLine,
    MilestoneLine,
    PartnerLine,
    ReintegrationPrint,
    milestone_title,
    reintegration_plan_document,
)
from shelter.domain.vocabulary import FOLLOW_UP_STATE, HANDOVER_SECTION, MILESTONE, MILESTONE_STATUS, PATHWAY
from shelter.i18n import translator
from tests.documents.pdftext import drawn_lines, fonts, normalise, page_lines, page_texts, pieces

CODE = "7K2M-Q9XD"
MARGIN = 20 * 72 / 25.4
LONG_NAME = "Fatima Zahra Oumaima Khadija Benali El Idrissi Ait Lahcen Ouchen Bouzid Tazi Alaoui Mernissi Bennani"
ARABIC_CHOICE = "أريد أن أعود إلى أمي في بنين سيتي وأن أفتح صالون حلاقة صغيرا قبل 2027-06-30"

PARTNERS = (
    PartnerLine("OIM Rabat", "iom", "Rabat", "Mme Alaoui, +212 5 37 00 00 00", ("Retour volontaire assisté",)),
    PartnerLine("جمعية تحدي", "ngo", "الرباط", "06 12 34 56 78", ("مرافقة نفسية واجتماعية",)),
)


def milestones(owner: str = "Houda Berrada") -> tuple[MilestoneLine, ...]:
    return (
        MilestoneLine("family_tracing", "", date(2026, 12, 1), "OIM Rabat", "done", date(2026, 11, 25)),
        MilestoneLine("travel_documents", "", date(2026, 12, 20), owner, "in_progress", None),
        MilestoneLine(None, "Audience au tribunal de Rabat", date(2027, 1, 12), "Association Adala", "blocked",
                      None),
    )


def plan(lang: str = "fr", **changes) -> ReintegrationPrint:
    values = dict(
        reference="RBT1-2026-0042-R1", case_number="RBT1-2026-0042", verification_code=CODE, audience="resident",
        partner_name="", shelter_name="Dar Al Amane", shelter_city="Rabat", shelter_contact="Houda Berrada",
        pathway="return_origin", pathway_detail="Nigeria, Benin City",
        resident_choice="Je veux rentrer chez ma mère" if lang != "ar" else ARABIC_CHOICE,
        opened_on=date(2026, 11, 20), consent_on=date(2026, 11, 22), milestones=milestones(),
        partners=PARTNERS, discharged_on=None, follow_ups=(), printed_by="Salma Idrissi",
        printed_at=datetime(2026, 11, 24, 10, 15), resident_name="Blessing Okafor", sex="female",
        identity=IdentityPart("", "Blessing Okafor", "", "female", date(1998, 3, 14), None, "NG"),
        languages=LanguagesPart(("en",), True),
    )
    values.update(changes)
    return ReintegrationPrint(**values)


def text_of(pdf: bytes) -> str:
    return " ".join(page_texts(pdf))


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_pathway_milestones_partners_and_code_in_each_language(lang):
    doc = plan(lang)
    pdf = reintegration_plan_document(doc, lang)
    tr = translator(lang)
    text = text_of(pdf)
    assert normalise(PATHWAY.label("return_origin", tr)) in text and "Nigeria, Benin City" in text
    assert normalise(doc.resident_choice) in text
    assert "2026-11-22" in text  # her consent
    for line in doc.milestones:
        assert normalise(milestone_title(line, tr)) in text and normalise(line.owner) in text
        assert line.due_on.isoformat() in text
        assert normalise(MILESTONE_STATUS.label(line.status, tr)) in text
    assert normalise(MILESTONE.label("family_tracing", tr)) in text  # a template's title, translated
    for partner in doc.partners:
        assert normalise(partner.name) in text and normalise(partner.contact) in text
        assert normalise(partner.services[0]) in text
    assert normalise(tr.gettext("Verification code: {code}").format(code=CODE)) in text
    assert "RBT1-2026-0042-R1" in text and "Blessing Okafor" in text and "Dar Al Amane" in text
    found = fonts(pdf)
    assert found and all(font.embedded and font.subset for font in found), found
    assert not any("Helvetica" in font.name for font in found)


def test_arabic_reads_in_logical_order_and_sits_on_the_right():
    pdf = reintegration_plan_document(plan("ar"), "ar")
    lines = page_lines(pdf)
    # Her words read back as written, the date inside them in its own order.
    choice = normalise(ARABIC_CHOICE)
    first = next(n for n, line in enumerate(lines) if line.startswith("أريد أن أعود"))
    read = [lines[first]]
    while len(" ".join(read)) < len(choice):
        read.append(lines[first + len(read)])
    assert " ".join(read) == choice
    assert "2027-06-30" in " ".join(read)
    # An Arabic partner's name and contact, the phone number whole.
    assert "جمعية تحدي" in " ".join(lines) and "06 12 34 56 78" in " ".join(lines)
    # The labels are on the right in Arabic, on the left in English.
    middle = PAGE_SIZE[0] / 2
    label_ar = normalise(translator("ar").gettext("Case number"))
    [ar_x] = [p.x for p in pieces(pdf) if p.text == label_ar]
    english = reintegration_plan_document(plan("en"), "en")
    [en_x] = [p.x for p in pieces(english) if p.text == "Case number"]
    assert en_x < middle < ar_x
    # The heading ends at the right margin.
    top = max(line.y for line in drawn_lines(pdf) if line.y < PAGE_SIZE[1] - 30 * 72 / 25.4)
    heading = next(line for line in drawn_lines(pdf) if abs(line.y - top) < 0.1)
    assert abs(heading.right - (PAGE_SIZE[0] - MARGIN)) < 0.5


def test_a_partners_copy_names_what_it_leaves_out():
    doc = plan("fr", audience="partner", partner_name="OIM Rabat", resident_name="", sex="",
               identity=None, languages=LanguagesPart(("en",), True), withheld=("identity", "stay", "safety"),
               partners=(dataclasses.replace(PARTNERS[0], services=()),))
    fr = translator("fr")
    text = text_of(reintegration_plan_document(doc, "fr"))
    assert normalise(fr.gettext("Copy for {partner}").format(partner="OIM Rabat")) in text
    assert "Blessing" not in text
    left_out = normalise(fr.gettext("Not shared with this partner, by the resident's choice: {sections}.")
                         .split("{")[0])
    assert left_out in text
    after = text.split(left_out)[1]
    for code in ("identity", "stay", "safety"):
        assert normalise(HANDOVER_SECTION.label(code, fr)) in after
    assert normalise(fr.gettext("Interpreter needed")) in text  # languages: consented
    assert normalise(fr.gettext("Risk level")) not in text
    assert normalise(fr.pgettext("reintegration plan column: service the resident was referred for",
                                 "Asked for")) not in text
    assert normalise(fr.gettext("For the partner")) in text


def test_consent_not_yet_given_and_follow_ups_after_discharge():
    doc = plan("en", consent_on=None, discharged_on=date(2026, 8, 31),
               follow_ups=(FollowUpLine(6, date(2027, 2, 28), "planned"), FollowUpLine(12, date(2027, 8, 31),
                                                                                         "planned")))
    text = text_of(reintegration_plan_document(doc, "en"))
    assert "Informed consent given on Not yet given" in text
    assert "Left the shelter on 2026-08-31" in text
    assert "After 6 months 2027-02-28 (Scheduled)" in text and "After 12 months 2027-08-31" in text
    assert normalise(FOLLOW_UP_STATE.label("planned", translator("en"))) in text


def test_without_milestones_or_partners_it_says_so():
    text = text_of(reintegration_plan_document(plan("en", milestones=(), partners=()), "en"))
    assert "No milestone in this plan yet." in text and "No partner is involved yet." in text
    assert CODE in text


def ten_milestones(lang: str) -> tuple[MilestoneLine, ...]:
    arabic = lang == "ar"
    owners = ("هدى برادة", "OIM Rabat", "جمعية تحدي") if arabic else (
        "Houda Berrada", "Organisation internationale pour les migrations (OIM), bureau de Rabat", "Association Adala")
    codes = [c for c in MILESTONE.codes][:6]
    lines = [MilestoneLine(code, "", date(2026, 12, n + 1), owners[n % 3], MILESTONE_STATUS.codes[n % 4],
                           date(2026, 11, 30) if MILESTONE_STATUS.codes[n % 4] == "done" else None)
             for n, code in enumerate(codes)]
    title = ("الحصول على شهادة السكنى من المقاطعة ثم تقديم الملف إلى القنصلية في الرباط قبل الموعد المحدد"
             if arabic else "Obtenir le certificat de résidence à l'arrondissement, puis déposer le dossier complet "
             "au consulat du Nigeria à Rabat avant le rendez-vous fixé")
    lines += [MilestoneLine(None, f"{title} ({n})", date(2027, 1, n + 1), owners[n % 3], "planned", None)
              for n in range(1, 5)]
    return tuple(lines)


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_a_long_name_and_ten_milestones_flow_over_the_pages(lang):
    name = "فاطمة الزهراء أميمة خديجة بنعلي الإدريسي آيت لحسن أوشن بوزيد التازي العلوي" if lang == "ar" else LONG_NAME
    shelter = "Centre d'accueil et d'hébergement pour femmes victimes de la traite — Dar Al Amane, Rabat-Salé"
    doc = plan(lang, resident_name=name, shelter_name=shelter, milestones=ten_milestones(lang),
               identity=IdentityPart(name if lang == "ar" else "", LONG_NAME, "", "female", None, 1998, "NG"))
    pdf = reintegration_plan_document(doc, lang)
    texts = page_texts(pdf)
    assert len(texts) >= 2
    whole = " ".join(texts)
    tr = translator(lang)
    def words(text: str) -> set[str]:
        # Brackets are drawn mirrored in a right-to-left line (UAX #9 rule
        # L4), so extraction gives ")1(": words are compared without them.
        return {word.strip("()") for word in text.split()}

    for line in doc.milestones:
        # A title over several lines of its cell: each of its lines is read
        # back beside the other cells' lines, so its words are looked for.
        title = normalise(milestone_title(line, tr))
        assert " ".join(title.split()[:3]) in whole and words(title) <= words(whole), title
    # Every drawn line stays within the margins.
    for page in range(len(texts)):
        for drawn in drawn_lines(pdf, page):
            assert drawn.left >= MARGIN - 0.5 and drawn.right <= PAGE_SIZE[0] - MARGIN + 0.5, (page, drawn)
    assert normalise(tr.gettext("Verification code: {code}").format(code=CODE)) in texts[-1]
