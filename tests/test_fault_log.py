"""Unexpected failures go to an owner-only log, with where they happened and
never their message (which may carry a resident's name)."""

from __future__ import annotations

import os
import stat

from shelter import fault_log


def _fail():
    raise ValueError("Fatima Zahra Benali, born 1998-03-14")


def test_a_failure_is_logged_with_its_place_and_without_its_message(tmp_path, monkeypatch):
    monkeypatch.setattr(fault_log, "_folder", tmp_path)
    try:
        _fail()
    except ValueError as exc:
        path = fault_log.record(exc)
    text = path.read_text(encoding="utf-8")
    assert "builtins.ValueError" in text and "in _fail" in text and "test_fault_log.py" in text
    assert "Fatima" not in text and "1998" not in text
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_log_stays_small(tmp_path, monkeypatch):
    monkeypatch.setattr(fault_log, "_folder", tmp_path)
    monkeypatch.setattr(fault_log, "LIMIT", 2000)
    for _n in range(200):
        try:
            _fail()
        except ValueError as exc:
            fault_log.record(exc)
    assert (tmp_path / fault_log.FILE_NAME).stat().st_size < 2000 + 500


def test_an_unwritable_folder_loses_the_entry_not_the_application(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(fault_log, "_folder", blocked)
    try:
        _fail()
    except ValueError as exc:
        assert fault_log.record(exc) is None
