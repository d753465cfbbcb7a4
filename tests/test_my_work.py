"""What is due, for whom: the first assessment after admission, a
reassessment in calendar months, reviews, actions, approvals; overdue, due
today and within 7 days at their boundaries; sorted by risk level."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from shelter.errors import PermissionDenied
from shelter.services import admissions, assessments, care_plans, settings
from shelter.services.care_plans import ActionInput, GoalInput
from shelter.services.my_work import REINTEGRATION_KINDS, my_work, open_items, work_counts
from tests.cases import admission, bed_ids, scores


def admit_on(who, day: date, bed_index=0, name="Fatima Zahra Benali", risk="high"):
    """Admitted on ``day`` of the workstation's calendar: at noon, or a moment ago if noon is still to come."""
    from dataclasses import replace

    start, noon = (datetime.combine(day, time(hour)).astimezone() for hour in (0, 12))
    at = max(start, min(noon, datetime.now().astimezone() - timedelta(seconds=1))).astimezone(UTC)
    form = admission(bed_ids(who)[bed_index], name=name)
    form = replace(form, admitted_at=at,
                   referral=replace(form.referral, referred_on=day),
                   protection=replace(form.protection, risk_level=risk, consent_processing_on=day))
    return admissions.admit(who, form).resident_id


def kinds(items):
    """The care work of the items (the reintegration's have their own test)."""
    return [(i.kind, i.due_on, i.state) for i in items if i.kind not in REINTEGRATION_KINDS]


def test_reintegration_work_reaches_whoever_is_responsible(coordinator, social_worker):
    from shelter.services import partners, reintegration

    resident = admit_on(coordinator, date.today())
    later = date.today() + timedelta(days=30)
    assert [(i.kind, i.due_on) for i in my_work(social_worker, today=later)
            if i.kind in REINTEGRATION_KINDS] == [("reintegration_plan", later)]
    reintegration.make_plan(social_worker, resident, "morocco_family")  # she takes the case
    lawyer = partners.add_partner(social_worker, "Association Adala", "legal_aid")
    reintegration.add_milestone(social_worker, resident, "Hearing", date.today() + timedelta(days=1),
                                owner_partner_id=lawyer.partner_id)
    reintegration.add_milestone(social_worker, resident, "Salma calls the court", date.today() + timedelta(days=1),
                                owner_staff_id=coordinator.actor.account_id)
    mine = {i.what for i in my_work(social_worker) if i.kind == "milestone"}
    assert mine == {"Hearing"}  # the partner's milestone is hers to chase; Salma's is Salma's
    assert {i.what for i in my_work(coordinator) if i.kind == "milestone"} == {"Salma calls the court"}
    everyone = {i.what for i in my_work(coordinator, everyone=True) if i.kind == "milestone"}
    assert everyone == {"Hearing", "Salma calls the court"}


def test_the_first_assessment_is_due_days_after_admission(coordinator, social_worker):
    admitted = date.today() - timedelta(days=3)
    resident = admit_on(coordinator, admitted)
    due = admitted + timedelta(days=7)
    assert kinds(my_work(social_worker, today=due - timedelta(days=8))) == []  # beyond the 7 days ahead
    assert kinds(my_work(social_worker, today=due - timedelta(days=7))) == [("assessment", due, "soon")]
    assert kinds(my_work(social_worker, today=due)) == [("assessment", due, "today")]
    assert kinds(my_work(social_worker, today=due + timedelta(days=1))) == [("assessment", due, "overdue")]
    assessments.record_assessment(social_worker, resident, date.today(), scores(safety=2))
    # Assessed: the next one is three calendar months on.
    assert kinds(my_work(social_worker, today=due + timedelta(days=1))) == []


def test_a_reassessment_at_a_month_end_falls_on_the_last_day_of_february(coordinator, social_worker, admin):
    resident = admit_on(coordinator, date(2025, 11, 20))
    assessments.record_assessment(social_worker, resident, date(2025, 11, 30), scores(safety=2))
    assert kinds(my_work(social_worker, today=date(2026, 2, 27))) == [("reassessment", date(2026, 2, 28), "soon")]
    settings.update_settings(admin, reassessment_months=1)
    assert kinds(my_work(social_worker, today=date(2025, 12, 30))) == [("reassessment", date(2025, 12, 30), "today")]
    assessments.record_assessment(social_worker, resident, date(2026, 1, 31), scores(safety=2))
    assert kinds(my_work(social_worker, today=date(2026, 3, 1))) == [("reassessment", date(2026, 2, 28), "overdue")]


