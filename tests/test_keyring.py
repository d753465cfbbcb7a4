"""Key slots: wrapping, unwrapping, tampering, file errors."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import secrets

import pytest

from shelter.errors import StoreDamaged, WrongPassword
from shelter.security.keyring import (
    RECOVERY_SLOT,
    Failures,
    KdfParams,
    Keyring,
    calibrate,
    new_recovery_code,
    normalise_recovery_code,
    sign_in_delay,
)

KDF = KdfParams()


@pytest.fixture
def ring_and_key():
    ring = Keyring.new()
    key = secrets.token_bytes(32)
    ring.add_slot(ring.user_slot("amina"), "first password here", key, KDF)
    ring.add_slot(ring.user_slot("youssef"), "second password here", key, KDF)
    return ring, key


def test_each_account_opens_the_same_key_with_its_own_password(ring_and_key):
    ring, key = ring_and_key
    assert ring.unlock(ring.user_slot("amina"), "first password here") == key
    assert ring.unlock(ring.user_slot("youssef"), "second password here") == key


def test_wrong_password_and_unknown_user_are_refused_alike(ring_and_key):
    ring, _ = ring_and_key
    with pytest.raises(WrongPassword) as wrong:
        ring.unlock(ring.user_slot("amina"), "second password here")
    with pytest.raises(WrongPassword) as unknown:
        ring.unlock(ring.user_slot("nobody"), "first password here")
    assert str(wrong.value) == str(unknown.value)


def test_password_is_unicode_normalised(ring_and_key):
    ring, key = ring_and_key
    # "é" typed as one code point or as e + combining accent opens the same slot.
    ring.add_slot(ring.user_slot("salma"), "caf\u00e9 au lait du matin", key, KDF)
    assert ring.unlock(ring.user_slot("salma"), "cafe\u0301 au lait du matin") == key


def test_slot_is_bound_to_its_account_and_store(ring_and_key):
    ring, _ = ring_and_key
    amina_id, youssef_id = ring.user_slot("amina"), ring.user_slot("youssef")
    # Move youssef's slot under amina's id: the associated data no longer matches.
    data = ring.to_json()
    youssef = next(s for s in data["slots"] if s["id"] == youssef_id)
    data["slots"] = [{**youssef, "id": amina_id}]
    moved = Keyring.from_json(data)
    with pytest.raises(WrongPassword):
        moved.unlock(amina_id, "second password here")
    # The same slot copied into another store's keyring opens nothing either.
    other = Keyring.from_json({**ring.to_json(), "store_id": Keyring.new().to_json()["store_id"]})
    with pytest.raises(WrongPassword):
        other.unlock(youssef_id, "second password here")


def test_rewrap_changes_only_the_password(ring_and_key):
    ring, key = ring_and_key
    slot = ring.user_slot("amina")
    ring.rewrap(slot, "first password here", "a brand new passphrase")
    assert ring.unlock(slot, "a brand new passphrase") == key
    with pytest.raises(WrongPassword):
        ring.unlock(slot, "first password here")


def test_weak_parameters_in_a_tampered_file_are_refused(ring_and_key):
    ring, _ = ring_and_key
    data = ring.to_json()
    data["slots"][0]["kdf"]["memory_kib"] = 1024
    with pytest.raises(StoreDamaged):
        Keyring.from_json(data)
    data = ring.to_json()
    data["slots"][0]["kdf"]["iterations"] = 1
    with pytest.raises(StoreDamaged):
        Keyring.from_json(data)


@pytest.mark.parametrize("content", [
    b"", b"\x00\x01garbage", b"{}", b'{"format": "shelter-keyring", "version": 1}',
    b'{"format": "keepass", "version": 1}', b'{"format": "shelter-keyring", "version": 99}', b"[1, 2, 3]",
    b'{"format": "shelter-keyring", "version": 1, "store_id": "!!", "database": "x", "generation": 0, "slots": []}',
])
def test_corrupt_or_foreign_keyring_gives_a_clear_error(tmp_path, content):
    path = tmp_path / "keyring.json"
    path.write_bytes(content)
    with pytest.raises(StoreDamaged) as err:
        Keyring.load(path)
    assert "\n" not in str(err.value) and len(str(err.value)) < 200


def test_truncated_keyring_file_is_reported(tmp_path, ring_and_key):
    ring, _ = ring_and_key
    path = tmp_path / "keyring.json"
    ring.save(path)
    raw = path.read_bytes()
    for cut in (1, len(raw) // 3, len(raw) - 2):
        path.write_bytes(raw[:cut])
        with pytest.raises(StoreDamaged):
            Keyring.load(path)


def test_fuzzed_keyring_never_crashes(tmp_path, ring_and_key):
    ring, _ = ring_and_key
    good = json.dumps(ring.to_json()).encode()
    rnd = secrets.SystemRandom()
    path = tmp_path / "keyring.json"
    for _ in range(300):
        data = bytearray(good)
        for _ in range(rnd.randint(1, 8)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        path.write_bytes(bytes(data))
        try:
            loaded = Keyring.load(path)
        except StoreDamaged:
            continue
        for slot_id in loaded.slots:  # what loads must still fail cleanly
            try:
                loaded.unlock(slot_id, "first password here")
            except (WrongPassword, StoreDamaged):
                pass


def test_save_is_atomic_and_private(tmp_path, ring_and_key):
    import os
    import stat

    ring, _ = ring_and_key
    path = tmp_path / "keyring.json"
    ring.save(path)
    ring.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["keyring.json"]
    if os.name != "nt":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Keyring.load(path).to_json() == ring.to_json()


def test_keyring_does_not_list_usernames(tmp_path, ring_and_key):
    ring, _ = ring_and_key
    path = tmp_path / "keyring.json"
    ring.save(path)
    text = path.read_text()
    assert "amina" not in text and "youssef" not in text


def test_recovery_code_has_150_bits_in_readable_groups():
    codes = {new_recovery_code() for _ in range(50)}
    assert len(codes) == 50
    for code in codes:
        groups = code.split("-")
        assert len(groups) == 6 and all(len(g) == 5 for g in groups)
        assert not set(code) & set("ILOU")
    code = new_recovery_code()
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert normalise_recovery_code(typed) == code
    with pytest.raises(WrongPassword):
        normalise_recovery_code(code[:-3])


def test_recovery_slot(ring_and_key):
    ring, key = ring_and_key
    code = new_recovery_code()
    ring.add_slot(RECOVERY_SLOT, code, key, KDF, kind="recovery")
    assert ring.unlock(RECOVERY_SLOT, code) == key


@pytest.mark.parametrize(("count", "delay"), [(0, 0), (1, 0), (3, 0), (4, 5), (5, 10), (6, 20), (9, 160), (10, 300), (50, 300)])
def test_sign_in_delay_grows_after_three_failures_and_is_capped(count, delay):
    assert sign_in_delay(Failures(count, 0.0)) == delay


def test_calibration_respects_the_floor():
    params = calibrate(target_seconds=0.01)
    assert params.memory_kib >= 64 * 1024 and params.iterations >= 3
    params = calibrate(target_seconds=0.6)
    assert params.memory_kib >= 64 * 1024 and params.iterations >= 3


# -- a malformed file is refused as damaged, never a traceback (review, finding A) --


@pytest.fixture(scope="module")
def shared_ring():
    """One keyring for the tests that only read it (two derivations, made once)."""
    ring = Keyring.new()
    key = secrets.token_bytes(32)
    ring.add_slot(ring.user_slot("amina"), "first password here", key, KDF)
    ring.add_slot(ring.user_slot("youssef"), "second password here", key, KDF)
    return ring, key



def _keyring_file(tmp_path, ring, edit=None, raw=None):
    """Write ``ring`` (after ``edit`` on its JSON) or ``raw`` bytes as a keyring file."""
    path = tmp_path / "keyring.json"
    if raw is None:
        data = ring.to_json()
        if edit is not None:
            edit(data)
        raw = json.dumps(data).encode()
    path.write_bytes(raw)
    return path


def _refused(path) -> StoreDamaged:
    with pytest.raises(StoreDamaged) as err:
        Keyring.load(path)
    assert "\n" not in str(err.value) and len(str(err.value)) < 200
    return err.value


def test_deep_nesting_is_refused_without_recursion_error(tmp_path, shared_ring):
    ring, _ = shared_ring
    depth = 100_000
    head = b'{"format": "shelter-keyring", "version": 1, "extra": '
    _refused(_keyring_file(tmp_path, ring, raw=head + b"[" * depth + b"]" * depth + b"}"))
    # Nesting Python can parse, but no keyring has: refused too.
    deep: list = []
    for _ in range(40):
        deep = [deep]
    _refused(_keyring_file(tmp_path, ring, lambda d: d.update(audit_head={"sequence": 1, "mac": deep})))
    _refused(_keyring_file(tmp_path, ring, lambda d: d.update(unknown=deep)))


def test_a_number_of_thousands_of_digits_is_refused(tmp_path, shared_ring):
    ring, _ = shared_ring
    text = json.dumps(ring.to_json()).replace('"generation": 0', '"generation": ' + "9" * 5000)
    _refused(_keyring_file(tmp_path, ring, raw=text.encode()))
    text = json.dumps(ring.to_json()).replace('"generation": 0', '"generation": 1' + "0" * 40)
    _refused(_keyring_file(tmp_path, ring, raw=text.encode()))


def test_nan_and_infinity_are_refused(tmp_path, shared_ring):
    ring, _ = shared_ring
    slot = ring.user_slot("amina")
    for bad in ("NaN", "Infinity", "-Infinity", "1e400"):
        data = ring.to_json()
        data["sign_in_failures"] = {slot: {"count": 5, "last_at": "@"}}
        raw = json.dumps(data).replace('"@"', bad).encode()
        _refused(_keyring_file(tmp_path, ring, raw=raw))


@pytest.mark.parametrize("last_at", [-1.0, -1e12, 1e20, "1000", None, True, [1]])
def test_a_failure_time_out_of_range_is_refused(tmp_path, shared_ring, last_at):
    ring, _ = shared_ring
    slot = ring.user_slot("amina")
    _refused(_keyring_file(tmp_path, ring, lambda d: d.update(sign_in_failures={slot: {"count": 4, "last_at": last_at}})))


@pytest.mark.parametrize("count", [-1, 10**10, 2.0, True, "4", None])
def test_a_failure_count_of_the_wrong_type_or_range_is_refused(tmp_path, shared_ring, count):
    ring, _ = shared_ring
    slot = ring.user_slot("amina")
    _refused(_keyring_file(tmp_path, ring, lambda d: d.update(sign_in_failures={slot: {"count": count, "last_at": 0}})))


@pytest.mark.parametrize("at", [float("nan"), float("inf"), 1e20, -1e12, -1, "yesterday", None])
def test_a_pending_failure_time_out_of_range_is_refused(tmp_path, shared_ring, at):
    ring, _ = shared_ring
    raw = json.dumps({**ring.to_json(), "pending_failures": [{"slot": None, "at": at}]}).encode()
    _refused(_keyring_file(tmp_path, ring, raw=raw))


@pytest.mark.parametrize("slot", [42, ["x"], {"a": 1}, "", "x" * 65, "user:\u00e9", "user:a\nb"])
def test_a_pending_failure_slot_must_be_a_short_slot_id_or_null(tmp_path, shared_ring, slot):
    ring, _ = shared_ring
    _refused(_keyring_file(tmp_path, ring, lambda d: d.update(pending_failures=[{"slot": slot, "at": 5.0}])))


@pytest.mark.parametrize("head", [
    {"sequence": 10**30, "mac": "a" * 64}, {"sequence": 2**63, "mac": "a" * 64}, {"sequence": -1, "mac": "a" * 64},
    {"sequence": True, "mac": "a" * 64}, {"sequence": 1.0, "mac": "a" * 64}, {"sequence": "1", "mac": "a" * 64},
    {"sequence": 1, "mac": "a" * 63}, {"sequence": 1, "mac": "g" * 64}, {"sequence": 1, "mac": 7},
    {"sequence": 1}, [1, "a" * 64], "head",
])
def test_an_audit_head_out_of_bounds_is_refused(tmp_path, shared_ring, head):
    ring, _ = shared_ring
    _refused(_keyring_file(tmp_path, ring, lambda d: d.update(audit_head=head)))


def test_an_audit_head_within_bounds_is_kept(tmp_path, shared_ring):
    ring, _ = shared_ring
    head = {"sequence": 2**63 - 1, "mac": "0123456789abcdef" * 4}
    assert Keyring.load(_keyring_file(tmp_path, ring, lambda d: d.update(audit_head=head))).audit_head == head
    assert Keyring.load(_keyring_file(tmp_path, ring, lambda d: d.update(audit_head=None))).audit_head is None


# Every base64 field and its one valid length.
B64_FIELDS = [
    (("kdf", "salt"), 16), (("public_key",), 32), (("wrapped_private_key", "nonce"), 12),
    (("wrapped_private_key", "ciphertext"), 48), (("sealed_database_key", "ephemeral_public_key"), 32),
    (("sealed_database_key", "nonce"), 12), (("sealed_database_key", "ciphertext"), 48),
]


@pytest.mark.parametrize(("where", "length"), B64_FIELDS)
def test_every_binary_field_must_have_its_exact_length(tmp_path, shared_ring, where, length):
    import base64

    ring, _ = shared_ring
    for wrong in (b"", bytes(length - 1), bytes(length + 1), bytes(length * 1000)):
        def edit(data, wrong=wrong):
            target = data["slots"][0]
            for key in where[:-1]:
                target = target[key]
            target[where[-1]] = base64.b64encode(wrong).decode()
        _refused(_keyring_file(tmp_path, ring, edit))


def test_store_id_must_be_16_bytes(tmp_path, shared_ring):
    ring, _ = shared_ring
    for bad in ("", "AAAA", "A" * 10_000, 16, None):
        _refused(_keyring_file(tmp_path, ring, lambda d, bad=bad: d.update(store_id=bad)))


@pytest.mark.parametrize(("field", "value"), [
    ("generation", "0"), ("generation", True), ("generation", 1.0), ("generation", -1), ("generation", 2**40),
    ("database", 5), ("database", ""), ("database", "../shelter.db"), ("database", "sub/shelter.db"),
    ("database", "x" * 300), ("database", "shelter\x00.db"), ("database", ".."),
    ("slots", {}), ("slots", "none"), ("sign_in_failures", []), ("pending_failures", {}),
    ("version", True),
])
def test_header_fields_are_strictly_typed(tmp_path, shared_ring, field, value):
    ring, _ = shared_ring
    _refused(_keyring_file(tmp_path, ring, lambda d: d.update({field: value})))


@pytest.mark.parametrize(("field", "value"), [
    ("memory_kib", 65536.0), ("memory_kib", "65536"), ("iterations", True), ("lanes", 4.0), ("lanes", 0),
    ("lanes", 17), ("version", "19"), ("version", 19.0), ("algorithm", "argon2i"),
])
def test_kdf_fields_are_strictly_typed(tmp_path, shared_ring, field, value):
    ring, _ = shared_ring
    _refused(_keyring_file(tmp_path, ring, lambda d: d["slots"][0]["kdf"].update({field: value})))


@pytest.mark.parametrize(("field", "value"), [
    ("id", 7), ("id", ""), ("id", "user:" + "a" * 100), ("id", "user:\u0661"), ("kind", "admin"), ("kind", None),
])
def test_slot_fields_are_strictly_typed(tmp_path, shared_ring, field, value):
    ring, _ = shared_ring
    _refused(_keyring_file(tmp_path, ring, lambda d: d["slots"][0].update({field: value})))


def test_duplicate_slot_ids_are_refused(tmp_path, shared_ring):
    ring, _ = shared_ring
    _refused(_keyring_file(tmp_path, ring, lambda d: d.update(slots=[d["slots"][0], d["slots"][0]])))


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path, shared_ring):
    from shelter.security.keyring import MAX_FILE_BYTES

    ring, _ = shared_ring
    raw = json.dumps({**ring.to_json(), "padding": "x" * MAX_FILE_BYTES}).encode()
    _refused(_keyring_file(tmp_path, ring, raw=raw))


def test_too_many_slots_or_failure_counters_are_refused(tmp_path, shared_ring):
    from shelter.security.keyring import MAX_FAILURE_ENTRIES, MAX_SLOTS

    ring, _ = shared_ring
    one = ring.to_json()["slots"][0]
    many = [{**one, "id": f"user:{i:032x}"} for i in range(MAX_SLOTS + 1)]
    _refused(_keyring_file(tmp_path, ring, lambda d: d.update(slots=many)))
    counters = {f"user:{i:032x}": {"count": 1, "last_at": 1.0} for i in range(MAX_FAILURE_ENTRIES + 1)}
    _refused(_keyring_file(tmp_path, ring, lambda d: d.update(sign_in_failures=counters)))


def test_the_largest_keyring_shelter_writes_is_read_back(tmp_path, ring_and_key):
    """The bounds leave room for everything the application itself writes."""
    from dataclasses import replace

    from shelter.security.keyring import MAX_FAILURE_ENTRIES, MAX_FILE_BYTES, MAX_PENDING_FAILURES, MAX_SLOTS

    ring, _ = ring_and_key
    model = next(iter(ring.slots.values()))
    ring.slots = {f"user:{i:032x}": replace(model, slot_id=f"user:{i:032x}") for i in range(MAX_SLOTS)}
    for i in range(MAX_FAILURE_ENTRIES + 50):  # more slot ids than exist: old ones are dropped
        ring.record_failure(f"user:{i:032x}" if i < MAX_SLOTS else f"gone:{i}", 1.8e9 + i, known=True)
    ring.record_failure("unknown", 1.9e9, known=False)
    ring.audit_head = {"sequence": 2**63 - 1, "mac": "f" * 64}
    ring.revision = 2**62
    path = tmp_path / "keyring.json"
    ring.save(path)
    assert path.stat().st_size <= MAX_FILE_BYTES
    loaded = Keyring.load(path)
    assert len(loaded.slots) == MAX_SLOTS and len(loaded.pending_failures) == MAX_PENDING_FAILURES
    assert len(loaded.failures) <= MAX_FAILURE_ENTRIES and loaded.to_json() == ring.to_json()


def test_only_the_newest_pending_failures_are_kept_and_many_cost_nothing(tmp_path, shared_ring):
    import time

    ring, _ = shared_ring
    many = [{"slot": None, "at": 1.7e9 + i} for i in range(20_000)]
    raw = json.dumps({**ring.to_json(), "pending_failures": many}, separators=(",", ":")).encode()
    loaded = Keyring.load(_keyring_file(tmp_path, ring, raw=raw))
    assert loaded.pending_failures == many[-500:]
    # 100,000 (a file no Shelter wrote): answered at once, whatever the answer.
    many = [{"slot": None, "at": 1.7e9 + i} for i in range(100_000)]
    raw = json.dumps({**ring.to_json(), "pending_failures": many}, separators=(",", ":")).encode()
    path = _keyring_file(tmp_path, ring, raw=raw)
    start = time.perf_counter()
    try:
        assert len(Keyring.load(path).pending_failures) <= 500
    except StoreDamaged:
        pass
    assert time.perf_counter() - start < 2


def test_what_shelter_writes_is_always_read_back(tmp_path, ring_and_key):
    """Whatever the clock says (a wrong clock, a broken one), a failed sign-in
    never writes a keyring that reading refuses."""
    ring, _ = ring_and_key
    slot = ring.user_slot("amina")
    path = tmp_path / "keyring.json"
    for now in (float("nan"), float("inf"), -5.0, 1e30, 1.7e9):
        ring.record_failure(slot, now, known=True)
        ring.save(path)
        loaded = Keyring.load(path)
        assert 0 <= loaded.failures[slot].last_at <= 253_402_214_400
    ring.failures[slot] = Failures(10**9, 0.0)
    ring.record_failure(slot, 1.7e9, known=True)
    ring.save(path)
    assert Keyring.load(path).failures[slot].count == 10**9


def test_an_empty_salt_is_refused_before_argon2_sees_it(tmp_path, shared_ring):
    ring, _ = shared_ring
    _refused(_keyring_file(tmp_path, ring, lambda d: d["slots"][0]["kdf"].update(salt="")))


def test_a_low_order_public_key_gives_store_damaged_not_value_error(shared_ring):
    import base64

    ring, _ = shared_ring
    data = ring.to_json()
    for item in data["slots"]:
        item["sealed_database_key"]["ephemeral_public_key"] = base64.b64encode(bytes(32)).decode()
    tampered = Keyring.from_json(data)
    with pytest.raises(StoreDamaged):
        tampered.unlock(ring.user_slot("amina"), "first password here")


# -- key derivation ceilings ----------------------------------------------------


@pytest.mark.parametrize(("memory_kib", "iterations"), [
    (4 * 1024 * 1024, 3),  # 4 GiB: accepted from the file before
    (1024 * 1024 + 1024, 3),  # just over 1 GiB
    (1024 * 1024, 64),  # 1 GiB x 64 passes: minutes
    (1024 * 1024, 9),  # just over 8 GiB-passes
    (512 * 1024, 17),
    (64 * 1024, 65),
])
def test_kdf_parameters_that_would_take_minutes_are_refused(tmp_path, shared_ring, memory_kib, iterations):
    ring, _ = shared_ring
    _refused(_keyring_file(tmp_path, ring, lambda d: d["slots"][0]["kdf"].update(
        memory_kib=memory_kib, iterations=iterations)))
    with pytest.raises(StoreDamaged):
        KdfParams(memory_kib, iterations).check()


def test_kdf_ceilings_are_those_announced():
    from shelter.security import keyring

    assert keyring.MAX_MEMORY_KIB == 1024 * 1024
    KdfParams(1024 * 1024, 8).check()
    KdfParams(512 * 1024, 16).check()
    KdfParams(64 * 1024, 64).check()


@pytest.mark.parametrize("seconds_per_floor_derivation", [1.0, 0.1, 0.01, 0.001, 0.00001])
def test_calibration_on_any_machine_gives_parameters_that_are_accepted(monkeypatch, seconds_per_floor_derivation):
    """calibrate() must never produce what the keyring reader refuses, even
    on a machine much faster than today's."""
    from shelter.security import keyring

    clock = iter([0.0, seconds_per_floor_derivation])
    monkeypatch.setattr(keyring.KdfParams, "derive", lambda self, secret, salt: b"\0" * 32)
    monkeypatch.setattr(keyring.time, "perf_counter", lambda: next(clock))
    params = calibrate(target_seconds=0.5)
    params.check()
    assert params.memory_kib <= 512 * 1024


