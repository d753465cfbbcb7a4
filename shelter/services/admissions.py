"""Admitting a person referred to the shelter: the beds that may take her,
the check for people already on record who may be her, and the admission
itself (a new resident, or a readmission that keeps one history).

The duplicate check is audited by its number of results, never by what was
typed; the admission by record id. ``admit`` returns ``Admitted``, the change
it made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shelter import names
from shelter.domain.changes import Admitted
from shelter.domain.dates import in_future, now_utc
from shelter.domain.people import (
    Identity,
    Protection,
    ReferralInfo,
    check_identity,
    check_protection,
    check_referral,
    is_minor,
    written_names,
)
from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.security.permissions import Permission
from shelter.services.beds import (
    BedChoice,
    bed_for,
    changed_elsewhere,
    check_bed_free,
    free_beds_for,
    parent_room,
)
from shelter.services.residents import identity_columns, index_names
from shelter.storage.models import BedAssignment, Referral, Resident, ResidentNameKey, Shelter, Stay
from shelter.store import SignedIn

DUPLICATE_THRESHOLD = 0.6
CANDIDATE_POOL = 60  # people scored by the duplicate check, those sharing most name keys


@dataclass(frozen=True)
class Admission:
    identity: Identity
    referral: ReferralInfo
    protection: Protection
    bed_id: int
    admitted_at: datetime | None = None
    readmit_resident_id: int | None = None  # the duplicate check found this person
    parent_id: int | None = None  # an accompanying child's parent


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
    sex: str = ""


# -- the beds that fit --------------------------------------------------------------

def compatible_beds(who: SignedIn, identity: Identity, parent_id: int | None = None,
                    shelter_id: int | None = None, at: datetime | None = None) -> list[BedChoice]:
    """Beds the person may be given now: in service, free, not held by a
    reservation, and allowed by the room's and shelter's restrictions."""
    who.require(Permission.ADMIT)
    now = now_utc(at)
    with who.store.read() as s:
        return free_beds_for(s, identity.sex, is_minor(identity, now.date()), parent_room(s, parent_id), now, shelter_id)


# -- people already on record -----------------------------------------------------------

def duplicate_candidates(who: SignedIn, identity: Identity, limit: int = 8) -> list[Candidate]:
    """People already on record who may be this person: names compared across
    case, accents, Arabic diacritics and letter variants and across scripts
    (shelter.names), then date of birth and nationality. Best first."""
    who.require(Permission.ADMIT)
    keys = names.name_keys(*written_names(identity))
    if not keys:
        return []  # nothing typed yet: nothing read
    with who.store.write() as s:
        out = _duplicates(s, identity, keys)
        out.sort(key=lambda c: -c.score)
        out = out[:limit]
        who.audit(s, "resident.duplicate_check", detail={"results": len(out)})
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
                        for mine in written_names(identity) for theirs in written_names(r))
            if identity.birth_date and r.birth_date:
                score += 0.15 if identity.birth_date == r.birth_date else -0.15
            elif identity.birth_year_estimated and r.birth_year_estimated:
                score += 0.05 if abs(identity.birth_year_estimated - r.birth_year_estimated) <= 2 else -0.1
            if identity.nationality and r.nationality:
                score += 0.05 if identity.nationality == r.nationality else -0.1
            if score >= DUPLICATE_THRESHOLD:
                out.append(Candidate(r.id, r.case_number, r.name_arabic, r.name_latin, r.birth_date,
                                     r.birth_year_estimated, r.nationality, round(min(score, 1.0), 3),
                                     r.id in open_ids, r.sex))
    return out


# -- admission --------------------------------------------------------------------------------

def _case_number(s: Session, shelter: Shelter, year: int) -> str:
    # From the shelter's counter for the year, in this transaction (safe with
    # several writers, unlike a max + 1 over the residents).
    from shelter.storage.counters import next_case_number

    return f"{shelter.code}-{year}-{next_case_number(s, shelter.id, year):04d}"


def apply_identity(resident: Resident, identity: Identity, p: Protection) -> None:
    """Write the form's identity and protection onto the resident's record."""
    for column, value in identity_columns(identity).items():  # as a correction writes them
        setattr(resident, column, value)
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
    resident.consent_reporting = p.consent_reporting
    resident.consent_reporting_on = p.consent_reporting_on if p.consent_reporting else None


def admit(who: SignedIn, admission: Admission) -> Admitted:
    """Admit a person referred to the shelter: a new resident (or, after the
    duplicate check, a readmission of one on record), a stay, the referral,
    and the bed. Only a compatible, free, in-service bed is accepted."""
    who.require(Permission.ADMIT)
    now = now_utc(admission.admitted_at)
    if in_future(now):
        raise ValidationError(_("The admission time is in the future."), field="admitted_at")
    today = now.date()
    check_identity(admission.identity, today)
    check_referral(admission.referral, now_utc().date(), today)
    check_protection(admission.protection, now_utc().date())  # consent may be given after admission
    # Consent is recorded when the person is ready to give it, not as a
    # condition of being taken in at night: an admission without it is
    # allowed, and the file shows that it is still to be asked.
    try:
        with who.store.write() as s:
            bed, room, shelter = bed_for(s, admission.bed_id)
            minor = is_minor(admission.identity, today)
            reservation = check_bed_free(s, bed, room, shelter, admission.identity.sex, minor,
                                         parent_room(s, admission.parent_id), now)
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
            apply_identity(resident, admission.identity, admission.protection)
            resident.parent_id = admission.parent_id
            s.add(resident)
            s.flush()
            index_names(s, resident)
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
            who.audit(s, action, "resident", resident.id, detail={"stay": stay.id, "bed": bed.id})
            return Admitted(resident.id, stay.id, resident.case_number, bed.id,
                            readmission=admission.readmit_resident_id is not None)
    except IntegrityError as exc:
        raise changed_elsewhere(exc) from exc
