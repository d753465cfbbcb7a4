"""The Reintegration section driven through its real widgets on a real
encrypted store: the overdue board read with the keyboard (Enter opens the
resident's file on its reintegration tab), its filters, the partner
directory, and the dashboard's counts that open the board."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from shelter.domain.vocabulary import BOARD_KIND, DUE_STATE, PATHWAY
from shelter.i18n import _
from shelter.services import admissions, discharge, partners, reintegration, reintegration_board, shelters
from shelter.services.residents import open_resident
from tests.cases import TODAY, admission, bed_ids
from tests.ui.conftest import interface, make_shell, sign_in  # noqa: F401  (the shell fixtures, used here too)
from ui.qt import Qt

LONG_NAME = "Marie-Claire Oluwaseun Adebayo-Okonkwo Nkemdirim"
LONG_PARTNER = "Association Marocaine d'Aide aux Migrants en Situation Vulnérable"


def ago(days: int):
    return datetime.now(UTC) - timedelta(days=days)


def admit(who, bed, days_ago, name, arabic="", risk="high", sex="female"):
    base = admission(bed, name, arabic, sex=sex)
    past = ago(days_ago)
    return admissions.admit(who, replace(
        base, admitted_at=past, referral=replace(base.referral, referred_on=past.astimezone().date()),
        protection=replace(base.protection, risk_level=risk))).resident_id


@dataclass(frozen=True)
class Board:
    no_plan: int
    returning: int
    long_named: int
    lost: int
    followed: int
    lawyer: int
    ngo: int


@pytest.fixture
def busy(coordinator, social_worker, admin):
    """Five cases with something overdue or due soon: a plan to make, a return
    with overdue milestones, a long name with a referral to a partner and a
    milestone given to a lawyer, a discharged case that lost contact and one
    whose 3-month follow-up is due."""
    shelter = shelters.list_shelters(admin)[0]
    shelters.add_room(admin, shelter.id, "Big room", beds=6)
    bed = bed_ids(coordinator, "Big room")
    sw = social_worker
    no_plan = admit(coordinator, bed[0], 40, "Fatima Zahra Benali", "فاطمة الزهراء بنعلي")
    returning = admit(coordinator, bed[1], 50, "Aisha Okoro", "عائشة أوكورو", risk="medium")
    reintegration.make_plan(sw, returning, "return_origin", opened_on=TODAY - timedelta(days=48))
    long_named = admit(coordinator, bed[2], 30, LONG_NAME, risk="low")
    reintegration.make_plan(sw, long_named, "morocco_family", opened_on=TODAY - timedelta(days=24))
    ngo = partners.add_partner(sw, LONG_PARTNER, "ngo", "Rabat", "Mme Alaoui\n0537 00 00 00")
    partners.refer(sw, long_named, ngo.partner_id, "Vocational training in sewing and tailoring",
                   referred_on=TODAY - timedelta(days=10), follow_up_on=TODAY,
                   consent_override="She asked for it at the meeting of the 3rd; consent form to follow.")
    lawyer = partners.add_partner(sw, "Association Adala", "legal_aid", "Rabat")
    reintegration.add_milestone(sw, long_named, "Hearing at the court of first instance", TODAY + timedelta(days=2),
                                owner_partner_id=lawyer.partner_id)
    lost = admit(coordinator, bed[3], 200, "Blessing Adeyemi")
    reintegration.make_plan(sw, lost, "independent_morocco", opened_on=TODAY - timedelta(days=195))
    stay = open_resident(coordinator, lost).stays[-1].stay_id
    discharge.discharge(coordinator, stay, ago(100), "family_reunification")
    for days in (10, 8, 5):
        reintegration.record_contact(sw, lost, 3, "phone", False, contacted_on=TODAY - timedelta(days=days))
    followed = admit(coordinator, bed[4], 150, "Grace Okafor", risk="low")
    reintegration.make_plan(sw, followed, "morocco_family", opened_on=TODAY - timedelta(days=140))
    stay = open_resident(coordinator, followed).stays[-1].stay_id
    discharge.discharge(coordinator, stay, ago(95), "family_reunification")
    return Board(no_plan, returning, long_named, lost, followed, lawyer.partner_id, ngo.partner_id)


def make_page(qtbot, who):
    from ui.reintegration.page import ReintegrationPage

    page = ReintegrationPage(who)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitUntil(lambda: page.board.loads >= 1 and not page.board.read.busy, timeout=10_000)
    return page


def reloaded(qtbot, board, action):
    before = board.loads
    action()
    qtbot.waitUntil(lambda: board.loads > before and not board.read.busy, timeout=10_000)


def rows(board):
    model = board.model
    return [tuple(model.index(r, c).data() for c in range(model.columnCount())) for r in range(model.rowCount())]


def plain(text: str) -> str:
    return text.replace("\u2068", "").replace("\u2069", "")


@pytest.fixture
def reintegration_tab(monkeypatch):
    """The file's reintegration tab (built by the reintegration tab's screens),
    as a plain page where that screen is not there yet."""
    import ui.care.tabs  # noqa: F401  (the case-work tabs, as the shell registers them)
    import ui.residents.file as file_module
    from ui.qt import QLabel
    from ui.residents.file import FileTab

    tabs = list(file_module.TABS)
    if "reintegration" not in {t.key for t in tabs}:
        tabs.append(FileTab("reintegration", "Reintegration", lambda file, who, parent: QLabel("tab", parent)))
    monkeypatch.setattr(file_module, "TABS", tabs)


def test_the_board_lists_what_is_due_highest_risk_first(qtbot, qtmodeltester, coordinator, busy):
    page = make_page(qtbot, coordinator)
    board = page.board
    qtmodeltester.check(board.model)
    items = [board.model.item(r) for r in range(board.model.rowCount())]
    assert items == reintegration_board.board(coordinator)  # the service's rows, in its order
    assert len(items) >= 12
    shown = rows(board)
    # High risk first: the plan to make and the lost contact are of high-risk cases.
    risks = [board.model.item(r).case.risk_level for r in range(len(shown))]
    assert risks == sorted(risks, key=lambda r: {"high": 0, "medium": 1, "low": 2}[r])
    by_kind = {board.model.item(r).kind: shown[r] for r in range(len(shown))}
    plan = by_kind["plan"]
    assert plan[board.model.STATE] == DUE_STATE.label("overdue")
    assert plan[board.model.WHAT] == BOARD_KIND.label("plan")
    assert plan[board.model.PATHWAY] == _("No plan yet")
    assert plain(plan[board.model.RESIDENT]).startswith("Fatima Zahra Benali (")
    lost = by_kind["lost_contact"]
    assert lost[board.model.STATE] == BOARD_KIND.label("lost_contact")
    assert plain(lost[board.model.WHAT]) == _("Lost contact since {date}").format(
        date=(TODAY - timedelta(days=5)).isoformat())
    assert lost[board.model.PATHWAY] == PATHWAY.label("independent_morocco")
    assert lost[board.model.RESPONSIBLE] == "Nadia Tazi"
    referral = by_kind["referral"]
    assert plain(referral[board.model.WHAT]) == _("{kind}: {partner} — {service}").format(
        kind=BOARD_KIND.label("referral"), partner=LONG_PARTNER, service="Vocational training in sewing and tailoring")
    assert referral[board.model.STATE] == DUE_STATE.label("today")
    assert by_kind["follow_up"][board.model.WHAT] == "3-month follow-up"
    hearing = next(r for r in shown if "Hearing" in r[board.model.WHAT])
    assert hearing[board.model.RESPONSIBLE] == "Association Adala" and hearing[board.model.STATE] == \
        DUE_STATE.label("soon")
    # A lost contact reads apart: italic on its own ground, not only a colour.
    row = next(r for r in range(len(shown)) if board.model.item(r).kind == "lost_contact")
    index = board.model.index(row, board.model.WHAT)
    assert index.data(Qt.FontRole).italic() and index.data(Qt.BackgroundRole) is not None
    other = board.model.index(next(r for r in range(len(shown)) if board.model.item(r).kind == "plan"),
                              board.model.WHAT)
    assert other.data(Qt.BackgroundRole) is None
    counts = reintegration_board.board_counts(coordinator)
    assert board.count.text() == (f"{len(items)} items: {counts.overdue} overdue, {counts.today} due today, "
                                  f"{counts.soon} within 7 days, 1 lost contact")
    assert board.table.accessibleName() == _("Overdue board")
    assert board.table.isColumnHidden(board.model.SHELTER) and not board.shelter.isVisible()  # one shelter


def test_reading_the_board_with_the_keyboard_opens_the_file_on_its_reintegration_tab(
        qtbot, social_worker, busy, reintegration_tab):
    page = make_page(qtbot, social_worker)
    board = page.board
    board.table.setFocus()
    assert board.table.hasFocus()
    assert board.table.currentIndex().row() == 0  # the keyboard's cursor starts on the first row
    qtbot.keyClick(board.table, Qt.Key_Down)
    second = board.selected()
    assert second is board.model.item(1)
    assert board.open_button.isEnabled()
    qtbot.keyClick(board.table, Qt.Key_Return)
    dialog = board.dialog
    assert dialog is not None and dialog.file.resident_id == second.resident_id
    assert board.opened_tab == "reintegration"
    assert dialog.tabs.currentWidget() is dialog.page("reintegration")
    dialog.reject()
    # The lost contact's row, with the arrows: her file opens the same way.
    target = next(r for r in range(board.model.rowCount()) if board.model.item(r).kind == "lost_contact")
    board.table.setFocus()
    for _step in range(target - 1):
        qtbot.keyClick(board.table, Qt.Key_Down)
    qtbot.keyClick(board.table, Qt.Key_Up)
    qtbot.keyClick(board.table, Qt.Key_Down)
    assert board.selected().kind == "lost_contact"
    qtbot.keyClick(board.table, Qt.Key_Enter)
    assert board.dialog.file.resident_id == busy.lost
    board.dialog.reject()


def test_the_filters_narrow_the_board(qtbot, coordinator, social_worker, admin, busy):
    page = make_page(qtbot, coordinator)
    board = page.board
    everything = board.model.rowCount()
    # A pathway: the return's milestones only.
    reloaded(qtbot, board, lambda: board.pathway.setCurrentIndex(board.pathway.findData("return_origin")))
    assert {board.model.item(r).resident_id for r in range(board.model.rowCount())} == {busy.returning}
    assert board.model.rowCount() == 4  # two due on day 21, two on day 45: all overdue
    reloaded(qtbot, board, lambda: board.pathway.setCurrentIndex(0))
    assert board.model.rowCount() == everything
    # A partner responsible: the hearing the lawyer holds.
    key = f"partner:{busy.lawyer}"
    assert board.responsible.findData(key) >= 0
    assert board.responsible.itemText(board.responsible.findData(key)) == "Association Adala (partner)"
    reloaded(qtbot, board, lambda: board.responsible.setCurrentIndex(board.responsible.findData(key)))
    assert [plain(r[board.model.WHAT]) for r in rows(board)] == [
        _("{kind}: {what}").format(kind=BOARD_KIND.label("milestone"), what="Hearing at the court of first instance")]
    # A staff member: what Nadia is responsible for (she holds the cases with a plan).
    key = f"staff:{social_worker.actor.account_id}"
    reloaded(qtbot, board, lambda: board.responsible.setCurrentIndex(board.responsible.findData(key)))
    assert board.model.rowCount() > 0 and all(r[board.model.RESPONSIBLE] == "Nadia Tazi" for r in rows(board))
    # Salma herself is responsible for nothing.
    reloaded(qtbot, board, lambda: board.responsible.setCurrentIndex(board.responsible.findData("me")))
    assert board.model.rowCount() == 0 and board.empty.isVisible() and not board.table.isVisible()
    reloaded(qtbot, board, lambda: board.responsible.setCurrentIndex(0))
    assert board.model.rowCount() == everything
    # A due state, narrowed on the screen: the count says how many are shown.
    board.show_state("lost_contact")
    assert [board.model.item(r).resident_id for r in range(board.model.rowCount())] == [busy.lost]
    assert "1 shown" in board.count.text()
    board.show_state("today")
    assert {board.model.item(r).kind for r in range(board.model.rowCount())} <= {"referral", "follow_up"}
    board.show_state("all")
    # A second shelter: the shelter filter and column appear; the new one has nothing due.
    other = shelters.create_shelter(admin, "Dar Al Amal", "CAS1", city="Casablanca")
    reloaded(qtbot, board, board.refresh)
    assert board.shelter.isVisible() and not board.table.isColumnHidden(board.model.SHELTER)
    reloaded(qtbot, board, lambda: board.shelter.setCurrentIndex(board.shelter.findData(other.id)))
    assert board.model.rowCount() == 0


def test_a_write_elsewhere_is_on_the_board_at_once(qtbot, coordinator, social_worker, busy):
    page = make_page(qtbot, coordinator)
    board = page.board
    before = board.model.rowCount()
    change = reintegration.make_plan(social_worker, busy.no_plan, "return_origin")
    from ui.qt import publish

    reloaded(qtbot, board, lambda: publish(change))
    kinds = [board.model.item(r).kind for r in range(board.model.rowCount())
             if board.model.item(r).resident_id == busy.no_plan]
    assert "plan" not in kinds and board.model.rowCount() == before - 1  # her milestones fall due in 21 days


def test_the_board_speaks_the_new_language(qtbot, coordinator, interface, busy):  # noqa: F811
    page = make_page(qtbot, coordinator)
    board = page.board
    board.show_state("overdue")
    interface.apply("fr")
    page.retranslate()
    assert board.model.headerData(board.model.STATE, Qt.Horizontal) == _("State")
    assert board.state.currentData() == "overdue" and board.state.currentText() == DUE_STATE.label("overdue")
    assert page.tabs.tabText(0) == _("Overdue &board")


# -- the partner directory ---------------------------------------------------------------


def partner_page(qtbot, who):
    from ui.reintegration.page import ReintegrationPage

    page = ReintegrationPage(who)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    page.tabs.setCurrentWidget(page.partners)
    return page


def test_a_partner_is_added_edited_and_a_duplicate_refused_beside_its_name(qtbot, social_worker):
    page = partner_page(qtbot, social_worker)
    view = page.partners
    assert view.add_button.isVisible() and view.model.rowCount() == 0
    qtbot.mouseClick(view.add_button, Qt.LeftButton)
    dialog = view.dialog
    qtbot.keyClicks(dialog.name_edit, "OIM Rabat")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("iom"))
    qtbot.keyClicks(dialog.city_edit, "Rabat")
    qtbot.keyClicks(dialog.contact_edit, "Bureau AVRR, 0537 00 00 00")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert view.dialog is None
    assert [(p.name, p.kind, p.city) for p in partners.partners(social_worker)] == [("OIM Rabat", "iom", "Rabat")]
    assert view.model.rowCount() == 1 and view.status.text() == _("{name} added to the directory.").format(
        name="OIM Rabat")
    assert view.model.index(0, view.model.KIND).data() == _("IOM")

    # The same name again (however it is spelt) is refused beside the name; nothing typed is lost.
    qtbot.mouseClick(view.add_button, Qt.LeftButton)
    dialog = view.dialog
    qtbot.keyClicks(dialog.name_edit, "oim  rabat")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("ngo"))
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    label = dialog.errors.label("name")
    assert view.dialog is dialog and label.isVisible()
    assert label.text() == _("A partner with this name is already in the directory.")
    assert dialog.name_edit.text() == "oim  rabat" and dialog.focusWidget() is dialog.name_edit
    assert dialog.errors.general.isHidden()
    # No kind chosen: said beside the kind.
    dialog.name_edit.setText("Hôpital Ibn Sina")
    dialog.kind_combo.setCurrentIndex(0)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.errors.label("kind").text() == _("Choose the kind of partner.")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("health"))
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert view.dialog is None and view.model.rowCount() == 2

    # Edited: the selected partner, with Enter on its row.
    row = next(r for r in range(view.model.rowCount()) if view.model.partner(r).name == "OIM Rabat")
    view.table.setFocus()
    view.table.selectRow(row)
    qtbot.keyClick(view.table, Qt.Key_Return)
    dialog = view.dialog
    assert dialog is not None and dialog.name_edit.text() == "OIM Rabat"
    dialog.name_edit.setText("OIM — Mission au Maroc")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert {p.name for p in partners.partners(social_worker)} == {"OIM — Mission au Maroc", "Hôpital Ibn Sina"}
    assert view.selected().name == "OIM — Mission au Maroc"

    # Retired: gone from the list, back with "Show retired", and restored.
    assert view.retire_button.text().replace("&", "") == _("Ret&ire").replace("&", "")
    qtbot.mouseClick(view.retire_button, Qt.LeftButton)
    assert [p.name for p in partners.partners(social_worker)] == ["Hôpital Ibn Sina"]
    assert view.model.rowCount() == 1
    view.show_retired.setChecked(True)
    assert view.model.rowCount() == 2
    row = next(r for r in range(view.model.rowCount()) if not view.model.partner(r).active)
    assert view.model.index(row, view.model.STATUS).data() == _("Retired")
    view.table.selectRow(row)
    assert view.retire_button.text().replace("&", "") == _("Rest&ore").replace("&", "")
    qtbot.mouseClick(view.retire_button, Qt.LeftButton)
    assert len(partners.partners(social_worker)) == 2


def test_the_directory_model_is_a_sound_qt_model(qtbot, qtmodeltester, social_worker):
    partners.add_partner(social_worker, "Association Adala", "legal_aid", "Rabat", "Maître Bennani\n0661")
    page = partner_page(qtbot, social_worker)
    qtmodeltester.check(page.partners.model)
    assert page.partners.model.index(0, page.partners.model.CONTACT).data() == "Maître Bennani …"
    assert page.partners.model.index(0, page.partners.model.CONTACT).data(Qt.ToolTipRole) == "Maître Bennani\n0661"


def test_a_counsellor_reads_the_directory_and_an_administrator_only_has_it(qtbot, counsellor, admin):
    partners.add_partner(admin, "Association Adala", "legal_aid", "Rabat")
    page = partner_page(qtbot, counsellor)
    assert page.board is not None and page.partners.model.rowCount() == 1
    assert not page.partners.add_button.isVisible() and not page.partners.retire_button.isVisible()
    page.partners.table.selectRow(0)
    page.partners.edit()
    assert page.partners.dialog is None  # reading only
    admin_page = partner_page(qtbot, admin)
    assert admin_page.board is None and admin_page.tabs.count() == 1  # the directory, not the residents
    assert admin_page.partners.add_button.isVisible()


# -- the dashboard ----------------------------------------------------------------------------


def test_the_dashboard_counts_the_board_and_opens_it(qtbot, make_shell, store_dir, coordinator, busy):  # noqa: F811
    from tests.cases import COORDINATOR_PASSWORD

    expected = reintegration_board.board_counts(coordinator)
    assert expected.overdue > 0 and expected.today >= 1 and expected.soon >= 1 and expected.lost_contact == 1
    window = sign_in(qtbot, make_shell(store_dir), "salma", COORDINATOR_PASSWORD)
    window.open_section("dashboard")
    dashboard = window.pages["dashboard"]
    qtbot.waitUntil(lambda: dashboard.reintegration_counts is not None, timeout=10_000)
    assert dashboard.reintegration_counts == expected
    assert dashboard.reintegration.isVisible() and dashboard.reintegration_heading.text() == _("Reintegration")
    buttons = dashboard.reintegration_buttons
    assert buttons["overdue"].text().replace("&", "") == f"{expected.overdue} overdue"
    assert buttons["today"].text().replace("&", "") == f"{expected.today} due today"
    assert buttons["soon"].text().replace("&", "") == f"{expected.soon} due within 7 days"
    assert buttons["lost_contact"].text().replace("&", "") == "1 case lost contact"

    # Enter on the lost contact's count opens the board on the lost contacts.
    buttons["lost_contact"].setFocus()
    qtbot.keyClick(buttons["lost_contact"], Qt.Key_Return)
    assert window.current_section() == "reintegration"
    page = window.pages["reintegration"]
    qtbot.waitUntil(lambda: page.board.loads >= 1 and not page.board.read.busy, timeout=10_000)
    assert page.tabs.currentWidget() is page.board and page.board.state.currentData() == "lost_contact"
    assert [page.board.model.item(r).resident_id for r in range(page.board.model.rowCount())] == [busy.lost]

    window.open_section("dashboard")
    qtbot.mouseClick(buttons["overdue"], Qt.LeftButton)
    assert window.current_section() == "reintegration" and page.board.state.currentData() == "overdue"
    assert all(page.board.model.item(r).state == "overdue" and page.board.model.item(r).kind != "lost_contact"
               for r in range(page.board.model.rowCount()))
    assert page.board.model.rowCount() == expected.overdue


def test_the_dashboard_has_no_reintegration_counts_for_an_administrator(qtbot, admin):
    from ui.dashboard.page import DashboardPage

    board = DashboardPage(admin)
    qtbot.addWidget(board)
    board.show()
    assert not board.reintegration.isVisible() and not board.reintegration_heading.isVisible()


def test_the_section_is_shown_to_those_who_see_reintegration_or_keep_the_directory(
        qtbot, make_shell, store_dir, counsellor):  # noqa: F811
    from tests.conftest import ADMIN, ADMIN_PASSWORD
    from ui.reintegration.page import ReintegrationPage

    window = sign_in(qtbot, make_shell(store_dir), ADMIN, ADMIN_PASSWORD)
    assert window.open_section("reintegration")
    page = window.pages["reintegration"]
    assert isinstance(page, ReintegrationPage) and page.board is None
    sec = next(s for s in window.sections if s.key == "reintegration")
    assert sec.number == 5
