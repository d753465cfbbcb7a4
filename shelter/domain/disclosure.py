"""Statistical disclosure control: what makes a figure safe to leave the
shelter. No storage and no report here: the reports give these rules their
tables and rows.

Small cells. A count from 1 to ``threshold - 1`` is *small* and is not shown
("<5"). Totals are published too, so a single hidden cell in a row or a
column could be worked out from its total and the other cells: every row
and every column, with its total, is an equation, and no equation may keep
exactly one hidden value. Where one does, another value of it is hidden as
well (the smallest count that is not zero, so as little as possible is lost;
a total when nothing else is left), and the rule runs again until no
equation has one unknown. This is the usual complementary suppression of
official statistics; like it, it stops a hidden cell from being read off a
row or a column, not every deduction a linear solver could make across the
whole table (a 2×2 block of hidden cells is the smallest pattern that
survives both).

Case-level rows (k-anonymity). Every combination of the released fields must
be shared by at least ``k`` rows. Fields are generalised step by step along
their ladders (a date to its month, then its year; an age to a band, then a
wider one; a nationality to its region), always the step that leaves the
fewest rows in classes smaller than k, until at most ``max_suppressed``
of the rows remain in such classes; those rows are then left out, and how
many were is said.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SMALL = "small"  # below the threshold: shown as "<threshold"
HIDDEN = "hidden"  # hidden so that a small count cannot be worked out

Key = Hashable
TOTAL: Key = "__total__"


@dataclass(frozen=True)
class SafeTable:
    """A table of counts as it may leave the shelter: ``value(row, col)`` is
    the count, or None when hidden; ``why(row, col)`` is SMALL or HIDDEN for
    a hidden one. Row totals are at column ``TOTAL``, column totals at row
    ``TOTAL``, the grand total at (``TOTAL``, ``TOTAL``)."""

    counts: Mapping[tuple[Key, Key], int]
    hidden: Mapping[tuple[Key, Key], str]
    threshold: int

    def value(self, row: Key, col: Key) -> int | None:
        return None if (row, col) in self.hidden else self.counts.get((row, col), 0)

    def why(self, row: Key, col: Key) -> str | None:
        return self.hidden.get((row, col))

    def text(self, row: Key, col: Key, hidden_mark: str = "x") -> str:
        """As printed: the count, "<5" for a small one, ``hidden_mark`` for one hidden to protect it."""
        why = self.why(row, col)
        if why == SMALL:
            return f"<{self.threshold}"
        if why == HIDDEN:
            return hidden_mark
        return str(self.value(row, col))


def with_totals(cells: Mapping[tuple[Key, Key], int], rows: Sequence[Key], cols: Sequence[Key]
                ) -> dict[tuple[Key, Key], int]:
    """The cells with their row, column and grand totals added."""
    out = {(r, c): int(cells.get((r, c), 0)) for r in rows for c in cols}
    for r in rows:
        out[(r, TOTAL)] = sum(out[(r, c)] for c in cols)
    for c in cols:
        out[(TOTAL, c)] = sum(out[(r, c)] for r in rows)
    out[(TOTAL, TOTAL)] = sum(out[(r, TOTAL)] for r in rows)
    return out


def suppress(cells: Mapping[tuple[Key, Key], int], rows: Sequence[Key], cols: Sequence[Key],
             threshold: int = 5) -> SafeTable:
    """Hide the small counts of a table (``cells``, one count per row and
    column; zeros may be left out) and enough others that none can be worked
    out from the totals published with it."""
    counts = with_totals(cells, rows, cols)
    hidden: dict[tuple[Key, Key], str] = {k: SMALL for k, v in counts.items() if 0 < v < threshold}
    all_rows, all_cols = [*rows, TOTAL], [*cols, TOTAL]
    # Each equation: the cells of a line and its total.
    equations = [[(r, c) for c in all_cols] for r in all_rows] + [[(r, c) for r in all_rows] for c in all_cols]
    changed = True
    while changed:
        changed = False
        for line in equations:
            unknown = [k for k in line if k in hidden]
            if len(unknown) != 1:
                continue
            others = [k for k in line if k not in hidden]
            # The smallest non-zero count of the line that is not a total; else a zero; else a total.
            inner = [k for k in others if TOTAL not in k]
            choice = (min((k for k in inner if counts[k] > 0), key=lambda k: counts[k], default=None)
                      or next(iter(inner), None) or min(others, key=lambda k: counts[k], default=None))
            if choice is None:
                continue
            hidden[choice] = HIDDEN
            changed = True
    return SafeTable(counts, hidden, threshold)


def derivable(table: SafeTable, rows: Sequence[Key], cols: Sequence[Key]) -> list[tuple[Key, Key]]:
    """The hidden values some row or column gives away (the only hidden one
    of its line): empty for a table ``suppress`` made. For tests and checks."""
    all_rows, all_cols = [*rows, TOTAL], [*cols, TOTAL]
    found = []
    for line in [[(r, c) for c in all_cols] for r in all_rows] + [[(r, c) for r in all_rows] for c in all_cols]:
        unknown = [k for k in line if k in table.hidden]
        if len(unknown) == 1:
            found.append(unknown[0])
    return found


# -- case-level rows ------------------------------------------------------------------

Ladder = Sequence[Callable[[Any], Any]]  # level 1, 2, … (level 0 is the value itself)


@dataclass(frozen=True)
class Anonymised:
    rows: list[dict[str, Any]]  # the released rows, generalised
    suppressed: int  # rows left out because their combination stayed rarer than k
    levels: dict[str, int]  # how far each field was generalised (0: as it was)
    k: int


def _generalised(row: Mapping[str, Any], levels: Mapping[str, int], ladders: Mapping[str, Ladder]) -> dict[str, Any]:
    out = dict(row)
    for name, level in levels.items():
        if level:
            out[name] = ladders[name][level - 1](row[name])
    return out


def _signature(row: Mapping[str, Any], fields: Sequence[str]) -> tuple[Any, ...]:
    return tuple(row.get(f) for f in fields)


def k_anonymise(rows: Sequence[Mapping[str, Any]], fields: Sequence[str], ladders: Mapping[str, Ladder], k: int = 11,
                max_suppressed: float = 0.05) -> Anonymised:
    """Generalise ``fields`` along their ``ladders`` until at most
    ``max_suppressed`` of the rows stay in combinations shared by fewer than
    ``k`` rows, then leave those rows out. Every combination of ``fields`` in
    the result is shared by at least ``k`` rows (or the result is empty).

    The search works on columns, not rows: each field's values at each level
    are computed once and numbered, and a row's combination is one integer
    (each field a digit in its own base), so trying a step changes one digit
    of every row instead of generalising every row again (national scale:
    16,000 rows, 18 fields, a few hundred trials)."""
    if k < 1:
        raise ValueError("k is at least 1")
    levels = {f: 0 for f in fields if f in ladders}
    budget = int(max_suppressed * len(rows))
    raw = {f: [r.get(f) for r in rows] for f in fields}
    # A coarser level never has more distinct values than the field itself.
    weight, place = {}, 1
    for f in fields:
        weight[f] = place
        place *= len(set(raw[f])) + 1
    digits: dict[tuple[str, int], list[int]] = {}

    def column(name: str, level: int) -> list[int]:
        if (name, level) not in digits:
            values = raw[name] if level == 0 else [ladders[name][level - 1](v) for v in raw[name]]
            numbers: dict[Any, int] = {}
            digits[(name, level)] = [numbers.setdefault(v, len(numbers)) * weight[name] for v in values]
        return digits[(name, level)]

    def rare(keys: list[int]) -> int:
        return sum(n for n in Counter(keys).values() if n < k)

    keys = [sum(parts) for parts in zip(*(column(f, 0) for f in fields), strict=True)] if fields else [0] * len(rows)
    while rare(keys) > budget:
        best: tuple[int, str] | None = None
        for name in levels:
            if levels[name] >= len(ladders[name]):
                continue
            old, new = column(name, levels[name]), column(name, levels[name] + 1)
            trial = rare([key - o + n for key, o, n in zip(keys, old, new, strict=True)])
            if best is None or trial < best[0]:
                best = (trial, name)
        if best is None:
            break  # every field as general as it goes
        name = best[1]
        old, new = column(name, levels[name]), column(name, levels[name] + 1)
        keys = [key - o + n for key, o, n in zip(keys, old, new, strict=True)]
        levels[name] += 1
    counts = Counter(keys)
    kept = [_generalised(r, levels, ladders) for r, key in zip(rows, keys, strict=True) if counts[key] >= k]
    return Anonymised(kept, len(rows) - len(kept), dict(levels), k)


def smallest_class(rows: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> int:
    """How many rows share the rarest combination of ``fields`` (0 when there are no rows)."""
    counts = Counter(_signature(r, fields) for r in rows)
    return min(counts.values(), default=0)
