"""The bed board, moves between beds, reservations (made and cancelled) and
beds taken out of service.

The rules hold twice: here, with a clear message, and in the database
(partial unique indexes), so that two workstations acting at the same moment
cannot put two people in one bed. Writes run under the store's write lock,
so the check and the change happen under one lock, and each returns the
change it made (``shelter.domain.changes``) for the screens to refresh from.
The board is audited by counts, since its tiles carry names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shelter.domain.beds import bed_fits
from shelter.domain.changes import BedMoved, BedServiceChanged, ReservationCancelled, ReservationMade
from shelter.domain.dates import now_utc
from shelter.domain.people import display_name, is_minor
from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.security.permissions import Permission
from shelter.services import settings as settings_service
from shelter.storage.models import (
    Bed,
    BedAssignment,
    BedServiceChange,
    Reservation,
    Resident,
    Room,
    Shelter,
    Stay,
)
from shelter.store import SignedIn

MAX_RESERVATION_HOURS = 24 * 14


@dataclass(frozen=True)
class BedTile:
    bed_id: int
    label: str
    status: str  # vocabulary.BED_STATUS
    case_number: str = ""
    name: str = ""
    stay_id: int | None = None
    resident_id: int | None = None
    reason: str = ""
    until: date | None = None
    reserved_until: datetime | None = None
    reservation_id: int | None = None


@dataclass(frozen=True)
class BedChoice:
    """A bed someone may be given, as a list of choices shows it."""

    bed_id: int
    shelter_id: int
    shelter_name: str
    room_name: str
    bed_label: str


@dataclass(frozen=True)
class RoomBoard:
    room_id: int
    name: str
    women_only: bool
    men_only: bool
    minors: bool
    accessible: bool
    beds: tuple[BedTile, ...]


@dataclass(frozen=True)
class ShelterBoard:
    shelter_id: int
    name: str
    code: str
    rooms: tuple[RoomBoard, ...]

    def count(self, status: str) -> int:
        return sum(1 for room in self.rooms for bed in room.beds if bed.status == status)

    @property
    def beds(self) -> int:
        return sum(len(room.beds) for room in self.rooms)


# -- shared by admissions, moves and discharges ------------------------------------

def open_assignment_beds(s: Session) -> set[int]:
    return set(s.execute(select(BedAssignment.bed_id).where(BedAssignment.ended_at.is_(None))).scalars())


def held_beds(s: Session, now: datetime) -> dict[int, tuple[datetime, int]]:
    """Beds held by an open, unexpired reservation: bed id → (until, reservation id)."""
    q = select(Reservation.bed_id, Reservation.expires_at, Reservation.id).where(
        Reservation.closed_at.is_(None), Reservation.expires_at > now)
    return {bed: (until, rid) for bed, until, rid in s.execute(q)}


def parent_room(s: Session, parent_id: int | None) -> int | None:
    """The room of an accompanying child's parent, while the parent is in residence."""
    if parent_id is None:
        return None
    return s.execute(
        select(Bed.room_id).join(BedAssignment, BedAssignment.bed_id == Bed.id).join(Stay, Stay.id == BedAssignment.stay_id)
        .where(Stay.resident_id == parent_id, Stay.discharged_at.is_(None), BedAssignment.ended_at.is_(None))
    ).scalar_one_or_none()


def bed_for(s: Session, bed_id: int) -> tuple[Bed, Room, Shelter]:
    row = s.execute(select(Bed, Room, Shelter).join(Room, Bed.room_id == Room.id)
                    .join(Shelter, Room.shelter_id == Shelter.id).where(Bed.id == bed_id)).first()
    if row is None:
        raise ValidationError(_("This bed no longer exists."), field="bed")
    return row[0], row[1], row[2]


def check_bed_free(s: Session, bed: Bed, room: Room, shelter: Shelter, sex: str, minor: bool,
                   with_parent_room: int | None, now: datetime) -> Reservation | None:
    """Refuse a bed that is out of service, taken or not for this person; the
    open reservation on it (None when it has none or it lapsed, then closed)."""
    if not (bed.active and room.active and shelter.active):
        raise ValidationError(_("This bed is out of service."), field="bed")
    if bed.id in open_assignment_beds(s):
        raise ValidationError(_("This bed is no longer free: someone was just placed in it. Choose another."),
                              field="bed")
    if not bed_fits(room, shelter, sex, minor, with_parent_room):
        raise ValidationError(_("This bed's room does not take this person (women only, men only or minors)."),
                              field="bed")
    return live_reservation(s, bed.id, now)


def live_reservation(s: Session, bed_id: int, now: datetime) -> Reservation | None:
    """The bed's open reservation that has not lapsed; one that lapsed is
    closed at its expiry on the way (the bed is free again)."""
    reservation = s.execute(select(Reservation).where(
        Reservation.bed_id == bed_id, Reservation.closed_at.is_(None))).scalar_one_or_none()
    if reservation is not None and reservation.expires_at <= now:
        reservation.closed_at = reservation.expires_at
        s.flush()  # before a new reservation takes the bed's one open place
        return None
    return reservation


