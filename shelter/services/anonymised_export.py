"""The anonymised case-level export: one row per stay, that nobody can be
singled out of (``docs/anonymised-export.md`` documents every column).

What a row holds is chosen, not filtered: months instead of dates, age
bands instead of dates of birth, codes instead of text. Never a name, a
case number, a date of birth, a referring agency or person, free text, a
shelter or any id. People who have not consented to be counted without name
(``Resident.consent_reporting``) are left out, and the export says how many.

Then every released field is a quasi-identifier, and the rows are made
k-anonymous over the whole row. Each field has a ladder (a month, its
quarter, its year; an age band, minor or adult; a nationality, its region,
its continent; ... and "unknown" at the top). ``choose_levels`` starts with
every field at "unknown" and gives detail back, field by field in order of
worth, while at most 5 % of the rows stay in combinations shared by fewer
than k rows or k people (a person may have stayed twice);
``shelter.domain.disclosure.k_anonymise`` then leaves those rows out, and
how many were is said. The columns worked out from others (the year from
the month, minor or adult from the age band, the flags from the forms of
exploitation) are added after: they cannot split a combination.

Values are stable codes, never translated: the file is for statisticians
(the national committee, CTDC-style analyses), not for reading on screen.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from shelter.domain.disclosure import Ladder, k_anonymise
from shelter.domain.people import ADULT_AGE
from shelter.domain.regions import CONTINENT_OF_REGION, UNKNOWN, region_of
from shelter.domain.vocabulary import AGE_BAND, EXPLOITATION_FORM, STAY_LENGTH
from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.security.permissions import Permission
from shelter.services.outputs import check_target, write_recorded
from shelter.services.settings import load_settings
from shelter.storage.models import Referral, ReintegrationPlan, Resident, Stay
from shelter.store import SignedIn

K_MIN, K_MAX = 2, 1000
ONGOING = "ongoing"  # a stay not ended on the day of the export
NONE = "none"  # no reintegration plan for the stay
MULTIPLE = "multiple"  # several forms of exploitation
ACTION = "export.anonymised"

# -- the bands, read from their codes so that they cannot drift from the lists ----------

_RANGE = re.compile(r"^(\d+)(?:-(\d+)|\+)$")


def _bands(codes: Iterable[str]) -> list[tuple[int, int | None, str]]:
    out = []
    for code in codes:
        match = _RANGE.match(code)
        if match:
            out.append((int(match.group(1)), int(match.group(2)) if match.group(2) else None, code))
    return out


_AGE_BANDS = _bands(AGE_BAND.codes)
_STAY_BANDS = _bands(STAY_LENGTH.codes)


def _band(value: int | None, bands: Sequence[tuple[int, int | None, str]]) -> str:
    if value is None or value < 0:
        return UNKNOWN
    for low, high, code in bands:
        if value >= low and (high is None or value <= high):
            return code
    return UNKNOWN


def age_band(age: int | None) -> str:
    """The ``vocabulary.AGE_BAND`` code of an age in whole years ("unknown" when None)."""
    return _band(age, _AGE_BANDS)


def stay_length(days: int) -> str:
    """The ``vocabulary.STAY_LENGTH`` code of a stay of ``days`` days."""
    return _band(days, _STAY_BANDS)


def _age_at(birth: date | None, birth_year: int | None, day: date) -> int | None:
    if birth is not None:
        return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    if birth_year is not None:
        return day.year - birth_year
    return None


# -- the groups above a single code ---------------------------------------------------

# Forms of exploitation as CTDC counts them: sexual exploitation, forced
# labour (with domestic servitude, begging and forced criminality, CTDC's
# "typeOfLabour"), and the rest. A group's code differs from every form's
# code unless the group is that one form, so that a value means one thing.
EXPLOITATION_GROUP = {
    "sexual": "sexual", "labour": "labour_broad", "domestic_servitude": "labour_broad",
    "forced_begging": "labour_broad", "forced_criminality": "labour_broad", "forced_marriage": "other_broad",
    "organ_removal": "other_broad", "other": "other_broad",
}
EXPLOITATION_GROUPS = ("sexual", "labour_broad", "other_broad")
REFERRAL_GROUP = {
    "police": "authorities", "prosecutor": "authorities", "consulate": "authorities",
    "ngo": "services", "hotline": "services", "hospital": "services", "self": "self",
}
DESTINATION_GROUP = {
    "family_reunification": "reintegration", "assisted_return": "reintegration",
    "independent_living": "reintegration", "another_shelter": "referred", "hospital": "referred",
    "left_without_notice": "left_or_other", "other": "left_or_other",
}
PATHWAY_GROUP = {
    "return_origin": "abroad", "third_country": "abroad", "morocco_family": "morocco",
    "independent_morocco": "morocco", "other": "other",
}
STAY_GROUP = {"0-30": "0-90", "31-90": "0-90", "91-180": "91+", "181+": "91+"}


def _unknown(_value: str) -> str:
    return UNKNOWN


def _kept(*special: str) -> Callable[[Callable[[str], str]], Callable[[str], str]]:
    """A step that leaves ``special`` values (and "unknown") as they are."""
    keep = {UNKNOWN, *special}

    def wrap(step: Callable[[str], str]) -> Callable[[str], str]:
        return lambda value: value if value in keep else step(value)
    return wrap


def _grouped(groups: Mapping[str, str], *special: str) -> Callable[[str], str]:
    return _kept(*special)(lambda value: groups.get(value, UNKNOWN))


def _quarter(month: str) -> str:  # "2026-11" -> "2026-Q4"
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def _year(month: str) -> str:  # "2026-11" or "2026-Q4" -> "2026"
    return month[:4]


def _rare_first(counts: Counter[str], k: int, coarser: Callable[[str], str]) -> Callable[[str], str]:
    """A step that moves only the values shared by fewer than ``k`` rows to
    the next step (``coarser``): rare nationalities become regions, common
    ones stay. Each step is then a function of the one before, as on any ladder."""
    return lambda value: value if counts[value] >= k else coarser(value)


def _exploitation_text(forms: Iterable[str]) -> str:
    codes = set(forms)
    ordered = [c for c in EXPLOITATION_FORM.codes if c in codes]
    return ";".join(ordered) if ordered else UNKNOWN


def _exploitation_groups(text: str) -> str:
    """The groups of the forms: "labour;sexual" -> "sexual;labour_broad"."""
    if text == UNKNOWN:
        return text
    groups = {EXPLOITATION_GROUP.get(part, part) for part in text.split(";")}
    return ";".join(g for g in EXPLOITATION_GROUPS if g in groups)


def _exploitation_broad(text: str) -> str:
    """One group: its code; several: "multiple"."""
    groups = _exploitation_groups(text)
    return MULTIPLE if ";" in groups else groups


def _minor_or_adult(band: str) -> str:
    if band in (UNKNOWN, "minor", "adult"):
        return band
    match = _RANGE.match(band)
    return UNKNOWN if not match else "minor" if int(match.group(1)) < ADULT_AGE else "adult"


# -- the columns ------------------------------------------------------------------------

# The columns of the CSV, in order. Names follow CTDC's public data
# dictionary (HTCDS) where a column is one of theirs; Shelter's own are
# named in the same style.
FIELDS: tuple[str, ...] = (
    "yearOfRegistration", "admissionMonth", "dischargeMonth", "lengthOfStay", "gender", "ageBroad",
    "majorityStatus", "isAccompanyingChild", "citizenship", "CountryOfExploitation", "typeOfExploitConcatenated",
    "isSexualExploit", "isForcedLabour", "isOtherExploit", "referralSource", "identificationStatus",
    "exitDestination", "reintegrationPathway",
)

# The fields that are generalised, each a quasi-identifier, in the order
# their detail is given back (``choose_levels``): the breakdowns the donors
# and the committee ask for first (sex, age, year, form of exploitation,
# nationality), the shelter's own after.
GENERALISED: tuple[str, ...] = (
    "gender", "ageBroad", "admissionMonth", "typeOfExploitConcatenated", "citizenship", "isAccompanyingChild",
    "identificationStatus", "exitDestination", "lengthOfStay", "referralSource", "reintegrationPathway",
    "CountryOfExploitation", "dischargeMonth",
)


def _flag(group: str) -> Callable[[Mapping[str, str]], str]:
    def flag(row: Mapping[str, str]) -> str:
        text = row["typeOfExploitConcatenated"]
        if text in (UNKNOWN, MULTIPLE):
            return UNKNOWN
        return "1" if group in _exploitation_groups(text).split(";") else "0"
    return flag


# The other columns are worked out from the generalised ones, after: they
# add nothing that those do not already say, so the whole row stays k-anonymous.
DERIVED: dict[str, Callable[[Mapping[str, str]], str]] = {
    "yearOfRegistration": lambda row: _kept()(_year)(row["admissionMonth"]),
    "majorityStatus": lambda row: _minor_or_adult(row["ageBroad"]),
    "isSexualExploit": _flag("sexual"),
    "isForcedLabour": _flag("labour_broad"),
    "isOtherExploit": _flag("other_broad"),
}
assert set(GENERALISED) | set(DERIVED) == set(FIELDS) and not set(GENERALISED) & set(DERIVED)
_PERSON = "_person"  # carried beside the fields to count people per combination; never written


def ladders(rows: Sequence[Mapping[str, str]], k: int) -> dict[str, Ladder]:
    """Each generalised field's ladder (level 1, 2, ...; the last step is
    always "unknown", so that any k rows can be made alike). The first step
    of a categorical field depends on the rows: only what is rarer than k
    moves up."""
    def counts(name: str) -> Counter[str]:
        return Counter(r[name] for r in rows)

    def countries(name: str) -> Ladder:
        def continent(code: str) -> str:
            return CONTINENT_OF_REGION[region_of(code)]
        return [_rare_first(counts(name), k, region_of), region_of, continent, _unknown]

    def categorical(name: str, groups: Mapping[str, str], *special: str) -> Ladder:
        group = _grouped(groups, *special)
        return [_rare_first(counts(name), k, group), group, _unknown]

    month = _kept(ONGOING)
    return {
        "admissionMonth": [month(_quarter), month(_year), _unknown],
        "dischargeMonth": [month(_quarter), month(_year), _unknown],
        "lengthOfStay": [_grouped(STAY_GROUP, ONGOING), _unknown],
        "gender": [_unknown],
        "ageBroad": [_rare_first(counts("ageBroad"), k, _minor_or_adult), _minor_or_adult, _unknown],
        "isAccompanyingChild": [_unknown],
        "citizenship": countries("citizenship"),
        "CountryOfExploitation": countries("CountryOfExploitation"),
        "typeOfExploitConcatenated": [_rare_first(counts("typeOfExploitConcatenated"), k, _exploitation_groups),
                                      _exploitation_groups, _exploitation_broad, _unknown],
        "referralSource": categorical("referralSource", REFERRAL_GROUP),
        "identificationStatus": [_unknown],
        "exitDestination": categorical("exitDestination", DESTINATION_GROUP, ONGOING),
        "reintegrationPathway": categorical("reintegrationPathway", PATHWAY_GROUP, NONE),
    }


# -- how far to generalise ----------------------------------------------------------------

MAX_SUPPRESSED = 0.05  # at most this share of the rows is left out (as disclosure.k_anonymise)


def choose_levels(rows: Sequence[Mapping[str, Any]], fields: Sequence[str], ladders: Mapping[str, Ladder], k: int,
                  budget: int, person: str | None = None) -> dict[str, int]:
    """How far to generalise each field, top-down: every field starts at the
    last step of its ladder ("unknown": all rows alike), and detail is given
    back one step at a time, to each field in turn in the order of
    ``fields``, round after round, as long as at most ``budget`` rows stay
    in combinations shared by fewer than ``k`` rows (or ``k`` people, with
    ``person``). A field whose step is refused is done: giving detail back
    only ever splits combinations, so a step refused once stays refused.

    Climbing up from the bottom instead (``disclosure.k_anonymise`` alone)
    takes at each step whatever clears most rare rows, which with this many
    fields ends with nearly every one of them "unknown"."""
    n = len(rows)
    columns = {f: [[r[f] for r in rows]] + [[step(r[f]) for r in rows] for step in ladders[f]] for f in fields}
    levels = {f: len(ladders[f]) for f in fields}
    persons = [r[person] for r in rows] if person else None
    classes = [0] * n

    def rare(keys: list[tuple[int, Any]]) -> int:
        size = Counter(keys)
        small = {key for key, count in size.items() if count < k}
        if persons is not None:
            people = Counter(key for key, _who in set(zip(keys, persons, strict=True)) if key not in small)
            small |= {key for key, count in people.items() if count < k}
        return sum(size[key] for key in small)

    open_fields = [f for f in fields if levels[f] > 0]
    while open_fields:
        for f in list(open_fields):
            keys = list(zip(classes, columns[f][levels[f] - 1], strict=True))
            if rare(keys) > budget:
                open_fields.remove(f)
                continue
            levels[f] -= 1
            if levels[f] == 0:
                open_fields.remove(f)
            index: dict[tuple[int, Any], int] = {}
            classes = [index.setdefault(key, len(index)) for key in keys]
    return levels


def _generalise(rows: Sequence[Mapping[str, Any]], fields: Sequence[str], ladders: Mapping[str, Ladder],
                levels: Mapping[str, int]) -> tuple[list[dict[str, Any]], dict[str, Ladder]]:
    """The rows at ``levels``, and the rest of each ladder as steps from there."""
    out = [dict(r) for r in rows]
    rest: dict[str, Ladder] = {}
    for f in fields:
        steps = [None, *ladders[f]]
        here = steps[levels[f]]
        values = [r[f] if here is None else here(r[f]) for r in rows]
        for row, value in zip(out, values, strict=True):
            row[f] = value
        rest[f] = []
        for step in steps[levels[f] + 1:]:
            above = dict(zip(values, (step(r[f]) for r in rows), strict=True))  # a function of the value here
            rest[f].append(lambda value, above=above: above.get(value, UNKNOWN))
    return out, rest


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _local_day(moment: datetime) -> date:
    return moment.astimezone().date()


def _country(code: str) -> str:
    code = code.strip().upper()
    return code if region_of(code) != UNKNOWN else UNKNOWN


def stay_row(admitted: date, discharged: date | None, destination: str | None, sex: str, age: int | None,
             child: bool, nationality: str, exploitation: str, exploitation_country: str, source: str | None,
             identification: str | None, pathway: str | None) -> dict[str, str]:
    """A stay's generalised fields as they stand before any generalisation
    (already without a date, an age or a word of text)."""
    return {
        "admissionMonth": _month(admitted),
        "dischargeMonth": _month(discharged) if discharged else ONGOING,
        "lengthOfStay": stay_length((discharged - admitted).days) if discharged else ONGOING,
        "gender": sex or UNKNOWN,
        "ageBroad": age_band(age),
        "isAccompanyingChild": "1" if child else "0",
        "citizenship": _country(nationality),
        "CountryOfExploitation": _country(exploitation_country),
        "typeOfExploitConcatenated": _exploitation_text(c for c in exploitation.split(",") if c),
        "referralSource": source or UNKNOWN,
        "identificationStatus": identification or UNKNOWN,
        "exitDestination": (destination or UNKNOWN) if discharged else ONGOING,
        "reintegrationPathway": pathway or NONE,
    }


def released_row(row: Mapping[str, str]) -> tuple[str, ...]:
    """A generalised row with its derived columns, in the order of ``FIELDS``."""
    return tuple(DERIVED[f](row) if f in DERIVED else row[f] for f in FIELDS)


# -- the export -------------------------------------------------------------------------

@dataclass(frozen=True)
class AnonymisedExport:
    """What may leave the machine: ``rows`` (one tuple of codes per stay, in
    the order of ``fields``, sorted so that their order says nothing), the
    ``k`` they were made to, how many rows were ``suppressed`` to reach it,
    how many people were left out for want of consent (``not_consenting``),
    and how far each field was generalised (``levels``, 0: as it was)."""

    fields: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    k: int
    suppressed: int
    not_consenting: int
    levels: dict[str, int] = field(default_factory=dict)
    path: Path | None = None

    def csv_bytes(self) -> bytes:
        """The CSV as written: UTF-8 with a byte-order mark (so that Excel
        reads it as UTF-8), a header line of the field names, CRLF line ends."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.fields)
        writer.writerows(self.rows)
        return out.getvalue().encode("utf-8-sig")


