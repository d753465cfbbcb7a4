"""Counselling sessions: planning them (once or weekly), moving, holding,
missing and cancelling them, without ever putting a counsellor, a resident
or a room in two sessions at once; the week of a counsellor or a room; a
resident's sessions; today's; and the figures the reports take.

Who may see what: counsellors plan and hold sessions (LOG_SESSION); the
other roles that follow a case see that a session took place, when, how
long and with whom (VIEW_SESSIONS), never what was said (that is in
``shelter.services.notes``, encrypted). Times are UTC inside, shown on the
shelter's wall clock (``shelter.domain.sessions``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from shelter.domain.changes import SessionsChanged
from shelter.domain.dates import now_utc
from shelter.domain.sessions import MAX_MINUTES, MIN_MINUTES, from_local, local, weekly
from shelter.domain.vocabulary import CANCELLED_BY, SESSION_KIND, SESSION_MODE
from shelter.errors import ValidationError
from shelter.i18n import _, isolate
from shelter.security.permissions import Permission, Role
from shelter.services.cases import closure_in_force, staff_names
from shelter.storage.models import (
    CounsellingSession,
    MeetingRoom,
    Resident,
    SessionAttendee,
    SessionRelative,
    SessionSeries,
    Shelter,
    StaffAccount,
    StaffRole,
    Stay,
)
from shelter.store import SignedIn

REASON_MIN = 5
MAX_DAYS_AHEAD = 400
LIVE_STATUSES = ("planned", "held", "no_show")  # a cancelled session holds nobody's time


@dataclass(frozen=True)
class SessionInput:
    counsellor_id: int
    kind: str
    resident_ids: tuple[int, ...]
    starts_at: datetime  # aware
    minutes: int
    mode: str = "in_person"
    room_id: int | None = None
    relatives: tuple[tuple[str, str], ...] = ()  # (name, relation), family sessions
    interpreter_language: str = ""
    interpreter_name: str = ""


@dataclass(frozen=True)
class Attendee:
    resident_id: int
    case_number: str
    name_arabic: str
    name_latin: str
    preferred_name: str
    sex: str


@dataclass(frozen=True)
class SessionView:
    session_id: int
    shelter_id: int
    counsellor_id: int
    counsellor: str
    kind: str
    mode: str
    room_id: int | None
    room: str
    starts_at: datetime
    ends_at: datetime
    status: str
    cancelled_by: str | None
    cancel_reason: str
    interpreter_language: str
    interpreter_name: str
    series_id: int | None
    attendees: tuple[Attendee, ...]
    relatives: tuple[tuple[str, str], ...]

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


@dataclass(frozen=True)
class RoomView:
    room_id: int
    shelter_id: int
    name: str
    active: bool


@dataclass(frozen=True)
class Counsellor:
    account_id: int
    name: str


@dataclass(frozen=True)
class Figures:
    """Sessions in a period. A group session counts once as a session and
    once per attendee in ``attendances``; hours are the sessions' lengths."""

    held: int
    missed: int  # the resident did not come
    cancelled: int
    attendances: int  # resident-sessions held
    hours: float  # of sessions held
    hours_by_counsellor: dict[str, float]
    hours_by_month: dict[str, float]  # "2026-03"
    hours_by_resident: dict[int, float]


# -- reading -------------------------------------------------------------------------------