def free_beds_for(s: Session, sex: str, minor: bool, with_parent_room: int | None, now: datetime,
                  shelter_id: int | None = None) -> list[BedChoice]:
    """Beds a person may be given now: in service, free, not held by a
    reservation, and allowed by the room's and the shelter's restrictions."""
    occupied = open_assignment_beds(s)
    held = held_beds(s, now)
    q = (select(Bed, Room, Shelter).join(Room, Bed.room_id == Room.id).join(Shelter, Room.shelter_id == Shelter.id)
         .where(Bed.active.is_(True)).order_by(Shelter.name, Room.name, Bed.label))
    if shelter_id is not None:
        q = q.where(Shelter.id == shelter_id)
    return [BedChoice(bed.id, shelter.id, shelter.name, room.name, bed.label)
            for bed, room, shelter in s.execute(q)
            if bed.id not in occupied and bed.id not in held and bed_fits(room, shelter, sex, minor, with_parent_room)]


def open_stay(s: Session, stay_id: int) -> Stay:
    stay = s.get(Stay, stay_id)
    if stay is None:
        raise ValidationError(_("This stay no longer exists."), field="stay")
    if stay.discharged_at is not None:
        raise ValidationError(_("This person has already been discharged."), field="stay")
    return stay


def changed_elsewhere(exc: IntegrityError) -> ValidationError:
    """What a coordinator reads when the database's own rules caught what a
    simultaneous change on another workstation made true."""
    return ValidationError(_("This bed or this person changed on another workstation a moment ago. "
                             "Look again and choose another bed."), field="bed")


# -- moves ------------------------------------------------------------------------------

def move_choices(who: SignedIn, stay_id: int, at: datetime | None = None) -> list[BedChoice]:
    """The beds a resident in residence may be moved to: those that would take
    her if she were admitted now (a child keeps the right to her parent's
    room), her own bed left out. Those of her shelter come first."""
    who.require(Permission.TRANSFER)
    now = now_utc(at)
    with who.store.read() as s:
        stay = open_stay(s, stay_id)
        resident = s.get(Resident, stay.resident_id)
        own_shelter = stay.shelter_id
        choices = free_beds_for(s, resident.sex, is_minor(resident, now.date()), parent_room(s, resident.parent_id),
                                now)
    return sorted(choices, key=lambda c: c.shelter_id != own_shelter)


def transfer(who: SignedIn, stay_id: int, bed_id: int, at: datetime | None = None) -> BedMoved:
    """Move a resident to another bed, in the same or another shelter; the
    bed history keeps both assignments with their times."""
    who.require(Permission.TRANSFER)
    now = now_utc(at)
    try:
        with who.store.write() as s:
            stay = open_stay(s, stay_id)
            resident = s.get(Resident, stay.resident_id)
            bed, room, shelter = bed_for(s, bed_id)
            current = s.execute(select(BedAssignment).where(BedAssignment.stay_id == stay.id,
                                                            BedAssignment.ended_at.is_(None))).scalar_one_or_none()
            if current is not None and current.bed_id == bed.id:
                raise ValidationError(_("The person is already in this bed."), field="bed")
            if current is not None and now < current.started_at:
                raise ValidationError(_("A move cannot be dated before the current bed was given."), field="at")
            reservation = check_bed_free(s, bed, room, shelter, resident.sex, is_minor(resident, now.date()),
                                         parent_room(s, resident.parent_id), now)
            if reservation is not None:
                raise ValidationError(_("This bed is reserved for an expected arrival."), field="bed")
            if current is not None:
                current.ended_at = now
                s.flush()
            s.add(BedAssignment(stay_id=stay.id, bed_id=bed.id, started_at=now))
            stay.shelter_id = shelter.id
            s.flush()
            who.audit(s, "stay.transfer", "stay", stay.id, detail={"bed": bed.id})
            return BedMoved(stay.id, resident.id, current.bed_id if current is not None else None, bed.id)
    except IntegrityError as exc:
        raise changed_elsewhere(exc) from exc


# -- reservations --------------------------------------------------------------------------

