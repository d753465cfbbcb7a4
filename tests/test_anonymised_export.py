"""The anonymised case-level export (docs/anonymised-export.md): one row per
stay, made of codes; nobody without consent; no name, case number or date
of birth of the store anywhere in the file; every combination of its columns
shared by at least k rows of k people. On a hand-built store whose answers
are known (a stay across a month end, a child with her mother, a
readmission, rare nationalities) and on a synthetic one of 200 residents."""

from __future__ import annotations

import itertools
import json
import random
import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from shelter.domain.disclosure import smallest_class
from shelter.domain.people import Identity, Protection, ReferralInfo
from shelter.domain.regions import CONTINENTS, REGION_OF_COUNTRY, continent_of, region_of
from shelter.domain.vocabulary import (
    AGE_BAND,
    DESTINATION,
    EXPLOITATION_FORM,
    IDENTIFICATION,
    PATHWAY,
    REFERRAL_SOURCE,
    REGION,
    SEX,
    STAY_LENGTH,
)
from shelter.errors import PermissionDenied, ValidationError
from shelter.security.permissions import Role
from shelter.services import accounts, admissions, discharge, outputs, settings, shelters
from shelter.services.admissions import Admission
from shelter.services.anonymised_export import (
    DERIVED,
    FIELDS,
    GENERALISED,
    age_band,
    anonymised,
    choose_levels,
    export_anonymised,
    stay_length,
)
from shelter.storage.models import Referral, Resident, Shelter, Stay
from shelter.store import Store
from tests.cases import audit_details, bed_ids
from tests.conftest import FAST_KDF, SHELTER_CODE, SHELTER_NAME

DOC = Path(__file__).resolve().parents[1] / "docs" / "anonymised-export.md"
BOM = b"\xef\xbb\xbf"

