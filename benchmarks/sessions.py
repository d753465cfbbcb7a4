"""Counselling at the scale of a national network (20,000 residents over 10
years in 12 shelters, with the demo's case work and counselling: about
200,000 sessions, their notes encrypted under the compartment key), each
view timed against the bare SQL that fetches the same rows, on a raw
SQLCipher connection to the same file, in the same run: the ratio is what
the service adds (ORM, read models, the permission check, the audit entry
and the write transaction it needs). Times are medians of warm runs; the
target is 100 ms for each view.

- a counsellor's week: ``sessions.week(who, monday, counsellor_id=...)`` for
  the busiest week of the busiest counsellor (the most sessions in one
  week, cancelled ones included, as the week shows them);
- a resident's sessions tab: ``sessions.resident_sessions(who, resident_id)``
  for the resident with the most sessions;
- one note: ``notes.session_notes(who, session_id)`` for a held session whose
  note is signed and has an addendum, read by its counsellor, against the
  AES-256-GCM decryption of that note alone (``compartment.decrypt`` with
  the key in memory: what the rest costs is the reading, the key's check
  and the audit entry).

    python -m benchmarks sessions [--store DIR] [--residents N] [--years Y] [--shelters S] [--runs N]

The demo store is the one ``benchmarks residents`` keeps in the temporary
folder (``--store DIR`` puts it elsewhere). A store built before the demo had
counselling gets it here, once (the demo's counsellors it lacks, one per
shelter, then ``demo.add_counselling``: a few minutes at the national
scale), after the case work if it lacked that too. A view over the target
is profiled (cProfile, the functions that take the most time, cumulative).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.beds import _ensure_store, _median_ms, _report, add_demo_accounts, store_arguments
from benchmarks.care_plans import TARGET_MS, _profile, _with_case_work
from benchmarks.residents import _cached_store

BUSIEST_WEEK_SQL = """
SELECT counsellor_id, date(starts_at, 'weekday 0', '-6 days') AS monday, count(*) FROM counselling_session
GROUP BY 1, 2 ORDER BY 3 DESC, 2 DESC LIMIT 1
"""
BUSIEST_RESIDENT_SQL = "SELECT resident_id, count(*) FROM session_attendee GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
NOTE_SQL = """
SELECT n.session_id, n.id, n.author_id, n.generation, n.nonce, n.ciphertext,
       (SELECT min(a.resident_id) FROM session_attendee a WHERE a.session_id = n.session_id)