def _views(s: Session, rows: Sequence[CounsellingSession]) -> list[SessionView]:
    if not rows:
        return []
    ids = [r.id for r in rows]
    attendees: dict[int, list[Attendee]] = {}
    for session_id, r in s.execute(select(SessionAttendee.session_id, Resident)
                                   .join(Resident, Resident.id == SessionAttendee.resident_id)
                                   .where(SessionAttendee.session_id.in_(ids))
                                   .order_by(Resident.case_number)).all():
        attendees.setdefault(session_id, []).append(
            Attendee(r.id, r.case_number, r.name_arabic, r.name_latin, r.preferred_name, r.sex))
    relatives: dict[int, list[tuple[str, str]]] = {}
    for rel in s.execute(select(SessionRelative).where(SessionRelative.session_id.in_(ids))
                         .order_by(SessionRelative.id)).scalars():
        relatives.setdefault(rel.session_id, []).append((rel.name, rel.relation))
    names = staff_names(s, (r.counsellor_id for r in rows))
    room_ids = {r.room_id for r in rows if r.room_id}
    rooms = dict(s.execute(select(MeetingRoom.id, MeetingRoom.name).where(MeetingRoom.id.in_(room_ids))).all()
                 ) if room_ids else {}
    return [SessionView(r.id, r.shelter_id, r.counsellor_id, names.get(r.counsellor_id, ""), r.kind, r.mode,
                        r.room_id, rooms.get(r.room_id or 0, ""), r.starts_at, r.ends_at, r.status, r.cancelled_by,
                        r.cancel_reason, r.interpreter_language, r.interpreter_name, r.series_id,
                        tuple(attendees.get(r.id, ())), tuple(relatives.get(r.id, ())))
            for r in rows]


def _require_view(who: SignedIn) -> None:
    if not who.actor.has(Permission.LOG_SESSION):
        who.require(Permission.VIEW_SESSIONS)


def week(who: SignedIn, monday: date, counsellor_id: int | None = None, room_id: int | None = None,
         days: int = 7) -> list[SessionView]:
    """The sessions of a week (from ``monday``'s midnight, shelter time) of
    one counsellor or one room (everyone's when neither is given), cancelled
    ones included, by start."""
    _require_view(who)
    start, end = from_local(monday, time(0)), from_local(monday + timedelta(days=days), time(0))
    q = select(CounsellingSession).where(CounsellingSession.starts_at < end, CounsellingSession.ends_at > start,
                                         CounsellingSession.starts_at >= start - timedelta(minutes=MAX_MINUTES))
    if counsellor_id is not None:
        q = q.where(CounsellingSession.counsellor_id == counsellor_id)
    if room_id is not None:
        q = q.where(CounsellingSession.room_id == room_id)
    with who.store.write() as s:
        rows = s.execute(q.order_by(CounsellingSession.starts_at, CounsellingSession.id)).scalars().all()
        who.audit(s, "sessions.view", "staff_account" if counsellor_id else "meeting_room" if room_id else None,
                  counsellor_id or room_id, detail={"results": len(rows)})
        return _views(s, rows)


def resident_sessions(who: SignedIn, resident_id: int) -> list[SessionView]:
    """Every session of a resident, newest first. Audited by resident."""
    _require_view(who)
    with who.store.write() as s:
        rows = s.execute(select(CounsellingSession).join(
            SessionAttendee, SessionAttendee.session_id == CounsellingSession.id)
            .where(SessionAttendee.resident_id == resident_id)
            .order_by(CounsellingSession.starts_at.desc())).scalars().all()
        who.audit(s, "sessions.view", "resident", resident_id, detail={"results": len(rows)})
        return _views(s, rows)


def todays_sessions(who: SignedIn, today: date | None = None) -> list[SessionView]:
    """The signed-in counsellor's sessions today (shelter time), not cancelled."""
    who.require(Permission.LOG_SESSION)
    today = today or local(now_utc()).date()
    start, end = from_local(today, time(0)), from_local(today + timedelta(days=1), time(0))
    with who.store.read() as s:
        rows = s.execute(select(CounsellingSession).where(
            CounsellingSession.counsellor_id == who.actor.account_id, CounsellingSession.starts_at < end,
            CounsellingSession.ends_at > start, CounsellingSession.starts_at >= start - timedelta(minutes=MAX_MINUTES),
            CounsellingSession.status != "cancelled")
            .order_by(CounsellingSession.starts_at)).scalars().all()
        return _views(s, rows)


def get_session(s: Session, session_id: int) -> CounsellingSession:
    row = s.get(CounsellingSession, session_id)
    if row is None:
        raise ValidationError(_("This session no longer exists."), field="session")
    return row