# Every current ISO 3166-1 alpha-2 code (249).
ISO_3166 = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA
CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA
GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS
MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS
RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW
TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
""".split()


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


def person(bed_id: int, name: str, arabic: str, born: date | None, day: date, *, sex: str = "female",
           nationality: str = "NG", forms: tuple[str, ...] = ("sexual",), country: str = "MA",
           source: str = "police", consent: bool = True, parent_id: int | None = None,
           readmit: int | None = None, identification: str = "presumed") -> Admission:
    return Admission(
        identity=Identity(name_arabic=arabic, name_latin=name, sex=sex, birth_date=born, nationality=nationality,
                          languages=("en",)),
        referral=ReferralInfo(referred_on=day, source=source, agency="Sûreté préfectorale, Casablanca",
                              contact="Inspecteur Karimi 0661", identification=identification,
                              identified_by="Procureur du Roi, Casablanca" if identification == "identified" else ""),
        protection=Protection(exploitation=forms, exploitation_country=country, risk_level="medium",
                              consent_processing=True, consent_processing_on=day, consent_reporting=consent,
                              consent_reporting_on=day if consent else None),
        bed_id=bed_id, admitted_at=at(day), parent_id=parent_id, readmit_resident_id=readmit)


def admit(who, admission: Admission):
    return admissions.admit(who, admission)


def leave(who, stay_id: int, day: date, destination: str = "family_reunification") -> None:
    discharge.discharge(who, stay_id, at(day), destination, note="Partie avec sa tante à Benin City")


def add_hall(admin, beds: int = 12) -> None:
    shelter = shelters.list_shelters(admin)[0]
    shelters.add_room(admin, shelter.id, "Hall", beds=beds, women_only=True)


def store_words(who) -> list[str]:
    """Every name, case number and date of birth of the store, and the text around them."""
    with who.store.read() as s:
        people = s.execute(select(Resident.name_latin, Resident.name_arabic, Resident.preferred_name,
                                  Resident.case_number, Resident.birth_date)).all()
        referrals = s.execute(select(Referral.agency, Referral.contact, Referral.identified_by)).all()
        notes = s.execute(select(Stay.discharge_note)).scalars().all()
        places = s.execute(select(Shelter.name, Shelter.code, Shelter.city)).all()
    words = []
    for latin, arabic, preferred, case_number, born in people:
        words += [w for w in (latin, arabic, preferred, case_number) if w]
        words += [part for part in (latin + " " + arabic).split() if len(part) >= 3]
        if born is not None:
            words += [born.isoformat(), born.strftime("%d/%m/%Y"), born.strftime("%Y%m%d")]
    for row in referrals + places:
        words += [w for w in row if w]
    words += [n for n in notes if n]
    return words


def assert_nothing_of_the_store(who, data: bytes) -> None:
    text = data.decode("utf-8-sig")
    cells = {cell for line in text.splitlines() for cell in line.split(",")}
    for word in store_words(who):
        assert word not in text, word
        assert word.lower() not in {c.lower() for c in cells}, word


def classes_of(rows, columns: tuple[int, ...]) -> Counter:
    """How many rows share each combination of the values of ``columns``."""
    out: Counter = Counter()
    for row, count in Counter(rows).items():  # rows alike counted once, with their number
        out[tuple(row[i] for i in columns)] += count
    return out


def read_csv(data: bytes) -> tuple[list[str], list[tuple[str, ...]]]:
    assert data.startswith(BOM)
    lines = data[len(BOM):].decode("utf-8").split("\r\n")
    assert lines[-1] == ""  # every line ends in CR LF
    return lines[0].split(","), [tuple(line.split(",")) for line in lines[1:-1]]


# -- a hand-built shelter year ---------------------------------------------------------------

Y = 2025


@pytest.fixture
def year(coordinator, admin):
    """A year at the shelter: 6 Nigerian women referred by the police in March
    and gone home in May; 4 young women in forced labour from late June to
    early July (across the month end); Blessing, home in February and back in
    October; Grace and her daughter Joy since September; a Filipina and a
    Syrian woman (rare nationalities); two women who did not consent."""
    add_hall(admin)
    hall = bed_ids(coordinator, "Hall")
    children = bed_ids(coordinator, "Children")
    names = iter([("Chioma Obi", "تشيوما أوبي"), ("Ngozi Eze", "نغوزي إيزي"), ("Amaka Nwosu", "أماكا نووسو"),
                  ("Ifeoma Okafor", "إيفوما أوكافور"), ("Uche Adeyemi", "أوتشي أديمي"), ("Kemi Bello", "كيمي بيلو")])
    blessing = admit(coordinator, person(hall[0], "Blessing Osagie", "بليسينغ أوساجي", date(1996, 2, 2),
                                         date(Y, 1, 12)))
    leave(coordinator, blessing.stay_id, date(Y, 2, 20), "assisted_return")
    march = [admit(coordinator, person(hall[i], *next(names), date(1990 + i, 5, 1 + i), date(Y, 3, 3 + i)))
             for i in range(6)]
    for i, a in enumerate(march):
        leave(coordinator, a.stay_id, date(Y, 5, 10 + i))
    young = [("Esther Okon", "إستير أوكون"), ("Faith Udo", "فيث أودو"), ("Peace Etim", "بيس إيتيم"),
             ("Gift Akpan", "غيفت أكبان")]
    june = [admit(coordinator, person(hall[i], n, a, date(2004, 1 + i, 9), date(Y, 6, 27 + i % 3), forms=("labour",),
                                      source="ngo", identification="identified"))
            for i, (n, a) in enumerate(young)]
    for a in june:
        leave(coordinator, a.stay_id, date(Y, 7, 3), "independent_living")
    grace = admit(coordinator, person(hall[0], "Grace Ehigie", "غريس إيهيجي", date(1993, 8, 30), date(Y, 9, 10)))
    joy = admit(coordinator, person(children[0], "Joy Ehigie", "جوي إيهيجي", date(2019, 4, 4), date(Y, 9, 10),
                                    forms=(), country="", parent_id=grace.resident_id))
    admit(coordinator, person(hall[1], "Blessing Osagie", "بليسينغ أوساجي", date(1996, 2, 2), date(Y, 10, 2),
                              readmit=blessing.resident_id))
    admit(coordinator, person(hall[2], "Maria Santos", "ماريا سانتوس", date(1985, 11, 11), date(Y, 10, 5),
                              nationality="PH", forms=("domestic_servitude",), country="SA"))
    admit(coordinator, person(hall[3], "Rania Haddad", "رانيا حداد", date(1999, 12, 1), date(Y, 11, 5),
                              nationality="SY", forms=("forced_marriage", "sexual")))
    admit(coordinator, person(hall[4], "Hope Mbah", "هوب مباه", date(2000, 1, 1), date(Y, 11, 6),
                              nationality="CM", consent=False))
    admit(coordinator, person(hall[5], "Mercy Johnson", "ميرسي جونسون", None, date(Y, 11, 7), consent=False))
    return {"stays": 1 + 6 + 4 + 2 + 1 + 2, "grace": grace, "joy": joy, "blessing": blessing}


def test_every_combination_of_columns_is_shared_by_k_people(coordinator, year):
    result = anonymised(coordinator, k=3)
    assert len(result.rows) + result.suppressed == year["stays"]
    assert result.suppressed <= 1 + len(result.rows) // 20  # 5 %, and then whole people
    assert len(result.rows) >= 10  # not everything was thrown away
    # Every one of the 2^18 - 1 combinations of columns, not only the whole row.
    for size in range(1, len(FIELDS) + 1):
        for columns in itertools.combinations(range(len(FIELDS)), size):
            assert min(classes_of(result.rows, columns).values()) >= 3, [FIELDS[i] for i in columns]


def test_nothing_of_a_name_a_case_number_or_a_date_of_birth_is_in_the_file(coordinator, year, tmp_path):
    result = export_anonymised(coordinator, tmp_path / "anonymised.csv", k=2)
    data = result.path.read_bytes()
    assert_nothing_of_the_store(coordinator, data)
    header, rows = read_csv(data)
    assert tuple(header) == FIELDS
    assert not {h for h in header if re.search(r"(?i)name|number|birth|id$|agency|note|shelter", h)}
    assert len(rows) == len(result.rows) and sorted(rows) == rows  # sorted: the order says nothing


def test_people_without_consent_are_left_out_and_counted(coordinator, year):
    result = anonymised(coordinator, k=2)
    assert result.not_consenting == 2  # Hope and Mercy
    assert len(result.rows) + result.suppressed == year["stays"]  # theirs are not even among the suppressed
    assert not any("CM" in row for row in result.rows)  # Hope was the only Cameroonian


def test_a_withdrawn_consent_leaves_the_person_out_of_the_next_export(coordinator, year):
    from shelter.services.residents import withdraw_reporting_consent

    before = anonymised(coordinator, k=2)
    withdraw_reporting_consent(coordinator, year["grace"].resident_id, reason="Asked at her review")
    after = anonymised(coordinator, k=2)
    assert after.not_consenting == before.not_consenting + 1
    assert len(after.rows) + after.suppressed == len(before.rows) + before.suppressed - 1


def test_known_values_come_through_when_nobody_can_be_singled_out(coordinator, admin):
    """Two mothers alike, each with a daughter alike, referred together in
    March, home in May: with k = 2 nothing needs hiding, and each row says
    exactly what the store says, in codes."""
    add_hall(admin)
    hall, children = bed_ids(coordinator, "Hall"), bed_ids(coordinator, "Children")
    mothers = [admit(coordinator, person(hall[i], n, a, date(1991 + i, 6, 1), date(Y, 3, 30)))
               for i, (n, a) in enumerate([("Osas Igbinedion", "أوساس"), ("Efe Omoruyi", "إيفي")])]
    daughters = [admit(coordinator, person(children[i], n, a, date(2017, 2 + i, 3), date(Y, 3, 30), forms=(),
                                           country="", parent_id=m.resident_id))
                 for i, (m, (n, a)) in enumerate(zip(mothers, [("Ivie Igbinedion", "إيفي"),
                                                              ("Osaro Omoruyi", "أوسارو")], strict=True))]
    admit(coordinator, person(hall[3], "Nkem Obi", "نكيم", date(1990, 1, 1), date(Y, 4, 1), consent=False))
    for a in mothers + daughters:
        leave(coordinator, a.stay_id, date(Y, 5, 2))
    result = anonymised(coordinator, k=2)
    assert result.suppressed == 0 and result.not_consenting == 1
    assert set(result.levels.values()) == {0}
    mother = dict(yearOfRegistration="2025", admissionMonth="2025-03", dischargeMonth="2025-05", lengthOfStay="31-90",
                  gender="female", ageBroad="25-59", majorityStatus="adult", isAccompanyingChild="0",
                  citizenship="NG", CountryOfExploitation="MA", typeOfExploitConcatenated="sexual",
                  isSexualExploit="1", isForcedLabour="0", isOtherExploit="0", referralSource="police",
                  identificationStatus="presumed", exitDestination="family_reunification",
                  reintegrationPathway="none")
    daughter = dict(mother, ageBroad="5-11", majorityStatus="minor", isAccompanyingChild="1",
                    CountryOfExploitation="unknown", typeOfExploitConcatenated="unknown", isSexualExploit="unknown",
                    isForcedLabour="unknown", isOtherExploit="unknown")
    expected = sorted([tuple(mother[f] for f in FIELDS)] * 2 + [tuple(daughter[f] for f in FIELDS)] * 2)
    assert list(result.rows) == expected


def test_a_stay_across_a_month_end_and_one_not_ended(coordinator, admin):
    add_hall(admin)
    hall = bed_ids(coordinator, "Hall")
    people = [("Adaeze Okeke", "أداإيزي"), ("Chidinma Ugo", "تشيدينما")]
    stays = [admit(coordinator, person(hall[i], n, a, date(1995 + i, 1, 1), date(Y, 6, 28), forms=("labour", "sexual"),
                                       identification="identified"))
             for i, (n, a) in enumerate(people)]
    for a in stays:
        leave(coordinator, a.stay_id, date(Y, 7, 3), "another_shelter")
    later = [admit(coordinator, person(hall[2 + i], n + " B", a, date(1995 + i, 1, 1), date(Y, 12, 1)))
             for i, (n, a) in enumerate(people)]
    assert later
    rows = [dict(zip(FIELDS, r, strict=True)) for r in anonymised(coordinator, k=2, today=date(Y, 12, 31)).rows]
    ended = [r for r in rows if r["dischargeMonth"] != "ongoing"]
    assert [(r["admissionMonth"], r["dischargeMonth"], r["lengthOfStay"], r["exitDestination"]) for r in ended] == [
        ("2025-06", "2025-07", "0-30", "another_shelter")] * 2
    assert ended[0]["typeOfExploitConcatenated"] == "sexual;labour"
    assert (ended[0]["isSexualExploit"], ended[0]["isForcedLabour"], ended[0]["isOtherExploit"]) == ("1", "1", "0")
    open_ = [r for r in rows if r["dischargeMonth"] == "ongoing"]
    assert [(r["lengthOfStay"], r["exitDestination"]) for r in open_] == [("ongoing", "ongoing")] * 2
    # As of a day before the second admissions, those stays do not exist yet.
    assert len(anonymised(coordinator, k=2, today=date(Y, 11, 30)).rows) == 2


def test_a_person_who_stayed_twice_does_not_make_two_people(coordinator, admin):
    """Two rows alike are k = 2 rows, but one person: both are suppressed."""
    add_hall(admin)
    hall = bed_ids(coordinator, "Hall")
    first = admit(coordinator, person(hall[0], "Joy Nwachukwu", "جوي", date(1994, 3, 3), date(Y, 2, 2)))
    leave(coordinator, first.stay_id, date(Y, 2, 20))
    second = admit(coordinator, person(hall[0], "Joy Nwachukwu", "جوي", date(1994, 3, 3), date(Y, 2, 22),
                                       readmit=first.resident_id))
    leave(coordinator, second.stay_id, date(Y, 2, 27))
    result = anonymised(coordinator, k=2)
    assert result.rows == () and result.suppressed == 2


def test_rare_nationalities_become_regions_and_common_ones_stay(coordinator, year):
    rows = [dict(zip(FIELDS, r, strict=True)) for r in anonymised(coordinator, k=2).rows]
    citizenship = Counter(r["citizenship"] for r in rows)
    assert "PH" not in citizenship and "SY" not in citizenship  # one woman each
    assert set(citizenship) <= {"NG", "west_africa", "south_east_asia", "western_asia", "africa", "asia", "unknown"}


def test_the_export_is_audited_by_counts_only(coordinator, year, tmp_path):
    result = export_anonymised(coordinator, tmp_path / "a.csv")  # k from the settings: 11
    entries = audit_details(coordinator, "export.anonymised")
    assert [outcome for outcome, _record, _detail in entries] == ["started", "ok"]
    detail = {"to": "file", "rows": len(result.rows), "suppressed": result.suppressed, "k": 11, "not_consenting": 2}
    assert [d for _outcome, _record, d in entries] == [detail, detail]
    text = json.dumps(entries, ensure_ascii=False)
    assert "Blessing" not in text and "NG" not in text and str(tmp_path) not in text
    anonymised(coordinator, k=4)
    assert audit_details(coordinator, "export.anonymised")[-1][2]["to"] == "memory"


def test_the_started_entry_is_committed_before_the_file_exists(coordinator, year, tmp_path, monkeypatch):
    target = tmp_path / "a.csv"
    real = outputs.write_atomic

    def spy(path, data):
        assert not target.exists()
        assert [o for o, _r, _d in audit_details(coordinator, "export.anonymised")] == ["started"]
        real(path, data)
    monkeypatch.setattr(outputs, "write_atomic", spy)
    export_anonymised(coordinator, target, k=2)
    assert target.exists()

    def full(path, data):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(outputs, "write_atomic", full)
    with pytest.raises(OSError):
        export_anonymised(coordinator, tmp_path / "b.csv", k=2)
    assert not (tmp_path / "b.csv").exists()
    assert audit_details(coordinator, "export.anonymised")[-1][:1] == ("failed",)
    assert audit_details(coordinator, "export.anonymised")[-1][2]["error"] == "ENOSPC"


def test_a_folder_that_does_not_exist_is_said_beside_the_field(coordinator, tmp_path):
    with pytest.raises(ValidationError) as caught:
        export_anonymised(coordinator, tmp_path / "no" / "a.csv")
    assert caught.value.field == "out"
    assert audit_details(coordinator, "export.anonymised") == []


def test_who_may_make_it(coordinator, admin, store_dir, social_worker):
    with pytest.raises(PermissionDenied):
        anonymised(social_worker)
    with pytest.raises(PermissionDenied):
        anonymised(admin)  # the administrator runs the store, not the figures
    accounts.create_account(admin, "karim", "Karim Fassi", [Role.REPORTING], "figures for the committee",
                            must_change_password=False)
    karim = Store(store_dir).sign_in("karim", "figures for the committee")
    try:
        assert anonymised(karim).k == 11
    finally:
        karim.lock("sign_out")


def test_k_is_checked_and_comes_from_the_settings(coordinator, admin, year):
    for bad in (1, 0, -3, True, "11", 2.5, 100_000):
        with pytest.raises(ValidationError) as caught:
            anonymised(coordinator, k=bad)
        assert caught.value.field == "k"
    settings.update_settings(admin, anonymised_k=5)
    assert anonymised(coordinator).k == 5


def test_the_file_is_csv_of_documented_codes(coordinator, year, tmp_path):
    data = export_anonymised(coordinator, tmp_path / "a.csv", k=2).path.read_bytes()
    header, rows = read_csv(data)
    allowed = documented_values()
    for row in rows:
        for name, value in zip(header, row, strict=True):
            assert value in allowed[name] or matches_pattern(name, value), (name, value)


# -- the document ------------------------------------------------------------------------------

def documented_sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    return {m[0]: m[1] for m in re.findall(r"### `(\w+)`\n(.*?)(?=\n### |\Z)", text, re.S)}


def documented_values() -> dict[str, set[str]]:
    """Each column's codes named in backticks in its section, with the codes of the whole page."""
    text = DOC.read_text(encoding="utf-8")
    everywhere = set(re.findall(r"`([^`\s]+)`", text))
    return {name: set(re.findall(r"`([^`\s]+)`", body)) | everywhere for name, body in documented_sections().items()}


