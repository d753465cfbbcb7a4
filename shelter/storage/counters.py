"""Numbers handed out in sequence (case numbers, handover references),
correct with several writers at once.

A number is taken from a counter row inside the caller's transaction, so it
is given only if that transaction commits, and two transactions never get
the same one:

- SQLite: every transaction that may write starts with BEGIN IMMEDIATE
  (``shelter.storage.database``), so only one of them runs at a time;
- PostgreSQL: ``UPDATE … SET last_value = last_value + 1 … RETURNING`` locks
  the counter row until the commit; a second transaction waits for it and,
  under READ COMMITTED, then increments the committed value. (Under
  REPEATABLE READ or SERIALIZABLE it fails with a serialisation error
  instead of giving a duplicate.) The first number of a year is an INSERT:
  if two transactions insert the same row at once, the primary key lets one
  through and the other, rolled back to its savepoint, takes the UPDATE.

A max + 1 over the records numbered is correct only under SQLite's lock:
two PostgreSQL transactions reading the same maximum would both use it.
"""

from __future__ import annotations

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shelter.storage.models import CaseNumberCounter, IssuedDocument, Resident

_COUNTER = CaseNumberCounter.__table__


def next_case_number(session: Session, shelter_id: int, year: int) -> int:
    """The next case number's sequence for ``shelter_id`` in ``year`` (1 for
    the first of the year), taken in the session's transaction."""
    bump = (update(_COUNTER)
            .where(_COUNTER.c.shelter_id == shelter_id, _COUNTER.c.year == year)
            .values(last_value=_COUNTER.c.last_value + 1)
            .returning(_COUNTER.c.last_value))
    value = session.execute(bump).scalar_one_or_none()
    if value is not None:
        return int(value)
    try:
        with session.begin_nested():
            session.execute(insert(_COUNTER).values(shelter_id=shelter_id, year=year, last_value=1))
    except IntegrityError:
        # Another transaction made this year's row first (PostgreSQL only:
        # SQLite never runs two writers at once). It has committed, or the
        # primary key would still be making us wait: increment its row.
        return int(session.execute(bump).scalar_one())
    return 1


def next_handover_number(session: Session, resident_id: int) -> int:
    """The number of the resident's next handover document (``…-H3`` is the
    third), taken in the session's transaction. Issued documents are never
    deleted, so it is their count + 1, counted after locking the resident's
    row: PostgreSQL's ``SELECT … FOR UPDATE`` makes a second handover for the
    same person wait for the first to commit, and the count (a new statement,
    under READ COMMITTED) then includes it. SQLite renders no FOR UPDATE; its
    write lock already serialises. Without the lock, two PostgreSQL
    transactions would take the same reference and the second would fail on
    ``uq_issued_document_reference``."""
    session.execute(select(Resident.id).where(Resident.id == resident_id).with_for_update()).one()
    issued = session.execute(select(func.count()).select_from(IssuedDocument)
                             .where(IssuedDocument.resident_id == resident_id)).scalar_one()
    return int(issued) + 1
