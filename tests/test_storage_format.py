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


def open_slot(folder: Path, slot_id: str, secret: str) -> tuple[X25519PrivateKey, bytes]:
    """(the slot's private key, the database key): steps 1 and 2 of
    "Opening a slot"."""
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
    assert private.public_key().public_bytes_raw() == b64(slot["public_key"])
    sealed = slot["sealed_database_key"]
    ephemeral = b64(sealed["ephemeral_public_key"])
    shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral))
    seal_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + b64(slot["public_key"]),
                    info=b"shelter/v1/sealed-database-key").derive(shared)
    seal_aad = (b"shelter/v1|seal|" + store_id.hex().encode() + b"|" + slot_id.encode() + b"|"
                + str(ring["generation"]).encode())
    return private, AESGCM(seal_key).decrypt(b64(sealed["nonce"]), b64(sealed["ciphertext"]), seal_aad)


def database_key(folder: Path, slot_id: str, secret: str) -> bytes:
    return open_slot(folder, slot_id, secret)[1]


def staff_slot_id(folder: Path, username: str) -> str:
    ring = json.loads((folder / "keyring.json").read_text("utf-8"))
    return "user:" + hashlib.sha256(b"shelter/v1/slot|" + b64(ring["store_id"]) + b"|"
                                    + username.encode()).hexdigest()[:32]


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
    assert slot_id == staff_slot_id(store_dir, ADMIN)
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


# -- the counselling compartment ----------------------------------------------------------

COUNSELLOR, COUNSELLOR_PASSWORD = "leila", "sea breeze quiet garden"
NOTE_TEXT = "Synthetic note: she spoke of the crossing, and of her sister in Tanger"


def seal_aad(store_id: bytes, generation: int, holder: str) -> bytes:
    return (b"shelter/v1|compartment-seal|" + store_id.hex().encode() + b"|counselling|" + str(generation).encode()
            + b"|" + holder.encode())


def record_aad(store_id: bytes, generation: int, record_type: str, record_id: int, resident_id: int) -> bytes:
    return (b"shelter/v1|compartment-record|" + store_id.hex().encode() + b"|counselling|"
            + str(generation).encode() + b"|" + record_type.encode() + b"|" + str(record_id).encode() + b"|"
            + str(resident_id).encode())


def compartment_key(conn: sqlcipher3.Connection, store_id: bytes, generation: int, holder: str,
                    private: X25519PrivateKey) -> bytes:
    """The counselling key from the holder's seal, as "Opening the key" says."""
    holder_public, ephemeral, nonce, sealed = conn.execute(
        "SELECT holder_public_key, ephemeral_public_key, nonce, sealed_key FROM compartment_seal "
        "WHERE compartment = 'counselling' AND generation = ? AND holder = ?", (generation, holder)).fetchone()
    public = private.public_key().public_bytes_raw()
    assert bytes(holder_public) == public, "the seal is stale"
    assert len(ephemeral) == 32 and len(nonce) == 12 and len(sealed) == 48
    shared = private.exchange(X25519PublicKey.from_public_bytes(bytes(ephemeral)))
    wrap_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=bytes(ephemeral) + public,
                    info=b"shelter/v1 compartment seal").derive(shared)
    key = AESGCM(wrap_key).decrypt(bytes(nonce), bytes(sealed), seal_aad(store_id, generation, holder))
    assert len(key) == 32
    return key


def open_record(key: bytes, store_id: bytes, generation: int, record_type: str, record_id: int, resident_id: int,
                nonce: bytes, ciphertext: bytes):
    assert len(nonce) == 12
    plain = AESGCM(key).decrypt(bytes(nonce), bytes(ciphertext),
                                record_aad(store_id, generation, record_type, record_id, resident_id))
    return json.loads(plain.decode("utf-8"))


