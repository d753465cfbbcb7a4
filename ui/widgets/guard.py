"""Leaving a form with typed input asks first: Escape on a half-filled
admission at 2 a.m. must not throw it away."""

from __future__ import annotations

from shelter.i18n import _
from ui.qt import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QEvent,
    QKeyEvent,
    QLineEdit,
    QMessageBox,
    QObject,
    QPlainTextEdit,
    QSpinBox,
    Qt,
    QWidget,
)


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


class DiscardGuard(QObject):
    """Remembers what a form showed when it opened; ``may_leave`` asks before
    what was typed since is thrown away. On a dialog it also watches Escape
    and the window's close button, and ``leave`` is what Cancel connects to;
    a dialog closed by the program (``reject()``) is not asked about."""

    def __init__(self, form: QWidget) -> None:
        super().__init__(form)
        self._form = form
        self._start = _state(form)
        if isinstance(form, QDialog):
            form.installEventFilter(self)

    def leave(self) -> None:
        """Cancel: close the dialog, after asking if something was typed."""
        if self.may_leave() and isinstance(self._form, QDialog):
            self._form.reject()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is not self._form:
            return False
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_Escape:
            self.leave()
            return True
        if event.type() == QEvent.Type.Close and isinstance(self._form, QDialog) \
                and self._form.result() != QDialog.DialogCode.Accepted and not self.may_leave():
            event.ignore()
            return True
        return False

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
