"""Handover documents: consent to share with a named receiver, issuing the
document, and later checking that a paper is genuine.

A section of the resident's file (identity, languages, stay, safety) is
printed for a receiver only if the resident consented to share it with that
receiver: named at admission (every section) or recorded since, section by
section. Printing a section without consent needs a written reason; both the
document and the exception are audited.

Every document issued is kept (what it said, canonical JSON, inside the
encrypted store) with a verification code: an HMAC of that content under a
random key that exists only in the store. A paper's reference and code,
typed back in Administration, tell whether the shelter issued it and what it
said.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shelter.documents.handover import (
    FLAG_INSTRUCTIONS,
    Handover,
    IdentityPart,
    LanguagesPart,
    SafetyPart,
    StayPart,
    handover_document,
)
from shelter.domain.vocabulary import HANDOVER_REASON, HANDOVER_SECTION
from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.security.permissions import Permission
from shelter.services.documents import document_language
from shelter.services.verification import canonical as _canonical
from shelter.services.verification import document_key as _document_key
from shelter.services.verification import genuine as is_genuine
from shelter.services.verification import genuine_plan_version, normalise_code, verification_code
from shelter.storage.counters import next_handover_number
from shelter.storage.models import (
    Bed,
    BedAssignment,
    IssuedDocument,
    Resident,
    Room,
    SharingConsent,
    Shelter,
    StaffAccount,
    Stay,
)
from shelter.store import SignedIn

KIND_HANDOVER = "handover"
OVERRIDE_REASON_MIN = 15  # characters: a reason, not "ok"
MAX_DAYS_AHEAD = 31  # a handover may be prepared for a planned date


@dataclass(frozen=True)
class HandoverRequest:
    """What the person printing decides: why, to whom, when, which sections
    (by default every section consented to), what is handed over."""

    resident_id: int
    reason: str
    receiver_organisation: str
    receiver_person: str
    handover_on: date
    shelter_contact: str
    belongings: tuple[tuple[str, bool], ...] = ()
    sections: tuple[str, ...] | None = None  # None: the consented ones
    override_reason: str = ""


@dataclass(frozen=True)
class IssuedHandover:
    reference: str
    verification_code: str
    pdf: bytes
    sections: tuple[str, ...]
    overridden: tuple[str, ...]


@dataclass(frozen=True)
class Verification:
    """The outcome of checking a paper. When ``genuine``, what the shelter
    issued under that reference (no personal data beyond the case number)."""

    genuine: bool
    reference: str
    case_number: str = ""
    reason: str = ""
    receiver: str = ""
    issued_at: datetime | None = None
    issued_by: str = ""
    lang: str = ""
    sections: tuple[str, ...] = ()
    belongings: tuple[tuple[str, bool], ...] = field(default_factory=tuple)
    kind: str = KIND_HANDOVER  # or "care_plan": a version of a care plan agreed with the resident
    version: int = 0  # for a care plan


def normalise_receiver(name: str) -> str:
    """How receivers' names are compared: case, accents, spacing and
    punctuation do not matter ("OIM – Rabat" is "oim rabat")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


def _sections_from(text: str) -> set[str]:
    return {x for x in text.split(",") if x in HANDOVER_SECTION.codes}


def consents_of(s: Session, resident: Resident) -> dict[str, tuple[str, set[str]]]:
    """Receivers with consent, as normalised name -> (name as written,
    sections), as of today."""
    found: dict[str, tuple[str, set[str]]] = {}
    for line in resident.consent_sharing.split("\n"):
        if line.strip():
            found[normalise_receiver(line)] = (line.strip(), set(HANDOVER_SECTION.codes))
    rows = s.execute(select(SharingConsent).where(SharingConsent.resident_id == resident.id,
                                                  SharingConsent.withdrawn_on.is_(None))
                     .order_by(SharingConsent.id)).scalars()
    for row in rows:
        key = normalise_receiver(row.receiver)
        name, sections = found.get(key, (row.receiver, set()))
        found[key] = (name, sections | _sections_from(row.sections))
    return found


def _resident(s: Session, resident_id: int) -> Resident:
    resident = s.get(Resident, resident_id)
    if resident is None:
        raise ValidationError(_("This resident record no longer exists."), field="resident")
    return resident


