"""The overdue board of the Reintegration section: across residents, what is
overdue or due within 7 days — reintegration plans to make, milestones,
referrals to follow up, follow-ups after discharge — and the cases that have
lost contact, filtered by shelter, pathway and who is responsible, sorted by
the resident's risk level (high first), then by due date.

What is counted: plans of stays in residence that have none (an
accompanying child's is her or his parent's), due
``Settings.reintegration_plan_days`` after admission; milestones planned, in
progress or blocked, on their due date; referrals waiting for an answer or
accepted and not completed, on their follow-up date; the next follow-up of
each discharged stay with a plan, on its date; and each case that has lost
contact (on the day it was lost), for discharges up to
``FOLLOW_UP_WINDOW_MONTHS`` after the last follow-up's date. Closed cases are
left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from shelter.domain.care import RISK_ORDER, SOON_DAYS, add_months, due_state
from shelter.domain.reintegration import (
    OPEN_MILESTONE_STATUSES,
    OPEN_REFERRAL_STATUSES,
    Contact,
    follow_up_rounds,
    lost_contact_on,
    next_round,
    plan_due_on,
)
from shelter.security.permissions import Permission
from shelter.services.settings import load_settings
from shelter.storage.models import (
    CaseAssignment,
    CaseClosure,
    FollowUpContact,
    Milestone,
    Partner,
    PartnerReferral,
    ReintegrationPlan,
    Resident,
    Shelter,
    StaffAccount,
    Stay,
)
from shelter.store import SignedIn

FOLLOW_UP_WINDOW_MONTHS = 12  # months after the last follow-up's date during which it is still asked for


@dataclass(frozen=True)
class CaseRef:
    """Whose item it is: the resident, her stay's shelter and the plan's pathway."""

    stay_id: int
    admitted_at: datetime
    discharged_at: datetime | None
    resident_id: int
    case_number: str
    name_arabic: str
    name_latin: str
    preferred_name: str
    sex: str
    risk_level: str
    shelter_id: int
    shelter: str
    holder_id: int | None  # the social worker holding the case
    plan_id: int | None
    pathway: str | None  # vocabulary.PATHWAY code; None before the plan
    parent_id: int | None = None  # an accompanying child's parent (her or his plan covers the child)


@dataclass(frozen=True)
class BoardItem:
    kind: str  # vocabulary.BOARD_KIND code
    due_on: date
    state: str  # vocabulary.DUE_STATE code ("overdue" for a lost contact)
    case: CaseRef
    milestone_code: str | None  # for a milestone: its vocabulary.MILESTONE code, or None and ``what``
    what: str  # a milestone's own title, a referral's service, "" otherwise
    partner: str  # a referral's partner, or the partner responsible for a milestone
    months: int  # for a follow-up: how many months after the discharge
    responsible_staff_id: int | None  # the staff member responsible, else the social worker holding the case
    responsible: str
    responsible_partner_id: int | None
    record_id: int  # the stay (plan, follow-up, lost contact), the milestone or the referral

    @property
    def resident_id(self) -> int:
        return self.case.resident_id

    @property
    def case_number(self) -> str:
        return self.case.case_number

    @property
    def sort_key(self) -> tuple[int, date, str, str]:
        return RISK_ORDER.get(self.case.risk_level, 9), self.due_on, self.case.case_number, self.kind


@dataclass(frozen=True)
class BoardCounts:
    overdue: int
    today: int
    soon: int
    lost_contact: int


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _cases(s: Session, oldest_discharge: date, shelter_id: int | None, pathway: str | None,
           stay_ids: list[int] | None = None) -> list[CaseRef]:
    closed = select(CaseClosure.resident_id).where(CaseClosure.reopened_at.is_(None))
    q = (select(Stay.id, Stay.admitted_at, Stay.discharged_at, Resident.id, Resident.case_number,
                Resident.name_arabic, Resident.name_latin, Resident.preferred_name, Resident.sex,
                Resident.risk_level, Shelter.id, Shelter.name, CaseAssignment.staff_id, ReintegrationPlan.id,
                ReintegrationPlan.pathway, Resident.parent_id)
         .join(Resident, Resident.id == Stay.resident_id)
         .join(Shelter, Shelter.id == Stay.shelter_id)
         .outerjoin(CaseAssignment, and_(CaseAssignment.stay_id == Stay.id, CaseAssignment.ended_at.is_(None)))
         .outerjoin(ReintegrationPlan, ReintegrationPlan.stay_id == Stay.id)
         .where(Stay.resident_id.not_in(closed),
                (Stay.discharged_at.is_(None))
                | (ReintegrationPlan.id.is_not(None) & (Stay.discharged_at >= _utc_midnight(oldest_discharge)))))
    if shelter_id is not None:
        q = q.where(Stay.shelter_id == shelter_id)
    if pathway is not None:
        q = q.where(ReintegrationPlan.pathway == pathway)
    if stay_ids is not None:
        q = q.where(Stay.id.in_(stay_ids))
    return [CaseRef(*row) for row in s.execute(q).all()]


def board_in(s: Session, today: date, shelter_id: int | None = None, pathway: str | None = None,
             horizon_days: int = SOON_DAYS, stay_ids: list[int] | None = None) -> list[BoardItem]:
    """The board's items due by ``horizon_days`` after ``today`` (whenever,
    for a horizon past ``date.max``), of the given stays only when given."""
    settings = load_settings(s)
    until = date.max if horizon_days >= (date.max - today).days else today + timedelta(days=horizon_days)
    # Follow-ups are looked for until a year after the last one was due:
    # older discharges are no longer followed (their files still show them).
    oldest = add_months(today, -(max(settings.follow_up_months) + FOLLOW_UP_WINDOW_MONTHS))
    cases = _cases(s, oldest, shelter_id, pathway, stay_ids)
    if not cases:
        return []
    by_stay = {c.stay_id: c for c in cases}
    by_plan = {c.plan_id: c for c in cases if c.plan_id is not None}
    raw: list[tuple] = []  # (kind, due, case, code, what, partner_id, months, staff_id, record_id)
    for c in cases:
        if c.discharged_at is None and c.plan_id is None and c.parent_id is None:
            due = plan_due_on(c.admitted_at.astimezone().date(), settings.reintegration_plan_days)
            if due <= until:
                raw.append(("plan", due, c, None, "", None, 0, None, c.stay_id))
    if by_plan:
        rows = s.execute(select(Milestone.id, Milestone.plan_id, Milestone.code, Milestone.title, Milestone.due_on,
                                Milestone.owner_staff_id, Milestone.owner_partner_id)
                         .where(Milestone.plan_id.in_(list(by_plan)),
                                Milestone.status.in_(sorted(OPEN_MILESTONE_STATUSES)),
                                Milestone.due_on.is_not(None), Milestone.due_on <= until)).all()
        for mid, plan_id, code, title, due, staff_id, partner_id in rows:
            raw.append(("milestone", due, by_plan[plan_id], code, title, partner_id, 0, staff_id, mid))
    stay_ids = list(by_stay)
    referral_rows = s.execute(select(PartnerReferral.id, PartnerReferral.stay_id, PartnerReferral.service,
                                     PartnerReferral.follow_up_on, PartnerReferral.partner_id)
                              .where(PartnerReferral.status.in_(sorted(OPEN_REFERRAL_STATUSES)),
                                     PartnerReferral.follow_up_on.is_not(None),
                                     PartnerReferral.follow_up_on <= until,
                                     PartnerReferral.stay_id.in_(stay_ids))).all()
    for rid, stay_id, service, due, partner_id in referral_rows:
        raw.append(("referral", due, by_stay[stay_id], None, service, partner_id, 0, None, rid))
    followed = [c for c in cases if c.discharged_at is not None and c.plan_id is not None]
    if followed:
        contacts: dict[int, list[Contact]] = {}
        for stay_id, on, months, reached in s.execute(
                select(FollowUpContact.stay_id, FollowUpContact.contacted_on, FollowUpContact.round_months,
                       FollowUpContact.reached).where(FollowUpContact.stay_id.in_([c.stay_id for c in followed]))):
            contacts.setdefault(stay_id, []).append(Contact(on, months, reached))
        for c in followed:
            own = contacts.get(c.stay_id, [])
            lost = lost_contact_on(own, settings.lost_contact_attempts)
            if lost is not None:
                raw.append(("lost_contact", lost, c, None, "", None, 0, None, c.stay_id))
                continue
            rounds = follow_up_rounds(c.discharged_at.astimezone().date(), settings.follow_up_months, own,
                                      settings.lost_contact_attempts)
            nxt = next_round(rounds)
            if nxt is not None and nxt.due_on is not None and nxt.due_on <= until:
                raw.append(("follow_up", nxt.due_on, c, None, "", None, nxt.months, None, c.stay_id))
    partner_ids = {r[5] for r in raw if r[5] is not None}
    partners = dict(s.execute(select(Partner.id, Partner.name).where(Partner.id.in_(partner_ids))).all()
                    ) if partner_ids else {}
    staff_ids = {r[7] for r in raw if r[7] is not None} | {r[2].holder_id for r in raw if r[2].holder_id}
    staff = dict(s.execute(select(StaffAccount.id, StaffAccount.display_name)
                           .where(StaffAccount.id.in_(staff_ids))).all()) if staff_ids else {}
    items = []
    for kind, due, c, code, what, partner_id, months, staff_id, record_id in raw:
        responsible_id = staff_id if staff_id is not None else (None if partner_id and kind == "milestone"
                                                                  else c.holder_id)
        state = "overdue" if kind == "lost_contact" else due_state(due, today)
        items.append(BoardItem(kind, due, state, c, code, what,
                               partners.get(partner_id, "") if partner_id else "", months, responsible_id,
                               staff.get(responsible_id, "") if responsible_id else "",
                               partner_id if kind == "milestone" else None, record_id))
    return sorted(items, key=lambda i: i.sort_key)


def board(who: SignedIn, shelter_id: int | None = None, pathway: str | None = None,
          responsible_staff_id: int | None = None, responsible_partner_id: int | None = None,
          today: date | None = None) -> list[BoardItem]:
    """What is overdue or due within 7 days across residents, and the cases
    that lost contact; narrowed to a shelter, a pathway, a staff member
    responsible or a partner responsible when given. Audited by count."""
    who.require(Permission.VIEW_REINTEGRATION)
    today = today or date.today()
    with who.store.write() as s:
        items = board_in(s, today, shelter_id, pathway)
        if responsible_staff_id is not None:
            items = [i for i in items if i.responsible_staff_id == responsible_staff_id]
        if responsible_partner_id is not None:
            items = [i for i in items if i.responsible_partner_id == responsible_partner_id]
        who.audit(s, "reintegration.board", detail={"results": len(items)})
    return items


def board_counts(who: SignedIn, today: date | None = None) -> BoardCounts:
    """For the dashboard: how many items are overdue, due today, due within 7
    days, and how many cases lost contact. Counts name nobody: not audited
    (the dashboard counts again after every write)."""
    who.require(Permission.VIEW_REINTEGRATION)
    with who.store.read() as s:
        items = board_in(s, today or date.today())
    return BoardCounts(sum(i.state == "overdue" and i.kind != "lost_contact" for i in items),
                       sum(i.state == "today" for i in items), sum(i.state == "soon" for i in items),
                       sum(i.kind == "lost_contact" for i in items))
