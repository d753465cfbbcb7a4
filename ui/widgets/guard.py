"""Leaving a form with typed input asks first: Escape on a half-filled
admission at 2 a.m. must not throw it away."""

from __future__ import annotations

from shelter.i18n import _
from ui.qt import QAbstractButton, QComboBox, QLineEdit, QMessageBox, QPlainTextEdit, QSpinBox, QWidget


def _state(form: QWidget) -> tuple[object, ...]:
    values: list[object] = []
    for child in form.findChildren(QWidget):
        if isinstance(child, QLineEdit):
            values.append(child.text())
        elif isinstance(child, QPlainTextEdit):
            values.append(child.toPlainText())
        elif isinstance(child, QAbstractButton) and child.isCheckable():
            values.append(child.isChecked())
        elif isinstance(child, QComboBox) and not child.isEditable():
            values.append(child.currentIndex())
        elif isinstance(child, QSpinBox):
            values.append(child.value())
    return tuple(values)


class DiscardGuard:
    """Remembers what a form showed when it opened; ``may_leave`` asks before
    what was typed since is thrown away."""

    def __init__(self, form: QWidget) -> None:
        self._form = form
        self._start = _state(form)

    def reset(self) -> None:
        self._start = _state(self._form)

    def changed(self) -> bool:
        return _state(self._form) != self._start

    def may_leave(self) -> bool:
        if not self.changed():
            return True
        answer = QMessageBox.question(
            self._form, _("Leave the form?"),
            _("What was typed in this form will be lost."),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard
