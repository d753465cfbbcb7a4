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
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from shelter.demo_names import DemoPerson, generate_person
from shelter.domain.people import Identity, Protection, ReferralInfo
from shelter.domain.vocabulary import DESTINATION, EXPLOITATION_FORM, REFERRAL_SOURCE
from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.security.keyring import KdfParams
from shelter.security.permissions import Role
from shelter.services import accounts, admissions, beds, dashboard, discharge, shelters
from shelter.services.admissions import Admission
from shelter.services.beds import BedChoice
from shelter.store import SignedIn, Store

# Printed on every run: the store is for training only, so everyone shares it.
DEMO_PASSWORD = "demo store for training only"
DEMO_ACCOUNTS: tuple[tuple[str, str, Role], ...] = (
    ("amina", "Amina Benali", Role.ADMINISTRATOR),
    ("salma", "Salma Idrissi", Role.COORDINATOR),
    ("youssef", "Youssef Alaoui", Role.SOCIAL_WORKER),
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
            consent_sharing=sharing, consent_sharing_on=day if sharing else None)

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


def _add_shelter_rooms(who: SignedIn, shelter_id: int, layout: tuple[tuple[int, str], ...]) -> None:
    number = 100
    for count, kind in layout:
        for n in range(count):
            number += 1
            shelters.add_room(who, shelter_id, str(number), beds=BEDS_PER_ROOM, women_only=kind == "women",
                              men_only=kind == "men", minors=kind == "minors", accessible=n == 0)


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
            _add_shelter_rooms(admin, shelter_id, MIXED if mixed else WOMEN_AND_CHILDREN)
            shelter_ids.append(shelter_id)
    finally:
        admin.lock("sign_out")
    who = Store(folder).sign_in(COORDINATOR, DEMO_PASSWORD)
    try:
        now = datetime.now(UTC) - timedelta(minutes=1)
        start = now - timedelta(days=365.25 * years)
        beds = count * 60
        mean_stay = TARGET_OCCUPANCY * beds * 365.25 * years / residents_count
        simulation = _Simulation(who, rng, start, now, min(max(mean_stay, 7.0), 365.0), shelter_ids)
        created = simulation.run(residents_count, progress)
        _today(who, rng, now)
        figures = dashboard.dashboard(who)
    finally:
        who.lock("sign_out")
    return DemoSummary(Path(folder), recovery_code, DEMO_PASSWORD,
                       tuple((u, r.value) for u, _d, r in DEMO_ACCOUNTS), count, beds, created,
                       simulation.stays, figures.occupied)


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
