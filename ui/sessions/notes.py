"""The counselling note of a held session, and the risk screen.

``open_session_notes(parent, who, session_view)`` opens the note window of a
held session (the calendar and the resident's Sessions tab call it). For a
counsellor it is the editor of her or his own note — DAP or SOAP, a box per
part, the topics, the follow-up actions (proposed to the care plan once the
note is signed), the risk screen — saved as a draft every
``NoteWindow.AUTOSAVE_SECONDS`` while something changed, off the GUI
thread: the draft is encrypted in the store, never written to a file.
Closing with unsaved changes saves first (or asks when saving fails). A
signed note is shown as it was signed, with its addenda; its author adds to
it. Other counsellors' notes on the same session are shown beside, read
only. When the counselling notes cannot be opened (``NotesLocked``: this
counsellor's access is not given yet), the window says so plainly and
nothing typed is lost.

The risk screen (``RiskScreenDialog``): the seven questions of
``RISK_QUESTIONS`` in the form agreed with the resident, each answered yes
or no, the outcome shown as it is answered, and what was done. A high
outcome alerts the coordinators that a high risk was found, never what was
said.

``note_card`` and ``screen_card`` show a note and a screen read only (the
emergency reading in ``ui.sessions.glass`` shows them too).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from shelter.domain.changes import Change, SessionsChanged
from shelter.domain.dates import format_date, format_time, now_utc
from shelter.domain.people import display_name
from shelter.domain.sessions import NOTE_PARTS, RISK_QUESTIONS, local, risk_outcome
from shelter.domain.vocabulary import (
    ASSESSMENT_DOMAIN,
    NOTE_FORMAT,
    NOTE_PART,
    RISK_ACTION,
    RISK_OUTCOME,
    SESSION_KIND,
    SESSION_STATUS,
)
from shelter.i18n import _, direction_mark, isolate, list_text, ngettext
from shelter.security.permissions import Permission as P
from shelter.services import notes
from shelter.services.notes import NoNotesYet, NotesLocked, NoteView, ScreenView
from shelter.services.sessions import Attendee, SessionView
from shelter.store import SignedIn
from ui.qt import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QShortcut,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    changes,
    error_text,
    publish,
    run_change,
    run_task,
)
from ui.residents.file import about
from ui.widgets import ErrorLabel, FieldErrors, fit_to_screen, heading, scrolled
from ui.widgets.guard import DiscardGuard

ERROR_COLOUR = "#a4262c"  # the stylesheet's error colour
MODERATE_COLOUR = "#6b4500"
MAX_WIDTH, MAX_HEIGHT = 1180, 720  # within a 1366×768 screen with its taskbar


# -- small helpers -----------------------------------------------------------------------

def when(at: datetime) -> str:
    """A moment on the shelter's wall clock: "2026-03-15 at 10:40"."""
    moment = local(at)
    return _("{date} at {time}").format(date=isolate(format_date(moment.date())), time=isolate(format_time(moment)))


def attendee_name(attendee: Attendee) -> str:
    return _("{name} ({case_number})").format(name=isolate(display_name(attendee, "full")),
                                              case_number=isolate(attendee.case_number))


def session_line(view: SessionView) -> str:
    """The session in one line: its day and hours, kind, the people in it and what became of it."""
    start, end = local(view.starts_at), local(view.ends_at)
    sex = view.attendees[0].sex if len(view.attendees) == 1 else None
    # The hours as one left-to-right unit, as on the calendar and the tab:
    # "09:00–10:00" reads the same in an Arabic line.
    hours = "\u2066" + f"{format_time(start)}–{format_time(end)}" + "\u2069"
    return direction_mark() + _("{date}, {hours} · {kind} · {people} · {status}").format(
        date=isolate(format_date(start.date())), hours=hours,
        kind=SESSION_KIND.label(view.kind), people=list_text([attendee_name(a) for a in view.attendees]),
        status=SESSION_STATUS.label(view.status, sex=sex))


def text_label(text: str, parent: QWidget | None = None, selectable: bool = True, name: str = "") -> QLabel:
    """A piece of a note: plain text, wrapped, in the direction it was written in."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.PlainText)
    if name:
        label.setObjectName(name)
    if selectable:
        label.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.TextSelectableByKeyboard)
    else:  # an emergency reading: read on the screen, not copied elsewhere
        label.setTextInteractionFlags(Qt.NoTextInteraction)
        label.setContextMenuPolicy(Qt.NoContextMenu)
    return label


def inform(parent: QWidget | None, title: str, text: str) -> None:
    """A short message the person acknowledges."""
    QMessageBox.information(parent, title, text)


def confirm(parent: QWidget | None, title: str, text: str, yes: str) -> bool:
    """Ask before something that cannot be undone; ``yes`` names the action."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    accept = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(_("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is accept


