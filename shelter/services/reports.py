"""The standard reports: occupancy, admissions, stays and exits, services
and reintegration, for a period and one shelter or all, computed in SQL
over the store. Each figure is defined in words in
``docs/report-definitions.md``; the names of the functions below follow it.

Days and nights. Moments are stored in UTC. The day of an event (an
admission, a discharge, a session) is its date on the workstation's
calendar (Morocco's: UTC+1, UTC during Ramadan), the calendar that
``date.today()`` and every other screen use. A night is counted for each person in a bed at 02:00 UTC (3 a.m.,
2 a.m. during Ramadan): the night of 30 November is the one that ends on
the morning of 1 December. So a person admitted at 2 a.m. has slept the
night before in the shelter, and a stay has as many nights as a hotel would
bill, counted from 02:00 to 02:00.

Which shelter. Bed nights and occupancy follow the beds (a stay moved from
one shelter to another counts in each for its nights there); an admission
counts in the shelter of its first bed; an exit, a closure, the services and
the reintegration work in the shelter of the stay at the time of the report.

The SQL is SQLite's. Its date arithmetic is written by the four functions
``_day``, ``_night``, ``_days`` and ``_least``/``_greatest``: a PostgreSQL
store needs those rewritten, nothing else.

Release. The report as computed holds the true counts: shown on screen to
those with ``VIEW_TRUE_COUNTS``; anyone else, and everything that leaves
the machine (``export_report``, ``print_report``), gets
``Report.released`` at ``Settings.report_small_cell``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from shelter.domain.dates import now_utc
from shelter.domain.reintegration import Contact, lost_contact_on
from shelter.domain.report_model import (
    DAYS,
    HOURS,
    NIGHTS,
    ONE_COLUMN,
    PERCENT,
    SCORE,
    SCORE_CHANGE,
    Axis,
    Chart,
    Figure,
    Period,
    Report,
    Section,
    Table,
    message,
    messages,
    verbatim,
)
from shelter.domain.vocabulary import (
    AGE_BAND,
    CLOSURE_REASON,
    DESTINATION,
    EXPLOITATION_FORM,
    GOAL_STATUS,
    IDENTIFICATION,
    PARTNER_KIND,
    PATHWAY,
    REFERRAL_SOURCE,
    REFERRAL_STATUS,
    REPORT,
    RSS_DIMENSION,
    SESSION_KIND,
    SESSION_STATUS,
    SEX,
    STAY_LENGTH,
    UNMET_REASON,
)
from shelter.errors import ValidationError
from shelter.i18n import N_, _
from shelter.security.permissions import Permission
from shelter.services.outputs import write_recorded
from shelter.services.settings import Settings, load_settings
from shelter.storage.models import Shelter
from shelter.store import SignedIn

CARE_PLAN_DAYS = 30  # a first care plan agreed within this many days of admission is on time
FORMATS = ("pdf", "xlsx", "csv")
NOT_KNOWN = "unknown"
ALL_SHELTERS = "all"
Progress = Callable[[int, int], None]


# -- SQLite's date arithmetic (see the module's docstring) ---------------------------------

def _day(column: str) -> str:
    """The day of a moment on the workstation's calendar (its UTC offset is the parameter ``:tz``)."""
    return f"date({column}, :tz)"


def _utc_offset() -> str:
    """The workstation's offset from UTC now, as SQLite's date modifier: '+60 minutes' in Morocco, '+0 minutes'
    during Ramadan. The day of an event is the day the shelter's own calendar (``date.today()``) gives it."""
    offset = datetime.now().astimezone().utcoffset() or timedelta(0)
    return f"{int(offset.total_seconds() // 60):+d} minutes"


NIGHT_AT = timedelta(hours=2)  # a night is counted at 02:00 UTC


def _night(column: str) -> str:
    """The night a moment falls in: the night of day d runs from 02:00 UTC on d to 02:00 UTC on d + 1."""
    return f"date({column}, '-2 hours')"


def _days(later: str, earlier: str) -> str:
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _least(a: str, b: str) -> str:
    return f"min({a}, {b})"


def _greatest(a: str, b: str) -> str:
    return f"max({a}, {b})"


def _age(day: str) -> str:
    """Age in whole years on ``day``: from the date of birth, else the estimated year of birth."""
    return (f"CASE WHEN r.birth_date IS NOT NULL THEN CAST(strftime('%Y', {day}) AS INTEGER) "
            f"- CAST(strftime('%Y', r.birth_date) AS INTEGER) - (strftime('%m-%d', {day}) < strftime('%m-%d', "
            f"r.birth_date)) WHEN r.birth_year_estimated IS NOT NULL THEN CAST(strftime('%Y', {day}) AS INTEGER) "
            f"- r.birth_year_estimated END")


def _age_band(age: str) -> str:
    return (f"CASE WHEN ({age}) IS NULL OR ({age}) < 0 THEN 'unknown' WHEN ({age}) <= 4 THEN '0-4' "
            f"WHEN ({age}) <= 11 THEN '5-11' WHEN ({age}) <= 17 THEN '12-17' WHEN ({age}) <= 24 THEN '18-24' "
            f"WHEN ({age}) <= 59 THEN '25-59' ELSE '60+' END")


def _stay_length(days: str) -> str:
    return (f"CASE WHEN ({days}) <= 30 THEN '0-30' WHEN ({days}) <= 90 THEN '31-90' "
            f"WHEN ({days}) <= 180 THEN '91-180' ELSE '181+' END")


def _sex(column: str = "r.sex") -> str:
    return f"COALESCE({column}, 'unknown')"


# -- axes -----------------------------------------------------------------------------------

