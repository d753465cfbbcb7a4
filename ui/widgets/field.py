"""Bad input gets its message next to the field it is about."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from shelter.errors import ShelterError
from ui.qt import (
    QApplication,
    QEvent,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSize,
    QSizePolicy,
    Qt,
    QVBoxLayout,
    QWidget,
    error_text,
)

T = TypeVar("T")


class ErrorLabel(QLabel):
    """A message under one field; hidden while there is nothing to say, but
    its line kept: a message appearing or going does not move the fields
    below it, so the next click lands where the eye aimed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldError")
        self.setWordWrap(True)
        self.setTextFormat(Qt.PlainText)
        policy = QSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)
        self._line = (None, 0)
        self.setVisible(False)

    def _line_height(self) -> int:
        """One line of message in the label's current font (fonts change with
        the interface language), as a label lays it out."""
        key = self.font().key()
        if self._line[0] != key:
            probe = QLabel("M")
            probe.setFont(self.font())
            probe.setWordWrap(True)
            self._line = (key, QLabel.heightForWidth(probe, 2000))
        return self._line[1]

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.updateGeometry()  # the reserved line follows the new font

    def sizeHint(self) -> QSize:  # noqa: N802
        hint = super().sizeHint()
        return QSize(hint.width(), max(hint.height(), self._line_height()))

    def heightForWidth(self, width: int) -> int:  # noqa: N802  (word-wrapped forms ask this, not sizeHint)
        return max(super().heightForWidth(width), self._line_height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        hint = super().minimumSizeHint()
        return QSize(hint.width(), max(hint.height(), self._line_height()))

    def set_message(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


class FieldErrors:
    """Routes a core ``ValidationError.field`` to the error label beside its
    field (or to the general label when the field is not on this form) and
    puts the keyboard focus there. Nothing typed is touched: only the labels
    change.

    Fields are registered under the names the services use: with ``add``
    for a label the form placed itself, or with ``field``, which puts the
    label under the widget.
    """

    def __init__(self, general: ErrorLabel | None = None) -> None:
        self.general = general if general is not None else ErrorLabel()
        self._fields: dict[str, tuple[ErrorLabel, QWidget | None]] = {}

    def add(self, name: str, label: ErrorLabel, widget: QWidget | None = None) -> None:
        self._fields[name] = (label, widget)

    def field(self, widget: QWidget, *names: str, focus: QWidget | None = None) -> QWidget:
        """``widget`` with its error label under it, to put in a form row.
        ``focus`` is the widget to focus on an error (``widget`` by default)."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        label = ErrorLabel(box)
        layout.addWidget(label)
        for name in names:
            self.add(name, label, focus or widget)
        return box

    def label(self, name: str) -> ErrorLabel:
        """The label that shows errors about field ``name``."""
        return self._fields.get(name, (self.general, None))[0]

    def clear(self) -> None:
        self.general.set_message("")
        for label, widget in self._fields.values():
            label.set_message("")
            if widget is not None:
                widget.setAccessibleDescription("")

    def show(self, message: str, field: str | None = None) -> None:
        """Show ``message`` beside ``field`` and put the keyboard focus there."""
        label, widget = self._fields.get(field or "", (self.general, None))
        label.set_message(message)
        if widget is None:
            return
        widget.setAccessibleDescription(message)
        target = widget
        while target.focusProxy() is not None:  # a pair of fields, a date field: the field typed into
            target = target.focusProxy()
        if target.focusPolicy() != Qt.NoFocus:
            target.setFocus(Qt.OtherFocusReason)
        if isinstance(target, QLineEdit):  # typing replaces what was refused
            target.selectAll()
        _scroll_to(widget)

    def show_error(self, exc: BaseException) -> None:
        """``exc``'s message beside the field it names (``ValidationError.field``)."""
        self.show(error_text(exc), getattr(exc, "field", None))

    def attempt(self, call: Callable[[], T]) -> tuple[bool, T | None]:
        """Run a quick service call on the GUI thread (slow ones go through
        ``run_task``); on a ShelterError show it and return (False, None)."""
        self.clear()
        try:
            with busy():
                return True, call()
        except ShelterError as exc:
            self.show_error(exc)
            return False, None


def _scroll_to(widget: QWidget) -> None:
    """In a long form, the field that was refused is scrolled into view (the
    default margins leave room for the message under it)."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            parent.ensureWidgetVisible(widget)
            return
        parent = parent.parentWidget()


@contextmanager
def busy() -> Iterator[None]:
    """A wait cursor while a service call runs (key derivations take a moment)."""
    QApplication.setOverrideCursor(Qt.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()
