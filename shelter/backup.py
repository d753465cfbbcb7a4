"""Encrypted copies of the store: made, verified, copied elsewhere, compared
and put back.

A backup is a folder ``<time>-<label>`` holding a consistent copy of the
database (made by SQLCipher itself inside one read transaction, still
encrypted under the same key), the keyring that opens it, the audit head of
the copy, and ``manifest.json``: the schema revision, the time, the
application's version, the audit head (sequence and MAC) and the SHA-256 of
every file, authenticated with a key derived from the copy's own audit
chain key (so an edited manifest shows, and only someone who can open the
copy can write a manifest that passes). A folder is built as
``<name>.partial`` and renamed once complete: a backup cut off at any moment
is never taken for a complete one.

After the copy, ``check_backup`` verifies it as a restore would need it:
the hashes, the manifest's tag, SQLite's ``integrity_check``, SQLCipher's
``cipher_integrity_check`` and the audit chain up to the manifest's head;
the result is written beside it (``verification.json``, tagged the same
way).

Below the store and the services: it is given paths, keys and the keyring,
and imports neither (the store takes a safety copy before a migration; a
key rotation exports the database).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shelter import __version__
from shelter.atomic import fsync_dir, write_atomic
from shelter.errors import ShelterError, StorageFull
from shelter.i18n import _
from shelter.security.audit_head import AuditHeadFile, Head
from shelter.storage.database import connect_raw, database_error, key_pragma, wipe_text
from shelter.storage.paths import ensure_private_folder

if TYPE_CHECKING:
    from shelter.security.keyring import Keyring

FORMAT = "shelter-backup"
VERSION = 2  # 1: the safety copies of earlier versions (no file hashes, no tag)
MANIFEST = "manifest.json"
VERIFICATION = "verification.json"
PARTIAL = ".partial"
KEYRING = "keyring.json"
JOURNAL = "restore-journal.json"  # a restore under way (see finish_interrupted_restore)
META_AUDIT_KEY = "audit_chain_key"  # as shelter.store names it
_TAG_INFO = b"shelter/v1/backup-manifest"
_CHUNK = 1 << 20
_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{6}Z-[A-Za-z0-9_.-]{1,60}$")

Progress = Callable[[float, str], None]  # fraction done (0–1), what is being done ("copy", "hash", "verify")


class BackupFailed(ShelterError):
    """A backup could not be made, copied or put back; nothing incomplete was left as if complete."""


@dataclass(frozen=True)
class BackupInfo:
    folder: Path
    created_at: datetime
    audit_sequence: int
    schema: str | None
    label: str = ""
    application_version: str = ""
    audit_mac: str = ""
    size: int = 0
    state: str = "unverified"  # "verified", "failed" or "unverified"
    verified_at: datetime | None = None
    problems: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.folder.name


@dataclass(frozen=True)
class BackupCheck:
    ok: bool
    problems: tuple[str, ...]
    info: BackupInfo | None
    newer: bool = False  # made by a newer version of Shelter: it cannot be restored here
    tables: dict[str, tuple[int, str]] = field(default_factory=dict)  # table -> (rows, content hash), when opened


def _stamp(now: datetime) -> str:
    return now.strftime("%Y-%m-%dT%H%M%SZ")


def _tag_key(chain_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_TAG_INFO).derive(chain_key)


def _tag(chain_key: bytes, body: dict[str, Any]) -> str:
    data = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    return hmac.new(_tag_key(chain_key), data, hashlib.sha256).hexdigest()


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _disk_error(exc: OSError, where: Path) -> ShelterError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageFull(_("The disk is full: the backup was not made. Free some space on {place} and "
                             "try again.").format(place=where))
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return BackupFailed(_("{place} cannot be written (read-only, or not allowed): the backup was not "
                              "made there.").format(place=where))
    if exc.errno in (errno.ENOENT, errno.ENODEV, errno.EIO, errno.ENXIO):
        return BackupFailed(_("{place} went away during the copy (a drive pulled out?): the backup there is "
                              "incomplete and was left marked as such.").format(place=where))
    return BackupFailed(_("The backup could not be written to {place}: {reason}.").format(
        place=where, reason=exc.strerror or exc))


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        shutil.rmtree(path)


def chain_key_of(database: Path, key: bytes | bytearray) -> bytes:
    conn = connect_raw(database, key)
    try:
        row = conn.execute("SELECT value FROM store_meta WHERE key = ?", (META_AUDIT_KEY,)).fetchone()
    finally:
        conn.close()
    if row is None:
        raise BackupFailed(_("The copy has no audit key: it is damaged."))
    return bytes(row[0])


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
    for suffix in ("-wal", "-shm"):  # checkpointed and closed: the copy is the one file
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{target}{suffix}")


def copy_database(source: Path, key: bytes | bytearray, target: Path) -> None:
    """A consistent copy of the database at ``source`` into a new file
    ``target`` under the same key, page by page with SQLite's online backup
    (one step: one read transaction, so writers go on and the copy is one
    moment of the store). Faster than ``export_database``, which rebuilds
    every table and index; verification checks the copy afterwards."""
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600))
    conn = connect_raw(source, key)
    try:
        copy = connect_raw(target, key, create=True)
        try:
            try:
                conn.backup(copy, pages=-1)
            except sqlcipher3.Error as exc:  # the online backup is not one of the wrapped calls
                raise (database_error(exc, target) or BackupFailed(str(exc))) from exc
            copy.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            copy.close()
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):  # checkpointed and closed: the copy is the one file
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{target}{suffix}")


def make_backup(backups: Path, database: Path, key: bytes, keyring: Keyring, label: str,
                progress: Progress | None = None, now: datetime | None = None) -> BackupInfo:
    """Copy the database file ``database`` (still encrypted under ``key``)
    and ``keyring`` into ``backups/<time>-<label>/``, with its manifest.
    Raises StorageFull or BackupFailed, leaving at most a ``.partial`` folder
    (removed when it could be)."""
    now = now or datetime.now(UTC)
    safe_label = re.sub(r"[^A-Za-z0-9_.-]", "-", label)[:60] or "backup"
    try:
        ensure_private_folder(backups)
    except OSError as exc:
        raise _disk_error(exc, backups) from exc
    folder = backups / f"{_stamp(now)}-{safe_label}"
    n = 1
    while folder.exists() or folder.with_name(folder.name + PARTIAL).exists():
        n += 1
        folder = backups / f"{_stamp(now)}-{safe_label}-{n}"
    partial = folder.with_name(folder.name + PARTIAL)
    report = progress or (lambda _f, _s: None)
    try:
        ensure_private_folder(partial)
        report(0.0, "copy")
        db_name = database.name
        copy_database(database, key, partial / db_name)
        report(0.6, "copy")
        # The head and schema of the copy itself (the live store may have
        # moved on since): the copy opens on its own, its log agreeing with it.
        copy = connect_raw(partial / db_name, key)
        try:
            last = copy.execute("SELECT id, mac FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone()
            try:
                schema = copy.execute("SELECT version_num FROM alembic_version").fetchone()[0]
            except Exception:
                schema = None
            chain = copy.execute("SELECT value FROM store_meta WHERE key = ?", (META_AUDIT_KEY,)).fetchone()
        finally:
            copy.close()
        if chain is None:
            raise BackupFailed(_("The store has no audit key: it is damaged; run 'verify'."))
        chain_key = bytes(chain[0])
        head = {"sequence": last[0], "mac": last[1]} if last else None
        if last:
            AuditHeadFile(partial, keyring.store_id).write_complete(chain_key, Head(last[0], last[1]))
        keyring.save(partial / KEYRING)
        for lock in partial.glob("*.lock"):  # locks of the writes above: nothing to restore
            lock.unlink()
        report(0.7, "hash")
        files = {p.name: {"sha256": file_hash(p), "size": p.stat().st_size}
                 for p in sorted(partial.iterdir()) if p.is_file() and not p.name.startswith(".")}
        body = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": now.isoformat(),
            "application_version": __version__,
            "store_id": keyring.store_id.hex(),
            "database": db_name,
            "schema_revision": schema,
            "audit_head": head,
            "label": safe_label,
            "files": files,
        }
        manifest = {**body, "tag": _tag(chain_key, body)}
        write_atomic(partial / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8"))
        report(0.8, "hash")
        os.rename(partial, folder)
        fsync_dir(folder.parent)
    except OSError as exc:
        _remove(partial)
        raise _disk_error(exc, backups) from exc
    except BaseException:
        _remove(partial)
        raise
    return BackupInfo(folder, now, head["sequence"] if head else 0, schema, safe_label, __version__,
                      head["mac"] if head else "", sum(f["size"] for f in files.values()))


def safety_copy(backups: Path, database: Path, key: bytes, keyring: Keyring, audit_key: bytes,
                label: str) -> BackupInfo:
    """A backup before a risky change (a migration): the same as any other."""
    del audit_key  # the copy's own chain key tags it
    return make_backup(backups, database, key, keyring, label)


# -- reading and checking ---------------------------------------------------------------

def read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        raw = (folder / MANIFEST).read_bytes()
        if len(raw) > 1 << 20:
            return None
        data = json.loads(raw)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def _time(text: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def info_of(folder: Path, chain_key: bytes | None = None) -> BackupInfo | None:
    """What a backup folder says of itself (None when it is not a complete
    backup: partial, or without a readable manifest). Its state comes from
    its verification record, believed only when ``chain_key`` checks its tag
    (else "unverified")."""
    if folder.name.endswith(PARTIAL) or not folder.is_dir():
        return None
    m = read_manifest(folder)
    if m is None:
        return None
    created = _time(m.get("created_at"))
    if created is None:
        return None
    head = m.get("audit_head") if isinstance(m.get("audit_head"), dict) else {}
    files = m.get("files") if isinstance(m.get("files"), dict) else {}
    state, verified_at, problems = "unverified", None, ()
    record = _verification(folder)
    if record is not None and chain_key is not None:
        body = {k: v for k, v in record.items() if k != "tag"}
        if hmac.compare_digest(str(record.get("tag", "")), _tag(chain_key, body)) and body.get(
                "manifest_tag") == m.get("tag"):
            state = "verified" if body.get("ok") else "failed"
            verified_at = _time(body.get("verified_at"))
            problems = tuple(str(p) for p in body.get("problems", []))[:20]
    try:
        sequence = int(head.get("sequence", 0)) if head else 0
    except (TypeError, ValueError):
        sequence = 0
    size = sum(int(f.get("size", 0)) for f in files.values() if isinstance(f, dict))
    return BackupInfo(folder, created, sequence, m.get("schema_revision"), str(m.get("label", "")),
                      str(m.get("application_version", "")), str(head.get("mac", "")) if head else "", size,
                      state, verified_at, problems)


def _verification(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / VERIFICATION).read_bytes()[:65536])
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def list_backups(backups: Path, chain_key: bytes | None = None) -> list[BackupInfo]:
    """The complete backups in ``backups``, newest first."""
    try:
        folders = [p for p in backups.iterdir() if p.is_dir()]
    except OSError:
        return []
    found = [info for info in (info_of(p, chain_key) for p in folders) if info is not None]
    return sorted(found, key=lambda b: (b.created_at, b.name), reverse=True)


def table_digests(conn: Any) -> dict[str, tuple[int, str]]:
    """Each table's row count and a hash of its content, rows in rowid order
    (the same content gives the same hash in any copy)."""
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    found = {}
    for table in tables:
        digest = hashlib.sha256()
        count = 0
        quoted = '"' + table.replace('"', '""') + '"'
        for row in conn.execute(f"SELECT * FROM {quoted} ORDER BY rowid"):  # noqa: S608 (a table's own name)
            digest.update(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)).encode())
            count += 1
        found[table] = (count, digest.hexdigest())
    return found


def check_backup(folder: Path, key: bytes | bytearray, known_revisions: frozenset[str] | set[str],
                 chain_check: Callable[[Path, bytes | bytearray, dict[str, Any] | None], str | None],
                 digests: bool = False) -> BackupCheck:
    """Verify a backup as a restore needs it (see the module's docstring).
    ``chain_check(database, key, head)`` checks the audit chain of the copy
    up to ``head`` and returns a problem or None (the store's own rule, given
    from above). ``known_revisions`` are the schema revisions this version
    knows: a backup of a later one was made by a newer version."""
    problems: list[str] = []
    m = read_manifest(folder)
    if m is None:
        return BackupCheck(False, (_("The manifest is missing or unreadable: this is not a complete backup."),),
                           None)
    try:
        version = int(m.get("version", 0))
    except (TypeError, ValueError):
        version = 0
    schema = m.get("schema_revision")
    if version > VERSION or (schema is not None and schema not in known_revisions):
        return BackupCheck(False, (_("This backup was made by a newer version of Shelter ({version}): update "
                                     "Shelter on this computer to use it.").format(
                                         version=m.get("application_version", "?")),), None, newer=True)
    files = m.get("files") if isinstance(m.get("files"), dict) else None
    database_name = str(m.get("database", ""))
    if version >= 2 and not files:
        problems.append(_("The manifest lists no files."))
    for name, meta in (files or {}).items():
        path = folder / name
        if "/" in name or "\\" in name or name.startswith("."):
            problems.append(_("The manifest names a file outside the backup: {name}.").format(name=name))
            continue
        if not path.is_file():
            problems.append(_("{name} is missing.").format(name=name))
            continue
        try:
            if not hmac.compare_digest(file_hash(path), str(meta.get("sha256", ""))):
                problems.append(_("{name} has changed since the backup was made.").format(name=name))
        except OSError as exc:
            problems.append(_("{name} cannot be read: {reason}.").format(name=name, reason=exc.strerror or exc))
    database = folder / database_name
    tables: dict[str, tuple[int, str]] = {}
    if not database_name or not database.is_file():
        problems.append(_("The database copy is missing."))
    elif not problems:
        try:
            conn = connect_raw(database, key)
        except ShelterError as exc:
            problems.append(_("The copy does not open with this key: {reason}").format(reason=exc.message))
        else:
            try:
                integrity = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
                if integrity != ["ok"]:
                    problems.append(_("SQLite's integrity check failed: {detail}").format(detail=integrity[0]))
                cipher = [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check").fetchall()]
                if cipher:
                    problems.append(_("SQLCipher's page check failed: {detail}").format(detail=cipher[0]))
                row = conn.execute("SELECT value FROM store_meta WHERE key = ?", (META_AUDIT_KEY,)).fetchone()
                if digests:
                    tables = table_digests(conn)
            except Exception as exc:  # a damaged page raises on reading
                problems.append(_("The copy cannot be read: {reason}").format(reason=exc))
                row = None
            finally:
                conn.close()
            if row is not None and not problems:
                chain_key = bytes(row[0])
                body = {k: v for k, v in m.items() if k != "tag"}
                if version >= 2 and not hmac.compare_digest(str(m.get("tag", "")), _tag(chain_key, body)):
                    problems.append(_("The manifest was changed after the backup was made."))
                head = m.get("audit_head") if isinstance(m.get("audit_head"), dict) else None
                chain_problem = chain_check(database, key, head)
                if chain_problem:
                    problems.append(_("The audit log of the copy does not check out: {problem}.").format(
                        problem=chain_problem))
            elif row is None and not problems:
                problems.append(_("The copy has no audit key: it is damaged."))
    info = info_of(folder)
    return BackupCheck(not problems, tuple(problems), info, tables=tables)


def record_check(folder: Path, check: BackupCheck, key: bytes | bytearray, now: datetime | None = None) -> None:
    """Write the verification's outcome beside the backup, tagged so that
    nobody can mark a failed backup verified without the key."""
    m = read_manifest(folder)
    if m is None:
        return
    database = folder / str(m.get("database", ""))
    try:
        chain_key = chain_key_of(database, key)
    except ShelterError:
        return  # not opened: it stays "unverified", and is said failed by whoever checked it
    body = {"ok": check.ok, "problems": list(check.problems)[:20],
            "verified_at": (now or datetime.now(UTC)).isoformat(), "manifest_tag": m.get("tag")}
    try:
        write_atomic(folder / VERIFICATION, json.dumps({**body, "tag": _tag(chain_key, body)}, indent=1).encode())
    except (OSError, ShelterError):
        pass  # a read-only copy: its state is unknown until checked again


def copy_backup(folder: Path, target_dir: Path, progress: Progress | None = None) -> Path:
    """Copy a complete backup folder into ``target_dir`` (a USB drive, a
    network folder), as ``<name>.partial`` renamed once every file is copied
    and its hash read back. Raises StorageFull or BackupFailed; an
    incomplete copy keeps its ``.partial`` name (removed when it can be)."""
    target = target_dir / folder.name
    partial = target.with_name(target.name + PARTIAL)
    m = read_manifest(folder) or {}
    files = m.get("files") if isinstance(m.get("files"), dict) else {}
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        if target.exists():
            return target
        _remove(partial)
        partial.mkdir(mode=0o700)
        names = sorted(p.name for p in folder.iterdir() if p.is_file())
        for i, name in enumerate(names):
            shutil.copyfile(folder / name, partial / name)
            with open(partial / name, "rb+") as f:
                os.fsync(f.fileno())
            if name in files and file_hash(partial / name) != files[name].get("sha256"):
                raise BackupFailed(_("The copy of {name} on {place} reads back differently: the drive may be "
                                     "failing.").format(name=name, place=target_dir))
            if progress:
                progress((i + 1) / max(1, len(names)), "mirror")
        os.rename(partial, target)
        fsync_dir(target_dir)
    except OSError as exc:
        _remove(partial)
        raise _disk_error(exc, target_dir) from exc
    except BaseException:
        _remove(partial)
        raise
    return target


def remove_backup(folder: Path) -> None:
    """Remove a backup: renamed first, so that a half-removed folder is never taken for a backup."""
    doomed = folder.with_name(folder.name + ".removing" + PARTIAL)
    try:
        os.rename(folder, doomed)
    except OSError:
        return
    _remove(doomed)


def finish_interrupted_restore(data_dir: Path) -> bool:
    """Finish a restore that was cut off (its journal is still there): each
    move is atomic and done again only while its source exists. Returns
    whether there was one."""
    path = Path(data_dir) / JOURNAL
    try:
        journal = json.loads(path.read_bytes())
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        return False
    try:
        for source, target in journal.get("moves", []):
            if os.path.exists(source):
                for suffix in ("-wal", "-shm"):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(target + suffix)
                os.replace(source, target)
        fsync_dir(Path(data_dir))
    except OSError as exc:
        raise BackupFailed(_("A restore was cut off and cannot be finished ({reason}). The backup it came from "
                             "and the earlier store are both kept: restore again.").format(
                                 reason=exc.strerror or exc)) from exc
    for leftover in journal.get("remove", []):
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover + suffix)
    if journal.get("scratch"):
        _remove(Path(journal["scratch"]))
    path.unlink()
    fsync_dir(Path(data_dir))
    return True



def looks_like_backup_name(name: str) -> bool:
    return bool(_NAME.match(name))


__all__ = ["BackupCheck", "BackupFailed", "BackupInfo", "check_backup", "copy_backup", "export_database",
           "file_hash", "info_of", "key_pragma", "list_backups", "make_backup", "read_manifest", "record_check",
           "remove_backup", "safety_copy", "table_digests"]
