"""A resident's file and the search for residents.

Every opening of a file is audited by record id, and the search (which shows
names) by its number of results, never by what was typed. A read and its
audit entry share one write transaction: nothing is returned that the log
does not record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from shelter import names
from shelter.domain.people import Identity, Protection, display_name, written_names
from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.security.permissions import Permission
from shelter.services import settings as settings_service
from shelter.storage.models import Bed, BedAssignment, Resident, ResidentNameKey, Room, Shelter, Stay
from shelter.store import SignedIn

CASE_NUMBER_START = re.compile(r"^[A-Z0-9]{2,12}-\d")  # what a typed case number starts like


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


def index_names(s: Session, resident: Resident) -> None:
    """Keep the resident's search keys in step with her names and case number."""
    s.query(ResidentNameKey).filter(ResidentNameKey.resident_id == resident.id).delete()
    keys = names.name_keys(*written_names(resident)) | {resident.case_number.lower()}
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
        who.audit(s, "resident.search", detail={"results": len(rows)})
        return [ResidentRow(r.id, r.case_number, display_name(r, form), r.sex, r.nationality, r.risk_level,
                            r.stay_id is not None, r.shelter_name or "", beds.get(r.stay_id, ""))
                for r in rows]


def open_resident(who: SignedIn, resident_id: int) -> ResidentFile:
    """The resident's file (identity, protection, stays and bed history).
    Every opening is audited."""
    who.require(Permission.VIEW_RESIDENT)
    with who.store.write() as s:
        r = s.get(Resident, resident_id)
        if r is None:
            raise ValidationError(_("This resident record no longer exists."), field="resident")
        who.audit(s, "resident.view", "resident", r.id)
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
