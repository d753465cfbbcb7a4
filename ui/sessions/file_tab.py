"""The "Sessions" tab of the resident's file: her counselling sessions,
newest first — date, time, length, kind, how, counsellor and what became of
each (a cancelled one says who cancelled and why in its tooltip). Everyone
who may see sessions (VIEW_SESSIONS) reads the list; a counsellor also opens
the notes of a held session from here (``ui.sessions.notes``). What was said
is never shown in this tab.

Registered by importing this module (``ui.care.tabs`` does, after the care
plan's tab); read again whenever the file is (a ``SessionsChanged`` names
the residents of the session, so the open file reloads)."""

from __future__ import annotations

from shelter.domain.dates import format_date
from shelter.domain.sessions import local
from shelter.domain.vocabulary import SESSION_KIND, SESSION_MODE, SESSION_STATUS
from shelter.errors import ShelterError
from shelter.i18n import N_, _, ngettext
from shelter.security.permissions import Permission
from shelter.services import sessions
from shelter.services.residents import ResidentFile
from shelter.services.sessions import SessionView
from shelter.store import SignedIn
from ui.qt import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    Qt,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from ui.residents.file import FileTab, register_tab
from ui.sessions.calendar import cancel_text, ltr, session_text, time_range
from ui.sessions.dialogs import may_read_notes, open_notes
from ui.widgets import paragraph
from ui.widgets.views import RowTable

HEADERS = (N_("Date"), N_("Time"), N_("Length"), N_("Kind"), N_("How"), N_("Counsellor"), N_("Status"))


class SessionsTab(QWidget):
    def __init__(self, file: ResidentFile, who: SignedIn | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.file = file
        self.sessions: list[SessionView] = []
        self.count = paragraph(self, "muted")
        self.table = RowTable(0, len(HEADERS), self)
        self.table.setAccessibleName(_("Sessions"))
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.Interactive)  # a room's long name is elided, whole in its tooltip
        header.resizeSection(4, 170)
        header.setSectionResizeMode(5, QHeaderView.Stretch)
        self.table.setTextElideMode(Qt.ElideRight)
        self.notes_button = QPushButton(_("Open the &notes…"), self)
        self.notes_button.setToolTip(_("The notes of the session selected (a held session)"))
        self.notes_button.setVisible(who is not None and who.actor.has(Permission.READ_CONFIDENTIAL_NOTES))
        self.notes_button.setEnabled(False)
        self.notes_button.clicked.connect(self.open_notes)
        self.all_notes_button = QPushButton(_("&All the resident's notes…"), self)
        self.all_notes_button.setToolTip(_("Every note and risk screen of this resident, newest first"))
        self.all_notes_button.setVisible(who is not None and who.actor.has(Permission.READ_CONFIDENTIAL_NOTES))
        self.all_notes_button.clicked.connect(self.show_all_notes)
        # An emergency reading, for a coordinator: the dialog asks why, for how
        # long, and the recovery code; the counsellors are told.
        self.glass_button = QPushButton(_("&Break the glass…"), self)
        self.glass_button.setToolTip(_("Read this resident's counselling notes in an emergency: your reason is "
                                       "recorded and every counsellor is told"))
        self.glass_button.setVisible(who is not None and who.actor.has(Permission.BREAK_THE_GLASS)
                                     and not who.actor.has(Permission.READ_CONFIDENTIAL_NOTES))
        self.glass_button.clicked.connect(self.break_glass)
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.activated.connect(lambda _index: self.open_notes())
        buttons = QHBoxLayout()
        buttons.addWidget(self.notes_button)
        buttons.addWidget(self.all_notes_button)
        buttons.addStretch(1)
        buttons.addWidget(self.glass_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(16, 12, 16, 12)
        column.addWidget(self.count)
        column.addWidget(self.table, 1)
        column.addLayout(buttons)
        self.show_file(file)

    def show_file(self, file: ResidentFile) -> None:
        self.file = file
        self.sessions = []
        if self.who is not None:
            try:
                self.sessions = sessions.resident_sessions(self.who, file.resident_id)
            except ShelterError as exc:
                self.count.setText(exc.message)
                self.table.setRowCount(0)
                self.table.hide()
                return
        self.table.setVisible(bool(self.sessions))
        held = sum(v.status == "held" for v in self.sessions)
        self.count.setText(_("No session yet.") if not self.sessions else _("{sessions}, {held}.").format(
            sessions=ngettext("{n} session", "{n} sessions", len(self.sessions)).format(n=len(self.sessions)),
            held=ngettext("{n} held", "{n} held", held).format(n=held)))
        self.table.setRowCount(len(self.sessions))
        for row, view in enumerate(self.sessions):
            start = local(view.starts_at)
            status = SESSION_STATUS.label(view.status, sex=file.sex)
            cancelled = cancel_text(view)
            texts = (ltr(format_date(start.date())), time_range(view),
                     ngettext("{n} minute", "{n} minutes", view.minutes).format(n=view.minutes),
                     SESSION_KIND.label(view.kind),
                     view.room if view.mode == "in_person" and view.room else SESSION_MODE.label(view.mode),
                     view.counsellor, status)
            tip = session_text(view, "full")
            for col, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(cancelled if col == 6 and cancelled else tip)
                self.table.setItem(row, col, item)
        self._selected()

    def selected(self) -> SessionView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.sessions[rows[0].row()] if rows and rows[0].row() < len(self.sessions) else None

    def _selected(self) -> None:
        view = self.selected()
        self.notes_button.setEnabled(view is not None and self.who is not None and may_read_notes(self.who, view))

    def open_notes(self) -> None:
        view = self.selected()
        if view is not None and self.who is not None and may_read_notes(self.who, view):
            open_notes(self, self.who, view)

    def show_all_notes(self) -> None:
        if self.who is not None:
            from ui.sessions.glass import show_resident_notes

            self.notes_viewer = show_resident_notes(self, self.who, self.file.resident_id, self.file.case_number)

    def break_glass(self) -> None:
        if self.who is not None:
            from ui.sessions.glass import open_break_glass

            self.glass_dialog = open_break_glass(self, self.who, self.file.resident_id, self.file.case_number)


register_tab(FileTab("sessions", N_("Sessions"), SessionsTab, Permission.VIEW_SESSIONS), after="care_plan")
