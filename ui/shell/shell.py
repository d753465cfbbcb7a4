"""The application's flow: set-up → sign-in → main window ⇄ locked.

Locking (after the idle time, on Ctrl+L / F12, or the toolbar button) hides
every window of the signed-in person, calls ``SignedIn.lock()`` (the database
connection closes, the key is dropped) and shows the sign-in window.

- The same person signing in again gets the very same window back, with
  whatever they had typed: the new connection is moved into the existing
  ``SignedIn`` object, so every screen's reference to it stays valid.
- Someone else signing in: the old window is destroyed with its unsaved
  input, and a fresh one is built for the new person.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

from shelter import store as store_module
from shelter.errors import ShelterError
from shelter.i18n import _, current_language
from shelter.security.keyring import KdfParams
from shelter.services import settings
from shelter.store import SignedIn, Store
from ui.qt import (
    QApplication,
    QDialog,
    QMessageBox,
    QObject,
    Qt,
    QWidget,
    Signal,
    announce_session_end,
    session_events,
)
from ui.shell.change_password import ChangePasswordDialog
from ui.shell.idle import IdleWatcher
from ui.shell.language import InterfaceLanguage
from ui.shell.main_window import MainWindow
from ui.shell.setup_wizard import SetupWizard
from ui.shell.sign_in import SignInWindow


class Shell(QObject):
    """Owns the top-level windows and the signed-in session.

    ``finished`` is emitted when the person quits (the application then ends).
    ``kdf`` and ``clock`` are for tests (fast key derivation, a fake clock).
    """

    finished = Signal()
    locked = Signal()
    entered = Signal(object)  # the MainWindow shown

    def __init__(self, folder: Path | str, language: InterfaceLanguage | None = None,
                 kdf: KdfParams | None = None, clock: Callable[[], float] = time.time,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = Path(folder)
        self.store = Store(self.folder, clock=clock)
        self._language = language or InterfaceLanguage(QApplication.instance())
        self._kdf = kdf
        self._clock = clock
        self.who: SignedIn | None = None
        self.wizard: SetupWizard | None = None
        self.sign_in_window: SignInWindow | None = None
        self.main_window: MainWindow | None = None
        self._hidden_while_locked: list[QWidget] = []
        self._retranslate_on_resume = False
        self.password_dialog: ChangePasswordDialog | None = None
        self.idle = IdleWatcher(5, self)
        self.idle.idle.connect(self.lock)
        if announce_session_end not in store_module.session_ended_listeners:
            store_module.session_ended_listeners.append(announce_session_end)
        # Queued even when emitted on the GUI thread: the session that met
        # the end is still inside its database transaction at that moment.
        session_events.ended.connect(self._session_ended, Qt.QueuedConnection)

    # -- start ---------------------------------------------------------------

    def start(self) -> None:
        if self.store.exists():
            self.show_sign_in()
        else:
            self.show_wizard()

    def show_wizard(self) -> None:
        self.wizard = SetupWizard(self.folder, kdf=self._kdf, clock=None if self._clock is time.time
                                  else self._clock)
        self.wizard.language_requested.connect(self.switch_language)
        self.wizard.finished_setup.connect(self._setup_finished)
        self.wizard.quit_requested.connect(self._leave_setup)
        self.wizard.show()

    def _setup_finished(self, who: SignedIn) -> None:
        wizard, self.wizard = self.wizard, None
        self.enter(who)
        if wizard is not None:
            wizard.hide()
            wizard.deleteLater()

    def _leave_setup(self) -> None:
        answer = QMessageBox.question(
            self.wizard, _("Leave the set-up?"),
            _("Nothing has been saved yet. Leave the set-up and close Shelter?"),
            QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        if answer == QMessageBox.Yes:
            self.quit()

    def _sign_in_window(self) -> SignInWindow:
        if self.sign_in_window is None:
            self.sign_in_window = SignInWindow(self.store)
            self.sign_in_window.signed_in.connect(self._signed_in)
            self.sign_in_window.language_requested.connect(self.switch_language)
            self.sign_in_window.quit_requested.connect(self.quit)
        return self.sign_in_window

    def show_sign_in(self, username: str = "", locked: bool = False) -> None:
        window = self._sign_in_window()
        window.show_sign_in(username, locked)
        window.show()
        window.raise_()
        window.activateWindow()

    # -- signed in -----------------------------------------------------------

    def _signed_in(self, fresh: SignedIn, password: str) -> None:
        if fresh.actor.must_change_password:
            # A temporary password from an administrator: the person chooses
            # their own before anything else (window-modal, no nested loop).
            dialog = ChangePasswordDialog(fresh, current_password=password, forced=True,
                                          parent=self.sign_in_window)
            dialog.setWindowModality(Qt.ApplicationModal)
            dialog.finished.connect(lambda result: self._password_chosen(fresh, dialog, result))
            self.password_dialog = dialog
            dialog.open()
            return
        self._admit(fresh)

    def _password_chosen(self, fresh: SignedIn, dialog: QDialog, result: int) -> None:
        self.password_dialog = None
        dialog.deleteLater()
        if result != QDialog.Accepted:
            fresh.lock("sign_out")
            self.show_sign_in(fresh.actor.username)
            return
        self._admit(fresh)

    def _admit(self, fresh: SignedIn) -> None:
        previous = self.who
        if previous is not None and self.main_window is not None and previous.locked \
                and previous.actor.account_id == fresh.actor.account_id:
            self._resume(previous, fresh)
        else:
            self._discard_window()
            self.enter(fresh)

    def _resume(self, previous: SignedIn, fresh: SignedIn) -> None:
        """Same person: keep the window and its unsaved input; every screen
        holds ``previous``, so the new connection moves into it."""
        previous.store = fresh.store
        previous.actor = fresh.actor
        window = self.main_window
        assert window is not None
        window.show()
        for widget in self._hidden_while_locked:
            with contextlib.suppress(RuntimeError):  # closed meanwhile
                widget.show()
        self._hidden_while_locked = []
        if self._retranslate_on_resume:
            self._retranslate_on_resume = False
            window.retranslate()
        self._close_sign_in()
        window.raise_()
        window.activateWindow()
        self._start_idle_watch()
        self.entered.emit(window)

    def enter(self, who: SignedIn) -> None:
        """Build the main window for ``who`` and show it."""
        self.who = who
        window = MainWindow(who)
        window.lock_requested.connect(self.lock)
        window.sign_out_requested.connect(self.sign_out)
        window.quit_requested.connect(self.quit)
        window.language_requested.connect(self.switch_language)
        self.main_window = window
        window.restore_preferences()
        window.show()
        self._close_sign_in()
        window.raise_()
        window.activateWindow()
        self._start_idle_watch()
        self.entered.emit(window)

    def _start_idle_watch(self) -> None:
        try:
            minutes = settings.get_settings(self.who).idle_lock_minutes
        except ShelterError:
            minutes = 5
        self.idle.set_minutes(minutes)
        self.idle.start()

    def _close_sign_in(self) -> None:
        if self.sign_in_window is not None:
            self.sign_in_window.close_quietly()

    def _discard_window(self) -> None:
        """Destroy the old window and everything typed in it."""
        window, self.main_window = self.main_window, None
        for widget in self._hidden_while_locked:
            with contextlib.suppress(RuntimeError):
                widget.close()
                widget.deleteLater()
        self._hidden_while_locked = []
        if window is not None:
            window.close_quietly()
            window.deleteLater()
        if self.who is not None:
            self.who.lock("sign_out")
        self.who = None

    # -- locking, signing out, quitting -----------------------------------------

    @property
    def is_locked(self) -> bool:
        return self.who is not None and self.who.locked

    def lock(self) -> None:
        """Hide everything of the signed-in person and drop the key."""
        if self.who is None or self.main_window is None or self.who.locked:
            return
        self.idle.stop()
        with contextlib.suppress(ShelterError):
            self.main_window.save_preferences()
        # The sign-in window first, so the screen never shows a gap.
        self.show_sign_in(self.who.actor.username, locked=True)
        self._hidden_while_locked = [
            w for w in QApplication.topLevelWidgets()
            if w.isVisible() and w is not self.main_window and w is not self.sign_in_window
        ]
        for widget in self._hidden_while_locked:
            widget.hide()
        self.main_window.hide()
        self.who.lock("lock")
        self.locked.emit()

    def _session_ended(self, message: str) -> None:
        """Another session rotated the key or changed this account: lock as
        usual (the window and its input are kept for the same person) and
        say why on the sign-in window."""
        if self.who is None or self.who.locked:
            return
        self.lock()
        if self.sign_in_window is not None:
            self.sign_in_window.form.error.set_message(message)

    def sign_out(self) -> None:
        if self.who is None:
            return
        self.idle.stop()
        if self.main_window is not None and not self.who.locked:
            with contextlib.suppress(ShelterError):
                self.main_window.save_preferences()
        self.show_sign_in()
        self._discard_window()

    def quit(self) -> None:
        self.idle.stop()
        if self.main_window is not None and self.who is not None and not self.who.locked:
            with contextlib.suppress(ShelterError):
                self.main_window.save_preferences()
        self._discard_window()
        if self.sign_in_window is not None:
            self.sign_in_window.close_quietly()
        if self.wizard is not None:
            self.wizard.close_quietly()
        self.finished.emit()

    # -- language --------------------------------------------------------------

    def switch_language(self, lang: str) -> None:
        """Switch the interface language now, without a restart."""
        if lang == current_language():
            return
        self._language.apply(lang)
        for window in (self.wizard, self.sign_in_window):
            if window is not None:
                window.retranslate()
        if self.main_window is not None:
            if self.is_locked:
                self._retranslate_on_resume = True  # its screens read the store
            else:
                self.main_window.retranslate()
