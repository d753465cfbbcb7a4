"""The bed board screen at the scale of a national network (12 shelters of
60 beds, 20,000 residents over 10 years), offscreen, against the cost of
building and painting one plain button per bed in the same run, which is
what a board of one widget per bed cannot go below.

Measured (medians of warm runs, each ending with the board painted):
- first show: the page built, read and painted;
- refresh: Refresh pressed (the whole board read again) and painted;
- filter: the status filter changed and the board painted;
- one change: a change notice naming one bed (what a discharge made from
  a resident's file sends) applied and painted.

    python -m benchmarks board [--store DIR] [--runs N]

``--store DIR`` reuses (or keeps) the demo store of ``benchmarks beds``.
"""

from __future__ import annotations

import argparse
import os
import shutil

from benchmarks.beds import _ensure_store, _median_ms, store_arguments


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    parser = argparse.ArgumentParser(prog="python -m benchmarks board")
    store_arguments(parser)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    folder, scratch = _ensure_store(args)

    from shelter.domain.changes import BedServiceChanged
    from shelter.services.demo import COORDINATOR, DEMO_PASSWORD
    from shelter.store import Store
    from ui.app import make_application
    from ui.beds.board import BedBoardPage
    from ui.qt import QGridLayout, QPushButton, QWidget

    app = make_application(["benchmark"])
    who = Store(folder).sign_in(COORDINATOR, DEMO_PASSWORD)
    try:
        def painted(widget: QWidget) -> None:
            widget.repaint()
            app.processEvents()

        def plain_buttons() -> None:
            box = QWidget()
            box.resize(1366, 700)
            grid = QGridLayout(box)
            for n in range(beds):
                grid.addWidget(QPushButton(f"Bed {n}\nRBT1-2026-{n:04d}\nName"), n // 8, n % 8)
            box.show()
            painted(box)
            box.deleteLater()
            app.processEvents()

        page_holder: list[BedBoardPage] = []

        def first_show() -> None:
            for old in page_holder:
                old.deleteLater()
            page_holder.clear()
            page = BedBoardPage(who)
            page.resize(1366, 700)
            page.show()
            painted(page)
            page_holder.append(page)

        first_show()
        page = page_holder[0]
        beds = len(page.tiles)
        occupied = sum(1 for t in page.tiles.values() if t.status == "occupied")
        print(f"bed board: {beds} beds, {occupied} occupied")
        baseline = _median_ms(plain_buttons, args.runs)
        shown = _median_ms(first_show, args.runs)
        page = page_holder[0]

        def refresh() -> None:
            page.refresh()
            painted(page)

        states = iter(range(10**6))

        def filter_change() -> None:
            page.status_filter.setCurrentIndex(1 + next(states) % 2)  # free, occupied in turn
            painted(page)

        refreshed = _median_ms(refresh, args.runs)
        filtered = _median_ms(filter_change, args.runs)
        page.status_filter.setCurrentIndex(0)
        one = next(iter(page.tiles))

        def one_change() -> None:
            page.apply_change(BedServiceChanged(one, in_service=True))
            painted(page)

        changed = _median_ms(one_change, args.runs)
        print(f"{'720 plain buttons built and painted (baseline)':52} {baseline:8.1f} ms")
        for label, ms in (("first show", shown), ("refresh (whole board read) and paint", refreshed),
                          ("status filter changed and painted", filtered), ("one bed changed and painted", changed)):
            print(f"{label:52} {ms:8.1f} ms   {ms / baseline:5.2f}x the baseline")
    finally:
        who.lock("sign_out")
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0
