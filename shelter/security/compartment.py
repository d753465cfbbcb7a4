"""Compartments: text encrypted under a key that the database key alone does
not open.

The counselling compartment holds what counsellors write about a session
(notes, risk-screen answers, addenda). Its key is 32 random bytes, sealed
inside the database once per holder, the way the keyring seals the database
key to a slot: an ephemeral X25519 key agreed with the holder's slot public
key, HKDF-SHA256, AES-256-GCM. The holders are the counsellors (each
account's slot public key, which the database vouches for) and the
recovery slot, so that the notes survive if every counsellor leaves. A
coordinator never holds it: an emergency reading ("break the glass") opens
it from the recovery slot, for that reading only, in memory only.

Each record is encrypted with AES-256-GCM under the compartment key, with a
fresh 96-bit nonce, and associated data binding the store, the compartment,
the key generation, the kind of record, its id and the resident it is
about: a ciphertext moved to another row, resident or store does not open.

The byte layout is documented in ``docs/storage-format.md``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

COUNSELLING = "counselling"
KEY_BYTES = 32
NONCE_BYTES = 12
_SEAL_INFO = b"shelter/v1 compartment seal"


class CompartmentLocked(Exception):
    """The key cannot be opened with what this session holds."""


@dataclass(frozen=True)
class Sealed:
    ephemeral_public: bytes
    nonce: bytes
    ciphertext: bytes


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def _seal_aad(store_id: bytes, compartment: str, generation: int, holder: str) -> bytes:
    return b"|".join([b"shelter/v1", b"compartment-seal", store_id.hex().encode(), compartment.encode(),
                      str(generation).encode(), holder.encode()])


def _wrapping_key(shared: bytes, ephemeral_public: bytes, holder_public: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=ephemeral_public + holder_public,
                info=_SEAL_INFO).derive(shared)


def seal(key: bytes, holder_public: bytes, store_id: bytes, compartment: str, generation: int,
         holder: str) -> Sealed:
    """``key`` sealed to the X25519 public key ``holder_public``."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(holder_public))
    nonce = secrets.token_bytes(NONCE_BYTES)
    ciphertext = AESGCM(_wrapping_key(shared, ephemeral_public, holder_public)).encrypt(
        nonce, key, _seal_aad(store_id, compartment, generation, holder))
    return Sealed(ephemeral_public, nonce, ciphertext)


def unseal(sealed: Sealed, holder_private: bytes, store_id: bytes, compartment: str, generation: int,
           holder: str) -> bytes:
    """The key sealed to this holder; CompartmentLocked if it does not open."""
    try:
        private = X25519PrivateKey.from_private_bytes(holder_private)
        holder_public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        shared = private.exchange(X25519PublicKey.from_public_bytes(sealed.ephemeral_public))
        return AESGCM(_wrapping_key(shared, sealed.ephemeral_public, holder_public)).decrypt(
            sealed.nonce, sealed.ciphertext, _seal_aad(store_id, compartment, generation, holder))
    except (InvalidTag, ValueError):
        raise CompartmentLocked(compartment) from None


def record_aad(store_id: bytes, compartment: str, generation: int, record_type: str, record_id: int,
               resident_id: int | None) -> bytes:
    return b"|".join([b"shelter/v1", b"compartment-record", store_id.hex().encode(), compartment.encode(),
                      str(generation).encode(), record_type.encode(), str(record_id).encode(),
                      str(resident_id if resident_id is not None else "").encode()])


def encrypt(key: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    """(nonce, ciphertext) of ``plaintext`` under ``key``, a fresh nonce each time."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce, AESGCM(key).encrypt(nonce, plaintext, aad)


def decrypt(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise CompartmentLocked("record") from None