def matches_pattern(name: str, value: str) -> bool:
    if name in ("citizenship", "CountryOfExploitation"):
        return value in REGION_OF_COUNTRY
    if name in ("admissionMonth", "dischargeMonth"):
        return bool(re.fullmatch(r"20\d\d(-(0[1-9]|1[0-2])|-Q[1-4])?", value))
    if name == "yearOfRegistration":
        return bool(re.fullmatch(r"20\d\d", value))
    if name == "typeOfExploitConcatenated":
        return all(part in EXPLOITATION_FORM or part in ("labour_broad", "other_broad") for part in value.split(";"))
    return False


def test_every_column_is_documented_in_order_with_its_codes():
    sections = documented_sections()
    assert tuple(sections) == FIELDS
    values = documented_values()
    for name, codes in [("gender", SEX.codes), ("ageBroad", AGE_BAND.codes), ("lengthOfStay", STAY_LENGTH.codes),
                        ("referralSource", REFERRAL_SOURCE.codes), ("identificationStatus", IDENTIFICATION.codes),
                        ("exitDestination", DESTINATION.codes), ("reintegrationPathway", PATHWAY.codes),
                        ("typeOfExploitConcatenated", EXPLOITATION_FORM.codes)]:
        body = set(re.findall(r"`([^`\s]+)`", sections[name]))
        assert set(codes) <= body, (name, set(codes) - body)
    assert set(REGION.codes) <= values["citizenship"] and set(CONTINENTS) <= values["citizenship"]
    text = DOC.read_text(encoding="utf-8")
    for name in DERIVED:
        assert "Worked out from" in " ".join(sections[name].split()), name
    for name in GENERALISED:
        assert "Ladder" in sections[name], name
    order = re.search(r"in this order of worth: (.*?); round after round", text, re.S)
    assert order and tuple(re.findall(r"`(\w+)`", order.group(1))) == GENERALISED


