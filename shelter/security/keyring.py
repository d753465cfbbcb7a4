"""The keyring: who may open the database, and with what.

The database is encrypted by SQLCipher under one random 256-bit *database
key*. The keyring file beside it holds one *slot* per staff account plus one
recovery slot. A slot is an X25519 key pair:

- its private key is wrapped with AES-256-GCM under a key derived from the
  person's password (or the recovery code) with Argon2id;
- the database key is sealed to its public key (ephemeral X25519, HKDF-SHA256,
  AES-256-GCM).

Why the public-key layer: rotating the database key must re-seal the new key
for every remaining account without knowing their passwords. Changing a
password rewraps only that slot's private key; nothing is re-encrypted.

All associated data binds a slot to this store (``store_id``), to the slot id
(the account) and, for the sealed key, to the key generation. Parameters are
stored per slot; slots weaker than the floor (64 MiB, 3 passes) are refused,
so a tampered file cannot downgrade the key derivation. The format is
documented byte for byte in ``docs/storage-format.md``.

The keyring also keeps two pieces of plain bookkeeping that must be readable
*before* the database opens: failed sign-in counters (for the growing delay)
and the latest audit-chain head (so truncating the audit log shows).

The file is read before anyone is authenticated, so it is read strictly:
size, nesting, the type and range of every number (an int is an int, never a
bool or a float; times and counters within what the code can compute with),
the exact byte length of every base64 field and the number of slots and
counters are all bounded, and anything else is StoreDamaged. Nothing read
from it can raise anything but a ShelterError, take long, or use much memory.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
import secrets
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shelter.atomic import write_atomic
from shelter.errors import StoreDamaged, ValidationError, WrongPassword, os_error
from shelter.i18n import _
from shelter.storage.paths import not_readable

FORMAT = "shelter-keyring"
VERSION = 1
KEY_BYTES = 32
RECOVERY_SLOT = "recovery"
# A new recovery code's slot, beside the one in force until its sheet has
# been printed (or the code written down): then it takes the place of the old.
RECOVERY_NEXT_SLOT = "recovery.next"
MIN_MEMORY_KIB = 64 * 1024
MIN_ITERATIONS = 3
# Ceilings, so that a tampered or damaged file cannot make one derivation
# take minutes (or more memory than a workstation has): 1 GiB, 64 passes,
# and at most 8 GiB·passes in all (1 GiB × 8, 512 MiB × 16, 64 MiB × 64),
# about 4 s on a 2-core machine of 2024. calibrate() stays below them, and
# what it gave before these ceilings (512 MiB at most, 16 passes there only
# on a machine deriving the floor in 12 ms) is still accepted.
MAX_MEMORY_KIB = 1024 * 1024
MAX_ITERATIONS = 64
MAX_WORK_KIB = 8 * 1024 * 1024  # memory_kib × iterations
MAX_LANES = 16
_SEAL_INFO = b"shelter/v1/sealed-database-key"
_DERIVE_LOCK = threading.Lock()

# Bounds of what a keyring file may hold. A real keyring is under 1 KB per
# slot; anything beyond these is damage or tampering, refused before it can
# cost time or memory.
MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 16  # nesting of JSON arrays and objects (a real keyring has 4)
MAX_SLOTS = 1000
MAX_FAILURE_ENTRIES = MAX_SLOTS + 1  # one per slot, plus unknown usernames
MAX_PENDING_FAILURES = 500  # only the newest are kept
MAX_FAILURE_COUNT = 10**9
MAX_TIMESTAMP = 253_402_214_400.0  # 9999-12-31: what datetime can represent
MAX_SEQUENCE = 2**63 - 1  # SQLite's largest integer
MAX_GENERATION = 2**31 - 1
MAX_REVISION = 2**63 - 1
MAX_SLOT_ID = 64
_SLOT_ID_RE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9:._-]{{0,{MAX_SLOT_ID - 1}}}")
_DATABASE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_MAC_RE = re.compile(r"[0-9a-f]{64}")
_MAX_INT_DIGITS = 30  # no field needs more; json's own limit is 4,300
SALT_BYTES = 16
PUBLIC_KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16

# Crockford's base32: no I, L, O, U, so a code read aloud is not misheard.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RECOVERY_CHARS = 30  # 150 bits
_RECOVERY_GROUP = 5


def user_slot_id(store_id: bytes, username: str) -> str:
    """The slot id of an account: a hash of the username, so the keyring file
    does not list the staff's names. (Usernames are guessable; this keeps them
    out of plain sight, it does not make them secret.)"""
    digest = hashlib.sha256(b"shelter/v1/slot|" + store_id + b"|" + username.encode("utf-8")).hexdigest()
    return f"user:{digest[:32]}"


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters (memory in KiB)."""

    memory_kib: int = MIN_MEMORY_KIB
    iterations: int = MIN_ITERATIONS
    lanes: int = 4

    def check(self) -> None:
        """Refuse parameters below the floor (a downgrade) or above the
        ceilings (a derivation that would take minutes or exhaust memory)."""
        values = (self.memory_kib, self.iterations, self.lanes)
        if (
            any(type(v) is not int for v in values)
            or not (MIN_MEMORY_KIB <= self.memory_kib <= MAX_MEMORY_KIB)
            or not (MIN_ITERATIONS <= self.iterations <= MAX_ITERATIONS)
            or not (1 <= self.lanes <= MAX_LANES)
            or self.memory_kib * self.iterations > MAX_WORK_KIB
        ):
            raise StoreDamaged(_("The keyring asks for unsafe key-derivation settings and was refused."))

    def derive(self, secret: str, salt: bytes) -> bytes:
        # NFC so the same password typed on different keyboards (Arabic
        # letters with or without composed forms) gives the same key.
        data = unicodedata.normalize("NFC", secret).encode("utf-8")
        kdf = Argon2id(
            salt=salt, length=KEY_BYTES, iterations=self.iterations, lanes=self.lanes, memory_cost=self.memory_kib
        )
        # One derivation at a time in a process: two threads deriving with
        # several lanes at once deadlock in OpenSSL's Argon2 thread pool
        # (cryptography 50 with OpenSSL 4.0; tests/test_keyring_sessions.py).
        # Each derivation already uses the cores through its lanes.
        with _DERIVE_LOCK:
            return kdf.derive(data)


