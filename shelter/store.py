"""A Shelter store: the encrypted database and its keyring, in one folder.

``Store(folder)`` is the locked store: it knows where the files are and holds
no key. ``Store.create`` makes a new one; ``Store.sign_in`` unlocks it for one
staff member and returns a ``SignedIn`` (the open database plus the person),
which every service function takes. ``SignedIn.lock`` drops the connection
and the key.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from shelter.backup import finish_interrupted_restore, safety_copy
from shelter.domain.naming import check_shelter_code, check_username
from shelter.errors import (
    AccountInactive,
    KeyRotated,
    PasswordChangeRequired,
    SessionEnded,
    SignInDelayed,
    StorageFull,
    StoreDamaged,
    StoreExists,
    StoreMissing,
    StoreReadOnly,
    ValidationError,
    WrongPassword,
)
from shelter.i18n import _, ngettext, normalise_language
from shelter.security import audit, audit_head
from shelter.security import passwords as password_rules
from shelter.security.audit_head import AuditHeadFile, Head, HeadUnreadable
from shelter.security.keyring import (
    RECOVERY_NEXT_SLOT,
    RECOVERY_SLOT,
    KdfParams,
    Keyring,
    calibrate,
    new_recovery_code,
    normalise_recovery_code,
    seconds_to_wait,
)
from shelter.security.keyring_file import KeyringFile
from shelter.security.permissions import Permission, Role, require
from shelter.storage import migrate
from shelter.storage.database import (
    check_database_file,
    connect_raw,
    make_engine,
    read_session,
    write_session,
)
from shelter.storage.models import GlassAccess, Shelter, StaffAccount, StaffRole, StoreMeta, utcnow
from shelter.storage.paths import StorePaths, check_data_folder, ensure_private_folder

UNKNOWN_SLOT = "unknown"
META_AUDIT_KEY = "audit_chain_key"
META_RECOVERY_PUBLIC = "recovery_public_key"
META_STORE_ID = "store_id"
# Set inside a database file by a key rotation just before it switches the
# keyring to the new file: any session still attached to this file is
# refused at its next unit of work instead of writing where nobody will read.
META_SUPERSEDED = "superseded_by"
# The public key of a new recovery code's slot, vouched for beside the one
# in force until the new code is confirmed (``services.documents``).
META_RECOVERY_NEXT = "recovery_public_key_next"


@dataclass(frozen=True)
class Actor:
    """The signed-in person, as services see them."""

    account_id: int
    username: str
    display_name: str
    roles: frozenset[Role]
    language: str
    must_change_password: bool = False

    def has(self, permission: Permission) -> bool:
        from shelter.security.permissions import allows

        return allows(self.roles, permission)


def _wipe(buffer: bytearray) -> None:
    for i in range(len(buffer)):
        buffer[i] = 0


def key_rotated() -> KeyRotated:
    """The refusal a session meets when the key was rotated elsewhere."""
    return KeyRotated(
        _("The database key was changed from another window or command. "
          "Sign in again to go on; what you typed is kept.")
    )


# Called (from whatever thread met it) with the message when a session finds
# it can no longer act: the application registers one that locks its window.
session_ended_listeners: list[Callable[[str], None]] = []


class OpenStore:
    """The unlocked database: engine, key and keyring of one store.

    ``keyring`` is the copy this session last read or wrote; it is never
    written back as it is. Every change to the keyring goes through
    ``keyring_change`` (read afresh under the lock), so changes made by
    other sessions are kept."""

    def __init__(self, paths: StorePaths, keyring: Keyring, key: bytes, new: bool = False) -> None:
        self.paths = paths
        self.keyring = keyring
        self.generation = keyring.generation
        self.keyfile = KeyringFile(paths.keyring)
        self.head_file = AuditHeadFile(paths.folder, keyring.store_id)
        self._key = bytearray(key)
        self.database_path = paths.database(keyring.database)
        if not new:  # a store being created starts as an empty file; any other never may
            check_database_file(self.database_path)
        self.engine: Engine | None = make_engine(self.database_path, self._key)
        self._audit_key: bytes | None = None
        self._slot_private: bytearray | None = None
        # Compartment keys opened in this session, by compartment (see
        # shelter.security.compartment); overwritten when the store closes.
        self.compartment_keys: dict[str, bytearray] = {}
        # Emergency readings of counselling notes in force in this session, by
        # resident: (key, until, reading id, key generation). See services.notes.
        self.glass: dict[int, tuple[bytearray, datetime, int, int]] = {}
        # The account this session acts for and the public key of the slot it
        # signed in with: checked at every unit of work.
        self._account: tuple[int, bytes] | None = None

    def bind(self, account_id: int, slot_public_key: bytes) -> None:
        self._account = (account_id, slot_public_key)

    def hold_slot_private(self, private: bytes) -> None:
        """Keep the signed-in person's slot private key for this session: it
        opens what is sealed to them inside the database (the counselling
        compartment). Overwritten when the store closes."""
        if self._slot_private is not None:
            _wipe(self._slot_private)
        self._slot_private = bytearray(private)

    @property
    def slot_private(self) -> bytes | None:
        return bytes(self._slot_private) if self._slot_private else None

    @property
    def account_public_key(self) -> bytes | None:
        return self._account[1] if self._account else None

    # -- units of work ----------------------------------------------------

    def _engine(self) -> Engine:
        if self.engine is None:
            raise StoreMissing(_("The store is locked. Sign in again."))
        return self.engine

    def _guard(self, session: Session) -> None:
        """Refuse to work on a database file that a key rotation elsewhere has
        replaced, or for an account deactivated or re-keyed elsewhere; tell
        whoever listens (the application locks its window)."""
        try:
            self._check_still_valid(session)
        except SessionEnded as exc:
            for listener in list(session_ended_listeners):
                with contextlib.suppress(Exception):
                    listener(exc.message)
            raise

    def _check_still_valid(self, session: Session) -> None:
        if session.get(StoreMeta, META_SUPERSEDED) is not None:
            raise key_rotated()
        if self._account is None:
            return
        account_id, public_key = self._account
        row = session.execute(
            select(StaffAccount.active, StaffAccount.slot_public_key).where(StaffAccount.id == account_id)
        ).first()
        if row is None or not row.active:
            raise SessionEnded(_("Your account was deactivated by an administrator. Your session has ended."))
        if row.slot_public_key != public_key:
            raise SessionEnded(
                _("Your password was changed from another window or by an administrator. "
                  "Sign in again with the new one; what you typed is kept.")
            )

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One unit of work that may write (BEGIN IMMEDIATE … COMMIT). When it
        adds audit entries, the audit head is written before and after the
        commit (``shelter.security.audit_head``)."""
        end: Head | None = None
        with self._reported():
            with write_session(self._engine()) as session:
                self._guard(session)
                yield session
                session.flush()
                end = session.info.get("audit_end")
                if end is not None:
                    self.head_file.prepare(self._chain_key(session), session.info.get("audit_start"), end)
        if end is not None:
            # Committed. If this second step fails, the head still reads
            # "prepared", which verify accepts for a log that reached it.
            with contextlib.suppress(Exception):
                self.head_file.confirm(self.audit_key, end)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reported(), read_session(self._engine()) as session:
            self._guard(session)
            yield session

    @contextmanager
    def _reported(self) -> Iterator[None]:
        """Database failures as the person's message; a failure to reach a
        file that a rotation elsewhere removed says so, not "damaged"."""
        try:
            yield
        except IntegrityError:
            raise
        except (OperationalError, DatabaseError) as exc:
            self._raise_if_replaced()
            raise _storage_error(exc) from exc
        except (StoreDamaged, StoreReadOnly):  # connecting to a file that is gone
            self._raise_if_replaced()
            raise

    def _raise_if_replaced(self) -> None:
        """After a failure to reach the database: if the keyring now names
        another file (a rotation elsewhere removed this one), say that,
        not "damaged"."""
        try:
            ring = self.keyfile.read()
        except Exception:  # noqa: BLE001  (the original failure is reported)
            return
        if ring.generation != self.generation:
            raise key_rotated()

    @contextmanager
    def unguarded(self, write: bool = False) -> Iterator[Session]:
        """A unit of work without the session checks, for the opening steps
        that settle what an interrupted change left (a rotation's mark)."""
        with self._reported(), (write_session if write else read_session)(self._engine()) as session:
            yield session

    @property
    def key(self) -> bytes:
        if not self._key:
            raise StoreMissing(_("The store is locked. Sign in again."))
        return bytes(self._key)

    def _chain_key(self, session: Session) -> bytes:
        if self._audit_key is None:
            meta = session.get(StoreMeta, META_AUDIT_KEY)
            if meta is None:
                raise StoreDamaged(_("The store's audit key is missing: the database is damaged."))
            self._audit_key = bytes(meta.value)
        return self._audit_key

    @property
    def audit_key(self) -> bytes:
        if self._audit_key is None:
            with self.unguarded() as s:
                return self._chain_key(s)
        return self._audit_key

    def audit(self, session: Session, action: str, actor_id: int | None, record_type: str | None = None,
              record_id: int | str | None = None, outcome: str = "ok", detail: dict[str, Any] | None = None,
              at: datetime | None = None) -> None:
        audit.append(session, self._chain_key(session), action, actor_id, record_type, record_id, outcome,
                     detail, at)

    # -- the audit head ------------------------------------------------------

    def head_problem(self) -> str | None:
        """Whether the end of the audit log agrees with the recorded head
        (an English description of the disagreement, or None). Read under
        the database's write lock, the only lock under which the head's
        first step is written, so neither can move while they are compared."""
        with self.unguarded(write=True) as session:
            return self._head_problem(session)

    def _head_problem(self, session: Session) -> str | None:
        last = session.execute(
            select(audit.AuditEntry.id, audit.AuditEntry.mac).order_by(audit.AuditEntry.id.desc()).limit(1)
        ).first()
        log_end = Head(last.id, last.mac) if last else None
        try:
            record = self.head_file.read(self._chain_key(session))
        except HeadUnreadable as exc:
            return exc.problem
        legacy = None
        if record is None and self.keyring.audit_head:
            legacy = Head(int(self.keyring.audit_head["sequence"]), str(self.keyring.audit_head["mac"]))

        def mac_at(n: int) -> str | None:
            return session.execute(
                select(audit.AuditEntry.mac).where(audit.AuditEntry.id == n)
            ).scalar_one_or_none()

        return audit_head.check(record, log_end, mac_at, legacy)

    def note_head_problem(self) -> None:
        """Record in the log itself, once found, that its end did not match
        the head: the next entries move the head on, so the finding must not
        live only in memory. ``verify`` reports every such entry. Call it
        before anything else is written after opening."""
        problem = self.head_problem()
        if problem is not None:
            with self.write() as s:
                self.audit(s, "audit.head_mismatch", None, outcome="failed", detail={"problem": problem[:64]})

    # -- the keyring ---------------------------------------------------------

    def current_keyring(self) -> Keyring:
        """The keyring as it is on disk now (another session may have changed
        it since this one signed in)."""
        ring = self.keyfile.read()
        if ring.generation != self.generation:
            raise key_rotated()
        self.keyring = ring
        return ring

    @contextmanager
    def keyring_change(self) -> Iterator[Keyring]:
        """A change to the key slots made together with a database
        transaction. Holds the keyring lock, yields the keyring read afresh;
        the caller changes it and calls ``save_keyring(ring)`` inside its
        database transaction, before the commit (so a failed commit leaves at
        worst an unused slot, or a removed one: never a slot the database
        has stopped vouching for). Refused with KeyRotated if the key was
        rotated elsewhere. An exception writes nothing."""
        with self.keyfile.locked():
            yield self.current_keyring()

    def save_keyring(self, ring: Keyring) -> None:
        """Write ``ring`` (read under ``keyring_change``) with the next revision."""
        ring.revision += 1
        if ring.audit_head is not None and self.head_file.exists():
            ring.audit_head = None  # superseded by audit-head.json
        ring.save(self.paths.keyring)
        self.keyring = ring

    def close(self) -> None:
        """Drop the connection and overwrite the key in memory (best effort:
        see ``docs/storage-format.md`` for the copies the drivers keep)."""
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None
        _wipe(self._key)
        if self._slot_private is not None:
            _wipe(self._slot_private)
        for key in self.compartment_keys.values():
            _wipe(key)
        self.compartment_keys.clear()
        for held in self.glass.values():
            _wipe(held[0])
        self.glass.clear()
        self._key = bytearray()
        self._audit_key = None


