"""A resident's file and the search for residents.

Every opening of a file is audited by record id, and the search (which shows
names) by its number of results, never by what was typed. A read and its
audit entry share one write transaction: nothing is returned that the log
does not record.

The file (``open_resident``) carries everything its tabs show: identity,
each stay's referral and identification, protection, consent (to the
processing of the data, and to sharing with each partner, with dates and
withdrawals), stays and beds, documents issued. Each part is corrected by
its own function (``correct_identity``, ``correct_referral``,
``correct_protection``, the consent functions), for the roles with
EDIT_RESIDENT: checked with the domain's rules, audited by record id and
the number of fields changed (never the values), and every field that
changed keeps its earlier value in ``record_change`` (who, when, why), read
back with ``field_history``. Each returns ``ResidentUpdated``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from shelter import names
from shelter.domain.changes import ResidentUpdated
from shelter.domain.dates import now_utc
from shelter.domain.people import (
    Identity,
    Protection,
    ReferralInfo,
    check_identity,
    check_protection,
    check_referral,
    display_name,
    written_names,
)
from shelter.domain.vocabulary import EXPLOITATION_FORM, HANDOVER_SECTION, RISK_LEVEL
from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.security.permissions import Permission
from shelter.services import settings as settings_service
from shelter.storage.models import (
    Bed,
    BedAssignment,
    IssuedDocument,
    RecordChange,
    Referral,
    Resident,
    ResidentNameKey,
    Room,
    SharingConsent,
    Shelter,
    StaffAccount,
    Stay,
)
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
    referral: ReferralInfo | None = None  # as entered at admission, or as corrected since
    referral_id: int | None = None
    discharge_note: str = ""


@dataclass(frozen=True)
class ProcessingConsent:
    """Consent to the processing of the person's data (law 09-08)."""

    given: bool = False
    given_on: date | None = None
    withdrawn_on: date | None = None

    @property
    def status(self) -> str:
        """"given", "withdrawn" or "not_asked" (not given yet)."""
        if self.given:
            return "given"
        return "withdrawn" if self.withdrawn_on is not None else "not_asked"


@dataclass(frozen=True)
class SharingConsentView:
    """Consent to share sections of the file with one partner: named at
    admission (every section; ``consent_id`` None) or recorded since."""

    receiver: str
    sections: tuple[str, ...]
    given_on: date | None
    withdrawn_on: date | None = None
    at_admission: bool = False
    recorded_by: str = ""
    consent_id: int | None = None

    @property
    def in_force(self) -> bool:
        return self.withdrawn_on is None


@dataclass(frozen=True)
class DocumentView:
    """A document issued about the resident (a handover), as the file lists it."""

    reference: str
    kind: str
    reason: str  # vocabulary.HANDOVER_REASON
    receiver: str
    issued_at: datetime
    lang: str
    issued_by: str = ""


@dataclass(frozen=True)
class ResidentFile:
    resident_id: int
    case_number: str
    identity: Identity
    protection: Protection
    parent_id: int | None
    stays: tuple[StayView, ...] = field(default_factory=tuple)
    processing: ProcessingConsent = field(default_factory=ProcessingConsent)
    sharing: tuple[SharingConsentView, ...] = field(default_factory=tuple)
    documents: tuple[DocumentView, ...] = field(default_factory=tuple)
    # (record type, record id, field) of every field corrected since it was first entered.
    corrected: frozenset[tuple[str, int, str]] = field(default_factory=frozenset)

    @property
    def sex(self) -> str:
        return self.identity.sex

    @property
    def open_stay(self) -> StayView | None:
        return next((stay for stay in self.stays if stay.discharged_at is None), None)

    def was_corrected(self, record_type: str, record_id: int | None, fields: Iterable[str] | None = None) -> bool:
        """Whether any of ``fields`` (any field when None) of that record has earlier values."""
        wanted = None if fields is None else set(fields)
        return any(t == record_type and i == record_id and (wanted is None or f in wanted)
                   for t, i, f in self.corrected)


