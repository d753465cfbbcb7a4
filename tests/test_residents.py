"""Admissions, the bed board, transfers, reservations and discharges on a
real encrypted store: every rule the coordinator relies on, enforced by the
service with a clear message and by the database itself."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from shelter.domain import changes
from shelter.domain.people import Identity, Protection, ReferralInfo
from shelter.errors import PermissionDenied, ValidationError
from shelter.security.permissions import Role
from shelter.services import accounts, admissions, beds, dashboard, discharge, residents, settings
from shelter.services.admissions import Admission
from shelter.storage.models import BedAssignment, Stay
from shelter.store import Store
from tests.cases import COORDINATOR_PASSWORD, TODAY, admission, audit_details, bed_ids


def test_admission_fills_a_bed_with_a_case_number_per_shelter_and_year(coordinator):
    bed = bed_ids(coordinator)[0]
    first = admissions.admit(coordinator, admission(bed))
    second = admissions.admit(coordinator, admission(bed_ids(coordinator)[1], "Aisha Okoro", "عائشة أوكورو"))
    year = datetime.now(UTC).year
    assert first.case_number == f"RBT1-{year}-0001" and second.case_number == f"RBT1-{year}-0002"
    tile = next(t for sb in beds.bed_board(coordinator) for r in sb.rooms for t in r.beds if t.bed_id == bed)
    assert tile.status == "occupied" and tile.case_number == first.case_number
    assert tile.name == "Fatima Zahra Benali"


def test_the_shelters_name_form_applies_on_the_board(coordinator, admin):
    bed = bed_ids(coordinator)[0]
    admissions.admit(coordinator, admission(bed))
    settings.update_settings(admin, resident_name_form="initials")
    tile = next(t for sb in beds.bed_board(coordinator) for r in sb.rooms for t in r.beds if t.bed_id == bed)
    assert tile.name == "F.Z.B."


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


def test_the_duplicate_check_finds_the_same_person_across_scripts_and_spellings(coordinator):
    admitted = admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    for typed in (Identity(name_latin="Fatema Zahra Benali", sex="female", birth_date=date(1998, 3, 14)),
                  Identity(name_arabic="فاطمه الزهراء بن علي", sex="female"),
                  Identity(name_latin="FATIMAZAHRA BENALI", sex="female", nationality="NG")):
        found = admissions.duplicate_candidates(coordinator, typed)
        assert found and found[0].resident_id == admitted.resident_id and found[0].in_residence, typed
    assert admissions.duplicate_candidates(coordinator, Identity(name_latin="Grace Adeyemi", sex="female")) == []


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


def test_transfer_keeps_the_bed_history_and_frees_the_old_bed(coordinator):
    b1, b2, _b3 = bed_ids(coordinator)
    stay = admissions.admit(coordinator, admission(b1)).stay_id
    beds.transfer(coordinator, stay, b2)
    board = {t.bed_id: t.status for sb in beds.bed_board(coordinator) for r in sb.rooms for t in r.beds}
    assert board[b1] == "free" and board[b2] == "occupied"
    history = residents.open_resident(coordinator, residents.search_residents(coordinator, "fatima")[0].resident_id)
    beds_history = history.stays[0].beds
    assert len(beds_history) == 2 and beds_history[0][2] is not None and beds_history[1][2] is None


def test_discharge_frees_the_bed_and_keeps_the_stay(coordinator):
    bed = bed_ids(coordinator)[0]
    admitted = admissions.admit(coordinator, admission(bed))
    with pytest.raises(ValidationError):
        discharge.discharge(coordinator, admitted.stay_id, datetime.now(UTC) + timedelta(days=2), "hospital")
    with pytest.raises(ValidationError):
        discharge.discharge(coordinator, admitted.stay_id, datetime.now(UTC) - timedelta(days=30), "hospital")
    discharge.discharge(coordinator, admitted.stay_id, datetime.now(UTC), "assisted_return", "IOM, Lagos")
    assert residents.search_residents(coordinator, "fatima") == []
    assert [r.case_number for r in residents.search_residents(coordinator, "fatima", status="discharged")] == [
        admitted.case_number]
    tile = next(t for sb in beds.bed_board(coordinator) for r in sb.rooms for t in r.beds if t.bed_id == bed)
    assert tile.status == "free"
    with pytest.raises(ValidationError):
        discharge.discharge(coordinator, admitted.stay_id, datetime.now(UTC), "hospital")


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


def test_reservations_hold_a_bed_until_they_expire(coordinator):
    bed = bed_ids(coordinator)[0]
    now = datetime.now(UTC)
    beds.reserve_bed(coordinator, bed, "police, Rabat", hours=2, at=now)
    tile = next(t for sb in beds.bed_board(coordinator, at=now) for r in sb.rooms for t in r.beds
                if t.bed_id == bed)
    assert tile.status == "reserved"
    with pytest.raises(ValidationError):
        beds.reserve_bed(coordinator, bed, "another", hours=2, at=now)
    later = now + timedelta(hours=3)
    tile = next(t for sb in beds.bed_board(coordinator, at=later) for r in sb.rooms for t in r.beds
                if t.bed_id == bed)
    assert tile.status == "free"
    beds.reserve_bed(coordinator, bed, "hotline", hours=1, at=later)  # the lapsed one no longer blocks


def test_a_bed_out_of_service_is_never_offered(coordinator):
    bed = bed_ids(coordinator)[0]
    beds.set_out_of_service(coordinator, bed, "Broken frame", TODAY + timedelta(days=7))
    tile = next(t for sb in beds.bed_board(coordinator) for r in sb.rooms for t in r.beds if t.bed_id == bed)
    assert tile.status == "out_of_service" and tile.reason == "Broken frame"
    assert bed not in {c.bed_id for c in admissions.compatible_beds(coordinator, admission(0).identity)}
    with pytest.raises(ValidationError):
        admissions.admit(coordinator, admission(bed))
    beds.return_to_service(coordinator, bed)
    admissions.admit(coordinator, admission(bed))


def test_permissions_a_counsellor_cannot_discharge_and_an_administrator_sees_no_resident(coordinator, admin,
                                                                                     store_dir):
    admitted = admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    accounts.create_account(admin, "nadia", "Nadia Alami", [Role.COUNSELLOR], "quiet room kind words",
                            must_change_password=False)
    nadia = Store(store_dir).sign_in("nadia", "quiet room kind words")
    try:
        with pytest.raises(PermissionDenied):
            discharge.discharge(nadia, admitted.stay_id, datetime.now(UTC), "hospital")
        assert beds.bed_board(nadia)  # but she sees the board
    finally:
        nadia.lock("sign_out")
    with pytest.raises(PermissionDenied):
        residents.search_residents(admin, "")
    with pytest.raises(PermissionDenied):
        residents.open_resident(admin, admitted.resident_id)


def test_opening_a_file_is_audited_by_id_only(coordinator, admin):
    from shelter.services.audit_log import AuditFilter, list_entries

    admitted = admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    residents.open_resident(coordinator, admitted.resident_id)
    views = list_entries(admin, AuditFilter(action="resident.view"))
    assert [(v.record_type, v.record_id) for v in views] == [("resident", str(admitted.resident_id))]


def test_a_person_can_be_taken_in_before_consent_is_asked(coordinator):
    bed = bed_ids(coordinator)[0]
    base = admission(bed)
    admitted = admissions.admit(coordinator, Admission(**{**base.__dict__, "protection": Protection()}))
    file = residents.open_resident(coordinator, admitted.resident_id)
    assert file.protection.consent_processing is False


def test_dashboard_figures_count_what_happened(coordinator):
    b1, b2, b3 = bed_ids(coordinator)
    admissions.admit(coordinator, admission(b1))
    second = admissions.admit(coordinator, admission(b2, "Aisha Okoro", "عائشة"))
    discharge.discharge(coordinator, second.stay_id, datetime.now(UTC), "hospital")
    beds.reserve_bed(coordinator, b3, "police", hours=3)
    figures = dashboard.dashboard(coordinator)
    assert (figures.beds, figures.occupied) == (5, 1)
    assert (figures.admissions_this_month, figures.discharges_this_month) == (2, 1)
    assert figures.reservations_expiring == 1
    assert figures.average_stay_days is not None and figures.average_stay_days < 1
    assert len(figures.occupancy) == 12 and figures.occupancy[-1][1] == 1  # the last bar is now


def test_reads_that_show_names_are_audited_by_counts_never_by_what_was_typed(coordinator):
    bed = bed_ids(coordinator)[0]
    admissions.admit(coordinator, admission(bed))
    admissions.admit(coordinator, admission(bed_ids(coordinator)[1], "Aisha Okoro", "عائشة أوكورو"))
    before = len(audit_details(coordinator, "beds.view"))  # bed_ids() reads the board too

    residents.search_residents(coordinator, "fatima")
    residents.search_residents(coordinator, "zzz")
    residents.search_residents(coordinator, "", status="all")
    assert audit_details(coordinator, "resident.search") == [
        ("ok", None, {"results": 1}), ("ok", None, {"results": 0}), ("ok", None, {"results": 2})]

    beds.bed_board(coordinator)
    views = audit_details(coordinator, "beds.view")
    assert len(views) == before + 1 and views[-1] == ("ok", None, {"beds": 5, "occupied": 2})

    found = admissions.duplicate_candidates(coordinator, Identity(name_latin="Fatima Benali", sex="female"))
    assert found and audit_details(coordinator, "resident.duplicate_check") == [
        ("ok", None, {"results": len(found)})]
    admissions.duplicate_candidates(coordinator, Identity(sex="female"))  # nothing typed: nothing read
    assert len(audit_details(coordinator, "resident.duplicate_check")) == 1

    with coordinator.store.read() as s:
        from sqlalchemy import select

        from shelter.storage.models import AuditEntry

        logged = " ".join(f"{e.record_id} {e.detail}" for e in s.execute(select(AuditEntry)).scalars())
    for typed in ("fatima", "Fatima", "zzz", "Benali", "Aisha", "فاطمة"):
        assert typed not in logged


def test_a_read_is_not_returned_without_its_audit_entry(coordinator, monkeypatch):
    admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))

    def broken_audit(*args, **kwargs):
        raise RuntimeError("disk unplugged")

    monkeypatch.setattr(coordinator.store, "audit", broken_audit)
    for read in (lambda: residents.search_residents(coordinator, "fatima"), lambda: beds.bed_board(coordinator),
                 lambda: admissions.duplicate_candidates(coordinator, admission(0).identity)):
        with pytest.raises(RuntimeError):
            read()
