"""Two sessions on one store: what one does to the keyring, the other can
never undo, and a session whose key or account changed elsewhere stops at
its next action instead of writing where nobody will read.

The other session is a real second process (the administrator's command
line) where the finding was about processes, so the keyring lock and the
database's write lock are the operating system's, not this test's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from shelter.errors import KeyRotated, PasswordChangeRequired, SessionEnded, SignInDelayed, WrongPassword
from shelter.security.keyring import RECOVERY_SLOT, Keyring, normalise_recovery_code
from shelter.security.permissions import Role
from shelter.services import accounts, admissions, beds, documents, export, residents
from shelter.services.maintenance import rotate_key, verify
from shelter.store import Store
from tests.cases import COORDINATOR_PASSWORD, admission, bed_ids
from tests.conftest import ADMIN, ADMIN_PASSWORD

ROOT = Path(__file__).resolve().parents[1]


def cli(store_dir: Path, *args: str, stdin: str = ADMIN_PASSWORD + "\n") -> subprocess.CompletedProcess:
    """The administrator's command line in its own process."""
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--data-dir", str(store_dir), "--lang", "en", *args],
        input=stdin, capture_output=True, text=True, timeout=120, cwd=ROOT,
    )


@pytest.fixture
def coordinator(admin, store_dir):
    from shelter.services import shelters

    shelter = shelters.list_shelters(admin)[0]
    shelters.add_room(admin, shelter.id, "Room 1", beds=4, women_only=True)
    accounts.create_account(admin, "salma", "Salma Idrissi", [Role.COORDINATOR], COORDINATOR_PASSWORD,
                            must_change_password=False)
    who = Store(store_dir).sign_in("salma", COORDINATOR_PASSWORD)
    yield who
    who.lock("sign_out")


def ring(store_dir: Path) -> Keyring:
    return Keyring.load(store_dir / "keyring.json")


def test_rotation_elsewhere_cannot_be_undone_by_a_session_signed_in_before(coordinator, admin, store_dir,
                                                                             recovery_code):
    first = admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    admin.lock("sign_out")
    done = cli(store_dir, "rotate-key", "--user", ADMIN, "--password-stdin")
    assert done.returncode == 0, done.stderr
    # The coordinator's next admission is refused, not silently written into
    # the replaced file; locking afterwards writes nothing to the keyring.
    with pytest.raises(KeyRotated):
        admissions.admit(coordinator, admission(bed_ids(coordinator)[1], "Aisha Okoro", "عائشة أوكورو"))
    coordinator.lock("lock")
    after = ring(store_dir)
    assert after.generation == 1 and after.database == "shelter.g1.db"
    assert not (store_dir / "shelter.db").exists()
    # Every record and the new key survive; the recovery code opens the new file.
    again = Store(store_dir).sign_in("salma", COORDINATOR_PASSWORD)
    try:
        second = admissions.admit(again, admission(bed_ids(again)[1], "Aisha Okoro", "عائشة أوكورو"))
        found = {r.case_number for r in residents.search_residents(again, "")}
        assert {first.case_number, second.case_number} <= found
    finally:
        again.lock("sign_out")
    key = ring(store_dir).unlock(RECOVERY_SLOT, normalise_recovery_code(recovery_code))
    assert len(key) == 32
    checked = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    try:
        assert verify(checked).ok
    finally:
        checked.lock("sign_out")


def test_a_deactivated_account_stays_out_when_another_session_locks(admin, coordinator, store_dir):
    other = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)  # a second window, signed in before
    salma = next(a for a in accounts.list_accounts(admin) if a.username == "salma")
    accounts.deactivate(admin, salma.id)
    other.lock("lock")
    coordinator_slot = ring(store_dir).user_slot("salma")
    assert coordinator_slot not in ring(store_dir).slots
    with pytest.raises(WrongPassword):
        Store(store_dir).sign_in("salma", COORDINATOR_PASSWORD)
    # The coordinator's own open session ends at its next action.
    with pytest.raises(SessionEnded):
        beds.bed_board(coordinator)