@dataclass(frozen=True)
class FieldChange:
    """One field of a record, before and after one correction. Values as the
    services take them: text, a code, a boolean, a number, a date, a tuple of
    codes or names; None for empty."""

    record_type: str
    record_id: int
    field: str
    old_value: Any
    new_value: Any
    changed_at: datetime
    changed_by: str
    reason: str = ""


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


# -- the resident's file -------------------------------------------------------------

# The fields of each part of the file, as the resident's and the referral's
# columns name them (and as ``record_change.field`` and ``ValidationError.field`` do).
IDENTITY_FIELDS = ("name_arabic", "name_latin", "preferred_name", "sex", "birth_date", "birth_year_estimated",
                   "nationality", "languages", "interpreter_needed")
PROTECTION_FIELDS = ("exploitation", "exploitation_country", "exploitation_scope", "flag_trafficker_contact",
                     "flag_no_visits", "flag_no_phone", "flag_media_exposure", "risk_level")
PROCESSING_FIELDS = ("consent_processing", "consent_processing_on", "consent_processing_withdrawn_on")
SHARING_FIELDS = ("consent_sharing", "consent_sharing_on")
REFERRAL_FIELDS = ("referred_on", "source", "agency", "contact", "identification", "identified_by", "identified_on")
_NAME_FIELDS = {"name_arabic", "name_latin", "preferred_name"}
# Columns holding a list, and what separates its items on disk.
_LIST_COLUMNS = {"languages": ",", "exploitation": ",", "consent_sharing": "\n"}
_DATE_COLUMNS = {"birth_date", "consent_processing_on", "consent_reporting_on", "consent_processing_withdrawn_on", "consent_sharing_on",
                 "referred_on", "identified_on", "given_on", "withdrawn_on"}
REASON_MAX = 500  # characters


def _get_resident(s: Session, resident_id: int) -> Resident:
    r = s.get(Resident, resident_id)
    if r is None:
        raise ValidationError(_("This resident record no longer exists."), field="resident")
    return r


def _split_list(value: str, separator: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in value.split(separator) if x.strip())


def _identity_of(r: Resident) -> Identity:
    return Identity(r.name_arabic, r.name_latin, r.preferred_name, r.sex, r.birth_date, r.birth_year_estimated,
                    r.nationality, _split_list(r.languages, ","), r.interpreter_needed)


def _protection_of(r: Resident) -> Protection:
    return Protection(
        _split_list(r.exploitation, ","), r.exploitation_country, r.exploitation_scope, r.flag_trafficker_contact,
        r.flag_no_visits, r.flag_no_phone, r.flag_media_exposure, r.risk_level, r.consent_processing,
        r.consent_processing_on, _split_list(r.consent_sharing, "\n"), r.consent_sharing_on, r.consent_reporting,
        r.consent_reporting_on)


def _referral_of(row: Referral) -> ReferralInfo:
    return ReferralInfo(row.referred_on, row.source, row.agency, row.contact, row.identification,
                        row.identified_by, row.identified_on)


def _sharing(s: Session, r: Resident) -> tuple[SharingConsentView, ...]:
    """Partners named at admission (in force until withdrawn), then the
    consents recorded since, in force or withdrawn, oldest first."""
    every = tuple(HANDOVER_SECTION.codes)
    out = [SharingConsentView(name, every, r.consent_sharing_on, at_admission=True)
           for name in _split_list(r.consent_sharing, "\n")]
    rows = s.execute(select(SharingConsent, StaffAccount.display_name)
                     .outerjoin(StaffAccount, StaffAccount.id == SharingConsent.recorded_by)
                     .where(SharingConsent.resident_id == r.id)
                     .order_by(SharingConsent.given_on, SharingConsent.id)).all()
    for row, recorder in rows:
        sections = tuple(x for x in HANDOVER_SECTION.codes if x in row.sections.split(","))
        out.append(SharingConsentView(row.receiver, sections, row.given_on, row.withdrawn_on,
                                      recorded_by=recorder or "", consent_id=row.id))
    return tuple(out)


