"""Run one service call off the GUI thread and hand its result back on it.

The service opens its own database session in the worker thread (the
engine's pool gives each thread its own connection); widgets are only
touched by the receiving slots, which Qt runs on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

_alive: set[QObject] = set()


class _Relay(QObject):
    """Carries the result to the GUI thread. It has no parent (so a receiver
    destroyed meanwhile does not delete it under the worker) and stays
    referenced until its signal has been delivered."""

    done = Signal(object)
    failed = Signal(object)

    @Slot()
    def release(self) -> None:
        _alive.discard(self)


def run_in_background(call: Callable[[], Any], on_done: Callable[[Any], None],
                      on_error: Callable[[BaseException], None]) -> None:
    """Run ``call()`` in the global thread pool; ``on_done(result)`` or
    ``on_error(exception)`` then runs on the GUI thread. Give methods of a
    QObject (a widget), so that Qt drops the call if it is destroyed first."""
    relay = _Relay()  # made on the GUI thread, so the emits are queued to it
    _alive.add(relay)
    relay.done.connect(on_done)
    relay.failed.connect(on_error)
    relay.done.connect(relay.release)
    relay.failed.connect(relay.release)

    def task() -> None:
        try:
            result = call()
        except BaseException as exc:  # noqa: BLE001 - reported to the GUI
            relay.failed.emit(exc)
        else:
            relay.done.emit(result)

    QThreadPool.globalInstance().start(task)
