"""The standard reports against a hand-built store whose answers are known.

October 2026 in a shelter of five beds (three in a women's room, two for
children):
- Fatima stays from 25 September to 5 October (4 of her nights in October),
  leaves for her family, and comes back on 20 October until 10 November
  (12 nights in October): a readmission.
- Aisha arrives at 23:30 on 30 October with her daughter Maryam, 4 (two
  nights each before the month ends: the stay runs across the month end).
- One referral could not be taken in (a man with a child: no bed that fits),
  and one recorded by mistake was withdrawn.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from shelter.domain.disclosure import TOTAL, SafeTable, derivable
from shelter.domain.people import ReferralInfo
from shelter.domain.report_model import Period
from shelter.errors import ValidationError
from shelter.security.permissions import Role
from shelter.services import accounts, beds, discharge, reports, shelters
from shelter.services.admissions import admit
from shelter.services.unmet_requests import (
    UnmetRequestInput,
    record_unmet_request,
    unmet_requests,
    withdraw_unmet_request,
)
from shelter.store import Store
from tests.cases import admission, audit_details, bed_ids

OCTOBER = Period.month(2026, 10)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def _admit(who, bed, name, arabic, born, at, sex="female", parent_id=None, readmit=None):
    a = admission(bed, name, arabic, born, sex)
    a = replace(a, admitted_at=at, parent_id=parent_id, readmit_resident_id=readmit,
                referral=ReferralInfo(referred_on=at.date(), source="police", agency="Sûreté, Rabat",
                                      identification="identified", identified_by="Procureur du Roi",
                                      identified_on=at.date()))
    return admit(who, a)


@pytest.fixture
def october(coordinator):
    who = coordinator
    women, children = bed_ids(who), bed_ids(who, "Children")
    first = _admit(who, women[0], "Fatima Zahra Benali", "فاطمة الزهراء بنعلي", date(1998, 3, 14),
                   _at(date(2026, 9, 25), 10))
    discharge.discharge(who, first.stay_id, _at(date(2026, 10, 5), 9), "family_reunification")
    again = _admit(who, women[0], "Fatima Zahra Benali", "فاطمة الزهراء بنعلي", date(1998, 3, 14),
                   _at(date(2026, 10, 20), 12), readmit=first.resident_id)
    discharge.discharge(who, again.stay_id, _at(date(2026, 11, 10), 9), "independent_living")
    mother = _admit(who, women[1], "Aisha Okoro", "عائشة أوكورو", date(1990, 6, 1), _at(date(2026, 10, 30), 22, 30))
    child = _admit(who, children[0], "Maryam Okoro", "مريم أوكورو", date(2022, 5, 1), _at(date(2026, 10, 30), 22, 30),
                   parent_id=mother.resident_id)
    shelter_id = shelters.list_shelters(who)[0].id
    record_unmet_request(who, UnmetRequestInput(shelter_id, date(2026, 10, 15), "ngo", "no_fitting_bed",
                                                agency="Association Amal", sex="male", age_band="25-59", children=1))
    mistake = record_unmet_request(who, UnmetRequestInput(shelter_id, date(2026, 10, 16), "police", "no_bed"))
    withdraw_unmet_request(who, mistake.id, "recorded twice")
    return who, {"first": first, "again": again, "mother": mother, "child": child, "shelter_id": shelter_id}


def _figure(section, key):
    return next(f for f in section.figures if f.key == key).value


def test_bed_nights_count_people_times_nights_across_the_month_ends(october):
    who, _ids = october
    report = reports.make_report(who, OCTOBER, today=date(2026, 12, 1))
    occupancy = report.section("occupancy")
    # Fatima 4 + 12, Aisha 2, Maryam 2: the child's nights count too.
    assert _figure(occupancy, "bed_nights") == 20
    assert _figure(occupancy, "people") == 3
    daily = occupancy.table("occupancy_daily")
    only = daily.cols.codes[0]
    assert daily.value("2026-10-04", only) == pytest.approx(20.0)  # 1 of 5 beds: she left on the 5th's morning
    assert daily.value("2026-10-05", only) == 0
    assert daily.value("2026-10-31", only) == pytest.approx(60.0)
    assert _figure(occupancy, "peak_occupancy") == pytest.approx(60.0)
    assert _figure(occupancy, "average_occupancy") == pytest.approx(100 * 20 / (5 * 31))
    # November carries the stays on: Aisha and Maryam every night, Fatima until the 10th's morning.
    november = reports.make_report(who, Period.month(2026, 11), today=date(2026, 12, 1)).section("occupancy")
    assert _figure(november, "bed_nights") == 30 + 30 + 9


def test_capacity_by_who_the_beds_are_for(october):
    who, _ids = october
    table = reports.make_report(who, OCTOBER).section("occupancy").table("capacity")
    assert table.value("women_only", "adults") == 3 and table.value("either", "minors") == 2
    assert table.value(TOTAL, TOTAL) == 5


def test_referrals_not_admitted_are_counted_each_time_and_withdrawn_ones_are_not(october):
    who, ids = october
    occupancy = reports.make_report(who, OCTOBER).section("occupancy")
    assert _figure(occupancy, "unmet") == 1
    assert _figure(occupancy, "turned_away") == 2  # the man and his child
    assert occupancy.table("unmet").value("no_fitting_bed", "male") == 1
    assert [r.reason for r in unmet_requests(who, ids["shelter_id"], OCTOBER)] == ["no_fitting_bed"]
    assert len(unmet_requests(who, include_withdrawn=True)) == 2


def test_admissions_by_age_sex_and_first_or_again(october):
    who, _ids = october
    admissions = reports.make_report(who, OCTOBER).section("admissions")
    assert _figure(admissions, "admissions") == 3  # the readmission, the mother, the child
    assert _figure(admissions, "children") == 1
    assert _figure(admissions, "readmissions") == 1
    ages = admissions.table("by_age")
    assert ages.value("0-4", "female") == 1 and ages.value("25-59", "female") == 2
    kind = admissions.table("first_or_again")
    assert (kind.value("first", TOTAL), kind.value("readmission", TOTAL)) == (2, 1)
    assert admissions.table("by_nationality").value("NG", "female") == 3
    assert admissions.table("identified_by").value("Procureur du Roi", "female") == 3
    assert admissions.table("by_source").value("police", TOTAL) == 3


def test_stays_ended_by_length_and_destination(october):
    who, _ids = october
    stays = reports.make_report(who, OCTOBER).section("stays")
    assert _figure(stays, "exits") == 1
    assert _figure(stays, "average_length") == pytest.approx(10)
    assert stays.table("length").value("0-30", "female") == 1
    assert stays.table("destination").value("family_reunification", "female") == 1
    november = reports.make_report(who, Period.month(2026, 11)).section("stays")
    assert november.table("length").value("0-30", "female") == 1  # 20 October to 10 November: 21 days


def test_one_shelter_or_all(october, admin):
    who, ids = october
    other = shelters.create_shelter(admin, "Dar Al Hanane", "CAS1", city="Casablanca")
    # Opened at noon on 16 October: its beds count from that night.
    shelters.add_room(admin, other.id, "A", beds=4, women_only=True, at=_at(date(2026, 10, 16), 12))
    only_other = reports.make_report(who, OCTOBER, other.id).section("occupancy")
    assert _figure(only_other, "bed_nights") == 0
    assert (_figure(only_other, "beds"), _figure(only_other, "bed_nights_available")) == (4, 16 * 4)
    assert _figure(only_other, "average_occupancy") == 0
    assert reports.make_report(who, OCTOBER, other.id).shelter_code == "CAS1"
    everyone = reports.make_report(who, OCTOBER).section("occupancy")
    assert _figure(everyone, "beds") == 9
    assert _figure(everyone, "bed_nights_available") == 31 * 5 + 16 * 4
    assert _figure(everyone, "bed_nights") == 20
    september = reports.make_report(who, Period.month(2026, 9)).section("occupancy")
    assert _figure(september, "beds") == 5  # the other shelter had no beds yet


def test_occupancy_is_measured_against_the_beds_of_each_night(october, admin):
    who, ids = october
    daily = lambda report: report.section("occupancy").table("occupancy_daily")  # noqa: E731
    spare = bed_ids(who)[2]
    beds.set_out_of_service(admin, spare, "Water damage", None, at=_at(date(2026, 10, 10), 12))
    beds.return_to_service(admin, spare, at=_at(date(2026, 10, 20), 12))
    occupancy = reports.make_report(who, OCTOBER).section("occupancy")
    only = daily(reports.make_report(who, OCTOBER)).cols.codes[0]
    table = occupancy.table("occupancy_daily")
    assert table.value("2026-10-04", only) == pytest.approx(20.0)  # 1 of 5 beds
    assert table.value("2026-10-12", only) == pytest.approx(0.0) and table.bases[("2026-10-12", only)] == 4
    assert table.bases[("2026-10-19", only)] == 4 and table.bases[("2026-10-20", only)] == 5
    assert table.value("2026-10-30", only) == pytest.approx(60.0)  # Fatima, Aisha and Maryam: 3 of 5
    assert _figure(occupancy, "bed_nights_available") == 31 * 5 - 10
    assert _figure(occupancy, "average_occupancy") == pytest.approx(100.0 * 20 / 145)
    assert _figure(occupancy, "peak_occupancy") == pytest.approx(60.0) and _figure(occupancy, "peak_beds") == 3

    # An admission entered late, into a bed set up after she came: the bed she slept in was in service.
    late = shelters.add_room(admin, ids["shelter_id"], "Late", beds=1, women_only=True, at=_at(date(2026, 10, 25), 12))
    _admit(who, late.beds[0].id, "Salma Amrani", "سلمى العمراني", date(1995, 2, 2), _at(date(2026, 10, 22), 15))
    table = daily(reports.make_report(who, OCTOBER))
    assert table.bases[("2026-10-22", only)] == 6 and table.value("2026-10-22", only) == pytest.approx(100.0 * 2 / 6)
    assert table.bases[("2026-10-25", only)] == 6 and table.bases[("2026-10-21", only)] == 5
    assert all(v <= 100.0 for v in table.cells.values())


def test_only_the_nights_that_have_passed_are_counted(october):
    who, _ids = october
    # At 01:00 UTC on 21 October the night of the 20th is not over: nineteen nights are counted.
    occupancy = reports.make_report(who, OCTOBER, now=_at(date(2026, 10, 21), 1)).section("occupancy")
    assert _figure(occupancy, "nights") == 19
    assert occupancy.table("occupancy_daily").row_codes[-1] == "2026-10-19"
    assert _figure(occupancy, "bed_nights") == 4  # Fatima's first stay; her second begins on the night of the 20th
    assert _figure(occupancy, "bed_nights_available") == 19 * 5
    assert _figure(reports.make_report(who, OCTOBER, now=_at(date(2026, 10, 21), 3)).section("occupancy"),
                   "bed_nights") == 5
    before = reports.make_report(who, OCTOBER, now=_at(date(2026, 9, 30), 12)).section("occupancy")
    assert _figure(before, "nights") == 0 and _figure(before, "bed_nights") == 0
    assert _figure(before, "average_occupancy") is None and _figure(before, "beds") is None


def test_the_released_report_hides_every_small_count_and_what_would_reveal_it(october):
    who, _ids = october
    report = reports.make_report(who, OCTOBER).released(5)
    admissions = report.section("admissions")
    ages = admissions.table("by_age")
    for row in ages.row_codes:
        for col in ages.col_codes:
            value = ages.value(row, col)
            assert value is None or value == 0 or value >= 5, (row, col, value)
    assert ages.text("0-4", "female") == "<5"
    # No row or column, with its printed total, gives a hidden count away.
    for table in (t for s in report.sections for t in s.tables if t.counts and t.people):
        safe = SafeTable(table._with_totals(), table.hidden, 5)
        assert derivable(safe, table.rows.codes, table.cols.codes) == [], table.key
    assert next(f for f in admissions.figures if f.key == "admissions").text() == "<5"
    # Beds are not people: printed as they are.
    assert report.section("occupancy").table("capacity").text(TOTAL, TOTAL) == "5"


def test_a_reporting_account_sees_the_released_copy_and_a_coordinator_the_true_counts(october, admin, store_dir):
    who, _ids = october
    accounts.create_account(admin, "karim", "Karim Alaoui", [Role.REPORTING], "figures only for donors 2026",
                            must_change_password=False)
    karim = Store(store_dir).sign_in("karim", "figures only for donors 2026")
    try:
        seen = reports.make_report(karim, OCTOBER)
    finally:
        karim.lock("sign_out")
    assert seen.is_released and seen.section("admissions").table("by_age").text("0-4", "female") == "<5"
    true = reports.make_report(who, OCTOBER)
    assert not true.is_released and true.section("admissions").table("by_age").text("0-4", "female") == "1"


def test_making_and_exporting_are_audited_and_the_file_is_the_released_copy(october, tmp_path):
    who, _ids = october
    report = reports.make_report(who, OCTOBER)
    assert audit_details(who, "report.make")[-1][2] == {"from": "2026-10-01", "to": "2026-10-31"}
    path = reports.export_report(who, report, "csv", "en", tmp_path / "october.csv")
    text = path.read_bytes().decode("utf-8-sig")
    assert "<5" in text
    outcomes = [o for o, _r, _d in audit_details(who, "report.export")]
    assert outcomes == ["started", "ok"]
    assert audit_details(who, "report.export")[-1][2]["format"] == "csv"
    with pytest.raises(ValidationError):
        reports.export_report(who, report, "docx", "en", tmp_path / "october.docx")


def test_unmet_requests_refuse_what_a_report_could_not_count(october):
    who, ids = october
    sid = ids["shelter_id"]
    cases = [
        (UnmetRequestInput(sid, date(2099, 1, 1), "ngo", "no_bed"), "requested_on"),
        (UnmetRequestInput(sid, None, "ngo", "no_bed"), "requested_on"),
        (UnmetRequestInput(sid, date(2026, 10, 1), None, "no_bed"), "source"),
        (UnmetRequestInput(sid, date(2026, 10, 1), "ngo", "other"), "reason_text"),
        (UnmetRequestInput(sid, date(2026, 10, 1), "ngo", "no_bed", children=21), "children"),
        (UnmetRequestInput(None, date(2026, 10, 1), "ngo", "no_bed"), "shelter_id"),
    ]
    for given, field in cases:
        with pytest.raises(ValidationError) as caught:
            record_unmet_request(who, given)
        assert caught.value.field == field
    with pytest.raises(ValidationError):
        withdraw_unmet_request(who, unmet_requests(who)[0].id, "  ")


def test_a_period_is_a_month_a_quarter_a_year_or_a_range():
    assert Period.parse("2026-02").end == date(2026, 2, 28)
    assert Period.parse("2024-02").end == date(2024, 2, 29)
    assert (Period.parse("2026-Q4").start, Period.parse("2026-Q4").end) == (date(2026, 10, 1), date(2026, 12, 31))
    assert Period.parse("2026").days == 365
    for bad in ("2026-13", "26-11", "november", ""):
        with pytest.raises(ValidationError):
            Period.parse(bad)
    with pytest.raises(ValidationError):
        Period(date(2026, 11, 30), date(2026, 11, 1))


def test_identity_is_not_needed_to_count(october):
    """A report names nobody: no name or case number anywhere in it."""
    who, ids = october
    report = reports.make_report(who, OCTOBER)
    from shelter.i18n import translator
    tr = translator("en")
    words = []
    for section in report.sections:
        for table in section.tables:
            words += [table.rows.label(r, tr) for r in table.row_codes] + [table.cols.label(c, tr)
                                                                           for c in table.col_codes]
    assert not any("Fatima" in w or "Aisha" in w or "RBT1-" in w for w in words)


def test_every_figure_and_table_is_defined_in_the_report_definitions(october):
    from pathlib import Path

    who, _ids = october
    definitions = (Path(__file__).parent.parent / "docs" / "report-definitions.md").read_text(encoding="utf-8")
    report = reports.make_report(who, OCTOBER)
    for section in report.sections:
        assert f"(`{section.key}`)" in definitions, section.key
        for key in [f.key for f in section.figures] + [t.key for t in section.tables]:
            assert f"| `{key}` |" in definitions, (section.key, key)


@pytest.mark.parametrize("fmt", reports.FORMATS)
def test_a_store_with_nothing_in_it_still_gives_a_report_of_zeros(admin, tmp_path, fmt):
    report = reports.make_report(admin, OCTOBER)
    assert report.is_released  # an administrator sees what may leave the machine
    assert _figure(report.section("occupancy"), "bed_nights") == 0
    path = reports.export_report(admin, report, fmt, "ar", tmp_path / f"empty.{fmt}")
    assert path.stat().st_size > 0


def test_figures_are_written_as_each_language_writes_numbers():
    from shelter.domain.report_model import PERCENT, SCORE_CHANGE, format_value

    assert format_value(62.84, PERCENT, "fr") == "62,8 %" and format_value(62.84, PERCENT, "ar") == "62,8 %"
    assert format_value(62.84, PERCENT, "en") == "62.8 %"
    assert format_value(0.123, SCORE_CHANGE, "en") == "+0.12" and format_value(-0.001, SCORE_CHANGE, "fr") == "0,00"
    assert format_value(2223, "count", "fr") == "2223" and format_value(None, PERCENT, "fr") == "–"
