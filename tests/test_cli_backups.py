"""Backups on the command line, run for real: backup, backup verify, backup
list, backup drill and restore, each audited, each failure one clear line
and a non-zero exit."""

from __future__ import annotations

import json
from pathlib import Path

from shelter.services.audit_log import AuditFilter, list_entries
from shelter.store import Store
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.test_cli import one_clear_line, run


def cli(capsys, monkeypatch, store_dir: Path, *argv: str, password: str = ADMIN_PASSWORD):
    return run(capsys, monkeypatch, ["--data-dir", str(store_dir), *argv, "--user", ADMIN, "--password-stdin"],
               password)


def newest(store_dir: Path) -> Path:
    return sorted(p for p in (store_dir / "backups").iterdir() if p.is_dir())[-1]


def test_backup_list_verify_and_drill(capsys, monkeypatch, store_dir, tmp_path):
    code, out, err = cli(capsys, monkeypatch, store_dir, "backup", "--to", str(tmp_path / "usb"))
    assert code == 0, err
    folder = newest(store_dir)
    assert f"Backup made and verified: {folder}" in out and "Copied to" in out
    assert (tmp_path / "usb" / folder.name / "manifest.json").exists()
    code, out, err = cli(capsys, monkeypatch, store_dir, "backup", "list")
    assert code == 0 and folder.name in out and "verified" in out
    code, out, err = cli(capsys, monkeypatch, store_dir, "backup", "verify", str(tmp_path / "usb" / folder.name))
    assert code == 0, err
    assert "The backup verifies" in out
    code, out, err = cli(capsys, monkeypatch, store_dir, "backup", "drill")
    assert code == 0, err
    assert "Drill passed" in out and "audit_entry" in out  # only what was written since
    who = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    try:
        actions = [e.action for e in list_entries(who, AuditFilter())]
    finally:
        who.lock("sign_out")
    assert {"backup.make", "backup.verify", "backup.drill", "backup.mirror"} <= set(actions)


def test_a_damaged_backup_fails_verify_with_one_line(capsys, monkeypatch, store_dir):
    cli(capsys, monkeypatch, store_dir, "backup")
    folder = newest(store_dir)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["audit_head"]["sequence"] = 1
    (folder / "manifest.json").write_text(json.dumps(manifest))
    code, out, err = cli(capsys, monkeypatch, store_dir, "backup", "verify", str(folder))
    assert code == 3
    assert err.splitlines()[0] == "The backup does not verify: The manifest was changed after the backup was made."
    assert "Traceback" not in err


def test_failures_are_one_clear_line(capsys, monkeypatch, store_dir, tmp_path):
    code, _out, err = cli(capsys, monkeypatch, store_dir, "backup", "verify")
    assert code != 0 and "Name the backup folder" in one_clear_line(err)
    code, _out, err = cli(capsys, monkeypatch, store_dir, "backup", "verify", str(tmp_path))
    assert code != 0 and "not a Shelter backup" in err and "Traceback" not in err
    code, _out, err = cli(capsys, monkeypatch, store_dir, "backup", "drill")
    assert code != 0 and "no backup to practise with" in one_clear_line(err)
    code, _out, err = cli(capsys, monkeypatch, store_dir, "backup", password="wrong password here")
    assert code != 0 and "Wrong username or password" in one_clear_line(err)
    code, _out, err = cli(capsys, monkeypatch, store_dir, "restore", "--from", str(tmp_path))
    assert code != 0 and "not a Shelter backup" in one_clear_line(err)


def test_restore_asks_before_replacing_and_force_replaces(capsys, monkeypatch, store_dir, tmp_path):
    cli(capsys, monkeypatch, store_dir, "backup")
    folder = newest(store_dir)
    code, out, err = cli(capsys, monkeypatch, store_dir, "restore", "--from", str(folder))
    assert code != 0 and "add --force to replace it" in one_clear_line(err)
    code, out, err = cli(capsys, monkeypatch, store_dir, "restore", "--from", str(folder), "--force")
    assert code == 0, err
    assert f"Restored from {folder.name}." in out and "kept as a backup of its own" in out
    # Into an empty folder: no question.
    code, out, err = cli(capsys, monkeypatch, tmp_path / "new", "restore", "--from", str(folder))
    assert code == 0, err
    who = Store(tmp_path / "new").sign_in(ADMIN, ADMIN_PASSWORD)
    try:
        restores = list_entries(who, AuditFilter(action="backup.restore"))
        assert len(restores) == 1
    finally:
        who.lock("sign_out")
    code, out, err = cli(capsys, monkeypatch, store_dir, "verify")
    assert code == 0, err
