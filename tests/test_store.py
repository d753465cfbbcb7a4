"""The encrypted store on disk: opening, accounts, key rotation, recovery."""

from __future__ import annotations

import shutil

import pytest
import sqlcipher3

from shelter.errors import (
    AccountInactive,
    PermissionDenied,
    SignInDelayed,
    StoreDamaged,
    StoreExists,
    StoreMissing,
    ValidationError,
    WrongPassword,
)
from shelter.security.keyring import Keyring
from shelter.security.permissions import Role
from shelter.services import accounts
from shelter.services.audit_log import AuditFilter, list_entries
from shelter.services.maintenance import rotate_key, verify
from shelter.store import Store
from tests.conftest import ADMIN, ADMIN_PASSWORD, FAST_KDF

OTHER_PASSWORD = "the blue door by the sea"


def test_database_file_is_encrypted(store_dir):
    ring = Keyring.load(store_dir / "keyring.json")
    header = (store_dir / ring.database).read_bytes()[:16]
    assert header != b"SQLite format 3\x00"
    with pytest.raises(sqlcipher3.DatabaseError):
        sqlcipher3.connect(str(store_dir / ring.database)).execute("SELECT * FROM sqlite_schema").fetchall()


def test_right_password_opens_wrong_one_does_not(store_dir):
    store = Store(store_dir)
    with pytest.raises(WrongPassword):
        store.sign_in(ADMIN, "not the password at all")
    who = store.sign_in(ADMIN, ADMIN_PASSWORD)
    assert who.actor.username == ADMIN and Role.ADMINISTRATOR in who.actor.roles
    who.lock()
    assert who.locked


def test_username_is_case_and_space_insensitive(store_dir):
    Store(store_dir).sign_in("  Amina ", ADMIN_PASSWORD).lock()


def test_two_accounts_open_the_same_database_with_their_own_passwords(admin, store_dir):
    accounts.create_account(admin, "youssef", "Youssef Alaoui", [Role.COORDINATOR], OTHER_PASSWORD)
    admin.lock()
    second = Store(store_dir).sign_in("youssef", OTHER_PASSWORD)
    assert second.actor.roles == frozenset({Role.COORDINATOR})
    assert second.actor.must_change_password
    second.lock()
    Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD).lock()


def test_removed_account_cannot_open(admin, store_dir):
    created = accounts.create_account(admin, "youssef", "Youssef Alaoui", [Role.COUNSELLOR], OTHER_PASSWORD)
    accounts.deactivate(admin, created.id)
    admin.lock()
    with pytest.raises(WrongPassword):
        Store(store_dir).sign_in("youssef", OTHER_PASSWORD)


def test_inactive_account_with_a_stale_slot_is_still_refused(admin, store_dir):
    # A keyring restored from an old copy still has the slot; the database says no.
    old_ring = (store_dir / "keyring.json").read_bytes()
    created = accounts.create_account(admin, "youssef", "Youssef Alaoui", [Role.COUNSELLOR], OTHER_PASSWORD)
    with_slot = (store_dir / "keyring.json").read_bytes()
    accounts.deactivate(admin, created.id)
    admin.lock()
    assert old_ring != with_slot
    (store_dir / "keyring.json").write_bytes(with_slot)
    with pytest.raises(AccountInactive):
        Store(store_dir).sign_in("youssef", OTHER_PASSWORD)


def test_change_password_rewraps_only_that_slot(admin, store_dir):
    ring_before = Keyring.load(store_dir / "keyring.json")
    db_before = (store_dir / ring_before.database).stat().st_size
    accounts.change_password(admin, ADMIN_PASSWORD, OTHER_PASSWORD)
    admin.lock()
    with pytest.raises(WrongPassword):
        Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    who = Store(store_dir).sign_in(ADMIN, OTHER_PASSWORD)
    who.lock()
    ring_after = Keyring.load(store_dir / "keyring.json")
    assert ring_after.database == ring_before.database and ring_after.generation == ring_before.generation
    assert (store_dir / ring_after.database).stat().st_size >= db_before


def test_change_password_checks_the_current_one_and_the_rules(admin):
    with pytest.raises(ValidationError) as err:
        accounts.change_password(admin, "wrong current password", OTHER_PASSWORD)
    assert err.value.field == "current_password"
    with pytest.raises(ValidationError) as err:
        accounts.change_password(admin, ADMIN_PASSWORD, "short")
    assert err.value.field == "new_password"


