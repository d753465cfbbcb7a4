"""The export against its documented format (docs/export-format.md): every
record has exactly the documented fields, of the documented type, with a
documented value where the document lists them; ids point at records that
exist. Run on a real store after real admissions, moves and discharges."""

from __future__ import annotations

import errno
import io
import json
import os
import re
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from shelter import cli
from shelter.atomic import write_atomic
from shelter.errors import PermissionDenied, StorageFull, ValidationError
from shelter.security.permissions import Role
from shelter.services import accounts, admissions, beds, discharge, export, outputs
from shelter.services.audit_log import AuditFilter, list_entries
from shelter.services.export import FORMAT_VERSION, SECTIONS, export_document, export_to_file
from shelter.storage.database import connect_raw
from shelter.store import Store
from tests.cases import COORDINATOR_PASSWORD, admission, bed_ids

DOC = Path(__file__).resolve().parents[1] / "docs" / "export-format.md"
BASE_TYPES = {"string", "integer", "number", "boolean", "date", "datetime", "string[]"}


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
    elif base == "number":
        assert isinstance(value, (int, float)) and not isinstance(value, bool), where
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


def export_entries(who) -> list[tuple[str, dict]]:
    """(outcome, detail) of every "export" entry, oldest first, read on a
    connection of its own: only what was committed."""
    conn = connect_raw(who.store.database_path, who.store.key)
    try:
        return [(outcome, json.loads(detail)) for outcome, detail in conn.execute(
            "SELECT outcome, detail FROM audit_entry WHERE action = 'export' ORDER BY id")]
    finally:
        conn.close()


@pytest.fixture
def history(coordinator):
    """Two people admitted; one moved, then discharged; a bed reserved and one out of service."""
    b1, b2, b3 = bed_ids(coordinator)
    fatima = admissions.admit(coordinator, admission(b1))
    aisha = admissions.admit(coordinator, admission(b2, "Aisha Okoro", "عائشة أوكورو"))
    beds.transfer(coordinator, aisha.stay_id, b3)
    discharge.discharge(coordinator, aisha.stay_id, datetime.now(UTC), "assisted_return", "IOM, Lagos")
    beds.reserve_bed(coordinator, b2, "police, Rabat", hours=6)
    beds.set_out_of_service(coordinator, bed_ids(coordinator, "Children")[0], "Broken frame",
                                 date.today() + timedelta(days=5))
    return fatima, aisha


def test_every_record_matches_the_documented_format(coordinator, history):
    document = export_document(coordinator)
    assert document["format"] == "shelter-export" and document["format_version"] == FORMAT_VERSION
    assert document["sections"] == [name for name, _p, _b in SECTIONS]
    check_against_document(document)
    # Every kind of value was there to be checked, nulls and non-nulls alike.
    assert any(b["out_of_service_until"] for b in document["beds"])
    assert any(s["discharged_at"] is None for s in document["stays"])
    assert any(r["closed_at"] is None for r in document["reservations"])


def test_the_records_say_what_happened(coordinator, history):
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


def test_the_file_is_private_complete_and_audited_by_counts_only(coordinator, history, admin, tmp_path):
    target = tmp_path / "export.json"
    summary = export_to_file(coordinator, target)
    written = json.loads(target.read_text(encoding="utf-8"))
    check_against_document(written)
    assert summary.counts["residents"] == 2 and summary.counts["stays"] == 2
    if os.name != "nt":
        assert target.stat().st_mode & 0o077 == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.json", "store"]  # no temporary file left
    # One entry before the file was written, one after (newest first).
    entries = list_entries(admin, AuditFilter(action="export"))
    assert [e.outcome for e in entries] == ["ok", "started"]
    details = export_entries(coordinator)
    assert details[0][1] == {"format_version": FORMAT_VERSION, "to": "file", **summary.counts}
    detail = json.dumps([e.__dict__ for e in entries] + details, default=str, ensure_ascii=False)
    assert "Fatima" not in detail and "فاطمة" not in detail and "RBT1-" not in detail


def test_only_the_coordinator_exports(coordinator, admin, store_dir, tmp_path):
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


def test_a_bad_target_is_refused_before_anything_is_written(coordinator, tmp_path):
    with pytest.raises(ValidationError) as caught:
        export_to_file(coordinator, tmp_path / "missing" / "x.json")
    assert caught.value.field == "out"
    with pytest.raises(ValidationError):
        export_to_file(coordinator, tmp_path)


def test_export_on_the_command_line(coordinator, history, store_dir, tmp_path, capsys, monkeypatch):
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


