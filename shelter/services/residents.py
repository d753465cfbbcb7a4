"""Admissions, the bed board, transfers, reservations and discharges.

The rules the coordinator relies on at 2 a.m. hold twice: here, with a
clear message, and in the database (partial unique indexes), so that two
workstations admitting at the same moment cannot put two people in one bed
or give one person two open stays. Writes run under BEGIN IMMEDIATE, so the
check and the change happen under one lock.

Every change and every opening of a resident's file is audited by record id,
and every read that shows names (the search, the bed board, the duplicate
check) by counts, never by what was typed. A read and its audit entry share
one write transaction: one commit per call, and nothing is returned that the
log does not record.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shelter import names
from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.security.permissions import Permission
from shelter.services import settings as settings_service
from shelter.storage.models import (
    DESTINATIONS,
    EXPLOITATION_FORMS,
    IDENTIFICATION,
    REFERRAL_SOURCES,
    RISK_LEVELS,
    SEXES,
    Bed,
    BedAssignment,
    Referral,
    Reservation,
    Resident,
    ResidentNameKey,
    Room,
    Shelter,
    Stay,
)
from shelter.store import SignedIn

ADULT_AGE = 18
DUPLICATE_THRESHOLD = 0.6
CASE_NUMBER_START = re.compile(r"^[A-Z0-9]{2,12}-\d")  # what a typed case number starts like
CANDIDATE_POOL = 60  # people scored by the duplicate check, those sharing most name keys


# -- what the forms collect ------------------------------------------------------

@dataclass(frozen=True)
class Identity:
    name_arabic: str = ""
    name_latin: str = ""
    preferred_name: str = ""
    sex: str = "female"
    birth_date: date | None = None
    birth_year_estimated: int | None = None
    nationality: str = ""
    languages: tuple[str, ...] = ()
    interpreter_needed: bool = False


@dataclass(frozen=True)
class ReferralInfo:
    referred_on: date
    source: str
    agency: str = ""
    contact: str = ""
    identification: str = "presumed"
    identified_by: str = ""
    identified_on: date | None = None


@dataclass(frozen=True)
class Protection:
    exploitation: tuple[str, ...] = ()
    exploitation_country: str = ""
    exploitation_scope: str | None = None
    flag_trafficker_contact: bool = False
    flag_no_visits: bool = False
    flag_no_phone: bool = False
    flag_media_exposure: bool = False
    risk_level: str = "medium"
    consent_processing: bool = False
    consent_processing_on: date | None = None
    consent_sharing: tuple[str, ...] = ()
    consent_sharing_on: date | None = None


@dataclass(frozen=True)
class Admission:
    identity: Identity
    referral: ReferralInfo
    protection: Protection
    bed_id: int
    admitted_at: datetime | None = None
    readmit_resident_id: int | None = None  # the duplicate check found this person
    parent_id: int | None = None  # an accompanying child's parent


# -- what the screens show --------------------------------------------------------

@dataclass(frozen=True)
class Admitted:
    resident_id: int
    stay_id: int
    case_number: str


@dataclass(frozen=True)
class Candidate:
    resident_id: int
    case_number: str
    name_arabic: str
    name_latin: str
    birth_date: date | None
    birth_year_estimated: int | None
    nationality: str
    score: float
    in_residence: bool


@dataclass(frozen=True)
class BedChoice:
    bed_id: int
    shelter_name: str
    room_name: str
    bed_label: str


@dataclass(frozen=True)
class BedTile:
    bed_id: int
    label: str
    status: str  # "free", "occupied", "reserved", "out_of_service"
    case_number: str = ""
    name: str = ""
    stay_id: int | None = None
    reason: str = ""
    until: date | None = None
    reserved_until: datetime | None = None


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


@dataclass(frozen=True)
class ResidentRow:
    resident_id: int
    case_number: str
    name: str
    sex: str
    nationality: str
    risk_level: str
    in_residence: bool
    shelter_name: str
    bed: str


@dataclass(frozen=True)
class StayView:
    stay_id: int
    shelter_name: str
    admitted_at: datetime
    discharged_at: datetime | None
    destination: str | None
    beds: tuple[tuple[str, datetime, datetime | None], ...]  # (room / bed, from, to)


@dataclass(frozen=True)
class ResidentFile:
    resident_id: int
    case_number: str
    identity: Identity
    protection: Protection
    parent_id: int | None
    stays: tuple[StayView, ...] = field(default_factory=tuple)


# -- helpers ---------------------------------------------------------------------

def _now(at: datetime | None = None) -> datetime:
    return (at or datetime.now(UTC)).astimezone(UTC)


def age_on(identity: Identity | Resident, day: date) -> int | None:
    if identity.birth_date is not None:
        born = identity.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    if identity.birth_year_estimated is not None:
        return day.year - identity.birth_year_estimated
    return None


def is_minor(identity: Identity | Resident, day: date) -> bool:
    age = age_on(identity, day)
    return age is not None and age < ADULT_AGE


def display_name(resident: Resident | Any, form: str) -> str:
    """The name as the shelter chose to show it on shared screens (from a
    resident or any row with its three name columns)."""
    full = resident.preferred_name or resident.name_latin or resident.name_arabic
    words = full.split()
    if form == "first" and words:
        return words[0]
    if form == "initials" and words:
        return "".join(w[0] + "." for w in words)
    return full


def _check_identity(identity: Identity, today: date) -> None:
    if not (identity.name_arabic.strip() or identity.name_latin.strip()):
        raise ValidationError(_("Enter the person's name in Arabic or Latin script."), field="name_latin")
    if identity.sex not in SEXES:
        raise ValidationError(_("Choose the person's sex."), field="sex")
    if identity.birth_date is not None:
        if identity.birth_date > today:
            raise ValidationError(_("The date of birth is in the future."), field="birth_date")
        if identity.birth_date.year < today.year - 110:
            raise ValidationError(_("Check the date of birth: it is more than 110 years ago."), field="birth_date")
    elif identity.birth_year_estimated is not None and not (
        today.year - 110 <= identity.birth_year_estimated <= today.year
    ):
        raise ValidationError(_("Check the estimated year of birth."), field="birth_year_estimated")


def _check_referral(referral: ReferralInfo, today: date, admitted_on: date) -> None:
    """``today`` is the real date; ``admitted_on`` may be earlier when a night
    admission is entered the next morning (identification often comes later)."""
    if referral.source not in REFERRAL_SOURCES:
        raise ValidationError(_("Choose who referred the person."), field="source")
    if referral.referred_on > today:
        raise ValidationError(_("The referral date is in the future."), field="referred_on")
    if referral.referred_on > admitted_on:
        raise ValidationError(_("The referral date is after the admission."), field="referred_on")
    if referral.identification not in IDENTIFICATION:
        raise ValidationError(_("Choose the identification status."), field="identification")
    if referral.identified_on is not None and referral.identified_on > today:
        raise ValidationError(_("The identification date is in the future."), field="identified_on")


def _check_protection(p: Protection, today: date) -> None:
    unknown = set(p.exploitation) - set(EXPLOITATION_FORMS)
    if unknown:
        raise ValidationError(_("Unknown form of exploitation."), field="exploitation")
    if p.risk_level not in RISK_LEVELS:
        raise ValidationError(_("Choose a risk level."), field="risk_level")
    if p.exploitation_scope not in (None, "internal", "cross_border"):
        raise ValidationError(_("Choose internal or cross-border."), field="exploitation_scope")
    for value, name in ((p.consent_processing_on, "consent_processing_on"), (p.consent_sharing_on, "consent_sharing_on")):
        if value is not None and value > today:
            raise ValidationError(_("A consent date is in the future."), field=name)
    if p.consent_processing and p.consent_processing_on is None:
        raise ValidationError(_("Enter the date the consent was given."), field="consent_processing_on")


def _open_assignment_beds(s: Session) -> set[int]:
    return set(s.execute(select(BedAssignment.bed_id).where(BedAssignment.ended_at.is_(None))).scalars())


def _held_beds(s: Session, now: datetime, except_reservation: int | None = None) -> dict[int, datetime]:
    q = select(Reservation.bed_id, Reservation.expires_at, Reservation.id).where(
        Reservation.closed_at.is_(None), Reservation.expires_at > now)
    return {bed: until for bed, until, rid in s.execute(q) if rid != except_reservation}


def _bed_fits(room: Room, shelter: Shelter, sex: str, minor: bool, with_parent_room: int | None) -> bool:
    if not (shelter.active and room.active):
        return False
    if minor and room.id == with_parent_room:
        return True  # a child stays with the parent, a boy with his mother in a women's room too
    if room.women_only and sex != "female":
        return False
    if room.men_only and sex != "male":
        return False
    if minor:
        return room.minors
    if room.minors:
        return False
    if sex == "female" and not shelter.receives_women:
        return False
    return not (sex == "male" and not shelter.receives_men)


def _parent_room(s: Session, parent_id: int | None) -> int | None:
    if parent_id is None:
        return None
    return s.execute(
        select(Bed.room_id).join(BedAssignment, BedAssignment.bed_id == Bed.id).join(Stay, Stay.id == BedAssignment.stay_id)
        .where(Stay.resident_id == parent_id, Stay.discharged_at.is_(None), BedAssignment.ended_at.is_(None))
    ).scalar_one_or_none()


def _choices(s: Session, sex: str, minor: bool, parent_room: int | None, now: datetime,
             shelter_id: int | None = None) -> list[BedChoice]:
    occupied = _open_assignment_beds(s)
    held = _held_beds(s, now)
    q = (select(Bed, Room, Shelter).join(Room, Bed.room_id == Room.id).join(Shelter, Room.shelter_id == Shelter.id)
         .where(Bed.active.is_(True)).order_by(Shelter.name, Room.name, Bed.label))
    if shelter_id is not None:
        q = q.where(Shelter.id == shelter_id)
    return [BedChoice(bed.id, shelter.name, room.name, bed.label)
            for bed, room, shelter in s.execute(q)
            if bed.id not in occupied and bed.id not in held and _bed_fits(room, shelter, sex, minor, parent_room)]


def compatible_beds(who: SignedIn, identity: Identity, parent_id: int | None = None,
                    shelter_id: int | None = None, at: datetime | None = None) -> list[BedChoice]:
    """Beds the person may be given now: in service, free, not held by a
    reservation, and allowed by the room's and shelter's restrictions."""
    who.require(Permission.ADMIT)
    now = _now(at)
    with who.store.read() as s:
        return _choices(s, identity.sex, is_minor(identity, now.date()), _parent_room(s, parent_id), now, shelter_id)


# -- duplicates and search --------------------------------------------------------

def _resident_names(r: Resident | Identity) -> list[str]:
    return [n for n in (r.name_arabic, r.name_latin, r.preferred_name) if n.strip()]


def duplicate_candidates(who: SignedIn, identity: Identity, limit: int = 8) -> list[Candidate]:
    """People already on record who may be this person: names compared across
    case, accents, Arabic diacritics and letter variants and across scripts
    (shelter.names), then date of birth and nationality. Best first."""
    who.require(Permission.ADMIT)
    keys = names.name_keys(*_resident_names(identity))
    if not keys:
        return []  # nothing typed yet: nothing read
    with who.store.write() as s:
        out = _duplicates(s, identity, keys)
        out.sort(key=lambda c: -c.score)
        out = out[:limit]
        who.store.audit(s, "resident.duplicate_check", who.actor.account_id, detail={"results": len(out)})
    return out


def _duplicates(s: Session, identity: Identity, keys: set[str]) -> list[Candidate]:
    # The people sharing most name keys, ranked in SQL: a common given
    # name alone must not send thousands of files to be scored.
    shared = func.count(ResidentNameKey.key)
    ids = set(s.execute(
        select(ResidentNameKey.resident_id).where(ResidentNameKey.key.in_(keys))
        .group_by(ResidentNameKey.resident_id).order_by(shared.desc(), ResidentNameKey.resident_id.desc())
        .limit(CANDIDATE_POOL)).scalars())
    out: list[Candidate] = []
    if ids:
        open_ids = set(s.execute(select(Stay.resident_id).where(Stay.resident_id.in_(ids),
                                                                 Stay.discharged_at.is_(None))).scalars())
        for r in s.execute(select(Resident).where(Resident.id.in_(ids))).scalars():
            # Each written form on its own (Arabic script, Latin script,
            # preferred name): mixing them would dilute a perfect match.
            score = max(names.similarity([mine], [theirs])
                        for mine in _resident_names(identity) for theirs in _resident_names(r))
            if identity.birth_date and r.birth_date:
                score += 0.15 if identity.birth_date == r.birth_date else -0.15
            elif identity.birth_year_estimated and r.birth_year_estimated:
                score += 0.05 if abs(identity.birth_year_estimated - r.birth_year_estimated) <= 2 else -0.1
            if identity.nationality and r.nationality:
                score += 0.05 if identity.nationality == r.nationality else -0.1
            if score >= DUPLICATE_THRESHOLD:
                out.append(Candidate(r.id, r.case_number, r.name_arabic, r.name_latin, r.birth_date,
                                     r.birth_year_estimated, r.nationality, round(min(score, 1.0), 3),
                                     r.id in open_ids))
    return out


def _index_names(s: Session, resident: Resident) -> None:
    s.query(ResidentNameKey).filter(ResidentNameKey.resident_id == resident.id).delete()
    keys = names.name_keys(*_resident_names(resident)) | {resident.case_number.lower()}
    s.add_all(ResidentNameKey(resident_id=resident.id, key=k) for k in sorted(keys))


def search_residents(who: SignedIn, query: str = "", status: str = "in_residence", shelter_id: int | None = None,
                     risk_level: str | None = None, limit: int = 200) -> list[ResidentRow]:
    """Search as you type: every query word must match the start of one of
    the person's name keys (or the case number); filters by residence status,
    shelter and risk; the people registered last come first, ``limit`` at
    most. Indexed lookups only: no file is decrypted and scanned. Audited
    ("resident.search") by the number of people found, never the query."""
    who.require(Permission.VIEW_RESIDENT)
    with who.store.write() as s:
        form = settings_service.load_settings(s).resident_name_form
        open_stay = (select(Stay.id, Stay.resident_id, Stay.shelter_id).where(Stay.discharged_at.is_(None))
                     .subquery())
        q = (select(Resident.id, Resident.case_number, Resident.preferred_name, Resident.name_latin,
                    Resident.name_arabic, Resident.sex, Resident.nationality, Resident.risk_level,
                    open_stay.c.id.label("stay_id"), Shelter.name.label("shelter_name"))
             .outerjoin(open_stay, open_stay.c.resident_id == Resident.id)
             .outerjoin(Shelter, Shelter.id == open_stay.c.shelter_id))
        typed = query.strip().upper()
        if CASE_NUMBER_START.match(typed):
            # A case number (or its start): a range on its unique index.
            q = q.where(Resident.case_number >= typed, Resident.case_number < typed + "\uffff")
        for group in () if CASE_NUMBER_START.match(typed) else names.search_groups(query):
            tokens = [t for t in group if t]
            if not tokens:
                continue
            # A range, not LIKE: SQLite's LIKE ignores case and so cannot
            # use the key index; keys are folded to lower case already.
            match = select(ResidentNameKey.resident_id).where(
                or_(*(and_(ResidentNameKey.key >= t, ResidentNameKey.key < t + "\uffff") for t in tokens)))
            q = q.where(Resident.id.in_(match))
        if status == "in_residence":
            q = q.where(open_stay.c.id.is_not(None))
        elif status == "discharged":
            q = q.where(open_stay.c.id.is_(None))
        if shelter_id is not None:
            q = q.where(open_stay.c.shelter_id == shelter_id)
        if risk_level:
            q = q.where(Resident.risk_level == risk_level)
        rows = s.execute(q.order_by(Resident.id.desc()).limit(limit)).all()
        stay_ids = [r.stay_id for r in rows if r.stay_id]
        beds = {}
        if stay_ids:
            beds = dict(s.execute(
                select(BedAssignment.stay_id, Room.name + " / " + Bed.label)
                .join(Bed, Bed.id == BedAssignment.bed_id).join(Room, Room.id == Bed.room_id)
                .where(BedAssignment.stay_id.in_(stay_ids), BedAssignment.ended_at.is_(None))).all())
        who.store.audit(s, "resident.search", who.actor.account_id, detail={"results": len(rows)})
        return [ResidentRow(r.id, r.case_number, display_name(r, form), r.sex, r.nationality, r.risk_level,
                            r.stay_id is not None, r.shelter_name or "", beds.get(r.stay_id, ""))
                for r in rows]


# -- admission ----------------------------------------------------------------------

def _case_number(s: Session, shelter: Shelter, year: int) -> str:
    # From the shelter's counter for the year, in this transaction (safe with
    # several writers, unlike a max + 1 over the residents).
    from shelter.storage.counters import next_case_number

    return f"{shelter.code}-{year}-{next_case_number(s, shelter.id, year):04d}"


def _apply(resident: Resident, identity: Identity, p: Protection) -> None:
    resident.name_arabic = identity.name_arabic.strip()
    resident.name_latin = identity.name_latin.strip()
    resident.preferred_name = identity.preferred_name.strip()
    resident.sex = identity.sex
    resident.birth_date = identity.birth_date
    resident.birth_year_estimated = identity.birth_year_estimated
    resident.nationality = identity.nationality.strip().upper()[:2]
    resident.languages = ",".join(identity.languages)
    resident.interpreter_needed = identity.interpreter_needed
    resident.exploitation = ",".join(p.exploitation)
    resident.exploitation_country = p.exploitation_country.strip().upper()[:2]
    resident.exploitation_scope = p.exploitation_scope
    resident.flag_trafficker_contact = p.flag_trafficker_contact
    resident.flag_no_visits = p.flag_no_visits
    resident.flag_no_phone = p.flag_no_phone
    resident.flag_media_exposure = p.flag_media_exposure
    resident.risk_level = p.risk_level
    resident.consent_processing = p.consent_processing
    resident.consent_processing_on = p.consent_processing_on
    resident.consent_sharing = "\n".join(x.strip() for x in p.consent_sharing if x.strip())
    resident.consent_sharing_on = p.consent_sharing_on


def _bed_for(s: Session, bed_id: int) -> tuple[Bed, Room, Shelter]:
    row = s.execute(select(Bed, Room, Shelter).join(Room, Bed.room_id == Room.id)
                    .join(Shelter, Room.shelter_id == Shelter.id).where(Bed.id == bed_id)).first()
    if row is None:
        raise ValidationError(_("This bed no longer exists."), field="bed")
    return row[0], row[1], row[2]


def _check_bed_free(s: Session, bed: Bed, room: Room, shelter: Shelter, sex: str, minor: bool,
                    parent_room: int | None, now: datetime) -> Reservation | None:
    if not bed.active:
        raise ValidationError(_("This bed is out of service."), field="bed")
    if bed.id in _open_assignment_beds(s):
        raise ValidationError(_("This bed is no longer free: someone was just placed in it. Choose another."),
                              field="bed")
    if not _bed_fits(room, shelter, sex, minor, parent_room):
        raise ValidationError(_("This bed's room does not take this person (women only, men only or minors)."),
                              field="bed")
    reservation = s.execute(select(Reservation).where(
        Reservation.bed_id == bed.id, Reservation.closed_at.is_(None))).scalar_one_or_none()
    if reservation is not None and reservation.expires_at <= now:
        reservation.closed_at = reservation.expires_at  # it lapsed: the bed is free again
        return None
    return reservation


def admit(who: SignedIn, admission: Admission) -> Admitted:
    """Admit a person referred to the shelter: a new resident (or, after the
    duplicate check, a readmission of one on record), a stay, the referral,
    and the bed. Only a compatible, free, in-service bed is accepted."""
    who.require(Permission.ADMIT)
    now = _now(admission.admitted_at)
    if now > _now() + timedelta(minutes=5):
        raise ValidationError(_("The admission time is in the future."), field="admitted_at")
    today = now.date()
    _check_identity(admission.identity, today)
    _check_referral(admission.referral, _now().date(), today)
    _check_protection(admission.protection, _now().date())  # consent may be given after admission
    # Consent is recorded when the person is ready to give it, not as a
    # condition of being taken in at night: an admission without it is
    # allowed, and the file shows that it is still to be asked.
    store = who.store
    try:
        with store.write() as s:
            bed, room, shelter = _bed_for(s, admission.bed_id)
            minor = is_minor(admission.identity, today)
            parent_room = _parent_room(s, admission.parent_id)
            reservation = _check_bed_free(s, bed, room, shelter, admission.identity.sex, minor, parent_room, now)
            if admission.readmit_resident_id is not None:
                resident = s.get(Resident, admission.readmit_resident_id)
                if resident is None:
                    raise ValidationError(_("This resident record no longer exists."), field="resident")
                if s.execute(select(Stay.id).where(Stay.resident_id == resident.id,
                                                   Stay.discharged_at.is_(None))).first():
                    raise ValidationError(_("This person is already in residence: transfer them instead."),
                                          field="resident")
                action = "resident.readmit"
            else:
                resident = Resident(case_number=_case_number(s, shelter, today.year))
                action = "resident.admit"
            _apply(resident, admission.identity, admission.protection)
            resident.parent_id = admission.parent_id
            s.add(resident)
            s.flush()
            _index_names(s, resident)
            stay = Stay(resident_id=resident.id, shelter_id=shelter.id, admitted_at=now, discharge_note="")
            s.add(stay)
            s.flush()
            r = admission.referral
            s.add(Referral(stay_id=stay.id, referred_on=r.referred_on, source=r.source, agency=r.agency.strip(),
                           contact=r.contact.strip(), identification=r.identification,
                           identified_by=r.identified_by.strip(), identified_on=r.identified_on))
            s.add(BedAssignment(stay_id=stay.id, bed_id=bed.id, started_at=now))
            if reservation is not None:
                reservation.closed_at = now
                reservation.admitted_stay_id = stay.id
            s.flush()
            store.audit(s, action, who.actor.account_id, "resident", resident.id, detail={"stay": stay.id,
                                                                                         "bed": bed.id})
            return Admitted(resident.id, stay.id, resident.case_number)
    except IntegrityError as exc:
        # The database's own rules caught what a simultaneous change made true.
        raise ValidationError(_("This bed or this person changed on another workstation a moment ago. "
                                "Look again and choose another bed."), field="bed") from exc


# -- moves, reservations, beds out of service, discharge ------------------------------

def _open_stay(s: Session, stay_id: int) -> Stay:
    stay = s.get(Stay, stay_id)
    if stay is None:
        raise ValidationError(_("This stay no longer exists."), field="stay")
    if stay.discharged_at is not None:
        raise ValidationError(_("This person has already been discharged."), field="stay")
    return stay


def transfer(who: SignedIn, stay_id: int, bed_id: int, at: datetime | None = None) -> None:
    """Move a resident to another bed, in the same or another shelter; the
    bed history keeps both assignments with their times."""
    who.require(Permission.TRANSFER)
    now = _now(at)
    try:
        with who.store.write() as s:
            stay = _open_stay(s, stay_id)
            resident = s.get(Resident, stay.resident_id)
            bed, room, shelter = _bed_for(s, bed_id)
            current = s.execute(select(BedAssignment).where(BedAssignment.stay_id == stay.id,
                                                            BedAssignment.ended_at.is_(None))).scalar_one_or_none()
            if current is not None and current.bed_id == bed.id:
                raise ValidationError(_("The person is already in this bed."), field="bed")
            if current is not None and now < current.started_at:
                raise ValidationError(_("A move cannot be dated before the current bed was given."), field="at")
            reservation = _check_bed_free(s, bed, room, shelter, resident.sex, is_minor(resident, now.date()),
                                          _parent_room(s, resident.parent_id), now)
            if reservation is not None:
                raise ValidationError(_("This bed is reserved for an expected arrival."), field="bed")
            if current is not None:
                current.ended_at = now
                s.flush()
            s.add(BedAssignment(stay_id=stay.id, bed_id=bed.id, started_at=now))
            stay.shelter_id = shelter.id
            s.flush()
            who.store.audit(s, "stay.transfer", who.actor.account_id, "stay", stay.id, detail={"bed": bed.id})
    except IntegrityError as exc:
        raise ValidationError(_("This bed or this person changed on another workstation a moment ago. "
                                "Look again and choose another bed."), field="bed") from exc


def discharge(who: SignedIn, stay_id: int, at: datetime, destination: str, note: str = "") -> None:
    """End a stay: the bed becomes free, the stay stays in the history."""
    who.require(Permission.DISCHARGE)
    if destination not in DESTINATIONS:
        raise ValidationError(_("Choose where the person is going."), field="destination")
    when = _now(at)
    if when > _now() + timedelta(minutes=5):
        raise ValidationError(_("The discharge date is in the future."), field="at")
    with who.store.write() as s:
        stay = _open_stay(s, stay_id)
        if when < stay.admitted_at:
            raise ValidationError(_("The discharge date is before the admission."), field="at")
        for assignment in s.execute(select(BedAssignment).where(BedAssignment.stay_id == stay.id,
                                                                BedAssignment.ended_at.is_(None))).scalars():
            if when < assignment.started_at:
                raise ValidationError(_("The discharge date is before the person's last move to another bed."),
                                      field="at")
            assignment.ended_at = when
        stay.discharged_at = when
        stay.destination = destination
        stay.discharge_note = note.strip()
        s.flush()
        who.store.audit(s, "stay.discharge", who.actor.account_id, "stay", stay.id,
                        detail={"destination": destination})


def reserve_bed(who: SignedIn, bed_id: int, label: str, hours: int = 12, at: datetime | None = None) -> int:
    """Hold a free bed for an expected arrival until it expires. The label
    says who is expected in words that identify nobody ("police, Rabat")."""
    who.require(Permission.RESERVE_BED)
    if not 1 <= hours <= 24 * 14:
        raise ValidationError(_("A reservation lasts from 1 hour to 14 days."), field="hours")
    now = _now(at)
    with who.store.write() as s:
        bed, room, shelter = _bed_for(s, bed_id)
        if not (bed.active and room.active and shelter.active):
            raise ValidationError(_("This bed is out of service."), field="bed")
        if bed.id in _open_assignment_beds(s):
            raise ValidationError(_("This bed is occupied."), field="bed")
        current = s.execute(select(Reservation).where(Reservation.bed_id == bed.id,
                                                      Reservation.closed_at.is_(None))).scalar_one_or_none()
        if current is not None:
            if current.expires_at > now:
                raise ValidationError(_("This bed is already reserved."), field="bed")
            current.closed_at = current.expires_at
            s.flush()
        reservation = Reservation(bed_id=bed.id, label=label.strip()[:120], reserved_at=now,
                                  expires_at=now + timedelta(hours=hours))
        s.add(reservation)
        s.flush()
        who.store.audit(s, "bed.reserve", who.actor.account_id, "bed", bed.id, detail={"hours": hours})
        return reservation.id


def cancel_reservation(who: SignedIn, reservation_id: int, at: datetime | None = None) -> None:
    who.require(Permission.RESERVE_BED)
    with who.store.write() as s:
        reservation = s.get(Reservation, reservation_id)
        if reservation is None or reservation.closed_at is not None:
            raise ValidationError(_("This reservation is no longer open."), field="reservation")
        reservation.closed_at = _now(at)
        who.store.audit(s, "bed.reservation_cancel", who.actor.account_id, "bed", reservation.bed_id)


def set_out_of_service(who: SignedIn, bed_id: int, reason: str, until: date | None,
                       at: datetime | None = None) -> None:
    """Take a free bed out of service, with the reason and the expected return."""
    who.require(Permission.MANAGE_SHELTERS)
    today = _now(at).date()
    if not reason.strip():
        raise ValidationError(_("Say why the bed is out of service."), field="reason")
    if until is not None and until < today:
        raise ValidationError(_("The return date is in the past."), field="until")
    with who.store.write() as s:
        bed, _room, _shelter = _bed_for(s, bed_id)
        if bed.id in _open_assignment_beds(s):
            raise ValidationError(_("Someone sleeps in this bed: move them first."), field="bed")
        bed.active = False
        bed.out_of_service_reason = reason.strip()[:200]
        bed.out_of_service_until = until
        who.store.audit(s, "bed.out_of_service", who.actor.account_id, "bed", bed.id)


def return_to_service(who: SignedIn, bed_id: int) -> None:
    who.require(Permission.MANAGE_SHELTERS)
    with who.store.write() as s:
        bed, _room, _shelter = _bed_for(s, bed_id)
        bed.active = True
        bed.out_of_service_reason = None
        bed.out_of_service_until = None
        who.store.audit(s, "bed.in_service", who.actor.account_id, "bed", bed.id)


# -- the bed board and the resident file ------------------------------------------------

def bed_board(who: SignedIn, shelter_ids: Iterable[int] | None = None, at: datetime | None = None) -> list[ShelterBoard]:
    """Every room as a group of bed tiles with their status and, for occupied
    beds, the case number and the name in the form the shelter chose. Three
    queries of plain columns, limited to the shelters asked for, whatever the
    size of the network. Audited ("beds.view") by the number of occupied
    beds shown, since their tiles carry names."""
    who.require(Permission.VIEW_BED_BOARD)
    now = _now(at)
    wanted = set(shelter_ids) if shelter_ids is not None else None
    with who.store.write() as s:
        form = settings_service.load_settings(s).resident_name_form
        q = (select(Shelter.id.label("shelter_id"), Shelter.name.label("shelter_name"), Shelter.code,
                    Room.id.label("room_id"), Room.name.label("room_name"), Room.women_only, Room.men_only,
                    Room.minors, Room.accessible, Room.active.label("room_active"), Bed.id.label("bed_id"),
                    Bed.label, Bed.active, Bed.out_of_service_reason, Bed.out_of_service_until)
             .join(Room, Bed.room_id == Room.id).join(Shelter, Room.shelter_id == Shelter.id)
             .where(Shelter.active.is_(True)).order_by(Shelter.name, Room.name, Bed.label))
        occupied = (select(BedAssignment.bed_id, BedAssignment.stay_id, Resident.case_number, Resident.preferred_name,
                           Resident.name_latin, Resident.name_arabic)
                    .join(Stay, Stay.id == BedAssignment.stay_id).join(Resident, Resident.id == Stay.resident_id)
                    .where(BedAssignment.ended_at.is_(None)))
        if wanted is not None:
            q = q.where(Shelter.id.in_(wanted))
            occupied = (occupied.join(Bed, Bed.id == BedAssignment.bed_id).join(Room, Room.id == Bed.room_id)
                        .where(Room.shelter_id.in_(wanted)))
        rows = s.execute(q).all()
        occupants = {row.bed_id: row for row in s.execute(occupied)}
        held = _held_beds(s, now)
        shown = {row.bed_id for row in rows}
        who.store.audit(s, "beds.view", who.actor.account_id,
                        detail={"beds": len(rows), "occupied": len(shown & occupants.keys())})
    boards: dict[int, tuple[Any, dict[int, tuple[Any, list[BedTile]]]]] = {}
    for row in rows:
        rooms = boards.setdefault(row.shelter_id, (row, {}))[1]
        tiles = rooms.setdefault(row.room_id, (row, []))[1]
        occupant = occupants.get(row.bed_id)
        if occupant is not None:
            tile = BedTile(row.bed_id, row.label, "occupied", occupant.case_number, display_name(occupant, form),
                           occupant.stay_id)
        elif not (row.active and row.room_active):
            tile = BedTile(row.bed_id, row.label, "out_of_service", reason=row.out_of_service_reason or "",
                           until=row.out_of_service_until)
        elif row.bed_id in held:
            tile = BedTile(row.bed_id, row.label, "reserved", reserved_until=held[row.bed_id])
        else:
            tile = BedTile(row.bed_id, row.label, "free")
        tiles.append(tile)
    return [ShelterBoard(sh.shelter_id, sh.shelter_name, sh.code, tuple(
                RoomBoard(r.room_id, r.room_name, r.women_only, r.men_only, r.minors, r.accessible, tuple(t))
                for r, t in rooms.values()))
            for sh, rooms in boards.values()]


def open_resident(who: SignedIn, resident_id: int) -> ResidentFile:
    """The resident's file (identity, protection, stays and bed history).
    Every opening is audited."""
    who.require(Permission.VIEW_RESIDENT)
    with who.store.write() as s:
        r = s.get(Resident, resident_id)
        if r is None:
            raise ValidationError(_("This resident record no longer exists."), field="resident")
        who.store.audit(s, "resident.view", who.actor.account_id, "resident", r.id)
        shelters = dict(s.execute(select(Shelter.id, Shelter.name)).all())
        stays = []
        for stay in r.stays:
            beds = tuple(
                (f"{room_name} / {label}", started, ended)
                for room_name, label, started, ended in s.execute(
                    select(Room.name, Bed.label, BedAssignment.started_at, BedAssignment.ended_at)
                    .join(Bed, Bed.id == BedAssignment.bed_id).join(Room, Room.id == Bed.room_id)
                    .where(BedAssignment.stay_id == stay.id).order_by(BedAssignment.started_at)))
            stays.append(StayView(stay.id, shelters.get(stay.shelter_id, ""), stay.admitted_at, stay.discharged_at,
                                  stay.destination, beds))
        identity = Identity(r.name_arabic, r.name_latin, r.preferred_name, r.sex, r.birth_date,
                            r.birth_year_estimated, r.nationality, tuple(x for x in r.languages.split(",") if x),
                            r.interpreter_needed)
        protection = Protection(
            tuple(x for x in r.exploitation.split(",") if x), r.exploitation_country, r.exploitation_scope,
            r.flag_trafficker_contact, r.flag_no_visits, r.flag_no_phone, r.flag_media_exposure, r.risk_level,
            r.consent_processing, r.consent_processing_on,
            tuple(x for x in r.consent_sharing.split("\n") if x), r.consent_sharing_on)
        return ResidentFile(r.id, r.case_number, identity, protection, r.parent_id, tuple(stays))


# -- dashboard --------------------------------------------------------------------------

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
    now = _now(at)
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
