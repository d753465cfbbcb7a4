"""The bed board, the admission form and the residents list, driven through
their real widgets on a real encrypted store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shelter.i18n import _
from shelter.security.permissions import Role
from shelter.services import accounts, admissions, beds, discharge, shelters
from shelter.services.audit_log import AuditFilter, list_entries
from shelter.store import Store
from tests.cases import admission
from ui.qt import Qt

PASSWORD = "night shift green tea"


@pytest.fixture
def coordinator(admin, store_dir):
    shelter = shelters.list_shelters(admin)[0]
    shelters.add_room(admin, shelter.id, "Room 1", beds=3, women_only=True)
    accounts.create_account(admin, "salma", "Salma Idrissi", [Role.COORDINATOR], PASSWORD,
                            must_change_password=False)
    who = Store(store_dir).sign_in("salma", PASSWORD)
    yield who
    who.lock("sign_out")


@pytest.fixture
def board(qtbot, coordinator):
    from ui.beds import BedBoardPage

    page = BedBoardPage(coordinator)
    qtbot.addWidget(page)
    page.show()
    return page


def tile_statuses(page):
    return {bed_id: tile.status for bed_id, tile in page.tiles.items()}


def test_admitting_through_the_form_fills_a_bed_on_the_board(qtbot, board):
    assert set(tile_statuses(board).values()) == {"free"}
    assert "0 of 3 beds occupied" in board.summary.text()
    qtbot.mouseClick(board.admit_button, Qt.LeftButton)
    dialog = board.dialog
    qtbot.keyClicks(dialog.name_latin, "Grace Okafor")
    dialog.nationality.setText("NG")
    dialog.consent.setChecked(True)
    assert dialog.bed.count() == 3  # the women-only room's free beds
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.admitted is not None, dialog.error.text()
    occupied = [t for t in board.tiles.values() if t.status == "occupied"]
    assert [t.case_number for t in occupied] == [dialog.admitted.case_number]
    assert "1 of 3 beds occupied" in board.summary.text()


def test_the_form_explains_a_missing_name_and_keeps_what_was_typed(qtbot, board):
    qtbot.mouseClick(board.admit_button, Qt.LeftButton)
    dialog = board.dialog
    dialog.agency.setText("Sûreté, Rabat")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.isVisible() and dialog.errors.label("name_latin").isVisible()
    assert dialog.agency.text() == "Sûreté, Rabat"
    dialog.reject()


def shown_under(label, field) -> bool:
    """``label`` shows a message just under ``field``, where the eye goes."""
    from ui.qt import QPoint

    if not label.isVisible() or not label.text():
        return False
    window = field.window()
    top = label.mapTo(window, QPoint(0, 0))
    bottom = field.mapTo(window, QPoint(0, field.height()))
    return 0 <= top.y() - bottom.y() <= 8 and abs(top.x() - field.mapTo(window, QPoint(0, 0)).x()) <= 8


def test_an_empty_name_is_explained_beside_the_name(qtbot, board):
    qtbot.mouseClick(board.admit_button, Qt.LeftButton)
    dialog = board.dialog
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    message = _("Enter the person's name in Arabic or Latin script.")
    label = dialog.errors.label("name_latin")
    assert label.text() == message and dialog.error.isHidden()  # not at the bottom
    qtbot.waitUntil(lambda: shown_under(label, dialog.name_latin), timeout=3000)
    assert dialog.focusWidget() is dialog.name_latin
    # Mended, the message goes at the next try.
    qtbot.keyClicks(dialog.name_latin, "Grace Okafor")
    dialog.consent.setChecked(True)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.admitted is not None and label.isHidden()


def test_an_impossible_date_of_birth_is_explained_beside_it(qtbot, board):
    from ui.qt import QDate

    qtbot.mouseClick(board.admit_button, Qt.LeftButton)
    dialog = board.dialog
    qtbot.keyClicks(dialog.name_latin, "Grace Okafor")
    dialog.birth_date.setDate(QDate(1905, 3, 1))  # a typing slip for 2005
    dialog.consent.setChecked(True)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.admitted is None and dialog.isVisible()
    label = dialog.errors.label("birth_date")
    assert label.text() == _("Check the date of birth: it is more than 110 years ago.") and dialog.error.isHidden()
    assert dialog.errors.label("name_latin").isHidden()
    qtbot.waitUntil(lambda: shown_under(label, dialog.birth_date.parentWidget()), timeout=3000)
    assert dialog.focusWidget() in (dialog.birth_date, dialog.birth_date.focusProxy())
    assert dialog.name_latin.text() == "Grace Okafor"  # nothing typed is lost
    dialog.reject()


def test_what_names_no_field_goes_above_the_buttons(qtbot, board, monkeypatch):
    from shelter.errors import ShelterError

    qtbot.mouseClick(board.admit_button, Qt.LeftButton)
    dialog = board.dialog
    qtbot.keyClicks(dialog.name_latin, "Grace Okafor")

    def refuse(*_args):
        raise ShelterError("The store is locked.")
    monkeypatch.setattr(admissions, "admit", refuse)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.error.text() == "The store is locked." and not dialog.error.isHidden()
    dialog.reject()


def test_the_duplicate_check_offers_the_person_on_record_and_readmits(qtbot, board, coordinator):
    bed = next(iter(board.tiles))
    first = admissions.admit(coordinator, admission(bed))
    discharge.discharge(coordinator, first.stay_id, datetime.now(UTC), "independent_living")
    board.refresh()
    qtbot.mouseClick(board.admit_button, Qt.LeftButton)
    dialog = board.dialog
    dialog.name_arabic.setText("فاطمه الزهراء بنعلي")  # QTest types ASCII only
    qtbot.waitUntil(lambda: dialog.duplicates.count() == 1, timeout=3000)
    dialog.duplicates.item(0).setCheckState(Qt.Checked)
    assert dialog.readmit_id == first.resident_id
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.admitted is not None and dialog.admitted.case_number == first.case_number


def test_moving_a_resident_with_the_keyboard(qtbot, board, coordinator):
    b1, b2, _b3 = list(board.tiles)
    admissions.admit(coordinator, admission(b1))
    board.refresh()
    board.select_bed(b1)
    assert board.move_button.isEnabled()
    board.view.setFocus()
    qtbot.keyClick(board.view, Qt.Key_M, Qt.ControlModifier)
    dialog = board.dialog
    dialog.list.setCurrentRow(next(i for i in range(dialog.list.count())
                                   if dialog.list.item(i).data(Qt.UserRole) == b2))
    qtbot.keyClick(dialog.list, Qt.Key_Return)
    qtbot.waitUntil(lambda: tile_statuses(board)[b2] == "occupied", timeout=5000)
    assert tile_statuses(board)[b1] == "free" and tile_statuses(board)[b2] == "occupied"


def test_moving_a_resident_by_drag_and_drop(qtbot, board, coordinator):
    from ui.beds.board import MIME_STAY
    from ui.qt import QDragEnterEvent, QDragMoveEvent, QDropEvent, QPointF

    b1, _b2, b3 = list(board.tiles)
    stay = admissions.admit(coordinator, admission(b1)).stay_id
    board.refresh()
    # What the occupied tile carries when it is dragged.
    mime = board.model.mimeData([board.model.index_of(b1)])
    assert bytes(mime.data(MIME_STAY)).decode("ascii") == str(stay)
    # Offscreen there is no drag manager to carry a real drag, so the view
    # gets the events it would receive, at the tiles' places.
    viewport = board.view.viewport()

    def centre(bed_id):
        return board.view.visualRect(board.model.index_of(bed_id)).center()

    def drop(bed_id):
        enter = QDragEnterEvent(centre(bed_id), Qt.MoveAction, mime, Qt.LeftButton, Qt.NoModifier)
        board.view.dragEnterEvent(enter)
        move = QDragMoveEvent(centre(bed_id), Qt.MoveAction, mime, Qt.LeftButton, Qt.NoModifier)
        board.view.dragMoveEvent(move)
        if move.isAccepted():
            board.view.dropEvent(QDropEvent(QPointF(centre(bed_id)), Qt.MoveAction, mime, Qt.LeftButton,
                                            Qt.NoModifier))
        return move.isAccepted()

    assert viewport.isVisible()
    assert not drop(b1)  # an occupied bed takes nobody
    assert drop(b3)
    qtbot.waitUntil(lambda: tile_statuses(board)[b3] == "occupied", timeout=5000)
    assert tile_statuses(board)[b3] == "occupied" and tile_statuses(board)[b1] == "free"


def test_filters_show_only_the_chosen_status(qtbot, board, coordinator):
    b1 = next(iter(board.tiles))
    admissions.admit(coordinator, admission(b1))
    board.refresh()
    board.status_filter.setCurrentIndex(board.status_filter.findData("occupied"))
    assert list(tile_statuses(board).values()) == ["occupied"]


def test_the_residents_list_searches_as_you_type_and_opening_a_file_is_audited(qtbot, coordinator, admin):
    from ui.residents.page import ResidentsPage

    bed = beds.bed_board(coordinator)[0].rooms[0].beds[0].bed_id
    admitted = admissions.admit(coordinator, admission(bed))
    page = ResidentsPage(coordinator)
    qtbot.addWidget(page)
    page.show()
    page.search.setText("فاطمة")  # QTest types ASCII only
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    page.search.clear()
    qtbot.keyClicks(page.search, "zzz")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=3000)
    page.search.clear()
    qtbot.keyClicks(page.search, "fatima")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    page.table.selectRow(0)
    page.open_selected()
    assert admitted.case_number in page.dialog.windowTitle()
    page.dialog.reject()
    views = list_entries(admin, AuditFilter(action="resident.view"))
    assert [v.record_id for v in views] == [str(admitted.resident_id)]


def test_the_dashboard_shows_todays_occupancy_and_the_months(qtbot, coordinator):
    from shelter.i18n import _
    from ui.dashboard.page import DashboardPage

    bed = beds.bed_board(coordinator)[0].rooms[0].beds[0].bed_id
    admissions.admit(coordinator, admission(bed))
    page = DashboardPage(coordinator)
    qtbot.addWidget(page)
    page.show()
    assert _("Beds occupied today: {occupied} of {beds}").format(occupied=1, beds=3) in page.figures.text()
    assert len(page.chart.points) == 12 and page.chart.points[-1][1] == 1


def test_discharging_from_the_file_frees_the_bed(qtbot, coordinator):
    from ui.residents.page import ResidentsPage

    bed = beds.bed_board(coordinator)[0].rooms[0].beds[0].bed_id
    admissions.admit(coordinator, admission(bed))
    page = ResidentsPage(coordinator)
    qtbot.addWidget(page)
    page.table.selectRow(0)
    page.open_selected()
    assert not page.dialog.discharge_button.isHidden()  # a coordinator may discharge
    page.dialog.discharge(page.dialog.file.stays[0].stay_id)
    discharge = page.dialog.discharge_dialog
    discharge.destination.setCurrentIndex(discharge.destination.findData("family_reunification"))
    qtbot.mouseClick(discharge.ok_button, Qt.LeftButton)
    qtbot.waitUntil(discharge.isEnabled, timeout=5000)  # the write runs off the GUI thread
    assert discharge.result() == discharge.DialogCode.Accepted, discharge.error.text()
    assert beds.bed_board(coordinator)[0].rooms[0].beds[0].status == "free"
    assert page.model.rowCount() == 0  # the list of people in residence is refreshed
    # The handover form for the receiver follows, for a discharge.
    form = page.dialog.handover_dialog
    assert form.isVisible() and form.reason.currentData() == "discharge"
    form.reject()


def test_reserving_and_taking_a_bed_out_of_service_from_the_board(qtbot, board, admin, store_dir):
    b1, b2, _b3 = list(board.tiles)
    board.select_bed(b1)
    assert board.reserve_button.isEnabled()
    board.reserve_selected()
    qtbot.keyClicks(board.dialog.label, "police, Rabat")
    board.dialog.accept()
    qtbot.waitUntil(lambda: tile_statuses(board)[b1] == "reserved", timeout=5000)
    assert tile_statuses(board)[b1] == "reserved"
    # Beds out of service are the shelter manager's call (a coordinator has it).
    board.select_bed(b2)
    board.toggle_service()
    qtbot.keyClicks(board.dialog.reason, "Broken frame")
    board.dialog.accept()
    qtbot.waitUntil(lambda: tile_statuses(board)[b2] == "out_of_service", timeout=5000)
    assert tile_statuses(board)[b2] == "out_of_service"
    assert board.tiles[b2].reason == "Broken frame"
    board.select_bed(b2)
    board.toggle_service()
    qtbot.waitUntil(lambda: tile_statuses(board)[b2] == "free", timeout=5000)
    assert tile_statuses(board)[b2] == "free"


def test_a_long_list_shows_everyone_a_page_at_a_time(qtbot, coordinator, monkeypatch):
    import ui.residents.page
    from ui.residents.page import ResidentsPage

    monkeypatch.setattr(ui.residents.page, "PAGE", 2)
    room = beds.bed_board(coordinator)[0].rooms[0]
    for tile, name in zip(room.beds, ("Fatima Zahra Benali", "Aisha Okoro", "Grace Okafor"), strict=True):
        admissions.admit(coordinator, admission(tile.bed_id, name, ""))
    page = ResidentsPage(coordinator)
    qtbot.addWidget(page)
    page.refresh()
    assert page.model.rowCount() == 3 and page.count.text() == "3 people"  # no cut: every match is in the list
    assert [page.model.row(i).name for i in range(3)] == ["Grace Okafor", "Aisha Okoro", "Fatima Zahra Benali"]
    page.search.setText("grace")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    assert page.count.text() == "1 person"


def test_a_reservation_is_cancelled_from_the_board(qtbot, board, monkeypatch):
    from ui.qt import QMessageBox

    b1 = next(iter(board.tiles))
    board.select_bed(b1)
    board.reserve_selected()
    qtbot.keyClicks(board.dialog.label, "police, Rabat")
    board.dialog.accept()
    qtbot.waitUntil(lambda: tile_statuses(board)[b1] == "reserved", timeout=5000)
    board.select_bed(b1)
    assert board.reserve_button.isEnabled() and board.reserve_button.text() == _("Ca&ncel the reservation")
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: asked.append(args) or QMessageBox.Yes)
    qtbot.mouseClick(board.reserve_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: tile_statuses(board)[b1] == "free", timeout=5000)
    assert len(asked) == 1 and board.reserve_button.text() == _("Re&serve…")


def test_each_bed_has_an_accessible_name_and_the_keyboard_walks_the_beds(qtbot, board, coordinator):
    b1, b2, _b3 = list(board.tiles)
    admitted = admissions.admit(coordinator, admission(b1))
    board.refresh()
    names = [board.model.data(board.model.index_of(b), Qt.AccessibleTextRole) for b in (b1, b2)]
    assert admitted.case_number in names[0] and "Free" in names[1]
    board.select_bed(b1)
    board.view.setFocus()
    qtbot.keyClick(board.view, Qt.Key_Right)
    assert board.selected_tile().bed_id == b2 and board.reserve_button.isEnabled()


def test_a_discharge_from_the_file_shows_on_the_open_board_without_refresh(qtbot, board, coordinator):
    from ui.residents.page import ResidentsPage

    b1 = next(iter(board.tiles))
    admissions.admit(coordinator, admission(b1))
    board.refresh()
    assert tile_statuses(board)[b1] == "occupied"
    refreshed = []
    board.refresh_button.clicked.connect(lambda: refreshed.append(True))
    page = ResidentsPage(coordinator)
    qtbot.addWidget(page)
    page.table.selectRow(0)
    page.open_selected()
    page.dialog.discharge(page.dialog.file.stays[0].stay_id)
    dialog = page.dialog.discharge_dialog
    dialog.destination.setCurrentIndex(dialog.destination.findData("family_reunification"))
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: tile_statuses(board)[b1] == "free", timeout=5000)
    assert refreshed == [] and "0 of 3 beds occupied" in board.summary.text()
    page.dialog.handover_dialog.reject()


def test_enter_on_a_bed_opens_the_occupants_file_or_admits_into_a_free_one(qtbot, board, coordinator):
    b1, b2, _b3 = list(board.tiles)
    admitted = admissions.admit(coordinator, admission(b1))
    board.refresh()
    board.select_bed(b1)
    board.view.setFocus()
    qtbot.keyClick(board.view, Qt.Key_Return)
    assert board.file_dialog.isVisible() and admitted.case_number in board.file_dialog.windowTitle()
    board.file_dialog.reject()
    board.select_bed(b2)
    qtbot.keyClick(board.view, Qt.Key_Return)
    assert board.dialog.isVisible() and board.dialog.bed.currentData() == b2
    board.dialog.reject()


def test_a_move_offers_only_the_beds_that_fit_her(qtbot, board, coordinator, admin):
    shelter = shelters.list_shelters(admin)[0]
    shelters.add_room(admin, shelter.id, "Men", beds=2, men_only=True)
    board.refresh()
    b1, b2, b3 = [t.bed_id for t in beds.bed_board(coordinator)[0].rooms[1].beds]  # Room 1, after "Men"
    admissions.admit(coordinator, admission(b1))
    board.refresh()
    board.select_bed(b1)
    board.move_selected()
    offered = [board.dialog.list.item(i).data(Qt.UserRole) for i in range(board.dialog.list.count())]
    assert offered == [b2, b3]  # not the men's room, not her own bed
    assert "Room 1" in board.dialog.list.item(0).text()
    board.dialog.reject()


def test_an_admission_is_confirmed_with_its_case_number_and_bed(qtbot, board):
    b1 = next(iter(board.tiles))
    board.select_bed(b1)
    qtbot.mouseClick(board.admit_button, Qt.LeftButton)
    dialog = board.dialog
    qtbot.keyClicks(dialog.name_latin, "Grace Okafor")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    confirmation = board.confirmation
    assert confirmation.isVisible()
    text = " ".join(label.text() for label in confirmation.findChildren(type(board.summary)))
    assert dialog.admitted.case_number in text and "Room 1" in text
    qtbot.mouseClick(confirmation.open_button, Qt.LeftButton)
    assert board.file_dialog.isVisible() and dialog.admitted.case_number in board.file_dialog.windowTitle()
    board.file_dialog.reject()


def test_a_date_of_birth_can_be_typed_and_an_unreadable_one_is_kept_and_explained(qtbot, board):
    qtbot.mouseClick(board.admit_button, Qt.LeftButton)
    dialog = board.dialog
    qtbot.keyClicks(dialog.name_latin, "Grace Okafor")
    dialog.activateWindow()
    qtbot.keyClicks(dialog.birth_date.edit, "19980315")
    qtbot.keyClick(dialog.birth_date.edit, Qt.Key_Tab)  # leaving the field
    assert dialog.birth_date.edit.text() == "1998-03-15"
    dialog.birth_date.edit.setText("1998-15-03")  # month and day swapped
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.admitted is None
    assert dialog.errors.label("birth_date").text() == _("Type the date as 2026-03-15, or choose it in the calendar.")
    assert dialog.birth_date.edit.text() == "1998-15-03"  # what was typed is kept
    dialog.birth_date.edit.setText("1998-03-15")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.admitted is not None


def test_the_calendar_of_a_date_of_birth_opens_years_back_not_in_1900(qtbot, board):
    from datetime import date

    qtbot.mouseClick(board.admit_button, Qt.LeftButton)
    dialog = board.dialog
    dialog.birth_date.open_calendar()
    shown = dialog.birth_date.calendar.selectedDate().toPython()
    assert date.today().year - 26 <= shown.year <= date.today().year - 24
    dialog.birth_date.calendar.close()
    dialog.reject()


def test_a_future_date_of_birth_is_explained_beside_it_not_as_a_missing_bed(qtbot, board):
    from datetime import date

    qtbot.mouseClick(board.admit_button, Qt.LeftButton)
    dialog = board.dialog
    qtbot.keyClicks(dialog.name_latin, "Grace Okafor")
    dialog.birth_date.edit.setText(f"{date.today().year + 4}-01-15")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.admitted is None
    assert dialog.errors.label("birth_date").text() == _("The date of birth is in the future.")
    assert dialog.errors.label("bed").isHidden()
    dialog.reject()


def test_a_night_admission_records_its_time(qtbot, board, coordinator):
    from datetime import date, datetime, timedelta

    qtbot.mouseClick(board.admit_button, Qt.LeftButton)
    dialog = board.dialog
    qtbot.keyClicks(dialog.name_latin, "Grace Okafor")
    yesterday = date.today() - timedelta(days=1)
    dialog.admitted_on.set_value(yesterday)
    dialog.referred_on.set_value(yesterday)
    dialog.admitted_time.setText("2h05")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.admitted is not None, dialog.error.text()
    from shelter.services import residents

    stay = residents.open_resident(coordinator, dialog.admitted.resident_id).stays[0]
    local = stay.admitted_at.astimezone()
    assert (local.date(), local.hour, local.minute) == (yesterday, 2, 5)
    assert datetime.now().astimezone() - local > timedelta(hours=1)


def test_an_error_appearing_does_not_move_the_fields_below(qtbot, board):
    qtbot.mouseClick(board.admit_button, Qt.LeftButton)
    dialog = board.dialog
    qtbot.wait(50)

    def gap() -> int:  # from the Latin name down to the preferred name, under it
        return dialog.preferred.mapTo(dialog, dialog.preferred.rect().topLeft()).y() - dialog.name_latin.mapTo(
            dialog, dialog.name_latin.rect().topLeft()).y()

    before = gap()
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)  # no name: the message under the Latin name
    assert dialog.errors.label("name_latin").isVisible()
    qtbot.wait(50)
    assert gap() == before
    dialog.reject()


def test_escape_on_a_half_filled_admission_asks_before_throwing_it_away(qtbot, board, monkeypatch):
    from ui.qt import QMessageBox

    answers = [QMessageBox.Cancel, QMessageBox.Discard]
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or answers.pop(0))
    qtbot.mouseClick(board.admit_button, Qt.LeftButton)
    dialog = board.dialog
    qtbot.keyClick(dialog, Qt.Key_Escape)  # nothing typed yet: it simply closes
    assert not dialog.isVisible() and asked == []
    qtbot.mouseClick(board.admit_button, Qt.LeftButton)
    dialog = board.dialog
    qtbot.keyClicks(dialog.name_latin, "Grace Okafor")
    qtbot.keyClick(dialog, Qt.Key_Escape)
    assert dialog.isVisible() and dialog.name_latin.text() == "Grace Okafor" and len(asked) == 1
    qtbot.keyClick(dialog, Qt.Key_Escape)
    assert not dialog.isVisible() and len(asked) == 2
