"""The residents list at the scale of a national network (20,000 residents
over 10 years in 12 shelters), offscreen, in a real ResidentsPage and its
QTableView, each scenario ending with the rows in view painted.

Each is timed against bare SQL on a raw SQLCipher connection to the same
file, in the same run, reading the same ids and rows (the baseline): the
ratio is what the service and the screen add (ORM, read models, permission
checks, name forms, one audit entry per search and per page of rows read,
the widgets and the painting). Times are medians of warm runs.

- open: the page built, its search run, the first rows read and painted;
- everyone: the residence filter set to All (every person on record);
- scroll to the end: a search of everyone, then the list scrolled down a page
  at a time to its end, painting each, so every page of rows is read;
- sort by name: a click on the Name header (the whole result sorted in SQL)
  and the first rows of the new order read and painted, rows cold.

    python -m benchmarks residents [--store DIR] [--residents N] [--years Y] [--shelters S] [--runs N]

The demo store is kept between runs (building one takes several minutes) in
the temporary folder, named by its size; ``--store DIR`` puts it elsewhere.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.beds import _ensure_store, _median_ms, _report, store_arguments

IDS_SQL = """
SELECT res.id FROM resident res
LEFT JOIN stay st ON st.resident_id = res.id AND st.discharged_at IS NULL
WHERE {where}
ORDER BY {order}
"""

ROWS_SQL = """
SELECT res.id, res.case_number, res.name_latin, res.name_arabic, res.preferred_name, res.sex, res.nationality,
       res.risk_level, st.id, sh.name
