"""A report built by hand with ``shelter.domain.report_model``, as
``shelter.services.reports.make_report`` would compute it: for the tests of
the PDF, the spreadsheets and the Reports screen, before (and apart from)
the figures in SQL.

``sample_report()`` holds the true counts; ``sample_report(5)`` is the copy
released at a threshold of 5 (small counts "<5", others hidden "x").
Some counts are from 1 to 4 on purpose, so suppression shows.
"""

from __future__ import annotations

from datetime import datetime

from shelter.domain import vocabulary as v
from shelter.domain.report_model import (
    DAYS,
    HOURS,
    NIGHTS,
    PERCENT,
    SCORE_CHANGE,
    Axis,
    Chart,
    Figure,
    Period,
    Report,
    Section,
    Table,
    message,
    verbatim,
)
from shelter.i18n import N_

SHELTER_CODE = "CASA"
SHELTER_NAME = "Dar Al Amal دار الأمل"
OTHER_CODE = "TNG"
OTHER_NAME = "Bayt Al Salam بيت السلام"
MADE_BY = "Salma Idrissi"
MADE_AT = datetime(2026, 12, 2, 9, 30)
PERIOD = Period.month(2026, 11)

# Nationalities as stored (ISO 3166 codes), printed as they are.
NATIONALITIES = ("MA", "NG", "CM", "CI", "SN", "PH")

def _axis(title: str, closed: v.ClosedList, codes: tuple[str, ...] | None = None) -> Axis:
    return Axis(title, codes or closed.codes, closed.label)


def _sex() -> Axis:
    return _axis(N_("Sex"), v.SEX)


def _occupancy(shelters: dict[str, str]) -> Section:
    days = PERIOD.each_day()
    beds = {SHELTER_CODE: 24, OTHER_CODE: 16}
    # Occupied beds each day: a slow rise with a dip at the middle of the month.
    occupied = {
        code: [min(beds[code], round(beds[code] * (0.62 + 0.01 * i - (0.12 if 13 <= i <= 16 else 0)) + k))
               for i in range(len(days))]
        for k, code in enumerate(shelters)
    }
    daily = Table(
        "daily", N_("Occupancy each day"),
        Axis(N_("Day"), tuple(d.isoformat() for d in days), verbatim({})),
        Axis(N_("Shelter"), tuple(shelters), verbatim(shelters)),
        {(d.isoformat(), code): 100.0 * occupied[code][i] / beds[code]
         for i, d in enumerate(days) for code in shelters},
        unit=PERCENT, detail=True, people=False, note=N_("Occupied beds at midnight, as a share of the beds in use."),
    )
    nights = sum(sum(n) for n in occupied.values())
    capacity = sum(beds[c] for c in shelters) * len(days)
    peak = max(100.0 * sum(occupied[c][i] for c in shelters) / sum(beds[c] for c in shelters)
               for i in range(len(days)))
    restrictions = {"women_only": 14, "men_only": 6, "minors": 4, "accessible": 2} if len(shelters) == 1 else \
        {"women_only": 22, "men_only": 10, "minors": 6, "accessible": 2}
    capacity_table = Table(
        "capacity", N_("Beds by room restriction"),
        _axis(N_("Room restriction"), v.ROOM_RESTRICTION),
        Axis(N_("Beds"), ("beds",), message(N_("Beds"))),
        {(code, "beds"): n for code, n in restrictions.items()},
        note=N_("Beds in use on the last day of the period."), people=False,
    )
    return Section(
        "occupancy",
        figures=(
            Figure("bed_nights", N_("Bed nights"), nights, NIGHTS),
            Figure("average", N_("Average occupancy"), 100.0 * nights / capacity, PERCENT),
            Figure("peak", N_("Highest occupancy"), peak, PERCENT),
        ),
        tables=(daily, capacity_table),
        charts=(Chart("daily_chart", N_("Occupancy each day"), "daily", "line"),),
    )


def _admissions() -> Section:
    forms = {
        ("sexual", "female"): 14, ("sexual", "male"): 0,
        ("labour", "female"): 6, ("labour", "male"): 2,
        ("domestic_servitude", "female"): 3, ("domestic_servitude", "male"): 0,
        ("forced_begging", "female"): 5, ("forced_begging", "male"): 1,
        ("forced_marriage", "female"): 7, ("forced_marriage", "male"): 0,
    }
    form_codes = ("sexual", "labour", "domestic_servitude", "forced_begging", "forced_marriage")
    ages = {
        ("12-17", "female"): 4, ("12-17", "male"): 1,
        ("18-24", "female"): 15, ("18-24", "male"): 0,
        ("25-59", "female"): 15, ("25-59", "male"): 3,
    }
    age_codes = ("12-17", "18-24", "25-59")
    nationalities = {"MA": 16, "NG": 9, "CM": 7, "CI": 3, "SN": 2, "PH": 1}
    sex = _sex()
    total = sum(forms.values())
    return Section(
        "admissions",
        figures=(
            Figure("admitted", N_("People admitted"), total),
            Figure("minors", N_("Children admitted"), 5),
            Figure("referrals_not_admitted", N_("Referrals not admitted"), 4),
        ),
        tables=(
            Table("by_form", N_("Admissions by form of exploitation"),
                  _axis(N_("Form of exploitation"), v.EXPLOITATION_FORM, form_codes), sex, forms),
            Table("by_age", N_("Admissions by age"), _axis(N_("Age on admission"), v.AGE_BAND, age_codes), sex,
                  ages, note=N_("The age on the day of admission.")),
            Table("by_nationality", N_("Admissions by nationality"),
                  Axis(N_("Nationality"), NATIONALITIES, verbatim({})),
                  Axis(N_("People"), ("n",), message(N_("People"))),
                  {(code, "n"): n for code, n in nationalities.items()}),
        ),
        charts=(
            Chart("by_form_chart", N_("Admissions by form of exploitation"), "by_form", "bars"),
            Chart("by_nationality_chart", N_("Admissions by nationality"), "by_nationality", "bars"),
        ),
    )