def test_the_started_entry_is_committed_before_the_file_exists(coordinator, history, tmp_path,
                                                               monkeypatch):
    """A crash between the write and the audit entry must not leave an
    export the log does not know about: the entry comes first, committed."""
    target = tmp_path / "export.json"
    seen = []

    def spy(path, data, *args, **kwargs):
        assert not target.exists()
        seen.append(export_entries(coordinator))  # another connection: committed entries only
        write_atomic(path, data, *args, **kwargs)

    monkeypatch.setattr(outputs, "write_atomic", spy)
    summary = export_to_file(coordinator, target)
    [(started, detail)] = seen[0]
    assert started == "started" and detail == {"format_version": FORMAT_VERSION, "to": "file", **summary.counts}
    assert detail["residents"] == 2 and target.exists()
    assert [outcome for outcome, _d in export_entries(coordinator)] == ["started", "ok"]


@pytest.mark.parametrize(("failure", "code"), [
    (OSError(errno.EACCES, "Permission denied"), "EACCES"),
    (StorageFull("The disk is full"), "disk_full"),
])
def test_a_failed_write_is_audited_as_failed(coordinator, history, tmp_path, monkeypatch, failure, code):
    def broken(path, data, *args, **kwargs):
        raise failure

    monkeypatch.setattr(outputs, "write_atomic", broken)
    with pytest.raises(type(failure)):
        export_to_file(coordinator, tmp_path / "export.json")
    assert not (tmp_path / "export.json").exists()
    entries = export_entries(coordinator)
    assert [outcome for outcome, _d in entries] == ["started", "failed"]
    assert entries[1][1]["error"] == code and "Permission" not in json.dumps(entries)


def test_without_its_first_entry_no_file_is_written(coordinator, history, tmp_path, monkeypatch):
    written = []
    for module in (outputs, export):  # wherever the file would be written from
        monkeypatch.setattr(module, "write_atomic", lambda *a, **k: written.append(a), raising=False)

    def broken_audit(*args, **kwargs):
        raise RuntimeError("disk unplugged")

    monkeypatch.setattr(coordinator.store, "audit", broken_audit)
    with pytest.raises(RuntimeError):
        export_to_file(coordinator, tmp_path / "export.json")
    assert written == [] and not (tmp_path / "export.json").exists()


