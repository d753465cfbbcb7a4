"""``document care-plan`` on the command line: the latest agreed version, or
the draft marked as a draft, in the language asked for; one clear line when
there is nothing to print."""

from __future__ import annotations

from datetime import date

from shelter.services import admissions, assessments, care_plans
from shelter.services.care_plans import GoalInput
from tests.cases import admission, audit_details, bed_ids, scores
from tests.conftest import SOCIAL_WORKER_PASSWORD
from tests.documents.pdftext import page_texts
from tests.documents.test_cli_documents import run


def args(store_dir, case, out, lang, *extra):
    return ["--data-dir", str(store_dir), "document", "care-plan", "--case", case, "--out", str(out),
            "--lang", lang, "--user", "nadia", "--password-stdin", *extra]


def test_prints_the_agreed_version_then_the_draft(capsys, monkeypatch, coordinator, social_worker, store_dir,
                                                  tmp_path):
    admitted = admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    target = tmp_path / "plan.pdf"
    code, _out, err = run(capsys, monkeypatch, args(store_dir, admitted.case_number, target, "fr"),
                          SOCIAL_WORKER_PASSWORD)
    assert code != 0 and "no care plan" in err and not target.exists()
    assessments.record_assessment(social_worker, admitted.resident_id, date.today(), scores(safety=2))
    plan = care_plans.start_plan(social_worker, admitted.resident_id).record_id
    care_plans.add_goal(social_worker, plan, GoalInput("safety", "Sortir sans peur au marché"))
    # Only a draft: printed as a draft.
    code, out, err = run(capsys, monkeypatch, args(store_dir, admitted.case_number, target, "en"),
                         SOCIAL_WORKER_PASSWORD)
    assert code == 0, err
    assert "not valid for signature" in out
    assert "DRAFT" in page_texts(target.read_bytes())[0]
    agreed = care_plans.agree_version(social_worker, plan, "fr")
    code, out, err = run(capsys, monkeypatch, args(store_dir, admitted.case_number.lower(), target, "fr"),
                         SOCIAL_WORKER_PASSWORD)
    assert code == 0, err
    assert agreed.reference in out
    text = "\n".join(page_texts(target.read_bytes()))
    assert "Sortir sans peur au marché" in text and agreed.verification_code in text
    saved = audit_details(coordinator, "document.save")
    assert [(outcome, d["document"]) for outcome, _r, d in saved][-2:] == [("started", "care_plan"),
                                                                          ("ok", "care_plan")]
    code, _out, err = run(capsys, monkeypatch, args(store_dir, admitted.case_number, target, "fr", "--version", "4"),
                          SOCIAL_WORKER_PASSWORD)
    assert code != 0 and "no version 4" in err
    assert "Traceback" not in err