def counsellors(who: SignedIn) -> list[Counsellor]:
    _require_view(who)
    with who.store.read() as s:
        return [Counsellor(i, n) for i, n in s.execute(
            select(StaffAccount.id, StaffAccount.display_name).join(StaffRole, StaffRole.account_id == StaffAccount.id)
            .where(StaffRole.role == Role.COUNSELLOR.value, StaffAccount.active.is_(True))
            .order_by(StaffAccount.display_name)).all()]


def rooms(who: SignedIn, shelter_id: int | None = None) -> list[RoomView]:
    _require_view(who)
    q = select(MeetingRoom).order_by(MeetingRoom.shelter_id, MeetingRoom.name)
    if shelter_id is not None:
        q = q.where(MeetingRoom.shelter_id == shelter_id)
    with who.store.read() as s:
        return [RoomView(r.id, r.shelter_id, r.name, r.active) for r in s.execute(q).scalars()]


def add_room(who: SignedIn, shelter_id: int, name: str) -> RoomView:
    """A room where sessions are held (counsellors and coordinators add them)."""
    if not who.actor.has(Permission.MANAGE_SHELTERS):
        who.require(Permission.LOG_SESSION)
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Name the room."), field="name")
    if len(name) > 80:
        raise ValidationError(_("This name is too long."), field="name")
    with who.store.write() as s:
        if s.get(Shelter, shelter_id) is None:
            raise ValidationError(_("This shelter no longer exists."), field="shelter")
        if s.execute(select(MeetingRoom.id).where(MeetingRoom.shelter_id == shelter_id,
                                                  func.lower(MeetingRoom.name) == name.lower())).first():
            raise ValidationError(_("This shelter already has a room with this name."), field="name")
        row = MeetingRoom(shelter_id=shelter_id, name=name)
        s.add(row)
        s.flush()
        who.audit(s, "sessions.room_add", "meeting_room", row.id)
        return RoomView(row.id, row.shelter_id, row.name, row.active)


# -- checks ------------------------------------------------------------------------------------

def _clean(req: SessionInput) -> SessionInput:
    if req.kind not in SESSION_KIND:
        raise ValidationError(_("Choose the kind of session."), field="kind")
    if req.mode not in SESSION_MODE:
        raise ValidationError(_("Choose how the session is held."), field="mode")
    residents = tuple(dict.fromkeys(req.resident_ids))
    if not residents:
        raise ValidationError(_("Choose the resident."), field="residents")
    if req.kind in ("individual", "family") and len(residents) != 1:
        raise ValidationError(_("An individual or family session is with one resident; choose a group session "
                                "for several."), field="residents")
    if req.kind == "group" and len(residents) < 2:
        raise ValidationError(_("A group session has at least two residents."), field="residents")
    relatives = tuple((" ".join(n.split()), " ".join(r.split())) for n, r in req.relatives if n.strip())
    if req.kind == "family" and not relatives:
        raise ValidationError(_("Name at least one relative taking part (a name and a relation)."),
                              field="relatives")
    if req.kind != "family":
        relatives = ()
    if any(len(n) > 120 or len(r) > 60 for n, r in relatives):
        raise ValidationError(_("This name is too long."), field="relatives")
    if not (MIN_MINUTES <= req.minutes <= MAX_MINUTES):
        raise ValidationError(_("A session lasts between {low} and {high} minutes.").format(
            low=MIN_MINUTES, high=MAX_MINUTES), field="minutes")
    if req.starts_at.tzinfo is None:
        raise ValueError("a session's start must be an aware datetime")
    if req.mode == "in_person" and req.room_id is None:
        raise ValidationError(_("Choose the room."), field="room")
    return replace(req, resident_ids=residents, relatives=relatives,
                   room_id=req.room_id if req.mode == "in_person" else None,
                   interpreter_language=req.interpreter_language.strip()[:16],
                   interpreter_name=" ".join(req.interpreter_name.split())[:200])


