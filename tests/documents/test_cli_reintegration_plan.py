"""``document reintegration-plan`` on the command line, run for real on a
store on disk: the resident's copy or a partner's written to a PDF, audited
around the file; bad input (an unknown case, no plan, a partner not in the
directory or without consent) gives one clear line, a non-zero exit and no
file."""

from __future__ import annotations

from datetime import date

from shelter.services import admissions, handover, partners, reintegration
from tests.cases import admission, audit_details, bed_ids
from tests.conftest import SOCIAL_WORKER_PASSWORD
from tests.documents.pdftext import page_texts
from tests.documents.test_cli_documents import run


def args(store_dir, case, out, lang, *extra):
    return ["--data-dir", str(store_dir), "document", "reintegration-plan", "--case", case, "--out", str(out),
            "--lang", lang, "--user", "nadia", "--password-stdin", *extra]


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_writes_the_residents_copy_then_a_partners(capsys, monkeypatch, coordinator, social_worker, store_dir,
                                                   tmp_path):
    admitted = admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    rid = admitted.resident_id
    target = tmp_path / "plan.pdf"
    # No plan yet: one line, no file.
    code, _out, err = run(capsys, monkeypatch, args(store_dir, admitted.case_number, target, "fr"),
                          SOCIAL_WORKER_PASSWORD)
    assert code != 0 and one_line(err) == "shelter: This resident has no reintegration plan yet."
    assert not target.exists()
    partners.add_partner(social_worker, "OIM Rabat", "iom", "Rabat", "Mme Alaoui, +212 5 37 00 00 00")
    partners.add_partner(social_worker, "Association Adala", "legal_aid", "Rabat")
    handover.record_consent(social_worker, rid, "OIM Rabat", ("identity",))
    reintegration.make_plan(social_worker, rid, "return_origin", "Je veux rentrer chez ma mère",
                            consent_on=date.today())

    code, out, err = run(capsys, monkeypatch, args(store_dir, admitted.case_number.lower(), target, "ar"),
                         SOCIAL_WORKER_PASSWORD)
    assert code == 0, err
    assert f"{admitted.case_number}-R1" in out and "Verification code:" in out
    assert "not encrypted" in err
    text = "\n".join(page_texts(target.read_bytes()))
    assert "Je veux rentrer chez ma mère" in text and f"{admitted.case_number}-R1" in text
    saved = audit_details(coordinator, "document.save")
    assert [(outcome, record, d["document"]) for outcome, record, d in saved] == [
        ("started", f"{admitted.case_number}-R1", "reintegration_plan"),
        ("ok", f"{admitted.case_number}-R1", "reintegration_plan")]

    code, out, err = run(capsys, monkeypatch, args(store_dir, admitted.case_number, target, "fr", "--for", "partner",
                                                   "--partner", "oim rabat"), SOCIAL_WORKER_PASSWORD)
    assert code == 0, err
    assert f"{admitted.case_number}-R2" in out
    text = "\n".join(page_texts(target.read_bytes()))
    assert "Fatima Zahra Benali" in text and "OIM Rabat" in text
    [*_, (_o, _r, detail)] = audit_details(coordinator, "document.reintegration_plan")
    assert detail["audience"] == "partner" and detail["sections"] == "identity"

    # A partner she gave no consent for: refused, unless a reason is given.
    other = tmp_path / "adala.pdf"
    partner_args = args(store_dir, admitted.case_number, other, "en", "--for", "partner", "--partner",
                        "Association Adala")
    code, _out, err = run(capsys, monkeypatch, partner_args, SOCIAL_WORKER_PASSWORD)
    assert code != 0 and "has not consented" in one_line(err) and not other.exists()
    code, _out, err = run(capsys, monkeypatch, [*partner_args, "--override-reason",
                                                "The hearing is tomorrow and Adala represents her"],
                          SOCIAL_WORKER_PASSWORD)
    assert code == 0, err
    assert other.exists()
    assert len(audit_details(coordinator, "document.reintegration_consent_override")) == 1


def test_bad_input_gives_one_clear_line(capsys, monkeypatch, coordinator, social_worker, store_dir, tmp_path):
    admitted = admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    reintegration.make_plan(social_worker, admitted.resident_id, "morocco_family")
    target = tmp_path / "plan.pdf"
    code, _out, err = run(capsys, monkeypatch, args(store_dir, "RBT1-1999-9999", target, "fr"),
                          SOCIAL_WORKER_PASSWORD)
    assert code != 0 and one_line(err) == "shelter: No resident has the case number RBT1-1999-9999."
    code, _out, err = run(capsys, monkeypatch, args(store_dir, admitted.case_number, target, "fr", "--for",
                                                    "partner", "--partner", "UNHCR"), SOCIAL_WORKER_PASSWORD)
    assert code != 0 and one_line(err) == "shelter: No partner in the directory is called UNHCR."
    code, _out, err = run(capsys, monkeypatch, args(store_dir, admitted.case_number, target, "fr", "--for",
                                                    "partner"), SOCIAL_WORKER_PASSWORD)
    assert code != 0 and "--partner" in one_line(err)
    code, _out, err = run(capsys, monkeypatch, args(store_dir, admitted.case_number, tmp_path / "no" / "plan.pdf",
                                                    "fr"), SOCIAL_WORKER_PASSWORD)
    assert code != 0 and "does not exist" in one_line(err)
    assert not target.exists()
    assert audit_details(coordinator, "document.reintegration_plan") == []
    # --resident is the same option as --case.
    argv = args(store_dir, admitted.case_number, target, "en")
    argv[argv.index("--case")] = "--resident"
    code, _out, err = run(capsys, monkeypatch, argv, SOCIAL_WORKER_PASSWORD)
    assert code == 0, err
    assert target.exists()