def test_a_new_recovery_code_issued_elsewhere_stays_valid(admin, store_dir, recovery_code):
    other = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    new_code = documents.new_recovery_code(admin)
    other.lock("lock")
    # Until the new sheet is confirmed, both codes open the store.
    assert ring(store_dir).unlock_recovery(normalise_recovery_code(new_code))
    assert ring(store_dir).unlock_recovery(normalise_recovery_code(recovery_code))
    documents.confirm_recovery_code(admin, new_code)
    admin.lock("lock")
    on_disk = ring(store_dir)
    assert on_disk.unlock(RECOVERY_SLOT, normalise_recovery_code(new_code))
    with pytest.raises(WrongPassword):
        on_disk.unlock_recovery(normalise_recovery_code(recovery_code))


@pytest.mark.parametrize("step", ["vouch", "keyring", "confirm-keyring", "confirm-database"])
def test_a_failure_at_each_step_of_a_new_recovery_code_leaves_a_code_that_works(admin, store_dir, recovery_code,
                                                                                 monkeypatch, step):
    """A failure injected at each step: the code a person holds (the old one
    until the new one was returned and confirmed) still opens the store, and
    still does after a key rotation."""
    from shelter.store import OpenStore

    def fail(*args, **kwargs):
        raise OSError("power cut")

    new_code = None
    if step == "vouch":
        monkeypatch.setattr(OpenStore, "audit", fail)
    elif step == "keyring":
        monkeypatch.setattr(OpenStore, "save_keyring", fail)
    if step in ("vouch", "keyring"):
        with pytest.raises(OSError):
            documents.new_recovery_code(admin)
        holds = recovery_code
    else:
        new_code = documents.new_recovery_code(admin)
        if step == "confirm-keyring":
            monkeypatch.setattr(OpenStore, "save_keyring", fail)
            holds = recovery_code  # not confirmed: the old one is still the one in force
        else:  # the keyring has switched; the database's write after it fails
            monkeypatch.setattr(OpenStore, "write", fail)
            holds = new_code
        with pytest.raises(OSError):
            documents.confirm_recovery_code(admin, new_code)
    monkeypatch.undo()
    admin.lock("sign_out")
    # The next sign-in settles what was left half-way; a rotation keeps it.
    who = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    rotate_key(who)
    assert verify(who).ok
    who.lock("sign_out")
    Store(store_dir).recover(holds, ADMIN, "a brand new passphrase").lock("sign_out")


def test_an_account_made_during_another_session_keeps_its_slot(admin, store_dir):
    other = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    accounts.create_account(other, "karim", "Karim Alaoui", [Role.SOCIAL_WORKER], "olive lamp river stone",
                            must_change_password=False)
    admin.lock("lock")  # signed in before the account existed
    other.lock("lock")
    Store(store_dir).sign_in("karim", "olive lamp river stone").lock("sign_out")


def test_a_password_changed_elsewhere_ends_the_old_session(admin, store_dir):
    other = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    accounts.change_password(other, ADMIN_PASSWORD, "quiet harbour morning bread")
    accounts.list_accounts(other)  # the session that changed it goes on
    with pytest.raises(SessionEnded):
        accounts.list_accounts(admin)
    other.lock("sign_out")


def test_every_keyring_write_raises_the_revision(admin, store_dir):
    before = ring(store_dir).revision
    accounts.create_account(admin, "karim", "Karim Alaoui", [Role.SOCIAL_WORKER], "olive lamp river stone")
    assert ring(store_dir).revision == before + 1