def calibrate(target_seconds: float = 0.5, cap_memory_kib: int = 512 * 1024) -> KdfParams:
    """Parameters that take about ``target_seconds`` to derive on this machine.

    Starts at the floor (64 MiB, 3 passes, 4 lanes), spends the budget on
    memory first (what makes guessing on GPUs expensive), then on passes.
    """
    base = KdfParams()
    start = time.perf_counter()
    base.derive("calibration", b"\0" * 16)
    elapsed = max(time.perf_counter() - start, 1e-3)
    factor = target_seconds / elapsed
    if factor <= 1:
        return base
    memory = base.memory_kib
    cap_memory_kib = min(cap_memory_kib, MAX_MEMORY_KIB)
    while memory * 2 <= cap_memory_kib and factor >= 2:
        memory *= 2
        factor /= 2
    iterations = min(MAX_ITERATIONS, MAX_WORK_KIB // memory, max(MIN_ITERATIONS, round(MIN_ITERATIONS * factor)))
    return KdfParams(memory_kib=memory, iterations=iterations, lanes=base.lanes)


def new_recovery_code() -> str:
    """A fresh recovery code: 150 random bits as six groups of five characters."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(_RECOVERY_CHARS))
    return format_recovery_code(chars)


def format_recovery_code(chars: str) -> str:
    return "-".join(chars[i : i + _RECOVERY_GROUP] for i in range(0, len(chars), _RECOVERY_GROUP))


def normalise_recovery_code(text: str) -> str:
    """Canonical form of a typed recovery code: case, spaces, dashes and the
    look-alikes O/I/L forgiven. Raises WrongPassword when it cannot be one."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(cleaned) != _RECOVERY_CHARS or any(ch not in _ALPHABET for ch in cleaned):
        raise WrongPassword(
            _("A recovery code has 30 letters and digits in six groups of five. Check what you typed.")
        )
    return format_recovery_code(cleaned)


def new_private_key() -> bytes:
    """A new slot private key (raw X25519), for ``Keyring.add_slot``."""
    return _raw_private(X25519PrivateKey.generate())


def public_key_of(private_raw: bytes) -> bytes:
    return _raw_public(X25519PrivateKey.from_private_bytes(private_raw).public_key())


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: Any) -> bytes:
    if not isinstance(value, str):
        raise ValueError("not base64 text")
    return base64.b64decode(value.encode("ascii"), validate=True)


