"""Building a document: a warm recovery sheet and a warm handover document
(every section, a belongings list; two pages) against a bare one-page
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
from datetime import date, datetime

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate

from shelter.documents import RecoverySheet, recovery_sheet
from shelter.documents.handover import Handover, IdentityPart, LanguagesPart, SafetyPart, StayPart, handover_document

SHEET = RecoverySheet(
    shelter_name="Dar Al Amane — دار الأمان",
    recovery_code="7K3QX-M2PAV-9D0RT-1HWBZ-C8NEF-4Y6GS",
    issued_at=datetime(2026, 11, 22, 10, 5),
    store_id="3F2A-91C0",
    printed_by="Amina Benali",
    printed_at=datetime(2026, 11, 24, 9, 30),
)

HANDOVER = Handover(
    reference="RBT1-2026-0042-H1", case_number="RBT1-2026-0042", reason="referral",
    receiver_organisation="Organisation Internationale pour les Migrations (OIM), Rabat",
    receiver_person="Mme Nadia Alaoui", handover_on=date(2026, 11, 30), shelter_name="Dar Al Amane — دار الأمان",
    shelter_city="Rabat", shelter_contact="Salma Idrissi, +212 600 000 000",
    belongings=(("Passport (original)", True), ("Medical file", True), ("Medicines for two weeks", True),
                ("Phone", True)),
    verification_code="7K2M-Q9XD", printed_by="Salma Idrissi", printed_at=datetime(2026, 11, 29, 9, 30),
    identity=IdentityPart("فاطمة الزهراء بنعلي", "Fatima Zahra Benali", "Fatima", "female", date(1998, 3, 14), None,
                          "NG"),
    languages=LanguagesPart(("en", "yo"), True),
    stay=StayPart("Dar Al Amane", date(2026, 9, 2), "Room 1 / Bed 2", None),
    safety=SafetyPart(("trafficker_contact", "no_phone"), "high"),
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
    for lang in ("en", "fr", "ar"):
        median = _median_seconds(lambda lang=lang: handover_document(HANDOVER, lang), args.runs)
        print(f"handover document ({lang}), warm: median {median * 1000:.1f} ms, "
              f"{median / base:.2f}x the bare document")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
