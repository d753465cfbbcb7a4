"""Bad input gets its message next to the field it is about."""

from __future__ import annotations

from ui.qt import QLabel, QSizePolicy, Qt, QWidget


class ErrorLabel(QLabel):
    """A message under one field; hidden while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldError")
        self.setWordWrap(True)
        self.setTextFormat(Qt.PlainText)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)
        self.setVisible(False)

    def set_message(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


def heading(text: str = "", level: int = 1, parent: QWidget | None = None) -> QLabel:
    """A title (level 1) or section heading (level 2), styled by the stylesheet."""
    label = QLabel(text, parent)
    label.setObjectName("title" if level == 1 else "subtitle")
    label.setWordWrap(True)
    label.setTextFormat(Qt.PlainText)
    return label


class FieldErrors:
    """Routes a core ``ValidationError.field`` to the error label beside its
    field (or to a general label when the field is not on this form)."""

    def __init__(self, general: ErrorLabel) -> None:
        self._general = general
        self._fields: dict[str, tuple[ErrorLabel, QWidget | None]] = {}

    def add(self, name: str, label: ErrorLabel, widget: QWidget | None = None) -> None:
        self._fields[name] = (label, widget)

    def clear(self) -> None:
        self._general.set_message("")
        for label, _widget in self._fields.values():
            label.set_message("")

    def show(self, message: str, field: str | None = None) -> None:
        """Show ``message`` beside ``field`` and put the keyboard focus there."""
        label, widget = self._fields.get(field or "", (self._general, None))
        label.set_message(message)
        if widget is not None:
            widget.setFocus(Qt.OtherFocusReason)
            widget.setAccessibleDescription(message)

    def show_error(self, exc: BaseException) -> None:
        from ui.qt import error_text

        self.show(error_text(exc), getattr(exc, "field", None))