def test_reviews_and_actions_fall_due_and_stop_when_done(coordinator, social_worker):
    today = date.today()
    resident = admit_on(coordinator, today - timedelta(days=2))
    assessments.record_assessment(social_worker, resident, today, scores(safety=1))
    plan = care_plans.start_plan(social_worker, resident).record_id
    goal = care_plans.add_goal(social_worker, plan, GoalInput("safety", "Feel safe")).record_id
    action = care_plans.add_action(social_worker, goal, ActionInput("Safety plan", owner_staff_id=social_worker.actor.account_id,
                                                                  due_on=today + timedelta(days=2))).record_id
    assert ("action", today + timedelta(days=2), "soon") in kinds(my_work(social_worker))
    # No review before a version is agreed.
    assert "review" not in [i.kind for i in my_work(social_worker, today=today + timedelta(days=60))]
    care_plans.agree_version(social_worker, plan, "fr")
    review_day = today + timedelta(days=30)
    assert ("review", review_day, "overdue") in kinds(my_work(social_worker, today=review_day + timedelta(days=1)))
    care_plans.complete_action(social_worker, action, today)
    assert "action" not in [i.kind for i in my_work(social_worker)]


def test_the_list_is_sorted_by_risk_then_due_date(coordinator, social_worker):
    today = date.today()
    admit_on(coordinator, today - timedelta(days=1), 0, "Grace Low", "low")
    admit_on(coordinator, today - timedelta(days=3), 1, "Joy Medium", "medium")
    admit_on(coordinator, today, 2, "Mary High", "high")
    items = my_work(social_worker, today=today + timedelta(days=7))
    assert [i.name_latin for i in items] == ["Mary High", "Joy Medium", "Grace Low"]


def test_mine_is_the_cases_i_hold_the_actions_given_to_me_and_the_unheld(coordinator, social_worker, admin,
                                                                           store_dir):
    from shelter.security.permissions import Role
    from shelter.services import accounts, cases
    from shelter.store import Store

    accounts.create_account(admin, "karim", "Karim Alami", [Role.SOCIAL_WORKER], "another long pass phrase",
                            must_change_password=False)
    karim = Store(store_dir).sign_in("karim", "another long pass phrase")
    try:
        today = date.today()
        mine = admit_on(coordinator, today, 0, "Held By Nadia")
        unheld = admit_on(coordinator, today, 1, "Held By Nobody")
        theirs = admit_on(coordinator, today, 2, "Held By Karim")
        cases.assign_case_worker(coordinator, mine, social_worker.actor.account_id)
        cases.assign_case_worker(coordinator, theirs, karim.actor.account_id)
        names = {i.name_latin for i in my_work(social_worker, today=today + timedelta(days=7))}
        assert names == {"Held By Nadia", "Held By Nobody"}
        everyone = {i.name_latin for i in my_work(coordinator, everyone=True, today=today + timedelta(days=7))}
        assert everyone == {"Held By Nadia", "Held By Nobody", "Held By Karim"}
        # Writing an assessment in an unheld case takes it.
        assessments.record_assessment(karim, unheld, today, scores())
        assert cases.case_summary(coordinator, unheld).case_worker == "Karim Alami"
    finally:
        karim.lock("sign_out")


def test_approvals_reach_the_coordinator(admin, coordinator, social_worker):
    settings.update_settings(admin, plan_approval=True)
    today = date.today()
    resident = admit_on(coordinator, today)
    assessments.record_assessment(social_worker, resident, today, scores(safety=2))
    plan = care_plans.start_plan(social_worker, resident).record_id
    care_plans.add_goal(social_worker, plan, GoalInput("safety", "Feel safe"))
    care_plans.submit_for_approval(social_worker, plan)
    assert [i.kind for i in my_work(coordinator)] == ["approval"]
    assert "approval" not in [i.kind for i in my_work(social_worker)]
    assert work_counts(coordinator).today == 1
    care_plans.approve_plan(coordinator, plan)
    assert my_work(coordinator) == []


def test_her_open_items_whenever_they_fall_due(coordinator, social_worker):
    today = date.today()
    resident = admit_on(coordinator, today)
    assessments.record_assessment(social_worker, resident, today, scores(safety=2))
    items = open_items(social_worker, resident)
    assert [(i.kind, i.state) for i in items] == [("reintegration_plan", "later"), ("reassessment", "later")]


def test_a_discharged_case_asks_for_an_assessment_at_discharge(coordinator, social_worker):
    from shelter.services import discharge
    from shelter.services.residents import open_resident

    today = date.today()
    resident = admit_on(coordinator, today - timedelta(days=5))
    stay = open_resident(coordinator, resident).stays[-1].stay_id
    discharge.discharge(coordinator, stay, datetime.now(UTC), "independent_living")
    assert [(i.kind, i.state) for i in my_work(social_worker)] == [("discharge_assessment", "today")]
    assessments.record_assessment(social_worker, resident, today, scores())
    assert my_work(social_worker) == []


def test_the_reporting_role_sees_no_work(admin, store_dir, coordinator):
    from shelter.security.permissions import Role
    from shelter.services import accounts
    from shelter.store import Store

    accounts.create_account(admin, "figures", "Figures Only", [Role.REPORTING], "a long enough pass phrase",
                            must_change_password=False)
    who = Store(store_dir).sign_in("figures", "a long enough pass phrase")
    try:
        with pytest.raises(PermissionDenied):
            my_work(who)
    finally:
        who.lock("sign_out")
