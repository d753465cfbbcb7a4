"""The "Reintegration" tab of the resident's file, driven as a social worker,
a coordinator and a counsellor would: making the plan (its milestones come
from the pathway's templates), moving a milestone and setting its status
from the keyboard, a referral refused without consent (the message beside
the reason, nothing saved) then made with a reason, three unanswered
contacts after the discharge marking the case "lost contact" and closing
it, a survey drawn on the chart, a counsellor reading without the write
buttons, and the whole tab on a small laptop screen in the three languages
with a long name.

Set SHELTER_SHOTS to a folder to save the screenshots of the last test."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from shelter.domain.vocabulary import MILESTONE
from shelter.services import admissions, discharge, partners, pathways, reintegration, residents
from tests.cases import TODAY, admission, bed_ids, open_file
from tests.ui.conftest import interface  # noqa: F401  (the interface language, a fixture)

LONG_NAME = "Fatima Zahra Oumaima Khadija Benali El Idrissi Ait Lahcen Ouchen Bouzid Tazi Alaoui Mernissi"
LONG_ARABIC = "فاطمة الزهراء أميمة خديجة بنعلي الإدريسي آيت لحسن"


@pytest.fixture
def resident(coordinator):
    return admissions.admit(coordinator, admission(bed_ids(coordinator)[0])).resident_id


@pytest.fixture
def iom(social_worker):
    return partners.add_partner(social_worker, "OIM Rabat", "iom", "Rabat", "Mme Alaoui, +212 5 37 00 00 00")


def open_tab(qtbot, who, resident_id):
    dialog = open_file(qtbot, who, resident_id)
    dialog.show_tab("reintegration")
    tab = dialog.page("reintegration")
    assert tab is not None
    return dialog, tab


def plain(text: str) -> str:
    """Without the direction marks and isolates the screen puts around values."""
    return text.translate({ord(c): None for c in "\u200e\u200f\u2066\u2067\u2068\u2069"})


def click(qtbot, button):
    from ui.qt import Qt

    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.LeftButton)


def opened(qtbot, tab, button):
    click(qtbot, button)
    form = tab.form_dialog
    qtbot.waitExposed(form)
    return form


def save(qtbot, form):
    """Save a form and wait for the change it announces and the tab read again."""
    from ui.qt import Qt, changes

    with qtbot.waitSignal(changes.changed, timeout=10_000):
        qtbot.mouseClick(form.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: form.result() == form.DialogCode.Accepted, timeout=5000)
    qtbot.wait(50)  # the file window reads the file again once the events in flight are handled


def refused(qtbot, form, field):
    """Save, and expect the service's refusal beside ``field``; the form stays open."""
    from ui.qt import Qt

    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    label = form.errors.label(field)
    qtbot.waitUntil(lambda: label.isVisible() and label.text() != "", timeout=5000)
    assert form.isVisible()
    return label.text()


def column(table, index):
    return [plain(table.item(r, index).text()) for r in range(table.rowCount())]


def choose(combo, data):
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


# -- the plan --------------------------------------------------------------------------------

