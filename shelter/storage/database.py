"""SQLCipher connections for SQLAlchemy.

The key is given as a raw 256-bit key (``PRAGMA key = "x'…'"``) inside our own
connection factory, so it never appears in a URL, in SQLAlchemy's logs or in
an exception message, and SQLCipher's own PBKDF2 is not paid on top of
Argon2id. Pragmas: see ``docs/storage-format.md``.

SQLite reports every problem of the file system as a handful of codes
("unable to open database file", "attempt to write a readonly database",
"disk I/O error", ...). Those are turned here into what the person must do:
a permission or a read-only disk is not damage (staff would restore an old
backup for nothing), an empty file is not a new store.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from shelter.errors import ShelterError, StorageFull, StoreBusy, StoreDamaged, StoreReadOnly, os_error
from shelter.i18n import _
from shelter.storage.paths import check_data_folder, not_readable

CIPHER_SETTINGS = (
    # SQLCipher 4 defaults, stated explicitly so a future library default
    # change cannot make existing files unreadable.
    "PRAGMA cipher_page_size = 4096",
    "PRAGMA cipher_hmac_algorithm = HMAC_SHA512",
    "PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA512",
    "PRAGMA kdf_iter = 256000",
)
PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA busy_timeout = 10000",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
)

PAGE_SIZE = 4096  # cipher_page_size: a database file holds whole pages

# SQLite's primary result codes (https://sqlite.org/rescode.html).
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26
# SQLite reports a full disk as "disk I/O error" when the write that failed
# was not its own page write (the WAL index, a journal): below this much free
# space, that is what it means.
LOW_SPACE_BYTES = 4 * 1024 * 1024


def key_pragma(key: bytes | bytearray) -> str:
    """The SQL that gives SQLCipher ``key`` as a raw key. Built through a
    bytearray so that no intermediate string holds the key: the caller wipes
    the one returned (``wipe_text``) once it has been executed."""
    import binascii

    digits = binascii.hexlify(key)
    buffer = bytearray(b"PRAGMA key = \"x'") + digits + b"'\""
    wipe_text(digits)
    try:
        return buffer.decode("ascii")
    finally:
        buffer[:] = b"\0" * len(buffer)


def wipe_text(text: str | bytes) -> None:
    """Overwrite a str (or bytes) that held key material, once it has been used.

    SQLCipher takes the key only as SQL text, and Python strings cannot be
    changed, so this reaches into CPython's compact ASCII representation
    (the only one a hex pragma has). Call it only on a string built for the
    purpose and used no more; elsewhere than CPython it does nothing."""
    import ctypes
    import sys

    if sys.implementation.name != "cpython" or not text or (isinstance(text, str) and not text.isascii()):
        return
    # Both keep their characters at the end of the object, before a NUL.
    start = id(text) + sys.getsizeof(text) - len(text) - 1
    ctypes.memset(start, ord("0"), len(text))


# -- the database file, before SQLite sees it --------------------------------


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _not_writable(path: Path) -> ShelterError:
    return StoreReadOnly(
        _("Shelter is not allowed to write to {path}. Ask your IT support to give your user account "
          "write access to it; nothing is damaged.").format(path=path)
    )


def _disk_error() -> ShelterError:
    return StoreDamaged(
        _("The disk reported an error while reading or writing the database. Check that the disk is "
          "connected and working, then try again; if it keeps happening, run 'verify'.")
    )


def _file_error(exc: OSError, path: Path, writing: bool) -> ShelterError:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return _not_writable(path) if writing else not_readable(path)
    if exc.errno == errno.EIO:
        return _disk_error()
    # A read-only disk, a full one, anything else: said of the data folder.
    return os_error(exc, path.parent)


def _try_open(path: Path, flags: int, writing: bool) -> None:
    try:
        fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise _file_error(exc, path, writing) from exc
    os.close(fd)


# Database files this process holds open through SQLite, by resolved path.
# Opening and closing any other descriptor on such a file (or its -wal and
# -shm) would drop every POSIX lock the process holds on it (fcntl locks
# belong to the process and go with the first close): another process could
# then take this one's connections for gone, checkpoint and delete the -shm
# under them, and both would read a "malformed" database. So the real-open
# probe below is made only for a file nobody in this process has open.
_held: dict[str, int] = {}
_held_lock = threading.Lock()


def _held_key(path: Path) -> str:
    return os.path.realpath(path)


def _hold(path: Path, change: int) -> None:
    key = _held_key(path)
    with _held_lock:
        count = _held.get(key, 0) + change
        if count > 0:
            _held[key] = count
        else:
            _held.pop(key, None)


def held_open(path: Path) -> bool:
    """Whether a SQLite connection of this process has ``path`` open."""
    with _held_lock:
        return _held.get(_held_key(path), 0) > 0


def check_database_file(path: Path) -> None:
    """Raise the ShelterError that says what is wrong with the database file
    at ``path``, if anything, before SQLite opens it:

    - missing (StoreDamaged: the keyring names it);
    - a folder or a device in its place (StoreDamaged);
    - empty, 0 bytes (StoreDamaged): SQLite would take it for a new, empty
      database, so the store would silently start again from nothing; the
      latest backup must be restored instead;
    - not readable, or not writable (StoreReadOnly: a permission or a
      read-only disk, nothing to restore; IT must give access).

    The journal files beside it (``-wal``, ``-shm``) must be readable and
    writable too when they exist. Access is tried for real (``os.open``)
    rather than asked with ``os.access``: root ignores mode bits, ACLs and
    read-only mounts are not always reported, and Windows has its own rules.
    Opening a file for writing does not change it.
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise StoreDamaged(
            _("The database file {name} is missing from the data folder.").format(name=path.name)
        ) from None
    except OSError as exc:
        raise _file_error(exc, path, writing=False) from exc
    if not stat.S_ISREG(info.st_mode):
        raise StoreDamaged(
            _("In the data folder, {name} is a folder or a special file where the database file should be. "
              "Ask your IT support to move it away and restore the latest backup.").format(name=path.name)
        )
    if info.st_size == 0:
        raise StoreDamaged(
            _("The database file {name} is empty: its contents are lost. Restore the latest backup; "
              "do not create a new store.").format(name=path.name)
        )
    if info.st_size < PAGE_SIZE:
        # Shorter than its first page: SQLite would read it as a new, empty
        # database (short reads count as zeros), as it would an empty file.
        raise StoreDamaged(
            _("The database file cannot be opened: it is damaged or does not belong to this keyring.")
        )
    if held_open(path):
        return  # SQLite has it open here, so it is reachable; probing would drop its locks (see _held)
    for candidate in [path, *(p for p in _sidecars(path) if p.exists())]:
        _try_open(candidate, os.O_RDONLY, writing=False)
        _try_open(candidate, os.O_RDWR, writing=True)


