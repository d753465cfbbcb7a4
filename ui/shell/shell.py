"""The application's flow: set-up → sign-in → main window ⇄ locked.

Locking (after the idle time, on Ctrl+L / F12, or the toolbar button) hides
every window of the signed-in person, calls ``SignedIn.lock()`` (the database
connection closes, the key is dropped) and shows the sign-in window.

- The same person signing in again gets the very same window back, with
  whatever they had typed: the new connection is moved into the existing
  ``SignedIn`` object, so every screen's reference to it stays valid.
- Someone else signing in: the old window is destroyed with its unsaved
  input, and a fresh one is built for the new person.

Backups (``ui.shell.backup_runner``): one is made off the GUI thread when it
is due, right after the main window first paints (the first sign-in of the
day) and on signing out or closing; signing out and closing wait for one in
flight. A restore from Administration → Backups ends the session: the
sign-in window shows again.

Start-up waits for Qt, the catalogue and the sign-in form only: the storage
layer, the key derivation and the main window's modules are imported on a
worker thread right after the sign-in window first paints (``LockedStore``),
and signing in, with its migration check, runs off the GUI thread as well.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from shelter.errors import ShelterError
from shelter.i18n import _, current_language
from shelter.storage.paths import StorePaths
from ui.qt import (
    QApplication,
    QDialog,
    QMessageBox,
    QObject,
    Qt,
    QWidget,
    Signal,
    announce_session_end,
    run_task,
    session_events,
)
from ui.shell.idle import IdleWatcher
from ui.shell.language import InterfaceLanguage
from ui.shell.sign_in import SignInWindow

if TYPE_CHECKING:
    from shelter.security.keyring import KdfParams
    from shelter.store import SignedIn, Store
    from ui.shell.change_password import ChangePasswordDialog
    from ui.shell.main_window import MainWindow
    from ui.shell.setup_wizard import SetupWizard

_listening = threading.Lock()


def _listen_for_session_end() -> None:
    """Tell the shell (through ``session_events``) when the core finds the
    session ended elsewhere; any thread, any number of times."""
    from shelter import store as store_module

    with _listening:
        if announce_session_end not in store_module.session_ended_listeners:
            store_module.session_ended_listeners.append(announce_session_end)


class LockedStore:
    """The store folder before anyone has signed in: whether it exists needs
    only the keyring's path, so deciding between the set-up and the sign-in
    window imports nothing of the storage layer. ``load()`` (from any thread:
    the shell calls it on a worker right after the sign-in window paints)
    imports it and makes the ``shelter.store.Store``; signing in and recovery
    call it first, so they work whether the warm-up has finished or not."""

    def __init__(self, folder: Path, clock: Callable[[], float] = time.time) -> None:
        self.folder = Path(folder)
        self.paths = StorePaths(self.folder)
        self._clock = clock
        self._store: Store | None = None
        self._loading = threading.Lock()

    def exists(self) -> bool:
        return self.paths.exists()

    @property
    def loaded(self) -> bool:
        return self._store is not None

    def load(self) -> Store:
        with self._loading:
            if self._store is None:
                from shelter.store import Store

                _listen_for_session_end()
                self._store = Store(self.folder, clock=self._clock)
            return self._store

    def retry_after(self, username: str) -> int:
        """Seconds before ``username`` may try again; 0 until the store is
        loaded (reading the keyring needs the cryptography, and the GUI thread
        never waits for that import). Signing in checks the delay itself."""
        store = self._store
        return 0 if store is None else store.retry_after(username)

    def sign_in(self, username: str, password: str) -> SignedIn:
        return self.load().sign_in(username, password)

    def recover(self, recovery_code: str, username: str, new_password: str) -> SignedIn:
        return self.load().recover(recovery_code, username, new_password)


def _load_core(store: LockedStore) -> Store:
    """The warm-up's work (on a worker thread): the store, and the services
    the shell calls right after signing in."""
    loaded = store.load()
    import shelter.services.accounts  # noqa: F401  (a forced password change)
    import shelter.services.settings  # noqa: F401  (the idle lock's minutes)

    return loaded


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
        self.store = LockedStore(self.folder, clock=clock)
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
        self._finishing_backup = False
        self.idle = IdleWatcher(5, self)
        self.idle.idle.connect(self.lock)
        self.idle.lock_keys.connect(self.lock)
        # Queued even when emitted on the GUI thread: the session that met
        # the end is still inside its database transaction at that moment.
        session_events.ended.connect(self._session_ended, Qt.QueuedConnection)
        self.entered.connect(self._tell_counsellor)

    # -- start ---------------------------------------------------------------

    def start(self) -> None:
        if self.store.exists():
            self.show_sign_in()
        else:
            self.show_wizard()

    def show_wizard(self) -> None:
        from ui.shell.setup_wizard import SetupWizard

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
            self.sign_in_window.first_painted.connect(self._warm_up, Qt.QueuedConnection)
        return self.sign_in_window

    def show_sign_in(self, username: str = "", locked: bool = False) -> None:
        window = self._sign_in_window()
        window.show_sign_in(username, locked)
        window.show()
        window.raise_()
        window.activateWindow()

    def _warm_up(self) -> None:
        """Right after the sign-in window has painted: import the storage
        layer on a worker thread, so the click on "Sign in" waits for the
        key derivation only (Python imports are safe off the GUI thread;
        widgets, and so the main window's modules, are not)."""
        if not self.store.loaded:
            # A failure is only printed here: signing in meets it again and says it.
            run_task(self, lambda: _load_core(self.store), self._core_loaded, lambda _exc: None)

    def _core_loaded(self, _store: object) -> None:
        if self.sign_in_window is not None:
            with contextlib.suppress(RuntimeError):  # the window was deleted meanwhile
                self.sign_in_window.form.refresh_delay()  # a delay left from before the start shows now
        import ui.shell.main_window  # noqa: F401  (its widgets' modules: on the GUI thread, and quick now)

    # -- signed in -----------------------------------------------------------

    def _signed_in(self, fresh: SignedIn, password: str) -> None:
        if fresh.actor.must_change_password:
            from ui.shell.change_password import ChangePasswordDialog

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
        self._back_up_if_due()

    def enter(self, who: SignedIn) -> None:
        """Build the main window for ``who`` and show it."""
        from ui.shell.main_window import MainWindow

        _listen_for_session_end()
        self.who = who
        window = MainWindow(who)
        window.lock_requested.connect(self.lock)
        window.sign_out_requested.connect(self.sign_out)
        window.quit_requested.connect(self.quit)
        window.language_requested.connect(self.switch_language)
        window.first_painted.connect(self._back_up_if_due, Qt.QueuedConnection)
        window.restored.connect(self._restored)
        self.main_window = window
        window.restore_preferences()
        window.show()
        self._close_sign_in()
        window.raise_()
        window.activateWindow()
        self._start_idle_watch()
        self.entered.emit(window)

    def _tell_counsellor(self, window: MainWindow) -> None:
        """A counsellor signed in: the notes' key is opened off the GUI thread
        (and handed on to counsellors who lack it), then the emergency
        readings of notes not told yet are listed."""
        if self.who is not None:
            from ui.sessions.glass import tell_glass_notices

            tell_glass_notices(window, self.who)

    def _back_up_if_due(self) -> None:
        """A backup, off the GUI thread, if the last verified one is older
        than the interval (the worker checks; nothing for those who may not
        back up)."""
        if self.who is not None and not self.who.locked:
            from ui.shell.backup_runner import backup_runner

            backup_runner().start(self.who, "auto", only_if_due=True)

    def _finish_backups(self) -> None:
        """Before signing out or closing: wait for a backup in flight
        ("Finishing the backup…"), then make one if it is due."""
        if self.who is None and "ui.shell.backup_runner" not in sys.modules:
            return  # nothing was ever backed up in this run
        from ui.shell.backup_runner import backup_runner

        runner = backup_runner()
        window = self.main_window if self.main_window is not None and self.main_window.isVisible() \
            else self.sign_in_window
        self._finishing_backup = True
        try:
            runner.wait(window)
            if self.who is not None and not self.who.locked and runner.start(self.who, "closing", only_if_due=True):
                runner.wait(window)
        finally:
            self._finishing_backup = False

    def _restored(self, message: str) -> None:
        """A backup replaced the store (or a restore ended this session
        without finishing): sign in again, told why."""
        self.sign_out()
        if self.sign_in_window is not None:
            self.sign_in_window.form.error.set_message(
                message or _("The store was restored from a backup. Sign in again."))

    def _start_idle_watch(self) -> None:
        from shelter.services import settings

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
        """Hide everything of the signed-in person and drop the key (a backup
        under way goes on, on its own session)."""
        if self.who is None or self.main_window is None or self.who.locked or self._finishing_backup:
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
        if self.who is None or self._finishing_backup:
            return
        self.idle.stop()
        self._finish_backups()
        if self.main_window is not None and not self.who.locked:
            with contextlib.suppress(ShelterError):
                self.main_window.save_preferences()
        self.show_sign_in()
        self._discard_window()

    def quit(self) -> None:
        if self._finishing_backup:
            return
        self.idle.stop()
        self._finish_backups()
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
        from shelter.workstation import remember_language

        remember_language(self.folder, lang)  # the sign-in window opens in it next time
        for window in (self.wizard, self.sign_in_window):
            if window is not None:
                window.retranslate()
        if self.main_window is not None:
            if self.is_locked:
                self._retranslate_on_resume = True  # its screens read the store
            else:
                self.main_window.retranslate()
