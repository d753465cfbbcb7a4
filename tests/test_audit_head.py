"""The audit head outside the database: a log cut short, a head edited,
nulled or deleted, an older copy of the database put back, all reported by
``verify``; a kill between the commit and the head's second step is not."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest

from shelter.security.audit_head import HEAD_NAME
from shelter.security.keyring import Keyring
from shelter.services import shelters
from shelter.services.maintenance import verify
from shelter.storage.database import connect_raw
from shelter.store import Store
from tests.conftest import ADMIN, ADMIN_PASSWORD


def database_key(store_dir: Path) -> bytes:
    ring = Keyring.load(store_dir / "keyring.json")
    return ring.unlock(ring.user_slot(ADMIN), ADMIN_PASSWORD)


def cut_log(store_dir: Path, keep: int | None) -> None:
    """What someone holding the database key can do at the SQL level: drop
    the triggers and delete entries from the end (or all of them)."""
    ring = Keyring.load(store_dir / "keyring.json")
    conn = connect_raw(store_dir / ring.database, database_key(store_dir))
    try:
        conn.execute("DROP TRIGGER audit_entry_no_delete")
        if keep is None:
            conn.execute("DELETE FROM audit_entry")
        else:
            conn.execute("DELETE FROM audit_entry WHERE id > ?", (keep,))
    finally:
        conn.close()


def last_entry(store_dir: Path) -> int:
    ring = Keyring.load(store_dir / "keyring.json")
    conn = connect_raw(store_dir / ring.database, database_key(store_dir))
    try:
        return conn.execute("SELECT max(id) FROM audit_entry").fetchone()[0] or 0
    finally:
        conn.close()


def report(store_dir: Path):
    who = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    try:
        return verify(who)
    finally:
        who.lock("sign_out")


_names = itertools.count(1)


def some_work(store_dir: Path, rooms: int = 2) -> None:
    who = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    try:
        shelter = shelters.list_shelters(who)[0]
        for _ in range(rooms):
            shelters.add_room(who, shelter.id, f"Room {next(_names)}", beds=1, women_only=True)
    finally:
        who.lock("sign_out")


def test_an_intact_store_verifies(store_dir):
    some_work(store_dir)
    assert report(store_dir).ok


def test_a_cut_tail_is_reported(store_dir):
    some_work(store_dir)
    cut_log(store_dir, last_entry(store_dir) - 2)
    result = report(store_dir)
    assert not result.ok and not result.audit_ok
    assert "did not match the recorded head" in result.audit_problem


def test_a_cut_tail_with_the_head_edited_to_match_is_reported(store_dir):
    some_work(store_dir)
    keep = last_entry(store_dir) - 2
    cut_log(store_dir, keep)
    head = json.loads((store_dir / HEAD_NAME).read_text())
    head["confirmed"]["sequence"] = head["pending"]["sequence"] = keep
    (store_dir / HEAD_NAME).write_text(json.dumps(head))
    assert not report(store_dir).audit_ok


@pytest.mark.parametrize("change", ["null", "delete", "garbage", "other store"])
def test_a_head_nulled_deleted_or_foreign_is_reported(store_dir, tmp_path, change):
    some_work(store_dir)
    path = store_dir / HEAD_NAME
    if change == "null":
        head = json.loads(path.read_text())
        head["confirmed"] = head["pending"] = None
        path.write_text(json.dumps(head))
    elif change == "delete":
        path.unlink()
    elif change == "garbage":
        path.write_bytes(b"\x00\xff{not json")
    else:
        head = json.loads(path.read_text())
        head["store_id"] = "AAAAAAAAAAAAAAAAAAAAAA=="
        path.write_text(json.dumps(head))
    assert not report(store_dir).audit_ok


def test_wiping_every_entry_is_reported(store_dir):
    some_work(store_dir)
    cut_log(store_dir, None)
    assert not report(store_dir).audit_ok


def test_the_newest_entries_removed_after_a_kill_are_reported(store_dir, monkeypatch):
    """The application was killed after its last commit (the head's second
    step never ran); someone then removes the entries of that last
    transaction and of the ones before it."""
    from shelter.security import audit_head

    some_work(store_dir, rooms=3)
    monkeypatch.setattr(audit_head.AuditHeadFile, "confirm", lambda *a, **k: None)
    some_work(store_dir, rooms=1)
    monkeypatch.undo()
    cut_log(store_dir, last_entry(store_dir) - 4)
    assert not report(store_dir).audit_ok


def test_an_older_copy_of_the_database_put_back_is_reported(store_dir, tmp_path):
    some_work(store_dir)
    ring = Keyring.load(store_dir / "keyring.json")
    saved = tmp_path / "old"
    saved.mkdir()
    for name in (ring.database, ring.database + "-wal", ring.database + "-shm"):
        if (store_dir / name).exists():
            shutil.copy2(store_dir / name, saved / name)
    some_work(store_dir)
    for name in (ring.database + "-wal", ring.database + "-shm"):
        (store_dir / name).unlink(missing_ok=True)
    for copy in saved.iterdir():
        shutil.copy2(copy, store_dir / copy.name)
    assert not report(store_dir).audit_ok


def test_a_kill_between_commit_and_head_confirmation_is_not_an_alarm(store_dir, monkeypatch):
    from shelter.security import audit_head

    monkeypatch.setattr(audit_head.AuditHeadFile, "confirm", lambda *a, **k: None)
    some_work(store_dir)
    monkeypatch.undo()
    assert report(store_dir).ok


def test_a_commit_that_failed_after_the_head_was_prepared_is_not_an_alarm(store_dir, monkeypatch):
    from sqlalchemy.orm import SessionTransaction

    who = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    shelter = shelters.list_shelters(who)[0]

    def refuse(self):  # noqa: ANN001
        raise OSError("power cut")

    monkeypatch.setattr(SessionTransaction, "commit", refuse)
    with pytest.raises(OSError):
        shelters.add_room(who, shelter.id, "Room X", beds=1, women_only=True)
    monkeypatch.undo()
    who.lock("sign_out")
    assert report(store_dir).ok


def test_head_file_names_the_last_entry_after_every_audited_write(store_dir):
    some_work(store_dir)
    head = json.loads((store_dir / HEAD_NAME).read_text())
    assert head["pending"] == head["confirmed"]
    assert head["pending"]["sequence"] == last_entry(store_dir)


def test_a_store_without_a_head_file_from_an_older_version_is_accepted_once(store_dir):
    """Stores made before the head file kept an unauthenticated head in the
    keyring: trusted while there is no head file, then replaced by it."""
    some_work(store_dir)
    ring = Keyring.load(store_dir / "keyring.json")
    conn = connect_raw(store_dir / ring.database, database_key(store_dir))
    try:
        last = conn.execute("SELECT id, mac FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    ring.audit_head = {"sequence": last[0], "mac": last[1]}
    ring.save(store_dir / "keyring.json")
    (store_dir / HEAD_NAME).unlink()
    assert report(store_dir).ok
    assert (store_dir / HEAD_NAME).exists()
