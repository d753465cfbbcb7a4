"""The automatic backup, and every backup the application makes: one at a
time for the whole application, off the GUI thread, with its progress.

The shell asks for one after the main window first paints and when the
person signs out or closes the window (``start(..., only_if_due=True)``:
the worker checks ``backup_is_due`` and makes one only then, whoever is
signed in: a shelter where only social workers sign in is backed up too),
the Administration → Backups page when someone presses "Back up now". Signing
out and closing wait for a backup in flight (``wait``: "Finishing the
backup…", no cancel).

A backup runs on a session of its own, opened with the person's key and
closed (its key overwritten) as soon as the backup is done: locking the
screen drops the person's connection at once and never cuts a backup in the
middle. The status bar and the dashboard read the outcome (``finished``,
``last``) and write it with ``status_lines``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from shelter.errors import ShelterError
from shelter.i18n import _, ngettext
from shelter.security.permissions import Permission as P
from ui.qt import (
    QDialog,
    QEventLoop,
    QLabel,
    QObject,
    QProgressBar,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
    error_text,
    run_task,
)
from ui.widgets.dates import local_datetime

if TYPE_CHECKING:
    from collections.abc import Callable

    from shelter.services.backups import BackupResult, BackupStatus
    from shelter.store import SignedIn

# Levels of a status line, as the status bar and the dashboard colour them.
OK, WARNING, ERROR = "ok", "warning", "error"
STYLES = {
    OK: "",
    WARNING: "color: #6b4500; background: #fff4d6; border-radius: 3px; padding: 1px 6px;",
    ERROR: "color: #a4262c; font-weight: 600;",
}


@dataclass(frozen=True)
class BackupOutcome:
    """What one run of the runner came to."""

    label: str
    result: BackupResult | None = None  # None: nothing was made (not due, or it could not be)
    error: str = ""  # why a backup could not be made (the disk is full, …), in the person's words
    status: BackupStatus | None = None  # read after the run (None if even that failed)

    @property
    def attempted(self) -> bool:
        return self.result is not None or bool(self.error)

    @property
    def failed(self) -> bool:
        return bool(self.error) or (self.result is not None and not self.result.ok)

    @property
    def problem(self) -> str:
        """Why it failed ("" when it did not)."""
        if self.error:
            return self.error
        if self.result is not None and not self.result.ok:
            problems = self.result.check.problems
            return problems[0] if problems else _("The backup did not verify.")
        return ""


def _ticket(who: SignedIn) -> SignedIn:
    """The backup's own session, opened on the GUI thread while the
    person's is open (``SignedIn.companion``)."""
    return who.companion()


def _run(own: SignedIn, label: str, only_if_due: bool, to: Path | None,
         report: Callable[[float, str], None]) -> BackupOutcome:
    """On the worker thread: check, back up, read the status; never touches a widget."""
    from shelter.services import backups

    try:
        if only_if_due and not backups.backup_is_due(own):
            return BackupOutcome(label, status=backups.status(own))
        report(0.0, "start")
        try:
            result = backups.back_up(own, label, to=to, progress=report, automatic=only_if_due and to is None)
        except ShelterError as exc:
            outcome = BackupOutcome(label, error=exc.message)
        else:
            outcome = BackupOutcome(label, result)
        status = None
        with contextlib.suppress(ShelterError):
            status = backups.status(own)
        return BackupOutcome(outcome.label, outcome.result, outcome.error, status)
    finally:
        own.store.close()  # the key of this session is overwritten; nothing is audited


