"""The rules of the case work after admission: what each need score means in
each domain, when a care plan is complete, when things fall due, and the
stage a case is in. No storage here: the services feed these rules what they
read, and the screens and documents show what they return.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from shelter.domain.vocabulary import ASSESSMENT_DOMAIN, GOAL_STATUS, RISK_LEVEL
from shelter.i18n import N_

NO_NEED = 4
SCORES = (1, 2, 3, 4)
SOON_DAYS = 7  # "due within 7 days"
# What is due is sorted by the resident's risk level, high first.
RISK_ORDER = {code: i for i, code in enumerate(reversed(RISK_LEVEL.codes))}
OPEN_GOAL_STATUSES = frozenset({"not_started", "in_progress"})
CLOSED_GOAL_STATUSES = frozenset(GOAL_STATUS.codes) - OPEN_GOAL_STATUSES
REASON_NEEDED_STATUSES = frozenset({"dropped", "not_achieved"})

# What each score means in each domain, shown beside the choice while
# scoring, so that two social workers give the same situation the same score.
SCORE_MEANINGS: Mapping[str, Mapping[int, str]] = {
    "safety": {
        1: N_("In danger now: threats, traffickers know where the person is, or harm to self."),
        2: N_("A serious risk that needs a safety plan and close watch."),
        3: N_("Some risk, managed by the measures already in place."),
        4: N_("Safe; no threat known."),
    },
    "physical_health": {
        1: N_("Needs urgent medical care (injury, acute illness, pregnancy without care)."),
        2: N_("A condition that needs treatment or regular follow-up not yet in place."),
        3: N_("Minor health needs, or treatment in place that must continue."),
        4: N_("In good health, or fully cared for."),
    },
    "mental_health": {
        1: N_("Acute distress: thoughts of suicide, self-harm, or cannot manage daily life."),
        2: N_("Marked trauma symptoms (sleep, fear, flashbacks) that need regular counselling."),
        3: N_("Some distress, coping with support."),
        4: N_("Copes well; no need beyond ordinary support."),
    },
    "legal": {
        1: N_("Urgent legal need: no lawyer, a hearing or a deadline close, or at risk of detention."),
        2: N_("Proceedings or victim status open, without the help they need."),
        3: N_("Represented and informed; steps still to take."),
        4: N_("No legal need, or settled."),
    },
    "documents": {
        1: N_("No identity document at all, or documents held by the traffickers."),
        2: N_("Documents missing that are needed soon (residence, travel)."),
        3: N_("Documents applied for, or minor gaps."),
        4: N_("All the documents the person needs."),
    },
    "family": {
        1: N_("Children or family in danger, or contact with family would put the person at risk."),
        2: N_("Separated from children or family, contact to be traced or made safe."),
        3: N_("In contact; some support needed (children's care, mediation)."),
        4: N_("Family situation settled, or no need."),
    },
    "education": {
        1: N_("Cannot read or write and wants to learn; or a child out of school."),
        2: N_("Needs training or schooling not yet found."),
        3: N_("In training or school; support still useful."),
        4: N_("No need, or the person's goals are met."),
    },
    "livelihood": {
        1: N_("No income and no means to earn one; debts to the traffickers."),
        2: N_("No income yet; skills or work permit to build."),
        3: N_("Some income or training towards work."),
        4: N_("Enough income of the person's own."),
    },
    "housing": {
        1: N_("Nowhere safe to go after the shelter."),
        2: N_("Housing to find; the options are uncertain."),
        3: N_("Housing found, not yet secured (rent, deposit, furniture)."),
        4: N_("Safe housing secured."),
    },
    "intentions": {
        1: N_("Does not know yet, or the wished path is blocked."),
        2: N_("Has chosen a path; nothing arranged yet."),
        3: N_("Path chosen and being arranged."),
        4: N_("Path arranged and agreed."),
    },
}


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months; a day the month lacks becomes
    its last day (31 January plus one month is 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_state(due_on: date, today: date) -> str:
    """A ``vocabulary.DUE_STATE`` code: overdue the day after it was due; due
    today; soon within ``SOON_DAYS``; later after that."""
    if due_on < today:
        return "overdue"
    if due_on == today:
        return "today"
    if due_on <= today + timedelta(days=SOON_DAYS):
        return "soon"
    return "later"


@dataclass(frozen=True)
class Gap:
    """A domain the plan must still answer: scored ``score`` (below 4) with
    neither an open or achieved goal nor a reason for having none."""

    domain: str
    score: int


def plan_gaps(scores: Mapping[str, int], goal_domains: Iterable[str], reasons: Mapping[str, str]) -> list[Gap]:
    """The domains of the latest assessment scored below 4 that the plan does
    not answer, in the order of ``ASSESSMENT_DOMAIN``. ``goal_domains`` are
    the domains of the plan's goals that were not dropped; ``reasons`` the
    written reasons for having no goal in a domain. The plan is complete when
    this is empty (and it has been built from an assessment)."""
    covered = set(goal_domains)
    return [Gap(d, scores[d]) for d in ASSESSMENT_DOMAIN.codes
            if d in scores and scores[d] < NO_NEED and d not in covered and not reasons.get(d, "").strip()]


@dataclass(frozen=True)
class CaseFacts:
    """What the case stage is computed from."""

    has_stay: bool
    in_residence: bool
    assessed: bool  # an assessment in the latest stay
    plan_agreed: bool  # an agreed version of the latest stay's plan
    reintegration_planned: bool = False  # a reintegration plan (built with the reintegration section)
    follow_up_open: bool = False  # follow-ups planned after discharge
    closed: bool = False


def case_stage(facts: CaseFacts) -> str:
    """The ``vocabulary.CASE_STAGE`` code: computed from the records, never typed."""
    if facts.closed:
        return "closed"
    if not facts.has_stay:
        return "referred"
    if not facts.in_residence:
        return "follow_up" if facts.follow_up_open else "discharged"
    if facts.reintegration_planned:
        return "reintegration"
    if facts.plan_agreed:
        return "plan_agreed"
    if facts.assessed:
        return "assessed"
    return "admitted"
