"""The Sessions section on a real store: a counsellor plans a session by
clicking a free slot or with the arrow keys and Enter, through the plan
dialog; moves one by dragging it or with Ctrl+arrows and Enter; a move onto
a taken time is refused with the service's words in the message bar and the
block stays where it was; the session's dialog marks it held or cancels it
and opens its notes; a coordinator sees the blocks and the details but
nothing that writes; the resident's file lists her sessions; in Arabic the
days run from right to left."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from shelter.domain.sessions import from_local, local, week_of
from shelter.services import admissions, sessions, shelters
from shelter.services.sessions import SessionInput
from tests.cases import admission, bed_ids, open_file
from tests.ui.conftest import interface  # noqa: F401  (the interface language, a fixture)


@pytest.fixture
def people(coordinator):
    b1, b2, b3 = bed_ids(coordinator)
    return (admissions.admit(coordinator, admission(b1)).resident_id,
            admissions.admit(coordinator, admission(b2, "Aisha Okoro", "عائشة أوكورو")).resident_id,
            admissions.admit(coordinator, admission(b3, "Blessing Eze", "بليسينغ إيزي")).resident_id)


@pytest.fixture
def room(counsellor, admin):
    return sessions.add_room(counsellor, shelters.list_shelters(admin)[0].id, "Salle d'écoute").room_id


NEXT_MONDAY = week_of(local(datetime.now(UTC)).date())[0] + timedelta(days=7)


def plan(who, resident, day, hour, minute=0, room=None, minutes=50, **extra):
    start = from_local(NEXT_MONDAY + timedelta(days=day), time(hour, minute))
    residents = (resident,) if isinstance(resident, int) else tuple(resident)
    return sessions.plan_session(who, SessionInput(who.actor.account_id, extra.pop("kind", "individual"), residents,
                                                   start, minutes, room_id=room,
                                                   mode="in_person" if room else "phone", **extra)).session_ids[0]


def plain(label) -> str:
    """A label's text without the marks that keep its direction."""
    return "".join(ch for ch in label.text() if ch not in "\u200e\u200f\u2066\u2068\u2069")


def starts(who, session_id):
    view = next(v for v in sessions.week(who, NEXT_MONDAY - timedelta(days=14), days=35)
                if v.session_id == session_id)
    return local(view.starts_at)


def open_page(qtbot, who, monday=NEXT_MONDAY):
    from ui.sessions.page import SessionsPage

    page = SessionsPage(who)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: page.loads >= 1, timeout=5000)
    if monday != page.monday:
        loads = page.loads
        page.go_to(monday)
        qtbot.waitUntil(lambda: page.loads > loads, timeout=5000)
    return page


def reloaded(qtbot, page, condition):
    qtbot.waitUntil(lambda: condition(page.calendar), timeout=5000)


def notes_opened(monkeypatch) -> list[int]:
    """``open_session_notes`` (the notes screens' entry) replaced: the sessions whose notes were asked for."""
    import sys
    import types

    opened: list[int] = []
    try:
        import ui.sessions.notes as notes
    except ImportError:  # the notes screens are not there yet
        notes = types.ModuleType("ui.sessions.notes")
        monkeypatch.setitem(sys.modules, "ui.sessions.notes", notes)
    monkeypatch.setattr(notes, "open_session_notes", lambda parent, who, view: opened.append(view.session_id),
                        raising=False)
    return opened


def choose_resident(qtbot, picker, resident_id):
    from ui.qt import Qt

    qtbot.waitUntil(lambda: picker.searches >= 1, timeout=5000)
    for i in range(picker.results.count()):
        item = picker.results.item(i)
        if item.data(Qt.UserRole) == resident_id:
            item.setCheckState(Qt.Checked)  # as a click on its box does
            return
    raise AssertionError("resident not listed")


