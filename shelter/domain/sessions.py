"""The rules of counselling sessions: the shelter's local time, weekly
recurrence that keeps its local hour, overlaps, the parts of a note in each
format, and the self-harm and suicide risk screen.

Times are stored in UTC and shown in the shelter's time zone,
Africa/Casablanca, whose offset changes around Ramadan (UTC+1 most of the
year, UTC+0 during the month): a weekly session at 10:00 stays at 10:00 on
the wall clock across the change, so its UTC time moves.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shelter.domain.vocabulary import G_

SHELTER_ZONE = ZoneInfo("Africa/Casablanca")
MIN_MINUTES = 10
MAX_MINUTES = 240
MAX_OCCURRENCES = 60  # a weekly series over more than a year is split in two
NOTE_PARTS = {"dap": ("data", "assessment", "plan"), "soap": ("subjective", "objective", "assessment", "plan")}


def local(at: datetime) -> datetime:
    """``at`` on the shelter's wall clock."""
    return at.astimezone(SHELTER_ZONE)


def from_local(day: date, at: time) -> datetime:
    """The UTC moment of ``day`` at ``at`` on the shelter's wall clock. A wall
    time that happens twice (clocks put back) is its first occurrence; one that
    does not happen (clocks put forward) is read with the offset before."""
    return datetime.combine(day, at, tzinfo=SHELTER_ZONE).astimezone(UTC)


def weekly(first: date, at: time, until: date) -> list[datetime]:
    """The UTC starts of a weekly session from ``first`` to ``until``
    (inclusive), each at ``at`` local time."""
    starts = []
    day = first
    while day <= until and len(starts) < MAX_OCCURRENCES:
        starts.append(from_local(day, at))
        day += timedelta(days=7)
    return starts


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Whether two half-open intervals meet (a session ending at 10:00 and
    one starting at 10:00 do not)."""
    return a_start < b_end and b_start < a_end


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of ``day``'s week."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


# -- the risk screen ------------------------------------------------------------------------
# Six questions in the order of the Columbia suicide severity rating scale's
# screener (past month unless said), and one on self-harm without intent to die.
# About the resident: each has a form for a woman and one for a man (G_).

RISK_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("wish_dead", G_("In the past month, has she or he wished to be dead or to go to sleep and not wake up?")),
    ("thoughts", G_("In the past month, has she or he had thoughts of killing herself or himself?")),
    ("method", G_("Has she or he thought about how to do it?")),
    ("intent", G_("Has she or he had some intention of acting on these thoughts?")),
    ("plan", G_("Has she or he worked out the details of how to do it, and does she or he intend to carry it out?")),
    ("behaviour", G_("In the past three months, has she or he done, started or prepared anything to end her or "
                     "his life?")),
    ("self_harm", G_("In the past month, has she or he hurt herself or himself on purpose, without wanting to die?")),
)
RISK_QUESTION_CODES = tuple(code for code, _text in RISK_QUESTIONS)


def risk_outcome(answers: Mapping[str, bool]) -> str:
    """The screen's outcome (``vocabulary.RISK_OUTCOME``): high with intent, a
    plan or recent behaviour; moderate with thoughts, a method or self-harm;
    low otherwise."""
    if any(answers.get(code) for code in ("intent", "plan", "behaviour")):
        return "high"
    if any(answers.get(code) for code in ("thoughts", "method", "self_harm")):
        return "moderate"
    return "low"