SEXES = Axis(N_("Sex"), (*SEX.codes, NOT_KNOWN), lambda c, tr: SEX.label(c, tr) if c in SEX else
             tr.gettext("Not said"))


def _vocabulary_axis(title: str, closed: Any, extra: dict[str, str] | None = None) -> Axis:
    extra = extra or {}
    return Axis(title, (*closed.codes, *extra), lambda c, tr: closed.label(c, tr) if c in closed
                else tr.gettext(extra.get(c, c)))


def _drop_empty(axis: Axis, cells: dict[tuple[str, str], float], keep: tuple[str, ...] = (),
                columns: bool = False) -> Axis:
    """The axis of the rows (or ``columns``) without the codes no cell counts and not in ``keep``: "not said",
    unknown codes. All of them when none is used: a table of zeros says "none" better than no table."""
    used = {key[1 if columns else 0] for key, v in cells.items() if v}
    codes = tuple(c for c in axis.codes if c in used or c in keep)
    return Axis(axis.title, codes or axis.codes, axis.labeller)


# -- the query context -----------------------------------------------------------------------------

class _Query:
    """One report's parameters, and the SQL helpers every section uses."""

    def __init__(self, s: Session, period: Period, shelter_id: int | None, settings: Settings, today: date,
                 names: dict[str, str], now: datetime) -> None:
        self.s, self.period, self.shelter_id, self.settings, self.today = s, period, shelter_id, settings, today
        self.names = names  # the shelters reported on, by id (as text): name
        after = period.end + timedelta(days=1)
        # The nights counted: those of the period whose 02:00 UTC has passed (tonight's has not).
        self.nights_end = max(period.start, min(after, (now.astimezone(UTC) - NIGHT_AT).date()))
        self.params: dict[str, Any] = {
            "f": period.start.isoformat(), "t": period.end.isoformat(), "t1": after.isoformat(),
            "n1": self.nights_end.isoformat(),
            # Loose bounds on the stored UTC text, for the indexes: a day in Morocco starts at 23:00 UTC the day before.
            "f_lo": f"{(period.start - timedelta(days=1)).isoformat()} 00:00:00",
            "t_hi": f"{(after + timedelta(days=1)).isoformat()} 00:00:00",
            "sh": shelter_id, "tz": _utc_offset(),
        }

    def admitted_for(self, due_days: int) -> dict[str, str]:
        """Loose bounds on ``admitted_at`` for the stays whose day ``due_days`` after admission is in the period."""
        return {"a_lo": f"{(self.period.start - timedelta(days=due_days + 2)).isoformat()} 00:00:00",
                "a_hi": f"{(self.period.end - timedelta(days=due_days - 2)).isoformat()} 00:00:00"}

    def shelter(self, column: str) -> str:
        return "" if self.shelter_id is None else f" AND {column} = :sh"

    def rows(self, sql: str, **extra: Any) -> list[Any]:
        return list(self.s.execute(text(sql), {**self.params, **extra}).all())

    def grouped(self, sql: str, **extra: Any) -> dict[tuple[str, str], int]:
        """``sql`` returns (row code, column code, count)."""
        return {(str(r), str(c)): int(n) for r, c, n in self.rows(sql, **extra)}

    def one(self, sql: str, **extra: Any) -> Any:
        return self.s.execute(text(sql), {**self.params, **extra}).scalar()


# -- occupancy ---------------------------------------------------------------------------------------

def _assignments(q: _Query) -> str:
    """Bed assignments clipped to the nights counted: shelter, bed, first night, night after the last."""
    start = _greatest(_night("ba.started_at"), ":f")
    end = _least(f"COALESCE({_night('ba.ended_at')}, :n1)", ":n1")
    return (f"SELECT rm.shelter_id AS sh, ba.bed_id AS bed, {start} AS s, {end} AS e FROM bed_assignment ba "
            f"JOIN bed b ON b.id = ba.bed_id JOIN room rm ON rm.id = b.room_id "
            f"WHERE ba.started_at < :t_hi AND (ba.ended_at IS NULL OR ba.ended_at >= :f_lo){q.shelter('rm.shelter_id')}")


def _service(q: _Query) -> str:
    """Each bed's spans in and out of service (``bed_service_change``), clipped to the nights counted: shelter,
    bed, in service, first night, night after the last. Before its first record a bed is out of service."""
    spans = ("SELECT c.bed_id, c.in_service AS up, c.changed_at AS f, LEAD(c.changed_at) OVER "
             "(PARTITION BY c.bed_id ORDER BY c.changed_at, c.id) AS t FROM bed_service_change c "
             "UNION ALL SELECT c.bed_id, FALSE, NULL, MIN(c.changed_at) FROM bed_service_change c GROUP BY c.bed_id "
             "UNION ALL SELECT b.id, FALSE, NULL, NULL FROM bed b "
             "WHERE NOT EXISTS (SELECT 1 FROM bed_service_change c WHERE c.bed_id = b.id)")
    start = _greatest(f"COALESCE({_night('x.f')}, :f)", ":f")
    end = _least(f"COALESCE({_night('x.t')}, :n1)", ":n1")
    return (f"SELECT rm.shelter_id AS sh, x.bed_id AS bed, x.up AS up, {start} AS s, {end} AS e FROM ({spans}) x "
            f"JOIN bed b ON b.id = x.bed_id JOIN room rm ON rm.id = b.room_id WHERE 1 = 1{q.shelter('rm.shelter_id')}")


