"""Checking the store and rotating its key."""

from __future__ import annotations

import contextlib
import copy
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import sqlcipher3
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from shelter.backup import export_database
from shelter.errors import StorageFull, StoreDamaged, os_error
from shelter.i18n import _, list_text, ngettext
from shelter.security.audit import verify_chain
from shelter.security.keyring import RECOVERY_NEXT_SLOT, RECOVERY_SLOT, Keyring
from shelter.security.permissions import Permission
from shelter.storage.database import connect_raw
from shelter.storage.models import AuditEntry, StaffAccount, StoreMeta
from shelter.store import (
    META_RECOVERY_NEXT,
    META_RECOVERY_PUBLIC,
    META_SUPERSEDED,
    OpenStore,
    SignedIn,
    _database_files,
)


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    integrity: list[str]  # "ok" or SQLite's findings
    cipher: list[str]  # empty when every page's HMAC holds
    audit_ok: bool
    audit_entries: int
    audit_problem: str | None
    unvouched_slots: list[str] = field(default_factory=list)  # key slots the database does not vouch for

    def summary(self) -> str:
        if self.ok:
            return ngettext(
                "Store intact: database integrity ok, every page authentic, audit log of {n} entry unbroken.",
                "Store intact: database integrity ok, every page authentic, audit log of {n} entries unbroken.",
                self.audit_entries).format(n=self.audit_entries)
        parts = []
        if self.integrity != ["ok"]:
            parts.append(_("the database structure is damaged"))
        if self.cipher:
            parts.append(ngettext(
                "{n} page fails its authenticity check (the file was damaged or altered)",
                "{n} pages fail their authenticity check (the file was damaged or altered)",
                len(self.cipher)).format(n=len(self.cipher)))
        if not self.audit_ok:
            parts.append(_("the audit log was altered ({problem})").format(problem=self.audit_problem))
        if self.unvouched_slots:
            parts.append(ngettext(
                "{n} key slot in the keyring is not vouched for by the database (an old or foreign copy?)",
                "{n} key slots in the keyring are not vouched for by the database (an old or foreign copy?)",
                len(self.unvouched_slots)).format(n=len(self.unvouched_slots)))
        return _("Store damaged: {problems}.").format(problems=list_text(parts))


def verify(who: SignedIn) -> VerifyReport:
    """SQLite's integrity check, SQLCipher's per-page HMAC check, the
    audit-chain check, the audit head, and every key slot against the public
    keys the database vouches for, on the open store."""
    who.require(Permission.VERIFY_STORE)
    store = who.store
    conn = connect_raw(store.database_path, store.key)
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
    problems: list[str] = []
    slots: list[str] = []
    try:
        with store.read() as s:
            chain = verify_chain(s, store.audit_key)
            entries = chain.entries
            if not chain.ok:
                problems.append(chain.problem or "the chain is broken")
            found = s.execute(
                select(AuditEntry.id).where(AuditEntry.action == "audit.head_mismatch").order_by(AuditEntry.id)
            ).scalars().all()
            if found:
                problems.append(f"its end did not match the recorded head when entry {found[0]} was written"
                                + (f" (and {len(found) - 1} more times)" if len(found) > 1 else ""))
        # Under the keyring lock (every slot change takes it), so the slots
        # and the accounts are compared as they stand together.
        with store.keyring_change() as ring, store.read() as s:
            slots = _slot_problems(s, ring)
        if chain.ok:
            head = store.head_problem()
            if head is not None:
                problems.append(head)
        if chain.ok and not problems:
            from shelter.services.backups import truncation_problem

            cut = truncation_problem(who)
            if cut is not None:
                problems.append(cut)
    except (DBAPIError, StoreDamaged) as exc:
        problems.append(str(exc))
        entries = 0
    audit_ok = not problems
    ok = integrity == ["ok"] and not cipher and audit_ok and not slots
    report = VerifyReport(ok, integrity, cipher, audit_ok, entries, "; ".join(problems) or None, slots)
    with contextlib.suppress(Exception):
        with store.write() as s:
            who.audit(s, "store.verify", outcome="ok" if ok else "failed")
    return report


def _recovery_keys(s: Session) -> list[bytes]:
    """The recovery public keys the database vouches for: the code in force
    and a new one not yet confirmed."""
    return [m.value for m in (s.get(StoreMeta, META_RECOVERY_PUBLIC), s.get(StoreMeta, META_RECOVERY_NEXT))
            if m is not None]


def _slot_problems(s: Session, ring: Keyring) -> list[str]:
    """Key slots the database does not vouch for: a slot whose account is
    deactivated or unknown, or whose public key differs from the account's
    (a slot slipped into the file, or an old copy put back)."""
    vouched = {ring.user_slot(a.username): (a.active, a.slot_public_key)
               for a in s.execute(select(StaffAccount)).scalars()}
    recovery = _recovery_keys(s)
    found = []
    for slot_id, slot in ring.slots.items():
        if slot.kind == "recovery":
            if slot.public_key not in recovery:
                found.append(slot_id)
            continue
        active, public = vouched.get(slot_id, (False, None))
        if not active or public != slot.public_key:
            found.append(slot_id)
    return found


