"""A resident's reintegration: the plan of her latest stay (the pathway, her
own choice and her informed consent to it), its milestones, her referrals to
partners, the follow-ups after discharge and the sustainability scores.

The plan is due ``Settings.reintegration_plan_days`` after admission and
shown as due until it is made. Making it adds the active milestone templates
of its pathway, each due that many days after the plan opens; a case adds
milestones of its own. A milestone's status changes are kept
(``MilestoneEvent``). After discharge, follow-ups fall due at
``Settings.follow_up_months`` months (calendar months: a discharge on 31
August has its 6-month follow-up on the last day of February); each contact
is recorded, reached or not, and ``Settings.lost_contact_attempts`` attempts
in a row without reaching the person mark the case "lost contact", which
stays visible until the case is closed or the person is reached again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelter.domain.care import due_state
from shelter.domain.changes import CaseWorkChanged
from shelter.domain.dates import now_utc
from shelter.domain.reintegration import (
    OPEN_MILESTONE_STATUSES,
    OPEN_REFERRAL_STATUSES,
    REASON_NEEDED_MILESTONE,
    Contact,
    Round,
    Scores,
    case_status,
    follow_up_rounds,
    lost_contact_on,
    next_round,
    plan_due_on,
    score,
)
from shelter.domain.sustainability import INDICATORS, Weight
from shelter.domain.vocabulary import FOLLOW_UP_METHOD, MILESTONE_STATUS, PATHWAY, SCORE_OCCASION
from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.security.permissions import Permission
from shelter.services.cases import (
    closure_in_force,
    follow_up_state_in,
    refuse_if_closed,
    require_stay,
    staff_names,
    summary_in,
    take_case_if_unheld,
)
from shelter.services.pathways import templates_in, weights_from_json, weights_in, weights_json
from shelter.services.settings import load_settings
from shelter.storage.models import (
    FollowUpContact,
    Milestone,
    MilestoneEvent,
    Partner,
    PartnerReferral,
    PathwayChange,
    ReintegrationPlan,
    Resident,
    StaffAccount,
    Stay,
    SustainabilityAnswer,
    SustainabilityScore,
)
from shelter.store import SignedIn

TEXT_MAX = 2000
TITLE_MAX = 200
REASON_MIN = 10  # characters: a reason, not "ok"


# -- what the tab shows ---------------------------------------------------------------

@dataclass(frozen=True)
class MilestoneHistory:
    status: str
    reason: str
    at: datetime
    by: str


@dataclass(frozen=True)
class MilestoneView:
    milestone_id: int
    code: str | None  # vocabulary.MILESTONE code, for a title translated in every language
    title: str  # the title written for it ("" when ``code`` names it)
    due_on: date | None
    owner_staff_id: int | None
    owner_staff: str
    owner_partner_id: int | None
    owner_partner: str
    status: str  # vocabulary.MILESTONE_STATUS code
    status_reason: str
    done_on: date | None
    from_template: bool
    history: tuple[MilestoneHistory, ...]  # oldest first
    due: str | None  # vocabulary.DUE_STATE code while open and dated

    @property
    def open(self) -> bool:
        return self.status in OPEN_MILESTONE_STATUSES


@dataclass(frozen=True)
class ReferralView:
    referral_id: int
    partner_id: int
    partner: str
    partner_kind: str
    partner_contact: str
    service: str
    referred_on: date
    follow_up_on: date | None
    status: str  # vocabulary.REFERRAL_STATUS code
    accepted_on: date | None
    refused_on: date | None
    completed_on: date | None
    answer_note: str
    without_consent: bool  # made with a written reason instead of the resident's consent
    consent_override: str
    made_by: str
    due: str | None  # vocabulary.DUE_STATE code of the follow-up, while open


@dataclass(frozen=True)
class ContactView:
    contact_id: int
    round_months: int
    contacted_on: date
    method: str  # vocabulary.FOLLOW_UP_METHOD code
    staff: str
    partner: str
    reached: bool
    situation: str
    next_step: str


@dataclass(frozen=True)
class ScoreView:
    score_id: int
    occasion: str  # vocabulary.SCORE_OCCASION code
    scored_on: date
    scores: Scores
    answers: Mapping[str, str]
    weights: Mapping[str, Weight]  # as the score was computed
    by: str


@dataclass(frozen=True)
class PlanPart:
    plan_id: int
    pathway: str  # vocabulary.PATHWAY code
    pathway_detail: str
    resident_choice: str
    opened_on: date
    consent_on: date | None
    made_by: str
    pathway_changes: tuple[tuple[str, str, str, datetime, str], ...]  # old, new, reason, when, by; oldest first


@dataclass(frozen=True)
class Reintegration:
    resident_id: int
    case_number: str
    sex: str
    stay_id: int
    in_residence: bool
    admitted_on: date
    discharged_on: date | None
    plan: PlanPart | None
    plan_due_on: date  # when the plan is (or was) due
    milestones: tuple[MilestoneView, ...]
    referrals: tuple[ReferralView, ...]  # newest first
    rounds: tuple[Round, ...]
    contacts: tuple[ContactView, ...]  # newest first
    lost_contact_on: date | None
    scores: tuple[ScoreView, ...]  # oldest first
    stage: str  # vocabulary.CASE_STAGE code
    status: str  # vocabulary.CASE_STATUS code (HTCDS)
    closed: bool
    closure_reason: str | None
    follow_up_months: tuple[int, ...] = field(default=())
    case_worker: str = ""  # the social worker holding the case: whoever no one else is named for
    accompanied: bool = False  # an accompanying child: the parent's plan covers her or him

    @property
    def plan_due(self) -> str | None:
        """The plan's ``vocabulary.DUE_STATE`` while it is not made (in residence)."""
        if self.plan is not None or not self.in_residence or self.accompanied:
            return None
        return due_state(self.plan_due_on, date.today())

    @property
    def next_round(self) -> Round | None:
        return next_round(self.rounds)

    @property
    def ready_to_close(self) -> bool:
        """Discharged, not closed, and no follow-up left to do (each done, or contact lost)."""
        return (not self.in_residence and not self.closed and self.plan is not None
                and (self.lost_contact_on is not None or all(r.state == "done" for r in self.rounds)))