def test_making_the_plan_from_the_tab_adds_the_pathways_milestones(qtbot, social_worker, resident):
    dialog, tab = open_tab(qtbot, social_worker, resident)
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert titles.index("Reintegration") == titles.index("Sessions") + 1
    assert plain(tab.status_label.text()) == "Case status: Active · stage: Admitted"
    due = (TODAY + timedelta(days=30)).isoformat()
    assert plain(tab.due_label.text()) == f"Reintegration plan due on {due}"
    assert tab.due_label.objectName() == ""  # a month ahead: not yet emphasised
    assert not tab.edit_plan_button.isVisible() and not tab.print_button.isVisible()

    form = opened(qtbot, tab, tab.make_button)
    # Nothing chosen: refused beside the pathway; then a consent in the future, beside its date.
    assert refused(qtbot, form, "pathway") == "Choose the pathway."
    choose(form.pathway, "return_origin")
    form.detail.setText("Nigeria, Lagos")
    form.words.setPlainText("Je veux rentrer chez ma mère à Lagos")
    form.consent_on.set_value(TODAY + timedelta(days=1))
    assert refused(qtbot, form, "consent_on") == "This date is in the future."
    assert reintegration.reintegration(social_worker, resident).plan is None
    form.consent_on.set_value(None)
    save(qtbot, form)
    qtbot.waitUntil(lambda: tab.view.plan is not None, timeout=5000)

    templates = pathways.milestone_templates(social_worker, "return_origin")
    assert column(tab.milestones, 0) == [MILESTONE.label(t.code) for t in templates]
    assert column(tab.milestones, 3) == ["Not started"] * len(templates)
    assert plain(tab.pathway_label.text()) == "Pathway: Return to the country of origin — Nigeria, Lagos"
    assert "Je veux rentrer chez ma mère à Lagos" in tab.words_label.text()
    assert plain(tab.consent_label.text()) == "Consent not yet given"
    assert tab.consent_label.objectName() == "important"
    assert not tab.make_button.isVisible() and not tab.due_label.isVisible()
    assert tab.edit_plan_button.isVisible() and tab.pathway_button.isVisible() and tab.print_button.isVisible()

    # Consent given later; then the pathway changes, with a reason, and consent is asked again.
    form = opened(qtbot, tab, tab.edit_plan_button)
    form.consent_on.set_value(TODAY)
    save(qtbot, form)
    qtbot.waitUntil(lambda: "Informed consent given on" in tab.consent_label.text(), timeout=5000)
    form = opened(qtbot, tab, tab.pathway_button)
    choose(form.pathway, "morocco_family")
    form.reason.setPlainText("court")
    assert "at least 10 characters" in refused(qtbot, form, "reason")
    form.reason.setPlainText("Her family in Lagos could not be traced")
    save(qtbot, form)
    qtbot.waitUntil(lambda: tab.view.plan.pathway == "morocco_family", timeout=5000)
    assert plain(tab.consent_label.text()) == "Consent not yet given"
    assert "Her family in Lagos could not be traced" in tab.pathway_label.toolTip()
    assert "Not applicable" in column(tab.milestones, 3)


def test_an_overdue_plan_stands_out(qtbot, coordinator, social_worker):
    past = datetime.now(UTC) - timedelta(days=40)
    start = admission(bed_ids(coordinator)[0])
    rid = admissions.admit(coordinator, replace(start, admitted_at=past, referral=replace(
        start.referral, referred_on=past.date()))).resident_id
    _dialog, tab = open_tab(qtbot, social_worker, rid)
    assert plain(tab.due_label.text()).endswith("(Overdue)")
    assert (tab.due_label.objectName(), tab.due_label.property("state")) == ("result", "bad")


# -- milestones ------------------------------------------------------------------------------------

def test_moving_a_milestone_and_setting_its_status_with_the_keyboard(qtbot, social_worker, resident):
    from ui.qt import Qt

    reintegration.make_plan(social_worker, resident, "morocco_family", consent_on=TODAY)
    _dialog, tab = open_tab(qtbot, social_worker, resident)
    table = tab.milestones
    table.setFocus()
    table.setCurrentCell(0, 0)
    first = tab.selected_milestone()

    # Moved: a new due date, given to Nadia.
    form = opened(qtbot, tab, tab.edit_milestone_button)
    form.due.set_value(TODAY + timedelta(days=90))
    index = next(i for i in range(form.responsible.count()) if form.responsible.itemText(i) == "Nadia Tazi")
    form.responsible.setCurrentIndex(index)
    save(qtbot, form)
    target = (TODAY + timedelta(days=90)).isoformat()
    qtbot.waitUntil(lambda: tab.selected_milestone().due_on == TODAY + timedelta(days=90), timeout=5000)
    assert tab.selected_milestone().milestone_id == first.milestone_id  # the selection stays on it
    assert plain(table.item(0, 1).text()) == target and plain(table.item(0, 2).text()) == "Nadia Tazi"

    # The second milestone, reached with the arrow key; Enter opens its status.
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    second = tab.selected_milestone()
    assert second.milestone_id != first.milestone_id
    qtbot.keyClick(table, Qt.Key.Key_Return)
    form = tab.form_dialog
    qtbot.waitExposed(form)
    assert type(form).__name__ == "StatusForm" and form.milestone.milestone_id == second.milestone_id
    form.status.setFocus()
    choose(form.status, "blocked")
    assert plain(form.reason_label.text()).replace("&", "") == "Why (required):"
    assert "Write why" in refused(qtbot, form, "reason")
    assert form.reason.hasFocus()  # the refused field, ready to type in
    qtbot.keyClicks(form.reason, "Waiting for the family assessment by the association")
    from ui.qt import changes

    with qtbot.waitSignal(changes.changed, timeout=10_000):
        qtbot.keyClick(form.status, Qt.Key.Key_Return)  # Enter saves the form
    qtbot.waitUntil(lambda: tab.selected_milestone().status == "blocked", timeout=5000)
    row = table.currentRow()
    assert plain(table.item(row, 3).text()) == "Blocked"
    assert "Waiting for the family assessment by the association" in table.item(row, 3).toolTip()
    history = [plain(tab.history.item(i).text()) for i in range(tab.history.count())]
    assert history[0].startswith("Blocked, ") and "by Nadia Tazi" in history[0]
    assert "Why: Waiting for the family assessment by the association" in history[0]
    assert history[-1].startswith("Not started, ")

    # A milestone of the case's own, given to a partner.
    partners.add_partner(social_worker, "Association Adala", "legal_aid", "Rabat")
    tab.reload()
    form = opened(qtbot, tab, tab.add_milestone_button)
    assert refused(qtbot, form, "title") == "Write the milestone."
    form.title.setPlainText("Birth certificate from the consulate")
    index = next(i for i in range(form.responsible.count()) if "Association Adala" in form.responsible.itemText(i))
    form.responsible.setCurrentIndex(index)
    save(qtbot, form)
    qtbot.waitUntil(lambda: "Birth certificate from the consulate" in column(table, 0), timeout=5000)
    row = column(table, 0).index("Birth certificate from the consulate")
    assert plain(table.item(row, 2).text()) == "Association Adala"