def read_counselling(conn: sqlcipher3.Connection, store_id: bytes, holder: str, private: X25519PrivateKey) -> dict:
    """Every note, addendum and screen, decrypted by the documented procedure."""
    found: dict = {"notes": {}, "addenda": {}, "screens": {}}
    for note_id, session_id, generation, nonce, ciphertext in conn.execute(
            "SELECT id, session_id, generation, nonce, ciphertext FROM session_note ORDER BY id").fetchall():
        (resident_id,) = conn.execute("SELECT min(resident_id) FROM session_attendee WHERE session_id = ?",
                                      (session_id,)).fetchone()
        key = compartment_key(conn, store_id, generation, holder, private)
        found["notes"][note_id] = open_record(key, store_id, generation, "session_note", note_id, resident_id,
                                              nonce, ciphertext)
        for addendum_id, a_generation, a_nonce, a_ciphertext in conn.execute(
                "SELECT id, generation, nonce, ciphertext FROM note_addendum WHERE note_id = ?", (note_id,)).fetchall():
            key = compartment_key(conn, store_id, a_generation, holder, private)
            found["addenda"][addendum_id] = open_record(key, store_id, a_generation, "note_addendum", addendum_id,
                                                        resident_id, a_nonce, a_ciphertext)
    for screen_id, resident_id, generation, nonce, ciphertext in conn.execute(
            "SELECT id, resident_id, generation, nonce, ciphertext FROM risk_screen ORDER BY id").fetchall():
        key = compartment_key(conn, store_id, generation, holder, private)
        found["screens"][screen_id] = open_record(key, store_id, generation, "risk_screen", screen_id, resident_id,
                                                  nonce, ciphertext)
    return found


@pytest.fixture
def counselled(store_dir, admin, coordinator):
    """A group session with two residents, held, on which Leila, a counsellor,
    wrote and signed a note, added an addendum and screened the second
    resident (Shelter makes the store; nothing below reads it with Shelter)."""
    from datetime import UTC, date, datetime, timedelta

    from shelter.security.permissions import Role
    from shelter.services import accounts, admissions, notes, sessions
    from shelter.services.sessions import SessionInput
    from shelter.store import Store

    beds = bed_ids(coordinator)
    first = admissions.admit(coordinator, admission(beds[0])).resident_id
    second = admissions.admit(coordinator, admission(beds[1], name="Grace Okafor", arabic="",
                                                     born=date(2001, 6, 2))).resident_id
    accounts.create_account(admin, COUNSELLOR, "Leila Berrada", [Role.COUNSELLOR], COUNSELLOR_PASSWORD,
                            must_change_password=False)
    leila = Store(store_dir).sign_in(COUNSELLOR, COUNSELLOR_PASSWORD)
    try:
        room = sessions.add_room(leila, 1, "Salle d'écoute")
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
        # The larger id first: the note is bound to the smallest, whatever the order given.
        session_id = sessions.plan_session(leila, SessionInput(
            leila.actor.account_id, "group", (second, first), start, 50, room_id=room.room_id)).session_ids[0]
        sessions.set_outcome(leila, session_id, "held")
        notes.save_draft(leila, session_id, "dap", {"data": "first draft"}, ["mental_health"])
        notes.save_draft(leila, session_id, "dap", {"data": NOTE_TEXT, "assessment": "Calmer", "plan": "Next week"},
                         ["mental_health"], ["Ask the social worker about the lawyer"])
        notes.sign_note(leila, session_id)
        note_id = notes.session_notes(leila, session_id)[0].note_id
        notes.add_addendum(leila, note_id, "Synthetic note: she added that her sister knows")
        notes.record_risk_screen(leila, session_id, second, {q: q == "thoughts" for q in (
            "wish_dead", "thoughts", "method", "intent", "plan", "behaviour", "self_harm")}, "safety_plan",
            "Synthetic note: safety plan agreed")
        account_id = leila.actor.account_id
    finally:
        leila.lock("sign_out")
    coordinator.lock("sign_out")
    admin.lock("sign_out")
    return {"session": session_id, "first": min(first, second), "second": max(first, second),
            "counsellor": account_id}


