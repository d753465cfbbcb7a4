"""The rules of the case work: calendar months, what is due when, the
completion rule of a plan and the stage of a case."""

from __future__ import annotations

from datetime import date

import pytest

from shelter.domain.care import SCORE_MEANINGS, CaseFacts, add_months, case_stage, due_state, plan_gaps
from shelter.domain.vocabulary import ASSESSMENT_DOMAIN, CASE_STAGE


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year
    (date(2026, 3, 31), 3, date(2026, 6, 30)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2026, 12, 15), 1, date(2027, 1, 15)),
    (date(2026, 8, 31), 6, date(2027, 2, 28)),
    (date(2026, 5, 10), 12, date(2027, 5, 10)),
])
def test_calendar_months_end_on_the_last_day_the_month_has(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(("due", "state"), [
    (date(2026, 2, 27), "overdue"),  # yesterday
    (date(2026, 2, 28), "today"),
    (date(2026, 3, 1), "soon"),  # tomorrow, across a month end
    (date(2026, 3, 7), "soon"),  # the seventh day
    (date(2026, 3, 8), "later"),  # the eighth
])
def test_due_overdue_and_upcoming_at_their_boundaries(due, state):
    assert due_state(due, date(2026, 2, 28)) == state


def test_a_plan_is_complete_when_every_need_has_a_goal_or_a_reason():
    scores = {d: 4 for d in ASSESSMENT_DOMAIN.codes} | {"safety": 1, "legal": 3, "housing": 2}
    assert [g.domain for g in plan_gaps(scores, [], {})] == ["safety", "legal", "housing"]
    assert [g.domain for g in plan_gaps(scores, ["safety"], {"legal": "  "})] == ["legal", "housing"]
    assert plan_gaps(scores, ["safety", "housing"], {"legal": "Has a lawyer"}) == []
    # A goal in a domain that needs nothing does not complete another.
    assert [g.domain for g in plan_gaps(scores, ["education", "safety"], {"legal": "x"})] == ["housing"]


def test_every_domain_has_a_meaning_for_every_score():
    assert set(SCORE_MEANINGS) == set(ASSESSMENT_DOMAIN.codes)
    assert all(set(m) == {1, 2, 3, 4} and all(m.values()) for m in SCORE_MEANINGS.values())


@pytest.mark.parametrize(("facts", "stage"), [
    (CaseFacts(has_stay=False, in_residence=False, assessed=False, plan_agreed=False), "referred"),
    (CaseFacts(has_stay=True, in_residence=True, assessed=False, plan_agreed=False), "admitted"),
    (CaseFacts(has_stay=True, in_residence=True, assessed=True, plan_agreed=False), "assessed"),
    (CaseFacts(has_stay=True, in_residence=True, assessed=True, plan_agreed=True), "plan_agreed"),
    (CaseFacts(True, True, True, True, reintegration_planned=True), "reintegration"),
    (CaseFacts(True, False, True, True), "discharged"),
    (CaseFacts(True, False, True, True, follow_up_open=True), "follow_up"),
    (CaseFacts(True, False, True, True, closed=True), "closed"),
])
def test_the_stage_is_computed_from_the_records(facts, stage):
    assert case_stage(facts) == stage and stage in CASE_STAGE
