"""The case as a whole: which stay the case work belongs to, the social
worker who holds it, the stage it is in (computed from the records, never
typed), and closing and reopening it.

A case is a resident's: her case number names it across stays. Its stage
follows from what is recorded: a stay open or not, an assessment in the
latest stay, an agreed version of that stay's plan, a closure in force.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from shelter.domain.care import CaseFacts, case_stage
from shelter.domain.changes import CaseWorkChanged
from shelter.domain.dates import now_utc
from shelter.domain.reintegration import Contact, Round, case_status, follow_up_rounds, lost_contact_on
from shelter.domain.vocabulary import CLOSURE_REASON
from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.security.permissions import Permission, Role
from shelter.services.settings import load_settings
from shelter.storage.models import (
    Assessment,
    CarePlan,
    CaseAssignment,
    CaseClosure,
    FollowUpContact,
    PlanVersion,
    ReintegrationPlan,
    Resident,
    StaffAccount,
    StaffRole,
    Stay,
)
from shelter.store import SignedIn

REASON_MIN = 10  # characters, for "other" and for reopening: a reason, not "ok"


@dataclass(frozen=True)
class Closure:
    closed_on: date
    reason: str
    reason_text: str
    closed_by: str
    reopened_at: datetime | None
    reopened_by: str
    reopen_reason: str


@dataclass(frozen=True)
class CaseSummary:
    resident_id: int
    case_number: str
    sex: str
    stage: str  # vocabulary.CASE_STAGE code
    stay_id: int | None  # the latest stay, which the case work belongs to
    in_residence: bool
    case_worker_id: int | None
    case_worker: str
    closures: tuple[Closure, ...]  # newest first

    @property
    def closed(self) -> bool:
        return bool(self.closures) and self.closures[0].reopened_at is None

    @property
    def status(self) -> str:
        """The ``vocabulary.CASE_STATUS`` code, as HTCDS names the case's status."""
        return case_status(self.stage, self.closures[0].reason if self.closed else None)


@dataclass(frozen=True)
class StaffChoice:
    account_id: int
    name: str


def latest_stay(s: Session, resident_id: int) -> Stay | None:
    """The stay the case work belongs to: the open one, else the last."""
    return s.execute(select(Stay).where(Stay.resident_id == resident_id)
                     .order_by(Stay.discharged_at.is_not(None), Stay.admitted_at.desc()).limit(1)
                     ).scalar_one_or_none()


def require_stay(s: Session, resident_id: int) -> Stay:
    if s.get(Resident, resident_id) is None:
        raise ValidationError(_("This resident record no longer exists."), field="resident")
    stay = latest_stay(s, resident_id)
    if stay is None:
        raise ValidationError(_("This resident has no stay at the shelter."), field="resident")
    return stay


def closure_in_force(s: Session, resident_id: int) -> CaseClosure | None:
    return s.execute(select(CaseClosure).where(CaseClosure.resident_id == resident_id,
                                               CaseClosure.reopened_at.is_(None))).scalar_one_or_none()


def refuse_if_closed(s: Session, resident_id: int) -> None:
    if closure_in_force(s, resident_id) is not None:
        raise ValidationError(_("This case is closed. Reopen it to write in it."), field="case")


def case_worker_of(s: Session, stay_id: int) -> CaseAssignment | None:
    return s.execute(select(CaseAssignment).where(CaseAssignment.stay_id == stay_id,
                                                  CaseAssignment.ended_at.is_(None))).scalar_one_or_none()


def take_case_if_unheld(s: Session, who: SignedIn, stay_id: int) -> None:
    """The first social worker to write in a case nobody holds takes it, so
    that what falls due reaches someone."""
    if Role.SOCIAL_WORKER in who.actor.roles and case_worker_of(s, stay_id) is None:
        s.add(CaseAssignment(stay_id=stay_id, staff_id=who.actor.account_id, started_at=now_utc(),
                             assigned_by=who.actor.account_id))
        s.flush()
        who.audit(s, "case.assign", "stay", stay_id, detail={"staff": who.actor.account_id})


