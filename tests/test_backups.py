"""Backups: made and verified, rotated, copied to a second place, checked
for every kind of damage, restored with equal content, drilled, and a log
cut after a backup shown by ``verify``. The faults are real: a small tmpfs
for a full disk, a read-only mount, a folder removed in the middle of a
copy."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shelter.backup import PARTIAL, list_backups, read_manifest, table_digests
from shelter.domain.backups import Kept, to_keep
from shelter.errors import StorageFull, WrongPassword
from shelter.services import admissions, backups, settings
from shelter.services.maintenance import verify
from shelter.storage.database import connect_raw
from shelter.store import Store
from tests.cases import admission, bed_ids
from tests.conftest import ADMIN, ADMIN_PASSWORD


def digests(folder: Path, key: bytes) -> dict[str, tuple[int, str]]:
    manifest = read_manifest(folder)
    conn = connect_raw(folder / manifest["database"], key)
    try:
        return table_digests(conn)
    finally:
        conn.close()


@pytest.fixture
def made(coordinator, admin):
    admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    return backups.back_up(admin)


def test_a_backup_is_verified_and_says_so(admin, made):
    assert made.ok and made.info.state == "verified"
    manifest = read_manifest(made.info.folder)
    assert manifest["schema_revision"] == "0009" and manifest["audit_head"]["sequence"] > 0
    assert set(manifest["files"]) == {"shelter.db", "keyring.json", "audit-head.json"}
    assert [b.name for b in backups.backups(admin)] == [made.info.name]
    status = backups.status(admin)
    assert status.last_verified.name == made.info.name and not status.stale


def test_backup_then_restore_gives_equal_content_in_every_table(admin, made, store_dir, tmp_path):
    key = bytes(admin.store.key)
    before = digests(made.info.folder, key)
    plan, scratch = backups.plan_restore(made.info.folder, tmp_path / "elsewhere", ADMIN, ADMIN_PASSWORD)
    assert plan.check.ok and not plan.replaces
    restored = backups.restore(plan, scratch, tmp_path / "elsewhere", ADMIN, ADMIN_PASSWORD)
    try:
        conn = connect_raw(restored.store.database_path, restored.store.key)
        try:
            after = table_digests(conn)
        finally:
            conn.close()
        # Every table as it was; signing in to the restored store adds its
        # own audit entries and stamps the account's last sign-in, nothing else.
        assert {t: v for t, v in after.items() if t not in ("audit_entry", "staff_account")} == {
            t: v for t, v in before.items() if t not in ("audit_entry", "staff_account")}
        head = made.info.audit_sequence
        rows = lambda path, k: connect_raw(path, k).execute(  # noqa: E731
            "SELECT * FROM audit_entry WHERE id <= ? ORDER BY id", (head,)).fetchall()
        assert rows(restored.store.database_path, restored.store.key) == rows(
            made.info.folder / "shelter.db", key) and len(rows(made.info.folder / "shelter.db", key)) == head
        assert verify(restored).ok
    finally:
        restored.lock("sign_out")


@pytest.mark.parametrize("target", ["shelter.db", "keyring.json", "audit-head.json", "manifest.json"])
def test_a_flipped_byte_in_any_file_is_reported(admin, made, target):
    path = made.info.folder / target
    data = bytearray(path.read_bytes())
    at = len(data) // 2 if target != "manifest.json" else data.index(b'"label"') + 10
    data[at] ^= 0x01
    path.write_bytes(bytes(data))
    check = backups.verify_backup(admin, made.info.folder)
    assert not check.ok and check.problems


def test_a_missing_file_and_an_edited_manifest_are_reported(admin, made):
    (made.info.folder / "keyring.json").unlink()
    check = backups.verify_backup(admin, made.info.folder)
    assert not check.ok and "keyring.json is missing." in check.problems
    shutil.copy(made.info.folder / "shelter.db", made.info.folder / "keyring.json")  # any file will not do
    manifest = json.loads((made.info.folder / "manifest.json").read_text())
    manifest["files"]["keyring.json"]["sha256"] = __import__("hashlib").sha256(
        (made.info.folder / "keyring.json").read_bytes()).hexdigest()
    (made.info.folder / "manifest.json").write_text(json.dumps(manifest))
    check = backups.verify_backup(admin, made.info.folder)
    assert not check.ok and "The manifest was changed after the backup was made." in check.problems
    assert backups.backups(admin)[0].state == "failed"


def test_a_backup_made_by_a_newer_version_is_refused(admin, made, tmp_path):
    manifest = json.loads((made.info.folder / "manifest.json").read_text())
    manifest["schema_revision"] = "9999"
    manifest["application_version"] = "9.0"
    (made.info.folder / "manifest.json").write_text(json.dumps(manifest))
    check = backups.verify_backup(admin, made.info.folder)
    assert check.newer and "newer version of Shelter (9.0)" in check.problems[0]
    plan, scratch = backups.plan_restore(made.info.folder, tmp_path / "new", ADMIN, ADMIN_PASSWORD)
    assert not plan.check.ok
    with pytest.raises(backups.BackupFailed, match="newer version"):
        backups.restore(plan, scratch, tmp_path / "new", ADMIN, ADMIN_PASSWORD)
    assert not (tmp_path / "new" / "keyring.json").exists()


def test_restore_needs_the_password_the_backup_knows(made, tmp_path):
    with pytest.raises(WrongPassword):
        backups.plan_restore(made.info.folder, tmp_path / "new", ADMIN, "not the password at all")


def test_restoring_over_a_store_keeps_it_and_says_what_is_lost(admin, coordinator, made, store_dir):
    admissions.admit(coordinator, admission(bed_ids(coordinator)[1], "Aisha Okoro", "عائشة أوكورو"))
    coordinator.lock("sign_out")
    key = bytes(admin.store.key)
    admin.lock("sign_out")
    plan, scratch = backups.plan_restore(made.info.folder, store_dir, ADMIN, ADMIN_PASSWORD)
    assert plan.replaces and plan.check.ok
    changed = {d.table: (d.backup_rows, d.live_rows) for d in plan.comparison.differences}
    assert changed["resident"] == (1, 2) and changed["stay"] == (1, 2)
    summary = "\n".join(backups.restore_summary(plan))
    assert "resident: 1 in the backup, 2 now" in summary and "kept as a backup" in summary
    restored = backups.restore(plan, scratch, store_dir, ADMIN, ADMIN_PASSWORD)
    try:
        kept = [b for b in backups.backups(restored) if b.label == "before-restore"]
        assert len(kept) == 1 and kept[0].state == "verified"
        assert digests(kept[0].folder, key)["resident"][0] == 2  # the replaced store, whole
        with restored.store.read() as s:
            from sqlalchemy import func, select

            from shelter.storage.models import AuditEntry, Resident

            assert s.execute(select(func.count()).select_from(Resident)).scalar() == 1
            entry = s.execute(select(AuditEntry).where(AuditEntry.action == "backup.restore")).scalar_one()
            assert json.loads(entry.detail)["backup"] == made.info.name
        assert verify(restored).ok  # the newer backups are older than the restore: no false alarm
    finally:
        restored.lock("sign_out")


def test_a_restore_cut_off_is_finished_when_the_store_opens(admin, made, store_dir, tmp_path, monkeypatch):
    target = tmp_path / "new"
    plan, scratch = backups.plan_restore(made.info.folder, target, ADMIN, ADMIN_PASSWORD)
    real = os.replace
    calls = []

    def cut(source, destination):
        calls.append(source)
        if len(calls) == 2:
            raise KeyboardInterrupt("power cut")  # the first file moved, the others not
        real(source, destination)

    monkeypatch.setattr(os, "replace", cut)
    with pytest.raises(KeyboardInterrupt):
        backups.restore(plan, scratch, target, ADMIN, ADMIN_PASSWORD)
    monkeypatch.setattr(os, "replace", real)
    assert (target / "restore-journal.json").exists()
    who = Store(target).sign_in(ADMIN, ADMIN_PASSWORD)  # finishes it first
    try:
        assert verify(who).ok and not (target / "restore-journal.json").exists()
    finally:
        who.lock("sign_out")


def test_a_log_cut_after_a_backup_is_reported_by_verify(admin, coordinator, made, store_dir):
    from shelter.security.audit_head import AuditHeadFile, Head

    for _ in range(3):
        admissions.admit(coordinator, admission(bed_ids(coordinator)[1], "Aisha Okoro", "عائشة أوكورو"))
        break
    later = backups.back_up(admin)
    assert later.ok
    # Someone with the key cuts the log back to before the second backup and
    # rewrites the head file to match: only the backup still knows.
    keep = made.info.audit_sequence
    conn = connect_raw(admin.store.database_path, admin.store.key)
    try:
        for (name,) in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'trigger'").fetchall():
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute("DELETE FROM audit_entry WHERE id > ?", (keep,))
        mac = conn.execute("SELECT mac FROM audit_entry WHERE id = ?", (keep,)).fetchone()[0]
    finally:
        conn.close()
    AuditHeadFile(store_dir, admin.store.keyring.store_id).write_complete(admin.store.audit_key, Head(keep, mac))
    report = verify(admin)
    assert not report.ok and "entries were removed from the end" in (report.audit_problem or "")


def test_rotation_keeps_what_the_rules_say_across_a_year():
    start = datetime(2026, 1, 1, 9, tzinfo=UTC)
    alive: list[Kept] = []
    for day in range(365):
        now = start + timedelta(days=day)
        alive.append(Kept(f"b{day:03}", now, "verified"))
        keep = to_keep(alive, 7, 4, 12, now)
        alive = [b for b in alive if b.name in keep]
    days = sorted(b.created_at for b in alive)
    last = start + timedelta(days=364)
    assert [d for d in days if last - d < timedelta(days=7)] == [last - timedelta(days=i) for i in range(6, -1, -1)]
    weeks = {d.isocalendar()[:2] for d in days}
    assert all((last - timedelta(weeks=w)).isocalendar()[:2] in weeks for w in range(4))
    months = {(d.year, d.month) for d in days}
    assert months == {(2026, m) for m in range(1, 13)}
    assert len(alive) <= 7 + 4 + 12
    assert len(alive) >= 12 + 5  # the months, and this week's days beyond them


def test_rotation_never_removes_the_last_verified_backup():
    now = datetime(2027, 6, 1, tzinfo=UTC)
    old = Kept("old", now - timedelta(days=900), "verified")
    failed = [Kept(f"f{i}", now - timedelta(days=i), "failed") for i in range(20)]
    assert to_keep([old, *failed], 7, 4, 12, now) >= {"old"}
    assert to_keep([old], 0, 0, 0, now) == {"old"}
    # Failed ones stay a week for someone to look at; one in flight is never touched.
    assert {"f0", "f6"} <= to_keep(failed, 7, 4, 12, now) and "f7" not in to_keep(failed, 7, 4, 12, now)
    assert "busy" in to_keep([Kept("busy", now - timedelta(days=400), "unverified")], 1, 1, 1, now)


def test_backups_are_rotated_after_each_backup(admin, coordinator):
    settings.update_settings(admin, backup_keep_daily=2, backup_keep_weekly=0, backup_keep_monthly=0)
    base = datetime.now(UTC) - timedelta(days=10)
    made = [backups.back_up(admin, now=base + timedelta(days=i)) for i in range(4)]
    assert [b.name for b in backups.backups(admin)] == [made[3].info.name, made[2].info.name]
    assert (made[2].removed, made[3].removed) == ((made[0].info.name,), (made[1].info.name,))


# -- the second place ---------------------------------------------------------------

@contextlib.contextmanager
def mounted(path: Path, options: str):
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_the_verified_backup_is_copied_to_the_second_place(admin, coordinator, tmp_path):
    usb = tmp_path / "usb"
    settings.update_settings(admin, backup_mirror=str(usb))
    result = backups.back_up(admin)
    assert result.mirrored_to is not None and result.mirror_problem is None
    assert backups.verify_backup(admin, result.mirrored_to).ok
    assert backups.status(admin).mirror_last_ok is not None


def test_a_full_disk_during_a_backup_leaves_no_backup_that_looks_complete(admin, coordinator, store_dir):
    with mounted(store_dir / "backups", "size=64k"):
        with pytest.raises(StorageFull, match="disk is full"):
            backups.back_up(admin)
        assert list_backups(store_dir / "backups") == []
        assert not [p for p in (store_dir / "backups").iterdir() if p.name.endswith(PARTIAL)]
    assert verify(admin).ok  # the store itself lost nothing


def test_a_read_only_second_place_is_said_and_the_backup_kept(admin, coordinator, tmp_path):
    with mounted(tmp_path / "ro", "size=1m,ro") as place:
        settings.update_settings(admin, backup_mirror=str(place))
        result = backups.back_up(admin)
    assert result.ok and result.mirrored_to is None
    assert "cannot be written" in result.mirror_problem
    assert backups.backups(admin)[0].state == "verified"


def test_a_drive_pulled_out_mid_copy_leaves_nothing_that_looks_complete(admin, coordinator, tmp_path, monkeypatch):
    from shelter import backup as backup_module

    usb = tmp_path / "usb"
    settings.update_settings(admin, backup_mirror=str(usb))
    real = shutil.copyfile
    copied = []

    def pulled(source, destination):
        copied.append(source)
        if len(copied) == 2:
            shutil.rmtree(usb)  # the drive is gone
        return real(source, destination)

    monkeypatch.setattr(backup_module.shutil, "copyfile", pulled)
    result = backups.back_up(admin)
    assert result.ok and result.mirrored_to is None and "went away during the copy" in result.mirror_problem
    assert not usb.exists() or list_backups(usb) == []


def test_a_full_second_place_is_said(admin, coordinator, tmp_path):
    with mounted(tmp_path / "small", "size=32k") as place:
        settings.update_settings(admin, backup_mirror=str(place))
        result = backups.back_up(admin)
        assert result.ok and result.mirrored_to is None and "disk is full" in result.mirror_problem
        found = list((place / "shelter-backups").rglob("*")) if (place / "shelter-backups").exists() else []
        assert not any(p.name.endswith(PARTIAL) for p in found)


# -- the drill ---------------------------------------------------------------------------

def test_the_drill_says_what_was_written_since(admin, coordinator, made):
    admissions.admit(coordinator, admission(bed_ids(coordinator)[1], "Aisha Okoro", "عائشة أوكورو"))
    report = backups.drill(admin)
    assert report.ok and report.source.name == made.info.name
    tables = {d.table for d in report.comparison.differences}
    assert {"resident", "stay", "bed_assignment", "audit_entry"} <= tables
    assert "shelter" not in tables and "room" not in tables
    assert backups.status(admin).last_drill is not None and not backups.status(admin).drill_due


def test_a_drill_is_offered_monthly(admin, made):
    assert not backups.status(admin).drill_due
    assert backups.status(admin, now=datetime.now(UTC) + timedelta(days=31)).drill_due


def test_a_stale_backup_is_warned_of(admin, made):
    assert backups.status(admin, now=datetime.now(UTC) + timedelta(days=3)).stale
    assert backups.backup_is_due(admin, now=datetime.now(UTC) + timedelta(hours=25))
    assert not backups.backup_is_due(admin)


# -- killed at random moments ---------------------------------------------------------------

def _backup_process(store_dir: Path) -> subprocess.Popen:
    import sys

    root = Path(__file__).resolve().parents[1]
    return subprocess.Popen([sys.executable, str(root / "main.py"), "--data-dir", str(store_dir), "backup", "--user",
                             ADMIN, "--password-stdin"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=root)


def test_a_backup_killed_at_any_moment_never_looks_complete(admin, coordinator, store_dir):
    import random
    import signal
    import time

    admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    coordinator.lock("sign_out")
    start = time.monotonic()
    p = _backup_process(store_dir)
    p.communicate(f"{ADMIN_PASSWORD}\n".encode(), timeout=120)
    whole = time.monotonic() - start
    assert p.returncode == 0
    chance = random.Random(15)
    for _ in range(8):
        p = _backup_process(store_dir)
        p.stdin.write(f"{ADMIN_PASSWORD}\n".encode())
        p.stdin.close()
        time.sleep(whole * chance.uniform(0.3, 1.0))
        with contextlib.suppress(ProcessLookupError):
            os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=60)
    for info in list_backups(store_dir / "backups"):
        check = backups.verify_backup(admin, info.folder)
        assert check.ok, (info.name, check.problems)  # complete-looking means complete
    assert verify(admin).ok


def test_the_chain_check_after_a_backup_starts_where_the_last_verified_one_ended(admin, coordinator, made,
                                                                                 monkeypatch):
    from shelter.services import backups as service

    seen = []
    real = service.chain_problem
    monkeypatch.setattr(service, "chain_problem", lambda db, k, head, since=None: seen.append(since) or real(
        db, k, head, since))
    admissions.admit(coordinator, admission(bed_ids(coordinator)[1], "Aisha Okoro", "عائشة أوكورو"))
    later = backups.back_up(admin)
    assert later.ok and seen == [(made.info.audit_sequence, made.info.audit_mac)]
    # An explicit verification checks the whole chain.
    seen.clear()
    assert backups.verify_backup(admin, later.info.folder).ok and seen == [None]


def test_the_automatic_backup_is_made_whoever_signs_in_and_only_asked_ones_need_the_permission(social_worker,
                                                                                             tmp_path):
    from shelter.errors import PermissionDenied

    assert backups.backup_is_due(social_worker)
    result = backups.back_up(social_worker, "auto", automatic=True)
    assert result.ok and not backups.backup_is_due(social_worker)
    with pytest.raises(PermissionDenied):
        backups.back_up(social_worker, "manual")
    with pytest.raises(backups.ValidationError):
        backups.back_up(social_worker, "auto", to=tmp_path, automatic=True)  # only where the settings say


def test_rotation_counts_the_days_of_the_workstations_calendar(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Africa/Casablanca")
    time.tzset()
    try:
        # 22:00 and 23:30 UTC on 30 November are 23:00 on the 30th and 00:30 on 1 December in Rabat.
        evening = Kept("evening", datetime(2026, 11, 30, 22, 0, tzinfo=UTC), "verified")
        after_midnight = Kept("after-midnight", datetime(2026, 11, 30, 23, 30, tzinfo=UTC), "verified")
        morning = Kept("morning", datetime(2026, 12, 1, 8, 0, tzinfo=UTC), "verified")
        assert to_keep([evening, after_midnight, morning], 7, 0, 0) == {"evening", "morning"}
    finally:
        monkeypatch.undo()
        time.tzset()
