"""A Shelter store: the encrypted database and its keyring, in one folder.

``Store(folder)`` is the locked store: it knows where the files are and holds
no key. ``Store.create`` makes a new one; ``Store.sign_in`` unlocks it for one
staff member and returns a ``SignedIn`` (the open database plus the person),
which every service function takes. ``SignedIn.lock`` drops the connection
and the key.
"""

from __future__ import annotations

import contextlib
import copy
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

from sqlalchemy import Engine, select
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from shelter import __version__
from shelter.errors import (
    AccountInactive,
    StorageFull,
    StoreDamaged,
    StoreExists,
    StoreMissing,
    ValidationError,
    WrongPassword,
)
from shelter.i18n import _, normalise_language
from shelter.security import audit
from shelter.security import passwords as password_rules
from shelter.security.keyring import (
    RECOVERY_SLOT,
    KdfParams,
    Keyring,
    calibrate,
    new_recovery_code,
    normalise_recovery_code,
    sign_in_delay,
)
from shelter.security.permissions import Permission, Role, require
from shelter.storage import migrate
from shelter.storage.database import connect_raw, make_engine, read_session, write_session
from shelter.storage.models import Bed, Room, Shelter, StaffAccount, StaffRole, StoreMeta, utcnow
from shelter.storage.paths import StorePaths, ensure_private_folder

UNKNOWN_SLOT = "unknown"
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
SHELTER_CODE_RE = re.compile(r"^[A-Z0-9]{2,12}$")
META_AUDIT_KEY = "audit_chain_key"
META_RECOVERY_PUBLIC = "recovery_public_key"
META_STORE_ID = "store_id"


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


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME_RE.match(name):
        raise ValidationError(
            _("A username has 2 to 32 characters: Latin letters, digits, dot, dash or underscore."),
            field="username",
        )
    return name


def check_shelter_code(code: str) -> str:
    value = code.strip().upper()
    if not SHELTER_CODE_RE.match(value):
        raise ValidationError(_("A shelter code has 2 to 12 Latin letters or digits, e.g. RBT1."), field="code")
    return value


def _wipe(buffer: bytearray) -> None:
    for i in range(len(buffer)):
        buffer[i] = 0