FROM session_note n WHERE n.signed_at IS NOT NULL AND EXISTS (SELECT 1 FROM note_addendum d WHERE d.note_id = n.id)
ORDER BY n.id DESC LIMIT 1
"""

# The rows a list of sessions shows, fetched as simply as SQL allows: the
# sessions, then their attendees (whole resident rows, as the service reads
# them), relatives, counsellors' names and rooms.
# (No session lasts longer than MAX_MINUTES: the lower bound on its start
# makes the week a range of the (counsellor, start) index.)
WEEK_SQL = ("SELECT * FROM counselling_session WHERE counsellor_id = ? AND starts_at < ? AND ends_at > ? "
            "AND starts_at >= ? ORDER BY starts_at, id")
RESIDENT_SQL = ("SELECT s.* FROM counselling_session s JOIN session_attendee a ON a.session_id = s.id "
                "WHERE a.resident_id = ? ORDER BY s.starts_at DESC")
ATTENDEES_SQL = ("SELECT a.session_id, r.* FROM session_attendee a JOIN resident r ON r.id = a.resident_id "
                 "WHERE a.session_id IN ({marks}) ORDER BY r.case_number")
RELATIVES_SQL = "SELECT * FROM session_relative WHERE session_id IN ({marks}) ORDER BY id"
NAMES_SQL = "SELECT id, display_name FROM staff_account WHERE id IN ({marks})"
ROOMS_SQL = "SELECT id, name FROM meeting_room WHERE id IN ({marks})"


def _with_counselling(folder: Path) -> None:
    """Bring a demo store built before the demo had counselling up to date:
    the demo accounts and counsellors it lacks, then the sessions and notes."""
    from sqlalchemy import func, select

    from shelter.security.permissions import Role
    from shelter.services import demo
    from shelter.storage.models import CounsellingSession, Shelter, StaffAccount
    from shelter.store import Store

    who = Store(folder).sign_in(demo.COORDINATOR, demo.DEMO_PASSWORD)
    try:
        with who.store.read() as s:
            if s.execute(select(CounsellingSession.id).limit(1)).first() is not None:
                return
            known = set(s.execute(select(StaffAccount.username)).scalars())
            shelters = s.execute(select(func.count(Shelter.id))).scalar() or 1
    finally:
        who.lock("sign_out")
    missing = [(u, d, r) for u, d, r in demo.DEMO_ACCOUNTS if u not in known] + [
        (u, d, Role.COUNSELLOR) for u, d in demo.demo_counsellors(shelters) if u not in known]
    if missing:
        print(f"adding {len(missing)} demo accounts (counsellors, one per shelter)…", flush=True)
        add_demo_accounts(folder, missing)
    print("adding the demo's counselling to the store (once; minutes at the national scale)…", flush=True)
    counsellor = Store(folder).sign_in(demo.COUNSELLOR, demo.DEMO_PASSWORD)
    start = time.perf_counter()
    try:
        totals = demo.add_counselling(counsellor, progress=lambda done, total: print(
            f"  {done} of {total} sessions", flush=True) if done % 40_000 < 4_000 or done == total else None)
    finally:
        counsellor.lock("sign_out")
    print(f"counselling added in {time.perf_counter() - start:.0f} s: "
          + ", ".join(f"{n} {name}" for name, n in totals.items()))


def _sql_time(moment: datetime) -> str:
    """A UTC moment as the store keeps it (naive UTC text, SQLAlchemy's format)."""
    return moment.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _bare_views(raw: Any, sql: str, params: tuple[object, ...]) -> int:  # noqa: ANN401
    """What a list of sessions reads, in bare SQL; how many sessions."""
    cursor = raw.execute(sql, params)
    rows = cursor.fetchall()
    if not rows:
        return 0
    column = {d[0]: n for n, d in enumerate(cursor.description)}
    ids = [r[0] for r in rows]
    marks = ",".join("?" * len(ids))
    raw.execute(ATTENDEES_SQL.format(marks=marks), ids).fetchall()
    raw.execute(RELATIVES_SQL.format(marks=marks), ids).fetchall()
    counsellors = sorted({r[column["counsellor_id"]] for r in rows})
    raw.execute(NAMES_SQL.format(marks=",".join("?" * len(counsellors))), counsellors).fetchall()
    rooms = sorted({r[column["room_id"]] for r in rows if r[column["room_id"]] is not None})
    if rooms:
        raw.execute(ROOMS_SQL.format(marks=",".join("?" * len(rooms))), rooms).fetchall()
    return len(rows)


def _median_us(call: Any, runs: int, repeat: int = 2000) -> float:  # noqa: ANN401
    """Median over ``runs`` of ``repeat`` calls, per call, in microseconds."""
    call()
    times = []
    for _run in range(runs):
        start = time.perf_counter()
        for _n in range(repeat):
            call()
        times.append((time.perf_counter() - start) / repeat)
    return statistics.median(times) * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks sessions")
    store_arguments(parser)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    _cached_store(args)
    folder, _scratch = _ensure_store(args)
    _with_case_work(folder)
    _with_counselling(folder)

    from shelter.domain.sessions import MAX_MINUTES, from_local
    from shelter.security import compartment
    from shelter.security.compartment import COUNSELLING
    from shelter.services import demo, notes, sessions
    from shelter.storage.database import connect_raw
    from shelter.store import Store

    coordinator = Store(folder).sign_in(demo.COORDINATOR, demo.DEMO_PASSWORD)
    raw = connect_raw(coordinator.store.database_path, coordinator.store.key)
    signed_in = [coordinator]
    try:
        counts = {name: raw.execute(f"SELECT count(*) FROM {name}").fetchone()[0]  # noqa: S608
                  for name in ("resident", "stay", "counselling_session", "session_attendee", "session_note",
                               "note_addendum", "risk_screen", "audit_entry")}
        print("store: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
        counsellor_id, monday_text, in_week = raw.execute(BUSIEST_WEEK_SQL).fetchone()
        monday = date.fromisoformat(monday_text)
        resident_id, resident_count = raw.execute(BUSIEST_RESIDENT_SQL).fetchone()
        session_id, note_id, author_id, generation, nonce, ciphertext, note_resident = raw.execute(
            NOTE_SQL).fetchone()
        username = raw.execute("SELECT username FROM staff_account WHERE id = ?", (counsellor_id,)).fetchone()[0]
        # The counsellor whose week it is reads it; the note's author reads the note.
        counsellor = Store(folder).sign_in(username, demo.DEMO_PASSWORD)
        signed_in.append(counsellor)
        author = counsellor
        if author_id != counsellor_id:
            author = Store(folder).sign_in(raw.execute("SELECT username FROM staff_account WHERE id = ?",
                                                       (author_id,)).fetchone()[0], demo.DEMO_PASSWORD)
            signed_in.append(author)

        start, end = from_local(monday, datetime.min.time()), from_local(monday + timedelta(days=7),
                                                                         datetime.min.time())
        week_params = (counsellor_id, _sql_time(end), _sql_time(start),
                       _sql_time(start - timedelta(minutes=MAX_MINUTES)))
        shown = sessions.week(counsellor, monday, counsellor_id=counsellor_id)
        assert len(shown) == _bare_views(raw, WEEK_SQL, week_params), "the bare SQL must fetch the same sessions"
        tab = sessions.resident_sessions(counsellor, resident_id)
        assert len(tab) == _bare_views(raw, RESIDENT_SQL, (resident_id,)) == resident_count
        read = notes.session_notes(author, session_id)
        print(f"week of {monday} for {counsellor.actor.display_name}: {len(shown)} sessions "
              f"({sum(len(v.attendees) for v in shown)} attendees; {in_week} by the SQL's week); resident "
              f"{resident_id}: {len(tab)} sessions ({sum(v.kind == 'group' for v in tab)} groups); note "
              f"{note_id}: {len(read[0].addenda)} addenda, {len(bytes(ciphertext))} bytes encrypted")

        key = bytes(author.store.compartment_keys[COUNSELLING])
        aad = notes._aad(author, generation, "session_note", note_id, note_resident)

        def decrypt() -> bytes:
            return compartment.decrypt(key, bytes(nonce), bytes(ciphertext), aad)

        assert decrypt().startswith(b'{"parts":')

        scenarios = (
            ("counsellor's week (busiest)", lambda: sessions.week(counsellor, monday, counsellor_id=counsellor_id),
             lambda: _bare_views(raw, WEEK_SQL, week_params)),
            (f"resident's sessions ({len(tab)})", lambda: sessions.resident_sessions(counsellor, resident_id),
             lambda: _bare_views(raw, RESIDENT_SQL, (resident_id,))),
        )
        slow = []
        for label, call, bare in scenarios:
            service = _median_ms(call, args.runs)
            _report(label, service, _median_ms(bare, args.runs))
            if service > TARGET_MS:
                slow.append((label, call))
        note_ms = _median_ms(lambda: notes.session_notes(author, session_id), args.runs)
        decrypt_us = _median_us(decrypt, args.runs)
        print(f"{'one note (session_notes, with its addendum)':48} service {note_ms:8.2f} ms   "
              f"AES-GCM alone {decrypt_us:6.1f} µs   ratio {note_ms * 1000 / decrypt_us:6.0f}x")
        if note_ms > TARGET_MS:
            slow.append(("one note", lambda: notes.session_notes(author, session_id)))
        for label, call in slow:
            _profile(label, call)
        print(f"target {TARGET_MS:.0f} ms: " + ("met by every scenario" if not slow else
                                                 "missed by " + ", ".join(label for label, _c in slow)))
    finally:
        raw.close()
        for who in signed_in:
            who.lock("sign_out")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