def _documents(s: Session, resident_id: int) -> tuple[DocumentView, ...]:
    rows = s.execute(select(IssuedDocument, StaffAccount.display_name)
                     .outerjoin(StaffAccount, StaffAccount.id == IssuedDocument.issued_by)
                     .where(IssuedDocument.resident_id == resident_id)
                     .order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())).all()
    return tuple(DocumentView(d.reference, d.kind, d.reason, d.receiver, d.issued_at, d.lang, issuer or "")
                 for d, issuer in rows)


def open_resident(who: SignedIn, resident_id: int) -> ResidentFile:
    """The resident's file: identity; each stay with its referral and bed
    history; protection; consent to processing and to sharing (with dates and
    withdrawals); documents issued; which fields were corrected. Every
    opening is audited ("resident.view", by record id)."""
    who.require(Permission.VIEW_RESIDENT)
    with who.store.write() as s:
        r = _get_resident(s, resident_id)
        who.audit(s, "resident.view", "resident", r.id)
        shelters = dict(s.execute(select(Shelter.id, Shelter.name)).all())
        referrals = {row.stay_id: row for row in s.execute(
            select(Referral).join(Stay, Stay.id == Referral.stay_id).where(Stay.resident_id == r.id)).scalars()}
        stays = []
        for stay in r.stays:
            beds = tuple(
                (f"{room_name} / {label}", started, ended)
                for room_name, label, started, ended in s.execute(
                    select(Room.name, Bed.label, BedAssignment.started_at, BedAssignment.ended_at)
                    .join(Bed, Bed.id == BedAssignment.bed_id).join(Room, Room.id == Bed.room_id)
                    .where(BedAssignment.stay_id == stay.id).order_by(BedAssignment.started_at)))
            referral = referrals.get(stay.id)
            stays.append(StayView(stay.id, shelters.get(stay.shelter_id, ""), stay.admitted_at, stay.discharged_at,
                                  stay.destination, beds, _referral_of(referral) if referral else None,
                                  referral.id if referral else None, stay.discharge_note or ""))
        corrected = frozenset(
            (t, i, f) for t, i, f in s.execute(
                select(RecordChange.record_type, RecordChange.record_id, RecordChange.field)
                .where(RecordChange.resident_id == r.id).distinct()))
        return ResidentFile(
            r.id, r.case_number, _identity_of(r), _protection_of(r), r.parent_id, tuple(stays),
            ProcessingConsent(r.consent_processing, r.consent_processing_on, r.consent_processing_withdrawn_on),
            _sharing(s, r), _documents(s, r.id), corrected)


# -- corrections -------------------------------------------------------------------

def _encode(column: str, value: object) -> str | None:
    """A column's value as ``record_change`` keeps it: JSON text (lists as
    arrays, dates as ISO text), SQL NULL for None."""
    if value is None:
        return None
    if column in _LIST_COLUMNS and isinstance(value, str):
        value = list(_split_list(value, _LIST_COLUMNS[column]))
    elif isinstance(value, date):
        value = value.isoformat()
    return json.dumps(value, ensure_ascii=False)


def _decode(column: str, text: str | None) -> Any:
    if text is None:
        return None
    value = json.loads(text)
    if isinstance(value, list):
        return tuple(value)
    if column in _DATE_COLUMNS and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def _check_reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise ValidationError(_("Keep the reason for the correction under {n} characters.").format(n=REASON_MAX),
                              field="reason")
    return reason


def _apply(s: Session, who: SignedIn, resident_id: int, record: Resident | Referral | SharingConsent, record_type: str,
           values: Mapping[str, object], reason: str, before: Mapping[str, object] | None = None) -> list[str]:
    """Set ``values`` on ``record``, keeping the earlier value of each field
    that changes in ``record_change`` (``before``: the earlier values, when
    the record was only just made); returns the fields changed."""
    changed = []
    at = now_utc()
    for column, new in values.items():
        old = before[column] if before is not None else getattr(record, column)
        if old == new:
            continue
        s.add(RecordChange(resident_id=resident_id, record_type=record_type, record_id=record.id, field=column,
                           old_value=_encode(column, old), new_value=_encode(column, new), reason=reason,
                           changed_at=at, changed_by=who.actor.account_id))
        setattr(record, column, new)
        changed.append(column)
    return changed