def _local_day(at: datetime) -> date:
    return at.astimezone().date()


def _contacts(s: Session, stay_id: int) -> list[FollowUpContact]:
    return list(s.execute(select(FollowUpContact).where(FollowUpContact.stay_id == stay_id)
                          .order_by(FollowUpContact.contacted_on, FollowUpContact.id)).scalars())


def reintegration_in(s: Session, resident_id: int, today: date | None = None) -> Reintegration:
    today = today or date.today()
    stay = require_stay(s, resident_id)
    resident = s.get(Resident, resident_id)
    settings = load_settings(s)
    plan = s.execute(select(ReintegrationPlan).where(ReintegrationPlan.stay_id == stay.id)).scalar_one_or_none()
    milestones = list(s.execute(select(Milestone).where(Milestone.plan_id == plan.id)
                                .order_by(Milestone.position, Milestone.id)).scalars()) if plan else []
    events: dict[int, list[MilestoneEvent]] = {}
    if milestones:
        for ev in s.execute(select(MilestoneEvent).where(MilestoneEvent.milestone_id.in_([m.id for m in milestones]))
                            .order_by(MilestoneEvent.at, MilestoneEvent.id)).scalars():
            events.setdefault(ev.milestone_id, []).append(ev)
    changes = list(s.execute(select(PathwayChange).where(PathwayChange.plan_id == plan.id)
                             .order_by(PathwayChange.changed_at)).scalars()) if plan else []
    referrals = list(s.execute(select(PartnerReferral).where(PartnerReferral.stay_id == stay.id)
                               .order_by(PartnerReferral.referred_on.desc(), PartnerReferral.id.desc())).scalars())
    contacts = _contacts(s, stay.id)
    score_rows = list(s.execute(select(SustainabilityScore).where(SustainabilityScore.stay_id == stay.id)
                                .order_by(SustainabilityScore.scored_on, SustainabilityScore.id)).scalars())
    answers: dict[int, dict[str, str]] = {}
    if score_rows:
        for a in s.execute(select(SustainabilityAnswer).where(
                SustainabilityAnswer.score_id.in_([r.id for r in score_rows]))).scalars():
            answers.setdefault(a.score_id, {})[a.indicator] = a.answer
    partner_ids = ({m.owner_partner_id for m in milestones} | {r.partner_id for r in referrals}
                   | {c.partner_id for c in contacts})
    wanted = [i for i in partner_ids if i is not None]
    partner_rows = ({p.id: p for p in s.execute(select(Partner).where(Partner.id.in_(wanted))).scalars()}
                    if wanted else {})
    names = staff_names(s, {m.owner_staff_id for m in milestones} | {e.by for evs in events.values() for e in evs}
                        | {c.staff_id for c in contacts} | {r.recorded_by for r in score_rows}
                        | {r.created_by for r in referrals} | {plan.created_by if plan else None}
                        | {c.changed_by for c in changes})

    def partner_name(pid: int | None) -> str:
        return partner_rows[pid].name if pid in partner_rows else ""

    milestone_views = tuple(
        MilestoneView(m.id, m.code, m.title, m.due_on, m.owner_staff_id, names.get(m.owner_staff_id or 0, ""),
                      m.owner_partner_id, partner_name(m.owner_partner_id), m.status, m.status_reason, m.done_on,
                      m.template_id is not None,
                      tuple(MilestoneHistory(e.status, e.reason, e.at, names.get(e.by or 0, ""))
                            for e in events.get(m.id, [])),
                      due_state(m.due_on, today) if m.status in OPEN_MILESTONE_STATUSES and m.due_on else None)
        for m in milestones)
    referral_views = tuple(
        ReferralView(r.id, r.partner_id, partner_name(r.partner_id), partner_rows[r.partner_id].kind,
                     partner_rows[r.partner_id].contact, r.service, r.referred_on, r.follow_up_on, r.status,
                     r.accepted_on, r.refused_on, r.completed_on, r.answer_note, bool(r.consent_override),
                     r.consent_override, names.get(r.created_by or 0, ""),
                     due_state(r.follow_up_on, today) if r.status in OPEN_REFERRAL_STATUSES and r.follow_up_on
                     else None)
        for r in referrals)
    months = settings.follow_up_months
    discharged = _local_day(stay.discharged_at) if stay.discharged_at else None
    domain_contacts = [Contact(c.contacted_on, c.round_months, c.reached) for c in contacts]
    rounds = tuple(follow_up_rounds(discharged, months, domain_contacts, settings.lost_contact_attempts))
    lost = lost_contact_on(domain_contacts, settings.lost_contact_attempts) if discharged else None
    contact_views = tuple(ContactView(c.id, c.round_months, c.contacted_on, c.method,
                                      names.get(c.staff_id or 0, ""), partner_name(c.partner_id), c.reached,
                                      c.situation, c.next_step) for c in reversed(contacts))
    score_views = tuple(ScoreView(r.id, r.occasion, r.scored_on,
                                  Scores(r.economic, r.social, r.psychosocial, r.overall, r.answered),
                                  answers.get(r.id, {}), weights_from_json(r.weights), names.get(r.recorded_by or 0, ""))
                        for r in score_rows)
    plan_part = None
    if plan is not None:
        plan_part = PlanPart(plan.id, plan.pathway, plan.pathway_detail, plan.resident_choice, plan.opened_on,
                             plan.consent_on, names.get(plan.created_by or 0, ""),
                             tuple((c.old_pathway, c.new_pathway, c.reason, c.changed_at,
                                    names.get(c.changed_by or 0, "")) for c in changes))
    summary = summary_in(s, resident_id)
    closure = closure_in_force(s, resident_id)
    return Reintegration(
        resident_id, resident.case_number, resident.sex, stay.id, stay.discharged_at is None,
        _local_day(stay.admitted_at), discharged, plan_part,
        plan_due_on(_local_day(stay.admitted_at), settings.reintegration_plan_days), milestone_views,
        referral_views, rounds, contact_views, lost, score_views, summary.stage,
        case_status(summary.stage, closure.reason if closure else None), closure is not None,
        closure.reason if closure else None, months, summary.case_worker, resident.parent_id is not None)