# -- revision -------------------------------------------------------------------


def test_revision_is_read_written_and_zero_when_missing(tmp_path, ring_and_key):
    ring, _ = ring_and_key
    data = ring.to_json()
    assert data["revision"] == 0
    del data["revision"]
    assert Keyring.from_json(data).revision == 0
    ring.revision = 41
    path = tmp_path / "keyring.json"
    ring.save(path)
    assert json.loads(path.read_text())["revision"] == 41
    assert Keyring.load(path).revision == 41
    for bad in (-1, True, 1.5, "3", 2**63):
        _refused(_keyring_file(tmp_path, ring, lambda d, bad=bad: d.update(revision=bad)))


# -- the delay never overflows and never exceeds its cap (finding B) --------------


@pytest.mark.parametrize("count", [1027, 1100, 2000, 10**6, 10**9, 10**30])
def test_sign_in_delay_never_overflows(count):
    assert sign_in_delay(Failures(count, 0.0)) == 300


def test_seconds_to_wait_is_clamped_whatever_last_at_says():
    from shelter.security.keyring import seconds_to_wait

    now = 1_700_000_000.0
    # Recorded while the clock was a day fast: the wait is the delay itself, not 86,405 s.
    assert seconds_to_wait(Failures(4, now + 86_400), now) == 5
    assert seconds_to_wait(Failures(50, now + 10**9), now) == 300
    assert seconds_to_wait(Failures(4, now - 2), now) == 3
    assert seconds_to_wait(Failures(4, now - 10**6), now) == 0
    assert seconds_to_wait(Failures(3, now), now) == 0
    assert seconds_to_wait(Failures(10**6, 0.0), 0.0) == 300
    assert seconds_to_wait(None, now) == 0
    for last_at in (float("nan"), float("inf"), -float("inf")):
        assert 0 <= seconds_to_wait(Failures(20, last_at), now) <= 300
    for clock in (float("nan"), float("inf"), -1e30, 1e30):
        assert 0 <= seconds_to_wait(Failures(20, now), clock) <= 300