# -- SQLite's errors ------------------------------------------------------------


def _primary_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _disk_nearly_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.parent).free < LOW_SPACE_BYTES
    except (OSError, ValueError):
        return False


def _diagnose(path: Path) -> None:
    """Raise the precise error when the folder or the file is the problem."""
    check_data_folder(path.parent)
    if os.path.lexists(path):
        check_database_file(path)


_WORDS = (
    ("database or disk is full", SQLITE_FULL),
    ("database is locked", SQLITE_BUSY),
    ("readonly database", SQLITE_READONLY),
    ("unable to open database", SQLITE_CANTOPEN),
    ("disk i/o error", SQLITE_IOERR),
    ("file is not a database", SQLITE_NOTADB),
    ("malformed", SQLITE_CORRUPT),
)


def database_error(exc: BaseException, path: Path, opening: bool = False) -> ShelterError | None:
    """The ShelterError for a sqlcipher3 error on the database at ``path``,
    or None when it is not a problem of the file or the disk (a constraint,
    a bug: let it through). ``opening``: raised while the connection was
    being opened and the key tried, where every failure is the file's."""
    code = _primary_code(exc)
    if code is None:
        # No result code (an older driver): SQLite's own wording, which is
        # stable. With a code, the code alone decides: a trigger's message
        # may contain any word.
        text = str(exc).lower()
        code = next((c for words, c in _WORDS if words in text), None)
    if code == SQLITE_FULL:
        return StorageFull(_("The disk is full: nothing was saved. Free some space and try again."))
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return StoreBusy(_("The database is busy with another task. Try again in a moment."))
    readonly = code == SQLITE_READONLY
    cantopen = code in (SQLITE_CANTOPEN, SQLITE_PERM)
    ioerr = code == SQLITE_IOERR
    if (ioerr or cantopen) and _disk_nearly_full(path):
        return StorageFull(_("The disk is full: nothing was saved. Free some space and try again."))
    if opening and (readonly or cantopen or ioerr):
        try:
            _diagnose(path)
        except ShelterError as precise:
            return precise
    if readonly or (cantopen and not opening):
        # Not opening: e.g. a copy attached in a folder that cannot be written.
        return StoreReadOnly(
            _("The database could not be written: the data folder or the disk is read-only. "
              "Ask your IT support to make it writable; nothing is damaged.")
        )
    if cantopen:
        return StoreReadOnly(
            _("The database file {name} cannot be opened. Check that the disk is connected and that your "
              "user account may read and write the data folder.").format(name=path.name)
        )
    if ioerr:
        return _disk_error()
    if opening:
        # "file is not a database" (SQLITE_NOTADB): SQLCipher cannot tell a
        # wrong key from a damaged first page; "malformed" (SQLITE_CORRUPT).
        return StoreDamaged(
            _("The database file cannot be opened: it is damaged or does not belong to this keyring.")
        )
    return None