def _check_people(s: Session, req: SessionInput) -> int:
    """The shelter the session belongs to (the first resident's latest stay)."""
    counsellor = s.get(StaffAccount, req.counsellor_id)
    if counsellor is None or not counsellor.active or Role.COUNSELLOR.value not in {r.role for r in counsellor.roles}:
        raise ValidationError(_("Choose an active counsellor."), field="counsellor")
    shelter_id = None
    for resident_id in req.resident_ids:
        if s.get(Resident, resident_id) is None:
            raise ValidationError(_("This resident record no longer exists."), field="residents")
        if closure_in_force(s, resident_id) is not None:
            raise ValidationError(_("This case is closed. Reopen it to write in it."), field="residents")
        stay_shelter = s.execute(select(Stay.shelter_id).where(Stay.resident_id == resident_id)
                                 .order_by(Stay.admitted_at.desc()).limit(1)).scalar()
        if stay_shelter is None:
            raise ValidationError(_("This resident has no stay at the shelter."), field="residents")
        shelter_id = shelter_id or stay_shelter
    if req.room_id is not None:
        room = s.get(MeetingRoom, req.room_id)
        if room is None or not room.active:
            raise ValidationError(_("Choose a room in use."), field="room")
        shelter_id = room.shelter_id
    return int(shelter_id)  # type: ignore[arg-type]


def _conflict(s: Session, req: SessionInput, start: datetime, end: datetime, ignore: int | None = None) -> None:
    """Refuse a counsellor, a resident or a room already in a session then."""
    # The lower bound loses nothing (no session is longer than MAX_MINUTES) and
    # lets the (counsellor, start) and (room, start) indexes bound the scan.
    overlapping = and_(CounsellingSession.starts_at < end, CounsellingSession.ends_at > start,
                       CounsellingSession.starts_at >= start - timedelta(minutes=MAX_MINUTES),
                       CounsellingSession.status.in_(LIVE_STATUSES))
    if ignore is not None:
        overlapping = and_(overlapping, CounsellingSession.id != ignore)
    when = _("{day} at {time}").format(day=isolate(local(start).date().isoformat()),
                                       time=isolate(local(start).strftime("%H:%M")))
    if s.execute(select(CounsellingSession.id).where(overlapping,
                                                     CounsellingSession.counsellor_id == req.counsellor_id)).first():
        raise ValidationError(_("The counsellor already has a session on {when}.").format(when=when),
                              field="counsellor")
    busy = s.execute(select(Resident.case_number).join(SessionAttendee, SessionAttendee.resident_id == Resident.id)
                     .join(CounsellingSession, CounsellingSession.id == SessionAttendee.session_id)
                     .where(overlapping, SessionAttendee.resident_id.in_(req.resident_ids))).scalars().first()
    if busy is not None:
        raise ValidationError(_("The resident {case} is already in a session on {when}.").format(
            case=busy, when=when), field="residents")
    if req.room_id is not None and s.execute(select(CounsellingSession.id).where(
            overlapping, CounsellingSession.room_id == req.room_id)).first():
        raise ValidationError(_("The room is taken on {when}.").format(when=when), field="room")


def _add(s: Session, who: SignedIn, req: SessionInput, shelter_id: int, start: datetime,
         series_id: int | None = None) -> CounsellingSession:
    end = start + timedelta(minutes=req.minutes)
    _conflict(s, req, start, end)
    row = CounsellingSession(shelter_id=shelter_id, counsellor_id=req.counsellor_id, kind=req.kind, mode=req.mode,
                             room_id=req.room_id, starts_at=start, ends_at=end, status="planned",
                             interpreter_language=req.interpreter_language, interpreter_name=req.interpreter_name,
                             series_id=series_id, created_at=now_utc(), created_by=who.actor.account_id)
    s.add(row)
    s.flush()
    s.add_all(SessionAttendee(session_id=row.id, resident_id=r) for r in req.resident_ids)
    s.add_all(SessionRelative(session_id=row.id, name=n, relation=rel) for n, rel in req.relatives)
    s.flush()
    return row


def _check_start(start: datetime) -> None:
    if start > now_utc() + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(_("This is more than a year ahead."), field="starts_at")


# -- writing -------------------------------------------------------------------------------------