def test_a_fast_clock_does_not_lock_anyone_out_of_the_store(store_dir):
    from shelter.store import Store
    from tests.conftest import ADMIN

    now = 1_700_000_000.0
    path = store_dir / "keyring.json"
    data = json.loads(path.read_text())
    slot = Keyring.from_json(data).user_slot(ADMIN)
    data["sign_in_failures"] = {slot: {"count": 4, "last_at": now + 86_400}}
    path.write_text(json.dumps(data))
    assert Store(store_dir, clock=lambda: now).retry_after(ADMIN) == 5
    data["sign_in_failures"] = {slot: {"count": 2000, "last_at": now}}
    path.write_text(json.dumps(data))
    assert Store(store_dir, clock=lambda: now).retry_after(ADMIN) == 300


# -- an unknown username costs what a known one does (finding C) -------------------


def _spy_derive(monkeypatch) -> list[KdfParams]:
    used: list[KdfParams] = []

    def derive(self, secret, salt):
        used.append(self)
        return hashlib.sha256(secret.encode() + salt).digest()

    monkeypatch.setattr(KdfParams, "derive", derive)
    return used


def test_unknown_username_derives_with_the_stores_own_parameters(monkeypatch):
    used = _spy_derive(monkeypatch)
    calibrated = KdfParams(memory_kib=256 * 1024, iterations=4, lanes=4)
    ring = Keyring.new()
    key = secrets.token_bytes(32)
    ring.add_slot(ring.user_slot("amina"), "first password here", key, calibrated)
    ring.add_slot(ring.user_slot("youssef"), "second password here", key, calibrated)
    ring.add_slot(RECOVERY_SLOT, new_recovery_code(), key, calibrated, kind="recovery")
    used.clear()
    with pytest.raises(WrongPassword):
        ring.unlock(ring.user_slot("amina"), "a wrong password")
    with pytest.raises(WrongPassword):
        ring.unlock(ring.user_slot("nobody"), "a wrong password")
    assert used == [calibrated, calibrated]


