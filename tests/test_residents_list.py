"""The residents list as the service gives it (shelter.services.residents):
every id a search finds, sorted in SQL on the key asked for (the whole result,
not a page of it), and the rows read a page at a time; both reads audited by
counts, never by what was typed, and only for those who may see residents."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from shelter.errors import PermissionDenied
from shelter.services import admissions, discharge, residents, settings, shelters
from tests.cases import admission, audit_details, bed_ids

# Given names and family names for a crowd, in no order, some lower case
# (sorting ignores case), some with a preferred name or in Arabic script only.
GIVEN = ("Zainab", "amina", "Grace", "Blessing", "fatou", "Mariam", "Joy", "Esther", "Hawa", "Nadia", "Salma",
         "Awa", "Precious", "Khadija", "Ruth")
FAMILY = ("Okafor", "Diallo", "benali", "Traoré", "Mensah", "Koné", "Eze", "Sow", "Alami", "Obi", "Camara", "Bah",
          "Adeyemi", "Touré", "Ndiaye", "Keita", "Idrissi", "Balde")
RISKS = ("low", "medium", "high")
NATIONALITIES = ("NG", "CI", "SN", "GN", "CM", "MA")


def crowd(coordinator, admin, count: int) -> list[int]:
    """``count`` people admitted to halls of 40 beds, with names,
    nationalities and risks mixed so that no sort key follows registration;
    their resident ids in the order they were registered."""
    shelter_id = shelters.list_shelters(admin)[0].id
    halls = [f"Hall {k + 1}" for k in range((count + 39) // 40)]
    for k, hall in enumerate(halls):
        shelters.add_room(admin, shelter_id, hall, beds=min(40, count - 40 * k))
    ids = []
    for n, bed_id in enumerate(b for hall in halls for b in bed_ids(coordinator, hall)):
        given, family = GIVEN[(n * 7) % len(GIVEN)], FAMILY[(n * 5 + n // 3) % len(FAMILY)]
        a = admission(bed_id, f"{given} {family} {n:03}", "", born=None)
        identity = replace(a.identity, nationality=NATIONALITIES[(n * 5) % len(NATIONALITIES)])
        if n % 11 == 0:
            identity = replace(identity, preferred_name=f"{GIVEN[n % len(GIVEN)]} P")
        if n % 17 == 0:
            identity = replace(identity, name_latin="", name_arabic=f"مريم {n:03}")
        protection = replace(a.protection, risk_level=RISKS[(n * 2 + n // 5) % len(RISKS)])
        ids.append(admissions.admit(coordinator, replace(a, identity=identity, protection=protection)).resident_id)
    return ids


def shown_name(row) -> str:
    return row.name.lower()


def test_find_matches_as_the_search_does_and_rows_come_in_the_order_asked(coordinator):
    room = bed_ids(coordinator)
    fatima = admissions.admit(coordinator, admission(room[0]))
    aisha = admissions.admit(coordinator, admission(room[1], "Aisha Okoro", "عائشة أوكورو"))
    grace = admissions.admit(coordinator, admission(room[2], "Grace Okafor", ""))
    discharge.discharge(coordinator, grace.stay_id, datetime.now(UTC), "family_reunification")
    for query, status in (("", "in_residence"), ("", "all"), ("", "discharged"), ("fatima", "all"),
                          ("فاطمة", "all"), ("oko", "all"), ("RBT1-20", "all"), ("zzz", "all")):
        found = residents.find_residents(coordinator, query, status=status)
        assert found == [r.resident_id for r in residents.search_residents(coordinator, query, status=status)]
    assert residents.find_residents(coordinator, status="all") == [grace.resident_id, aisha.resident_id,
                                                                   fatima.resident_id]  # registered last first
    assert residents.find_residents(coordinator, status="all", risk_level="low") == []
    shelter_id = shelters.list_shelters(coordinator)[0].id
    assert residents.find_residents(coordinator, shelter_id=shelter_id) == [aisha.resident_id, fatima.resident_id]

    order = [fatima.resident_id, grace.resident_id, aisha.resident_id]
    rows = residents.resident_rows(coordinator, order)
    assert [r.resident_id for r in rows] == order
    assert rows == sorted(residents.search_residents(coordinator, "", status="all"),
                          key=lambda r: order.index(r.resident_id))  # the same columns as the search
    assert rows[0].bed == "Room 1 / 1" and rows[1].bed == "" and not rows[1].in_residence
    assert residents.resident_rows(coordinator, [10_000, aisha.resident_id]) == [rows[2]]  # unknown ids left out
    assert residents.resident_rows(coordinator, []) == []


def test_the_rows_show_the_name_in_the_form_the_shelter_chose(coordinator, admin):
    admitted = admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    settings.update_settings(admin, resident_name_form="initials")
    [row] = residents.resident_rows(coordinator, [admitted.resident_id])
    assert row.name == "F.Z.B."


def test_sorting_orders_every_person_found_not_a_page(coordinator, admin):
    ids = crowd(coordinator, admin, 60)
    rows = {r.resident_id: r for r in residents.resident_rows(coordinator, ids)}

    def check(sort, key):
        for descending in (False, True):
            found = residents.find_residents(coordinator, sort=sort, descending=descending)
            expected = sorted(ids, key=lambda i: (key(rows[i]), i), reverse=descending)
            assert found == expected, sort

    check("registered", lambda r: 0)
    check("case_number", lambda r: r.case_number)
    check("name", shown_name)
    check("nationality", lambda r: r.nationality)
    check("risk", lambda r: RISKS.index(r.risk_level))
    check("shelter", lambda r: r.shelter_name)
    check("bed", lambda r: (r.shelter_name, *r.bed.split(" / ")))
    # The name as shown: the preferred name, else the Latin one, else the Arabic one.
    by_name = residents.find_residents(coordinator, sort="name", descending=False)
    assert [rows[i].name for i in by_name][:3] == sorted((r.name for r in rows.values()), key=str.lower)[:3]
    assert rows[ids[0]].name == "Zainab P"  # preferred
    assert rows[ids[17]].name == "مريم 017"  # Arabic script only
    # A search narrows what is sorted; the order still holds.
    amina = residents.find_residents(coordinator, "amina", sort="name", descending=True)
    assert amina and amina == sorted(amina, key=lambda i: (shown_name(rows[i]), i), reverse=True)
    with pytest.raises(ValueError, match="sort"):
        residents.find_residents(coordinator, sort="age")


def test_both_reads_are_audited_by_counts_never_by_what_was_typed(coordinator):
    room = bed_ids(coordinator)
    fatima = admissions.admit(coordinator, admission(room[0]))
    admissions.admit(coordinator, admission(room[1], "Aisha Okoro", ""))
    found = residents.find_residents(coordinator, "fatima", sort="name")
    residents.find_residents(coordinator, "zzz")
    residents.resident_rows(coordinator, found)
    assert found == [fatima.resident_id]
    assert audit_details(coordinator, "resident.search") == [("ok", None, {"results": 1}),
                                                             ("ok", None, {"results": 0})]
    assert audit_details(coordinator, "resident.list") == [("ok", None, {"rows": 1})]
    with coordinator.store.read() as s:
        from sqlalchemy import select

        from shelter.storage.models import AuditEntry

        logged = " ".join(f"{e.record_id} {e.detail}" for e in s.execute(select(AuditEntry)).scalars())
    assert "fatima" not in logged.lower() and "zzz" not in logged


def test_no_read_without_its_audit_entry_and_only_for_who_may_see_residents(coordinator, admin, monkeypatch):
    admitted = admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    for read in (lambda: residents.find_residents(admin), lambda: residents.resident_rows(admin, [1])):
        with pytest.raises(PermissionDenied):
            read()

    def broken_audit(*args, **kwargs):
        raise RuntimeError("disk unplugged")

    monkeypatch.setattr(coordinator.store, "audit", broken_audit)
    for read in (lambda: residents.find_residents(coordinator),
                 lambda: residents.resident_rows(coordinator, [admitted.resident_id])):
        with pytest.raises(RuntimeError):
            read()
