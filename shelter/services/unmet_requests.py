"""Referrals the shelter could not take in: the reports count them as unmet
requests, each time one is made (US victim-services reporting counts a
request unmet for lack of a bed every time, even for the same person).

No more personal data than the count needs: no name, no date of birth, no
nationality, no contact. The sex and age band are of the bed that would
have been needed (they say whether a bed that fits was missing), the
accompanying children how many more people were turned away.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelter.domain.dates import now_utc
from shelter.domain.report_model import Period
from shelter.domain.vocabulary import AGE_BAND, REFERRAL_SOURCE, SEX, UNMET_REASON
from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.security.permissions import Permission
from shelter.storage.models import Shelter, StaffAccount, UnmetRequest
from shelter.store import SignedIn

AGENCY_MAX = 200
TEXT_MAX = 500


@dataclass(frozen=True)
class UnmetRequestInput:
    shelter_id: int | None
    requested_on: date | None
    source: str | None
    reason: str | None
    agency: str = ""
    reason_text: str = ""
    sex: str | None = None
    age_band: str | None = None
    children: int = 0


@dataclass(frozen=True)
class UnmetRequestView:
    id: int
    shelter_id: int
    shelter: str
    requested_on: date
    source: str
    agency: str
    reason: str
    reason_text: str
    sex: str | None
    age_band: str | None
    children: int
    recorded_by: str
    withdrawn: bool


def _today() -> date:
    return date.today()


def check_request(s: Session, p: UnmetRequestInput, today: date) -> None:
    if p.requested_on is None:
        raise ValidationError(_("Enter the date of the referral."), field="requested_on")
    if p.requested_on > today:
        raise ValidationError(_("The date is in the future."), field="requested_on")
    if p.shelter_id is None or s.get(Shelter, p.shelter_id) is None:
        raise ValidationError(_("Choose the shelter that was asked."), field="shelter_id")
    if p.source not in REFERRAL_SOURCE:
        raise ValidationError(_("Choose who referred the person."), field="source")
    if p.reason not in UNMET_REASON:
        raise ValidationError(_("Choose why the person could not be taken in."), field="reason")
    if p.reason == "other" and not p.reason_text.strip():
        raise ValidationError(_("Say what the reason was."), field="reason_text")
    if len(p.reason_text) > TEXT_MAX:
        raise ValidationError(_("Keep this under {n} characters.").format(n=TEXT_MAX), field="reason_text")
    if len(p.agency) > AGENCY_MAX:
        raise ValidationError(_("Keep this under {n} characters.").format(n=AGENCY_MAX), field="agency")
    if p.sex is not None and p.sex not in SEX:
        raise ValidationError(_("Unknown sex."), field="sex")
    if p.age_band is not None and p.age_band not in AGE_BAND:
        raise ValidationError(_("Unknown age band."), field="age_band")
    if not isinstance(p.children, int) or not 0 <= p.children <= 20:
        raise ValidationError(_("Give between 0 and 20 children."), field="children")


def _view(row: UnmetRequest, shelter: str, recorder: str | None) -> UnmetRequestView:
    return UnmetRequestView(row.id, row.shelter_id, shelter, row.requested_on, row.source, row.agency, row.reason,
                            row.reason_text, row.sex, row.age_band, row.children, recorder or "",
                            row.withdrawn_at is not None)


def record_unmet_request(who: SignedIn, p: UnmetRequestInput) -> UnmetRequestView:
    """Record a referral that could not be taken in. Audited ("unmet_request.record")."""
    who.require(Permission.RECORD_UNMET_REQUEST)
    with who.store.write() as s:
        check_request(s, p, _today())
        row = UnmetRequest(shelter_id=p.shelter_id, requested_on=p.requested_on, source=p.source,
                           agency=p.agency.strip(), reason=p.reason, reason_text=p.reason_text.strip(), sex=p.sex,
                           age_band=p.age_band, children=p.children, recorded_at=now_utc(),
                           recorded_by=who.actor.account_id)
        s.add(row)
        s.flush()
        who.audit(s, "unmet_request.record", "unmet_request", row.id)
        shelter = s.get(Shelter, row.shelter_id)
        return _view(row, shelter.name if shelter else "", who.actor.display_name)


def withdraw_unmet_request(who: SignedIn, request_id: int, reason: str) -> UnmetRequestView:
    """Take back a request recorded by mistake (a duplicate, the wrong
    shelter): kept, no longer counted. Audited ("unmet_request.withdraw")."""
    who.require(Permission.RECORD_UNMET_REQUEST)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why it is withdrawn."), field="withdraw_reason")
    if len(reason) > TEXT_MAX:
        raise ValidationError(_("Keep this under {n} characters.").format(n=TEXT_MAX), field="withdraw_reason")
    with who.store.write() as s:
        row = s.get(UnmetRequest, request_id)
        if row is None:
            raise ValidationError(_("This record no longer exists."), field="unmet_request")
        if row.withdrawn_at is not None:
            raise ValidationError(_("It was already withdrawn."), field="unmet_request")
        row.withdrawn_at, row.withdrawn_by, row.withdraw_reason = now_utc(), who.actor.account_id, reason
        who.audit(s, "unmet_request.withdraw", "unmet_request", row.id)
        shelter = s.get(Shelter, row.shelter_id)
        recorder = s.get(StaffAccount, row.recorded_by) if row.recorded_by else None
        return _view(row, shelter.name if shelter else "", recorder.display_name if recorder else "")


def unmet_requests(who: SignedIn, shelter_id: int | None = None, period: Period | None = None,
                   include_withdrawn: bool = False) -> list[UnmetRequestView]:
    """The requests recorded, newest first, for one shelter or all, in a
    period or ever. Names nobody: not audited."""
    who.require(Permission.RECORD_UNMET_REQUEST)
    q = (select(UnmetRequest, Shelter.name, StaffAccount.display_name)
         .join(Shelter, Shelter.id == UnmetRequest.shelter_id)
         .outerjoin(StaffAccount, StaffAccount.id == UnmetRequest.recorded_by)
         .order_by(UnmetRequest.requested_on.desc(), UnmetRequest.id.desc()))
    if shelter_id is not None:
        q = q.where(UnmetRequest.shelter_id == shelter_id)
    if period is not None:
        q = q.where(UnmetRequest.requested_on.between(period.start, period.end))
    if not include_withdrawn:
        q = q.where(UnmetRequest.withdrawn_at.is_(None))
    with who.store.read() as s:
        return [_view(row, shelter, recorder) for row, shelter, recorder in s.execute(q).all()]
