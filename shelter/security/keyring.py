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
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import secrets
import time
import unicodedata
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
from shelter.errors import StoreDamaged, WrongPassword
from shelter.i18n import _

FORMAT = "shelter-keyring"
VERSION = 1
KEY_BYTES = 32
RECOVERY_SLOT = "recovery"
MIN_MEMORY_KIB = 64 * 1024
MIN_ITERATIONS = 3
MAX_MEMORY_KIB = 4 * 1024 * 1024  # refuse absurd values from a tampered file
MAX_ITERATIONS = 64
_SEAL_INFO = b"shelter/v1/sealed-database-key"

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
        if not (MIN_MEMORY_KIB <= self.memory_kib <= MAX_MEMORY_KIB) or not (
            MIN_ITERATIONS <= self.iterations <= MAX_ITERATIONS
        ) or not (1 <= self.lanes <= 16):
            raise StoreDamaged(_("The keyring asks for unsafe key-derivation settings and was refused."))

    def derive(self, secret: str, salt: bytes) -> bytes:
        # NFC so the same password typed on different keyboards (Arabic
        # letters with or without composed forms) gives the same key.
        data = unicodedata.normalize("NFC", secret).encode("utf-8")
        kdf = Argon2id(
            salt=salt, length=KEY_BYTES, iterations=self.iterations, lanes=self.lanes, memory_cost=self.memory_kib
        )
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
    while memory * 2 <= cap_memory_kib and factor >= 2:
        memory *= 2
        factor /= 2
    iterations = min(MAX_ITERATIONS, max(MIN_ITERATIONS, round(MIN_ITERATIONS * factor)))
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

    # -- creating and opening slots --------------------------------------

    def user_slot(self, username: str) -> str:
        return user_slot_id(self.store_id, username)

    @classmethod
    def new(cls, database: str = "shelter.db") -> Keyring:
        return cls(store_id=secrets.token_bytes(16), database=database, generation=0)

    def add_slot(
        self, slot_id: str, secret: str, database_key: bytes, params: KdfParams, kind: str = "password"
    ) -> Slot:
        """Create (or replace) ``slot_id`` so that ``secret`` opens ``database_key``."""
        params.check()
        private = X25519PrivateKey.generate()
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
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(slot.public_key))
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(_seal_key(shared, ephemeral_public, slot.public_key)).encrypt(
            nonce, database_key, _aad("seal", self.store_id, slot.slot_id, self.generation)
        )
        return replace(slot, ephemeral_public_key=ephemeral_public, seal_nonce=nonce, sealed_database_key=sealed)

    def unlock(self, slot_id: str, secret: str) -> bytes:
        """The database key, if ``secret`` opens ``slot_id``; else WrongPassword."""
        slot = self.slots.get(slot_id)
        if slot is None:
            # Same cost as a real attempt, so timing does not reveal which
            # usernames exist.
            KdfParams().derive(secret, b"\0" * 16)
            raise WrongPassword(_("Wrong username or password."))
        slot.kdf.check()
        kek = slot.kdf.derive(secret, slot.salt)
        try:
            private_raw = AESGCM(kek).decrypt(
                slot.wrap_nonce, slot.wrapped_private_key, _aad("wrap", self.store_id, slot_id)
            )
        except InvalidTag:
            raise WrongPassword(_("Wrong username or password.")) from None
        private = X25519PrivateKey.from_private_bytes(private_raw)
        shared = private.exchange(X25519PublicKey.from_public_bytes(slot.ephemeral_public_key))
        try:
            return AESGCM(_seal_key(shared, slot.ephemeral_public_key, slot.public_key)).decrypt(
                slot.seal_nonce, slot.sealed_database_key, _aad("seal", self.store_id, slot_id, self.generation)
            )
        except InvalidTag:
            # The password was right but the sealed key does not belong to
            # this store or generation: the file was tampered with or mixed up.
            raise StoreDamaged(_("The keyring does not match this database.")) from None

    def rewrap(self, slot_id: str, old_secret: str, new_secret: str, params: KdfParams | None = None) -> None:
        """Change the secret of one slot (the database key is unchanged)."""
        database_key = self.unlock(slot_id, old_secret)
        kind = self.slots[slot_id].kind
        self.add_slot(slot_id, new_secret, database_key, params or self.slots[slot_id].kdf, kind)

    def remove_slot(self, slot_id: str) -> None:
        self.slots.pop(slot_id, None)
        self.failures.pop(slot_id, None)

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
        self.slots = kept

    # -- failure bookkeeping ---------------------------------------------

    def record_failure(self, slot_id: str, now: float, known: bool) -> Failures:
        current = self.failures.get(slot_id, Failures())
        updated = Failures(current.count + 1, now)
        self.failures[slot_id] = updated
        # Kept until someone signs in, then moved into the audit log. The
        # username is kept only when it names a real account: a password
        # typed into the username field must not end up on disk.
        self.pending_failures.append({"slot": slot_id if known else None, "at": now})
        del self.pending_failures[:-500]
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
        }

    @classmethod
    def from_json(cls, data: Any) -> Keyring:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise StoreDamaged(_("This file is not a Shelter keyring."))
        if data.get("version") != VERSION:
            raise StoreDamaged(_("This keyring was written by a newer version of Shelter."))
        try:
            ring = cls(
                store_id=_unb64(data["store_id"]),
                database=str(data["database"]),
                generation=int(data["generation"]),
            )
            if len(ring.store_id) != 16 or "/" in ring.database or "\\" in ring.database or ring.database in ("", ".", ".."):
                raise ValueError("bad header")
            for item in data["slots"]:
                kdf = item["kdf"]
                if kdf["algorithm"] != "argon2id" or kdf["version"] != 19:
                    raise ValueError("unknown kdf")
                params = KdfParams(int(kdf["memory_kib"]), int(kdf["iterations"]), int(kdf["lanes"]))
                slot = Slot(
                    slot_id=str(item["id"]),
                    kind=str(item["kind"]),
                    kdf=params,
                    salt=_unb64(kdf["salt"]),
                    public_key=_unb64(item["public_key"]),
                    wrap_nonce=_unb64(item["wrapped_private_key"]["nonce"]),
                    wrapped_private_key=_unb64(item["wrapped_private_key"]["ciphertext"]),
                    ephemeral_public_key=_unb64(item["sealed_database_key"]["ephemeral_public_key"]),
                    seal_nonce=_unb64(item["sealed_database_key"]["nonce"]),
                    sealed_database_key=_unb64(item["sealed_database_key"]["ciphertext"]),
                )
                if slot.kind not in ("password", "recovery") or len(slot.public_key) != 32:
                    raise ValueError("bad slot")
                if len(slot.ephemeral_public_key) != 32 or len(slot.wrap_nonce) != 12 or len(slot.seal_nonce) != 12:
                    raise ValueError("bad slot")
                ring.slots[slot.slot_id] = slot
            for key, value in (data.get("sign_in_failures") or {}).items():
                ring.failures[str(key)] = Failures(int(value["count"]), float(value["last_at"]))
            pending = data.get("pending_failures") or []
            if not isinstance(pending, list):
                raise ValueError("bad pending failures")
            ring.pending_failures = [
                {"slot": p.get("slot") if isinstance(p.get("slot"), str) else None, "at": float(p["at"])}
                for p in pending
            ]
            head = data.get("audit_head")
            if head is not None:
                head = {"sequence": int(head["sequence"]), "mac": str(head["mac"])}
            ring.audit_head = head
        except (KeyError, TypeError, ValueError, binascii.Error, AttributeError) as exc:
            raise StoreDamaged(_("The keyring file is damaged and cannot be read.")) from exc
        for slot in ring.slots.values():
            slot.kdf.check()
        return ring

    def save(self, path: Path) -> None:
        write_atomic(Path(path), json.dumps(self.to_json(), indent=1, sort_keys=True).encode("utf-8"))

    @classmethod
    def load(cls, path: Path) -> Keyring:
        try:
            raw = Path(path).read_bytes()
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise StoreDamaged(_("The keyring file cannot be read: {reason}").format(reason=exc.strerror)) from exc
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StoreDamaged(_("The keyring file is damaged and cannot be read.")) from exc
        return cls.from_json(data)


def sign_in_delay(failures: Failures, free_attempts: int = 3, base: float = 5.0, cap: float = 300.0) -> float:
    """Seconds to wait after ``failures`` before the next attempt: none for the
    first three failures, then 5 s doubling per failure, capped at five minutes.
    There is never a permanent lock-out."""
    extra = failures.count - free_attempts
    if extra <= 0:
        return 0.0
    return min(cap, base * math.pow(2, extra - 1))