def _storage_error(exc: DatabaseError) -> Exception:
    text = str(exc.orig) if exc.orig else str(exc)
    low = text.lower()
    if "full" in low:
        return StorageFull(_("The disk is full: nothing was saved. Free some space and try again."))
    if "locked" in low or "busy" in low:
        return StoreDamaged(_("The database is busy with another task. Try again in a moment."))
    if "readonly" in low or "read-only" in low:
        from shelter.errors import StoreReadOnly

        return StoreReadOnly(
            _("The database could not be written: the data folder or the disk is read-only. "
              "Ask your IT support to make it writable; nothing is damaged.")
        )
    return StoreDamaged(
        _("The database file is damaged ({reason}). Run 'verify' and restore the latest backup.").format(reason=text)
    )


@dataclass
class SignedIn:
    """An unlocked store and the person using it. Pass it to service functions."""

    store: OpenStore
    actor: Actor
    _on_lock: list[Callable[[], None]] = field(default_factory=list)

    def require(self, permission: Permission) -> None:
        """Refuse unless the person's roles allow ``permission``. A temporary
        password (set by an administrator, who therefore knows it) allows
        nothing but changing it, in the application and on the command line."""
        if self.actor.must_change_password:
            raise PasswordChangeRequired(
                _("You are signed in with a temporary password. Choose your own password first.")
            )
        require(self.actor.roles, permission)

    def audit(self, session: Session, action: str, record_type: str | None = None,
              record_id: int | str | None = None, outcome: str = "ok", detail: dict[str, Any] | None = None) -> None:
        """Append an audit entry by this person, in ``session``'s transaction
        (so the entry and the change it records commit together or not at all)."""
        self.store.audit(session, action, self.actor.account_id, record_type, record_id, outcome=outcome, detail=detail)

    @property
    def locked(self) -> bool:
        return self.store.engine is None

    def companion(self) -> SignedIn:
        """A second session of the same person on the same store, with its
        own copy of the key, for work that must not be cut by a lock (a
        backup in flight finishes and verifies). Close it with
        ``companion.store.close()`` as soon as the work is done: that wipes
        its key. Its writes are audited as this person's."""
        if self.locked:
            raise SessionEnded(_("The session has ended. Sign in again."))
        opened = OpenStore(self.store.paths, self.store.keyring, bytes(self.store.key))
        public = self.store.account_public_key
        if public is not None:
            opened.bind(self.actor.account_id, public)
        return SignedIn(opened, self.actor)

    def lock(self, reason: str = "lock") -> None:
        """Record the lock (or sign-out), close the database and drop the
        key. Writes nothing to the keyring. Safe to call twice."""
        if self.locked:
            return
        if self.store.glass:
            # An emergency reading of counselling notes ends with the session,
            # even one ended elsewhere (so without the session checks).
            with contextlib.suppress(Exception), self.store.unguarded(write=True) as s:
                for resident_id, (_key, until, reading_id, _generation) in list(self.store.glass.items()):
                    row = s.get(GlassAccess, reading_id)
                    if row is not None and row.ended_at is None:
                        row.ended_at = min(utcnow(), until)
                        self.audit(s, "notes.glass_end", "resident", resident_id, detail={"glass": reading_id})
        with contextlib.suppress(Exception):
            with self.store.write() as s:
                self.audit(s, "lock" if reason == "lock" else "sign_out")
        self.store.close()


