"""Data export: every record the signed-in person may see, as one JSON file.

The format is documented in ``docs/export-format.md`` and versioned
(``FORMAT_VERSION``): a program written against the document reads any
export of that version. Records are flat lists that name each other by id,
so they load into a spreadsheet or another database without Shelter.

An export is the one copy the person asked for, and it is not encrypted: it
is written atomically with owner-only permissions, and audited (by counts,
never content) before the file exists, then again when the write ended
(``shelter.services.outputs``). ``export_document``, which hands the whole
export to its caller, is audited too. Each later feature adds its records
here and to the document.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelter import __version__
from shelter.security.permissions import Permission
from shelter.services.outputs import check_target, write_recorded
from shelter.storage.models import (
    Assessment,
    AssessmentScore,
    Bed,
    BedAssignment,
    BedServiceChange,
    CarePlan,
    CaseAssignment,
    CaseClosure,
    CounsellingSession,
    FollowUpContact,
    MeetingRoom,
    Milestone,
    MilestoneEvent,
    MilestoneTemplate,
    Partner,
    PartnerReferral,
    PathwayChange,
    PlanAction,
    PlanActionNote,
    PlanDomainReason,
    PlanEvent,
    PlanGoal,
    PlanReview,
    PlanReviewGoal,
    PlanVersion,
    RecordChange,
    Referral,
    ReintegrationDocument,
    ReintegrationPlan,
    Reservation,
    Resident,
    Room,
    SessionAttendee,
    SessionFollowUp,
    SessionRelative,
    SessionSeries,
    Shelter,
    StaffAccount,
    Stay,
    SustainabilityAnswer,
    SustainabilityScore,
    SustainabilityWeight,
    UnmetRequest,
)
from shelter.store import SignedIn

FORMAT = "shelter-export"
FORMAT_VERSION = 6

Record = dict[str, Any]


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _split(value: str, separator: str) -> list[str]:
    return [part for part in value.split(separator) if part]


def _shelters(s: Session) -> list[Record]:
    return [{"id": x.id, "code": x.code, "name": x.name, "city": x.city, "receives_women": x.receives_women,
             "receives_men": x.receives_men, "receives_minors": x.receives_minors, "active": x.active,
             "created_at": _moment(x.created_at)}
            for x in s.execute(select(Shelter).order_by(Shelter.id)).scalars()]


def _rooms(s: Session) -> list[Record]:
    return [{"id": x.id, "shelter_id": x.shelter_id, "name": x.name, "women_only": x.women_only,
             "men_only": x.men_only, "minors": x.minors, "accessible": x.accessible, "active": x.active}
            for x in s.execute(select(Room).order_by(Room.id)).scalars()]


def _beds(s: Session) -> list[Record]:
    return [{"id": x.id, "room_id": x.room_id, "label": x.label, "in_service": x.active,
             "out_of_service_reason": x.out_of_service_reason, "out_of_service_until": _day(x.out_of_service_until)}
            for x in s.execute(select(Bed).order_by(Bed.id)).scalars()]


def _bed_service_changes(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "bed_id": x.bed_id, "changed_at": _moment(x.changed_at), "in_service": x.in_service,
             "changed_by": who.get(x.changed_by or 0)}
            for x in s.execute(select(BedServiceChange).order_by(BedServiceChange.id)).scalars()]


def _reservations(s: Session) -> list[Record]:
    return [{"id": x.id, "bed_id": x.bed_id, "label": x.label, "reserved_at": _moment(x.reserved_at),
             "expires_at": _moment(x.expires_at), "closed_at": _moment(x.closed_at),
             "admitted_stay_id": x.admitted_stay_id}
            for x in s.execute(select(Reservation).order_by(Reservation.id)).scalars()]


def _residents(s: Session) -> list[Record]:
    return [{
        "id": x.id, "case_number": x.case_number, "name_arabic": x.name_arabic, "name_latin": x.name_latin,
        "preferred_name": x.preferred_name, "sex": x.sex, "birth_date": _day(x.birth_date),
        "birth_year_estimated": x.birth_year_estimated, "nationality": x.nationality,
        "languages": _split(x.languages, ","), "interpreter_needed": x.interpreter_needed, "parent_id": x.parent_id,
        "exploitation": _split(x.exploitation, ","), "exploitation_country": x.exploitation_country,
        "exploitation_scope": x.exploitation_scope, "flag_trafficker_contact": x.flag_trafficker_contact,
        "flag_no_visits": x.flag_no_visits, "flag_no_phone": x.flag_no_phone,
        "flag_media_exposure": x.flag_media_exposure, "risk_level": x.risk_level,
        "consent_processing": x.consent_processing, "consent_processing_on": _day(x.consent_processing_on),
        "consent_processing_withdrawn_on": _day(x.consent_processing_withdrawn_on),
        "consent_sharing": _split(x.consent_sharing, "\n"), "consent_sharing_on": _day(x.consent_sharing_on),
        "created_at": _moment(x.created_at), "consent_reporting": x.consent_reporting,
        "consent_reporting_on": _day(x.consent_reporting_on),
    } for x in s.execute(select(Resident).order_by(Resident.id)).scalars()]


def _referrals(s: Session) -> list[Record]:
    return [{"id": x.id, "stay_id": x.stay_id, "referred_on": _day(x.referred_on), "source": x.source,
             "agency": x.agency, "contact": x.contact, "identification": x.identification,
             "identified_by": x.identified_by, "identified_on": _day(x.identified_on)}
            for x in s.execute(select(Referral).order_by(Referral.id)).scalars()]


def _stays(s: Session) -> list[Record]:
    return [{"id": x.id, "resident_id": x.resident_id, "shelter_id": x.shelter_id,
             "admitted_at": _moment(x.admitted_at), "discharged_at": _moment(x.discharged_at),
             "destination": x.destination, "discharge_note": x.discharge_note}
            for x in s.execute(select(Stay).order_by(Stay.id)).scalars()]


def _bed_assignments(s: Session) -> list[Record]:
    return [{"id": x.id, "stay_id": x.stay_id, "bed_id": x.bed_id, "started_at": _moment(x.started_at),
             "ended_at": _moment(x.ended_at)}
            for x in s.execute(select(BedAssignment).order_by(BedAssignment.id)).scalars()]


def _record_changes(s: Session) -> list[Record]:
    return [{"id": x.id, "resident_id": x.resident_id, "record_type": x.record_type, "record_id": x.record_id,
             "changed_field": x.field, "old_value": x.old_value, "new_value": x.new_value, "reason": x.reason,
             "changed_at": _moment(x.changed_at), "changed_by": username}
            for x, username in s.execute(select(RecordChange, StaffAccount.username)
                                         .outerjoin(StaffAccount, StaffAccount.id == RecordChange.changed_by)
                                         .order_by(RecordChange.id))]


def _usernames(s: Session) -> dict[int, str]:
    return dict(s.execute(select(StaffAccount.id, StaffAccount.username)).all())


def _case_assignments(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "stay_id": x.stay_id, "social_worker": who.get(x.staff_id),
             "started_at": _moment(x.started_at), "ended_at": _moment(x.ended_at),
             "assigned_by": who.get(x.assigned_by or 0)}
            for x in s.execute(select(CaseAssignment).order_by(CaseAssignment.id)).scalars()]


def _case_closures(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "resident_id": x.resident_id, "closed_on": _day(x.closed_on), "reason": x.reason,
             "reason_text": x.reason_text, "closed_at": _moment(x.closed_at), "closed_by": who.get(x.closed_by or 0),
             "reopened_at": _moment(x.reopened_at), "reopened_by": who.get(x.reopened_by or 0),
             "reopen_reason": x.reopen_reason}
            for x in s.execute(select(CaseClosure).order_by(CaseClosure.id)).scalars()]


def _assessments(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "resident_id": x.resident_id, "stay_id": x.stay_id, "kind": x.kind,
             "assessed_on": _day(x.assessed_on), "assessed_by": who.get(x.assessed_by or 0), "note": x.note,
             "recorded_at": _moment(x.recorded_at)}
            for x in s.execute(select(Assessment).order_by(Assessment.id)).scalars()]


def _numbered(records: list[Record]) -> list[Record]:
    """Records whose table has no id of its own get their place in the list."""
    return [{"id": i, **r} for i, r in enumerate(records, 1)]


def _assessment_scores(s: Session) -> list[Record]:
    return _numbered([{"assessment_id": x.assessment_id, "domain": x.domain, "score": x.score, "note": x.note}
                      for x in s.execute(select(AssessmentScore).order_by(AssessmentScore.assessment_id,
                                                                          AssessmentScore.domain)).scalars()])


def _care_plans(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "stay_id": x.stay_id, "resident_id": x.resident_id, "created_at": _moment(x.created_at),
             "created_by": who.get(x.created_by or 0), "next_review_on": _day(x.next_review_on)}
            for x in s.execute(select(CarePlan).order_by(CarePlan.id)).scalars()]


def _plan_goals(s: Session) -> list[Record]:
    return [{"id": x.id, "care_plan_id": x.plan_id, "domain": x.domain, "goal": x.goal,
             "resident_words": x.resident_words, "priority": x.priority, "target_on": _day(x.target_on),
             "status": x.status, "status_reason": x.status_reason, "created_at": _moment(x.created_at)}
            for x in s.execute(select(PlanGoal).order_by(PlanGoal.id)).scalars()]


def _plan_actions(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "plan_goal_id": x.goal_id, "what": x.what, "owner_staff": who.get(x.owner_staff_id or 0),
             "owner_partner": x.owner_partner, "due_on": _day(x.due_on), "done_on": _day(x.done_on),
             "done_by": who.get(x.done_by or 0), "created_at": _moment(x.created_at)}
            for x in s.execute(select(PlanAction).order_by(PlanAction.id)).scalars()]


def _plan_action_notes(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "plan_action_id": x.action_id, "written_at": _moment(x.written_at),
             "written_by": who.get(x.written_by or 0), "text": x.text}
            for x in s.execute(select(PlanActionNote).order_by(PlanActionNote.id)).scalars()]


def _plan_domain_reasons(s: Session) -> list[Record]:
    who = _usernames(s)
    return _numbered([{"care_plan_id": x.plan_id, "domain": x.domain, "reason": x.reason,
                       "written_at": _moment(x.written_at), "written_by": who.get(x.written_by or 0)}
                      for x in s.execute(select(PlanDomainReason).order_by(PlanDomainReason.plan_id,
                                                                           PlanDomainReason.domain)).scalars()])


def _plan_reviews(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "care_plan_id": x.plan_id, "reviewed_on": _day(x.reviewed_on),
             "reviewed_by": who.get(x.reviewed_by or 0), "changes": x.changes,
             "next_review_on": _day(x.next_review_on), "recorded_at": _moment(x.recorded_at)}
            for x in s.execute(select(PlanReview).order_by(PlanReview.id)).scalars()]


def _plan_review_goals(s: Session) -> list[Record]:
    return _numbered([{"plan_review_id": x.review_id, "plan_goal_id": x.goal_id, "status": x.status,
                       "progress": x.progress}
                      for x in s.execute(select(PlanReviewGoal).order_by(PlanReviewGoal.review_id,
                                                                         PlanReviewGoal.goal_id)).scalars()])


def _plan_versions(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "care_plan_id": x.plan_id, "number": x.number, "reference": x.reference, "lang": x.lang,
             "interpreter": x.interpreter, "content": x.content, "verification_code": x.code,
             "agreed_on": _day(x.agreed_on), "agreed_at": _moment(x.agreed_at), "agreed_by": who.get(x.agreed_by or 0)}
            for x in s.execute(select(PlanVersion).order_by(PlanVersion.id)).scalars()]


def _plan_events(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "care_plan_id": x.plan_id, "kind": x.kind, "version_number": x.version_number,
             "comment": x.comment, "at": _moment(x.at), "by": who.get(x.by or 0)}
            for x in s.execute(select(PlanEvent).order_by(PlanEvent.id)).scalars()]


def _meeting_rooms(s: Session) -> list[Record]:
    return [{"id": x.id, "shelter_id": x.shelter_id, "name": x.name, "active": x.active}
            for x in s.execute(select(MeetingRoom).order_by(MeetingRoom.id)).scalars()]


def _session_series(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "counsellor": who.get(x.counsellor_id), "local_start": x.local_start, "minutes": x.minutes,
             "first_on": _day(x.first_on), "until_on": _day(x.until_on), "created_at": _moment(x.created_at)}
            for x in s.execute(select(SessionSeries).order_by(SessionSeries.id)).scalars()]


def _sessions(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "shelter_id": x.shelter_id, "counsellor": who.get(x.counsellor_id), "kind": x.kind,
             "mode": x.mode, "meeting_room_id": x.room_id, "starts_at": _moment(x.starts_at),
             "ends_at": _moment(x.ends_at), "status": x.status, "cancelled_by": x.cancelled_by,
             "cancel_reason": x.cancel_reason, "interpreter_language": x.interpreter_language,
             "interpreter_name": x.interpreter_name, "session_series_id": x.series_id,
             "created_at": _moment(x.created_at)}
            for x in s.execute(select(CounsellingSession).order_by(CounsellingSession.id)).scalars()]


def _session_attendees(s: Session) -> list[Record]:
    return _numbered([{"session_id": x.session_id, "resident_id": x.resident_id}
                      for x in s.execute(select(SessionAttendee).order_by(SessionAttendee.session_id,
                                                                         SessionAttendee.resident_id)).scalars()])


def _session_relatives(s: Session) -> list[Record]:
    return [{"id": x.id, "session_id": x.session_id, "name": x.name, "relation": x.relation}
            for x in s.execute(select(SessionRelative).order_by(SessionRelative.id)).scalars()]


def _session_follow_ups(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "session_id": x.session_id, "resident_id": x.resident_id, "domain": x.domain,
             "text": x.text, "proposed_at": _moment(x.proposed_at), "proposed_by": who.get(x.proposed_by or 0),
             "plan_action_id": x.plan_action_id, "set_aside_at": _moment(x.set_aside_at),
             "set_aside_by": who.get(x.set_aside_by or 0)}
            for x in s.execute(select(SessionFollowUp).order_by(SessionFollowUp.id)).scalars()]


def _partners(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "name": x.name, "kind": x.kind, "city": x.city, "contact": x.contact, "active": x.active,
             "created_at": _moment(x.created_at), "created_by": who.get(x.created_by or 0)}
            for x in s.execute(select(Partner).order_by(Partner.id)).scalars()]


def _unmet_requests(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "shelter_id": x.shelter_id, "requested_on": _day(x.requested_on), "source": x.source,
             "agency": x.agency, "reason": x.reason, "reason_text": x.reason_text, "sex": x.sex,
             "age_band": x.age_band, "children": x.children, "recorded_at": _moment(x.recorded_at),
             "recorded_by": who.get(x.recorded_by or 0), "withdrawn_at": _moment(x.withdrawn_at),
             "withdrawn_by": who.get(x.withdrawn_by or 0), "withdraw_reason": x.withdraw_reason}
            for x in s.execute(select(UnmetRequest).order_by(UnmetRequest.id)).scalars()]


def _milestone_templates(s: Session) -> list[Record]:
    return [{"id": x.id, "pathway": x.pathway, "code": x.code, "title": x.title, "offset_days": x.offset_days,
             "position": x.position, "active": x.active}
            for x in s.execute(select(MilestoneTemplate).order_by(MilestoneTemplate.id)).scalars()]


def _reintegration_plans(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "stay_id": x.stay_id, "resident_id": x.resident_id, "pathway": x.pathway,
             "pathway_detail": x.pathway_detail, "resident_choice": x.resident_choice,
             "opened_on": _day(x.opened_on), "consent_on": _day(x.consent_on), "created_at": _moment(x.created_at),
             "created_by": who.get(x.created_by or 0)}
            for x in s.execute(select(ReintegrationPlan).order_by(ReintegrationPlan.id)).scalars()]


def _pathway_changes(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "reintegration_plan_id": x.plan_id, "old_pathway": x.old_pathway,
             "new_pathway": x.new_pathway, "reason": x.reason, "changed_at": _moment(x.changed_at),
             "changed_by": who.get(x.changed_by or 0)}
            for x in s.execute(select(PathwayChange).order_by(PathwayChange.id)).scalars()]


def _milestones(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "reintegration_plan_id": x.plan_id, "milestone_template_id": x.template_id, "code": x.code,
             "title": x.title, "due_on": _day(x.due_on), "owner_staff": who.get(x.owner_staff_id or 0),
             "owner_partner_id": x.owner_partner_id, "status": x.status, "status_reason": x.status_reason,
             "done_on": _day(x.done_on), "position": x.position, "created_at": _moment(x.created_at),
             "created_by": who.get(x.created_by or 0)}
            for x in s.execute(select(Milestone).order_by(Milestone.id)).scalars()]


def _milestone_events(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "milestone_id": x.milestone_id, "status": x.status, "reason": x.reason, "at": _moment(x.at),
             "by": who.get(x.by or 0)}
            for x in s.execute(select(MilestoneEvent).order_by(MilestoneEvent.id)).scalars()]


def _partner_referrals(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "resident_id": x.resident_id, "stay_id": x.stay_id, "partner_id": x.partner_id,
             "service": x.service, "referred_on": _day(x.referred_on), "follow_up_on": _day(x.follow_up_on),
             "status": x.status, "accepted_on": _day(x.accepted_on), "refused_on": _day(x.refused_on),
             "completed_on": _day(x.completed_on), "answer_note": x.answer_note,
             "consent_override": x.consent_override, "created_at": _moment(x.created_at),
             "created_by": who.get(x.created_by or 0)}
            for x in s.execute(select(PartnerReferral).order_by(PartnerReferral.id)).scalars()]


def _follow_up_contacts(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "stay_id": x.stay_id, "resident_id": x.resident_id, "round_months": x.round_months,
             "contacted_on": _day(x.contacted_on), "method": x.method, "staff": who.get(x.staff_id or 0),
             "partner_id": x.partner_id, "reached": x.reached, "situation": x.situation, "next_step": x.next_step,
             "recorded_at": _moment(x.recorded_at), "recorded_by": who.get(x.recorded_by or 0)}
            for x in s.execute(select(FollowUpContact).order_by(FollowUpContact.id)).scalars()]


def _sustainability_scores(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "stay_id": x.stay_id, "resident_id": x.resident_id, "occasion": x.occasion,
             "follow_up_contact_id": x.contact_id, "scored_on": _day(x.scored_on), "economic": x.economic,
             "social": x.social, "psychosocial": x.psychosocial, "overall": x.overall, "answered": x.answered,
             "weights": x.weights, "recorded_at": _moment(x.recorded_at), "recorded_by": who.get(x.recorded_by or 0)}
            for x in s.execute(select(SustainabilityScore).order_by(SustainabilityScore.id)).scalars()]


def _sustainability_answers(s: Session) -> list[Record]:
    return _numbered([{"sustainability_score_id": x.score_id, "indicator": x.indicator, "answer": x.answer}
                      for x in s.execute(select(SustainabilityAnswer).order_by(SustainabilityAnswer.score_id,
                                                                               SustainabilityAnswer.indicator)
                                         ).scalars()])


def _sustainability_weights(s: Session) -> list[Record]:
    who = _usernames(s)
    return _numbered([{"indicator": x.indicator, "dimension_weight": x.dimension_weight,
                       "composite_weight": x.composite_weight, "changed_at": _moment(x.changed_at),
                       "changed_by": who.get(x.changed_by or 0)}
                      for x in s.execute(select(SustainabilityWeight).order_by(SustainabilityWeight.indicator)
                                         ).scalars()])


def _reintegration_documents(s: Session) -> list[Record]:
    who = _usernames(s)
    return [{"id": x.id, "reference": x.reference, "reintegration_plan_id": x.plan_id, "resident_id": x.resident_id,
             "audience": x.audience, "partner_id": x.partner_id, "lang": x.lang, "content": x.content,
             "verification_code": x.code, "issued_at": _moment(x.issued_at), "issued_by": who.get(x.issued_by or 0)}
            for x in s.execute(select(ReintegrationDocument).order_by(ReintegrationDocument.id)).scalars()]


# Each section, in the order written, with the permission that shows its
# records on screen: nobody exports what they could not see.
SECTIONS: tuple[tuple[str, Permission, Callable[[Session], list[Record]]], ...] = (
    ("shelters", Permission.VIEW_BED_BOARD, _shelters),
    ("rooms", Permission.VIEW_BED_BOARD, _rooms),
    ("beds", Permission.VIEW_BED_BOARD, _beds),
    ("bed_service_changes", Permission.VIEW_BED_BOARD, _bed_service_changes),
    ("reservations", Permission.VIEW_BED_BOARD, _reservations),
    ("residents", Permission.VIEW_RESIDENT, _residents),
    ("referrals", Permission.VIEW_RESIDENT, _referrals),
    ("stays", Permission.VIEW_RESIDENT, _stays),
    ("bed_assignments", Permission.VIEW_RESIDENT, _bed_assignments),
    ("record_changes", Permission.VIEW_RESIDENT, _record_changes),
    ("case_assignments", Permission.VIEW_CARE_PLAN, _case_assignments),
    ("case_closures", Permission.VIEW_RESIDENT, _case_closures),
    ("assessments", Permission.VIEW_CARE_PLAN, _assessments),
    ("assessment_scores", Permission.VIEW_CARE_PLAN, _assessment_scores),
    ("care_plans", Permission.VIEW_CARE_PLAN, _care_plans),
    ("plan_goals", Permission.VIEW_CARE_PLAN, _plan_goals),
    ("plan_actions", Permission.VIEW_CARE_PLAN, _plan_actions),
    ("plan_action_notes", Permission.VIEW_CARE_PLAN, _plan_action_notes),
    ("plan_domain_reasons", Permission.VIEW_CARE_PLAN, _plan_domain_reasons),
    ("plan_reviews", Permission.VIEW_CARE_PLAN, _plan_reviews),
    ("plan_review_goals", Permission.VIEW_CARE_PLAN, _plan_review_goals),
    ("plan_versions", Permission.VIEW_CARE_PLAN, _plan_versions),
    ("plan_events", Permission.VIEW_CARE_PLAN, _plan_events),
    # Counselling: that sessions took place, never what was said (the notes
    # are encrypted for counsellors and are not exported).
    ("meeting_rooms", Permission.VIEW_SESSIONS, _meeting_rooms),
    ("session_series", Permission.VIEW_SESSIONS, _session_series),
    ("sessions", Permission.VIEW_SESSIONS, _sessions),
    ("session_attendees", Permission.VIEW_SESSIONS, _session_attendees),
    ("session_relatives", Permission.VIEW_SESSIONS, _session_relatives),
    ("session_follow_ups", Permission.VIEW_SESSIONS, _session_follow_ups),
    # Reintegration: the partner directory, the milestone templates and the
    # administrator's weights with the cases' plans, referrals, follow-ups
    # and scores, for the roles that see reintegration.
    ("partners", Permission.VIEW_REINTEGRATION, _partners),
    ("milestone_templates", Permission.VIEW_REINTEGRATION, _milestone_templates),
    ("reintegration_plans", Permission.VIEW_REINTEGRATION, _reintegration_plans),
    ("pathway_changes", Permission.VIEW_REINTEGRATION, _pathway_changes),
    ("milestones", Permission.VIEW_REINTEGRATION, _milestones),
    ("milestone_events", Permission.VIEW_REINTEGRATION, _milestone_events),
    ("partner_referrals", Permission.VIEW_REINTEGRATION, _partner_referrals),
    ("follow_up_contacts", Permission.VIEW_REINTEGRATION, _follow_up_contacts),
    ("sustainability_scores", Permission.VIEW_REINTEGRATION, _sustainability_scores),
    ("sustainability_answers", Permission.VIEW_REINTEGRATION, _sustainability_answers),
    ("sustainability_weights", Permission.VIEW_REINTEGRATION, _sustainability_weights),
    ("reintegration_documents", Permission.VIEW_REINTEGRATION, _reintegration_documents),
    # Referrals that could not be taken in: no person named, for those who record them.
    ("unmet_requests", Permission.RECORD_UNMET_REQUEST, _unmet_requests),
)


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    counts: dict[str, int]


def _build(who: SignedIn, at: datetime | None = None) -> dict[str, Any]:
    """The export as a JSON-ready dict, read in one transaction so the
    sections agree with each other. Not audited: its callers are."""
    who.require(Permission.EXPORT_DATA)
    wanted = [(name, build) for name, permission, build in SECTIONS if who.actor.has(permission)]
    document: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "application_version": __version__,
        "exported_at": _moment(at or datetime.now(UTC)),
        "exported_by": who.actor.username,
        "store_id": who.store.keyring.store_id.hex(),
        "sections": [name for name, _build in wanted],
    }
    with who.store.read() as s:
        for name, build in wanted:
            document[name] = build(s)
    return document


def _counts(document: dict[str, Any]) -> dict[str, int]:
    return {name: len(document[name]) for name in document["sections"]}


def _audit(who: SignedIn, outcome: str, to: str, counts: dict[str, int], extra: dict[str, Any] | None = None) -> None:
    """One "export" entry in its own committed transaction: the format
    version, where the export went ("file", "memory") and how many records
    of each section, never content."""
    with who.store.write() as s:
        who.audit(s, "export", outcome=outcome,
                        detail={"format_version": FORMAT_VERSION, "to": to, **counts, **(extra or {})})


def export_document(who: SignedIn, at: datetime | None = None) -> dict[str, Any]:
    """The export as a JSON-ready dict, for a caller that writes or sends it
    itself. Audited (by counts) before it is returned: if the entry cannot
    be written, nothing is returned."""
    document = _build(who, at)
    _audit(who, "ok", "memory", _counts(document))
    return document


def export_to_file(who: SignedIn, path: Path | str) -> ExportSummary:
    """Write the export to ``path`` (UTF-8 JSON, owner-only, atomically).

    Audited before the file exists: an "export" entry with outcome
    "started" and the counts is committed first (if it cannot be, no file
    is written), then a second entry says "ok" or "failed". If the second
    cannot be written, the file is removed: no export leaves without its
    trace."""
    who.require(Permission.EXPORT_DATA)
    target = check_target(Path(path))
    document = _build(who)
    counts = _counts(document)
    data = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
    write_recorded(target, data, lambda outcome, extra: _audit(who, outcome, "file", counts, extra))
    return ExportSummary(target, counts)
