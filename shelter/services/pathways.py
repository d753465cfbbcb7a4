"""What the administrator maintains for reintegration: the milestone
templates of each pathway (what a plan on that pathway starts with, and how
many days after the plan opens each is due) and the weights of the
sustainability score's indicators.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shelter.domain.dates import now_utc
from shelter.domain.reintegration import default_weights
from shelter.domain.sustainability import INDICATORS, Weight
from shelter.domain.vocabulary import PATHWAY
from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.security.permissions import Permission
from shelter.storage.models import MilestoneTemplate, SustainabilityWeight
from shelter.store import SignedIn

TITLE_MAX = 200
OFFSET_MAX = 730


@dataclass(frozen=True)
class TemplateView:
    template_id: int
    pathway: str
    code: str | None  # vocabulary.MILESTONE code: the title is its translated label
    title: str  # the administrator's own title ("" when ``code`` names it)
    offset_days: int
    active: bool


def _view(row: MilestoneTemplate) -> TemplateView:
    return TemplateView(row.id, row.pathway, row.code, row.title, row.offset_days, row.active)


def templates_in(s: Session, pathway: str, include_retired: bool = False) -> list[MilestoneTemplate]:
    q = (select(MilestoneTemplate).where(MilestoneTemplate.pathway == pathway)
         .order_by(MilestoneTemplate.position, MilestoneTemplate.id))
    if not include_retired:
        q = q.where(MilestoneTemplate.active.is_(True))
    return list(s.execute(q).scalars())


def milestone_templates(who: SignedIn, pathway: str | None = None, include_retired: bool = False
                        ) -> list[TemplateView]:
    """The templates of one pathway (of all when None), in their order."""
    if not who.actor.has(Permission.MANAGE_PATHWAYS):
        who.require(Permission.VIEW_REINTEGRATION)
    with who.store.read() as s:
        rows: list[MilestoneTemplate] = []
        for code in (PATHWAY.codes if pathway is None else (pathway,)):
            rows += templates_in(s, code, include_retired)
        return [_view(r) for r in rows]


def _check(pathway: str, title: str, offset_days: int) -> str:
    if pathway not in PATHWAY:
        raise ValidationError(_("Choose a pathway."), field="pathway")
    title = " ".join(title.split())
    if len(title) > TITLE_MAX:
        raise ValidationError(_("The title is too long (at most {n} characters).").format(n=TITLE_MAX), field="title")
    if not 0 <= offset_days <= OFFSET_MAX:
        raise ValidationError(_("Choose between 0 and {n} days.").format(n=OFFSET_MAX), field="offset_days")
    return title


def add_template(who: SignedIn, pathway: str, title: str, offset_days: int) -> TemplateView:
    who.require(Permission.MANAGE_PATHWAYS)
    title = _check(pathway, title, offset_days)
    if not title:
        raise ValidationError(_("Write the milestone."), field="title")
    with who.store.write() as s:
        last = s.execute(select(func.max(MilestoneTemplate.position))
                         .where(MilestoneTemplate.pathway == pathway)).scalar() or 0
        row = MilestoneTemplate(pathway=pathway, code=None, title=title, offset_days=offset_days, position=last + 1,
                                active=True)
        s.add(row)
        s.flush()
        who.audit(s, "pathway.template_add", "milestone_template", row.id, detail={"pathway": pathway})
        return _view(row)


def update_template(who: SignedIn, template_id: int, title: str, offset_days: int, active: bool = True
                    ) -> TemplateView:
    """Rename a template (an empty title keeps the translated one it came
    with), change when it falls due, or retire it (``active`` false): plans
    already made keep their milestones."""
    who.require(Permission.MANAGE_PATHWAYS)
    with who.store.write() as s:
        row = s.get(MilestoneTemplate, template_id)
        if row is None:
            raise ValidationError(_("This milestone template no longer exists."), field="template")
        title = _check(row.pathway, title, offset_days)
        if not title and row.code is None:
            raise ValidationError(_("Write the milestone."), field="title")
        row.title, row.offset_days, row.active = title, offset_days, active
        s.flush()
        who.audit(s, "pathway.template_update", "milestone_template", row.id, detail={"active": active})
        return _view(row)


def move_template(who: SignedIn, template_id: int, step: int) -> list[TemplateView]:
    """Move a template up (``step`` -1) or down (+1) in its pathway; returns the pathway's list."""
    who.require(Permission.MANAGE_PATHWAYS)
    with who.store.write() as s:
        row = s.get(MilestoneTemplate, template_id)
        if row is None:
            raise ValidationError(_("This milestone template no longer exists."), field="template")
        rows = templates_in(s, row.pathway, include_retired=True)
        index = rows.index(row)
        target = max(0, min(len(rows) - 1, index + step))
        rows.insert(target, rows.pop(index))
        for position, item in enumerate(rows):
            item.position = position
        s.flush()
        who.audit(s, "pathway.template_move", "milestone_template", row.id)
        return [_view(r) for r in rows]