class FinishingDialog(QDialog):
    """"Finishing the backup…": modal, without a cancel button; Escape and
    the window's close button do nothing until the backup has returned."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Backup"))
        self.setWindowFlags((self.windowFlags() | Qt.CustomizeWindowHint | Qt.WindowTitleHint)
                            & ~Qt.WindowCloseButtonHint & ~Qt.WindowContextHelpButtonHint)
        self.setWindowModality(Qt.ApplicationModal)
        self.message = QLabel(_("Finishing the backup…"))
        self.message.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(10)
        self.bar.setAccessibleName(_("Finishing the backup…"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(self.message)
        layout.addWidget(self.bar)
        self.setMinimumWidth(380)
        self.allowed_to_close = False

    def set_fraction(self, fraction: float, _stage: str = "") -> None:
        self.bar.setValue(percent(fraction))

    def reject(self) -> None:
        if self.allowed_to_close:
            super().reject()

    def closeEvent(self, event) -> None:  # noqa: N802, ANN001  (Qt name)
        if self.allowed_to_close:
            super().closeEvent(event)
        else:
            event.ignore()


class BackupRunner(QObject):
    """One backup at a time for the whole application (see the module)."""

    started = Signal(str)  # a backup is being made (its label): not sent for a check that found none due
    progressed = Signal(float, str)  # fraction done (0–1), stage
    finished = Signal(object)  # BackupOutcome
    _from_worker = Signal(float, str)  # emitted on the worker thread, received queued on the GUI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running = False
        self._label = ""
        self.backing_up = False  # a backup is being made (not only checked for)
        self.fraction = 0.0
        self.last: BackupOutcome | None = None
        self.dialog: FinishingDialog | None = None  # while ``wait`` shows it
        self._from_worker.connect(self._progress)

    @property
    def running(self) -> bool:
        return self._running

    def start(self, who: SignedIn, label: str = "manual", only_if_due: bool = False, to: Path | None = None) -> bool:
        """Start a backup (or, ``only_if_due``, a check that makes one when it
        is due) off the GUI thread. False when one is already running, the
        person may not back up or the session is locked."""
        # The automatic backup (only_if_due) is made whoever is signed in; one
        # asked for needs the permission.
        if (self._running or who.locked or who.actor.must_change_password
                or (not only_if_due and not who.actor.has(P.BACK_UP))):
            return False
        try:
            ticket = _ticket(who)
        except ShelterError:
            return False
        self._running = True
        self._label = label
        self.backing_up = False
        self.fraction = 0.0
        report = self._from_worker.emit
        run_task(self, lambda: _run(ticket, label, only_if_due, to, report), self._done, self._failed)
        return True

    def _progress(self, fraction: float, stage: str) -> None:
        if not self._running:
            return
        if not self.backing_up:
            self.backing_up = True
            self.started.emit(self._label)
        self.fraction = max(self.fraction, min(1.0, fraction))
        self.progressed.emit(self.fraction, stage)

    def _done(self, outcome: BackupOutcome) -> None:
        self._finish(outcome)

    def _failed(self, exc: BaseException) -> None:
        self._finish(BackupOutcome(self._label, error=error_text(exc)))

    def _finish(self, outcome: BackupOutcome) -> None:
        self._running = False
        self.backing_up = False
        previous = self.last
        if not outcome.attempted and previous is not None and previous.failed:
            # A check that made nothing: the failure before it still stands, with the fresh status.
            outcome = BackupOutcome(previous.label, previous.result, previous.error, outcome.status or previous.status)
        self.last = outcome
        self.finished.emit(outcome)

    def wait(self, parent: QWidget | None = None) -> None:
        """Return once the backup in flight (if any) has returned. While a
        backup is being made, "Finishing the backup…" shows, modal, with its
        progress and no cancel; a check that finds none due is waited for
        without it (a few milliseconds)."""
        if not self._running:
            return
        loop = QEventLoop()
        dialog = FinishingDialog(parent)
        self.dialog = dialog

        def show() -> None:
            dialog.set_fraction(self.fraction)
            dialog.show()

        self.finished.connect(loop.quit)
        self.started.connect(show)
        self.progressed.connect(dialog.set_fraction)
        if self.backing_up:
            show()
        try:
            if self._running:
                loop.exec()
        finally:
            self.finished.disconnect(loop.quit)
            self.started.disconnect(show)
            self.progressed.disconnect(dialog.set_fraction)
            dialog.allowed_to_close = True
            dialog.hide()
            dialog.deleteLater()
            self.dialog = None


_runner: BackupRunner | None = None


def backup_runner() -> BackupRunner:
    """The application's runner (made on first use, on the GUI thread)."""
    global _runner
    if _runner is None:
        _runner = BackupRunner()
    return _runner


# -- what to say -------------------------------------------------------------------------------

def percent(fraction: float) -> int:
    return max(0, min(100, int(round(fraction * 100))))


def progress_text(fraction: float) -> str:
    return _("Backing up… {percent} %").format(percent=percent(fraction))


def status_lines(status: BackupStatus | None, outcome: BackupOutcome | None = None,
                 now: datetime | None = None) -> list[tuple[str, str]]:
    """The state of the backups as (text, level) lines, the worst first: a
    backup that just failed, no verified backup for days, the second place
    not reached for a week; else when the last verified one was made."""
    lines: list[tuple[str, str]] = []
    if outcome is not None and outcome.failed:
        lines.append((_("The backup failed: {problem}").format(problem=outcome.problem), ERROR))
    if status is None:
        return lines
    now = now or datetime.now(UTC)
    last = status.last_verified
    if last is None:
        lines.append((_("No verified backup yet"), WARNING))
    elif status.stale:
        days = max(1, (now - last.created_at).days)
        lines.append((ngettext("No verified backup for {n} day", "No verified backup for {n} days", days).format(
            n=days), WARNING))
    if status.mirror_missing:
        lines.append((_("Second place not reached for a week"), WARNING))
    if last is not None and not status.stale:
        lines.append((_("Last verified backup: {when}").format(when=local_datetime(last.created_at)), OK))
    return lines


def worst(lines: list[tuple[str, str]]) -> str:
    levels = {level for _text, level in lines}
    return ERROR if ERROR in levels else WARNING if WARNING in levels else OK
