"""docs/storage-format.md is enough to get the records back without Shelter.

The opener below is written from the document alone: it uses only the
standard library, ``cryptography`` and the SQLCipher library (through
``sqlcipher3``), never Shelter's own code. Shelter is used only to make the
store. The schema tests read the document's own table list, so a migration
that adds a table or a column without documenting it fails here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
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

from tests.cases import admission, bed_ids
from tests.conftest import ADMIN, ADMIN_PASSWORD

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "storage-format.md"


def section(title: str) -> str:
    """One section of the document: from its heading to the next heading of
    the same or a higher level."""
    text = DOCUMENT.read_text("utf-8")
    start = text.index("\n" + title + "\n") + 1
    end = re.compile(rf"^#{{1,{title.index(' ')}}} ", re.M).search(text, start + len(title))
    return text[start:end.start() if end else len(text)]


def documented_schema() -> tuple[str, dict[str, list[tuple[str, str]]], dict[str, int]]:
    """(revision, {table: [(column, declared type)]}, {store_meta key: bytes})
    as the document's Schema section lists them."""
    text = section("### Schema")
    revision = re.search(r"describes Alembic revision `(\w+)`", text).group(1)
    tables: dict[str, list[tuple[str, str]]] = {}
    meta: dict[str, int] = {}
    table, mode = None, None
    for line in text.splitlines():
        heading = re.fullmatch(r"#### `(\w+)`", line)
        if heading:
            table, mode = heading.group(1), None
            tables[table] = []
        elif line.startswith("| column |"):
            mode = "columns"
        elif line.startswith("| `store_meta` key |"):
            mode = "meta"
        elif not line.startswith("|"):
            mode = None
        elif mode == "columns" and (row := re.match(r"\| `(\w+)` \| ([^|]+) \|", line)):
            tables[table].append((row.group(1), row.group(2).strip().strip("`")))
        elif mode == "meta" and (row := re.match(r"\| `(\w+)` \| (\d+) \|", line)):
            meta[row.group(1)] = int(row.group(2))
    return revision, tables, meta


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


def open_database(folder: Path, key: bytes) -> sqlcipher3.Connection:
    ring = json.loads((folder / "keyring.json").read_text("utf-8"))
    conn = sqlcipher3.connect(str(folder / ring["database"]))
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute("PRAGMA cipher_page_size = 4096")
    conn.execute("PRAGMA cipher_hmac_algorithm = HMAC_SHA512")
    return conn


def test_the_schema_section_lists_every_table_and_column_of_a_new_store(store_dir, recovery_code):
    revision, documented, _meta = documented_schema()
    conn = open_database(store_dir, database_key(store_dir, "recovery", canonical_code(recovery_code)))
    try:
        assert conn.execute("PRAGMA cipher_version").fetchone()[0].startswith("4.")
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(revision,)]
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")]
        assert sorted(documented) == names, "tables in a new store and in docs/storage-format.md differ"
        assert f"its {len(names)} tables" in section("### Schema")
        for table in names:
            actual = [(name, f"{kind} NOT NULL".strip() if notnull else (kind or "(none)"))
                      for _cid, name, kind, notnull, _default, _pk in conn.execute(f"PRAGMA table_info({table})")]
            assert documented[table] == actual, f"columns of {table} differ from the document"
    finally:
        conn.close()


def test_store_meta_holds_raw_bytes_as_documented(store_dir, recovery_code):
    _revision, _tables, documented = documented_schema()
    ring = json.loads((store_dir / "keyring.json").read_text("utf-8"))
    conn = open_database(store_dir, database_key(store_dir, "recovery", canonical_code(recovery_code)))
    try:
        rows = conn.execute("SELECT key, typeof(value), value FROM store_meta").fetchall()
    finally:
        conn.close()
    meta = {key: bytes(value) for key, kind, value in rows if kind == "blob"}
    assert len(meta) == len(rows), "every store_meta value is a BLOB"
    assert {"audit_chain_key", "recovery_public_key", "store_id"} <= set(meta) <= set(documented)
    for key, value in meta.items():
        assert len(value) == documented[key], key
    assert meta["store_id"] == b64(ring["store_id"])
    recovery = next(s for s in ring["slots"] if s["id"] == "recovery")
    assert meta["recovery_public_key"] == b64(recovery["public_key"])