def test_clicking_a_free_slot_plans_a_session_there(qtbot, counsellor, people, room):
    from ui.qt import Qt

    fatima = people[0]
    page = open_page(qtbot, counsellor)
    assert page.counsellor.currentText() == "Leila Berrada"  # the signed-in counsellor's week
    assert page.range_label.text().replace("\u2066", "").replace("\u2069", "") == \
        f"Week of {NEXT_MONDAY.isoformat()} to {(NEXT_MONDAY + timedelta(days=6)).isoformat()}"
    calendar = page.calendar
    qtbot.mouseClick(calendar.viewport(), Qt.LeftButton, pos=calendar.slot_point(1, 10 * 60 + 30))
    dialog = page.plan_dialog
    qtbot.waitExposed(dialog)
    assert dialog.day.value() == NEXT_MONDAY + timedelta(days=1)
    assert dialog.time.text() == "10:30" and dialog.minutes.value() == 50
    assert dialog.room.currentData() == room  # the only room, chosen already
    # Nobody chosen: said beside the residents.
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.errors.label("residents").isVisible(), timeout=5000)
    assert dialog.errors.label("residents").text() == "Choose the resident."
    choose_resident(qtbot, dialog.picker, fatima)
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    reloaded(qtbot, page, lambda c: len(c.blocks) == 1)
    block = calendar.blocks[0]
    assert (block.day, block.top, block.minutes) == (1, 10 * 60 + 30, 50)
    assert block.view.attendees[0].resident_id == fatima and block.view.room == "Salle d'écoute"
    calendar.set_cursor(1, 11 * 60)
    assert "Fatima Zahra Benali" in page.cursor_line.text() and "Individual" in page.cursor_line.text()


def test_arrows_and_enter_plan_a_group_session(qtbot, counsellor, people, room):
    from ui.qt import Qt

    fatima, aisha, _blessing = people
    page = open_page(qtbot, counsellor)
    calendar = page.calendar
    calendar.setFocus()
    calendar.set_cursor(0, 9 * 60)
    for key in (Qt.Key_Right, Qt.Key_Right, Qt.Key_Down, Qt.Key_Down, Qt.Key_Down, Qt.Key_Down):
        qtbot.keyClick(calendar, key)
    assert calendar.cursor == (2, 10 * 60)
    assert "Wednesday" in page.cursor_line.text() and "free" in page.cursor_line.text()
    qtbot.keyClick(calendar, Qt.Key_Return)
    dialog = page.plan_dialog
    qtbot.waitExposed(dialog)
    assert dialog.time.text() == "10:00"
    dialog.kind.setCurrentIndex(dialog.kind.findData("group"))
    choose_resident(qtbot, dialog.picker, fatima)
    choose_resident(qtbot, dialog.picker, aisha)
    assert dialog.picker.chosen_ids() == (fatima, aisha)
    dialog.minutes.setValue(90)
    qtbot.keyClick(dialog.minutes, Qt.Key_Return)  # Enter plans
    reloaded(qtbot, page, lambda c: len(c.blocks) == 1)
    view = calendar.blocks[0].view
    assert view.kind == "group" and {a.resident_id for a in view.attendees} == {fatima, aisha}
    assert view.minutes == 90 and calendar.blocks[0].day == 2


def test_a_refusal_of_the_plan_shows_beside_its_field(qtbot, counsellor, people, room):
    from ui.qt import Qt

    fatima, aisha, _b = people
    plan(counsellor, aisha, 0, 11, room=room)
    page = open_page(qtbot, counsellor)
    page.plan(NEXT_MONDAY, time(11, 15))
    dialog = page.plan_dialog
    qtbot.waitExposed(dialog)
    choose_resident(qtbot, dialog.picker, fatima)
    dialog.until.set_value(NEXT_MONDAY - timedelta(days=3))
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.errors.label("until").isVisible(), timeout=5000)
    assert dialog.errors.label("until").text() == "The last date is before the first session."
    dialog.until.set_value(None)
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.errors.label("counsellor").isVisible(), timeout=5000)
    assert "already has a session" in dialog.errors.label("counsellor").text()
    assert dialog.isVisible() and dialog.picker.chosen_ids() == (fatima,)  # what was typed stays