def reintegration(who: SignedIn, resident_id: int, today: date | None = None) -> Reintegration:
    """Everything of the resident's reintegration (her latest stay). Audited ("reintegration.view")."""
    who.require(Permission.VIEW_REINTEGRATION)
    with who.store.write() as s:
        view = reintegration_in(s, resident_id, today)
        who.audit(s, "reintegration.view", "resident", resident_id)
        return view


# -- the plan ------------------------------------------------------------------------

def _plan_of(s: Session, resident_id: int) -> tuple[Stay, ReintegrationPlan]:
    stay = require_stay(s, resident_id)
    plan = s.execute(select(ReintegrationPlan).where(ReintegrationPlan.stay_id == stay.id)).scalar_one_or_none()
    if plan is None:
        raise ValidationError(_("This resident has no reintegration plan yet."), field="plan")
    return stay, plan


def _check_plan(pathway: str, pathway_detail: str, resident_choice: str) -> tuple[str, str]:
    if pathway not in PATHWAY:
        raise ValidationError(_("Choose the pathway."), field="pathway")
    pathway_detail = " ".join(pathway_detail.split())
    if pathway == "other" and not pathway_detail:
        raise ValidationError(_("Say what the pathway is."), field="pathway_detail")
    if len(pathway_detail) > TITLE_MAX:
        raise ValidationError(_("This is too long (at most {n} characters).").format(n=TITLE_MAX),
                              field="pathway_detail")
    resident_choice = resident_choice.strip()
    if len(resident_choice) > TEXT_MAX:
        raise ValidationError(_("This is too long (at most {n} characters).").format(n=TEXT_MAX),
                              field="resident_choice")
    return pathway_detail, resident_choice