def expect_counselling(found: dict) -> None:
    (note,) = found["notes"].values()
    assert note == {"parts": {"data": NOTE_TEXT, "assessment": "Calmer", "plan": "Next week"},
                    "follow_ups": ["Ask the social worker about the lawyer"]}
    assert list(found["addenda"].values()) == ["Synthetic note: she added that her sister knows"]
    (screen,) = found["screens"].values()
    assert screen == {"answers": {"wish_dead": False, "thoughts": True, "method": False, "intent": False,
                                  "plan": False, "behaviour": False, "self_harm": False},
                      "action_text": "Synthetic note: safety plan agreed"}


def test_an_independent_program_recovers_a_counselling_note(store_dir, recovery_code, counselled):
    ring = json.loads((store_dir / "keyring.json").read_text("utf-8"))
    store_id = b64(ring["store_id"])
    private, key = open_slot(store_dir, "recovery", canonical_code(recovery_code))
    conn = open_database(store_dir, key)
    try:
        assert conn.execute("PRAGMA cipher_integrity_check").fetchall() == []
        holders = {h for (h,) in conn.execute("SELECT holder FROM compartment_seal WHERE compartment = 'counselling'")}
        # The counsellor and the recovery slot hold the key; the coordinator and the administrator do not.
        assert holders == {f"account:{counselled['counsellor']}", "recovery"}
        (recovery_public,) = conn.execute(
            "SELECT value FROM store_meta WHERE key = 'recovery_public_key'").fetchone()
        assert private.public_key().public_bytes_raw() == bytes(recovery_public)
        found = read_counselling(conn, store_id, "recovery", private)
        # What is plain, on purpose: the outcome and action codes, the follow-up for the care plan.
        assert conn.execute("SELECT resident_id, outcome, action FROM risk_screen").fetchall() == [
            (counselled["second"], "moderate", "safety_plan")]
        assert conn.execute("SELECT resident_id, text FROM session_follow_up").fetchall() == [
            (counselled["first"], "Ask the social worker about the lawyer")]
        # The binding: the same note does not open as another resident's, or as another row.
        note_id, generation, nonce, ciphertext = conn.execute(
            "SELECT id, generation, nonce, ciphertext FROM session_note").fetchone()
        compartment = compartment_key(conn, store_id, generation, "recovery", private)
    finally:
        conn.close()
    expect_counselling(found)
    with pytest.raises(InvalidTag):
        open_record(compartment, store_id, generation, "session_note", note_id, counselled["second"], nonce,
                    ciphertext)
    with pytest.raises(InvalidTag):
        open_record(compartment, store_id, generation, "note_addendum", note_id, counselled["first"], nonce,
                    ciphertext)
    # The database key alone is no compartment key.
    with pytest.raises(InvalidTag):
        open_record(key, store_id, generation, "session_note", note_id, counselled["first"], nonce, ciphertext)


def test_a_counsellor_password_opens_her_seal(store_dir, counselled):
    ring = json.loads((store_dir / "keyring.json").read_text("utf-8"))
    store_id = b64(ring["store_id"])
    private, key = open_slot(store_dir, staff_slot_id(store_dir, COUNSELLOR), COUNSELLOR_PASSWORD)
    conn = open_database(store_dir, key)
    try:
        (account_id, slot_public) = conn.execute(
            "SELECT id, slot_public_key FROM staff_account WHERE username = ?", (COUNSELLOR,)).fetchone()
        assert private.public_key().public_bytes_raw() == bytes(slot_public)
        found = read_counselling(conn, store_id, f"account:{account_id}", private)
        seals = dict(conn.execute("SELECT holder, holder_public_key FROM compartment_seal").fetchall())
    finally:
        conn.close()
    assert account_id == counselled["counsellor"]
    expect_counselling(found)
    # Each seal names the public key it was made to: hers is her slot's, the recovery seal another.
    assert bytes(seals[f"account:{account_id}"]) == bytes(slot_public) != bytes(seals["recovery"])
