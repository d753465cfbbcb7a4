"""A resident's file and the search for residents.

Every opening of a file is audited by record id, and the search (which shows
names) by its number of results, never by what was typed. A read and its
audit entry share one write transaction: nothing is returned that the log
does not record.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Row, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from shelter import names
from shelter.domain.people import Identity, Protection, display_name, written_names
from shelter.domain.vocabulary import RISK_LEVEL
from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.security.permissions import Permission
from shelter.services import settings as settings_service
from shelter.storage.models import Bed, BedAssignment, Resident, ResidentNameKey, Room, Shelter, Stay
from shelter.store import SignedIn

CASE_NUMBER_START = re.compile(r"^[A-Z0-9]{2,12}-\d")  # what a typed case number starts like
_IN_CHUNK = 500  # ids per IN (...) list: well under every database's limit on bound parameters


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


# The sort keys of ``find_residents``: each orders the people found in SQL
# (ties by registration, so the order is stable).
SORT_KEYS = ("registered", "case_number", "name", "nationality", "risk", "shelter", "bed")


def _open_stays():  # noqa: ANN202
    """Each resident's stay in progress, if any (at most one: a unique index)."""
    return (select(Stay.id, Stay.resident_id, Stay.shelter_id).where(Stay.discharged_at.is_(None))
            .subquery("open_stay"))


def _matching(q: Select, open_stay, query: str, status: str, shelter_id: int | None,  # noqa: ANN001
              risk_level: str | None) -> Select:
    """``q`` (a select that outer-joins ``open_stay`` to Resident) narrowed to
    the people the search finds: every query word starts one of the person's
    name keys, or the query is the start of a case number; then residence
    status, shelter and risk. Indexed lookups only: no file is decrypted and
    scanned."""
    typed = query.strip().upper()
    if CASE_NUMBER_START.match(typed):
        # A case number (or its start): a range on its unique index.
        q = q.where(Resident.case_number >= typed, Resident.case_number < typed + "\uffff")
    else:
        for group in names.search_groups(query):
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
    return q


def _row_select(open_stay) -> Select:  # noqa: ANN001
    """The columns of a ResidentRow, before its bed."""
    return (select(Resident.id, Resident.case_number, Resident.preferred_name, Resident.name_latin,
                   Resident.name_arabic, Resident.sex, Resident.nationality, Resident.risk_level,
                   open_stay.c.id.label("stay_id"), Shelter.name.label("shelter_name"))
            .outerjoin(open_stay, open_stay.c.resident_id == Resident.id)
            .outerjoin(Shelter, Shelter.id == open_stay.c.shelter_id))


def _rows(s: Session, found: Sequence[Row]) -> list[ResidentRow]:
    """Read models for rows of ``_row_select``, each with the bed it is in now
    and the name in the form the shelter chose for shared screens."""
    form = settings_service.load_settings(s).resident_name_form
    stay_ids = [r.stay_id for r in found if r.stay_id]
    beds: dict[int, str] = {}
    if stay_ids:
        beds = dict(s.execute(
            select(BedAssignment.stay_id, Room.name + " / " + Bed.label)
            .join(Bed, Bed.id == BedAssignment.bed_id).join(Room, Room.id == Bed.room_id)
            .where(BedAssignment.stay_id.in_(stay_ids), BedAssignment.ended_at.is_(None))).all())
    return [ResidentRow(r.id, r.case_number, display_name(r, form), r.sex, r.nationality, r.risk_level,
                        r.stay_id is not None, r.shelter_name or "", beds.get(r.stay_id, ""))
            for r in found]


def _blank(column):  # noqa: ANN001, ANN202
    return func.nullif(column, "")