def test_unknown_username_uses_the_parameters_most_slots_use(monkeypatch):
    used = _spy_derive(monkeypatch)
    common, odd = KdfParams(128 * 1024, 3, 4), KdfParams(64 * 1024, 5, 2)
    ring = Keyring.new()
    key = secrets.token_bytes(32)
    ring.add_slot(ring.user_slot("salma"), "a password here", key, odd)
    for name in ("amina", "youssef"):
        ring.add_slot(ring.user_slot(name), "a password here", key, common)
    used.clear()
    with pytest.raises(WrongPassword):
        ring.unlock(ring.user_slot("nobody"), "a password here")
    assert used == [common]
    # A keyring with only its recovery slot: that slot's parameters.
    only_recovery = Keyring.new()
    only_recovery.add_slot(RECOVERY_SLOT, new_recovery_code(), key, odd, kind="recovery")
    used.clear()
    with pytest.raises(WrongPassword):
        only_recovery.unlock(only_recovery.user_slot("nobody"), "a password here")
    assert used == [odd]


# -- the keyring file on a disk that cannot be written or read (finding D) -----------


@pytest.mark.parametrize(("code", "words"), [
    (errno.EACCES, "not allowed to write"), (errno.EPERM, "not allowed to write"), (errno.EROFS, "read-only"),
])
def test_saving_where_nothing_can_be_written_says_so(tmp_path, shared_ring, monkeypatch, code, words):
    import os

    from shelter.errors import ShelterError

    ring, _ = shared_ring

    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    # Root ignores mode bits, so a chmod would not stop these tests: the
    # refusal the operating system gives a normal account is simulated.
    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(ShelterError) as err:
        ring.save(tmp_path / "keyring.json")
    assert not isinstance(err.value, StoreDamaged)
    assert words in str(err.value) and "damaged" not in str(err.value).replace("nothing is damaged", "")


