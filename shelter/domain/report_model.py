"""What a report is, apart from how its figures are computed
(``shelter.services.reports``) and how it is drawn (the Reports screen, the
PDF, the spreadsheets): a period, sections of figures, tables of counts and
charts drawn from those tables.

A report holds codes and numbers, never translated text: each axis knows how
to label its codes in a language, so the same report is shown in the
screen's language and printed in the language chosen when printing.

Two states. As computed, a report holds the true counts (shown on screen,
inside the shelter, to those allowed to see them). ``released`` gives the
copy that may leave the machine: every count table goes through
``shelter.domain.disclosure.suppress`` (small counts shown as "<5", and
enough others hidden that none can be worked out from the totals), and a
figure or a measure computed from fewer people than the threshold is hidden
too. The PDF, XLSX and CSV are only ever made from a released report.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from shelter.domain.disclosure import SMALL, TOTAL, suppress, with_totals
from shelter.errors import ValidationError
from shelter.i18n import N_, Translator, _, current_language, translator

Labeller = Callable[[str, Translator], str]

MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"), N_("July"),
          N_("August"), N_("September"), N_("October"), N_("November"), N_("December"))

# The units of figures and measures.
COUNT, NIGHTS, PERCENT, HOURS, DAYS, SCORE, SCORE_CHANGE = (
    "count", "nights", "percent", "hours", "days", "score", "score_change")


# -- the period ---------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included. ``kind`` says how it
    was given (a month, a quarter, a year, or a range) for its label."""

    start: date
    end: date
    kind: str = "range"  # "month", "quarter", "year" or "range"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationError(_("The period ends before it starts."), field="period")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        following = date(year + (month == 12), month % 12 + 1, 1)
        return cls(date(year, month, 1), following - timedelta(days=1), "month")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = cls.month(year, 3 * quarter - 2)
        return cls(first.start, cls.month(year, 3 * quarter).end, "quarter")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), "year")

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026-11`` (a month), ``2026-Q4`` (a quarter), ``2026`` (a year)."""
        text = text.strip().upper()
        try:
            if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
                return cls.month(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"(\d{4})-?Q([1-4])", text):
                return cls.quarter(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"\d{4}", text):
                return cls.year(int(text))
        except ValueError:
            pass
        raise ValidationError(_("Give the period as 2026-11 (a month), 2026-Q4 (a quarter) or 2026 (a year)."),
                              field="period")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def label(self, tr: Translator | None = None) -> str:
        tr = tr or translator(current_language())
        if self.kind == "month":
            return tr.gettext("{month} {year}").format(month=tr.gettext(MONTHS[self.start.month - 1]),
                                                       year=self.start.year)
        if self.kind == "quarter":
            return tr.gettext("Quarter {quarter} of {year}").format(quarter=(self.start.month + 2) // 3,
                                                                    year=self.start.year)
        if self.kind == "year":
            return tr.gettext("Year {year}").format(year=self.start.year)
        return tr.gettext("{start} to {end}").format(start=self.start.isoformat(), end=self.end.isoformat())

    @property
    def slug(self) -> str:
        """For file names: 2026-11, 2026-Q4, 2026, 2026-11-01_2026-11-30."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month + 2) // 3}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()}_{self.end.isoformat()}"


# -- labels ---------------------------------------------------------------------------

def message(text: str) -> Labeller:
    """A label that is one translatable message, whatever the code."""
    return lambda _code, tr: tr.gettext(text)


def messages(labels: Mapping[str, str]) -> Labeller:
    """Labels that are translatable messages, one per code."""
    return lambda code, tr: tr.gettext(labels[code])


def verbatim(names: Mapping[str, str]) -> Labeller:
    """Labels that are names (a shelter, a country code): the same in every language."""
    return lambda code, _tr: names.get(code, code)


@dataclass(frozen=True)
class Axis:
    """The rows or the columns of a table: codes in order, how to label them,
    and the axis's own title (a message)."""

    title: str
    codes: tuple[str, ...]
    labeller: Labeller

    def label(self, code: str, tr: Translator) -> str:
        if code == TOTAL:
            return tr.gettext("Total")
        return self.labeller(code, tr)


ONE_COLUMN = Axis(N_("Count"), ("n",), message(N_("Count")))


# -- tables, figures, charts --------------------------------------------------------------

