"""Care plans: built from the latest assessment, complete only when every
need has a goal or a reason, versions frozen with their verification code,
approval where the shelter turns it on, reviews, and every role against the
new permissions."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from shelter.errors import PermissionDenied, ValidationError
from shelter.services import admissions, assessments, care_plans, settings
from shelter.services.care_plans import ActionInput, GoalInput, GoalProgress
from shelter.services.handover import verify_document
from shelter.storage.models import PlanVersion
from tests.cases import TODAY, admission, audit_details, bed_ids, scores


@pytest.fixture
def resident(coordinator):
    return admissions.admit(coordinator, admission(bed_ids(coordinator)[0])).resident_id


@pytest.fixture
def plan(social_worker, resident):
    assessments.record_assessment(social_worker, resident, TODAY, scores(safety=1, legal=2))
    return care_plans.start_plan(social_worker, resident).record_id


def agreed_plan(who, resident, plan_id):
    safety = care_plans.add_goal(who, plan_id, GoalInput("safety", "Feel safe at the shelter and outside",
                                                         "Je veux sortir sans peur", "high"))
    care_plans.add_action(who, safety.record_id, ActionInput("Safety plan with the police liaison",
                                                             owner_staff_id=who.actor.account_id,
                                                             due_on=TODAY + timedelta(days=5)))
    care_plans.add_goal(who, plan_id, GoalInput("legal", "A lawyer for the hearing", priority="medium"))
    return care_plans.agree_version(who, plan_id, "fr", interpreter="Grace Okafor")


def test_a_plan_needs_an_assessment_first(social_worker, resident):
    with pytest.raises(ValidationError) as refused:
        care_plans.start_plan(social_worker, resident)
    assert refused.value.field == "plan"


def test_the_plan_is_complete_only_when_every_need_has_a_goal_or_a_reason(social_worker, resident, plan):
    view = care_plans.care_plan(social_worker, resident)
    assert [(g.domain, g.score) for g in view.gaps] == [("safety", 1), ("legal", 2)]
    assert not view.complete
    care_plans.add_goal(social_worker, plan, GoalInput("safety", "Feel safe"))
    view = care_plans.care_plan(social_worker, resident)
    assert [g.domain for g in view.gaps] == ["legal"]
    care_plans.set_domain_reason(social_worker, plan, "legal", "She has a lawyer from the association already")
    view = care_plans.care_plan(social_worker, resident)
    assert view.gaps == () and view.complete
    # A dropped goal no longer answers its need.
    goal = view.goals[0]
    care_plans.update_goal(social_worker, goal.goal_id, GoalInput("safety", "Feel safe", status="dropped",
                                                                  status_reason="Moved to another programme"))
    assert [g.domain for g in care_plans.care_plan(social_worker, resident).gaps] == ["safety"]
    # A domain scored 4 never needs a goal.
    assert "housing" not in [g.domain for g in care_plans.care_plan(social_worker, resident).gaps]


def test_a_newer_assessment_decides_what_the_plan_must_answer(social_worker, resident, plan):
    care_plans.add_goal(social_worker, plan, GoalInput("safety", "Feel safe"))
    care_plans.add_goal(social_worker, plan, GoalInput("legal", "A lawyer"))
    assert care_plans.care_plan(social_worker, resident).complete
    assessments.record_assessment(social_worker, resident, TODAY, scores(safety=1, legal=2, housing=2))
    assert [g.domain for g in care_plans.care_plan(social_worker, resident).gaps] == ["housing"]


def test_an_incomplete_plan_cannot_be_agreed(social_worker, resident, plan):
    care_plans.add_goal(social_worker, plan, GoalInput("safety", "Feel safe"))
    with pytest.raises(ValidationError, match="neither a goal nor a reason"):
        care_plans.agree_version(social_worker, plan, "fr")


def test_a_frozen_version_still_verifies_after_the_plan_changes(social_worker, coordinator, resident, plan):
    agreed = agreed_plan(social_worker, resident, plan)
    assert agreed.number == 1 and agreed.pdf.startswith(b"%PDF")
    view = care_plans.care_plan(social_worker, resident)
    assert view.agreed.reference == agreed.reference and not view.draft_changed
    goal = view.goals[0]
    care_plans.update_goal(social_worker, goal.goal_id, GoalInput("safety", "Feel safe, and go to the market alone",
                                                                  goal.resident_words, "high", status="in_progress"))
    view = care_plans.care_plan(social_worker, resident)
    assert view.draft_changed and view.draft_number == 2
    assert verify_document(coordinator, agreed.reference, agreed.verification_code).genuine
    # The version kept its words as agreed, not the draft's.
    printed = care_plans.print_care_plan(social_worker, resident, "en", version=1)
    assert not printed.draft and printed.reference == agreed.reference
    diff = care_plans.compare_versions(social_worker, resident, 1, None)
    assert [(d.change, d.part, d.field) for d in diff] == [("changed", "goal", "goal"), ("changed", "goal", "status")]
    second = care_plans.agree_version(social_worker, plan, "ar")
    assert second.number == 2 and second.reference.endswith("-V2")
    assert care_plans.compare_versions(social_worker, resident, 1, 2) == diff


def test_a_version_changed_in_the_database_no_longer_matches_its_code(social_worker, coordinator, resident, plan):
    agreed = agreed_plan(social_worker, resident, plan)
    with coordinator.store.write() as s:
        row = s.execute(select(PlanVersion)).scalar_one()
        content = json.loads(row.content)
        content["plan"]["goals"][0]["goal"] = "Something she never agreed to"
        s.execute(text("UPDATE plan_version SET content = :c WHERE id = :i"),
                  {"c": json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")), "i": row.id})
    assert not verify_document(coordinator, agreed.reference, agreed.verification_code).genuine


def test_nothing_to_agree_when_the_draft_did_not_change(social_worker, resident, plan):
    agreed_plan(social_worker, resident, plan)
    with pytest.raises(ValidationError, match="Nothing has changed since version 1"):
        care_plans.agree_version(social_worker, plan, "en")


def test_a_goal_the_resident_saw_is_dropped_not_removed(social_worker, resident, plan):
    agreed_plan(social_worker, resident, plan)
    goal = care_plans.care_plan(social_worker, resident).goals[0]
    with pytest.raises(ValidationError, match="mark it dropped"):
        care_plans.remove_goal(social_worker, goal.goal_id)
    extra = care_plans.add_goal(social_worker, plan, GoalInput("housing", "A room in Salé"))
    care_plans.remove_goal(social_worker, extra.record_id)
    assert "A room in Salé" not in [g.goal for g in care_plans.care_plan(social_worker, resident).goals]


def test_dropping_a_goal_needs_a_reason(social_worker, plan):
    with pytest.raises(ValidationError) as refused:
        care_plans.add_goal(social_worker, plan, GoalInput("safety", "Feel safe", status="dropped"))
    assert refused.value.field == "status_reason"


def test_an_action_has_an_owner(social_worker, plan):
    goal = care_plans.add_goal(social_worker, plan, GoalInput("safety", "Feel safe")).record_id
    with pytest.raises(ValidationError) as refused:
        care_plans.add_action(social_worker, goal, ActionInput("Call the lawyer"))
    assert refused.value.field == "owner"
    care_plans.add_action(social_worker, goal, ActionInput("Call the lawyer", owner_partner="  Adala   Rabat "))


def test_done_actions_and_progress_notes_are_kept(social_worker, resident, plan):
    goal = care_plans.add_goal(social_worker, plan, GoalInput("safety", "Feel safe")).record_id
    action = care_plans.add_action(social_worker, goal, ActionInput("Phone card blocked", owner_partner="Police"))
    care_plans.add_action_note(social_worker, action.record_id, "Asked the police on Monday")
    with pytest.raises(ValidationError):
        care_plans.complete_action(social_worker, action.record_id, TODAY + timedelta(days=2))
    care_plans.complete_action(social_worker, action.record_id, TODAY)
    done = care_plans.care_plan(social_worker, resident).goals[0].actions[0]
    assert done.done_on == TODAY and done.done_by == "Nadia Tazi"
    assert [n.text for n in done.notes] == ["Asked the police on Monday"]


def test_a_review_records_progress_and_sets_the_next_date(social_worker, resident, plan):
    with pytest.raises(ValidationError, match="before its first review"):
        care_plans.record_review(social_worker, plan, TODAY, {}, "", TODAY + timedelta(days=30))
    agreed_plan(social_worker, resident, plan)
    view = care_plans.care_plan(social_worker, resident)
    assert view.next_review_on == TODAY + timedelta(days=30)
    safety, legal = view.goals
    with pytest.raises(ValidationError) as refused:
        care_plans.record_review(social_worker, plan, TODAY, {}, "", TODAY)
    assert refused.value.field == "next_review_on"
    care_plans.record_review(social_worker, plan, TODAY,
                             {safety.goal_id: GoalProgress("achieved", "Goes out with a friend"),
                              legal.goal_id: GoalProgress("in_progress", "Hearing on the 12th")},
                             "Safety goal reached", TODAY + timedelta(days=20))
    view = care_plans.care_plan(social_worker, resident)
    assert view.next_review_on == TODAY + timedelta(days=20)
    assert [g.status for g in view.goals] == ["achieved", "in_progress"]
    assert view.reviews[0].changes == "Safety goal reached"
    assert {p[2] for p in view.reviews[0].progress} == {"achieved", "in_progress"}


def test_approval_where_the_shelter_turns_it_on(admin, coordinator, social_worker, resident, plan):
    settings.update_settings(admin, plan_approval=True)
    care_plans.add_goal(social_worker, plan, GoalInput("safety", "Feel safe"))
    care_plans.set_domain_reason(social_worker, plan, "legal", "Has a lawyer already, from the bar")
    with pytest.raises(ValidationError, match="approve"):
        care_plans.agree_version(social_worker, plan, "fr")
    care_plans.submit_for_approval(social_worker, plan)
    with pytest.raises(PermissionDenied):
        care_plans.approve_plan(social_worker, plan)
    with pytest.raises(ValidationError) as refused:
        care_plans.return_plan(coordinator, plan, "no")
    assert refused.value.field == "comment"
    care_plans.return_plan(coordinator, plan, "Add the family tracing she asked for")
    assert care_plans.care_plan(social_worker, resident).approval == "returned"
    care_plans.add_goal(social_worker, plan, GoalInput("family", "Find her sister"))
    assert care_plans.care_plan(social_worker, resident).approval == ""
    care_plans.submit_for_approval(social_worker, plan)
    care_plans.approve_plan(coordinator, plan)
    # An approval counts for the draft as approved, not for later changes.
    extra = care_plans.add_goal(social_worker, plan, GoalInput("housing", "A room"))
    assert care_plans.care_plan(social_worker, resident).approval == ""
    care_plans.remove_goal(social_worker, extra.record_id)
    assert care_plans.care_plan(social_worker, resident).approval == "approved"
    care_plans.agree_version(social_worker, plan, "fr")
    kinds = [e.kind for e in care_plans.care_plan(coordinator, resident).events]
    assert kinds == ["agreed", "approved", "submitted", "returned", "submitted"]


def test_every_view_and_change_is_audited_by_record(social_worker, resident, plan):
    care_plans.care_plan(social_worker, resident)
    assert audit_details(social_worker, "care_plan.view")[-1][1] == str(resident)
    assert audit_details(social_worker, "care_plan.create")[-1][1] == str(plan)
    agreed_plan(social_worker, resident, plan)
    entry = audit_details(social_worker, "document.care_plan")[-1]
    assert entry[2]["version"] == 1 and "Feel safe" not in json.dumps(entry)


def test_a_closed_case_takes_no_writing(coordinator, social_worker, resident, plan):
    from shelter.services import cases, discharge
    from shelter.services.residents import open_resident

    stay = open_resident(coordinator, resident).stays[-1].stay_id
    from datetime import datetime
    discharge.discharge(coordinator, stay, datetime.now().astimezone(), "independent_living")
    cases.close_case(coordinator, resident, "reintegrated")
    with pytest.raises(ValidationError, match="closed"):
        care_plans.add_goal(social_worker, plan, GoalInput("safety", "Feel safe"))


ROLES_WRITE = {"social_worker": True, "coordinator": False, "counsellor": False, "reporting": False,
               "administrator": False}


@pytest.mark.parametrize("role", sorted(ROLES_WRITE))
def test_every_role_against_the_care_plan_permissions(role, admin, coordinator, social_worker, resident, plan,
                                                      store_dir):
    from shelter.security.permissions import Role
    from shelter.services import accounts
    from shelter.store import Store

    accounts.create_account(admin, "who", "Someone", [Role(role)], "a long enough pass phrase",
                            must_change_password=False)
    who = Store(store_dir).sign_in("who", "a long enough pass phrase")
    try:
        may_read = role in ("social_worker", "coordinator", "counsellor")
        if may_read:
            assert care_plans.care_plan(who, resident).plan_id == plan
        else:
            with pytest.raises(PermissionDenied):
                care_plans.care_plan(who, resident)
            with pytest.raises(PermissionDenied):
                assessments.list_assessments(who, resident)
        if ROLES_WRITE[role]:
            care_plans.add_goal(who, plan, GoalInput("safety", "Feel safe"))
        else:
            with pytest.raises(PermissionDenied):
                care_plans.add_goal(who, plan, GoalInput("safety", "Feel safe"))
            with pytest.raises(PermissionDenied):
                assessments.record_assessment(who, resident, TODAY, scores())
        if role != "coordinator":
            with pytest.raises(PermissionDenied):
                care_plans.approve_plan(who, plan)
    finally:
        who.lock("sign_out")


def test_a_plan_in_a_language_other_than_the_interface(social_worker, resident, plan):
    agreed = agreed_plan(social_worker, resident, plan)
    printed = care_plans.print_care_plan(social_worker, resident, "ar")
    assert printed.reference == agreed.reference and not printed.draft
    draft = care_plans.print_care_plan(social_worker, resident, "en", draft=True)
    assert draft.draft and draft.reference == "" and draft.number == 2


def test_dates_in_the_future_are_refused(social_worker, resident, plan):
    with pytest.raises(ValidationError) as refused:
        assessments.record_assessment(social_worker, resident, TODAY + timedelta(days=1), scores())
    assert refused.value.field == "assessed_on"
    with pytest.raises(ValidationError) as refused:
        care_plans.agree_version(social_worker, plan, "fr", agreed_on=date.today() + timedelta(days=1))
    assert refused.value.field == "agreed_on"


def test_a_counsellors_follow_up_becomes_an_action_or_is_set_aside(social_worker, counsellor, resident, plan):
    from datetime import UTC, datetime

    from shelter.services import notes, sessions
    from shelter.services.sessions import SessionInput

    room = sessions.add_room(counsellor, 1, "Salle d'écoute").room_id
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    held = sessions.plan_session(counsellor, SessionInput(counsellor.actor.account_id, "individual", (resident,),
                                                          start, 50, room_id=room)).session_ids[0]
    sessions.set_outcome(counsellor, held, "held")
    notes.save_draft(counsellor, held, "dap", {"data": "Synthetic note"}, ["legal"],
                     ["Ask the lawyer about the hearing date", "Find a Yoruba interpreter"])
    notes.sign_note(counsellor, held)
    goal = care_plans.add_goal(social_worker, plan, GoalInput("legal", "A lawyer for the hearing")).record_id
    proposed = care_plans.care_plan(social_worker, resident).follow_ups
    assert [(f.text, f.domain, f.proposed_by) for f in proposed] == [
        ("Ask the lawyer about the hearing date", "legal", "Leila Berrada"),
        ("Find a Yoruba interpreter", "legal", "Leila Berrada")]
    care_plans.adopt_follow_up(social_worker, proposed[0].follow_up_id, goal,
                               ActionInput(proposed[0].text, owner_partner="Association Adala"))
    care_plans.set_aside_follow_up(social_worker, proposed[1].follow_up_id)
    view = care_plans.care_plan(social_worker, resident)
    assert view.follow_ups == ()
    assert [a.what for a in view.goals[0].actions] == ["Ask the lawyer about the hearing date"]
    with pytest.raises(ValidationError, match="already"):
        care_plans.set_aside_follow_up(social_worker, proposed[0].follow_up_id)
