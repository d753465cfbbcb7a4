"""The overdue board: plans to make, milestones, referrals and follow-ups
overdue or due within 7 days across residents, the cases that lost contact,
filtered by shelter, pathway and who is responsible, sorted by risk."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from shelter.errors import PermissionDenied
from shelter.services import admissions, cases, discharge, partners, reintegration, reintegration_board, shelters
from shelter.services.residents import open_resident
from tests.cases import admission, audit_details, bed_ids

TODAY = date.today()


def board(who, day=TODAY, **narrow):
    return [(i.kind, i.case_number, i.state) for i in reintegration_board.board(who, today=day, **narrow)]


@pytest.fixture
def two(coordinator):
    beds = bed_ids(coordinator)
    high = admissions.admit(coordinator, admission(beds[0]))
    form = admission(beds[1], "Aisha Okoro", "عائشة أوكورو")
    low = admissions.admit(coordinator, replace(form, protection=replace(form.protection, risk_level="low")))
    return high, low


def test_a_plan_falls_due_thirty_days_after_admission(coordinator, two):
    high, low = two
    assert board(coordinator) == []
    assert board(coordinator, TODAY + timedelta(days=23)) == [("plan", high.case_number, "soon"),
                                                              ("plan", low.case_number, "soon")]
    assert board(coordinator, TODAY + timedelta(days=30)) == [("plan", high.case_number, "today"),
                                                              ("plan", low.case_number, "today")]
    # Highest risk first, whatever the date.
    reintegration.make_plan(coordinator, high.resident_id, "return_origin")
    items = reintegration_board.board(coordinator, today=TODAY + timedelta(days=31))
    assert items[0].case_number == high.case_number and items[0].kind == "milestone"
    assert [i.kind for i in items if i.case_number == low.case_number] == ["plan"]
    assert items[-1].case_number == low.case_number


def test_milestones_due_overdue_and_upcoming_at_the_boundaries(coordinator, two):
    high, _low = two
    reintegration.make_plan(coordinator, high.resident_id, "morocco_family")
    first = reintegration.reintegration(coordinator, high.resident_id).milestones[0]  # due in 21 days
    kinds = lambda day: [(i.record_id, i.state) for i in reintegration_board.board(coordinator, today=day)  # noqa: E731
                         if i.kind == "milestone"]
    due = first.due_on
    assert (first.milestone_id, "soon") not in kinds(due - timedelta(days=8))
    assert (first.milestone_id, "soon") in kinds(due - timedelta(days=7))
    assert (first.milestone_id, "today") in kinds(due)
    assert (first.milestone_id, "overdue") in kinds(due + timedelta(days=1))
    reintegration.set_milestone_status(coordinator, first.milestone_id, "blocked", "Waiting for the court")
    assert (first.milestone_id, "overdue") in kinds(due + timedelta(days=1))  # blocked is still open
    reintegration.set_milestone_status(coordinator, first.milestone_id, "not_applicable", "No family in Morocco")
    assert first.milestone_id not in dict(kinds(due + timedelta(days=1)))


def test_the_board_narrows_to_a_shelter_a_pathway_and_who_is_responsible(coordinator, social_worker, admin, two):
    high, low = two
    reintegration.make_plan(social_worker, high.resident_id, "return_origin")
    reintegration.make_plan(social_worker, low.resident_id, "morocco_family")
    lawyer = partners.add_partner(social_worker, "Association Adala", "legal_aid")
    reintegration.add_milestone(social_worker, low.resident_id, "Hearing", TODAY + timedelta(days=2),
                                owner_partner_id=lawyer.partner_id)
    day = TODAY + timedelta(days=100)
    assert {k for k, _c, _s in board(coordinator, day, pathway="return_origin")} == {"milestone"}
    assert {c for _k, c, _s in board(coordinator, day, pathway="return_origin")} == {high.case_number}
    mine = reintegration_board.board(coordinator, today=day, responsible_staff_id=social_worker.actor.account_id)
    assert mine and all(i.responsible == "Nadia Tazi" for i in mine)  # she holds both cases now
    theirs = reintegration_board.board(coordinator, today=day, responsible_partner_id=lawyer.partner_id)
    assert [(i.what, i.partner) for i in theirs] == [("Hearing", "Association Adala")]
    other = shelters.create_shelter(admin, "Dar Al Amal", "CAS1", city="Casablanca")
    assert board(coordinator, day, shelter_id=other.id) == []
    assert audit_details(coordinator, "reintegration.board")[-1][2] == {"results": 0}


def test_follow_ups_and_lost_contact_come_on_the_board(coordinator, social_worker, two):
    high, _low = two
    reintegration.make_plan(social_worker, high.resident_id, "morocco_family")
    stay = open_resident(coordinator, high.resident_id).stays[-1].stay_id
    discharge.discharge(coordinator, stay, datetime.now(UTC), "family_reunification")
    view = reintegration.reintegration(coordinator, high.resident_id)
    three = view.rounds[0].due_on
    follow = lambda day: [(i.kind, i.months, i.state) for i in reintegration_board.board(coordinator, today=day)  # noqa: E731
                          if i.kind in ("follow_up", "lost_contact")]
    assert follow(three - timedelta(days=8)) == []
    assert follow(three) == [("follow_up", 3, "today")]
    reintegration.record_contact(social_worker, high.resident_id, 3, "phone", True, situation="Back with family")
    assert follow(three) == []
    assert follow(view.rounds[1].due_on + timedelta(days=1)) == [("follow_up", 6, "overdue")]
    for _ in range(3):
        reintegration.record_contact(social_worker, high.resident_id, 6, "phone", False)
    assert follow(view.rounds[1].due_on + timedelta(days=1)) == [("lost_contact", 0, "overdue")]
    counts = reintegration_board.board_counts(coordinator, today=view.rounds[1].due_on + timedelta(days=1))
    assert counts.lost_contact == 1
    # The plan's milestones go on after the discharge (an arrival to confirm, an income to find)...
    assert "milestone" in {i.kind for i in reintegration_board.board(coordinator, today=three)}
    # ...until the case is closed.
    cases.close_case(coordinator, high.resident_id, "lost_contact")
    assert [i.case_number for i in reintegration_board.board(coordinator, today=three)] == [_low.case_number]


def test_only_those_who_see_reintegration_see_the_board(admin):
    with pytest.raises(PermissionDenied):
        reintegration_board.board(admin)


def test_an_accompanying_childs_plan_is_her_parents(coordinator):
    from datetime import date as day

    beds = bed_ids(coordinator)
    mother = admissions.admit(coordinator, admission(beds[0]))
    child_bed = bed_ids(coordinator, "Children")[0]
    child = admissions.admit(coordinator, admission(child_bed, "Amina Benali", "أمينة بنعلي", born=day(2019, 5, 2),
                                                    parent_id=mother.resident_id))
    due = {i.case_number for i in reintegration_board.board(coordinator, today=TODAY + timedelta(days=30))
           if i.kind == "plan"}
    assert due == {mother.case_number} and child.case_number not in due
