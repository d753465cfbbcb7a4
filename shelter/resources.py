"""Where the bundled resources (translations, fonts, icons, migrations) live.

From a source checkout they sit beside the packages; in a PyInstaller bundle
they are unpacked under ``sys._MEIPASS``.
"""

from __future__ import annotations

import sys
from pathlib import Path


def root() -> Path:
    """The folder that holds ``resources/`` and ``shelter/``."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def resource(*parts: str) -> Path:
    """Path of a file under ``resources/``."""
    return root().joinpath("resources", *parts)