def reserve_bed(who: SignedIn, bed_id: int, label: str, hours: int = 12,
                at: datetime | None = None) -> ReservationMade:
    """Hold a free bed for an expected arrival until it expires. The label
    says who is expected in words that identify nobody ("police, Rabat")."""
    who.require(Permission.RESERVE_BED)
    if not 1 <= hours <= MAX_RESERVATION_HOURS:
        raise ValidationError(_("A reservation lasts from 1 hour to 14 days."), field="hours")
    now = now_utc(at)
    with who.store.write() as s:
        bed, room, shelter = bed_for(s, bed_id)
        if not (bed.active and room.active and shelter.active):
            raise ValidationError(_("This bed is out of service."), field="bed")
        if bed.id in open_assignment_beds(s):
            raise ValidationError(_("This bed is occupied."), field="bed")
        if live_reservation(s, bed.id, now) is not None:
            raise ValidationError(_("This bed is already reserved."), field="bed")
        reservation = Reservation(bed_id=bed.id, label=label.strip()[:120], reserved_at=now,
                                  expires_at=now + timedelta(hours=hours))
        s.add(reservation)
        s.flush()
        who.audit(s, "bed.reserve", "bed", bed.id, detail={"hours": hours})
        return ReservationMade(reservation.id, bed.id, reservation.expires_at)


def cancel_reservation(who: SignedIn, reservation_id: int, at: datetime | None = None) -> ReservationCancelled:
    """Free a reserved bed: the person expected will not come, or comes elsewhere."""
    who.require(Permission.RESERVE_BED)
    with who.store.write() as s:
        now = now_utc(at)
        reservation = s.get(Reservation, reservation_id)
        if reservation is None or reservation.closed_at is not None:
            raise ValidationError(_("This reservation is no longer open."), field="reservation")
        if reservation.expires_at <= now:  # it lapsed: the bed is already free, nothing to cancel
            raise ValidationError(_("This reservation had already lapsed: the bed is free."), field="reservation")
        reservation.closed_at = now
        who.audit(s, "bed.reservation_cancel", "bed", reservation.bed_id)
        return ReservationCancelled(reservation.id, reservation.bed_id)


# -- beds out of service -----------------------------------------------------------------------

def log_service(s: Session, shelter_id: int, at: datetime, by: int | None) -> None:
    """Record, for each bed of ``shelter_id`` whose being in service (the
    bed, its room and the shelter all in use) is not the last recorded, that
    it changed at ``at``. Every write that moves one of the three calls it."""
    s.flush()
    now = {bed_id: bool(bed_on and room_on and shelter_on) for bed_id, bed_on, room_on, shelter_on in s.execute(
        select(Bed.id, Bed.active, Room.active, Shelter.active).join(Room, Room.id == Bed.room_id)
        .join(Shelter, Shelter.id == Room.shelter_id).where(Shelter.id == shelter_id))}
    last: dict[int, bool] = {}
    for bed_id, in_service in s.execute(
            select(BedServiceChange.bed_id, BedServiceChange.in_service)
            .where(BedServiceChange.bed_id.in_(list(now))).order_by(BedServiceChange.changed_at, BedServiceChange.id)):
        last[bed_id] = in_service
    s.add_all(BedServiceChange(bed_id=bed_id, changed_at=at, in_service=state, changed_by=by)
              for bed_id, state in sorted(now.items()) if last.get(bed_id) != state)


def set_out_of_service(who: SignedIn, bed_id: int, reason: str, until: date | None,
                       at: datetime | None = None) -> BedServiceChanged:
    """Take a free bed out of service, with the reason and the expected return."""
    who.require(Permission.MANAGE_SHELTERS)
    today = now_utc(at).date()
    if not reason.strip():
        raise ValidationError(_("Say why the bed is out of service."), field="reason")
    if until is not None and until < today:
        raise ValidationError(_("The return date is in the past."), field="until")
    with who.store.write() as s:
        bed, _room, _shelter = bed_for(s, bed_id)
        if bed.id in open_assignment_beds(s):
            raise ValidationError(_("Someone sleeps in this bed: move them first."), field="bed")
        if not bed.active:
            raise ValidationError(_("This bed is already out of service."), field="bed")
        if live_reservation(s, bed.id, now_utc(at)) is not None:
            raise ValidationError(_("This bed is reserved for an expected arrival: cancel the reservation "
                                    "first."), field="bed")
        bed.active = False
        bed.out_of_service_reason = reason.strip()[:200]
        bed.out_of_service_until = until
        log_service(s, _shelter.id, now_utc(at), who.actor.account_id)
        who.audit(s, "bed.out_of_service", "bed", bed.id)
        return BedServiceChanged(bed.id, in_service=False)


def return_to_service(who: SignedIn, bed_id: int, at: datetime | None = None) -> BedServiceChanged:
    who.require(Permission.MANAGE_SHELTERS)
    with who.store.write() as s:
        bed, _room, shelter = bed_for(s, bed_id)
        if bed.active:
            raise ValidationError(_("This bed is already in service."), field="bed")
        bed.active = True
        bed.out_of_service_reason = None
        bed.out_of_service_until = None
        log_service(s, shelter.id, now_utc(at), who.actor.account_id)
        who.audit(s, "bed.in_service", "bed", bed.id)
        return BedServiceChanged(bed.id, in_service=True)