def _current_beds(s: Session, resident_id: int) -> tuple[int, ...]:
    """The bed the resident is in now (none after discharge)."""
    return tuple(s.execute(
        select(BedAssignment.bed_id).join(Stay, Stay.id == BedAssignment.stay_id)
        .where(Stay.resident_id == resident_id, Stay.discharged_at.is_(None),
               BedAssignment.ended_at.is_(None))).scalars())


def _today() -> date:
    """Today, on this workstation or in UTC, whichever is later (a date typed
    here today is never "in the future")."""
    return max(date.today(), now_utc().date())


def identity_columns(identity: Identity) -> dict[str, object]:
    """The resident's columns for an identity as a form gives it (names
    trimmed, the nationality as a two-letter code, languages in one column)."""
    return {
        "name_arabic": identity.name_arabic.strip(), "name_latin": identity.name_latin.strip(),
        "preferred_name": identity.preferred_name.strip(), "sex": identity.sex, "birth_date": identity.birth_date,
        "birth_year_estimated": identity.birth_year_estimated,
        "nationality": identity.nationality.strip().upper()[:2],
        "languages": ",".join(dict.fromkeys(x.strip() for x in identity.languages if x.strip())),
        "interpreter_needed": identity.interpreter_needed,
    }


_FIT_FIELDS = {"sex", "birth_date", "birth_year_estimated"}  # what decides which rooms may take a person


def _check_room_still_fits(s: Session, r: Resident, field_name: str) -> None:
    """A corrected sex or age must still fit the room she sleeps in (a women's
    room, a men's room, the minors' room); else the correction waits for a move."""
    from shelter.domain.beds import bed_fits
    from shelter.domain.people import is_minor
    from shelter.services.beds import bed_for, parent_room

    current = s.execute(select(BedAssignment.bed_id).join(Stay, Stay.id == BedAssignment.stay_id)
                        .where(Stay.resident_id == r.id, BedAssignment.ended_at.is_(None))).scalar_one_or_none()
    if current is None:
        return
    bed, room, shelter = bed_for(s, current)
    if not bed_fits(room, shelter, r.sex, is_minor(r, _today()), parent_room(s, r.parent_id)):
        raise ValidationError(_("After this correction the room this person sleeps in no longer takes them "
                                "(women only, men only or minors). Move them to a bed that fits first."),
                              field=field_name)


def correct_identity(who: SignedIn, resident_id: int, identity: Identity, reason: str = "") -> ResidentUpdated:
    """Correct the resident's identity (names, sex, birth, nationality,
    languages). Checked as at admission; the name search follows new names.
    Audited ("resident.correct_identity") by record id and the number of
    fields changed; the earlier values are kept."""
    who.require(Permission.EDIT_RESIDENT)
    check_identity(identity, _today())
    reason = _check_reason(reason)
    with who.store.write() as s:
        r = _get_resident(s, resident_id)
        changed = _apply(s, who, r.id, r, "resident", identity_columns(identity), reason)
        if _FIT_FIELDS & set(changed):
            _check_room_still_fits(s, r, "sex" if "sex" in changed else "birth_date")
        if changed:
            if _NAME_FIELDS & set(changed):
                index_names(s, r)
            who.audit(s, "resident.correct_identity", "resident", r.id, detail={"fields": len(changed)})
        return ResidentUpdated(r.id, _current_beds(s, r.id))