def test_parallel_wrong_passwords_are_all_counted_and_audited(store_dir):
    """Eight processes try a wrong password at the same moment: all eight
    count towards the delay, and all eight reach the audit log."""
    script = (
        "import sys\n"
        "from shelter.store import Store\n"
        "from shelter.errors import ShelterError\n"
        "try:\n"
        "    Store(sys.argv[1]).sign_in('amina', 'not the password at all')\n"
        "except ShelterError as exc:\n"
        "    print(type(exc).__name__)\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(store_dir)], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True) for _ in range(8)]
    outcomes = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert sorted(set(outcomes)) <= ["SignInDelayed", "WrongPassword"], outcomes
    attempted = outcomes.count("WrongPassword")
    on_disk = ring(store_dir)
    assert on_disk.failures[on_disk.user_slot(ADMIN)].count == attempted
    assert attempted <= 4  # three free attempts and the first delayed one, no more
    who = None
    import time

    time.sleep(0)  # the delay is the clock's: wait it out with a clock of our own
    store = Store(store_dir, clock=lambda: time.time() + 3600)
    who = store.sign_in(ADMIN, ADMIN_PASSWORD)
    try:
        from shelter.services.audit_log import AuditFilter, list_entries

        failed = list_entries(who, AuditFilter(action="sign_in.failed"))
        assert len(failed) == attempted
    finally:
        who.lock("sign_out")


def test_delay_is_capped_whatever_the_stored_time(store_dir):
    """Failures noted while the clock was a day fast never mean a wait past
    the five-minute cap."""
    import time

    fast = Store(store_dir, clock=lambda: time.time() + 86400)
    for _ in range(12):
        with pytest.raises((WrongPassword, SignInDelayed)):
            fast.sign_in(ADMIN, "wrong wrong wrong wrong")
    assert 0 < Store(store_dir).retry_after(ADMIN) <= 300


def test_threads_of_one_process_take_turns_on_the_keyring(store_dir):
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            Store(store_dir).sign_in(ADMIN, "wrong wrong wrong wrong")
        except (WrongPassword, SignInDelayed):
            pass
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    on_disk = ring(store_dir)
    assert on_disk.failures[on_disk.user_slot(ADMIN)].count == 4
    assert len(on_disk.pending_failures) == 4


def test_temporary_password_allows_only_changing_it(admin, store_dir):
    accounts.create_account(admin, "salma", "Salma Idrissi", [Role.COORDINATOR], "night shift green tea")
    who = Store(store_dir).sign_in("salma", "night shift green tea")
    try:
        assert who.actor.must_change_password
        with pytest.raises(PasswordChangeRequired):
            beds.bed_board(who)
        with pytest.raises(PasswordChangeRequired):
            export.export_document(who)
        accounts.change_password(who, "night shift green tea", "amber window quiet field")
        beds.bed_board(who)
    finally:
        who.lock("sign_out")


def test_temporary_password_cannot_export_from_the_command_line(admin, store_dir, tmp_path):
    accounts.create_account(admin, "salma", "Salma Idrissi", [Role.COORDINATOR, Role.ADMINISTRATOR],
                            "night shift green tea")
    admin.lock("sign_out")
    out = tmp_path / "export.json"
    done = cli(store_dir, "export", "--user", "salma", "--password-stdin", "--out", str(out),
               stdin="night shift green tea\n")
    assert done.returncode != 0
    assert "temporary password" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


def test_killed_writers_leave_no_temporary_files_after_the_next_sign_in(admin, store_dir):
    leftover = store_dir / ".keyring.json.dead0000.tmp"
    leftover.write_bytes(b"half a keyring")
    head_leftover = store_dir / ".audit-head.json.dead0000.tmp"
    head_leftover.write_bytes(b"half a head")
    Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD).lock("sign_out")
    assert not leftover.exists() and not head_leftover.exists()


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_rotated_database_and_its_companions_are_owner_only(admin, store_dir):
    accounts.list_accounts(admin)
    rotate_key(admin)
    accounts.list_accounts(admin)  # opens the write-ahead log of the new file
    for path in store_dir.iterdir():
        if path.name.startswith("shelter") or path.name.endswith(".json"):
            assert path.stat().st_mode & 0o077 == 0, path.name


def test_keyring_file_is_plain_json_with_a_revision(admin, store_dir):
    data = json.loads((store_dir / "keyring.json").read_text())
    assert isinstance(data["revision"], int)