def test_saving_on_a_full_disk_says_the_disk_is_full(tmp_path, shared_ring, monkeypatch):
    import os

    from shelter.errors import StorageFull

    ring, _ = shared_ring

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(StorageFull):
        ring.save(tmp_path / "keyring.json")
    assert list(tmp_path.iterdir()) == []


def test_a_keyring_this_account_may_not_read_is_not_called_damaged(tmp_path, shared_ring, monkeypatch):
    from pathlib import Path

    from shelter.errors import ShelterError

    ring, _ = shared_ring
    path = tmp_path / "keyring.json"
    ring.save(path)
    if os.geteuid() != 0:
        path.chmod(0)
    else:  # root reads whatever the mode bits say: simulate the refusal
        real_open = Path.open

        def refuse(self, *args, **kwargs):
            if self == path:
                raise PermissionError(errno.EACCES, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(ShelterError) as err:
        Keyring.load(path)
    assert not isinstance(err.value, StoreDamaged)
    assert "not allowed to read" in str(err.value)


@pytest.mark.parametrize("seconds_per_floor_derivation", [1.0, 0.3, 0.1, 0.05, 0.02, 0.012])
def test_stores_calibrated_before_the_ceilings_still_open(seconds_per_floor_derivation):
    """What calibrate() gave before the ceilings (the old formula, 512 MiB at
    most) on any machine slower than 12 ms per floor derivation is accepted:
    no existing store is locked out by the new limits."""
    factor = 0.5 / seconds_per_floor_derivation
    memory = 64 * 1024
    while memory * 2 <= 512 * 1024 and factor >= 2:
        memory *= 2
        factor /= 2
    iterations = min(64, max(3, round(3 * factor)))
    KdfParams(memory, iterations).check()
