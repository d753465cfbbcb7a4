"""The Sessions section: the week of a counsellor (the signed-in
counsellor's own by default) or of a room, a week at a time.

A counsellor plans a session by clicking a free slot, or by moving the
calendar's cursor with the arrow keys and pressing Enter (or with "Plan a
session…"); moves her or his own planned sessions by dragging them or with
Ctrl+arrows then Enter; opens one with a double click or Enter to mark it
held, or that the resident did not come, to cancel it or open its notes.
A refusal (a counsellor, a resident or a room already taken then) is said
in the message bar above the calendar until the next action, and the block
goes back. Coordinators and social workers (VIEW_SESSIONS) see the blocks
and the details — who, when, how long — and nothing that writes.

The week is read off the GUI thread when the page is shown, when the week
or the view changes, and when a write names sessions
(``SessionsChanged`` on ``ui.qt.changes``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from shelter.domain.changes import SessionsChanged
from shelter.domain.dates import format_date, now_utc
from shelter.domain.sessions import local, week_of
from shelter.errors import ShelterError
from shelter.i18n import _, direction_mark
from shelter.security.permissions import Permission
from shelter.services import sessions, settings, shelters
from shelter.services.sessions import Counsellor, RoomView, SessionView
from shelter.store import SignedIn
from ui.qt import (
    LatestRead,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QShowEvent,
    QSizePolicy,
    Qt,
    QWidget,
    changes,
    error_text,
    run_change,
)
from ui.sessions.calendar import WeekView, ltr
from ui.sessions.dialogs import PlanDialog, RoomsDialog, SessionDialog, room_label
from ui.widgets import heading, page_layout, paragraph

COUNSELLOR_VIEW, ROOM_VIEW = "counsellor", "room"


@dataclass(frozen=True)
class Week:
    """What one read brought."""

    monday: date
    view: tuple[str, int | None]
    sessions: list[SessionView]
    name_form: str


class SessionsPage(QWidget):
    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.may_log = who.actor.has(Permission.LOG_SESSION)
        self.me = who.actor.account_id
        self.monday = week_of(local(now_utc()).date())[0]
        self.counsellor_list: list[Counsellor] = []
        self.room_list: list[RoomView] = []
        self.shelter_names: dict[int, str] = {}
        self.name_form = "full"
        self.loads = 0  # weeks read (for tests)
        self.read = LatestRead(self, self.refresh)
        self._stale = True
        self.plan_dialog: PlanDialog | None = None
        self.session_dialog: SessionDialog | None = None
        self.rooms_dialog: RoomsDialog | None = None

        self.title = heading("", 1, self)
        self.show_label = QLabel(self)
        self.view_kind = QComboBox(self)
        self.show_label.setBuddy(self.view_kind)
        self.counsellor_label = QLabel(self)
        self.counsellor = QComboBox(self)
        self.counsellor_label.setBuddy(self.counsellor)
        self.room_label = QLabel(self)
        self.room = QComboBox(self)
        self.room_label.setBuddy(self.room)
        for box in (self.counsellor, self.room):
            box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(18)
            box.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
            box.setMaximumWidth(360)
        self.rooms_button = QPushButton(self)
        self.rooms_button.setVisible(self.may_log or who.actor.has(Permission.MANAGE_SHELTERS))
        self.previous_button = QPushButton(self)
        self.this_week_button = QPushButton(self)
        self.next_button = QPushButton(self)
        self.range_label = QLabel(self)
        self.range_label.setObjectName("subtitle")
        self.plan_button = QPushButton(self)
        self.plan_button.setVisible(self.may_log)
        self.message = paragraph(self, "important")
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.message.hide()
        self.calendar = WeekView(self)
        self.calendar.own_id = self.me if self.may_log else None
        self.cursor_line = paragraph(self, "muted")
        # Two lines kept whatever it says: the calendar does not jump as the cursor moves.
        self.cursor_line.setFixedHeight(self.cursor_line.fontMetrics().lineSpacing() * 2 + 4)
        self.cursor_line.setAlignment(Qt.AlignLeading | Qt.AlignTop)

        top = QHBoxLayout()
        top.addWidget(self.show_label)
        top.addWidget(self.view_kind)
        top.addSpacing(8)
        top.addWidget(self.counsellor_label)
        top.addWidget(self.counsellor, 1)
        top.addWidget(self.room_label)
        top.addWidget(self.room, 1)
        top.addWidget(self.rooms_button)
        top.addStretch(0)
        weeks = QHBoxLayout()
        weeks.addWidget(self.previous_button)
        weeks.addWidget(self.this_week_button)
        weeks.addWidget(self.next_button)
        weeks.addSpacing(12)
        weeks.addWidget(self.range_label, 1)
        weeks.addWidget(self.plan_button)
        layout = page_layout(self)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addLayout(top)
        layout.addLayout(weeks)
        layout.addWidget(self.message)
        layout.addWidget(self.calendar, 1)
        layout.addWidget(self.cursor_line)

        self.view_kind.currentIndexChanged.connect(self._view_chosen)
        self.counsellor.currentIndexChanged.connect(lambda _i: self._choice_changed())
        self.room.currentIndexChanged.connect(lambda _i: self._choice_changed())
        self.rooms_button.clicked.connect(self.manage_rooms)
        self.previous_button.clicked.connect(lambda: self.go_to(self.monday - timedelta(days=7)))
        self.next_button.clicked.connect(lambda: self.go_to(self.monday + timedelta(days=7)))
        self.this_week_button.clicked.connect(lambda: self.go_to(week_of(local(now_utc()).date())[0]))
        self.plan_button.clicked.connect(self.plan_at_cursor)
        self.calendar.plan_requested.connect(self.plan)
        self.calendar.open_requested.connect(self.open_session)
        self.calendar.move_requested.connect(self.move)
        self.calendar.refused.connect(self.show_message)
        self.calendar.cursor_moved.connect(self.show_cursor)
        changes.changed.connect(self._changed)

        self.retranslate()
        self.load_choices()

    # -- texts ------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(_("Sessions"))
        self.show_label.setText(_("&Show:"))
        chosen = self.view_kind.currentData() or COUNSELLOR_VIEW
        self.view_kind.blockSignals(True)
        self.view_kind.clear()
        self.view_kind.addItem(_("A counsellor's week"), COUNSELLOR_VIEW)
        self.view_kind.addItem(_("A room's week"), ROOM_VIEW)
        self.view_kind.setCurrentIndex(max(0, self.view_kind.findData(chosen)))
        self.view_kind.blockSignals(False)
        self.counsellor_label.setText(_("&Counsellor:"))
        self.room_label.setText(_("Meeting r&oom:"))
        self.rooms_button.setText(_("&Rooms…"))
        self.rooms_button.setToolTip(_("The rooms where sessions are held; add one"))
        self.previous_button.setText(_("&Previous week"))
        self.this_week_button.setText(_("&This week"))
        self.next_button.setText(_("&Next week"))
        self.plan_button.setText(_("P&lan a session…"))
        self.plan_button.setToolTip(_("A session at the calendar's cursor (or click a free slot)"))
        self.calendar.setAccessibleName(_("Week calendar"))
        self.calendar.setToolTip("")
        self._show_range()
        self._show_view_kind()
        self.calendar.viewport().update()
        self.show_cursor(self.calendar.cursor_text())

    def show_cursor(self, text: str) -> None:
        """What the calendar's cursor is on, in words (as a screen reader hears it)."""
        self.cursor_line.setText(direction_mark() + text if text else "")
        self.cursor_line.setToolTip(text)

    def _show_range(self) -> None:
        sunday = self.monday + timedelta(days=6)
        self.range_label.setText(_("Week of {monday} to {sunday}").format(
            monday=ltr(format_date(self.monday)), sunday=ltr(format_date(sunday))))

    def _show_view_kind(self) -> None:
        rooms = self.view_kind.currentData() == ROOM_VIEW
        self.counsellor_label.setVisible(not rooms)
        self.counsellor.setVisible(not rooms)
        self.room_label.setVisible(rooms)
        self.room.setVisible(rooms)

    # -- choices ----------------------------------------------------------------------------------

    def load_choices(self) -> None:
        """The counsellors, the rooms and the shelters' names (small lists, read at once)."""
        try:
            self.counsellor_list = sessions.counsellors(self.who)
            self.room_list = sessions.rooms(self.who)
            self.shelter_names = {s.id: s.name for s in shelters.list_shelters(self.who) if s.active}
        except ShelterError as exc:
            self.show_message(exc.message)
            return
        chosen_counsellor = self.counsellor.currentData()
        if chosen_counsellor is None and any(c.account_id == self.me for c in self.counsellor_list):
            chosen_counsellor = self.me
        chosen_room = self.room.currentData()
        for box in (self.counsellor, self.room):
            box.blockSignals(True)
            box.clear()
        for c in self.counsellor_list:
            self.counsellor.addItem(c.name, c.account_id)
        for r in self.room_list:
            if r.active:
                self.room.addItem(room_label(r, self.shelter_names), r.room_id)
        self.counsellor.setCurrentIndex(max(0, self.counsellor.findData(chosen_counsellor)))
        self.room.setCurrentIndex(max(0, self.room.findData(chosen_room)))
        for box in (self.counsellor, self.room):
            box.blockSignals(False)

    def shown(self) -> tuple[str, int | None]:
        """Whose week is shown: ("counsellor", account id) or ("room", room id)."""
        if self.view_kind.currentData() == ROOM_VIEW:
            return ROOM_VIEW, self.room.currentData()
        return COUNSELLOR_VIEW, self.counsellor.currentData()

    def may_plan_here(self) -> bool:
        """Plans go to the signed-in counsellor: from her or his own week, or a room's."""
        kind, key = self.shown()
        return self.may_log and key is not None and (kind == ROOM_VIEW or key == self.me)

    def _view_chosen(self) -> None:
        self.clear_message()
        self._show_view_kind()
        self.refresh()

    def _choice_changed(self) -> None:
        self.clear_message()
        self.refresh()

    def go_to(self, monday: date) -> None:
        self.clear_message()
        self.monday = week_of(monday)[0]
        self._show_range()
        self.refresh()

    # -- reading ----------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        if self.who.locked:
            return
        self._stale = False
        who, monday, shown = self.who, self.monday, self.shown()

        def work() -> Week:
            kind, key = shown
            if key is None:
                found: list[SessionView] = []
            elif kind == ROOM_VIEW:
                found = sessions.week(who, monday, room_id=key)
            else:
                found = sessions.week(who, monday, counsellor_id=key)
            return Week(monday, shown, found, settings.get_settings(who).resident_name_form)

        self.read.start(work, self._loaded, self._failed,
                        lambda week: week.monday == self.monday and week.view == self.shown())

    def _loaded(self, week: Week) -> None:
        self.loads += 1
        self.name_form = week.name_form
        self.calendar.can_plan = self.may_plan_here()
        self.calendar.set_week(week.monday, week.sessions, week.name_form)
        self._show_emptiness()

    def _failed(self, exc: BaseException) -> None:
        self.show_message(error_text(exc))

    def _show_emptiness(self) -> None:
        kind, key = self.shown()
        if key is None:
            text = _("No room yet: add one with Rooms….") if kind == ROOM_VIEW \
                else _("There is no counsellor account yet.")
            self.show_cursor(text)
        else:
            self.show_cursor(self.calendar.cursor_text())
        self.plan_button.setEnabled(self.may_plan_here())

    def _changed(self, change: object) -> None:
        if not isinstance(change, SessionsChanged):
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    # -- the message bar ----------------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        """A refusal, kept until the next action."""
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def clear_message(self) -> None:
        self.show_message("")

    # -- planning -----------------------------------------------------------------------------------

    def plan_at_cursor(self) -> None:
        day, minute = self.calendar.cursor
        self.plan(self.monday + timedelta(days=day), time(minute // 60, minute % 60))

    def plan(self, day: date, at: time) -> None:
        self.clear_message()
        if not self.may_plan_here():
            return
        me = next((c for c in self.counsellor_list if c.account_id == self.me),
                  Counsellor(self.me, self.who.actor.display_name))
        kind, key = self.shown()
        self.plan_dialog = PlanDialog(self.who, me, day, at, self.room_list, self.shelter_names,
                                      room_id=key if kind == ROOM_VIEW else None, parent=self)
        dialog = self.plan_dialog
        dialog.accepted.connect(lambda: self._planned(dialog))
        dialog.open()

    def _planned(self, dialog: PlanDialog) -> None:
        planned = getattr(dialog, "planned", None)
        if planned is not None:
            monday = week_of(local(planned.starts_at).date())[0]
            if monday != self.monday:
                self.go_to(monday)  # the session is shown where it was planned
        self.calendar.setFocus(Qt.OtherFocusReason)

    # -- a session ----------------------------------------------------------------------------------

    def open_session(self, view: SessionView) -> None:
        self.clear_message()
        self.session_dialog = SessionDialog(self.who, view, self.name_form, self)
        self.session_dialog.finished.connect(lambda _r: self.calendar.setFocus(Qt.OtherFocusReason))
        self.session_dialog.open()

    def move(self, view: SessionView, start) -> None:  # noqa: ANN001  (aware datetime)
        self.clear_message()
        who, sid = self.who, view.session_id
        self.move_task = run_change(self, lambda: sessions.move_session(who, sid, start),
                                    lambda _change: self.calendar.move_done(sid),
                                    lambda exc: self._move_failed(sid, exc))

    def _move_failed(self, session_id: int, exc: BaseException) -> None:
        self.show_message(error_text(exc))
        self.calendar.move_failed(session_id)

    # -- rooms --------------------------------------------------------------------------------------

    def manage_rooms(self) -> None:
        self.clear_message()
        self.rooms_dialog = RoomsDialog(self.who, self.shelter_names, self)
        self.rooms_dialog.finished.connect(lambda _r: self._rooms_closed())
        self.rooms_dialog.open()

    def _rooms_closed(self) -> None:
        dialog = self.rooms_dialog
        self.load_choices()
        if dialog is not None and dialog.added and self.view_kind.currentData() == ROOM_VIEW \
                and self.room.currentData() is None:
            self.room.setCurrentIndex(max(0, self.room.findData(dialog.added[-1].room_id)))
        self.refresh()

