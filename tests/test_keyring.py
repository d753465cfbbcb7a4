"""Key slots: wrapping, unwrapping, tampering, file errors."""

from __future__ import annotations

import json
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
