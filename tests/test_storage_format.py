"""docs/storage-format.md is enough to get the records back without Shelter.

The opener below is written from the document alone: it uses only the
standard library, ``cryptography`` and the SQLCipher library (through
``sqlcipher3``), never Shelter's own code. Shelter is used only to make the
store."""

from __future__ import annotations

import base64
import hashlib
import json
import unicodedata
from pathlib import Path

import pytest
import sqlcipher3
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tests.conftest import ADMIN, ADMIN_PASSWORD

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def canonical_code(typed: str) -> str:
    chars = "".join(c for c in typed.upper() if c.isalnum()).translate(str.maketrans("OIL", "011"))
    assert len(chars) == 30 and all(c in ALPHABET for c in chars)
    return "-".join(chars[i:i + 5] for i in range(0, 30, 5))


def b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def database_key(folder: Path, slot_id: str, secret: str) -> bytes:
    ring = json.loads((folder / "keyring.json").read_text("utf-8"))
    assert ring["format"] == "shelter-keyring" and ring["version"] == 1
    store_id = b64(ring["store_id"])
    slot = next(s for s in ring["slots"] if s["id"] == slot_id)
    kdf = slot["kdf"]
    assert kdf["algorithm"] == "argon2id" and kdf["version"] == 19
    kek = Argon2id(salt=b64(kdf["salt"]), length=32, iterations=kdf["iterations"], lanes=kdf["lanes"],
                   memory_cost=kdf["memory_kib"]).derive(unicodedata.normalize("NFC", secret).encode("utf-8"))
    wrap_aad = b"shelter/v1|wrap|" + store_id.hex().encode() + b"|" + slot_id.encode()
    wrapped = slot["wrapped_private_key"]
    private = X25519PrivateKey.from_private_bytes(
        AESGCM(kek).decrypt(b64(wrapped["nonce"]), b64(wrapped["ciphertext"]), wrap_aad))
    sealed = slot["sealed_database_key"]
    ephemeral = b64(sealed["ephemeral_public_key"])
    shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral))
    seal_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + b64(slot["public_key"]),
                    info=b"shelter/v1/sealed-database-key").derive(shared)
    seal_aad = (b"shelter/v1|seal|" + store_id.hex().encode() + b"|" + slot_id.encode() + b"|"
                + str(ring["generation"]).encode())
    return AESGCM(seal_key).decrypt(b64(sealed["nonce"]), b64(sealed["ciphertext"]), seal_aad)


def read_shelters(folder: Path, key: bytes) -> list[tuple[str, str]]:
    ring = json.loads((folder / "keyring.json").read_text("utf-8"))
    conn = sqlcipher3.connect(str(folder / ring["database"]))
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("PRAGMA cipher_page_size = 4096")
        conn.execute("PRAGMA cipher_hmac_algorithm = HMAC_SHA512")
        assert conn.execute("PRAGMA cipher_integrity_check").fetchall() == []
        return conn.execute("SELECT name, code FROM shelter ORDER BY id").fetchall()
    finally:
        conn.close()


def test_the_recovery_code_opens_the_records(store_dir, recovery_code):
    typed = recovery_code.lower().replace("-", " ")  # as someone might type it from paper
    key = database_key(store_dir, "recovery", canonical_code(typed))
    assert len(key) == 32
    names = read_shelters(store_dir, key)
    assert names and names[0][1]


def test_a_staff_password_opens_the_records_through_its_hashed_slot(store_dir):
    ring = json.loads((store_dir / "keyring.json").read_text("utf-8"))
    digest = hashlib.sha256(b"shelter/v1/slot|" + b64(ring["store_id"]) + b"|" + ADMIN.encode()).hexdigest()
    slot_id = "user:" + digest[:32]
    assert slot_id in {s["id"] for s in ring["slots"]}
    assert ADMIN not in (store_dir / "keyring.json").read_text("utf-8")
    assert read_shelters(store_dir, database_key(store_dir, slot_id, ADMIN_PASSWORD))


def test_a_wrong_code_fails_the_authentication_tag(store_dir):
    with pytest.raises(InvalidTag):
        database_key(store_dir, "recovery", canonical_code("0" * 30))


def test_the_audit_chain_can_be_checked_from_the_document(store_dir, recovery_code):
    import hmac

    key = database_key(store_dir, "recovery", canonical_code(recovery_code))
    ring = json.loads((store_dir / "keyring.json").read_text("utf-8"))
    conn = sqlcipher3.connect(str(store_dir / ring["database"]))
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    chain_key = conn.execute("SELECT value FROM store_meta WHERE key = 'audit_chain_key'").fetchone()[0]
    rows = conn.execute("SELECT id, at, actor_id, action, record_type, record_id, outcome, detail, prev_mac, mac "
                        "FROM audit_entry ORDER BY id").fetchall()
    conn.close()
    assert rows
    prev = "0" * 64
    for number, row in enumerate(rows, start=1):
        entry_id, at, actor, action, rtype, rid, outcome, detail, prev_mac, mac = row
        assert entry_id == number and prev_mac == prev
        at_text = at.replace(" ", "T") if "." in at else at.replace(" ", "T") + ".000000"
        payload = json.dumps([entry_id, at_text, actor, action, rtype, rid, outcome, detail, prev_mac],
                             separators=(",", ":"), ensure_ascii=True).encode("ascii")
        assert hmac.new(bytes(chain_key), payload, hashlib.sha256).hexdigest() == mac
        prev = mac
