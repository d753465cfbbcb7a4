"""Start-up: the sign-in window paints before the storage layer, SQLAlchemy,
Alembic, SQLCipher, ReportLab and PDFium are imported (they come in on a
worker thread right after), and ``main.py`` reads the application's own
options without the command line's modules, which import them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Not imported when the sign-in window first paints.
DEFERRED = ("sqlalchemy", "alembic", "sqlcipher3", "reportlab", "pypdfium2", "argon2", "cryptography", "zxcvbn",
            "openpyxl", "shelter.store", "shelter.storage.database", "shelter.storage.migrate", "shelter.services",
            "ui.shell.main_window")

# Started as main.py starts it; at the first paint of the sign-in window the
# modules are noted, then the warm-up is awaited (the store loaded on its
# worker) before quitting.
_PROBE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
deferred = tuple(json.loads(sys.argv[3]))
import main
from ui.qt import QApplication, QEvent, QObject, QTimer
from ui.shell.shell import Shell

report = {}
shells = []

def loaded(names):
    return sorted({m for m in sys.modules for d in names if m == d or m.startswith(d + ".")})

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Paint and "at_paint" not in report:
            report["at_paint"] = loaded(deferred)
            report["visible"] = watched.isVisible()
            QTimer.singleShot(0, wait_for_warm_up)
        return False

first_paint = FirstPaint()
start = Shell.start

def watched_start(shell):
    start(shell)
    shells.append(shell)
    report["sign_in_window"] = shell.sign_in_window is not None
    if shell.sign_in_window is not None:
        shell.sign_in_window.installEventFilter(first_paint)

Shell.start = watched_start

def wait_for_warm_up(tries=[0]):
    shell = shells[0]
    tries[0] += 1
    if shell.store.loaded and "ui.shell.main_window" in sys.modules or tries[0] > 300:
        report["warmed_up"] = shell.store.loaded
        report["after_warm_up"] = loaded(("sqlalchemy", "alembic", "sqlcipher3", "shelter.store"))
        shell.quit()
    else:
        QTimer.singleShot(20, wait_for_warm_up)

def give_up():
    report["timed_out"] = True
    QApplication.instance().quit()

QTimer.singleShot(20_000, give_up)
code = main.main(["--data-dir", sys.argv[2], "--lang", "fr"])
print(json.dumps(dict(report, exit=code)))
"""


def test_the_sign_in_window_paints_before_the_storage_layer_is_imported(store_dir):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", _PROBE, str(ROOT), str(store_dir), json.dumps(DEFERRED)],
                            capture_output=True, text=True, env=env, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["sign_in_window"] and report["visible"], report
    assert report["at_paint"] == [], f"imported before the first paint: {report['at_paint']}"
    # Then the warm-up brings them in, off the GUI thread, before the click.
    assert report.get("warmed_up"), report
    assert {"sqlalchemy", "alembic", "shelter.store"} <= set(report["after_warm_up"]), report
    assert report["exit"] == 0 and "timed_out" not in report, report


@pytest.mark.parametrize(("argv", "data_dir", "lang"), [
    ([], None, None),
    (["--lang", "fr"], None, "fr"),
    (["--lang=ar", "--data-dir", "/srv/shelter"], Path("/srv/shelter"), "ar"),
    (["--data-dir=/srv/a", "--data-dir", "/srv/b"], Path("/srv/b"), None),  # the last one counts, as in argparse
])
def test_the_application_options_are_read_without_the_command_line(argv, data_dir, lang):
    import main

    args = main.application_args(argv)
    assert args is not None
    assert (args.command, args.data_dir, args.lang) == (None, data_dir, lang)


@pytest.mark.parametrize("argv", [
    ["verify"], ["--data-dir", "/srv/a", "verify"], ["--help"], ["--version"], ["--lang", "de"], ["--lang"],
    ["--data-dir", "--lang", "fr"], ["--data", "/srv/a"], ["-h"],
])
def test_anything_else_goes_to_the_command_line(argv):
    import main

    assert main.application_args(argv) is None
