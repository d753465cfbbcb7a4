"""The rules of reintegration: when the plan and the follow-ups after
discharge fall due, when a case has lost contact, the case status as HTCDS
names it, and the sustainability score. No storage here: the services feed
these rules what they read, and the screens and documents show what they
return.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from shelter.domain.care import add_months
from shelter.domain.sustainability import DIMENSIONS, INDICATORS, Indicator, Weight

OPEN_MILESTONE_STATUSES = frozenset({"planned", "in_progress", "blocked"})
REASON_NEEDED_MILESTONE = frozenset({"blocked", "not_applicable"})
OPEN_REFERRAL_STATUSES = frozenset({"sent", "accepted"})


def plan_due_on(admitted_on: date, days: int) -> date:
    """The reintegration plan is due ``days`` after admission (IOM: within a month)."""
    return admitted_on + timedelta(days=days)


@dataclass(frozen=True)
class Contact:
    """One attempt to reach the person after discharge."""

    contacted_on: date
    round_months: int  # the follow-up it answers (3, 6, 12…); 0: an extra contact
    reached: bool


@dataclass(frozen=True)
class Round:
    """One follow-up after discharge: ``months`` after it, due on ``due_on``."""

    months: int
    due_on: date | None  # None until the stay ends
    state: str  # vocabulary.FOLLOW_UP_STATE code
    attempts: int  # contacts recorded for it, reached or not
    reached_on: date | None


def follow_up_dates(discharged_on: date, intervals: Iterable[int]) -> list[tuple[int, date]]:
    """(months, due date) of each follow-up, counted in calendar months from
    the discharge: a discharge on 31 August has its 6-month follow-up on the
    last day of February."""
    return [(m, add_months(discharged_on, m)) for m in sorted(set(intervals))]


def lost_contact_on(contacts: Sequence[Contact], threshold: int) -> date | None:
    """The day contact was lost: the ``threshold``-th attempt in a row that
    did not reach the person, counted since the last time she or he was
    reached. None while contact holds (a later contact that reaches the
    person restores it)."""
    misses = 0
    lost: date | None = None
    for contact in sorted(contacts, key=lambda c: c.contacted_on):
        if contact.reached:
            misses, lost = 0, None
        else:
            misses += 1
            if misses >= threshold and lost is None:
                lost = contact.contacted_on
    return lost


def follow_up_rounds(discharged_on: date | None, intervals: Iterable[int], contacts: Sequence[Contact],
                     threshold: int) -> list[Round]:
    """Every follow-up of a stay, with its state (Primero's: not planned
    before the discharge, planned, done when the person was reached for it;
    "not reached" when attempts were made without reaching her or him; "lost
    contact" for the rounds still open once contact is lost)."""
    if discharged_on is None:
        return [Round(m, None, "not_planned", 0, None) for m in sorted(set(intervals))]
    lost = lost_contact_on(contacts, threshold)
    rounds = []
    for months, due_on in follow_up_dates(discharged_on, intervals):
        own = [c for c in contacts if c.round_months == months]
        reached = min((c.contacted_on for c in own if c.reached), default=None)
        if reached is not None:
            state = "done"
        elif lost is not None:
            state = "lost_contact"
        elif own:
            state = "missed"
        else:
            state = "planned"
        rounds.append(Round(months, due_on, state, len(own), reached))
    return rounds


def next_round(rounds: Sequence[Round]) -> Round | None:
    """The first follow-up still to do (planned or not reached yet)."""
    return next((r for r in rounds if r.state in ("planned", "missed")), None)


def case_status(stage: str, closure_reason: str | None) -> str:
    """The ``vocabulary.CASE_STATUS`` code (HTCDS: Active, FollowUp, Closed,
    ClosedReferred) of a case at ``stage`` (``vocabulary.CASE_STAGE``),
    closed for ``closure_reason`` when it is closed."""
    if stage == "closed":
        return "closed_referred" if closure_reason == "transferred" else "closed"
    if stage == "follow_up":
        return "follow_up"
    return "active"


# -- the sustainability score -------------------------------------------------------

@dataclass(frozen=True)
class Scores:
    """A score from 0 to 1 per dimension and overall; None where no indicator
    of it was answered."""

    economic: float | None
    social: float | None
    psychosocial: float | None
    overall: float | None
    answered: int  # indicators answered (not "does not know" or not applicable)

    def of(self, dimension: str) -> float | None:
        return getattr(self, dimension)


def indicator(code: str) -> Indicator:
    for item in INDICATORS:
        if item.code == code:
            return item
    raise KeyError(code)


def default_weights() -> dict[str, Weight]:
    return {i.code: Weight(i.dimension_weight, i.composite_weight) for i in INDICATORS}


def answer_value(code: str, answer: str) -> float | None:
    """The value (0 to 1) of ``answer`` to indicator ``code``; None for an
    answer that does not count (does not know, not applicable). KeyError for
    an answer the indicator does not have."""
    for option in indicator(code).answers:
        if option.code == answer:
            return option.value
    raise KeyError(answer)


def score(answers: Mapping[str, str], weights: Mapping[str, Weight] | None = None) -> Scores:
    """The sustainability scores of a set of answers (indicator code ->
    answer code) under ``weights`` (the defaults when None).

    Each dimension's score is the weighted mean of the values of its
    indicators that were answered, with their weights in the dimension; the
    overall score is the weighted mean of all the answered indicators with
    their weights in the composite. An indicator without an answer, or
    answered "does not know" or "not applicable", is left out and the weights
    of the others carry the score (the weights are normalised over what was
    answered), so that a missing answer neither lowers nor raises it."""
    weights = weights or default_weights()
    by_dimension: dict[str, list[tuple[float, float]]] = {d: [] for d in DIMENSIONS}
    composite: list[tuple[float, float]] = []
    for item in INDICATORS:
        if item.code not in answers:
            continue
        value = answer_value(item.code, answers[item.code])
        if value is None:
            continue
        weight = weights.get(item.code, Weight(item.dimension_weight, item.composite_weight))
        by_dimension[item.dimension].append((value, weight.dimension))
        composite.append((value, weight.composite))
    return Scores(*(_mean(by_dimension[d]) for d in DIMENSIONS), _mean(composite), len(composite))


def _mean(pairs: list[tuple[float, float]]) -> float | None:
    total = sum(w for _v, w in pairs)
    if not pairs or total <= 0:
        return None
    return round(sum(v * w for v, w in pairs) / total, 4)