# -- referrals ---------------------------------------------------------------------------------------

def test_a_referral_without_consent_is_refused_beside_the_reason_then_made_with_one(qtbot, social_worker,
                                                                                     resident, iom):
    reintegration.make_plan(social_worker, resident, "return_origin")
    _dialog, tab = open_tab(qtbot, social_worker, resident)
    tab.sections.setCurrentIndex(1)
    assert plain(tab.referrals_hint.text()) == "No referral yet."
    form = opened(qtbot, tab, tab.refer_button)
    assert not form.override_holder.isVisible()
    choose(form.partner, iom.partner_id)
    assert form.consent_note.isVisible() and form.override_holder.isVisible()
    assert "OIM Rabat" in form.consent_note.text()
    form.service.setPlainText("Assisted voluntary return")
    message = refused(qtbot, form, "consent_override")
    assert "has not consented to share" in message and "at least 15 characters" in message
    assert form.override.hasFocus()
    assert reintegration.reintegration(social_worker, resident).referrals == ()  # nothing saved
    form.override.setPlainText("Her flight leaves on Friday and she asked for it")
    save(qtbot, form)
    qtbot.waitUntil(lambda: tab.referrals.rowCount() == 1, timeout=5000)
    assert column(tab.referrals, 0) == ["OIM Rabat"]
    assert column(tab.referrals, 3) == ["Sent, no answer yet"]
    assert column(tab.referrals, 5) == ["Without consent"]
    assert "Her flight leaves on Friday and she asked for it" in tab.referrals.item(0, 5).toolTip()
    assert column(tab.referrals, 4) == [(TODAY + timedelta(days=14)).isoformat()]

    # The partner's answer: accepted, with the next follow-up.
    form = opened(qtbot, tab, tab.answer_button)
    choose(form.status, "accepted")
    form.note.setPlainText("Appointment with Ms Alaoui on Monday")
    save(qtbot, form)
    qtbot.waitUntil(lambda: tab.view.referrals[0].status == "accepted", timeout=5000)
    assert column(tab.referrals, 3) == [f"Accepted on {TODAY.isoformat()}"]
    assert "Appointment with Ms Alaoui on Monday" in tab.referrals.item(0, 3).toolTip()


# -- follow-up after discharge ---------------------------------------------------------------------------

def leave(who, resident_id):
    stay = residents.open_resident(who, resident_id).stays[-1].stay_id
    discharge.discharge(who, stay, datetime.now(UTC), "family_reunification")


