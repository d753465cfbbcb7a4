"""A demonstration store full of synthetic people, for training and benchmarks.

Everything goes through the same services the application uses (admit,
reserve, transfer, discharge), in the order it would have happened, so the
store holds what years of real use would leave behind: case numbers per
shelter and year, bed histories, readmissions, accompanying children, the
audit trail. Every person is fictional (``shelter.demo_names``); the same
seed gives the same people.

Events are replayed in time order over the chosen number of years: a person
arrives, is checked against the people on record, is given a compatible free
bed (in the shelter they were referred to, or another one), may be moved,
and leaves. Those whose departure lies in the future are still in residence
today, so the bed board of a demo store looks like a working day.

The case work after admission (``add_case_work``) is then replayed stay by
stay, day by day: the needs assessment in the first days and a reassessment
every few months, a care plan with goals and actions for most of the stays
assessed, versions agreed with the resident and reviewed every month, the
social worker holding each case, and the closing of old cases. It writes the
rows the case-work services write, with their rules and their own helpers
for what must verify (a version's content and code), in a few large units of
work: going through one audited unit of work per goal, action and tick would
take longer than all the rest of the demo. The audit trail names each
assessment, plan, agreed version, review, assignment and closure, not each
goal and action written with them.

The reintegration (``add_reintegration``) follows the case work: partners
in each shelter's city (IOM, legal aid, a hospital, an NGO, vocational
training, employment, a consulate), a reintegration plan for most stays of
more than three weeks (the pathway, the resident's words, her consent), its
milestones from the pathway's templates and a few of its own, moved on as
the days passed (most done around their due date, some late or blocked),
referrals to partners with the consent to share they need (a few made
without it, with a reason) and the partners' answers, the follow-ups at 3, 6
and 12 months after discharge (about one followed case in ten loses
contact), sustainability surveys at the start and at the follow-ups, and the
closing of most cases after their last follow-up (the case work leaves
those to it). Rows are written as the case work's are.

The counselling (``add_counselling``) comes last: one counsellor per
shelter, rooms for sessions, and the sessions of every stay (one to one
about every week or two, a group in most weeks, a few with relatives, some
by phone or video; held, missed, cancelled, and planned for the coming
weeks, some as weekly series), each placed on the hours of a diary of every
counsellor, resident and room so that none is ever in two sessions at once.
Most held sessions have a note by their counsellor, encrypted with the notes
service's own helpers under the counselling compartment key (made with
Nadia's slot, and given by her to the other counsellors as the notes screen
lets her), most signed, a few with addenda; a few risk screens, the
rare high one raising the resident's risk and an alert; the follow-ups of
signed notes. Every note's text begins with ``NOTE_PREFIX`` ("Synthetic
note"), so a search of the raw database for it shows that none can be read
without the key. Rows are written as the case work's are; the audit trail
names each session planned, held, missed or cancelled and each note, screen
and alert, its entries chained in one statement per unit of work
(``_audit_all``), exactly as one at a time.
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from shelter.demo_names import COUNTRIES, DemoPerson, generate_person
from shelter.domain.care import NO_NEED, OPEN_GOAL_STATUSES, SCORES, add_months, plan_gaps
from shelter.domain.people import Identity, Protection, ReferralInfo
from shelter.domain.reintegration import follow_up_dates
from shelter.domain.reintegration import score as sustainability_score
from shelter.domain.sessions import NOTE_PARTS, RISK_QUESTION_CODES, from_local, local, risk_outcome
from shelter.domain.sustainability import INDICATORS, Weight
from shelter.domain.vocabulary import (
    ASSESSMENT_DOMAIN,
    DESTINATION,
    EXPLOITATION_FORM,
    HANDOVER_SECTION,
    PATHWAY,
    REFERRAL_SOURCE,
)
from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.security import audit
from shelter.security.audit_head import Head
from shelter.security.keyring import KdfParams
from shelter.security.permissions import Role
from shelter.services import accounts, admissions, beds, care_plans, dashboard, discharge, notes, sessions, shelters
from shelter.services.admissions import Admission
from shelter.services.beds import BedChoice
from shelter.services.handover import _canonical, _document_key, normalise_receiver, verification_code
from shelter.services.pathways import templates_in, weights_in, weights_json
from shelter.services.settings import load_settings
from shelter.storage.models import (
    Assessment,
    AssessmentScore,
    AuditEntry,
    CarePlan,
    CaseAssignment,
    CaseClosure,
    CounsellingSession,
    FollowUpContact,
    Milestone,
    MilestoneEvent,
    NoteAddendum,
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
    ReintegrationPlan,
    Resident,
    RiskAlert,
    RiskScreen,
    SessionAttendee,
    SessionFollowUp,
    SessionNote,
    SessionRelative,
    SessionSeries,
    SharingConsent,
    Shelter,
    StaffAccount,
    StaffRole,
    Stay,
    SustainabilityAnswer,
    SustainabilityScore,
    UnmetRequest,
    utcnow,
)
from shelter.store import OpenStore, SignedIn, Store

# Printed on every run: the store is for training only, so everyone shares it.
DEMO_PASSWORD = "demo store for training only"
DEMO_ACCOUNTS: tuple[tuple[str, str, Role], ...] = (
    ("amina", "Amina Benali", Role.ADMINISTRATOR),
    ("salma", "Salma Idrissi", Role.COORDINATOR),
    ("youssef", "Youssef Alaoui", Role.SOCIAL_WORKER),
    ("hind", "Hind Berrada", Role.SOCIAL_WORKER),
    ("nadia", "Nadia Tazi", Role.COUNSELLOR),
    ("karim", "Karim Fassi", Role.REPORTING),
)
COORDINATOR = "salma"

# (code, city): one shelter per city, in the order shelters are added.
CITIES: tuple[tuple[str, str], ...] = (
    ("RBT1", "Rabat"), ("CAS1", "Casablanca"), ("TNG1", "Tanger"), ("OUJ1", "Oujda"), ("FES1", "Fès"),
    ("RAK1", "Marrakech"), ("AGA1", "Agadir"), ("NDR1", "Nador"), ("TET1", "Tétouan"), ("LAA1", "Laâyoune"),
    ("MKN1", "Meknès"), ("KEN1", "Kénitra"), ("BNM1", "Béni Mellal"), ("ELJ1", "El Jadida"),
    ("SAF1", "Safi"), ("ERR1", "Errachidia"),
)
BEDS_PER_ROOM = 6
# Every shelter: ten rooms of six beds, numbered (names in no one language:
# the board shows each room's restriction in the reader's). Half the
# shelters also take men.
WOMEN_AND_CHILDREN = ((9, "women"), (1, "minors"))
MIXED = ((6, "women"), (3, "men"), (1, "minors"))
WOMEN_SHARE = 0.82  # of adults referred
TARGET_OCCUPANCY = 0.75

AGENCIES = {
    "police": ("Sûreté nationale, brigade des mineurs", "Police judiciaire", "Gendarmerie royale"),
    "prosecutor": ("Parquet, tribunal de première instance", "Procureur du Roi"),
    "ngo": ("Association Amal", "Caritas Maroc", "Fondation Orient-Occident", "AMVEF"),
    "hospital": ("CHU Ibn Sina", "Hôpital provincial", "Unité de prise en charge des femmes"),
    "consulate": ("Consulate of Nigeria", "Ambassade de Côte d'Ivoire", "Consulate of the Philippines"),
    "hotline": ("Numéro vert 8350",),
    "self": ("",),
}
SOURCE_WEIGHTS = {"police": 34, "prosecutor": 10, "ngo": 26, "hospital": 8, "consulate": 6, "hotline": 10, "self": 6}
DESTINATION_WEIGHTS = {"family_reunification": 28, "assisted_return": 24, "independent_living": 22,
                       "another_shelter": 6, "hospital": 3, "left_without_notice": 12, "other": 5}
# Who to call back, without a number: a made-up number may be someone's.
CONTACTS = ("officier de permanence", "assistante sociale", "standard, demander la cellule", "point focal traite")
PARTNERS = ("IOM Rabat", "UNHCR", "CHU Ibn Sina", "Association Amal", "Tribunal de première instance")


@dataclass(frozen=True)
class DemoSummary:
    """What was built, and how to open it."""

    folder: Path
    recovery_code: str
    password: str
    accounts: tuple[tuple[str, str], ...]  # (username, role label code)
    shelters: int
    beds: int
    residents: int
    stays: int
    in_residence: int
    case_work: dict[str, int] = field(default_factory=dict)  # how many assessments, plans, ... (add_case_work)
    counselling: dict[str, int] = field(default_factory=dict)  # how many sessions, notes, ... (add_counselling)
    reintegration: dict[str, int] = field(default_factory=dict)  # how many plans, referrals, ... (add_reintegration)


@dataclass
class _Person:
    resident_id: int
    identity: Identity
    protection: Protection
    parent_id: int | None = None
    stay_id: int | None = None
    place: BedChoice | None = None
    shelter_id: int | None = None
    with_child: bool = False


# Event kinds, in the order they run when two fall on the same moment.
_DISCHARGE, _MOVE, _ARRIVE = 0, 1, 2


class _Simulation:
    """Replays arrivals, moves and departures in time order through the services."""

    def __init__(self, who: SignedIn, rng: random.Random, start: datetime, now: datetime,
                 mean_stay_days: float, shelter_ids: list[int]) -> None:
        self.who, self.rng, self.start, self.now = who, rng, start, now
        self.mean_stay_days = mean_stay_days
        self.shelter_ids = shelter_ids
        self.events: list[tuple[datetime, int, int, tuple]] = []
        self.counter = itertools.count()
        self.people: list[_Person] = []  # discharged people who may come back
        self.stays = 0

    def push(self, at: datetime, kind: int, *payload: object) -> None:
        heapq.heappush(self.events, (at, kind, next(self.counter), payload))

    # -- one person ----------------------------------------------------------

    def _birth(self, age: int, day: date) -> tuple[date | None, int | None]:
        if self.rng.random() < 0.2:  # often only an estimate is known
            return None, day.year - age
        born = day - timedelta(days=age * 365 + self.rng.randint(0, 364))
        return born, None

    def identity(self, person: DemoPerson, day: date, age: int) -> Identity:
        born, estimated = self._birth(age, day)
        understood = {"ar", "ary", "fr"}
        return Identity(
            name_arabic=person.full_name_ar or "", name_latin=person.full_name,
            preferred_name=person.given_names.split()[0] if self.rng.random() < 0.15 else "",
            sex="female" if person.sex == "F" else "male", birth_date=born, birth_year_estimated=estimated,
            nationality=person.nationality, languages=person.languages,
            interpreter_needed=not understood & set(person.languages))

    def protection(self, identity: Identity, day: date, child: bool) -> Protection:
        rng = self.rng
        if child:
            forms: tuple[str, ...] = ()
        elif identity.sex == "female":
            forms = (rng.choices(EXPLOITATION_FORM.codes, weights=(50, 8, 22, 6, 2, 8, 0.5, 3))[0],)
        else:
            forms = (rng.choices(EXPLOITATION_FORM.codes, weights=(4, 55, 6, 14, 16, 0, 1, 4))[0],)
        if forms and rng.random() < 0.2:
            forms = tuple(dict.fromkeys(forms + (rng.choice(EXPLOITATION_FORM.codes[:5]),)))
        consent = rng.random() < 0.92
        sharing = tuple(rng.sample(PARTNERS, rng.randint(1, 2))) if consent and rng.random() < 0.35 else ()
        cross_border = identity.nationality != "MA" or rng.random() < 0.1
        return Protection(
            exploitation=forms,
            exploitation_country="" if child else ("MA" if rng.random() < 0.7 else identity.nationality),
            exploitation_scope=None if child else ("cross_border" if cross_border else "internal"),
            flag_trafficker_contact=rng.random() < 0.15, flag_no_visits=rng.random() < 0.2,
            flag_no_phone=rng.random() < 0.1, flag_media_exposure=rng.random() < 0.03,
            risk_level=rng.choices(("low", "medium", "high"), weights=(30, 50, 20))[0],
            consent_processing=consent, consent_processing_on=day if consent else None,
            consent_sharing=sharing, consent_sharing_on=day if sharing else None,
            # Drawn apart from the simulation's stream, so the rest of the demo stays as it was.
            consent_reporting=(reporting := consent and random.Random(f"{identity.name_latin}{day}").random() < 0.86),
            consent_reporting_on=day if reporting else None)

    def referral(self, day: date) -> ReferralInfo:
        rng = self.rng
        source = rng.choices(REFERRAL_SOURCE.codes, weights=[SOURCE_WEIGHTS[s] for s in REFERRAL_SOURCE.codes])[0]
        identified = rng.random() < 0.4
        return ReferralInfo(
            referred_on=day, source=source, agency=rng.choice(AGENCIES[source]),
            contact="" if source == "self" else rng.choice(CONTACTS),
            identification="identified" if identified else "presumed",
            identified_by=rng.choice(AGENCIES["police"] + AGENCIES["prosecutor"]) if identified else "",
            identified_on=day if identified else None)

    # -- beds -----------------------------------------------------------------

    def _place(self, identity: Identity, at: datetime, prefer: int | None = None,
               parent: _Person | None = None) -> tuple[int, BedChoice] | None:
        """A compatible free bed: in the preferred shelter if it has one,
        else in another; a child only beside the parent (the same room, or a
        children's room of the same shelter)."""
        if parent is not None:
            order = [parent.shelter_id]
        else:
            order = list(self.shelter_ids)
            self.rng.shuffle(order)
            if prefer is not None:
                order.remove(prefer)
                order.insert(0, prefer)
        for shelter_id in order:
            choices = admissions.compatible_beds(self.who, identity, parent_id=parent.resident_id if parent else None,
                                                shelter_id=shelter_id, at=at)
            if parent is not None and parent.place is not None:
                choices = [c for c in choices if c.room_name == parent.place.room_name] or choices
            if choices:
                return shelter_id, self.rng.choice(choices)
        return None

    def _admit(self, person: _Person | None, identity: Identity, protection: Protection, at: datetime,
               parent: _Person | None = None) -> _Person | None:
        placed = self._place(identity, at, parent=parent)
        if placed is None:
            return None  # every compatible bed is taken: referred elsewhere
        shelter_id, choice = placed
        parent_id = parent.resident_id if parent else None
        admitted = admissions.admit(self.who, Admission(
            identity=identity, referral=self.referral(at.date()), protection=protection, bed_id=choice.bed_id,
            admitted_at=at, readmit_resident_id=person.resident_id if person else None, parent_id=parent_id))
        if person is None:
            person = _Person(admitted.resident_id, identity, protection, parent_id)
        person.stay_id, person.place, person.shelter_id = admitted.stay_id, choice, shelter_id
        self.stays += 1
        return person

    def _stay_days(self) -> float:
        return max(0.5, self.rng.lognormvariate(0, 0.8) * self.mean_stay_days / 1.377)  # e^(0.8²/2) ≈ 1.377

    # -- events ---------------------------------------------------------------

    def arrive(self, at: datetime, what: str) -> int | None:
        """One referral: ``"return"`` (someone discharged earlier comes
        back), ``"adult"`` (an adult or an unaccompanied minor) or
        ``"mother"`` (a woman with her child). Returns how many new
        residents, or None when no compatible bed was free."""
        rng = self.rng
        if what == "return":
            if not self.people:
                return 0
            person = self.people.pop(rng.randrange(len(self.people)))
            if self._admit(person, person.identity, person.protection, at) is None:
                self.people.append(person)
                return None
            self._schedule(person, at)
            return 0
        day = at.date()
        minor = what == "adult" and rng.random() < 0.08
        sex = "F" if what == "mother" or rng.random() < WOMEN_SHARE else "M"
        person_names = generate_person(rng, sex=sex)
        age = rng.randint(14, 17) if minor else int(rng.triangular(18, 50, 24))
        identity = self.identity(person_names, day, age)
        adult = self._admit(None, identity, self.protection(identity, day, False), at)
        if adult is None:
            return None
        leaves = self._schedule(adult, at)
        if what != "mother":
            return 1
        child_names = generate_person(rng, nationality=person_names.nationality)
        child_names = DemoPerson(child_names.given_names, person_names.family_name, child_names.given_names_ar,
                                 person_names.family_name_ar, child_names.sex, child_names.nationality,
                                 person_names.languages[:1], child_names.arabic_script_origin, child_names.pool)
        child_identity = self.identity(child_names, day, rng.randint(1, 11))
        child = self._admit(None, child_identity, self.protection(child_identity, day, True), at, parent=adult)
        if child is None:
            self.push(at + timedelta(days=1), _ARRIVE, "adult")  # someone else makes up the number
            return 1
        adult.with_child = True
        self.push(leaves, _DISCHARGE, child)
        return 2

    def _schedule(self, person: _Person, at: datetime) -> datetime:
        leaves = at + timedelta(days=self._stay_days())
        person.with_child = False
        if self.rng.random() < 0.12:
            self.push(at + (leaves - at) * self.rng.uniform(0.2, 0.8), _MOVE, person)
        self.push(leaves, _DISCHARGE, person)
        return leaves

    def move(self, at: datetime, person: _Person) -> None:
        """Another bed, mostly in the same shelter; a parent and child stay put."""
        if at >= self.now or person.stay_id is None or person.with_child:
            return
        placed = self._place(person.identity, at, prefer=person.shelter_id if self.rng.random() < 0.85 else None)
        if placed is not None:
            beds.transfer(self.who, person.stay_id, placed[1].bed_id, at=at)
            person.shelter_id, person.place = placed

    def discharge(self, at: datetime, person: _Person) -> None:
        if at >= self.now or person.stay_id is None:
            return  # still in residence today
        destination = self.rng.choices(DESTINATION.codes, weights=[DESTINATION_WEIGHTS[d] for d in DESTINATION.codes])[0]
        discharge.discharge(self.who, person.stay_id, at, destination)
        person.stay_id = None
        if person.parent_id is None:
            self.people.append(person)

    def _referrals(self, wanted: int) -> list[str]:
        """What each referral brings, adding up to ``wanted`` new residents."""
        kinds, people = [], 0
        while people < wanted:
            draw = self.rng.random()
            if draw < 0.05:
                kinds.append("return")
            elif draw < 0.11 and people + 2 <= wanted:
                kinds.append("mother")
                people += 2
            else:
                kinds.append("adult")
                people += 1
        return kinds

    def run(self, wanted: int, progress: Callable[[int, int], None] | None) -> int:
        """Replay every referral up to today; one that finds no free
        compatible bed waits a day and tries again."""
        span = (self.now - self.start).total_seconds()
        for what in self._referrals(wanted):
            # Spread over the years, a few more in recent years.
            self.push(self.start + timedelta(seconds=span * self.rng.random() ** 0.9), _ARRIVE, what)
        created = 0
        while self.events:
            at, kind, _n, payload = heapq.heappop(self.events)
            if kind == _DISCHARGE:
                self.discharge(at, *payload)
            elif kind == _MOVE:
                self.move(at, *payload)
            elif at < self.now:
                new = self.arrive(at, *payload)
                if new is None:
                    self.push(at + timedelta(days=1), _ARRIVE, *payload)
                    continue
                before, created = created, created + new
                if progress and before // 1000 != created // 1000:
                    progress(created, wanted)
        return created


def shelters_for(residents_count: int, years: float, mean_stay_days: float = 100.0) -> int:
    """How many 60-bed shelters keep about three beds in four occupied."""
    per_year = residents_count / max(years, 0.1)
    beds = per_year * mean_stay_days / 365 / TARGET_OCCUPANCY
    return max(1, min(len(CITIES), round(beds / 60)))


def _add_shelter_rooms(who: SignedIn, shelter_id: int, layout: tuple[tuple[int, str], ...], since: datetime) -> None:
    """The shelter's rooms, their beds in service ``since``."""
    number = 100
    for count, kind in layout:
        for n in range(count):
            number += 1
            shelters.add_room(who, shelter_id, str(number), beds=BEDS_PER_ROOM, women_only=kind == "women",
                              men_only=kind == "men", minors=kind == "minors", accessible=n == 0, at=since)


def build_demo(folder: Path | str, residents_count: int = 300, years: float = 3, shelter_count: int | None = None,
               seed: int = 2026, kdf: KdfParams | None = None,
               progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    """Create a demonstration store in ``folder`` (which must not hold one)
    with about ``residents_count`` residents whose stays spread over the last
    ``years`` years, in ``shelter_count`` shelters of 60 beds (by default as
    many as keep about three beds in four occupied)."""
    if residents_count < 1:
        raise ValidationError(_("The demo needs at least one resident."), field="residents")
    if not 0 < years <= 30:
        raise ValidationError(_("The demo covers from a few days to 30 years."), field="years")
    count = shelter_count or shelters_for(residents_count, years)
    if not 1 <= count <= len(CITIES):
        raise ValidationError(_("The demo has from 1 to {n} shelters.").format(n=len(CITIES)), field="shelters")
    rng = random.Random(seed)
    now = datetime.now(UTC) - timedelta(minutes=1)
    start = now - timedelta(days=365.25 * years)
    admin_name, admin_display, _role = DEMO_ACCOUNTS[0]
    code, city = CITIES[0]
    admin, recovery_code = Store.create(
        folder, shelter_name=f"Dar Al Amane {city}", shelter_code=code, city=city, admin_username=admin_name,
        admin_display_name=admin_display, admin_password=DEMO_PASSWORD, receives=(True, True, True), kdf=kdf)
    try:
        for username, display, role in DEMO_ACCOUNTS[1:]:
            accounts.create_account(admin, username, display, [role], DEMO_PASSWORD, must_change_password=False)
        shelter_ids = []
        for index, (code, city) in enumerate(CITIES[:count]):
            mixed = index % 2 == 0
            if index == 0:
                shelter_id = shelters.list_shelters(admin)[0].id
            else:
                shelter_id = shelters.create_shelter(admin, f"Dar Al Amane {city}", code, city, receives_women=True,
                                                     receives_men=mixed, receives_minors=True).id
            _add_shelter_rooms(admin, shelter_id, MIXED if mixed else WOMEN_AND_CHILDREN, start - timedelta(days=1))
            shelter_ids.append(shelter_id)
        for username, display in demo_counsellors(count):
            accounts.create_account(admin, username, display, [Role.COUNSELLOR], DEMO_PASSWORD,
                                    must_change_password=False)
    finally:
        admin.lock("sign_out")
    who = Store(folder).sign_in(COORDINATOR, DEMO_PASSWORD)
    try:
        beds = count * 60
        mean_stay = TARGET_OCCUPANCY * beds * 365.25 * years / residents_count
        simulation = _Simulation(who, rng, start, now, min(max(mean_stay, 7.0), 365.0), shelter_ids)
        created = simulation.run(residents_count, progress)
        _today(who, rng, now)
        case_work = add_case_work(who, seed, now)
        reintegration = add_reintegration(who, seed, now)
        add_unmet_requests(who, seed, start, now)
        figures = dashboard.dashboard(who)
    finally:
        who.lock("sign_out")
    counsellor = Store(folder).sign_in(COUNSELLOR, DEMO_PASSWORD)
    try:
        counselling = add_counselling(counsellor, seed, now)
    finally:
        counsellor.lock("sign_out")
    return DemoSummary(Path(folder), recovery_code, DEMO_PASSWORD,
                       tuple((u, r.value) for u, _d, r in DEMO_ACCOUNTS)
                       + tuple((u, Role.COUNSELLOR.value) for u, _d in demo_counsellors(count)), count, beds, created,
                       simulation.stays, figures.occupied, case_work, counselling, reintegration)


def add_unmet_requests(who: SignedIn, seed: int, start: datetime, now: datetime) -> int:
    """Referrals the shelters could not take in: about three a month per
    shelter, more often for want of a bed that fits (a man, a boy, a
    wheelchair) than of any bed. Returns how many."""
    rng = random.Random(seed * 31 + 7)
    coordinator = who.actor.account_id
    reasons, weights = ("no_bed", "no_fitting_bed", "not_eligible", "declined", "other"), (30, 35, 15, 15, 5)
    agencies = {"police": "Sûreté nationale", "prosecutor": "Parquet", "ngo": "Association partenaire",
                "hospital": "Hôpital", "consulate": "Consulat", "hotline": "Ligne d'écoute", "self": ""}
    rows, audits = [], []
    with who.store.write() as s:
        shelter_ids = [i for (i,) in s.execute(select(Shelter.id).order_by(Shelter.id))]
        day = start.date()
        while day <= now.date():
            for shelter_id in shelter_ids:
                if rng.random() < 3 / 30:
                    source = rng.choices(REFERRAL_SOURCE.codes, weights=[SOURCE_WEIGHTS[c] for c in
                                                                         REFERRAL_SOURCE.codes])[0]
                    reason = rng.choices(reasons, weights=weights)[0]
                    minor = rng.random() < 0.2
                    rows.append(dict(
                        shelter_id=shelter_id, requested_on=day, source=source, agency=agencies[source],
                        reason=reason, reason_text="orientée vers un autre service" if reason == "other" else "",
                        sex=rng.choices(("female", "male", None), weights=(70, 25, 5))[0],
                        age_band=rng.choice(("12-17", "5-11")) if minor else rng.choice(("18-24", "25-59")),
                        children=rng.choices((0, 1, 2), weights=(80, 15, 5))[0],
                        recorded_at=datetime.combine(day, time(10), tzinfo=UTC), recorded_by=coordinator,
                        withdraw_reason=""))
            day += timedelta(days=1)
        if rows:
            s.execute(insert(UnmetRequest), rows)
            ids = [i for (i,) in s.execute(select(UnmetRequest.id).order_by(UnmetRequest.id))]
            audits = [("unmet_request.record", coordinator, "unmet_request", i, None) for i in ids]
            _audit_all(s, who.store, audits)
    return len(rows)


def _today(who: SignedIn, rng: random.Random, now: datetime) -> None:
    """A working day's loose ends: a few beds held for expected arrivals and
    a few out of service."""
    free = [t.bed_id for board in beds.bed_board(who, at=now) for room in board.rooms for t in room.beds
            if t.status == "free"]
    rng.shuffle(free)
    labels = ("police, expected tonight", "hotline referral", "NGO, transfer from the north", "prosecutor's office")
    for bed_id in free[:3]:
        beds.reserve_bed(who, bed_id, rng.choice(labels), hours=rng.randint(4, 36), at=now)
    reasons = ("Broken frame", "Mattress replaced", "Water damage", "Painting the room")
    for bed_id in free[3:5]:
        beds.set_out_of_service(who, bed_id, rng.choice(reasons), now.date() + timedelta(days=rng.randint(2, 20)),
                                     at=now)


# -- case work after admission -----------------------------------------------------------------
#
# What a social worker writes, per domain: goals (with the actions under
# them and who does each: "worker" the social worker holding the case,
# "counsellor", "coordinator", or a partner organisation), the resident's own
# words, notes beside a score, progress at a review. In the languages the
# teams write in: French mostly, English, Arabic and Darija.

_WORKER, _COUNSELLOR, _COORDINATOR = "worker", "counsellor", "coordinator"

GOALS: dict[str, tuple[tuple[str, tuple[tuple[str, str], ...]], ...]] = {
    "safety": (
        ("Mettre en place un plan de sécurité personnel", (
            ("Élaborer le plan de sécurité avec la résidente", _WORKER),
            ("Signaler les menaces reçues à la police judiciaire", "Police judiciaire"),
            ("Changer de numéro de téléphone et de carte SIM", _WORKER))),
        ("Protect her from any contact with the network that exploited her", (
            ("Ask the prosecutor for a protection measure", "Tribunal de première instance"),
            ("Agree the rules for going out accompanied", _WORKER),
            ("Give the reception desk the list of visitors to refuse", _COORDINATOR))),
        ("ضمان سلامتها داخل المركز وخارجه", (
            ("وضع خطة أمان فردية معها", _WORKER),
            ("مرافقتها في الخرجات الضرورية", _WORKER))),
        ("Évaluer le risque avant tout déplacement vers la ville d'origine", (
            ("Évaluation du risque avec le point focal traite", "Sûreté nationale"),
            ("Préparer un contact d'urgence sur place", _WORKER))),
    ),
    "physical_health": (
        ("Bilan de santé complet et suivi des traitements", (
            ("Rendez-vous de bilan au centre de santé", "Centre de santé du quartier"),
            ("Accompagner aux consultations au CHU Ibn Sina", "CHU Ibn Sina"),
            ("Dépistage IST et VIH avec son accord", "CHU Ibn Sina"))),
        ("Prenatal care until the birth", (
            ("Register at the maternity unit", "CHU Ibn Sina"),
            ("Monthly prenatal check-up", "Centre de santé du quartier"),
            ("Prepare the birth bag and the birth registration papers", _WORKER))),
        ("علاج الأسنان والنظر", (
            ("موعد عند طبيب الأسنان", "Association Amal"),
            ("فحص النظر وطلب نظارات", _WORKER))),
        ("Traiter les douleurs chroniques (dos, mains)", (
            ("Consultation de médecine générale", "Hôpital provincial"),
            ("Séances de kinésithérapie", "Hôpital provincial"))),
    ),
    "mental_health": (
        ("Réduire les symptômes de stress post-traumatique", (
            ("Séances individuelles hebdomadaires avec la psychologue", _COUNSELLOR),
            ("Orientation vers le psychiatre si les symptômes persistent", "Hôpital psychiatrique Ar-Razi"),
            ("Participer au groupe de parole du jeudi", _COUNSELLOR))),
        ("Sleep through the night again", (
            ("Assess the sleep problems with the psychologist", _COUNSELLOR),
            ("Relaxation exercises before bed", _COUNSELLOR))),
        ("استعادة الثقة بالنفس", (
            ("المشاركة في ورشة الرسم والتعبير", _COUNSELLOR),
            ("جلسات فردية مع الأخصائية النفسية", _COUNSELLOR))),
        ("Rompre l'isolement au sein du centre", (
            ("Activités collectives deux fois par semaine", _WORKER),
            ("Désigner une résidente marraine", _WORKER))),
    ),
    "legal": (
        ("Obtenir le statut de victime et porter plainte", (
            ("Rendez-vous avec l'avocate de l'Association Adala", "Association Adala"),
            ("Accompagner au dépôt de plainte", _WORKER),
            ("Préparer l'audition devant le juge d'instruction", "Association Adala"))),
        ("Get legal aid for the trial", (
            ("Apply for legal aid (assistance judiciaire)", "Tribunal de première instance"),
            ("Explain each step of the proceedings with an interpreter", _WORKER))),
        ("تتبع ملف القضية أمام المحكمة", (
            ("حضور الجلسة مع المحامية", "Association Adala"),
            ("إخبارها بتاريخ الجلسة المقبلة", _WORKER))),
        ("Éviter toute poursuite pour séjour irrégulier", (
            ("Attestation de victime présumée du parquet", "Procureur du Roi"),
            ("Informer la préfecture de sa situation", _COORDINATOR))),
    ),
    "documents": (
        ("Obtenir un document d'identité", (
            ("Contacter le consulat pour un laissez-passer", "IOM Rabat"),
            ("Demander l'acte de naissance", _WORKER),
            ("Photos d'identité", _WORKER))),
        ("Régulariser le séjour au Maroc", (
            ("Constituer le dossier de carte de séjour", _WORKER),
            ("Dépôt du dossier au bureau des étrangers", "Préfecture de police"))),
        ("Get back the passport the employer kept", (
            ("Ask the police to recover the passport", "Police judiciaire"),
            ("Report the passport lost to the consulate if it is not found", "IOM Rabat"))),
        ("استخراج البطاقة الوطنية", (
            ("طلب عقد الازدياد من الجماعة", _WORKER),
            ("إيداع الملف بمركز الشرطة", "Sûreté nationale"))),
    ),
    "family": (
        ("Rétablir le contact avec la famille", (
            ("Recherche familiale par le Croissant-Rouge", "Croissant-Rouge marocain"),
            ("Premier appel téléphonique accompagné", _WORKER),
            ("Médiation familiale avant tout retour", _COUNSELLOR))),
        ("Keep her children safe and in touch with her", (
            ("Weekly video call with the children", _WORKER),
            ("Check the children's situation with the family", "Caritas Maroc"))),
        ("التواصل مع الأسرة بأمان", (
            ("تقييم خطر التواصل مع الأسرة", _WORKER),
            ("زيارة منزلية قبل العودة", _WORKER))),
        ("Préparer la garde de l'enfant pendant les démarches", (
            ("Inscription à la crèche de l'association", "Association Amal"),
            ("Organiser la garde les jours d'audience", _WORKER))),
    ),
    "education": (
        ("Cours d'alphabétisation", (
            ("Inscription au cours d'alphabétisation", "Association Amal"),
            ("Suivi de l'assiduité chaque mois", _WORKER))),
        ("Learn French", (
            ("Join the French class at the Fondation Orient-Occident", "Fondation Orient-Occident"),
            ("Practise with a volunteer twice a week", _WORKER))),
        ("تكوين في الخياطة", (
            ("التسجيل في مركز التكوين المهني", "OFPPT"),
            ("توفير ثمن التنقل إلى المركز", _COORDINATOR))),
        ("Scolarisation de l'enfant", (
            ("Inscription à l'école primaire du quartier", _WORKER),
            ("Fournitures scolaires", _COORDINATOR),
            ("Soutien scolaire le mercredi", "Association Amal"))),
    ),
    "livelihood": (
        ("Trouver une formation qualifiante et un premier emploi", (
            ("Inscription à l'ANAPEC", "ANAPEC"),
            ("Atelier CV et entretien d'embauche", "Fondation Orient-Occident"),
            ("Stage en entreprise", "ANAPEC"))),
        ("Start a small income project", (
            ("Apply for the micro-project grant", "Fondation Orient-Occident"),
            ("Business training", "Fondation Orient-Occident"))),
        ("Reintegration grant for the return home", (
            ("Reintegration assistance application", "IOM Rabat"),
            ("Write the business plan with the IOM officer", "IOM Rabat"))),
        ("إيجاد عمل قار", (
            ("البحث عن عروض الشغل", _WORKER),
            ("مرافقتها لمقابلة العمل", _WORKER))),
    ),
    "housing": (
        ("Trouver un logement sûr après la sortie", (
            ("Visites de logements avec l'assistante sociale", _WORKER),
            ("Aide au premier loyer et à la caution", "Caritas Maroc"))),
        ("Prepare the return to the family home", (
            ("Home visit before the return", _WORKER),
            ("Agree the conditions of the return with the family", _COUNSELLOR))),
        ("إيجاد سكن آمن لها ولطفلها", (
            ("البحث عن غرفة قريبة من العمل", _WORKER),
            ("توفير الأثاث الضروري", "Association Amal"))),
    ),
    "intentions": (
        ("Préparer le retour volontaire au pays d'origine", (
            ("Dossier de retour volontaire (AVRR)", "IOM Rabat"),
            ("Contact avec la famille au pays", _WORKER),
            ("Billet et accompagnement à l'aéroport", "IOM Rabat"))),
        ("Decide on her future plans", (
            ("Information session on the options: return, stay, third country", _WORKER),
            ("Meeting with UNHCR", "UNHCR"))),
        ("الاندماج في المغرب", (
            ("شرح إجراءات الإقامة", _WORKER),
            ("ربط الاتصال بجمعية محلية للمواكبة", "Association Amal"))),
    ),
}

RESIDENT_WORDS: dict[str, tuple[str, ...]] = {
    "safety": ("Je veux ne plus avoir peur quand je sors", "I want them never to find me", "بغيت نحس براسي فأمان"),
    "physical_health": ("J'ai mal au dos depuis des mois", "I want my baby to be born healthy", "بغيت نداوي سناني"),
    "mental_health": ("Je ne veux plus faire de cauchemars", "I want to sleep and stop thinking about it",
                      "بغيت نرتاح ونسى"),
    "legal": ("Je veux que ceux qui m'ont fait ça soient punis", "I don't want to go to prison", "بغيت حقي"),
    "documents": ("Ils ont gardé mon passeport", "I want papers so I can work", "بغيت البطاقة ديالي"),
    "family": ("Je veux parler à ma mère", "I want to see my children again", "بغيت نرجع لولادي"),
    "education": ("Je veux apprendre à lire", "I want to learn a trade", "بغيت نتعلم الخياطة"),
    "livelihood": ("Je veux gagner ma vie moi-même", "I want to send money to my family", "بغيت نخدم"),
    "housing": ("Je veux une chambre à moi", "A safe place for me and my son", "بغيت دار فين نعيش"),
    "intentions": ("Je veux rentrer chez moi", "I want to stay in Morocco", "ما بغيتش نرجع دابا"),
}

SCORE_NOTES: dict[str, tuple[str, ...]] = {
    "safety": ("Menaces reçues par téléphone", "The trafficker knows the city she is in", "تهديدات من الشبكة"),
    "physical_health": ("Enceinte de cinq mois, sans suivi", "Injuries to the hands, untreated", "ألم مزمن في الظهر"),
    "mental_health": ("Flashbacks, dort très peu", "Cries often, does not eat", "خوف شديد وكوابيس"),
    "legal": ("Audience dans trois semaines, pas d'avocat", "No lawyer yet", "الملف عند النيابة العامة"),
    "documents": ("Passeport gardé par l'employeur", "No document at all", "بدون بطاقة وطنية"),
    "family": ("Deux enfants restés au pays", "Family unaware of where she is", "انقطاع الاتصال مع العائلة"),
    "education": ("Ne sait pas lire", "Wants to finish school", "لم تكمل الدراسة"),
    "livelihood": ("Dette envers le réseau", "No income", "بدون دخل"),
    "housing": ("Aucun lieu sûr où aller", "The family home is not safe", "بدون سكن"),
    "intentions": ("Hésite entre retour et séjour", "Wants to go home but fears the debt", "مترددة"),
}

PROGRESS_NOTES = (
    "Première séance faite", "Rendez-vous fixé", "En attente de la réponse du consulat", "Plainte déposée",
    "Waiting for the partner's answer", "Good progress this month", "No change this month", "Started, goes regularly",
    "تقدم جيد", "في انتظار الموعد", "بدأت التكوين",
)
ACTION_NOTES = (
    "Appelé le partenaire, rappel la semaine prochaine", "Rendez-vous déplacé à la semaine prochaine",
    "Documents photocopiés et envoyés", "Called the partner, waiting for a date", "She asked to postpone",
    "تم الاتصال بالشريك", "تم تحديد موعد",
)
NO_GOAL_REASONS = (
    "Pris en charge par le partenaire, hors du plan", "La résidente ne souhaite pas travailler sur ce point maintenant",
    "Sera traité après l'audience", "Handled by the consulate directly", "Not a priority before the return",
    "ما بغاتش تخدم على هاد الجانب دابا",
)
DROP_REASONS = (
    "La résidente ne souhaite plus poursuivre", "Plus nécessaire après la recherche familiale",
    "The partner closed the programme", "She chose another path", "تغيّر المشروع",
)
REVIEW_CHANGES = (
    "Objectifs revus avec la résidente", "Plan inchangé", "Progress discussed with her and the counsellor",
    "Reviewed with the interpreter", "تمت مراجعة الأهداف معها", "",
)
CHANGED_AT_REVIEW = (
    "Nouvel objectif ajouté avec la résidente", "Échéances revues", "New action agreed with her",
    "Goal added after the reassessment", "أضيف هدف جديد",
)
INTERPRETERS = ("interprète de Caritas Maroc", "interpreter from IOM Rabat", "médiatrice culturelle, Association Amal",
                "interprète bénévole")
CLOSURE_FOR_DESTINATION = {"family_reunification": "reintegrated", "assisted_return": "returned",
                           "independent_living": "reintegrated", "another_shelter": "transferred",
                           "hospital": "transferred", "left_without_notice": "lost_contact", "other": "other"}
OTHER_CLOSURES = ("Orientée vers un programme hors du réseau", "Case handed over to the child protection services",
                  "تم تسليم الملف للمصالح المختصة")
REOPEN_REASONS = ("Readmitted after a new referral.", "Nouvelle admission après un signalement de la police.",
                  "عادت إلى المركز بعد إحالة جديدة.")
# Scores drawn at the first assessment: most people arrive in danger, with
# no papers and no lawyer; fewer with nothing to do in the other domains.
URGENT_DOMAINS = frozenset({"safety", "mental_health", "legal", "documents"})
URGENT_WEIGHTS, OTHER_WEIGHTS = (30, 42, 20, 8), (4, 26, 34, 36)
CHILD_WEIGHTS = {"legal": (0, 5, 15, 80), "livelihood": (0, 0, 5, 95), "housing": (0, 5, 10, 85),
                 "intentions": (0, 5, 10, 85), "education": (25, 40, 25, 10), "documents": (10, 30, 30, 30)}

# In order on one day: the morning's assignment and assessment come before
# the plan, the plan before its actions, the review before the version
# agreed at it, and the assessment at discharge last.
_ASSIGN, _ASSESS, _PLAN, _TICK, _REVIEW, _AGREE, _LEAVE = range(7)


@dataclass
class _StayRecord:
    stay_id: int
    resident_id: int
    case_number: str
    admitted_at: datetime
    discharged_at: datetime | None
    destination: str | None
    child: bool
    languages: str
    interpreter_needed: bool


@dataclass
class _Action:
    id: int
    done_on: date | None = None


@dataclass
class _Goal:
    id: int
    domain: str
    goal: str
    target_on: date | None
    status: str = "not_started"
    actions: list[_Action] = field(default_factory=list)


@dataclass
class _Case:
    """One stay's case work as it is being replayed."""

    stay: _StayRecord
    end: date  # the last day anything can be written: the discharge, or today
    holder: int
    assignment: int = 0
    events: list = field(default_factory=list)
    scores: dict[str, int] = field(default_factory=dict)
    plan: CarePlan | None = None  # not in the session: what care_plans._content reads of it
    plan_row: dict[str, object] = field(default_factory=dict)  # written at the end, with its last review date
    plan_number: int = 0  # the how-manieth plan of the resident, in the version's reference
    goals: list[_Goal] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)
    versions: int = 0
    agreed: dict | None = None  # the plan part of the last version


class _CaseWork:
    """Writes the case work of stays in one unit of work, the way the
    services would have written it day after day.

    The rows are written without the ORM, with ids given here (the unit of
    work holds the write lock), in a few statements: those that the
    services' helpers read back (``care_plans._content``, when a version is
    agreed) just before they do, the others at the end, then the audit
    entries. Nothing is left in the session between two reads, so what they
    read is what the table holds."""

    def __init__(self, s: Session, store: Store, rng: random.Random, now: datetime, staff: dict[str, list[int]],
                 seed: int = 2026) -> None:
        self.s, self.store, self.rng, self.now, self.seed = s, store, rng, now, seed
        self.today = now.astimezone().date()
        self.workers, self.counsellors = staff["social_worker"], staff["counsellor"]
        self.coordinator = staff["coordinator"][0]
        settings = load_settings(s)
        self.months, self.interval = settings.reassessment_months, settings.review_interval_days
        self.key = _document_key(s)
        self.counter = itertools.count()
        self.ids = {model: itertools.count((s.execute(select(func.max(model.id))).scalar() or 0) + 1)
                    for model in (Assessment, CarePlan, PlanGoal, PlanAction, PlanReview, CaseAssignment)}
        self.soon: dict[type, list[dict[str, object]]] = {}  # inserted before the next read
        self.changes: dict[tuple[type, int], dict[str, object]] = {}  # updated before the next read
        self.pending: dict[type, list[dict[str, object]]] = {}  # inserted at the end
        self.audits: list[tuple[str, int, str, int, dict[str, int | str] | None]] = []
        self.plans: dict[int, int] = {}  # by resident: how many plans so far
        self.clock = now  # the stay's: see at()
        self.totals = dict.fromkeys(("assessments", "plans", "goals", "actions", "versions", "reviews",
                                     "closures"), 0)
        # Rows are not written parent first: the foreign keys are checked at
        # the commit instead (SQLite ends this with the transaction).
        s.execute(text("PRAGMA defer_foreign_keys = ON"))

    # -- writing -------------------------------------------------------------------------------

    def row(self, model: type, when: str = "soon", **values: object) -> int:
        """A new row of ``model``, written before the next read (``soon``)
        or at the end (``later``); its id."""
        if model in self.ids:
            values["id"] = next(self.ids[model])
        (self.soon if when == "soon" else self.pending).setdefault(model, []).append(values)
        return values.get("id", 0)

    def set(self, model: type, row_id: int, **values: object) -> None:
        self.changes.setdefault((model, row_id), {}).update(values)

    def sync(self) -> None:
        """Write what the next read must see."""
        for model, rows in self.soon.items():
            self.s.execute(insert(model), rows)
        self.soon.clear()
        groups: dict[tuple[type, tuple[str, ...]], list[dict[str, object]]] = {}
        for (model, row_id), values in self.changes.items():
            groups.setdefault((model, tuple(sorted(values))), []).append({"id": row_id, **values})
        for (model, _names), rows in groups.items():
            self.s.execute(update(model), rows)
        self.changes.clear()

    def finish(self) -> None:
        """Write what waits, then the audit entries."""
        self.sync()
        for model, rows in self.pending.items():
            self.s.execute(insert(model), rows)
        self.pending.clear()
        for action, actor, record_type, record_id, detail in self.audits:
            self.store.audit(self.s, action, actor, record_type, record_id, detail=detail)
        self.audits.clear()

    def audit(self, action: str, actor: int, record_type: str, record_id: int,
              detail: dict[str, int | str] | None = None) -> None:
        self.audits.append((action, actor, record_type, record_id, detail))

    def at(self, day: date, earliest: datetime | None = None) -> datetime:
        """A moment in the working hours of ``day`` (local time), never after
        now, nor before ``earliest``; without it, never before the moment
        given last in the stay (the stay's clock, which it moves on)."""
        moment = datetime.combine(day, time(self.rng.randint(9, 16), self.rng.randint(0, 59))).astimezone(UTC)
        if earliest is not None:
            return min(max(moment, earliest), self.now)
        self.clock = min(max(moment, self.clock), self.now)
        return self.clock

    def push(self, case: _Case, day: date, order: int, call: Callable[..., None], *args: object) -> None:
        if day <= case.end:
            heapq.heappush(case.events, (day, order, next(self.counter), call, args))

    def change(self, case: _Case, record_type: str, record_id: int, name: str, old: object, new: object,
               day: date, reason: str = "") -> None:
        """The earlier value kept, as the services keep it (record_change)."""
        self.row(RecordChange, "later", resident_id=case.stay.resident_id, record_type=record_type,
                    record_id=record_id, field=name, old_value=json.dumps(old, default=str),
                    new_value=json.dumps(new, default=str), reason=reason, changed_at=self.at(day),
                    changed_by=case.holder)

    # -- one stay ----------------------------------------------------------------------------

    def stay(self, stay: _StayRecord) -> int | None:
        """Replay one stay's case work; the social worker holding it (None
        for the few cases nobody took)."""
        rng = self.rng
        admitted = stay.admitted_at.astimezone().date()
        end = stay.discharged_at.astimezone().date() if stay.discharged_at else self.today
        length = (end - admitted).days
        # Nobody took a few cases: mostly people who left within days.
        if not self.workers or rng.random() >= (0.6 if stay.discharged_at and length < 3 else 0.97):
            return None
        case = _Case(stay, end, rng.choice(self.workers))
        taken = min(stay.admitted_at + timedelta(hours=rng.uniform(0.5, 40)), stay.discharged_at or self.now,
                    self.now)
        self.clock = taken
        by = self.coordinator if rng.random() < 0.6 else case.holder
        case.assignment = self.row(CaseAssignment, stay_id=stay.stay_id, staff_id=case.holder, started_at=taken,
                                      ended_at=None, assigned_by=by)
        self.audit("case.assign", by, "stay", stay.stay_id, {"staff": case.holder})
        if len(self.workers) > 1 and length > 60 and rng.random() < 0.08:
            self.push(case, admitted + timedelta(days=rng.randint(20, length - 10)), _ASSIGN, self.hand_over)
        # The needs assessment in the first days, for most; a few long
        # stays get theirs late, a few never (it is overdue, or they left).
        if rng.random() < (0.6 if stay.child else 0.86):
            self.push(case, admitted + timedelta(days=round(rng.triangular(0, 12, 3))), _ASSESS, self.assess,
                      "initial")
        elif length > 45 and rng.random() < 0.5:
            self.push(case, admitted + timedelta(days=rng.randint(15, 45)), _ASSESS, self.assess, "initial")
        while case.events:
            day, _order, _n, call, args = heapq.heappop(case.events)
            call(case, day, *args)
        return case.holder

    def hand_over(self, case: _Case, day: date) -> None:
        moment = self.at(day)
        self.sync()  # one open assignment per stay: the old one ends first
        self.s.execute(update(CaseAssignment), [{"id": case.assignment, "ended_at": moment}])
        case.holder = self.rng.choice([w for w in self.workers if w != case.holder])
        case.assignment = self.row(CaseAssignment, stay_id=case.stay.stay_id, staff_id=case.holder,
                                      started_at=moment, ended_at=None, assigned_by=self.coordinator)
        self.audit("case.assign", self.coordinator, "stay", case.stay.stay_id, {"staff": case.holder})

    # -- assessments ---------------------------------------------------------------------------

    def _scores(self, case: _Case) -> dict[str, int]:
        rng = self.rng
        if not case.scores:
            scores = {}
            for domain in ASSESSMENT_DOMAIN.codes:
                weights = (CHILD_WEIGHTS.get(domain, OTHER_WEIGHTS) if case.stay.child
                           else URGENT_WEIGHTS if domain in URGENT_DOMAINS else OTHER_WEIGHTS)
                scores[domain] = rng.choices(SCORES, weights=weights)[0]
            return scores
        # Later: most needs ease with time, a few grow worse.
        scores = {}
        for domain, score in case.scores.items():
            draw = rng.random()
            scores[domain] = min(NO_NEED, score + 1) if draw < 0.4 else max(1, score - 1) if draw > 0.96 else score
        return scores

    def assess(self, case: _Case, day: date, kind: str) -> None:
        rng = self.rng
        scores = self._scores(case)
        note = rng.choice(("Bilan de sortie avec la résidente", "Assessed on the day she left", "")) \
            if kind == "discharge" else ""
        assessment_id = self.row(Assessment, resident_id=case.stay.resident_id, stay_id=case.stay.stay_id,
                                    kind=kind, assessed_on=day, assessed_by=case.holder, note=note,
                                    recorded_at=self.at(day))
        for d in ASSESSMENT_DOMAIN.codes:
            self.row(AssessmentScore, assessment_id=assessment_id, domain=d, score=scores[d],
                        note=rng.choice(SCORE_NOTES[d]) if scores[d] <= 2 and rng.random() < 0.35 else "")
        self.audit("assessment.create", case.holder, "assessment", assessment_id,
                   {"resident": case.stay.resident_id, "kind": kind})
        case.scores = scores
        self.totals["assessments"] += 1
        if kind == "discharge":
            return
        if kind == "initial":
            if rng.random() < (0.4 if case.stay.child else 0.75):
                self.push(case, day + timedelta(days=rng.choice((0, 0, 1, 2, 3, 5))), _PLAN, self.start_plan)
            # One at discharge for most, not for those who left without a word.
            gone = case.stay.destination == "left_without_notice"
            if case.stay.discharged_at is not None and rng.random() < (0.05 if gone else 0.75):
                self.push(case, case.end, _LEAVE, self.assess, "discharge")
        due = add_months(day, self.months)
        late = rng.randint(20, 60) if rng.random() < 0.1 else rng.randint(-10, 10)
        self.push(case, due + timedelta(days=late), _ASSESS, self.assess, "scheduled")

    # -- the plan ------------------------------------------------------------------------------

    def start_plan(self, case: _Case, day: date) -> None:
        rng, stay = self.rng, case.stay
        case.plan_row = dict(id=next(self.ids[CarePlan]), stay_id=stay.stay_id, resident_id=stay.resident_id,
                             created_at=self.at(day), created_by=case.holder, next_review_on=None)
        self.pending.setdefault(CarePlan, []).append(case.plan_row)
        case.plan = CarePlan(id=case.plan_row["id"], stay_id=stay.stay_id, resident_id=stay.resident_id)
        self.plans[stay.resident_id] = case.plan_number = self.plans.get(stay.resident_id, 0) + 1
        self.audit("care_plan.create", case.holder, "care_plan", case.plan.id, {"resident": stay.resident_id})
        self.totals["plans"] += 1
        for domain in ASSESSMENT_DOMAIN.codes:
            if case.scores[domain] >= NO_NEED:
                continue
            if rng.random() < 0.88:
                for _n in range(rng.choices((1, 2, 3), weights=(80, 17, 3))[0]):
                    self.add_goal(case, domain, day)
            else:
                self.reason(case, domain, day)
        if rng.random() < 0.9:
            self.push(case, day + timedelta(days=rng.randint(1, 10)), _AGREE, self.agree)

    def reason(self, case: _Case, domain: str, day: date) -> None:
        text = self.rng.choice(NO_GOAL_REASONS)
        self.row(PlanDomainReason, plan_id=case.plan.id, domain=domain, reason=text, written_at=self.at(day),
                    written_by=case.holder)
        case.reasons[domain] = text

    def add_goal(self, case: _Case, domain: str, day: date) -> _Goal | None:
        rng = self.rng
        used = {g.goal for g in case.goals}
        choices = [g for g in GOALS[domain] if g[0] not in used]
        if not choices:
            return None
        text, actions = rng.choice(choices)
        score = case.scores.get(domain, 3)
        target = day + timedelta(days=rng.randint(30, 150)) if rng.random() < 0.85 else None
        goal = _Goal(self.row(
            PlanGoal, plan_id=case.plan.id, domain=domain, goal=text,
            resident_words=rng.choice(RESIDENT_WORDS[domain]) if rng.random() < 0.35 else "",
            priority="high" if score == 1 else rng.choice(("high", "medium")) if score == 2
            else rng.choice(("medium", "low")),
            target_on=target, status="not_started", status_reason="", position=len(case.goals),
            created_at=self.at(day), created_by=case.holder), domain, text, target)
        case.goals.append(goal)
        self.totals["goals"] += 1
        count = min(len(actions), rng.choices((1, 2, 3), weights=(30, 45, 25))[0])
        for what, owner in rng.sample(actions, count):
            self.add_action(case, goal, what, owner, day)
        return goal

    def add_action(self, case: _Case, goal: _Goal, what: str, owner: str, day: date) -> None:
        rng = self.rng
        staff = (case.holder if owner == _WORKER else self.coordinator if owner == _COORDINATOR
                 else (rng.choice(self.counsellors) if self.counsellors else case.holder) if owner == _COUNSELLOR
                 else None)
        due = day + timedelta(days=rng.randint(5, 75))
        action = _Action(self.row(PlanAction, goal_id=goal.id, what=what, owner_staff_id=staff,
                                     owner_partner="" if staff else owner,
                                     due_on=due if rng.random() < 0.92 else None, position=len(goal.actions),
                                     created_at=self.at(day)))
        goal.actions.append(action)
        self.totals["actions"] += 1
        if rng.random() < 0.975:  # done around the day it was due, a few late; the others never were
            late = rng.randint(15, 60) if rng.random() < 0.06 else rng.randint(-12, 10)
            self.push(case, max(day + timedelta(days=1), due + timedelta(days=late)), _TICK, self.tick, action, staff)
        if rng.random() < 0.2:
            self.push(case, day + timedelta(days=rng.randint(1, max(1, (due - day).days))), _TICK, self.note, action)

    def tick(self, case: _Case, day: date, action: _Action, staff: int | None) -> None:
        by = staff if staff is not None else case.holder
        action.done_on = day
        self.set(PlanAction, action.id, done_on=day, done_by=by)
        self.change(case, "plan_action", action.id, "done_on", None, day.isoformat(), day)
        self.change(case, "plan_action", action.id, "done_by", None, by, day)

    def note(self, case: _Case, day: date, action: _Action) -> None:
        self.row(PlanActionNote, "later", action_id=action.id, written_at=self.at(day), written_by=case.holder,
                    text=self.rng.choice(ACTION_NOTES))

    def _fill_gaps(self, case: _Case, day: date) -> None:
        """What a social worker does before agreeing: every need of the latest
        assessment answered by a goal or a reason."""
        goal_domains = [g.domain for g in case.goals if g.status != "dropped"]
        for gap in plan_gaps(case.scores, goal_domains, case.reasons):
            if self.rng.random() >= 0.7 or self.add_goal(case, gap.domain, day) is None:
                self.reason(case, gap.domain, day)

    def agree(self, case: _Case, day: date) -> None:
        """A version agreed with the resident: its content and code made by
        the care-plan service's own functions, from what the tables hold."""
        rng, s, plan = self.rng, self.s, case.plan
        self._fill_gaps(case, day)
        if not case.goals:
            return
        number = case.versions + 1
        reference = f"{case.stay.case_number}-P{case.plan_number}-V{number}"
        if case.plan_row["next_review_on"] is None:
            case.plan_row["next_review_on"] = day + timedelta(days=self.interval)
        languages = set(case.stay.languages.split(","))
        lang = ("fr" if rng.random() < 0.25 else "ar") if languages & {"ar", "ary"} else \
            "fr" if "fr" in languages else "en"
        interpreter = rng.choice(INTERPRETERS) if case.stay.interpreter_needed else ""
        self.sync()
        content = care_plans._content(s, plan, number, lang, interpreter, day, case.plan_row["next_review_on"],
                                      reference)
        s.expunge_all()  # what it read: the next read must see the tables as they will be then
        if content["plan"] == case.agreed:
            return  # nothing changed since the last version: nothing to agree
        agreed_at = self.at(day)
        self.row(PlanVersion, "later", plan_id=plan.id, number=number, reference=reference, lang=lang,
                    interpreter=interpreter, content=_canonical(content).decode(),
                    code=verification_code(self.key, content), agreed_on=day, agreed_at=agreed_at,
                    agreed_by=case.holder)
        self.row(PlanEvent, "later", plan_id=plan.id, kind="agreed", version_number=number,
                    content_hash=care_plans._hash(content["plan"]), comment="", at=agreed_at, by=case.holder)
        self.audit("care_plan.agreed", case.holder, "care_plan", plan.id, {"version": number})
        self.audit("document.care_plan", case.holder, "resident", case.stay.resident_id,
                   {"reference": reference, "lang": lang, "version": number})
        case.versions, case.agreed = number, content["plan"]
        self.totals["versions"] += 1
        if number == 1:
            self.push(case, self._review_day(case.plan_row["next_review_on"]), _REVIEW, self.review)

    def _review_day(self, due: date) -> date:
        late = self.rng.randint(15, 45) if self.rng.random() < 0.15 else self.rng.randint(-3, 6)
        return due + timedelta(days=late)

    def review(self, case: _Case, day: date) -> None:
        rng, plan = self.rng, case.plan
        progress: list[tuple[_Goal, str, str, str]] = []
        for goal in case.goals:
            if goal.status not in OPEN_GOAL_STATUSES:
                continue
            done = sum(a.done_on is not None for a in goal.actions)
            draw = rng.random()
            if goal.actions and done == len(goal.actions) and draw < 0.8:
                status, reason = "achieved", ""
            elif draw > 0.97:
                status, reason = rng.choice(("dropped", "not_achieved")), rng.choice(DROP_REASONS)
            elif done or draw < 0.5:
                status, reason = "in_progress", ""
            else:
                status, reason = goal.status, ""
            progress.append((goal, status, reason, rng.choice(PROGRESS_NOTES) if rng.random() < 0.7 else ""))
        changing = case.versions < 4 and rng.random() < 0.3
        following = day + timedelta(days=self.interval)
        review_id = self.row(PlanReview, "later", plan_id=plan.id, reviewed_on=day, reviewed_by=case.holder,
                                changes=rng.choice(CHANGED_AT_REVIEW) if changing else rng.choice(REVIEW_CHANGES),
                                next_review_on=following, recorded_at=self.at(day))
        at_review = _("At the review")
        for goal, status, reason, said in progress:
            self.row(PlanReviewGoal, "later", review_id=review_id, goal_id=goal.id, status=status, progress=said)
            if status != goal.status:
                self.change(case, "plan_goal", goal.id, "status", goal.status, status, day, at_review)
                if reason:
                    self.change(case, "plan_goal", goal.id, "status_reason", "", reason, day, at_review)
                goal.status = status
                self.set(PlanGoal, goal.id, status=status, status_reason=reason)
        case.plan_row["next_review_on"] = following
        self.audit("care_plan.review", case.holder, "plan_review", review_id, {"plan": plan.id})
        self.totals["reviews"] += 1
        if changing:
            self._change_plan(case, day)
            self.push(case, day, _AGREE, self.agree)
        self.push(case, self._review_day(following), _REVIEW, self.review)

    def _change_plan(self, case: _Case, day: date) -> None:
        """What changes at a review: a goal for a need still open, a later
        target date, one more action."""
        rng = self.rng
        open_goals = [g for g in case.goals if g.status in OPEN_GOAL_STATUSES]
        needs = [d for d, score in case.scores.items() if score < NO_NEED]
        if needs and (not open_goals or rng.random() < 0.4):
            self.add_goal(case, rng.choice(needs), day)
        elif open_goals and rng.random() < 0.5:
            goal = rng.choice(open_goals)
            later = (goal.target_on or day) + timedelta(days=rng.randint(30, 90))
            self.change(case, "plan_goal", goal.id, "target_on",
                        goal.target_on.isoformat() if goal.target_on else None, later.isoformat(), day)
            goal.target_on = later
            self.set(PlanGoal, goal.id, target_on=later)
        elif open_goals:
            goal = rng.choice(open_goals)
            templates = dict(GOALS[goal.domain]).get(goal.goal, ())
            what, owner = rng.choice(templates) if templates else ("Point avec la résidente", _WORKER)
            self.add_action(case, goal, what, owner, day)

    # -- closing -------------------------------------------------------------------------------

    def close(self, stays: list[tuple[_StayRecord, int | None]]) -> None:
        """Close the cases of most people who left long ago (and reopen them
        for those who came back later). A stay that will have a
        reintegration plan is left to ``add_reintegration``, which closes it
        after its last follow-up."""
        rng = self.rng
        for index, (stay, holder) in enumerate(stays):
            if stay.discharged_at is None:
                continue
            left = stay.discharged_at.astimezone().date()
            if _gets_reintegration_plan(self.seed, stay.stay_id, stay.child, stay.admitted_at.astimezone().date(),
                                        left):
                continue
            back = stays[index + 1][0].admitted_at if index + 1 < len(stays) else None
            room = ((back.astimezone().date() - left).days - 1) if back else (self.today - left).days
            if room < 14 or rng.random() >= (0.85 if room > 120 else 0.25 if room > 45 else 0):
                continue
            closed_on = left + timedelta(days=min(room, round(rng.triangular(14, 400, 100))))
            reason = CLOSURE_FOR_DESTINATION.get(stay.destination or "other", "other")
            if rng.random() < 0.08:
                reason = rng.choice(("refused_services", "moved_away"))
            closer = holder if holder is not None and rng.random() < 0.5 else self.coordinator
            self.row(CaseClosure, "later", resident_id=stay.resident_id, closed_on=closed_on, reason=reason,
                        reason_text=rng.choice(OTHER_CLOSURES) if reason == "other" else "",
                        closed_at=self.at(closed_on, stay.discharged_at), closed_by=closer,
                        reopened_at=back, reopened_by=self.coordinator if back else None,
                        reopen_reason=rng.choice(REOPEN_REASONS) if back else "")
            self.audit("case.close", closer, "resident", stay.resident_id, {"reason": reason})
            if back is not None:
                self.audit("case.reopen", self.coordinator, "resident", stay.resident_id)
            self.totals["closures"] += 1


def _staff(s: Session) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {"social_worker": [], "counsellor": [], "coordinator": []}
    for account_id, role in s.execute(select(StaffAccount.id, StaffRole.role)
                                      .join(StaffRole, StaffRole.account_id == StaffAccount.id)
                                      .where(StaffAccount.active.is_(True)).order_by(StaffAccount.id)).all():
        if role in found:
            found[role].append(account_id)
    return found


def add_case_work(who: SignedIn, seed: int = 2026, now: datetime | None = None, batch: int = 400,
                  progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Replay the case work of every stay on record (in a store that has
    none yet): assessments, care plans, versions, reviews, assignments and
    closures (but not of the stays ``add_reintegration`` gives a plan: it
    closes those after their last follow-up). ``who`` is the coordinator;
    the work is written in the names of the store's social workers. Returns
    how many of each were written (none in a store that holds an assessment
    already)."""
    rng = random.Random(f"case work {seed}")
    now = now or datetime.now(UTC) - timedelta(minutes=1)
    with who.store.read() as s:
        if s.execute(select(Assessment.id).limit(1)).first() is not None:
            return {}  # written already (or real work began): never twice
        staff = _staff(s)
        if not staff["coordinator"]:
            staff["coordinator"] = [who.actor.account_id]
        rows = s.execute(select(Stay.id, Stay.resident_id, Resident.case_number, Stay.admitted_at,
                                Stay.discharged_at, Stay.destination, Resident.parent_id, Resident.languages,
                                Resident.interpreter_needed)
                         .join(Resident, Resident.id == Stay.resident_id)
                         .order_by(Stay.resident_id, Stay.admitted_at)).all()
    by_resident: dict[int, list[_StayRecord]] = {}
    for r in rows:
        by_resident.setdefault(r[1], []).append(_StayRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6] is not None,
                                                            r[7] or "", bool(r[8])))
    people = list(by_resident.values())
    totals: dict[str, int] = {}
    done = 0
    for start in range(0, len(people), batch):
        with who.store.write() as s:
            work = _CaseWork(s, who.store, rng, now, staff, seed)
            for stays in people[start:start + batch]:
                work.close([(stay, work.stay(stay)) for stay in stays])
                done += len(stays)
            work.finish()
            for name, n in work.totals.items():
                totals[name] = totals.get(name, 0) + n
        if progress:
            progress(done, len(rows))
    return totals


# -- counselling -------------------------------------------------------------------------------
#
# One counsellor per shelter (Nadia in the first, then DEMO_COUNSELLORS),
# three rooms for sessions in each, and the sessions of the stays: most
# residents seen alone about every week or two through their stay, a group
# in most weeks, a few sessions with relatives, some by phone or video.
# Every session starts on the hour of a counsellor's day (SLOT_HOURS, shelter
# time) and lasts at most as many hours as it takes: the hours it holds are
# taken in a diary of every counsellor, resident and room, so none of them is
# ever in two sessions at once (cancelled ones included).

DEMO_COUNSELLORS: tuple[tuple[str, str], ...] = (
    ("rachid", "Rachid Amrani"), ("imane", "Imane Chraibi"), ("meryem", "Meryem Lahlou"),
    ("driss", "Driss Bennani"), ("sanae", "Sanae Ouazzani"), ("hamza", "Hamza Kettani"),
    ("zineb", "Zineb Filali"), ("ilyas", "Ilyas Sebti"), ("ghita", "Ghita Squalli"), ("anas", "Anas Tahiri"),
    ("kawtar", "Kawtar Bouzidi"), ("mehdi", "Mehdi Lazrak"), ("houda", "Houda Cherkaoui"),
    ("yassine", "Yassine Ziani"), ("loubna", "Loubna Mansouri"),
)
COUNSELLOR = "nadia"  # signs in to make (or open) the key of the notes
MEETING_ROOMS = ("Salle d'écoute", "قاعة الاستماع", "Group room")  # the last one for groups
SLOT_HOURS = (9, 10, 11, 12, 14, 15, 16, 17)
LAST_HOUR = 17
NOTE_PREFIX = "Synthetic note"  # every note's text begins so: a search of the raw file for it finds nothing

NOTE_DATA = (
    "elle dit mal dormir depuis l'audience, cauchemars trois nuits sur sept.",
    "she talked about her mother for the first time and cried at length.",
    "parle de la peur d'être retrouvée par le réseau ; évite de sortir seule.",
    "تحدثت عن رغبتها في العودة إلى أسرتها وعن خوفها من ردة فعلهم.",
    "reports headaches and trouble concentrating in the literacy class.",
    "raconte une dispute avec une autre résidente ; se sent incomprise.",
    "she says she feels safer since the new rules for visits.",
    "évoque sa fille restée au pays ; les appels vidéo sont irréguliers.",
    "قالت إنها بدأت تنام أحسن منذ الأسبوع الماضي.",
    "she described the journey and the debt the network says she owes.",
    "parle de son projet de formation en couture, plus confiante.",
)
NOTE_GROUP = (
    "groupe de parole sur la confiance et les limites ; échanges riches.",
    "group on sleep and nightmares: breathing exercise practised together.",
    "atelier d'expression par le dessin ; deux participantes ont parlé de leur famille.",
    "مجموعة حوار حول العودة إلى الأسرة والخوف من نظرة المجتمع.",
    "group on managing anger in shared rooms; rules of the house discussed.",
)
NOTE_FAMILY = (
    "appel vidéo avec sa sœur ; première prise de contact depuis deux ans.",
    "session with her mother: the family wants her back, she is not sure yet.",
    "médiation avec le frère avant le retour envisagé ; tensions sur la dette.",
    "جلسة مع الأم حول شروط العودة إلى البيت.",
)
NOTE_OBJECTIVE = (
    "Calme, bon contact visuel, discours cohérent.", "Tearful at times, slowed speech, affect appropriate.",
    "Agitée en début de séance, s'apaise après l'exercice de respiration.", "هادئة ومتعاونة وتتواصل بشكل جيد.",
    "Tired, looks down most of the session.",
)
NOTE_ASSESSMENT = (
    "Symptômes de stress post-traumatique toujours présents, en légère baisse.",
    "Mood lower than last week; no sign of immediate risk.", "Progrès nets dans la gestion de l'anxiété.",
    "تحسن ملحوظ في النوم والمزاج.", "Grief about the children left behind is the main theme.",
    "Méfiance envers les adultes, lien thérapeutique en construction.",
)
NOTE_PLAN = (
    "Poursuivre les séances hebdomadaires ; travailler sur le sommeil.",
    "Next session: prepare the hearing with her, grounding techniques.", "Proposer le groupe de parole du jeudi.",
    "متابعة الجلسات الأسبوعية.", "Point with the social worker about the family contact.",
    "Revoir dans quinze jours ; exercices de relaxation d'ici là.",
)
NOTE_ADDENDA = (
    "she called back in the evening, calmer.", "précision : l'audience a été reportée au mois prochain.",
    "she asked that her sister not be told where she is.", "أضافت أنها تريد الاتصال بأمها.",
)
RISK_WORDS = (
    "safety plan written with her, numbers to call at night.", "surveillance renforcée par l'équipe cette semaine.",
    "orientée vers le psychiatre de l'hôpital Ar-Razi.", "تم الاتفاق على خطة أمان معها.",
)
# Proposed to the care plan, shared with the social worker: in the clear, never a note's words.
FOLLOW_UPS = (
    ("legal", "Demander à l'assistante sociale la date de la prochaine audience"),
    ("physical_health", "Rendez-vous chez le médecin pour les maux de tête"),
    ("family", "Organiser un appel vidéo avec sa fille"),
    ("education", "Inscription au cours de français"),
    ("mental_health", "Orientation vers le psychiatre, à discuter en réunion d'équipe"),
    ("safety", "Revoir les règles de sortie accompagnée avec elle"),
)
TOPICS = ("mental_health", "family", "safety", "legal", "physical_health", "intentions", "education")
TOPIC_WEIGHTS = (40, 18, 14, 10, 8, 6, 4)
CANCEL_REASONS = {
    "resident": ("Rendez-vous à l'hôpital", "She had a hearing at the court", "Malade, reste au lit",
                 "كانت عند المحامية", "Asked to postpone, not ready to talk this week"),
    "counsellor": ("Formation de l'équipe", "Counsellor off sick", "Réunion de coordination au parquet",
                   "Emergency with another resident"),
    "shelter": ("Sortie collective organisée par le centre", "Room needed for a police interview",
                "Coupure d'électricité", "Fire drill in the building"),
}
# (relation, sex, of the same family name)
RELATIONS = (("mère", "F", True), ("sœur", "F", True), ("frère", "M", True), ("père", "M", True),
             ("tante", "F", True), ("mother", "F", True), ("sister", "F", True), ("brother", "M", True),
             ("الأم", "F", True), ("الأخت", "F", True), ("husband", "M", False), ("mari", "M", False))


def demo_counsellors(shelter_count: int) -> tuple[tuple[str, str], ...]:
    """The counsellors a demo of ``shelter_count`` shelters has besides Nadia: one per further shelter."""
    return DEMO_COUNSELLORS[:max(0, shelter_count - 1)]


@dataclass(slots=True)
class _Meeting:
    """A session placed in the diary, before it is written."""

    shelter_id: int
    counsellor_id: int
    kind: str
    mode: str
    room_id: int | None
    starts_at: datetime
    ends_at: datetime
    residents: tuple[int, ...]
    created_at: datetime
    relatives: tuple[tuple[str, str], ...] = ()
    interpreter: tuple[str, str] = ("", "")
    series_id: int | None = None
    first: bool = False  # the first session of a stay: a risk screen for many


@dataclass(slots=True)
class _Attending:
    child: bool
    language: str
    interpreter: bool
    family_name: str
    nationality: str
    no_phone: bool


@dataclass(slots=True)
class _Visit:
    stay_id: int
    resident_id: int
    shelter_id: int
    admitted_at: datetime
    discharged_at: datetime | None


class _Diary:
    """Places the sessions: every hour a session holds is taken for its
    counsellor, each resident in it and its room ("c", "r", "m"), day by
    day; a session goes only where all its hours are free."""

    def __init__(self, rng: random.Random, now: datetime, counsellor_of: dict[int, int],
                 rooms_of: dict[int, tuple[tuple[int, ...], int]], people: dict[int, _Attending],
                 first_series_id: int) -> None:
        self.rng, self.now = rng, now
        self.today = local(now).date()
        self.counsellor_of, self.rooms_of, self.people = counsellor_of, rooms_of, people
        self.busy: set[tuple[str, int, int, int]] = set()
        self.meetings: list[_Meeting] = []
        self.series: list[dict[str, object]] = []
        self.series_ids = itertools.count(first_series_id)

    # -- the diary ----------------------------------------------------------------------------

    def fits(self, counsellor: int, residents: tuple[int, ...], rooms: tuple[int, ...], day: date, hour: int,
             minutes: int, earliest: datetime, latest: datetime | None) -> tuple[datetime, int | None] | None:
        """Where a session at ``hour`` on ``day`` would go (its start and
        room), or None when its counsellor, a resident or every room is
        busy then, or it falls outside ``earliest``-``latest``."""
        last = hour + (minutes - 1) // 60
        if last > LAST_HOUR or day.weekday() >= 5:
            return None
        d, busy = day.toordinal(), self.busy
        for h in range(hour, last + 1):
            if ("c", counsellor, d, h) in busy or any(("r", r, d, h) in busy for r in residents):
                return None
        room = None
        if rooms:
            room = next((m for m in rooms if all(("m", m, d, h) not in busy for h in range(hour, last + 1))), None)
            if room is None:
                return None
        start = from_local(day, time(hour))
        if start < earliest or (latest is not None and start + timedelta(minutes=minutes) > latest):
            return None
        return start, room

    def take(self, shelter_id: int, counsellor: int, kind: str, mode: str, residents: tuple[int, ...],
             day: date, hour: int, minutes: int, start: datetime, room: int | None, created_at: datetime,
             **extra: object) -> _Meeting:
        d = day.toordinal()
        for h in range(hour, hour + (minutes - 1) // 60 + 1):
            self.busy.add(("c", counsellor, d, h))
            self.busy.update(("r", r, d, h) for r in residents)
            if room is not None:
                self.busy.add(("m", room, d, h))
        meeting = _Meeting(shelter_id, counsellor, kind, mode, room, start, start + timedelta(minutes=minutes),
                           residents, min(created_at, self.now), **extra)
        self.meetings.append(meeting)
        return meeting

    def _interpreter(self, resident_id: int) -> tuple[str, str]:
        person = self.people[resident_id]
        return (person.language, self.rng.choice(INTERPRETERS)) if person.interpreter else ("", "")

    def _mode(self, resident_id: int, kind: str) -> str:
        if self.people[resident_id].no_phone:
            return "in_person"
        weights = (40, 20, 40) if kind == "family" else (86, 7, 7)
        return self.rng.choices(("in_person", "phone", "video"), weights=weights)[0]

    # -- groups -------------------------------------------------------------------------------

    def groups(self, shelter_id: int, visits: list[_Visit]) -> None:
        """A group in most weeks (Thursday afternoon, else another time),
        of two to six adults in residence then, free at that hour."""
        rng = self.rng
        if not visits:
            return
        counsellor, room = self.counsellor_of[shelter_id], self.rooms_of[shelter_id][1]
        first = local(visits[0].admitted_at).date()
        monday = first - timedelta(days=first.weekday()) + timedelta(days=7)
        last = self.today + timedelta(days=21)
        waiting = list(reversed(visits))  # by admission, popped from the end
        present: list[_Visit] = []
        while monday <= last:
            while waiting and waiting[-1].admitted_at < from_local(monday + timedelta(days=7), time(0)):
                present.append(waiting.pop())
            week_start = from_local(monday, time(0))
            present = [v for v in present if v.discharged_at is None or v.discharged_at > week_start]
            if rng.random() < 0.85:
                for weekday, hour in ((3, 14), (1, 14), (3, 10), (2, 15)):
                    day = monday + timedelta(days=weekday)
                    start = from_local(day, time(hour))
                    end, d = start + timedelta(minutes=90), day.toordinal()
                    free = [v.resident_id for v in present
                            if v.admitted_at < start - timedelta(days=1) and (v.discharged_at is None
                                                                              or v.discharged_at > end)
                            and not self.people[v.resident_id].child
                            and ("r", v.resident_id, d, hour) not in self.busy
                            and ("r", v.resident_id, d, hour + 1) not in self.busy]
                    if len(free) < 2:
                        continue
                    chosen = tuple(sorted(rng.sample(free, min(len(free), rng.randint(2, 6)))))
                    placed = self.fits(counsellor, chosen, (room,), day, hour, 90, start, None)
                    if placed is not None:
                        self.take(shelter_id, counsellor, "group", "in_person", chosen, day, hour, 90, placed[0],
                                  placed[1], start - timedelta(days=rng.uniform(1, 7)))
                        break
            monday += timedelta(days=7)

    # -- a weekly series ------------------------------------------------------------------------

    def weekly(self, visit: _Visit) -> date | None:
        """For half of those in residence for two weeks or more: a weekly
        session (begun up to a month ago, planned for some weeks ahead) at
        one hour and in one room. Returns its first day (None: no series)."""
        rng = self.rng
        admitted = local(visit.admitted_at).date()
        stayed = (self.today - admitted).days
        resident = visit.resident_id
        if stayed < 14 or self.people[resident].child or rng.random() >= 0.5:
            return None
        counsellor = self.counsellor_of[visit.shelter_id]
        back = rng.randint(0, min(4, stayed // 7 - 1))
        monday = self.today - timedelta(days=self.today.weekday() + 7 * back)
        weeks = back + rng.randint(2, 8)
        minutes = rng.choice((45, 50, 50, 60))
        candidates = [(weekday, hour) for weekday in range(5) for hour in SLOT_HOURS]
        rng.shuffle(candidates)
        for weekday, hour in candidates[:12]:
            days = [monday + timedelta(days=weekday + 7 * k) for k in range(weeks)]
            for room in self.rooms_of[visit.shelter_id][0]:
                places = [self.fits(counsellor, (resident,), (room,), day, hour, minutes, visit.admitted_at, None)
                          for day in days]
                if any(p is None for p in places):
                    continue
                series_id = next(self.series_ids)
                created = max(visit.admitted_at, places[0][0] - timedelta(days=rng.uniform(1, 5)))
                self.series.append(dict(id=series_id, counsellor_id=counsellor, local_start=f"{hour:02d}:00",
                                        minutes=minutes, first_on=days[0], until_on=days[-1],
                                        created_at=min(created, self.now), created_by=counsellor))
                interpreter = self._interpreter(resident)
                for day, place in zip(days, places, strict=True):
                    self.take(visit.shelter_id, counsellor, "individual", "in_person", (resident,), day, hour, minutes,
                              place[0], place[1], created, interpreter=interpreter,
                              series_id=series_id)
                return days[0]
        return None

    # -- one stay -------------------------------------------------------------------------------

    def stay(self, visit: _Visit, before: date | None = None) -> None:
        """The sessions of one stay, about every week or two from its first
        days (every fortnight for a child, a few of whom are seen), to its
        end or, for those in residence, some weeks ahead (or ``before`` a
        weekly series)."""
        rng = self.rng
        resident = visit.resident_id
        person = self.people[resident]
        admitted = local(visit.admitted_at).date()
        end = (local(visit.discharged_at).date() if visit.discharged_at
               else self.today + timedelta(days=rng.randint(7, 28)))
        if before is not None:
            end = min(end, before - timedelta(days=1))
        if (end - admitted).days < 2 or rng.random() < (0.65 if person.child else 0.08):
            return
        counsellor = self.counsellor_of[visit.shelter_id]
        individual_rooms = self.rooms_of[visit.shelter_id][0]
        interval = 14 if person.child else rng.choices((7, 10, 14), weights=(55, 20, 25))[0]
        hour = rng.choice(SLOT_HOURS)
        family = 1 if not person.child and (end - admitted).days > 30 and rng.random() < 0.25 else 0
        day = admitted + timedelta(days=rng.randint(1, 6))
        first = True
        while day <= end:
            kind, minutes = "individual", rng.choice((45, 50, 50, 60))
            relatives: tuple[tuple[str, str], ...] = ()
            if family and not first and rng.random() < 0.2:
                kind, minutes, family = "family", rng.choice((60, 90)), 0
                relatives = self._relatives(resident)
            mode = "in_person" if person.child else self._mode(resident, kind)
            rooms = individual_rooms if mode == "in_person" else ()
            placed = self._place(counsellor, resident, rooms, day, hour, minutes, visit)
            if placed is not None:
                when, at_hour, start, room = placed
                self.take(visit.shelter_id, counsellor, kind, mode, (resident,), when, at_hour, minutes, start, room,
                          max(visit.admitted_at, start - timedelta(days=rng.uniform(0.2, 7))), relatives=relatives,
                          interpreter=self._interpreter(resident), first=first)
                first = False
            day += timedelta(days=interval + rng.randint(-2, 2))

    def _place(self, counsellor: int, resident: int, rooms: tuple[int, ...], day: date, hour: int, minutes: int,
               visit: _Visit) -> tuple[date, int, datetime, int | None] | None:
        """The first free hour near ``day`` (that day, the next ones, the
        one before), from the resident's usual hour on."""
        at = SLOT_HOURS.index(hour)
        hours = SLOT_HOURS[at:] + SLOT_HOURS[:at]
        for shift in (0, 1, 2, -1, 3, 4):
            when = day + timedelta(days=shift)
            if when.weekday() >= 5:
                continue
            for h in hours:
                placed = self.fits(counsellor, (resident,), rooms, when, h, minutes, visit.admitted_at,
                                   visit.discharged_at)
                if placed is not None:
                    return when, h, placed[0], placed[1]
        return None

    def _relatives(self, resident_id: int) -> tuple[tuple[str, str], ...]:
        rng, person = self.rng, self.people[resident_id]
        found = []
        for relation, sex, kin in rng.sample(RELATIONS, rng.choices((1, 2), weights=(75, 25))[0]):
            try:
                named = generate_person(rng, sex=sex, nationality=person.nationality or None)
            except ValueError:
                named = generate_person(rng, sex=sex)
            found.append((f"{named.given_names} {person.family_name}" if kin and person.family_name
                          else named.full_name, relation))
        return tuple(found)


class _SessionWriter:
    """Writes placed sessions the way the services would have: their
    outcome, the note of most held sessions (encrypted with the notes
    service's own helpers under the compartment key), signatures,
    addenda, risk screens and alerts, follow-ups; rows in a few statements
    per unit of work (ids given here), then the audit entries."""

    def __init__(self, who: SignedIn, key: bytes, generation: int, rng: random.Random, now: datetime,
                 coordinator: int, risk: dict[int, str]) -> None:
        self.who, self.key, self.generation, self.rng, self.now = who, key, generation, rng, now
        self.coordinator, self.risk = coordinator, risk
        self.ids: dict[type, Iterator[int]] = {}
        self.totals = dict.fromkeys(("sessions", "held", "no_show", "cancelled", "planned", "group", "family",
                                     "series", "notes", "signed", "addenda", "risk_screens", "alerts", "follow_ups"),
                                    0)

    def start_ids(self, s: Session) -> None:
        for model in (CounsellingSession, SessionNote, NoteAddendum, RiskScreen):
            self.ids[model] = itertools.count((s.execute(select(func.max(model.id))).scalar() or 0) + 1)

    def write(self, s: Session, meetings: list[_Meeting], series: list[dict[str, object]],
              occurrences: Counter[int] | None = None) -> None:
        """One unit of work: ``series`` (with how many sessions each has in
        ``occurrences``), then ``meetings`` and all that goes with them."""
        s.execute(text("PRAGMA defer_foreign_keys = ON"))
        self.rows: dict[type, list[dict[str, object]]] = {}
        self.audits: list[tuple[str, int, str, int, dict[str, int | str] | None]] = []
        self.raised: list[int] = []
        for row in series:
            self.audit("sessions.plan_weekly", row["counsellor_id"], "session_series", row["id"],
                       {"sessions": (occurrences or Counter())[row["id"]]})
        self.totals["series"] += len(series)
        for meeting in meetings:
            self.meeting(meeting)
        if series:
            s.execute(insert(SessionSeries), series)
        for model in (CounsellingSession, SessionAttendee, SessionRelative, SessionNote, NoteAddendum, RiskScreen,
                      RiskAlert, SessionFollowUp, RecordChange):
            if self.rows.get(model):
                s.execute(insert(model), self.rows[model])
        if self.raised:
            s.execute(update(Resident), [{"id": r, "risk_level": "high"} for r in self.raised])
        _audit_all(s, self.who.store, self.audits)

    def row(self, model: type, **values: object) -> int:
        if model in self.ids:
            values["id"] = next(self.ids[model])
        self.rows.setdefault(model, []).append(values)
        return values.get("id", 0)

    def audit(self, action: str, actor: int, record_type: str, record_id: int,
              detail: dict[str, int | str] | None = None) -> None:
        self.audits.append((action, actor, record_type, record_id, detail))

    def seal(self, record_type: str, record_id: int, resident_id: int, content: object) -> tuple[bytes, bytes]:
        return notes._seal_text(self.who, self.key, self.generation, record_type, record_id, resident_id, content)

    def soon_after(self, moment: datetime, low_hours: float, high_hours: float) -> datetime:
        return min(moment + timedelta(hours=self.rng.uniform(low_hours, high_hours)), self.now)

    def meeting(self, m: _Meeting) -> None:
        rng, now = self.rng, self.now
        cancelled_by, reason = None, ""
        if m.ends_at <= now:
            draw = rng.random()
            status = ("cancelled" if draw < 0.09 else "held" if draw < 0.91 or m.kind == "group" else "no_show")
        else:
            status = "cancelled" if m.starts_at > now and rng.random() < 0.05 else "planned"
        if status == "cancelled":
            cancelled_by = rng.choices(tuple(CANCEL_REASONS), weights=(55, 25, 20))[0]
            reason = rng.choice(CANCEL_REASONS[cancelled_by])
        session_id = self.row(
            CounsellingSession, shelter_id=m.shelter_id, counsellor_id=m.counsellor_id, kind=m.kind, mode=m.mode,
            room_id=m.room_id, starts_at=m.starts_at, ends_at=m.ends_at, status=status, cancelled_by=cancelled_by,
            cancel_reason=reason, interpreter_language=m.interpreter[0], interpreter_name=m.interpreter[1],
            series_id=m.series_id, created_at=m.created_at, created_by=m.counsellor_id)
        for resident_id in m.residents:
            self.row(SessionAttendee, session_id=session_id, resident_id=resident_id)
        for name, relation in m.relatives:
            self.row(SessionRelative, session_id=session_id, name=name, relation=relation)
        if m.series_id is None:
            self.audit("sessions.plan", m.counsellor_id, "counselling_session", session_id, {"kind": m.kind})
        if status in ("held", "no_show"):
            self.audit("sessions.outcome", m.counsellor_id, "counselling_session", session_id, {"status": status})
        elif status == "cancelled":
            self.audit("sessions.cancel", m.counsellor_id, "counselling_session", session_id, {"by": cancelled_by})
        for name in ("sessions", status) + ((m.kind,) if m.kind != "individual" else ()):
            self.totals[name] += 1
        if status == "held":
            if rng.random() < 0.9:
                self.note(m, session_id)
            if m.kind != "group" and rng.random() < (0.5 if m.first else 0.03):
                self.screen(m, session_id)

    def note(self, m: _Meeting, session_id: int) -> None:
        rng = self.rng
        resident_id = min(m.residents)  # the one a note is bound to (notes._note_resident)
        fmt = "dap" if rng.random() < 0.6 else "soap"
        said = rng.choice(NOTE_GROUP if m.kind == "group" else NOTE_FAMILY if m.kind == "family" else NOTE_DATA)
        names = NOTE_PARTS[fmt]
        parts = {names[0]: f"{NOTE_PREFIX}: {said}"}
        if fmt == "soap":
            parts["objective"] = rng.choice(NOTE_OBJECTIVE)
        parts["assessment"] = rng.choice(NOTE_ASSESSMENT)
        parts["plan"] = rng.choice(NOTE_PLAN)
        created = self.soon_after(m.ends_at, 0.05, 3)
        saved = self.soon_after(created, 0, 40)
        recent = self.now - timedelta(days=14) < m.ends_at
        signed = self.soon_after(saved, 0, 2) if rng.random() < (0.6 if recent else 0.97) else None
        topics = list(dict.fromkeys(rng.choices(TOPICS, weights=TOPIC_WEIGHTS, k=rng.choice((1, 1, 2)))))
        follow: list[str] = []
        if signed is not None and m.kind != "group" and rng.random() < 0.12:
            domain, proposed = rng.choice(FOLLOW_UPS)
            follow = [proposed]
            topics = [domain] + [t for t in topics if t != domain]
        note_id = next(self.ids[SessionNote])
        nonce, ciphertext = self.seal("session_note", note_id, resident_id, {"parts": parts, "follow_ups": follow})
        self.rows.setdefault(SessionNote, []).append(dict(
            id=note_id, session_id=session_id, author_id=m.counsellor_id, format=fmt, topics=",".join(topics),
            generation=self.generation, nonce=nonce, ciphertext=ciphertext, created_at=created, saved_at=saved,
            signed_at=signed))
        self.audit("notes.create", m.counsellor_id, "session_note", note_id, {"session": session_id})
        self.totals["notes"] += 1
        if signed is None:
            return
        self.audit("notes.sign", m.counsellor_id, "session_note", note_id)
        self.totals["signed"] += 1
        for proposed in follow:
            self.row(SessionFollowUp, session_id=session_id, resident_id=resident_id, domain=topics[0], text=proposed,
                     proposed_at=signed, proposed_by=m.counsellor_id, plan_action_id=None)
            self.totals["follow_ups"] += 1
        if rng.random() < 0.04:
            written = signed + timedelta(days=rng.uniform(0.2, 10))
            if written < self.now:
                addendum_id = next(self.ids[NoteAddendum])
                nonce, ciphertext = self.seal("note_addendum", addendum_id, resident_id,
                                              f"{NOTE_PREFIX}: {rng.choice(NOTE_ADDENDA)}")
                self.rows.setdefault(NoteAddendum, []).append(dict(
                    id=addendum_id, note_id=note_id, author_id=m.counsellor_id, written_at=written,
                    generation=self.generation, nonce=nonce, ciphertext=ciphertext))
                self.audit("notes.addendum", m.counsellor_id, "session_note", note_id)
                self.totals["addenda"] += 1

    def screen(self, m: _Meeting, session_id: int) -> None:
        """A risk screen: mostly low, some moderate, rarely high (which
        raises the resident's risk level and alerts the coordinators)."""
        rng = self.rng
        resident_id = m.residents[0]
        # One screen in 25 high (the 13th, 38th...: every demo of some size has one), the others mostly low.
        level = ("high" if self.totals["risk_screens"] % 25 == 12
                 else rng.choices(("low", "moderate"), weights=(80, 20))[0])
        yes = {"low": ("wish_dead",) if rng.random() < 0.2 else (),
               "moderate": tuple(rng.sample(("thoughts", "method", "self_harm"), rng.randint(1, 2))),
               "high": ("wish_dead", "thoughts", rng.choice(("intent", "plan", "behaviour")))}[level]
        answers = {code: code in yes for code in RISK_QUESTION_CODES}
        outcome = risk_outcome(answers)
        action = ("none" if outcome == "low" else rng.choice(("safety_plan", "closer_watch")) if outcome == "moderate"
                  else rng.choice(("safety_plan", "psychiatry", "emergency")))
        words = f"{NOTE_PREFIX}: {rng.choice(RISK_WORDS)}" if action != "none" else ""
        screened = m.ends_at - timedelta(minutes=rng.randint(1, 15))
        screen_id = next(self.ids[RiskScreen])
        nonce, ciphertext = self.seal("risk_screen", screen_id, resident_id,
                                      {"answers": answers, "action_text": words})
        self.rows.setdefault(RiskScreen, []).append(dict(
            id=screen_id, session_id=session_id, resident_id=resident_id, author_id=m.counsellor_id, outcome=outcome,
            action=action, screened_at=screened, generation=self.generation, nonce=nonce, ciphertext=ciphertext))
        self.audit("notes.risk_screen", m.counsellor_id, "risk_screen", screen_id, {"outcome": outcome})
        self.totals["risk_screens"] += 1
        if outcome != "high":
            return
        if self.risk.get(resident_id) != "high":
            self.row(RecordChange, resident_id=resident_id, record_type="resident", record_id=resident_id,
                     field="risk_level", old_value=json.dumps(self.risk.get(resident_id)), new_value=json.dumps("high"),
                     reason=_("High risk found at a counselling session"), changed_at=screened,
                     changed_by=m.counsellor_id)
            self.risk[resident_id] = "high"
            self.raised.append(resident_id)
        seen = screened + timedelta(hours=rng.uniform(0.5, 30))
        acknowledged = seen < self.now and rng.random() < 0.95
        self.row(RiskAlert, resident_id=resident_id, screen_id=screen_id, raised_at=screened,
                 acknowledged_at=seen if acknowledged else None,
                 acknowledged_by=self.coordinator if acknowledged else None)
        self.audit("notes.risk_alert", m.counsellor_id, "resident", resident_id)
        if acknowledged:
            self.audit("notes.risk_alert_seen", self.coordinator, "resident", resident_id)
        self.totals["alerts"] += 1


def _audit_all(s: Session, store: OpenStore,
               entries: list[tuple[str, int, str, int, dict[str, int | str] | None]]) -> None:
    """Audit entries (action, actor, record type, record id, detail),
    chained exactly as ``shelter.security.audit.append`` chains them one at
    a time, in one statement: a national demo writes hundreds of thousands,
    and one at a time each costs a query and a flush."""
    if not entries:
        return
    key = store.audit_key
    last = s.execute(select(AuditEntry.id, AuditEntry.mac).order_by(AuditEntry.id.desc()).limit(1)).first()
    entry_id, prev = (last.id, last.mac) if last else (0, audit.GENESIS)
    rows = []
    for action, actor, record_type, record_id, detail in entries:
        if action not in audit.ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        detail_text = audit._check_detail(detail or {})
        entry_id += 1
        when = utcnow()
        rid = None if record_id is None else str(record_id)
        mac = audit._mac(key, entry_id, when, actor, action, record_type, rid, "ok", detail_text, prev)
        rows.append(dict(id=entry_id, at=when, actor_id=actor, action=action, record_type=record_type, record_id=rid,
                         outcome="ok", detail=detail_text, prev_mac=prev, mac=mac))
        prev = mac
    s.execute(insert(AuditEntry), rows)
    # Where this transaction's entries begin and end, for the audit head (as append records it).
    s.info.setdefault("audit_start", Head(last.id, last.mac) if last else None)
    s.info["audit_end"] = Head(entry_id, prev)


def add_counselling(who: SignedIn, seed: int = 2026, now: datetime | None = None, batch: int = 4000,
                    progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Replay the counselling of every stay on record (in a store that has
    no session yet): rooms for sessions in each shelter, sessions (one to
    one, groups, with relatives; held, missed, cancelled, planned, some
    weekly), the notes of most held sessions, risk screens, follow-ups.
    ``who`` is a counsellor: the key of the notes is made (or opened) with
    her slot; the shelters' counsellors share the work, one shelter each
    (in turn when there are fewer). Returns how many of each were written
    (none in a store that holds a session already)."""
    rng = random.Random(f"counselling {seed}")
    now = now or datetime.now(UTC) - timedelta(minutes=1)
    with who.store.read() as s:
        if s.execute(select(CounsellingSession.id).limit(1)).first() is not None:
            return {}
        staff = _staff(s)
        shelter_ids = list(s.execute(select(Shelter.id).order_by(Shelter.id)).scalars())
        people = {r[0]: _Attending(r[1] is not None, (r[2] or "").split(",")[0], bool(r[3]),
                                   (r[4] or "").split(" ")[-1], r[5] or "", bool(r[6]))
                  for r in s.execute(select(Resident.id, Resident.parent_id, Resident.languages,
                                            Resident.interpreter_needed, Resident.name_latin, Resident.nationality,
                                            Resident.flag_no_phone))}
        risk = dict(s.execute(select(Resident.id, Resident.risk_level)).all())
        visits = [_Visit(*r) for r in s.execute(select(Stay.id, Stay.resident_id, Stay.shelter_id, Stay.admitted_at,
                                                       Stay.discharged_at).order_by(Stay.admitted_at, Stay.id))]
        first_series = (s.execute(select(func.max(SessionSeries.id))).scalar() or 0) + 1
    counsellors = staff["counsellor"] or [who.actor.account_id]
    coordinator = (staff["coordinator"] or [who.actor.account_id])[0]
    known = {(r.shelter_id, r.name): r.room_id for r in sessions.rooms(who)}
    rooms_of: dict[int, tuple[tuple[int, ...], int]] = {}
    for shelter_id in shelter_ids:
        ids = [known.get((shelter_id, name)) or sessions.add_room(who, shelter_id, name).room_id
               for name in MEETING_ROOMS]
        rooms_of[shelter_id] = (tuple(ids[:-1]), ids[-1])
    counsellor_of = {shelter_id: counsellors[n % len(counsellors)] for n, shelter_id in enumerate(shelter_ids)}
    diary = _Diary(rng, now, counsellor_of, rooms_of, people, first_series)
    for shelter_id in shelter_ids:
        diary.groups(shelter_id, [v for v in visits if v.shelter_id == shelter_id])
    series_from = {v.stay_id: diary.weekly(v) for v in visits if v.discharged_at is None}
    for visit in visits:
        diary.stay(visit, series_from.get(visit.stay_id))
    meetings = sorted(diary.meetings, key=lambda m: (m.starts_at, m.counsellor_id))
    with who.store.write() as s:
        key, generation = notes._counselling_key(s, who, create=True)
    # She says yes to her colleagues waiting for the key (as the notes screen asks her to), so each reads her own.
    colleagues = {f"account:{i}" for i in counsellors}
    waiting = [p.holder for p in notes.pending_access(who) if p.holder in colleagues]
    if waiting:
        notes.grant_access(who, waiting)
    writer = _SessionWriter(who, key, generation, rng, now, coordinator, risk)
    occurrences = Counter(m.series_id for m in meetings if m.series_id is not None)
    for start in range(0, len(meetings), batch):
        with who.store.write() as s:
            if start == 0:
                writer.start_ids(s)
            writer.write(s, meetings[start:start + batch], diary.series if start == 0 else [], occurrences)
        if progress:
            progress(min(start + batch, len(meetings)), len(meetings))
    return {name: n for name, n in writer.totals.items()}


# -- reintegration -----------------------------------------------------------------------------
#
# Partners in each shelter's city (IOM, a legal aid association, a hospital,
# an NGO, a vocational training centre, the employment agency, a consulate;
# UNHCR once), then the reintegration of most stays of more than three weeks
# (not accompanying children: their parent's plan is theirs). A plan opens
# some weeks after the admission, on a pathway (in Morocco with family
# about 35%, return to the country of origin 30%, independent living 25%,
# a third country and other about 5% each; only foreigners go home or to a
# third country), mostly consented to; its milestones are the pathway's
# templates, with a few of the case's own, moved on as days pass (done
# around their due date, some late, a few blocked or not applicable); the
# referrals to partners with the resident's consent to share (recorded when
# it was not given at admission; a few made without it, with a reason), and
# the partners' answers; after discharge, the contacts of each follow-up
# round (most reached, some after a failed attempt; about one followed case
# in ten loses contact after three failed attempts in a row); the
# sustainability survey at the start of the plan and at most follow-ups that
# reached the person, better as time goes on; and the closing of most cases
# once the last follow-up is done or contact is lost.

REINTEGRATION_AFTER_DAYS = 21  # stays longer than this have a plan (most of them)
PLAN_SHARE = 0.88
# (Moroccan, foreign): 4 residents in 10 are Moroccan (``shelter.demo_names``).
PATHWAY_WEIGHTS = {"return_origin": (0, 50), "morocco_family": (69, 12), "independent_morocco": (27, 23),
                   "third_country": (0, 9), "other": (4, 6)}
# (kind, name, contact) of each city's partners; "{city}" is the shelter's city.
CITY_PARTNERS = (
    ("iom", "IOM {city}", "Point focal protection, bureau de {city}"),
    ("legal_aid", "Association Adala {city}", "Permanence juridique le mardi et le jeudi"),
    ("health", "Hôpital régional de {city}", "Unité de prise en charge des femmes et enfants victimes de violence"),
    ("ngo", "Association Amal {city}", "Assistante sociale, accueil de jour"),
    ("education", "Centre de formation professionnelle de {city}", "Service des inscriptions"),
    ("employment", "ANAPEC {city}", "Conseillère emploi, agence du centre-ville"),
)
# The names the demo's consents at admission and its care plans already use.
CITY_PARTNER_NAMES = {"Rabat": {"iom": "IOM Rabat", "legal_aid": "Association Adala", "health": "CHU Ibn Sina",
                                "ngo": "Association Amal"},
                      "Casablanca": {"health": "CHU Ibn Rochd"}}
# One consulate in each shelter's city, in turn (for the residents of that nationality).
CONSULATES = ("NG", "CI", "CM", "GN", "CD", "SN", "ML", "PH", "SY", "BD", "GH", "SL", "ER")
NATIONAL_PARTNERS = (("other", "UNHCR", "Rabat", "Unité de protection et de réinstallation"),)
CONSULATE_CONTACT = "Service consulaire, sur rendez-vous"
PATHWAY_DETAILS = {
    "morocco_family": ("Fès, chez sa tante", "Casablanca, with her sister", "Douar près de Taounate, chez ses parents",
                       "Meknès, chez sa mère", "مراكش، عند أسرتها", ""),
    "independent_morocco": ("Rabat", "Casablanca", "Tanger", "Agadir", ""),
    "third_country": ("Canada, réinstallation HCR", "France, regroupement familial", "Spain, with her brother",
                      "Germany, family reunification"),
    "other": ("Foyer pour mineurs jusqu'à sa majorité", "Long-term hospital care, plan to be reviewed",
              "Projet de mariage, à définir avec elle", "مؤسسة لحماية الطفولة"),
}
RESIDENT_CHOICES = {
    "return_origin": ("Je veux rentrer chez moi, auprès de ma mère", "I want to go home to my children",
                      "I want to go back, but not to my village", "بغيت نرجع لبلادي"),
    "morocco_family": ("Je veux retourner chez ma tante", "بغيت نرجع لدار الواليدين",
                       "I want to live with my sister and her husband"),
    "independent_morocco": ("Je veux travailler et louer une chambre à moi", "I want to stay in Morocco and work",
                            "بغيت نخدم ونعيش بوحدي"),
    "third_country": ("Je veux rejoindre mon frère", "I want to go where they can never find me"),
    "other": ("Je ne sais pas encore, je veux d'abord guérir", "I want to finish school first"),
}
CHANGED_PATHWAY = {
    "morocco_family": "Elle a décidé de rester au Maroc après la médiation avec sa famille",
    "independent_morocco": "Her family refused her return: she chose to live on her own",
    "return_origin": "Elle souhaite finalement rentrer auprès de ses enfants",
    "third_country": "Her brother abroad can take her in; UNHCR accepted to study the file",
    "other": "Projet suspendu le temps des soins à l'hôpital",
}
REFERRALS_FOR = {
    "return_origin": (("iom", 0.9), ("consulate", 0.6), ("health", 0.3), ("legal_aid", 0.3)),
    "morocco_family": (("ngo", 0.6), ("legal_aid", 0.4), ("education", 0.4), ("health", 0.3), ("employment", 0.2)),
    "independent_morocco": (("employment", 0.55), ("education", 0.5), ("ngo", 0.45), ("legal_aid", 0.4),
                            ("health", 0.2)),
    "third_country": (("other", 0.9), ("consulate", 0.3), ("legal_aid", 0.3), ("health", 0.2)),
    "other": (("ngo", 0.5), ("health", 0.5), ("legal_aid", 0.2)),
}
SERVICES = {
    "iom": ("Aide au retour volontaire et à la réintégration (AVRR)", "Assisted voluntary return and reintegration",
            "Évaluation de la vulnérabilité avant le retour", "Reintegration grant application"),
    "legal_aid": ("Assistance d'une avocate pour la plainte", "Legal aid for the trial", "Accompagnement à l'audience",
                  "مساعدة قانونية في ملف القضية"),
    "health": ("Bilan de santé complet", "Consultation psychiatrique", "Prenatal follow-up", "Soins dentaires",
               "فحص طبي شامل"),
    "ngo": ("Hébergement de transition après la sortie", "Accompagnement social après la sortie", "Family mediation",
            "مواكبة اجتماعية بعد الخروج"),
    "education": ("Formation en couture", "Formation en cuisine et pâtisserie", "Vocational training in hairdressing",
                  "تكوين مهني في الحلاقة"),
    "employment": ("Inscription et accompagnement vers l'emploi", "Job placement", "Atelier de recherche d'emploi"),
    "consulate": ("Laissez-passer consulaire", "Travel document", "Vérification de l'identité"),
    "other": ("Étude de la demande de réinstallation", "Resettlement assessment", "Refugee status determination"),
}
REFUSALS = ("Plus de place dans le programme ce trimestre", "Outside the programme's criteria",
            "La personne ne remplit pas les conditions d'âge", "لا توجد أماكن شاغرة")
ANSWER_NOTES = ("Rendez-vous fixé", "Accepted, first appointment next week", "Dossier complet reçu", "")
OVERRIDES = ("Urgence médicale : soins immédiats, elle ne pouvait pas signer ce jour-là",
             "Emergency: the hearing is tomorrow and the lawyer needs the file today",
             "Mineure non accompagnée : orientation décidée avec le parquet")
# Who is responsible for a template's milestone: a partner of this kind, else (None) the social worker.
MILESTONE_OWNER = {"family_tracing": "ngo", "travel_documents": "consulate", "iom_accepted": "iom",
                   "travel_booked": "iom", "reception_arranged": "iom", "arrival_confirmed": "iom",
                   "housing_found": "ngo", "training_started": "education", "income": "employment",
                   "legal_case": "legal_aid", "resettlement_file": "other", "resettlement_accepted": "other"}
# Milestones that come after the departure: (days after the discharge, from, to).
AFTER_DISCHARGE = {"arrival_confirmed": (1, 6), "income": (20, 150)}
BLOCKED = {
    "travel_documents": ("Le consulat ne répond pas depuis un mois", "No birth certificate can be had from home"),
    "family_tracing": ("Famille introuvable à l'adresse donnée", "The family moved; tracing goes on"),
    "housing_found": ("Aucun logement abordable trouvé pour l'instant", "Landlords ask for a guarantor"),
    "legal_case": ("Audience reportée sans date", "Waiting for the investigating judge"),
    "iom_accepted": ("IOM waiting list: the programme is full until next quarter",),
    "resettlement_file": ("Dossier incomplet : acte de naissance manquant",),
}
BLOCKED_OTHER = ("En attente du partenaire", "Waiting for the partner's answer", "في انتظار رد الشريك")
NOT_APPLICABLE = {
    "school_for_children": ("Pas d'enfant en âge scolaire", "Her children stay with her mother"),
    "legal_case": ("Elle ne souhaite pas porter plainte", "No proceedings: she decided not to file a complaint"),
    "training_started": ("She found work straight away",),
    "family_tracing": ("En contact avec sa famille dès l'admission",),
}
NOT_APPLICABLE_OTHER = ("Ne s'applique pas à sa situation", "Not needed any more")
LEFT_WITHOUT_NOTICE = "A quitté le centre sans prévenir : étape abandonnée"
OWN_MILESTONES = ("Ouvrir un compte bancaire", "Obtain her son's birth certificate", "Rencontre avec la famille avant "
                  "le retour", "Achat des outils pour le projet de couture", "Inscription à la CNSS",
                  "Trouver une crèche pour l'enfant", "Carte de séjour renouvelée", "فتح حساب بنكي",
                  "زيارة الأسرة قبل العودة", "Prepare the documents for the journey")
SITUATIONS = {
    "return_origin": ("Arrivée, vit chez sa mère, cherche du travail", "Back with her family; the reintegration grant "
                      "started a small shop", "Reçue par sa famille, suivie par l'OIM sur place",
                      "Doing well, her children go to school", "Difficultés avec la famille, l'OIM fait une médiation"),
    "morocco_family": ("Vit chez sa tante, suit la formation", "Works in a bakery, stable", "Tensions avec la famille, "
                       "médiation proposée", "تعيش مع أسرتها وتشتغل"),
    "independent_morocco": ("Loue une chambre, travaille dans un atelier", "Has a job in a call centre, pays her rent",
                            "Difficultés à payer le loyer", "تكتري غرفة وتخدم"),
    "third_country": ("Arrived; the host family supports her", "Installée, cours de langue commencés"),
    "other": ("Stable, suivie par le service de protection de l'enfance", "Still in hospital care, improving"),
}
NEXT_STEPS = ("Prochain appel au prochain suivi", "Orienter vers l'ANAPEC", "Call again at the next follow-up",
              "Aide ponctuelle pour le loyer", "", "متابعة في الموعد المقبل")
MISSED = ("Téléphone éteint", "Number no longer in service", "Message laissé à sa sœur", "")
MISSED_NEXT = ("Rappeler dans une semaine", "Try again through the partner", "Try again next week")
CLOSURE_FOR_PATHWAY = {"return_origin": "returned", "morocco_family": "reintegrated",
                       "independent_morocco": "reintegrated", "third_country": "transferred", "other": "transferred"}


def _gets_reintegration_plan(seed: int, stay_id: int, child: bool, admitted: date, end: date) -> bool:
    """Whether the demo gives a stay a reintegration plan (most stays of more
    than three weeks, not those of accompanying children): drawn from the
    stay alone, so that the case work, which leaves those cases to be closed
    after their last follow-up, and ``add_reintegration`` agree."""
    if child or (end - admitted).days <= REINTEGRATION_AFTER_DAYS:
        return False
    return random.Random(f"reintegration plan {seed} {stay_id}").random() < PLAN_SHARE


@dataclass(slots=True)
class _Leaving:
    """A stay as the reintegration replay needs it."""

    stay_id: int
    resident_id: int
    shelter_id: int
    admitted_at: datetime
    admitted: date
    discharged_at: datetime | None
    discharged: date | None
    destination: str | None
    child: bool
    foreign: bool
    nationality: str
    consent_processing: bool
    with_children: bool
    holder: int | None
    back: datetime | None = None  # the next admission of the same person
    closed_on: date | None = None  # a closure already on record for this stay (by the case work of an older demo)


class _Reintegration:
    """Writes the reintegration of stays the way the services would have,
    day after day: rows with their ids given here, in a few statements per
    unit of work, then the audit entries (``_audit_all``)."""

    def __init__(self, store: OpenStore, rng: random.Random, now: datetime, seed: int, coordinator: int,
                 templates: dict[str, list[tuple[int, str | None, str, int]]], partners: _Partners,
                 city_of: dict[int, str], consents: dict[int, set[str]], weights: dict[str, Weight],
                 months: tuple[int, ...], attempts: int) -> None:
        self.store, self.rng, self.now, self.seed, self.coordinator = store, rng, now, seed, coordinator
        self.today = now.astimezone().date()
        self.templates, self.partners, self.city_of, self.consents = templates, partners, city_of, consents
        self.weights, self.weights_text = weights, weights_json(weights)
        self.months, self.attempts = months, attempts
        self.ids: dict[type, Iterator[int]] = {}
        self.followed = 0  # discharged stays with a plan whose first follow-up has come
        self.lost_owed = False  # the next followed case that can lose contact before today loses it, and stays open
        self.totals = dict.fromkeys(("plans", "consented", "pathway_changes", "milestones", "done", "blocked",
                                     "referrals", "without_consent", "sharing_consents", "answered", "contacts",
                                     "reached", "lost_contact", "scores", "closures"), 0)

    def start_ids(self, s: Session) -> None:
        for model in (ReintegrationPlan, PathwayChange, Milestone, MilestoneEvent, PartnerReferral, FollowUpContact,
                      SustainabilityScore, SharingConsent, CaseClosure):
            self.ids[model] = itertools.count((s.execute(select(func.max(model.id))).scalar() or 0) + 1)

    # -- writing ---------------------------------------------------------------------------------

    def write(self, s: Session, people: list[list[_Leaving]]) -> None:
        """One unit of work: the reintegration of these people's stays."""
        s.execute(text("PRAGMA defer_foreign_keys = ON"))
        self.rows: dict[type, list[dict[str, object]]] = {}
        self.audits: list[tuple[str, int, str, int, dict[str, int | str] | None]] = []
        for stays in people:
            for stay in stays:
                self.stay(stay)
        for model in (SharingConsent, ReintegrationPlan, PathwayChange, Milestone, MilestoneEvent, PartnerReferral,
                      FollowUpContact, SustainabilityScore, SustainabilityAnswer, CaseClosure):
            if self.rows.get(model):
                s.execute(insert(model), self.rows[model])
        _audit_all(s, self.store, self.audits)

    def row(self, model: type, **values: object) -> int:
        if model in self.ids and "id" not in values:
            values["id"] = next(self.ids[model])
        self.rows.setdefault(model, []).append(values)
        return values.get("id", 0)

    def audit(self, action: str, actor: int, record_type: str, record_id: int,
              detail: dict[str, int | str] | None = None) -> None:
        self.audits.append((action, actor, record_type, record_id, detail))

    def at(self, day: date, earliest: datetime | None = None) -> datetime:
        """A moment in the working hours of ``day``, never after now nor before ``earliest``."""
        moment = datetime.combine(day, time(self.rng.randint(9, 16), self.rng.randint(0, 59))).astimezone(UTC)
        if earliest is not None:
            moment = max(moment, earliest + timedelta(minutes=self.rng.randint(1, 20)))
        return min(moment, self.now)

    def day(self, start: date, low: int, high: int, latest: date | None = None) -> date:
        found = start + timedelta(days=self.rng.randint(low, high))
        return found if latest is None else min(found, latest)

    # -- one stay --------------------------------------------------------------------------------

    def stay(self, st: _Leaving) -> None:
        rng, back = self.rng, st.back
        end = st.discharged or self.today
        if not _gets_reintegration_plan(self.seed, st.stay_id, st.child, st.admitted, end):
            return
        # The last day anything is written for this stay: today, the eve of a
        # new admission, or the day before a closure already on record.
        last = self.today
        if back is not None:
            last = min(last, back.astimezone().date() - timedelta(days=1))
        if st.closed_on is not None:
            last = min(last, st.closed_on - timedelta(days=1))
        opened = st.admitted + timedelta(days=round(rng.triangular(5, 45, 18)))
        if st.discharged is not None:
            opened = min(opened, st.discharged - timedelta(days=2))
        if opened > min(last, end):
            return  # not made yet (the board shows it due)
        holder = st.holder or self.coordinator
        pathway = rng.choices(tuple(PATHWAY_WEIGHTS), weights=[w[st.foreign] for w in PATHWAY_WEIGHTS.values()])[0]
        changed: tuple[str, date] | None = None
        if rng.random() < 0.04:
            later = opened + timedelta(days=rng.randint(15, 60))
            if later <= min(last, end):
                first = rng.choices(tuple(PATHWAY_WEIGHTS), weights=[w[st.foreign] for w in PATHWAY_WEIGHTS.values()])[0]
                if first != pathway:
                    changed = (first, later)
        plan_id = next(self.ids[ReintegrationPlan])
        created = self.at(opened, st.admitted_at)
        consent = self.day(opened, 0, 14) if rng.random() < 0.88 else None
        if changed is not None:
            consent = self.day(changed[1], 0, 10) if consent is not None else None
        if consent is not None and consent > min(last, self.today):
            consent = None
        detail = self._detail(pathway, st)
        self.row(ReintegrationPlan, id=plan_id, stay_id=st.stay_id, resident_id=st.resident_id, pathway=pathway,
                 pathway_detail=detail, resident_choice=rng.choice(RESIDENT_CHOICES[pathway]) if rng.random() < 0.7
                 else "", opened_on=opened, consent_on=consent, created_at=created, created_by=holder)
        self.totals["plans"] += 1
        position = 0
        first_pathway = changed[0] if changed else pathway
        milestones = self._template_milestones(st, plan_id, first_pathway, opened, created, holder, last,
                                               changed[1] if changed else None, position)
        self.audit("reintegration.plan", holder, "resident", st.resident_id,
                   {"pathway": first_pathway, "milestones": milestones,
                    "consent": consent is not None and consent == opened and changed is None})
        position += milestones
        if changed is not None:
            old, on = changed
            change_at = self.at(on, created)
            self.row(PathwayChange, plan_id=plan_id, old_pathway=old, new_pathway=pathway,
                     reason=CHANGED_PATHWAY[pathway], changed_at=change_at, changed_by=holder)
            added = self._template_milestones(st, plan_id, pathway, opened, change_at, holder, last, None, position)
            position += added
            self.audit("reintegration.pathway", holder, "resident", st.resident_id,
                       {"pathway": pathway, "milestones": added})
            self.totals["pathway_changes"] += 1
        if consent is not None and (consent != opened or changed is not None):
            self.audit("reintegration.plan_update", holder, "resident", st.resident_id, {"consent": True})
        if consent is not None:
            self.totals["consented"] += 1
        for _n in range(rng.choices((0, 1, 2), weights=(65, 25, 10))[0]):
            self._own_milestone(st, plan_id, opened, holder, last, position)
            position += 1
        self._referrals(st, pathway, opened, holder, last)
        level = {"economic": rng.uniform(0.1, 0.45), "social": rng.uniform(0.2, 0.55),
                 "psychosocial": rng.uniform(0.15, 0.5)}
        if rng.random() < 0.9:
            scored = self.day(opened, 0, 7, min(last, end))
            if scored >= opened:
                self._score(st, "baseline", scored, None, level, holder)
        if st.discharged is not None:
            self._follow_up(st, pathway, level, holder, last)

    def _detail(self, pathway: str, st: _Leaving) -> str:
        """The country, the city or what "other" is."""
        if pathway == "return_origin":
            return COUNTRIES[st.nationality].name if st.nationality in COUNTRIES else ""
        if pathway == "independent_morocco" and self.rng.random() < 0.5:
            return self.city_of.get(st.shelter_id, "")
        return self.rng.choice(PATHWAY_DETAILS[pathway])

    def _partner(self, kind: str | None, st: _Leaving) -> int | None:
        """The partner of this kind for the stay: its shelter's city's, the
        consulate of the resident's country, or a national one."""
        if kind is None:
            return None
        if kind == "consulate":
            return self.partners.consulates.get(st.nationality)
        return (self.partners.by_city.get((self.city_of.get(st.shelter_id, ""), kind))
                or self.partners.national.get(kind))

    # -- milestones ------------------------------------------------------------------------------

    def _template_milestones(self, st: _Leaving, plan_id: int, pathway: str, opened: date, created: datetime,
                             holder: int, last: date, dropped_on: date | None, position: int) -> int:
        """The pathway's templates as milestones, moved on up to ``last`` (or,
        for an earlier pathway, until ``dropped_on``, when those not begun no
        longer apply)."""
        count = 0
        for template_id, code, title, offset in self.templates.get(pathway, []):
            due = opened + timedelta(days=offset)
            partner = self._partner(MILESTONE_OWNER.get(code or ""), st)
            self._milestone(st, plan_id, template_id, code, title, due, partner, holder, created, opened, last,
                            dropped_on, position + count)
            count += 1
        return count

    def _own_milestone(self, st: _Leaving, plan_id: int, opened: date, holder: int, last: date, position: int) -> None:
        added = self.day(opened, 0, 30)
        if added > min(last, st.discharged or self.today):
            return
        due = self.day(added, 10, 90) if self.rng.random() < 0.9 else None
        created = self.at(added, st.admitted_at)
        milestone_id = self._milestone(st, plan_id, None, None, self.rng.choice(OWN_MILESTONES), due, None, holder,
                                       created, added, last, None, position)
        self.audit("reintegration.milestone_add", holder, "resident", st.resident_id, {"milestone": milestone_id})

    def _milestone(self, st: _Leaving, plan_id: int, template_id: int | None, code: str | None, title: str,
                   due: date | None, partner: int | None, holder: int, created: datetime, opened: date,
                   last: date, dropped_on: date | None, position: int) -> int:
        rng = self.rng
        milestone_id = next(self.ids[Milestone])
        events: list[tuple[str, str, date]] = []
        status, reason, done_on = "planned", "", None
        # When it would be done: around its due date; after a discharge,
        # what the departure settled was done by then, and what comes after
        # it follows it.
        aim = due or (opened + timedelta(days=rng.randint(20, 90)))
        if st.discharged is not None:
            if code in AFTER_DISCHARGE:
                low, high = AFTER_DISCHARGE[code]
                aim = st.discharged + timedelta(days=rng.randint(low, high))
            elif code == "departure":
                aim = st.discharged
            elif aim > st.discharged:
                aim = max(opened, st.discharged - timedelta(days=rng.randint(0, 6)))
        late = rng.randint(15, 60) if rng.random() < 0.1 else rng.randint(-10, 8)
        finish = max(opened, aim + timedelta(days=late))
        begin = max(opened, min(finish, aim - timedelta(days=rng.randint(3, 30))))
        until = last if st.discharged is None else min(last, st.discharged + timedelta(days=150))
        if dropped_on is not None:
            until = min(until, dropped_on)
        draw = rng.random()
        if draw < 0.05:
            reasons = NOT_APPLICABLE.get(code or "", NOT_APPLICABLE_OTHER)
            on = self.day(opened, 0, 20)
            if on <= until:
                status, reason = "not_applicable", rng.choice(reasons)
                events.append((status, reason, on))
        elif draw < 0.09 and begin <= until:
            status, reason = "blocked", rng.choice(BLOCKED.get(code or "", BLOCKED_OTHER))
            events.append(("in_progress", "", begin))
            on = min(until, begin + timedelta(days=rng.randint(1, 20)))
            events.append((status, reason, on))
            self.totals["blocked"] += 1
        elif finish <= until:
            if rng.random() < 0.7 and begin < finish:
                events.append(("in_progress", "", begin))
            status, done_on = "done", finish
            events.append((status, "", finish))
            self.totals["done"] += 1
        elif begin <= until:
            status = "in_progress"
            events.append((status, "", begin))
        if status in ("planned", "in_progress"):
            gone_on = st.discharged + timedelta(days=rng.randint(1, 7)) if st.discharged else None
            if dropped_on is not None and status == "planned":
                status, reason = "not_applicable", _("The pathway changed.")
                events.append((status, reason, dropped_on))
            elif st.destination == "left_without_notice" and gone_on is not None and gone_on <= last:
                status, reason = "not_applicable", LEFT_WITHOUT_NOTICE
                events.append((status, reason, gone_on))
        self.row(Milestone, id=milestone_id, plan_id=plan_id, template_id=template_id, code=code,
                 title=title, due_on=due,
                 owner_staff_id=None if partner is not None else holder, owner_partner_id=partner, status=status,
                 status_reason=reason, done_on=done_on, position=position, created_at=created, created_by=holder)
        self.row(MilestoneEvent, milestone_id=milestone_id, status="planned", reason="", at=created, by=holder)
        moment = created
        for event_status, event_reason, on in events:
            moment = self.at(on, moment)
            self.row(MilestoneEvent, milestone_id=milestone_id, status=event_status, reason=event_reason, at=moment,
                     by=holder)
            self.audit("reintegration.milestone_status", holder, "resident", st.resident_id,
                       {"milestone": milestone_id, "status": event_status})
        self.totals["milestones"] += 1
        return milestone_id

    # -- referrals ---------------------------------------------------------------------------------

    def _referrals(self, st: _Leaving, pathway: str, opened: date, holder: int, last: date) -> None:
        rng = self.rng
        until = min(last, st.discharged + timedelta(days=30) if st.discharged else self.today)
        for kind, share in REFERRALS_FOR[pathway]:
            if rng.random() >= share:
                continue
            partner = self._partner(kind, st)
            if partner is None:
                continue
            referred = self.day(opened, 0, 45)
            if referred > until:
                continue
            if not st.consent_processing and kind not in ("health", "legal_aid"):
                continue  # without consent to processing, only what cannot wait
            self._refer(st, partner, kind, referred, holder, last)

    def _refer(self, st: _Leaving, partner: int, kind: str, referred: date, holder: int, last: date) -> None:
        rng = self.rng
        name = normalise_receiver(self.partners.names[partner])
        consented = self.consents.setdefault(st.resident_id, set())
        override = ""
        if name not in consented:
            if st.consent_processing and rng.random() < 0.97:
                given = max(st.admitted, referred - timedelta(days=rng.randint(0, 3)))
                sections = HANDOVER_SECTION.codes if rng.random() < 0.6 else \
                    tuple(c for c in HANDOVER_SECTION.codes if c != "safety" or rng.random() < 0.3)
                self.row(SharingConsent, resident_id=st.resident_id, receiver=self.partners.names[partner],
                         sections=",".join(sections), given_on=given, recorded_by=holder, withdrawn_on=None)
                self.audit("resident.consent_sharing", holder, "resident", st.resident_id,
                           {"sections": ",".join(sections)})
                consented.add(name)
                self.totals["sharing_consents"] += 1
            else:
                override = rng.choice(OVERRIDES)
        referral_id = next(self.ids[PartnerReferral])
        values: dict[str, object] = dict(
            id=referral_id, resident_id=st.resident_id, stay_id=st.stay_id, partner_id=partner,
            service=rng.choice(SERVICES[kind]), referred_on=referred,
            follow_up_on=referred + timedelta(days=rng.randint(14, 21)), status="sent", accepted_on=None,
            refused_on=None, completed_on=None, answer_note="", consent_override=override,
            created_at=self.at(referred, st.admitted_at), created_by=holder)
        self.audit("referral.make", holder, "resident", st.resident_id,
                   {"referral": referral_id, "partner": partner, "consent": not override})
        if override:
            self.audit("referral.consent_override", holder, "resident", st.resident_id,
                       {"referral": referral_id, "partner": partner})
            self.totals["without_consent"] += 1
        self.totals["referrals"] += 1
        answered = referred + timedelta(days=rng.randint(3, 25) if rng.random() < 0.9 else rng.randint(30, 70))
        if rng.random() < 0.05 or answered > last:
            self.rows.setdefault(PartnerReferral, []).append(values)  # no answer yet
            return
        self.totals["answered"] += 1
        draw = rng.random()
        if draw < 0.12:
            values.update(status="refused", refused_on=answered, follow_up_on=None, answer_note=rng.choice(REFUSALS))
            self.audit("referral.answer", holder, "resident", st.resident_id,
                       {"referral": referral_id, "status": "refused"})
        else:
            done = answered + timedelta(days=rng.randint(10, 120))
            if draw < 0.22:
                done = answered  # completed, without a separate acceptance
            else:
                values.update(status="accepted", accepted_on=answered,
                              follow_up_on=answered + timedelta(days=rng.randint(20, 45)),
                              answer_note=rng.choice(ANSWER_NOTES))
                self.audit("referral.answer", holder, "resident", st.resident_id,
                           {"referral": referral_id, "status": "accepted"})
            if done <= last and rng.random() < 0.8:
                values.update(status="completed", accepted_on=values["accepted_on"] or done, completed_on=done,
                              follow_up_on=None)
                self.audit("referral.answer", holder, "resident", st.resident_id,
                           {"referral": referral_id, "status": "completed"})
            elif rng.random() < 0.75:
                # Followed up since: the next look is set ahead (after a
                # discharge, often none any more).
                moved = None if st.discharged and rng.random() < 0.5 else last + timedelta(days=rng.randint(-3, 30))
                if moved is None or moved > values["follow_up_on"]:
                    values["follow_up_on"] = moved
                    self.audit("referral.follow_up", holder, "resident", st.resident_id, {"referral": referral_id})
        self.rows.setdefault(PartnerReferral, []).append(values)

    # -- after the discharge ---------------------------------------------------------------------

    def _follow_up(self, st: _Leaving, pathway: str, level: dict[str, float], holder: int, last: date) -> None:
        """The contacts of each follow-up round, the surveys of those that
        reached the person, and the closing of the case once done."""
        rng, back = self.rng, st.back
        rounds = follow_up_dates(st.discharged, self.months)
        lost_in, owed = None, False
        if rounds and rounds[0][1] <= last:
            # One followed case in ten loses contact (from the 4th, 14th...: every demo of some size has one, left
            # open so the board shows it whatever day the demo is made), more of those who left without a word.
            self.followed += 1
            tenth = self.followed % 10 == 4
            if tenth or (st.destination == "left_without_notice" and rng.random() < 0.25):
                lost_in = rng.choices(range(len(rounds)), weights=[max(10, 50 - 20 * i) for i in range(len(rounds))])[0]
            self.lost_owed = self.lost_owed or tenth
            # The rounds whose attempts all fall before today, however late the first one is made.
            in_time = [i for i, (_months, due) in enumerate(rounds)
                       if due + timedelta(days=60 + 10 * self.attempts) <= last]
            if self.lost_owed and in_time:
                lost_in = lost_in if lost_in in in_time else in_time[-1]
                owed, self.lost_owed = True, False
        misses = 0
        reached_all, lost_on, final = True, None, None
        abroad = pathway in ("return_origin", "third_country")
        for index, (months, due) in enumerate(rounds):
            day = due + timedelta(days=rng.randint(-5, 10) if rng.random() < 0.88 else rng.randint(15, 60))
            reached = False
            while day <= last:
                if lost_in == index:
                    hit = False
                else:
                    hit = rng.random() < 0.78 or misses + 1 >= self.attempts
                method = ("partner" if abroad and rng.random() < 0.4 else "phone") if not hit else \
                    rng.choices(("phone", "in_person", "partner"), weights=(55, 10, 35) if abroad else (55, 30, 15))[0]
                partner = None
                if method == "partner":
                    partner = self._partner("iom" if pathway == "return_origin" else "other" if abroad else "ngo", st)
                    if partner is None:
                        method = "phone"
                contact_id = next(self.ids[FollowUpContact])
                self.row(FollowUpContact, id=contact_id, stay_id=st.stay_id, resident_id=st.resident_id,
                         round_months=months, contacted_on=day, method=method, staff_id=holder, partner_id=partner,
                         reached=hit, situation=rng.choice(SITUATIONS[pathway]) if hit else rng.choice(MISSED),
                         next_step=rng.choice(NEXT_STEPS) if hit else rng.choice(MISSED_NEXT),
                         recorded_at=self.at(day, st.discharged_at), recorded_by=holder)
                self.audit("reintegration.follow_up", holder, "resident", st.resident_id,
                           {"round": months, "reached": hit, "method": method})
                self.totals["contacts"] += 1
                final = day
                if hit:
                    misses, reached = 0, True
                    self.totals["reached"] += 1
                    for dimension in level:
                        level[dimension] = min(1.0, max(0.0, level[dimension] + rng.gauss(0.08, 0.08)))
                    if rng.random() < 0.85:
                        self._score(st, "follow_up", day, contact_id, level, holder)
                    break
                misses += 1
                if misses >= self.attempts:
                    lost_on = day
                    self.audit("reintegration.lost_contact", holder, "resident", st.resident_id)
                    self.totals["lost_contact"] += 1
                    break
                day += timedelta(days=rng.randint(3, 10))
            if lost_on is not None:
                break
            if not reached:
                reached_all = False
                break
        if st.closed_on is not None or final is None or not (reached_all or lost_on) or rng.random() >= 0.85 or owed:
            return
        closed_on = final + timedelta(days=rng.randint(1, 30))
        if closed_on > last:
            return
        reason = "lost_contact" if lost_on else CLOSURE_FOR_PATHWAY[pathway]
        if not lost_on and rng.random() < 0.04:
            reason = "moved_away"
        closer = holder if rng.random() < 0.5 else self.coordinator
        self.row(CaseClosure, resident_id=st.resident_id, closed_on=closed_on, reason=reason, reason_text="",
                 closed_at=self.at(closed_on, st.discharged_at), closed_by=closer, reopened_at=back,
                 reopened_by=self.coordinator if back else None,
                 reopen_reason=rng.choice(REOPEN_REASONS) if back else "")
        self.audit("case.close", closer, "resident", st.resident_id, {"reason": reason})
        if back is not None:
            self.audit("case.reopen", self.coordinator, "resident", st.resident_id)
        self.totals["closures"] += 1

    # -- the sustainability survey -------------------------------------------------------------

    def _score(self, st: _Leaving, occasion: str, day: date, contact_id: int | None, level: dict[str, float],
               holder: int) -> None:
        rng = self.rng
        answers: dict[str, str] = {}
        for item in INDICATORS:
            if rng.random() < 0.04:
                answers[item.code] = "unknown"
                continue
            if item.code == "education" and not st.with_children:
                answers[item.code] = "no_children"
                continue
            wanted = min(1.0, max(0.0, level[item.dimension] + rng.gauss(0, 0.2)))
            answers[item.code] = min((a for a in item.answers if a.value is not None),
                                     key=lambda a: abs(a.value - wanted)).code
        result = sustainability_score(answers, self.weights)
        score_id = next(self.ids[SustainabilityScore])
        self.row(SustainabilityScore, id=score_id, stay_id=st.stay_id, resident_id=st.resident_id, occasion=occasion,
                 contact_id=contact_id, scored_on=day, economic=result.economic, social=result.social,
                 psychosocial=result.psychosocial, overall=result.overall, answered=result.answered,
                 weights=self.weights_text, recorded_at=self.at(day, st.admitted_at), recorded_by=holder)
        for code, answer in sorted(answers.items()):
            self.row(SustainabilityAnswer, score_id=score_id, indicator=code, answer=answer)
        self.audit("reintegration.score", holder, "resident", st.resident_id,
                   {"occasion": occasion, "answered": result.answered})
        self.totals["scores"] += 1


@dataclass
class _Partners:
    by_city: dict[tuple[str, str], int] = field(default_factory=dict)  # (city, kind) -> partner id
    consulates: dict[str, int] = field(default_factory=dict)  # by nationality
    national: dict[str, int] = field(default_factory=dict)  # by kind
    names: dict[int, str] = field(default_factory=dict)


def _add_partners(s: Session, who: SignedIn, cities: list[str], since: datetime) -> _Partners:
    """The partners of each city (and the national ones), written once: those
    the directory has already (by name) are used as they are."""
    known = {normalise_receiver(name): (pid, name) for pid, name in s.execute(select(Partner.id, Partner.name))}
    found = _Partners(names={pid: name for pid, name in known.values()})
    audits: list[tuple[str, int, str, int, dict[str, int | str] | None]] = []

    def add(name: str, kind: str, city: str, contact: str) -> int:
        existing = known.get(normalise_receiver(name))
        if existing is not None:
            return existing[0]
        row = Partner(name=name, kind=kind, city=city, contact=contact, active=True, created_at=since,
                      created_by=who.actor.account_id)
        s.add(row)
        s.flush()
        known[normalise_receiver(name)] = (row.id, name)
        found.names[row.id] = name
        audits.append(("partner.add", who.actor.account_id, "partner", row.id, {"kind": kind}))
        return row.id

    for index, city in enumerate(cities):
        own = CITY_PARTNER_NAMES.get(city, {})
        for kind, pattern, contact in CITY_PARTNERS:
            found.by_city[city, kind] = add(own.get(kind) or pattern.format(city=city), kind, city,
                                            contact.format(city=city))
        code = CONSULATES[index % len(CONSULATES)]
        name = f"Consulate of {COUNTRIES[code].name}" + ("" if index == 0 else f", {city}")
        found.consulates.setdefault(code, add(name, "consulate", city, CONSULATE_CONTACT))
    for kind, name, city, contact in NATIONAL_PARTNERS:
        found.national[kind] = add(name, kind, city, contact)
    _audit_all(s, who.store, audits)
    return found


def add_reintegration(who: SignedIn, seed: int = 2026, now: datetime | None = None, batch: int = 2000,
                      progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Replay the reintegration of every stay on record (in a store that has
    no reintegration plan yet): partners in each shelter's city, plans with
    their milestones, referrals (with the consents to share they need),
    follow-ups after discharge, sustainability surveys and the closing of
    cases after their last follow-up. ``who`` is the coordinator; the work is
    written in the names of the social workers holding the cases. Returns
    how many of each were written (none in a store that holds a plan
    already)."""
    rng = random.Random(f"reintegration {seed}")
    now = now or datetime.now(UTC) - timedelta(minutes=1)
    with who.store.read() as s:
        if s.execute(select(ReintegrationPlan.id).limit(1)).first() is not None:
            return {}
        staff = _staff(s)
        coordinator = (staff["coordinator"] or [who.actor.account_id])[0]
        settings = load_settings(s)
        weights = weights_in(s)
        templates = {p: [(t.id, t.code, t.title, t.offset_days) for t in templates_in(s, p)] for p in PATHWAY.codes}
        cities = dict(s.execute(select(Shelter.id, Shelter.city).order_by(Shelter.id)).all())
        parents = set(s.execute(select(Resident.parent_id).where(Resident.parent_id.is_not(None))).scalars())
        holders = dict(s.execute(select(CaseAssignment.stay_id, CaseAssignment.staff_id)
                                 .order_by(CaseAssignment.started_at, CaseAssignment.id)).all())
        consents: dict[int, set[str]] = {}
        for resident_id, names in s.execute(select(Resident.id, Resident.consent_sharing)
                                            .where(Resident.consent_sharing != "")):
            consents[resident_id] = {normalise_receiver(n) for n in names.split("\n") if n.strip()}
        for resident_id, receiver in s.execute(select(SharingConsent.resident_id, SharingConsent.receiver)
                                               .where(SharingConsent.withdrawn_on.is_(None))):
            consents.setdefault(resident_id, set()).add(normalise_receiver(receiver))
        closures: dict[int, list[date]] = {}
        for resident_id, closed_on in s.execute(select(CaseClosure.resident_id, CaseClosure.closed_on)):
            closures.setdefault(resident_id, []).append(closed_on)
        rows = s.execute(select(Stay.id, Stay.resident_id, Stay.shelter_id, Stay.admitted_at, Stay.discharged_at,
                                Stay.destination, Resident.parent_id, Resident.nationality,
                                Resident.consent_processing)
                         .join(Resident, Resident.id == Stay.resident_id)
                         .order_by(Stay.resident_id, Stay.admitted_at, Stay.id)).all()
    by_resident: dict[int, list[_Leaving]] = {}
    for r in rows:
        by_resident.setdefault(r[1], []).append(_Leaving(
            r[0], r[1], r[2], r[3], r[3].astimezone().date(), r[4], r[4].astimezone().date() if r[4] else None, r[5],
            r[6] is not None, (r[7] or "MA") != "MA", r[7] or "", bool(r[8]), r[1] in parents, holders.get(r[0])))
    for resident_id, stays in by_resident.items():
        for index, stay in enumerate(stays):
            stay.back = stays[index + 1].admitted_at if index + 1 < len(stays) else None
            if stay.discharged is not None and resident_id in closures:
                until = stay.back.astimezone().date() if stay.back else date.max
                stay.closed_on = min((d for d in closures[resident_id] if stay.discharged <= d < until), default=None)
    with who.store.write() as s:
        since = min((r[3] for r in rows), default=now) - timedelta(days=30)
        partners = _add_partners(s, who, list(dict.fromkeys(cities.values())), since)
    writer = _Reintegration(who.store, rng, now, seed, coordinator, templates, partners, cities, consents, weights,
                            settings.follow_up_months, settings.lost_contact_attempts)
    people = list(by_resident.values())
    done = 0
    for start in range(0, len(people), batch):
        with who.store.write() as s:
            if start == 0:
                writer.start_ids(s)
            chunk = people[start:start + batch]
            writer.write(s, chunk)
            done += sum(len(stays) for stays in chunk)
        if progress:
            progress(done, len(rows))
    return dict(writer.totals)
