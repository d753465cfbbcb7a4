"""The rules of backups that are not about files: when one is due, which to
keep, and when the team must be warned.

Rotation keeps the newest verified backup of each of the last ``daily``
days, of each of the last ``weekly`` ISO weeks and of each of the last
``monthly`` calendar months that have one (as restic's and Borg's "keep
daily/weekly/monthly" do), and never the last verified backup: it is always
kept, however old. Backups that failed their verification are kept for
``FAILED_KEEP_DAYS`` for someone to look at, then removed; backups not yet
verified (one in flight) are never touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

FAILED_KEEP_DAYS = 7
STALE_AFTER = timedelta(days=2)  # the last verified backup older than this: warn
MIRROR_MISSING_AFTER = timedelta(days=7)  # the second place unreachable this long: warn
DRILL_EVERY = timedelta(days=30)


@dataclass(frozen=True)
class Kept:
    name: str
    created_at: datetime  # aware (UTC)
    state: str  # "verified", "failed" or "unverified"


def to_keep(backups: Iterable[Kept], daily: int = 7, weekly: int = 4, monthly: int = 12,
            now: datetime | None = None) -> set[str]:
    """The names of the backups rotation keeps (the others may be removed)."""
    items = sorted(backups, key=lambda b: b.created_at, reverse=True)
    verified = [b for b in items if b.state == "verified"]
    keep: set[str] = {b.name for b in items if b.state == "unverified"}
    if now is not None:
        keep |= {b.name for b in items if b.state == "failed" and now - b.created_at < timedelta(days=FAILED_KEEP_DAYS)}
    if verified:
        keep.add(verified[0].name)
    # Days, weeks and months of the workstation's calendar, as the people who read the list count them.
    for count, bucket in ((daily, lambda d: d.date()), (weekly, lambda d: d.isocalendar()[:2]),
                          (monthly, lambda d: (d.year, d.month))):
        seen: list[object] = []
        for b in verified:  # newest first: the first of each bucket is its newest
            key = bucket(b.created_at.astimezone())
            if key in seen:
                continue
            if len(seen) == count:
                break
            seen.append(key)
            keep.add(b.name)
    return keep


def backup_due(last_made: datetime | None, now: datetime, interval_hours: int) -> bool:
    """A backup is due when none was made, or the last is older than the interval."""
    return last_made is None or now - last_made >= timedelta(hours=interval_hours)
