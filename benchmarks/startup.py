"""Start-up time: from a fresh interpreter to the sign-in window painted,
against a bare PySide6 window in the same run.

Each sample is a new process (imports, fonts, catalogues, stylesheet all
count), timed from process start to the first paint of the window. The
store already exists, so the figure is what a coordinator waits for every
morning.

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

# Prints the seconds between the process start and the first paint.
_BARE = r"""
import time, sys
t0 = float(sys.argv[1])
from PySide6.QtWidgets import QApplication, QWidget
from PySide6.QtCore import QTimer
app = QApplication([])
w = QWidget(); w.resize(400, 500); w.show()
def done():
    print(time.time() - t0); app.quit()
QTimer.singleShot(0, done)
app.exec()
"""

_SHELTER = r"""
import time, sys
from pathlib import Path
t0 = float(sys.argv[1])
sys.path.insert(0, sys.argv[3])
from ui.app import make_application
app = make_application(["shelter"])
from ui.shell import Shell
from ui.shell.language import InterfaceLanguage, load_bundled_fonts
from ui.qt import QTimer
load_bundled_fonts()
language = InterfaceLanguage(app)
language.apply(sys.argv[4])
shell = Shell(Path(sys.argv[2]), language)
shell.start()
def done():
    assert shell.sign_in_window is not None and shell.sign_in_window.isVisible()
    print(time.time() - t0); shell.quit(); app.quit()
QTimer.singleShot(0, done)
app.exec()
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
        bare = [_sample(_BARE) for _i in range(args.runs)]
        results = {lang: [_sample(_SHELTER, str(folder), str(ROOT), lang) for _i in range(args.runs)]
                    for lang in ("en", "fr", "ar")}
    base = statistics.median(bare)
    print(f"bare PySide6 window: median {base * 1000:.0f} ms over {args.runs} runs")
    for lang, times in results.items():
        median = statistics.median(times)
        print(f"Shelter sign-in window ({lang}): median {median * 1000:.0f} ms, {median / base:.2f}x the bare window")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