def audit_payload(entry_id, at_text, actor, action, record_type, record_id, outcome, detail, prev_mac) -> bytes:
    """The MAC input as the document spells it: a compact ASCII JSON array,
    ``detail`` as its stored text (a JSON string)."""
    return json.dumps([entry_id, at_text, actor, action, record_type, record_id, outcome, detail, prev_mac],
                      separators=(",", ":"), ensure_ascii=True).encode("ascii")


def test_the_worked_example_of_the_audit_mac_is_right():
    lines = dict(re.findall(r"^(chain key|payload|mac) +(\S.*)$", section("## The audit chain"), re.M))
    payload = lines["payload"]
    assert audit_payload(*json.loads(payload)) == payload.encode("ascii")
    assert json.loads(json.loads(payload)[7]) == {"roles": "coordinator"}
    key = bytes.fromhex(lines["chain key"])
    assert hmac.new(key, payload.encode("ascii"), hashlib.sha256).hexdigest() == lines["mac"]


def test_the_audit_chain_can_be_checked_from_the_document(store_dir, recovery_code, admin):
    # An entry whose detail needs sorting and escaping (Shelter writes it).
    with admin.store.write() as s:
        admin.store.audit(s, "export", admin.actor.account_id, detail={"zone": "F\u00e8s", "count": 3,
                                                                        "all": True, "none": None})
    admin.lock("sign_out")
    conn = open_database(store_dir, database_key(store_dir, "recovery", canonical_code(recovery_code)))
    try:
        kind, chain_key = conn.execute(
            "SELECT typeof(value), value FROM store_meta WHERE key = 'audit_chain_key'").fetchone()
        rows = conn.execute("SELECT id, at, actor_id, action, record_type, record_id, outcome, detail, prev_mac, "
                            "mac FROM audit_entry ORDER BY id").fetchall()
    finally:
        conn.close()
    assert kind == "blob" and len(chain_key) == 32
    assert any(row[7] == '{"all":true,"count":3,"none":null,"zone":"F\\u00e8s"}' for row in rows)
    prev = "0" * 64
    for number, row in enumerate(rows, start=1):
        entry_id, at, actor, action, rtype, rid, outcome, detail, prev_mac, mac = row
        assert entry_id == number and prev_mac == prev
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", at)
        assert detail == json.dumps(json.loads(detail), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        payload = audit_payload(entry_id, at.replace(" ", "T"), actor, action, rtype, rid, outcome, detail, prev_mac)
        assert re.fullmatch(r"[0-9a-f]{64}", mac)
        assert hmac.new(bytes(chain_key), payload, hashlib.sha256).hexdigest() == mac
        prev = mac


def test_a_handover_verification_code_can_be_checked_from_the_document(store_dir, recovery_code,
                                                                        coordinator):
    from datetime import date

    from shelter.services import admissions, handover

    admitted = admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    issued = handover.issue_handover(coordinator, handover.HandoverRequest(
        resident_id=admitted.resident_id, reason="referral", receiver_organisation="Hôpital Ibn Sina",
        receiver_person="", handover_on=date.today(), shelter_contact="Salma, +212 600 000 000",
        belongings=()), "fr")
    coordinator.lock("sign_out")
    conn = open_database(store_dir, database_key(store_dir, "recovery", canonical_code(recovery_code)))
    try:
        document_key = conn.execute("SELECT value FROM store_meta WHERE key = 'document_key'").fetchone()[0]
        content, code = conn.execute("SELECT content, code FROM issued_document").fetchone()
    finally:
        conn.close()
    assert len(document_key) == documented_schema()[2]["document_key"]
    assert content == json.dumps(json.loads(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    number = int.from_bytes(hmac.new(bytes(document_key), content.encode("utf-8"), hashlib.sha256).digest()[:5], "big")
    chars = "".join(ALPHABET[(number >> shift) & 31] for shift in range(35, -1, -5))
    assert code == issued.verification_code == f"{chars[:4]}-{chars[4:]}"
