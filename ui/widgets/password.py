"""Password fields: Caps Lock noticed from typing, a show/hide switch, and a
new-password block (typed twice, live strength meter, problems beside it)."""

from __future__ import annotations

from collections.abc import Callable

from shelter.i18n import _
from shelter.security.passwords import assess, problems, strength, strength_label
from ui.qt import (
    QAction,
    QFormLayout,
    QHBoxLayout,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QObject,
    QProgressBar,
    Qt,
    QWidget,
    Signal,
    icon,
)
from ui.widgets.field import ErrorLabel


class PasswordEdit(QLineEdit):
    """A password field. Qt cannot ask the keyboard whether Caps Lock is on,
    so it is guessed from what is typed: a letter that comes out upper case
    without Shift (or lower case with Shift) means Caps Lock is on."""

    caps_lock_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEchoMode(QLineEdit.Password)
        self.setContextMenuPolicy(Qt.NoContextMenu)
        self._caps: bool | None = None
        self._reveal = QAction(icon("eye"), "", self)
        self._reveal.setCheckable(True)
        self._reveal.toggled.connect(self._on_reveal)
        self.addAction(self._reveal, QLineEdit.TrailingPosition)
        self.retranslate()

    def retranslate(self) -> None:
        self._reveal.setToolTip(_("Hide the password") if self._reveal.isChecked() else _("Show the password"))

    def _on_reveal(self, shown: bool) -> None:
        self.setEchoMode(QLineEdit.Normal if shown else QLineEdit.Password)
        self.retranslate()

    def conceal(self) -> None:
        self._reveal.setChecked(False)

    @property
    def caps_lock(self) -> bool | None:
        """True/False once typing has shown it, None while unknown."""
        return self._caps

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        if event.key() == Qt.Key_CapsLock and self._caps is not None:
            self._set_caps(not self._caps)
        text = event.text()
        if len(text) == 1 and text.isalpha() and text.lower() != text.upper():
            shift = bool(event.modifiers() & Qt.ShiftModifier)
            self._set_caps(text.isupper() != shift)
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802, ANN001
        # Caps Lock may change while another window has the keyboard.
        self._caps = None
        super().focusOutEvent(event)

    def _set_caps(self, on: bool) -> None:
        if on != self._caps:
            self._caps = on
            self.caps_lock_changed.emit(on)


class CapsLockWarning(QLabel):
    """'Caps Lock is on' under the password fields it watches."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("capsLockWarning")
        self.setVisible(False)
        self.retranslate()

    def watch(self, field: PasswordEdit) -> None:
        field.caps_lock_changed.connect(self.setVisible)

    def retranslate(self) -> None:
        self.setText(_("Caps Lock is on."))


class StrengthMeter(QWidget):
    """A bar and a word (Very weak … Very strong) for the password typed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("strengthMeter")
        self._bar = QProgressBar(self)
        self._bar.setRange(0, 5)
        self._bar.setTextVisible(False)
        self._bar.setFixedHeight(8)
        self._label = QLabel(self)
        self._label.setMinimumWidth(90)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._bar, 1)
        layout.addWidget(self._label)
        self._score: int | None = None
        self.set_password("")

    def set_password(self, password: str, username: str = "") -> None:
        self.set_score(strength(password, username) if password else None)

    def set_score(self, score: int | None) -> None:
        """Show ``score`` (0-4, from ``shelter.security.passwords``), or
        nothing for None."""
        self._score = score
        self._bar.setValue(0 if self._score is None else self._score + 1)
        self._bar.setProperty("level", "none" if self._score is None else str(self._score))
        self._bar.style().unpolish(self._bar)
        self._bar.style().polish(self._bar)
        self.retranslate()

    def retranslate(self) -> None:
        text = "" if self._score is None else strength_label(self._score)
        self._label.setText(text)
        self._bar.setAccessibleName(_("Password strength"))
        self._bar.setAccessibleDescription(text)

    def label(self) -> str:
        return self._label.text()


class NewPassword(QObject):
    """A new password typed twice, for a form: its rows go into the caller's
    QFormLayout so labels line up with the rest of the form.

    ``username`` gives the account name the password must not contain.
    """

    def __init__(self, parent: QWidget, username: Callable[[], str] = lambda: "") -> None:
        super().__init__(parent)
        self._username = username
        self.password = PasswordEdit(parent)
        self.repeat = PasswordEdit(parent)
        self.meter = StrengthMeter(parent)
        self.problems = ErrorLabel(parent)
        self.problems.setObjectName("passwordHint")
        self.mismatch = ErrorLabel(parent)
        self.caps = CapsLockWarning(parent)
        self.caps.watch(self.password)
        self.caps.watch(self.repeat)
        self._label_password = QLabel(parent)
        self._label_password.setBuddy(self.password)
        self._label_repeat = QLabel(parent)
        self._label_repeat.setBuddy(self.repeat)
        self._label_strength = QLabel(parent)
        self.password.textChanged.connect(self._update)
        self.repeat.textChanged.connect(self._update_mismatch)
        self._shown_problems = False
        self.retranslate()

    def add_to(self, form: QFormLayout) -> None:
        form.addRow(self._label_password, self.password)
        form.addRow("", self.problems)
        form.addRow(self._label_strength, self.meter)
        form.addRow(self._label_repeat, self.repeat)
        form.addRow("", self.mismatch)
        form.addRow("", self.caps)

    def retranslate(self, label: str | None = None) -> None:
        self._label_password.setText(label or _("New &password:"))
        self._label_repeat.setText(_("&Repeat the password:"))
        self._label_strength.setText(_("Strength:"))
        self.password.setAccessibleName(_("New password"))
        self.repeat.setAccessibleName(_("Repeat the password"))
        self.password.setPlaceholderText(_("At least 12 characters, e.g. a few words"))
        self.password.retranslate()
        self.repeat.retranslate()
        self.meter.retranslate()
        self.caps.retranslate()
        self._update(self.password.text())

    def _update(self, text: str) -> None:
        # One estimate for the meter and the problems, so they agree (and
        # the estimate runs once per keystroke). Problems appear once something
        # is typed, and stay up to date.
        found = assess(text, self._username().strip().lower()) if text else None
        self.meter.set_score(found.score if found else None)
        self.problems.set_message("\n".join(found.problems) if found else "")
        self._update_mismatch()

    def _update_mismatch(self) -> None:
        if self.repeat.text() and self.repeat.text() != self.password.text():
            if not self.password.text().startswith(self.repeat.text()):
                self.mismatch.set_message(_("The two passwords are not the same."))
                return
        self.mismatch.set_message("")

    def value(self) -> str:
        return self.password.text()

    def validate(self) -> bool:
        """Show what is wrong beside the fields; True when the password may be used."""
        text = self.password.text()
        found = problems(text, self._username().strip().lower())
        if found:
            self.problems.set_message("\n".join(found))
            self.password.setFocus(Qt.OtherFocusReason)
            return False
        if self.repeat.text() != text:
            self.mismatch.set_message(_("The two passwords are not the same."))
            self.repeat.setFocus(Qt.OtherFocusReason)
            return False
        return True

    def show_error(self, message: str) -> None:
        self.problems.set_message(message)
        self.password.setFocus(Qt.OtherFocusReason)

    def clear(self) -> None:
        for field in (self.password, self.repeat):
            field.clear()
            field.conceal()
