"""The residents list over every person a search finds: ids sorted in SQL,
rows read a page at a time as they come into view, a new search from the
top, and a refresh (selection and scroll kept) when a write names people."""

from __future__ import annotations

from datetime import datetime

from shelter.services import admissions, discharge, residents
from tests.cases import admission, audit_details, bed_ids
from tests.test_residents_list import crowd


def open_page(qtbot, who):
    from ui.residents.page import ResidentsPage

    page = ResidentsPage(who)
    qtbot.addWidget(page)
    page.resize(900, 500)
    page.show()
    qtbot.waitExposed(page)
    return page


def shown(page, row, column=1):
    return page.model.data(page.model.index(row, column))


def painted(page):
    """Paint the rows in view now, as the screen would (that is when rows are read)."""
    page.table.viewport().grab()


def test_the_model_is_a_well_behaved_qt_model(qtbot, qtmodeltester, coordinator, admin, monkeypatch):
    import ui.residents.page
    from ui.qt import Qt
    from ui.residents.page import ResidentsModel

    monkeypatch.setattr(ui.residents.page, "PAGE", 7)
    model = ResidentsModel(coordinator)
    qtmodeltester.check(model)  # before any search: empty
    crowd(coordinator, admin, 30)
    model.load("", "in_residence", None)
    assert model.rowCount() == 30
    qtmodeltester.check(model)
    model.sort(1, Qt.AscendingOrder)
    qtmodeltester.check(model)


def test_sorting_by_name_sorts_everyone_found_not_the_rows_read(qtbot, coordinator, admin):
    from ui.qt import Qt

    ids = crowd(coordinator, admin, 260)
    page = open_page(qtbot, coordinator)
    painted(page)
    assert page.model.rowCount() == 260 and page.count.text() == "260 people"
    assert page.model.pages_read == 1  # the first page only, not 260 rows
    assert page.model.resident_id(0) == ids[-1]  # registered last first
    searches = len(audit_details(coordinator, "resident.search"))
    page.table.horizontalHeader().setSortIndicator(1, Qt.AscendingOrder)  # a click on "Name"
    assert len(audit_details(coordinator, "resident.search")) == searches + 1  # one search for the sort
    painted(page)
    every = residents.resident_rows(coordinator, ids)
    names = sorted((r.name for r in every), key=str.lower)
    assert [page.model.resident_id(i) for i in range(260)] == residents.find_residents(coordinator, sort="name",
                                                                                         descending=False)
    assert shown(page, 0) == names[0] and shown(page, 259) == names[-1]
    page.table.horizontalHeader().setSortIndicator(1, Qt.DescendingOrder)
    assert shown(page, 0) == names[-1]
    page.table.horizontalHeader().setSortIndicator(-1, Qt.AscendingOrder)  # cleared: registered last first
    assert page.model.resident_id(0) == ids[-1]


def test_scrolling_to_the_end_reads_the_last_rows_once(qtbot, coordinator, admin):
    ids = crowd(coordinator, admin, 260)
    last = residents.resident_rows(coordinator, [ids[0]])[0]  # registered first, so last in the list
    page = open_page(qtbot, coordinator)
    painted(page)
    read = page.model.pages_read
    page.table.scrollToBottom()
    painted(page)
    assert page.model.pages_read == read + 1  # rows 200..259: one page, not everything in between
    assert shown(page, 259, 0) == last.case_number and shown(page, 259) == last.name
    listed = len(audit_details(coordinator, "resident.list"))
    for _again in range(3):  # a row read is not read again, however often it is painted
        painted(page)
        shown(page, 259)
    assert page.model.pages_read == read + 1 and len(audit_details(coordinator, "resident.list")) == listed
    assert audit_details(coordinator, "resident.list")[-1] == ("ok", None, {"rows": 60})


def test_a_filter_change_is_a_new_search_from_the_top(qtbot, coordinator, admin, monkeypatch):
    import ui.residents.page

    monkeypatch.setattr(ui.residents.page, "PAGE", 10)
    crowd(coordinator, admin, 60)
    page = open_page(qtbot, coordinator)
    page.table.scrollToBottom()
    page.table.selectRow(55)
    painted(page)
    assert page.table.verticalScrollBar().value() > 0
    high = residents.find_residents(coordinator, risk_level="high")
    with qtbot.waitSignal(page.model.modelReset, timeout=3000):
        page.risk.setCurrentIndex(page.risk.findData("high"))
    assert [page.model.resident_id(i) for i in range(page.model.rowCount())] == high
    assert page.table.verticalScrollBar().value() == 0 and page.selected_id() is None
    assert page.count.text() == f"{len(high)} people"
    painted(page)
    assert shown(page, 0) == residents.resident_rows(coordinator, high[:1])[0].name