def _levels(q: _Query, spans: str) -> dict[str, dict[str, int]]:
    """For ``spans`` (sh, s, e: first night, night after the last), how many are open from each night on where
    that number changes, per shelter: +1 on a span's first night, -1 on the night after its last, summed in order."""
    levels: dict[str, dict[str, int]] = defaultdict(dict)
    for sh, d, n in q.rows(
            f"SELECT sh, d, SUM(SUM(n)) OVER (PARTITION BY sh ORDER BY d) FROM ("
            f"SELECT sh, s AS d, 1 AS n FROM ({spans}) WHERE s < e UNION ALL "
            f"SELECT sh, e AS d, -1 AS n FROM ({spans}) WHERE s < e) GROUP BY sh, d ORDER BY sh, d"):
        levels[str(sh)][d] = int(n)
    return levels


def _nightly(levels: dict[str, int], days: list[str]) -> list[int]:
    level, series = 0, []
    for d in days:
        level = levels.get(d, level)
        series.append(level)
    return series


def occupancy(q: _Query) -> Section:
    names = q.names
    a = _assignments(q)
    bed_nights = int(q.one(f"SELECT COALESCE(SUM({_days('e', 's')}), 0) FROM ({a}) WHERE s < e") or 0)
    people = int(q.one(
        f"SELECT COUNT(DISTINCT st.resident_id) FROM stay st WHERE st.admitted_at < :t_hi "
        f"AND {_day('st.admitted_at')} <= :t AND (st.discharged_at IS NULL OR {_day('st.discharged_at')} >= :f)"
        f"{q.shelter('st.shelter_id')}") or 0)
    occupied = _levels(q, a)
    # The beds in service each night, and a bed slept in while recorded out of service (an admission entered
    # late, into a bed set up since): a bed someone slept in was in service that night.
    service = _service(q)
    slept_out = (f"SELECT o.sh AS sh, {_greatest('o.s', 'a.s')} AS s, {_least('o.e', 'a.e')} AS e "
                 f"FROM ({service}) o JOIN ({a}) a ON a.bed = o.bed WHERE NOT o.up")
    in_service = _levels(q, f"SELECT sh, s, e FROM ({service}) WHERE up UNION ALL {slept_out}")
    days = [d.isoformat() for d in q.period.each_day() if d < q.nights_end]
    shelters = [sh for sh in sorted(names, key=names.get) if in_service.get(sh) or occupied.get(sh)] or sorted(
        names, key=names.get)
    nightly = {sh: _nightly(occupied.get(sh, {}), days) for sh in shelters}
    beds_nightly = {sh: _nightly(in_service.get(sh, {}), days) for sh in shelters}
    pooled = [sum(nightly[sh][i] for sh in shelters) for i in range(len(days))]
    pooled_beds = [sum(beds_nightly[sh][i] for sh in shelters) for i in range(len(days))]
    cells: dict[tuple[str, str], float] = {}
    bases: dict[tuple[str, str], int] = {}
    columns = [*shelters, ALL_SHELTERS] if len(shelters) > 1 else shelters
    for i, d in enumerate(days):
        for sh in shelters:
            if beds_nightly[sh][i]:
                cells[(d, sh)] = 100.0 * nightly[sh][i] / beds_nightly[sh][i]
                bases[(d, sh)] = beds_nightly[sh][i]
        if len(shelters) > 1 and pooled_beds[i]:
            cells[(d, ALL_SHELTERS)] = 100.0 * pooled[i] / pooled_beds[i]
            bases[(d, ALL_SHELTERS)] = pooled_beds[i]
    shelter_axis = Axis(N_("Shelters"), tuple(columns), lambda c, tr: tr.gettext("All shelters") if c == ALL_SHELTERS
                        else names.get(c, c))
    daily = Table("occupancy_daily", N_("Occupancy rate each night"), Axis(N_("Night of"), tuple(days),
                  verbatim({})), shelter_axis, cells, unit=PERCENT, bases=bases, detail=True, people=False,
                  note=N_("Beds occupied at 02:00 UTC, as a share of the beds in service that night."))
    available = sum(pooled_beds)
    average = 100.0 * sum(pooled) / available if available else None
    rated = [i for i in range(len(days)) if pooled_beds[i]]
    peak_i = max(rated, key=lambda i: (pooled[i] / pooled_beds[i], pooled[i])) if rated else None
    peak = 100.0 * pooled[peak_i] / pooled_beds[peak_i] if peak_i is not None else None

    restriction = q.grouped(
        f"SELECT CASE WHEN rm.women_only THEN 'women_only' WHEN rm.men_only THEN 'men_only' ELSE 'either' END, "
        f"CASE WHEN rm.minors THEN 'minors' ELSE 'adults' END, COUNT(*) FROM bed b JOIN room rm ON rm.id = b.room_id "
        f"WHERE b.active AND rm.active{q.shelter('rm.shelter_id')} GROUP BY 1, 2")
    accessible = int(q.one(f"SELECT COUNT(*) FROM bed b JOIN room rm ON rm.id = b.room_id WHERE b.active AND "
                           f"rm.active AND rm.accessible{q.shelter('rm.shelter_id')}") or 0)
    out_of_service = int(q.one(f"SELECT COUNT(*) FROM bed b JOIN room rm ON rm.id = b.room_id WHERE NOT b.active "
                               f"AND rm.active AND b.out_of_service_reason IS NOT NULL"
                               f"{q.shelter('rm.shelter_id')}") or 0)
    beds_for = Axis(N_("Beds for"), ("women_only", "men_only", "either"), messages({
        "women_only": N_("Women only"), "men_only": N_("Men only"), "either": N_("Women or men")}))
    ages = Axis(N_("Age"), ("adults", "minors"), messages({"adults": N_("Adults"), "minors": N_("Minors")}))
    capacity_table = Table("capacity", N_("Beds in service by who they are for"), beds_for, ages, restriction,
                           people=False, note=N_("Beds in service on the day the report was made."))

    unmet = q.grouped(
        f"SELECT u.reason, {_sex('u.sex')}, COUNT(*) FROM unmet_request u WHERE u.withdrawn_at IS NULL "
        f"AND u.requested_on BETWEEN :f AND :t{q.shelter('u.shelter_id')} GROUP BY 1, 2")
    turned_away = int(q.one(
        f"SELECT COALESCE(SUM(1 + u.children), 0) FROM unmet_request u WHERE u.withdrawn_at IS NULL "
        f"AND u.requested_on BETWEEN :f AND :t{q.shelter('u.shelter_id')}") or 0)
    reasons = _vocabulary_axis(N_("Reason"), UNMET_REASON)
    unmet_table = Table("unmet", N_("Referrals not admitted, by reason"), reasons, _drop_empty(SEXES, unmet, SEX.codes,
                        columns=True), unmet, note=N_("Each referral is counted, even for the same person twice."))
    figures = (
        Figure("bed_nights", N_("Bed nights (people × nights, children included)"), bed_nights, NIGHTS),
        Figure("people", N_("People sheltered"), people),
        Figure("nights", N_("Nights counted"), len(days), NIGHTS, people=False),
        Figure("beds", N_("Beds in service on the last night counted"), pooled_beds[-1] if days else None,
               people=False),
        Figure("bed_nights_available", N_("Bed nights available (beds in service × nights)"), available, NIGHTS,
               people=False),
        Figure("average_occupancy", N_("Average occupancy"), average, PERCENT),
        Figure("peak_occupancy", N_("Peak occupancy"), peak, PERCENT),
        Figure("peak_beds", N_("Beds occupied on the night of the peak"), pooled[peak_i] if peak_i is not None
               else None, people=False),
        Figure("accessible_beds", N_("Accessible beds"), accessible, people=False),
        Figure("out_of_service", N_("Beds out of service today"), out_of_service, people=False),
        Figure("unmet", N_("Referrals not admitted"), sum(unmet.values())),
        Figure("turned_away", N_("People not admitted, children included"), turned_away),
    )
    return Section("occupancy", figures, (capacity_table, unmet_table, daily), (
        Chart("occupancy_daily", N_("Occupancy rate each night"), "occupancy_daily", "line"),
        Chart("unmet", N_("Referrals not admitted, by reason"), "unmet", "bars"),
    ))