# -- the board -----------------------------------------------------------------------------------

def _board_rows(s: Session, shelters: set[int] | None, only_beds: set[int] | None) -> tuple[list[Any], dict[int, Any]]:
    """The beds (with their room and shelter) and their occupants, as plain
    columns: three queries whatever the size of the network."""
    q = (select(Shelter.id.label("shelter_id"), Shelter.name.label("shelter_name"), Shelter.code,
                Room.id.label("room_id"), Room.name.label("room_name"), Room.women_only, Room.men_only,
                Room.minors, Room.accessible, Room.active.label("room_active"), Bed.id.label("bed_id"),
                Bed.label, Bed.active, Bed.out_of_service_reason, Bed.out_of_service_until)
         .join(Room, Bed.room_id == Room.id).join(Shelter, Room.shelter_id == Shelter.id)
         .where(Shelter.active.is_(True)).order_by(Shelter.name, Room.name, Bed.label))
    occupied = (select(BedAssignment.bed_id, BedAssignment.stay_id, Stay.resident_id, Resident.case_number,
                       Resident.preferred_name,
                       Resident.name_latin, Resident.name_arabic)
                .join(Stay, Stay.id == BedAssignment.stay_id).join(Resident, Resident.id == Stay.resident_id)
                .where(BedAssignment.ended_at.is_(None)))
    if shelters is not None:
        q = q.where(Shelter.id.in_(shelters))
        occupied = (occupied.join(Bed, Bed.id == BedAssignment.bed_id).join(Room, Room.id == Bed.room_id)
                    .where(Room.shelter_id.in_(shelters)))
    if only_beds is not None:
        q = q.where(Bed.id.in_(only_beds))
        occupied = occupied.where(BedAssignment.bed_id.in_(only_beds))
    rows = s.execute(q).all()
    return rows, {row.bed_id: row for row in s.execute(occupied)}


def _tile(row: Any, occupant: Any, held: dict[int, tuple[datetime, int]], form: str) -> BedTile:
    if occupant is not None:
        return BedTile(row.bed_id, row.label, "occupied", occupant.case_number, display_name(occupant, form),
                       occupant.stay_id, occupant.resident_id)
    if not (row.active and row.room_active):
        return BedTile(row.bed_id, row.label, "out_of_service", reason=row.out_of_service_reason or "",
                       until=row.out_of_service_until)
    if row.bed_id in held:
        until, reservation_id = held[row.bed_id]
        return BedTile(row.bed_id, row.label, "reserved", reserved_until=until, reservation_id=reservation_id)
    return BedTile(row.bed_id, row.label, "free")


def _read_board(who: SignedIn, shelters: set[int] | None, only_beds: set[int] | None,
                at: datetime | None) -> tuple[list[Any], list[BedTile]]:
    who.require(Permission.VIEW_BED_BOARD)
    now = now_utc(at)
    with who.store.write() as s:
        form = settings_service.load_settings(s).resident_name_form
        rows, occupants = _board_rows(s, shelters, only_beds)
        held = held_beds(s, now)
        shown = {row.bed_id for row in rows}
        who.audit(s, "beds.view", detail={"beds": len(rows), "occupied": len(shown & occupants.keys())})
    return rows, [_tile(row, occupants.get(row.bed_id), held, form) for row in rows]


def bed_board(who: SignedIn, shelter_ids: Iterable[int] | None = None, at: datetime | None = None) -> list[ShelterBoard]:
    """Every room as a group of bed tiles with their status and, for occupied
    beds, the case number and the name in the form the shelter chose,
    limited to the shelters asked for. Audited ("beds.view") by the number
    of occupied beds shown, since their tiles carry names."""
    rows, tiles = _read_board(who, set(shelter_ids) if shelter_ids is not None else None, None, at)
    boards: dict[int, tuple[Any, dict[int, tuple[Any, list[BedTile]]]]] = {}
    for row, tile in zip(rows, tiles, strict=True):
        rooms = boards.setdefault(row.shelter_id, (row, {}))[1]
        rooms.setdefault(row.room_id, (row, []))[1].append(tile)
    return [ShelterBoard(sh.shelter_id, sh.shelter_name, sh.code, tuple(
                RoomBoard(r.room_id, r.room_name, r.women_only, r.men_only, r.minors, r.accessible, tuple(t))
                for r, t in rooms.values()))
            for sh, rooms in boards.values()]


def bed_tiles(who: SignedIn, bed_ids: Iterable[int], at: datetime | None = None) -> list[BedTile]:
    """The tiles of the beds named (a change record's ``beds``), for a board
    that redraws only what changed. A bed no longer shown (its shelter
    closed) is left out. Audited as the board is."""
    wanted = set(bed_ids)
    if not wanted:
        return []
    return _read_board(who, None, wanted, at)[1]
