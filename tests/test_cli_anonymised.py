"""`python main.py export --anonymised [--k N] --out FILE.csv`, run for real
on a store on disk: the CSV written, three lines of counts, and one plain
line on stderr with a non-zero exit for every expected failure."""

from __future__ import annotations

import io
import json
import sys
from datetime import date

import pytest

from shelter import cli
from shelter.services.anonymised_export import FIELDS
from tests.cases import COORDINATOR_PASSWORD, audit_details, bed_ids
from tests.conftest import SOCIAL_WORKER_PASSWORD
from tests.test_anonymised_export import BOM, add_hall, admit, assert_nothing_of_the_store, leave, person, read_csv


def run(capsys, monkeypatch, store_dir, *argv: str, user: str = "salma", password: str = COORDINATOR_PASSWORD):
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    code = cli.main(["--data-dir", str(store_dir), *argv, "--user", user, "--password-stdin"])
    out, err = capsys.readouterr()
    return code, out, err


def one_clear_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err and lines[0].startswith("shelter: ")
    return lines[0]


@pytest.fixture
def spring(coordinator, admin):
    """Five women referred in March and home in May, and one who did not consent."""
    add_hall(admin)
    hall = bed_ids(coordinator, "Hall")
    names = [("Chioma Obi", "تشيوما"), ("Ngozi Eze", "نغوزي"), ("Amaka Nwosu", "أماكا"), ("Ifeoma Okafor", "إيفوما"),
             ("Uche Adeyemi", "أوتشي")]
    for i, (name, arabic) in enumerate(names):
        stay = admit(coordinator, person(hall[i], name, arabic, date(1990 + i, 5, 1), date(2025, 3, 3 + i)))
        leave(coordinator, stay.stay_id, date(2025, 5, 10))
    admit(coordinator, person(hall[5], "Hope Mbah", "هوب", date(2000, 1, 1), date(2025, 4, 6), consent=False))


def test_the_csv_is_written_and_the_counts_said(coordinator, spring, store_dir, tmp_path, capsys, monkeypatch):
    target = tmp_path / "committee.csv"
    code, out, err = run(capsys, monkeypatch, store_dir, "export", "--anonymised", "--k", "5", "--out", str(target))
    assert code == 0, err
    assert out.splitlines() == [
        f"5 rows written to {target} (one per stay).",
        "1 person left out: no consent to be counted without name.",
        "0 rows suppressed so that every combination is shared by at least 5 people.",
    ]
    data = target.read_bytes()
    assert data.startswith(BOM)
    header, rows = read_csv(data)
    assert tuple(header) == FIELDS and len(rows) == 5
    assert_nothing_of_the_store(coordinator, data)
    assert [o for o, _r, _d in audit_details(coordinator, "export.anonymised")] == ["started", "ok"]


def test_k_defaults_to_the_setting(coordinator, spring, store_dir, tmp_path, capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, store_dir, "export", "--anonymised", "--out", str(tmp_path / "a.csv"))
    assert code == 0, err
    assert "0 rows written" in out and "5 rows suppressed" in out and "at least 11 people" in out
    assert read_csv((tmp_path / "a.csv").read_bytes()) == (list(FIELDS), [])


@pytest.mark.parametrize("k, says", [("1", "k is a whole number from 2 to 1000."), ("5000", "from 2 to 1000")])
def test_a_k_out_of_range_is_one_line(coordinator, store_dir, tmp_path, capsys, monkeypatch, k, says):
    code, _out, err = run(capsys, monkeypatch, store_dir, "export", "--anonymised", "--k", k,
                          "--out", str(tmp_path / "a.csv"))
    assert code == 1 and says in one_clear_line(err)
    assert not (tmp_path / "a.csv").exists()


def test_a_k_that_is_not_a_number_is_a_usage_error(store_dir, tmp_path, capsys, monkeypatch):
    with pytest.raises(SystemExit) as stopped:
        run(capsys, monkeypatch, store_dir, "export", "--anonymised", "--k", "eleven", "--out", str(tmp_path / "a.csv"))
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "--k" in err and "eleven" in err


def test_k_without_anonymised_is_refused(coordinator, store_dir, tmp_path, capsys, monkeypatch):
    code, _out, err = run(capsys, monkeypatch, store_dir, "export", "--k", "5", "--out", str(tmp_path / "a.json"))
    assert code == 1 and "--k goes with --anonymised" in one_clear_line(err)
    assert not (tmp_path / "a.json").exists()


def test_a_role_that_may_not_is_one_line(social_worker, store_dir, tmp_path, capsys, monkeypatch):
    code, _out, err = run(capsys, monkeypatch, store_dir, "export", "--anonymised", "--out", str(tmp_path / "a.csv"),
                          user="nadia", password=SOCIAL_WORKER_PASSWORD)
    assert code == 1 and "does not allow" in one_clear_line(err)
    assert not (tmp_path / "a.csv").exists()


def test_a_missing_folder_is_one_line(coordinator, store_dir, tmp_path, capsys, monkeypatch):
    code, _out, err = run(capsys, monkeypatch, store_dir, "export", "--anonymised",
                          "--out", str(tmp_path / "no" / "a.csv"))
    assert code == 1 and "The folder" in one_clear_line(err)


def test_without_anonymised_the_json_export_is_as_it_was(coordinator, spring, store_dir, tmp_path, capsys,
                                                         monkeypatch):
    target = tmp_path / "all.json"
    code, out, err = run(capsys, monkeypatch, store_dir, "export", "--out", str(target))
    assert code == 0, err
    assert "records written" in out and "not encrypted" in err
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "shelter-export"
    assert audit_details(coordinator, "export.anonymised") == []
