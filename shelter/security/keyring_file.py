"""The keyring on disk, shared by every session that has the store open.

Several sessions may have one store open at once: the application signed in
all day, an administrator's command in a terminal, a second window. Each of
them may change the keyring (a new account's slot, a deactivated one, a new
recovery code, a key rotation, a failed sign-in). A session that wrote the
copy it read at sign-in would undo what the others did since: bring back a
leaver's slot, name a database file that a rotation has deleted.

So no one writes a keyring they read earlier. Every change is a short
read-modify-write under an exclusive lock on ``keyring.lock`` beside the
keyring: the file is read afresh, the caller applies only its own change,
the file is written atomically with its ``revision`` counter one higher,
and the lock is released. A change made with the database key in hand
(``OpenStore.keyring_change``) is refused with ``KeyRotated`` when the file
has moved to another key generation.

The lock is an advisory lock on an open file (``flock`` on POSIX,
``msvcrt.locking`` on Windows): the operating system releases it when its
process dies, so a killed process never leaves the store locked.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from shelter.errors import StoreBusy, os_error
from shelter.i18n import _
from shelter.security.keyring import Keyring

LOCK_NAME = "keyring.lock"
DEFAULT_TIMEOUT = 60.0

# The operating-system lock belongs to an open file, so a second use in the
# same process would wait for itself: within a process, a thread lock per
# file orders the threads, and nested uses on one thread share the lock.
_in_process: dict[str, threading.RLock] = {}
_depth: dict[str, int] = {}
_held_guard = threading.Lock()


def _try_lock(fd: int) -> bool:
    if os.name == "nt":
        import msvcrt

        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:  # e.g. no locks on a network share
        raise os_error(exc, "keyring.lock") from exc
    return True


def _unlock(fd: int) -> None:
    if os.name == "nt":
        import msvcrt

        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)


class FileLock:
    """An exclusive lock on ``path`` shared by every process of the store,
    re-entrant within one thread. Waits up to ``timeout`` seconds, then
    raises StoreBusy with ``busy_message``."""

    def __init__(self, path: Path, timeout: float, busy_message: str) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.busy_message = busy_message

    @contextmanager
    def held(self) -> Iterator[None]:
        key = str(self.path.resolve())
        with _held_guard:
            in_process = _in_process.setdefault(key, threading.RLock())
        # Other threads of this process wait here; the same thread re-enters.
        if not in_process.acquire(timeout=self.timeout):
            raise StoreBusy(self.busy_message)
        try:
            depth = _depth.get(key, 0)
            if depth:
                _depth[key] = depth + 1
                try:
                    yield
                finally:
                    _depth[key] -= 1
                return
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
            except OSError as exc:
                raise os_error(exc, self.path.parent) from exc
            try:
                deadline = time.monotonic() + self.timeout
                while not _try_lock(fd):
                    if time.monotonic() >= deadline:
                        raise StoreBusy(self.busy_message)
                    time.sleep(0.02)
                _depth[key] = 1
                try:
                    yield
                finally:
                    _depth[key] = 0
                    _unlock(fd)
            finally:
                os.close(fd)
        finally:
            in_process.release()


def remove_stale_temporaries(path: Path) -> None:
    """Remove what killed writers of ``path`` left (``write_atomic``'s
    temporary files). Call it only while holding the file's lock."""
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()


class KeyringFile:
    """``keyring.json`` of one store folder, read and changed under its lock."""

    def __init__(self, path: Path, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.path = Path(path)
        self.lock = FileLock(
            self.path.with_name(LOCK_NAME), timeout,
            _("Another Shelter window or command is changing the store's keys. Try again in a minute."),
        )

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's keyring lock (re-entrant within one thread).

        Waits up to ``timeout`` seconds for another session to finish (a key
        rotation of a large store takes a few seconds), then raises
        StoreBusy. Stale temporary files of writers that were killed are
        removed while the lock is held, since no writer can be mid-write."""
        with self.lock.held():
            remove_stale_temporaries(self.path)
            yield

    # -- reading and changing ------------------------------------------------

    def read(self) -> Keyring:
        """The keyring as it is on disk now (no lock needed: writes are atomic)."""
        return Keyring.load(self.path)

    @contextmanager
    def change(self) -> Iterator[Keyring]:
        """Read the keyring afresh under the lock and yield it; the caller
        changes it in place; when the block ends without an exception the
        file is written with the next revision. An exception writes nothing.
        (Changes that need the database key go through
        ``OpenStore.keyring_change``, which also checks the generation.)"""
        with self.locked():
            ring = self.read()
            yield ring
            ring.revision += 1
            ring.save(self.path)
