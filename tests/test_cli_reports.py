"""``python main.py report`` run for real: a period's reports written to
PDF, XLSX and CSV, audited; each mistake one clear line and a non-zero
exit, before any password is asked where it can be."""

from __future__ import annotations

import io

import openpyxl
import pytest
from pypdf import PdfReader

from shelter.services import admissions
from tests.cases import COORDINATOR_PASSWORD, admission, audit_details, bed_ids
from tests.test_cli import one_clear_line, run


def report(capsys, monkeypatch, store_dir, *argv, password=COORDINATOR_PASSWORD):
    return run(capsys, monkeypatch, ["--data-dir", str(store_dir), "report", *argv, "--user", "salma",
                                     "--password-stdin"], password)


@pytest.fixture
def admitted(coordinator):
    admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    return coordinator


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "csv"])
def test_a_months_report_is_written_in_each_format(capsys, monkeypatch, store_dir, admitted, tmp_path, fmt):
    from datetime import date

    out = tmp_path / f"report.{fmt}"
    month = f"{date.today():%Y-%m}"
    code, stdout, err = report(capsys, monkeypatch, store_dir, "--period", month, "--lang", "fr", "--format", fmt,
                               "--out", str(out))
    assert code == 0, err
    assert str(out) in stdout
    data = out.read_bytes()
    if fmt == "pdf":
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        assert "<5" in text and "Fatima" not in text
    elif fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data))
        assert len(book.worksheets) >= 6  # the report's first sheet, then one per section
    else:
        assert data.startswith(b"\xef\xbb\xbf")
    assert [o for o, _r, d in audit_details(admitted, "report.export") if d.get("format") == fmt] == ["started", "ok"]


def test_a_range_and_one_shelter(capsys, monkeypatch, store_dir, admitted, tmp_path):
    out = tmp_path / "h1.csv"
    code, _out, err = report(capsys, monkeypatch, store_dir, "--from", "2026-01-01", "--to", "2026-06-30",
                             "--shelter", "rbt1", "--lang", "ar", "--format", "csv", "--out", str(out))
    assert code == 0, err
    assert out.exists()


@pytest.mark.parametrize("argv, says", [
    (["--period", "2026-13"], "2026-Q4"),
    (["--from", "2026-01-01"], "--to"),
    (["--from", "2026-06-30", "--to", "2026-01-01"], "ends before it starts"),
    (["--period", "2026-11", "--shelter", "XXX9"], "XXX9"),
])
def test_a_mistake_is_one_clear_line(capsys, monkeypatch, store_dir, admitted, tmp_path, argv, says):
    out = tmp_path / "r.pdf"
    code, _out, err = report(capsys, monkeypatch, store_dir, *argv, "--lang", "en", "--format", "pdf",
                             "--out", str(out))
    assert code != 0
    assert says in one_clear_line(err)
    assert not out.exists()


def test_a_wrong_password_writes_nothing(capsys, monkeypatch, store_dir, admitted, tmp_path):
    out = tmp_path / "r.pdf"
    code, _out, err = report(capsys, monkeypatch, store_dir, "--period", "2026-11", "--lang", "en", "--format",
                             "pdf", "--out", str(out), password="not the password")
    assert code != 0 and not out.exists()
    one_clear_line(err)


def test_a_folder_that_does_not_exist_is_refused_in_one_line(capsys, monkeypatch, store_dir, admitted, tmp_path):
    code, _out, err = report(capsys, monkeypatch, store_dir, "--period", "2026-11", "--lang", "en", "--format",
                             "pdf", "--out", str(tmp_path / "nowhere" / "r.pdf"))
    assert code != 0 and "does not exist" in one_clear_line(err)
    assert audit_details(admitted, "report.export") == []  # refused before anything was recorded
