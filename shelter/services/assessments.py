"""Needs assessments: a score from 1 (severe need) to 4 (no need) in each
domain, with a short note, by whom and on which day. The first is due
within ``Settings.assessment_due_days`` of admission, a reassessment every
``Settings.reassessment_months``, and one at discharge. An assessment is
kept as written; a later one is a new record, so each domain has a history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelter.domain.care import SCORES
from shelter.domain.changes import CaseWorkChanged
from shelter.domain.dates import now_utc
from shelter.domain.vocabulary import ASSESSMENT_DOMAIN
from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.security.permissions import Permission
from shelter.services.cases import closure_in_force, refuse_if_closed, require_stay, take_case_if_unheld
from shelter.storage.models import Assessment, AssessmentScore, StaffAccount, Stay
from shelter.store import SignedIn

NOTE_MAX = 2000


@dataclass(frozen=True)
class DomainScore:
    score: int
    note: str = ""


@dataclass(frozen=True)
class AssessmentView:
    assessment_id: int
    stay_id: int
    kind: str  # vocabulary.ASSESSMENT_KIND code
    assessed_on: date
    assessed_by: str
    note: str
    scores: Mapping[str, DomainScore]  # by domain code


@dataclass(frozen=True)
class Assessments:
    """A resident's assessments, newest first, and for the latest stay the
    one a new assessment will be compared with."""

    resident_id: int
    stay_id: int | None
    items: tuple[AssessmentView, ...]
    closed: bool = False  # the case is closed: reopen it to assess again

    @property
    def latest(self) -> AssessmentView | None:
        """The latest assessment of the latest stay."""
        for item in self.items:
            if item.stay_id == self.stay_id:
                return item
        return None

    def history(self, domain: str) -> list[tuple[date, int, str, str]]:
        """(day, score, note, by whom) of one domain, newest first."""
        return [(a.assessed_on, a.scores[domain].score, a.scores[domain].note, a.assessed_by)
                for a in self.items if domain in a.scores]


def _kind(s: Session, stay: Stay, wanted: str | None) -> str:
    if wanted is not None:
        if wanted not in ("scheduled", "discharge", "other", "initial"):
            raise ValidationError(_("Unknown kind of assessment."), field="kind")
        return wanted
    if stay.discharged_at is not None:
        return "discharge"
    first = s.execute(select(Assessment.id).where(Assessment.stay_id == stay.id).limit(1)).first()
    return "scheduled" if first else "initial"


def record_assessment(who: SignedIn, resident_id: int, assessed_on: date, scores: Mapping[str, DomainScore],
                      note: str = "", kind: str | None = None) -> CaseWorkChanged:
    """Record an assessment of the resident's latest stay, with a score in
    every domain. The kind follows from the stay (the first is "initial",
    after discharge "discharge") unless given."""
    who.require(Permission.WRITE_CARE_PLAN)
    missing = [d for d in ASSESSMENT_DOMAIN.codes if d not in scores]
    if missing:
        raise ValidationError(_("Give a score in every domain: {domain} has none.").format(
            domain=ASSESSMENT_DOMAIN.label(missing[0])), field=f"score.{missing[0]}")
    unknown = set(scores) - set(ASSESSMENT_DOMAIN.codes)
    if unknown:
        raise ValidationError(_("Unknown domain."), field="scores")
    for domain in ASSESSMENT_DOMAIN.codes:
        if scores[domain].score not in SCORES:
            raise ValidationError(_("A score is from 1 (severe need) to 4 (no need)."), field=f"score.{domain}")
        if len(scores[domain].note) > NOTE_MAX:
            raise ValidationError(_("This note is too long (at most {n} characters).").format(n=NOTE_MAX),
                                  field=f"note.{domain}")
    if assessed_on > date.today():
        raise ValidationError(_("The assessment date is in the future."), field="assessed_on")
    with who.store.write() as s:
        stay = require_stay(s, resident_id)
        refuse_if_closed(s, resident_id)
        if assessed_on < stay.admitted_at.astimezone().date():
            raise ValidationError(_("The assessment date is before the admission."), field="assessed_on")
        row = Assessment(resident_id=resident_id, stay_id=stay.id, kind=_kind(s, stay, kind), assessed_on=assessed_on,
                         assessed_by=who.actor.account_id, note=note.strip(), recorded_at=now_utc())
        s.add(row)
        s.flush()
        s.add_all(AssessmentScore(assessment_id=row.id, domain=d, score=scores[d].score, note=scores[d].note.strip())
                  for d in ASSESSMENT_DOMAIN.codes)
        take_case_if_unheld(s, who, stay.id)
        who.audit(s, "assessment.create", "assessment", row.id, detail={"resident": resident_id, "kind": row.kind})
        return CaseWorkChanged(resident_id, "assessment", row.id)


def assessments_in(s: Session, resident_id: int) -> tuple[AssessmentView, ...]:
    rows = s.execute(select(Assessment, StaffAccount.display_name)
                     .outerjoin(StaffAccount, StaffAccount.id == Assessment.assessed_by)
                     .where(Assessment.resident_id == resident_id)
                     .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())).all()
    scores: dict[int, dict[str, DomainScore]] = {}
    if rows:
        for sc in s.execute(select(AssessmentScore).where(
                AssessmentScore.assessment_id.in_([a.id for a, _name in rows]))).scalars():
            scores.setdefault(sc.assessment_id, {})[sc.domain] = DomainScore(sc.score, sc.note)
    return tuple(AssessmentView(a.id, a.stay_id, a.kind, a.assessed_on, name or "", a.note, scores.get(a.id, {}))
                 for a, name in rows)


def list_assessments(who: SignedIn, resident_id: int) -> Assessments:
    """Every assessment of the resident, newest first. Audited ("assessment.view")."""
    who.require(Permission.VIEW_CARE_PLAN)
    with who.store.write() as s:
        stay = require_stay(s, resident_id)
        items = assessments_in(s, resident_id)
        who.audit(s, "assessment.view", "resident", resident_id, detail={"results": len(items)})
        return Assessments(resident_id, stay.id, items, closure_in_force(s, resident_id) is not None)