def correct_protection(who: SignedIn, resident_id: int, protection: Protection, reason: str = "") -> ResidentUpdated:
    """Correct the forms and place of exploitation, the safety flags and the
    risk level. (The consent fields of ``protection`` are not read: consent
    has its own functions.) Audited ("resident.correct_protection") by record
    id and the number of fields changed; the earlier values are kept."""
    who.require(Permission.EDIT_RESIDENT)
    check_protection(replace(protection, consent_processing=False, consent_processing_on=None,
                             consent_sharing_on=None), _today())
    reason = _check_reason(reason)
    values = {
        "exploitation": ",".join(x for x in EXPLOITATION_FORM.codes if x in protection.exploitation),
        "exploitation_country": protection.exploitation_country.strip().upper()[:2],
        "exploitation_scope": protection.exploitation_scope,
        "flag_trafficker_contact": protection.flag_trafficker_contact,
        "flag_no_visits": protection.flag_no_visits, "flag_no_phone": protection.flag_no_phone,
        "flag_media_exposure": protection.flag_media_exposure, "risk_level": protection.risk_level,
    }
    with who.store.write() as s:
        r = _get_resident(s, resident_id)
        changed = _apply(s, who, r.id, r, "resident", values, reason)
        if changed:
            who.audit(s, "resident.correct_protection", "resident", r.id, detail={"fields": len(changed)})
        return ResidentUpdated(r.id, _current_beds(s, r.id))


def correct_referral(who: SignedIn, stay_id: int, referral: ReferralInfo, reason: str = "") -> ResidentUpdated:
    """Correct the referral of one stay and the person's identification
    (often known only after the admission). Checked as at admission, against
    that stay's admission date. Audited ("resident.correct_referral") by the
    resident's id, with the stay and the number of fields changed; the
    earlier values are kept (record type "referral")."""
    who.require(Permission.EDIT_RESIDENT)
    reason = _check_reason(reason)
    values = {"referred_on": referral.referred_on, "source": referral.source, "agency": referral.agency.strip(),
              "contact": referral.contact.strip(), "identification": referral.identification,
              "identified_by": referral.identified_by.strip(), "identified_on": referral.identified_on}
    with who.store.write() as s:
        stay = s.get(Stay, stay_id)
        if stay is None:
            raise ValidationError(_("This stay is no longer on record."), field="stay")
        # The admission's day in UTC (as the admission checked it) or here, whichever is later.
        admitted_on = max(stay.admitted_at.date(), stay.admitted_at.astimezone().date())
        check_referral(referral, _today(), admitted_on)
        row = s.execute(select(Referral).where(Referral.stay_id == stay.id)).scalar_one_or_none()
        if row is None:  # a stay recorded without one: the correction gives it its referral
            row = Referral(stay_id=stay.id, **values)
            s.add(row)
            s.flush()
            changed = _apply(s, who, stay.resident_id, row, "referral", values, reason,
                             before=dict.fromkeys(values))
        else:
            changed = _apply(s, who, stay.resident_id, row, "referral", values, reason)
        if changed:
            who.audit(s, "resident.correct_referral", "resident", stay.resident_id,
                      detail={"stay": stay.id, "fields": len(changed)})
        return ResidentUpdated(stay.resident_id)


def record_processing_consent(who: SignedIn, resident_id: int, given_on: date | None,
                              reason: str = "") -> ResidentUpdated:
    """The person consents to the processing of their data, on ``given_on``
    (a correction of the date when it was already given). A consent withdrawn
    before is given again. Audited ("resident.consent_processing")."""
    who.require(Permission.EDIT_RESIDENT)
    if given_on is None:
        raise ValidationError(_("Enter the date the consent was given."), field="consent_processing_on")
    if given_on > _today():
        raise ValidationError(_("A consent date is in the future."), field="consent_processing_on")
    reason = _check_reason(reason)
    with who.store.write() as s:
        r = _get_resident(s, resident_id)
        changed = _apply(s, who, r.id, r, "resident", {
            "consent_processing": True, "consent_processing_on": given_on, "consent_processing_withdrawn_on": None,
        }, reason)
        if changed:
            who.audit(s, "resident.consent_processing", "resident", r.id, detail={"fields": len(changed)})
        return ResidentUpdated(r.id)


