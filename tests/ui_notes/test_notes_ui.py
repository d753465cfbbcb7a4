"""Counselling notes on screen, through the real widgets on a real encrypted
store: a counsellor writes a note (saved as a draft by itself, switched
between DAP and SOAP without losing the shared parts), signs it and adds to
it; the risk screen with a high outcome alerts the coordinators on their
dashboard (only that a high risk was found); a coordinator breaks the glass
(reason and recovery code checked beside their fields), reads, and the
reading closes itself when its time is up; the counsellor is told at the
next sign-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import shiboken6

from shelter.security.permissions import Role
from shelter.services import accounts, admissions, notes, sessions
from shelter.services.sessions import SessionInput
from shelter.store import Store
from tests.cases import admission, audit_details, bed_ids
from tests.conftest import COUNSELLOR_PASSWORD
from tests.ui.conftest import interface, make_shell, sign_in  # noqa: F401  (the shell fixtures, used here too)
from ui.qt import QApplication, QDialog, Qt

SECRET = "Synthetic note: she spoke of the night in the boat"
REASON = "She has not come back tonight and the police ask whether she is at risk"
ALL_NO = dict.fromkeys(("wish_dead", "thoughts", "method", "intent", "plan", "behaviour", "self_harm"), False)


@pytest.fixture(autouse=True)
def _windows_closed(qapp, qtbot):
    yield
    for widget in QApplication.topLevelWidgets():
        if shiboken6.isValid(widget):
            if isinstance(widget, QDialog):
                widget.done(0)  # no "leave the form?" question at the end of a test
            else:
                widget.close()
            widget.deleteLater()
    qtbot.wait(1)


@pytest.fixture
def resident(coordinator):
    return admissions.admit(coordinator, admission(bed_ids(coordinator)[0])).resident_id


def plan(counsellor, resident, hours_ago=2, held=True):
    rooms = sessions.rooms(counsellor) or [sessions.add_room(counsellor, 1, "Salle d'écoute")]
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=hours_ago)
    made = sessions.plan_session(counsellor, SessionInput(counsellor.actor.account_id, "individual", (resident,),
                                                          start, 50, room_id=rooms[0].room_id))
    session_id = made.session_ids[0]
    if held:
        sessions.set_outcome(counsellor, session_id, "held")
    return next(v for v in sessions.resident_sessions(counsellor, resident) if v.session_id == session_id)


@pytest.fixture
def held(counsellor, resident):
    return plan(counsellor, resident)


def open_notes(qtbot, who, view):
    from ui.sessions.notes import open_session_notes

    window = open_session_notes(None, who, view)
    qtbot.waitUntil(lambda: window.loads >= 1, timeout=10_000)
    return window


def stored(counsellor, view):
    return next(n for n in notes.session_notes(counsellor, view.session_id)
                if n.author_id == counsellor.actor.account_id)


def write_note(counsellor, view, text=SECRET):
    notes.save_draft(counsellor, view.session_id, "dap", {"data": text, "assessment": "Calmer", "plan": "Next week"},
                     ["mental_health"], ["Ask the social worker about the lawyer"])


# -- writing ---------------------------------------------------------------------------------------

def test_a_note_saves_itself_then_is_signed_and_added_to(qtbot, counsellor, held, monkeypatch):
    from ui.sessions import notes as screen

    monkeypatch.setattr(screen.NoteWindow, "AUTOSAVE_SECONDS", 0.2)
    window = open_notes(qtbot, counsellor, held)
    assert window.editor.isVisible() and "Not saved yet" in window.status.text()
    qtbot.keyClicks(window.part_edit("data"), SECRET)
    qtbot.keyClicks(window.part_edit("plan"), "See her again on Thursday")
    window.topics["mental_health"].setChecked(True)
    qtbot.keyClicks(window.follow_ups, "Ask the social worker about the lawyer")
    # Nobody pressed Save: the draft is in the store (encrypted), read back by the service.
    qtbot.waitUntil(lambda: window.saves >= 1 and not window.dirty, timeout=10_000)
    note = stored(counsellor, held)
    assert note.parts["data"] == SECRET and note.parts["plan"] == "See her again on Thursday"
    assert note.topics == ("mental_health",) and note.signed_at is None
    assert "Draft saved at" in window.status.text()

    # Signing asks first (a signed note cannot be changed), then shows it read only.
    asked = []
    monkeypatch.setattr(screen, "confirm", lambda *args: asked.append(args[2]) or True)
    qtbot.keyClicks(window.part_edit("assessment"), "Calmer than last week")
    qtbot.mouseClick(window.sign_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.mine is not None and window.mine.signed_at is not None, timeout=10_000)
    assert "cannot be changed" in asked[0]
    assert stored(counsellor, held).parts["assessment"] == "Calmer than last week"  # typed just before signing
    assert not window.editor.isVisible() and window.signed.isVisible()
    assert window.addendum_button.isVisible() and not window.sign_button.isVisible()
    assert "proposed to the care plan" in " ".join(label.text() for label in window.signed.findChildren(
        screen.QLabel))

    qtbot.mouseClick(window.addendum_button, Qt.LeftButton)
    dialog = window.addendum_dialog
    qtbot.mouseClick(dialog.add_button, Qt.LeftButton)  # empty: refused beside the box
    qtbot.waitUntil(lambda: dialog.errors.label("addendum").isVisible(), timeout=10_000)
    qtbot.keyClicks(dialog.text, "She called back in the evening")
    qtbot.mouseClick(dialog.add_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.mine is not None and len(window.mine.addenda) == 1, timeout=10_000)
    assert [text for _when, _by, text in stored(counsellor, held).addenda] == ["She called back in the evening"]
    shown = " ".join(label.text() for label in window.signed.findChildren(screen.QLabel))
    assert "She called back in the evening" in shown and "Leila Berrada" in shown


def test_switching_from_dap_to_soap_keeps_the_parts_both_have(qtbot, counsellor, held):
    window = open_notes(qtbot, counsellor, held)
    qtbot.keyClicks(window.part_edit("data"), "What she said")
    qtbot.keyClicks(window.part_edit("assessment"), "Calmer")
    qtbot.keyClicks(window.part_edit("plan"), "Next week")
    window.format.setCurrentIndex(window.format.findData("soap"))
    assert window.part_edit("data") is None
    assert window.part_text("subjective") == "" and window.part_text("objective") == ""
    assert window.part_text("assessment") == "Calmer" and window.part_text("plan") == "Next week"
    qtbot.keyClicks(window.part_edit("subjective"), "She feels safer")
    qtbot.mouseClick(window.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.saves == 1, timeout=10_000)
    note = stored(counsellor, held)
    assert note.format == "soap"
    assert dict(note.parts) == {"subjective": "She feels safer", "objective": "", "assessment": "Calmer",
                                "plan": "Next week"}
    # Back to DAP: what was typed under "Data" is still there.
    window.format.setCurrentIndex(window.format.findData("dap"))
    assert window.part_text("data") == "What she said" and window.part_text("assessment") == "Calmer"


def test_closing_with_unsaved_changes_saves_first(qtbot, counsellor, held):
    window = open_notes(qtbot, counsellor, held)
    qtbot.keyClicks(window.part_edit("data"), SECRET)
    with qtbot.waitSignal(window.finished, timeout=10_000):
        window.close()
    assert stored(counsellor, held).parts["data"] == SECRET


def test_a_draft_opens_as_it_was_left_and_a_planned_session_asks_to_be_held(qtbot, counsellor, resident, held,
                                                                           monkeypatch):
    from ui.sessions import notes as screen

    write_note(counsellor, held)
    window = open_notes(qtbot, counsellor, held)
    assert window.part_text("data") == SECRET and window.topics["mental_health"].isChecked()
    assert window.follow_ups.toPlainText() == "Ask the social worker about the lawyer"
    assert "Draft saved" in window.status.text() and not window.dirty

    told = []
    monkeypatch.setattr(screen, "inform", lambda _parent, _title, text: told.append(text))
    planned = plan(counsellor, resident, hours_ago=-3, held=False)
    assert screen.open_session_notes(None, counsellor, planned) is None
    assert "held first" in told[0]


def test_a_counsellor_whose_access_is_not_ready_is_told_plainly(qtbot, admin, counsellor, held, store_dir):
    write_note(counsellor, held)
    accounts.create_account(admin, "omar", "Omar Naciri", [Role.COUNSELLOR], "green door slow river",
                            must_change_password=False)
    omar = Store(store_dir).sign_in("omar", "green door slow river")
    try:
        window = open_notes(qtbot, omar, held)
        assert window.banner.isVisible() and "not ready yet" in window.banner.text()
        assert not window.editor.isVisible() and not window.sign_button.isVisible()
        assert SECRET not in " ".join(label.text() for label in window.findChildren(type(window.banner)))
    finally:
        omar.lock("sign_out")


def test_another_counsellors_note_on_the_session_is_shown_read_only(qtbot, admin, counsellor, held, store_dir):
    write_note(counsellor, held)
    accounts.create_account(admin, "omar", "Omar Naciri", [Role.COUNSELLOR], "green door slow river",
                            must_change_password=False)
    omar = Store(store_dir).sign_in("omar", "green door slow river")
    # Leila, who holds the notes' key, gives it to Omar.
    notes.grant_access(counsellor, [p.holder for p in notes.pending_access(counsellor) if "Omar" in p.name])
    try:
        window = open_notes(qtbot, omar, held)
        assert not window.banner.isVisible(), window.banner.text()
        assert window.others.isVisible() and window.editor.isVisible()
        shown = " ".join(label.text() for label in window.others.findChildren(type(window.banner)))
        assert SECRET in shown and "Leila Berrada" in shown and "not signed yet" in shown
        assert not window.others.findChildren(type(window.follow_ups))  # nothing there to type into
        assert window.part_text("data") == ""  # his own note starts empty
    finally:
        omar.lock("sign_out")


# -- the risk screen and the coordinators' alert --------------------------------------------------

def test_a_high_risk_needs_an_action_and_alerts_the_coordinators(qtbot, counsellor, coordinator, held):
    from ui.dashboard.page import DashboardPage

    window = open_notes(qtbot, counsellor, held)
    qtbot.mouseClick(window.risk_button, Qt.LeftButton)
    dialog = window.risk_dialog
    assert not dialog.resident.isVisible()  # one resident: nothing to choose
    # The questions are about her ("herself"), agreed with the resident's sex where translated.
    assert "In the past month" in dialog.questions["wish_dead"].text()
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)  # nothing answered
    qtbot.waitUntil(lambda: dialog.errors.label("answers").isVisible(), timeout=10_000)
    assert "Answer every question" in dialog.errors.label("answers").text()
    for code, answer in {**ALL_NO, "thoughts": True, "intent": True}.items():
        (dialog.yes if answer else dialog.no)[code].click()
    assert "High risk" in dialog.outcome.text() and dialog.high_notice.isVisible()
    assert "coordinators will be told" in dialog.high_notice.text()
    dialog.action.setCurrentIndex(dialog.action.findData("none"))
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.errors.label("action").isVisible(), timeout=10_000)
    assert "needs an action" in dialog.errors.label("action").text()
    assert dialog.isVisible() and dialog.yes["intent"].isChecked()  # what was answered stays
    dialog.action.setCurrentIndex(dialog.action.findData("psychiatry"))
    qtbot.keyClicks(dialog.action_text, "Synthetic note: appointment on Monday")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(window.screens) == 1, timeout=10_000)
    assert window.screens[0].outcome == "high"

    case = held.attendees[0].case_number
    page = DashboardPage(coordinator)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitUntil(lambda: page.session_loads >= 1, timeout=10_000)
    assert page.alerts_box.isVisible()
    shown = " ".join(label.text() for label in page.alerts_box.findChildren(type(page.greeting)))
    assert f"A high risk was found for \u2068{case}\u2069, on " in shown
    assert "appointment" not in shown and "psychiatr" not in shown.lower()  # nothing more than that
    button = next(b for b in page.alerts_box.findChildren(type(window.risk_button)) if "Acknowledge" in b.text())
    qtbot.mouseClick(button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not page.alerts and not page.alerts_box.isVisible(), timeout=10_000)
    assert notes.open_alerts(coordinator) == []


def test_the_counsellors_dashboard_lists_todays_sessions(qtbot, counsellor, held, monkeypatch):
    from ui.dashboard.page import DashboardPage

    if held.starts_at.astimezone(sessions_zone()).date() != datetime.now(sessions_zone()).date():
        pytest.skip("the session planned two hours ago fell yesterday (just after midnight)")
    page = DashboardPage(counsellor)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitUntil(lambda: page.session_loads >= 1, timeout=10_000)
    assert [v.session_id for v in page.todays] == [held.session_id]
    shown = " ".join(label.text() for label in page.sessions_box.findChildren(type(page.greeting)))
    assert "Individual" in shown and "Held" in shown and held.attendees[0].case_number in shown
    assert not page.alerts_heading.isVisible()  # a counsellor gets no alerts
    button = next(b for b in page.sessions_box.findChildren(type(page.work_buttons["today"]))
                  if "notes" in b.text())
    qtbot.mouseClick(button, Qt.LeftButton)
    qtbot.waitUntil(lambda: page.notes_window.loads >= 1, timeout=10_000)
    assert page.notes_window.isVisible() and page.notes_window.editor.isVisible()


def sessions_zone():
    from shelter.domain.sessions import SHELTER_ZONE

    return SHELTER_ZONE


# -- breaking the glass ----------------------------------------------------------------------------

def break_glass(qtbot, coordinator, resident, case, reason, code, minutes=None):
    from ui.sessions.glass import open_break_glass

    dialog = open_break_glass(None, coordinator, resident, case)
    dialog.reason.setPlainText(reason)
    if minutes is not None:
        dialog.minutes.setValue(minutes)
    dialog.code.setText(code)
    qtbot.mouseClick(dialog.read_button, Qt.LeftButton)
    return dialog


def test_breaking_the_glass_reads_then_closes_when_the_time_is_up(qtbot, counsellor, coordinator, resident, held,
                                                                  recovery_code):
    write_note(counsellor, held)
    case = held.attendees[0].case_number
    dialog = break_glass(qtbot, coordinator, resident, case, "urgent", recovery_code)
    qtbot.waitUntil(lambda: dialog.errors.label("reason").isVisible(), timeout=10_000)
    assert "at least 20 characters" in dialog.errors.label("reason").text()
    assert dialog.reason.toPlainText() == "urgent"  # kept

    wrong = ("0" if recovery_code[0] != "0" else "1") + recovery_code[1:]
    dialog.reason.setPlainText(REASON)
    dialog.code.setText(wrong)
    qtbot.mouseClick(dialog.read_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.errors.label("recovery_code").isVisible(), timeout=10_000)
    assert "does not open" in dialog.errors.label("recovery_code").text()
    assert not dialog.errors.label("reason").isVisible() and resident not in coordinator.store.glass

    dialog.minutes.setValue(1)
    dialog.code.setText(recovery_code)
    qtbot.mouseClick(dialog.read_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.viewer is not None and dialog.viewer.loads >= 1, timeout=20_000)
    viewer = dialog.viewer
    assert SECRET in viewer.texts and viewer.countdown.isVisible()
    assert "ends in" in viewer.countdown.text()
    assert "\u20680:5" in viewer.countdown.text() or "\u20681:00" in viewer.countdown.text()  # a minute's reading
    assert "End the reading" in viewer.close_button.text()
    # The time runs out (faked, as the service tests do): the window closes and the reading ends.
    key, _until, reading, generation = coordinator.store.glass[resident]
    coordinator.store.glass[resident] = (key, datetime.now(UTC) - timedelta(seconds=1), reading, generation)
    with qtbot.waitSignal(viewer.finished, timeout=10_000):
        pass
    qtbot.waitUntil(lambda: bool(audit_details(coordinator, "notes.glass_end")), timeout=10_000)
    assert resident not in coordinator.store.glass
    assert [d["glass"] for _o, _r, d in audit_details(coordinator, "notes.glass_end")] == [reading]


def test_closing_the_notes_early_ends_the_reading(qtbot, counsellor, coordinator, resident, held, recovery_code):
    write_note(counsellor, held)
    dialog = break_glass(qtbot, coordinator, resident, held.attendees[0].case_number, REASON, recovery_code)
    qtbot.waitUntil(lambda: dialog.viewer is not None and dialog.viewer.loads >= 1, timeout=20_000)
    with qtbot.waitSignal(dialog.viewer.finished, timeout=10_000):
        qtbot.mouseClick(dialog.viewer.close_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(audit_details(coordinator, "notes.glass_end")), timeout=10_000)
    assert resident not in coordinator.store.glass


@pytest.fixture
def read_in_an_emergency(counsellor, coordinator, resident, held, recovery_code):
    write_note(counsellor, held)
    notes.break_glass(coordinator, resident, REASON, 20, recovery_code)
    notes.end_glass(coordinator, resident)
    return held


def test_the_notice_dialog_lists_each_reading_until_seen(qtbot, make_shell, store_dir,  # noqa: F811
                                                         read_in_an_emergency, counsellor):
    from ui.sessions.glass import GlassNoticeDialog

    shell = make_shell(store_dir)
    sign_in(qtbot, shell, "leila", COUNSELLOR_PASSWORD)

    def notice():
        return next((w for w in QApplication.topLevelWidgets()
                     if isinstance(w, GlassNoticeDialog) and shiboken6.isValid(w) and w.isVisible()), None)

    qtbot.waitUntil(lambda: notice() is not None, timeout=10_000)
    dialog = notice()
    case = read_in_an_emergency.attendees[0].case_number
    assert len(dialog.lines) == 1
    line = dialog.lines[0]
    assert "Salma Idrissi" in line and case in line and "20 minutes" in line and REASON in line
    with qtbot.waitSignal(dialog.finished, timeout=10_000):
        qtbot.mouseClick(dialog.seen_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: notes.glass_notices(counsellor) == [], timeout=10_000)


# -- on a 1366×768 screen ----------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_every_notes_window_fits_the_screen(qtbot, interface, lang, counsellor, coordinator,  # noqa: F811
                                            recovery_code):
    from tests.ui.test_fits_screen import LONG_ARABIC, LONG_LATIN, too_big
    from ui.dashboard.page import DashboardPage
    from ui.sessions.glass import BreakGlassDialog, GlassNoticeDialog, show_resident_notes
    from ui.sessions.notes import RiskScreenDialog

    resident = admissions.admit(coordinator, admission(bed_ids(coordinator)[0], LONG_LATIN, LONG_ARABIC)).resident_id
    view = plan(counsellor, resident, hours_ago=1)
    write_note(counsellor, view, SECRET + " " + "long words " * 80)
    notes.record_risk_screen(counsellor, view.session_id, resident, {**ALL_NO, "plan": True}, "psychiatry",
                             "Synthetic note: " + "appointment " * 30)
    case = view.attendees[0].case_number
    notes.break_glass(coordinator, resident, REASON + " " + "and more " * 20, 20, recovery_code)
    interface.apply(lang)
    windows = [open_notes(qtbot, counsellor, view), RiskScreenDialog(counsellor, view),
               BreakGlassDialog(coordinator, resident, case), GlassNoticeDialog(counsellor, notes.glass_notices(
                   counsellor) * 4), DashboardPage(coordinator), DashboardPage(counsellor)]
    viewer = show_resident_notes(None, coordinator, resident, case)
    qtbot.waitUntil(lambda: viewer.loads >= 1, timeout=10_000)
    windows.append(viewer)
    problems = []
    for window in windows:
        window.show()
        qtbot.wait(10)
        problems += [f"{lang}: {p}" for p in [too_big(window)] if p]
    assert problems == []
