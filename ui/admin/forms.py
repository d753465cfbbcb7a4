"""Small pieces the administration forms share: a status line, a password
pair with a strength meter, confirmation boxes and local date formatting.
Error labels beside the fields are ``ui.widgets.FieldErrors``."""

from __future__ import annotations

from collections.abc import Callable

from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.security import passwords
from ui.qt import (
    QCheckBox,
    QColor,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPalette,
    QProgressBar,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
)

OK_COLOUR = QColor("#1b5e20")
# Meter colours from very weak to very strong.
STRENGTH_COLOURS = ("#b00020", "#d84315", "#f9a825", "#2e7d32", "#1b5e20")


def tint(widget: QWidget, colour: QColor) -> None:
    """Colour a widget's text (the shell's style sheet may override this
    through the widget's ``role`` property)."""
    palette = widget.palette()
    palette.setColor(QPalette.ColorRole.WindowText, colour)
    palette.setColor(QPalette.ColorRole.Text, colour)
    widget.setPalette(palette)


def status_label() -> QLabel:
    """A quiet line that confirms what was just done ("Saved.")."""
    label = QLabel()
    label.setWordWrap(True)
    label.setProperty("role", "status")
    label.setTextFormat(Qt.TextFormat.PlainText)
    tint(label, OK_COLOUR)
    return label


def dialog_buttons(accept_text: str) -> tuple[QDialogButtonBox, QPushButton]:
    """Our own Accept/Cancel buttons (translated by us, not by Qt's catalogue).
    The accept button is the default: Enter presses it, Escape cancels."""
    box = QDialogButtonBox()
    ok = box.addButton(accept_text, QDialogButtonBox.ButtonRole.AcceptRole)
    box.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
    ok.setDefault(True)
    ok.setAutoDefault(True)
    return box, ok


class PasswordPair(QWidget):
    """A password typed twice, with a live strength meter and the first rule
    it breaks as a hint. ``username`` (a callable) lets the hint warn about a
    password that contains the username."""

    def __init__(self, username: Callable[[], str] = lambda: "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._username = username
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(_("Temporary password"))
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm.setAccessibleName(_("Temporary password again"))
        self.meter = QProgressBar()
        self.meter.setRange(0, 5)
        self.meter.setTextVisible(False)
        self.meter.setMaximumHeight(8)
        self.meter.setAccessibleName(_("Password strength"))
        self.strength = QLabel()
        self.strength.setWordWrap(True)
        self.strength.setTextFormat(Qt.TextFormat.PlainText)
        self.show_text = QCheckBox(_("Sho&w the password"))
        self.show_text.setAccessibleName(_("Show the password"))
        self.show_text.toggled.connect(self._reveal)
        self.password.textChanged.connect(self.refresh)
        self.refresh()

    def meter_box(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.meter)
        layout.addWidget(self.strength)
        layout.addWidget(self.show_text)
        return box

    def _reveal(self, on: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
        self.password.setEchoMode(mode)
        self.confirm.setEchoMode(mode)

    def refresh(self) -> None:
        text = self.password.text()
        if not text:
            self.meter.setValue(0)
            self.strength.setText(
                _("At least {n} characters; a few words together make a good passphrase.").format(
                    n=passwords.MIN_LENGTH)
            )
            self.meter.setAccessibleDescription("")
            return
        # One estimate for the meter and the hint, so they agree.
        assessment = passwords.assess(text, self._username())
        score, found = assessment.score, assessment.problems
        self.meter.setValue(score + 1)
        palette = self.meter.palette()
        palette.setColor(QPalette.ColorRole.Highlight, QColor(STRENGTH_COLOURS[score]))
        self.meter.setPalette(palette)
        label = passwords.strength_label(score)
        message = _("Strength: {label}").format(label=label)
        if found:
            message = _("Strength: {label}. {problem}").format(label=label, problem=found[0])
        self.strength.setText(message)
        self.meter.setAccessibleDescription(message)

    def matches(self) -> bool:
        return self.password.text() == self.confirm.text()

    def mismatch_error(self) -> ValidationError:
        return ValidationError(_("The two passwords are not the same."), field="password_confirm")


def ask(parent: QWidget, title: str, text: str, confirm: str) -> bool:
    """A confirmation for an action that is hard to undo. Cancel is the
    default, so Enter alone does not confirm."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    yes = box.addButton(confirm, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(_("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.exec()
    return box.clickedButton() is yes


def tell(parent: QWidget, title: str, text: str) -> None:
    """A problem the person must read (an action was refused)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.addButton(_("OK"), QMessageBox.ButtonRole.AcceptRole)
    box.exec()
