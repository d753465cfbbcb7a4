"""The sign-in window: shown at start (when a store exists), after a lock and
after signing out. Deriving the key takes about half a second, so sign-in
runs off the GUI thread; after repeated failures the wait is counted down."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from shelter.errors import SignInDelayed, WrongPassword
from shelter.i18n import _, current_language, ngettext
from ui.qt import (
    QCloseEvent,
    QEvent,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    error_text,
    icon,
    run_task,
)
from ui.widgets import CapsLockWarning, ErrorLabel, LanguageBox, PasswordEdit, heading

if TYPE_CHECKING:
    from shelter.store import SignedIn
    from ui.shell.recovery import RecoveryForm

TICK_MS = 500


class Unlockable(Protocol):
    """What the sign-in window asks of the store: ``shelter.store.Store``, or
    the shell's stand-in that imports the storage layer only once the window
    has painted (``ui.shell.shell.LockedStore``)."""

    def retry_after(self, username: str) -> int: ...

    def sign_in(self, username: str, password: str) -> SignedIn: ...

    def recover(self, recovery_code: str, username: str, new_password: str) -> SignedIn: ...


class SignInForm(QWidget):
    signed_in = Signal(object, str)  # SignedIn, the password typed (for a forced change)
    forgot = Signal()

    def __init__(self, store: Unlockable, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._busy = False
        self.locked_note = QLabel(self)
        self.locked_note.setObjectName("lockedNote")
        self.locked_note.setWordWrap(True)
        self.locked_note.setVisible(False)
        self.username = QLineEdit(self)
        self.username.setLayoutDirection(Qt.LeftToRight)  # usernames are Latin
        self.username.setMaxLength(32)
        self.password = PasswordEdit(self)
        self.caps = CapsLockWarning(self)
        self.caps.watch(self.password)
        self.error = ErrorLabel(self)
        self.delay = QLabel(self)
        self.delay.setObjectName("delayNote")
        self.delay.setWordWrap(True)
        self.delay.setVisible(False)
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setFixedHeight(6)
        self.busy.setVisible(False)
        self.sign_in_button = QPushButton(self)
        self.sign_in_button.setObjectName("primary")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setAutoDefault(True)
        self.forgot_button = QPushButton(self)
        self.forgot_button.setObjectName("link")
        self.forgot_button.setFlat(True)
        self.forgot_button.setCursor(Qt.PointingHandCursor)

        self._label_username = QLabel(self)
        self._label_username.setBuddy(self.username)
        self._label_password = QLabel(self)
        self._label_password.setBuddy(self.password)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.WrapAllRows)
        form.addRow(self._label_username, self.username)
        form.addRow(self._label_password, self.password)
        form.addRow(self.caps)

        buttons = QHBoxLayout()
        buttons.addWidget(self.forgot_button)
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.locked_note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.delay)
        layout.addWidget(self.busy)
        layout.addLayout(buttons)

        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self.refresh_delay)

        self.sign_in_button.clicked.connect(self.submit)
        self.username.returnPressed.connect(self._next_or_submit)
        self.password.returnPressed.connect(self.submit)
        self.username.textChanged.connect(self._username_changed)
        self.forgot_button.clicked.connect(self.forgot)
        self.retranslate()

    # -- texts -------------------------------------------------------------

    def retranslate(self) -> None:
        self._label_username.setText(_("&Username:"))
        self._label_password.setText(_("&Password:"))
        self.username.setAccessibleName(_("Username"))
        self.password.setAccessibleName(_("Password"))
        self.sign_in_button.setText(_("&Sign in"))
        self.sign_in_button.setAccessibleName(_("Sign in"))
        self.forgot_button.setText(_("&Forgot password?"))
        self.locked_note.setText(_("Shelter is locked. Sign in to continue. If someone else signs in, "
                                   "the work left open on screen is closed without saving."))
        self.busy.setAccessibleName(_("Signing in…"))
        self.password.retranslate()
        self.caps.retranslate()
        self.refresh_delay()

    # -- states ------------------------------------------------------------

    def reset(self, username: str = "", locked: bool = False) -> None:
        self.username.setText(username)
        self.password.clear()
        self.password.conceal()
        self.error.set_message("")
        self.locked_note.setVisible(locked)
        self.set_busy(False)
        self.refresh_delay()
        (self.password if username else self.username).setFocus(Qt.OtherFocusReason)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        for widget in (self.username, self.password, self.forgot_button):
            widget.setEnabled(not busy)
        self._update_button()

    @property
    def is_busy(self) -> bool:
        return self._busy

    def seconds_to_wait(self) -> int:
        name = self.username.text().strip()
        try:
            return self._store.retry_after(name)
        except Exception:  # noqa: BLE001  (a missing keyring is reported at sign-in)
            return 0

    def refresh_delay(self) -> None:
        """Show the seconds left before the next attempt; stop ticking at zero."""
        wait = self.seconds_to_wait()
        if wait > 0:
            self.delay.setText(
                ngettext("Too many failed attempts. You can try again in {seconds} second.",
                         "Too many failed attempts. You can try again in {seconds} seconds.", wait).format(seconds=wait))
            self.delay.setVisible(True)
            if not self._ticker.isActive():
                self._ticker.start()
        else:
            self.delay.setVisible(False)
            self._ticker.stop()
        self._update_button()

    def _update_button(self) -> None:
        self.sign_in_button.setEnabled(not self._busy and not self.delay.isVisible())

    def _username_changed(self) -> None:
        self.error.set_message("")
        self.refresh_delay()

    # -- signing in --------------------------------------------------------

    def _next_or_submit(self) -> None:
        if self.password.text():
            self.submit()
        else:
            self.password.setFocus(Qt.TabFocusReason)

    def submit(self) -> None:
        if self._busy:
            return
        self.refresh_delay()
        if self.delay.isVisible():
            return  # refused: the countdown says when
        username = self.username.text().strip()
        password = self.password.text()
        if not username:
            self.error.set_message(_("Enter your username."))
            self.username.setFocus(Qt.OtherFocusReason)
            return
        if not password:
            self.error.set_message(_("Enter your password."))
            self.password.setFocus(Qt.OtherFocusReason)
            return
        self.error.set_message("")
        self.set_busy(True)
        store = self._store
        run_task(self, lambda: store.sign_in(username, password),
                 lambda who: self._signed_in(who, password), self._failed)

    def _signed_in(self, who: SignedIn, password: str) -> None:
        self.set_busy(False)
        self.password.clear()
        self.signed_in.emit(who, password)

    def _failed(self, exc: BaseException) -> None:
        self.set_busy(False)
        self.password.clear()
        if isinstance(exc, WrongPassword | SignInDelayed):
            self.error.set_message(_("Wrong username or password.") if isinstance(exc, WrongPassword)
                                   else "")
        else:
            self.error.set_message(error_text(exc))
        self.refresh_delay()
        self.password.setFocus(Qt.OtherFocusReason)


class SignInWindow(QWidget):
    """The window: the sign-in form, or the recovery form after "Forgot password?"."""

    signed_in = Signal(object, str)
    language_requested = Signal(str)
    quit_requested = Signal()
    first_painted = Signal()  # once, from the first paint (connect it queued to act after it)

    def __init__(self, store: Unlockable, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInWindow")
        self.setWindowIcon(icon("shelter"))
        self.store = store
        self.logo = QLabel(self)
        self.logo.setPixmap(icon("shelter").pixmap(56, 56))
        self.logo.setAlignment(Qt.AlignCenter)
        self.title = heading("", 1, self)
        self.title.setAlignment(Qt.AlignCenter)
        self.subtitle = QLabel(self)
        self.subtitle.setObjectName("muted")
        self.subtitle.setAlignment(Qt.AlignCenter)
        self.subtitle.setWordWrap(True)

        self.form = SignInForm(store, self)
        self._recovery: RecoveryForm | None = None  # built when first asked for
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.form)

        self.language = LanguageBox(self)
        self._label_language = QLabel(self)
        self._label_language.setBuddy(self.language)
        language_row = QHBoxLayout()
        language_row.addStretch(1)
        language_row.addWidget(self._label_language)
        language_row.addWidget(self.language)

        card = QFrame(self)
        card.setObjectName("card")
        card_layout = QVBoxLayout(card)
        card_layout.setContentsMargins(28, 24, 28, 24)
        card_layout.setSpacing(10)
        card_layout.addWidget(self.logo)
        card_layout.addWidget(self.title)
        card_layout.addWidget(self.subtitle)
        card_layout.addSpacing(6)
        card_layout.addWidget(self.pages)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 24)
        outer.addLayout(language_row)
        outer.addStretch(1)
        outer.addWidget(card)
        outer.addStretch(1)

        self.form.signed_in.connect(self.signed_in)
        self.form.forgot.connect(self.show_recovery)
        self.language.language_chosen.connect(self.language_requested)
        self._closing = False
        self._painted = False
        self.resize(500, 600)
        self.retranslate()

    @property
    def recovery(self) -> RecoveryForm:
        """The recovery form (built on "Forgot password?": it needs the
        store's module, which the first paint does not wait for)."""
        if self._recovery is None:
            from ui.shell.recovery import RecoveryForm

            self._recovery = RecoveryForm(self.store, self)
            self._recovery.recovered.connect(self.signed_in)
            self._recovery.back.connect(self.show_sign_in)
            self.pages.addWidget(self._recovery)
        return self._recovery

    def retranslate(self) -> None:
        # The system adds " — Shelter" (the application's display name) itself.
        self.setWindowTitle(_("Sign in"))
        self.title.setText(_("Shelter"))
        self.subtitle.setText(_("Sign in with your own account. Never share your password."))
        self._label_language.setText(_("&Language:"))
        self.language.setAccessibleName(_("Language"))
        self.language.set_language(current_language())
        self.form.retranslate()
        if self._recovery is not None:
            self._recovery.retranslate()

    def show_sign_in(self, username: str = "", locked: bool = False) -> None:
        self.pages.setCurrentWidget(self.form)
        self.form.reset(username, locked)

    def show_recovery(self) -> None:
        self.recovery.reset(self.form.username.text())
        self.pages.setCurrentWidget(self.recovery)

    def close_quietly(self) -> None:
        """Hide the window without asking the application to quit."""
        self._closing = True
        self.hide()
        self._closing = False

    def paintEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt name)
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt name)
        if not self._closing:
            self.quit_requested.emit()
        super().closeEvent(event)
