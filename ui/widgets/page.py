"""The parts of a section's page: its margins, titles and plain paragraphs;
and for every window, a scrolled column and a size the screen can hold."""

from __future__ import annotations

from ui.qt import QFrame, QGuiApplication, QLabel, QScrollArea, Qt, QVBoxLayout, QWidget


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


def scrolled(content: QWidget, horizontal: bool = True) -> QScrollArea:
    """``content`` in a frameless scroll area the keyboard passes through to
    its first field; without ``horizontal``, it wraps instead of scrolling sideways."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.NoFrame)
    scroll.setFocusPolicy(Qt.NoFocus)
    if not horizontal:
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    scroll.setWidget(content)
    return scroll


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Resize ``window`` to ``width`` × ``height``, never more than its screen
    leaves (40 px across, 60 down: the taskbar and the title bar)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        free = screen.availableGeometry()
        width, height = min(width, free.width() - 40), min(height, free.height() - 60)
    window.resize(width, height)