@dataclass(frozen=True)
class Table:
    """Counts (``unit`` COUNT, with row and column totals) or measures (a
    rate, an average, hours: no totals; each value with the number of
    people it was computed from in ``bases``). ``detail`` tables (one row per
    day) go to the spreadsheets and feed charts; the screen and the PDF
    print them as a chart only."""

    key: str
    title: str  # a message
    rows: Axis
    cols: Axis
    cells: Mapping[tuple[str, str], float]
    unit: str = COUNT
    bases: Mapping[tuple[str, str], int] = field(default_factory=dict)
    note: str = ""  # a message: what the table counts, when its title is not enough
    detail: bool = False
    # Counts of people or their records are suppressed on release; counts of
    # beds (``people`` false) are printed as they are.
    people: bool = True
    # A person may be counted in several rows (forms of exploitation): no
    # total row is printed, since it would not count people.
    overlapping: bool = False
    hidden: Mapping[tuple[str, str], str] = field(default_factory=dict)  # after release: SMALL or HIDDEN
    threshold: int = 0  # after release: the small-cell threshold

    @property
    def counts(self) -> bool:
        return self.unit == COUNT

    @property
    def row_codes(self) -> tuple[str, ...]:
        if self.overlapping:
            return self.rows.codes
        return (*self.rows.codes, TOTAL) if self.counts and len(self.rows.codes) > 1 else self.rows.codes

    @property
    def col_codes(self) -> tuple[str, ...]:
        return (*self.cols.codes, TOTAL) if self.counts and len(self.cols.codes) > 1 else self.cols.codes

    def value(self, row: str, col: str) -> float | None:
        """The value, None when hidden (or, for a measure, when there was nothing to measure)."""
        if (row, col) in self.hidden:
            return None
        if self.counts:
            return self._with_totals().get((row, col), 0)
        return self.cells.get((row, col))

    def _with_totals(self) -> dict[tuple[str, str], int]:
        cached = self.__dict__.get("_totals")
        if cached is None:
            cached = with_totals({k: int(v) for k, v in self.cells.items()}, self.rows.codes, self.cols.codes)
            object.__setattr__(self, "_totals", cached)
        return cached

    def text(self, row: str, col: str, tr: Translator | None = None) -> str:
        """As printed: the number, "<5" for a small count, "x" for one hidden to protect another, "–" for nothing measured."""
        why = self.hidden.get((row, col))
        if why == SMALL:
            return f"<{self.threshold}"
        if why is not None:
            return "x"
        return format_value(self.value(row, col), self.unit, tr.lang if tr else None)

    def released(self, threshold: int) -> Table:
        if not self.people:
            return replace(self, threshold=threshold)
        if self.counts:
            safe = suppress({k: int(v) for k, v in self.cells.items()}, self.rows.codes, self.cols.codes, threshold)
            return replace(self, hidden=dict(safe.hidden), threshold=threshold)
        hidden = {k: SMALL for k, base in self.bases.items() if 0 < base < threshold}
        return replace(self, hidden=hidden, threshold=threshold)


@dataclass(frozen=True)
class Figure:
    """One number of a section's summary: bed nights, the average length of
    stay. ``base``: how many people it was computed from (None when it is
    itself a count of people), so a measure of fewer than the threshold is
    hidden on release like a small count."""

    key: str
    label: str  # a message
    value: float | None
    unit: str = COUNT
    base: int | None = None
    people: bool = True  # false for a count of beds: never hidden
    hidden: bool = False
    threshold: int = 0

    def text(self, tr: Translator | None = None) -> str:
        if self.hidden:
            return f"<{self.threshold}"
        return format_value(self.value, self.unit, tr.lang if tr else None)

    def released(self, threshold: int) -> Figure:
        n = self.base if self.base is not None else (self.value if self.unit == COUNT else None)
        small = self.people and n is not None and 0 < n < threshold
        return replace(self, hidden=small, threshold=threshold)


@dataclass(frozen=True)
class Chart:
    """A chart of a table of the same section, drawn the same way on screen
    and in the PDF: ``bars`` (one bar per row, one colour per column) or
    ``line`` (a row per day, one line per column). It shows what its table
    shows: hidden values are left out and marked."""

    key: str
    title: str  # a message
    table: str  # the key of the table it draws
    kind: str = "bars"


@dataclass(frozen=True)
class Section:
    key: str  # a vocabulary.REPORT code
    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


@dataclass(frozen=True)
class Report:
    period: Period
    shelter_code: str | None  # None: every shelter
    shelter_name: str  # "" for every shelter
    made_by: str  # the display name of who made it
    made_at: datetime
    sections: tuple[Section, ...]
    threshold: int = 0  # 0 as computed (true counts); the small-cell threshold once released

    @property
    def is_released(self) -> bool:
        return self.threshold > 0

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def released(self, threshold: int) -> Report:
        """The copy that may leave the machine (see the module's docstring)."""
        if threshold < 2:
            raise ValueError("a release threshold is at least 2")
        return replace(self, threshold=threshold, sections=tuple(
            replace(s, figures=tuple(f.released(threshold) for f in s.figures),
                    tables=tuple(t.released(threshold) for t in s.tables)) for s in self.sections))

    def where(self, tr: Translator) -> str:
        return self.shelter_name or tr.gettext("All shelters")


# The decimal separator of each language as Morocco writes it (Western digits in all three).
DECIMAL_COMMA = frozenset({"fr", "ar"})


def format_value(value: float | None, unit: str, lang: str | None = None) -> str:
    """A figure as printed in ``lang`` (the current language by default): "62,8 %" in French and Arabic,
    "62.8 %" in English; counts as whole numbers; "–" for nothing measured."""
    if value is None:
        return "–"
    if unit == PERCENT:
        text = f"{value:.1f} %"
    elif unit in (HOURS, DAYS):
        text = f"{value:.1f}"
    elif unit == SCORE:
        text = f"{value:.2f}"
    elif unit == SCORE_CHANGE:
        text = f"{value:+.2f}" if round(value, 2) else "0.00"
    else:
        return str(int(round(value)))
    return text.replace(".", ",") if (lang or current_language()) in DECIMAL_COMMA else text