def _check_day(day: date | None, field_name: str, not_before: date, before_message: str) -> None:
    if day is None:
        return
    if day > date.today():
        raise ValidationError(_("This date is in the future."), field=field_name)
    if day < not_before:
        raise ValidationError(before_message, field=field_name)


def _add_template_milestones(s: Session, who: SignedIn, plan: ReintegrationPlan, start: int) -> int:
    from datetime import timedelta

    added = 0
    for position, template in enumerate(templates_in(s, plan.pathway), start=start):
        row = Milestone(plan_id=plan.id, template_id=template.id, code=template.code, title=template.title,
                        due_on=plan.opened_on + timedelta(days=template.offset_days), status="planned",
                        position=position, created_at=now_utc(), created_by=who.actor.account_id)
        s.add(row)
        s.flush()
        s.add(MilestoneEvent(milestone_id=row.id, status="planned", at=row.created_at, by=who.actor.account_id))
        added += 1
    return added


def make_plan(who: SignedIn, resident_id: int, pathway: str, resident_choice: str = "", pathway_detail: str = "",
              opened_on: date | None = None, consent_on: date | None = None) -> CaseWorkChanged:
    """Make the reintegration plan of the resident's latest stay, on
    ``pathway`` (a ``vocabulary.PATHWAY`` code), with her choice in her own
    words and the day she gave informed consent to it (None: not yet). The
    pathway's templates become its first milestones."""
    who.require(Permission.WRITE_REINTEGRATION)
    pathway_detail, resident_choice = _check_plan(pathway, pathway_detail, resident_choice)
    opened_on = opened_on or date.today()
    with who.store.write() as s:
        stay = require_stay(s, resident_id)
        refuse_if_closed(s, resident_id)
        admitted = _local_day(stay.admitted_at)
        _check_day(opened_on, "opened_on", admitted, _("The plan cannot open before the admission."))
        _check_day(consent_on, "consent_on", opened_on, _("Consent is dated before the plan opened."))
        if s.execute(select(ReintegrationPlan.id).where(ReintegrationPlan.stay_id == stay.id)).first():
            raise ValidationError(_("This stay already has a reintegration plan."), field="pathway")
        plan = ReintegrationPlan(stay_id=stay.id, resident_id=resident_id, pathway=pathway,
                                 pathway_detail=pathway_detail, resident_choice=resident_choice, opened_on=opened_on,
                                 consent_on=consent_on, created_at=now_utc(), created_by=who.actor.account_id)
        s.add(plan)
        s.flush()
        added = _add_template_milestones(s, who, plan, 0)
        take_case_if_unheld(s, who, stay.id)
        who.audit(s, "reintegration.plan", "resident", resident_id,
                  detail={"pathway": pathway, "milestones": added, "consent": consent_on is not None})
        return CaseWorkChanged(resident_id, "reintegration_plan", plan.id)