def resident_by_case(who: SignedIn, case_number: str) -> int:
    """The resident id for a case number (as printed, any case). Audited
    ("resident.lookup"): by the resident's id when found, as "failed"
    without the number typed when not."""
    who.require(Permission.VIEW_RESIDENT)
    with who.store.write() as s:
        found = s.execute(select(Resident.id).where(func.upper(Resident.case_number) == case_number.strip().upper())
                          ).scalar_one_or_none()
        who.audit(s, "resident.lookup", "resident" if found is not None else None, found,
                        outcome="ok" if found is not None else "failed")
    if found is None:
        raise ValidationError(_("No resident has the case number {case}.").format(case=case_number), field="case")
    return found


def receivers(who: SignedIn, resident_id: int) -> list[tuple[str, tuple[str, ...]]]:
    """The receivers this resident consented to share with, and which
    sections, for the handover form. Audited ("resident.receivers") by the
    resident's id and the number of receivers."""
    who.require(Permission.PRINT_HANDOVER)
    with who.store.write() as s:
        consents = consents_of(s, _resident(s, resident_id))
        who.audit(s, "resident.receivers", "resident", resident_id,
                        detail={"results": len(consents)})
    return sorted(((name, tuple(x for x in HANDOVER_SECTION.codes if x in sections))
                   for name, sections in consents.values()), key=lambda item: item[0].casefold())


def consented_sections(who: SignedIn, resident_id: int, receiver: str) -> tuple[str, ...]:
    """The sections the resident consented to share with ``receiver``."""
    who.require(Permission.PRINT_HANDOVER)
    with who.store.read() as s:
        consents = consents_of(s, _resident(s, resident_id))
    sections = consents.get(normalise_receiver(receiver), ("", set()))[1]
    return tuple(x for x in HANDOVER_SECTION.codes if x in sections)


def record_consent(who: SignedIn, resident_id: int, receiver: str, sections: tuple[str, ...],
                   given_on: date | None = None) -> None:
    """Record that the resident consents to share ``sections`` with
    ``receiver`` (given today unless said otherwise; never in the future)."""
    who.require(Permission.EDIT_RESIDENT)
    receiver = " ".join(receiver.split())
    if not normalise_receiver(receiver):
        raise ValidationError(_("Name the receiving organisation."), field="receiver")
    unknown = [x for x in sections if x not in HANDOVER_SECTION.codes]
    if unknown or not sections:
        raise ValidationError(_("Choose at least one section to share."), field="sections")
    today = date.today()
    given_on = given_on or today
    if given_on > today:
        raise ValidationError(_("Consent cannot be dated in the future."), field="given_on")
    with who.store.write() as s:
        resident = _resident(s, resident_id)
        s.add(SharingConsent(resident_id=resident.id, receiver=receiver, sections=",".join(sections),
                             given_on=given_on, recorded_by=who.actor.account_id))
        who.audit(s, "resident.consent_sharing", "resident", resident.id,
                        detail={"sections": ",".join(sections)})


def withdraw_consent(who: SignedIn, resident_id: int, receiver: str, on: date | None = None) -> int:
    """The resident withdraws every recorded consent for ``receiver``;
    returns how many were withdrawn. (A name given at admission is changed
    in the resident's file.)"""
    who.require(Permission.EDIT_RESIDENT)
    key = normalise_receiver(receiver)
    with who.store.write() as s:
        resident = _resident(s, resident_id)
        rows = [row for row in s.execute(select(SharingConsent).where(
            SharingConsent.resident_id == resident.id, SharingConsent.withdrawn_on.is_(None))).scalars()
            if normalise_receiver(row.receiver) == key]
        for row in rows:
            row.withdrawn_on = on or date.today()
        if rows:
            who.audit(s, "resident.consent_withdrawn", "resident", resident.id)
    return len(rows)


def _check_request(req: HandoverRequest, admitted_on: date) -> None:
    if req.reason not in HANDOVER_REASON:
        raise ValidationError(_("Choose the reason for the handover."), field="reason")
    if not normalise_receiver(req.receiver_organisation):
        raise ValidationError(_("Name the receiving organisation."), field="receiver")
    if not req.shelter_contact.strip():
        raise ValidationError(_("Give a contact at the shelter (name and phone)."), field="contact")
    if req.handover_on > date.today() + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(_("The handover date is more than a month ahead."), field="handover_on")
    if req.handover_on < admitted_on:
        raise ValidationError(_("The handover date is before the admission."), field="handover_on")
    if any(not item.strip() for item, _ticked in req.belongings):
        raise ValidationError(_("A line of the belongings list is empty."), field="belongings")