def drag(qtbot, calendar, start, end):
    from ui.qt import QPoint, Qt

    viewport = calendar.viewport()
    qtbot.mousePress(viewport, Qt.LeftButton, pos=start)
    for point in (start + QPoint(0, 8), (start + end) / 2, end):
        qtbot.mouseMove(viewport, point)
    qtbot.mouseRelease(viewport, Qt.LeftButton, pos=end)


def test_dragging_a_session_moves_it(qtbot, counsellor, people, room):
    sid = plan(counsellor, people[0], 1, 10, room=room)
    page = open_page(qtbot, counsellor)
    calendar = page.calendar
    assert len(calendar.blocks) == 1
    # Grab it 15 minutes below its start, drop it on Thursday 14:15: it starts at 14:00.
    drag(qtbot, calendar, calendar.slot_point(1, 10 * 60 + 15), calendar.slot_point(3, 14 * 60 + 15))
    qtbot.waitUntil(lambda: starts(counsellor, sid).strftime("%a %H:%M") == "Thu 14:00", timeout=5000)
    reloaded(qtbot, page, lambda c: (c.blocks[0].day, c.blocks[0].top) == (3, 14 * 60) and not c.pending)


def test_ctrl_arrows_and_enter_move_a_session(qtbot, counsellor, people, room):
    from ui.qt import Qt

    sid = plan(counsellor, people[0], 1, 10, room=room)
    page = open_page(qtbot, counsellor)
    calendar = page.calendar
    calendar.setFocus()
    calendar.set_cursor(1, 10 * 60)
    assert calendar.selected().session_id == sid
    for key in (Qt.Key_Down, Qt.Key_Down, Qt.Key_Right):
        qtbot.keyClick(calendar, key, Qt.ControlModifier)
    assert calendar.pending[sid] == (2, 10 * 60 + 30)
    assert "Enter to confirm" in page.cursor_line.text()
    # Escape puts it back; again, and Enter confirms.
    qtbot.keyClick(calendar, Qt.Key_Escape)
    assert calendar.pending == {} and calendar.cursor == (1, 10 * 60)
    for key in (Qt.Key_Down, Qt.Key_Down, Qt.Key_Right):
        qtbot.keyClick(calendar, key, Qt.ControlModifier)
    qtbot.keyClick(calendar, Qt.Key_Return)
    qtbot.waitUntil(lambda: starts(counsellor, sid).strftime("%a %H:%M") == "Wed 10:30", timeout=5000)
    reloaded(qtbot, page, lambda c: (c.blocks[0].day, c.blocks[0].top) == (2, 10 * 60 + 30) and not c.pending)


def test_a_move_onto_a_taken_time_is_refused_and_the_block_stays(qtbot, counsellor, people, room):
    from ui.qt import Qt

    moving = plan(counsellor, people[0], 1, 10, room=room)
    plan(counsellor, people[1], 1, 11, room=room)
    page = open_page(qtbot, counsellor)
    calendar = page.calendar
    where = calendar.shown_rect(moving)
    # By keyboard: 10:00 → 10:30 overlaps the 11:00 session.
    calendar.setFocus()
    calendar.set_cursor(1, 10 * 60)
    qtbot.keyClick(calendar, Qt.Key_Down, Qt.ControlModifier)
    qtbot.keyClick(calendar, Qt.Key_Down, Qt.ControlModifier)
    qtbot.keyClick(calendar, Qt.Key_Enter)
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=5000)
    when = f"\u2068{(NEXT_MONDAY + timedelta(days=1)).isoformat()}\u2069 at \u206810:30\u2069"  # isolated
    assert page.message.text() == f"The counsellor already has a session on {when}."
    assert calendar.pending == {} and calendar.shown_rect(moving) == where
    assert starts(counsellor, moving).strftime("%H:%M") == "10:00"
    # The message stays while nothing else is done…
    qtbot.wait(50)
    assert page.message.isVisible()
    # … and by dragging onto the other session.
    drag(qtbot, calendar, calendar.slot_point(1, 10 * 60), calendar.slot_point(1, 11 * 60 + 15))
    qtbot.waitUntil(lambda: page.message.isVisible() and "11:15" in page.message.text(), timeout=5000)
    assert "already has a session" in page.message.text()
    assert calendar.pending == {} and calendar.shown_rect(moving) == where
    assert starts(counsellor, moving).strftime("%H:%M") == "10:00"
    # The next action clears it.
    qtbot.mouseClick(page.next_button, Qt.LeftButton)
    assert not page.message.isVisible()