def update_plan(who: SignedIn, resident_id: int, resident_choice: str, pathway_detail: str = "",
                consent_on: date | None = None) -> CaseWorkChanged:
    """Change the resident's words, the pathway's detail or the day of her consent."""
    who.require(Permission.WRITE_REINTEGRATION)
    with who.store.write() as s:
        _stay, plan = _plan_of(s, resident_id)
        refuse_if_closed(s, resident_id)
        pathway_detail, resident_choice = _check_plan(plan.pathway, pathway_detail, resident_choice)
        _check_day(consent_on, "consent_on", plan.opened_on, _("Consent is dated before the plan opened."))
        plan.resident_choice, plan.pathway_detail, plan.consent_on = resident_choice, pathway_detail, consent_on
        s.flush()
        who.audit(s, "reintegration.plan_update", "resident", resident_id,
                  detail={"consent": consent_on is not None})
        return CaseWorkChanged(resident_id, "reintegration_plan", plan.id)


def change_pathway(who: SignedIn, resident_id: int, pathway: str, reason: str, pathway_detail: str = ""
                   ) -> CaseWorkChanged:
    """Change the pathway, with a written reason; the earlier one is kept.
    The old pathway's template milestones not yet started become "not
    applicable"; the new pathway's templates are added. Consent is asked
    again: it was given to the earlier pathway."""
    who.require(Permission.WRITE_REINTEGRATION)
    reason = reason.strip()
    if len(reason) < REASON_MIN:
        raise ValidationError(_("Write why the pathway changes (at least {n} characters).").format(n=REASON_MIN),
                              field="reason")
    pathway_detail, _choice = _check_plan(pathway, pathway_detail, "")
    with who.store.write() as s:
        _stay, plan = _plan_of(s, resident_id)
        refuse_if_closed(s, resident_id)
        if pathway == plan.pathway:
            raise ValidationError(_("This is already the plan's pathway."), field="pathway")
        now = now_utc()
        s.add(PathwayChange(plan_id=plan.id, old_pathway=plan.pathway, new_pathway=pathway, reason=reason,
                            changed_at=now, changed_by=who.actor.account_id))
        note = _("The pathway changed.")
        milestones = list(s.execute(select(Milestone).where(Milestone.plan_id == plan.id)).scalars())
        for m in milestones:
            if m.template_id is not None and m.status == "planned":
                m.status, m.status_reason = "not_applicable", note
                s.add(MilestoneEvent(milestone_id=m.id, status="not_applicable", reason=note, at=now,
                                     by=who.actor.account_id))
        plan.pathway, plan.pathway_detail, plan.consent_on = pathway, pathway_detail, None
        s.flush()
        added = _add_template_milestones(s, who, plan, max((m.position for m in milestones), default=-1) + 1)
        who.audit(s, "reintegration.pathway", "resident", resident_id,
                  detail={"pathway": pathway, "milestones": added})
        return CaseWorkChanged(resident_id, "reintegration_plan", plan.id)


