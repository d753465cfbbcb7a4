"""The partner directory and referrals out to partners.

A partner is an organisation the shelter works with: health, legal aid, IOM,
an NGO, employment, education, a consulate. A referral sends a resident to a
partner for a service. It needs the resident's consent to share with that
partner (the consents of her file, as for a handover document, matched by
the partner's name); without it the referral is refused, unless a written
reason of at least ``OVERRIDE_REASON_MIN`` characters is given, which is kept
with the referral and audited. The partner's answer (accepted, refused,
completed) is recorded with its date; a referral still waiting for an answer,
or accepted and not completed, on its follow-up date is overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shelter.domain.changes import CaseWorkChanged
from shelter.domain.dates import now_utc
from shelter.domain.vocabulary import PARTNER_KIND, REFERRAL_STATUS
from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.security.permissions import Permission
from shelter.services.cases import refuse_if_closed, require_stay, take_case_if_unheld
from shelter.services.handover import OVERRIDE_REASON_MIN, consents_of, normalise_receiver
from shelter.storage.models import Partner, PartnerReferral, Resident
from shelter.store import SignedIn

SERVICE_MAX = 500
NOTE_MAX = 2000


@dataclass(frozen=True)
class PartnerView:
    partner_id: int
    name: str
    kind: str  # vocabulary.PARTNER_KIND code
    city: str
    contact: str
    active: bool


def _view(row: Partner) -> PartnerView:
    return PartnerView(row.id, row.name, row.kind, row.city, row.contact, row.active)


def _clean(name: str, kind: str, city: str, contact: str) -> tuple[str, str, str]:
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Write the organisation's name."), field="name")
    if len(name) > 200:
        raise ValidationError(_("The name is too long (at most 200 characters)."), field="name")
    if kind not in PARTNER_KIND:
        raise ValidationError(_("Choose the kind of partner."), field="kind")
    city = " ".join(city.split())
    if len(city) > 120:
        raise ValidationError(_("The city is too long (at most 120 characters)."), field="city")
    if len(contact) > NOTE_MAX:
        raise ValidationError(_("The contact is too long (at most {n} characters).").format(n=NOTE_MAX),
                              field="contact")
    return name, city, contact.strip()


def _same_name(s: Session, name: str, except_id: int | None = None) -> bool:
    wanted = normalise_receiver(name)
    return any(normalise_receiver(other) == wanted
               for pid, other in s.execute(select(Partner.id, Partner.name)).all() if pid != except_id)


def partners(who: SignedIn, include_retired: bool = False) -> list[PartnerView]:
    """The directory, by name; retired partners only when asked for."""
    if not who.actor.has(Permission.MANAGE_PARTNERS):
        who.require(Permission.VIEW_REINTEGRATION)
    with who.store.read() as s:
        q = select(Partner).order_by(func.lower(Partner.name))
        if not include_retired:
            q = q.where(Partner.active.is_(True))
        return [_view(row) for row in s.execute(q).scalars()]


def add_partner(who: SignedIn, name: str, kind: str, city: str = "", contact: str = "") -> PartnerView:
    who.require(Permission.MANAGE_PARTNERS)
    name, city, contact = _clean(name, kind, city, contact)
    with who.store.write() as s:
        if _same_name(s, name):
            raise ValidationError(_("A partner with this name is already in the directory."), field="name")
        row = Partner(name=name, kind=kind, city=city, contact=contact, active=True, created_at=now_utc(),
                      created_by=who.actor.account_id)
        s.add(row)
        s.flush()
        who.audit(s, "partner.add", "partner", row.id, detail={"kind": kind})
        return _view(row)


def update_partner(who: SignedIn, partner_id: int, name: str, kind: str, city: str = "", contact: str = "",
                   active: bool = True) -> PartnerView:
    """Edit a partner, or retire it (``active`` false): a retired partner
    keeps its referrals and is offered for no new one."""
    who.require(Permission.MANAGE_PARTNERS)
    name, city, contact = _clean(name, kind, city, contact)
    with who.store.write() as s:
        row = s.get(Partner, partner_id)
        if row is None:
            raise ValidationError(_("This partner is no longer in the directory."), field="partner")
        if _same_name(s, name, except_id=partner_id):
            raise ValidationError(_("A partner with this name is already in the directory."), field="name")
        row.name, row.kind, row.city, row.contact, row.active = name, kind, city, contact, active
        s.flush()
        who.audit(s, "partner.update", "partner", row.id, detail={"active": active})
        return _view(row)


def has_consent(s: Session, resident: Resident, partner: Partner) -> bool:
    """Whether the resident consented (and has not withdrawn it) to share
    with this partner, under its name as the directory spells it."""
    return normalise_receiver(partner.name) in consents_of(s, resident)


def consent_to_share(who: SignedIn, resident_id: int, partner_id: int) -> bool:
    """For the referral form: whether a reason will be needed."""
    who.require(Permission.VIEW_REINTEGRATION)
    with who.store.read() as s:
        resident, partner = s.get(Resident, resident_id), s.get(Partner, partner_id)
        return resident is not None and partner is not None and has_consent(s, resident, partner)


def refer(who: SignedIn, resident_id: int, partner_id: int, service: str, referred_on: date | None = None,
          follow_up_on: date | None = None, consent_override: str = "") -> CaseWorkChanged:
    """Refer the resident to a partner for ``service``. Without her consent
    to share with that partner, refused unless ``consent_override`` says why
    (at least ``OVERRIDE_REASON_MIN`` characters); the reason is kept with
    the referral and the exception audited."""
    who.require(Permission.WRITE_REINTEGRATION)
    service = service.strip()
    if not service:
        raise ValidationError(_("Write the service asked for."), field="service")
    if len(service) > SERVICE_MAX:
        raise ValidationError(_("The service is too long (at most {n} characters).").format(n=SERVICE_MAX),
                              field="service")
    today = date.today()
    referred_on = referred_on or today
    if referred_on > today:
        raise ValidationError(_("The referral date is in the future."), field="referred_on")
    if follow_up_on is not None and follow_up_on < referred_on:
        raise ValidationError(_("The follow-up date is before the referral."), field="follow_up_on")
    consent_override = consent_override.strip()
    with who.store.write() as s:
        stay = require_stay(s, resident_id)
        refuse_if_closed(s, resident_id)
        resident, partner = s.get(Resident, resident_id), s.get(Partner, partner_id)
        if partner is None or not partner.active:
            raise ValidationError(_("Choose a partner from the directory."), field="partner")
        consented = has_consent(s, resident, partner)
        if not consented and len(consent_override) < OVERRIDE_REASON_MIN:
            raise ValidationError(
                _("The resident has not consented to share her or his information with {partner}. Record the "
                  "consent in the file first, or write why the referral must be made anyway (at least {n} "
                  "characters).").format(partner=partner.name, n=OVERRIDE_REASON_MIN), field="consent_override")
        row = PartnerReferral(resident_id=resident_id, stay_id=stay.id, partner_id=partner.id, service=service,
                              referred_on=referred_on, follow_up_on=follow_up_on, status="sent",
                              consent_override="" if consented else consent_override, created_at=now_utc(),
                              created_by=who.actor.account_id)
        s.add(row)
        s.flush()
        take_case_if_unheld(s, who, stay.id)
        who.audit(s, "referral.make", "resident", resident_id,
                  detail={"referral": row.id, "partner": partner.id, "consent": consented})
        if not consented:
            who.audit(s, "referral.consent_override", "resident", resident_id,
                      detail={"referral": row.id, "partner": partner.id})
        return CaseWorkChanged(resident_id, "partner_referral", row.id)


def record_answer(who: SignedIn, referral_id: int, status: str, on: date | None = None, note: str = "",
                  follow_up_on: date | None = None) -> CaseWorkChanged:
    """Record the partner's answer: ``status`` is accepted, refused or
    completed (``vocabulary.REFERRAL_STATUS``), on ``on``; ``follow_up_on``
    is when to look at it again (None: no further follow-up)."""
    who.require(Permission.WRITE_REINTEGRATION)
    if status not in REFERRAL_STATUS or status == "sent":
        raise ValidationError(_("Choose the partner's answer."), field="status")
    today = date.today()
    on = on or today
    if on > today:
        raise ValidationError(_("The date of the answer is in the future."), field="on")
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(_("The note is too long (at most {n} characters).").format(n=NOTE_MAX), field="note")
    with who.store.write() as s:
        row = s.get(PartnerReferral, referral_id)
        if row is None:
            raise ValidationError(_("This referral no longer exists."), field="referral")
        refuse_if_closed(s, row.resident_id)
        if on < row.referred_on:
            raise ValidationError(_("The answer is dated before the referral."), field="on")
        if row.status in ("refused", "completed"):
            raise ValidationError(_("This referral is closed: it was refused or completed."), field="status")
        if follow_up_on is not None and follow_up_on < on:
            raise ValidationError(_("The follow-up date is before the answer."), field="follow_up_on")
        if status == "completed" and row.accepted_on is None:
            row.accepted_on = on  # completed without a separate acceptance: accepted that day
        if status == "accepted":
            row.accepted_on = on
        elif status == "refused":
            row.refused_on = on
        elif status == "completed":
            row.completed_on = on
        row.status = status
        row.follow_up_on = follow_up_on if status == "accepted" else None
        if note:
            row.answer_note = (row.answer_note + "\n" + note).strip()
        s.flush()
        who.audit(s, "referral.answer", "resident", row.resident_id, detail={"referral": row.id, "status": status})
        return CaseWorkChanged(row.resident_id, "partner_referral", row.id)


def set_follow_up(who: SignedIn, referral_id: int, follow_up_on: date | None) -> CaseWorkChanged:
    """Move (or clear) the date on which an open referral is followed up."""
    who.require(Permission.WRITE_REINTEGRATION)
    with who.store.write() as s:
        row = s.get(PartnerReferral, referral_id)
        if row is None:
            raise ValidationError(_("This referral no longer exists."), field="referral")
        refuse_if_closed(s, row.resident_id)
        if row.status not in ("sent", "accepted"):
            raise ValidationError(_("This referral is closed: it was refused or completed."), field="follow_up_on")
        if follow_up_on is not None and follow_up_on < row.referred_on:
            raise ValidationError(_("The follow-up date is before the referral."), field="follow_up_on")
        row.follow_up_on = follow_up_on
        s.flush()
        who.audit(s, "referral.follow_up", "resident", row.resident_id, detail={"referral": row.id})
        return CaseWorkChanged(row.resident_id, "partner_referral", row.id)
