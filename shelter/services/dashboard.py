"""Today's figures on the dashboard, counted in SQL: no file is read; and,
for those who see reintegration, the counts of the overdue board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select

from shelter.domain.dates import now_utc
from shelter.security.permissions import Permission
from shelter.services import reintegration_board
from shelter.services.reintegration_board import BoardCounts
from shelter.storage.models import Bed, BedAssignment, Reservation, Room, Shelter, Stay
from shelter.store import SignedIn


@dataclass(frozen=True)
class DashboardFigures:
    beds: int
    occupied: int
    admissions_this_month: int
    discharges_this_month: int
    reservations_expiring: int  # within the next 24 hours
    average_stay_days: float | None  # stays that ended in the last 12 months
    occupancy: tuple[tuple[date, int], ...]  # in residence on the 1st of the 11 months before this one, and now


def _month_starts(today: date, count: int) -> list[date]:
    starts = []
    year, month = today.year, today.month
    for _i in range(count):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def dashboard(who: SignedIn, at: datetime | None = None) -> DashboardFigures:
    """Today's figures for the dashboard; counted in SQL, no file is read."""
    if not (who.actor.has(Permission.VIEW_BED_BOARD) or who.actor.has(Permission.VIEW_REPORTS)):
        who.require(Permission.VIEW_BED_BOARD)
    now = now_utc(at)
    month_start = datetime(now.year, now.month, 1, tzinfo=UTC)
    year_ago = now - timedelta(days=365)
    with who.store.read() as s:
        beds = s.execute(select(func.count(Bed.id)).join(Room, Room.id == Bed.room_id)
                         .join(Shelter, Shelter.id == Room.shelter_id)
                         .where(Bed.active.is_(True), Room.active.is_(True), Shelter.active.is_(True))).scalar_one()
        occupied = s.execute(select(func.count(BedAssignment.id)).where(BedAssignment.ended_at.is_(None))).scalar_one()
        admissions = s.execute(select(func.count(Stay.id)).where(Stay.admitted_at >= month_start)).scalar_one()
        discharges = s.execute(select(func.count(Stay.id)).where(Stay.discharged_at >= month_start)).scalar_one()
        expiring = s.execute(select(func.count(Reservation.id)).where(
            Reservation.closed_at.is_(None), Reservation.expires_at > now,
            Reservation.expires_at <= now + timedelta(hours=24))).scalar_one()
        ended = s.execute(select(Stay.admitted_at, Stay.discharged_at).where(Stay.discharged_at >= year_ago)).all()
        average = (sum((end - start).total_seconds() for start, end in ended) / len(ended) / 86400) if ended else None
        starts = _month_starts(now.date(), 12)
        moments = [datetime(d.year, d.month, d.day, tzinfo=UTC) for d in starts[:-1]] + [now]
        # One pass over the stays for the twelve moments of the chart.
        present = [func.sum(case((and_(Stay.admitted_at <= m, or_(Stay.discharged_at.is_(None),
                                                                   Stay.discharged_at > m)), 1), else_=0))
                   for m in moments]
        counts = s.execute(select(*present).where(or_(Stay.discharged_at.is_(None),
                                                       Stay.discharged_at > moments[0]))).one()
        occupancy = [(first, int(count or 0)) for first, count in zip(starts, counts, strict=True)]
    return DashboardFigures(beds, occupied, admissions, discharges, expiring,
                            None if average is None else round(average, 1), tuple(occupancy))


def reintegration_counts(who: SignedIn, today: date | None = None) -> BoardCounts | None:
    """The overdue board's counts (overdue, due today, due within 7 days,
    lost contact) across the shelters; None for those who do not see
    reintegration (VIEW_REINTEGRATION), who get no such line."""
    if not who.actor.has(Permission.VIEW_REINTEGRATION):
        return None
    return reintegration_board.board_counts(who, today=today)