def test_the_session_dialog_holds_cancels_and_opens_the_notes(qtbot, counsellor, people, room, monkeypatch):
    from ui.qt import Qt

    fatima, aisha, _b = people
    last_monday = NEXT_MONDAY - timedelta(days=14)
    past = sessions.plan_session(counsellor, SessionInput(
        counsellor.actor.account_id, "individual", (fatima,), from_local(last_monday, time(9)), 50,
        room_id=room)).session_ids[0]
    series = sessions.plan_weekly(counsellor, SessionInput(
        counsellor.actor.account_id, "individual", (aisha,), from_local(last_monday + timedelta(days=2), time(15)),
        45, mode="video"), NEXT_MONDAY + timedelta(days=30)).session_ids
    opened = notes_opened(monkeypatch)
    page = open_page(qtbot, counsellor, last_monday)
    calendar = page.calendar
    calendar.setFocus()
    calendar.set_cursor(0, 9 * 60 + 15)
    qtbot.keyClick(calendar, Qt.Key_Return)
    dialog = page.session_dialog
    qtbot.waitExposed(dialog)
    assert plain(dialog.values["status"]) == "Planned" and not dialog.notes_button.isVisible()
    qtbot.mouseClick(dialog.held_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: plain(dialog.values["status"]) == "Held", timeout=5000)
    assert dialog.notes_button.isVisible() and dialog.planned_button.isVisible()
    qtbot.mouseClick(dialog.notes_button, Qt.LeftButton)
    assert opened == [past]
    dialog.close()
    reloaded(qtbot, page, lambda c: c.block(past).view.status == "held")

    # Cancelling this week's and the rest of the series, saying who and why.
    loads = page.loads
    page.go_to(NEXT_MONDAY - timedelta(days=7))
    qtbot.waitUntil(lambda: page.loads > loads, timeout=5000)
    block = calendar.block(series[1])
    qtbot.mouseDClick(calendar.viewport(), Qt.LeftButton, pos=calendar.slot_point(block.day, block.top + 15))
    dialog = page.session_dialog
    qtbot.waitExposed(dialog)
    assert dialog.view.session_id == series[1]
    qtbot.mouseClick(dialog.cancel_button, Qt.LeftButton)
    form = dialog.cancel_dialog
    qtbot.waitExposed(form)
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: form.errors.label("cancelled_by").isVisible(), timeout=5000)
    assert form.errors.label("cancelled_by").text() == "Say who cancelled."
    form.by.setCurrentIndex(form.by.findData("resident"))
    form.reason.setText("She has a hearing at the court")
    assert form.whole_series.isVisible()
    form.whole_series.setChecked(True)
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: plain(dialog.values["status"]).startswith("Cancelled."), timeout=5000)
    assert plain(dialog.values["status"]) == \
        "Cancelled. Who cancelled: The resident. Why: She has a hearing at the court"
    statuses = [v.status for v in sorted(sessions.resident_sessions(counsellor, aisha), key=lambda v: v.starts_at)]
    assert statuses[0] == "planned" and set(statuses[1:]) == {"cancelled"}
    dialog.close()
    reloaded(qtbot, page, lambda c: c.block(series[1]).view.status == "cancelled")


