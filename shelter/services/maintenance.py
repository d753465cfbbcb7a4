"""Checking the store and rotating its key."""

from __future__ import annotations

import contextlib
import copy
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from shelter.errors import StoreDamaged
from shelter.i18n import _
from shelter.security.audit import verify_chain
from shelter.security.keyring import RECOVERY_SLOT, Keyring
from shelter.security.permissions import Permission
from shelter.services.backup import export_database
from shelter.storage.database import connect_raw
from shelter.storage.models import StaffAccount, StoreMeta
from shelter.store import META_RECOVERY_PUBLIC, OpenStore, SignedIn, _database_files


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    integrity: list[str]  # "ok" or SQLite's findings
    cipher: list[str]  # empty when every page's HMAC holds
    audit_ok: bool
    audit_entries: int
    audit_problem: str | None

    def summary(self) -> str:
        if self.ok:
            return _("Store intact: database integrity ok, every page authentic, audit log of {n} entries unbroken.").format(
                n=self.audit_entries)
        parts = []
        if self.integrity != ["ok"]:
            parts.append(_("the database structure is damaged"))
        if self.cipher:
            parts.append(_("{n} pages fail their authenticity check (the file was damaged or altered)").format(
                n=len(self.cipher)))
        if not self.audit_ok:
            parts.append(_("the audit log was altered ({problem})").format(problem=self.audit_problem))
        return _("Store damaged: {problems}.").format(problems="; ".join(parts))


def verify(who: SignedIn) -> VerifyReport:
    """SQLite's integrity check, SQLCipher's per-page HMAC check and the
    audit-chain check, on the open store."""
    who.require(Permission.VERIFY_STORE)
    store = who.store
    try:
        conn = connect_raw(store.database_path, store.key)
    except StoreDamaged:
        raise
    try:
        try:
            integrity = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        except Exception as exc:  # sqlcipher raises on unreadable pages
            integrity = [str(exc)]
        try:
            cipher = [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check").fetchall()]
        except Exception as exc:
            cipher = [str(exc)]
    finally:
        conn.close()
    try:
        with store.read() as s:
            chain = verify_chain(s, store.audit_key, store.keyring.audit_head)
        audit_ok, entries, problem = chain.ok, chain.entries, chain.problem
    except (DBAPIError, StoreDamaged) as exc:
        audit_ok, entries, problem = False, 0, str(exc)
    ok = integrity == ["ok"] and not cipher and audit_ok
    report = VerifyReport(ok, integrity, cipher, audit_ok, entries, problem)
    with contextlib.suppress(Exception):
        with store.write() as s:
            store.audit(s, "store.verify", who.actor.account_id, outcome="ok" if ok else "failed")
    return report


def rotate_key(who: SignedIn) -> int:
    """Re-encrypt the database under a new random key and seal it for every
    remaining slot. Crash-safe: the new file is written beside the old one and
    checked; the switch is the atomic replacement of the keyring (which names
    the database file); only then is the old file removed. Returns the new
    key generation. Old keyring copies and old keys open nothing afterwards."""
    who.require(Permission.ROTATE_KEY)
    store: OpenStore = who.store
    ring = store.keyring
    generation = ring.generation + 1
    new_name = f"shelter.g{generation}.db"
    new_path = store.paths.database(new_name)
    for leftover in _database_files(new_path):
        leftover.unlink(missing_ok=True)
    with store.write() as s:
        store.audit(s, "store.rotate_key", who.actor.account_id, outcome="started", detail={"generation": generation})
        vouched = {
            ring.user_slot(a.username): a.slot_public_key
            for a in s.execute(select(StaffAccount).where(StaffAccount.active.is_(True))).scalars()
            if a.slot_public_key
        }
        recovery = s.get(StoreMeta, META_RECOVERY_PUBLIC)
        if recovery is not None:
            vouched[RECOVERY_SLOT] = recovery.value
    new_key = secrets.token_bytes(32)
    old_path = store.database_path
    old_key = store.key
    try:
        export_database(old_path, old_key, new_path, new_key)
    except BaseException:
        for leftover in _database_files(new_path):
            leftover.unlink(missing_ok=True)
        raise
    new_ring = copy.deepcopy(ring)
    new_ring.reseal_all(new_key, generation, new_name, vouched)
    if ring.user_slot(who.actor.username) not in new_ring.slots:
        for leftover in _database_files(new_path):
            leftover.unlink(missing_ok=True)
        raise StoreDamaged(_("Your own key slot is not vouched for by the database; the key was not rotated."))
    try:
        new_ring.save(store.paths.keyring)  # the switch
    except BaseException:
        # Did the switch happen (the rename may succeed and a later fsync
        # fail)? Only if the keyring on disk still names the old file is the
        # new one safe to remove.
        with contextlib.suppress(Exception):
            if Keyring.load(store.paths.keyring).database != new_name:
                for leftover in _database_files(new_path):
                    leftover.unlink(missing_ok=True)
        raise
    # From here the new file is the store. Reopen on it.
    store.close()
    replacement = OpenStore(store.paths, new_ring, new_key)
    who.store = replacement
    for leftover in _database_files(old_path):
        with contextlib.suppress(OSError):
            leftover.unlink()
    with replacement.write() as s:
        replacement.audit(s, "store.rotate_key", who.actor.account_id, detail={"generation": generation})
    replacement.save_keyring()
    return generation