# -- weights of the sustainability score ---------------------------------------------

def weights_in(s: Session) -> dict[str, Weight]:
    """The weights in force: the documented ones, with the administrator's in their place."""
    found = default_weights()
    for row in s.execute(select(SustainabilityWeight)).scalars():
        if row.indicator in found:
            found[row.indicator] = Weight(row.dimension_weight, row.composite_weight)
    return found


def weights_json(weights: dict[str, Weight]) -> str:
    """The weights as a score keeps them: canonical JSON, indicator -> [in dimension, in composite]."""
    return json.dumps({k: [w.dimension, w.composite] for k, w in sorted(weights.items())}, separators=(",", ":"))


def weights_from_json(text: str) -> dict[str, Weight]:
    return {k: Weight(float(v[0]), float(v[1])) for k, v in json.loads(text).items()}


def sustainability_weights(who: SignedIn) -> dict[str, Weight]:
    if not who.actor.has(Permission.MANAGE_PATHWAYS):
        who.require(Permission.VIEW_REINTEGRATION)
    with who.store.read() as s:
        return weights_in(s)


def set_sustainability_weights(who: SignedIn, weights: dict[str, Weight]) -> dict[str, Weight]:
    """Set indicators' weights (each from 0 to 10; a dimension keeps at least
    one indicator weighted). Scores already recorded keep theirs."""
    who.require(Permission.MANAGE_PATHWAYS)
    known = {i.code: i for i in INDICATORS}
    for code, weight in weights.items():
        if code not in known:
            raise ValidationError(_("Unknown indicator."), field=code)
        if not (0 <= weight.dimension <= 10 and 0 <= weight.composite <= 10):
            raise ValidationError(_("A weight is between 0 and 10."), field=code)
    with who.store.write() as s:
        merged = weights_in(s) | weights
        for dimension in {i.dimension for i in INDICATORS}:
            if not any(merged[i.code].dimension > 0 for i in INDICATORS if i.dimension == dimension):
                raise ValidationError(_("Each dimension needs at least one indicator with a weight above 0."),
                                      field="weights")
        if not any(w.composite > 0 for w in merged.values()):
            raise ValidationError(_("The overall score needs at least one indicator with a weight above 0."),
                                  field="weights")
        now = now_utc()
        for code, weight in weights.items():
            row = s.get(SustainabilityWeight, code)
            if row is None:
                s.add(SustainabilityWeight(indicator=code, dimension_weight=weight.dimension,
                                           composite_weight=weight.composite, changed_at=now,
                                           changed_by=who.actor.account_id))
            else:
                row.dimension_weight, row.composite_weight = weight.dimension, weight.composite
                row.changed_at, row.changed_by = now, who.actor.account_id
        s.flush()
        who.audit(s, "pathway.weights", detail={"indicators": len(weights)})
        return weights_in(s)


def reset_sustainability_weights(who: SignedIn) -> dict[str, Weight]:
    """Back to the documented weights."""
    who.require(Permission.MANAGE_PATHWAYS)
    with who.store.write() as s:
        for row in s.execute(select(SustainabilityWeight)).scalars():
            s.delete(row)
        s.flush()
        who.audit(s, "pathway.weights_reset")
        return weights_in(s)