def staff_names(s: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Staff accounts' names by id, for the ids given (None skipped), in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(s.execute(select(StaffAccount.id, StaffAccount.display_name).where(StaffAccount.id.in_(wanted))).all())


def follow_up_state_in(s: Session, stay: Stay, months: tuple[int, ...], attempts: int
                       ) -> tuple[list[Round], date | None]:
    """A stay's follow-up rounds after discharge, and the day contact was
    lost (None while it holds)."""
    contacts = [Contact(on, round_months, reached) for on, round_months, reached in s.execute(
        select(FollowUpContact.contacted_on, FollowUpContact.round_months, FollowUpContact.reached)
        .where(FollowUpContact.stay_id == stay.id))]
    discharged = stay.discharged_at.astimezone().date() if stay.discharged_at else None
    return follow_up_rounds(discharged, months, contacts, attempts), lost_contact_on(contacts, attempts)


def follow_up_open(s: Session, stay: Stay) -> bool:
    """Whether a discharged stay still has follow-ups to do: one not done
    (contact lost included: the case stays in follow-up, and visible, until
    it is closed)."""
    settings = load_settings(s)
    rounds, _lost = follow_up_state_in(s, stay, settings.follow_up_months, settings.lost_contact_attempts)
    return any(r.state != "done" for r in rounds)


def summary_in(s: Session, resident_id: int) -> CaseSummary:
    resident = s.get(Resident, resident_id)
    if resident is None:
        raise ValidationError(_("This resident record no longer exists."), field="resident")
    stay = latest_stay(s, resident_id)
    rows = s.execute(select(CaseClosure).where(CaseClosure.resident_id == resident_id)
                     .order_by(CaseClosure.closed_at.desc(), CaseClosure.id.desc())).scalars().all()
    assignment = case_worker_of(s, stay.id) if stay is not None else None
    names = staff_names(s, {r.closed_by for r in rows} | {r.reopened_by for r in rows}
                   | {assignment.staff_id if assignment else None})
    closures = tuple(Closure(r.closed_on, r.reason, r.reason_text, names.get(r.closed_by or 0, ""), r.reopened_at,
                             names.get(r.reopened_by or 0, ""), r.reopen_reason) for r in rows)
    assessed = agreed = planned = follow_up = False
    if stay is not None:
        assessed = s.execute(select(exists().where(Assessment.stay_id == stay.id))).scalar()
        agreed = s.execute(select(exists().where(PlanVersion.plan_id == CarePlan.id, CarePlan.stay_id == stay.id))
                           ).scalar()
        planned = bool(s.execute(select(exists().where(ReintegrationPlan.stay_id == stay.id))).scalar())
        if planned and stay.discharged_at is not None:
            follow_up = follow_up_open(s, stay)
    facts = CaseFacts(has_stay=stay is not None, in_residence=stay is not None and stay.discharged_at is None,
                      assessed=bool(assessed), plan_agreed=bool(agreed), reintegration_planned=planned,
                      follow_up_open=follow_up, closed=bool(closures) and closures[0].reopened_at is None)
    return CaseSummary(resident_id, resident.case_number, resident.sex, case_stage(facts),
                       stay.id if stay else None, facts.in_residence,
                       assignment.staff_id if assignment else None,
                       names.get(assignment.staff_id, "") if assignment else "", closures)


def case_summary(who: SignedIn, resident_id: int) -> CaseSummary:
    """The case's stage, the social worker holding it and its closures.
    Audited ("case.view")."""
    who.require(Permission.VIEW_RESIDENT)
    with who.store.write() as s:
        summary = summary_in(s, resident_id)
        who.audit(s, "case.view", "resident", resident_id)
        return summary


def social_workers(who: SignedIn) -> list[StaffChoice]:
    """The active accounts that may hold a case, by name."""
    who.require(Permission.VIEW_RESIDENT)
    with who.store.read() as s:
        rows = s.execute(select(StaffAccount.id, StaffAccount.display_name)
                         .join(StaffRole, StaffRole.account_id == StaffAccount.id)
                         .where(StaffRole.role == Role.SOCIAL_WORKER.value, StaffAccount.active.is_(True))
                         .order_by(StaffAccount.display_name)).all()
        return [StaffChoice(i, name) for i, name in rows]


def staff_choices(who: SignedIn) -> list[StaffChoice]:
    """The active accounts an action can be given to, by name."""
    who.require(Permission.VIEW_CARE_PLAN)
    with who.store.read() as s:
        rows = s.execute(select(StaffAccount.id, StaffAccount.display_name)
                         .where(StaffAccount.active.is_(True))
                         .order_by(StaffAccount.display_name)).all()
        return [StaffChoice(i, name) for i, name in rows]


def assign_case_worker(who: SignedIn, resident_id: int, staff_id: int) -> CaseWorkChanged:
    """Give the case (its latest stay) to the social worker ``staff_id``."""
    if not (who.actor.has(Permission.WRITE_CARE_PLAN) or who.actor.has(Permission.APPROVE_CARE_PLAN)):
        who.require(Permission.WRITE_CARE_PLAN)
    with who.store.write() as s:
        stay = require_stay(s, resident_id)
        refuse_if_closed(s, resident_id)
        worker = s.get(StaffAccount, staff_id)
        roles = {r.role for r in worker.roles} if worker is not None else set()
        if worker is None or not worker.active or Role.SOCIAL_WORKER.value not in roles:
            raise ValidationError(_("Choose an active social worker."), field="case_worker")
        now = now_utc()
        current = case_worker_of(s, stay.id)
        if current is not None:
            if current.staff_id == staff_id:
                return CaseWorkChanged(resident_id, "case_assignment", current.id)
            current.ended_at = now
            s.flush()
        row = CaseAssignment(stay_id=stay.id, staff_id=staff_id, started_at=now, assigned_by=who.actor.account_id)
        s.add(row)
        s.flush()
        who.audit(s, "case.assign", "stay", stay.id, detail={"staff": staff_id})
        return CaseWorkChanged(resident_id, "case_assignment", row.id)


def close_case(who: SignedIn, resident_id: int, reason: str, reason_text: str = "",
               closed_on: date | None = None) -> CaseWorkChanged:
    """Close the case with a ``vocabulary.CLOSURE_REASON`` ("other" needs a
    written reason). Refused while the person is in residence: discharge
    comes first."""
    who.require(Permission.CLOSE_CASE)
    if reason not in CLOSURE_REASON:
        raise ValidationError(_("Choose why the case is closed."), field="reason")
    reason_text = reason_text.strip()
    if reason == "other" and len(reason_text) < REASON_MIN:
        raise ValidationError(_("Write why the case is closed (at least {n} characters).").format(n=REASON_MIN),
                              field="reason_text")
    closed_on = closed_on or date.today()
    if closed_on > date.today():
        raise ValidationError(_("The closing date is in the future."), field="closed_on")
    with who.store.write() as s:
        stay = require_stay(s, resident_id)
        if stay.discharged_at is None:
            raise ValidationError(_("The person is still in residence. Discharge her or him before closing "
                                    "the case."), field="reason")
        if closed_on < stay.discharged_at.astimezone().date():
            raise ValidationError(_("The closing date is before the discharge."), field="closed_on")
        if closure_in_force(s, resident_id) is not None:
            raise ValidationError(_("This case is already closed."), field="reason")
        row = CaseClosure(resident_id=resident_id, closed_on=closed_on, reason=reason, reason_text=reason_text,
                          closed_at=now_utc(), closed_by=who.actor.account_id)
        s.add(row)
        s.flush()
        who.audit(s, "case.close", "resident", resident_id, detail={"reason": reason})
        return CaseWorkChanged(resident_id, "case_closure", row.id)


def reopen_case(who: SignedIn, resident_id: int, reason: str) -> CaseWorkChanged:
    """Reopen a closed case, with a written reason; the closure stays in the history."""
    who.require(Permission.CLOSE_CASE)
    reason = reason.strip()
    if len(reason) < REASON_MIN:
        raise ValidationError(_("Write why the case is reopened (at least {n} characters).").format(n=REASON_MIN),
                              field="reopen_reason")
    with who.store.write() as s:
        row = closure_in_force(s, resident_id)
        if row is None:
            raise ValidationError(_("This case is not closed."), field="reopen_reason")
        row.reopened_at = now_utc()
        row.reopened_by = who.actor.account_id
        row.reopen_reason = reason
        s.flush()
        who.audit(s, "case.reopen", "resident", resident_id)
        return CaseWorkChanged(resident_id, "case_closure", row.id)
