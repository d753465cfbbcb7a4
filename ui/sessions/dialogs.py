"""The dialogs of the Sessions section: planning a session (once, or weekly
until a date), a session's details with what its counsellor may do (mark it
held, or that the resident did not come, cancel it, open its notes),
cancelling (who cancelled and why, with the rest of a weekly series if
asked), and the rooms where sessions are held.

Every refusal of the services shows beside the field it names (kind, mode,
residents, relatives, minutes, room, counsellor, starts_at, until,
cancelled_by, reason, name), what was typed stays, Escape with something
typed asks first, Enter saves. Writes run off the GUI thread and tell every
open screen what changed (``run_change``). A person who may only see
sessions (VIEW_SESSIONS) gets the details — who, when, how long — and
never a button that writes, nor any note.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, time

from shelter.domain.changes import SessionsChanged
from shelter.domain.dates import format_date, format_time
from shelter.domain.people import display_name
from shelter.domain.sessions import MAX_MINUTES, MIN_MINUTES, from_local, local
from shelter.domain.vocabulary import CANCELLED_BY, G_, SESSION_KIND, SESSION_MODE
from shelter.errors import ShelterError
from shelter.i18n import _, direction_mark, isolate, list_text, ngettext
from shelter.security.permissions import Permission
from shelter.services import residents, sessions
from shelter.services.residents import ResidentRow
from shelter.services.sessions import Counsellor, RoomView, SessionInput, SessionView
from shelter.store import SignedIn
from ui.qt import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    Qt,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
    error_text,
    run_change,
    run_task,
)
from ui.residents.file import about
from ui.sessions.calendar import cancel_text, names_text, resident_sex, status_text, when_text, where_text
from ui.widgets import ErrorLabel, FieldErrors, fit_to_screen, paragraph, scrolled
from ui.widgets.dates import DateField, TimeField
from ui.widgets.guard import DiscardGuard

DEFAULT_MINUTES = 50
SEARCH_LIMIT = 50
MAX_WIDTH, MAX_HEIGHT = 1280, 720  # fits a 1366×768 screen with the taskbar


def open_notes(parent: QWidget, who: SignedIn, view: SessionView) -> None:
    """The session's notes (the notes screens are ``ui.sessions.notes``)."""
    from ui.sessions.notes import open_session_notes

    open_session_notes(parent, who, view)


def may_read_notes(who: SignedIn, view: SessionView) -> bool:
    return who.actor.has(Permission.READ_CONFIDENTIAL_NOTES) and view.status == "held"


def fit(dialog: QDialog, content: QWidget, extra: int = 120, least: int = 560) -> None:
    """As large as the form asks, never more than the screen leaves (it scrolls then)."""
    hint = content.sizeHint()
    width, height = max(hint.width() + 60, least), hint.height() + extra
    fit_to_screen(dialog, min(width, MAX_WIDTH - 200), min(height, MAX_HEIGHT - 40))