def _publish_change(value: object) -> None:
    if isinstance(value, Change):
        publish(value)


def discard(widget: QWidget) -> None:
    """Take a widget off the screen now (its deletion comes with the next events)."""
    widget.hide()
    widget.deleteLater()


def fit_window(window: QWidget, width: int = MAX_WIDTH, height: int = MAX_HEIGHT) -> None:
    """The notes' windows: at most MAX_WIDTH × MAX_HEIGHT by default."""
    fit_to_screen(window, width, height)


# -- a note and a screen, read only ---------------------------------------------------------

def note_card(note: NoteView, parent: QWidget | None = None, selectable: bool = True) -> QFrame:
    """A note as written: who wrote it and whether it is signed, its parts,
    topics and follow-up actions, then its addenda (date, author, text)."""
    card = QFrame(parent)
    card.setObjectName("card")
    column = QVBoxLayout(card)
    column.setSpacing(6)
    author = heading(_("{author} · {format}").format(author=isolate(note.author),
                                                      format=NOTE_FORMAT.label(note.format)), 2, card)
    column.addWidget(author)
    state = (_("Signed on {when}").format(when=when(note.signed_at)) if note.signed_at
             else _("Draft, not signed yet — saved on {when}").format(when=when(note.saved_at)))
    column.addWidget(text_label(direction_mark() + state, card, False, "muted"))
    for part in NOTE_PARTS.get(note.format, tuple(note.parts)):
        column.addWidget(text_label(NOTE_PART.label(part), card, False, "columnHeader"))
        text = note.parts.get(part, "")
        column.addWidget(text_label(text or _("(empty)"), card, selectable and bool(text), "" if text else "muted"))
    if note.topics:
        column.addWidget(text_label(_("Topics: {topics}").format(
            topics=list_text([ASSESSMENT_DOMAIN.label(t) for t in note.topics])), card, False))
    if note.follow_ups:
        header = (_("Follow-up actions, proposed to the care plan:") if note.signed_at
                  else _("Follow-up actions (proposed to the care plan once the note is signed):"))
        column.addWidget(text_label(header, card, False, "columnHeader"))
        for line in note.follow_ups:
            column.addWidget(text_label("• " + line, card, selectable))
    for written_at, by, text in note.addenda:
        column.addWidget(text_label(direction_mark() + _("Addendum of {when}, by {author}:").format(
            when=when(written_at), author=isolate(by)), card, False, "columnHeader"))
        column.addWidget(text_label(text, card, selectable))
    return card


def outcome_label(outcome: str, parent: QWidget | None = None) -> QLabel:
    """The outcome of a screen, high in the error colour."""
    label = QLabel(RISK_OUTCOME.label(outcome), parent)
    label.setTextFormat(Qt.PlainText)
    label.setWordWrap(True)
    colour = {"high": ERROR_COLOUR, "moderate": MODERATE_COLOUR}.get(outcome)
    label.setStyleSheet(f"color: {colour}; font-weight: 600;" if colour else "font-weight: 600;")
    return label


def screen_card(screen: ScreenView, sex: str | None, parent: QWidget | None = None,
                selectable: bool = True) -> QFrame:
    """A risk screen: when and by whom, its outcome, what was done, and the
    questions answered yes."""
    card = QFrame(parent)
    card.setObjectName("card")
    column = QVBoxLayout(card)
    column.setSpacing(4)
    column.addWidget(text_label(direction_mark() + _("Risk screen of {when}, by {author}").format(
        when=when(screen.screened_at), author=isolate(screen.author)), card, False, "columnHeader"))
    column.addWidget(outcome_label(screen.outcome, card))
    column.addWidget(text_label(_("Action taken: {action}").format(action=RISK_ACTION.label(screen.action)),
                                card, False))
    if screen.action_text:
        column.addWidget(text_label(screen.action_text, card, selectable))
    yes = [about(sex, text) for code, text in RISK_QUESTIONS if screen.answers.get(code)]
    column.addWidget(text_label(_("Answered yes:") if yes else _("Every question was answered no."), card, False,
                                "muted"))
    for question in yes:
        column.addWidget(text_label("• " + question, card, False))
    return card


# -- opening the notes of a session ------------------------------------------------------------

def open_session_notes(parent: QWidget | None, who: SignedIn, session_view: SessionView) -> QWidget | None:
    """The note window of a held session (for a counsellor), or a sentence
    saying why there is none. Returns the window shown, if any."""
    if session_view.status == "planned":
        inform(parent, _("Session notes"), _("A note is written once the session has been held: mark the session "
                                           "held first."))
        return None
    if session_view.status != "held":
        inform(parent, _("Session notes"), _("No note is written for a session that was not held."))
        return None
    if not who.actor.has(P.READ_CONFIDENTIAL_NOTES):
        inform(parent, _("Session notes"), _("Counselling notes are read by counsellors only. In an emergency, a "
                                           "coordinator can break the glass from the resident's file."))
        return None
    window = NoteWindow(who, session_view, parent)
    window.show()
    return window


