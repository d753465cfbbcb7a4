"""What is due: assessments, reassessments, reviews, actions, approvals and
the reintegration board's plans, milestones, referrals and follow-ups,
for the signed-in person ("My work"), for the whole shelter network, and
for one resident (her open items, in her file).

Due dates follow the settings and calendar rules: the first assessment
``assessment_due_days`` after admission; a reassessment
``reassessment_months`` calendar months after the last (31 January plus one
month is the last day of February); a review on the plan's next review date;
an action on its due date; an assessment at discharge on the day of
discharge, for cases discharged in the last ``DISCHARGE_WINDOW_DAYS`` and
not closed. Items are sorted by the resident's risk level, then by due date.

A person's own work: the cases she holds (``CaseAssignment``), the actions
given to her, the cases nobody holds yet (so nothing falls between two
chairs) and, for a coordinator, the plans waiting for approval.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from shelter.domain.care import OPEN_GOAL_STATUSES, RISK_ORDER, SOON_DAYS, add_months, due_state
from shelter.security.permissions import Permission
from shelter.services.settings import load_settings
from shelter.storage.models import (
    Assessment,
    CarePlan,
    CaseAssignment,
    CaseClosure,
    PlanAction,
    PlanEvent,
    PlanGoal,
    PlanVersion,
    Resident,
    Shelter,
    Stay,
)
from shelter.store import SignedIn

DISCHARGE_WINDOW_DAYS = 30
REINTEGRATION_KINDS = frozenset({"reintegration_plan", "milestone", "referral", "follow_up"})


@dataclass(frozen=True)
class WorkItem:
    kind: str  # vocabulary.WORK_KIND code
    due_on: date
    state: str  # vocabulary.DUE_STATE code
    resident_id: int
    case_number: str
    name_arabic: str
    name_latin: str
    preferred_name: str
    sex: str
    risk_level: str
    shelter: str
    what: str  # the action's text, "" for the others
    record_id: int  # the stay (assessments), the plan (reviews, approvals) or the action
    holder_id: int | None  # the social worker holding the case
    owner_id: int | None  # for an action (or a milestone) given to a staff member
    what_code: str | None = None  # a reintegration milestone's vocabulary.MILESTONE code (then ``what`` is "")
    months: int = 0  # a follow-up's months after the discharge

    @property
    def sort_key(self) -> tuple[int, date, str]:
        return RISK_ORDER.get(self.risk_level, 9), self.due_on, self.case_number


@dataclass(frozen=True)
class WorkCounts:
    overdue: int
    today: int
    soon: int


def _items(s: Session, today: date, stay_filter: Iterable[int] | None = None,
           until: date | None = None) -> list[WorkItem]:
    """Every open item of the cases in work (stays in residence, and those
    discharged lately without an assessment at discharge), due by ``until``
    (whenever when None); not filtered by person."""
    settings = load_settings(s)
    closed = select(CaseClosure.resident_id).where(CaseClosure.reopened_at.is_(None))
    recent = today - timedelta(days=DISCHARGE_WINDOW_DAYS)
    q = (select(Stay.id, Stay.admitted_at, Stay.discharged_at, Resident.id, Resident.case_number, Resident.name_arabic,
                Resident.name_latin, Resident.preferred_name, Resident.sex, Resident.risk_level, Shelter.name,
                CaseAssignment.staff_id)
         .join(Resident, Resident.id == Stay.resident_id)
         .join(Shelter, Shelter.id == Stay.shelter_id)
         .outerjoin(CaseAssignment, and_(CaseAssignment.stay_id == Stay.id, CaseAssignment.ended_at.is_(None)))
         .where(or_(Stay.discharged_at.is_(None), Stay.discharged_at >= _utc_midnight(recent)),
                Stay.resident_id.not_in(closed)))
    if stay_filter is not None:
        q = q.where(Stay.id.in_(list(stay_filter)))
    stays = s.execute(q).all()
    if not stays:
        return []
    ids = [row[0] for row in stays]
    last_assessed: dict[int, date] = dict(s.execute(
        select(Assessment.stay_id, func.max(Assessment.assessed_on)).where(Assessment.stay_id.in_(ids))
        .group_by(Assessment.stay_id)).all())
    at_discharge = set(s.execute(select(Assessment.stay_id).where(Assessment.stay_id.in_(ids),
                                                                    Assessment.kind == "discharge")).scalars())
    plans = {row.stay_id: row for row in s.execute(select(CarePlan).where(CarePlan.stay_id.in_(ids))).scalars()}
    agreed = set(s.execute(select(PlanVersion.plan_id).where(
        PlanVersion.plan_id.in_([p.id for p in plans.values()])).distinct()).scalars()) if plans else set()
    items: list[WorkItem] = []

    def add(kind: str, due: date, stay_row, record_id: int, what: str = "", owner: int | None = None) -> None:  # noqa: ANN001
        if until is not None and due > until:
            return
        (_sid, _adm, _dis, resident_id, case_number, name_arabic, name_latin, preferred, sex, risk, shelter,
         holder) = stay_row
        items.append(WorkItem(kind, due, due_state(due, today), resident_id, case_number, name_arabic, name_latin,
                              preferred, sex, risk, shelter, what, record_id, holder, owner))

    by_stay = {row[0]: row for row in stays}
    for row in stays:
        stay_id, admitted_at, discharged_at = row[0], row[1], row[2]
        if discharged_at is not None:
            if stay_id not in at_discharge:
                add("discharge_assessment", discharged_at.astimezone().date(), row, stay_id)
            continue
        last = last_assessed.get(stay_id)
        if last is None:
            add("assessment", admitted_at.astimezone().date() + timedelta(days=settings.assessment_due_days),
                row, stay_id)
        else:
            add("reassessment", add_months(last, settings.reassessment_months), row, stay_id)
        plan = plans.get(stay_id)
        if plan is not None and plan.id in agreed and plan.next_review_on is not None:
            add("review", plan.next_review_on, row, plan.id)
    open_plans = {p.id: p.stay_id for p in plans.values() if by_stay[p.stay_id][2] is None}
    if open_plans:
        actions = (select(PlanAction.id, PlanAction.due_on, PlanAction.what, PlanAction.owner_staff_id, PlanGoal.plan_id)
                   .join(PlanGoal, PlanGoal.id == PlanAction.goal_id)
                   .where(PlanGoal.plan_id.in_(list(open_plans)), PlanAction.done_on.is_(None),
                          PlanAction.due_on.is_not(None), PlanGoal.status.in_(sorted(OPEN_GOAL_STATUSES))))
        if until is not None:
            actions = actions.where(PlanAction.due_on <= until)
        for action_id, due_on, what, owner, plan_id in s.execute(actions).all():
            add("action", due_on, by_stay[open_plans[plan_id]], action_id, what, owner)
    return items


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _awaiting_approval(s: Session, today: date) -> list[WorkItem]:
    """Drafts sent for approval and not answered, unchanged since."""
    from shelter.services.care_plans import _view

    later = aliased(PlanEvent)
    rows = s.execute(select(PlanEvent).where(
        PlanEvent.kind == "submitted",
        ~exists().where(later.plan_id == PlanEvent.plan_id, later.id > PlanEvent.id))).scalars().all()
    items = []
    for event in rows:
        plan = s.get(CarePlan, event.plan_id)
        stay = s.get(Stay, plan.stay_id)
        resident = s.get(Resident, plan.resident_id)
        if _view(s, resident, stay).approval != "submitted":
            continue
        shelter = s.get(Shelter, stay.shelter_id)
        holder = s.execute(select(CaseAssignment.staff_id).where(CaseAssignment.stay_id == stay.id,
                                                                 CaseAssignment.ended_at.is_(None))).scalar()
        due = event.at.astimezone().date()
        items.append(WorkItem("approval", due, due_state(due, today), resident.id, resident.case_number,
                              resident.name_arabic, resident.name_latin, resident.preferred_name, resident.sex,
                              resident.risk_level, shelter.name if shelter else "", "", plan.id, holder, None))
    return items


def _reintegration(s: Session, today: date, until: date, stay_ids: list[int] | None = None) -> list[WorkItem]:
    """The reintegration board's items as work: plans to make, milestones,
    referrals and follow-ups (a lost contact is the board's to show)."""
    from shelter.services.reintegration_board import board_in

    items = []
    for b in board_in(s, today, horizon_days=(until - today).days, stay_ids=stay_ids):
        if b.kind == "lost_contact":
            continue
        c = b.case
        what = b.what if b.kind != "referral" else f"{b.partner}: {b.what}"
        kind = "reintegration_plan" if b.kind == "plan" else b.kind
        items.append(WorkItem(kind, b.due_on, b.state, c.resident_id, c.case_number, c.name_arabic, c.name_latin,
                              c.preferred_name, c.sex, c.risk_level, c.shelter, what, b.record_id, c.holder_id,
                              b.responsible_staff_id if b.kind == "milestone" else None,
                              b.milestone_code, b.months))
    return items


def _mine(who: SignedIn, item: WorkItem) -> bool:
    me = who.actor.account_id
    if item.kind in REINTEGRATION_KINDS:
        return (who.actor.has(Permission.WRITE_REINTEGRATION)
                and (item.owner_id == me or (item.owner_id is None and item.holder_id in (me, None))))
    if item.kind == "action":
        return item.owner_id == me or (item.owner_id is None and item.holder_id in (me, None))
    if item.kind == "approval":
        return who.actor.has(Permission.APPROVE_CARE_PLAN)
    return who.actor.has(Permission.WRITE_CARE_PLAN) and item.holder_id in (me, None)


def my_work(who: SignedIn, everyone: bool = False, today: date | None = None,
            horizon_days: int = SOON_DAYS) -> list[WorkItem]:
    """What is overdue, due today or due within ``horizon_days``: the signed-in
    person's own, or with ``everyone`` the whole network's (for a
    coordinator). Sorted by risk level (high first), then due date."""
    who.require(Permission.VIEW_CARE_PLAN)
    today = today or date.today()
    limit = today + timedelta(days=horizon_days)
    with who.store.write() as s:
        items = _items(s, today, until=limit)
        if who.actor.has(Permission.APPROVE_CARE_PLAN):
            items += _awaiting_approval(s, today)
        if who.actor.has(Permission.VIEW_REINTEGRATION):
            items += _reintegration(s, today, limit)
        if not everyone:
            items = [i for i in items if _mine(who, i)]
        # A list of residents' names and what is due for them: audited, by count.
        who.audit(s, "work.view", detail={"results": len(items), "everyone": everyone})
    return sorted(items, key=lambda i: i.sort_key)


def work_counts(who: SignedIn, everyone: bool = False, today: date | None = None) -> WorkCounts:
    """How many of the person's items are overdue, due today, due within 7 days."""
    items = my_work(who, everyone, today)
    return WorkCounts(sum(i.state == "overdue" for i in items), sum(i.state == "today" for i in items),
                      sum(i.state == "soon" for i in items))


def open_items(who: SignedIn, resident_id: int, today: date | None = None) -> list[WorkItem]:
    """Everything open in the resident's case, whenever it falls due, soonest first."""
    who.require(Permission.VIEW_CARE_PLAN)
    today = today or date.today()
    with who.store.write() as s:
        stays = list(s.execute(select(Stay.id).where(Stay.resident_id == resident_id)).scalars())
        items = _items(s, today, stays) if stays else []
        if stays and who.actor.has(Permission.VIEW_REINTEGRATION):
            items += _reintegration(s, today, date.max, stays)
        if who.actor.has(Permission.APPROVE_CARE_PLAN):
            items += [i for i in _awaiting_approval(s, today) if i.resident_id == resident_id]
        who.audit(s, "work.view", "resident", resident_id, detail={"results": len(items)})
    return sorted(items, key=lambda i: (i.due_on, i.kind))
