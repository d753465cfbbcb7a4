"""What the case-work tests share: a bed's id by room, a bed's tile on the
board, an admission form filled in as a coordinator would, the audit entries
of one action, and calls run at the same moment from several threads.
The ``coordinator`` fixture (a shelter with two rooms and a signed-in
coordinator) and ``second_workstation`` (the same coordinator signed in a
second time) are in conftest.py."""

from __future__ import annotations

import threading
from datetime import date

from shelter.domain.people import Identity, Protection, ReferralInfo
from shelter.errors import ValidationError
from shelter.services import beds
from shelter.services.admissions import Admission

COORDINATOR_PASSWORD = "night shift green tea"
TODAY = date.today()


def bed_ids(who, room="Room 1"):
    board = beds.bed_board(who)
    return [t.bed_id for sb in board for r in sb.rooms if r.name == room for t in r.beds]


def tile(who, bed_id):
    return next(t for sb in beds.bed_board(who) for r in sb.rooms for t in r.beds if t.bed_id == bed_id)


def admission(bed_id, name="Fatima Zahra Benali", arabic="فاطمة الزهراء بنعلي", born=date(1998, 3, 14),
              sex="female", **extra):
    return Admission(
        identity=Identity(name_arabic=arabic, name_latin=name, sex=sex, birth_date=born, nationality="NG",
                          languages=("en",), interpreter_needed=True),
        referral=ReferralInfo(referred_on=TODAY, source="police", agency="Sûreté, Rabat"),
        protection=Protection(exploitation=("sexual",), exploitation_country="MA", exploitation_scope="cross_border",
                              flag_trafficker_contact=True, risk_level="high", consent_processing=True,
                              consent_processing_on=TODAY),
        bed_id=bed_id, **extra)


def audit_details(who, action: str) -> list[tuple[str, str | None, dict]]:
    import json

    from sqlalchemy import select

    from shelter.storage.models import AuditEntry

    with who.store.read() as s:
        return [(e.outcome, e.record_id, json.loads(e.detail)) for e in s.execute(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).scalars()]


def at_once(*calls):
    """Run the calls on their own threads released together; return what
    each returned or raised."""
    start = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(i, call):
        start.wait()
        try:
            outcomes[i] = call()
        except ValidationError as exc:
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


DOMAINS = ("safety", "physical_health", "mental_health", "legal", "documents", "family", "education",
           "livelihood", "housing", "intentions")


def scores(**low):
    """An assessment's scores: every domain at 4 (no need) except those given."""
    from shelter.services.assessments import DomainScore

    return {d: DomainScore(low.get(d, 4), "") for d in DOMAINS}


def open_file(qtbot, who, resident_id):
    """The resident's file window, shown, with every tab the shell registers."""
    import ui.care.tabs  # noqa: F401  (as the shell does before a file opens)
    from shelter.services import residents
    from ui.residents.file import ResidentFileDialog

    dialog = ResidentFileDialog(residents.open_resident(who, resident_id), None, who)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def texts(widget) -> str:
    """Every label's text and every table cell under ``widget``, one per line."""
    from ui.qt import QLabel, QTableWidget

    out = [label.text() for label in widget.findChildren(QLabel)]
    for table in widget.findChildren(QTableWidget):
        out += [table.item(r, c).text() for r in range(table.rowCount()) for c in range(table.columnCount())
                if table.item(r, c) is not None]
    return "\n".join(out)
