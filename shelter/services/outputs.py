"""Files that leave the store in clear (an export, a document saved as PDF):
audited before they exist.

The audit entry comes first, in its own committed transaction: a crash, a
power cut or a killed process after the file is written cannot leave a file
that the log does not know about. A second entry says how the write ended.

    started  committed before a byte is written; if it cannot be written,
             no file is;
    ok       the file is complete (written atomically: whole or not at all);
    failed   the write failed (detail ``error`` names the cause by a short
             code) and no file was left.

A ``started`` entry without an ``ok`` or ``failed`` after it means that the
program stopped while the file was being written: the file may exist.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shelter.atomic import write_atomic
from shelter.errors import StorageFull, ValidationError
from shelter.i18n import _

# Records one audit entry with the outcome ("started", "ok", "failed") and
# extra detail (short codes only), in its own committed transaction.
Recorder = Callable[[str, dict[str, Any]], None]


def error_code(exc: BaseException) -> str:
    """A short code for why a write failed, for the audit log (never a path
    or a message: those may name a person)."""
    if isinstance(exc, StorageFull):
        return "disk_full"
    if isinstance(exc, OSError) and exc.errno in errno.errorcode:
        return errno.errorcode[exc.errno]
    return type(exc).__name__[:64]


def check_target(path: Path | str) -> Path:
    """The file to write, refused before any work or audit entry when it
    cannot be: a folder, or a file in a folder that does not exist."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise ValidationError(_("{path} is a folder: name the file to write.").format(path=target), field="out")
    if not target.parent.is_dir():
        raise ValidationError(_("The folder {folder} does not exist.").format(folder=target.parent), field="out")
    return target


def write_recorded(target: Path, data: bytes, record: Recorder) -> None:
    """Write ``data`` to ``target`` (atomically, owner-only) between two
    audit entries made by ``record``: "started" before, then "ok" or
    "failed". Raises what ``record`` or the write raised; whatever fails,
    no file is left that the log does not say was written."""
    record("started", {})  # if this fails, nothing has been written
    try:
        write_atomic(target, data)
    except BaseException as exc:
        with contextlib.suppress(Exception):
            record("failed", {"error": error_code(exc)})
        raise
    try:
        record("ok", {})
    except BaseException as exc:
        # The file is there but its outcome could not be recorded: take it
        # back, so that what the person holds is what the log says.
        with contextlib.suppress(OSError):
            target.unlink()
        with contextlib.suppress(Exception):
            record("failed", {"error": error_code(exc)})
        raise