# -- the bands and the regions -----------------------------------------------------------------

def test_ages_and_stays_fall_in_the_reports_bands():
    assert [age_band(a) for a in (0, 4, 5, 11, 12, 17, 18, 24, 25, 59, 60, 104, None)] == [
        "0-4", "0-4", "5-11", "5-11", "12-17", "12-17", "18-24", "18-24", "25-59", "25-59", "60+", "60+", "unknown"]
    assert [stay_length(d) for d in (0, 30, 31, 90, 91, 180, 181, 4000)] == [
        "0-30", "0-30", "31-90", "31-90", "91-180", "91-180", "181+", "181+"]


def test_every_country_has_its_region():
    assert len(ISO_3166) == 249 == len(set(ISO_3166))
    assert set(REGION_OF_COUNTRY) == set(ISO_3166) - {"AQ"}  # Antarctica is in no region
    assert set(REGION_OF_COUNTRY.values()) == set(REGION.codes) - {"unknown"}
    assert [region_of(c) for c in ("MA", "ng", " CM ", "KE", "ZA", "SY", "PH", "IN", "CN", "KZ", "FR", "BR", "FJ")] == [
        "north_africa", "west_africa", "central_africa", "east_africa", "southern_africa", "western_asia",
        "south_east_asia", "south_asia", "east_asia", "central_asia", "europe", "americas", "oceania"]
    assert region_of("") == region_of(None) == region_of("XX") == region_of("AQ") == "unknown"
    assert {continent_of(c) for c in ISO_3166} == set(CONTINENTS)
    assert continent_of("SD") == "africa" and continent_of("TR") == "asia" and continent_of("RU") == "europe"