# -- milestones ---------------------------------------------------------------------

def _owner(s: Session, staff_id: int | None, partner_id: int | None) -> None:
    if staff_id is not None and partner_id is not None:
        raise ValidationError(_("Choose one person or one partner as responsible, not both."), field="owner")
    if staff_id is not None:
        account = s.get(StaffAccount, staff_id)
        if account is None or not account.active:
            raise ValidationError(_("Choose an active staff member."), field="owner")
    if partner_id is not None:
        partner = s.get(Partner, partner_id)
        if partner is None or not partner.active:
            raise ValidationError(_("Choose a partner from the directory."), field="owner")


def _milestone(s: Session, milestone_id: int) -> tuple[Milestone, ReintegrationPlan]:
    row = s.get(Milestone, milestone_id)
    if row is None:
        raise ValidationError(_("This milestone no longer exists."), field="milestone")
    plan = s.get(ReintegrationPlan, row.plan_id)
    refuse_if_closed(s, plan.resident_id)
    return row, plan


def add_milestone(who: SignedIn, resident_id: int, title: str, due_on: date | None = None,
                  owner_staff_id: int | None = None, owner_partner_id: int | None = None) -> CaseWorkChanged:
    """A milestone of the case's own."""
    who.require(Permission.WRITE_REINTEGRATION)
    title = " ".join(title.split())
    if not title:
        raise ValidationError(_("Write the milestone."), field="title")
    if len(title) > TITLE_MAX:
        raise ValidationError(_("The title is too long (at most {n} characters).").format(n=TITLE_MAX), field="title")
    with who.store.write() as s:
        _stay, plan = _plan_of(s, resident_id)
        refuse_if_closed(s, resident_id)
        _owner(s, owner_staff_id, owner_partner_id)
        if due_on is not None and due_on < plan.opened_on:
            raise ValidationError(_("The due date is before the plan opened."), field="due_on")
        last = max(s.execute(select(Milestone.position).where(Milestone.plan_id == plan.id)).scalars(), default=-1)
        now = now_utc()
        row = Milestone(plan_id=plan.id, code=None, title=title, due_on=due_on, owner_staff_id=owner_staff_id,
                        owner_partner_id=owner_partner_id, status="planned", position=last + 1, created_at=now,
                        created_by=who.actor.account_id)
        s.add(row)
        s.flush()
        s.add(MilestoneEvent(milestone_id=row.id, status="planned", at=now, by=who.actor.account_id))
        who.audit(s, "reintegration.milestone_add", "resident", resident_id, detail={"milestone": row.id})
        return CaseWorkChanged(resident_id, "milestone", row.id)


def update_milestone(who: SignedIn, milestone_id: int, due_on: date | None, owner_staff_id: int | None = None,
                     owner_partner_id: int | None = None, title: str | None = None) -> CaseWorkChanged:
    """Move a milestone's due date, give it to someone else, or (for one of
    the case's own, or to write a title over a template's) rename it."""
    who.require(Permission.WRITE_REINTEGRATION)
    with who.store.write() as s:
        row, plan = _milestone(s, milestone_id)
        _owner(s, owner_staff_id, owner_partner_id)
        if due_on is not None and due_on < plan.opened_on:
            raise ValidationError(_("The due date is before the plan opened."), field="due_on")
        if title is not None:
            title = " ".join(title.split())
            if len(title) > TITLE_MAX:
                raise ValidationError(_("The title is too long (at most {n} characters).").format(n=TITLE_MAX),
                                      field="title")
            if not title and row.code is None:
                raise ValidationError(_("Write the milestone."), field="title")
            row.title = title
        row.due_on, row.owner_staff_id, row.owner_partner_id = due_on, owner_staff_id, owner_partner_id
        s.flush()
        who.audit(s, "reintegration.milestone_update", "resident", plan.resident_id, detail={"milestone": row.id})
        return CaseWorkChanged(plan.resident_id, "milestone", row.id)