class ShelterConnection(sqlcipher3.Connection):
    """A SQLCipher connection whose ``execute`` and ``executescript`` (used
    directly by backups, key rotation and verify; SQLAlchemy goes through
    cursors and ``commit``, and store.py maps its errors) report a full disk,
    a read-only folder or a disk error as a ShelterError. Other errors
    (constraints, triggers, SQL) pass unchanged."""

    shelter_path: Path = Path()
    _held_path: Path | None = None

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._held_path is not None:
                _hold(self._held_path, -1)
                self._held_path = None

    def _translated(self, exc: sqlcipher3.Error) -> BaseException:
        return database_error(exc, self.shelter_path) or exc

    def execute(self, *args: Any, **kwargs: Any) -> sqlcipher3.Cursor:
        try:
            return super().execute(*args, **kwargs)
        except sqlcipher3.Error as exc:
            translated = self._translated(exc)
            if translated is exc:
                raise
            raise translated from exc

    def executescript(self, *args: Any, **kwargs: Any) -> sqlcipher3.Cursor:
        try:
            return super().executescript(*args, **kwargs)
        except sqlcipher3.Error as exc:
            translated = self._translated(exc)
            if translated is exc:
                raise
            raise translated from exc


def connect_raw(path: Path, key: bytes | bytearray, create: bool = False) -> sqlcipher3.Connection:
    """An open DB-API connection with the key and pragmas applied.

    Every failure is a ShelterError that says what to do: StoreDamaged when
    the file cannot be read with this key (a damaged first page looks the
    same as a wrong key to SQLCipher) or is empty, StoreReadOnly when the
    folder, the disk or the file cannot be read or written, StorageFull when
    the disk is full. A missing file is created only with ``create`` (a new
    store); otherwise it is an error.
    """
    path = Path(path)
    try:
        info = os.stat(path)
        short = stat.S_ISREG(info.st_mode) and info.st_size < PAGE_SIZE
    except OSError:
        short = False  # missing (created below) or unreachable (SQLite says which)
    if short and not create:
        # SQLite would take a file shorter than one page (0 bytes included)
        # for a new database, and the store would start again from nothing.
        # A new store's file is never that short once connected (the WAL
        # pragma writes its first page).
        check_database_file(path)
    try:
        # An existing store's file is opened read-write, never created: a
        # session left on a file that a rotation removed must not make an
        # empty database in its place.
        target = str(path) if create else f"{path.absolute().as_uri()}?mode=rw"
        conn = sqlcipher3.connect(
            target, isolation_level=None, check_same_thread=False, factory=ShelterConnection, uri=not create
        )
    except sqlcipher3.Error as exc:
        raise (database_error(exc, path, opening=True) or _disk_error()) from exc
    conn.shelter_path = path
    try:
        # SQLCipher would print its own error lines on stderr for a wrong key
        # or a damaged page; we report those ourselves, once, in plain words.
        sqlcipher3.Connection.execute(conn, "PRAGMA cipher_log_level = NONE")
        pragma_text = key_pragma(key)
        try:
            sqlcipher3.Connection.execute(conn, pragma_text)
        finally:
            wipe_text(pragma_text)
            del pragma_text
        for pragma in CIPHER_SETTINGS:
            sqlcipher3.Connection.execute(conn, pragma)
        # The first read proves the key; SQLCipher reports failure here.
        sqlcipher3.Connection.execute(conn, "SELECT count(*) FROM sqlite_schema").fetchone()
        for pragma in PRAGMAS:
            sqlcipher3.Connection.execute(conn, pragma)
        _hold(path, +1)
        conn._held_path = path
    except sqlcipher3.Error as exc:
        conn.close()
        raise (database_error(exc, path, opening=True) or _disk_error()) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def make_engine(path: Path, key: bytes) -> Engine:
    """An engine over the encrypted file. Every transaction that may write
    starts with BEGIN IMMEDIATE, so two writers queue instead of failing
    half-way; read-only units use a plain BEGIN.

    ``key`` is kept by reference: pass the caller's bytearray, so that
    wiping it on lock leaves no copy here."""
    engine = create_engine(
        "sqlite+pysqlite://",
        creator=lambda: connect_raw(path, key),
        module=sqlcipher3.dbapi2,
        # The URL names no file (the key must not be in one), so SQLAlchemy
        # would assume :memory: and share one connection per thread; a file
        # wants a real pool.
        poolclass=QueuePool,
        pool_size=4,
    )

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # noqa: ANN001 - SQLAlchemy event signature
        readonly = conn.get_execution_options().get("shelter_readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    return engine


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One unit of work that may write: commits on success, rolls back on error."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """One read-only unit of work (a consistent snapshot)."""
    ro = engine.execution_options(shelter_readonly=True)
    with Session(ro) as session, session.begin():
        yield session

