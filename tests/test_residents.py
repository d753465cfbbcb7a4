"""Finding and opening residents' files on a real encrypted store
(shelter.services.residents): search as you type across scripts and by case
number, every file opening audited by id, reads that show names audited by
counts and never by what was typed, no read returned without its audit
entry, and who may not search, open a file or discharge."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shelter.domain.people import Identity
from shelter.errors import PermissionDenied
from shelter.security.permissions import Role
from shelter.services import accounts, admissions, beds, discharge, residents
from shelter.store import Store
from tests.cases import admission, audit_details, bed_ids


def test_search_as_you_type_across_scripts_and_by_case_number(coordinator):
    admitted = admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    admissions.admit(coordinator, admission(bed_ids(coordinator)[1], "Aisha Okoro", "عائشة أوكورو"))
    for typed in ("fat", "Fatima Ben", "فاطمة", "بنعل", admitted.case_number.lower(), admitted.case_number,
                  "fatema"):
        assert [r.resident_id for r in residents.search_residents(coordinator, typed)] == [
            admitted.resident_id], typed
    assert len(residents.search_residents(coordinator, "")) == 2
    assert residents.search_residents(coordinator, "zzz") == []
    assert len(residents.search_residents(coordinator, "RBT1-20")) == 2  # a case number as it is typed


def test_opening_a_file_is_audited_by_id_only(coordinator, admin):
    from shelter.services.audit_log import AuditFilter, list_entries

    admitted = admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    residents.open_resident(coordinator, admitted.resident_id)
    views = list_entries(admin, AuditFilter(action="resident.view"))
    assert [(v.record_type, v.record_id) for v in views] == [("resident", str(admitted.resident_id))]


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


def test_the_consent_to_be_counted_in_anonymised_figures_is_recorded_and_withdrawn(coordinator):
    from dataclasses import replace
    from datetime import date, timedelta

    from shelter.errors import ValidationError

    a = admission(bed_ids(coordinator)[0])
    a = replace(a, protection=replace(a.protection, consent_reporting=True, consent_reporting_on=None))
    with pytest.raises(ValidationError) as caught:
        admissions.admit(coordinator, a)
    assert caught.value.field == "consent_reporting_on"
    stay = admissions.admit(coordinator, replace(a, protection=replace(a.protection, consent_reporting=False)))
    assert not residents.open_resident(coordinator, stay.resident_id).protection.consent_reporting
    with pytest.raises(ValidationError) as caught:
        residents.record_reporting_consent(coordinator, stay.resident_id, date.today() + timedelta(days=1))
    assert caught.value.field == "consent_reporting_on"
    residents.record_reporting_consent(coordinator, stay.resident_id, date.today())
    file = residents.open_resident(coordinator, stay.resident_id)
    assert file.protection.consent_reporting and file.protection.consent_reporting_on == date.today()
    residents.withdraw_reporting_consent(coordinator, stay.resident_id, "she asked")
    assert not residents.open_resident(coordinator, stay.resident_id).protection.consent_reporting
    with pytest.raises(ValidationError):
        residents.withdraw_reporting_consent(coordinator, stay.resident_id)
    assert [o for o, _r, _d in audit_details(coordinator, "resident.consent_reporting")] == ["ok"]
    assert [o for o, _r, _d in audit_details(coordinator, "resident.consent_reporting_withdrawn")] == ["ok"]