# -- admissions -------------------------------------------------------------------------------------------

def _admissions(q: _Query) -> str:
    """Stays admitted in the period, with what the tables group by."""
    first_shelter = ("(SELECT rm.shelter_id FROM bed_assignment ba JOIN bed b ON b.id = ba.bed_id "
                     "JOIN room rm ON rm.id = b.room_id WHERE ba.stay_id = st.id ORDER BY ba.started_at, ba.id LIMIT 1)")
    day = _day("st.admitted_at")
    where = "" if q.shelter_id is None else f" AND COALESCE({first_shelter}, st.shelter_id) = :sh"
    return (
        f"SELECT st.id AS stay_id, st.resident_id, {_sex()} AS sex, {_age_band(_age(day))} AS age_band, "
        f"CASE WHEN r.nationality = '' THEN 'unknown' ELSE r.nationality END AS nationality, "
        f"',' || r.exploitation || ',' AS forms, r.parent_id, COALESCE(ref.source, 'unknown') AS source, "
        f"COALESCE(ref.identification, 'unknown') AS identification, "
        f"CASE WHEN trim(COALESCE(ref.identified_by, '')) = '' THEN 'unknown' ELSE trim(ref.identified_by) END "
        f"AS identified_by, CASE WHEN EXISTS (SELECT 1 FROM stay p WHERE p.resident_id = st.resident_id "
        f"AND p.admitted_at < st.admitted_at) THEN 'readmission' ELSE 'first' END AS admission "
        f"FROM stay st JOIN resident r ON r.id = st.resident_id LEFT JOIN referral ref ON ref.stay_id = st.id "
        f"WHERE st.admitted_at >= :f_lo AND st.admitted_at < :t_hi AND {day} BETWEEN :f AND :t{where}")