def test_rotate_key_locks_out_old_key_and_old_keyring(admin, store_dir):
    accounts.create_account(admin, "youssef", "Youssef Alaoui", [Role.COORDINATOR], OTHER_PASSWORD)
    old_ring_bytes = (store_dir / "keyring.json").read_bytes()
    old_ring = Keyring.load(store_dir / "keyring.json")
    old_key = admin.store.key
    generation = rotate_key(admin)
    assert generation == 1
    new_ring = Keyring.load(store_dir / "keyring.json")
    assert new_ring.database != old_ring.database
    assert not (store_dir / old_ring.database).exists()
    # Data and history survived.
    entries = list_entries(admin, AuditFilter(action="store.rotate_key"))
    assert [e.outcome for e in entries] == ["ok", "started"]
    admin.lock()
    # The old key does not open the new file.
    conn = sqlcipher3.connect(str(store_dir / new_ring.database))
    conn.execute(f"PRAGMA key = \"x'{old_key.hex()}'\"")
    with pytest.raises(sqlcipher3.DatabaseError):
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
    conn.close()
    # An old copy of the keyring opens nothing any more.
    saved = store_dir / "keyring.json"
    current = saved.read_bytes()
    saved.write_bytes(old_ring_bytes)
    with pytest.raises(StoreDamaged):
        Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    saved.write_bytes(current)
    # Both remaining accounts still open the store with their passwords.
    Store(store_dir).sign_in("youssef", OTHER_PASSWORD).lock()
    who = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    assert verify(who).ok
    who.lock()


def test_rotation_drops_slots_the_database_does_not_vouch_for(admin, store_dir):
    # Someone with write access slips a slot into the keyring file: it must
    # not receive the new key.
    intruder_ring = Keyring.load(store_dir / "keyring.json")
    intruder_ring.add_slot(intruder_ring.user_slot("intruder"), "intruder password 1", admin.store.key, FAST_KDF)
    admin.store.keyring.slots[intruder_ring.user_slot("intruder")] = intruder_ring.slots[intruder_ring.user_slot("intruder")]
    rotate_key(admin)
    admin.lock()
    ring = Keyring.load(store_dir / "keyring.json")
    assert ring.user_slot("intruder") not in ring.slots
    with pytest.raises(WrongPassword):
        Store(store_dir).sign_in("intruder", "intruder password 1")


def test_crash_during_rotation_leaves_the_store_openable(admin, store_dir, monkeypatch):
    from shelter.security import keyring as keyring_module

    def power_cut(self, path):  # noqa: ANN001
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(keyring_module.Keyring, "save", power_cut)
    with pytest.raises(OSError):
        rotate_key(admin)
    monkeypatch.undo()
    admin.store.close()
    who = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)  # old keyring, old file: still fine
    assert verify(who).ok
    who.lock()
    assert sorted(p.name for p in store_dir.glob("shelter*.db")) == ["shelter.db"]


def test_recovery_code_sets_a_new_administrator_password(store_dir, recovery_code):
    store = Store(store_dir)
    with pytest.raises(WrongPassword):
        store.recover("AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF", ADMIN, OTHER_PASSWORD)
    who = store.recover(recovery_code.lower().replace("-", " "), ADMIN, OTHER_PASSWORD)
    who.lock()
    with pytest.raises(WrongPassword):
        Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    Store(store_dir).sign_in(ADMIN, OTHER_PASSWORD).lock()
    # The printed code keeps working.
    Store(store_dir).recover(recovery_code, ADMIN, ADMIN_PASSWORD).lock()


def test_recovery_only_for_administrators(admin, store_dir, recovery_code):
    accounts.create_account(admin, "youssef", "Youssef Alaoui", [Role.COUNSELLOR], OTHER_PASSWORD)
    admin.lock()
    with pytest.raises(ValidationError):
        Store(store_dir).recover(recovery_code, "youssef", "a new password for him")