class Store:
    """A store folder (locked)."""

    def __init__(self, folder: Path | str, clock: Callable[[], float] = time.time) -> None:
        self.paths = StorePaths(Path(folder))
        self.clock = clock
        self.keyfile = KeyringFile(self.paths.keyring)

    @property
    def folder(self) -> Path:
        return self.paths.folder

    def exists(self) -> bool:
        return self.paths.exists()

    def load_keyring(self) -> Keyring:
        check_data_folder(self.paths.folder)
        # A restore cut off half-way (a kill, a power cut) is finished before
        # anything reads the files it was putting in place.
        finish_interrupted_restore(self.paths.folder)
        try:
            return self.keyfile.read()
        except FileNotFoundError:
            raise StoreMissing(
                _("There is no Shelter store in {folder}. Check the path, or create one with 'init'.").format(
                    folder=self.paths.folder
                )
            ) from None

    # -- creating ------------------------------------------------------------

    @classmethod
    def create(
        cls,
        folder: Path | str,
        *,
        shelter_name: str,
        shelter_code: str,
        admin_username: str,
        admin_password: str,
        admin_display_name: str | None = None,
        city: str = "",
        language: str = "en",
        receives: tuple[bool, bool, bool] = (True, False, False),
        also_roles: tuple[Role, ...] = (),
        kdf: KdfParams | None = None,
        clock: Callable[[], float] = time.time,
    ) -> tuple[SignedIn, str]:
        """Create a new store and sign its first administrator in.

        Returns the session and the recovery code, which is shown once and
        never stored. ``also_roles``: what the first person does besides
        administering (in a small shelter the coordinator is the
        administrator, and must be able to admit at once). Nothing is left behind if creation fails; the keyring is
        written last, so a store exists only once it is complete.
        """
        store = cls(folder, clock)
        name = shelter_name.strip()
        if not name:
            raise ValidationError(_("Enter the shelter's name."), field="shelter_name")
        code = check_shelter_code(shelter_code)
        username = check_username(admin_username)
        password_rules.check(admin_password, username, display_name=admin_display_name or "",
                             words=(name, city))
        if not any(receives):
            raise ValidationError(_("Choose who the shelter receives."), field="receives")
        if store.exists():
            raise StoreExists(_("A store already exists in {folder}.").format(folder=store.folder))
        ensure_private_folder(store.folder)
        keyring = Keyring.new()
        db_path = store.paths.database(keyring.database)
        if db_path.exists():
            raise StoreExists(
                _("A database file without its keyring is in {folder}. Move it away before creating a new store.").format(
                    folder=store.folder
                )
            )
        params = kdf or calibrate()
        database_key = secrets.token_bytes(32)
        recovery_code = new_recovery_code()
        admin_slot = keyring.add_slot(keyring.user_slot(username), admin_password, database_key, params)
        recovery_slot = keyring.add_slot(RECOVERY_SLOT, recovery_code, database_key, params, kind="recovery")
        opened: OpenStore | None = None
        try:
            with store.keyfile.locked():
                # Create the file, owner-only, with the key before SQLAlchemy
                # touches it (SQLite gives its -wal and -shm files the same mode).
                with _private_files():
                    connect_raw(db_path, database_key, create=True).close()
                opened = OpenStore(store.paths, keyring, database_key, new=True)
                migrate.upgrade(opened._engine())
                with opened.write() as s:
                    s.add_all([
                        StoreMeta(key=META_AUDIT_KEY, value=secrets.token_bytes(32)),
                        StoreMeta(key=META_RECOVERY_PUBLIC, value=recovery_slot.public_key),
                        StoreMeta(key=META_STORE_ID, value=keyring.store_id),
                    ])
                    shelter = Shelter(code=code, name=name, city=city.strip(), receives_women=receives[0],
                                      receives_men=receives[1], receives_minors=receives[2])
                    account = StaffAccount(
                        username=username, display_name=(admin_display_name or username).strip() or username,
                        language=normalise_language(language), slot_public_key=admin_slot.public_key,
                        last_sign_in_at=utcnow(),
                    )
                    roles = [Role.ADMINISTRATOR, *(r for r in dict.fromkeys(also_roles) if r != Role.ADMINISTRATOR)]
                    account.roles = [StaffRole(role=r.value) for r in roles]
                    s.add_all([shelter, account])
                    s.flush()
                with opened.write() as s:
                    opened.audit(s, "store.create", account.id, "shelter", shelter.id)
                    opened.audit(s, "sign_in", account.id, "staff_account", account.id)
                opened.bind(account.id, admin_slot.public_key)
                keyring.save(store.paths.keyring)
        except BaseException:
            if opened is not None:
                opened.close()
            for leftover in [*_database_files(db_path), opened.head_file.path if opened else None]:
                if leftover is not None:
                    with contextlib.suppress(OSError):
                        leftover.unlink()
            raise
        actor = Actor(account.id, username, account.display_name, frozenset(roles), account.language or "en")
        return SignedIn(opened, actor), recovery_code

    # -- signing in ----------------------------------------------------------

    def _counter(self, ring: Keyring, username: str) -> tuple[str, str, bool]:
        slot_id = ring.user_slot(username.strip().lower())
        known = slot_id in ring.slots
        return slot_id, (slot_id if known else UNKNOWN_SLOT), known

    def retry_after(self, username: str) -> int:
        """Seconds before ``username`` may try again (0 when they may now)."""
        ring = self.load_keyring()
        _slot, counter, _known = self._counter(ring, username)
        failures = ring.failures.get(counter)
        if failures is None:
            return 0
        return max(0, int(seconds_to_wait(failures, self.clock()) + 0.999))

    def _begin_attempt(self, counter: str, known: bool) -> tuple[Keyring, float]:
        """Count an attempt as a failure before it is tried, under the
        keyring lock: attempts made in parallel are all counted and all
        audited, and none escapes the delay. A success takes it back."""
        with self.keyfile.change() as ring:
            failures = ring.failures.get(counter)
            wait = int(seconds_to_wait(failures, self.clock()) + 0.999) if failures else 0
            if wait > 0:
                raise SignInDelayed(
                    ngettext("Too many failed attempts. Wait {seconds} second and try again.",
                             "Too many failed attempts. Wait {seconds} seconds and try again.", wait).format(seconds=wait), wait
                )
            at = self.clock()
            ring.record_failure(counter, at, known)
        return ring, at

    def sign_in(self, username: str, password: str) -> SignedIn:
        """Unlock the store for ``username``.

        Raises SignInDelayed while the growing delay after repeated failures
        runs, WrongPassword (with ``retry_after``) on a wrong username or
        password, AccountInactive for a deactivated account.
        """
        self.load_keyring()  # a missing, unwritable or damaged store is said first
        name = username.strip().lower()
        ring = self.keyfile.read()
        slot_id, counter, known = self._counter(ring, name)
        ring, attempt_at = self._begin_attempt(counter, known)
        try:
            key, private = ring.unlock_pair(slot_id, password)
        except WrongPassword as exc:
            exc.retry_after = self.retry_after(name)  # type: ignore[attr-defined]
            raise
        return self._open_for(key, name, counter, ring.generation, attempt=(counter, attempt_at), secret=password,
                              slot_private=private)

    def _open_for(self, key: bytes, username: str, counter: str, attempt_generation: int,
                  attempt: tuple[str, float] | None = None,
                  recovered: bool = False, secret: str | None = None,
                  slot_private: bytes | None = None) -> SignedIn:
        with self.keyfile.locked():
            ring = self.keyfile.read()
            slot = ring.slots.get(ring.user_slot(username))
            if slot is None:
                raise WrongPassword(_("Wrong username or password."))
            reunlock = None if secret is None else (lambda: ring.unlock(ring.user_slot(username), secret))
            opened = self._open_prepared(ring, key, attempt_generation, reunlock)
            key = opened.key
            try:
                flushed: list[dict[str, Any]] = []
                with opened.write() as s:
                    account = s.execute(
                        select(StaffAccount).where(StaffAccount.username == username)
                    ).scalar_one_or_none()
                    if account is None:
                        raise WrongPassword(_("Wrong username or password."))
                    if not account.active:
                        raise AccountInactive(_("This account has been deactivated. Ask your administrator."))
                    self._settle_key_slots(opened, s, ring)
                    # The slot opened, so whoever made it held the database key:
                    # vouch for it (heals a keyring written just before a failed
                    # commit, e.g. a password change interrupted by a power cut).
                    account.slot_public_key = slot.public_key
                    flushed = self._flush_failures(opened, s, ring, attempt)
                    self._close_lapsed_readings(opened, s)
                    account.last_sign_in_at = utcnow()
                    opened.audit(s, "store.recover" if recovered else "sign_in", account.id, "staff_account",
                                 account.id)
                    actor = Actor(
                        account.id, account.username, account.display_name,
                        frozenset(Role(r.role) for r in account.roles), account.language or "en",
                        account.must_change_password,
                    )
                    opened.bind(account.id, slot.public_key)
                    if slot_private is not None:
                        opened.hold_slot_private(slot_private)
                # Committed: take the failures just moved into the audit log
                # out of the keyring (a crash before this records them twice,
                # never loses them).
                ring.pending_failures = [p for p in ring.pending_failures if p not in flushed]
                ring.clear_failures(counter)
                opened.save_keyring(ring)
            except BaseException:
                opened.close()
                raise
        return SignedIn(opened, actor)

    @staticmethod
    def _close_lapsed_readings(opened: OpenStore, s: Session) -> None:
        """Emergency readings whose session never recorded their end (a crash,
        a kill) end at their time, in the audit log too."""
        now = utcnow()
        for row in s.execute(select(GlassAccess).where(GlassAccess.ended_at.is_(None),
                                                       GlassAccess.ends_at < now)).scalars():
            row.ended_at = row.ends_at
            opened.audit(s, "notes.glass_end", row.reader_id, "resident", row.resident_id, outcome="expired",
                         detail={"glass": row.id})

    def _open_prepared(self, ring: Keyring, key: bytes, attempt_generation: int,
                       reunlock: Callable[[], bytes] | None) -> OpenStore:
        """Open the database the keyring (read under the lock) names, and
        settle what an interrupted change left, before any other write.

        ``reunlock`` derives the key again from the fresh keyring: the key
        may have been rotated between the attempt and taking the lock."""
        if ring.generation != attempt_generation:
            # The key was rotated between the attempt and taking the lock:
            # the slot holds the new key, and the secret opens it.
            if reunlock is None:
                raise KeyRotated(_("The database key was changed meanwhile. Sign in again."))
            key = reunlock()
        opened = OpenStore(self.paths, ring, key)
        try:
            self._finish_rotation_left_half_way(opened, ring)
            # Before anything else is written: the next entries move the
            # head on, and the evidence with it.
            opened.note_head_problem()
            self._cleanup_stale(ring)
            self._migrate_if_needed(opened)
        except BaseException:
            opened.close()
            raise
        return opened

    def _flush_failures(self, opened: OpenStore, s: Session, ring: Keyring,
                        attempt: tuple[str, float] | None) -> list[dict[str, Any]]:
        """Move failed sign-ins noted in the keyring into the audit log (all
        but this attempt's own, which succeeded). Returns the entries moved."""
        if not ring.pending_failures:
            return []
        ids = {}
        for acc in s.execute(select(StaffAccount.id, StaffAccount.username)):
            ids[ring.user_slot(acc.username)] = acc.id
        own = None
        if attempt is not None:
            for pending in reversed(ring.pending_failures):
                if pending["at"] == attempt[1] and pending["slot"] in (attempt[0], None):
                    own = pending
                    break
        for pending in ring.pending_failures:
            if pending is own:
                continue
            account_id = ids.get(pending["slot"]) if pending["slot"] else None
            opened.audit(s, "sign_in.failed", None, "staff_account" if account_id else None, account_id,
                         outcome="denied", at=datetime.fromtimestamp(pending["at"], UTC))
        return list(ring.pending_failures)

    def _settle_key_slots(self, opened: OpenStore, s: Session, ring: Keyring) -> bool:
        """Bring the keyring and the database's vouching back into step after
        a change that stopped half-way (under the keyring lock, so no change
        is in progress). Returns whether the keyring changed.

        - A recovery-code confirmation cut between its keyring write and its
          database write: the slot in force carries the "next" key; the
          database now vouches for it as the one in force.
        - A new code's slot whose vouching never committed is dropped (its
          code was never returned to anyone).
        - A password slot with no account behind it (an account creation
          cut before its commit) is dropped and the removal audited."""
        changed = False
        current = s.get(StoreMeta, META_RECOVERY_PUBLIC)
        following = s.get(StoreMeta, META_RECOVERY_NEXT)
        in_force = ring.slots.get(RECOVERY_SLOT)
        pending = ring.slots.get(RECOVERY_NEXT_SLOT)
        if following is not None and pending is None:
            if in_force is not None and in_force.public_key == following.value:
                if current is None:
                    s.add(StoreMeta(key=META_RECOVERY_PUBLIC, value=following.value))
                else:
                    current.value = following.value
            s.delete(following)
        elif pending is not None and (following is None or following.value != pending.public_key):
            ring.remove_slot(RECOVERY_NEXT_SLOT)
            changed = True
        accounts = {ring.user_slot(name) for name in s.execute(select(StaffAccount.username)).scalars()}
        for slot_id, slot in list(ring.slots.items()):
            if slot.kind == "password" and slot_id not in accounts:
                ring.remove_slot(slot_id)
                opened.audit(s, "store.slot_removed", None, detail={"reason": "no_account"})
                changed = True
        return changed

    def _finish_rotation_left_half_way(self, opened: OpenStore, ring: Keyring) -> None:
        """A rotation marks the old file as superseded just before it switches
        the keyring. If the keyring still names this file, the switch never
        happened: the mark is taken back and the unused new file removed."""
        with opened.unguarded() as s:
            mark = s.get(StoreMeta, META_SUPERSEDED)
            generation = None
            if mark is not None:
                text = bytes(mark.value).decode("ascii", "replace")
                if not text.isdigit() or len(text) > 9:
                    raise StoreDamaged(_("The database file carries a damaged key-rotation mark. "
                                         "Restore the latest backup."))
                generation = int(text)
        if generation is None:
            return
        if generation <= ring.generation:
            raise StoreDamaged(
                _("The keyring names a database file that a key rotation replaced. "
                  "Restore the keyring of the latest backup.")
            )
        with opened.unguarded(write=True) as s:
            s.execute(delete(StoreMeta).where(StoreMeta.key == META_SUPERSEDED))
        for leftover in _database_files(self.paths.database(f"shelter.g{generation}.db")):
            with contextlib.suppress(OSError):
                leftover.unlink()

    def _migrate_if_needed(self, opened: OpenStore) -> None:
        engine = opened._engine()
        try:
            due = migrate.pending(engine)
        except DatabaseError as exc:  # a damaged page under the schema's revision: said, not raised raw
            raise _storage_error(exc) from exc
        if not due:
            return
        with engine.connect() as conn:
            before = migrate.current_revision(conn)
        safety_copy(opened.paths.backups, opened.database_path, opened.key, opened.keyfile.read(), opened.audit_key,
                    label=f"pre-upgrade-{before or 'new'}")
        migrate.upgrade(engine)
        with opened.write() as s:
            opened.audit(s, "store.migrate", None, detail={"from": before, "to": migrate.head_revision()})

    def _cleanup_stale(self, ring: Keyring) -> None:
        """Remove database files of *older* key generations that a finished
        key rotation could not delete (they are encrypted under keys the
        keyring no longer holds). Files of newer generations are never
        touched here: they may be the real store under an old keyring copy."""
        for path in self.folder.glob("shelter*.db"):
            generation = _generation_of(path.name)
            if generation is not None and generation < ring.generation:
                for leftover in _database_files(path):
                    with contextlib.suppress(OSError):
                        leftover.unlink()

    # -- recovery ------------------------------------------------------------

    def recover(self, recovery_code: str, username: str, new_password: str) -> SignedIn:
        """Set a new password for an administrator with the recovery code.

        The recovery slot itself stays as it is (the printed code keeps
        working); the administrator's slot gets a new key pair.
        """
        self.load_keyring()
        name = check_username(username)
        password_rules.check(new_password, name, field="new_password")
        code = normalise_recovery_code(recovery_code)
        ring, attempt_at = self._begin_attempt(UNKNOWN_SLOT, False)
        key = ring.unlock_recovery(code)
        attempt_generation = ring.generation
        with self.keyfile.locked():
            ring = self.keyfile.read()
            opened = self._open_prepared(ring, key, attempt_generation, lambda: ring.unlock_recovery(code))
            key = opened.key
            try:
                with opened.write() as s:
                    account = s.execute(
                        select(StaffAccount).where(StaffAccount.username == name)
                    ).scalar_one_or_none()
                    if account is None or not any(r.role == Role.ADMINISTRATOR.value for r in account.roles):
                        raise ValidationError(
                            _("The recovery code can only reset the password of an administrator account."),
                            field="username",
                        )
                    params = next(slot.kdf for slot in ring.slots.values() if slot.kind == "recovery")
                    slot = ring.add_slot(ring.user_slot(name), new_password, key, params)
                    account.slot_public_key = slot.public_key
                    account.active = True
                    account.must_change_password = False
                    opened.save_keyring(ring)
            finally:
                opened.close()
            return self._open_for(key, name, UNKNOWN_SLOT, ring.generation, attempt=(UNKNOWN_SLOT, attempt_at),
                                  recovered=True)


@contextmanager
def _private_files() -> Iterator[None]:
    """Files created meanwhile are readable by their owner only."""
    if os.name == "nt":
        yield
        return
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _generation_of(name: str) -> int | None:
    if name == "shelter.db":
        return 0
    match = re.fullmatch(r"shelter\.g(\d+)\.db", name)
    return int(match.group(1)) if match else None


def _database_files(db_path: Path) -> list[Path]:
    return [db_path, db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm")]