def set_milestone_status(who: SignedIn, milestone_id: int, status: str, reason: str = "",
                         done_on: date | None = None) -> CaseWorkChanged:
    """Set a milestone's status (``vocabulary.MILESTONE_STATUS``): "blocked"
    and "not applicable" need a reason; "done" is dated (today when None).
    The change is kept in the milestone's history."""
    who.require(Permission.WRITE_REINTEGRATION)
    if status not in MILESTONE_STATUS:
        raise ValidationError(_("Choose a status."), field="status")
    reason = reason.strip()
    if status in REASON_NEEDED_MILESTONE and not reason:
        raise ValidationError(_("Write why (what blocks it, or why it does not apply)."), field="reason")
    if len(reason) > TEXT_MAX:
        raise ValidationError(_("This is too long (at most {n} characters).").format(n=TEXT_MAX), field="reason")
    with who.store.write() as s:
        row, plan = _milestone(s, milestone_id)
        if status == "done":
            done_on = done_on or date.today()
            _check_day(done_on, "done_on", plan.opened_on, _("The date is before the plan opened."))
        if status == row.status and reason == row.status_reason and (status != "done" or done_on == row.done_on):
            return CaseWorkChanged(plan.resident_id, "milestone", row.id)
        row.status, row.status_reason = status, reason
        row.done_on = done_on if status == "done" else None
        s.add(MilestoneEvent(milestone_id=row.id, status=status, reason=reason, at=now_utc(),
                             by=who.actor.account_id))
        s.flush()
        who.audit(s, "reintegration.milestone_status", "resident", plan.resident_id,
                  detail={"milestone": row.id, "status": status})
        return CaseWorkChanged(plan.resident_id, "milestone", row.id)


# -- follow-up after discharge -------------------------------------------------------------

@dataclass(frozen=True)
class ContactRecorded:
    change: CaseWorkChanged
    lost_contact: bool  # contact is now lost (this attempt was the last one allowed)


