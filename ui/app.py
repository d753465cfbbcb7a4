"""Start the graphical application: ``run_gui(args)`` (called by main.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from shelter.i18n import current_language, normalise_language
from shelter.resources import resource
from shelter.storage.paths import default_data_dir


def load_stylesheet() -> str:
    """The stylesheet, with ``@icons`` pointing at the bundled icons (the
    folder differs between a checkout and an installed bundle)."""
    path = resource("style", "shelter.qss")
    if not path.exists():
        return ""
    return path.read_text(encoding="utf-8").replace("@icons", resource("icons").as_posix())


def make_application(argv: list[str] | None = None):  # noqa: ANN201  (QApplication)
    """The QApplication with Shelter's name, High-DPI settings and look."""
    from ui.qt import QApplication, QGuiApplication, Qt, icon

    app = QApplication.instance()
    if app is None:
        # Fractional scaling (125 %, 150 % on Windows laptops) without blur.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("Shelter")
    app.setApplicationDisplayName("Shelter")
    app.setOrganizationName("Shelter")
    app.setDesktopFileName("shelter")
    app.setWindowIcon(icon("shelter"))
    app.setStyle("Fusion")  # the same look on Windows, macOS and Linux
    app.setStyleSheet(load_stylesheet())
    return app


def run_gui(args: Any) -> int:
    """Show the set-up wizard (no store yet) or the sign-in window; returns
    the exit code when the person quits."""
    app = make_application()
    from ui.shell import Shell
    from ui.shell.language import InterfaceLanguage, load_bundled_fonts

    load_bundled_fonts()
    language = InterfaceLanguage(app)
    # Qt's catalogue and the direction are in place before any widget exists.
    folder = Path(getattr(args, "data_dir", None) or default_data_dir())
    from shelter import fault_log
    from shelter.workstation import remembered_language
    from ui.qt import install_fault_handler

    fault_log.configure(folder)
    install_fault_handler()
    # The language asked for, else the one last chosen here, else the system's.
    chosen = getattr(args, "lang", None) or remembered_language(folder) or current_language()
    language.apply(normalise_language(chosen))
    app.setQuitOnLastWindowClosed(False)  # the shell decides when Shelter ends
    shell = Shell(folder, language)
    shell.finished.connect(app.quit)
    shell.start()
    return app.exec()