def plan_session(who: SignedIn, req: SessionInput) -> SessionsChanged:
    """Plan one session; refused when the counsellor, a resident or the room
    is in another session at the same time."""
    who.require(Permission.LOG_SESSION)
    req = _clean(req)
    start = req.starts_at.astimezone(UTC)
    _check_start(start)
    with who.store.write() as s:
        shelter_id = _check_people(s, req)
        row = _add(s, who, req, shelter_id, start)
        who.audit(s, "sessions.plan", "counselling_session", row.id, detail={"kind": req.kind})
        return SessionsChanged((row.id,), req.resident_ids)


def plan_weekly(who: SignedIn, req: SessionInput, until: date) -> SessionsChanged:
    """Plan a session every week at the same local hour, from ``req.starts_at``
    to ``until``: all of them or none (the first conflict is named)."""
    who.require(Permission.LOG_SESSION)
    req = _clean(req)
    first = local(req.starts_at)
    if until < first.date():
        raise ValidationError(_("The last date is before the first session."), field="until")
    if until > first.date() + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(_("A weekly session is planned for a year at most."), field="until")
    starts = weekly(first.date(), first.time().replace(second=0, microsecond=0), until)
    with who.store.write() as s:
        shelter_id = _check_people(s, req)
        series = SessionSeries(counsellor_id=req.counsellor_id, local_start=first.strftime("%H:%M"),
                               minutes=req.minutes, first_on=first.date(), until_on=until, created_at=now_utc(),
                               created_by=who.actor.account_id)
        s.add(series)
        s.flush()
        ids = tuple(_add(s, who, req, shelter_id, start, series.id).id for start in starts)
        who.audit(s, "sessions.plan_weekly", "session_series", series.id, detail={"sessions": len(ids)})
        return SessionsChanged(ids, req.resident_ids)


def _attendees(s: Session, session_id: int) -> tuple[int, ...]:
    return tuple(s.execute(select(SessionAttendee.resident_id).where(SessionAttendee.session_id == session_id))
                 .scalars())


def _own(who: SignedIn, row: CounsellingSession) -> None:
    if row.counsellor_id != who.actor.account_id:
        raise ValidationError(_("Only the session's counsellor can change it."), field="session")