def test_no_python_object_holds_the_key_after_locking(store_dir):
    """What Shelter controls: after locking, no str, bytes or bytearray that
    the garbage collector can reach holds the database key, in raw or hex
    form. (Copies inside SQLite's own memory are beyond this test; the
    storage-format document says so.)"""
    import gc

    who = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    key = bytes(who.store.key)
    accounts.list_accounts(who)
    who.lock("sign_out")
    hexed = key.hex()
    del who
    gc.collect()
    holders = []
    for obj in gc.get_objects():
        for value in (obj.values() if isinstance(obj, dict) else obj if isinstance(obj, (list, tuple)) else ()):
            if isinstance(value, str) and hexed in value:
                holders.append("str")
            elif isinstance(value, (bytes, bytearray)) and value is not key and (key in value or hexed.encode() in value):
                holders.append(type(value).__name__)
    assert holders == []


def test_verify_is_not_fooled_by_a_commit_made_while_it_checks(admin, store_dir, monkeypatch):
    """Another session commits between the chain check and the head check:
    no false alarm (the head is compared under the write lock)."""
    from shelter.services import maintenance

    other = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    real = maintenance.verify_chain

    def chain_then_a_commit(*args, **kwargs):
        report = real(*args, **kwargs)
        accounts.list_accounts(other)
        accounts.create_account(other, f"k{len(accounts.list_accounts(other))}", "Karim", [Role.SOCIAL_WORKER],
                                "olive lamp river stone")
        return report

    monkeypatch.setattr(maintenance, "verify_chain", chain_then_a_commit)
    assert verify(admin).ok
    monkeypatch.undo()
    other.lock("sign_out")
    assert verify(admin).ok  # and no head finding was recorded at any sign-in


def test_a_session_reconnecting_to_a_rotated_file_is_told_so_and_creates_nothing(admin, store_dir):
    other = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    rotate_key(other)
    admin.store.engine.dispose()  # the pool opens a fresh connection next time
    with pytest.raises(KeyRotated):
        accounts.list_accounts(admin)
    assert not (store_dir / "shelter.db").exists()
    other.lock("sign_out")


def test_a_rotation_during_a_sign_in_derivation_still_signs_in(admin, store_dir, monkeypatch):
    from shelter.security import keyring as keyring_module

    real = keyring_module.Keyring.unlock_pair
    calls = []

    def unlock_then_rotate(self, slot_id, secret):
        opened = real(self, slot_id, secret)
        if not calls:
            calls.append(1)
            rotate_key(admin)  # elsewhere, while this attempt derived its key
        return opened

    monkeypatch.setattr(keyring_module.Keyring, "unlock_pair", unlock_then_rotate)
    who = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    monkeypatch.undo()
    assert who.store.generation == 1
    accounts.list_accounts(who)
    who.lock("sign_out")


def test_confirming_a_code_replaced_meanwhile_is_refused(admin, store_dir, recovery_code):
    other = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    first = documents.new_recovery_code(admin)
    second = documents.new_recovery_code(other)
    documents.confirm_recovery_code(other, second)
    from shelter.errors import ValidationError

    with pytest.raises(ValidationError):
        documents.confirm_recovery_code(admin, first)
    documents.confirm_recovery_code(other, second)  # confirming twice is harmless
    other.lock("sign_out")
    assert ring(store_dir).unlock_recovery(normalise_recovery_code(second))


def test_a_confirmation_never_drops_a_newer_code_vouched_meanwhile(admin, store_dir):
    """A's confirmation, then B's new code: B's code survives the next
    sign-in and a rotation, and B's confirmation makes it the one in force."""
    other = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    first = documents.new_recovery_code(admin)
    documents.confirm_recovery_code(admin, first)
    second = documents.new_recovery_code(other)
    again = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    rotate_key(again)
    documents.confirm_recovery_code(again, second)
    again.lock("sign_out")
    assert ring(store_dir).unlock(RECOVERY_SLOT, normalise_recovery_code(second))
