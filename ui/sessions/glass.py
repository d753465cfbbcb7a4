"""Reading a resident's counselling notes: for a counsellor, and for a
coordinator in an emergency ("break the glass").

``open_break_glass(parent, who, resident_id, case_number)`` (a coordinator,
from the resident's file): a dialog says plainly what happens — the reason
is recorded, the counsellors are told, the reading lasts at most an hour,
the recovery code from the shelter's safe is needed — and asks for the
reason, how long, and the code (masked). The key derivation runs off the
GUI thread. Then the notes and risk screens of that resident are shown,
read only and not copyable, with a countdown: when the time is up the
reading ends (``end_glass``) and the window closes; closing it earlier ends
the reading too.

``show_resident_notes(parent, who, resident_id)`` shows the same read-only
notes of a resident to a counsellor (or during a reading in force).

``tell_glass_notices(parent, who)`` (the shell, after a counsellor signs in)
opens the notes' key off the GUI thread, handing it on to counsellors who
lack it, then lists the emergency readings she or he has not been told of.
"""

from __future__ import annotations

from datetime import timedelta

from shelter.domain.dates import format_time, now_utc
from shelter.domain.sessions import local
from shelter.i18n import _, direction_mark, isolate, ngettext
from shelter.security.permissions import Permission as P
from shelter.services import notes, sessions
from shelter.services.notes import GLASS_MAX_MINUTES, GlassNoticeView, NotesLocked, NoteView, ScreenView
from shelter.services.sessions import SessionView
from shelter.store import SignedIn
from ui.qt import (
    QDialog,
    QDialogButtonBox,
    QFontDatabase,
    QFrame,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    error_text,
    run_task,
)
from ui.sessions.notes import discard, fit_window, note_card, screen_card, session_line, text_label, when
from ui.widgets import ErrorLabel, FieldErrors, heading, scrolled
from ui.widgets.guard import DiscardGuard

DEFAULT_MINUTES = 15
REASON_MIN = notes.GLASS_REASON_MIN


def open_break_glass(parent: QWidget | None, who: SignedIn, resident_id: int, case_number: str) -> QDialog:
    """For a coordinator: ask for an emergency reading of this resident's
    notes, then show them. A reading already in force opens the notes at once."""
    if resident_id in who.store.glass:
        return show_resident_notes(parent, who, resident_id, case_number)
    dialog = BreakGlassDialog(who, resident_id, case_number, parent)
    dialog.open()
    return dialog


def show_resident_notes(parent: QWidget | None, who: SignedIn, resident_id: int,
                        case_number: str = "") -> QDialog:
    """The resident's counselling notes and risk screens, read only."""
    viewer = ResidentNotesViewer(who, resident_id, case_number, parent)
    viewer.show()
    return viewer


