"""The export against its documented format (docs/export-format.md): every
record has exactly the documented fields, of the documented type, with a
documented value where the document lists them; ids point at records that
exist. Run on a real store after real admissions, moves and discharges."""

from __future__ import annotations

import io
import json
import os
import re
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from shelter import cli
from shelter.errors import PermissionDenied, ValidationError
from shelter.security.permissions import Role
from shelter.services import accounts, residents
from shelter.services.audit_log import AuditFilter, list_entries
from shelter.services.export import FORMAT_VERSION, SECTIONS, export_document, export_to_file
from shelter.store import Store
from tests.test_residents import COORDINATOR_PASSWORD, admission, beds, coordinator  # noqa: F401

DOC = Path(__file__).resolve().parents[1] / "docs" / "export-format.md"
BASE_TYPES = {"string", "integer", "boolean", "date", "datetime", "string[]"}


def documented_tables() -> dict[str, dict[str, tuple[str, bool, set[str]]]]:
    """{"document" | section: {field: (base type, nullable, allowed values)}},
    read from the markdown tables whose header is field | type | values | meaning."""
    tables: dict[str, dict[str, tuple[str, bool, set[str]]]] = {}
    heading = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## The document"):
            heading = "document"
        elif line.startswith("### "):
            heading = line[4:].strip()
        elif line.startswith("## "):
            heading = None
        elif heading and line.startswith("| ") and not line.startswith(("| field", "| ---")):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) != 4:
                continue
            name, kind, values, _meaning = cells
            base, nullable = (kind[:-len(" or null")], True) if kind.endswith(" or null") else (kind, False)
            assert base in BASE_TYPES, f"{heading}.{name}: undocumented type {kind!r}"
            allowed = {v.strip() for v in values.split(",") if v.strip()}
            tables.setdefault(heading, {})[name] = (base, nullable, allowed)
    return tables


def check_value(where: str, value, base: str, nullable: bool, allowed: set[str]) -> None:
    if value is None:
        assert nullable, f"{where} is null but not documented as nullable"
        return
    if base == "string":
        assert isinstance(value, str), where
    elif base == "integer":
        assert isinstance(value, int) and not isinstance(value, bool), where
    elif base == "boolean":
        assert isinstance(value, bool), where
    elif base == "date":
        assert isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), where
        date.fromisoformat(value)
    elif base == "datetime":
        assert isinstance(value, str) and value.endswith("+00:00"), where
        assert datetime.fromisoformat(value).utcoffset() == timedelta(0), where
    elif base == "string[]":
        assert isinstance(value, list) and all(isinstance(v, str) for v in value), where
    values = value if isinstance(value, list) else [value]
    if allowed:
        assert {str(v) for v in values} <= allowed, f"{where}: {value!r} not among {sorted(allowed)}"


def check_against_document(document: dict) -> None:
    tables = documented_tables()
    assert set(tables) == {"document", *(name for name, _p, _b in SECTIONS)}
    head = {k: v for k, v in document.items() if k not in document["sections"]}
    assert set(head) == set(tables["document"])
    for name, (base, nullable, allowed) in tables["document"].items():
        check_value(name, head[name], base, nullable, allowed)
    for section in document["sections"]:
        for record in document[section]:
            assert set(record) == set(tables[section]), f"{section}: {set(record) ^ set(tables[section])}"
            for name, (base, nullable, allowed) in tables[section].items():
                check_value(f"{section}.{name}", record[name], base, nullable, allowed)
        ids = [r["id"] for r in document[section]]
        assert ids == sorted(set(ids)), f"{section} ids are not unique and sorted"
    check_references(document)


def check_references(document: dict) -> None:
    ids = {section: {r["id"] for r in document[section]} for section in document["sections"]}
    for section in document["sections"]:
        for record in document[section]:
            for name, value in record.items():
                if name == "id" or not name.endswith("_id") or value is None:
                    continue
                target = {"parent_id": "residents", "admitted_stay_id": "stays"}.get(name, name[:-3] + "s")
                if target in ids:
                    assert value in ids[target], f"{section}.{name} = {value} names no record"


@pytest.fixture
def history(coordinator):  # noqa: F811
    """Two people admitted; one moved, then discharged; a bed reserved and one out of service."""
    b1, b2, b3 = beds(coordinator)
    fatima = residents.admit(coordinator, admission(b1))
    aisha = residents.admit(coordinator, admission(b2, "Aisha Okoro", "عائشة أوكورو"))
    residents.transfer(coordinator, aisha.stay_id, b3)
    residents.discharge(coordinator, aisha.stay_id, datetime.now(UTC), "assisted_return", "IOM, Lagos")
    residents.reserve_bed(coordinator, b2, "police, Rabat", hours=6)
    residents.set_out_of_service(coordinator, beds(coordinator, "Children")[0], "Broken frame",
                                 date.today() + timedelta(days=5))
    return fatima, aisha