def withdraw_processing_consent(who: SignedIn, resident_id: int, withdrawn_on: date | None,
                                reason: str = "") -> ResidentUpdated:
    """The person withdraws their consent to the processing of their data,
    on ``withdrawn_on`` (the date the consent had been given is kept).
    Audited ("resident.consent_processing_withdrawn")."""
    who.require(Permission.EDIT_RESIDENT)
    name = "consent_processing_withdrawn_on"
    if withdrawn_on is None:
        raise ValidationError(_("Enter the date the consent was withdrawn."), field=name)
    if withdrawn_on > _today():
        raise ValidationError(_("A consent date is in the future."), field=name)
    reason = _check_reason(reason)
    with who.store.write() as s:
        r = _get_resident(s, resident_id)
        if not r.consent_processing:
            raise ValidationError(_("No consent to the processing of the data is in force."), field=name)
        if r.consent_processing_on is not None and withdrawn_on < r.consent_processing_on:
            raise ValidationError(_("The withdrawal is dated before the consent was given."), field=name)
        changed = _apply(s, who, r.id, r, "resident",
                         {"consent_processing": False, "consent_processing_withdrawn_on": withdrawn_on}, reason)
        who.audit(s, "resident.consent_processing_withdrawn", "resident", r.id, detail={"fields": len(changed)})
        return ResidentUpdated(r.id)


def record_reporting_consent(who: SignedIn, resident_id: int, given_on: date | None,
                             reason: str = "") -> ResidentUpdated:
    """The person agrees, on ``given_on``, to be counted without name in the
    anonymised case-level export (a correction of the date when already
    given). Audited ("resident.consent_reporting")."""
    who.require(Permission.EDIT_RESIDENT)
    if given_on is None:
        raise ValidationError(_("Enter the date the consent was given."), field="consent_reporting_on")
    if given_on > _today():
        raise ValidationError(_("A consent date is in the future."), field="consent_reporting_on")
    reason = _check_reason(reason)
    with who.store.write() as s:
        r = _get_resident(s, resident_id)
        changed = _apply(s, who, r.id, r, "resident", {"consent_reporting": True, "consent_reporting_on": given_on},
                         reason)
        if changed:
            who.audit(s, "resident.consent_reporting", "resident", r.id, detail={"fields": len(changed)})
        return ResidentUpdated(r.id)


def withdraw_reporting_consent(who: SignedIn, resident_id: int, reason: str = "") -> ResidentUpdated:
    """The person no longer agrees to be counted in the anonymised export:
    the next export leaves her or him out (one already written cannot be
    called back). Audited ("resident.consent_reporting_withdrawn")."""
    who.require(Permission.EDIT_RESIDENT)
    reason = _check_reason(reason)
    with who.store.write() as s:
        r = _get_resident(s, resident_id)
        if not r.consent_reporting:
            raise ValidationError(_("No consent to be counted in anonymised figures is in force."),
                                  field="consent_reporting")
        changed = _apply(s, who, r.id, r, "resident", {"consent_reporting": False, "consent_reporting_on": None},
                         reason)
        who.audit(s, "resident.consent_reporting_withdrawn", "resident", r.id, detail={"fields": len(changed)})
        return ResidentUpdated(r.id)


def record_sharing_consent(who: SignedIn, resident_id: int, receiver: str, sections: tuple[str, ...],
                           given_on: date | None = None) -> ResidentUpdated:
    """The person consents to share ``sections`` of the file with
    ``receiver`` (``handover.record_consent``: checked and audited there)."""
    from shelter.services import handover

    handover.record_consent(who, resident_id, receiver, sections, given_on)
    return ResidentUpdated(resident_id)