def _latest_stay(s: Session, resident: Resident) -> tuple[Stay, str, str, str]:
    """The resident's current (or last) stay, its shelter's name and city,
    and the current bed ("Room / Bed", "" if discharged)."""
    stay = s.execute(select(Stay).where(Stay.resident_id == resident.id).order_by(Stay.admitted_at.desc())
                     .limit(1)).scalar_one_or_none()
    if stay is None:
        raise ValidationError(_("This resident has no stay at the shelter."), field="resident")
    shelter = s.get(Shelter, stay.shelter_id)
    bed = ""
    if stay.discharged_at is None:
        row = s.execute(select(Room.name, Bed.label).join(Bed, Bed.room_id == Room.id)
                        .join(BedAssignment, BedAssignment.bed_id == Bed.id)
                        .where(BedAssignment.stay_id == stay.id, BedAssignment.ended_at.is_(None))).first()
        if row is not None:
            bed = f"{row[0]} / {row[1]}"
    return stay, shelter.name if shelter else "", shelter.city if shelter else "", bed


def _local_day(at: datetime) -> date:
    return at.astimezone().date()


def issue_handover(who: SignedIn, req: HandoverRequest, lang: str) -> IssuedHandover:
    """Issue a handover document in ``lang`` and return it as PDF bytes,
    with its reference and verification code.

    Raises ValidationError for a missing or impossible field, and when a
    section without consent is asked for without a written reason (of at
    least OVERRIDE_REASON_MIN characters). The document, and any exception
    to consent with its reason, are audited.
    """
    who.require(Permission.PRINT_HANDOVER)
    lang = document_language(lang)
    req = replace(
        req, receiver_organisation=" ".join(req.receiver_organisation.split()),
        receiver_person=" ".join(req.receiver_person.split()), shelter_contact=req.shelter_contact.strip(),
        belongings=tuple((" ".join(item.split()), bool(ticked)) for item, ticked in req.belongings),
        override_reason=req.override_reason.strip())
    printed_at = datetime.now()
    with who.store.write() as s:
        resident = _resident(s, req.resident_id)
        stay, shelter_name, shelter_city, bed = _latest_stay(s, resident)
        _check_request(req, _local_day(stay.admitted_at))
        consented = consents_of(s, resident).get(normalise_receiver(req.receiver_organisation), ("", set()))[1]
        wanted = set(HANDOVER_SECTION.codes if req.sections is None else req.sections)
        if req.sections is None:
            wanted &= consented
        unknown = wanted - set(HANDOVER_SECTION.codes)
        if unknown:
            raise ValidationError(_("Unknown section."), field="sections")
        overridden = tuple(x for x in HANDOVER_SECTION.codes if x in wanted - consented)
        if overridden and len(req.override_reason) < OVERRIDE_REASON_MIN:
            raise ValidationError(
                _("The resident has not consented to share some of these sections with this receiver. "
                  "Write why they must be shared anyway (at least {n} characters), or leave them out.").format(
                    n=OVERRIDE_REASON_MIN), field="override_reason")
        included = tuple(x for x in HANDOVER_SECTION.codes if x in wanted)
        reference = f"{resident.case_number}-H{next_handover_number(s, resident.id)}"
        parts: dict[str, object] = {}
        if "identity" in included:
            parts["identity"] = IdentityPart(resident.name_arabic, resident.name_latin, resident.preferred_name,
                                             resident.sex, resident.birth_date, resident.birth_year_estimated,
                                             resident.nationality)
        if "languages" in included:
            parts["languages"] = LanguagesPart(tuple(x for x in resident.languages.split(",") if x),
                                               resident.interpreter_needed)
        if "stay" in included:
            parts["stay"] = StayPart(shelter_name, _local_day(stay.admitted_at), bed,
                                     _local_day(stay.discharged_at) if stay.discharged_at else None)
        if "safety" in included:
            flags = tuple(flag for flag in FLAG_INSTRUCTIONS if getattr(resident, f"flag_{flag}"))
            parts["safety"] = SafetyPart(flags, resident.risk_level)
        content: dict[str, object] = {
            "kind": KIND_HANDOVER, "reference": reference, "case_number": resident.case_number,
            "reason": req.reason, "receiver_organisation": req.receiver_organisation,
            "receiver_person": req.receiver_person, "handover_on": req.handover_on.isoformat(),
            "shelter": shelter_name, "contact": req.shelter_contact,
            "belongings": [list(item) for item in req.belongings], "lang": lang,
            "sections": {name: asdict(part) for name, part in parts.items()},  # type: ignore[call-overload]
            "printed_by": who.actor.display_name, "printed_at": printed_at.isoformat(timespec="minutes"),
        }
        if overridden:
            content["override"] = {"sections": list(overridden), "reason": req.override_reason}
        code = verification_code(_document_key(s), content)
        s.add(IssuedDocument(reference=reference, kind=KIND_HANDOVER, resident_id=resident.id, reason=req.reason,
                             receiver=req.receiver_organisation, lang=lang, content=_canonical(content).decode(),
                             code=code, issued_at=printed_at.astimezone(), issued_by=who.actor.account_id))
        # The audit log takes codes, never content: the written reason is kept
        # with the issued document, which the entries name by reference.
        detail: dict[str, object] = {"reference": reference, "reason": req.reason, "lang": lang,
                                     "sections": ",".join(included)}
        who.audit(s, "document.handover", "resident", resident.id, detail=detail)
        if overridden:
            who.audit(s, "document.consent_override", "resident", resident.id,
                            detail={"reference": reference, "sections": ",".join(overridden)})
        doc = Handover(
            reference=reference, case_number=resident.case_number, reason=req.reason,
            receiver_organisation=req.receiver_organisation, receiver_person=req.receiver_person,
            handover_on=req.handover_on, shelter_name=shelter_name, shelter_city=shelter_city,
            shelter_contact=req.shelter_contact, belongings=req.belongings, verification_code=code,
            printed_by=who.actor.display_name, printed_at=printed_at,
            withheld=tuple(x for x in HANDOVER_SECTION.codes if x not in included), **parts)  # type: ignore[arg-type]
        # Built inside the transaction: if the PDF cannot be made, no
        # document is recorded as issued.
        pdf = handover_document(doc, lang)
    return IssuedHandover(reference, code, pdf, included, overridden)


