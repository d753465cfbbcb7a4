"""Building a document: a warm recovery sheet against a bare one-page
ReportLab document in the same run.

Warm means what an administrator waits for after the first document of the
session: fonts registered and catalogues loaded, so the figure is layout,
shaping, bidi, font subsetting and writing the PDF. The bare document is
one paragraph in a standard font (nothing embedded), the least ReportLab
can do. Both are built in memory.

    python -m benchmarks documents [--runs N]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable
from datetime import datetime

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate

from shelter.documents import RecoverySheet, recovery_sheet

SHEET = RecoverySheet(
    shelter_name="Dar Al Amane — دار الأمان",
    recovery_code="7K3QX-M2PAV-9D0RT-1HWBZ-C8NEF-4Y6GS",
    issued_at=datetime(2026, 11, 22, 10, 5),
    store_id="3F2A-91C0",
    printed_by="Amina Benali",
    printed_at=datetime(2026, 11, 24, 9, 30),
)


def bare_document() -> bytes:
    """One page, one paragraph, Helvetica: ReportLab's floor."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4)
    doc.build([Paragraph("Recovery sheet for Dar Al Amane.", getSampleStyleSheet()["Normal"])])
    return buffer.getvalue()


def _median_seconds(build: Callable[[], bytes], runs: int) -> float:
    build()  # warm: fonts, catalogues, imports
    times = []
    for _run in range(runs):
        start = time.perf_counter()
        build()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks documents")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    base = _median_seconds(bare_document, args.runs)
    print(f"bare one-page ReportLab document: median {base * 1000:.1f} ms over {args.runs} runs")
    for lang in ("en", "fr", "ar"):
        median = _median_seconds(lambda lang=lang: recovery_sheet(SHEET, lang), args.runs)
        print(f"recovery sheet ({lang}), warm: median {median * 1000:.1f} ms, {median / base:.2f}x the bare document")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