def _aad(kind: str, store_id: bytes, slot_id: str, generation: int | None = None) -> bytes:
    parts = [b"shelter/v1", kind.encode(), store_id.hex().encode(), slot_id.encode("utf-8")]
    if generation is not None:
        parts.append(str(generation).encode())
    return b"|".join(parts)


def _raw_public(key: X25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _raw_private(key: X25519PrivateKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def _seal_key(shared: bytes, ephemeral_public: bytes, slot_public: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=ephemeral_public + slot_public, info=_SEAL_INFO
    ).derive(shared)


@dataclass(frozen=True)
class Slot:
    """One key slot (all fields as stored)."""

    slot_id: str
    kind: str  # "password" or "recovery"
    kdf: KdfParams
    salt: bytes
    public_key: bytes
    wrap_nonce: bytes
    wrapped_private_key: bytes
    ephemeral_public_key: bytes
    seal_nonce: bytes
    sealed_database_key: bytes


@dataclass(frozen=True)
class Failures:
    """Consecutive failed sign-ins for one slot since its last success."""

    count: int = 0
    last_at: float = 0.0


@dataclass
class Keyring:
    """The keyring file's content. Mutating methods change this object only;
    call ``save`` to write it (atomically)."""

    store_id: bytes
    database: str
    generation: int
    slots: dict[str, Slot] = field(default_factory=dict)
    failures: dict[str, Failures] = field(default_factory=dict)
    pending_failures: list[dict[str, Any]] = field(default_factory=list)
    audit_head: dict[str, Any] | None = None
    # Counts the writes of this file (for whoever changes it concurrently);
    # 0 in files written before it existed.
    revision: int = 0

    # -- creating and opening slots --------------------------------------

    def user_slot(self, username: str) -> str:
        return user_slot_id(self.store_id, username)

    @classmethod
    def new(cls, database: str = "shelter.db") -> Keyring:
        return cls(store_id=secrets.token_bytes(16), database=database, generation=0)

    def add_slot(
        self, slot_id: str, secret: str, database_key: bytes, params: KdfParams, kind: str = "password",
        private_raw: bytes | None = None,
    ) -> Slot:
        """Create (or replace) ``slot_id`` so that ``secret`` opens ``database_key``,
        with a new key pair (``private_raw``, from ``new_private_key``, when the
        caller must reseal something to it, else one made here)."""
        params.check()
        if not _SLOT_ID_RE.fullmatch(slot_id) or kind not in ("password", "recovery"):
            raise ValueError(f"not a slot Shelter can read back: {slot_id!r} ({kind})")
        if slot_id not in self.slots and len(self.slots) >= MAX_SLOTS:
            # Never write a keyring that reading would refuse.
            raise ValidationError(
                _("This store already has {n} key slots, the most it can hold.").format(n=MAX_SLOTS)
            )
        private = X25519PrivateKey.from_private_bytes(private_raw) if private_raw else X25519PrivateKey.generate()
        public = _raw_public(private.public_key())
        salt = secrets.token_bytes(16)
        kek = params.derive(secret, salt)
        wrap_nonce = secrets.token_bytes(12)
        wrapped = AESGCM(kek).encrypt(wrap_nonce, _raw_private(private), _aad("wrap", self.store_id, slot_id))
        slot = Slot(slot_id, kind, params, salt, public, wrap_nonce, wrapped, b"", b"", b"")
        slot = self._sealed(slot, database_key)
        self.slots[slot_id] = slot
        self.failures.pop(slot_id, None)
        return slot

    def _sealed(self, slot: Slot, database_key: bytes) -> Slot:
        ephemeral = X25519PrivateKey.generate()
        ephemeral_public = _raw_public(ephemeral.public_key())
        try:
            shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(slot.public_key))
        except ValueError:  # a low-order point written into the file
            raise StoreDamaged(_("The keyring does not match this database.")) from None
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(_seal_key(shared, ephemeral_public, slot.public_key)).encrypt(
            nonce, database_key, _aad("seal", self.store_id, slot.slot_id, self.generation)
        )
        return replace(slot, ephemeral_public_key=ephemeral_public, seal_nonce=nonce, sealed_database_key=sealed)

    def unlock(self, slot_id: str, secret: str) -> bytes:
        """The database key, if ``secret`` opens ``slot_id``; else WrongPassword."""
        return self.unlock_pair(slot_id, secret)[0]

    def unlock_pair(self, slot_id: str, secret: str) -> tuple[bytes, bytes]:
        """The database key and the slot's X25519 private key (raw), if
        ``secret`` opens ``slot_id``; else WrongPassword. The private key
        opens what was sealed to this slot inside the database (the
        counselling compartment key, ``shelter.security.compartment``)."""
        slot = self.slots.get(slot_id)
        if slot is None:
            # Same cost as a real attempt, so timing does not reveal which
            # usernames exist: the parameters of this store's own slots.
            self.dummy_params().derive(secret, b"\0" * SALT_BYTES)
            raise WrongPassword(_("Wrong username or password."))
        slot.kdf.check()
        kek = slot.kdf.derive(secret, slot.salt)
        try:
            private_raw = AESGCM(kek).decrypt(
                slot.wrap_nonce, slot.wrapped_private_key, _aad("wrap", self.store_id, slot_id)
            )
        except InvalidTag:
            raise WrongPassword(_("Wrong username or password.")) from None
        try:
            private = X25519PrivateKey.from_private_bytes(private_raw)
            shared = private.exchange(X25519PublicKey.from_public_bytes(slot.ephemeral_public_key))
        except ValueError:  # a malformed key or a low-order point in the file
            raise StoreDamaged(_("The keyring does not match this database.")) from None
        try:
            database_key = AESGCM(_seal_key(shared, slot.ephemeral_public_key, slot.public_key)).decrypt(
                slot.seal_nonce, slot.sealed_database_key, _aad("seal", self.store_id, slot_id, self.generation)
            )
        except InvalidTag:
            # The password was right but the sealed key does not belong to
            # this store or generation: the file was tampered with or mixed up.
            raise StoreDamaged(_("The keyring does not match this database.")) from None
        return database_key, private_raw

    def dummy_params(self) -> KdfParams:
        """The parameters an attempt on an unknown username pays: those most
        password slots of this store use (else the recovery slot's), so that
        an unknown username costs what a known one does."""
        common = Counter(s.kdf for s in self.slots.values() if s.kind == "password").most_common(1)
        if common:
            return common[0][0]
        recovery = self.slots.get(RECOVERY_SLOT)
        return recovery.kdf if recovery is not None else KdfParams()

    def rewrap(self, slot_id: str, old_secret: str, new_secret: str, params: KdfParams | None = None) -> None:
        """Change the secret of one slot (the database key is unchanged)."""
        database_key = self.unlock(slot_id, old_secret)
        kind = self.slots[slot_id].kind
        self.add_slot(slot_id, new_secret, database_key, params or self.slots[slot_id].kdf, kind)

    def remove_slot(self, slot_id: str) -> None:
        self.slots.pop(slot_id, None)
        self.failures.pop(slot_id, None)

    def unlock_recovery(self, code: str) -> bytes:
        """The database key, if ``code`` (canonical form) opens the recovery
        slot in force or a new one not yet confirmed; else WrongPassword."""
        for slot_id in (RECOVERY_NEXT_SLOT, RECOVERY_SLOT):
            if slot_id in self.slots:
                try:
                    return self.unlock(slot_id, code)
                except WrongPassword:
                    continue
        raise WrongPassword(_("This recovery code does not open this store."))

    def move_slot(self, old_id: str, new_id: str, secret: str, database_key: bytes) -> Slot:
        """Give the slot ``old_id`` the id ``new_id``, keeping its key pair
        (so the public key the database vouches for stays the same): the
        private key is rewrapped under the new id, the database key resealed.
        Raises WrongPassword if ``secret`` does not open ``old_id``."""
        slot = self.slots.get(old_id)
        if slot is None:
            raise WrongPassword(_("Wrong username or password."))
        kek = slot.kdf.derive(secret, slot.salt)
        try:
            private_raw = AESGCM(kek).decrypt(slot.wrap_nonce, slot.wrapped_private_key,
                                              _aad("wrap", self.store_id, old_id))
        except InvalidTag:
            raise WrongPassword(_("Wrong username or password.")) from None
        wrap_nonce = secrets.token_bytes(12)
        wrapped = AESGCM(kek).encrypt(wrap_nonce, private_raw, _aad("wrap", self.store_id, new_id))
        moved = self._sealed(replace(slot, slot_id=new_id, wrap_nonce=wrap_nonce, wrapped_private_key=wrapped),
                             database_key)
        self.slots.pop(old_id)
        self.slots[new_id] = moved
        return moved

    def reseal_all(self, new_database_key: bytes, generation: int, database: str, allowed_public: dict[str, bytes]) -> None:
        """Seal a new database key for every slot whose public key is vouched
        for by ``allowed_public`` (read from inside the encrypted database, so a
        slot slipped into the file cannot receive the new key); drop the rest."""
        self.generation = generation
        self.database = database
        kept: dict[str, Slot] = {}
        for slot_id, slot in self.slots.items():
            if allowed_public.get(slot_id) == slot.public_key:
                kept[slot_id] = self._sealed(slot, new_database_key)
        self.failures = {k: v for k, v in self.failures.items() if k in kept or k not in self.slots}
        self.slots = kept

    # -- failure bookkeeping ---------------------------------------------

    def record_failure(self, slot_id: str, now: float, known: bool) -> Failures:
        # Whatever the clock says, write only what reading accepts.
        now = min(max(float(now), 0.0), MAX_TIMESTAMP) if math.isfinite(now) else 0.0
        current = self.failures.get(slot_id, Failures())
        updated = Failures(min(current.count + 1, MAX_FAILURE_COUNT), now)
        if slot_id not in self.failures and len(self.failures) >= MAX_FAILURE_ENTRIES:
            # Counters of slots that no longer exist go first.
            self.failures = {k: v for k, v in self.failures.items() if k in self.slots}
        self.failures[slot_id] = updated
        # Kept until someone signs in, then moved into the audit log. The
        # username is kept only when it names a real account: a password
        # typed into the username field must not end up on disk.
        self.pending_failures.append({"slot": slot_id if known else None, "at": now})
        del self.pending_failures[:-MAX_PENDING_FAILURES]
        return updated

    def clear_failures(self, slot_id: str) -> None:
        self.failures.pop(slot_id, None)

    # -- file format -----------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "store_id": _b64(self.store_id),
            "database": self.database,
            "generation": self.generation,
            "slots": [
                {
                    "id": s.slot_id,
                    "kind": s.kind,
                    "kdf": {
                        "algorithm": "argon2id",
                        "version": 19,
                        "memory_kib": s.kdf.memory_kib,
                        "iterations": s.kdf.iterations,
                        "lanes": s.kdf.lanes,
                        "salt": _b64(s.salt),
                    },
                    "public_key": _b64(s.public_key),
                    "wrapped_private_key": {"nonce": _b64(s.wrap_nonce), "ciphertext": _b64(s.wrapped_private_key)},
                    "sealed_database_key": {
                        "ephemeral_public_key": _b64(s.ephemeral_public_key),
                        "nonce": _b64(s.seal_nonce),
                        "ciphertext": _b64(s.sealed_database_key),
                    },
                }
                for s in self.slots.values()
            ],
            "sign_in_failures": {k: {"count": v.count, "last_at": v.last_at} for k, v in self.failures.items()},
            "pending_failures": self.pending_failures,
            "audit_head": self.audit_head,
            "revision": self.revision,
        }

    @classmethod
    def from_json(cls, data: Any) -> Keyring:
        """The keyring in ``data`` (parsed JSON), every field checked for its
        type, range and length; StoreDamaged for anything else."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise StoreDamaged(_("This file is not a Shelter keyring."))
        if data.get("version") != VERSION or type(data.get("version")) is not int:
            raise StoreDamaged(_("This keyring was written by a newer version of Shelter."))
        try:
            _check_depth(data)
            ring = cls(
                store_id=_bytes(data["store_id"], 16),
                database=_text(data["database"], _DATABASE_RE),
                generation=_int(data["generation"], 0, MAX_GENERATION),
                revision=_int(data.get("revision", 0), 0, MAX_REVISION),
            )
            slots = _list(data["slots"], MAX_SLOTS)
            for item in slots:
                slot = _slot(item)
                if slot.slot_id in ring.slots:
                    raise _Bad("duplicate slot")
                ring.slots[slot.slot_id] = slot
            failures = _dict(_optional(data, "sign_in_failures", {}), MAX_FAILURE_ENTRIES)
            for key, value in failures.items():
                value = _dict(value)
                ring.failures[_text(key, _SLOT_ID_RE)] = Failures(
                    _int(value["count"], 0, MAX_FAILURE_COUNT), _time(value["last_at"])
                )
            # Only the newest are kept (as record_failure does), and only
            # those are read: a file stuffed with failures costs nothing.
            pending = _list(_optional(data, "pending_failures", []), None)[-MAX_PENDING_FAILURES:]
            ring.pending_failures = [_pending(p) for p in pending]
            head = _optional(data, "audit_head", None)
            if head is not None:
                head = _dict(head)
                head = {"sequence": _int(head["sequence"], 0, MAX_SEQUENCE), "mac": _text(head["mac"], _MAC_RE)}
            ring.audit_head = head
        except (_Bad, KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise StoreDamaged(_("The keyring file is damaged and cannot be read.")) from exc
        for slot in ring.slots.values():
            slot.kdf.check()
        return ring

    def save(self, path: Path) -> None:
        """Write the keyring atomically. A full disk raises StorageFull; a
        folder or disk that cannot be written, StoreReadOnly (never a
        traceback, never "damaged")."""
        path = Path(path)
        data = json.dumps(self.to_json(), indent=1, sort_keys=True, allow_nan=False).encode("utf-8")
        try:
            write_atomic(path, data)
        except OSError as exc:
            raise os_error(exc, path.parent) from exc

    @classmethod
    def load(cls, path: Path) -> Keyring:
        """Read and check the keyring at ``path``. FileNotFoundError when
        there is none; StoreDamaged when it is not a keyring Shelter wrote
        (too big, not JSON, a field of the wrong type or out of range);
        StoreReadOnly when this account may not read it."""
        path = Path(path)
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            raise
        except PermissionError as exc:
            raise not_readable(path) from exc
        except IsADirectoryError as exc:
            raise StoreDamaged(_("The keyring file is damaged and cannot be read.")) from exc
        except OSError as exc:
            raise StoreDamaged(_("The keyring file cannot be read: {reason}").format(reason=exc.strerror)) from exc
        if len(raw) > MAX_FILE_BYTES:
            raise StoreDamaged(_("The keyring file is damaged and cannot be read."))
        try:
            data = json.loads(
                raw.decode("utf-8"), parse_constant=_refuse_constant, parse_int=_parse_int,
            )
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            # ValueError covers json's own errors and its 4,300-digit limit;
            # RecursionError, arrays nested thousands deep.
            raise StoreDamaged(_("The keyring file is damaged and cannot be read.")) from exc
        return cls.from_json(data)


# -- reading the file strictly ----------------------------------------------


class _Bad(ValueError):
    """A field of the keyring file is not what Shelter writes."""


def _refuse_constant(name: str) -> Any:
    raise _Bad(f"{name} is not a number")


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise _Bad("number too long")
    return int(text)


def _check_depth(data: Any) -> None:
    """Refuse arrays and objects nested deeper than MAX_DEPTH (iteratively:
    the check itself must not recurse)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_DEPTH:
            raise _Bad("nested too deep")
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def _optional(data: dict[str, Any], key: str, default: Any) -> Any:
    value = data.get(key)
    return default if value is None else value