def test_a_write_naming_people_refreshes_the_list_keeping_selection_and_scroll(qtbot, coordinator, admin,
                                                                              monkeypatch):
    import ui.residents.page
    from ui.qt import publish

    monkeypatch.setattr(ui.residents.page, "PAGE", 10)
    crowd(coordinator, admin, 60)
    page = open_page(qtbot, coordinator)
    page.table.verticalScrollBar().setValue(30)
    page.table.selectRow(35)
    painted(page)
    top, chosen = page.model.resident_id(30), page.model.resident_id(35)
    leaving = page.model.resident_id(5)  # far above what is in view
    stay_id = residents.open_resident(coordinator, leaving).stays[0].stay_id
    publish(discharge.discharge(coordinator, stay_id, datetime.now().astimezone(), "family_reunification"))
    assert page.model.rowCount() == 59 and page.model.row_of(leaving) is None and page.count.text() == "59 people"
    assert page.selected_id() == chosen  # the same person selected
    assert page.model.resident_id(page.table.verticalScrollBar().value()) == top  # and the same at the top

    # Everyone, in residence or not: the same people, one of them changed in place.
    page.status.setCurrentIndex(page.status.findData("all"))
    painted(page)
    read = page.model.pages_read
    other = page.model.resident_id(2)
    stay_id = residents.open_resident(coordinator, other).stays[0].stay_id
    publish(discharge.discharge(coordinator, stay_id, datetime.now().astimezone(), "family_reunification"))
    painted(page)
    assert page.model.pages_read == read + 1 and shown(page, 2, 4) == "(left)"


def test_a_discharge_refused_shows_beside_its_field_and_one_done_tells_every_screen(qtbot, coordinator):
    from ui.qt import QDateTime, Qt, changes
    from ui.residents.page import DischargeDialog

    admitted = admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    page = open_page(qtbot, coordinator)
    assert page.model.rowCount() == 1
    dialog = DischargeDialog(coordinator, admitted.stay_id, page)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.when.setDateTime(QDateTime.currentDateTime().addDays(-30))  # before the admission
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    qtbot.waitUntil(dialog.isEnabled, timeout=5000)
    assert dialog.result() != dialog.DialogCode.Accepted and dialog.isVisible()
    assert dialog.errors.label("at").text() == "The discharge date is before the admission."
    assert page.model.rowCount() == 1

    dialog.when.setDateTime(QDateTime.currentDateTime())
    with qtbot.waitSignal(changes.changed, timeout=5000) as notice:
        qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert notice.args[0].residents == {admitted.resident_id}
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=5000)
    assert page.model.rowCount() == 0 and not dialog.errors.label("at").text()


def test_a_sort_keeps_the_selected_person_selected_and_in_view(qtbot, coordinator, admin, monkeypatch):
    import ui.residents.page
    from ui.qt import Qt

    monkeypatch.setattr(ui.residents.page, "PAGE", 10)
    crowd(coordinator, admin, 60)
    page = open_page(qtbot, coordinator)
    page.table.selectRow(2)
    chosen = page.selected_id()
    page.table.horizontalHeader().setSortIndicator(1, Qt.AscendingOrder)
    row = page.model.row_of(chosen)
    assert page.selected_id() == chosen and row == residents.find_residents(
        coordinator, sort="name", descending=False).index(chosen)
    painted(page)
    assert page.table.rowAt(0) <= row <= page.table.rowAt(page.table.viewport().height() - 1)


def test_a_double_click_opens_one_file_and_opening_it_again_raises_it(qtbot, coordinator):
    from sqlalchemy import func, select

    from shelter.storage.models import AuditEntry
    from ui.qt import Qt
    from ui.residents.page import ResidentsPage

    admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    page = ResidentsPage(coordinator)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)

    def views() -> int:
        with coordinator.store.read() as s:
            return s.execute(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "resident.view")).scalar_one()

    rect = page.table.visualRect(page.model.index(0, 0))
    qtbot.mouseClick(page.table.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: getattr(page, "dialog", None) is not None and page.dialog.isVisible(), timeout=3000)
    first = page.dialog
    assert views() == 1
    page.open_selected()
    assert page.dialog is first and views() == 1
    first.reject()
