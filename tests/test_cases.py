"""The case as a whole: its stage computed from the records, the social
worker holding it, closing it with a reason and reopening it, audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from shelter.errors import PermissionDenied, ValidationError
from shelter.services import admissions, assessments, care_plans, cases, discharge
from shelter.services.care_plans import GoalInput
from shelter.services.residents import open_resident
from tests.cases import admission, audit_details, bed_ids, scores


@pytest.fixture
def resident(coordinator):
    return admissions.admit(coordinator, admission(bed_ids(coordinator)[0])).resident_id


def leave(who, resident_id):
    stay = open_resident(who, resident_id).stays[-1].stay_id
    discharge.discharge(who, stay, datetime.now(UTC), "family_reunification")


def test_the_stage_follows_the_records(coordinator, social_worker, resident):
    stage = lambda: cases.case_summary(coordinator, resident).stage  # noqa: E731
    assert stage() == "admitted"
    assessments.record_assessment(social_worker, resident, date.today(), scores(safety=2))
    assert stage() == "assessed"
    plan = care_plans.start_plan(social_worker, resident).record_id
    care_plans.add_goal(social_worker, plan, GoalInput("safety", "Feel safe"))
    care_plans.agree_version(social_worker, plan, "en")
    assert stage() == "plan_agreed"
    leave(coordinator, resident)
    assert stage() == "discharged"
    cases.close_case(coordinator, resident, "reintegrated")
    assert stage() == "closed"
    cases.reopen_case(coordinator, resident, "She came back to ask for legal help")
    assert stage() == "discharged"


def test_a_case_is_closed_only_after_discharge_and_with_a_reason(coordinator, resident):
    with pytest.raises(ValidationError, match="still in residence"):
        cases.close_case(coordinator, resident, "reintegrated")
    leave(coordinator, resident)
    with pytest.raises(ValidationError) as refused:
        cases.close_case(coordinator, resident, "")
    assert refused.value.field == "reason"
    with pytest.raises(ValidationError) as refused:
        cases.close_case(coordinator, resident, "other", "moved")
    assert refused.value.field == "reason_text"
    with pytest.raises(ValidationError) as refused:
        cases.close_case(coordinator, resident, "lost_contact", closed_on=date.today() + timedelta(days=1))
    assert refused.value.field == "closed_on"
    cases.close_case(coordinator, resident, "other", "Married and moved to Tangier with her husband")
    with pytest.raises(ValidationError, match="already closed"):
        cases.close_case(coordinator, resident, "lost_contact")


def test_reopening_keeps_the_closure_in_the_history(coordinator, resident):
    leave(coordinator, resident)
    with pytest.raises(ValidationError, match="not closed"):
        cases.reopen_case(coordinator, resident, "She came back to the shelter")
    cases.close_case(coordinator, resident, "lost_contact")
    with pytest.raises(ValidationError) as refused:
        cases.reopen_case(coordinator, resident, "back")
    assert refused.value.field == "reopen_reason"
    cases.reopen_case(coordinator, resident, "She phoned: she needs the lawyer again")
    cases.close_case(coordinator, resident, "reintegrated")
    summary = cases.case_summary(coordinator, resident)
    assert [(c.reason, c.reopened_at is not None) for c in summary.closures] == [("reintegrated", False),
                                                                                 ("lost_contact", True)]
    assert summary.closures[1].reopen_reason == "She phoned: she needs the lawyer again"
    assert [d["reason"] for _o, _r, d in audit_details(coordinator, "case.close")] == ["lost_contact", "reintegrated"]
    assert [r for _o, r, _d in audit_details(coordinator, "case.reopen")] == [str(resident)]


def test_a_readmission_after_closing_is_a_new_stay_of_the_same_case(coordinator, resident):
    leave(coordinator, resident)
    cases.close_case(coordinator, resident, "returned")
    assert cases.case_summary(coordinator, resident).closed


def test_only_social_workers_and_coordinators_close_cases(admin, store_dir, coordinator, resident):
    from shelter.security.permissions import Role
    from shelter.services import accounts
    from shelter.store import Store

    leave(coordinator, resident)
    accounts.create_account(admin, "rachid", "Rachid Counsellor", [Role.COUNSELLOR], "a long enough pass phrase",
                            must_change_password=False)
    who = Store(store_dir).sign_in("rachid", "a long enough pass phrase")
    try:
        with pytest.raises(PermissionDenied):
            cases.close_case(who, resident, "reintegrated")
        with pytest.raises(PermissionDenied):
            cases.assign_case_worker(who, resident, coordinator.actor.account_id)
    finally:
        who.lock("sign_out")


def test_only_an_active_social_worker_holds_a_case(coordinator, social_worker, resident):
    with pytest.raises(ValidationError) as refused:
        cases.assign_case_worker(coordinator, resident, coordinator.actor.account_id)
    assert refused.value.field == "case_worker"
    cases.assign_case_worker(coordinator, resident, social_worker.actor.account_id)
    assert cases.case_summary(coordinator, resident).case_worker == "Nadia Tazi"
    assert [w.name for w in cases.social_workers(coordinator)] == ["Nadia Tazi"]
