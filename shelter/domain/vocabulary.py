"""The closed lists of the case work, each defined once: its codes (what is
stored, checked by the schema and the services) and their labels (what the
screens, the command line and the documents show, in the three languages).

A label is English, marked for translation. A label about the resident
(``gendered``) also has a form for a woman and one for a man, in the
catalogues under the contexts ``about a woman`` and ``about a man``: French
and Arabic agree the word with the person ("hébergée", "hébergé"). Ask for it
with ``label(code, sex=...)``; without a sex, the neutral form is given.

Migrations keep frozen copies of the codes they create: a list that grows
here grows in the schema through a new migration, never by editing an old one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from shelter.i18n import N_, Translator, current_language, translator

ABOUT_WOMAN = "about a woman"
ABOUT_MAN = "about a man"
GENDER_CONTEXTS = {"female": ABOUT_WOMAN, "male": ABOUT_MAN}


def G_(message: str) -> str:
    """Mark a label about the resident: extracted with its neutral form and its
    two gendered forms (contexts ABOUT_WOMAN and ABOUT_MAN)."""
    return message


@dataclass(frozen=True)
class Term:
    code: str
    label: str  # the English label, which is the message id
    gendered: bool = False


@dataclass(frozen=True)
class ClosedList:
    """One closed list: ``codes`` in their display order and a label for each."""

    name: str
    terms: tuple[Term, ...]
    _index: dict[str, Term] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {t.code: t for t in self.terms})
        if len(self._index) != len(self.terms):
            raise ValueError(f"{self.name}: a code is listed twice")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms)

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes)

    def __contains__(self, code: object) -> bool:
        return code in self._index

    def __len__(self) -> int:
        return len(self.terms)

    def label(self, code: str | None, tr: Translator | None = None, sex: str | None = None) -> str:
        """The label of ``code`` in ``tr``'s language (the interface's when
        None), agreed with ``sex`` when the label is about the resident. An
        unknown code (a value written by a newer version) is shown as it is."""
        if code is None:
            return ""
        term = self._index.get(code)
        if term is None:
            return code
        tr = tr or translator(current_language())
        if term.gendered and sex in GENDER_CONTEXTS:
            return tr.pgettext(GENDER_CONTEXTS[sex], term.label)
        return tr.gettext(term.label)

    def choices(self, tr: Translator | None = None, sex: str | None = None) -> list[tuple[str, str]]:
        """(code, label) pairs in display order, for a list on a screen."""
        return [(t.code, self.label(t.code, tr, sex)) for t in self.terms]

    def sql_in(self, column: str) -> str:
        """The SQL condition ``column IN ('a', 'b')`` for a CHECK constraint."""
        return f"{column} IN (" + ", ".join(f"'{c}'" for c in self.codes) + ")"


def _list(name: str, *terms: tuple[str, str] | Term) -> ClosedList:
    return ClosedList(name, tuple(t if isinstance(t, Term) else Term(*t) for t in terms))


def _g(code: str, label: str) -> Term:
    return Term(code, label, gendered=True)


# -- people and cases -------------------------------------------------------------

SEX = _list("sex", ("female", N_("Female")), ("male", N_("Male")))

RISK_LEVEL = _list("risk level", ("low", N_("Low")), ("medium", N_("Medium")), ("high", N_("High")))

REFERRAL_SOURCE = _list(
    "referral source",
    ("police", N_("Police")), ("prosecutor", N_("Public prosecutor")), ("ngo", N_("Association / NGO")),
    ("hospital", N_("Hospital")), ("consulate", N_("Consulate")), ("hotline", N_("Hotline")),
    _g("self", G_("Came on their own")),
)

IDENTIFICATION = _list("identification status",
                       ("presumed", N_("Presumed victim")), ("identified", N_("Identified victim")))

EXPLOITATION_FORM = _list(
    "form of exploitation",
    ("sexual", N_("Sexual exploitation")), ("labour", N_("Forced labour")),
    ("domestic_servitude", N_("Domestic servitude")), ("forced_begging", N_("Forced begging")),
    ("forced_criminality", N_("Forced criminality")), ("forced_marriage", N_("Forced marriage")),
    ("organ_removal", N_("Organ removal")), ("other", N_("Other")),
)

EXPLOITATION_SCOPE = _list("place of exploitation",
                           ("internal", N_("Within Morocco")), ("cross_border", N_("Across borders")))

RESIDENCE_STATUS = _list("residence status",
                         _g("in_residence", G_("In residence")), _g("discharged", G_("Left")))

DESTINATION = _list(
    "destination",
    ("family_reunification", N_("Return to family")), ("assisted_return", N_("Assisted voluntary return")),
    ("independent_living", N_("Independent living")), ("another_shelter", N_("Another shelter")),
    ("hospital", N_("Hospital")), ("left_without_notice", N_("Left without notice")), ("other", N_("Other")),
)

# -- places ----------------------------------------------------------------------

BED_STATUS = _list(
    "bed status",
    ("free", N_("Free")), ("occupied", N_("Occupied")), ("reserved", N_("Reserved")),
    ("out_of_service", N_("Out of service")),
)

ROOM_RESTRICTION = _list(
    "room restriction",
    ("women_only", N_("Women only")), ("men_only", N_("Men only")), ("minors", N_("Minors")),
    ("accessible", N_("Accessible")),
)

# -- staff -------------------------------------------------------------------------

ROLE = _list(
    "role",
    ("administrator", N_("Administrator")), ("coordinator", N_("Coordinator")),
    ("social_worker", N_("Social worker")), ("counsellor", N_("Counsellor")),
    ("reporting", N_("Reporting (read-only figures)")),
)

# -- handover documents -------------------------------------------------------------

HANDOVER_SECTION = _list(
    "handover section",
    ("identity", N_("Identity")), ("languages", N_("Languages")), ("stay", N_("Stay at the shelter")),
    ("safety", N_("Safety considerations")),
)

HANDOVER_REASON = _list(
    "handover reason",
    ("transfer", N_("Transfer to another shelter")), ("referral", N_("Referral to a partner")),
    ("discharge", N_("Discharge")),
)

# -- needs assessment and care plans -------------------------------------------------

ASSESSMENT_DOMAIN = _list(
    "assessment domain",
    ("safety", N_("Safety")), ("physical_health", N_("Physical health")),
    ("mental_health", N_("Mental health and psychosocial wellbeing")),
    ("legal", N_("Legal: victim status, proceedings, lawyer")),
    ("documents", N_("Documents: identity, residence, travel")), ("family", N_("Family and children")),
    ("education", N_("Education and training")), ("livelihood", N_("Livelihood and income")),
    ("housing", N_("Housing")), ("intentions", N_("Return or stay intentions")),
)

NEED_SCORE = _list(
    "need score",
    ("1", N_("1 · Severe need")), ("2", N_("2 · Significant need")), ("3", N_("3 · Some need")),
    ("4", N_("4 · No need")),
)

ASSESSMENT_KIND = _list(
    "assessment kind",
    ("initial", N_("Initial assessment")), ("scheduled", N_("Scheduled reassessment")),
    ("discharge", N_("Assessment at discharge")), ("other", N_("Reassessment")),
)

GOAL_STATUS = _list(
    "goal status",
    ("not_started", N_("Not started")), ("in_progress", N_("In progress")), ("achieved", N_("Achieved")),
    ("not_achieved", N_("Not achieved")), ("dropped", N_("Dropped")),
)

PRIORITY = _list("priority", ("high", N_("High priority")), ("medium", N_("Medium priority")),
                 ("low", N_("Low priority")))

PLAN_EVENT = _list(
    "care plan event",
    ("submitted", N_("Sent for approval")), ("approved", N_("Approved")), ("returned", N_("Returned")),
    ("agreed", N_("Agreed with the resident")),
)

WORK_KIND = _list(
    "work item",
    ("assessment", N_("Needs assessment")), ("reassessment", N_("Reassessment")),
    ("discharge_assessment", N_("Assessment at discharge")), ("review", N_("Care plan review")),
    ("action", N_("Action")), ("approval", N_("Care plan to approve")),
    ("reintegration_plan", N_("Reintegration plan to make")), ("milestone", N_("Reintegration milestone")),
    ("referral", N_("Referral to follow up")), ("follow_up", N_("Follow-up after discharge")),
)

DUE_STATE = _list(
    "due state",
    ("overdue", N_("Overdue")), ("today", N_("Due today")), ("soon", N_("Due within 7 days")),
    ("later", N_("Later")),
)

CASE_STAGE = _list(
    "case stage",
    ("referred", N_("Referred")), _g("admitted", G_("Admitted")), _g("assessed", G_("Assessed")),
    ("plan_agreed", N_("Care plan agreed")), ("reintegration", N_("In reintegration")),
    _g("discharged", G_("Discharged")), ("follow_up", N_("In follow-up")), ("closed", N_("Case closed")),
)

CLOSURE_REASON = _list(
    "closure reason",
    _g("reintegrated", G_("Reintegrated")), _g("returned", G_("Returned to the country of origin")),
    _g("transferred", G_("Transferred to another service")), _g("moved_away", G_("Moved away")),
    ("refused_services", N_("Refused services")), ("lost_contact", N_("Lost contact")),
    _g("deceased", G_("Deceased")), ("other", N_("Other")),
)

# -- counselling sessions ------------------------------------------------------------

SESSION_KIND = _list("session kind", ("individual", N_("Individual")), ("group", N_("Group")),
                     ("family", N_("Family")))

SESSION_MODE = _list("session mode", ("in_person", N_("In person")), ("phone", N_("By phone")),
                     ("video", N_("By video")))

SESSION_STATUS = _list(
    "session status",
    ("planned", N_("Planned")), ("held", N_("Held")), _g("no_show", G_("Did not come")),
    ("cancelled", N_("Cancelled")),
)

CANCELLED_BY = _list("cancelled by", _g("resident", G_("The resident")), ("counsellor", N_("The counsellor")),
                     ("shelter", N_("The shelter")))

NOTE_FORMAT = _list("note format", ("dap", N_("DAP: data, assessment, plan")),
                    ("soap", N_("SOAP: subjective, objective, assessment, plan")))

NOTE_PART = _list(
    "note part",
    ("data", N_("Data")), ("subjective", N_("Subjective")), ("objective", N_("Objective")),
    ("assessment", N_("Assessment")), ("plan", N_("Plan")),
)

RISK_OUTCOME = _list("risk screen outcome", ("low", N_("Low risk")), ("moderate", N_("Moderate risk")),
                     ("high", N_("High risk")))

RISK_ACTION = _list(
    "action after a risk screen",
    ("none", N_("No action needed")), ("safety_plan", N_("Safety plan made with the resident")),
    ("closer_watch", N_("Closer watch by the team")), ("psychiatry", N_("Referred to a psychiatrist")),
    ("emergency", N_("Emergency services called")), ("other", N_("Other")),
)

# -- reintegration -----------------------------------------------------------------

PATHWAY = _list(
    "reintegration pathway",
    ("return_origin", N_("Return to the country of origin")),
    ("morocco_family", N_("Reintegration in Morocco with family or community")),
    ("independent_morocco", N_("Independent living in Morocco")),
    ("third_country", N_("Resettlement in a third country")), ("other", N_("Other")),
)

MILESTONE_STATUS = _list(
    "milestone status",
    ("planned", N_("Not started")), ("in_progress", N_("In progress")), ("done", N_("Done")),
    ("blocked", N_("Blocked")), ("not_applicable", N_("Not applicable")),
)

# The milestones the templates start with (the administrator may rename,
# add and retire them): a code keeps a template's title translated in the
# three languages until somebody writes a title of their own.
MILESTONE = _list(
    "milestone",
    ("family_tracing", N_("Family tracing and assessment")), ("travel_documents", N_("Travel documents")),
    ("consent_to_return", N_("Consent to return")), ("iom_accepted", N_("Referral accepted by IOM")),
    ("travel_booked", N_("Travel booked")), ("reception_arranged", N_("Reception arranged in the country of origin")),
    ("departure", N_("Departure")), ("arrival_confirmed", N_("Arrival confirmed")),
    ("family_assessment", N_("Family assessment")), ("housing_found", N_("Housing found")),
    ("training_started", N_("Training started")), ("income", N_("Income of her or his own")),
    ("school_for_children", N_("School for the children")), ("legal_case", N_("Steps of the legal case")),
    ("resettlement_file", N_("Resettlement file submitted")), ("resettlement_accepted", N_("Resettlement accepted")),
)

PARTNER_KIND = _list(
    "partner kind",
    ("health", N_("Health")), ("legal_aid", N_("Legal aid")), ("iom", N_("IOM")), ("ngo", N_("NGO / association")),
    ("employment", N_("Employment")), ("education", N_("Education and training")), ("consulate", N_("Consulate")),
    ("other", N_("Other")),
)

REFERRAL_STATUS = _list(
    "referral status",
    ("sent", N_("Sent, no answer yet")), ("accepted", N_("Accepted")), ("refused", N_("Refused")),
    ("completed", N_("Completed")),
)

FOLLOW_UP_METHOD = _list(
    "follow-up method",
    ("phone", N_("By phone")), ("in_person", N_("In person")), ("partner", N_("Through a partner")),
)

# Primero's follow-up status, derived: a follow-up round is planned once the
# stay has ended (its date counted from the discharge) and done when the
# person was reached for it.
FOLLOW_UP_STATE = _list(
    "follow-up state",
    ("not_planned", N_("Not planned")), ("planned", N_("Scheduled")), ("done", N_("Done")),
    ("missed", N_("Not reached")), ("lost_contact", N_("Lost contact")),
)

# HTCDS case status, derived from the stage and the closure.
CASE_STATUS = _list(
    "case status",
    ("active", N_("Active")), ("follow_up", N_("Follow-up")), ("closed", N_("Case closed")),
    ("closed_referred", N_("Case closed, referred")),
)

RSS_DIMENSION = _list(
    "sustainability dimension",
    ("economic", N_("Economic")), ("social", N_("Social")), ("psychosocial", N_("Psychosocial")),
)

SCORE_OCCASION = _list(
    "sustainability score occasion",
    ("baseline", N_("Baseline, at the start of the plan")), ("follow_up", N_("At a follow-up")),
    ("other", N_("Other")),
)

BOARD_KIND = _list(
    "reintegration item",
    ("plan", N_("Reintegration plan to make")), ("milestone", N_("Milestone")), ("referral", N_("Referral")),
    ("follow_up", N_("Follow-up after discharge")), ("lost_contact", N_("Lost contact")),
)

# -- reports (issue 17) ------------------------------------------------------------

# Why a referral could not be taken in (an unmet request).
UNMET_REASON = _list(
    "reason a referral was not admitted",
    ("no_bed", N_("No free bed")), ("no_fitting_bed", N_("No free bed that fits (sex, age, access)")),
    ("not_eligible", N_("Not eligible for this shelter")), ("declined", N_("The person declined")),
    ("other", N_("Other")),
)

# Age bands of the reports (US victim services, HTCDS): the age on the day
# of admission, or when trafficked.
AGE_BAND = _list(
    "age band",
    ("0-4", N_("0–4")), ("5-11", N_("5–11")), ("12-17", N_("12–17")), ("18-24", N_("18–24")),
    ("25-59", N_("25–59")), ("60+", N_("60 and over")), ("unknown", N_("Age not known")),
)

# Primero's case-management buckets: days from opening to closing.
STAY_LENGTH = _list(
    "length of stay",
    ("0-30", N_("30 days or fewer")), ("31-90", N_("31 to 90 days")), ("91-180", N_("91 to 180 days")),
    ("181+", N_("More than 180 days")),
)

# The reports of the Reports section, in the order they are printed.
REPORT = _list(
    "report",
    ("occupancy", N_("Occupancy")), ("admissions", N_("Admissions")), ("stays", N_("Stays and exits")),
    ("services", N_("Services")), ("reintegration", N_("Reintegration")),
)

# UN M49 geographic sub-regions: the step above a nationality that is too
# rare to be released on its own (shelter/domain/regions.py maps the codes).
REGION = _list(
    "region",
    ("north_africa", N_("Northern Africa")), ("west_africa", N_("Western Africa")),
    ("central_africa", N_("Middle Africa")), ("east_africa", N_("Eastern Africa")),
    ("southern_africa", N_("Southern Africa")), ("western_asia", N_("Western Asia")),
    ("south_asia", N_("Southern Asia")), ("south_east_asia", N_("South-eastern Asia")),
    ("east_asia", N_("Eastern Asia")), ("central_asia", N_("Central Asia")), ("europe", N_("Europe")),
    ("americas", N_("Americas")), ("oceania", N_("Oceania")), ("unknown", N_("Not known")),
)

ALL: tuple[ClosedList, ...] = (
    SEX, RISK_LEVEL, REFERRAL_SOURCE, IDENTIFICATION, EXPLOITATION_FORM, EXPLOITATION_SCOPE, RESIDENCE_STATUS,
    DESTINATION, BED_STATUS, ROOM_RESTRICTION, ROLE, HANDOVER_SECTION, HANDOVER_REASON, ASSESSMENT_DOMAIN,
    NEED_SCORE, ASSESSMENT_KIND, GOAL_STATUS, PRIORITY, PLAN_EVENT, WORK_KIND, DUE_STATE, CASE_STAGE,
    CLOSURE_REASON, SESSION_KIND, SESSION_MODE, SESSION_STATUS, CANCELLED_BY, NOTE_FORMAT, NOTE_PART, RISK_OUTCOME,
    RISK_ACTION, PATHWAY, MILESTONE_STATUS, MILESTONE, PARTNER_KIND, REFERRAL_STATUS, FOLLOW_UP_METHOD,
    FOLLOW_UP_STATE, CASE_STATUS, RSS_DIMENSION, SCORE_OCCASION, BOARD_KIND, UNMET_REASON, AGE_BAND,
    STAY_LENGTH, REPORT, REGION,
)