def admissions(q: _Query) -> Section:
    base = _admissions(q)

    def by(column: str) -> dict[tuple[str, str], int]:
        return q.grouped(f"SELECT {column}, sex, COUNT(*) FROM ({base}) GROUP BY 1, 2")

    forms_values = " UNION ALL ".join(f"SELECT '{code}' AS form" for code in EXPLOITATION_FORM.codes)
    forms = q.grouped(f"SELECT f.form, a.sex, COUNT(*) FROM ({base}) a JOIN ({forms_values}) f "
                      f"ON a.forms LIKE '%,' || f.form || ',%' GROUP BY 1, 2")
    unrecorded = q.grouped(f"SELECT 'unknown', sex, COUNT(*) FROM ({base}) WHERE forms = ',,' GROUP BY 2")
    forms.update(unrecorded)
    total = by("'n'")
    sexes = _drop_empty(SEXES, total, SEX.codes, columns=True)
    ages, nationality, source = by("age_band"), by("nationality"), by("source")
    identification, identified_by, kind = by("identification"), by("identified_by"), by("admission")
    children = int(q.one(f"SELECT COUNT(*) FROM ({base}) WHERE parent_id IS NOT NULL") or 0)
    identified_by = {k: v for k, v in identified_by.items() if k[0] != NOT_KNOWN}
    form_axis = _vocabulary_axis(N_("Form of exploitation"), EXPLOITATION_FORM, {NOT_KNOWN: N_("Not recorded")})
    age_axis = Axis(N_("Age on admission"), AGE_BAND.codes, lambda c, tr: AGE_BAND.label(c, tr))
    countries = sorted({r for r, _c in nationality}, key=lambda c: (c == NOT_KNOWN, c)) or [NOT_KNOWN]
    nat_axis = Axis(N_("Nationality"), tuple(countries),
                    lambda c, tr: tr.gettext("Not recorded") if c == NOT_KNOWN else c)
    source_axis = _vocabulary_axis(N_("Referred by"), REFERRAL_SOURCE, {NOT_KNOWN: N_("Not recorded")})
    ident_axis = _vocabulary_axis(N_("Identification"), IDENTIFICATION, {NOT_KNOWN: N_("Not recorded")})
    deciders = sorted({r for r, _c in identified_by}) or [NOT_KNOWN]
    decider_axis = Axis(N_("Identified by"), tuple(deciders), lambda c, tr: tr.gettext("Not recorded")
                        if c == NOT_KNOWN else c)
    kind_axis = Axis(N_("Admission"), ("first", "readmission"), messages({
        "first": N_("First admission"), "readmission": N_("Readmission")}))
    tables = (
        Table("by_form", N_("Admissions by form of exploitation"), _drop_empty(form_axis, forms, EXPLOITATION_FORM.codes[:3]),
              sexes, forms, overlapping=True,
              note=N_("A person exploited in more than one way is counted under each form.")),
        Table("by_age", N_("Admissions by age on admission"), _drop_empty(age_axis, ages, AGE_BAND.codes[:6]),
              sexes, ages),
        Table("by_nationality", N_("Admissions by nationality"), nat_axis, sexes, nationality,
              note=N_("Countries by their ISO 3166 code.")),
        Table("by_source", N_("Admissions by referring organisation"), _drop_empty(source_axis, source), sexes,
              source),
        Table("by_identification", N_("Admissions by identification status"), _drop_empty(ident_axis,
              identification, IDENTIFICATION.codes), sexes, identification),
        Table("identified_by", N_("Identified victims, by who identified them"), decider_axis, sexes,
              identified_by, note=N_("As written in the referral.")),
        Table("first_or_again", N_("First admissions and readmissions"), kind_axis, sexes, kind),
    )
    figures = (
        Figure("admissions", N_("Admissions"), sum(total.values())),
        Figure("children", N_("Children admitted with a parent"), children),
        Figure("readmissions", N_("Readmissions"), sum(v for (r, _c), v in kind.items() if r == "readmission")),
    )
    return Section("admissions", figures, tables, (
        Chart("by_form", N_("Admissions by form of exploitation"), "by_form"),
        Chart("by_age", N_("Admissions by age on admission"), "by_age"),
    ))


# -- stays and exits ----------------------------------------------------------------------------------------

def stays(q: _Query) -> Section:
    length = _days(_day("st.discharged_at"), _day("st.admitted_at"))
    base = (f"SELECT st.id, {_sex()} AS sex, {length} AS days, st.destination FROM stay st "
            f"JOIN resident r ON r.id = st.resident_id WHERE st.discharged_at >= :f_lo AND st.discharged_at < :t_hi "
            f"AND {_day('st.discharged_at')} BETWEEN :f AND :t{q.shelter('st.shelter_id')}")
    buckets = q.grouped(f"SELECT {_stay_length('days')}, sex, COUNT(*) FROM ({base}) GROUP BY 1, 2")
    destination = q.grouped(f"SELECT destination, sex, COUNT(*) FROM ({base}) GROUP BY 1, 2")
    n, average = q.rows(f"SELECT COUNT(*), AVG(days) FROM ({base})")[0]
    latest_shelter = ("(SELECT st.shelter_id FROM stay st WHERE st.resident_id = c.resident_id "
                      "ORDER BY st.admitted_at DESC LIMIT 1)")
    closure_where = "" if q.shelter_id is None else f" AND {latest_shelter} = :sh"
    closures = q.grouped(f"SELECT c.reason, {_sex()}, COUNT(*) FROM case_closure c JOIN resident r "
                         f"ON r.id = c.resident_id WHERE c.closed_on BETWEEN :f AND :t{closure_where} GROUP BY 1, 2")
    sexes = _drop_empty(SEXES, {**buckets, **closures}, SEX.codes, columns=True)
    length_axis = Axis(N_("Length of stay"), STAY_LENGTH.codes, lambda c, tr: STAY_LENGTH.label(c, tr))
    tables = (
        Table("length", N_("Stays ended, by length"), length_axis, sexes, buckets,
              note=N_("Days from the day of admission to the day of discharge.")),
        Table("destination", N_("Exits by destination"), _drop_empty(_vocabulary_axis(N_("Destination"),
              DESTINATION), destination), sexes, destination),
        Table("closure", N_("Cases closed, by reason"), _drop_empty(_vocabulary_axis(N_("Reason"),
              CLOSURE_REASON), closures), sexes, closures),
    )
    figures = (
        Figure("exits", N_("Stays ended"), int(n or 0)),
        Figure("average_length", N_("Average length of the stays ended (days)"),
               None if average is None else float(average), DAYS, base=int(n or 0)),
        Figure("closures", N_("Cases closed"), sum(closures.values())),
    )
    return Section("stays", figures, tables, (Chart("length", N_("Stays ended, by length"), "length"),
                                              Chart("destination", N_("Exits by destination"), "destination")))


# -- services ---------------------------------------------------------------------------------------------------