class OpenStore:
    """The unlocked database: engine, key and keyring of one store."""

    def __init__(self, paths: StorePaths, keyring: Keyring, key: bytes) -> None:
        self.paths = paths
        self.keyring = keyring
        self._key = bytearray(key)
        self.database_path = paths.database(keyring.database)
        if not self.database_path.exists():
            raise StoreDamaged(
                _("The database file {name} is missing from the data folder.").format(name=keyring.database)
            )
        self.engine: Engine | None = make_engine(self.database_path, bytes(self._key))
        self._audit_key: bytes | None = None

    # -- units of work ----------------------------------------------------

    def _engine(self) -> Engine:
        if self.engine is None:
            raise StoreMissing(_("The store is locked. Sign in again."))
        return self.engine

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One unit of work that may write (BEGIN IMMEDIATE … COMMIT)."""
        try:
            with write_session(self._engine()) as session:
                yield session
        except IntegrityError:
            raise
        except (OperationalError, DatabaseError) as exc:
            raise _storage_error(exc) from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        try:
            with read_session(self._engine()) as session:
                yield session
        except IntegrityError:
            raise
        except (OperationalError, DatabaseError) as exc:
            raise _storage_error(exc) from exc

    @property
    def key(self) -> bytes:
        if not self._key:
            raise StoreMissing(_("The store is locked. Sign in again."))
        return bytes(self._key)

    @property
    def audit_key(self) -> bytes:
        if self._audit_key is None:
            with self.read() as s:
                self._audit_key = s.get(StoreMeta, META_AUDIT_KEY).value  # type: ignore[union-attr]
        return self._audit_key

    def audit(self, session: Session, action: str, actor_id: int | None, record_type: str | None = None,
              record_id: int | str | None = None, outcome: str = "ok", detail: dict[str, Any] | None = None,
              at: datetime | None = None) -> None:
        audit.append(session, self.audit_key, action, actor_id, record_type, record_id, outcome, detail, at)

    @contextmanager
    def keyring_change(self) -> Iterator[Keyring]:
        """A change to the key slots made together with a database
        transaction: if anything in the block fails (a full disk when the
        keyring is written, a refused commit), the keyring in memory goes back
        to what it was, so memory never holds a slot the disk does not."""
        before = copy.deepcopy(self.keyring)
        try:
            yield self.keyring
        except BaseException:
            self.keyring = before
            raise

    def save_keyring(self, with_head: bool = True) -> None:
        """Write the keyring, with the current audit-chain head."""
        if with_head and self.engine is not None:
            with self.read() as s:
                last = s.execute(
                    select(audit.AuditEntry.id, audit.AuditEntry.mac).order_by(audit.AuditEntry.id.desc()).limit(1)
                ).first()
                previous = self.keyring.audit_head
                # The head only moves forward along the same chain: if the
                # entry it names is gone or different, the log was cut or
                # rewritten, and the old head stays so that verify says so.
                still_there = previous is None or s.execute(
                    select(audit.AuditEntry.mac).where(audit.AuditEntry.id == int(previous["sequence"]))
                ).scalar_one_or_none() == previous["mac"]
            if last and still_there:
                self.keyring.audit_head = {"sequence": last.id, "mac": last.mac}
        self.keyring.save(self.paths.keyring)

    def close(self) -> None:
        """Drop the connection and overwrite the key in memory (best effort:
        Python may hold other copies of immutable bytes)."""
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None
        _wipe(self._key)
        self._key = bytearray()
        self._audit_key = None


def _storage_error(exc: DatabaseError) -> Exception:
    text = str(exc.orig) if exc.orig else str(exc)
    if "full" in text.lower():
        return StorageFull(_("The disk is full: nothing was saved. Free some space and try again."))
    if "locked" in text.lower() or "busy" in text.lower():
        return StoreDamaged(_("The database is busy with another task. Try again in a moment."))
    if isinstance(exc, OperationalError) and "readonly" in text.lower():
        return StoreDamaged(_("The database could not be written: {reason}").format(reason=text))
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
        require(self.actor.roles, permission)

    @property
    def locked(self) -> bool:
        return self.store.engine is None

    def lock(self, reason: str = "lock") -> None:
        """Record the lock (or sign-out), write the audit head to the keyring,
        close the database and drop the key. Safe to call twice."""
        if self.locked:
            return
        with contextlib.suppress(Exception):
            with self.store.write() as s:
                self.store.audit(s, "lock" if reason == "lock" else "sign_out", self.actor.account_id)
            self.store.save_keyring()
        self.store.close()


class Store:
    """A store folder (locked)."""

    def __init__(self, folder: Path | str, clock: Callable[[], float] = time.time) -> None:
        self.paths = StorePaths(Path(folder))
        self.clock = clock

    @property
    def folder(self) -> Path:
        return self.paths.folder

    def exists(self) -> bool:
        return self.paths.exists()

    def load_keyring(self) -> Keyring:
        if not self.paths.folder.is_dir():
            raise StoreMissing(
                _("The data folder {folder} does not exist. Check the path, or create a store with 'init'.").format(
                    folder=self.paths.folder
                )
            )
        try:
            return Keyring.load(self.paths.keyring)
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
        kdf: KdfParams | None = None,
        clock: Callable[[], float] = time.time,
    ) -> tuple[SignedIn, str]:
        """Create a new store and sign its first administrator in.

        Returns the session and the recovery code, which is shown once and
        never stored. Nothing is left behind if creation fails; the keyring is
        written last, so a store exists only once it is complete.
        """
        store = cls(folder, clock)
        name = shelter_name.strip()
        if not name:
            raise ValidationError(_("Enter the shelter's name."), field="shelter_name")
        code = check_shelter_code(shelter_code)
        username = check_username(admin_username)
        password_rules.check(admin_password, username)
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
            # Create the file with the key before SQLAlchemy touches it.
            connect_raw(db_path, database_key).close()
            _restrict(db_path)
            opened = OpenStore(store.paths, keyring, database_key)
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
                account.roles = [StaffRole(role=Role.ADMINISTRATOR.value)]
                s.add_all([shelter, account])
                s.flush()
            with opened.write() as s:
                opened.audit(s, "store.create", account.id, "shelter", shelter.id)
                opened.audit(s, "sign_in", account.id, "staff_account", account.id)
            opened.save_keyring()
        except BaseException:
            if opened is not None:
                opened.close()
            for leftover in _database_files(db_path):
                with contextlib.suppress(OSError):
                    leftover.unlink()
            raise
        actor = Actor(account.id, username, account.display_name, frozenset({Role.ADMINISTRATOR}),
                      account.language or "en")
        return SignedIn(opened, actor), recovery_code

    # -- signing in ----------------------------------------------------------

    def retry_after(self, username: str) -> int:
        """Seconds before ``username`` may try again (0 when they may now)."""
        ring = self.load_keyring()
        slot = ring.user_slot(username.strip().lower())
        failures = ring.failures.get(slot if slot in ring.slots else UNKNOWN_SLOT)
        if failures is None:
            return 0
        remaining = failures.last_at + sign_in_delay(failures) - self.clock()
        return max(0, int(remaining + 0.999))

    def sign_in(self, username: str, password: str) -> SignedIn:
        """Unlock the store for ``username``.

        Raises SignInDelayed while the growing delay after repeated failures
        runs, WrongPassword (with ``retry_after``) on a wrong username or
        password, AccountInactive for a deactivated account.
        """
        from shelter.errors import SignInDelayed

        ring = self.load_keyring()
        name = username.strip().lower()
        slot_id = ring.user_slot(name)
        known = slot_id in ring.slots
        counter = slot_id if known else UNKNOWN_SLOT
        wait = self.retry_after(name)
        if wait > 0:
            raise SignInDelayed(
                _("Too many failed attempts. Wait {seconds} seconds and try again.").format(seconds=wait), wait
            )
        try:
            key = ring.unlock(slot_id, password)
        except WrongPassword as exc:
            ring.record_failure(counter, self.clock(), known)
            ring.save(self.paths.keyring)
            exc.retry_after = self.retry_after(name)  # type: ignore[attr-defined]
            raise
        return self._open_for(ring, key, name, counter)

    def _open_for(self, ring: Keyring, key: bytes, username: str, counter: str,
                  recovered: bool = False) -> SignedIn:
        self._cleanup_stale(ring)
        opened = OpenStore(self.paths, ring, key)
        try:
            self._migrate_if_needed(opened)
            with opened.write() as s:
                account = s.execute(select(StaffAccount).where(StaffAccount.username == username)).scalar_one_or_none()
                slot = ring.slots.get(ring.user_slot(username))
                if account is None or slot is None:
                    raise WrongPassword(_("Wrong username or password."))
                if not account.active:
                    raise AccountInactive(_("This account has been deactivated. Ask your administrator."))
                # The slot opened, so whoever made it held the database key:
                # vouch for it (heals a keyring written just before a failed
                # commit, e.g. a password change interrupted by a power cut).
                account.slot_public_key = slot.public_key
                self._flush_failures(opened, s, ring)
                account.last_sign_in_at = utcnow()
                opened.audit(s, "store.recover" if recovered else "sign_in", account.id, "staff_account", account.id)
                actor = Actor(
                    account.id, account.username, account.display_name,
                    frozenset(Role(r.role) for r in account.roles), account.language or "en",
                    account.must_change_password,
                )
            ring.clear_failures(counter)
            opened.save_keyring()
        except BaseException:
            opened.close()
            raise
        return SignedIn(opened, actor)

    def _flush_failures(self, opened: OpenStore, s: Session, ring: Keyring) -> None:
        """Move failed sign-ins noted in the keyring into the audit log."""
        if not ring.pending_failures:
            return
        ids = {}
        for acc in s.execute(select(StaffAccount.id, StaffAccount.username)):
            ids[ring.user_slot(acc.username)] = acc.id
        for pending in ring.pending_failures:
            account_id = ids.get(pending["slot"]) if pending["slot"] else None
            opened.audit(s, "sign_in.failed", None, "staff_account" if account_id else None, account_id,
                         outcome="denied", at=datetime.fromtimestamp(pending["at"], UTC))
        ring.pending_failures = []

    def _migrate_if_needed(self, opened: OpenStore) -> None:
        engine = opened._engine()
        if not migrate.pending(engine):
            return
        with engine.connect() as conn:
            before = migrate.current_revision(conn)
        from shelter.services.backup import safety_copy

        safety_copy(opened, label=f"pre-upgrade-{before or 'new'}")
        migrate.upgrade(engine)
        with opened.write() as s:
            opened.audit(s, "store.migrate", None, detail={"from": before, "to": migrate.head_revision()})

    def _cleanup_stale(self, ring: Keyring) -> None:
        """Remove database files of *older* key generations that a finished
        key rotation could not delete (they are encrypted under keys the
        keyring no longer holds). Files of newer generations are never
        touched: they may be the real store under an old keyring copy."""
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
        ring = self.load_keyring()
        name = check_username(username)
        password_rules.check(new_password, name, field="new_password")
        code = normalise_recovery_code(recovery_code)
        wait = self.retry_after("")
        from shelter.errors import SignInDelayed

        if wait > 0:
            raise SignInDelayed(
                _("Too many failed attempts. Wait {seconds} seconds and try again.").format(seconds=wait), wait
            )
        try:
            key = ring.unlock(RECOVERY_SLOT, code)
        except WrongPassword:
            ring.record_failure(UNKNOWN_SLOT, self.clock(), False)
            ring.save(self.paths.keyring)
            raise WrongPassword(_("This recovery code does not open this store.")) from None
        self._cleanup_stale(ring)
        opened = OpenStore(self.paths, ring, key)
        try:
            self._migrate_if_needed(opened)
            with opened.write() as s:
                account = s.execute(select(StaffAccount).where(StaffAccount.username == name)).scalar_one_or_none()
                if account is None or not any(r.role == Role.ADMINISTRATOR.value for r in account.roles):
                    raise ValidationError(
                        _("The recovery code can only reset the password of an administrator account."),
                        field="username",
                    )
                slot = ring.add_slot(ring.user_slot(name), new_password, key, ring.slots[RECOVERY_SLOT].kdf)
                account.slot_public_key = slot.public_key
                account.active = True
                account.must_change_password = False
            opened.save_keyring()
        finally:
            opened.close()
        ring.clear_failures(UNKNOWN_SLOT)
        return self._open_for(ring, key, name, UNKNOWN_SLOT, recovered=True)


def _restrict(path: Path) -> None:
    if os.name != "nt":
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)


def _generation_of(name: str) -> int | None:
    if name == "shelter.db":
        return 0
    match = re.fullmatch(r"shelter\.g(\d+)\.db", name)
    return int(match.group(1)) if match else None


def _database_files(db_path: Path) -> list[Path]:
    return [db_path, db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm")]

