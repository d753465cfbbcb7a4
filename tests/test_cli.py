"""The administration command line, run for real on stores on disk: one
plain line on stderr and a non-zero exit for every expected failure, never a
traceback."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shelter import cli
from shelter.i18n import translator
from shelter.store import Store
from tests.conftest import ADMIN, ADMIN_PASSWORD, FAST_KDF

ROOT = Path(__file__).resolve().parent.parent
CODE_RE = re.compile(r"\b[0-9A-Z]{5}(?:-[0-9A-Z]{5}){5}\b")
NEW_PASSWORD = "blue door at the end"


def run(capsys, monkeypatch, argv: list[str], *stdin_lines: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(line + "\n" for line in stdin_lines)))
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_clear_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("shelter: ")
    return lines[0]


def test_init_prints_the_recovery_code_once_and_it_works(capsys, monkeypatch, tmp_path):
    folder = tmp_path / "new"
    code, out, err = run(capsys, monkeypatch, ["--data-dir", str(folder), "init", "--shelter", "Dar Al Amal",
                                               "--code", "FES1", "--admin", "nadia", "--password-stdin"],
                         ADMIN_PASSWORD, ADMIN_PASSWORD)
    assert code == 0, err
    codes = CODE_RE.findall(out)
    assert len(codes) == 1
    assert codes[0] not in "".join(p.read_text("latin-1") for p in folder.iterdir() if p.is_file())
    who = Store(folder).recover(codes[0], "nadia", NEW_PASSWORD)
    who.lock("sign_out")
    # A second init refuses to overwrite the store.
    code, _out, err = run(capsys, monkeypatch, ["--data-dir", str(folder), "init", "--shelter", "X", "--code",
                                                "XX", "--admin", "nadia", "--password-stdin"], "a", "a")
    assert code != 0 and "already exists" in one_clear_line(err)


def test_init_refuses_a_weak_password_and_leaves_nothing(capsys, monkeypatch, tmp_path):
    folder = tmp_path / "new"
    code, _out, err = run(capsys, monkeypatch, ["--data-dir", str(folder), "init", "--shelter", "Dar", "--code",
                                                "RB2", "--admin", "nadia", "--password-stdin"], "short", "short")
    assert code != 0
    one_clear_line(err)
    assert not Store(folder).exists()


def test_verify_says_all_is_well_in_one_line(capsys, monkeypatch, store_dir):
    code, out, err = run(capsys, monkeypatch, ["--data-dir", str(store_dir), "verify", "--user", ADMIN,
                                               "--password-stdin"], ADMIN_PASSWORD)
    assert code == 0, err
    assert len(out.strip().splitlines()) == 1


def test_a_wrong_password_is_one_line_and_non_zero(capsys, monkeypatch, store_dir):
    code, _out, err = run(capsys, monkeypatch, ["--data-dir", str(store_dir), "verify", "--user", ADMIN,
                                                "--password-stdin"], "not the password at all")
    assert code != 0
    assert "Wrong username or password." in one_clear_line(err)


def test_a_missing_folder_is_one_line(capsys, monkeypatch, tmp_path):
    code, _out, err = run(capsys, monkeypatch, ["--data-dir", str(tmp_path / "nowhere"), "verify", "--user",
                                                ADMIN, "--password-stdin"], ADMIN_PASSWORD)
    assert code != 0
    one_clear_line(err)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign"])
def test_a_damaged_or_foreign_keyring_is_one_line(capsys, monkeypatch, store_dir, tmp_path, damage):
    keyring = store_dir / "keyring.json"
    if damage == "garbage":
        keyring.write_bytes(b"\x00\xff not json")
    elif damage == "truncated":
        keyring.write_bytes(keyring.read_bytes()[:200])
    else:
        other = tmp_path / "other"
        who, _code = Store.create(other, shelter_name="Other", shelter_code="OTH1", admin_username=ADMIN,
                                  admin_password=ADMIN_PASSWORD, kdf=FAST_KDF)
        who.lock("sign_out")
        data = json.loads((other / "keyring.json").read_text())
        data["database"] = json.loads(keyring.read_text())["database"]
        keyring.write_text(json.dumps(data))
    code, _out, err = run(capsys, monkeypatch, ["--data-dir", str(store_dir), "verify", "--user", ADMIN,
                                                "--password-stdin"], ADMIN_PASSWORD)
    assert code != 0
    one_clear_line(err)


def test_a_flipped_byte_in_the_database_fails_verify(capsys, monkeypatch, store_dir):
    db = store_dir / json.loads((store_dir / "keyring.json").read_text())["database"]
    data = bytearray(db.read_bytes())
    data[4096 * 2 + 100] ^= 0x01  # inside the third page
    db.write_bytes(bytes(data))
    code, out, err = run(capsys, monkeypatch, ["--data-dir", str(store_dir), "verify", "--user", ADMIN,
                                               "--password-stdin"], ADMIN_PASSWORD)
    assert code != 0
    assert "Traceback" not in err and err.strip()


def test_add_user_then_the_new_account_changes_its_password(capsys, monkeypatch, store_dir):
    code, out, err = run(capsys, monkeypatch, ["--data-dir", str(store_dir), "add-user", "--user", ADMIN,
                                               "--password-stdin", "--username", "karim", "--name", "Karim Alaoui",
                                               "--role", "coordinator"],
                         ADMIN_PASSWORD, "temporary words here", "temporary words here")
    assert code == 0, err
    code, out, err = run(capsys, monkeypatch, ["--data-dir", str(store_dir), "passwd", "--user", "karim",
                                               "--password-stdin"],
                         "temporary words here", NEW_PASSWORD, NEW_PASSWORD)
    assert code == 0, err
    Store(store_dir).sign_in("karim", NEW_PASSWORD).lock("sign_out")


def test_rotate_key_makes_an_old_keyring_copy_useless(capsys, monkeypatch, store_dir, tmp_path):
    old_keyring = (store_dir / "keyring.json").read_bytes()
    code, out, err = run(capsys, monkeypatch, ["--data-dir", str(store_dir), "rotate-key", "--user", ADMIN,
                                               "--password-stdin"], ADMIN_PASSWORD)
    assert code == 0, err
    Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD).lock("sign_out")
    stale = tmp_path / "stale"
    shutil.copytree(store_dir, stale)
    (stale / "keyring.json").write_bytes(old_keyring)
    code, _out, err = run(capsys, monkeypatch, ["--data-dir", str(stale), "verify", "--user", ADMIN,
                                                "--password-stdin"], ADMIN_PASSWORD)
    assert code != 0
    one_clear_line(err)


def test_recover_sets_a_new_administrator_password(capsys, monkeypatch, store_dir, recovery_code):
    code, out, err = run(capsys, monkeypatch, ["--data-dir", str(store_dir), "recover", "--user", ADMIN,
                                               "--password-stdin"], recovery_code.lower(), NEW_PASSWORD,
                         NEW_PASSWORD)
    assert code == 0, err
    Store(store_dir).sign_in(ADMIN, NEW_PASSWORD).lock("sign_out")
    code, _out, err = run(capsys, monkeypatch, ["--data-dir", str(store_dir), "recover", "--user", ADMIN,
                                                "--password-stdin"], "0" * 30, NEW_PASSWORD, NEW_PASSWORD)
    assert code != 0
    one_clear_line(err)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_messages_follow_the_chosen_language(capsys, monkeypatch, store_dir, lang):
    code, _out, err = run(capsys, monkeypatch, ["--lang", lang, "--data-dir", str(store_dir), "verify", "--user",
                                                ADMIN, "--password-stdin"], "not the password at all")
    assert code != 0
    line = one_clear_line(err)
    expected = translator(lang).gettext("Wrong username or password.")
    assert expected != "Wrong username or password." and expected in line


def test_main_py_end_to_end_in_a_fresh_process(store_dir):
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--data-dir", str(store_dir), "verify", "--user", ADMIN,
         "--password-stdin"],
        input=ADMIN_PASSWORD + "\n", capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 1
    wrong = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--data-dir", str(store_dir), "verify", "--user", ADMIN,
         "--password-stdin"],
        input="nope nope nope nope\n", capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert wrong.returncode != 0
    one_clear_line(wrong.stderr)