def services(q: _Query) -> Section:
    due_days = q.settings.assessment_due_days
    adults = "r.parent_id IS NULL"
    admitted = _day("st.admitted_at")

    def on_time(due: int, first: str) -> dict[tuple[str, str], int]:
        """The stays (of adults and unaccompanied minors) whose day ``due`` after admission is in the
        period and has passed, by whether ``first`` (the first done, for the stay ``st``) came by then."""
        return q.grouped(
            f"SELECT CASE WHEN x.first IS NULL THEN 'not_done' WHEN x.first <= x.due THEN 'on_time' ELSE 'late' "
            f"END, 'n', COUNT(*) FROM (SELECT date({admitted}, '+{due} days') AS due, ({first}) AS first "
            f"FROM stay st JOIN resident r ON r.id = st.resident_id WHERE {adults} AND st.admitted_at >= :a_lo "
            f"AND st.admitted_at < :a_hi{q.shelter('st.shelter_id')}) x "
            f"WHERE x.due BETWEEN :f AND :t AND x.due <= :today GROUP BY 1",
            today=q.today.isoformat(), **q.admitted_for(due))

    assessment = on_time(due_days, "SELECT MIN(a.assessed_on) FROM assessment a WHERE a.stay_id = st.id")
    plans = on_time(CARE_PLAN_DAYS, "SELECT MIN(pv.agreed_on) FROM care_plan cp JOIN plan_version pv "
                                    "ON pv.plan_id = cp.id WHERE cp.stay_id = st.id")
    # From the stays ended to their goals (SQLite's CROSS JOIN keeps that order: the period first).
    goals = q.grouped(
        f"SELECT g.status, 'n', COUNT(*) FROM stay st CROSS JOIN care_plan cp ON cp.stay_id = st.id "
        f"CROSS JOIN plan_goal g ON g.plan_id = cp.id WHERE st.discharged_at >= :f_lo AND st.discharged_at < :t_hi "
        f"AND {_day('st.discharged_at')} BETWEEN :f AND :t{q.shelter('st.shelter_id')} GROUP BY 1")
    sessions = q.grouped(
        f"SELECT cs.status, cs.kind, COUNT(*) FROM counselling_session cs WHERE cs.starts_at >= :f_lo "
        f"AND cs.starts_at < :t_hi AND {_day('cs.starts_at')} BETWEEN :f AND :t{q.shelter('cs.shelter_id')} "
        f"GROUP BY 1, 2")
    minutes, held = q.rows(
        f"SELECT COALESCE(SUM((julianday(cs.ends_at) - julianday(cs.starts_at)) * 1440), 0), COUNT(*) "
        f"FROM counselling_session cs WHERE cs.status = 'held' AND cs.starts_at >= :f_lo AND cs.starts_at < :t_hi "
        f"AND {_day('cs.starts_at')} BETWEEN :f AND :t{q.shelter('cs.shelter_id')}")[0]
    counselled = int(q.one(
        f"SELECT COUNT(DISTINCT sa.resident_id) FROM counselling_session cs JOIN session_attendee sa "
        f"ON sa.session_id = cs.id WHERE cs.status = 'held' AND cs.starts_at >= :f_lo AND cs.starts_at < :t_hi "
        f"AND {_day('cs.starts_at')} BETWEEN :f AND :t{q.shelter('cs.shelter_id')}") or 0)
    referrals = q.grouped(
        f"SELECT p.kind, pr.status, COUNT(*) FROM partner_referral pr JOIN partner p ON p.id = pr.partner_id "
        f"JOIN stay st ON st.id = pr.stay_id WHERE pr.referred_on BETWEEN :f AND :t{q.shelter('st.shelter_id')} "
        f"GROUP BY 1, 2")
    timeliness = Axis(N_("Made"), ("on_time", "late", "not_done"), messages({
        "on_time": N_("On time"), "late": N_("Late"), "not_done": N_("Not made yet")}))
    tables = (
        Table("assessments", N_("First needs assessments due in the period"), timeliness, ONE_COLUMN, assessment,
              note=N_("Due the number of days after admission set in Administration; accompanying children are "
                      "assessed with their parent.")),
        Table("care_plans", N_("First care plans due in the period"), timeliness, ONE_COLUMN, plans,
              note=N_("A first version agreed with the resident within 30 days of admission is on time.")),
        Table("goals", N_("Goals of the care plans of the stays ended, by outcome"),
              _vocabulary_axis(N_("Goal"), GOAL_STATUS), ONE_COLUMN, goals),
        Table("sessions", N_("Counselling sessions, by what happened"), _vocabulary_axis(N_("Session"),
              SESSION_STATUS), _drop_empty(_vocabulary_axis(N_("Kind"), SESSION_KIND), sessions,
              columns=True), sessions,
              note=N_("Sessions are counted, not people: a group session counts once.")),
        Table("referrals", N_("Referrals to partners, by kind of partner and outcome"),
              _drop_empty(_vocabulary_axis(N_("Partner"), PARTNER_KIND), referrals),
              _vocabulary_axis(N_("Outcome"), REFERRAL_STATUS), referrals),
    )
    figures = (
        Figure("hours", N_("Counselling hours held"), float(minutes or 0) / 60, HOURS),
        Figure("sessions_held", N_("Sessions held"), int(held or 0)),
        Figure("counselled", N_("People counselled"), counselled),
        Figure("missed", N_("Sessions missed (the resident did not come)"),
               sum(v for (r, _c), v in sessions.items() if r == "no_show")),
    )
    return Section("services", figures, tables, (
        Chart("sessions", N_("Counselling sessions, by what happened"), "sessions"),
        Chart("referrals", N_("Referrals to partners, by kind of partner and outcome"), "referrals"),
    ))


