"""Locks the screen after a time without keyboard or mouse input (as
KeePassXC's InactivityTimer): an application-wide event filter restarts a
single-shot timer on every input event.

The same filter hears Ctrl+L and F12 in every window: Qt does not deliver a
window's shortcuts while a modal dialog (the admission form) blocks it, so
the lock keys would do nothing exactly when a half-typed form is open."""

from __future__ import annotations

from ui.qt import QApplication, QEvent, QKeyEvent, QObject, Qt, QTimer, Signal

_INPUT_EVENTS = frozenset({
    QEvent.KeyPress,
    QEvent.KeyRelease,
    QEvent.MouseButtonPress,
    QEvent.MouseButtonRelease,
    QEvent.MouseButtonDblClick,
    QEvent.MouseMove,
    QEvent.Wheel,
    QEvent.TouchBegin,
    QEvent.TouchUpdate,
    QEvent.TabletPress,
})


def is_lock_key(event: QKeyEvent) -> bool:
    """Ctrl+L or F12 (what the Lock action's shortcuts are)."""
    modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return event.key() == Qt.Key.Key_F12 and modifiers == Qt.KeyboardModifier.NoModifier or (
        event.key() == Qt.Key.Key_L and modifiers == Qt.KeyboardModifier.ControlModifier)


class IdleWatcher(QObject):
    idle = Signal()
    lock_keys = Signal()  # Ctrl+L or F12 pressed where no shortcut could take it

    def __init__(self, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self.set_minutes(minutes)
        self._watching = False

    def set_minutes(self, minutes: int) -> None:
        self._timer.setInterval(max(1, int(minutes)) * 60_000)

    def set_interval_ms(self, ms: int) -> None:
        """For tests: a shorter idle time."""
        self._timer.setInterval(ms)

    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        if not self._watching:
            QApplication.instance().installEventFilter(self)
            self._watching = True
        self._timer.start()

    def stop(self) -> None:
        if self._watching:
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
            self._watching = False
        self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() in _INPUT_EVENTS:
            self._timer.start()
            if event.type() == QEvent.KeyPress and isinstance(event, QKeyEvent) and is_lock_key(event):
                self.lock_keys.emit()
                return True
        return False