def _int(value: Any, low: int, high: int) -> int:
    # bool is an int in Python; true is not a number in the file.
    if type(value) is not int or not low <= value <= high:
        raise _Bad("integer out of range")
    return value


def _time(value: Any) -> float:
    """A POSIX time: a finite number between 1970 and 9999 (what datetime
    can represent on every platform)."""
    if type(value) not in (int, float) or not math.isfinite(value) or not 0 <= value <= MAX_TIMESTAMP:
        raise _Bad("time out of range")
    return float(value)


def _text(value: Any, pattern: re.Pattern[str]) -> str:
    if type(value) is not str or not pattern.fullmatch(value):
        raise _Bad("unexpected text")
    return value


def _dict(value: Any, limit: int | None = None) -> dict[str, Any]:
    if type(value) is not dict or (limit is not None and len(value) > limit):
        raise _Bad("not an object")
    return value


def _list(value: Any, limit: int | None) -> list[Any]:
    if type(value) is not list or (limit is not None and len(value) > limit):
        raise _Bad("not an array")
    return value


def _bytes(value: Any, length: int) -> bytes:
    """Exactly ``length`` bytes in standard base64 (the text length is
    checked first, so a huge string is never decoded)."""
    if type(value) is not str or len(value) != 4 * math.ceil(length / 3):
        raise _Bad("wrong length")
    decoded = _unb64(value)
    if len(decoded) != length:
        raise _Bad("wrong length")
    return decoded