def withdraw_sharing_consent(who: SignedIn, resident_id: int, receiver: str, withdrawn_on: date | None = None,
                             reason: str = "") -> ResidentUpdated:
    """The person withdraws every consent to share with ``receiver`` in
    force, on ``withdrawn_on`` (today by default): later handovers to that
    partner no longer carry those sections without a written reason.

    Consents recorded since admission are withdrawn by
    ``handover.withdraw_consent`` (audited there), first: should what follows
    fail, the consent is withdrawn all the same. Then, in one transaction,
    each withdrawal is kept as an earlier value (record type
    "sharing_consent", with who, when and ``reason``), and a partner named at
    admission leaves the admission's list (its earlier value kept,
    "resident.consent_withdrawn" audited) and stays on record as a consent to
    every section, given at admission and withdrawn on that date."""
    from shelter.services import handover

    who.require(Permission.EDIT_RESIDENT)
    withdrawn_on = withdrawn_on or date.today()
    if withdrawn_on > _today():
        raise ValidationError(_("A consent date is in the future."), field="withdrawn_on")
    reason = _check_reason(reason)
    key = handover.normalise_receiver(receiver)

    def in_force(s: Session, r: Resident) -> tuple[list[str], list[SharingConsent], date]:
        leaving = [name for name in _split_list(r.consent_sharing, "\n") if handover.normalise_receiver(name) == key]
        recorded = [row for row in s.execute(select(SharingConsent).where(
            SharingConsent.resident_id == r.id, SharingConsent.withdrawn_on.is_(None))).scalars()
            if handover.normalise_receiver(row.receiver) == key]
        first_stay = min((stay.admitted_at for stay in r.stays), default=None)
        at_admission = r.consent_sharing_on or (first_stay.astimezone().date() if first_stay else withdrawn_on)
        return leaving, recorded, at_admission

    with who.store.read() as s:
        leaving, recorded, at_admission = in_force(s, _get_resident(s, resident_id))
        recorded_ids = [row.id for row in recorded]
        if not leaving and not recorded:
            raise ValidationError(_("No consent to share with this partner is in force."), field="receiver")
        given = [row.given_on for row in recorded] + ([at_admission] if leaving else [])
        if withdrawn_on < min(given):
            raise ValidationError(_("The withdrawal is dated before the consent was given."), field="withdrawn_on")
    if recorded_ids:
        handover.withdraw_consent(who, resident_id, receiver, withdrawn_on)
    with who.store.write() as s:
        r = _get_resident(s, resident_id)
        for consent_id in recorded_ids:
            row = s.get(SharingConsent, consent_id)
            if row is not None and row.withdrawn_on is not None:
                _apply(s, who, r.id, row, "sharing_consent", {"withdrawn_on": row.withdrawn_on}, reason,
                       before={"withdrawn_on": None})
        leaving, _recorded, at_admission = in_force(s, r)
        if leaving:
            for name in leaving:
                s.add(SharingConsent(resident_id=r.id, receiver=name, sections=",".join(HANDOVER_SECTION.codes),
                                     given_on=at_admission, withdrawn_on=withdrawn_on))
            _apply(s, who, r.id, r, "resident", {"consent_sharing": "\n".join(
                n for n in _split_list(r.consent_sharing, "\n") if n not in leaving)}, reason)
            who.audit(s, "resident.consent_withdrawn", "resident", r.id, detail={"at_admission": True})
    return ResidentUpdated(resident_id)


# -- earlier values ------------------------------------------------------------------

def field_history(who: SignedIn, record_type: str, record_id: int,
                  fields: Iterable[str] | None = None) -> list[FieldChange]:
    """The earlier values of a record's fields (of ``fields`` only, when
    given), newest change first, each with who changed it, when and why.
    The values are the resident's data: the read is audited
    ("resident.history") by record type and id and the number of changes."""
    who.require(Permission.VIEW_RESIDENT)
    q = (select(RecordChange, StaffAccount.display_name)
         .outerjoin(StaffAccount, StaffAccount.id == RecordChange.changed_by)
         .where(RecordChange.record_type == record_type, RecordChange.record_id == record_id))
    if fields is not None:
        q = q.where(RecordChange.field.in_(list(fields)))
    with who.store.write() as s:
        rows = s.execute(q.order_by(RecordChange.changed_at.desc(), RecordChange.id.desc())).all()
        who.audit(s, "resident.history", record_type, record_id, detail={"results": len(rows)})
        return [FieldChange(c.record_type, c.record_id, c.field, _decode(c.field, c.old_value),
                            _decode(c.field, c.new_value), c.changed_at, name or "", c.reason)
                for c, name in rows]
