"""Moments as the services keep them: aware, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

FUTURE_TOLERANCE = timedelta(minutes=5)  # a workstation clock a little ahead is not "the future"


def now_utc(at: datetime | None = None) -> datetime:
    """``at`` (now when None) as an aware UTC datetime."""
    return (at or datetime.now(UTC)).astimezone(UTC)


def in_future(at: datetime) -> bool:
    """Whether ``at`` is later than now, beyond a clock's small drift."""
    return now_utc(at) > now_utc() + FUTURE_TOLERANCE
