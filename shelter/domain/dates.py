"""Moments as the services keep them (aware, in UTC), and the one way dates
and times are written and read on every screen and document."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

FUTURE_TOLERANCE = timedelta(minutes=5)  # a workstation clock a little ahead is not "the future"


def now_utc(at: datetime | None = None) -> datetime:
    """``at`` (now when None) as an aware UTC datetime."""
    return (at or datetime.now(UTC)).astimezone(UTC)


def in_future(at: datetime) -> bool:
    """Whether ``at`` is later than now, beyond a clock's small drift."""
    return now_utc(at) > now_utc() + FUTURE_TOLERANCE


# -- one way to write and read dates and times, in every language -------------------
# ISO dates (2026-03-15) and 24-hour times (08:30), Gregorian, digits 0-9:
# what Moroccan forms, the police and IOM all read the same way, and what
# sorts. Typing accepts what people type: other separators, no separators,
# Arabic-Indic digits, a time without its colon.

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.\s]\s*(\d{1,2})\s*[-/.\s]\s*(\d{1,2})\s*$")
_DATE_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_TIME = re.compile(r"^\s*(\d{1,2})\s*[:.hH\s]?\s*(\d{2})\s*$")


def format_date(day: date | None) -> str:
    return "" if day is None else day.isoformat()


def format_time(moment: time | datetime | None) -> str:
    return "" if moment is None else f"{moment.hour:02d}:{moment.minute:02d}"


def parse_date(text: str) -> date | None:
    """The date typed (year, month, day), None for an empty field; ValueError
    when it is not one."""
    typed = text.translate(_DIGITS).strip()
    if not typed:
        return None
    match = _DATE.match(typed) or _DATE_COMPACT.match(typed)
    if not match:
        raise ValueError(text)
    year, month, day = (int(part) for part in match.groups())
    return date(year, month, day)  # ValueError for 2026-02-30


def parse_time(text: str) -> time | None:
    """The time typed (08:30, 8.30, 0830, 8h30), None when empty; ValueError otherwise."""
    typed = text.translate(_DIGITS).strip()
    if not typed:
        return None
    match = _TIME.match(typed)
    if not match:
        raise ValueError(text)
    return time(int(match.group(1)), int(match.group(2)))  # ValueError for 25:00