def test_if_the_outcome_cannot_be_recorded_the_file_is_taken_back(coordinator, history, tmp_path,
                                                                  monkeypatch):
    real_audit = coordinator.store.audit

    def audit_refusing_ok(session, action, *args, outcome="ok", **kwargs):
        if outcome == "ok":
            raise RuntimeError("database busy")
        real_audit(session, action, *args, outcome=outcome, **kwargs)

    monkeypatch.setattr(coordinator.store, "audit", audit_refusing_ok)
    with pytest.raises(RuntimeError):
        export_to_file(coordinator, tmp_path / "export.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]
    assert [outcome for outcome, _d in export_entries(coordinator)] == ["started", "failed"]


def test_the_export_handed_to_a_caller_is_audited_too(coordinator, history, monkeypatch):
    document = export_document(coordinator)
    [(outcome, detail)] = export_entries(coordinator)
    assert outcome == "ok" and detail == {"format_version": FORMAT_VERSION, "to": "memory",
                                          **{name: len(document[name]) for name in document["sections"]}}

    def broken_audit(*args, **kwargs):
        raise RuntimeError("disk unplugged")

    monkeypatch.setattr(coordinator.store, "audit", broken_audit)
    with pytest.raises(RuntimeError):
        export_document(coordinator)  # nothing is handed over without its entry


def test_the_case_work_is_exported_as_documented(coordinator, social_worker, history):
    from shelter.services import assessments, care_plans, cases
    from shelter.services.care_plans import ActionInput, GoalInput, GoalProgress
    from tests.cases import scores

    fatima, aisha = history
    assessments.record_assessment(social_worker, fatima.resident_id, date.today(), scores(safety=1, legal=2))
    plan = care_plans.start_plan(social_worker, fatima.resident_id).record_id
    goal = care_plans.add_goal(social_worker, plan, GoalInput("safety", "Sortir sans peur", "أريد أن أخرج",
                                                              "high")).record_id
    action = care_plans.add_action(social_worker, goal, ActionInput("Plan de sécurité", owner_partner="Police"))
    care_plans.add_action_note(social_worker, action.record_id, "Rendez-vous pris")
    care_plans.set_domain_reason(social_worker, plan, "legal", "Avocate de l'association déjà saisie")
    agreed = care_plans.agree_version(social_worker, plan, "ar", "Grace Okafor")
    care_plans.record_review(social_worker, plan, date.today(), {goal: GoalProgress("in_progress", "Sort accompagnée")},
                             "", date.today() + timedelta(days=30))
    cases.close_case(coordinator, aisha.resident_id, "returned")
    document = export_document(coordinator)
    check_against_document(document)
    version = document["plan_versions"][0]
    assert version["reference"] == agreed.reference and version["verification_code"] == agreed.verification_code
    content = json.loads(version["content"])
    assert content["plan"]["goals"][0]["resident_words"] == "أريد أن أخرج"
    assert [c["reason"] for c in document["case_closures"]] == ["returned"]
    assert {s["domain"] for s in document["assessment_scores"]} >= {"safety", "legal", "housing"}


def test_sessions_are_exported_but_never_what_was_said(coordinator, admin, store_dir, history):
    from shelter.domain.sessions import local
    from shelter.services import notes, sessions
    from shelter.services.sessions import SessionInput

    fatima, aisha = history
    accounts.create_account(admin, "leila", "Leila Berrada", [Role.COUNSELLOR], "sea breeze quiet garden",
                            must_change_password=False)
    leila = Store(store_dir).sign_in("leila", "sea breeze quiet garden")
    try:
        room = sessions.add_room(leila, 1, "Salle d'écoute").room_id
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
        family = sessions.plan_session(leila, SessionInput(leila.actor.account_id, "family", (fatima.resident_id,),
                                                           start, 60, room_id=room,
                                                           relatives=(("Grace Benali", "sister"),))).session_ids[0]
        sessions.plan_weekly(leila, SessionInput(leila.actor.account_id, "individual", (fatima.resident_id,),
                                                 start + timedelta(days=7), 50, mode="phone"),
                             local(start + timedelta(days=21)).date())
        sessions.set_outcome(leila, family, "held")
        notes.save_draft(leila, family, "soap", {"subjective": "Synthetic note: what she said"}, ["family"],
                         ["Trace the sister's address"])
        notes.sign_note(leila, family)
    finally:
        leila.lock("sign_out")
    document = export_document(coordinator)
    check_against_document(document)
    assert len(document["sessions"]) == 4 and document["session_relatives"][0]["relation"] == "sister"
    assert document["session_follow_ups"][0]["text"] == "Trace the sister's address"
    assert "Synthetic note" not in json.dumps(document, ensure_ascii=False)


def test_reintegration_is_exported_as_documented(coordinator, social_worker, admin, history):
    """A plan moved on, a pathway changed, referrals with and without consent
    and a partner's answer, a follow-up and scores after a discharge, the
    administrator's weights and a printed plan: each record as documented."""
    from shelter.domain.sustainability import Weight
    from shelter.services import handover, partners, pathways, reintegration
    from shelter.storage.models import ReintegrationDocument

    fatima, aisha = history
    iom = partners.add_partner(social_worker, "IOM Rabat", "iom", "Rabat", "Point focal protection").partner_id
    lawyers = partners.add_partner(social_worker, "Association Adala", "legal_aid", "Rabat").partner_id
    today = date.today()
    reintegration.make_plan(social_worker, fatima.resident_id, "return_origin", "بغيت نرجع لبلادي", "Nigeria",
                            consent_on=today)
    reintegration.add_milestone(social_worker, fatima.resident_id, "Ouvrir un compte bancaire",
                                today + timedelta(days=20), owner_partner_id=lawyers)
    view = reintegration.reintegration(social_worker, fatima.resident_id)
    first, own = view.milestones[0], view.milestones[-1]
    reintegration.set_milestone_status(social_worker, first.milestone_id, "blocked", "Le consulat ne répond pas")
    reintegration.set_milestone_status(social_worker, own.milestone_id, "done")
    partners.refer(social_worker, fatima.resident_id, lawyers, "Legal aid for the trial",
                   consent_override="Emergency: the hearing is tomorrow morning")
    handover.record_consent(coordinator, fatima.resident_id, "IOM Rabat", ("identity", "stay"))
    partners.refer(social_worker, fatima.resident_id, iom, "Assisted voluntary return",
                   follow_up_on=today + timedelta(days=14))
    referral = reintegration.reintegration(social_worker, fatima.resident_id).referrals[0].referral_id
    partners.record_answer(social_worker, referral, "accepted", note="File opened",
                           follow_up_on=today + timedelta(days=30))
    reintegration.change_pathway(social_worker, fatima.resident_id, "morocco_family",
                                 "Elle a décidé de rester au Maroc", "Fès, chez sa tante")
    reintegration.record_score(social_worker, fatima.resident_id, "baseline",
                               {"income": "none", "housing": "fair", "distress": "often", "documents": "no"})
    pathways.set_sustainability_weights(admin, {"income": Weight(2.0, 0.2)})
    reintegration.make_plan(social_worker, aisha.resident_id, "return_origin", pathway_detail="Nigeria")
    contact = reintegration.record_contact(social_worker, aisha.resident_id, 3, "partner", True,
                                           situation="Back with her mother, looks for work", partner_id=iom)
    reintegration.record_score(social_worker, aisha.resident_id, "follow_up",
                               {"income": "occasional", "housing": "good", "education": "no_children"},
                               contact_id=contact.change.record_id)
    # (No service prints the plan yet: the row it will write, for the section's check.)
    plan_id = reintegration.reintegration(social_worker, aisha.resident_id).plan.plan_id
    with coordinator.store.write() as s:
        s.add(ReintegrationDocument(reference="RBT1-2026-0002-R1", plan_id=plan_id, resident_id=aisha.resident_id,
                                    audience="partner", partner_id=iom, lang="fr", content='{"pathway":"return"}',
                                    code="7K3QDM2X", issued_at=datetime.now(UTC),
                                    issued_by=coordinator.actor.account_id))

    document = export_document(coordinator)
    check_against_document(document)
    assert document["format_version"] == 6
    names = {p["id"]: p["name"] for p in document["partners"]}
    assert sorted(names.values()) == ["Association Adala", "IOM Rabat"]
    plans = {p["resident_id"]: p for p in document["reintegration_plans"]}
    assert plans[fatima.resident_id]["pathway"] == "morocco_family" and plans[fatima.resident_id]["consent_on"] is None
    assert plans[fatima.resident_id]["resident_choice"] == "بغيت نرجع لبلادي"
    [change] = document["pathway_changes"]
    assert (change["old_pathway"], change["new_pathway"]) == ("return_origin", "morocco_family")
    templates = {t["id"]: t for t in document["milestone_templates"]}
    mine = [m for m in document["milestones"] if m["reintegration_plan_id"] == plans[fatima.resident_id]["id"]]
    assert {templates[m["milestone_template_id"]]["pathway"] for m in mine if m["milestone_template_id"]} == {
        "return_origin", "morocco_family"}
    done = next(m for m in mine if m["title"] == "Ouvrir un compte bancaire")
    assert (done["status"], done["done_on"], names[done["owner_partner_id"]]) == ("done", today.isoformat(),
                                                                                 "Association Adala")
    history_of = [e["status"] for e in document["milestone_events"] if e["milestone_id"] == mine[0]["id"]]
    assert history_of == ["planned", "blocked"]
    referrals = {names[r["partner_id"]]: r for r in document["partner_referrals"]}
    assert referrals["Association Adala"]["consent_override"].startswith("Emergency")
    assert referrals["IOM Rabat"]["consent_override"] == "" and referrals["IOM Rabat"]["status"] == "accepted"
    [reached] = document["follow_up_contacts"]
    assert (reached["round_months"], reached["method"], reached["reached"], names[reached["partner_id"]]) == (
        3, "partner", True, "IOM Rabat")
    scores = {s["occasion"]: s for s in document["sustainability_scores"]}
    assert scores["follow_up"]["follow_up_contact_id"] == reached["id"]
    assert json.loads(scores["follow_up"]["weights"])["income"] == [2.0, 0.2]  # computed with the new weights
    assert json.loads(scores["baseline"]["weights"])["income"] == [0.2, 1 / 15]  # kept with the ones of its day
    assert isinstance(scores["baseline"]["overall"], float) and scores["follow_up"]["psychosocial"] is None
    answers = [(a["indicator"], a["answer"]) for a in document["sustainability_answers"]
               if a["sustainability_score_id"] == scores["follow_up"]["id"]]
    assert answers == [("education", "no_children"), ("housing", "good"), ("income", "occasional")]
    [weight] = document["sustainability_weights"]
    assert (weight["indicator"], weight["dimension_weight"], weight["changed_by"]) == (
        "income", 2.0, admin.actor.username)
    [printed] = document["reintegration_documents"]
    assert (printed["audience"], names[printed["partner_id"]], printed["verification_code"]) == (
        "partner", "IOM Rabat", "7K3QDM2X")


def test_referrals_not_admitted_and_the_reporting_consent_are_exported(coordinator):
    from shelter.services.shelters import list_shelters
    from shelter.services.unmet_requests import UnmetRequestInput, record_unmet_request

    stay = admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    record_unmet_request(coordinator, UnmetRequestInput(list_shelters(coordinator)[0].id, date.today(), "police",
                                                        "no_bed", sex="female", age_band="18-24", children=2))
    document = export_document(coordinator)
    check_against_document(document)
    assert [(u["reason"], u["children"], u["recorded_by"]) for u in document["unmet_requests"]] == [
        ("no_bed", 2, "salma")]
    resident = next(r for r in document["residents"] if r["id"] == stay.resident_id)
    assert resident["consent_reporting"] is False and resident["consent_reporting_on"] is None
