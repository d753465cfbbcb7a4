"""Admissions on a real encrypted store (shelter.services.admissions): the
case number, the beds offered (compatible, free, in service, not held; a boy
beside his mother), the refusals and bad input, consent asked later, the
duplicate check (across scripts, spellings, hamza forms and diacritics,
ranked by date of birth and nationality), readmission into one history, the
expected arrival taking up her reserved bed, the database's own refusal of
two people in one bed or two open stays, two workstations admitting or
readmitting at the same moment, and the ``Admitted`` change each admission
returns."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from shelter.domain import changes
from shelter.domain.people import Identity, Protection, ReferralInfo
from shelter.errors import ValidationError
from shelter.services import admissions, beds, discharge, residents
from shelter.services.admissions import Admission
from shelter.storage.models import BedAssignment, Stay
from shelter.store import Store
from tests.cases import COORDINATOR_PASSWORD, TODAY, admission, at_once, bed_ids, tile


def test_admission_fills_a_bed_with_a_case_number_per_shelter_and_year(coordinator):
    bed = bed_ids(coordinator)[0]
    first = admissions.admit(coordinator, admission(bed))
    second = admissions.admit(coordinator, admission(bed_ids(coordinator)[1], "Aisha Okoro", "عائشة أوكورو"))
    year = datetime.now(UTC).year
    assert first.case_number == f"RBT1-{year}-0001" and second.case_number == f"RBT1-{year}-0002"
    tile = next(t for sb in beds.bed_board(coordinator) for r in sb.rooms for t in r.beds if t.bed_id == bed)
    assert tile.status == "occupied" and tile.case_number == first.case_number
    assert tile.name == "Fatima Zahra Benali"


def test_only_compatible_free_beds_are_offered(coordinator):
    woman = admission(0).identity
    man = Identity(name_latin="John Doe", sex="male", birth_date=date(1990, 1, 1))
    child = Identity(name_latin="Little One", sex="female", birth_date=TODAY.replace(year=TODAY.year - 6))
    women_room, children_room = bed_ids(coordinator), bed_ids(coordinator, "Children")
    offered = {c.bed_id for c in admissions.compatible_beds(coordinator, woman)}
    assert set(women_room) <= offered and not offered & set(children_room)
    assert admissions.compatible_beds(coordinator, man) == []  # the shelter receives women only
    assert {c.bed_id for c in admissions.compatible_beds(coordinator, child)} == set(children_room)
    admissions.admit(coordinator, admission(women_room[0]))
    assert women_room[0] not in {c.bed_id for c in admissions.compatible_beds(coordinator, woman)}


def test_a_boy_shares_his_mothers_room_in_a_womens_room(coordinator):
    women, children = bed_ids(coordinator), bed_ids(coordinator, "Children")
    mother = admissions.admit(coordinator, admission(women[0]))
    boy = Identity(name_latin="Samuel Benali", sex="male", birth_date=TODAY.replace(year=TODAY.year - 5))
    alone = {c.bed_id for c in admissions.compatible_beds(coordinator, boy)}
    with_mother = {c.bed_id for c in admissions.compatible_beds(coordinator, boy, parent_id=mother.resident_id)}
    assert alone == set(children)
    assert with_mother == set(children) | set(women[1:])
    base = admission(women[1], "Samuel Benali", "", born=boy.birth_date, sex="male")
    child = admissions.admit(coordinator, Admission(**{**base.__dict__, "parent_id": mother.resident_id}))
    assert residents.open_resident(coordinator, child.resident_id).parent_id == mother.resident_id
    adult_man = admission(women[2], "John Doe", "", born=date(1990, 1, 1), sex="male")
    with pytest.raises(ValidationError):
        admissions.admit(coordinator, adult_man)


def test_an_incompatible_or_occupied_bed_is_refused_with_a_reason(coordinator):
    women_room, children_room = bed_ids(coordinator), bed_ids(coordinator, "Children")
    with pytest.raises(ValidationError) as caught:
        admissions.admit(coordinator, admission(children_room[0]))
    assert caught.value.field == "bed"
    admissions.admit(coordinator, admission(women_room[0]))
    with pytest.raises(ValidationError) as caught:
        admissions.admit(coordinator, admission(women_room[0], "Aisha Okoro", "عائشة"))
    assert "no longer free" in caught.value.message


@pytest.mark.parametrize("change, field", [
    (dict(identity=Identity(sex="female")), "name_latin"),
    (dict(identity=Identity(name_latin="A B", sex="female", birth_date=TODAY + timedelta(days=3))), "birth_date"),
    (dict(referral=ReferralInfo(referred_on=TODAY + timedelta(days=1), source="police")), "referred_on"),
    (dict(protection=Protection(consent_processing=True, consent_processing_on=TODAY + timedelta(days=2))),
     "consent_processing_on"),
    (dict(protection=Protection(consent_processing=True)), "consent_processing_on"),
    (dict(admitted_at=datetime.now(UTC) + timedelta(days=1)), "admitted_at"),
])
def test_bad_input_names_the_field_and_admits_nobody(coordinator, change, field):
    bed = bed_ids(coordinator)[0]
    base = admission(bed)
    bad = Admission(**{**base.__dict__, **change})
    with pytest.raises(ValidationError) as caught:
        admissions.admit(coordinator, bad)
    assert caught.value.field == field
    assert residents.search_residents(coordinator, "", status="all") == []


def test_a_person_can_be_taken_in_before_consent_is_asked(coordinator):
    bed = bed_ids(coordinator)[0]
    base = admission(bed)
    admitted = admissions.admit(coordinator, Admission(**{**base.__dict__, "protection": Protection()}))
    file = residents.open_resident(coordinator, admitted.resident_id)
    assert file.protection.consent_processing is False


def test_the_duplicate_check_finds_the_same_person_across_scripts_and_spellings(coordinator):
    admitted = admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    for typed in (Identity(name_latin="Fatema Zahra Benali", sex="female", birth_date=date(1998, 3, 14)),
                  Identity(name_arabic="فاطمه الزهراء بن علي", sex="female"),
                  Identity(name_latin="FATIMAZAHRA BENALI", sex="female", nationality="NG")):
        found = admissions.duplicate_candidates(coordinator, typed)
        assert found and found[0].resident_id == admitted.resident_id and found[0].in_residence, typed
    assert admissions.duplicate_candidates(coordinator, Identity(name_latin="Grace Adeyemi", sex="female")) == []


@pytest.mark.parametrize("recorded, typed", [
    ("أمينة العلوي", "امينة العلوي"),         # hamza on alef, then none
    ("إيمان بنعلي", "ايمان بن علي"),           # hamza below, split family name
    ("آمال الإدريسي", "امال الادريسي"),         # madda
    ("فَاطِمَة الزَّهْرَاء", "فاطمه الزهراء"),     # diacritics, ta marbuta written as ha
    ("Hafsa Ech-Chafi", "hafsa echchafi"),    # case and hyphen
    ("Zoé Ndiaye", "Zoe NDIAYE"),             # accents
    ("خديجة الناصري", "Khadija Naciri"),       # Arabic script recorded, Latin typed
])
def test_the_duplicate_check_ignores_hamza_diacritics_accents_and_script(coordinator, recorded, typed):
    arabic = any("\u0600" <= ch <= "\u06ff" for ch in recorded)
    first = admissions.admit(coordinator, admission(bed_ids(coordinator)[0], name="" if arabic else recorded,
                                                   arabic=recorded if arabic else ""))
    typed_arabic = any("\u0600" <= ch <= "\u06ff" for ch in typed)
    found = admissions.duplicate_candidates(coordinator, Identity(
        name_arabic=typed if typed_arabic else "", name_latin="" if typed_arabic else typed, sex="female"))
    assert [c.resident_id for c in found][:1] == [first.resident_id]


def test_date_of_birth_and_nationality_rank_the_same_name(coordinator):
    b1, b2, _b3 = bed_ids(coordinator)
    other = admissions.admit(coordinator, admission(b1, born=date(1990, 6, 1)))
    same = admissions.admit(coordinator, admission(b2, born=date(1998, 3, 14)))
    found = admissions.duplicate_candidates(coordinator, Identity(
        name_latin="Fatima Zahra Benali", sex="female", birth_date=date(1998, 3, 14), nationality="NG"))
    assert [c.resident_id for c in found] == [same.resident_id, other.resident_id]
    assert found[0].score > found[1].score


def test_a_readmission_keeps_one_history(coordinator):
    bed = bed_ids(coordinator)[0]
    first = admissions.admit(coordinator, admission(bed))
    with pytest.raises(ValidationError):  # still in residence: a second open stay is refused
        admissions.admit(coordinator, admission(bed_ids(coordinator)[1], readmit_resident_id=first.resident_id))
    discharge.discharge(coordinator, first.stay_id, datetime.now(UTC), "independent_living")
    again = admissions.admit(coordinator, admission(bed, readmit_resident_id=first.resident_id))
    assert again.resident_id == first.resident_id and again.case_number == first.case_number
    file = residents.open_resident(coordinator, first.resident_id)
    assert [s.discharged_at is None for s in file.stays] == [False, True]


def test_the_expected_arrival_takes_up_the_reserved_bed(coordinator):
    bed = bed_ids(coordinator)[0]
    reservation = beds.reserve_bed(coordinator, bed, "police, Rabat", hours=4).reservation_id
    assert bed not in {c.bed_id for c in admissions.compatible_beds(coordinator, admission(0).identity)}
    other = admissions.admit(coordinator, admission(bed_ids(coordinator)[1], "Aisha Okoro", "عائشة"))
    with pytest.raises(ValidationError):  # a move may not take a held bed
        beds.transfer(coordinator, other.stay_id, bed)
    arrived = admissions.admit(coordinator, admission(bed))
    assert tile(coordinator, bed).status == "occupied"
    with coordinator.store.read() as s:
        from shelter.storage.models import Reservation

        held = s.get(Reservation, reservation)
        assert held.closed_at is not None and held.admitted_stay_id == arrived.stay_id


def test_the_database_itself_refuses_two_people_in_one_bed_and_two_open_stays(coordinator):
    bed = bed_ids(coordinator)[0]
    admitted = admissions.admit(coordinator, admission(bed))
    other = admissions.admit(coordinator, admission(bed_ids(coordinator)[1], "Aisha Okoro", "عائشة")).stay_id
    now = datetime.now(UTC)
    with pytest.raises(IntegrityError), coordinator.store.write() as s:
        s.add(BedAssignment(stay_id=other, bed_id=bed, started_at=now))
        s.flush()
    with pytest.raises(IntegrityError), coordinator.store.write() as s:
        s.add(Stay(resident_id=admitted.resident_id, shelter_id=1, admitted_at=now, discharge_note=""))
        s.flush()


def test_two_workstations_admitting_into_one_bed_at_once(coordinator, store_dir):
    bed = bed_ids(coordinator)[0]
    second = Store(store_dir).sign_in("salma", COORDINATOR_PASSWORD)
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def attempt(who, name):
        start.wait()
        try:
            outcomes.append(admissions.admit(who, admission(bed, name, "")))
        except ValidationError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=attempt, args=(w, n))
               for w, n in ((coordinator, "Fatima Zahra Benali"), (second, "Aisha Okoro"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    second.lock("sign_out")
    admitted = [o for o in outcomes if isinstance(o, changes.Admitted)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(admitted) == 1 and len(refused) == 1 and refused[0].field == "bed"


def test_two_workstations_readmitting_one_person(coordinator, second_workstation):
    b1, b2, b3 = bed_ids(coordinator)
    first = admissions.admit(coordinator, admission(b1))
    discharge.discharge(coordinator, first.stay_id, datetime.now(UTC), "family_reunification")
    outcomes = at_once(
        lambda: admissions.admit(coordinator, admission(b2, readmit_resident_id=first.resident_id)),
        lambda: admissions.admit(second_workstation, admission(b3, readmit_resident_id=first.resident_id)))
    admitted = [o for o in outcomes if isinstance(o, changes.Admitted)]
    assert len(admitted) == 1 and len([o for o in outcomes if isinstance(o, ValidationError)]) == 1
    file = residents.open_resident(coordinator, first.resident_id)
    assert [s.discharged_at is None for s in file.stays] == [False, True]


# -- what an admission says it changed ------------------------------------------------------

def test_admit_returns_admitted_naming_the_bed_and_the_new_resident(coordinator):
    bed = bed_ids(coordinator)[0]
    admitted = admissions.admit(coordinator, admission(bed))
    assert isinstance(admitted, changes.Admitted)
    assert admitted.bed_id == bed and admitted.readmission is False
    assert admitted.beds == {bed} and admitted.residents == {admitted.resident_id}
    assert [r.resident_id for r in residents.search_residents(coordinator, "fatima")] == [admitted.resident_id]
    file = residents.open_resident(coordinator, admitted.resident_id)
    assert file.case_number == admitted.case_number
    assert [s.stay_id for s in file.stays] == [admitted.stay_id]
    assert tile(coordinator, bed).stay_id == admitted.stay_id


def test_a_readmission_returns_admitted_flagged_as_a_readmission(coordinator):
    b1, b2, _b3 = bed_ids(coordinator)
    first = admissions.admit(coordinator, admission(b1))
    discharge.discharge(coordinator, first.stay_id, datetime.now(UTC), "independent_living")
    again = admissions.admit(coordinator, admission(b2, readmit_resident_id=first.resident_id))
    assert isinstance(again, changes.Admitted)
    assert again.readmission is True
    assert (again.resident_id, again.case_number, again.bed_id) == (first.resident_id, first.case_number, b2)
    assert again.stay_id != first.stay_id
    assert again.beds == {b2} and again.residents == {first.resident_id}
