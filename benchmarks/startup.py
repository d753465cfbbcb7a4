"""Start-up time: from a fresh interpreter to the sign-in window painted,
against a bare PySide6 window in the same run.

Each sample is a new process (imports, fonts, catalogues, stylesheet all
count), timed from process start to the end of the window's first paint.
Shelter starts through ``main.py`` as installed; the store already exists,
so the figure is what a coordinator waits for every morning.

    python -m benchmarks startup [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Both samples print the seconds between the process start and the end of
# the window's first paint (the event loop's next turn after the window's
# Paint event: its children are painted and the frame flushed by then).
_BARE = r"""
import time, sys
t0 = float(sys.argv[1])
from PySide6.QtWidgets import QApplication, QWidget
from PySide6.QtCore import QEvent, QObject, QTimer
app = QApplication([])
class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Paint and not hasattr(self, "seen"):
            self.seen = True
            QTimer.singleShot(0, done)
        return False
def done():
    print(time.time() - t0); app.quit()
w = QWidget(); w.resize(400, 500)
first_paint = FirstPaint(); w.installEventFilter(first_paint)
w.show()
app.exec()
"""

# Shelter as a coordinator starts it: ``main.py --data-dir … --lang …``.
# The only addition is the same first-paint watch on the sign-in window.
_SHELTER = r"""
import time, sys
t0 = float(sys.argv[1])
sys.path.insert(0, sys.argv[3])
import main
from ui.qt import QEvent, QObject, QTimer
from ui.shell.shell import Shell
class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Paint and not hasattr(self, "seen"):
            self.seen = True
            QTimer.singleShot(0, done)
        return False
first_paint = FirstPaint()
shells = []
start = Shell.start
def watched_start(shell):
    start(shell)
    shells.append(shell)
    assert shell.sign_in_window is not None, "the store was not found: the set-up wizard showed"
    shell.sign_in_window.installEventFilter(first_paint)
Shell.start = watched_start
def done():
    assert shells[0].sign_in_window.isVisible()
    print(time.time() - t0)
    shells[0].quit()
sys.exit(main.main(["--data-dir", sys.argv[2], "--lang", sys.argv[4]]))
"""


def _sample(code: str, *args: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    out = subprocess.run([sys.executable, "-c", code, repr(time.time()), *args],
                         capture_output=True, text=True, env=env, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def _make_store(folder: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from shelter.security.keyring import KdfParams
    from shelter.store import Store

    signed_in, _code = Store.create(
        folder, shelter_name="Dar Al Amane", shelter_code="RBT1", city="Rabat", admin_username="amina",
        admin_display_name="Amina Benali", admin_password="correct horse battery staple", kdf=KdfParams())
    signed_in.store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks startup")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "store"
        _make_store(folder)
        _sample(_BARE)  # warm the disk cache for both
        _sample(_SHELTER, str(folder), str(ROOT), "en")
        # Interleaved, so a load that comes and goes weighs on both alike.
        bare: list[float] = []
        results: dict[str, list[float]] = {lang: [] for lang in ("en", "fr", "ar")}
        for _i in range(args.runs):
            bare.append(_sample(_BARE))
            for lang, times in results.items():
                times.append(_sample(_SHELTER, str(folder), str(ROOT), lang))
    base = statistics.median(bare)
    print(f"bare PySide6 window: median {base * 1000:.0f} ms over {args.runs} runs")
    for lang, times in results.items():
        median = statistics.median(times)
        print(f"Shelter sign-in window ({lang}): median {median * 1000:.0f} ms, {median / base:.2f}x the bare window")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