def check_k(k: Any) -> int:
    """``k`` if it is a whole number from 2 to 1000; else ValidationError (field "k")."""
    if isinstance(k, bool) or not isinstance(k, int) or not K_MIN <= k <= K_MAX:
        raise ValidationError(_("k is a whole number from {low} to {high}.").format(low=K_MIN, high=K_MAX),
                              field="k")
    return k


def _read(who: SignedIn, today: date) -> tuple[list[dict[str, Any]], int, int]:
    """The consenting stays as rows (before generalisation), the number of
    people left out for want of consent, and the k of the settings."""
    query = (
        select(Stay.resident_id, Stay.admitted_at, Stay.discharged_at, Stay.destination, Resident.consent_reporting,
               Resident.sex, Resident.birth_date, Resident.birth_year_estimated, Resident.parent_id,
               Resident.nationality, Resident.exploitation, Resident.exploitation_country, Referral.source,
               Referral.identification, ReintegrationPlan.pathway)
        .join(Resident, Resident.id == Stay.resident_id)
        .outerjoin(Referral, Referral.stay_id == Stay.id)
        .outerjoin(ReintegrationPlan, ReintegrationPlan.stay_id == Stay.id)
    )
    rows: list[dict[str, Any]] = []
    left_out: set[int] = set()
    with who.store.read() as s:
        default_k = load_settings(s).anonymised_k
        for r in s.execute(query):
            admitted = _local_day(r.admitted_at)
            if admitted > today:
                continue
            if not r.consent_reporting:
                left_out.add(r.resident_id)
                continue
            discharged = _local_day(r.discharged_at) if r.discharged_at is not None else None
            if discharged is not None and discharged > today:
                discharged, destination = None, None
            else:
                destination = r.destination
            row: dict[str, Any] = stay_row(admitted, discharged, destination, r.sex,
                           _age_at(r.birth_date, r.birth_year_estimated, admitted), r.parent_id is not None,
                           r.nationality or "", r.exploitation or "", r.exploitation_country or "", r.source,
                           r.identification, r.pathway)
            row[_PERSON] = r.resident_id
            rows.append(row)
    return rows, len(left_out), default_k