def test_a_coordinator_sees_the_blocks_and_the_details_but_cannot_write(qtbot, counsellor, coordinator, people,
                                                                        room):
    from ui.qt import Qt

    sid = plan(counsellor, people[0], 2, 14, room=room)
    page = open_page(qtbot, coordinator)
    assert page.counsellor.currentText() == "Leila Berrada"
    assert page.plan_button.isHidden() and not page.calendar.can_plan
    calendar = page.calendar
    assert [b.view.session_id for b in calendar.blocks] == [sid]
    # A free slot clicked: nothing to plan.
    qtbot.mouseClick(calendar.viewport(), Qt.LeftButton, pos=calendar.slot_point(0, 9 * 60))
    assert page.plan_dialog is None
    # Dragging does not move; Ctrl+arrows say why.
    drag(qtbot, calendar, calendar.slot_point(2, 14 * 60), calendar.slot_point(3, 15 * 60))
    assert calendar.pending == {} and page.message.isHidden()
    calendar.set_cursor(2, 14 * 60)
    qtbot.keyClick(calendar, Qt.Key_Down, Qt.ControlModifier)
    assert page.message.text() == "Only the session's counsellor can change it."
    qtbot.keyClick(calendar, Qt.Key_Return)
    dialog = page.session_dialog
    qtbot.waitExposed(dialog)
    assert "Leila Berrada" in dialog.values["counsellor"].text()
    assert "50 minutes" in dialog.values["when"].text()
    assert "Fatima Zahra Benali" in dialog.values["residents"].text()
    for button in (dialog.held_button, dialog.no_show_button, dialog.planned_button, dialog.cancel_button,
                   dialog.notes_button):
        assert not button.isVisible()
    assert starts(counsellor, sid).strftime("%H:%M") == "14:00"


def test_the_resident_file_lists_her_sessions(qtbot, counsellor, coordinator, people, room, monkeypatch):
    from ui.qt import Qt

    fatima = people[0]
    plan(counsellor, fatima, 1, 10, room=room)
    held = sessions.plan_session(counsellor, SessionInput(
        counsellor.actor.account_id, "individual", (fatima,), from_local(NEXT_MONDAY - timedelta(days=14),
                                                                          time(9, 30)), 45,
        mode="phone")).session_ids[0]
    sessions.set_outcome(counsellor, held, "held")
    dialog = open_file(qtbot, counsellor, fatima)
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert titles.index("Sessions") == titles.index("Care plan") + 1
    tab = dialog.page("sessions")
    rows = [[tab.table.item(r, c).text().strip("\u2066\u2069") for c in range(7)]
            for r in range(tab.table.rowCount())]
    assert rows == [
        [(NEXT_MONDAY + timedelta(days=1)).isoformat(), "10:00–10:50", "50 minutes", "Individual", "Salle d'écoute",
         "Leila Berrada", "Planned"],
        [(NEXT_MONDAY - timedelta(days=14)).isoformat(), "09:30–10:15", "45 minutes", "Individual", "By phone",
         "Leila Berrada", "Held"],
    ]
    opened = notes_opened(monkeypatch)
    tab.table.selectRow(0)
    assert not tab.notes_button.isEnabled()  # not held yet
    tab.table.selectRow(1)
    qtbot.mouseClick(tab.notes_button, Qt.LeftButton)
    assert opened == [held]
    # A coordinator reads the list, without the notes.
    other = open_file(qtbot, coordinator, fatima)
    assert other.page("sessions").table.rowCount() == 2
    assert other.page("sessions").notes_button.isHidden()
    # A change to her sessions shows in the open file.
    plan(counsellor, fatima, 3, 16, room=room)
    from shelter.domain.changes import SessionsChanged
    from ui.qt import publish

    qtbot.wait(1)
    publish(SessionsChanged((), (fatima,)))
    qtbot.waitUntil(lambda: dialog.page("sessions").table.rowCount() == 3, timeout=5000)