def test_three_unanswered_contacts_mark_lost_contact_and_the_case_closes(qtbot, coordinator, social_worker,
                                                                          resident):
    reintegration.make_plan(social_worker, resident, "morocco_family", consent_on=TODAY)
    dialog, tab = open_tab(qtbot, social_worker, resident)
    tab.sections.setCurrentIndex(2)
    assert plain(tab.follow_state.text()) == "Follow-ups begin after the discharge: at 3, 6, 12 months."
    assert not tab.contact_button.isVisible() and not tab.rounds.isVisible()
    dialog.close()

    leave(coordinator, resident)
    dialog, tab = open_tab(qtbot, social_worker, resident)
    tab.sections.setCurrentIndex(2)
    assert plain(tab.status_label.text()).startswith("Case status: Follow-up")
    assert column(tab.rounds, 0) == ["3-month follow-up", "6-month follow-up", "12-month follow-up"]
    assert column(tab.rounds, 2) == ["Scheduled"] * 3
    assert not tab.lost_label.isVisible() and not tab.close_button.isVisible()

    # Reached is refused without the situation found.
    form = opened(qtbot, tab, tab.contact_button)
    assert form.round.currentData() == 3
    form.reached.setChecked(True)
    assert refused(qtbot, form, "situation") == "Write the situation found."
    form.reached.setChecked(False)
    form.guard.reset()
    form.reject()
    for attempt in range(3):
        form = opened(qtbot, tab, tab.contact_button)
        assert form.round.currentData() == 3
        form.next_step.setPlainText(f"Call again ({attempt + 1})")
        save(qtbot, form)
        qtbot.waitUntil(lambda n=attempt: tab.contacts.rowCount() == n + 1, timeout=5000)
        if attempt < 2:
            assert not tab.lost_label.isVisible() and not tab.done_label.isVisible()
    assert form.recorded.lost_contact
    qtbot.waitUntil(lambda: tab.lost_label.isVisible(), timeout=5000)
    assert plain(tab.lost_label.text()) == f"Lost contact since {TODAY.isoformat()}"
    assert tab.done_label.isVisible() and "lost contact" in tab.done_label.text()
    assert column(tab.rounds, 2) == ["Lost contact"] * 3
    assert column(tab.contacts, 3) == ["No"] * 3 and column(tab.contacts, 5)[0] == "Call again (3)"

    # No follow-up is left: the case is closed with the Case tab's form, its reason chosen.
    form = opened(qtbot, tab, tab.close_button)
    assert form.reason.currentData() == "lost_contact"
    save(qtbot, form)
    qtbot.waitUntil(lambda: tab.view.closed, timeout=5000)
    assert plain(tab.status_label.text()) == "Case status: Case closed · closed: Lost contact"
    assert not tab.close_button.isVisible()
    assert tab.contact_button.isVisible() and not tab.contact_button.isEnabled()
    assert not tab.survey_button.isEnabled() and not tab.add_milestone_button.isEnabled()
    assert "closed" in tab.contact_button.toolTip()


# -- sustainability ---------------------------------------------------------------------------------------

def test_a_survey_recorded_from_the_tab_is_drawn_on_the_chart(qtbot, social_worker, resident):
    reintegration.make_plan(social_worker, resident, "morocco_family")
    _dialog, tab = open_tab(qtbot, social_worker, resident)
    tab.sections.setCurrentIndex(3)
    assert tab.chart.points == [] and "No sustainability survey" in tab.chart.accessibleDescription()
    form = opened(qtbot, tab, tab.survey_button)
    assert form.occasion.currentData() == "baseline"
    assert len(form.answers) == 15
    assert "0 of 15 answered" in form.preview.text()
    # Saving nothing is refused.
    assert refused(qtbot, form, "answers") == "Answer at least one question."
    choose(form.answers["income"], "regular")
    choose(form.answers["debt"], "larger")
    choose(form.answers["housing"], "good")
    choose(form.answers["distress"], "unknown")  # does not count
    preview = plain(form.preview.text())
    assert "Economic 0.50" in preview and "Social 0.75" in preview and "Psychosocial —" in preview
    assert "3 of 15 answered" in preview
    save(qtbot, form)
    qtbot.waitUntil(lambda: len(tab.chart.points) == 1, timeout=5000)
    assert tab.chart.series("economic") == [0.5] and tab.chart.series("psychosocial") == [None]
    description = tab.chart.accessibleDescription()
    assert f"{TODAY.isoformat()}: Economic 0.50, Social 0.75, Psychosocial —; overall 0.58" in description
    assert [plain(tab.scores.item(0, c).text()) for c in range(7)] == [
        TODAY.isoformat(), "Baseline, at the start of the plan", "0.50", "0.75", "—", "0.58", "3 of 15 answered"]

    form = opened(qtbot, tab, tab.survey_button)
    assert form.occasion.currentData() == "follow_up"  # the baseline is made
    choose(form.answers["income"], "regular")
    choose(form.answers["support_network"], "very_good")
    save(qtbot, form)
    qtbot.waitUntil(lambda: len(tab.chart.points) == 2, timeout=5000)
    assert tab.chart.series("economic") == [0.5, 1.0] and tab.chart.series("psychosocial") == [None, 1.0]
    assert tab.scores.rowCount() == 2


