"""Shelters, rooms and beds: the places residents stay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from shelter.domain.dates import now_utc
from shelter.domain.naming import check_shelter_code
from shelter.errors import ValidationError
from shelter.i18n import _, ngettext
from shelter.security.permissions import Permission
from shelter.services.beds import log_service
from shelter.storage.models import Bed, Room, Shelter
from shelter.store import SignedIn

MAX_BEDS_PER_ROOM = 40


@dataclass(frozen=True)
class BedView:
    id: int
    room_id: int
    label: str
    active: bool


@dataclass(frozen=True)
class RoomView:
    id: int
    shelter_id: int
    name: str
    women_only: bool
    men_only: bool
    minors: bool
    accessible: bool
    active: bool
    beds: tuple[BedView, ...]


@dataclass(frozen=True)
class ShelterView:
    id: int
    code: str
    name: str
    city: str
    receives_women: bool
    receives_men: bool
    receives_minors: bool
    active: bool
    rooms: tuple[RoomView, ...]

    @property
    def bed_count(self) -> int:
        return sum(1 for r in self.rooms if r.active for b in r.beds if b.active)


def _bed(b: Bed) -> BedView:
    return BedView(b.id, b.room_id, b.label, b.active)


def _room(r: Room) -> RoomView:
    return RoomView(r.id, r.shelter_id, r.name, r.women_only, r.men_only, r.minors, r.accessible, r.active,
                    tuple(_bed(b) for b in r.beds))


def _shelter(s: Shelter) -> ShelterView:
    return ShelterView(s.id, s.code, s.name, s.city, s.receives_women, s.receives_men, s.receives_minors,
                       s.active, tuple(_room(r) for r in s.rooms))


def _text(value: str, field: str, message: str, limit: int) -> str:
    text = " ".join(value.split())
    if not text:
        raise ValidationError(message, field=field)
    if len(text) > limit:
        raise ValidationError(ngettext("Too long ({n} character at most).", "Too long ({n} characters at most).", limit).format(n=limit), field=field)
    return text


def list_shelters(who: SignedIn) -> list[ShelterView]:
    """Every shelter with its rooms and beds (any signed-in person: the bed
    board and the forms need them)."""
    with who.store.read() as s:
        rows = s.execute(
            select(Shelter).options(selectinload(Shelter.rooms).selectinload(Room.beds)).order_by(Shelter.name)
        ).scalars()
        return [_shelter(x) for x in rows]


def _get_shelter(s: Session, shelter_id: int) -> Shelter:
    shelter = s.get(Shelter, shelter_id)
    if shelter is None:
        raise ValidationError(_("This shelter no longer exists."), field="shelter")
    return shelter


def _get_room(s: Session, room_id: int) -> Room:
    room = s.get(Room, room_id)
    if room is None:
        raise ValidationError(_("This room no longer exists."), field="room")
    return room


def create_shelter(who: SignedIn, name: str, code: str, city: str = "", receives_women: bool = True,
                   receives_men: bool = False, receives_minors: bool = False) -> ShelterView:
    who.require(Permission.MANAGE_SHELTERS)
    name = _text(name, "name", _("Enter the shelter's name."), 200)
    code = check_shelter_code(code)
    if not (receives_women or receives_men or receives_minors):
        raise ValidationError(_("Choose who the shelter receives."), field="receives")
    with who.store.write() as s:
        if s.execute(select(Shelter.id).where(Shelter.code == code)).first():
            raise ValidationError(_("Another shelter already uses this code."), field="code")
        shelter = Shelter(name=name, code=code, city=" ".join(city.split()), receives_women=receives_women,
                          receives_men=receives_men, receives_minors=receives_minors)
        s.add(shelter)
        s.flush()
        who.audit(s, "shelter.create", "shelter", shelter.id)
        s.refresh(shelter, ["rooms"])
        return _shelter(shelter)


def update_shelter(who: SignedIn, shelter_id: int, name: str, city: str, receives_women: bool,
                   receives_men: bool, receives_minors: bool, active: bool = True,
                   at: datetime | None = None) -> ShelterView:
    who.require(Permission.MANAGE_SHELTERS)
    name = _text(name, "name", _("Enter the shelter's name."), 200)
    if not (receives_women or receives_men or receives_minors):
        raise ValidationError(_("Choose who the shelter receives."), field="receives")
    with who.store.write() as s:
        shelter = _get_shelter(s, shelter_id)
        shelter.name, shelter.city = name, " ".join(city.split())
        shelter.receives_women, shelter.receives_men, shelter.receives_minors = (
            receives_women, receives_men, receives_minors)
        shelter.active = active
        log_service(s, shelter.id, now_utc(at), who.actor.account_id)
        who.audit(s, "shelter.update", "shelter", shelter.id)
        return _shelter(shelter)


def add_room(who: SignedIn, shelter_id: int, name: str, beds: int, women_only: bool = False,
             men_only: bool = False, minors: bool = False, accessible: bool = False,
             at: datetime | None = None) -> RoomView:
    """A room with ``beds`` beds labelled 1..n (rename them later if needed),
    in service from ``at`` (now)."""
    who.require(Permission.MANAGE_SHELTERS)
    name = _text(name, "room_name", _("Enter the room's name."), 80)
    if women_only and men_only:
        raise ValidationError(_("A room cannot be for women only and for men only."), field="restriction")
    if not (1 <= beds <= MAX_BEDS_PER_ROOM):
        raise ValidationError(
            _("A room has between 1 and {n} beds.").format(n=MAX_BEDS_PER_ROOM), field="beds")
    with who.store.write() as s:
        _get_shelter(s, shelter_id)
        if s.execute(select(Room.id).where(Room.shelter_id == shelter_id, Room.name == name)).first():
            raise ValidationError(_("This shelter already has a room with this name."), field="room_name")
        room = Room(shelter_id=shelter_id, name=name, women_only=women_only, men_only=men_only, minors=minors,
                    accessible=accessible)
        room.beds = [Bed(label=str(i)) for i in range(1, beds + 1)]
        s.add(room)
        log_service(s, shelter_id, now_utc(at), who.actor.account_id)
        who.audit(s, "room.create", "room", room.id, detail={"beds": beds})
        return _room(room)


def update_room(who: SignedIn, room_id: int, name: str, women_only: bool, men_only: bool, minors: bool,
                accessible: bool, active: bool = True, at: datetime | None = None) -> RoomView:
    who.require(Permission.MANAGE_SHELTERS)
    name = _text(name, "room_name", _("Enter the room's name."), 80)
    if women_only and men_only:
        raise ValidationError(_("A room cannot be for women only and for men only."), field="restriction")
    with who.store.write() as s:
        room = _get_room(s, room_id)
        clash = s.execute(select(Room.id).where(Room.shelter_id == room.shelter_id, Room.name == name,
                                                Room.id != room.id)).first()
        if clash:
            raise ValidationError(_("This shelter already has a room with this name."), field="room_name")
        room.name, room.women_only, room.men_only = name, women_only, men_only
        room.minors, room.accessible, room.active = minors, accessible, active
        log_service(s, room.shelter_id, now_utc(at), who.actor.account_id)
        who.audit(s, "room.update", "room", room.id)
        return _room(room)


def add_bed(who: SignedIn, room_id: int, label: str, at: datetime | None = None) -> BedView:
    who.require(Permission.MANAGE_SHELTERS)
    label = _text(label, "bed_label", _("Enter the bed's label."), 40)
    with who.store.write() as s:
        room = _get_room(s, room_id)
        if len(room.beds) >= MAX_BEDS_PER_ROOM:
            raise ValidationError(
                _("A room has between 1 and {n} beds.").format(n=MAX_BEDS_PER_ROOM), field="beds")
        if any(b.label == label for b in room.beds):
            raise ValidationError(_("This room already has a bed with this label."), field="bed_label")
        bed = Bed(room_id=room.id, label=label)
        s.add(bed)
        log_service(s, room.shelter_id, now_utc(at), who.actor.account_id)
        who.audit(s, "bed.create", "bed", bed.id)
        return _bed(bed)


def update_bed(who: SignedIn, bed_id: int, label: str, active: bool, at: datetime | None = None) -> BedView:
    who.require(Permission.MANAGE_SHELTERS)
    label = _text(label, "bed_label", _("Enter the bed's label."), 40)
    with who.store.write() as s:
        bed = s.get(Bed, bed_id)
        if bed is None:
            raise ValidationError(_("This bed no longer exists."), field="bed")
        clash = s.execute(select(Bed.id).where(Bed.room_id == bed.room_id, Bed.label == label,
                                               Bed.id != bed.id)).first()
        if clash:
            raise ValidationError(_("This room already has a bed with this label."), field="bed_label")
        bed.label, bed.active = label, active
        log_service(s, bed.room.shelter_id, now_utc(at), who.actor.account_id)
        who.audit(s, "bed.update", "bed", bed.id)
        return _bed(bed)