def rotate_key(who: SignedIn) -> int:
    """Re-encrypt the database under a new random key and seal it for every
    remaining slot. Returns the new key generation. Old keyring copies and old
    keys open nothing afterwards.

    Safe against other sessions and against a crash at any point:
    - the keyring lock is held throughout, so no slot changes meanwhile;
    - the old file's write lock is held from before the copy until the old
      file is marked as superseded, so no other session can commit a change
      the copy would miss; a session still attached to the old file is
      refused at its next unit of work (it signs in again, onto the new file);
    - the switch is the atomic replacement of the keyring, which names the
      database file; the old file is removed only after it. A crash before
      the switch leaves the old file in force (its mark is taken back at the
      next sign-in), a crash after it the new one."""
    who.require(Permission.ROTATE_KEY)
    store: OpenStore = who.store
    with store.keyring_change() as ring:
        generation = ring.generation + 1
        new_name = f"shelter.g{generation}.db"
        new_path = store.paths.database(new_name)
        for leftover in _database_files(new_path):
            leftover.unlink(missing_ok=True)
        with store.write() as s:
            who.audit(s, "store.rotate_key", outcome="started",
                        detail={"generation": generation})
            vouched = {
                ring.user_slot(a.username): a.slot_public_key
                for a in s.execute(select(StaffAccount).where(StaffAccount.active.is_(True))).scalars()
                if a.slot_public_key
            }
            # The recovery code in force and a new one not yet confirmed are
            # both kept, each if the database vouches for it.
            known = _recovery_keys(s)
            for slot_id in (RECOVERY_SLOT, RECOVERY_NEXT_SLOT):
                slot = ring.slots.get(slot_id)
                if slot is not None and slot.public_key in known:
                    vouched[slot_id] = slot.public_key
        new_key = secrets.token_bytes(32)
        old_path = store.database_path
        old_key = store.key
        hold = connect_raw(old_path, old_key)
        try:
            hold.execute("BEGIN IMMEDIATE")
            try:
                export_database(old_path, old_key, new_path, new_key)
                hold.execute("INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)",
                              (META_SUPERSEDED, str(generation).encode("ascii")))
                hold.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(Exception):
                    hold.execute("ROLLBACK")
                for leftover in _database_files(new_path):
                    leftover.unlink(missing_ok=True)
                raise
        except sqlcipher3.Error as exc:
            raise _storage_error_of(exc) from exc
        except OSError as exc:
            raise os_error(exc, store.paths.folder) from exc
        finally:
            hold.close()
        new_ring = copy.deepcopy(ring)
        new_ring.reseal_all(new_key, generation, new_name, vouched)
        if ring.user_slot(who.actor.username) not in new_ring.slots:
            _unmark(old_path, old_key)
            for leftover in _database_files(new_path):
                leftover.unlink(missing_ok=True)
            raise StoreDamaged(_("Your own key slot is not vouched for by the database; the key was not rotated."))
        try:
            store.save_keyring(new_ring)  # the switch
        except BaseException:
            # Did the switch happen (the rename may succeed and a later fsync
            # fail)? Only if the keyring on disk still names the old file is
            # the new one safe to remove and the old one to be used again.
            with contextlib.suppress(Exception):
                if Keyring.load(store.paths.keyring).database != new_name:
                    _unmark(old_path, old_key)
                    for leftover in _database_files(new_path):
                        leftover.unlink(missing_ok=True)
            raise
        # From here the new file is the store. Reopen on it.
        account = store._account
        store.close()
        replacement = OpenStore(store.paths, new_ring, new_key)
        if account is not None:
            replacement.bind(*account)
        who.store = replacement
        for leftover in _database_files(old_path):
            with contextlib.suppress(OSError):
                leftover.unlink()
        with replacement.write() as s:
            replacement.audit(s, "store.rotate_key", who.actor.account_id, detail={"generation": generation})
    return generation


def _unmark(path: Path, key: bytes) -> None:
    """Take back the "superseded" mark of a rotation that did not switch."""
    with contextlib.suppress(Exception):
        conn = connect_raw(path, key)
        try:
            conn.execute("DELETE FROM store_meta WHERE key = ?", (META_SUPERSEDED,))
        finally:
            conn.close()


def _storage_error_of(exc: Exception) -> Exception:
    text = str(exc).lower()
    if "full" in text:
        return StorageFull(_("The disk is full: nothing was saved. Free some space and try again."))
    return StoreDamaged(_("The key could not be rotated ({reason}). Nothing was changed.").format(reason=exc))
