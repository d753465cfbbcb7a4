"""The handover document: consent decides what a receiver gets, exceptions
need a written reason and are audited, and a paper can be verified later."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from shelter.domain import people
from shelter.errors import PermissionDenied, ValidationError
from shelter.security.permissions import Role
from shelter.services import accounts, admissions, handover
from shelter.services.handover import HandoverRequest
from shelter.storage.models import AuditEntry, IssuedDocument
from shelter.store import Store
from tests.cases import TODAY, admission, bed_ids
from tests.documents.pdftext import fonts, normalise, page_texts

IOM = "Organisation Internationale pour les Migrations (OIM), Rabat"


@pytest.fixture
def resident(coordinator):
    admitted = admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    return admitted


def request(resident_id: int, receiver: str = IOM, **extra) -> HandoverRequest:
    values = dict(resident_id=resident_id, reason="referral", receiver_organisation=receiver,
                  receiver_person="Mme Nadia Alaoui", handover_on=TODAY,
                  shelter_contact="Salma Idrissi, +212 600 000 000",
                  belongings=(("Passport (original)", True), ("Medical file", False)))
    values.update(extra)
    return HandoverRequest(**values)


def text_of(pdf: bytes) -> str:
    return " ".join(page_texts(pdf))


def actions(who, action: str) -> list[tuple[str, str]]:
    """(outcome, detail) of each audit entry with ``action``, oldest first."""
    with who.store.read() as s:
        return [(e.outcome, e.detail) for e in
                s.execute(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).scalars()]


def test_without_consent_only_the_handover_facts_are_printed(coordinator, resident):
    issued = handover.issue_handover(coordinator, request(resident.resident_id), "en")
    text = text_of(issued.pdf)
    assert issued.sections == ()
    assert resident.case_number in text and "Mme Nadia Alaoui" in text
    assert "Fatima" not in text and "NG" not in text.split() and "Interpreter" not in text
    assert "do not confirm to anyone" not in text
    assert "Not shared with this receiver, by the resident's choice: Identity, Languages, Stay at the shelter, " \
           "Safety considerations." in text
    assert "Passport (original)" in text and "Medical file" in text
    assert f"Verification code: {issued.verification_code}" in text


def test_consent_recorded_for_a_receiver_prints_exactly_those_sections(coordinator, resident):
    handover.record_consent(coordinator, resident.resident_id, "OIM Rabat", ("identity", "languages"))
    # Another spelling of the same receiver is the same receiver; another
    # receiver gets nothing.
    assert handover.consented_sections(coordinator, resident.resident_id, "oim   RABAT") == ("identity", "languages")
    assert handover.consented_sections(coordinator, resident.resident_id, "Hôpital Ibn Sina") == ()
    issued = handover.issue_handover(coordinator, request(resident.resident_id, receiver="OIM – Rabat"), "en")
    text = text_of(issued.pdf)
    assert issued.sections == ("identity", "languages")
    assert "Fatima Zahra Benali" in text and "1998-03-14" in text and "Interpreter needed Yes" in text
    assert "Current bed" not in text and "do not confirm to anyone" not in text
    assert "by the resident's choice: Stay at the shelter, Safety considerations." in text


def test_partner_named_at_admission_gets_every_section(coordinator):
    base = admission(bed_ids(coordinator)[0])
    named = people.Protection(**{**base.protection.__dict__, "consent_sharing": ("Hôpital Ibn Sina",),
                                    "consent_sharing_on": TODAY})
    admitted = admissions.admit(coordinator, admissions.Admission(base.identity, base.referral, named, base.bed_id))
    issued = handover.issue_handover(coordinator, request(admitted.resident_id, receiver="hopital ibn sina"), "en")
    text = text_of(issued.pdf)
    assert issued.sections == ("identity", "languages", "stay", "safety")
    assert "Room 1 /" in text and "Risk level High" in text
    assert "do not confirm to anyone that this person is with you" in text
    assert "by the resident's choice" not in text


def test_withdrawn_consent_no_longer_shares(coordinator, resident):
    handover.record_consent(coordinator, resident.resident_id, IOM, ("identity",))
    assert handover.withdraw_consent(coordinator, resident.resident_id, IOM.upper()) == 1
    issued = handover.issue_handover(coordinator, request(resident.resident_id), "en")
    assert issued.sections == () and "Fatima" not in text_of(issued.pdf)


def test_sharing_without_consent_needs_a_written_reason_which_is_audited(coordinator, resident):
    with pytest.raises(ValidationError) as refused:
        handover.issue_handover(coordinator, request(resident.resident_id, sections=("safety",),
                                                     override_reason="needed"), "en")
    assert refused.value.field == "override_reason"
    with coordinator.store.read() as s:
        assert s.execute(select(IssuedDocument)).first() is None
    reason = "Hospital must know the trafficker contact risk to protect her on the ward"
    issued = handover.issue_handover(coordinator, request(resident.resident_id, sections=("safety",),
                                                          override_reason=reason), "en")
    assert issued.overridden == ("safety",)
    assert "do not confirm to anyone" in text_of(issued.pdf)
    [(_, entry)] = actions(coordinator, "document.consent_override")
    detail = json.loads(entry)
    assert detail == {"reference": issued.reference, "sections": "safety"}
    [(_, printed)] = actions(coordinator, "document.handover")
    assert json.loads(printed)["sections"] == "safety"
    with coordinator.store.read() as s:
        kept = json.loads(s.execute(select(IssuedDocument.content)).scalar_one())
    assert kept["override"] == {"sections": ["safety"], "reason": reason}


@pytest.mark.parametrize(("field", "change", "message"), [
    ("receiver", {"receiver_organisation": "  "}, "Name the receiving organisation."),
    ("contact", {"shelter_contact": " "}, "Give a contact at the shelter (name and phone)."),
    ("handover_on", {"handover_on": TODAY + timedelta(days=40)}, "The handover date is more than a month ahead."),
    ("handover_on", {"handover_on": TODAY - timedelta(days=3)}, "The handover date is before the admission."),
    ("reason", {"reason": "holiday"}, "Choose the reason for the handover."),
    ("belongings", {"belongings": (("  ", True),)}, "A line of the belongings list is empty."),
])
def test_bad_input_is_refused_with_a_clear_message(coordinator, resident, field, change, message):
    with pytest.raises(ValidationError) as refused:
        handover.issue_handover(coordinator, request(resident.resident_id, **change), "en")
    assert refused.value.field == field and refused.value.message == message


def test_a_planned_date_within_a_month_is_accepted(coordinator, resident):
    issued = handover.issue_handover(coordinator, request(resident.resident_id, handover_on=TODAY + timedelta(days=7)),
                                     "fr")
    assert (TODAY + timedelta(days=7)).isoformat() in text_of(issued.pdf)


def test_references_count_up_per_resident(coordinator, resident):
    first = handover.issue_handover(coordinator, request(resident.resident_id), "en")
    second = handover.issue_handover(coordinator, request(resident.resident_id), "en")
    assert first.reference == f"{resident.case_number}-H1" and second.reference == f"{resident.case_number}-H2"
    assert first.verification_code != second.verification_code


def test_arabic_document_keeps_names_and_french_in_logical_order(coordinator, resident):
    handover.record_consent(coordinator, resident.resident_id, IOM, ("identity", "stay"))
    issued = handover.issue_handover(coordinator, request(resident.resident_id), "ar")
    text = text_of(issued.pdf)
    assert normalise("فاطمة الزهراء بنعلي") in text
    assert "Mme Nadia Alaoui" in text and resident.case_number in text
    assert normalise("وثيقة التسليم") in text
    assert all(font.embedded and font.subset for font in fonts(issued.pdf))


def test_only_staff_who_may_print_handovers_can(coordinator, admin, store_dir, resident):
    with pytest.raises(PermissionDenied):
        handover.issue_handover(admin, request(resident.resident_id), "en")
    accounts.create_account(admin, "karim", "Karim Tazi", [Role.COUNSELLOR], "quiet river long walk",
                            must_change_password=False)
    counsellor = Store(store_dir).sign_in("karim", "quiet river long walk")
    with pytest.raises(PermissionDenied):
        handover.issue_handover(counsellor, request(resident.resident_id), "en")
    counsellor.lock("sign_out")


def test_a_genuine_paper_verifies_and_a_forged_one_does_not(coordinator, admin, resident):
    handover.record_consent(coordinator, resident.resident_id, IOM, ("languages",))
    issued = handover.issue_handover(coordinator, request(resident.resident_id), "fr")
    typed = issued.verification_code.lower().replace("-", " ")
    result = handover.verify_document(admin, issued.reference.lower(), typed)
    assert result.genuine and result.reference == issued.reference
    assert result.receiver == IOM and result.reason == "referral" and result.sections == ("languages",)
    assert result.issued_by == "Salma Idrissi" and result.belongings[0] == ("Passport (original)", True)
    assert not handover.verify_document(admin, issued.reference, "AAAA-AAAA").genuine
    assert not handover.verify_document(admin, issued.reference + "9", issued.verification_code).genuine
    # A record edited behind the application's back no longer matches its code.
    with admin.store.write() as s:
        row = s.execute(select(IssuedDocument)).scalar_one()
        row.content = row.content.replace("Mme Nadia Alaoui", "Someone Else")
    assert not handover.verify_document(admin, issued.reference, issued.verification_code).genuine
    outcomes = [outcome for outcome, _ in actions(admin, "document.verify")]
    assert outcomes == ["ok", "denied", "denied", "denied"]


def test_verification_needs_both_fields_and_the_permission(coordinator, resident):
    with pytest.raises(ValidationError):
        handover.verify_document(coordinator, "", "")
    assert handover.normalise_code("7k2m q9xd") == "7K2M-Q9XD"
    assert handover.normalise_code("ILO0-0000") == "1100-0000"


def test_social_worker_cannot_verify(coordinator, admin, store_dir, resident):
    accounts.create_account(admin, "houda", "Houda Berrada", [Role.SOCIAL_WORKER], "blue door winter lamp",
                            must_change_password=False)
    worker = Store(store_dir).sign_in("houda", "blue door winter lamp")
    issued = handover.issue_handover(worker, request(resident.resident_id), "en")
    with pytest.raises(PermissionDenied):
        handover.verify_document(worker, issued.reference, issued.verification_code)
    worker.lock("sign_out")


def test_consent_cannot_be_dated_in_the_future_or_be_empty(coordinator, resident):
    with pytest.raises(ValidationError):
        handover.record_consent(coordinator, resident.resident_id, IOM, ("identity",), TODAY + timedelta(days=1))
    with pytest.raises(ValidationError):
        handover.record_consent(coordinator, resident.resident_id, IOM, ())
    with pytest.raises(ValidationError):
        handover.record_consent(coordinator, resident.resident_id, " ", ("identity",))
    assert handover.receivers(coordinator, resident.resident_id) == []
    handover.record_consent(coordinator, resident.resident_id, IOM, ("stay",), date.today())
    assert handover.receivers(coordinator, resident.resident_id) == [(IOM, ("stay",))]


def test_command_line_writes_the_document_and_prints_its_code(coordinator, resident, store_dir, tmp_path,
                                                              capsys, monkeypatch):
    import io
    import sys

    from shelter import cli
    from tests.cases import COORDINATOR_PASSWORD

    target = tmp_path / "handover.pdf"
    argv = ["--data-dir", str(store_dir), "document", "handover", "--case", resident.case_number.lower(),
            "--to", "Hôpital Ibn Sina", "--lang", "fr", "--out", str(target), "--reason", "transfer",
            "--item", "Passeport", "--user", "salma", "--password-stdin"]
    monkeypatch.setattr(sys, "stdin", io.StringIO(COORDINATOR_PASSWORD + "\n"))
    assert cli.main(argv) == 0
    out, err = capsys.readouterr()
    text = text_of(target.read_bytes())
    code = out.split(":")[-1].strip()
    assert f"{resident.case_number}-H1" in out and code in text and "Passeport" in text
    assert "Hôpital Ibn Sina" in text and "Fatima" not in text  # no consent for this receiver
    assert "not encrypted" in err
    assert handover.verify_document(coordinator, f"{resident.case_number}-H1", code).genuine
    # An unknown case number is one clear line, and no file.
    monkeypatch.setattr(sys, "stdin", io.StringIO(COORDINATOR_PASSWORD + "\n"))
    argv[argv.index("--case") + 1] = "RBT9-1999-9999"
    argv[argv.index("--out") + 1] = str(tmp_path / "other.pdf")
    assert cli.main(argv) == 1
    assert "No resident has the case number RBT9-1999-9999." in capsys.readouterr().err
    assert not (tmp_path / "other.pdf").exists()


def test_printing_or_saving_a_handover_is_recorded_for_the_document_issued(coordinator, admin, resident):
    from shelter.services import documents

    issued = handover.issue_handover(coordinator, request(resident.resident_id), "fr")
    documents.record_output(coordinator, "handover", "print", "fr", "document", issued.reference)
    documents.record_output(coordinator, "handover", "save", "fr", "resident", resident.resident_id)
    [(outcome, printed)] = actions(coordinator, "document.print")
    assert outcome == "ok" and json.loads(printed) == {"document": "handover", "lang": "fr"}
    [(outcome, _saved)] = actions(coordinator, "document.save")
    # Only for a record that exists, and only by whoever may print handovers.
    for record_type, record_id in (("document", issued.reference + "9"), ("document", "RBT1-2020-0001-H1"),
                                   ("resident", resident.resident_id + 100), ("resident", "x")):
        with pytest.raises(ValidationError):
            documents.record_output(coordinator, "handover", "print", "fr", record_type, record_id)
    with pytest.raises(ValueError):
        documents.record_output(coordinator, "handover", "print", "fr")  # names no record
    with pytest.raises(PermissionDenied):
        documents.record_output(admin, "handover", "print", "fr", "document", issued.reference)
    assert len(actions(coordinator, "document.print")) == 1


def test_looking_up_a_case_and_listing_receivers_are_audited_without_what_was_typed(coordinator, resident):
    assert handover.resident_by_case(coordinator, resident.case_number.lower()) == resident.resident_id
    with pytest.raises(ValidationError):
        handover.resident_by_case(coordinator, "RBT9-1999-9999")
    with coordinator.store.read() as s:
        lookups = [(e.outcome, e.record_type, e.record_id, e.detail) for e in s.execute(
            select(AuditEntry).where(AuditEntry.action == "resident.lookup").order_by(AuditEntry.id)).scalars()]
    assert lookups == [("ok", "resident", str(resident.resident_id), "{}"), ("failed", None, None, "{}")]
    handover.record_consent(coordinator, resident.resident_id, IOM, ("stay",))
    handover.receivers(coordinator, resident.resident_id)
    [(outcome, detail)] = actions(coordinator, "resident.receivers")
    assert outcome == "ok" and json.loads(detail) == {"results": 1} and "OIM" not in detail


def cli_handover(store_dir, target, case_number):
    return ["--data-dir", str(store_dir), "document", "handover", "--case", case_number,
            "--to", "Hôpital Ibn Sina", "--lang", "fr", "--out", str(target), "--user", "salma", "--password-stdin"]


def committed(who, action: str) -> list[tuple[str, str | None, dict]]:
    """(outcome, record id, detail) of the entries with ``action``, read on
    a connection of its own: only what was committed."""
    from shelter.storage.database import connect_raw

    conn = connect_raw(who.store.database_path, who.store.key)
    try:
        return [(outcome, record_id, json.loads(detail)) for outcome, record_id, detail in conn.execute(
            "SELECT outcome, record_id, detail FROM audit_entry WHERE action = ? ORDER BY id", (action,))]
    finally:
        conn.close()


def test_command_line_audits_the_file_before_writing_it(coordinator, resident, store_dir, tmp_path,
                                                        capsys, monkeypatch):
    import io
    import sys

    from shelter import cli
    from shelter.atomic import write_atomic
    from shelter.services import outputs
    from tests.cases import COORDINATOR_PASSWORD

    target = tmp_path / "handover.pdf"
    seen = []

    def spy(path, data, *args, **kwargs):
        assert not target.exists()
        seen.append(committed(coordinator, "document.save"))
        write_atomic(path, data, *args, **kwargs)

    monkeypatch.setattr(outputs, "write_atomic", spy)
    monkeypatch.setattr(sys, "stdin", io.StringIO(COORDINATOR_PASSWORD + "\n"))
    assert cli.main(cli_handover(store_dir, target, resident.case_number)) == 0
    reference = f"{resident.case_number}-H1"
    assert seen == [[("started", reference, {"document": "handover", "lang": "fr"})]]
    assert [(o, r) for o, r, _d in committed(coordinator, "document.save")] == [("started", reference),
                                                                                ("ok", reference)]
    assert target.exists()

    # A write that fails is recorded as failed, and leaves no file.
    def broken(path, data, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(outputs, "write_atomic", broken)
    monkeypatch.setattr(sys, "stdin", io.StringIO(COORDINATOR_PASSWORD + "\n"))
    other = tmp_path / "other.pdf"
    assert cli.main(cli_handover(store_dir, other, resident.case_number)) == 1
    assert "Traceback" not in capsys.readouterr().err and not other.exists()
    saves = committed(coordinator, "document.save")
    assert [(o, r) for o, r, _d in saves[2:]] == [("started", f"{resident.case_number}-H2"),
                                                  ("failed", f"{resident.case_number}-H2")]
    assert saves[-1][2] == {"document": "handover", "lang": "fr", "error": "EACCES"}
