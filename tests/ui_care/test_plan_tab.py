"""The "Care plan" tab of the resident's file, driven as a social worker,
a coordinator and a counsellor would: starting the plan, goals and actions
through the forms until the plan says it is complete, agreeing a version
with the resident (the PDF and its reference), a change after it and the
comparison, a review, approval by a coordinator, read-only roles, and a
forty-goal plan on a small laptop screen in the three languages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shelter.security.permissions import Role
from shelter.services import accounts, admissions, assessments, care_plans, residents, settings
from shelter.services.assessments import DomainScore
from shelter.services.care_plans import ActionInput, GoalInput
from shelter.store import Store
from tests.cases import DOMAINS, TODAY, admission, bed_ids, scores
from tests.ui.conftest import interface  # noqa: F401  (the interface language, a fixture)

COUNSELLOR_PASSWORD = "quiet room at the end"




@pytest.fixture
def resident(coordinator):
    return admissions.admit(coordinator, admission(bed_ids(coordinator)[0])).resident_id


@pytest.fixture
def assessed(social_worker, resident):
    assessments.record_assessment(social_worker, resident, TODAY, scores(safety=1, legal=2))
    return resident


@pytest.fixture
def plan(social_worker, assessed):
    return care_plans.start_plan(social_worker, assessed).record_id


def complete(who, resident, plan_id):
    """Safety with a goal and an action, legal with a reason: the plan is complete."""
    goal = care_plans.add_goal(who, plan_id, GoalInput("safety", "Feel safe at the shelter and outside",
                                                       "Je veux sortir sans peur", "high"))
    care_plans.add_action(who, goal.record_id, ActionInput("Safety plan with the police liaison",
                                                           owner_staff_id=who.actor.account_id,
                                                           due_on=TODAY + timedelta(days=5)))
    care_plans.set_domain_reason(who, plan_id, "legal", "She has a lawyer from the association already")
    return goal.record_id


def open_tab(qtbot, who, resident_id):
    import ui.care.plan  # noqa: F401  (registers the tab)
    from ui.residents.file import ResidentFileDialog

    dialog = ResidentFileDialog(residents.open_resident(who, resident_id), None, who)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.show_tab("care_plan")
    return dialog, dialog.page("care_plan")


def click(qtbot, button):
    from ui.qt import Qt

    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.LeftButton)


def save(qtbot, form):
    """Save a form and wait for the change it announces."""
    from ui.qt import Qt, changes

    with qtbot.waitSignal(changes.changed, timeout=10_000):
        qtbot.mouseClick(form.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: form.result() == form.DialogCode.Accepted, timeout=5000)


def tree_texts(tab) -> str:
    model = tab.model
    out = []

    def walk(parent):
        for row in range(model.rowCount(parent)):
            for column in range(model.columnCount()):
                out.append(model.data(model.index(row, column, parent)))
            walk(model.index(row, 0, parent))

    from ui.qt import QModelIndex

    walk(QModelIndex())
    return "\n".join(t for t in out if t)


def list_texts(widget) -> str:
    return "\n".join(widget.item(i).text() for i in range(widget.count()))


def plain(text: str) -> str:
    """Without the direction marks and isolates the screen puts around values."""
    return text.translate({ord(c): None for c in "\u200e\u200f\u2066\u2067\u2068\u2069"})


def gap_texts(tab) -> list[str]:
    return [plain(label.text()) for label, _add, _reason in tab.gap_rows.values()]


# -- starting, goals, actions, completeness -----------------------------------------------------

def test_without_an_assessment_the_tab_points_to_it(qtbot, social_worker, resident):
    dialog, tab = open_tab(qtbot, social_worker, resident)
    assert "needs assessment" in tab.empty_label.text()
    assert tab.assessment_button.isVisible() and not tab.start_button.isVisible()
    assert not tab.sections.isVisible()


def test_starting_the_plan(qtbot, social_worker, assessed):
    from ui.qt import changes

    dialog, tab = open_tab(qtbot, social_worker, assessed)
    assert "No care plan has been started yet" in tab.empty_label.text()
    # What the plan will have to answer is there before it starts.
    assert gap_texts(tab) == [
        "Still missing: Safety (scored 1 · Severe need) — add a goal or write why there is none",
        "Still missing: Legal: victim status, proceedings, lawyer (scored 2 · Significant need) — add a goal or "
        "write why there is none"]
    with qtbot.waitSignal(changes.changed, timeout=10_000):
        click(qtbot, tab.start_button)
    qtbot.waitUntil(lambda: tab.view.plan_id is not None, timeout=5000)
    assert not tab.start_button.isVisible()
    assert tab.sections.isVisible()
    assert "Draft of version 1" in plain(tab.state_label.text())
    assert "2 needs are still missing" in plain(tab.state_label.text())
    assert "Social worker: Nadia Tazi" in plain(tab.facts_label.text())  # she took the case by starting it


def test_goals_and_actions_through_the_forms_until_the_plan_is_complete(qtbot, social_worker, assessed, plan):
    dialog, tab = open_tab(qtbot, social_worker, assessed)
    # "Add a goal" on the safety line opens the form on that domain.
    _label, add, _reason = tab.gap_rows["safety"]
    click(qtbot, add)
    form = tab.form_dialog
    assert form.isVisible() and form.domain.currentData() == "safety"
    assert "In danger now" in form.meaning.text()  # what the score meant
    # Nothing typed: the refusal shows beside the goal, the form stays.
    click(qtbot, form.save_button)
    qtbot.waitUntil(lambda: form.errors.label("goal").isVisible(), timeout=5000)
    assert form.errors.label("goal").text() == "Write the goal."
    assert form.isVisible()
    qtbot.keyClicks(form.goal, "Feel safe at the shelter and outside")
    form.words.insertPlainText("أريد أن أخرج دون خوف")  # typed with an Arabic keyboard
    form.priority.setCurrentIndex(form.priority.findData("high"))
    form.target.set_value(TODAY + timedelta(days=60))
    # Enter saves, from the goal's own box too (the goal wraps to show whole).
    from ui.qt import Qt, changes

    with qtbot.waitSignal(changes.changed, timeout=10_000):
        qtbot.keyClick(form.goal, Qt.Key_Return)
    assert form.goal.toPlainText() == "Feel safe at the shelter and outside"  # no new line typed
    qtbot.waitUntil(lambda: len(tab.view.goals) == 1, timeout=5000)
    shown = tree_texts(tab)
    for text in ("Safety — scored 1 · Severe need", "Feel safe at the shelter and outside", "أريد أن أخرج دون خوف",
                 "High priority", (TODAY + timedelta(days=60)).isoformat(), "Not started"):
        assert text in plain(shown), text
    # The missing list shrank to the legal need.
    assert [d for d in tab.gap_rows] == ["legal"]

    # An action given to a partner organisation, under the selected goal.
    assert tab.select("goal", tab.view.goals[0].goal_id)
    click(qtbot, tab.add_action_button)
    form = tab.form_dialog
    qtbot.keyClicks(form.what, "Ask the police liaison for a safety plan")
    click(qtbot, form.partner_choice)
    click(qtbot, form.save_button)  # no partner named: refused beside "who"
    qtbot.waitUntil(lambda: form.errors.label("owner").isVisible(), timeout=5000)
    assert "staff member or a partner" in form.errors.label("owner").text()
    qtbot.keyClicks(form.partner, "Association Amal")
    form.due.set_value(TODAY + timedelta(days=7))
    save(qtbot, form)
    qtbot.waitUntil(lambda: bool(tab.view.goals[0].actions), timeout=5000)
    action = tab.view.goals[0].actions[0]
    assert action.owner == "Association Amal" and action.owner_staff_id is None
    assert "Ask the police liaison for a safety plan" in tree_texts(tab)

    # Done, then a progress note: both show on the action's line.
    assert tab.select("action", action.action_id)
    click(qtbot, tab.done_button)
    save(qtbot, tab.form_dialog)
    qtbot.waitUntil(lambda: tab.view.goals[0].actions[0].done_on == TODAY, timeout=5000)
    assert f"Done on {TODAY.isoformat()} by Nadia Tazi" in plain(tree_texts(tab))
    assert tab.selected() == ("action", action.action_id)  # the selection stays after the reload
    assert tab.not_done_button.isVisible() and not tab.done_button.isVisible()
    click(qtbot, tab.note_button)
    form = tab.form_dialog
    qtbot.keyClicks(form.note, "Plan written with her on Tuesday")
    save(qtbot, form)
    qtbot.waitUntil(lambda: bool(tab.view.goals[0].actions[0].notes), timeout=5000)
    assert "Latest note" in tree_texts(tab) and "Plan written with her on Tuesday" in tree_texts(tab)

    # The legal need gets a reason instead of a goal: the plan is complete.
    assert not tab.complete_label.isVisible()
    _label, _add, reason = tab.gap_rows["legal"]
    click(qtbot, reason)
    form = tab.form_dialog
    qtbot.keyClicks(form.reason, "She has a lawyer from the association already")
    save(qtbot, form)
    qtbot.waitUntil(lambda: not tab.view.gaps, timeout=5000)
    assert tab.gap_rows == {} and not tab.gaps_area.isVisible()
    assert tab.complete_label.isVisible()
    assert plain(tab.complete_label.text()).startswith("Complete: every need of the assessment")
    # The reason is listed with its domain, and can be changed from there.
    assert "No goal: She has a lawyer from the association already" in plain(tree_texts(tab))
    assert tab.select("reason", "legal")
    assert tab.reason_button.isVisible()


def test_editing_a_goal_asks_why_it_was_dropped(qtbot, social_worker, assessed, plan):
    complete(social_worker, assessed, plan)
    dialog, tab = open_tab(qtbot, social_worker, assessed)
    goal = tab.view.goals[0]
    assert tab.select("goal", goal.goal_id)
    click(qtbot, tab.edit_goal_button)
    form = tab.form_dialog
    assert form.goal.text() == goal.goal and form.words.text() == goal.resident_words
    assert not form.reason_holder.isVisible()
    form.status.setCurrentIndex(form.status.findData("dropped"))
    assert form.reason_holder.isVisible()
    click(qtbot, form.save_button)
    qtbot.waitUntil(lambda: form.errors.label("status_reason").isVisible(), timeout=5000)
    qtbot.keyClicks(form.status_reason, "She joined another programme")
    save(qtbot, form)
    qtbot.waitUntil(lambda: tab.view.goals[0].status == "dropped", timeout=5000)
    assert "Dropped" in tree_texts(tab)
    # A dropped goal no longer answers the safety need.
    assert list(tab.gap_rows) == ["safety"]


# -- agreeing, changing, comparing -------------------------------------------------------------

def agree_through_the_dialog(qtbot, tab, lang="en"):
    tab.sections.setCurrentIndex(2)
    click(qtbot, tab.agree_button)
    form = tab.form_dialog
    form.language.setCurrentIndex(form.language.findData(lang))
    qtbot.keyClicks(form.interpreter, "Grace Okafor")
    save(qtbot, form)
    qtbot.waitUntil(lambda: tab.preview is not None and tab.preview.isVisible(), timeout=10_000)
    return form


def test_agreeing_a_version_then_changing_and_comparing(qtbot, social_worker, assessed, plan):
    from ui.qt import Qt

    complete(social_worker, assessed, plan)
    dialog, tab = open_tab(qtbot, social_worker, assessed)
    assert "Ready" in plain(tab.blockers_label.text())
    form = agree_through_the_dialog(qtbot, tab)
    agreed = form.agreed
    assert agreed.pdf.startswith(b"%PDF") and tab.preview.page_count() >= 1
    assert agreed.reference in tab.preview.windowTitle() and agreed.verification_code in tab.preview.windowTitle()
    qtbot.waitUntil(lambda: tab.versions.rowCount() == 1, timeout=5000)
    row = [tab.versions.item(0, c).text() for c in range(tab.versions.columnCount())]
    assert row[:4] == ["V1", agreed.reference, TODAY.isoformat(), "English"]
    assert row[5] == "Grace Okafor"
    assert agreed.reference in plain(tab.done_label.text()) and agreed.verification_code in plain(tab.done_label.text())
    assert plain(tab.state_label.text()) == f"Version 1 agreed on {TODAY.isoformat()}."
    # Nothing changed since: agreeing again is not possible, and the screen says why.
    assert not tab.agree_button.isEnabled()
    assert "Nothing has changed since version 1." in plain(tab.blockers_label.text())
    tab.preview.reject()

    # A goal the resident saw cannot be removed: the service's refusal is shown.
    tab.sections.setCurrentIndex(0)
    assert tab.select("goal", tab.view.goals[0].goal_id)
    click(qtbot, tab.remove_goal_button)
    box = tab.confirm_box
    [yes] = [b for b in box.buttons() if b.text() == "&Remove"]
    qtbot.mouseClick(yes, Qt.LeftButton)
    qtbot.waitUntil(lambda: tab.notice.isVisible(), timeout=5000)
    assert "agreed with the resident" in tab.notice.text() and "dropped" in tab.notice.text()

    # A change after agreeing: the header says so, Compare lists it.
    click(qtbot, tab.add_goal_button)
    form = tab.form_dialog
    form.domain.setCurrentIndex(form.domain.findData("family"))
    qtbot.keyClicks(form.goal, "Find her sister in Lagos")
    save(qtbot, form)
    qtbot.waitUntil(lambda: len(tab.view.goals) == 2, timeout=5000)
    assert "changed since version 1" in plain(tab.state_label.text())
    tab.sections.setCurrentIndex(2)
    click(qtbot, tab.compare_button)
    compare = tab.compare_dialog
    assert compare.old.currentData() == 1 and compare.new.currentData() == compare.DRAFT
    assert [plain(t) for t in compare.texts()] == ["Goal added in Family and children: Find her sister in Lagos"]
    assert plain(compare.summary.text()) == "1 difference:"


def test_printing_the_draft_in_the_residents_language(qtbot, social_worker, assessed, plan):
    complete(social_worker, assessed, plan)
    dialog, tab = open_tab(qtbot, social_worker, assessed)
    tab.sections.setCurrentIndex(2)
    assert not tab.print_button.isEnabled()  # no version yet
    click(qtbot, tab.print_draft_button)
    chooser = tab.language_dialog
    chooser.language.setCurrentIndex(chooser.language.findData("ar"))
    click(qtbot, chooser.ok_button)
    qtbot.waitUntil(lambda: tab.preview is not None and tab.preview.isVisible(), timeout=10_000)
    assert tab.printed.draft and tab.printed.pdf.startswith(b"%PDF")
    assert "draft of version 1" in tab.preview.windowTitle()


# -- reviews ------------------------------------------------------------------------------------

def test_recording_a_review(qtbot, social_worker, assessed, plan):
    complete(social_worker, assessed, plan)
    dialog, tab = open_tab(qtbot, social_worker, assessed)
    tab.sections.setCurrentIndex(1)
    # Before any agreed version the service refuses a review, and the form says why.
    click(qtbot, tab.review_button)
    form = tab.form_dialog
    click(qtbot, form.save_button)
    qtbot.waitUntil(lambda: form.error.isVisible(), timeout=5000)
    assert "Agree the plan with the resident before its first review" in form.error.text()
    form.guard.reset()
    form.reject()

    care_plans.agree_version(social_worker, plan, "fr")
    tab.reload()
    interval = settings.get_settings(social_worker).review_interval_days
    assert f"Next review: {(TODAY + timedelta(days=interval)).isoformat()}" in plain(tab.review_state.text())
    click(qtbot, tab.review_button)
    form = tab.form_dialog
    assert form.next_review.value() == TODAY + timedelta(days=interval)
    goal = tab.view.goals[0]
    status, progress, _reason, _holder = form.goal_rows[goal.goal_id]
    status.setCurrentIndex(status.findData("in_progress"))
    qtbot.keyClicks(progress, "Goes out with a staff member twice a week")
    qtbot.keyClicks(form.changes, "Safety plan under way")
    form.next_review.set_value(TODAY + timedelta(days=14))
    save(qtbot, form)
    qtbot.waitUntil(lambda: bool(tab.view.reviews), timeout=5000)
    assert tab.view.goals[0].status == "in_progress"
    assert "In progress" in tree_texts(tab)
    assert f"Next review: {(TODAY + timedelta(days=14)).isoformat()}" in plain(tab.facts_label.text())
    reviews = plain(list_texts(tab.reviews))
    for text in (f"Review of {TODAY.isoformat()} by Nadia Tazi", "What was changed: Safety plan under way",
                 "Feel safe at the shelter and outside: In progress — Goes out with a staff member twice a week"):
        assert text in reviews, text


# -- approval and roles -------------------------------------------------------------------------

def test_approval_sent_returned_with_a_comment_then_approved(qtbot, admin, coordinator, social_worker, assessed,
                                                            plan):
    from ui.qt import changes

    settings.update_settings(admin, plan_approval=True)
    complete(social_worker, assessed, plan)
    _dialog, tab = open_tab(qtbot, social_worker, assessed)
    tab.sections.setCurrentIndex(2)
    assert not tab.agree_button.isEnabled()
    assert "A coordinator must approve this draft first." in plain(tab.blockers_label.text())
    assert not tab.approve_button.isVisible() and not tab.return_button.isVisible()
    with qtbot.waitSignal(changes.changed, timeout=10_000):
        click(qtbot, tab.submit_button)
    qtbot.waitUntil(lambda: tab.view.approval == "submitted", timeout=5000)
    assert not tab.submit_button.isEnabled()
    assert "waiting for a coordinator" in plain(tab.approval_label.text())

    # The coordinator sees the plan, approves or returns it, and writes nothing else.
    _other, coordinator_tab = open_tab(qtbot, coordinator, assessed)
    coordinator_tab.sections.setCurrentIndex(2)
    assert coordinator_tab.add_goal_button.isHidden() and coordinator_tab.submit_button.isHidden()
    assert coordinator_tab.agree_button.isHidden()
    click(qtbot, coordinator_tab.return_button)
    form = coordinator_tab.form_dialog
    qtbot.keyClicks(form.comment, "no")
    click(qtbot, form.save_button)  # too short to say what to change
    qtbot.waitUntil(lambda: form.errors.label("comment").isVisible(), timeout=5000)
    form.comment.clear()
    qtbot.keyClicks(form.comment, "Add the family tracing she asked for")
    save(qtbot, form)
    # The social worker's open file shows the comment.
    qtbot.waitUntil(lambda: tab.view.approval == "returned", timeout=5000)
    assert "Add the family tracing she asked for" in plain(tab.approval_label.text())
    assert "Returned by Salma Idrissi" in plain(tab.approval_state.text())
    events = plain(list_texts(tab.events))
    assert "Returned (version 1) by Salma Idrissi" in events and "Comment: Add the family tracing" in events

    # Sent again, approved: now it can be agreed.
    with qtbot.waitSignal(changes.changed, timeout=10_000):
        click(qtbot, tab.submit_button)
    qtbot.waitUntil(lambda: coordinator_tab.view.approval == "submitted", timeout=5000)
    with qtbot.waitSignal(changes.changed, timeout=10_000):
        click(qtbot, coordinator_tab.approve_button)
    qtbot.waitUntil(lambda: tab.view.approval == "approved", timeout=5000)
    assert "Approved by Salma Idrissi" in plain(tab.approval_label.text())
    assert tab.agree_button.isEnabled()
    agree_through_the_dialog(qtbot, tab, "fr")
    qtbot.waitUntil(lambda: tab.versions.rowCount() == 1, timeout=5000)


def test_a_counsellor_reads_the_plan_without_any_write_button(qtbot, admin, social_worker, store_dir, assessed,
                                                              plan):
    complete(social_worker, assessed, plan)
    care_plans.agree_version(social_worker, plan, "fr")
    accounts.create_account(admin, "yasmine", "Yasmine Alaoui", [Role.COUNSELLOR], COUNSELLOR_PASSWORD,
                            must_change_password=False)
    counsellor = Store(store_dir).sign_in("yasmine", COUNSELLOR_PASSWORD)
    try:
        _dialog, tab = open_tab(qtbot, counsellor, assessed)
        assert "Feel safe at the shelter and outside" in tree_texts(tab)
        writes = [tab.start_button, tab.add_goal_button, *tab.goal_buttons, *tab.action_buttons, tab.reason_button,
                  tab.review_button, tab.agree_button, tab.submit_button, tab.approve_button, tab.return_button]
        for kind, key in (("goal", tab.view.goals[0].goal_id), ("action", tab.view.goals[0].actions[0].action_id),
                          ("reason", "legal")):
            assert tab.select(kind, key)
            assert [b.text() for b in writes if not b.isHidden()] == []
        # Reading and printing what was agreed stays open to her.
        assert not tab.print_button.isHidden() and not tab.compare_button.isHidden()
    finally:
        counsellor.lock("sign_out")


# -- a large plan on a small screen ---------------------------------------------------------------

@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_a_forty_goal_plan_fits_a_small_laptop_screen(qtbot, interface, coordinator, social_worker,  # noqa: F811
                                                      lang):
    from ui.residents.file import MAX_HEIGHT, MAX_WIDTH

    long_name = "Fatima Zahra Oumaima Khadija Benali El Idrissi Ait Lahcen Ouchen Bouzid Tazi Alaoui Mernissi"
    resident = admissions.admit(coordinator, admission(bed_ids(coordinator)[0], long_name,
                                                       "فاطمة الزهراء أميمة خديجة بنعلي الإدريسي آيت لحسن")).resident_id
    assessments.record_assessment(social_worker, resident, TODAY, {d: DomainScore(1 + i % 3, "")
                                                                   for i, d in enumerate(DOMAINS)})
    plan_id = care_plans.start_plan(social_worker, resident).record_id
    texts = ("Se sentir en sécurité au foyer et à l'extérieur, avec un plan de sécurité écrit avec elle",
             "الحصول على محامٍ قبل الجلسة والاطلاع على حقوقها كضحية للاتجار بالبشر",
             "Find her sister in Lagos through the Red Cross family tracing service")
    for n in range(40):
        goal = care_plans.add_goal(social_worker, plan_id, GoalInput(
            DOMAINS[n % 9], f"{texts[n % 3]} ({n})", "أريد أن أعود إلى بلدي عندما أكون مستعدة",
            ("high", "medium", "low")[n % 3], TODAY + timedelta(days=30 + n)))
        care_plans.add_action(social_worker, goal.record_id, ActionInput(
            "Rendez-vous avec l'avocate de l'Association Marocaine de Lutte contre la Violence à l'égard des Femmes",
            owner_partner="Organisation Internationale pour les Migrations, bureau de Rabat",
            due_on=TODAY + timedelta(days=n - 3)))
    interface.apply(lang)
    dialog, tab = open_tab(qtbot, social_worker, resident)
    assert len(tab.view.goals) == 40 and list(tab.gap_rows) == ["intentions"]
    for index in range(tab.sections.count()):
        tab.sections.setCurrentIndex(index)
        qtbot.wait(10)
        for widget in (dialog, tab):
            hint = widget.minimumSizeHint()
            assert hint.width() <= MAX_WIDTH and hint.height() <= MAX_HEIGHT, (index, type(widget).__name__, hint)
    # The review form with forty goals scrolls inside the screen.
    tab.sections.setCurrentIndex(1)
    tab.record_review()
    form = tab.form_dialog
    assert form.width() <= MAX_WIDTH and form.height() <= MAX_HEIGHT
    assert form.minimumSizeHint().height() <= MAX_HEIGHT
    form.guard.reset()
    form.reject()


def test_a_version_is_chosen_for_printing_in_an_arabic_interface(qtbot, interface, social_worker,  # noqa: F811
                                                                 assessed, plan):
    complete(social_worker, assessed, plan)
    agreed = care_plans.agree_version(social_worker, plan, "fr")
    interface.apply("ar")
    _dialog, tab = open_tab(qtbot, social_worker, assessed)
    tab.sections.setCurrentIndex(2)
    assert tab.selected_version() == 1 and tab.print_button.isEnabled()
    assert tab.versions.item(0, 1).text() == agreed.reference
    # Dates inside Arabic sentences stay 2026-03-15 (isolated), not reordered.
    assert f"\u2068{TODAY.isoformat()}\u2069" in tab.state_label.text()
    click(qtbot, tab.print_button)
    chooser = tab.language_dialog
    assert chooser.lang() == "fr"  # the language the version was agreed in
    click(qtbot, chooser.ok_button)
    qtbot.waitUntil(lambda: tab.preview is not None and tab.preview.isVisible(), timeout=10_000)
    assert not tab.printed.draft and tab.printed.reference == agreed.reference


def test_a_counsellors_follow_up_made_an_action_from_the_tab(qtbot, social_worker, counsellor, resident, plan):
    from datetime import UTC, datetime, timedelta

    from shelter.services import notes, sessions
    from shelter.services.sessions import SessionInput
    from ui.qt import QPushButton

    goal = care_plans.add_goal(social_worker, plan, GoalInput("legal", "A lawyer for the hearing")).record_id
    room = sessions.add_room(counsellor, 1, "Salle d'écoute").room_id
    held = sessions.plan_session(counsellor, SessionInput(
        counsellor.actor.account_id, "individual", (resident,),
        datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3), 50, room_id=room)).session_ids[0]
    sessions.set_outcome(counsellor, held, "held")
    notes.save_draft(counsellor, held, "dap", {"data": "Synthetic note"}, ["legal"],
                     ["Ask the lawyer about the hearing date", "Find a Yoruba interpreter"])
    notes.sign_note(counsellor, held)
    _dialog, tab = open_tab(qtbot, social_worker, resident)
    lines = [w.text() for w in tab.follow_rows if not isinstance(w, QPushButton)]
    assert len(lines) == 2 and "Ask the lawyer about the hearing date" in lines[0] and "Leila Berrada" in lines[0]
    make = [w for w in tab.follow_rows if isinstance(w, QPushButton)][0]
    click(qtbot, make)  # no goal selected: the one in the follow-up's domain
    form = tab.form_dialog
    assert form.goal_view.goal_id == goal and form.what.text() == "Ask the lawyer about the hearing date"
    form.partner_choice.setChecked(True)
    form.partner.setText("Association Adala")
    save(qtbot, form)
    qtbot.waitUntil(lambda: len(tab.follow_rows) == 3 and tab.follow_rows[2].isVisible(), timeout=5000)
    qtbot.wait(300)  # the file window reads the file again too
    assert "Ask the lawyer about the hearing date" in tree_texts(tab)
    aside = [w for w in tab.follow_rows if isinstance(w, QPushButton)][1]
    click(qtbot, aside)
    qtbot.waitUntil(lambda: not tab.follow_rows, timeout=5000)


def test_enter_on_a_goal_opens_its_form_and_saves_nothing(qtbot, social_worker, assessed, plan):
    from ui.qt import Qt

    care_plans.add_goal(social_worker, plan, GoalInput("safety", "Feel safe at the shelter"))
    dialog, tab = open_tab(qtbot, social_worker, assessed)
    tab.tree.setFocus()
    goal_row = next(i for i in range(tab.tree.model().rowCount(tab.tree.model().index(0, 0)))
                    if "Feel safe" in str(tab.tree.model().index(i, 0, tab.tree.model().index(0, 0)).data()))
    tab.tree.setCurrentIndex(tab.tree.model().index(goal_row, 0, tab.tree.model().index(0, 0)))
    qtbot.keyClick(tab.tree, Qt.Key_Return)
    form = tab.form_dialog
    qtbot.waitUntil(form.isVisible, timeout=5000)
    qtbot.wait(200)
    # Before the fix the same keystroke pressed the form's Save: it closed at once.
    assert form.isVisible() and form.goal.toPlainText() == "Feel safe at the shelter"
    form.reject()