# -- roles -------------------------------------------------------------------------------------------------

def test_a_counsellor_reads_the_tab_without_the_write_buttons(qtbot, social_worker, counsellor, resident, iom):
    reintegration.make_plan(social_worker, resident, "return_origin", consent_on=TODAY)
    partners.refer(social_worker, resident, iom.partner_id, "Assisted voluntary return",
                   consent_override="Her flight leaves on Friday and she asked for it")
    reintegration.record_score(social_worker, resident, "baseline", {"income": "none"})
    _dialog, tab = open_tab(qtbot, counsellor, resident)
    assert tab.view.plan is not None and tab.milestones.rowCount() > 0 and tab.referrals.rowCount() == 1
    assert tab.chart.points
    for index in range(tab.sections.count()):
        tab.sections.setCurrentIndex(index)
        shown = [b.text() for b in (*tab.write_buttons, tab.print_button, tab.close_button) if not b.isHidden()]
        assert shown == [], index
    tab.milestones.setFocus()
    tab.set_status()  # Enter on a row: nothing opens
    assert tab.form_dialog is None


# -- a small laptop screen ------------------------------------------------------------------------------------

def busy_case(coordinator, social_worker):
    """A long-named resident admitted four months ago, with a plan, milestones,
    referrals, follow-ups after the discharge and three scores."""
    from shelter.services import handover

    admitted = datetime.now(UTC) - timedelta(days=120)
    start = admission(bed_ids(coordinator)[0], LONG_NAME, LONG_ARABIC)
    rid = admissions.admit(coordinator, replace(start, admitted_at=admitted, referral=replace(
        start.referral, referred_on=admitted.date()))).resident_id
    opened_on = admitted.date() + timedelta(days=20)
    reintegration.make_plan(social_worker, rid, "return_origin", "Elle veut rentrer auprès de sa mère à Lagos et "
                            "reprendre son commerce de tissus au marché de Balogun", "Nigéria, Lagos, quartier Ikeja",
                            opened_on=opened_on, consent_on=opened_on + timedelta(days=2))
    view = reintegration.reintegration(social_worker, rid)
    first, second, third = view.milestones[:3]
    reintegration.set_milestone_status(social_worker, first.milestone_id, "done", done_on=opened_on + timedelta(5))
    reintegration.set_milestone_status(social_worker, second.milestone_id, "blocked",
                                       "Le consulat du Nigéria attend l'acte de naissance de Lagos")
    reintegration.update_milestone(social_worker, third.milestone_id, TODAY - timedelta(days=3),
                                   social_worker.actor.account_id)
    iom = partners.add_partner(social_worker, "Organisation Internationale pour les Migrations, bureau de Rabat",
                               "iom", "Rabat", "Mme Alaoui, +212 5 37 00 00 00")
    clinic = partners.add_partner(social_worker, "Association Marocaine de Lutte contre la Violence à l'égard des "
                                  "Femmes", "ngo", "Casablanca")
    reintegration.add_milestone(social_worker, rid, "Acte de naissance légalisé par le consulat du Nigéria à Rabat, "
                                "avec traduction certifiée", TODAY + timedelta(days=4), owner_partner_id=iom.partner_id)
    handover.record_consent(coordinator, rid, clinic.name, ("identity",))
    partners.refer(social_worker, rid, iom.partner_id, "Retour volontaire assisté et réintégration à Lagos",
                   TODAY - timedelta(days=30), TODAY - timedelta(days=2),
                   consent_override="Son vol part vendredi et elle l'a demandé elle-même")
    referral = partners.refer(social_worker, rid, clinic.partner_id, "Accompagnement psychologique",
                              TODAY - timedelta(days=20), TODAY + timedelta(days=3)).record_id
    partners.record_answer(social_worker, referral, "accepted", TODAY - timedelta(days=10),
                           "Rendez-vous chaque mardi", TODAY + timedelta(days=5))
    reintegration.record_score(social_worker, rid, "baseline", {"income": "none", "debt": "larger", "housing": "fair",
                                                                "support_network": "poor", "distress": "often"},
                               opened_on + timedelta(days=1))
    reintegration.record_score(social_worker, rid, "follow_up", {"income": "occasional", "debt": "smaller",
                                                                 "housing": "good", "support_network": "fair",
                                                                 "distress": "sometimes"},
                               opened_on + timedelta(days=50))
    leave(coordinator, rid)
    reintegration.record_contact(social_worker, rid, 3, "phone", False, next_step="Rappeler sa sœur à Ikeja")
    reintegration.record_contact(social_worker, rid, 3, "partner", True, situation="Vit chez sa mère, vend des tissus "
                                 "au marché trois jours par semaine, se sent en sécurité", next_step="Visite à 6 mois",
                                 partner_id=iom.partner_id)
    reintegration.record_score(social_worker, rid, "follow_up", {"income": "regular", "debt": "smaller",
                                                                 "housing": "good", "support_network": "good",
                                                                 "distress": "rarely", "documents": "yes"})
    return rid


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_the_tab_fits_a_small_laptop_screen(qtbot, interface, coordinator, social_worker, lang):  # noqa: F811
    from ui.qt import QAbstractScrollArea
    from ui.residents.file import MAX_HEIGHT, MAX_WIDTH

    rid = busy_case(coordinator, social_worker)
    shots = os.environ.get("SHELTER_SHOTS")
    if shots:  # as the application looks
        from ui.app import load_stylesheet
        from ui.qt import QApplication

        QApplication.setStyle("Fusion")
        QApplication.instance().setStyleSheet(load_stylesheet())
    interface.apply(lang)
    dialog, tab = open_tab(qtbot, social_worker, rid)
    dialog.resize(MAX_WIDTH, MAX_HEIGHT)  # the largest window a 1366×768 screen holds
    qtbot.wait(20)
    assert tab.view.plan is not None and len(tab.view.scores) == 3 and len(tab.view.contacts) == 2
    names = ("milestones", "referrals", "follow_up", "sustainability")
    for index in range(tab.sections.count()):
        tab.sections.setCurrentIndex(index)
        qtbot.wait(20)
        for widget in (dialog, tab):
            hint = widget.minimumSizeHint()
            assert hint.width() <= MAX_WIDTH and hint.height() <= MAX_HEIGHT, (index, type(widget).__name__, hint)
        # Nothing runs off the side: every table fits its width (texts are elided, whole in their tooltips).
        page = tab.sections.currentWidget()
        for view in page.findChildren(QAbstractScrollArea):
            if view.isVisible():
                assert not view.horizontalScrollBar().isVisible(), (index, view.accessibleName())
        assert tab.geometry().right() <= dialog.width()
        if shots:
            os.makedirs(shots, exist_ok=True)
            dialog.grab().save(os.path.join(shots, f"reintegration-{lang}-{names[index]}.png"))
    # The forms too.
    for opener in (tab.record_survey, tab.refer, tab.record_contact):
        opener()
        form = tab.form_dialog
        qtbot.waitExposed(form)
        assert form.width() <= MAX_WIDTH and form.height() <= MAX_HEIGHT
        assert form.minimumSizeHint().height() <= MAX_HEIGHT
        if shots:
            dialog_name = type(form).__name__
            form.grab().save(os.path.join(shots, f"reintegration-{lang}-{dialog_name}.png"))
        form.guard.reset()
        form.reject()