def _sort_columns(q: Select, open_stay, sort: str) -> tuple[Select, list]:  # noqa: ANN001
    """``q`` with what sorting by ``sort`` needs joined, and the sort columns."""
    if sort == "registered":
        return q, []
    if sort == "case_number":
        return q, [Resident.case_number]
    if sort == "name":
        # The name as shown: preferred, else Latin, else Arabic script; lower()
        # folds Latin letters (Arabic has no case).
        shown = func.coalesce(_blank(Resident.preferred_name), _blank(Resident.name_latin), Resident.name_arabic)
        return q, [func.lower(shown)]
    if sort == "nationality":
        return q, [Resident.nationality]
    if sort == "risk":
        return q, [case({code: rank for rank, code in enumerate(RISK_LEVEL.codes)}, value=Resident.risk_level,
                        else_=len(RISK_LEVEL))]
    if sort in ("shelter", "bed"):
        q = q.outerjoin(Shelter, Shelter.id == open_stay.c.shelter_id)
        columns = [func.coalesce(Shelter.name, "")]
        if sort == "bed":
            current = (select(BedAssignment.stay_id, Room.name.label("room"), Bed.label.label("bed"))
                       .join(Bed, Bed.id == BedAssignment.bed_id).join(Room, Room.id == Bed.room_id)
                       .where(BedAssignment.ended_at.is_(None)).subquery("current_bed"))
            q = q.outerjoin(current, current.c.stay_id == open_stay.c.id)
            columns += [func.coalesce(current.c.room, ""), func.coalesce(current.c.bed, "")]
        return q, columns
    raise ValueError(f"unknown sort key {sort!r}")


def find_residents(who: SignedIn, query: str = "", status: str = "in_residence", shelter_id: int | None = None,
                   risk_level: str | None = None, sort: str = "registered", descending: bool = True) -> list[int]:
    """Every person the search finds (the rules of ``search_residents``), as
    resident ids in the order asked: ``sort`` is one of SORT_KEYS ("name" is
    the name as shown: preferred, else Latin, else Arabic script, ignoring
    case; "risk" is low < medium < high; "bed" is shelter, room, bed), ties
    by registration. The rows themselves are read a page at a time with
    ``resident_rows``. Audited ("resident.search") by the number found,
    never the query."""
    who.require(Permission.VIEW_RESIDENT)
    open_stay = _open_stays()
    q = select(Resident.id).outerjoin(open_stay, open_stay.c.resident_id == Resident.id)
    q, columns = _sort_columns(q, open_stay, sort)
    q = _matching(q, open_stay, query, status, shelter_id, risk_level)
    order = [*columns, Resident.id]
    q = q.order_by(*(c.desc() if descending else c.asc() for c in order))
    with who.store.write() as s:
        ids = list(s.execute(q).scalars())
        who.audit(s, "resident.search", detail={"results": len(ids)})
        return ids


def resident_rows(who: SignedIn, ids: Sequence[int]) -> list[ResidentRow]:
    """The list rows of these residents (a page of ``find_residents``), in the
    order given; an id no longer on record is left out. The rows show names,
    so the read is audited ("resident.list") by its number of rows."""
    who.require(Permission.VIEW_RESIDENT)
    wanted = list(dict.fromkeys(ids))
    with who.store.write() as s:
        found: dict[int, Row] = {}
        for start in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[start:start + _IN_CHUNK]
            found.update((r.id, r) for r in s.execute(_row_select(_open_stays()).where(Resident.id.in_(chunk))))
        rows = _rows(s, [found[i] for i in wanted if i in found])
        who.audit(s, "resident.list", detail={"rows": len(rows)})
        return rows


def search_residents(who: SignedIn, query: str = "", status: str = "in_residence", shelter_id: int | None = None,
                     risk_level: str | None = None, limit: int = 200) -> list[ResidentRow]:
    """Search as you type: every query word must match the start of one of
    the person's name keys (or the case number); filters by residence status,
    shelter and risk; the people registered last come first, ``limit`` at
    most. Indexed lookups only: no file is decrypted and scanned. Audited
    ("resident.search") by the number of people found, never the query."""
    who.require(Permission.VIEW_RESIDENT)
    open_stay = _open_stays()
    q = _matching(_row_select(open_stay), open_stay, query, status, shelter_id, risk_level)
    with who.store.write() as s:
        rows = _rows(s, s.execute(q.order_by(Resident.id.desc()).limit(limit)).all())
        who.audit(s, "resident.search", detail={"results": len(rows)})
        return rows


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
