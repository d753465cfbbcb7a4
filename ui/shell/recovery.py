"""'Forgot password?': an administrator sets a new password with the recovery
code kept in the shelter's safe (Store.recover), then is signed in."""

from __future__ import annotations

from shelter.errors import SignInDelayed, ValidationError, WrongPassword
from shelter.i18n import _
from shelter.store import SignedIn, Store
from ui.qt import (
    QFontDatabase,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
    error_text,
    run_task,
)
from ui.widgets import ErrorLabel, FieldErrors, NewPassword


class RecoveryForm(QWidget):
    recovered = Signal(object, str)  # SignedIn, the new password
    back = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._busy = False
        self.explanation = QLabel(self)
        self.explanation.setWordWrap(True)
        self.code = QLineEdit(self)
        self.code.setLayoutDirection(Qt.LeftToRight)
        self.code.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.code.setMaxLength(60)
        self.code_error = ErrorLabel(self)
        self.username = QLineEdit(self)
        self.username.setLayoutDirection(Qt.LeftToRight)
        self.username.setMaxLength(32)
        self.username_error = ErrorLabel(self)
        self.new_password = NewPassword(self, self.username.text)
        self.error = ErrorLabel(self)
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setFixedHeight(6)
        self.busy.setVisible(False)
        self.submit_button = QPushButton(self)
        self.submit_button.setObjectName("primary")
        self.submit_button.setAutoDefault(True)
        self.back_button = QPushButton(self)
        self.back_button.setAutoDefault(True)

        self._label_code = QLabel(self)
        self._label_code.setBuddy(self.code)
        self._label_username = QLabel(self)
        self._label_username.setBuddy(self.username)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.WrapLongRows)
        form.addRow(self._label_code, self.code)
        form.addRow("", self.code_error)
        form.addRow(self._label_username, self.username)
        form.addRow("", self.username_error)
        self.new_password.add_to(form)

        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.submit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.explanation)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addLayout(buttons)

        self.errors = FieldErrors(self.error)
        self.errors.add("username", self.username_error, self.username)
        self.errors.add("code", self.code_error, self.code)

        self.submit_button.clicked.connect(self.submit)
        self.back_button.clicked.connect(self.back)
        self.new_password.repeat.returnPressed.connect(self.submit)
        self.retranslate()

    def retranslate(self) -> None:
        self.explanation.setText(_(
            "An administrator who has lost their password can set a new one with the recovery code "
            "written down when Shelter was set up (kept in the shelter's safe)."))
        self._label_code.setText(_("&Recovery code:"))
        self.code.setPlaceholderText("XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX")
        self.code.setAccessibleName(_("Recovery code"))
        self._label_username.setText(_("&Administrator's username:"))
        self.username.setAccessibleName(_("Administrator's username"))
        self.new_password.retranslate()
        self.submit_button.setText(_("Set the &new password and sign in"))
        self.back_button.setText(_("&Back to sign-in"))
        self.busy.setAccessibleName(_("Opening the store…"))

    def reset(self, username: str = "") -> None:
        self.code.clear()
        self.username.setText(username)
        self.new_password.clear()
        self.errors.clear()
        self.set_busy(False)
        self.code.setFocus(Qt.OtherFocusReason)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        for widget in (self.code, self.username, self.new_password.password, self.new_password.repeat,
                       self.submit_button, self.back_button):
            widget.setEnabled(not busy)

    def submit(self) -> None:
        if self._busy:
            return
        self.errors.clear()
        if not self.code.text().strip():
            self.errors.show(_("Enter the recovery code."), "code")
            return
        if not self.username.text().strip():
            self.errors.show(_("Enter the administrator's username."), "username")
            return
        if not self.new_password.validate():
            return
        code, username, password = self.code.text(), self.username.text(), self.new_password.value()
        self.set_busy(True)
        store = self._store
        run_task(self, lambda: store.recover(code, username, password),
                 lambda who: self._done(who, password), self._failed)

    def _done(self, who: SignedIn, password: str) -> None:
        self.set_busy(False)
        self.code.clear()
        self.new_password.clear()
        self.recovered.emit(who, password)

    def _failed(self, exc: BaseException) -> None:
        self.set_busy(False)
        if isinstance(exc, WrongPassword):
            self.errors.show(error_text(exc), "code")
        elif isinstance(exc, ValidationError) and exc.field == "new_password":
            self.new_password.show_error(exc.message)
        elif isinstance(exc, ValidationError | SignInDelayed):
            self.errors.show(error_text(exc), getattr(exc, "field", None))
        else:
            self.errors.show(error_text(exc))