def test_print_is_offered_once_the_plan_exists(qtbot, social_worker, resident, monkeypatch):
    import sys
    import types

    calls = []
    module = types.ModuleType("ui.reintegration.print_dialog")
    module.open_print_dialog = lambda parent, who, resident_id: calls.append((parent, resident_id))
    monkeypatch.setitem(sys.modules, "ui.reintegration.print_dialog", module)
    import ui.reintegration

    monkeypatch.setattr(ui.reintegration, "print_dialog", module, raising=False)
    reintegration.make_plan(social_worker, resident, "independent_morocco", consent_on=date.today())
    _dialog, tab = open_tab(qtbot, social_worker, resident)
    click(qtbot, tab.print_button)
    assert calls == [(tab, resident)]


def test_print_opens_the_print_form_over_the_tab(qtbot, social_worker, resident):
    from ui.qt import QDialog

    reintegration.make_plan(social_worker, resident, "independent_morocco", consent_on=date.today())
    _dialog, tab = open_tab(qtbot, social_worker, resident)
    click(qtbot, tab.print_button)
    qtbot.waitUntil(lambda: any(type(d).__name__ == "ReintegrationPrintDialog" and d.isVisible()
                                for d in tab.findChildren(QDialog)), timeout=5000)
    assert tab.notice.text() == ""