def move_session(who: SignedIn, session_id: int, starts_at: datetime, room_id: int | None = None,
                 keep_room: bool = True) -> SessionsChanged:
    """Move a planned session to ``starts_at`` (same length), and to
    ``room_id`` unless ``keep_room``; refused on a conflict."""
    who.require(Permission.LOG_SESSION)
    start = starts_at.astimezone(UTC)
    _check_start(start)
    with who.store.write() as s:
        row = get_session(s, session_id)
        _own(who, row)
        if row.status != "planned":
            raise ValidationError(_("Only a planned session can be moved."), field="session")
        room = row.room_id if keep_room else room_id
        if room is not None and room != row.room_id:
            target = s.get(MeetingRoom, room)
            if target is None or not target.active:
                raise ValidationError(_("Choose a room in use."), field="room")
        residents = _attendees(s, row.id)
        minutes = int((row.ends_at - row.starts_at).total_seconds() // 60)
        req = SessionInput(row.counsellor_id, row.kind, residents, start, minutes, row.mode, room)
        end = start + timedelta(minutes=minutes)
        _conflict(s, req, start, end, ignore=row.id)
        row.starts_at, row.ends_at, row.room_id = start, end, room
        s.flush()
        who.audit(s, "sessions.move", "counselling_session", row.id)
        return SessionsChanged((row.id,), residents)


def set_outcome(who: SignedIn, session_id: int, status: str) -> SessionsChanged:
    """Mark a session held, or that the resident did not come (once it has begun)."""
    who.require(Permission.LOG_SESSION)
    if status not in ("held", "no_show", "planned"):
        raise ValidationError(_("Choose what happened."), field="status")
    with who.store.write() as s:
        row = get_session(s, session_id)
        _own(who, row)
        if row.status == "cancelled":
            raise ValidationError(_("This session was cancelled."), field="status")
        if status != "planned" and row.starts_at > now_utc() + timedelta(minutes=5):
            raise ValidationError(_("This session has not begun yet."), field="status")
        row.status = status
        s.flush()
        who.audit(s, "sessions.outcome", "counselling_session", row.id, detail={"status": status})
        return SessionsChanged((row.id,), _attendees(s, row.id))


def cancel_session(who: SignedIn, session_id: int, cancelled_by: str, reason: str,
                   whole_series: bool = False) -> SessionsChanged:
    """Cancel a planned session (or it and the rest of its weekly series),
    saying who cancelled and why."""
    who.require(Permission.LOG_SESSION)
    if cancelled_by not in CANCELLED_BY:
        raise ValidationError(_("Say who cancelled."), field="cancelled_by")
    reason = " ".join(reason.split())
    if len(reason) < REASON_MIN:
        raise ValidationError(_("Say why it is cancelled."), field="reason")
    with who.store.write() as s:
        row = get_session(s, session_id)
        _own(who, row)
        if row.status != "planned":
            raise ValidationError(_("Only a planned session can be cancelled."), field="session")
        rows = [row]
        if whole_series and row.series_id is not None:
            rows = list(s.execute(select(CounsellingSession).where(
                CounsellingSession.series_id == row.series_id, CounsellingSession.status == "planned",
                CounsellingSession.starts_at >= row.starts_at)).scalars())
        for r in rows:
            r.status, r.cancelled_by, r.cancel_reason = "cancelled", cancelled_by, reason
        s.flush()
        for r in rows:
            who.audit(s, "sessions.cancel", "counselling_session", r.id, detail={"by": cancelled_by})
        return SessionsChanged(tuple(r.id for r in rows), _attendees(s, row.id))


# -- figures --------------------------------------------------------------------------------------

def figures(who: SignedIn, start: date, end: date, shelter_id: int | None = None) -> Figures:
    """Sessions from ``start`` to ``end`` (inclusive, shelter time). Counted
    in SQL; the hours summed here, from the rows of the period (portable
    SQL, no date arithmetic of one database)."""
    if not who.actor.has(Permission.VIEW_REPORTS):
        _require_view(who)
    lo, hi = from_local(start, time(0)), from_local(end + timedelta(days=1), time(0))
    cond = [CounsellingSession.starts_at >= lo, CounsellingSession.starts_at < hi]
    if shelter_id is not None:
        cond.append(CounsellingSession.shelter_id == shelter_id)
    with who.store.read() as s:
        counts = dict(s.execute(select(CounsellingSession.status, func.count()).where(*cond)
                                .group_by(CounsellingSession.status)).all())
        held = s.execute(select(CounsellingSession.id, StaffAccount.display_name, CounsellingSession.starts_at,
                                CounsellingSession.ends_at)
                         .join(StaffAccount, StaffAccount.id == CounsellingSession.counsellor_id)
                         .where(*cond, CounsellingSession.status == "held")).all()
        attending: dict[int, list[int]] = {}
        for session_id, resident_id in s.execute(
                select(SessionAttendee.session_id, SessionAttendee.resident_id)
                .join(CounsellingSession, CounsellingSession.id == SessionAttendee.session_id)
                .where(*cond, CounsellingSession.status == "held")).all():
            attending.setdefault(session_id, []).append(resident_id)
    hours = 0.0
    by_counsellor: dict[str, float] = {}
    by_month: dict[str, float] = {}
    by_resident: dict[int, float] = {}
    for session_id, counsellor, starts_at, ends_at in held:
        length = (ends_at - starts_at).total_seconds() / 3600
        hours += length
        by_counsellor[counsellor] = by_counsellor.get(counsellor, 0.0) + length
        month = local(starts_at).strftime("%Y-%m")
        by_month[month] = by_month.get(month, 0.0) + length
        for resident_id in attending.get(session_id, ()):
            by_resident[resident_id] = by_resident.get(resident_id, 0.0) + length
    return Figures(counts.get("held", 0), counts.get("no_show", 0), counts.get("cancelled", 0),
                   sum(len(v) for v in attending.values()), round(hours, 2),
                   {k: round(v, 2) for k, v in by_counsellor.items()}, {k: round(v, 2) for k, v in by_month.items()},
                   {k: round(v, 2) for k, v in by_resident.items()})
