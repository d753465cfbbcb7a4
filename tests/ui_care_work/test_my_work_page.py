"""My work, driven through its real widgets on a real encrypted store: what
is overdue or due soon, high risk first; a coordinator's "Everyone" and a
social worker's own cases; Enter opens the resident's file on the tab where
the work is done; the dashboard's counts; the case work settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from shelter.domain.vocabulary import DUE_STATE, WORK_KIND
from shelter.i18n import _
from shelter.security.permissions import Role
from shelter.services import accounts, admissions, assessments, care_plans, cases, my_work, settings, shelters
from shelter.services.assessments import DomainScore
from shelter.services.care_plans import ActionInput, GoalInput
from shelter.store import Store
from tests.cases import TODAY, admission, bed_ids
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.ui.conftest import interface, make_shell, sign_in  # noqa: F401  (the shell fixtures, used here too)
from ui.qt import QPushButton, Qt

KARIM_PASSWORD = "sand dunes at dawn"
DOMAINS = ("safety", "physical_health", "mental_health", "legal", "documents", "family", "education",
           "livelihood", "housing", "intentions")


def admit(who, bed, days_ago, name, arabic="", risk="high"):
    """Admit ``name`` ``days_ago`` days ago (the first assessment falls due
    7 days after admission by default)."""
    base = admission(bed, name, arabic)
    past = datetime.now(UTC) - timedelta(days=days_ago)
    return admissions.admit(who, replace(
        base, admitted_at=past, referral=replace(base.referral, referred_on=past.astimezone().date()),
        protection=replace(base.protection, risk_level=risk))).resident_id


@pytest.fixture
def big_room(admin):
    shelter = shelters.list_shelters(admin)[0]
    shelters.add_room(admin, shelter.id, "Big room", beds=8)
    return shelter


@pytest.fixture
def karim(admin, store_dir):
    """A second social worker."""
    accounts.create_account(admin, "karim", "Karim Alaoui", [Role.SOCIAL_WORKER], KARIM_PASSWORD,
                            must_change_password=False)
    who = Store(store_dir).sign_in("karim", KARIM_PASSWORD)
    yield who
    who.lock("sign_out")


def make_page(qtbot, who):
    from ui.my_work import MyWorkPage

    page = MyWorkPage(who)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitUntil(lambda: page.loads >= 1, timeout=10_000)
    return page


def reloaded(qtbot, page, action=None):
    before = page.loads
    if action is not None:
        action()
    else:
        page.refresh()
    qtbot.waitUntil(lambda: page.loads > before and not page.read.busy, timeout=10_000)


def rows(page):
    model = page.model
    return [tuple(model.index(r, c).data() for c in range(model.columnCount())) for r in range(model.rowCount())]


def test_an_overdue_assessment_is_listed_high_risk_first(qtbot, coordinator, big_room):
    bed = bed_ids(coordinator, "Big room")
    low = admit(coordinator, bed[0], 10, "Aicha Low Risk", risk="low")
    high = admit(coordinator, bed[1], 3, "Blessing High Risk", risk="high")
    page = make_page(qtbot, coordinator)
    shown = rows(page)
    assert len(shown) == 2
    # High risk first, although her assessment falls due later.
    assert "Blessing High Risk" in shown[0][1] and "Aicha Low Risk" in shown[1][1]
    assert page.model.item(0).resident_id == high and page.model.item(1).resident_id == low
    first, second = shown
    assert first[2] == WORK_KIND.label("assessment") and second[2] == WORK_KIND.label("assessment")
    assert second[3] == (TODAY - timedelta(days=3)).isoformat()
    assert second[4] == DUE_STATE.label("overdue") and first[4] == DUE_STATE.label("soon")
    # Overdue reads in the error colour; high risk stands out.
    overdue = page.model.index(1, page.model.STATE)
    assert overdue.data(Qt.ForegroundRole).name() == "#a4262c"
    assert page.model.index(0, page.model.RISK).data(Qt.FontRole).bold()
    assert page.model.index(1, page.model.RISK).data(Qt.FontRole) is None
    assert page.count.text() == "2 items: 1 overdue, 0 due today, 1 within 7 days"
    # One shelter: no shelter column.
    assert page.table.isColumnHidden(page.model.SHELTER)

    # The state filter narrows the list; the count says how many are shown.
    page.show_state("overdue")
    assert [r[1] for r in rows(page)] == [shown[1][1]]
    assert "1 shown" in page.count.text()


def test_the_list_speaks_the_new_language(qtbot, coordinator, interface, big_room):  # noqa: F811
    admit(coordinator, bed_ids(coordinator, "Big room")[0], 10, "Aicha Low Risk", risk="low")
    page = make_page(qtbot, coordinator)
    page.show_state("overdue")
    interface.apply("fr")
    page.retranslate()
    assert page.model.headerData(0, Qt.Horizontal) == "Risque" == _("Risk")
    assert rows(page)[0][0] == "Faible" and page.state.currentData() == "overdue"


def test_the_list_follows_a_change_and_the_settings(qtbot, coordinator, admin, big_room):
    bed = bed_ids(coordinator, "Big room")
    page = make_page(qtbot, coordinator)
    assert page.empty.isVisible() and page.empty.text() == _("Nothing is due in the next 7 days.")
    assert not page.table.isVisible()
    # An admission made elsewhere is announced: the page reads again.
    from ui.qt import publish

    resident = admit(coordinator, bed[0], 2, "Grace Okafor")
    reloaded(qtbot, page, lambda: publish(type("Change", (), {"residents": frozenset({resident})})()))
    assert [page.model.item(r).resident_id for r in range(page.model.rowCount())] == [resident]
    assert rows(page)[0][4] == DUE_STATE.label("soon") and page.table.isVisible()
    # The first assessment now due the day after admission: overdue.
    settings.update_settings(admin, assessment_due_days=1)
    page.hide()
    reloaded(qtbot, page, page.show)  # shown again: read again
    assert rows(page)[0][4] == DUE_STATE.label("overdue")


def test_a_coordinator_sees_everyone_a_social_worker_her_own(qtbot, coordinator, social_worker, karim, big_room):
    bed = bed_ids(coordinator, "Big room")
    karims = admit(coordinator, bed[0], 3, "Karim's Case")
    nadias = admit(coordinator, bed[1], 3, "Nadia's Case")
    nobodys = admit(coordinator, bed[2], 3, "Nobody's Case")
    cases.assign_case_worker(coordinator, karims, karim.actor.account_id)
    cases.assign_case_worker(coordinator, nadias, social_worker.actor.account_id)

    page = make_page(qtbot, coordinator)
    assert page.everyone.isVisible() and page.everyone.isChecked()  # a coordinator starts with everyone's
    assert {page.model.item(r).resident_id for r in range(page.model.rowCount())} == {karims, nadias, nobodys}
    reloaded(qtbot, page, lambda: qtbot.mouseClick(page.mine, Qt.LeftButton))
    assert page.model.rowCount() == 0 and page.empty.isVisible()  # her own: plans to approve, none yet

    nadia = make_page(qtbot, social_worker)
    assert not nadia.everyone.isVisible() and not nadia.mine.isVisible() and nadia.mine.isChecked()
    # Her cases, and the one nobody holds yet (so nothing falls between two chairs).
    assert {nadia.model.item(r).resident_id for r in range(nadia.model.rowCount())} == {nadias, nobodys}
    assert [i.resident_id for i in my_work.my_work(social_worker)] == \
        [nadia.model.item(r).resident_id for r in range(nadia.model.rowCount())]


@pytest.fixture
def stub_tabs(monkeypatch):
    """The assessment and care plan tabs (built by the care screens), as
    plain pages where those screens are not there."""
    import ui.residents.file as file_module
    from ui.qt import QLabel
    from ui.residents.file import FileTab

    tabs = list(file_module.TABS)
    for key in ("assessment", "care_plan"):
        if key not in {t.key for t in tabs}:
            tabs.append(FileTab(key, key, lambda file, who, parent: QLabel("tab", parent)))
    monkeypatch.setattr(file_module, "TABS", tabs)


def test_enter_opens_the_file_on_the_tab_of_the_work(qtbot, coordinator, social_worker, big_room, stub_tabs):
    bed = bed_ids(coordinator, "Big room")
    assessed = admit(coordinator, bed[0], 1, "Mariam Assessed", risk="medium")
    waiting = admit(coordinator, bed[1], 10, "Joy Waiting", risk="low")
    assessments.record_assessment(social_worker, assessed, TODAY, {d: DomainScore(4 if d != "safety" else 1)
                                                                   for d in DOMAINS})
    plan = care_plans.start_plan(social_worker, assessed).record_id
    goal = care_plans.add_goal(social_worker, plan, GoalInput("safety", "Feel safe")).record_id
    care_plans.add_action(social_worker, goal, ActionInput("Call the lawyer about the hearing",
                                                           owner_staff_id=social_worker.actor.account_id,
                                                           due_on=TODAY - timedelta(days=2)))
    page = make_page(qtbot, social_worker)
    shown = rows(page)
    assert [r[2] for r in shown] == [_("{kind}: {what}").format(kind=WORK_KIND.label("action"),
                                                                what="\u2068Call the lawyer about the hearing\u2069"),
                                     WORK_KIND.label("assessment")]
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key_Return)
    dialog = page.dialog
    assert dialog is not None and dialog.file.resident_id == assessed
    assert dialog.tabs.currentWidget() is dialog.page("care_plan")
    dialog.reject()

    page.table.selectRow(1)
    qtbot.keyClick(page.table, Qt.Key_Return)
    assert page.dialog.file.resident_id == waiting
    assert page.dialog.tabs.currentWidget() is page.dialog.page("assessment")
    page.dialog.reject()


def test_the_dashboard_counts_match_and_open_my_work(qtbot, make_shell, store_dir, coordinator, big_room):  # noqa: F811
    bed = bed_ids(coordinator, "Big room")
    admit(coordinator, bed[0], 10, "Overdue One")
    admit(coordinator, bed[1], 9, "Overdue Two", risk="low")
    admit(coordinator, bed[2], 7, "Due Today")
    admit(coordinator, bed[3], 2, "Due Soon")
    expected = my_work.work_counts(coordinator, everyone=True)
    assert (expected.overdue, expected.today, expected.soon) == (2, 1, 1)

    from tests.cases import COORDINATOR_PASSWORD

    window = sign_in(qtbot, make_shell(store_dir), "salma", COORDINATOR_PASSWORD)
    window.open_section("dashboard")
    board = window.pages["dashboard"]
    qtbot.waitUntil(lambda: board.work_counts is not None, timeout=10_000)
    assert board.work_counts == expected
    buttons = board.work_buttons
    assert buttons["overdue"].text().replace("&", "") == "2 items overdue"
    assert buttons["today"].text().replace("&", "") == "1 item due today"
    assert buttons["soon"].text().replace("&", "") == "1 item due within 7 days"
    assert all(isinstance(b, QPushButton) and "&" in b.text() for b in buttons.values())
    # My work comes right after the dashboard.
    assert window.navigation.item(1).text() == _("My work")

    qtbot.mouseClick(buttons["overdue"], Qt.LeftButton)
    assert window.current_section() == "my_work"
    page = window.pages["my_work"]
    qtbot.waitUntil(lambda: page.loads >= 1 and not page.read.busy, timeout=10_000)
    assert page.state.currentData() == "overdue"
    assert [r[1].split(" (")[0].strip("\u2068\u2069") for r in rows(page)] == ["Overdue One", "Overdue Two"]


def test_a_social_worker_without_work_sees_no_coordinator_counts(qtbot, social_worker):
    from ui.dashboard.page import DashboardPage

    board = DashboardPage(social_worker)
    qtbot.addWidget(board)
    board.show()
    qtbot.waitUntil(lambda: board.work_counts is not None, timeout=10_000)
    assert board.work.isVisible() and board.work_counts == my_work.work_counts(social_worker)
    assert board.work_note.text() == _("Your own work")


def test_the_dashboard_has_no_work_for_an_administrator(qtbot, admin):
    from ui.dashboard.page import DashboardPage

    board = DashboardPage(admin)
    qtbot.addWidget(board)
    board.show()
    assert not board.work.isVisible() and not board.work_heading.isVisible()


@pytest.fixture
def settings_tab(qtbot, admin):
    from ui.admin import AdministrationPage

    page = AdministrationPage(admin)
    qtbot.addWidget(page)
    page.show()
    page.tabs.setCurrentWidget(page.settings)
    return page


def test_the_case_work_settings_are_saved(qtbot, settings_tab, admin):
    tab = settings_tab.settings
    assert tab.case_work.title() == _("Case work")
    assert (tab.assessment_spin.value(), tab.reassessment_spin.value(), tab.review_spin.value()) == (7, 3, 30)
    assert not tab.approval_check.isChecked()
    tab.assessment_spin.setValue(5)
    tab.reassessment_spin.setValue(6)
    tab.review_spin.setValue(45)
    tab.approval_check.setChecked(True)
    qtbot.mouseClick(tab.save_button, Qt.LeftButton)
    saved = settings.get_settings(admin)
    assert (saved.assessment_due_days, saved.reassessment_months, saved.review_interval_days,
            saved.plan_approval) == (5, 6, 45, True)
    assert tab.status.text() == _("Saved.")
    assert tab.assessment_spin.suffix() == " " + _("days") and tab.reassessment_spin.suffix() == " " + _("months")


def test_a_refused_case_work_setting_is_shown_beside_it(qtbot, settings_tab, admin):
    tab = settings_tab.settings
    # The spin box keeps to the allowed days; as if another version allowed more:
    tab.review_spin.setMaximum(365)
    tab.review_spin.setValue(200)
    tab.assessment_spin.setValue(3)
    qtbot.mouseClick(tab.save_button, Qt.LeftButton)
    label = tab.errors.label("review_interval_days")
    assert label.text() == _("Choose between 7 and 180 days.") and label.isVisible()
    assert tab.errors.general.isHidden() and tab.errors.label("assessment_due_days").isHidden()
    assert tab.review_spin.value() == 200 and tab.assessment_spin.value() == 3  # kept as typed
    assert tab.review_spin.hasFocus()
    assert settings.get_settings(admin).review_interval_days == 30  # nothing saved
    assert settings.get_settings(admin).assessment_due_days == 7


def test_my_work_is_a_section_for_care_roles_only(qtbot, make_shell, store_dir):  # noqa: F811
    window = sign_in(qtbot, make_shell(store_dir), ADMIN, ADMIN_PASSWORD)
    assert window.open_section("my_work") is False
    assert _("My work") not in [window.navigation.item(i).text() for i in range(window.navigation.count())]
