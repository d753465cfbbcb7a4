"""Change one's own password (accounts.change_password). Forced after a
sign-in with a temporary password set by an administrator."""

from __future__ import annotations

from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.services import accounts
from shelter.store import SignedIn
from ui.qt import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    run_task,
)
from ui.widgets import ErrorLabel, FieldErrors, NewPassword, PasswordEdit, heading


class ChangePasswordDialog(QDialog):
    """``current_password`` given (just typed at sign-in) skips asking for it again."""

    def __init__(self, who: SignedIn, current_password: str | None = None, forced: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("changePasswordDialog")
        self.setModal(True)
        self._who = who
        self._current = current_password
        self._forced = forced
        self._busy = False
        self.title = heading("", 1, self)
        self.explanation = QLabel(self)
        self.explanation.setWordWrap(True)
        self.current = PasswordEdit(self)
        self.current_error = ErrorLabel(self)
        self._label_current = QLabel(self)
        self._label_current.setBuddy(self.current)
        self.new_password = NewPassword(self, lambda: who.actor.username)
        self.error = ErrorLabel(self)
        self.errors = FieldErrors(self.error)
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setFixedHeight(6)
        self.busy.setVisible(False)
        self.ok_button = QPushButton(self)
        self.ok_button.setObjectName("primary")
        self.ok_button.setDefault(True)
        self.cancel_button = QPushButton(self)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.WrapLongRows)
        if current_password is None:
            form.addRow(self._label_current, self.current)
            form.addRow("", self.current_error)
            self.errors.add("current_password", self.current_error, self.current)
        else:
            self.current.hide()
            self._label_current.hide()
            self.current_error.hide()
        self.new_password.add_to(form)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(self.title)
        layout.addWidget(self.explanation)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addLayout(buttons)

        self.ok_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        self.setMinimumWidth(520)
        self.retranslate()
        (self.current if current_password is None else self.new_password.password).setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Change password"))
        self.title.setText(_("Choose your own password") if self._forced else _("Change your password"))
        self.explanation.setText(
            _("Your password was set by an administrator. Choose your own now: only you should know it. "
              "A few words together make a password that is strong and easy to remember.")
            if self._forced else
            _("A few words together make a password that is strong and easy to remember."))
        self._label_current.setText(_("C&urrent password:"))
        self.current.setAccessibleName(_("Current password"))
        self.current.retranslate()
        self.new_password.retranslate()
        self.ok_button.setText(_("&Change password"))
        self.cancel_button.setText(_("Sign &out") if self._forced else _("Cancel"))

    def submit(self) -> None:
        if self._busy:
            return
        self.errors.clear()
        current = self._current if self._current is not None else self.current.text()
        if not current:
            self.errors.show(_("Enter your current password."), "current_password")
            return
        if not self.new_password.validate():
            return
        new = self.new_password.value()
        self._set_busy(True)
        who = self._who
        run_task(self, lambda: accounts.change_password(who, current, new), self._done, self._failed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        for widget in (self.current, self.new_password.password, self.new_password.repeat, self.ok_button,
                       self.cancel_button):
            widget.setEnabled(not busy)

    def _done(self, _result: object) -> None:
        self._set_busy(False)
        self._current = None
        self.new_password.clear()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, ValidationError) and exc.field == "new_password":
            self.new_password.show_error(exc.message)
        else:
            self.errors.show_error(exc)

    def reject(self) -> None:
        if not self._busy:
            super().reject()
