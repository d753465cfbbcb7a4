"""The care plan as the resident signs it, read back from the PDF: her goals
and the actions under them in the language chosen, Arabic shaped and in
logical order over several lines and pages, a draft marked as one and
never carrying a code, signature blocks for whoever took part."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from shelter.documents.builder import PAGE_SIZE
from shelter.documents.care_plan import ActionLine, CarePlanPrint, GoalLine, care_plan_document
from shelter.domain.vocabulary import ASSESSMENT_DOMAIN, GOAL_STATUS, PRIORITY
from shelter.i18n import translator
from tests.documents.pdftext import drawn_lines, fonts, normalise, page_lines, page_texts, pieces

CODE = "7K2M-Q9XD"
MARGIN = 20 * 72 / 25.4  # the page's side margin, in points
NEXT_REVIEW = date(2026, 12, 15)

FRENCH_GOALS = (
    GoalLine("documents", "Obtenir un passeport auprès du consulat du Nigeria à Rabat",
             "Je veux avoir mes papiers pour ne plus avoir peur de la police", "high", date(2027, 1, 31),
             "in_progress", (
                 ActionLine("Prendre rendez-vous au consulat", "Houda Berrada", date(2026, 11, 30), date(2026, 11, 25)),
                 ActionLine("Accompagner la résidente au consulat", "OIM Rabat", date(2026, 12, 10), None),
             )),
    GoalLine("mental_health", "Suivre des séances de soutien psychologique chaque semaine", "", "medium",
             None, "not_started", (
                 ActionLine("Orienter vers la psychologue de l'association", "Association Tahadi", None, None),
             )),
    GoalLine("education", "Apprendre à lire et écrire en français", "", "low", date(2027, 6, 30), "not_started"),
)

ENGLISH_GOALS = (
    GoalLine("legal", "File a complaint and be recognised as a victim of trafficking",
             "I want the people who did this to be stopped", "high", date(2027, 3, 1), "in_progress", (
                 ActionLine("Find a lawyer who speaks English", "Me Salma Tazi, lawyer", date(2026, 12, 1), None),
                 ActionLine("Explain the procedure to her with the interpreter", "Houda Berrada",
                            date(2026, 11, 28), None),
             )),
    GoalLine("livelihood", "Start a paid training in tailoring", "", "medium", None, "not_started", (
        ActionLine("Contact the OFPPT training centre", "Houda Berrada", date(2027, 1, 15), None),
    )),
)

# Arabic as a social worker writes it: with a French organisation, a date
# and a number inside the sentence.
ARABIC_GOALS = (
    GoalLine("documents", "الحصول على جواز سفر من قنصلية نيجيريا في الرباط قبل 2027-01-31",
             "أريد أوراقي حتى لا أخاف من الشرطة", "high", date(2027, 1, 31), "in_progress", (
                 ActionLine("أخذ موعد في القنصلية", "هدى برادة", date(2026, 11, 30), date(2026, 11, 25)),
                 ActionLine("مرافقة المقيمة إلى القنصلية مع OIM", "OIM Rabat", date(2026, 12, 10), None),
             )),
    GoalLine("mental_health", "متابعة جلسات الدعم النفسي مرة كل أسبوع مع الأخصائية", "", "medium", None,
             "not_started", (
                 ActionLine("توجيهها إلى الأخصائية النفسية في جمعية تحدي", "جمعية تحدي", None, None),
             )),
)

NO_GOAL = (("housing", "Elle est logée au centre pour l'instant"),)


def plan(goals: tuple[GoalLine, ...] = FRENCH_GOALS, **changes) -> CarePlanPrint:
    values = dict(
        case_number="RBT1-2026-0042", resident_name="Blessing Okafor", sex="female", shelter_name="Dar Al Amane",
        version=2, draft=False, reference="RBT1-2026-0042-P2", verification_code=CODE,
        social_worker="Houda Berrada", interpreter="", agreed_on=date(2026, 11, 24),
        next_review_on=NEXT_REVIEW, assessed_on=date(2026, 11, 20), goals=goals, no_goal_reasons=NO_GOAL,
        printed_by="Salma Idrissi", printed_at=datetime(2026, 11, 24, 10, 15),
    )
    values.update(changes)
    return CarePlanPrint(**values)


def draft(**changes) -> CarePlanPrint:
    return plan(**{"draft": True, "reference": "", "verification_code": "", "agreed_on": None, **changes})


def text_of(pdf: bytes) -> str:
    return " ".join(page_texts(pdf))


GOALS = {"fr": FRENCH_GOALS, "en": ENGLISH_GOALS, "ar": ARABIC_GOALS}


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_plan_prints_goals_actions_review_and_code_in_each_language(lang):
    goals = GOALS[lang]
    pdf = care_plan_document(plan(goals), lang)
    text = text_of(pdf)
    tr = translator(lang)
    for goal in goals:
        assert normalise(goal.goal) in text
        assert normalise(PRIORITY.label(goal.priority, tr)) in text
        assert normalise(GOAL_STATUS.label(goal.status, tr)) in text
        assert normalise(ASSESSMENT_DOMAIN.label(goal.domain, tr)) in text
        for action in goal.actions:
            assert normalise(action.what) in text and normalise(action.owner) in text
            if action.due_on:
                assert action.due_on.isoformat() in text
    assert NEXT_REVIEW.isoformat() in text and "2026-11-24" in text  # agreed on, as ISO dates
    assert normalise(tr.gettext("Verification code: {code}").format(code=CODE)) in text
    assert "RBT1-2026-0042-P2" in text and "Blessing Okafor" in text and "Houda Berrada" in text
    assert normalise(tr.gettext("Case number")) in text
    found = fonts(pdf)
    assert found and all(font.embedded and font.subset for font in found), found
    assert not any("Helvetica" in font.name for font in found)


def test_her_words_actions_and_needs_without_a_goal():
    fr = translator("fr")
    text = text_of(care_plan_document(plan(), "fr"))
    assert "Je veux avoir mes papiers pour ne plus avoir peur de la police" in text
    words = normalise(fr.pgettext("about a woman", "In the resident's own words: {words}").split("{")[0]).strip()
    assert text.count(words) == 1  # only the goal where she gave them
    assert text.count(normalise(fr.gettext("No action yet."))) == 1  # the third goal has none
    assert "2027-01-31" in text and "2026-11-25" in text  # target date, date done
    assert normalise(fr.gettext("Needs without a goal")) in text
    assert f"{normalise(ASSESSMENT_DOMAIN.label('housing', translator('fr')))} Elle est logée au centre" in text


def test_arabic_page_is_mirrored():
    """The labels sit on the right in Arabic and on the left in English."""
    middle = PAGE_SIZE[0] / 2
    english = care_plan_document(plan(ENGLISH_GOALS), "en")
    arabic = care_plan_document(plan(ARABIC_GOALS), "ar")
    label_ar = normalise(translator("ar").gettext("Case number"))
    [en_x] = [p.x for p in pieces(english) if p.text == "Case number"]
    [ar_x] = [p.x for p in pieces(arabic) if p.text == label_ar]
    assert en_x < middle < ar_x


def long_arabic_plan() -> CarePlanPrint:
    owners = ("هدى برادة", "OIM Rabat", "جمعية تحدي")
    goals = tuple(
        GoalLine(
            ASSESSMENT_DOMAIN.codes[n % len(ASSESSMENT_DOMAIN)],
            f"الهدف رقم {n + 1}: أن تحصل المقيمة على الدعم الذي تحتاجه في هذا المجال، بمساعدة المساعدة الاجتماعية "
            f"وشركاء المأوى مثل Association Tahadi، وأن تراجع الخطة معها قبل 2027-0{n % 9 + 1}-15 "
            "حتى تعرف ما تم وما بقي، وأن تشارك في كل قرار يخصها.",
            "أريد أن أعيش في أمان" if n % 2 else "", "high", date(2027, 2, 1), "in_progress",
            tuple(ActionLine(f"الخطوة {k + 1} للهدف {n + 1}: الاتصال بالشريك وتحديد موعد", owners[k],
                             date(2026, 12, k + 1), None) for k in range(3)),
        )
        for n in range(13)
    )
    return plan(goals, interpreter="Grace Adeyemi")


def test_long_arabic_plan_flows_over_pages_in_logical_order():
    doc = long_arabic_plan()
    pdf = care_plan_document(doc, "ar")
    texts = page_texts(pdf)
    assert len(texts) >= 2
    whole = " ".join(texts)
    for goal in doc.goals:
        wanted = normalise(goal.goal)
        assert wanted in whole, goal.goal[:20]
        for action in goal.actions:
            assert normalise(action.what) in whole
    # A goal wraps over several lines, read back first line first, each
    # line in the order it was written.
    wanted = normalise(doc.goals[0].goal)
    page = page_lines(pdf, 0)
    first = next(n for n, line in enumerate(page) if line.startswith("الهدف رقم 1: أن تحصل المقيمة"))
    lines = [page[first]]
    while len(" ".join(lines)) < len(wanted):
        lines.append(page[first + len(lines)])
    assert len(lines) >= 2
    assert all(line in wanted for line in lines)
    assert lines[-1].endswith("كل قرار يخصها.")
    assert " ".join(lines) == wanted
    # Right-aligned: every line of the goal ends at the right margin.
    top = max(p.y for p in pieces(pdf, 0) if p.text == "الهدف رقم")  # the first goal's first line
    drawn = drawn_lines(pdf, 0)
    start = next(n for n, line in enumerate(drawn) if abs(line.y - top) < 0.1)
    goal_lines = drawn[start:start + len(lines)]
    assert all(abs(line.right - (PAGE_SIZE[0] - MARGIN)) < 0.5 for line in goal_lines), goal_lines
    assert goal_lines[-1].left > MARGIN + 100  # the short last line is ragged on the left
    # Goals on later pages too, and the signatures and code at the end.
    assert any(normalise(doc.goals[-1].goal) in text for text in texts[1:])
    assert normalise(translator("ar").gettext("Verification code: {code}").format(code=CODE)) in texts[-1]


def test_a_very_long_goal_or_action_splits_across_pages():
    sentence = "La résidente souhaite reprendre contact avec sa famille au Nigeria, en sécurité. "
    goal = GoalLine("family", sentence * 60, sentence * 3, "high", None, "in_progress",
                    (ActionLine(sentence * 70, "Houda Berrada", date(2026, 12, 1), None),))
    pdf = care_plan_document(plan((goal,)), "fr")
    text = text_of(pdf)
    assert len(page_texts(pdf)) >= 3
    # Not a word lost (a phrase may be cut by a page break, a word is not).
    assert text.split().count("Nigeria,") == 60 + 3 + 70
    assert CODE in text


def test_draft_says_so_and_has_no_code_and_no_signatures():
    pdf = care_plan_document(dataclasses.replace(long_arabic_plan(), draft=True, reference="",
                                                 verification_code="", agreed_on=None), "en")
    texts = page_texts(pdf)
    assert len(texts) >= 2
    assert "DRAFT — not agreed, not valid for signature" in texts[0]
    assert all("DRAFT" in page and "Care plan (draft)" in page for page in texts)  # every page
    whole = " ".join(texts)
    assert "Verification code" not in whole and CODE not in whole
    assert "must not be signed" in whole and "Signature:" not in whole
    assert "Not agreed yet" in whole
    assert "Reference: RBT1-2026-0042" in texts[0]  # the case number stands for the reference


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_draft_in_other_languages_has_no_code(lang):
    pdf = care_plan_document(draft(goals=GOALS[lang]), lang)
    text = text_of(pdf)
    tr = translator(lang)
    assert normalise(tr.gettext("DRAFT — not agreed, not valid for signature")) in page_texts(pdf)[0]
    assert normalise(tr.gettext("Verification code: {code}").format(code="")).rstrip(" :") not in text
    assert all(font.embedded and font.subset for font in fonts(pdf))


def test_agreed_version_has_no_draft_wording():
    text = text_of(care_plan_document(plan(), "en"))
    assert "draft" not in text.lower()
    assert "Signature:" in text and f"Verification code: {CODE}" in text


def test_interpreter_signs_only_when_one_took_part():
    without = text_of(care_plan_document(plan(ENGLISH_GOALS), "en"))
    assert "The resident" in without and "The social worker" in without
    assert "The interpreter" not in without and "Interpreter" not in without
    with_one = text_of(care_plan_document(plan(ENGLISH_GOALS, interpreter="Grace Adeyemi"), "en"))
    assert "The interpreter" in with_one and "Interpreter Grace Adeyemi" in with_one
    assert with_one.count("Signature:") == 3 and without.count("Signature:") == 2


def test_goals_of_one_domain_are_grouped_under_one_heading():
    passport, therapy, reading = FRENCH_GOALS
    residence = dataclasses.replace(passport, goal="Obtenir une carte de séjour", actions=())
    text = text_of(care_plan_document(plan((passport, residence, therapy, reading)), "fr"))
    documents = normalise(ASSESSMENT_DOMAIN.label("documents", translator("fr")))
    assert text.count(documents) == 1
    assert text.index(documents) < text.index("Obtenir un passeport") < text.index("Obtenir une carte de séjour")


def test_a_plan_without_goals_still_prints():
    text = text_of(care_plan_document(plan((), no_goal_reasons=()), "fr"))
    fr = translator("fr")
    assert normalise(fr.gettext("No goal in this plan yet.")) in text
    assert normalise(fr.gettext("Needs without a goal")) not in text
    assert CODE in text