def test_failed_sign_ins_delay_then_are_audited(store_dir):
    now = [1_000_000.0]
    store = Store(store_dir, clock=lambda: now[0])
    for _ in range(3):
        with pytest.raises(WrongPassword):
            store.sign_in(ADMIN, "wrong password typed")
    with pytest.raises(WrongPassword) as fourth:
        store.sign_in(ADMIN, "wrong password typed")
    assert fourth.value.retry_after == 5
    with pytest.raises(SignInDelayed) as delayed:
        store.sign_in(ADMIN, ADMIN_PASSWORD)  # even the right password waits
    assert delayed.value.seconds == 5
    now[0] += 5
    who = store.sign_in(ADMIN, ADMIN_PASSWORD)
    failed = list_entries(who, AuditFilter(action="sign_in.failed"))
    assert len(failed) == 4 and all(e.record_id == str(who.actor.account_id) for e in failed)
    assert store.retry_after(ADMIN) == 0
    who.lock()


def test_never_a_permanent_lock_out(store_dir):
    now = [0.0]
    store = Store(store_dir, clock=lambda: now[0])
    for _ in range(30):
        try:
            store.sign_in(ADMIN, "wrong password typed")
        except SignInDelayed as exc:
            assert exc.seconds <= 300
            now[0] += exc.seconds
        except WrongPassword:
            pass
    now[0] += 300
    store.sign_in(ADMIN, ADMIN_PASSWORD).lock()


def test_missing_folder_and_missing_store(tmp_path):
    with pytest.raises(StoreMissing):
        Store(tmp_path / "nowhere").sign_in(ADMIN, ADMIN_PASSWORD)
    with pytest.raises(StoreMissing):
        Store(tmp_path).sign_in(ADMIN, ADMIN_PASSWORD)


def test_missing_database_file(store_dir):
    (store_dir / "shelter.db").unlink()
    with pytest.raises(StoreDamaged):
        Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)


def test_create_refuses_an_existing_store_and_bad_input(store_dir, tmp_path):
    with pytest.raises(StoreExists):
        Store.create(store_dir, shelter_name="X", shelter_code="XX", admin_username="bob",
                     admin_password=ADMIN_PASSWORD, kdf=FAST_KDF)
    cases = [
        ({"shelter_name": "  "}, "shelter_name"),
        ({"shelter_code": "a b"}, "code"),
        ({"admin_username": "Bad Name!"}, "username"),
        ({"admin_password": "short"}, "password"),
    ]
    for change, field in cases:
        args = dict(shelter_name="Dar", shelter_code="RBT", admin_username="bob", admin_password=ADMIN_PASSWORD)
        args.update(change)
        with pytest.raises(ValidationError) as err:
            Store.create(tmp_path / "new", kdf=FAST_KDF, **args)
        assert err.value.field == field
    assert not (tmp_path / "new").exists() or not any((tmp_path / "new").iterdir())


def test_last_administrator_is_protected(admin):
    with pytest.raises(ValidationError):
        accounts.set_roles(admin, admin.actor.account_id, [Role.COORDINATOR])
    with pytest.raises(ValidationError):
        accounts.deactivate(admin, admin.actor.account_id)


def test_reset_password_forces_a_change(admin, store_dir):
    created = accounts.create_account(admin, "youssef", "Youssef Alaoui", [Role.COUNSELLOR], OTHER_PASSWORD,
                                      must_change_password=False)
    accounts.reset_password(admin, created.id, "temporary password 42")
    admin.lock()
    with pytest.raises(WrongPassword):
        Store(store_dir).sign_in("youssef", OTHER_PASSWORD)
    who = Store(store_dir).sign_in("youssef", "temporary password 42")
    assert who.actor.must_change_password
    accounts.change_password(who, "temporary password 42", "my own new passphrase")
    who.lock()
    assert not Store(store_dir).sign_in("youssef", "my own new passphrase").actor.must_change_password


def test_services_refuse_roles_without_permission(admin, store_dir):
    accounts.create_account(admin, "youssef", "Youssef Alaoui", [Role.COUNSELLOR], OTHER_PASSWORD,
                            must_change_password=False)
    admin.lock()
    who = Store(store_dir).sign_in("youssef", OTHER_PASSWORD)
    with pytest.raises(PermissionDenied):
        accounts.list_accounts(who)
    with pytest.raises(PermissionDenied):
        rotate_key(who)
    who.lock()


def test_locked_session_cannot_be_used(admin):
    admin.lock()
    with pytest.raises(StoreMissing):
        accounts.list_accounts(admin)


def test_copy_of_store_elsewhere_still_opens(store_dir, tmp_path):
    # The store is a folder: moving it (to a new workstation) keeps it working.
    moved = tmp_path / "moved"
    shutil.copytree(store_dir, moved)
    Store(moved).sign_in(ADMIN, ADMIN_PASSWORD).lock()
