"""A screen's read off the GUI thread: one at a time, the last question
answered, a failure said and the later question still read."""

from __future__ import annotations

import threading

from ui.qt import LatestRead, QWidget


class Screen(QWidget):
    """Asks for ``asked``; shows what a read returned."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 1
        self.shown: list[int] = []
        self.errors: list[str] = []
        self.reads: list[int] = []
        self.gate = threading.Event()
        self.fail_once = False
        self.read = LatestRead(self, self.refresh)

    def refresh(self) -> None:
        asked, gate = self.asked, self.gate

        def work() -> int:
            self.reads.append(asked)
            gate.wait(5)
            if self.fail_once:
                self.fail_once = False
                raise OSError("disk")
            return asked

        self.read.start(work, self.shown.append, lambda exc: self.errors.append(str(exc)),
                        lambda answer: answer == self.asked)


def test_asked_again_while_reading_it_reads_once_more_with_the_last_question(qtbot):
    screen = Screen()
    qtbot.addWidget(screen)
    screen.refresh()
    for asked in (2, 3, 4):  # three changes while the first read runs
        screen.asked = asked
        screen.refresh()
    assert screen.read.busy and screen.reads in ([], [1])
    screen.gate.set()
    qtbot.waitUntil(lambda: screen.shown == [4] and not screen.read.busy, timeout=5000)
    assert screen.reads == [1, 4]  # the stale answer (1) was not shown, and one read made for 2, 3 and 4


def test_a_failed_read_is_said_and_the_later_question_is_still_read(qtbot):
    screen = Screen()
    qtbot.addWidget(screen)
    screen.fail_once = True
    screen.refresh()
    screen.asked = 2
    screen.refresh()
    screen.gate.set()
    qtbot.waitUntil(lambda: screen.shown == [2] and not screen.read.busy, timeout=5000)
    assert screen.errors == ["disk"] and screen.reads == [1, 2]