def test_in_arabic_the_days_run_from_right_to_left(qtbot, interface, counsellor, people, room):  # noqa: F811
    interface.apply("ar")
    sid = plan(counsellor, people[0], 0, 10, room=room)
    page = open_page(qtbot, counsellor)
    calendar = page.calendar
    assert calendar.isRightToLeft()
    monday, sunday = calendar.column_x(0), calendar.column_x(6)
    assert monday > sunday  # Monday's column is the rightmost
    assert calendar.shown_rect(sid).left() >= monday
    assert calendar.slot_point(0, 10 * 60).x() > calendar.width() / 2
    # Left goes to the next day, as the eye reads.
    from ui.qt import Qt

    calendar.setFocus()
    calendar.set_cursor(0, 9 * 60)
    qtbot.keyClick(calendar, Qt.Key_Left)
    assert calendar.cursor == (1, 9 * 60)
    assert calendar.cell_at(calendar.slot_point(6, 12 * 60)) == (6, 12 * 60)


def test_a_room_is_added_and_shown_in_the_room_week(qtbot, counsellor, coordinator, people, room):
    from ui.qt import Qt

    page = open_page(qtbot, coordinator)
    assert page.rooms_button.isVisible()  # coordinators manage the shelters' rooms
    qtbot.mouseClick(page.rooms_button, Qt.LeftButton)
    dialog = page.rooms_dialog
    qtbot.waitExposed(dialog)
    assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == ["Salle d'écoute"]
    dialog.name.setText("salle d'écoute")
    qtbot.mouseClick(dialog.add_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.errors.label("name").isVisible(), timeout=5000)
    assert dialog.errors.label("name").text() == "This shelter already has a room with this name."
    dialog.name.setText("Bureau de la psychologue")
    qtbot.keyClick(dialog.name, Qt.Key_Return)
    qtbot.waitUntil(lambda: dialog.list.count() == 2, timeout=5000)
    dialog.close()
    loads = page.loads
    page.view_kind.setCurrentIndex(page.view_kind.findData("room"))
    qtbot.waitUntil(lambda: page.loads > loads, timeout=5000)
    assert page.room.isVisible() and not page.counsellor.isVisible()
    assert [page.room.itemText(i) for i in range(page.room.count())] == ["Bureau de la psychologue",
                                                                          "Salle d'écoute"]
    # A session in a room shows in that room's week.
    sid = plan(counsellor, people[0], 4, 9, room=room)
    from shelter.domain.changes import SessionsChanged
    from ui.qt import publish

    page.room.setCurrentIndex(page.room.findData(room))
    qtbot.wait(1)
    publish(SessionsChanged((sid,), (people[0],)))
    reloaded(qtbot, page, lambda c: [b.view.session_id for b in c.blocks] == [sid])


def test_a_coordinator_breaks_the_glass_from_the_file_and_a_counsellor_reads_all(qtbot, counsellor, coordinator,
                                                                                  people, room):
    from shelter.services import notes

    fatima = people[0]
    held = sessions.plan_session(counsellor, SessionInput(
        counsellor.actor.account_id, "individual", (fatima,), from_local(NEXT_MONDAY - timedelta(days=14),
                                                                          time(9, 30)), 45, mode="phone")).session_ids[0]
    sessions.set_outcome(counsellor, held, "held")
    notes.save_draft(counsellor, held, "dap", {"data": "Synthetic note", "assessment": "", "plan": ""})
    tab = open_file(qtbot, coordinator, fatima).page("sessions")
    assert not tab.glass_button.isHidden() and tab.all_notes_button.isHidden() and tab.notes_button.isHidden()
    tab.glass_button.click()
    qtbot.waitUntil(lambda: getattr(tab, "glass_dialog", None) is not None and tab.glass_dialog.isVisible(),
                    timeout=3000)
    tab.glass_dialog.reject()
    own = open_file(qtbot, counsellor, fatima).page("sessions")
    assert own.glass_button.isHidden() and not own.all_notes_button.isHidden()