def _build(who: SignedIn, k: int | None, today: date | None) -> AnonymisedExport:
    who.require(Permission.EXPORT_ANONYMISED)
    if k is not None:
        check_k(k)  # before the work
    rows, not_consenting, default_k = _read(who, today or date.today())
    k = check_k(default_k if k is None else k)
    ladder = ladders(rows, k)
    levels = choose_levels(rows, GENERALISED, ladder, k, int(MAX_SUPPRESSED * len(rows)), _PERSON)
    chosen, rest = _generalise(rows, GENERALISED, ladder, levels)
    # k-anonymity over the whole row: the rows still rarer than k are left out
    # (or, had the choice above left too many, the fields generalised further).
    result = k_anonymise(chosen, GENERALISED[::-1], rest, k=k, max_suppressed=MAX_SUPPRESSED)  # the least worth first
    # A person who stayed twice is two rows: a combination must be shared by
    # k people, not only k rows, or fewer than k people could hide in it.
    combos = [released_row(row) for row in result.rows]
    people: dict[tuple[str, ...], set[Any]] = defaultdict(set)
    for combo, row in zip(combos, result.rows, strict=True):
        people[combo].add(row[_PERSON])
    released = sorted(combo for combo in combos if len(people[combo]) >= k)
    return AnonymisedExport(FIELDS, tuple(released), k, len(rows) - len(released), not_consenting,
                            {f: levels[f] + result.levels.get(f, 0) for f in GENERALISED})