def test_every_record_matches_the_documented_format(coordinator, history):  # noqa: F811
    document = export_document(coordinator)
    assert document["format"] == "shelter-export" and document["format_version"] == FORMAT_VERSION
    assert document["sections"] == [name for name, _p, _b in SECTIONS]
    check_against_document(document)
    # Every kind of value was there to be checked, nulls and non-nulls alike.
    assert any(b["out_of_service_until"] for b in document["beds"])
    assert any(s["discharged_at"] is None for s in document["stays"])
    assert any(r["closed_at"] is None for r in document["reservations"])


def test_the_records_say_what_happened(coordinator, history):  # noqa: F811
    fatima, aisha = history
    document = export_document(coordinator)
    people = {r["id"]: r for r in document["residents"]}
    assert people[fatima.resident_id]["name_arabic"] == "فاطمة الزهراء بنعلي"  # as written
    assert people[fatima.resident_id]["languages"] == ["en"]
    assert people[fatima.resident_id]["exploitation"] == ["sexual"]
    stay = next(s for s in document["stays"] if s["id"] == aisha.stay_id)
    assert (stay["destination"], stay["discharge_note"]) == ("assisted_return", "IOM, Lagos")
    moves = [a for a in document["bed_assignments"] if a["stay_id"] == aisha.stay_id]
    assert len(moves) == 2 and all(a["ended_at"] for a in moves)
    assert moves[0]["ended_at"] == moves[1]["started_at"]
    referral = next(r for r in document["referrals"] if r["stay_id"] == fatima.stay_id)
    assert (referral["source"], referral["agency"]) == ("police", "Sûreté, Rabat")


def test_the_file_is_private_complete_and_audited_by_counts_only(coordinator, history, admin, tmp_path):  # noqa: F811
    target = tmp_path / "export.json"
    summary = export_to_file(coordinator, target)
    written = json.loads(target.read_text(encoding="utf-8"))
    check_against_document(written)
    assert summary.counts["residents"] == 2 and summary.counts["stays"] == 2
    if os.name != "nt":
        assert target.stat().st_mode & 0o077 == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.json", "store"]  # no temporary file left
    entries = list_entries(admin, AuditFilter(action="export"))
    assert len(entries) == 1
    detail = json.dumps(entries[0].__dict__, default=str, ensure_ascii=False)
    assert "Fatima" not in detail and "فاطمة" not in detail and "RBT1-" not in detail


def test_only_the_coordinator_exports(coordinator, admin, store_dir, tmp_path):  # noqa: F811
    with pytest.raises(PermissionDenied):
        export_document(admin)
    accounts.create_account(admin, "youssef", "Youssef Alaoui", [Role.SOCIAL_WORKER], "field visit blue notebook",
                            must_change_password=False)
    youssef = Store(store_dir).sign_in("youssef", "field visit blue notebook")
    try:
        with pytest.raises(PermissionDenied):
            export_to_file(youssef, tmp_path / "x.json")
    finally:
        youssef.lock("sign_out")
    assert not (tmp_path / "x.json").exists()


def test_a_bad_target_is_refused_before_anything_is_written(coordinator, tmp_path):  # noqa: F811
    with pytest.raises(ValidationError) as caught:
        export_to_file(coordinator, tmp_path / "missing" / "x.json")
    assert caught.value.field == "out"
    with pytest.raises(ValidationError):
        export_to_file(coordinator, tmp_path)


def test_export_on_the_command_line(coordinator, history, store_dir, tmp_path, capsys, monkeypatch):  # noqa: F811
    target = tmp_path / "out.json"
    monkeypatch.setattr(sys, "stdin", io.StringIO(COORDINATOR_PASSWORD + "\n"))
    code = cli.main(["--data-dir", str(store_dir), "export", "--out", str(target), "--user", "salma",
                     "--password-stdin"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert str(target) in out and "not encrypted" in err
    check_against_document(json.loads(target.read_text(encoding="utf-8")))

    monkeypatch.setattr(sys, "stdin", io.StringIO(COORDINATOR_PASSWORD + "\n"))
    code = cli.main(["--data-dir", str(store_dir), "export", "--out", str(tmp_path / "no" / "x.json"),
                     "--user", "salma", "--password-stdin"])
    _out, err = capsys.readouterr()
    assert code == 1 and err.startswith("shelter: The folder") and "Traceback" not in err