def _first_note(exc: NotesLocked) -> bool:
    """Whether the notes are locked only because none was ever written (the
    first note makes the key): the counsellor can write."""
    return isinstance(exc, NoNotesYet)


class NoteWindow(QDialog):
    """The notes of one held session, for a counsellor: her or his own note
    (the editor, or the signed note with its addenda), the other
    counsellors' notes, and the session's risk screens."""

    AUTOSAVE_SECONDS: float = 30  # a draft is saved this often while something changed

    def __init__(self, who: SignedIn, session: SessionView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.who = who
        self.session = session
        self.notes: list[NoteView] = []
        self.mine: NoteView | None = None
        self.screens: list[ScreenView] = []
        self.loads = 0  # notes read so far (tests wait on it)
        self.saves = 0  # drafts saved so far
        self.can_write = who.actor.has(P.LOG_SESSION)
        self._loading = False
        self._load_again = False
        self._filled = False
        self._texts: dict[str, str] = {}
        self._edits: dict[str, QPlainTextEdit] = {}
        self._fmt = "dap"
        self._dirty = False
        self._revision = 0
        self._saving = False
        self._saved_at: datetime | None = None
        self._close_pending = False
        self._finishing = False
        self._focused = False
        start = local(session.starts_at)
        self.setWindowTitle(_("Session notes — {date} {time}").format(date=format_date(start.date()),
                                                                      time=format_time(start)))
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(16, 12, 16, 12)
        column.setSpacing(10)
        self.title = heading(_("Session notes"), 1, content)
        self.summary = text_label(session_line(session), content, False, "muted")
        self.confidential = text_label(_("Read by counsellors only: the notes are encrypted, and other staff see "
                                         "only that the session took place."), content, False, "muted")
        self.banner = text_label("", content, False, "important")
        self.banner.setVisible(False)
        self.loading = text_label(_("Opening the notes…"), content, False, "muted")
        for widget in (self.title, self.summary, self.confidential, self.banner, self.loading):
            column.addWidget(widget)

        # Other counsellors' notes on this session (a group held together).
        self.others_heading = heading(_("Other counsellors' notes on this session"), 2, content)
        self.others = QWidget(content)
        self.others_layout = QVBoxLayout(self.others)
        self.others_layout.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.others_heading)
        column.addWidget(self.others)

        # Her or his own note: signed (read only, with addenda), or the editor.
        self.own_heading = heading(_("Your note"), 2, content)
        column.addWidget(self.own_heading)
        self.signed = QWidget(content)
        self.signed_layout = QVBoxLayout(self.signed)
        self.signed_layout.setContentsMargins(0, 0, 0, 0)
        self.addendum_button = QPushButton(_("Add an &addendum…"), content)
        self.addendum_button.clicked.connect(self.add_addendum)
        self.signed_layout.addWidget(self.addendum_button, 0, Qt.AlignLeading)
        column.addWidget(self.signed)
        self.editor = self._build_editor(content)
        column.addWidget(self.editor)

        # The risk screens of this session.
        self.screens_heading = heading(_("Risk screens at this session"), 2, content)
        self.screens_box = QWidget(content)
        self.screens_layout = QVBoxLayout(self.screens_box)
        self.screens_layout.setContentsMargins(0, 0, 0, 0)
        self.risk_button = QPushButton(_("&Risk screen…"), content)
        self.risk_button.setToolTip(_("Self-harm and suicide risk screen"))
        self.risk_button.clicked.connect(self.risk_screen)
        column.addWidget(self.screens_heading)
        column.addWidget(self.screens_box)
        column.addWidget(self.risk_button, 0, Qt.AlignLeading)
        column.addStretch(1)

        self.status = text_label("", self, False, "muted")
        self.save_button = QPushButton(_("Save &draft"), self)
        self.save_button.clicked.connect(lambda: self.save_draft())
        self.sign_button = QPushButton(_("&Sign the note…"), self)
        self.sign_button.setObjectName("primary")
        self.sign_button.clicked.connect(self.sign)
        self.close_button = QPushButton(_("&Close"), self)
        self.close_button.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.sign_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(scrolled(content), 1)
        layout.addLayout(bottom)
        self.save_button.setDefault(True)

        for widget in (self.others_heading, self.others, self.own_heading, self.signed, self.editor,
                       self.screens_heading, self.screens_box, self.risk_button, self.save_button,
                       self.sign_button):
            widget.setVisible(False)
        self.timer = QTimer(self)
        self.timer.setInterval(int(self.AUTOSAVE_SECONDS * 1000))
        self.timer.timeout.connect(self._autosave)
        changes.changed.connect(self._changed)
        fit_window(self)
        self.load()

    # -- the editor ---------------------------------------------------------------------------

    def _build_editor(self, parent: QWidget) -> QWidget:
        editor = QWidget(parent)
        column = QVBoxLayout(editor)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        self.error = ErrorLabel(editor)
        self.errors = FieldErrors(self.error)
        self.format = QComboBox(editor)
        for code, label in NOTE_FORMAT.choices():
            self.format.addItem(label, code)
        self.format.currentIndexChanged.connect(self._format_changed)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.WrapLongRows)
        format_label = QLabel(_("&Format:"), editor)
        format_label.setBuddy(self.format)
        form.addRow(format_label, self.errors.field(self.format, "format"))
        column.addLayout(form)
        self.parts = QWidget(editor)
        self.parts_layout = QVBoxLayout(self.parts)
        self.parts_layout.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.errors.field(self.parts, "parts", focus=self.format))
        topics_label = QLabel(_("Topics of the session:"), editor)
        column.addWidget(topics_label)
        topics = QGridLayout()
        self.topics: dict[str, QCheckBox] = {}
        for index, (code, label) in enumerate(ASSESSMENT_DOMAIN.choices()):
            box = QCheckBox(label, editor)
            box.toggled.connect(self._touch)
            self.topics[code] = box
            topics.addWidget(box, index // 2, index % 2)
        column.addLayout(topics)
        follow_label = QLabel(_("Follow-&up actions, one a line:"), editor)
        self.follow_ups = QPlainTextEdit(editor)
        self.follow_ups.setTabChangesFocus(True)
        self.follow_ups.setPlaceholderText(_("e.g. Ask the social worker about a lawyer"))
        self.follow_ups.setFixedHeight(self.follow_ups.fontMetrics().lineSpacing() * 4 + 14)
        self.follow_ups.textChanged.connect(self._touch)
        follow_label.setBuddy(self.follow_ups)
        column.addWidget(follow_label)
        column.addWidget(self.follow_ups)
        column.addWidget(text_label(_("Once the note is signed, each line is proposed to the resident's care plan, "
                                      "for the social worker: write it so it can be shared."), editor, False,
                                    "muted"))
        column.addWidget(self.error)
        self._build_parts()
        return editor

    def _build_parts(self) -> None:
        while self.parts_layout.count():
            item = self.parts_layout.takeAt(0)
            if item.widget() is not None:
                discard(item.widget())
        self._edits = {}
        for part in NOTE_PARTS[self._fmt]:
            label = QLabel(_("{part}:").format(part=NOTE_PART.label(part)), self.parts)
            label.setObjectName("columnHeader")
            edit = QPlainTextEdit(self.parts)
            edit.setTabChangesFocus(True)
            edit.setAccessibleName(NOTE_PART.label(part))
            edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * 4 + 14)
            edit.setPlainText(self._texts.get(part, ""))
            edit.textChanged.connect(self._touch)
            label.setBuddy(edit)
            self.parts_layout.addWidget(label)
            self.parts_layout.addWidget(edit)
            self._edits[part] = edit
        self._fix_tab_order()

    def _fix_tab_order(self) -> None:
        """The parts are rebuilt when the format changes: Tab still follows the page."""
        if not hasattr(self, "close_button"):  # still being built
            return
        chain: list[QWidget] = [self.format, *self._edits.values(), *self.topics.values(), self.follow_ups,
                                self.addendum_button, self.risk_button, self.save_button, self.sign_button,
                                self.close_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _collect_texts(self) -> None:
        for part, edit in self._edits.items():
            self._texts[part] = edit.toPlainText()

    def _format_changed(self) -> None:
        fmt = self.format.currentData()
        if fmt is None or fmt == self._fmt:
            return
        self._collect_texts()  # a part both formats share keeps what was typed
        self._fmt = fmt
        self._build_parts()
        self._touch()

    def part_text(self, part: str) -> str:
        """What the box of ``part`` holds now (empty when the format has no such part)."""
        edit = self._edits.get(part)
        return edit.toPlainText() if edit is not None else ""

    def part_edit(self, part: str) -> QPlainTextEdit | None:
        return self._edits.get(part)

    def content(self) -> tuple[str, dict[str, str], list[str], list[str]]:
        """The note as the editor shows it: format, parts, topics, follow-up actions."""
        self._collect_texts()
        parts = {part: self._texts.get(part, "") for part in NOTE_PARTS[self._fmt]}
        topics = [code for code, box in self.topics.items() if box.isChecked()]
        follow = [line.strip() for line in self.follow_ups.toPlainText().splitlines() if line.strip()]
        return self._fmt, parts, topics, follow

    def _fill(self, note: NoteView | None) -> None:
        """The editor shows the draft read (once: a reload never overwrites what is being typed)."""
        if self._filled:
            return
        self._filled = True
        if note is None:
            self._show_status()
            return
        self._fmt = note.format if note.format in NOTE_PARTS else "dap"
        self._texts = dict(note.parts)
        self.format.blockSignals(True)
        self.format.setCurrentIndex(max(0, self.format.findData(self._fmt)))
        self.format.blockSignals(False)
        for code, box in self.topics.items():
            box.blockSignals(True)
            box.setChecked(code in note.topics)
            box.blockSignals(False)
        self._build_parts()
        self.follow_ups.blockSignals(True)
        self.follow_ups.setPlainText("\n".join(note.follow_ups))
        self.follow_ups.blockSignals(False)
        self._saved_at = note.saved_at
        self._dirty = False
        self._show_status()

    # -- reading -----------------------------------------------------------------------------

    def load(self) -> None:
        if self._loading:
            self._load_again = True
            return
        self._loading = True
        self._load_again = False
        who, session = self.who, self.session

        def read() -> tuple[list[NoteView], list[ScreenView], NotesLocked | None]:
            try:
                views = notes.session_notes(who, session.session_id)
            except NotesLocked as exc:
                return [], [], exc
            screens = [s for a in session.attendees for s in notes.risk_screens(who, a.resident_id)
                       if s.session_id == session.session_id]
            return views, sorted(screens, key=lambda s: s.screened_at), None

        run_task(self, read, self._loaded, self._load_failed)

    def _loaded(self, result: tuple[list[NoteView], list[ScreenView], NotesLocked | None]) -> None:
        self._loading = False
        self.loads += 1
        views, screens, locked = result
        self.loading.setVisible(False)
        if locked is not None and not _first_note(locked):
            self.show_locked(locked)
            self.can_write = False
        self.notes = views
        me = self.who.actor.account_id
        self.mine = next((n for n in views if n.author_id == me), None)
        self._show_others([n for n in views if n.author_id != me])
        self._show_own()
        self._show_screens(screens)
        if self._load_again:
            self.load()

    def _load_failed(self, exc: BaseException) -> None:
        self._loading = False
        self.loading.setVisible(False)
        self.show_locked(exc)

    def show_locked(self, exc: BaseException) -> None:
        """Why the notes cannot be opened or saved, plainly, above the note."""
        self.banner.setText(error_text(exc))
        self.banner.setVisible(True)

    def _show_others(self, others: list[NoteView]) -> None:
        while self.others_layout.count():
            item = self.others_layout.takeAt(0)
            if item.widget() is not None:
                discard(item.widget())
        for note in others:
            self.others_layout.addWidget(note_card(note, self.others))
        self.others_heading.setVisible(bool(others))
        self.others.setVisible(bool(others))

    def _show_own(self) -> None:
        mine = self.mine
        signed = mine is not None and mine.signed_at is not None
        self.own_heading.setVisible(self.can_write or mine is not None)
        self.signed.setVisible(signed)
        self.editor.setVisible(not signed and self.can_write)
        self.save_button.setVisible(not signed and self.can_write)
        self.sign_button.setVisible(not signed and self.can_write)
        if signed:
            assert mine is not None
            self.timer.stop()
            self._dirty = False
            while self.signed_layout.count() > 1:  # the card, not the addendum button
                item = self.signed_layout.takeAt(0)
                if item.widget() is not None:
                    discard(item.widget())
            self.signed_layout.insertWidget(0, note_card(mine, self.signed))
            self.addendum_button.setVisible(self.can_write)
            self.status.setText(direction_mark() + _("Signed on {when}: the note cannot be changed, only added "
                                                     "to.").format(when=when(mine.signed_at)))
        elif self.can_write:
            self._fill(mine)
            self.timer.start()
            if not self._focused:
                self._focused = True
                first = next(iter(self._edits.values()), None)
                if first is not None:
                    first.setFocus(Qt.OtherFocusReason)
        else:
            self.status.setText("")
        self._fix_tab_order()

    def _show_screens(self, screens: list[ScreenView]) -> None:
        self.screens = screens
        while self.screens_layout.count():
            item = self.screens_layout.takeAt(0)
            if item.widget() is not None:
                discard(item.widget())
        sexes = {a.resident_id: a.sex for a in self.session.attendees}
        names = {a.resident_id: attendee_name(a) for a in self.session.attendees}
        for screen in screens:
            if len(self.session.attendees) > 1:
                self.screens_layout.addWidget(text_label(names.get(screen.resident_id, ""), self.screens_box,
                                                         False))
            self.screens_layout.addWidget(screen_card(screen, sexes.get(screen.resident_id), self.screens_box))
        if not screens:
            self.screens_layout.addWidget(text_label(_("No risk screen was recorded at this session."),
                                                     self.screens_box, False, "muted"))
        self.screens_heading.setVisible(True)
        self.screens_box.setVisible(True)
        self.risk_button.setVisible(self.can_write)

    def _changed(self, change: Change) -> None:
        """A risk screen or an addendum saved, the session changed: read again
        (the editor keeps what is being typed)."""
        if not isinstance(change, SessionsChanged) or self.session.session_id not in change.session_ids:
            return
        if self._saving or self.who.locked:
            return  # this window's own write: it reads again itself when it needs to
        self.load()

    # -- saving --------------------------------------------------------------------------------

    def _touch(self) -> None:
        self._revision += 1
        self._dirty = True
        self._show_status()

    @property
    def dirty(self) -> bool:
        return self._dirty

    def _show_status(self) -> None:
        if self.mine is not None and self.mine.signed_at is not None:
            return
        saved = ""
        if self._saved_at is not None:
            moment = local(self._saved_at)
            saved = (_("Draft saved at {time}").format(time=isolate(format_time(moment)))
                     if moment.date() == local(now_utc()).date()
                     else _("Draft saved on {date} at {time}").format(date=isolate(format_date(moment.date())),
                                                                      time=isolate(format_time(moment))))
        if self._saving:
            text = _("Saving the draft…")
        elif self._dirty and saved:
            text = _("{saved}; the latest changes are not saved yet").format(saved=saved)
        elif saved:
            text = saved
        else:
            text = _("Not saved yet")
        self.status.setText(direction_mark() + text)

    def _autosave(self) -> None:
        if self._dirty and not self._saving and not self._close_pending:
            self.save_draft()

    def save_draft(self, then: Callable[[], None] | None = None) -> None:
        """Save the draft off the GUI thread (encrypted in the store)."""
        if self._saving or not self.can_write or self.who.locked or not self.editor.isVisible():
            return
        fmt, parts, topics, follow = self.content()
        revision = self._revision
        who, session_id = self.who, self.session.session_id
        self._saving = True
        self._show_status()
        run_task(self, lambda: notes.save_draft(who, session_id, fmt, parts, topics, follow),
                 lambda _change: self._saved(revision, then), self._save_failed, always=_publish_change)

    def _saved(self, revision: int, then: Callable[[], None] | None) -> None:
        self._saving = False
        self.saves += 1
        self._saved_at = now_utc()
        if self._revision == revision:
            self._dirty = False
        self.errors.clear()
        if self.banner.isVisible() and self.can_write:
            self.banner.setVisible(False)
        self._show_status()
        if then is not None:
            then()
        elif self._close_pending:
            if self._dirty:
                self.save_draft()
            else:
                self._finish_close()

    def _save_failed(self, exc: BaseException) -> None:
        self._saving = False
        if isinstance(exc, NotesLocked):
            self.show_locked(exc)
        else:
            self.errors.show_error(exc)
        self._show_status()
        if self._close_pending:
            self._close_pending = False
            box = QMessageBox(QMessageBox.Icon.Warning, _("The draft was not saved"),
                              _("The draft could not be saved: {reason}\n\nClose anyway? What was typed since the "
                                "last save will be lost.").format(reason=error_text(exc)),
                              QMessageBox.StandardButton.NoButton, self)
            lose = box.addButton(_("Close &without saving"), QMessageBox.ButtonRole.DestructiveRole)
            box.addButton(_("&Keep writing"), QMessageBox.ButtonRole.RejectRole)
            box.exec()
            if box.clickedButton() is lose:
                self._finish_close()

    def sign(self) -> None:
        if self._saving or not self.can_write:
            return
        fmt, parts, topics, follow = self.content()
        if not any(text.strip() for text in parts.values()):
            self.errors.show(_("The note is empty."), "parts")
            return
        if not confirm(self, _("Sign the note?"),
                       _("A signed note cannot be changed: it can only be added to, with dated addenda. Its "
                         "follow-up actions are then proposed to the resident's care plan."),
                       _("&Sign the note")):
            return
        who, session_id = self.who, self.session.session_id

        def work() -> Change:
            notes.save_draft(who, session_id, fmt, parts, topics, follow)
            return notes.sign_note(who, session_id)

        self.errors.clear()
        self._saving = True
        self._show_status()
        run_change(self, work, self._signed, self._sign_failed, busy=self)

    def _signed(self, _change: Change) -> None:
        self._saving = False
        self._dirty = False
        self.timer.stop()
        self.load()

    def _sign_failed(self, exc: BaseException) -> None:
        self._saving = False
        self._show_status()
        if isinstance(exc, NotesLocked):
            self.show_locked(exc)
        else:
            self.errors.show_error(exc)

    # -- addenda and the risk screen -------------------------------------------------------------

    def add_addendum(self) -> None:
        if self.mine is None or self.mine.signed_at is None:
            return
        self.addendum_dialog = AddendumDialog(self.who, self.mine, self)
        self.addendum_dialog.open()

    def risk_screen(self) -> None:
        self.risk_dialog = RiskScreenDialog(self.who, self.session, self)
        self.risk_dialog.open()

    # -- closing ---------------------------------------------------------------------------------

    def reject(self) -> None:
        """Escape, Close or the window's button: unsaved changes are saved first."""
        if self._finishing:
            super().reject()
            return
        if self._dirty and self.can_write and self.editor.isVisible() and not self.who.locked:
            self._close_pending = True
            if not self._saving:
                self.save_draft()
            self.status.setText(direction_mark() + _("Saving the draft before closing…"))
            return
        self._finish_close()

    def _finish_close(self) -> None:
        self._finishing = True
        self.timer.stop()
        super().reject()


class AddendumDialog(QDialog):
    """Dated words added by the author to a signed note."""

    def __init__(self, who: SignedIn, note: NoteView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.note = note
        self.setWindowTitle(_("Add an addendum"))
        self.error = ErrorLabel(self)
        self.errors = FieldErrors(self.error)
        explanation = text_label(_("The note stays as it was signed; the addendum is added below it, with today's "
                                   "date and your name."), self, False, "muted")
        label = QLabel(_("&Addendum:"), self)
        self.text = QPlainTextEdit(self)
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(self.text.fontMetrics().lineSpacing() * 6 + 14)
        label.setBuddy(self.text)
        buttons = QDialogButtonBox(self)
        self.add_button = buttons.addButton(_("&Add the addendum"), QDialogButtonBox.AcceptRole)
        self.add_button.setObjectName("primary")
        buttons.addButton(_("Cancel"), QDialogButtonBox.RejectRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(lambda: self.guard.leave())
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addWidget(label)
        layout.addWidget(self.errors.field(self.text, "addendum"))
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        for keys in (QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Return),
                     QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Enter)):
            QShortcut(keys, self, activated=self.submit)
        self.guard = DiscardGuard(self)
        self.resize(620, 360)

    def submit(self) -> None:
        self.errors.clear()
        who, note_id, text = self.who, self.note.note_id, self.text.toPlainText()
        run_change(self, lambda: notes.add_addendum(who, note_id, text), lambda _c: self.accept(),
                   self._failed, busy=self)

    def _failed(self, exc: BaseException) -> None:
        self.errors.show_error(exc)


# -- the risk screen -----------------------------------------------------------------------------

class RiskScreenDialog(QDialog):
    """The self-harm and suicide risk screen for one resident of the session:
    seven questions answered yes or no, the outcome as it is answered, the
    action taken (required for a high risk) and what was done."""

    def __init__(self, who: SignedIn, session: SessionView, parent: QWidget | None = None,
                 resident_id: int | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.session = session
        self.saved: Change | None = None
        self.setWindowTitle(_("Risk screen"))
        self.error = ErrorLabel(self)
        self.errors = FieldErrors(self.error)
        content = QWidget()
        column = QVBoxLayout(content)
        column.setSpacing(8)
        column.addWidget(heading(_("Self-harm and suicide risk screen"), 1, content))
        column.addWidget(text_label(_("Ask each question and record the answer. The answers are encrypted with the "
                                      "notes; the outcome is kept in the resident's file."), content, False,
                                    "muted"))
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.WrapLongRows)
        self.resident = QComboBox(content)
        for attendee in session.attendees:
            self.resident.addItem(attendee_name(attendee), attendee.resident_id)
        if resident_id is not None:
            self.resident.setCurrentIndex(max(0, self.resident.findData(resident_id)))
        self.resident.currentIndexChanged.connect(self._retext)
        resident_label = QLabel(_("&Resident:"), content)
        resident_label.setBuddy(self.resident)
        resident_row = self.errors.field(self.resident, "resident")
        form.addRow(resident_label, resident_row)
        if len(session.attendees) < 2:  # one resident: no choice to make
            resident_label.setVisible(False)
            resident_row.setVisible(False)
        column.addLayout(form)

        grid = QGridLayout()
        grid.setColumnStretch(0, 1)
        grid.setHorizontalSpacing(16)
        self.questions: dict[str, QLabel] = {}
        self.groups: dict[str, QButtonGroup] = {}
        self.yes: dict[str, QRadioButton] = {}
        self.no: dict[str, QRadioButton] = {}
        for row, (code, _text) in enumerate(RISK_QUESTIONS):
            label = QLabel(content)
            label.setWordWrap(True)
            pair = QWidget(content)
            pair_layout = QHBoxLayout(pair)
            pair_layout.setContentsMargins(0, 0, 0, 0)
            yes, no = QRadioButton(_("Yes"), pair), QRadioButton(_("No"), pair)
            group = QButtonGroup(self)
            group.addButton(yes, 1)
            group.addButton(no, 0)
            group.idToggled.connect(lambda _id, _checked: self._update())
            pair_layout.addWidget(yes)
            pair_layout.addWidget(no)
            label.setBuddy(yes)
            grid.addWidget(label, row, 0)
            grid.addWidget(pair, row, 1, Qt.AlignTop)
            self.questions[code], self.groups[code], self.yes[code], self.no[code] = label, group, yes, no
        column.addLayout(grid)
        self.answers_error = ErrorLabel(content)
        self.errors.add("answers", self.answers_error, self.yes[RISK_QUESTIONS[0][0]])
        column.addWidget(self.answers_error)

        self.outcome = QLabel(content)
        self.outcome.setWordWrap(True)
        self.outcome.setTextFormat(Qt.PlainText)
        self.outcome.setAccessibleName(_("Outcome"))
        column.addWidget(self.outcome)
        self.high_notice = text_label("", content, False, "important")
        column.addWidget(self.high_notice)

        after = QFormLayout()
        after.setRowWrapPolicy(QFormLayout.WrapLongRows)
        self.action = QComboBox(content)
        for code, label in RISK_ACTION.choices():
            self.action.addItem(label, code)
        self.action.setPlaceholderText(_("Choose what was done"))
        self.action.setCurrentIndex(-1)
        action_label = QLabel(_("&Action taken:"), content)
        action_label.setBuddy(self.action)
        after.addRow(action_label, self.errors.field(self.action, "action"))
        self.action_text = QPlainTextEdit(content)
        self.action_text.setTabChangesFocus(True)
        self.action_text.setFixedHeight(self.action_text.fontMetrics().lineSpacing() * 4 + 14)
        self.action_text.setPlaceholderText(_("e.g. Safety plan agreed: who she can call at night"))
        text_label_ = QLabel(_("What was &done:"), content)
        text_label_.setBuddy(self.action_text)
        after.addRow(text_label_, self.errors.field(self.action_text, "action_text"))
        column.addLayout(after)
        column.addStretch(1)

        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton(_("&Save the screen"), QDialogButtonBox.AcceptRole)
        self.save_button.setObjectName("primary")
        buttons.addButton(_("Cancel"), QDialogButtonBox.RejectRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(lambda: self.guard.leave())
        layout = QVBoxLayout(self)
        layout.addWidget(scrolled(content), 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.save_button.setDefault(True)
        self._retext()
        self.guard = DiscardGuard(self)
        fit_window(self, 980, 720)

    def _attendee(self) -> Attendee | None:
        resident_id = self.resident.currentData()
        return next((a for a in self.session.attendees if a.resident_id == resident_id), None)

    def _retext(self) -> None:
        """The questions agreed with the resident chosen."""
        attendee = self._attendee()
        sex = attendee.sex if attendee is not None else None
        for number, (code, text) in enumerate(RISK_QUESTIONS, 1):
            self.questions[code].setText(_("&{n}. {question}").format(n=number, question=about(sex, text)))
            self.yes[code].setAccessibleName(_("Yes: {question}").format(question=about(sex, text)))
            self.no[code].setAccessibleName(_("No: {question}").format(question=about(sex, text)))
        self._update()

    def answers(self) -> dict[str, bool]:
        """The questions answered so far."""
        return {code: group.checkedId() == 1 for code, group in self.groups.items() if group.checkedId() != -1}

    def _update(self) -> None:
        answers = self.answers()
        outcome = risk_outcome(answers)
        missing = len(RISK_QUESTIONS) - len(answers)
        text = _("Outcome: {outcome}").format(outcome=RISK_OUTCOME.label(outcome))
        if missing:
            text = _("{outcome} ({missing})").format(outcome=text, missing=ngettext(
                "{n} question not answered yet", "{n} questions not answered yet", missing).format(n=missing))
        self.outcome.setText(text)
        colour = {"high": ERROR_COLOUR, "moderate": MODERATE_COLOUR}.get(outcome)
        self.outcome.setStyleSheet(f"color: {colour}; font-weight: 600;" if colour else "font-weight: 600;")
        attendee = self._attendee()
        if outcome == "high":
            self.high_notice.setText(_(
                "A high risk: say what was done. The coordinators will be told that a high risk was found for "
                "{case_number}, on this date — without the note or the answers, which stay with the "
                "counsellors.").format(case_number=isolate(attendee.case_number if attendee else "")))
        self.high_notice.setVisible(outcome == "high")

    def submit(self) -> None:
        self.errors.clear()
        who, session_id = self.who, self.session.session_id
        resident_id = self.resident.currentData()
        answers, action, text = self.answers(), self.action.currentData() or "", self.action_text.toPlainText()
        run_change(self, lambda: notes.record_risk_screen(who, session_id, resident_id, answers, action, text),
                   self._done, self._failed, busy=self)

    def _done(self, change: Change) -> None:
        self.saved = change
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.errors.show_error(exc)
