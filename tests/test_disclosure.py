"""Disclosure control: small counts hidden, with enough others that none can
be worked out from the totals; case-level rows generalised and, when that
is not enough, left out, until every combination is shared by k rows."""

from __future__ import annotations

import random
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from shelter.domain.disclosure import HIDDEN, SMALL, TOTAL, derivable, k_anonymise, smallest_class, suppress


def test_small_counts_are_hidden_and_zeros_and_large_ones_shown():
    table = suppress({("f", "sexual"): 3, ("f", "labour"): 12, ("m", "labour"): 9, ("m", "sexual"): 0},
                     ["f", "m"], ["sexual", "labour"])
    assert table.text("f", "sexual") == "<5" and table.why("f", "sexual") == SMALL
    assert table.value("m", "sexual") == 0  # nobody: nothing to hide
    assert table.why("f", "labour") == HIDDEN  # else 15 - 12 would give the 3 back
    assert table.value("f", TOTAL) == 15 and table.value("m", "labour") == 9
    assert derivable(table, ["f", "m"], ["sexual", "labour"]) == []


def test_a_total_that_would_reveal_a_hidden_cell_gets_another_cell_hidden():
    # One column of three rows and its total: with 3 hidden alone, 53 - 20 - 30 gives it back.
    table = suppress({("a", "n"): 3, ("b", "n"): 20, ("c", "n"): 30}, ["a", "b", "c"], ["n"])
    assert table.why("a", "n") == SMALL
    assert table.why("b", "n") == HIDDEN  # the smallest other count
    assert table.value("c", "n") == 30 and table.value(TOTAL, "n") == 53
    assert table.text("b", "n") == "x"
    assert derivable(table, ["a", "b", "c"], ["n"]) == []


def test_a_small_total_is_itself_hidden():
    table = suppress({("a", "x"): 2, ("a", "y"): 1, ("b", "x"): 40, ("b", "y"): 50}, ["a", "b"], ["x", "y"])
    assert table.why("a", TOTAL) == SMALL
    assert derivable(table, ["a", "b"], ["x", "y"]) == []


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.data())
def test_no_hidden_count_can_be_read_off_a_row_or_a_column(n_rows, n_cols, data):
    rows, cols = [f"r{i}" for i in range(n_rows)], [f"c{j}" for j in range(n_cols)]
    cells = {(r, c): data.draw(st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 9, 15, 40, 120])) for r in rows for c in cols}
    table = suppress(cells, rows, cols)
    assert derivable(table, rows, cols) == []
    for key, count in table.counts.items():
        if 0 < count < 5:
            assert table.value(*key) is None  # every small count hidden, totals included
        shown = table.value(*key)
        assert shown is None or shown == 0 or shown >= 5


def _rows(n: int, seed: int = 7) -> list[dict]:
    chance = random.Random(seed)
    nationalities = ["NG", "NG", "NG", "CM", "CI", "MA", "MA", "SN", "GN", "PH", "SY"]
    return [{"admitted": date(2025, chance.randint(1, 12), chance.randint(1, 28)), "age": chance.randint(14, 45),
             "nationality": chance.choice(nationalities), "exploitation": chance.choice(["sexual", "labour"])}
            for _ in range(n)]


LADDERS = {
    "admitted": [lambda d: d.strftime("%Y-%m"), lambda d: str(d.year)],
    "age": [lambda a: "0-17" if a < 18 else "18-24" if a < 25 else "25-59", lambda a: "minor" if a < 18 else "adult"],
    "nationality": [lambda n: {"NG": "West Africa", "CM": "Central Africa", "CI": "West Africa", "SN": "West Africa",
                               "GN": "West Africa", "MA": "North Africa", "PH": "Asia", "SY": "Middle East"}[n],
                    lambda n: "Africa" if n in ("NG", "CM", "CI", "SN", "GN", "MA") else "Other"],
}
FIELDS = ["admitted", "age", "nationality", "exploitation"]


def test_every_combination_is_shared_by_k_rows():
    rows = _rows(400)
    result = k_anonymise(rows, FIELDS, LADDERS, k=11)
    assert smallest_class(result.rows, FIELDS) >= 11
    assert len(result.rows) + result.suppressed == 400
    assert result.suppressed <= 0.05 * 400
    assert any(level > 0 for level in result.levels.values())  # some field had to be generalised
    # And of every subset of the fields: a combination of fewer fields is shared by at least as many.
    for size in range(1, len(FIELDS)):
        for i in range(len(FIELDS) - size + 1):
            assert smallest_class(result.rows, FIELDS[i:i + size]) >= 11


def test_rows_are_left_out_when_generalising_is_not_enough():
    rows = _rows(30, seed=3)
    result = k_anonymise(rows, FIELDS, LADDERS, k=11, max_suppressed=0.0)
    assert result.rows == [] or smallest_class(result.rows, FIELDS) >= 11
    assert len(result.rows) + result.suppressed == 30
    assert all(result.levels[f] == len(LADDERS[f]) for f in LADDERS)  # everything as general as it goes first
