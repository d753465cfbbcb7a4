"""The reintegration plan document: the plan on paper for the resident, or
for a partner who receives her, in Arabic, French or English, with its
reference (``<case number>-R<n>``) and verification code.

What a copy carries comes from the whole reintegration view
(``shelter.services.reintegration.reintegration_in``): the pathway, her
choice in her own words and her consent to it, the milestones that apply
(each with its due date, who is responsible and its status), the partners
involved and their contacts, and after discharge the follow-ups still to
come. Never counselling, risk screens or the care plan.

The resident's copy carries everything of her file it prints. A partner's
copy follows the handover document's consent rule: the sections of her file
(identity, languages, stay, safety) she consented to share with that partner
(under its name as the directory spells it) and no other, unless a written
reason of at least ``OVERRIDE_REASON_MIN`` characters says why; without any
consent for that partner, the copy needs such a reason at all. A partner's
copy lists the partners responsible for a milestone and itself, never the
services she was referred to elsewhere (a referral to a clinic says
something about her health).

Each copy is kept (canonical JSON, in the encrypted store) with an HMAC code
(``shelter.services.verification``), so that a paper typed back in
Administration is found genuine or not. The audit log takes codes: the
reference, language, audience, partner id and sections, never content.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shelter.documents.handover import FLAG_INSTRUCTIONS, IdentityPart, LanguagesPart, SafetyPart, StayPart
from shelter.documents.reintegration_plan import (
    AUDIENCES,
    FollowUpLine,
    MilestoneLine,
    PartnerLine,
    ReintegrationPrint,
    reintegration_plan_document,
)
from shelter.domain.vocabulary import HANDOVER_SECTION
from shelter.errors import ValidationError
from shelter.i18n import LANGUAGES, _
from shelter.security.permissions import Permission
from shelter.services.cases import case_worker_of, staff_names
from shelter.services.documents import document_language
from shelter.services.handover import OVERRIDE_REASON_MIN, consents_of, normalise_receiver
from shelter.services.reintegration import Reintegration, reintegration_in
from shelter.services.settings import load_settings
from shelter.services.verification import canonical, document_key, verification_code
from shelter.storage.models import Partner, ReintegrationDocument, Resident, Shelter, Stay
from shelter.store import SignedIn

KIND = "reintegration_plan"
OVERRIDE_REASON_MAX = 2000


@dataclass(frozen=True)
class IssuedReintegrationPlan:
    reference: str
    code: str
    pdf: bytes
    included_sections: tuple[str, ...]  # vocabulary.HANDOVER_SECTION codes printed
    overridden: tuple[str, ...]  # of those, the ones printed without the resident's consent


@dataclass(frozen=True)
class PartnerChoice:
    partner_id: int
    name: str
    kind: str  # vocabulary.PARTNER_KIND code
    consented: tuple[str, ...]  # sections she consented to share with this partner


@dataclass(frozen=True)
class PrintOptions:
    """What the print form offers: the language to start with (the first of
    her languages a document can be printed in, else the settings'), the
    active partners with what she consented to share with each, and whether
    there is a plan to print."""

    case_number: str
    sex: str
    lang: str
    has_plan: bool
    partners: tuple[PartnerChoice, ...]


def _consented(s: Session, resident: Resident, partner: Partner) -> set[str]:
    return consents_of(s, resident).get(normalise_receiver(partner.name), ("", set()))[1]


def print_options(who: SignedIn, resident_id: int) -> PrintOptions:
    """For the print form. Audited ("resident.receivers"), as the handover form's list is."""
    who.require(Permission.WRITE_REINTEGRATION)
    with who.store.write() as s:
        resident = s.get(Resident, resident_id)
        if resident is None:
            raise ValidationError(_("This resident record no longer exists."), field="resident")
        view = reintegration_in(s, resident_id)
        spoken = [x for x in resident.languages.split(",") if x in LANGUAGES]
        lang = spoken[0] if spoken else load_settings(s).document_language
        consents = consents_of(s, resident)
        rows = s.execute(select(Partner).where(Partner.active.is_(True)).order_by(func.lower(Partner.name))).scalars()
        choices = tuple(
            PartnerChoice(p.id, p.name, p.kind, tuple(x for x in HANDOVER_SECTION.codes
                                                      if x in consents.get(normalise_receiver(p.name), ("", set()))[1]))
            for p in rows)
        who.audit(s, "resident.receivers", "resident", resident_id, detail={"results": len(consents)})
    return PrintOptions(resident.case_number, resident.sex, lang, view.plan is not None, choices)


def partner_named(who: SignedIn, name: str) -> int:
    """The id of the active partner of the directory called ``name``
    (case, accents and punctuation aside: "oim rabat" is "OIM – Rabat")."""
    who.require(Permission.WRITE_REINTEGRATION)
    wanted = normalise_receiver(name)
    with who.store.read() as s:
        for partner_id, other in s.execute(select(Partner.id, Partner.name).where(Partner.active.is_(True))).all():
            if wanted and normalise_receiver(other) == wanted:
                return partner_id
    raise ValidationError(_("No partner in the directory is called {name}.").format(name=" ".join(name.split())),
                          field="partner")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _parse(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _partner_lines(s: Session, view: Reintegration, for_partner: Partner | None) -> list[dict[str, Any]]:
    """The partners involved: for the resident, those responsible for a
    milestone and those she was referred to (not refused), each with what
    she was referred for; for a partner, itself and those responsible for a
    milestone, without services."""
    order: list[int] = []
    services: dict[int, list[str]] = {}
    if for_partner is not None:
        order.append(for_partner.id)
    for m in view.milestones:
        if m.status != "not_applicable" and m.owner_partner_id is not None and m.owner_partner_id not in order:
            order.append(m.owner_partner_id)
    if for_partner is None:
        for r in reversed(view.referrals):  # oldest first
            if r.status == "refused":
                continue
            if r.partner_id not in order:
                order.append(r.partner_id)
            services.setdefault(r.partner_id, []).append(" ".join(r.service.split()))
    rows = {p.id: p for p in s.execute(select(Partner).where(Partner.id.in_(order))).scalars()} if order else {}
    return [{"name": rows[i].name, "kind": rows[i].kind, "city": rows[i].city, "contact": rows[i].contact,
             "services": services.get(i, [])} for i in order if i in rows]


def _print_of(content: dict[str, Any], code: str) -> ReintegrationPrint:
    """The document as stored, ready to print: the paper says what the record says."""
    plan = content["plan"]
    parts = content["sections"]
    identity = languages = stay = safety = None
    if "identity" in parts:
        p = parts["identity"]
        identity = IdentityPart(p["name_arabic"], p["name_latin"], p["preferred_name"], p["sex"],
                                _parse(p["birth_date"]), p["birth_year_estimated"], p["nationality"])
    if "languages" in parts:
        p = parts["languages"]
        languages = LanguagesPart(tuple(p["languages"]), bool(p["interpreter_needed"]))
    if "stay" in parts:
        p = parts["stay"]
        stay = StayPart(p["shelter_name"], _parse(p["admitted_on"]), p["bed"], _parse(p["discharged_on"]))
    if "safety" in parts:
        p = parts["safety"]
        safety = SafetyPart(tuple(p["flags"]), p["risk_level"])
    return ReintegrationPrint(
        reference=content["reference"], case_number=content["case_number"], verification_code=code,
        audience=content["audience"], partner_name=content["partner"], shelter_name=content["shelter"],
        shelter_city=content["shelter_city"], shelter_contact=content["contact"], pathway=plan["pathway"],
        pathway_detail=plan["pathway_detail"], resident_choice=plan["resident_choice"],
        opened_on=_parse(plan["opened_on"]), consent_on=_parse(plan["consent_on"]),
        milestones=tuple(MilestoneLine(m["code"], m["title"], _parse(m["due_on"]), m["owner"], m["status"],
                                       _parse(m["done_on"])) for m in content["milestones"]),
        partners=tuple(PartnerLine(p["name"], p["kind"], p["city"], p["contact"], tuple(p["services"]))
                       for p in content["partners"]),
        discharged_on=_parse(content["discharged_on"]),
        follow_ups=tuple(FollowUpLine(f["months"], _parse(f["due_on"]), f["state"]) for f in content["follow_ups"]),
        printed_by=content["printed_by"], printed_at=datetime.fromisoformat(content["printed_at"]),
        resident_name=content["resident_name"], sex=content["sex"], identity=identity, languages=languages,
        stay=stay, safety=safety, withheld=tuple(content["withheld"]))


def _file_parts(resident: Resident, stay: Stay, shelter_name: str, included: tuple[str, ...]) -> dict[str, Any]:
    parts: dict[str, Any] = {}
    if "identity" in included:
        parts["identity"] = IdentityPart(resident.name_arabic, resident.name_latin, resident.preferred_name,
                                         resident.sex, resident.birth_date, resident.birth_year_estimated,
                                         resident.nationality)
    if "languages" in included:
        parts["languages"] = LanguagesPart(tuple(x for x in resident.languages.split(",") if x),
                                           resident.interpreter_needed)
    if "stay" in included:
        parts["stay"] = StayPart(shelter_name, stay.admitted_at.astimezone().date(), "",
                                 stay.discharged_at.astimezone().date() if stay.discharged_at else None)
    if "safety" in included:
        parts["safety"] = SafetyPart(tuple(flag for flag in FLAG_INSTRUCTIONS if getattr(resident, f"flag_{flag}")),
                                     resident.risk_level)
    return {name: json.loads(canonical(asdict(part))) for name, part in parts.items()}


def print_reintegration_plan(who: SignedIn, resident_id: int, lang: str, audience: str = "resident",
                             partner_id: int | None = None, sections: tuple[str, ...] | None = None,
                             override_reason: str = "") -> IssuedReintegrationPlan:
    """Issue the reintegration plan of the resident's latest stay in
    ``lang``, for her (``audience="resident"``) or for the partner
    ``partner_id`` (``"partner"``; ignored for the resident's copy), and
    return the PDF with its reference and verification code.

    ``sections`` (vocabulary.HANDOVER_SECTION codes) are the parts of her
    file to print; None means every one for her, and those she consented to
    share with the partner for a partner. A section without consent, or a
    copy for a partner she gave no consent for at all, needs
    ``override_reason`` (at least OVERRIDE_REASON_MIN characters), which is
    kept with the document and audited
    ("document.reintegration_consent_override"). Raises ValidationError
    (``field`` names what is wrong) for no plan, an unknown partner or
    section, or a missing reason; nothing is recorded then.
    """
    who.require(Permission.WRITE_REINTEGRATION)
    lang = document_language(lang)
    if audience not in AUDIENCES:
        raise ValidationError(_("Choose who the copy is for."), field="audience")
    if audience == "partner" and partner_id is None:
        raise ValidationError(_("Choose the partner the copy is for."), field="partner")
    if sections is not None and any(x not in HANDOVER_SECTION.codes for x in sections):
        raise ValidationError(_("Unknown section."), field="sections")
    override_reason = override_reason.strip()
    if len(override_reason) > OVERRIDE_REASON_MAX:
        raise ValidationError(_("This is too long (at most {n} characters).").format(n=OVERRIDE_REASON_MAX),
                              field="override_reason")
    printed_at = datetime.now()
    with who.store.write() as s:
        view = reintegration_in(s, resident_id)
        if view.plan is None:
            raise ValidationError(_("This resident has no reintegration plan yet."), field="plan")
        resident = s.get(Resident, resident_id)
        stay = s.get(Stay, view.stay_id)
        shelter = s.get(Shelter, stay.shelter_id)
        shelter_name, shelter_city = (shelter.name, shelter.city) if shelter else ("", "")
        partner: Partner | None = None
        overridden: tuple[str, ...] = ()
        without_any_consent = False
        if audience == "partner":
            partner = s.get(Partner, partner_id)
            if partner is None or not partner.active:
                raise ValidationError(_("Choose a partner from the directory."), field="partner")
            consented = _consented(s, resident, partner)
            wanted = set(consented if sections is None else sections)
            overridden = tuple(x for x in HANDOVER_SECTION.codes if x in wanted - consented)
            without_any_consent = not consented
            if without_any_consent and len(override_reason) < OVERRIDE_REASON_MIN:
                raise ValidationError(
                    _("The resident has not consented to share her or his information with {partner}. Write why "
                      "the plan must be given to them anyway (at least {n} characters), or print the resident's "
                      "copy.").format(partner=partner.name, n=OVERRIDE_REASON_MIN), field="override_reason")
            if overridden and len(override_reason) < OVERRIDE_REASON_MIN:
                raise ValidationError(
                    _("The resident has not consented to share some of these sections with this partner. Write why "
                      "they must be shared anyway (at least {n} characters), or leave them out.").format(
                        n=OVERRIDE_REASON_MIN), field="override_reason")
        else:
            wanted = set(HANDOVER_SECTION.codes if sections is None else sections)
        included = tuple(x for x in HANDOVER_SECTION.codes if x in wanted)
        number = s.execute(select(func.count()).select_from(ReintegrationDocument)
                           .where(ReintegrationDocument.resident_id == resident_id)).scalar_one() + 1
        reference = f"{resident.case_number}-R{number}"
        assignment = case_worker_of(s, stay.id)
        worker = staff_names(s, [assignment.staff_id]).get(assignment.staff_id, "") if assignment else ""
        about_her = audience == "resident" or "identity" in included
        plan = view.plan
        content: dict[str, Any] = {
            "kind": KIND, "reference": reference, "case_number": resident.case_number, "audience": audience,
            "partner_id": partner.id if partner else None, "partner": partner.name if partner else "", "lang": lang,
            "shelter": shelter_name, "shelter_city": shelter_city, "contact": worker or who.actor.display_name,
            "resident_name": " / ".join(n for n in (resident.name_latin, resident.name_arabic) if n.strip())
            if about_her else "",
            "sex": resident.sex if about_her else "",
            "plan": {"pathway": plan.pathway, "pathway_detail": plan.pathway_detail,
                     "resident_choice": plan.resident_choice, "opened_on": _day(plan.opened_on),
                     "consent_on": _day(plan.consent_on)},
            "milestones": [{"code": m.code, "title": m.title, "due_on": _day(m.due_on),
                            "owner": m.owner_partner or m.owner_staff, "status": m.status, "done_on": _day(m.done_on)}
                           for m in view.milestones if m.status != "not_applicable"],
            "partners": _partner_lines(s, view, partner),
            "discharged_on": _day(view.discharged_on),
            "follow_ups": [{"months": r.months, "due_on": _day(r.due_on), "state": r.state}
                           for r in view.rounds if view.discharged_on is not None and r.state != "done"],
            "sections": _file_parts(resident, stay, shelter_name, included),
            "withheld": [x for x in HANDOVER_SECTION.codes if x not in included] if partner else [],
            "printed_by": who.actor.display_name, "printed_at": printed_at.isoformat(timespec="minutes"),
        }
        if overridden or without_any_consent:
            content["override"] = {"sections": list(overridden), "without_consent": without_any_consent,
                                   "reason": override_reason}
        code = verification_code(document_key(s), content)
        s.add(ReintegrationDocument(reference=reference, plan_id=plan.plan_id, resident_id=resident_id,
                                    audience=audience, partner_id=partner.id if partner else None, lang=lang,
                                    content=canonical(content).decode(), code=code,
                                    issued_at=printed_at.astimezone(), issued_by=who.actor.account_id))
        s.flush()
        # Codes only: the written reason stays with the document, which the
        # entries name by its reference.
        detail: dict[str, Any] = {"reference": reference, "lang": lang, "audience": audience,
                                  "sections": ",".join(included)}
        if partner is not None:
            detail["partner"] = partner.id
        who.audit(s, "document.reintegration_plan", "resident", resident_id, detail=detail)
        if overridden or without_any_consent:
            who.audit(s, "document.reintegration_consent_override", "resident", resident_id,
                      detail={"reference": reference, "partner": partner.id if partner else None,
                              "sections": ",".join(overridden), "without_consent": without_any_consent})
        # Built inside the transaction, from what is stored: if the PDF cannot
        # be made, no document is recorded as issued.
        pdf = reintegration_plan_document(_print_of(json.loads(canonical(content)), code), lang)
    return IssuedReintegrationPlan(reference, code, pdf, included, overridden)


def record_reintegration_output(who: SignedIn, reference: str, how: str, lang: str, outcome: str = "ok",
                                error: str | None = None) -> None:
    """Record that a reintegration plan document went to a printer
    (``how="print"``) or into a file (``"save"``), as
    ``services.documents.record_output`` does for the other documents:
    "document.print" / "document.save", naming the document by its
    reference (``record_type="document"``), detail ``document``
    "reintegration_plan" and the language."""
    who.require(Permission.WRITE_REINTEGRATION)
    action = {"print": "document.print", "save": "document.save"}.get(how)
    if action is None:
        raise ValueError(f"unknown output {how!r}")
    if outcome not in ("ok", "started", "failed"):
        raise ValueError(f"unknown outcome {outcome!r}")
    detail: dict[str, str] = {"document": KIND, "lang": document_language(lang)}
    if error is not None:
        detail["error"] = error
    with who.store.write() as s:
        if s.execute(select(ReintegrationDocument.id).where(ReintegrationDocument.reference == reference)
                     ).first() is None:
            raise ValidationError(_("This document or resident record does not exist."), field="record")
        who.audit(s, action, "document", reference, outcome=outcome, detail=detail)