FROM resident res
LEFT JOIN stay st ON st.resident_id = res.id AND st.discharged_at IS NULL
LEFT JOIN shelter sh ON sh.id = st.shelter_id
WHERE res.id IN ({marks})
"""

BEDS_SQL = """
SELECT a.stay_id, r.name || ' / ' || b.label FROM bed_assignment a
JOIN bed b ON b.id = a.bed_id JOIN room r ON r.id = b.room_id
WHERE a.stay_id IN ({marks}) AND a.ended_at IS NULL
"""

BY_NAME = "lower(coalesce(nullif(res.preferred_name, ''), nullif(res.name_latin, ''), res.name_arabic)) {d}, res.id {d}"


def _cached_store(args: argparse.Namespace) -> None:
    """Without ``--store``, the demo store of this size in the temporary
    folder, built there once (under another name until it is complete, so an
    interrupted build is not reused)."""
    if args.store is not None:
        return
    name = f"shelter-bench-demo-{args.residents}r-{args.years:g}y-{args.shelters}s"
    final = Path(tempfile.gettempdir()) / name
    if not (final / "store" / "keyring.json").exists():
        partial = final.with_name(name + ".partial")
        if partial.exists():
            import shutil

            shutil.rmtree(partial)
        _ensure_store(argparse.Namespace(**{**vars(args), "store": partial / "store"}))
        partial.rename(final)
    args.store = final / "store"


def _median_ms_cold(prepare: Callable[[], Any], call: Callable[[], Any], runs: int) -> float:
    """Like ``_median_ms`` (one warm call first), with ``prepare()`` run
    untimed before each call."""
    _time_after(prepare, call)
    return statistics.median(_time_after(prepare, call) for _run in range(runs)) * 1000


def _time_after(prepare: Callable[[], Any], call: Callable[[], Any]) -> float:
    prepare()
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    parser = argparse.ArgumentParser(prog="python -m benchmarks residents")
    store_arguments(parser)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    _cached_store(args)
    folder, _scratch = _ensure_store(args)

    from shelter.services.demo import COORDINATOR, DEMO_PASSWORD
    from shelter.storage.database import connect_raw
    from shelter.store import Store
    from ui.app import make_application
    from ui.qt import Qt
    from ui.residents import page as residents_page
    from ui.residents.page import ResidentsPage

    app = make_application(["benchmark"])
    who = Store(folder).sign_in(COORDINATOR, DEMO_PASSWORD)
    raw = connect_raw(who.store.database_path, who.store.key)
    try:
        size = residents_page.PAGE

        def bare_rows(ids: list[int]) -> None:
            marks = ",".join("?" * len(ids))
            found = raw.execute(ROWS_SQL.format(marks=marks), ids).fetchall()
            stays = [r[8] for r in found if r[8] is not None]
            if stays:
                raw.execute(BEDS_SQL.format(marks=",".join("?" * len(stays))), stays).fetchall()

        def bare_ids(where: str = "1", order: str = "res.id DESC") -> list[int]:
            return [r for (r,) in raw.execute(IDS_SQL.format(where=where, order=order))]

        def bare_first_page(where: str = "1", order: str = "res.id DESC") -> None:
            bare_rows(bare_ids(where, order)[:size])

        def bare_every_page() -> None:
            ids = bare_ids()
            for start in range(0, len(ids), size):
                bare_rows(ids[start:start + size])

        def painted(page: ResidentsPage) -> None:
            app.processEvents()  # what the view has posted (a layout after a reset or a scroll)
            page.table.viewport().repaint()
            app.processEvents()

        pages: list[ResidentsPage] = []

        def open_page() -> None:
            for old in pages:
                old.close()
                old.deleteLater()
            pages.clear()
            app.processEvents()
            page = ResidentsPage(who)
            page.resize(1366, 700)
            page.show()
            painted(page)
            pages.append(page)

        opened = _median_ms(open_page, args.runs)
        page = pages[0]
        in_residence = page.model.rowCount()
        print(f"residents list: {in_residence} people in residence, {len(bare_ids())} on record, "
              f"{size} rows a page")
        _report("open (in residence), first rows painted", opened,
                _median_ms(lambda: bare_first_page("st.id IS NOT NULL"), args.runs))

        def everyone() -> None:
            page.status.setCurrentIndex(page.status.findData("all"))
            painted(page)

        def back_to_residence() -> None:
            page.status.setCurrentIndex(page.status.findData("in_residence"))
            app.processEvents()

        _report("residence filter set to All, first rows painted",
                _median_ms_cold(back_to_residence, everyone, args.runs),
                _median_ms(bare_first_page, args.runs))
        everyone()
        total = page.model.rowCount()

        scroll = page.table.verticalScrollBar()

        def scroll_down() -> None:
            for value in range(size, scroll.maximum(), size):
                scroll.setValue(value)
                painted(page)
            scroll.setValue(scroll.maximum())
            painted(page)

        def scroll_to_the_end() -> None:
            page.refresh()
            painted(page)
            scroll_down()

        def scroll_again() -> None:  # every row read already: the painting alone
            page.table.scrollToTop()
            painted(page)
            scroll_down()

        before = page.model.pages_read
        scroll_to_the_end()
        read = page.model.pages_read - before
        wanted = math.ceil(total / size)
        print(f"scrolling to the end read {read} pages of {wanted} ({total} people)")
        assert read == wanted, "every page is read once on the way down"
        _report(f"search everyone, scroll to the end ({wanted} pages)", _median_ms(scroll_to_the_end, args.runs),
                _median_ms(bare_every_page, args.runs))
        print(f"{'  of which painting (the same scroll, rows read)':52} {_median_ms(scroll_again, args.runs):8.2f} ms")
        header = page.table.horizontalHeader()
        descending = iter(range(10**6))

        def cold() -> None:  # a new search: no row of it read yet, none painted
            header.setSortIndicator(-1, Qt.DescendingOrder)
            page.refresh()

        def sort_by_name() -> None:
            header.setSortIndicator(1, Qt.DescendingOrder if next(descending) % 2 else Qt.AscendingOrder)
            painted(page)

        bare_directions = iter(range(10**6))
        _report("sort everyone by name (click), first rows painted", _median_ms_cold(cold, sort_by_name, args.runs),
                _median_ms(lambda: bare_first_page(order=BY_NAME.format(
                    d="DESC" if next(bare_directions) % 2 else "ASC")), args.runs))
        first = page.model.row(0)
        print(f"  first by name: {first.case_number if first else '?'}; "
              f"header sorted on column {header.sortIndicatorSection()}")

        def page_read() -> None:
            page.model._read_page(0)  # noqa: SLF001  (the cost of one page, alone)

        print(f"{'  one page of rows read (service, audited)':52} {_median_ms(page_read, args.runs):8.2f} ms"
              f"   bare SQL {_median_ms(lambda: bare_rows(bare_ids()[:size]), args.runs):7.2f} ms (with the ids)")
    finally:
        raw.close()
        for old in pages:
            old.close()
        who.lock("sign_out")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