def record_contact(who: SignedIn, resident_id: int, round_months: int, method: str, reached: bool,
                   contacted_on: date | None = None, situation: str = "", next_step: str = "",
                   partner_id: int | None = None) -> ContactRecorded:
    """Record an attempt to reach the person after discharge, for the
    follow-up ``round_months`` after it (0: an extra contact), reached or
    not. Through a partner, the partner is named."""
    who.require(Permission.WRITE_REINTEGRATION)
    if method not in FOLLOW_UP_METHOD:
        raise ValidationError(_("Choose how the contact was made."), field="method")
    if method == "partner" and partner_id is None:
        raise ValidationError(_("Choose the partner who made the contact."), field="partner")
    situation, next_step = situation.strip(), next_step.strip()
    if reached and not situation:
        raise ValidationError(_("Write the situation found."), field="situation")
    for name, text in (("situation", situation), ("next_step", next_step)):
        if len(text) > TEXT_MAX:
            raise ValidationError(_("This is too long (at most {n} characters).").format(n=TEXT_MAX), field=name)
    contacted_on = contacted_on or date.today()
    with who.store.write() as s:
        stay = require_stay(s, resident_id)
        refuse_if_closed(s, resident_id)
        settings = load_settings(s)
        if stay.discharged_at is None:
            raise ValidationError(_("Follow-up comes after the discharge: the person is still in residence."),
                                  field="round")
        if round_months != 0 and round_months not in settings.follow_up_months:
            raise ValidationError(_("Choose the follow-up this contact is for."), field="round")
        _check_day(contacted_on, "contacted_on", _local_day(stay.discharged_at),
                   _("The contact is dated before the discharge."))
        if partner_id is not None:
            partner = s.get(Partner, partner_id)
            if partner is None:
                raise ValidationError(_("Choose a partner from the directory."), field="partner")
        was_lost = follow_up_state_in(s, stay, settings.follow_up_months, settings.lost_contact_attempts)[1]
        row = FollowUpContact(stay_id=stay.id, resident_id=resident_id, round_months=round_months,
                              contacted_on=contacted_on, method=method, staff_id=who.actor.account_id,
                              partner_id=partner_id if method == "partner" else None, reached=reached,
                              situation=situation, next_step=next_step, recorded_at=now_utc(),
                              recorded_by=who.actor.account_id)
        s.add(row)
        s.flush()
        take_case_if_unheld(s, who, stay.id)
        lost = follow_up_state_in(s, stay, settings.follow_up_months, settings.lost_contact_attempts)[1]
        who.audit(s, "reintegration.follow_up", "resident", resident_id,
                  detail={"round": round_months, "reached": reached, "method": method})
        if lost is not None and was_lost is None:
            who.audit(s, "reintegration.lost_contact", "resident", resident_id)
        return ContactRecorded(CaseWorkChanged(resident_id, "follow_up_contact", row.id),
                               lost is not None and was_lost is None)


# -- the sustainability score ---------------------------------------------------------------

def record_score(who: SignedIn, resident_id: int, occasion: str, answers: Mapping[str, str],
                 scored_on: date | None = None, contact_id: int | None = None) -> CaseWorkChanged:
    """Record a sustainability survey: an answer per indicator (indicator
    code -> answer code; an indicator may be left out). The scores are
    computed with the weights in force and kept with them."""
    who.require(Permission.WRITE_REINTEGRATION)
    if occasion not in SCORE_OCCASION:
        raise ValidationError(_("Choose when the survey is made."), field="occasion")
    known = {i.code: {a.code for a in i.answers} for i in INDICATORS}
    for code, answer in answers.items():
        if code not in known:
            raise ValidationError(_("Unknown indicator."), field=code)
        if answer not in known[code]:
            raise ValidationError(_("Choose one of the answers."), field=code)
    scored_on = scored_on or date.today()
    with who.store.write() as s:
        stay = require_stay(s, resident_id)
        refuse_if_closed(s, resident_id)
        _check_day(scored_on, "scored_on", _local_day(stay.admitted_at), _("The survey is dated before the admission."))
        if contact_id is not None:
            contact = s.get(FollowUpContact, contact_id)
            if contact is None or contact.stay_id != stay.id:
                raise ValidationError(_("This follow-up is not of this stay."), field="contact")
        weights = weights_in(s)
        result = score(answers, weights)
        if result.answered == 0:
            raise ValidationError(_("Answer at least one question."), field="answers")
        row = SustainabilityScore(stay_id=stay.id, resident_id=resident_id, occasion=occasion, contact_id=contact_id,
                                  scored_on=scored_on, economic=result.economic, social=result.social,
                                  psychosocial=result.psychosocial, overall=result.overall,
                                  answered=result.answered, weights=weights_json(weights), recorded_at=now_utc(),
                                  recorded_by=who.actor.account_id)
        s.add(row)
        s.flush()
        take_case_if_unheld(s, who, stay.id)
        for code, answer in sorted(answers.items()):
            s.add(SustainabilityAnswer(score_id=row.id, indicator=code, answer=answer))
        s.flush()
        who.audit(s, "reintegration.score", "resident", resident_id,
                  detail={"occasion": occasion, "answered": result.answered})
        return CaseWorkChanged(resident_id, "sustainability_score", row.id)
