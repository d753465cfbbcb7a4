"""Unexpected failures, written where a technician can find them and never
printed on a terminal or shown to a person as a traceback.

Only the kind of failure and where it happened (file, line, function) are
kept, never its message: a database error's message can carry the values
of the query, a resident's name among them, and this file is not encrypted.
It lives beside the store, owner-only, and is cut to its newer half when it
grows past ``LIMIT``.
"""

from __future__ import annotations

import contextlib
import os
import threading
import traceback
from datetime import UTC, datetime
from pathlib import Path

LIMIT = 256 * 1024
FILE_NAME = "faults.log"
_lock = threading.Lock()
_folder: Path | None = None


def configure(folder: Path | None) -> None:
    """Keep the log in ``folder`` (the data folder) from now on."""
    global _folder
    _folder = folder


def describe(exc: BaseException) -> list[str]:
    """The failure as the log keeps it: its type and its frames, no message."""
    kind = type(exc)
    lines = [f"{datetime.now(UTC).isoformat(timespec='seconds')} {kind.__module__}.{kind.__qualname__}"]
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        shown = "/".join(path.parts[-3:]) if len(path.parts) > 3 else frame.filename
        lines.append(f"  {shown}:{frame.lineno} in {frame.name}")
    cause = exc.__cause__ or exc.__context__
    if cause is not None and cause is not exc:
        lines.append(f"  caused by {type(cause).__module__}.{type(cause).__qualname__}")
    return lines


def record(exc: BaseException) -> Path | None:
    """Append ``exc`` to the log; the log's path, or None if it could not be
    written (a full disk must not turn one failure into two)."""
    folder = _folder
    if folder is None:
        from shelter.storage.paths import default_data_dir

        folder = default_data_dir()
    path = folder / FILE_NAME
    text = "\n".join(describe(exc)) + "\n"
    with _lock, contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > LIMIT:
            kept = path.read_bytes()[-LIMIT // 2:]
            path.write_bytes(kept[kept.find(b"\n") + 1:])
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            out.write(text)
        return path
    return None
