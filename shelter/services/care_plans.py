"""Care plans: goals per assessment domain in the resident's own words,
actions under each goal (what, who, by when, done on and by whom, progress
notes), reasons for a domain left without a goal, reviews on a schedule, and
the versions agreed with the resident.

The goals and actions are the plan's working copy: the draft of its next
version. Agreeing a version with the resident freezes what it says (the
canonical JSON of its content, inside the encrypted store) with a
verification code, an HMAC under the store's document key, as on the
handover document; the paper's reference and code, typed back, tell whether
it is genuine and unchanged. Changing the plan afterwards changes the draft
of the next version only.

Where the shelter turns approval on (``Settings.plan_approval``), a
coordinator approves the draft, or returns it with a comment, before it can
be agreed; an approval counts for the draft as it was approved (its content
hash), not for later changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shelter.documents.care_plan import ActionLine, CarePlanPrint, GoalLine, care_plan_document
from shelter.domain.care import REASON_NEEDED_STATUSES, Gap, plan_gaps
from shelter.domain.changes import CaseWorkChanged
from shelter.domain.dates import now_utc
from shelter.domain.vocabulary import ASSESSMENT_DOMAIN, GOAL_STATUS, PRIORITY
from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.security.permissions import Permission
from shelter.services.assessments import assessments_in
from shelter.services.cases import (
    case_worker_of,
    closure_in_force,
    refuse_if_closed,
    require_stay,
    staff_names,
    take_case_if_unheld,
)
from shelter.services.documents import document_language
from shelter.services.settings import load_settings
from shelter.services.verification import canonical as _canonical
from shelter.services.verification import document_key as _document_key
from shelter.services.verification import verification_code
from shelter.storage.models import (
    CarePlan,
    PlanAction,
    PlanActionNote,
    PlanDomainReason,
    PlanEvent,
    PlanGoal,
    PlanReview,
    PlanReviewGoal,
    PlanVersion,
    RecordChange,
    Resident,
    SessionFollowUp,
    Shelter,
    StaffAccount,
    Stay,
)
from shelter.store import SignedIn

KIND = "care_plan"
COMMENT_MIN = 10  # characters: a comment, not "no"
TEXT_MAX = 2000
PRIORITY_ORDER = {code: i for i, code in enumerate(PRIORITY.codes)}
DOMAIN_ORDER = {code: i for i, code in enumerate(ASSESSMENT_DOMAIN.codes)}


# -- what the services take --------------------------------------------------------------

@dataclass(frozen=True)
class GoalInput:
    domain: str
    goal: str
    resident_words: str = ""
    priority: str = "medium"
    target_on: date | None = None
    status: str = "not_started"
    status_reason: str = ""  # needed for "dropped" and "not achieved"


@dataclass(frozen=True)
class ActionInput:
    what: str
    owner_staff_id: int | None = None
    owner_partner: str = ""  # a partner organisation, when no staff member does it
    due_on: date | None = None


@dataclass(frozen=True)
class GoalProgress:
    """What a review says of one goal."""

    status: str
    progress: str = ""
    status_reason: str = ""


# -- what they return ---------------------------------------------------------------------

@dataclass(frozen=True)
class NoteView:
    written_at: datetime
    written_by: str
    text: str


@dataclass(frozen=True)
class ActionView:
    action_id: int
    goal_id: int
    what: str
    owner_staff_id: int | None
    owner_partner: str
    owner: str  # the staff member's name, or the partner
    due_on: date | None
    done_on: date | None
    done_by: str
    notes: tuple[NoteView, ...]


@dataclass(frozen=True)
class GoalView:
    goal_id: int
    domain: str
    goal: str
    resident_words: str
    priority: str
    target_on: date | None
    status: str
    status_reason: str
    actions: tuple[ActionView, ...]
    in_agreed_version: bool  # shown to the resident already: drop it rather than remove it


@dataclass(frozen=True)
class ReviewView:
    review_id: int
    reviewed_on: date
    reviewed_by: str
    changes: str
    next_review_on: date
    progress: tuple[tuple[int, str, str, str], ...]  # (goal id, goal, status, progress)


@dataclass(frozen=True)
class VersionView:
    number: int
    reference: str
    lang: str
    agreed_on: date
    agreed_by: str
    interpreter: str


@dataclass(frozen=True)
class EventView:
    kind: str  # vocabulary.PLAN_EVENT code
    version_number: int
    at: datetime
    by: str
    comment: str


@dataclass(frozen=True)
class FollowUpView:
    """A follow-up a counsellor proposed when signing a session note, for the
    social worker to make an action of the plan or set aside."""

    follow_up_id: int
    domain: str | None
    text: str
    proposed_at: datetime
    proposed_by: str


@dataclass(frozen=True)
class PlanView:
    """A resident's care plan for her latest stay, as the tab shows it.
    ``plan_id`` is None when no plan has been started."""

    resident_id: int
    stay_id: int
    case_number: str
    sex: str
    plan_id: int | None
    assessed_on: date | None
    scores: Mapping[str, int]  # the latest assessment's, by domain
    goals: tuple[GoalView, ...]
    reasons: Mapping[str, str]  # domain -> why it has no goal
    gaps: tuple[Gap, ...]  # what the plan must still answer to be complete
    versions: tuple[VersionView, ...]  # newest first
    events: tuple[EventView, ...]  # newest first
    reviews: tuple[ReviewView, ...]  # newest first
    next_review_on: date | None
    draft_changed: bool  # the working copy differs from the last agreed version (or none was agreed)
    approval_required: bool
    approval: str  # "", "submitted", "approved", "returned": for the draft as it is now
    case_worker: str
    closed: bool
    follow_ups: tuple[FollowUpView, ...] = ()  # proposed by counsellors, not yet acted on

    @property
    def complete(self) -> bool:
        return self.assessed_on is not None and not self.gaps and bool(self.goals)

    @property
    def draft_number(self) -> int:
        return (self.versions[0].number if self.versions else 0) + 1

    @property
    def agreed(self) -> VersionView | None:
        return self.versions[0] if self.versions else None

    def agree_blockers(self) -> list[str]:
        """Why the draft cannot be agreed now, in words for the screen ([] when it can)."""
        found: list[str] = []
        if self.closed:
            found.append(_("The case is closed."))
        if self.assessed_on is None:
            found.append(_("No needs assessment yet: assess first."))
        if not self.goals:
            found.append(_("The plan has no goal."))
        if self.gaps:
            found.append(_("Some needs have neither a goal nor a reason for having none."))
        if self.versions and not self.draft_changed:
            found.append(_("Nothing has changed since version {n}.").format(n=self.versions[0].number))
        if self.approval_required and self.approval != "approved":
            found.append(_("A coordinator must approve this draft first."))
        return found


@dataclass(frozen=True)
class AgreedPlan:
    change: CaseWorkChanged
    reference: str
    verification_code: str
    number: int
    pdf: bytes


@dataclass(frozen=True)
class PrintedPlan:
    pdf: bytes
    reference: str  # "" for a draft
    draft: bool
    number: int


@dataclass(frozen=True)
class DiffLine:
    """One difference between two versions of a plan."""

    change: str  # "added", "removed", "changed"
    part: str  # "goal", "action", "reason", "review"
    domain: str
    text: str  # the goal's or the action's text
    field: str = ""  # for "changed": which field
    old: str = ""
    new: str = ""


# -- reading ------------------------------------------------------------------------------

def _plan_of_stay(s: Session, stay_id: int) -> CarePlan | None:
    return s.execute(select(CarePlan).where(CarePlan.stay_id == stay_id)).scalar_one_or_none()


def _plan(s: Session, plan_id: int) -> CarePlan:
    plan = s.get(CarePlan, plan_id)
    if plan is None:
        raise ValidationError(_("This care plan no longer exists."), field="plan")
    return plan


def _writable_plan(s: Session, plan_id: int) -> CarePlan:
    plan = _plan(s, plan_id)
    refuse_if_closed(s, plan.resident_id)
    return plan


def _goals(s: Session, plan_id: int) -> list[PlanGoal]:
    goals = s.execute(select(PlanGoal).where(PlanGoal.plan_id == plan_id)).scalars().all()
    return sorted(goals, key=lambda g: (DOMAIN_ORDER.get(g.domain, 99), PRIORITY_ORDER.get(g.priority, 9),
                                        g.position, g.id))


def _actions(s: Session, goal_ids: list[int]) -> dict[int, list[PlanAction]]:
    found: dict[int, list[PlanAction]] = {}
    if goal_ids:
        for a in s.execute(select(PlanAction).where(PlanAction.goal_id.in_(goal_ids))
                           .order_by(PlanAction.position, PlanAction.id)).scalars():
            found.setdefault(a.goal_id, []).append(a)
    return found


def _reasons(s: Session, plan_id: int) -> dict[str, str]:
    return dict(s.execute(select(PlanDomainReason.domain, PlanDomainReason.reason)
                          .where(PlanDomainReason.plan_id == plan_id)).all())


def _working(s: Session, plan: CarePlan) -> dict[str, Any]:
    """The working copy as content: what a version freezes, and what is
    compared with the last version to tell whether the draft changed."""
    goals = _goals(s, plan.id)
    actions = _actions(s, [g.id for g in goals])
    owners = staff_names(s, [a.owner_staff_id for group in actions.values() for a in group])
    return _working_of(goals, actions, _reasons(s, plan.id), owners)


def _working_of(goals: Sequence[PlanGoal], actions: Mapping[int, Sequence[PlanAction]], reasons: Mapping[str, str],
                names: Mapping[int, str]) -> dict[str, Any]:
    """``_working`` from rows already read (``names`` holds at least the owners')."""
    return {
        "goals": [{
            "id": g.id, "domain": g.domain, "goal": g.goal, "resident_words": g.resident_words,
            "priority": g.priority, "target_on": g.target_on.isoformat() if g.target_on else None,
            "status": g.status, "status_reason": g.status_reason,
            "actions": [{"id": a.id, "what": a.what,
                         "owner": names.get(a.owner_staff_id, "") if a.owner_staff_id else a.owner_partner,
                         "due_on": a.due_on.isoformat() if a.due_on else None,
                         "done_on": a.done_on.isoformat() if a.done_on else None}
                        for a in actions.get(g.id, [])],
        } for g in goals],
        "reasons": dict(sorted(reasons.items())),
    }


def _hash(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(_canonical(dict(content))).hexdigest()


def _last_version(s: Session, plan_id: int) -> PlanVersion | None:
    return s.execute(select(PlanVersion).where(PlanVersion.plan_id == plan_id)
                     .order_by(PlanVersion.number.desc()).limit(1)).scalar_one_or_none()


def _approval(events: list[PlanEvent], draft_number: int, draft_hash: str) -> str:
    """The approval state of the draft as it is now, from its newest event."""
    for event in events:  # newest first
        if event.version_number != draft_number:
            continue
        if event.kind == "agreed":
            return ""
        if event.content_hash != draft_hash:
            return ""  # changed since it was sent, approved or returned
        return event.kind
    return ""


def _follow_ups(s: Session, resident_id: int) -> tuple[FollowUpView, ...]:
    rows = s.execute(select(SessionFollowUp, StaffAccount.display_name)
                     .outerjoin(StaffAccount, StaffAccount.id == SessionFollowUp.proposed_by)
                     .where(SessionFollowUp.resident_id == resident_id, SessionFollowUp.plan_action_id.is_(None),
                            SessionFollowUp.set_aside_at.is_(None))
                     .order_by(SessionFollowUp.proposed_at)).all()
    return tuple(FollowUpView(f.id, f.domain, f.text, f.proposed_at, name or "") for f, name in rows)


def _view(s: Session, resident: Resident, stay: Stay) -> PlanView:
    settings = load_settings(s)
    assessments = [a for a in assessments_in(s, resident.id) if a.stay_id == stay.id]
    latest = assessments[0] if assessments else None
    scores = {d: v.score for d, v in latest.scores.items()} if latest else {}
    plan = _plan_of_stay(s, stay.id)
    closed = closure_in_force(s, resident.id) is not None
    assignment = case_worker_of(s, stay.id)
    worker = staff_names(s, [assignment.staff_id]).get(assignment.staff_id, "") if assignment else ""
    if plan is None:
        gaps = tuple(plan_gaps(scores, (), {}))
        return PlanView(resident.id, stay.id, resident.case_number, resident.sex, None,
                        latest.assessed_on if latest else None, scores, (), {}, gaps, (), (), (), None, False,
                        settings.plan_approval, "", worker, closed, _follow_ups(s, resident.id))
    goals = _goals(s, plan.id)
    actions = _actions(s, [g.id for g in goals])
    all_actions = [a for group in actions.values() for a in group]
    notes: dict[int, list[PlanActionNote]] = {}
    if all_actions:
        for n in s.execute(select(PlanActionNote).where(PlanActionNote.action_id.in_([a.id for a in all_actions]))
                           .order_by(PlanActionNote.written_at.desc(), PlanActionNote.id.desc())).scalars():
            notes.setdefault(n.action_id, []).append(n)
    versions = s.execute(select(PlanVersion).where(PlanVersion.plan_id == plan.id)
                         .order_by(PlanVersion.number.desc())).scalars().all()
    events = s.execute(select(PlanEvent).where(PlanEvent.plan_id == plan.id)
                       .order_by(PlanEvent.at.desc(), PlanEvent.id.desc())).scalars().all()
    reviews = s.execute(select(PlanReview).where(PlanReview.plan_id == plan.id)
                        .order_by(PlanReview.reviewed_on.desc(), PlanReview.id.desc())).scalars().all()
    review_goals: dict[int, list[PlanReviewGoal]] = {}
    if reviews:
        for rg in s.execute(select(PlanReviewGoal).where(PlanReviewGoal.review_id.in_([r.id for r in reviews]))
                            ).scalars():
            review_goals.setdefault(rg.review_id, []).append(rg)
    names = staff_names(s, [a.owner_staff_id for a in all_actions] + [a.done_by for a in all_actions]
                   + [n.written_by for group in notes.values() for n in group] + [v.agreed_by for v in versions]
                   + [e.by for e in events] + [r.reviewed_by for r in reviews])
    in_versions: set[int] = set()
    for v in versions:
        in_versions |= {g["id"] for g in json.loads(v.content)["plan"]["goals"]}
    goal_text = {g.id: g.goal for g in goals}
    reasons = _reasons(s, plan.id)
    working = _working_of(goals, actions, reasons, names)
    last = versions[0] if versions else None
    changed = last is None or json.loads(last.content)["plan"] != working
    draft_number = (last.number if last else 0) + 1
    goal_views = tuple(GoalView(
        g.id, g.domain, g.goal, g.resident_words, g.priority, g.target_on, g.status, g.status_reason,
        tuple(ActionView(a.id, a.goal_id, a.what, a.owner_staff_id, a.owner_partner,
                         names.get(a.owner_staff_id, "") if a.owner_staff_id else a.owner_partner,
                         a.due_on, a.done_on, names.get(a.done_by or 0, ""),
                         tuple(NoteView(n.written_at, names.get(n.written_by or 0, ""), n.text)
                               for n in notes.get(a.id, [])))
              for a in actions.get(g.id, [])),
        g.id in in_versions) for g in goals)
    return PlanView(
        resident.id, stay.id, resident.case_number, resident.sex, plan.id, latest.assessed_on if latest else None,
        scores, goal_views, reasons,
        tuple(plan_gaps(scores, (g.domain for g in goals if g.status != "dropped"), reasons)),
        tuple(VersionView(v.number, v.reference, v.lang, v.agreed_on, names.get(v.agreed_by or 0, ""), v.interpreter)
              for v in versions),
        tuple(EventView(e.kind, e.version_number, e.at, names.get(e.by or 0, ""), e.comment) for e in events),
        tuple(ReviewView(r.id, r.reviewed_on, names.get(r.reviewed_by or 0, ""), r.changes, r.next_review_on,
                         tuple((rg.goal_id, goal_text.get(rg.goal_id, ""), rg.status, rg.progress)
                               for rg in review_goals.get(r.id, [])))
              for r in reviews),
        plan.next_review_on, changed, settings.plan_approval,
        _approval(list(events), draft_number, _hash(working)), worker, closed, _follow_ups(s, resident.id))


def care_plan(who: SignedIn, resident_id: int) -> PlanView:
    """The care plan of the resident's latest stay (started or not), with
    what it still lacks. Audited ("care_plan.view") by resident."""
    who.require(Permission.VIEW_CARE_PLAN)
    with who.store.write() as s:
        stay = require_stay(s, resident_id)
        view = _view(s, s.get(Resident, resident_id), stay)
        who.audit(s, "care_plan.view", "resident", resident_id,
                  detail={"plan": view.plan_id} if view.plan_id else None)
        return view


# -- writing ---------------------------------------------------------------------------------

def _text(value: str, field: str, required: str | None = None) -> str:
    value = value.strip()
    if required is not None and not value:
        raise ValidationError(required, field=field)
    if len(value) > TEXT_MAX:
        raise ValidationError(_("This text is too long (at most {n} characters).").format(n=TEXT_MAX), field=field)
    return value


def _check_goal(goal: GoalInput) -> GoalInput:
    if goal.domain not in ASSESSMENT_DOMAIN:
        raise ValidationError(_("Choose the domain of the goal."), field="domain")
    if goal.priority not in PRIORITY:
        raise ValidationError(_("Choose a priority."), field="priority")
    if goal.status not in GOAL_STATUS:
        raise ValidationError(_("Choose a status."), field="status")
    reason = goal.status_reason.strip()
    if goal.status in REASON_NEEDED_STATUSES and not reason:
        raise ValidationError(_("Write why the goal was dropped or not achieved."), field="status_reason")
    return replace(goal, goal=_text(goal.goal, "goal", _("Write the goal.")),
                   resident_words=_text(goal.resident_words, "resident_words"),
                   status_reason=reason if goal.status in REASON_NEEDED_STATUSES else "")


def _record_changes(s: Session, who: SignedIn, resident_id: int, record_type: str, record_id: int,
                    before: Mapping[str, Any], after: Mapping[str, Any], reason: str = "") -> list[str]:
    """Keep the earlier value of every field that changed (record_change)."""
    changed = []
    for name, old in before.items():
        new = after[name]
        if old != new:
            s.add(RecordChange(resident_id=resident_id, record_type=record_type, record_id=record_id, field=name,
                               old_value=json.dumps(old, default=str), new_value=json.dumps(new, default=str),
                               reason=reason, changed_at=now_utc(), changed_by=who.actor.account_id))
            changed.append(name)
    return changed


def _goal_fields(g: PlanGoal | GoalInput) -> dict[str, Any]:
    return {"domain": g.domain, "goal": g.goal, "resident_words": g.resident_words, "priority": g.priority,
            "target_on": g.target_on.isoformat() if g.target_on else None, "status": g.status,
            "status_reason": g.status_reason}


def start_plan(who: SignedIn, resident_id: int) -> CaseWorkChanged:
    """Start the care plan of the resident's latest stay, from its latest
    assessment (one must exist)."""
    who.require(Permission.WRITE_CARE_PLAN)
    with who.store.write() as s:
        stay = require_stay(s, resident_id)
        refuse_if_closed(s, resident_id)
        existing = _plan_of_stay(s, stay.id)
        if existing is not None:
            return CaseWorkChanged(resident_id, "care_plan", existing.id)
        if not any(a.stay_id == stay.id for a in assessments_in(s, resident_id)):
            raise ValidationError(_("Assess the person's needs before writing the plan."), field="plan")
        plan = CarePlan(stay_id=stay.id, resident_id=resident_id, created_at=now_utc(),
                        created_by=who.actor.account_id)
        s.add(plan)
        s.flush()
        take_case_if_unheld(s, who, stay.id)
        who.audit(s, "care_plan.create", "care_plan", plan.id, detail={"resident": resident_id})
        return CaseWorkChanged(resident_id, "care_plan", plan.id)


def add_goal(who: SignedIn, plan_id: int, goal: GoalInput) -> CaseWorkChanged:
    who.require(Permission.WRITE_CARE_PLAN)
    goal = _check_goal(goal)
    with who.store.write() as s:
        plan = _writable_plan(s, plan_id)
        position = s.execute(select(func.count()).where(PlanGoal.plan_id == plan.id)).scalar_one()
        row = PlanGoal(plan_id=plan.id, position=position, created_at=now_utc(), created_by=who.actor.account_id,
                       **{k: v for k, v in goal.__dict__.items()})
        s.add(row)
        s.flush()
        who.audit(s, "care_plan.goal_add", "plan_goal", row.id, detail={"plan": plan.id, "domain": goal.domain})
        return CaseWorkChanged(plan.resident_id, "plan_goal", row.id)


def _goal(s: Session, goal_id: int) -> tuple[PlanGoal, CarePlan]:
    row = s.get(PlanGoal, goal_id)
    if row is None:
        raise ValidationError(_("This goal no longer exists."), field="goal")
    return row, _writable_plan(s, row.plan_id)


def update_goal(who: SignedIn, goal_id: int, goal: GoalInput, reason: str = "") -> CaseWorkChanged:
    """Change a goal; each field that changed keeps its earlier value."""
    who.require(Permission.WRITE_CARE_PLAN)
    goal = _check_goal(goal)
    with who.store.write() as s:
        row, plan = _goal(s, goal_id)
        changed = _record_changes(s, who, plan.resident_id, "plan_goal", row.id, _goal_fields(row),
                                  _goal_fields(goal), reason.strip())
        for name, value in goal.__dict__.items():
            setattr(row, name, value)
        s.flush()
        if changed:
            who.audit(s, "care_plan.goal_change", "plan_goal", row.id, detail={"fields": ",".join(changed)})
        return CaseWorkChanged(plan.resident_id, "plan_goal", row.id)


def _in_a_version(s: Session, plan_id: int, key: str, record_id: int) -> bool:
    for (content,) in s.execute(select(PlanVersion.content).where(PlanVersion.plan_id == plan_id)).all():
        for g in json.loads(content)["plan"]["goals"]:
            if key == "goal" and g["id"] == record_id:
                return True
            if key == "action" and any(a["id"] == record_id for a in g["actions"]):
                return True
    return False


def remove_goal(who: SignedIn, goal_id: int) -> CaseWorkChanged:
    """Remove a goal that no agreed version carries (one the resident has
    seen is dropped with a reason instead, so the history shows it)."""
    who.require(Permission.WRITE_CARE_PLAN)
    with who.store.write() as s:
        row, plan = _goal(s, goal_id)
        if _in_a_version(s, plan.id, "goal", row.id):
            raise ValidationError(_("This goal is in a version agreed with the resident: mark it dropped, "
                                    "with the reason, instead of removing it."), field="goal")
        for action in s.execute(select(PlanAction).where(PlanAction.goal_id == row.id)).scalars():
            for note in s.execute(select(PlanActionNote).where(PlanActionNote.action_id == action.id)).scalars():
                s.delete(note)
            s.delete(action)
        s.flush()
        s.delete(row)
        s.flush()
        who.audit(s, "care_plan.goal_remove", "plan_goal", goal_id, detail={"plan": plan.id})
        return CaseWorkChanged(plan.resident_id, "plan_goal", goal_id)


def _check_action(s: Session, action: ActionInput) -> ActionInput:
    what = _text(action.what, "what", _("Write what is to be done."))
    partner = " ".join(action.owner_partner.split())
    if action.owner_staff_id is not None:
        account = s.get(StaffAccount, action.owner_staff_id)
        if account is None or not account.active:
            raise ValidationError(_("Choose an active staff member."), field="owner")
        partner = ""
    elif not partner:
        raise ValidationError(_("Say who does it: a staff member or a partner organisation."), field="owner")
    if len(partner) > 200:
        raise ValidationError(_("This name is too long."), field="owner")
    return replace(action, what=what, owner_partner=partner)


def _action_fields(a: PlanAction | ActionInput) -> dict[str, Any]:
    return {"what": a.what, "owner_staff_id": a.owner_staff_id, "owner_partner": a.owner_partner,
            "due_on": a.due_on.isoformat() if a.due_on else None}


def add_action(who: SignedIn, goal_id: int, action: ActionInput) -> CaseWorkChanged:
    who.require(Permission.WRITE_CARE_PLAN)
    with who.store.write() as s:
        goal, plan = _goal(s, goal_id)
        action = _check_action(s, action)
        position = s.execute(select(func.count()).where(PlanAction.goal_id == goal.id)).scalar_one()
        row = PlanAction(goal_id=goal.id, what=action.what, owner_staff_id=action.owner_staff_id,
                         owner_partner=action.owner_partner, due_on=action.due_on, position=position,
                         created_at=now_utc())
        s.add(row)
        s.flush()
        who.audit(s, "care_plan.action_add", "plan_action", row.id, detail={"goal": goal.id})
        return CaseWorkChanged(plan.resident_id, "plan_action", row.id)


def _action(s: Session, action_id: int) -> tuple[PlanAction, CarePlan]:
    row = s.get(PlanAction, action_id)
    if row is None:
        raise ValidationError(_("This action no longer exists."), field="action")
    goal = s.get(PlanGoal, row.goal_id)
    return row, _writable_plan(s, goal.plan_id)


def update_action(who: SignedIn, action_id: int, action: ActionInput, reason: str = "") -> CaseWorkChanged:
    who.require(Permission.WRITE_CARE_PLAN)
    with who.store.write() as s:
        row, plan = _action(s, action_id)
        action = _check_action(s, action)
        changed = _record_changes(s, who, plan.resident_id, "plan_action", row.id, _action_fields(row),
                                  _action_fields(action), reason.strip())
        row.what, row.owner_staff_id, row.owner_partner, row.due_on = (
            action.what, action.owner_staff_id, action.owner_partner, action.due_on)
        s.flush()
        if changed:
            who.audit(s, "care_plan.action_change", "plan_action", row.id, detail={"fields": ",".join(changed)})
        return CaseWorkChanged(plan.resident_id, "plan_action", row.id)


def complete_action(who: SignedIn, action_id: int, done_on: date | None) -> CaseWorkChanged:
    """Mark an action done on ``done_on`` by the signed-in person, or, with
    None, not done after all (the earlier value is kept)."""
    who.require(Permission.WRITE_CARE_PLAN)
    if done_on is not None and done_on > date.today():
        raise ValidationError(_("The date it was done is in the future."), field="done_on")
    with who.store.write() as s:
        row, plan = _action(s, action_id)
        stay = s.get(Stay, plan.stay_id)
        if done_on is not None and done_on < stay.admitted_at.astimezone().date():
            raise ValidationError(_("The date it was done is before the admission."), field="done_on")
        before = {"done_on": row.done_on.isoformat() if row.done_on else None, "done_by": row.done_by}
        row.done_on = done_on
        row.done_by = who.actor.account_id if done_on is not None else None
        _record_changes(s, who, plan.resident_id, "plan_action", row.id, before,
                        {"done_on": done_on.isoformat() if done_on else None, "done_by": row.done_by})
        s.flush()
        who.audit(s, "care_plan.action_done" if done_on else "care_plan.action_undone", "plan_action", row.id)
        return CaseWorkChanged(plan.resident_id, "plan_action", row.id)


def add_action_note(who: SignedIn, action_id: int, text: str) -> CaseWorkChanged:
    who.require(Permission.WRITE_CARE_PLAN)
    text = _text(text, "note", _("Write the progress note."))
    with who.store.write() as s:
        row, plan = _action(s, action_id)
        note = PlanActionNote(action_id=row.id, written_at=now_utc(), written_by=who.actor.account_id, text=text)
        s.add(note)
        s.flush()
        who.audit(s, "care_plan.action_note", "plan_action", row.id)
        return CaseWorkChanged(plan.resident_id, "plan_action", row.id)


def _follow_up(s: Session, follow_up_id: int) -> SessionFollowUp:
    row = s.get(SessionFollowUp, follow_up_id)
    if row is None:
        raise ValidationError(_("This follow-up no longer exists."), field="follow_up")
    if row.plan_action_id is not None or row.set_aside_at is not None:
        raise ValidationError(_("This follow-up has already been dealt with."), field="follow_up")
    return row


def adopt_follow_up(who: SignedIn, follow_up_id: int, goal_id: int, action: ActionInput) -> CaseWorkChanged:
    """Make a counsellor's proposed follow-up an action under ``goal_id``."""
    who.require(Permission.WRITE_CARE_PLAN)
    with who.store.write() as s:
        follow = _follow_up(s, follow_up_id)
        goal, plan = _goal(s, goal_id)
        if plan.resident_id != follow.resident_id:
            raise ValidationError(_("This goal is in another resident's plan."), field="goal")
        action = _check_action(s, action)
        position = s.execute(select(func.count()).where(PlanAction.goal_id == goal.id)).scalar_one()
        row = PlanAction(goal_id=goal.id, what=action.what, owner_staff_id=action.owner_staff_id,
                         owner_partner=action.owner_partner, due_on=action.due_on, position=position,
                         created_at=now_utc())
        s.add(row)
        s.flush()
        follow.plan_action_id = row.id
        s.flush()
        who.audit(s, "care_plan.follow_up_adopted", "plan_action", row.id, detail={"follow_up": follow.id})
        return CaseWorkChanged(plan.resident_id, "plan_action", row.id)


def set_aside_follow_up(who: SignedIn, follow_up_id: int) -> CaseWorkChanged:
    """The social worker decides a proposed follow-up needs no action of the plan."""
    who.require(Permission.WRITE_CARE_PLAN)
    with who.store.write() as s:
        follow = _follow_up(s, follow_up_id)
        refuse_if_closed(s, follow.resident_id)
        follow.set_aside_at, follow.set_aside_by = now_utc(), who.actor.account_id
        s.flush()
        who.audit(s, "care_plan.follow_up_set_aside", "resident", follow.resident_id,
                  detail={"follow_up": follow.id})
        return CaseWorkChanged(follow.resident_id, "session_follow_up", follow.id)


def remove_action(who: SignedIn, action_id: int) -> CaseWorkChanged:
    """Remove an action no agreed version carries."""
    who.require(Permission.WRITE_CARE_PLAN)
    with who.store.write() as s:
        row, plan = _action(s, action_id)
        if _in_a_version(s, plan.id, "action", row.id):
            raise ValidationError(_("This action is in a version agreed with the resident and stays in the plan. "
                                    "Add a progress note saying why it will not be done."), field="action")
        for note in s.execute(select(PlanActionNote).where(PlanActionNote.action_id == row.id)).scalars():
            s.delete(note)
        s.flush()
        s.delete(row)
        s.flush()
        who.audit(s, "care_plan.action_remove", "plan_action", action_id)
        return CaseWorkChanged(plan.resident_id, "plan_action", action_id)


def set_domain_reason(who: SignedIn, plan_id: int, domain: str, reason: str) -> CaseWorkChanged:
    """Why the plan has no goal in ``domain`` (an empty reason withdraws it)."""
    who.require(Permission.WRITE_CARE_PLAN)
    if domain not in ASSESSMENT_DOMAIN:
        raise ValidationError(_("Unknown domain."), field="domain")
    reason = _text(reason, "reason")
    with who.store.write() as s:
        plan = _writable_plan(s, plan_id)
        row = s.get(PlanDomainReason, (plan.id, domain))
        if row is not None and not reason:
            s.delete(row)
        elif row is not None:
            row.reason, row.written_at, row.written_by = reason, now_utc(), who.actor.account_id
        elif reason:
            s.add(PlanDomainReason(plan_id=plan.id, domain=domain, reason=reason, written_at=now_utc(),
                                   written_by=who.actor.account_id))
        s.flush()
        who.audit(s, "care_plan.domain_reason", "care_plan", plan.id, detail={"domain": domain})
        return CaseWorkChanged(plan.resident_id, "care_plan", plan.id)


def record_review(who: SignedIn, plan_id: int, reviewed_on: date, progress: Mapping[int, GoalProgress],
                  changes: str, next_review_on: date) -> CaseWorkChanged:
    """Record a review: progress on each goal (a goal's new status is applied
    to the plan, its earlier one kept), what was changed, the next review."""
    who.require(Permission.WRITE_CARE_PLAN)
    if reviewed_on > date.today():
        raise ValidationError(_("The review date is in the future."), field="reviewed_on")
    if next_review_on <= reviewed_on:
        raise ValidationError(_("The next review must come after this one."), field="next_review_on")
    if next_review_on > reviewed_on + timedelta(days=366):
        raise ValidationError(_("The next review is more than a year away."), field="next_review_on")
    changes = _text(changes, "changes")
    with who.store.write() as s:
        plan = _writable_plan(s, plan_id)
        if _last_version(s, plan.id) is None:
            raise ValidationError(_("Agree the plan with the resident before its first review."), field="plan")
        goals = {g.id: g for g in _goals(s, plan.id)}
        unknown = set(progress) - set(goals)
        if unknown:
            raise ValidationError(_("This goal no longer exists."), field="goal")
        checked: dict[int, GoalProgress] = {}
        for goal_id, p in progress.items():
            if p.status not in GOAL_STATUS:
                raise ValidationError(_("Choose a status."), field=f"status.{goal_id}")
            if p.status in REASON_NEEDED_STATUSES and not (p.status_reason.strip() or goals[goal_id].status_reason):
                raise ValidationError(_("Write why the goal was dropped or not achieved."),
                                      field=f"status_reason.{goal_id}")
            checked[goal_id] = replace(p, progress=_text(p.progress, f"progress.{goal_id}"))
        review = PlanReview(plan_id=plan.id, reviewed_on=reviewed_on, reviewed_by=who.actor.account_id,
                            changes=changes, next_review_on=next_review_on, recorded_at=now_utc())
        s.add(review)
        s.flush()
        for goal_id, p in checked.items():
            s.add(PlanReviewGoal(review_id=review.id, goal_id=goal_id, status=p.status, progress=p.progress))
            goal = goals[goal_id]
            new_reason = (p.status_reason.strip() or goal.status_reason) if p.status in REASON_NEEDED_STATUSES else ""
            if goal.status != p.status or goal.status_reason != new_reason:
                _record_changes(s, who, plan.resident_id, "plan_goal", goal.id,
                                {"status": goal.status, "status_reason": goal.status_reason},
                                {"status": p.status, "status_reason": new_reason}, _("At the review"))
                goal.status, goal.status_reason = p.status, new_reason
        plan.next_review_on = next_review_on
        s.flush()
        who.audit(s, "care_plan.review", "plan_review", review.id, detail={"plan": plan.id})
        return CaseWorkChanged(plan.resident_id, "plan_review", review.id)


def set_next_review(who: SignedIn, plan_id: int, next_review_on: date) -> CaseWorkChanged:
    who.require(Permission.WRITE_CARE_PLAN)
    if next_review_on < date.today():
        raise ValidationError(_("The next review date has passed."), field="next_review_on")
    with who.store.write() as s:
        plan = _writable_plan(s, plan_id)
        plan.next_review_on = next_review_on
        s.flush()
        who.audit(s, "care_plan.next_review", "care_plan", plan.id)
        return CaseWorkChanged(plan.resident_id, "care_plan", plan.id)


# -- approval ----------------------------------------------------------------------------------

def _event(s: Session, who: SignedIn, plan: CarePlan, kind: str, comment: str = "") -> PlanEvent:
    last = _last_version(s, plan.id)
    number = (last.number if last else 0) + (0 if kind == "agreed" else 1)
    row = PlanEvent(plan_id=plan.id, kind=kind, version_number=number, content_hash=_hash(_working(s, plan)),
                    comment=comment, at=now_utc(), by=who.actor.account_id)
    s.add(row)
    s.flush()
    who.audit(s, f"care_plan.{kind}", "care_plan", plan.id, detail={"version": number})
    return row


def submit_for_approval(who: SignedIn, plan_id: int) -> CaseWorkChanged:
    """Send the draft to a coordinator for approval (when approval is on)."""
    who.require(Permission.WRITE_CARE_PLAN)
    with who.store.write() as s:
        plan = _writable_plan(s, plan_id)
        view = _view(s, s.get(Resident, plan.resident_id), s.get(Stay, plan.stay_id))
        if not view.approval_required:
            raise ValidationError(_("Approval is not required in this shelter: agree the plan with the resident."),
                                  field="plan")
        blockers = [b for b in view.agree_blockers() if b != _("A coordinator must approve this draft first.")]
        if blockers:
            raise ValidationError(blockers[0], field="plan")
        if view.approval in ("submitted", "approved"):
            raise ValidationError(_("This draft has already been sent for approval."), field="plan")
        _event(s, who, plan, "submitted")
        return CaseWorkChanged(plan.resident_id, "care_plan", plan.id)


def _pending(s: Session, plan: CarePlan) -> None:
    view = _view(s, s.get(Resident, plan.resident_id), s.get(Stay, plan.stay_id))
    if view.approval != "submitted":
        raise ValidationError(_("This draft is not waiting for approval (it may have changed since it was sent)."),
                              field="plan")


def approve_plan(who: SignedIn, plan_id: int, comment: str = "") -> CaseWorkChanged:
    who.require(Permission.APPROVE_CARE_PLAN)
    with who.store.write() as s:
        plan = _writable_plan(s, plan_id)
        _pending(s, plan)
        _event(s, who, plan, "approved", _text(comment, "comment"))
        return CaseWorkChanged(plan.resident_id, "care_plan", plan.id)


def return_plan(who: SignedIn, plan_id: int, comment: str) -> CaseWorkChanged:
    """Return the draft to the social worker with a comment saying what to change."""
    who.require(Permission.APPROVE_CARE_PLAN)
    comment = _text(comment, "comment")
    if len(comment) < COMMENT_MIN:
        raise ValidationError(_("Say what should change (at least {n} characters).").format(n=COMMENT_MIN),
                              field="comment")
    with who.store.write() as s:
        plan = _writable_plan(s, plan_id)
        _pending(s, plan)
        _event(s, who, plan, "returned", comment)
        return CaseWorkChanged(plan.resident_id, "care_plan", plan.id)


# -- versions ------------------------------------------------------------------------------------

def _print_of(content: Mapping[str, Any], printed_by: str, draft: bool, code: str = "") -> CarePlanPrint:
    def day(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None
    plan = content["plan"]
    return CarePlanPrint(
        case_number=content["case_number"], resident_name=content["resident_name"], sex=content["sex"],
        shelter_name=content["shelter"], version=content["version"], draft=draft,
        reference="" if draft else content["reference"], verification_code=code,
        social_worker=content["social_worker"], interpreter=content.get("interpreter", ""),
        agreed_on=day(content.get("agreed_on")), next_review_on=day(content.get("next_review_on")),
        assessed_on=day(content.get("assessed_on")),
        goals=tuple(GoalLine(g["domain"], g["goal"], g["resident_words"], g["priority"], day(g["target_on"]),
                             g["status"], tuple(ActionLine(a["what"], a["owner"], day(a["due_on"]), day(a["done_on"]))
                                                for a in g["actions"]))
                    for g in plan["goals"]),
        no_goal_reasons=tuple((d, r) for d, r in plan["reasons"].items()
                              if not any(g["domain"] == d and g["status"] != "dropped" for g in plan["goals"])),
        printed_by=printed_by, printed_at=datetime.now())


def _content(s: Session, plan: CarePlan, number: int, lang: str, interpreter: str, agreed_on: date | None,
             next_review_on: date | None, reference: str) -> dict[str, Any]:
    resident = s.get(Resident, plan.resident_id)
    stay = s.get(Stay, plan.stay_id)
    shelter = s.get(Shelter, stay.shelter_id)
    assessed = [a for a in assessments_in(s, resident.id) if a.stay_id == stay.id]
    assignment = case_worker_of(s, stay.id)
    worker = staff_names(s, [assignment.staff_id]).get(assignment.staff_id, "") if assignment else ""
    return {
        "kind": KIND, "reference": reference, "case_number": resident.case_number,
        "resident_name": " / ".join(n for n in (resident.name_latin, resident.name_arabic) if n.strip()),
        "sex": resident.sex, "shelter": shelter.name if shelter else "", "version": number, "lang": lang,
        "interpreter": interpreter, "social_worker": worker,
        "agreed_on": agreed_on.isoformat() if agreed_on else None,
        "next_review_on": next_review_on.isoformat() if next_review_on else None,
        "assessed_on": assessed[0].assessed_on.isoformat() if assessed else None,
        "plan": _working(s, plan),
    }


def agree_version(who: SignedIn, plan_id: int, lang: str, interpreter: str = "",
                  agreed_on: date | None = None) -> AgreedPlan:
    """Agree the draft with the resident: freeze it as the next version, in
    the language she chose (``lang``, independent of the interface), and
    return the PDF she signs with its reference and verification code."""
    who.require(Permission.WRITE_CARE_PLAN)
    lang = document_language(lang)
    interpreter = " ".join(interpreter.split())
    if len(interpreter) > 200:
        raise ValidationError(_("This name is too long."), field="interpreter")
    agreed_on = agreed_on or date.today()
    if agreed_on > date.today():
        raise ValidationError(_("The date of agreement is in the future."), field="agreed_on")
    with who.store.write() as s:
        plan = _writable_plan(s, plan_id)
        resident = s.get(Resident, plan.resident_id)
        stay = s.get(Stay, plan.stay_id)
        view = _view(s, resident, stay)
        blockers = view.agree_blockers()
        if blockers:
            raise ValidationError(blockers[0], field="plan")
        if agreed_on < stay.admitted_at.astimezone().date():
            raise ValidationError(_("The date of agreement is before the admission."), field="agreed_on")
        if view.versions and agreed_on < view.versions[0].agreed_on:
            raise ValidationError(_("The date of agreement is before the previous version's."), field="agreed_on")
        number = view.draft_number
        plans_before = s.execute(select(func.count()).where(CarePlan.resident_id == resident.id,
                                                            CarePlan.id <= plan.id)).scalar_one()
        reference = f"{resident.case_number}-P{plans_before}-V{number}"
        if plan.next_review_on is None:
            plan.next_review_on = agreed_on + timedelta(days=load_settings(s).review_interval_days)
        content = _content(s, plan, number, lang, interpreter, agreed_on, plan.next_review_on, reference)
        code = verification_code(_document_key(s), content)
        row = PlanVersion(plan_id=plan.id, number=number, reference=reference, lang=lang, interpreter=interpreter,
                          content=_canonical(content).decode(), code=code, agreed_on=agreed_on, agreed_at=now_utc(),
                          agreed_by=who.actor.account_id)
        s.add(row)
        s.flush()
        _event(s, who, plan, "agreed")
        who.audit(s, "document.care_plan", "resident", resident.id,
                  detail={"reference": reference, "lang": lang, "version": number})
        # Built inside the transaction: if the PDF cannot be made, nothing is agreed.
        pdf = care_plan_document(_print_of(content, who.actor.display_name, False, code), lang)
        return AgreedPlan(CaseWorkChanged(resident.id, "plan_version", row.id), reference, code, number, pdf)


def print_care_plan(who: SignedIn, resident_id: int, lang: str, version: int | None = None,
                    draft: bool = False) -> PrintedPlan:
    """The PDF of a version as agreed (the latest when ``version`` is None),
    or, with ``draft`` or when none was agreed, of the draft marked as a
    draft. Audited ("document.care_plan_print")."""
    who.require(Permission.VIEW_CARE_PLAN)
    lang = document_language(lang)
    with who.store.write() as s:
        stay = require_stay(s, resident_id)
        plan = _plan_of_stay(s, stay.id)
        if plan is None:
            raise ValidationError(_("This resident has no care plan yet."), field="plan")
        q = select(PlanVersion).where(PlanVersion.plan_id == plan.id)
        row = None if draft else s.execute(
            q.where(PlanVersion.number == version) if version is not None
            else q.order_by(PlanVersion.number.desc()).limit(1)).scalar_one_or_none()
        if version is not None and not draft and row is None:
            raise ValidationError(_("There is no version {n} of this plan.").format(n=version), field="version")
        if row is None:
            last = _last_version(s, plan.id)
            number = (last.number if last else 0) + 1
            content = _content(s, plan, number, lang, "", None, plan.next_review_on, "")
            doc = _print_of(content, who.actor.display_name, True)
            reference = ""
        else:
            content = json.loads(row.content)
            doc = _print_of(content, who.actor.display_name, False, row.code)
            number, reference = row.number, row.reference
        who.audit(s, "document.care_plan_print", "resident", resident_id,
                  detail={"reference": reference, "lang": lang, "version": number, "draft": row is None})
        pdf = care_plan_document(doc, lang)
        return PrintedPlan(pdf, reference, row is None, number)


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[DiffLine]:
    lines: list[DiffLine] = []
    old_goals = {g["id"]: g for g in old["plan"]["goals"]}
    new_goals = {g["id"]: g for g in new["plan"]["goals"]}
    for gid, g in new_goals.items():
        if gid not in old_goals:
            lines.append(DiffLine("added", "goal", g["domain"], g["goal"]))
            lines += [DiffLine("added", "action", g["domain"], a["what"]) for a in g["actions"]]
            continue
        before = old_goals[gid]
        for name in ("goal", "resident_words", "priority", "target_on", "status", "status_reason"):
            if before.get(name) != g.get(name):
                lines.append(DiffLine("changed", "goal", g["domain"], g["goal"], name,
                                      str(before.get(name) or ""), str(g.get(name) or "")))
        old_actions = {a["id"]: a for a in before["actions"]}
        new_actions = {a["id"]: a for a in g["actions"]}
        for aid, a in new_actions.items():
            if aid not in old_actions:
                lines.append(DiffLine("added", "action", g["domain"], a["what"]))
                continue
            for name in ("what", "owner", "due_on", "done_on"):
                if old_actions[aid].get(name) != a.get(name):
                    lines.append(DiffLine("changed", "action", g["domain"], a["what"], name,
                                          str(old_actions[aid].get(name) or ""), str(a.get(name) or "")))
        lines += [DiffLine("removed", "action", g["domain"], a["what"])
                  for aid, a in old_actions.items() if aid not in new_actions]
    for gid, g in old_goals.items():
        if gid not in new_goals:
            lines.append(DiffLine("removed", "goal", g["domain"], g["goal"]))
    old_reasons, new_reasons = old["plan"]["reasons"], new["plan"]["reasons"]
    for domain in ASSESSMENT_DOMAIN.codes:
        a, b = old_reasons.get(domain, ""), new_reasons.get(domain, "")
        if a != b:
            kind = "added" if not a else "removed" if not b else "changed"
            lines.append(DiffLine(kind, "reason", domain, b or a, "reason", a, b))
    if old.get("next_review_on") != new.get("next_review_on"):
        lines.append(DiffLine("changed", "review", "", "", "next_review_on", old.get("next_review_on") or "",
                              new.get("next_review_on") or ""))
    return lines


def compare_versions(who: SignedIn, resident_id: int, old: int, new: int | None) -> list[DiffLine]:
    """What changed from version ``old`` to version ``new`` (the draft when None)."""
    who.require(Permission.VIEW_CARE_PLAN)
    with who.store.write() as s:
        stay = require_stay(s, resident_id)
        plan = _plan_of_stay(s, stay.id)
        if plan is None:
            raise ValidationError(_("This resident has no care plan yet."), field="plan")
        contents = {v.number: json.loads(v.content) for v in
                    s.execute(select(PlanVersion).where(PlanVersion.plan_id == plan.id)).scalars()}
        if old not in contents or (new is not None and new not in contents):
            raise ValidationError(_("There is no such version of this plan."), field="version")
        after = contents[new] if new is not None else {"plan": _working(s, plan),
                                                       "next_review_on": plan.next_review_on.isoformat()
                                                       if plan.next_review_on else None}
        who.audit(s, "care_plan.compare", "care_plan", plan.id, detail={"old": old, "new": new or 0})
        return _diff(contents[old], after)
