"""The parts of a section's page: its margins, titles and plain paragraphs."""

from __future__ import annotations

from ui.qt import QLabel, Qt, QVBoxLayout, QWidget


def heading(text: str = "", level: int = 1, parent: QWidget | None = None) -> QLabel:
    """A title (level 1) or section heading (level 2), styled by the stylesheet."""
    label = QLabel(text, parent)
    label.setObjectName("title" if level == 1 else "subtitle")
    label.setWordWrap(True)
    label.setTextFormat(Qt.PlainText)
    return label


def page_layout(page: QWidget) -> QVBoxLayout:
    """The column a section's page is laid out in."""
    layout = QVBoxLayout(page)
    layout.setContentsMargins(32, 24, 32, 24)
    layout.setSpacing(12)
    return layout


def paragraph(parent: QWidget, name: str = "") -> QLabel:
    """A wrapped plain-text label; ``name`` is its style sheet object name."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.PlainText)
    if name:
        label.setObjectName(name)
    return label