# -- reintegration --------------------------------------------------------------------------------------------

def reintegration(q: _Query) -> Section:
    shelter = q.shelter("st.shelter_id")
    plans = q.grouped(f"SELECT rp.pathway, 'n', COUNT(*) FROM reintegration_plan rp JOIN stay st ON st.id = rp.stay_id "
                      f"WHERE rp.opened_on BETWEEN :f AND :t{shelter} GROUP BY 1")
    milestones = q.grouped(
        f"SELECT rp.pathway, 'n', COUNT(*) FROM milestone m JOIN reintegration_plan rp ON rp.id = m.plan_id "
        f"JOIN stay st ON st.id = rp.stay_id WHERE m.status = 'done' AND m.done_on BETWEEN :f AND :t{shelter} "
        f"GROUP BY 1")
    follow_ups: dict[tuple[str, str], int] = defaultdict(int)
    for months, state, n in q.rows(
            f"SELECT months, state, COUNT(*) FROM (SELECT fc.round_months AS months, CASE WHEN MAX(fc.reached) "
            f"THEN 'reached' ELSE 'not_reached' END AS state FROM follow_up_contact fc JOIN stay st "
            f"ON st.id = fc.stay_id WHERE fc.contacted_on BETWEEN :f AND :t{shelter} "
            f"GROUP BY fc.stay_id, fc.round_months) GROUP BY 1, 2"):
        follow_ups[(str(months), state)] = int(n)
    # Lost contact: the threshold-th attempt in a row without reaching the person, in the period.
    contacts: dict[int, list[Contact]] = defaultdict(list)
    for stay_id, on, months, reached in q.rows(
            f"SELECT fc.stay_id, fc.contacted_on, fc.round_months, fc.reached FROM follow_up_contact fc "
            f"JOIN stay st ON st.id = fc.stay_id WHERE fc.stay_id IN (SELECT stay_id FROM follow_up_contact "
            f"WHERE contacted_on BETWEEN :f AND :t AND NOT reached){shelter}"):
        contacts[stay_id].append(Contact(date.fromisoformat(str(on)), int(months), bool(reached)))
    threshold = q.settings.lost_contact_attempts
    lost = sum(1 for cs in contacts.values()
               if (day := lost_contact_on(cs, threshold)) is not None and q.period.start <= day <= q.period.end)
    # Sustainability: each person whose latest follow-up score falls in the period, against her or his baseline.
    dims = (*RSS_DIMENSION.codes, "overall")
    pairs = q.rows(
        f"SELECT {', '.join(f'b.{d}, l.{d}' for d in dims)} FROM sustainability_score l "
        f"JOIN stay st ON st.id = l.stay_id "
        f"JOIN sustainability_score b ON b.stay_id = l.stay_id AND b.occasion = 'baseline' AND b.id = ("
        f"SELECT MIN(b2.id) FROM sustainability_score b2 WHERE b2.stay_id = l.stay_id AND b2.occasion = 'baseline') "
        f"WHERE l.occasion = 'follow_up' AND l.scored_on BETWEEN :f AND :t{shelter} AND l.id = ("
        f"SELECT l2.id FROM sustainability_score l2 WHERE l2.stay_id = l.stay_id AND l2.occasion = 'follow_up' "
        f"AND l2.scored_on <= :t ORDER BY l2.scored_on DESC, l2.id DESC LIMIT 1)")
    scores: dict[tuple[str, str], float] = {}
    score_bases: dict[tuple[str, str], int] = {}
    change: dict[tuple[str, str], float] = {}
    change_bases: dict[tuple[str, str], int] = {}
    for i, d in enumerate(dims):
        both = [(row[2 * i], row[2 * i + 1]) for row in pairs if row[2 * i] is not None and row[2 * i + 1] is not None]
        if both:
            scores[(d, "baseline")] = sum(b for b, _l in both) / len(both)
            scores[(d, "latest")] = sum(latest for _b, latest in both) / len(both)
            change[(d, "change")] = scores[(d, "latest")] - scores[(d, "baseline")]
        score_bases[(d, "baseline")] = score_bases[(d, "latest")] = change_bases[(d, "change")] = len(both)
    dim_axis = Axis(N_("Dimension"), dims, lambda c, tr: tr.gettext("Overall") if c == "overall"
                    else RSS_DIMENSION.label(c, tr))
    when = Axis(N_("Score"), ("baseline", "latest"), messages({"baseline": N_("At the start of the plan"),
                                                               "latest": N_("At the latest follow-up")}))
    round_codes = tuple(str(m) for m in q.settings.follow_up_months) + (
        ("0",) if any(k[0] == "0" for k in follow_ups) else ())
    extra = tuple(sorted({k[0] for k in follow_ups} - set(round_codes), key=int))
    round_axis = Axis(N_("Follow-up"), round_codes + extra, lambda c, tr: tr.gettext("Other contacts")
                      if c == "0" else tr.ngettext("{n} month after leaving", "{n} months after leaving",
                                                   int(c)).format(n=int(c)))
    reach_axis = Axis(N_("Person"), ("reached", "not_reached"), messages({
        "reached": N_("Reached"), "not_reached": N_("Not reached")}))
    tables = (
        Table("plans", N_("Reintegration plans opened, by pathway"), _vocabulary_axis(N_("Pathway"), PATHWAY),
              ONE_COLUMN, plans),
        Table("milestones", N_("Milestones done, by pathway"), _vocabulary_axis(N_("Pathway"), PATHWAY),
              ONE_COLUMN, milestones),
        Table("follow_ups", N_("People contacted after leaving, by follow-up"), round_axis, reach_axis,
              dict(follow_ups), note=N_("A person reached at least once for a follow-up counts as reached.")),
        Table("scores", N_("Sustainability scores, from the start of the plan to the latest follow-up"), dim_axis,
              when, scores, unit=SCORE, bases=score_bases,
              note=N_("Means over the people scored at both, from 0 to 1; the people whose latest follow-up score "
                      "falls in the period.")),
        Table("score_change", N_("Change in the sustainability score"), dim_axis, Axis(N_("Change"), ("change",),
              message(N_("Change"))), change, unit=SCORE_CHANGE, bases=change_bases),
    )
    figures = (
        Figure("plans", N_("Reintegration plans opened"), sum(plans.values())),
        Figure("milestones_done", N_("Milestones done"), sum(milestones.values())),
        Figure("reached", N_("Follow-ups that reached the person"),
               sum(v for (_r, c), v in follow_ups.items() if c == "reached")),
        Figure("lost_contact", N_("Cases that lost contact"), lost),
    )
    return Section("reintegration", figures, tables, (
        Chart("plans", N_("Reintegration plans opened, by pathway"), "plans"),
        Chart("scores", N_("Sustainability scores, from the start of the plan to the latest follow-up"), "scores"),
    ))


