"""``document recovery-sheet`` on the command line, run for real on a store
on disk: the file holds the right code and only its owner may read it,
a wrong code or a bad target gives one clear line, and ``--new-code``
replaces the code in force."""

from __future__ import annotations

import io
import os
import re
import sys

import pytest

from shelter import cli
from shelter.errors import WrongPassword
from shelter.security.keyring import RECOVERY_SLOT, Keyring
from shelter.store import Store
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.documents.pdftext import page_lines, page_texts


def run(capsys, monkeypatch, argv: list[str], *stdin_lines: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(line + "\n" for line in stdin_lines)))
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def sheet_args(store_dir, out, lang: str = "ar", *extra: str) -> list[str]:
    return ["--data-dir", str(store_dir), "document", "recovery-sheet", "--out", str(out), "--lang", lang,
            "--user", ADMIN, "--password-stdin", *extra]


def compact(text: str) -> str:
    return "".join(ch for ch in text if ch not in " -")


def printed_code(pdf: bytes) -> str:
    """The code as printed: the lines of single characters in cells."""
    rows = [line for line in page_lines(pdf) if re.fullmatch(r"([0-9A-Z] ){4}[0-9A-Z]( -)?", line)]
    return compact("".join(rows))


def test_writes_the_sheet_for_the_code_in_force(capsys, monkeypatch, store_dir, recovery_code, tmp_path):
    target = tmp_path / "sheet.pdf"
    code, out, err = run(capsys, monkeypatch, sheet_args(store_dir, target, "fr"), ADMIN_PASSWORD, recovery_code)
    assert code == 0, err
    assert str(target) in out
    assert "not encrypted" in err
    assert recovery_code.replace("-", "") in compact(page_texts(target.read_bytes())[0])
    if os.name != "nt":
        assert target.stat().st_mode & 0o077 == 0
    assert {p.name for p in tmp_path.iterdir()} == {"sheet.pdf", "store"}  # no temporary file left


def test_a_wrong_code_writes_nothing(capsys, monkeypatch, store_dir, recovery_code, tmp_path):
    target = tmp_path / "sheet.pdf"
    wrong = ("0" if recovery_code[0] != "0" else "1") + recovery_code[1:]
    code, _out, err = run(capsys, monkeypatch, sheet_args(store_dir, target), ADMIN_PASSWORD, wrong)
    assert code == 1
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == ["shelter: This recovery code does not open this store."]
    assert not target.exists()


def test_a_missing_folder_is_refused_before_signing_in(capsys, monkeypatch, store_dir, recovery_code, tmp_path):
    target = tmp_path / "nowhere" / "sheet.pdf"
    code, _out, err = run(capsys, monkeypatch, sheet_args(store_dir, target, "en", "--new-code"), ADMIN_PASSWORD)
    assert code == 1 and "does not exist" in err and "Traceback" not in err
    # Nothing was changed: the code in force is the same.
    assert not any(p.name == "sheet.pdf" for p in tmp_path.rglob("*"))
    assert Keyring.load(Store(store_dir).paths.keyring).unlock(RECOVERY_SLOT, recovery_code)


def test_new_code_is_printed_and_replaces_the_old_one(capsys, monkeypatch, store_dir, recovery_code, tmp_path):
    target = tmp_path / "sheet.pdf"
    code, out, err = run(capsys, monkeypatch, sheet_args(store_dir, target, "en", "--new-code"), ADMIN_PASSWORD)
    assert code == 0, err
    assert "new recovery code" in out.lower()
    new = printed_code(target.read_bytes())
    assert len(new) == 30 and new != recovery_code.replace("-", "")
    store = Store(store_dir)
    with pytest.raises(WrongPassword):
        store.recover(recovery_code, ADMIN, "a brand new passphrase")
    store.recover(new, ADMIN, "a brand new passphrase").lock("sign_out")


def test_the_document_language_is_its_own_option(capsys, monkeypatch, store_dir, recovery_code, tmp_path):
    """--lang before the command sets the messages, after it the document."""
    target = tmp_path / "sheet.pdf"
    argv = ["--lang", "en", *sheet_args(store_dir, target, "fr")]
    code, out, err = run(capsys, monkeypatch, argv, ADMIN_PASSWORD, recovery_code)
    assert code == 0, err
    assert "Recovery sheet written to" in out
    from shelter.i18n import translator

    assert translator("fr").gettext("Where to keep it") in page_texts(target.read_bytes())[0]


def test_a_language_outside_the_three_is_a_usage_error(capsys, monkeypatch, store_dir, tmp_path):
    with pytest.raises(SystemExit) as caught:
        cli.main(sheet_args(store_dir, tmp_path / "x.pdf", "de"))
    assert caught.value.code == 2


def saves(store_dir) -> list[tuple[str, str]]:
    """(outcome, detail) of the "document.save" entries, oldest first."""
    from sqlalchemy import select

    from shelter.storage.models import AuditEntry

    who = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    try:
        with who.store.read() as s:
            return [(e.outcome, e.detail) for e in s.execute(
                select(AuditEntry).where(AuditEntry.action == "document.save").order_by(AuditEntry.id)).scalars()]
    finally:
        who.lock("sign_out")


def test_the_sheet_is_audited_before_the_file_is_written(capsys, monkeypatch, store_dir, recovery_code, tmp_path):
    from shelter.atomic import write_atomic
    from shelter.services import outputs
    from shelter.storage.database import connect_raw

    target = tmp_path / "sheet.pdf"
    seen = []

    def spy(path, data, *args, **kwargs):
        assert not target.exists()
        # The store's own key opens a second connection: only committed entries.
        ring = Keyring.load(Store(store_dir).paths.keyring)
        key = ring.unlock(RECOVERY_SLOT, recovery_code)
        conn = connect_raw(Store(store_dir).paths.database(ring.database), key)
        try:
            seen.extend(conn.execute("SELECT outcome FROM audit_entry WHERE action = 'document.save'").fetchall())
        finally:
            conn.close()
        write_atomic(path, data, *args, **kwargs)

    monkeypatch.setattr(outputs, "write_atomic", spy)
    code, _out, err = run(capsys, monkeypatch, sheet_args(store_dir, target, "fr"), ADMIN_PASSWORD, recovery_code)
    assert code == 0, err
    assert seen == [("started",)]
    assert [outcome for outcome, _d in saves(store_dir)] == ["started", "ok"]


def test_a_failed_write_keeps_the_new_code_and_is_audited(capsys, monkeypatch, store_dir, tmp_path):
    from shelter.services import outputs

    def broken(path, data, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(outputs, "write_atomic", broken)
    target = tmp_path / "sheet.pdf"
    code, out, err = run(capsys, monkeypatch, sheet_args(store_dir, target, "en", "--new-code"), ADMIN_PASSWORD)
    assert code == 1 and "Traceback" not in err and not target.exists()
    new = compact(out.split("NEW recovery code is:")[1].strip())
    assert len(new) == 30
    [started, failed] = saves(store_dir)
    assert started[0] == "started" and failed[0] == "failed" and '"error":"EACCES"' in failed[1]
    Store(store_dir).recover(new, ADMIN, "a brand new passphrase").lock("sign_out")  # the code printed works
