"""Encrypted copies of the store.

A backup is a folder holding a consistent copy of the database (made by
SQLCipher itself, still encrypted under the same key), the keyring that opens
it, and a manifest with the schema version and the audit-chain head at the
time of the copy (so a later truncation of the log shows against it).

Below the store and the services: it is given paths, keys and the keyring,
and imports neither (the store takes a safety copy before a migration; a
key rotation exports the database).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from shelter import __version__
from shelter.atomic import fsync_dir, write_atomic
from shelter.security.audit_head import AuditHeadFile, Head
from shelter.storage.database import connect_raw, key_pragma, wipe_text
from shelter.storage.paths import ensure_private_folder

if TYPE_CHECKING:
    from shelter.security.keyring import Keyring


@dataclass(frozen=True)
class BackupInfo:
    folder: Path
    created_at: datetime
    audit_sequence: int
    schema: str | None


def export_database(source: Path, key: bytes, target: Path, target_key: bytes) -> None:
    """Copy the whole database at ``source`` into a new encrypted file
    ``target`` under ``target_key``, consistently (inside one read
    transaction), with SQLCipher's ``sqlcipher_export``."""
    # Created here, owner-only, so the copy is never readable by others
    # (SQLite would use the process's umask); refuses an existing file.
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600))
    conn = connect_raw(source, key)
    try:
        pragma = key_pragma(target_key)
        attach = pragma.replace("PRAGMA key = ", "ATTACH DATABASE ? AS shelter_copy KEY ", 1)
        wipe_text(pragma)
        try:
            conn.execute(attach, (str(target),))
        finally:
            wipe_text(attach)
            del attach
        try:
            conn.execute("BEGIN")
            conn.execute("SELECT sqlcipher_export('shelter_copy')")
            version = conn.execute("PRAGMA main.user_version").fetchone()[0]
            conn.execute(f"PRAGMA shelter_copy.user_version = {int(version)}")
            conn.execute("COMMIT")
        finally:
            conn.execute("DETACH DATABASE shelter_copy")
    finally:
        conn.close()
    check = connect_raw(target, target_key)
    try:
        check.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        result = check.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise OSError(f"copy failed its check: {result}")
    finally:
        check.close()


def _stamp(now: datetime) -> str:
    return now.strftime("%Y-%m-%dT%H%M%SZ")


def safety_copy(backups: Path, database: Path, key: bytes, keyring: Keyring, audit_key: bytes,
                label: str) -> BackupInfo:
    """Copy the database file ``database`` (still encrypted under ``key``)
    and ``keyring`` into ``backups/<time>-<label>/`` before a risky change;
    the copy's audit head is tagged with ``audit_key``."""
    now = datetime.now(UTC)
    safe_label = re.sub(r"[^A-Za-z0-9_.-]", "-", label)[:60]
    ensure_private_folder(backups)
    folder = backups / f"{_stamp(now)}-{safe_label}"
    partial = folder.with_name(folder.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    ensure_private_folder(partial)
    db_name = database.name
    export_database(database, key, partial / db_name, key)
    # The head and schema of the copy itself (the live store may have moved
    # on since): the copy opens on its own, its log agreeing with its head.
    copy = connect_raw(partial / db_name, key)
    try:
        last = copy.execute("SELECT id, mac FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone()
        try:
            schema = copy.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        except Exception:
            schema = None
    finally:
        copy.close()
    head = {"sequence": last[0], "mac": last[1]} if last else None
    if last:
        AuditHeadFile(partial, keyring.store_id).write_complete(audit_key, Head(last[0], last[1]))
    keyring.save(partial / "keyring.json")
    manifest = {
        "format": "shelter-backup",
        "version": 1,
        "created_at": now.isoformat(),
        "application_version": __version__,
        "database": db_name,
        "schema_revision": schema,
        "audit_head": head,
        "label": safe_label,
    }
    write_atomic(partial / "manifest.json", json.dumps(manifest, indent=1).encode("utf-8"))
    partial.rename(folder)
    fsync_dir(folder.parent)
    return BackupInfo(folder, now, head["sequence"] if head else 0, schema)


__all__ = ["BackupInfo", "export_database", "safety_copy", "key_pragma"]
