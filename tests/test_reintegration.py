"""Reintegration: the rules (follow-up dates, lost contact, HTCDS status,
the sustainability score's documented worked examples) and the services (a
plan with its template milestones, milestone history, follow-ups after
discharge, scores kept with their weights), audited and refused where they
must be."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from shelter.domain.reintegration import Contact, case_status, follow_up_dates, follow_up_rounds, lost_contact_on, score
from shelter.domain.sustainability import INDICATORS, Weight
from shelter.errors import PermissionDenied, ValidationError
from shelter.services import admissions, cases, discharge, pathways, reintegration, settings
from shelter.services.residents import open_resident
from tests.cases import admission, audit_details, bed_ids

TODAY = date.today()
DOC = Path(__file__).resolve().parents[1] / "docs" / "reintegration-sustainability.md"


@pytest.fixture
def resident(coordinator):
    return admissions.admit(coordinator, admission(bed_ids(coordinator)[0])).resident_id


def leave(who, resident_id, destination="family_reunification"):
    stay = open_resident(who, resident_id).stays[-1].stay_id
    discharge.discharge(who, stay, datetime.now(UTC), destination)


# -- the rules --------------------------------------------------------------------------

def test_follow_ups_are_counted_in_calendar_months_from_the_discharge():
    assert follow_up_dates(date(2026, 8, 31), (3, 6, 12)) == [
        (3, date(2026, 11, 30)), (6, date(2027, 2, 28)), (12, date(2027, 8, 31))]
    assert follow_up_dates(date(2027, 8, 31), (6,)) == [(6, date(2028, 2, 29))]  # a leap year
    assert follow_up_dates(date(2026, 1, 15), (12, 3, 6, 3)) == [
        (3, date(2026, 4, 15)), (6, date(2026, 7, 15)), (12, date(2027, 1, 15))]


def test_contact_is_lost_after_the_set_number_of_misses_in_a_row():
    day = date(2027, 1, 1)
    miss = lambda n, r=3: Contact(day + timedelta(days=n), r, False)  # noqa: E731
    hit = lambda n, r=3: Contact(day + timedelta(days=n), r, True)  # noqa: E731
    assert lost_contact_on([miss(0), miss(1)], 3) is None
    assert lost_contact_on([miss(0), miss(1), miss(2)], 3) == day + timedelta(days=2)
    # A contact that reaches the person starts the count again.
    assert lost_contact_on([miss(0), miss(1), hit(2), miss(3), miss(4)], 3) is None
    assert lost_contact_on([miss(0), miss(1), hit(2), miss(3), miss(4), miss(5, 6)], 3) == day + timedelta(days=5)
    # ...and restores contact once lost.
    assert lost_contact_on([miss(0), miss(1), miss(2), hit(9, 6)], 3) is None
    # Order is the day of the contact, not the order of recording.
    assert lost_contact_on([miss(2), hit(1), miss(0)], 2) is None
    assert lost_contact_on([miss(0)], 1) == day


def test_follow_up_rounds_take_primero_states():
    discharged = date(2026, 8, 31)
    assert [r.state for r in follow_up_rounds(None, (3, 6, 12), [], 3)] == ["not_planned"] * 3
    rounds = follow_up_rounds(discharged, (3, 6, 12), [Contact(date(2026, 11, 30), 3, False),
                                                        Contact(date(2026, 12, 2), 3, True),
                                                        Contact(date(2027, 3, 1), 6, False)], 3)
    assert [(r.months, r.due_on, r.state, r.attempts) for r in rounds] == [
        (3, date(2026, 11, 30), "done", 2), (6, date(2027, 2, 28), "missed", 1), (12, date(2027, 8, 31), "planned", 0)]
    lost = follow_up_rounds(discharged, (3, 6, 12), [Contact(date(2026, 12, 1), 3, False)] * 3, 3)
    assert [r.state for r in lost] == ["lost_contact"] * 3


def test_case_status_is_named_as_htcds_names_it():
    assert case_status("admitted", None) == "active"
    assert case_status("reintegration", None) == "active"
    assert case_status("discharged", None) == "active"
    assert case_status("follow_up", None) == "follow_up"
    assert case_status("closed", "reintegrated") == "closed"
    assert case_status("closed", "transferred") == "closed_referred"


def worked_examples() -> list[tuple[str, dict[str, str], dict[str, float]]]:
    """The worked examples of docs/reintegration-sustainability.md: each a
    JSON block of answers followed by a table of the scores it gives."""
    text = DOC.read_text(encoding="utf-8")
    examples = []
    for title, answers, table in re.findall(r"### (Example [^\n]+)\n.*?```json\n(.*?)```\n(.*?)(?=\n### |\n## |\Z)",
                                            text, re.S):
        expected = {m[0].lower(): float(m[1]) for m in re.findall(r"\| (\w+) \| ([0-9.]+) \|", table)}
        examples.append((title, json.loads(answers), expected))
    return examples


def test_the_documented_worked_examples_give_their_scores():
    examples = worked_examples()
    assert len(examples) >= 3
    for title, answers, expected in examples:
        result = score(answers)
        assert set(expected) == {"economic", "social", "psychosocial", "overall"}, title
        for dimension, value in expected.items():
            assert result.of(dimension) == pytest.approx(value, abs=0.00005), (title, dimension)


def test_every_indicator_and_answer_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for item in INDICATORS:
        assert f"`{item.code}`" in text, item.code
        for answer in item.answers:
            assert f"`{answer.code}`" in text, (item.code, answer.code)


def test_a_missing_answer_neither_lowers_nor_raises_the_score():
    best = {i.code: i.answers[0].code for i in INDICATORS}
    partial = dict(best, debt="unknown", education="no_children")
    del partial["food_security"]
    # Counted as 0, the missing answers would bring these to 0.6 and 0.8.
    assert (score(partial).economic, score(partial).social, score(partial).overall) == (1.0, 1.0, 1.0)
    assert score(partial).answered == len(INDICATORS) - 3
    assert score({}).overall is None
    assert score({"documents": "yes"}).social == 1.0 and score({"documents": "yes"}).economic is None


def test_weights_change_the_score():
    answers = {"income": "regular", "debt": "larger"}
    assert score(answers).economic == 0.5
    weights = {i.code: Weight(i.dimension_weight, i.composite_weight) for i in INDICATORS}
    weights["income"] = Weight(0.6, 0.2)
    assert score(answers, weights).economic == 0.75


# -- the plan and its milestones ------------------------------------------------------------

def test_a_plan_starts_with_its_pathways_milestones(social_worker, resident):
    opened = TODAY - timedelta(days=0)
    change = reintegration.make_plan(social_worker, resident, "return_origin", "I want to go home to my mother",
                                     consent_on=TODAY)
    assert change.record == "reintegration_plan"
    view = reintegration.reintegration(social_worker, resident)
    assert view.plan.pathway == "return_origin" and view.plan.consent_on == TODAY
    templates = pathways.milestone_templates(social_worker, "return_origin")
    assert [m.code for m in view.milestones] == [t.code for t in templates]
    assert [m.code for m in view.milestones][:2] == ["family_tracing", "consent_to_return"]
    assert all(m.due_on == opened + timedelta(days=t.offset_days) for m, t in zip(view.milestones, templates,
                                                                                  strict=True))
    assert all(m.status == "planned" and m.from_template for m in view.milestones)
    assert view.stage == "reintegration" and view.status == "active"
    assert audit_details(social_worker, "reintegration.plan")[0][2] == {
        "pathway": "return_origin", "milestones": len(templates), "consent": True}
    with pytest.raises(ValidationError, match="already has"):
        reintegration.make_plan(social_worker, resident, "return_origin")


def test_a_plan_is_due_thirty_days_after_admission_until_made(social_worker, resident, admin):
    view = reintegration.reintegration(social_worker, resident)
    assert view.plan is None and view.plan_due_on == TODAY + timedelta(days=30)
    assert view.plan_due == "later"
    settings.update_settings(admin, reintegration_plan_days=7)
    view = reintegration.reintegration(social_worker, resident)
    assert view.plan_due_on == TODAY + timedelta(days=7) and view.plan_due == "soon"


def test_plan_fields_are_checked(social_worker, resident):
    with pytest.raises(ValidationError) as refused:
        reintegration.make_plan(social_worker, resident, "somewhere")
    assert refused.value.field == "pathway"
    with pytest.raises(ValidationError) as refused:
        reintegration.make_plan(social_worker, resident, "other")
    assert refused.value.field == "pathway_detail"
    with pytest.raises(ValidationError) as refused:
        reintegration.make_plan(social_worker, resident, "return_origin", consent_on=TODAY + timedelta(days=1))
    assert refused.value.field == "consent_on"
    with pytest.raises(ValidationError) as refused:
        reintegration.make_plan(social_worker, resident, "return_origin", opened_on=TODAY - timedelta(days=3))
    assert refused.value.field == "opened_on"  # before the admission
    assert reintegration.reintegration(social_worker, resident).plan is None


def test_a_milestone_keeps_the_history_of_its_status(social_worker, resident):
    reintegration.make_plan(social_worker, resident, "morocco_family")
    first = reintegration.reintegration(social_worker, resident).milestones[0]
    reintegration.set_milestone_status(social_worker, first.milestone_id, "in_progress")
    with pytest.raises(ValidationError) as refused:
        reintegration.set_milestone_status(social_worker, first.milestone_id, "blocked")
    assert refused.value.field == "reason"
    reintegration.set_milestone_status(social_worker, first.milestone_id, "blocked", "The family cannot be reached")
    with pytest.raises(ValidationError) as refused:
        reintegration.set_milestone_status(social_worker, first.milestone_id, "done",
                                           done_on=TODAY + timedelta(days=1))
    assert refused.value.field == "done_on"
    reintegration.set_milestone_status(social_worker, first.milestone_id, "done")
    after = reintegration.reintegration(social_worker, resident).milestones[0]
    assert after.status == "done" and after.done_on == TODAY and after.due is None
    assert [(h.status, h.reason) for h in after.history] == [
        ("planned", ""), ("in_progress", ""), ("blocked", "The family cannot be reached"), ("done", "")]
    assert all(h.by == "Nadia Tazi" for h in after.history)
    assert [d["status"] for _o, _r, d in audit_details(social_worker, "reintegration.milestone_status")] == [
        "in_progress", "blocked", "done"]


def test_a_case_adds_milestones_of_its_own_given_to_a_staff_member_or_a_partner(social_worker, coordinator,
                                                                              resident):
    from shelter.services import partners

    reintegration.make_plan(social_worker, resident, "independent_morocco")
    lawyer = partners.add_partner(social_worker, "Association Adala", "legal_aid", "Rabat", "+212 5 37 00 00 00")
    reintegration.add_milestone(social_worker, resident, "Hearing at the Rabat court", TODAY + timedelta(days=20),
                                owner_partner_id=lawyer.partner_id)
    with pytest.raises(ValidationError) as refused:
        reintegration.add_milestone(social_worker, resident, "  ")
    assert refused.value.field == "title"
    with pytest.raises(ValidationError) as refused:
        reintegration.add_milestone(social_worker, resident, "Both", owner_staff_id=coordinator.actor.account_id,
                                    owner_partner_id=lawyer.partner_id)
    assert refused.value.field == "owner"
    own = reintegration.reintegration(social_worker, resident).milestones[-1]
    assert (own.title, own.owner_partner, own.from_template, own.due) == (
        "Hearing at the Rabat court", "Association Adala", False, "later")
    reintegration.update_milestone(social_worker, own.milestone_id, TODAY + timedelta(days=2),
                                   owner_staff_id=coordinator.actor.account_id)
    moved = reintegration.reintegration(social_worker, resident).milestones[-1]
    assert (moved.due_on, moved.owner_staff, moved.owner_partner, moved.due) == (
        TODAY + timedelta(days=2), "Salma Idrissi", "", "soon")


def test_changing_the_pathway_keeps_the_earlier_one_and_asks_consent_again(social_worker, resident):
    reintegration.make_plan(social_worker, resident, "return_origin", consent_on=TODAY)
    first = reintegration.reintegration(social_worker, resident)
    reintegration.set_milestone_status(social_worker, first.milestones[0].milestone_id, "done")
    with pytest.raises(ValidationError) as refused:
        reintegration.change_pathway(social_worker, resident, "morocco_family", "no")
    assert refused.value.field == "reason"
    reintegration.change_pathway(social_worker, resident, "morocco_family",
                                 "Her family in Nigeria threatened her; she wants to stay")
    view = reintegration.reintegration(social_worker, resident)
    assert view.plan.pathway == "morocco_family" and view.plan.consent_on is None
    assert [c[:2] for c in view.plan.pathway_changes] == [("return_origin", "morocco_family")]
    old = [m for m in view.milestones if m.milestone_id in {x.milestone_id for x in first.milestones}]
    assert old[0].status == "done"  # what was done stays done
    assert {m.status for m in old[1:]} == {"not_applicable"}
    new = [m for m in view.milestones if m not in old]
    assert [m.code for m in new] == [t.code for t in pathways.milestone_templates(social_worker, "morocco_family")]


# -- follow-up after discharge ----------------------------------------------------------------

def test_follow_up_comes_after_the_discharge(social_worker, coordinator, resident):
    reintegration.make_plan(social_worker, resident, "morocco_family")
    with pytest.raises(ValidationError, match="still in residence"):
        reintegration.record_contact(social_worker, resident, 3, "phone", False)
    leave(coordinator, resident)
    view = reintegration.reintegration(social_worker, resident)
    assert [(r.months, r.state) for r in view.rounds] == [(3, "planned"), (6, "planned"), (12, "planned")]
    assert view.stage == "follow_up" and view.status == "follow_up"
    with pytest.raises(ValidationError) as refused:
        reintegration.record_contact(social_worker, resident, 4, "phone", False)
    assert refused.value.field == "round"
    with pytest.raises(ValidationError) as refused:
        reintegration.record_contact(social_worker, resident, 3, "phone", True)
    assert refused.value.field == "situation"
    with pytest.raises(ValidationError) as refused:
        reintegration.record_contact(social_worker, resident, 3, "partner", False)
    assert refused.value.field == "partner"
    with pytest.raises(ValidationError) as refused:
        reintegration.record_contact(social_worker, resident, 3, "phone", False,
                                     contacted_on=TODAY - timedelta(days=1))
    assert refused.value.field == "contacted_on"


def test_three_misses_mark_the_case_lost_contact_and_it_stays_visible(social_worker, coordinator, resident):
    reintegration.make_plan(social_worker, resident, "morocco_family")
    leave(coordinator, resident)
    assert not reintegration.record_contact(social_worker, resident, 3, "phone", False).lost_contact
    assert not reintegration.record_contact(social_worker, resident, 3, "in_person", False).lost_contact
    third = reintegration.record_contact(social_worker, resident, 3, "phone", False, next_step="Ask her sister")
    assert third.lost_contact
    view = reintegration.reintegration(social_worker, resident)
    assert view.lost_contact_on == TODAY and {r.state for r in view.rounds} == {"lost_contact"}
    assert view.stage == "follow_up" and view.ready_to_close
    assert len(audit_details(social_worker, "reintegration.lost_contact")) == 1
    # Reached at last: contact holds again, and the round is done.
    reintegration.record_contact(social_worker, resident, 3, "phone", True, situation="Living with her aunt")
    view = reintegration.reintegration(social_worker, resident)
    assert view.lost_contact_on is None and [r.state for r in view.rounds] == ["done", "planned", "planned"]
    assert not view.ready_to_close
    assert [c.reached for c in view.contacts] == [True, False, False, False]  # newest first


def test_the_lost_contact_threshold_is_a_setting(social_worker, coordinator, resident, admin):
    settings.update_settings(admin, lost_contact_attempts=1, follow_up_months=[1, 4])
    reintegration.make_plan(social_worker, resident, "morocco_family")
    leave(coordinator, resident)
    view = reintegration.reintegration(social_worker, resident)
    assert [r.months for r in view.rounds] == [1, 4]
    assert reintegration.record_contact(social_worker, resident, 1, "phone", False).lost_contact


def test_closing_after_the_last_follow_up_records_the_reason(social_worker, coordinator, resident):
    reintegration.make_plan(social_worker, resident, "morocco_family")
    leave(coordinator, resident)
    for months in (3, 6, 12):
        reintegration.record_contact(social_worker, resident, months, "phone", True, situation="Working, well")
    view = reintegration.reintegration(social_worker, resident)
    assert view.ready_to_close and view.stage == "discharged"
    cases.close_case(social_worker, resident, "transferred")
    view = reintegration.reintegration(social_worker, resident)
    assert (view.stage, view.status, view.closure_reason) == ("closed", "closed_referred", "transferred")
    with pytest.raises(ValidationError, match="closed"):
        reintegration.record_contact(social_worker, resident, 0, "phone", True, situation="Called to say hello")


# -- sustainability scores -------------------------------------------------------------------

def test_a_score_keeps_the_weights_it_was_computed_with(social_worker, resident, admin):
    reintegration.make_plan(social_worker, resident, "morocco_family")
    answers = {"income": "regular", "debt": "larger", "housing": "good"}
    reintegration.record_score(social_worker, resident, "baseline", answers)
    pathways.set_sustainability_weights(admin, {"income": Weight(0.6, 0.2)})
    reintegration.record_score(social_worker, resident, "follow_up", answers)
    first, second = reintegration.reintegration(social_worker, resident).scores
    assert first.scores.economic == 0.5 and second.scores.economic == 0.75
    assert first.weights["income"] == Weight(0.2, pytest.approx(1 / 15))
    assert second.weights["income"] == Weight(0.6, 0.2)
    assert first.answers == answers
    pathways.reset_sustainability_weights(admin)
    assert pathways.sustainability_weights(admin)["income"].dimension == pytest.approx(0.2)


def test_scores_are_checked(social_worker, resident, admin):
    with pytest.raises(ValidationError) as refused:
        reintegration.record_score(social_worker, resident, "baseline", {"income": "millions"})
    assert refused.value.field == "income"
    with pytest.raises(ValidationError) as refused:
        reintegration.record_score(social_worker, resident, "baseline", {"education": "no_children"})
    assert refused.value.field == "answers"
    with pytest.raises(ValidationError) as refused:
        reintegration.record_score(social_worker, resident, "baseline", {"income": "none"},
                                   scored_on=TODAY + timedelta(days=1))
    assert refused.value.field == "scored_on"
    with pytest.raises(ValidationError) as refused:
        pathways.set_sustainability_weights(admin, {i.code: Weight(0, 1) for i in INDICATORS
                                                    if i.dimension == "social"})
    assert refused.value.field == "weights"
    with pytest.raises(ValidationError):
        pathways.set_sustainability_weights(admin, {"income": Weight(-1, 1)})


# -- templates ------------------------------------------------------------------------------

def test_the_administrator_maintains_the_templates(admin, social_worker, resident):
    added = pathways.add_template(admin, "return_origin", "Medical check before travel", 50)
    moved = pathways.move_template(admin, added.template_id, -1)
    assert moved[-2].template_id == added.template_id
    first = pathways.milestone_templates(admin, "return_origin")[0]
    pathways.update_template(admin, first.template_id, "", first.offset_days, active=False)
    with pytest.raises(ValidationError) as refused:
        pathways.add_template(admin, "return_origin", "", 10)
    assert refused.value.field == "title"
    with pytest.raises(ValidationError) as refused:
        pathways.add_template(admin, "return_origin", "Late", 9999)
    assert refused.value.field == "offset_days"
    reintegration.make_plan(social_worker, resident, "return_origin")
    view = reintegration.reintegration(social_worker, resident)
    assert first.code not in [m.code for m in view.milestones]  # retired
    assert "Medical check before travel" in [m.title for m in view.milestones]
    with pytest.raises(PermissionDenied):
        pathways.add_template(social_worker, "return_origin", "Mine", 10)


# -- permissions --------------------------------------------------------------------------------

def test_each_role_against_each_new_permission(admin, coordinator, social_worker, counsellor, resident):
    from shelter.services import partners

    # Counsellors read, do not write; administrators maintain the directory and
    # the templates but see no resident.
    reintegration.reintegration(counsellor, resident)
    with pytest.raises(PermissionDenied):
        reintegration.make_plan(counsellor, resident, "return_origin")
    with pytest.raises(PermissionDenied):
        reintegration.reintegration(admin, resident)
    with pytest.raises(PermissionDenied):
        partners.add_partner(counsellor, "IOM Rabat", "iom")
    partners.add_partner(admin, "IOM Rabat", "iom", "Rabat")
    reintegration.make_plan(coordinator, resident, "return_origin")
    with pytest.raises(PermissionDenied):
        pathways.set_sustainability_weights(coordinator, {"income": Weight(1, 1)})
    with pytest.raises(PermissionDenied):
        pathways.update_template(social_worker, 1, "x", 1)


def test_an_accompanying_child_is_not_asked_for_a_plan_of_her_own(coordinator, social_worker, resident):
    from datetime import date as day

    child = admissions.admit(coordinator, admission(bed_ids(coordinator, "Children")[0], "Amina Benali",
                                                    "أمينة بنعلي", born=day(2019, 5, 2), parent_id=resident))
    view = reintegration.reintegration(social_worker, child.resident_id)
    assert view.accompanied and view.plan_due is None
    assert reintegration.reintegration(social_worker, resident).plan_due == "later"
    reintegration.make_plan(social_worker, child.resident_id, "morocco_family")  # still possible