def verify_document(who: SignedIn, reference: str, code: str) -> Verification:
    """Whether a paper with this reference and verification code was issued
    by this shelter, and if so, what it carried. Audited either way."""
    who.require(Permission.VERIFY_DOCUMENT)
    reference = "".join(reference.split()).upper()
    typed = normalise_code(code)
    if not reference or not typed:
        raise ValidationError(_("Type the reference and the verification code printed on the paper."),
                              field="reference")
    with who.store.write() as s:
        row = s.execute(select(IssuedDocument).where(func.upper(IssuedDocument.reference) == reference)
                        ).scalar_one_or_none()
        genuine = False
        if row is not None:
            content = json.loads(row.content)
            genuine = is_genuine(s, row.content, row.code, typed)
        if row is None:
            from shelter.services.verification import genuine_reintegration_document

            version = genuine_plan_version(s, reference, typed)
            plan_document = genuine_reintegration_document(s, reference, typed) if version is None else None
            who.audit(s, "document.verify", "document", reference[:48],
                      outcome="ok" if version is not None or plan_document is not None else "denied")
            if plan_document is not None:
                # A reintegration plan: ``reason`` carries its audience ("resident" or
                # "partner"), ``receiver`` the partner's name ("" for the resident's copy).
                content = json.loads(plan_document.content)
                issuer = s.get(StaffAccount, plan_document.issued_by) if plan_document.issued_by else None
                return Verification(True, plan_document.reference, content["case_number"], content["audience"],
                                    content["partner"], plan_document.issued_at,
                                    issuer.display_name if issuer else "", plan_document.lang,
                                    tuple(content["sections"]), kind=content["kind"])
            if version is None:
                return Verification(False, reference)
            content = json.loads(version.content)
            agreer = s.get(StaffAccount, version.agreed_by) if version.agreed_by else None
            return Verification(True, version.reference, content["case_number"], issued_at=version.agreed_at,
                                issued_by=agreer.display_name if agreer else "", lang=version.lang,
                                kind=content["kind"], version=version.number)
        who.audit(s, "document.verify", "document", reference[:48],
                        outcome="ok" if genuine else "denied")
        if not genuine:
            return Verification(False, reference)
        issuer = s.get(StaffAccount, row.issued_by) if row.issued_by else None
        return Verification(
            True, row.reference, content["case_number"], row.reason, row.receiver, row.issued_at,
            issuer.display_name if issuer else "", row.lang, tuple(content["sections"]),
            tuple((item, bool(ticked)) for item, ticked in content["belongings"]))