class FormDialog(QDialog):
    """A scrolled form with its general error line and Cancel / save buttons."""

    def __init__(self, title: str, save_text: str, parent: QWidget | None = None,
                 cancel_text: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.change: SessionsChanged | None = None
        self.error = ErrorLabel()
        self.errors = FieldErrors(self.error)
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.WrapLongRows)
        self.form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.content = QWidget()
        self.columns = QHBoxLayout(self.content)
        self.columns.setSpacing(24)
        self.columns.addLayout(self.form, 1)
        scroll = scrolled(self.content, horizontal=False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Cancel).setText(cancel_text or _("Cancel"))
        self.save_button = self.buttons.addButton(save_text, QDialogButtonBox.AcceptRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(lambda: self.guard.leave())
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.save_button.setDefault(True)

    def side_form(self) -> QFormLayout:
        """A second column of fields (beside the first, after it in reading order)."""
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.columns.addLayout(form, 1)
        return form

    def row(self, text: str, field: QWidget, *names: str, focus: QWidget | None = None,
            form: QFormLayout | None = None) -> QWidget:
        label = QLabel(text)
        label.setBuddy(focus or field)
        label.setWordWrap(True)
        holder = self.errors.field(field, *names, focus=focus) if names else field
        (form or self.form).addRow(label, holder)
        return holder

    def finish(self, least: int = 560) -> None:
        """Once the fields are in: what they show now means "nothing typed"."""
        self.guard = DiscardGuard(self)
        fit(self, self.content, self.buttons.sizeHint().height() + 100, least)

    def work(self) -> Callable[[], SessionsChanged]:
        raise NotImplementedError

    def submit(self) -> None:
        self.errors.clear()
        try:
            work = self.work()
        except ShelterError as exc:
            self.errors.show_error(exc)
            return
        self.task = run_change(self, work, self._done, self.errors.show_error, busy=self)

    def _done(self, change: SessionsChanged) -> None:
        self.change = change
        self.accept()


# -- choosing residents ---------------------------------------------------------------------------

SHORT_ROLE = Qt.UserRole + 1  # the name and case number alone, for the line of those chosen


def person_text(row: ResidentRow) -> str:
    return _("{name} ({case_number})").format(name=isolate(row.name), case_number=isolate(row.case_number))


def row_text(row: ResidentRow) -> str:
    text = person_text(row)
    return _("{person} · {bed}").format(person=text, bed=isolate(row.bed)) if row.bed else text


class ResidentPicker(QWidget):
    """Search as you type (name in either script, or case number) and tick
    the resident — or, for a group, the residents. The people chosen stay
    chosen while the search changes; they are listed under the results."""

    changed = Signal()

    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.multiple = False
        self.chosen: dict[int, str] = {}  # resident id -> how the list shows her or him, in the order chosen
        self.searches = 0  # answered (for tests)
        self._asked = 0
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(_("Name or case number"))
        self.search.setAccessibleName(_("Search residents"))
        self.search.setClearButtonEnabled(True)
        self.include_left = QCheckBox(_("Include people who have le&ft"), self)
        self.results = QListWidget(self)
        self.results.setAccessibleName(_("Residents found"))
        self.results.setMinimumHeight(110)
        self.results.setMaximumHeight(170)
        self.results.setUniformItemSizes(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)  # a long name is elided, whole in its tooltip
        self.results.setTextElideMode(Qt.ElideRight)
        self.results.setResizeMode(QListWidget.Adjust)
        self.note = paragraph(self, "muted")
        self.chosen_label = paragraph(self)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.search)
        column.addWidget(self.include_left)
        column.addWidget(self.results)
        column.addWidget(self.note)
        column.addWidget(self.chosen_label)
        self.setFocusProxy(self.search)
        self.search.textChanged.connect(self.find)
        self.include_left.toggled.connect(self.find)
        self.results.itemChanged.connect(self._ticked)
        self.results.currentItemChanged.connect(self._current)
        self._show_chosen()
        self.find()

    def set_multiple(self, multiple: bool) -> None:
        self.multiple = multiple
        if not multiple and len(self.chosen) > 1:
            first = next(iter(self.chosen))
            self.chosen = {first: self.chosen[first]}
        self._show_ticks()
        self._show_chosen()

    def chosen_ids(self) -> tuple[int, ...]:
        return tuple(self.chosen)

    def choose(self, resident_id: int, text: str = "") -> None:
        """Tick ``resident_id`` as a person would (for a group, added to those chosen)."""
        if not self.multiple:
            self.chosen = {}
        self.chosen[resident_id] = text or self.chosen.get(resident_id, "") or self._text_of(resident_id)
        self._show_ticks()
        self._show_chosen()
        self.changed.emit()

    def _text_of(self, resident_id: int) -> str:
        for i in range(self.results.count()):
            item = self.results.item(i)
            if item.data(Qt.UserRole) == resident_id:
                return item.data(SHORT_ROLE) or item.text()
        return str(resident_id)

    def find(self) -> None:
        who, query = self.who, self.search.text()
        status = "all" if self.include_left.isChecked() else "in_residence"
        self._asked += 1
        asked = self._asked
        run_task(self, lambda: residents.search_residents(who, query, status=status, limit=SEARCH_LIMIT),
                 lambda rows: self._found(asked, rows), lambda exc: self._failed(asked, exc))

    def _found(self, asked: int, rows: list[ResidentRow]) -> None:
        if asked != self._asked:
            return  # an answer to an earlier search
        self.searches += 1
        self.results.blockSignals(True)
        self.results.clear()
        for row in rows:
            item = QListWidgetItem(row_text(row), self.results)
            item.setData(Qt.UserRole, row.resident_id)
            item.setData(SHORT_ROLE, person_text(row))
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if row.resident_id in self.chosen else Qt.Unchecked)
            item.setToolTip(item.text())
        self.results.blockSignals(False)
        if not rows:
            self.note.setText(_("Nobody found. Try part of the name in the other script, or the case number."))
        elif len(rows) >= SEARCH_LIMIT:
            self.note.setText(_("The first {n} found: type more of the name to narrow.").format(n=SEARCH_LIMIT))
        else:
            self.note.setText("")
        self.note.setVisible(bool(self.note.text()))

    def _failed(self, asked: int, exc: BaseException) -> None:
        if asked == self._asked:
            self.note.setText(error_text(exc))
            self.note.setVisible(True)

    def _ticked(self, item: QListWidgetItem) -> None:
        rid = item.data(Qt.UserRole)
        if item.checkState() == Qt.Checked:
            if not self.multiple:
                self.chosen = {}
            self.chosen[rid] = item.data(SHORT_ROLE) or item.text()
        else:
            self.chosen.pop(rid, None)
        self._show_ticks()
        self._show_chosen()
        self.changed.emit()

    def _current(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        """One resident: the one the arrows or a click land on is the one chosen."""
        if item is not None and not self.multiple and item.checkState() != Qt.Checked:
            item.setCheckState(Qt.Checked)

    def _show_ticks(self) -> None:
        self.results.blockSignals(True)
        for i in range(self.results.count()):
            item = self.results.item(i)
            item.setCheckState(Qt.Checked if item.data(Qt.UserRole) in self.chosen else Qt.Unchecked)
        self.results.blockSignals(False)

    def _show_chosen(self) -> None:
        if not self.chosen:
            text = _("Nobody chosen yet: tick the residents taking part.") if self.multiple \
                else _("Nobody chosen yet: tick the resident.")
        else:
            text = ngettext("Chosen: {names}", "Chosen ({n}): {names}", len(self.chosen)).format(
                n=len(self.chosen), names=list_text([isolate(t) for t in self.chosen.values()]))
        self.chosen_label.setText(text)


class RelativesEditor(QWidget):
    """The relatives taking part in a family session: a name and a relation per line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[QWidget, QLineEdit, QLineEdit]] = []
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(4)
        self.add_button = QPushButton(_("&Add a relative"), self)
        self.add_button.clicked.connect(lambda: self.add_row(focus=True))
        self.column.addWidget(self.add_button, 0, Qt.AlignLeading)
        self.add_row()
        self.setFocusProxy(self.rows[0][1])

    def add_row(self, name: str = "", relation: str = "", focus: bool = False) -> None:
        holder = QWidget(self)
        line = QHBoxLayout(holder)
        line.setContentsMargins(0, 0, 0, 0)
        name_edit = QLineEdit(name, holder)
        name_edit.setMaxLength(120)
        name_edit.setPlaceholderText(_("Name"))
        name_edit.setAccessibleName(_("Relative's name"))
        relation_edit = QLineEdit(relation, holder)
        relation_edit.setMaxLength(60)
        relation_edit.setPlaceholderText(_("Relation, e.g. mother"))
        relation_edit.setAccessibleName(_("Relation"))
        remove = QToolButton(holder)
        remove.setText(_("Remove"))
        remove.setAccessibleName(_("Remove this relative"))
        line.addWidget(name_edit, 3)
        line.addWidget(relation_edit, 2)
        line.addWidget(remove)
        entry = (holder, name_edit, relation_edit)
        remove.clicked.connect(lambda: self.remove_row(entry))
        self.rows.append(entry)
        self.column.insertWidget(len(self.rows) - 1, holder)
        if focus:
            name_edit.setFocus(Qt.OtherFocusReason)

    def remove_row(self, entry: tuple[QWidget, QLineEdit, QLineEdit]) -> None:
        if len(self.rows) == 1:
            entry[1].clear()
            entry[2].clear()
            return
        self.rows.remove(entry)
        entry[0].deleteLater()
        self.setFocusProxy(self.rows[0][1])

    def values(self) -> tuple[tuple[str, str], ...]:
        return tuple((n.text(), r.text()) for _h, n, r in self.rows if n.text().strip() or r.text().strip())


# -- planning -----------------------------------------------------------------------------------

def room_label(room: RoomView, shelter_names: dict[int, str]) -> str:
    if len(set(shelter_names)) > 1 and room.shelter_id in shelter_names:
        return _("{room} — {shelter}").format(room=isolate(room.name), shelter=isolate(shelter_names[room.shelter_id]))
    return room.name


class PlanDialog(FormDialog):
    """Plan a session with the signed-in counsellor, at the slot chosen in
    the calendar (or any other time typed), once or every week until a date."""

    def __init__(self, who: SignedIn, counsellor: Counsellor, day: date, at: time, rooms: list[RoomView],
                 shelter_names: dict[int, str], room_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(_("Plan a session"), _("&Plan"), parent)
        self.who = who
        self.counsellor = counsellor
        self.counsellor_label = QLabel(counsellor.name)
        self.counsellor_label.setTextFormat(Qt.PlainText)
        self.counsellor_label.setWordWrap(True)
        self.row(_("Counsellor:"), self.counsellor_label, "counsellor")

        self.kind = QComboBox()
        for code, label in SESSION_KIND.choices():
            self.kind.addItem(label, code)
        self.row(_("&Kind:"), self.kind, "kind")
        self.picker = ResidentPicker(who)
        self.residents_row = self.row(_("Resi&dents:"), self.picker, "residents", focus=self.picker.search)
        self.relatives = RelativesEditor()
        self.relatives_row = self.row(_("Re&latives taking part:"), self.relatives, "relatives",
                                      focus=self.relatives.rows[0][1])

        side = self.side = self.side_form()
        self.mode = QComboBox()
        for code, label in SESSION_MODE.choices():
            self.mode.addItem(label, code)
        self.row(_("&How:"), self.mode, "mode", form=side)
        self.room = QComboBox()
        self.room.addItem(_("Choose the room"), None)
        for room in rooms:
            if room.active:
                self.room.addItem(room_label(room, shelter_names), room.room_id)
        active = [r for r in rooms if r.active]
        if room_id is None and len(active) == 1:
            room_id = active[0].room_id
        self.room.setCurrentIndex(max(0, self.room.findData(room_id)) if room_id is not None else 0)
        self.room_row = self.row(_("Meeting r&oom:"), self.room, "room", form=side)

        self.day = DateField("starts_at")
        self.day.set_value(day)
        self.time = TimeField("starts_at")
        self.time.setText(format_time(at))
        self.time.setAccessibleName(_("Time"))
        self.day.edit.setAccessibleName(_("Date"))
        when = QWidget()
        line = QHBoxLayout(when)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.day, 1)
        at_label = QLabel(_("&at"))
        at_label.setBuddy(self.time)
        line.addWidget(at_label)
        line.addWidget(self.time)
        line.addStretch(1)
        self.row(_("&Starts on:"), when, "starts_at", focus=self.day, form=side)
        self.minutes = QSpinBox()
        self.minutes.setRange(MIN_MINUTES, MAX_MINUTES)
        self.minutes.setSingleStep(5)
        self.minutes.setValue(DEFAULT_MINUTES)
        self.minutes.setAccessibleName(_("Length in minutes"))
        length = QWidget()
        line = QHBoxLayout(length)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.minutes)
        line.addWidget(QLabel(_("minutes")))
        line.addStretch(1)
        self.row(_("&Length:"), length, "minutes", focus=self.minutes, form=side)
        self.interpreter_language = QLineEdit()
        self.interpreter_language.setMaxLength(16)
        self.interpreter_language.setPlaceholderText(_("Language, e.g. Bambara"))
        self.interpreter_language.setAccessibleName(_("Interpreter's language"))
        self.interpreter_name = QLineEdit()
        self.interpreter_name.setMaxLength(200)
        self.interpreter_name.setPlaceholderText(_("Interpreter's name"))
        self.interpreter_name.setAccessibleName(_("Interpreter's name"))
        interpreter = QWidget()
        line = QHBoxLayout(interpreter)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.interpreter_language, 2)
        line.addWidget(self.interpreter_name, 3)
        self.row(_("&Interpreter:"), interpreter, "interpreter_language", "interpreter_name",
                 focus=self.interpreter_language, form=side)
        self.until = DateField("until", optional=True)
        self.until.edit.setPlaceholderText(_("once only"))
        self.until.setToolTip(_("Plan the same session every week, at the same hour, until this date"))
        self.row(_("&Weekly until:"), self.until, "until", focus=self.until, form=side)

        self.kind.currentIndexChanged.connect(self._kind_chosen)
        self.mode.currentIndexChanged.connect(self._mode_chosen)
        self._kind_chosen()
        self._mode_chosen()
        self.finish(least=1000)
        self.picker.search.setFocus(Qt.OtherFocusReason)

    def _kind_chosen(self) -> None:
        kind = self.kind.currentData()
        self.picker.set_multiple(kind == "group")
        self.form.setRowVisible(self.relatives_row, kind == "family")

    def _mode_chosen(self) -> None:
        self.side.setRowVisible(self.room_row, self.mode.currentData() == "in_person")

    def request(self) -> tuple[SessionInput, date | None]:
        start = from_local(self.day.value(), self.time.value())
        until = self.until.value()
        mode = self.mode.currentData()
        req = SessionInput(
            counsellor_id=self.counsellor.account_id, kind=self.kind.currentData(),
            resident_ids=self.picker.chosen_ids(), starts_at=start, minutes=self.minutes.value(), mode=mode,
            room_id=self.room.currentData() if mode == "in_person" else None,
            relatives=self.relatives.values() if self.kind.currentData() == "family" else (),
            interpreter_language=self.interpreter_language.text(), interpreter_name=self.interpreter_name.text())
        return req, until

    def work(self) -> Callable[[], SessionsChanged]:
        req, until = self.request()
        who = self.who
        self.planned = req
        if until is not None:
            return lambda: sessions.plan_weekly(who, req, until)
        return lambda: sessions.plan_session(who, req)


# -- a session ------------------------------------------------------------------------------------

class SessionDialog(QDialog):
    """A session's details; for its counsellor, what can be done with it."""

    def __init__(self, who: SignedIn, view: SessionView, name_form: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.view = view
        self.name_form = name_form
        self.own = who.actor.has(Permission.LOG_SESSION) and view.counsellor_id == who.actor.account_id
        self.cancel_dialog: CancelDialog | None = None
        self.setWindowTitle(_("Session on {date}").format(date=format_date(local(view.starts_at).date())))
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.WrapLongRows)
        self.form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.values: dict[str, QLabel] = {}
        content = QWidget()
        content.setLayout(self.form)
        self.content = content
        scroll = scrolled(content, horizontal=False)
        self.error = ErrorLabel()

        sex = resident_sex(view)
        self.held_button = QPushButton(_("Mark as &held"))
        self.no_show_button = QPushButton(about(sex, G_("Did &not come")))
        self.planned_button = QPushButton(_("Back to &planned"))
        self.planned_button.setToolTip(_("It was marked by mistake: the session is planned again"))
        self.cancel_button = QPushButton(_("&Cancel the session…"))
        self.notes_button = QPushButton(_("Open the no&tes…"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.Close)
        self.buttons.button(QDialogButtonBox.Close).setText(_("Close"))
        self.buttons.rejected.connect(self.reject)
        actions = QHBoxLayout()
        for button in (self.held_button, self.no_show_button, self.planned_button, self.cancel_button,
                       self.notes_button):
            actions.addWidget(button)
        actions.addStretch(1)
        self.held_button.clicked.connect(lambda: self.set_outcome("held"))
        self.no_show_button.clicked.connect(lambda: self.set_outcome("no_show"))
        self.planned_button.clicked.connect(lambda: self.set_outcome("planned"))
        self.cancel_button.clicked.connect(self.cancel)
        self.notes_button.clicked.connect(lambda: open_notes(self, self.who, self.view))

        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addLayout(actions)
        layout.addWidget(self.buttons)
        self.show_view(view)
        fit(self, content, 160, 620)

    def _value(self, key: str, label: str, text: str) -> None:
        mark = direction_mark()
        value = QLabel("\n".join(mark + line for line in text.split("\n")))
        value.setTextFormat(Qt.PlainText)
        value.setWordWrap(True)
        value.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.TextSelectableByKeyboard)
        value.setAccessibleName(label.rstrip(" :\u00a0"))
        self.values[key] = value
        self.form.addRow(QLabel(label), value)

    def show_view(self, view: SessionView) -> None:
        self.view = view
        while self.form.rowCount():
            self.form.removeRow(0)
        self.values = {}
        self._value("kind", _("Kind:"), SESSION_KIND.label(view.kind))
        self._value("when", _("When:"), _("{when} ({minutes})").format(
            when=when_text(view), minutes=ngettext("{n} minute", "{n} minutes", view.minutes).format(n=view.minutes)))
        self._value("counsellor", _("Counsellor:"), view.counsellor)
        people = "\n".join(_("{name} ({case_number})").format(
            name=isolate(display_name(a, self.name_form)), case_number=isolate(a.case_number))
            for a in view.attendees)
        self._value("residents", ngettext("Resident:", "Residents:", len(view.attendees)), people)
        if view.relatives:
            self._value("relatives", _("Relatives:"), "\n".join(
                _("{name} ({relation})").format(name=isolate(n), relation=isolate(r)) if r else n
                for n, r in view.relatives))
        self._value("where", _("Where:"), where_text(view) if view.mode != "in_person"
                    else _("{mode}, {room}").format(mode=SESSION_MODE.label(view.mode), room=isolate(view.room)))
        if view.interpreter_language or view.interpreter_name:
            self._value("interpreter", _("Interpreter:"), " · ".join(
                isolate(t) for t in (view.interpreter_language, view.interpreter_name) if t))
        if view.series_id is not None:
            self._value("series", _("Repeats:"), _("Every week at the same hour"))
        status = status_text(view)
        if view.status == "cancelled":
            status = _("{status}. {why}").format(status=status, why=cancel_text(view))
        self._value("status", _("Status:"), status)
        self._show_buttons()

    def _show_buttons(self) -> None:
        status = self.view.status
        self.held_button.setVisible(self.own and status in ("planned", "no_show"))
        self.no_show_button.setVisible(self.own and status in ("planned", "held"))
        self.planned_button.setVisible(self.own and status in ("held", "no_show"))
        self.cancel_button.setVisible(self.own and status == "planned")
        self.notes_button.setVisible(may_read_notes(self.who, self.view))

    def set_outcome(self, status: str) -> None:
        self.error.set_message("")
        who, sid = self.who, self.view.session_id
        self.task = run_change(self, lambda: sessions.set_outcome(who, sid, status),
                               lambda _change: self.show_view(replace(self.view, status=status)),
                               lambda exc: self.error.set_message(error_text(exc)), busy=self)

    def cancel(self) -> None:
        self.error.set_message("")
        self.cancel_dialog = CancelDialog(self.who, self.view, self)
        self.cancel_dialog.accepted.connect(self._cancelled)
        self.cancel_dialog.open()

    def _cancelled(self) -> None:
        dialog = self.cancel_dialog
        if dialog is not None and dialog.cancelled is not None:
            by, why = dialog.cancelled
            self.show_view(replace(self.view, status="cancelled", cancelled_by=by, cancel_reason=why))


class CancelDialog(FormDialog):
    """Who cancelled, why, and (in a weekly series) whether the weeks after go too."""

    def __init__(self, who: SignedIn, view: SessionView, parent: QWidget | None = None) -> None:
        super().__init__(_("Cancel the session"), _("Cancel the &session"), parent, cancel_text=_("&Keep it"))
        self.who = who
        self.view = view
        self.cancelled: tuple[str, str] | None = None
        summary = QLabel(_("{when} · {kind} · {names}").format(
            when=when_text(view), kind=SESSION_KIND.label(view.kind), names=names_text(view, "full")))
        summary.setWordWrap(True)
        summary.setTextFormat(Qt.PlainText)
        self.form.addRow(summary)
        self.by = QComboBox()
        self.by.addItem(_("Choose who cancelled"), None)
        for code, label in CANCELLED_BY.choices(sex=resident_sex(view)):
            self.by.addItem(label, code)
        self.row(_("Cancelled &by:"), self.by, "cancelled_by")
        self.reason = QLineEdit()
        self.reason.setMaxLength(500)
        self.reason.setPlaceholderText(_("e.g. she has a hearing at the court that morning"))
        self.row(_("&Why:"), self.reason, "reason")
        self.whole_series = QCheckBox(_("And the &rest of the series (every week after this one)"))
        self.whole_series.setVisible(view.series_id is not None)
        if view.series_id is not None:
            self.form.addRow(self.whole_series)
        self.errors.add("session", self.error)
        self.finish()
        self.by.setFocus(Qt.OtherFocusReason)

    def work(self) -> Callable[[], SessionsChanged]:
        who, sid = self.who, self.view.session_id
        by, reason, whole = self.by.currentData() or "", self.reason.text(), self.whole_series.isChecked()
        self.cancelled = (by, " ".join(reason.split()))
        return lambda: sessions.cancel_session(who, sid, by, reason, whole_series=whole)


# -- rooms ----------------------------------------------------------------------------------------

class RoomsDialog(QDialog):
    """The rooms where sessions are held, and a new one for a shelter."""

    def __init__(self, who: SignedIn, shelter_names: dict[int, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.shelter_names = shelter_names
        self.added: list[RoomView] = []
        self.setWindowTitle(_("Rooms for sessions"))
        self.list = QListWidget()
        self.list.setAccessibleName(_("Rooms for sessions"))
        self.empty = paragraph(self, "muted")
        self.shelter = QComboBox()
        for shelter_id, name in shelter_names.items():
            self.shelter.addItem(name, shelter_id)
        self.name = QLineEdit()
        self.name.setMaxLength(80)
        self.name.setPlaceholderText(_("e.g. Listening room, first floor"))
        self.error = ErrorLabel()
        self.errors = FieldErrors(self.error)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.WrapLongRows)
        shelter_label = QLabel(_("&Shelter:"))
        shelter_label.setBuddy(self.shelter)
        form.addRow(shelter_label, self.errors.field(self.shelter, "shelter"))
        name_label = QLabel(_("&Name of the new room:"))
        name_label.setBuddy(self.name)
        form.addRow(name_label, self.errors.field(self.name, "name"))
        if len(shelter_names) <= 1:
            form.setRowVisible(0, False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Close)
        self.buttons.button(QDialogButtonBox.Close).setText(_("Close"))
        self.buttons.rejected.connect(self.reject)
        self.add_button = self.buttons.addButton(_("&Add the room"), QDialogButtonBox.ActionRole)
        self.add_button.clicked.connect(self.add)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Rooms:")))
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.add_button.setDefault(True)  # Enter adds: set once the button is in this dialog
        self.resize(560, 420)
        self.show_rooms()
        self.name.setFocus(Qt.OtherFocusReason)

    def show_rooms(self) -> None:
        try:
            found = sessions.rooms(self.who)
        except ShelterError as exc:
            self.empty.setText(exc.message)
            return
        self.list.clear()
        for room in found:
            text = room_label(room, self.shelter_names)
            if not room.active:
                text = _("{room} (no longer in use)").format(room=text)
            self.list.addItem(text)
        self.empty.setText(_("No room yet: sessions in person need one.") if not found else "")
        self.empty.setVisible(not found)

    def add(self) -> None:
        self.errors.clear()
        who, shelter_id, name = self.who, self.shelter.currentData(), self.name.text()
        if shelter_id is None:
            self.errors.show(_("Choose the shelter."), "shelter")
            return
        QApplication.setOverrideCursor(Qt.BusyCursor)
        self.add_button.setEnabled(False)

        def always(_value: object) -> None:
            QApplication.restoreOverrideCursor()

        self.task = run_task(self, lambda: sessions.add_room(who, shelter_id, name), self._added, self._failed,
                             always=always)

    def _added(self, room: RoomView) -> None:
        self.add_button.setEnabled(True)
        self.added.append(room)
        self.name.clear()
        self.show_rooms()
        self.name.setFocus(Qt.OtherFocusReason)

    def _failed(self, exc: BaseException) -> None:
        self.add_button.setEnabled(True)
        self.errors.show_error(exc)