def _stays() -> Section:
    lengths = {
        ("0-30", "female"): 6, ("0-30", "male"): 2,
        ("31-90", "female"): 7, ("31-90", "male"): 0,
        ("91-180", "female"): 5, ("91-180", "male"): 3,
        ("181+", "female"): 2, ("181+", "male"): 0,
    }
    destinations = {"family_reunification": 9, "assisted_return": 6, "independent_living": 7,
                    "another_shelter": 2, "left_without_notice": 1}
    return Section(
        "stays",
        figures=(
            Figure("exits", N_("People who left"), 25),
            Figure("average_stay", N_("Average length of stay (days)"), 97.4, DAYS, base=25),
        ),
        tables=(
            Table("by_length", N_("Stays by length"), _axis(N_("Length of stay"), v.STAY_LENGTH), _sex(), lengths,
                  note=N_("Stays that ended in the period.")),
            Table("by_destination", N_("Exits by destination"),
                  _axis(N_("Destination"), v.DESTINATION, tuple(destinations)),
                  Axis(N_("People"), ("n",), message(N_("People"))),
                  {(code, "n"): n for code, n in destinations.items()}),
        ),
        charts=(Chart("by_length_chart", N_("Stays by length"), "by_length", "bars"),),
    )


def _services() -> Section:
    kinds = v.SESSION_KIND.codes
    hours = {"individual": (6.5, 38), "group": (4.25, 22), "family": (2.0, 3)}
    cols = Axis(N_("Measure"), ("hours",), message(N_("Hours per resident")))
    return Section(
        "services",
        figures=(
            Figure("sessions", N_("Counselling sessions held"), 212),
            Figure("hours_per_resident", N_("Counselling hours per resident"), 11.3, HOURS, base=41),
        ),
        tables=(
            Table("hours", N_("Counselling hours per resident, by kind of session"),
                  _axis(N_("Kind of session"), v.SESSION_KIND, kinds), cols,
                  {(k, "hours"): hours[k][0] for k in kinds}, unit=HOURS,
                  bases={(k, "hours"): hours[k][1] for k in kinds},
                  note=N_("Hours of sessions held, divided by the residents who had at least one.")),
        ),
    )


def _reintegration() -> Section:
    change = {"economic": (0.42, 17), "social": (0.31, 17), "psychosocial": (-0.08, 4)}
    cols = Axis(N_("Measure"), ("change",), message(N_("Average change")))
    return Section(
        "reintegration",
        figures=(
            Figure("plans", N_("Reintegration plans open"), 19),
            Figure("rss_change", N_("Average change of the sustainability score"), 0.29, SCORE_CHANGE, base=17),
        ),
        tables=(
            Table("score_change", N_("Change of the sustainability score, by dimension"),
                  _axis(N_("Dimension"), v.RSS_DIMENSION), cols,
                  {(k, "change"): c for k, (c, _n) in change.items()}, unit=SCORE_CHANGE,
                  bases={(k, "change"): n for k, (_c, n) in change.items()},
                  note=N_("From the first score to the last, for the residents scored at least twice.")),
        ),
    )


def sample_report(threshold: int = 0, all_shelters: bool = False) -> Report:
    """Dar Al Amal's report for November 2026 (every shelter's with ``all_shelters``);
    the true counts, or released at ``threshold`` when it is given."""
    shelters = {SHELTER_CODE: SHELTER_NAME, OTHER_CODE: OTHER_NAME} if all_shelters else {SHELTER_CODE: SHELTER_NAME}
    report = Report(
        period=PERIOD,
        shelter_code=None if all_shelters else SHELTER_CODE,
        shelter_name="" if all_shelters else SHELTER_NAME,
        made_by=MADE_BY,
        made_at=MADE_AT,
        sections=(_occupancy(shelters), _admissions(), _stays(), _services(), _reintegration()),
    )
    return report.released(threshold) if threshold else report


def small_counts(report: Report, threshold: int = 5) -> list[tuple[str, str, str, str, int]]:
    """(section, table, row, column, count) of every true count from 1 to ``threshold - 1``
    of ``report``'s count tables, totals included: none may be printed once released."""
    found = []
    for section in report.sections:
        for table in section.tables:
            if not table.counts or not table.people:  # beds are printed as they are
                continue
            for row in table.row_codes:
                for col in table.col_codes:
                    n = table.value(row, col)
                    if n is not None and 0 < n < threshold:
                        found.append((section.key, table.key, row, col, int(n)))
    return found