def _slot(item: Any) -> Slot:
    item = _dict(item)
    kdf = _dict(item["kdf"])
    if kdf["algorithm"] != "argon2id" or type(kdf["version"]) is not int or kdf["version"] != 19:
        raise _Bad("unknown kdf")
    params = KdfParams(
        _int(kdf["memory_kib"], MIN_MEMORY_KIB, MAX_MEMORY_KIB),
        _int(kdf["iterations"], MIN_ITERATIONS, MAX_ITERATIONS),
        _int(kdf["lanes"], 1, MAX_LANES),
    )
    wrapped = _dict(item["wrapped_private_key"])
    sealed = _dict(item["sealed_database_key"])
    kind = item["kind"]
    if kind not in ("password", "recovery"):
        raise _Bad("bad slot kind")
    return Slot(
        slot_id=_text(item["id"], _SLOT_ID_RE),
        kind=kind,
        kdf=params,
        salt=_bytes(kdf["salt"], SALT_BYTES),
        public_key=_bytes(item["public_key"], PUBLIC_KEY_BYTES),
        wrap_nonce=_bytes(wrapped["nonce"], NONCE_BYTES),
        wrapped_private_key=_bytes(wrapped["ciphertext"], KEY_BYTES + TAG_BYTES),
        ephemeral_public_key=_bytes(sealed["ephemeral_public_key"], PUBLIC_KEY_BYTES),
        seal_nonce=_bytes(sealed["nonce"], NONCE_BYTES),
        sealed_database_key=_bytes(sealed["ciphertext"], KEY_BYTES + TAG_BYTES),
    )


