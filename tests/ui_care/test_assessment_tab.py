"""The "Needs assessment" tab of the resident's file and its form: a social
worker scores every domain (keyboard or mouse) reading what each score
means, the tab then shows the new scores beside the previous ones; a domain
left unscored or a date in the future is refused beside its field and
nothing chosen is lost; the scores of a domain are there over time."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

import pytest

from shelter.domain.care import SCORE_MEANINGS
from shelter.services import admissions, assessments
from shelter.services.assessments import DomainScore
from tests.cases import DOMAINS, TODAY, admission, audit_details, bed_ids, open_file, scores, texts

ADMITTED = TODAY - timedelta(days=10)


@pytest.fixture
def resident(coordinator):
    """Fatima, admitted ten days ago."""
    a = admission(bed_ids(coordinator)[0])
    a = replace(a, referral=replace(a.referral, referred_on=ADMITTED),
                protection=replace(a.protection, consent_processing_on=ADMITTED),
                admitted_at=datetime.combine(ADMITTED, time(21, 30)).astimezone())
    return admissions.admit(coordinator, a)






def plain(label) -> str:
    return label.text().strip("\u200e\u200f\u2068\u2069")


def new_form(qtbot, dialog):
    from ui.qt import Qt

    dialog.show_tab("assessment")
    tab = dialog.page("assessment")
    assert tab.new_button.isVisible()
    qtbot.mouseClick(tab.new_button, Qt.LeftButton)
    form = tab.form_dialog
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow, timeout=5000)
    return form


def test_the_tab_says_when_the_first_assessment_is_due(qtbot, social_worker, resident):
    dialog = open_file(qtbot, social_worker, resident.resident_id)
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert titles.index("Needs assessment") == titles.index("Protection") + 1
    tab = dialog.page("assessment")
    due = (ADMITTED + timedelta(days=7)).isoformat()
    assert plain(tab.summary) == (f"No needs assessment yet. The first is due within 7 days of admission, "
                                  f"by {due}.")
    assert not tab.new_button.isHidden() and not tab.history_button.isEnabled()


def test_writing_an_assessment_through_the_form(qtbot, social_worker, resident):
    from ui.qt import Qt, changes

    rid = resident.resident_id
    assessments.record_assessment(social_worker, rid, TODAY, scores(safety=1, legal=2, housing=3))
    dialog = open_file(qtbot, social_worker, rid)
    form = new_form(qtbot, dialog)
    assert form.assessed_on.value() == TODAY
    # The previous score is beside each domain while scoring.
    assert form.last_time["safety"].text() == "Last time: 1 · Severe need"
    assert form.last_time["education"].text() == "Last time: 4 · No need"
    # The keyboard: Tab from the date reaches the first domain; a digit picks the score.
    form.assessed_on.edit.setFocus()
    qtbot.keyClick(form.assessed_on.edit, Qt.Key_Tab)
    assert form.focusWidget() is form.choices["safety"].buttons[1]
    qtbot.keyClick(form.focusWidget(), Qt.Key_2)
    assert form.choices["safety"].score() == 2
    # The arrow keys move along a domain's scores.
    qtbot.keyClick(form.focusWidget(), Qt.Key_Right)
    assert form.choices["safety"].score() == 3
    qtbot.keyClick(form.focusWidget(), Qt.Key_Left)
    assert form.choices["safety"].score() == 2
    qtbot.keyClicks(form.notes["safety"], "Safety plan with the police liaison")
    # The mouse for the others.
    picks = {"physical_health": 4, "mental_health": 2, "legal": 1, "documents": 3, "family": 4, "education": 4,
             "livelihood": 2, "housing": 3, "intentions": 3}
    for domain, score in picks.items():
        qtbot.mouseClick(form.choices[domain].buttons[score], Qt.LeftButton)
    qtbot.keyClicks(form.note, "Sleeps better; the hearing is next month.")
    with qtbot.waitSignal(changes.changed, timeout=5000) as notice:
        qtbot.keyClick(form.notes["safety"], Qt.Key_Return)  # Enter saves
    assert notice.args[0].residents == frozenset({rid})
    qtbot.waitUntil(lambda: len(dialog.page("assessment").found.items) == 2, timeout=5000)
    assert form.result() == form.DialogCode.Accepted

    tab = dialog.page("assessment")
    assert plain(tab.summary) == f"Scheduled reassessment on {TODAY.isoformat()} by \u2068Nadia Tazi"
    score, last, note = tab.domain_rows["safety"]
    assert plain(score) == "2 · Significant need" and plain(last) == "▲ was 1 · Severe need"
    assert plain(note) == "Safety plan with the police liaison"
    assert "Better than last time" in last.toolTip()
    score, last, _note = tab.domain_rows["legal"]
    assert plain(score) == "1 · Severe need" and plain(last) == "▼ was 2 · Significant need"
    assert plain(tab.domain_rows["housing"][1]) == "= was 3 · Some need"
    assert "Sleeps better; the hearing is next month." in texts(tab)
    saved = assessments.list_assessments(social_worker, rid).latest
    assert saved.scores["safety"] == DomainScore(2, "Safety plan with the police liaison")
    assert {d: s.score for d, s in saved.scores.items()} == {"safety": 2, **picks}


def test_a_domain_left_unscored_is_refused_beside_it_and_nothing_is_lost(qtbot, social_worker, resident):
    from ui.qt import Qt

    dialog = open_file(qtbot, social_worker, resident.resident_id)
    form = new_form(qtbot, dialog)
    for domain in DOMAINS:
        if domain != "legal":
            form.choices[domain].choose(3)
    qtbot.keyClicks(form.notes["family"], "Two children in Lagos with the grandmother")
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    error = form.errors.label("score.legal")
    qtbot.waitUntil(lambda: error.isVisible(), timeout=5000)
    assert error.text() == "Give a score in every domain: Legal: victim status, proceedings, lawyer has none."
    assert form.isVisible() and form.focusWidget() is form.choices["legal"].buttons[1]
    # Nothing chosen or typed was lost.
    assert all(form.choices[d].score() == 3 for d in DOMAINS if d != "legal")
    assert form.notes["family"].text() == "Two children in Lagos with the grandmother"
    assert assessments.list_assessments(social_worker, resident.resident_id).items == ()
    # Scored, it is saved.
    qtbot.keyClick(form.choices["legal"].buttons[1], Qt.Key_1)
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.page("assessment").found.latest is not None, timeout=5000)
    latest = dialog.page("assessment").found.latest
    assert latest.kind == "initial" and latest.scores["legal"].score == 1
    assert latest.scores["family"].note == "Two children in Lagos with the grandmother"
    assert "Initial assessment" in dialog.page("assessment").summary.text()
    assert [d for _o, _r, d in audit_details(social_worker, "assessment.create")] == [
        {"resident": resident.resident_id, "kind": "initial"}]


def test_a_date_in_the_future_is_refused_beside_the_date(qtbot, social_worker, resident):
    from ui.qt import Qt

    dialog = open_file(qtbot, social_worker, resident.resident_id)
    form = new_form(qtbot, dialog)
    for domain in DOMAINS:
        form.choices[domain].choose(2)
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    form.assessed_on.edit.clear()
    qtbot.keyClicks(form.assessed_on.edit, tomorrow)
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    error = form.errors.label("assessed_on")
    qtbot.waitUntil(lambda: error.isVisible(), timeout=5000)
    assert error.text() == "The assessment date is in the future."
    assert form.isVisible() and form.assessed_on.edit.text() == tomorrow
    assert all(form.choices[d].score() == 2 for d in DOMAINS)
    # Not a date at all: the same place says how to type one.
    form.assessed_on.edit.clear()
    qtbot.keyClicks(form.assessed_on.edit, "next week")
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    assert error.text() == "Type the date as 2026-03-15, or choose it in the calendar."


def test_the_meaning_of_the_score_shows_while_scoring(qtbot, social_worker, resident):
    from ui.qt import Qt

    dialog = open_file(qtbot, social_worker, resident.resident_id)
    form = new_form(qtbot, dialog)
    choice = form.choices["housing"]
    assert choice.meaning.text() == "Not scored yet."
    # Every meaning is in the tooltips before one is chosen.
    assert [choice.buttons[s].toolTip() for s in (1, 2, 3, 4)] == [SCORE_MEANINGS["housing"][s]
                                                                   for s in (1, 2, 3, 4)]
    qtbot.mouseClick(choice.buttons[1], Qt.LeftButton)
    assert choice.meaning.text() == "Nowhere safe to go after the shelter."
    qtbot.keyClick(choice.buttons[1], Qt.Key_4)
    assert choice.meaning.text() == "Safe housing secured."
    assert form.choices["safety"].buttons[2].toolTip() == "A serious risk that needs a safety plan and close watch."
    # Escape with something chosen asks before throwing it away.
    from ui.qt import QMessageBox

    asked = []

    def question(*args, **kwargs):
        asked.append(args[1])
        return QMessageBox.StandardButton.Cancel

    import ui.widgets.guard as guard

    original = guard.QMessageBox.question
    guard.QMessageBox.question = question
    try:
        qtbot.keyClick(form, Qt.Key_Escape)
    finally:
        guard.QMessageBox.question = original
    assert asked == ["Leave the form?"] and form.isVisible()


def test_the_scores_of_a_domain_over_time(qtbot, social_worker, resident):
    from ui.qt import Qt, QToolButton

    rid = resident.resident_id
    assessments.record_assessment(social_worker, rid, TODAY - timedelta(days=1),
                                  {**scores(safety=1), "safety": DomainScore(1, "Threats by phone")})
    assessments.record_assessment(social_worker, rid, TODAY, scores(safety=3))
    dialog = open_file(qtbot, social_worker, rid)
    tab = dialog.page("assessment")
    [button] = [b for b in tab.findChildren(QToolButton)
                if b.accessibleName() == "History of Safety"]
    qtbot.mouseClick(button, Qt.LeftButton)
    history = tab.history_dialog
    assert history.isVisible() and history.domain.currentData() == "safety"
    rows = [[history.table.item(r, c).text() for c in range(4)] for r in range(history.table.rowCount())]
    assert rows == [[TODAY.isoformat(), "3 · Some need", "", "Nadia Tazi"],
                    [(TODAY - timedelta(days=1)).isoformat(), "1 · Severe need", "Threats by phone", "Nadia Tazi"]]
    history.domain.setCurrentIndex(history.domain.findData("housing"))
    assert [history.table.item(r, 1).text() for r in range(2)] == ["4 · No need", "4 · No need"]
    history.reject()


def test_a_counsellor_reads_the_tab_without_a_new_assessment_button(qtbot, coordinator, admin, store_dir, resident,
                                                                     social_worker):
    from shelter.security.permissions import Role
    from shelter.services import accounts
    from shelter.store import Store

    assessments.record_assessment(social_worker, resident.resident_id, TODAY, scores(safety=2))
    accounts.create_account(admin, "leila", "Leila Amrani", [Role.COUNSELLOR], "quiet room kind words",
                            must_change_password=False)
    leila = Store(store_dir).sign_in("leila", "quiet room kind words")
    try:
        dialog = open_file(qtbot, leila, resident.resident_id)
        tab = dialog.page("assessment")
        assert tab is not None and tab.new_button.isHidden()
        assert plain(tab.domain_rows["safety"][0]) == "2 · Significant need"
        # The coordinator reads it too, and writes nothing here.
        other = open_file(qtbot, coordinator, resident.resident_id)
        assert other.page("assessment").new_button.isHidden()
    finally:
        leila.lock("sign_out")


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_the_tabs_and_the_form_fit_a_small_laptop_screen(qtbot, qapp, coordinator, social_worker, lang):
    from shelter.i18n import set_language
    from ui.qt import Qt

    long_latin = "Fatima Zahra Oumaima Khadija Benali El Idrissi Ait Lahcen Ouchen Bouzid Tazi Alaoui Mernissi Bennani"
    rid = admissions.admit(coordinator, admission(bed_ids(coordinator)[0], long_latin)).resident_id
    assessments.record_assessment(social_worker, rid, TODAY, {
        d: DomainScore(2, "A long note about what the person said, what was seen and what to watch " * 3)
        for d in DOMAINS})
    set_language(lang)
    qapp.setLayoutDirection(Qt.RightToLeft if lang == "ar" else Qt.LeftToRight)
    try:
        dialog = open_file(qtbot, social_worker, rid)
        for key in ("assessment", "case"):
            dialog.show_tab(key)
            hint = dialog.minimumSizeHint()
            assert hint.width() <= 1366 and hint.height() <= 768, (key, hint)
        form = new_form(qtbot, dialog)
        hint = form.minimumSizeHint()
        assert hint.width() <= 1366 and hint.height() <= 768, hint
        assert form.width() <= 1366 and form.height() <= 768
        form.reject()
    finally:
        qapp.setLayoutDirection(Qt.LeftToRight)
