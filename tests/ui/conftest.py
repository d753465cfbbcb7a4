"""GUI test helpers: a Shell over a real store on disk (fast key derivation),
English and left-to-right restored after every test, windows closed."""

from __future__ import annotations

import pytest

from tests.conftest import FAST_KDF


class FakeClock:
    """A clock the test moves by hand (for the sign-in delay)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def interface(qapp):
    from ui.shell.language import InterfaceLanguage

    language = InterfaceLanguage(qapp)
    language.apply("en")
    yield language
    language.apply("en")


@pytest.fixture
def make_shell(qapp, qtbot, interface):
    """make_shell(folder, clock=None) -> a started Shell; quit at teardown."""
    from ui.qt import QApplication
    from ui.shell import Shell

    shells = []

    def make(folder, clock=None):
        kwargs = {"clock": clock} if clock is not None else {}
        shell = Shell(folder, interface, kdf=FAST_KDF, **kwargs)
        shells.append(shell)
        shell.start()
        return shell

    yield make
    for shell in shells:
        shell.quit()
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    qtbot.wait(1)  # let deleteLater run


def sign_in(qtbot, shell, username: str, password: str):
    """Type into the real sign-in form and wait for the main window."""
    from ui.qt import Qt

    window = shell.sign_in_window
    form = window.form
    form.username.clear()
    qtbot.keyClicks(form.username, username)
    form.password.clear()
    qtbot.keyClicks(form.password, password)
    qtbot.mouseClick(form.sign_in_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: shell.main_window is not None and shell.main_window.isVisible()
                    and not shell.who.locked, timeout=10_000)
    return shell.main_window