def _audit(who: SignedIn, outcome: str, result: AnonymisedExport, to: str, extra: Mapping[str, Any]) -> None:
    """One "export.anonymised" entry in its own committed transaction: how
    many rows, how many suppressed and left out, and k; never a value."""
    with who.store.write() as s:
        who.audit(s, ACTION, outcome=outcome,
                  detail={"to": to, "rows": len(result.rows), "suppressed": result.suppressed, "k": result.k,
                          "not_consenting": result.not_consenting, **extra})


def anonymised(who: SignedIn, k: int | None = None, today: date | None = None) -> AnonymisedExport:
    """The anonymised export in memory (for a preview, or a caller that sends
    it itself), made to ``k`` (the setting ``anonymised_k`` when None; at
    least 2), as of ``today``: stays admitted later are not in it, stays
    ended later are "ongoing". Needs EXPORT_ANONYMISED; audited before it
    is returned."""
    result = _build(who, k, today)
    _audit(who, "ok", result, "memory", {})
    return result


def export_anonymised(who: SignedIn, path: Path | str, k: int | None = None,
                      today: date | None = None) -> AnonymisedExport:
    """Write the anonymised export to ``path`` as CSV (UTF-8 with a
    byte-order mark; ``docs/anonymised-export.md``), atomically and
    owner-only, between two "export.anonymised" audit entries ("started",
    then "ok" or "failed"): no file exists that the log does not know of."""
    who.require(Permission.EXPORT_ANONYMISED)
    target = check_target(path)
    result = _build(who, k, today)
    write_recorded(target, result.csv_bytes(), lambda outcome, extra: _audit(who, outcome, result, "file", extra))
    return AnonymisedExport(result.fields, result.rows, result.k, result.suppressed, result.not_consenting,
                            result.levels, target)