class BreakGlassDialog(QDialog):
    """Why, for how long, and the recovery code: then the notes."""

    def __init__(self, who: SignedIn, resident_id: int, case_number: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.resident_id = resident_id
        self.case_number = case_number
        self.reading_id: int | None = None
        self.viewer: ResidentNotesViewer | None = None
        self._busy = False
        self.setWindowTitle(_("Break the glass — {case_number}").format(case_number=case_number))
        self.error = ErrorLabel(self)
        self.errors = FieldErrors(self.error)
        title = heading(_("Read the counselling notes in an emergency"), 1, self)
        lines = [
            _("Counselling notes are read by counsellors only. In an emergency — a resident missing, in danger, a "
              "decision that cannot wait — you can read the notes and risk screens of {case_number} for a short "
              "time.").format(case_number=isolate(case_number)),
            "• " + _("Your reason is recorded in the audit log, with when the reading began and ended."),
            "• " + _("Every counsellor is told, at their next sign-in, who read whose notes, when, for how long and "
                     "why."),
            "• " + _("The reading lasts at most an hour. It ends by itself when the time is up, or when you close "
                     "the notes."),
            "• " + _("It needs the recovery code kept in the shelter's safe."),
        ]
        explanation = text_label("\n".join(direction_mark() + line for line in lines), self, False)
        self.reason = QPlainTextEdit(self)
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(self.reason.fontMetrics().lineSpacing() * 4 + 14)
        self.reason.setPlaceholderText(_("e.g. She has not come back tonight and the police ask whether she is at "
                                         "risk"))
        self.reason.setAccessibleName(_("Reason"))
        self.minutes = QSpinBox(self)
        self.minutes.setRange(1, GLASS_MAX_MINUTES)
        self.minutes.setValue(DEFAULT_MINUTES)
        self.minutes.setAccessibleName(_("Minutes"))
        self.code = QLineEdit(self)
        self.code.setEchoMode(QLineEdit.EchoMode.Password)
        self.code.setLayoutDirection(Qt.LeftToRight)
        self.code.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.code.setMaxLength(60)
        self.code.setPlaceholderText("XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX")
        self.code.setAccessibleName(_("Recovery code"))
        self.code.setContextMenuPolicy(Qt.NoContextMenu)
        # Each label above its field: long labels wrap whole in every language.
        form = QVBoxLayout()
        form.setSpacing(4)
        self.reason_hint = text_label("", self, False, "muted")
        self.reason.textChanged.connect(self._count)
        self.minutes.setMaximumWidth(160)
        for text, widget, name in (
            (_("&Why the notes must be read now:"), self.reason, "reason"),
            (_("For how many &minutes (at most {n}):").format(n=GLASS_MAX_MINUTES), self.minutes, "minutes"),
            (_("Recovery &code:"), self.code, "recovery_code"),
        ):
            label = QLabel(text, self)
            label.setWordWrap(True)
            label.setBuddy(widget)
            form.addWidget(label)
            form.addWidget(self.errors.field(widget, name))
            if widget is self.reason:
                form.addWidget(self.reason_hint)
            form.addSpacing(6)
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setFixedHeight(6)
        self.busy.setVisible(False)
        self.busy.setAccessibleName(_("Opening the notes…"))
        buttons = QDialogButtonBox(self)
        self.read_button = buttons.addButton(_("&Read the notes"), QDialogButtonBox.AcceptRole)
        self.read_button.setObjectName("primary")
        self.cancel_button = buttons.addButton(_("Cancel"), QDialogButtonBox.RejectRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(lambda: self.guard.leave())
        self.code.returnPressed.connect(self.submit)
        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(title)
        column.addWidget(explanation)
        column.addLayout(form)
        column.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(scrolled(content), 1)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addWidget(buttons)
        self.read_button.setDefault(True)
        self._count()
        self.guard = DiscardGuard(self)
        fit_window(self, 760, 640)
        self.reason.setFocus(Qt.OtherFocusReason)

    def _count(self) -> None:
        typed = len(" ".join(self.reason.toPlainText().split()))
        left = max(0, REASON_MIN - typed)
        self.reason_hint.setText(ngettext("{n} more character needed in the reason.",
                                          "{n} more characters needed in the reason.", left).format(n=left)
                                 if left else "")

    def submit(self) -> None:
        if self._busy:
            return
        self.errors.clear()
        who, resident_id = self.who, self.resident_id
        reason, minutes, code = self.reason.toPlainText(), self.minutes.value(), self.code.text()
        self._set_busy(True)
        run_task(self, lambda: notes.break_glass(who, resident_id, reason, minutes, code), self._done, self._failed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        for widget in (self.reason, self.minutes, self.code, self.read_button, self.cancel_button):
            widget.setEnabled(not busy)

    def _done(self, reading_id: int) -> None:
        self._set_busy(False)
        self.reading_id = reading_id
        self.code.clear()
        self.viewer = show_resident_notes(self.parentWidget(), self.who, self.resident_id, self.case_number)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.errors.show_error(exc)

    def reject(self) -> None:
        self.code.clear()
        super().reject()


class ResidentNotesViewer(QDialog):
    """A resident's counselling notes (each held session's) and risk
    screens, read only. During an emergency reading: not selectable, with a
    countdown; the reading ends when the time is up (the window closes) or
    when the window is closed."""

    TICK_MS = 1000

    def __init__(self, who: SignedIn, resident_id: int, case_number: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.who = who
        self.resident_id = resident_id
        self.case_number = case_number
        self.emergency = not who.actor.has(P.READ_CONFIDENTIAL_NOTES) and resident_id in who.store.glass
        self.loads = 0
        self.ended = False
        self.texts: list[str] = []  # what the window shows (tests read it)
        self._sex: str | None = None
        self._retitle()
        self.countdown = text_label("", self, False, "important")
        self.countdown.setVisible(self.emergency)
        self.banner = text_label("", self, False, "important")
        self.banner.setVisible(False)
        self.loading = text_label(_("Opening the notes…"), self, False, "muted")
        self.content = QWidget()
        self.column = QVBoxLayout(self.content)
        self.column.setContentsMargins(16, 8, 16, 8)
        self.column.setSpacing(10)
        self.scroll = scrolled(self.content)
        self.close_button = QPushButton(_("&End the reading and close") if self.emergency else _("&Close"), self)
        self.close_button.clicked.connect(self.close)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.close_button, QDialogButtonBox.RejectRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.countdown)
        layout.addWidget(self.banner)
        layout.addWidget(self.loading)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(buttons)
        self.timer = QTimer(self)
        self.timer.setInterval(self.TICK_MS)
        self.timer.timeout.connect(self._tick)
        if self.emergency:
            self.timer.start()
            self._tick()
        fit_window(self)
        self.load()

    def _retitle(self) -> None:
        self.setWindowTitle(_("Counselling notes — {case_number}").format(case_number=self.case_number)
                            if self.case_number else _("Counselling notes"))

    # -- reading ------------------------------------------------------------------------------

    def load(self) -> None:
        who, resident_id = self.who, self.resident_id

        def read() -> tuple[list[tuple[SessionView, list[NoteView], str]], list[ScreenView]]:
            found = []
            for view in sessions.resident_sessions(who, resident_id):
                if view.status != "held":
                    continue
                try:
                    found.append((view, notes.session_notes(who, view.session_id), ""))
                except NotesLocked as exc:
                    found.append((view, [], exc.message))
            return found, notes.risk_screens(who, resident_id)

        run_task(self, read, self._loaded, self._failed)

    def _loaded(self, result: tuple[list[tuple[SessionView, list[NoteView], str]], list[ScreenView]]) -> None:
        self.loads += 1
        self.loading.setVisible(False)
        if self.ended:
            return
        found, screens = result
        selectable = not self.emergency
        for view, _views, _message in found:
            for attendee in view.attendees:
                if attendee.resident_id == self.resident_id:
                    self._sex = attendee.sex
                    if not self.case_number:
                        self.case_number = attendee.case_number
                        self._retitle()
        self.column.addWidget(heading(_("Sessions held"), 2, self.content))
        for view, views, message in found:
            self.column.addWidget(text_label(session_line(view), self.content, False, "columnHeader"))
            self.column.addWidget(text_label(direction_mark() + _("Counsellor: {name}").format(
                name=isolate(view.counsellor)), self.content, False, "muted"))
            for note in views:
                self.column.addWidget(note_card(note, self.content, selectable))
                self.texts += [text for text in note.parts.values() if text]
                self.texts += [text for _when, _by, text in note.addenda]
            if message:
                self.column.addWidget(text_label(message, self.content, False, "muted"))
            elif not views:
                self.column.addWidget(text_label(_("No note was written for this session."), self.content, False,
                                                 "muted"))
        if not found:
            self.column.addWidget(text_label(_("No session has been held with this resident."), self.content,
                                             False, "muted"))
        self.column.addWidget(heading(_("Risk screens"), 2, self.content))
        for screen in screens:
            self.column.addWidget(screen_card(screen, self._sex, self.content, selectable))
            if screen.action_text:
                self.texts.append(screen.action_text)
        if not screens:
            self.column.addWidget(text_label(_("No risk screen was recorded."), self.content, False, "muted"))
        self.column.addStretch(1)

    def _failed(self, exc: BaseException) -> None:
        self.loads += 1
        self.loading.setVisible(False)
        self.banner.setText(error_text(exc))
        self.banner.setVisible(True)

    # -- the time of an emergency reading -----------------------------------------------------

    def remaining(self) -> timedelta | None:
        held = self.who.store.glass.get(self.resident_id)
        return None if held is None else held[1] - now_utc()

    def _tick(self) -> None:
        left = self.remaining()
        if left is None or left.total_seconds() <= 0:
            self._expired()
            return
        seconds = int(left.total_seconds())
        held = self.who.store.glass[self.resident_id]
        self.countdown.setText(direction_mark() + _(
            "Emergency reading, recorded in the audit log. It ends in {remaining}, at {time}; the counsellors will "
            "be told.").format(remaining=isolate(f"{seconds // 60}:{seconds % 60:02d}"), time=isolate(format_time(local(held[1])))))

    def _expired(self) -> None:
        """The time is up (or the reading ended elsewhere): nothing stays on the screen."""
        parent = self.parentWidget()
        self._end()
        if parent is not None:
            box = QMessageBox(QMessageBox.Icon.Information, _("The reading has ended"),
                              _("The time chosen for the emergency reading is up: the notes are closed."),
                              QMessageBox.StandardButton.Ok, parent)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()

    def _end(self) -> None:
        if self.ended:
            return
        self.ended = True
        self.timer.stop()
        self.texts = []
        discard(self.scroll.takeWidget())  # the notes leave the screen at once
        if self.emergency:
            who, resident_id = self.who, self.resident_id
            run_task(self, lambda: notes.end_glass(who, resident_id), lambda _r: None, lambda _e: None)
        super().reject()

    def reject(self) -> None:
        """Close (or Escape): an emergency reading ends now."""
        if self.ended:
            super().reject()
            return
        self._end()


# -- telling the counsellors ------------------------------------------------------------------------

def tell_glass_notices(parent: QWidget, who: SignedIn) -> None:
    """After a counsellor signs in: open the notes' key off the GUI thread,
    then show the emergency readings not told yet, and who is waiting for
    the key (for the counsellor to say yes to each)."""
    if not who.actor.has(P.READ_CONFIDENTIAL_NOTES):
        return

    def work() -> tuple[list[GlassNoticeView], list[notes.PendingHolder]]:
        holds = notes.open_compartment(who)
        return notes.glass_notices(who), notes.pending_access(who) if holds else []

    def told(found: tuple[list[GlassNoticeView], list[notes.PendingHolder]]) -> None:
        readings, waiting = found
        if who.locked:
            return
        if waiting:
            from ui.sessions.access import PendingAccessDialog

            PendingAccessDialog(who, waiting, parent).open()
        if readings:
            dialog = GlassNoticeDialog(who, readings, parent)
            dialog.open()

    run_task(parent, work, told, lambda _exc: None)


class GlassNoticeDialog(QDialog):
    """The emergency readings of counselling notes a counsellor has not been told of."""

    def __init__(self, who: SignedIn, found: list[GlassNoticeView], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.who = who
        self.found = found
        self.setWindowTitle(_("Counselling notes read in an emergency"))
        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(heading(_("Counselling notes were read in an emergency"), 1, content))
        column.addWidget(text_label(ngettext(
            "A coordinator broke the glass to read a resident's counselling notes:",
            "Coordinators broke the glass to read residents' counselling notes {n} times:", len(found)).format(
            n=len(found)), content, False))
        self.lines: list[str] = []
        for notice in found:
            minutes = max(1, round((notice.ends_at - notice.started_at).total_seconds() / 60))
            line = _("{reader} read the notes of {case_number} on {when}, for up to {minutes}.").format(
                reader=isolate(notice.reader), case_number=isolate(notice.case_number), when=when(notice.started_at),
                minutes=ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes))
            reason = _("Reason given: {reason}").format(reason=isolate(notice.reason))
            self.lines.append(line + "\n" + reason)
            card = QFrame(content)
            card.setObjectName("card")
            inside = QVBoxLayout(card)
            inside.addWidget(text_label(direction_mark() + line, card, False))
            inside.addWidget(text_label(direction_mark() + reason, card, False, "muted"))
            column.addWidget(card)
        column.addWidget(text_label(_("Each reading is in the audit log. Ask the coordinator if you need to know "
                                      "more."), content, False, "muted"))
        column.addStretch(1)
        self.error = ErrorLabel(self)
        buttons = QDialogButtonBox(self)
        self.seen_button = buttons.addButton(_("I have &seen this"), QDialogButtonBox.AcceptRole)
        self.seen_button.setObjectName("primary")
        self.later_button = buttons.addButton(_("Remind me &later"), QDialogButtonBox.RejectRole)
        buttons.accepted.connect(self.seen)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scrolled(content), 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.seen_button.setDefault(True)
        fit_window(self, 720, 480)

    def seen(self) -> None:
        who, ids = self.who, [n.glass_id for n in self.found]
        self.seen_button.setEnabled(False)
        run_task(self, lambda: notes.mark_notices_seen(who, ids), lambda _r: self.accept(), self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.seen_button.setEnabled(True)
        self.error.set_message(error_text(exc))