def test_choosing_the_levels_keeps_what_k_allows():
    chance = random.Random(3)
    ladders = {"a": [lambda v: v // 10, lambda v: 0], "b": [lambda v: v % 2, lambda v: 0]}
    rows = [{"a": chance.randrange(100), "b": chance.randrange(6), "p": i} for i in range(300)]
    levels = choose_levels(rows, ["a", "b"], ladders, k=5, budget=15, person="p")
    assert levels["a"] >= 1  # 100 values in 300 rows: not kept as they are
    same = [{"a": 7, "b": 1, "p": i} for i in range(20)]
    assert choose_levels(same, ["a", "b"], ladders, k=5, budget=0, person="p") == {"a": 0, "b": 0}
    assert choose_levels(same, ["a", "b"], ladders, k=21, budget=0, person="p") == {"a": 2, "b": 2}


# -- a synthetic network of 200 residents -------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from shelter.services.demo import COORDINATOR, DEMO_PASSWORD, build_demo

    folder = tmp_path_factory.mktemp("anonymised") / "store"
    build_demo(folder, 200, 1, 1, seed=17, kdf=FAST_KDF)
    who = Store(folder).sign_in(COORDINATOR, DEMO_PASSWORD)
    yield who
    who.lock("sign_out")


@pytest.fixture(scope="module")
def demo_export(demo, tmp_path_factory):
    return export_anonymised(demo, tmp_path_factory.mktemp("out") / "anonymised.csv")


def test_at_scale_every_combination_is_shared_by_eleven(demo, demo_export):
    rows = demo_export.rows
    assert demo_export.k == 11 and len(rows) > 100
    assert smallest_class([dict(zip(FIELDS, r, strict=True)) for r in rows], FIELDS) >= 11
    n = len(FIELDS)
    chance = random.Random(5)
    subsets = [c for size in (1, 2, 3) for c in itertools.combinations(range(n), size)]
    subsets += [tuple(sorted(chance.sample(range(n), chance.randint(4, n - 1)))) for _ in range(300)]
    for columns in subsets:
        assert min(classes_of(rows, columns).values()) >= 11, [FIELDS[i] for i in columns]


def test_at_scale_the_counts_add_up(demo, demo_export):
    with demo.store.read() as s:
        stays = s.execute(select(Stay.resident_id, Resident.consent_reporting)
                          .join(Resident, Resident.id == Stay.resident_id)).all()
    consenting = sum(1 for _r, consent in stays if consent)
    assert demo_export.not_consenting == len({r for r, consent in stays if not consent}) > 0
    assert len(demo_export.rows) + demo_export.suppressed == consenting
    assert demo_export.suppressed <= 0.05 * consenting + 1


def test_at_scale_nothing_of_the_store_is_in_the_file(demo, demo_export):
    assert_nothing_of_the_store(demo, demo_export.path.read_bytes())
    assert SHELTER_NAME not in demo_export.path.read_text(encoding="utf-8-sig")
    assert SHELTER_CODE not in demo_export.path.read_text(encoding="utf-8-sig")


def test_a_smaller_k_keeps_more_detail(demo):
    loose, strict = anonymised(demo, k=3), anonymised(demo, k=25)
    assert sum(loose.levels.values()) < sum(strict.levels.values())
    assert min(classes_of(strict.rows, tuple(range(len(FIELDS)))).values()) >= 25


def test_the_same_store_gives_the_same_file(demo, demo_export):
    again = anonymised(demo)
    assert again.rows == demo_export.rows and again.levels == demo_export.levels
    assert replace(again, path=demo_export.path) == demo_export
