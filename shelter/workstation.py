"""What one workstation remembers outside the encrypted store, before anyone
signs in: only the interface language of the sign-in window. Nothing about
a person is ever written here."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from shelter.i18n import LANGUAGES

FILE_NAME = "workstation.json"


def remembered_language(folder: Path) -> str | None:
    """The language last chosen on this workstation, or None."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        lang = json.loads((folder / FILE_NAME).read_text(encoding="utf-8")).get("language")
        if lang in LANGUAGES:
            return lang
    return None


def remember_language(folder: Path, lang: str) -> None:
    """Keep ``lang`` for the next start; a folder that cannot be written
    (read-only, full) only means the choice is not kept."""
    if lang not in LANGUAGES or not folder.is_dir():
        return
    from shelter.atomic import write_atomic
    from shelter.errors import ShelterError

    with contextlib.suppress(OSError, ShelterError):
        write_atomic(folder / FILE_NAME, json.dumps({"language": lang}).encode("utf-8"))
