"""SQLCipher connections for SQLAlchemy.

The key is given as a raw 256-bit key (``PRAGMA key = "x'…'"``) inside our own
connection factory, so it never appears in a URL, in SQLAlchemy's logs or in
an exception message, and SQLCipher's own PBKDF2 is not paid on top of
Argon2id. Pragmas: see ``docs/storage-format.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from shelter.errors import StoreDamaged
from shelter.i18n import _

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


def key_pragma(key: bytes) -> str:
    return f"PRAGMA key = \"x'{key.hex()}'\""


def connect_raw(path: Path, key: bytes) -> sqlcipher3.Connection:
    """An open DB-API connection with the key and pragmas applied.

    Raises StoreDamaged when the file cannot be read with this key (a damaged
    first page looks the same as a wrong key to SQLCipher).
    """
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        # SQLCipher would print its own error lines on stderr for a wrong key
        # or a damaged page; we report those ourselves, once, in plain words.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(key_pragma(key))
        for pragma in CIPHER_SETTINGS:
            conn.execute(pragma)
        # The first read proves the key; SQLCipher reports failure here.
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        for pragma in PRAGMAS:
            conn.execute(pragma)
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        raise StoreDamaged(
            _("The database file cannot be opened: it is damaged or does not belong to this keyring.")
        ) from exc
    return conn


def make_engine(path: Path, key: bytes) -> Engine:
    """An engine over the encrypted file. Every transaction that may write
    starts with BEGIN IMMEDIATE, so two writers queue instead of failing
    half-way; read-only units use a plain BEGIN."""
    key = bytes(key)
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