def _pending(item: Any) -> dict[str, Any]:
    item = _dict(item)
    slot = item.get("slot")
    if slot is not None:
        slot = _text(slot, _SLOT_ID_RE)
    return {"slot": slot, "at": _time(item["at"])}


# -- the growing delay --------------------------------------------------------


def sign_in_delay(failures: Failures, free_attempts: int = 3, base: float = 5.0, cap: float = 300.0) -> float:
    """Seconds to wait after ``failures`` before the next attempt: none for the
    first three failures, then 5 s doubling per failure, capped at five minutes.
    There is never a permanent lock-out (and no overflow for any count)."""
    extra = failures.count - free_attempts
    if extra <= 0:
        return 0.0
    if extra > 64:  # base × 2**64 is beyond any cap; math.pow would overflow later
        return float(cap)
    return float(min(cap, base * 2 ** (extra - 1)))


def seconds_to_wait(failures: Failures | None, now: float, free_attempts: int = 3, base: float = 5.0,
                    cap: float = 300.0) -> float:
    """Seconds left before the next attempt, always within [0, cap].

    ``last_at`` comes from a file and from a clock that may have been wrong:
    a failure recorded while the clock was a day fast must not make anyone
    wait a day. A ``last_at`` in the future counts as now, so the wait is at
    most the delay itself."""
    if failures is None:
        return 0.0
    delay = min(float(cap), sign_in_delay(failures, free_attempts, base, cap))
    if delay <= 0:
        return 0.0
    if not math.isfinite(now):
        return delay
    last = failures.last_at if math.isfinite(failures.last_at) else now
    remaining = min(last, now) + delay - now
    return min(delay, max(0.0, remaining))