SECTIONS: dict[str, Callable[[_Query], Section]] = {
    "occupancy": occupancy, "admissions": admissions, "stays": stays, "services": services,
    "reintegration": reintegration,
}


# -- use cases -----------------------------------------------------------------------------------------

def compute_report(s: Session, period: Period, shelter_id: int | None, made_by: str, today: date,
                   progress: Progress | None = None, now: datetime | None = None) -> Report:
    """The report as computed (true counts) at ``now``, inside the caller's transaction."""
    now = now_utc(now)
    settings = load_settings(s)
    shelters = {str(i): name for i, name in s.execute(text("SELECT id, name FROM shelter")).all()}
    code, name = None, ""
    if shelter_id is not None:
        row = s.get(Shelter, shelter_id)
        if row is None:
            raise ValidationError(_("This shelter no longer exists."), field="shelter_id")
        code, name = row.code, row.name
        shelters = {str(shelter_id): row.name}
    q = _Query(s, period, shelter_id, settings, today, shelters, now)
    sections = []
    for i, key in enumerate(REPORT.codes):
        if progress is not None:
            progress(i, len(REPORT.codes))
        sections.append(SECTIONS[key](q))
    if progress is not None:
        progress(len(REPORT.codes), len(REPORT.codes))
    return Report(period, code, name, made_by, now, tuple(sections))


def make_report(who: SignedIn, period: Period, shelter_id: int | None = None, progress: Progress | None = None,
                today: date | None = None, now: datetime | None = None) -> Report:
    """The standard reports for ``period``, for one shelter or all. True
    counts for those allowed to see them on screen; the released copy for
    everyone else. Audited ("report.make": the period and the shelter)."""
    who.require(Permission.VIEW_REPORTS)
    now = now_utc(now)
    with who.store.write() as s:
        report = compute_report(s, period, shelter_id, who.actor.display_name, today or now.astimezone().date(),
                                progress, now)
        threshold = load_settings(s).report_small_cell
        who.audit(s, "report.make", "shelter" if shelter_id else None, shelter_id,
                  detail={"from": period.start.isoformat(), "to": period.end.isoformat()})
    if not who.actor.has(Permission.VIEW_TRUE_COUNTS):
        report = report.released(threshold)
    return report


def _released(who: SignedIn, report: Report) -> Report:
    with who.store.read() as s:
        threshold = load_settings(s).report_small_cell
    return report if report.is_released and report.threshold >= threshold else report.released(threshold)


def render(report: Report, fmt: str, lang: str) -> bytes:
    """The released report as a file's bytes."""
    if fmt == "pdf":
        from shelter.documents.report import report_pdf
        return report_pdf(report, lang)
    if fmt == "xlsx":
        from shelter.documents.spreadsheet import report_xlsx
        return report_xlsx(report, lang)
    if fmt == "csv":
        from shelter.documents.spreadsheet import report_csv
        return report_csv(report, lang)
    raise ValidationError(_("Choose PDF, XLSX or CSV."), field="format")


def _detail(report: Report, fmt: str, lang: str) -> dict[str, Any]:
    return {"from": report.period.start.isoformat(), "to": report.period.end.isoformat(), "format": fmt,
            "lang": lang, "shelter": report.shelter_code or ALL_SHELTERS, "threshold": report.threshold}


def export_report(who: SignedIn, report: Report, fmt: str, lang: str, path: Path) -> Path:
    """Write the released report to ``path`` as PDF, XLSX or CSV, whole or
    not at all, between two audit entries ("report.export")."""
    who.require(Permission.VIEW_REPORTS)
    if fmt not in FORMATS:
        raise ValidationError(_("Choose PDF, XLSX or CSV."), field="format")
    safe = _released(who, report)
    data = render(safe, fmt, lang)
    detail = _detail(safe, fmt, lang)

    def record(outcome: str, extra: dict[str, Any]) -> None:
        with who.store.write() as s:
            who.audit(s, "report.export", outcome=outcome, detail={**detail, **extra})

    write_recorded(Path(path), data, record)
    return Path(path)


def print_report(who: SignedIn, report: Report, lang: str) -> bytes:
    """The released report as PDF bytes, for the print preview. Audited ("report.print")."""
    who.require(Permission.VIEW_REPORTS)
    safe = _released(who, report)
    data = render(safe, "pdf", lang)
    with who.store.write() as s:
        who.audit(s, "report.print", detail=_detail(safe, "pdf", lang))
    return data

