"""The coordinator's screens at the scale of a national network: a demo store
of 20,000 residents over 10 years in 12 shelters of 60 beds.

Each service call is timed against the bare SQL query that fetches the same
data, on a raw SQLCipher connection to the same file, in the same run: the
ratio is what the service adds (ORM, read models, permission checks, name
forms, the audit entry). Times are medians of warm runs.

    python -m benchmarks beds [--store DIR] [--residents N] [--years Y] [--shelters S] [--runs N]

``--store DIR`` keeps the demo store there and reuses it on the next run
(building one takes several minutes); without it a temporary store is built
and removed.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shelter import names
from shelter.domain import people
from shelter.services import admissions, beds, dashboard, residents
from shelter.services.demo import COORDINATOR, DEMO_PASSWORD, build_demo
from shelter.storage.database import connect_raw
from shelter.store import SignedIn, Store

BOARD_SQL = """
SELECT sh.id, sh.name, sh.code, r.id, r.name, r.women_only, r.men_only, r.minors, r.accessible,
       b.id, b.label, b.active, b.out_of_service_reason, b.out_of_service_until,
       a.stay_id, res.case_number, res.name_latin, res.name_arabic, res.preferred_name, rv.expires_at
FROM bed b JOIN room r ON r.id = b.room_id JOIN shelter sh ON sh.id = r.shelter_id
LEFT JOIN bed_assignment a ON a.bed_id = b.id AND a.ended_at IS NULL
LEFT JOIN stay st ON st.id = a.stay_id
LEFT JOIN resident res ON res.id = st.resident_id
LEFT JOIN reservation rv ON rv.bed_id = b.id AND rv.closed_at IS NULL AND rv.expires_at > ?
WHERE sh.active {where}
ORDER BY sh.name, r.name, b.label
"""

FILE_SQL = (
    "SELECT * FROM resident WHERE id = ?",
    "SELECT st.*, sh.name FROM stay st JOIN shelter sh ON sh.id = st.shelter_id WHERE st.resident_id = ? "
    "ORDER BY st.admitted_at",
    "SELECT a.stay_id, r.name, b.label, a.started_at, a.ended_at FROM bed_assignment a "
    "JOIN bed b ON b.id = a.bed_id JOIN room r ON r.id = b.room_id "
    "WHERE a.stay_id IN (SELECT id FROM stay WHERE resident_id = ?) ORDER BY a.started_at",
)

SEARCH_SQL = """
SELECT res.id, res.case_number, res.name_latin, res.name_arabic, res.preferred_name, res.sex, res.nationality,
       res.risk_level, st.id, sh.name
FROM resident res
LEFT JOIN stay st ON st.resident_id = res.id AND st.discharged_at IS NULL
LEFT JOIN shelter sh ON sh.id = st.shelter_id
WHERE {where}
ORDER BY res.id DESC LIMIT 200
"""


def _median_ms(call: Callable[[], Any], runs: int) -> float:
    call()  # warm: caches, compiled statements, pages
    times = []
    for _run in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _report(label: str, service_ms: float, bare_ms: float) -> None:
    print(f"{label:48} service {service_ms:8.2f} ms   bare SQL {bare_ms:7.2f} ms   ratio {service_ms / bare_ms:6.1f}x")


def _search_where(query: str) -> tuple[str, list[str]]:
    """The same lookups search_residents makes, as bare SQL: every query word
    must start one of the person's name keys (a range on the key index)."""
    clauses, params = [], []
    for group in names.search_groups(query):
        ranges = " OR ".join("(key >= ? AND key < ?)" for _t in group)
        clauses.append(f"res.id IN (SELECT resident_id FROM resident_name_key WHERE {ranges})")
        for token in group:
            params += [token, token + "\uffff"]
    return " AND ".join(clauses) or "1", params


def store_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that choose (and keep) the national-scale demo store."""
    parser.add_argument("--store", type=Path, default=None, help="keep (or reuse) the demo store in this folder")
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--years", type=float, default=10)
    parser.add_argument("--shelters", type=int, default=12)


def _ensure_store(args: argparse.Namespace) -> tuple[Path, Path | None]:
    if args.store and (args.store / "keyring.json").exists():
        print(f"reusing the demo store in {args.store}")
        return args.store, None
    scratch = None if args.store else Path(tempfile.mkdtemp(prefix="shelter-bench-"))
    folder = args.store or scratch / "store"
    print(f"building a demo store: {args.residents} residents over {args.years} years in {args.shelters} shelters…")
    start = time.perf_counter()
    summary = build_demo(folder, args.residents, args.years, args.shelters,
                         progress=lambda done, wanted: print(f"  {done} of {wanted} residents", flush=True))
    print(f"built in {time.perf_counter() - start:.0f} s: {summary.residents} residents, {summary.stays} stays, "
          f"{summary.beds} beds, {summary.in_residence} in residence")
    return folder, scratch


def add_demo_accounts(folder: Path, missing: list[tuple[str, str, Any]]) -> None:
    """Create the demo's accounts a store built by an older demo lacks, as its
    administrator: (username, display name, role)."""
    if not missing:
        return
    from shelter.services import accounts, demo

    admin = Store(folder).sign_in(demo.DEMO_ACCOUNTS[0][0], DEMO_PASSWORD)
    try:
        for username, display, role in missing:
            accounts.create_account(admin, username, display, [role], DEMO_PASSWORD, must_change_password=False)
    finally:
        admin.lock("sign_out")


def run(who: SignedIn, runs: int, rng: random.Random) -> None:
    raw = connect_raw(who.store.database_path, who.store.key)
    try:
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
        boards = beds.bed_board(who)
        bed_count = sum(b.beds for b in boards)
        print(f"bed board: {len(boards)} shelters, {bed_count} beds, "
              f"{sum(b.count('occupied') for b in boards)} occupied")
        _report("bed board, every shelter", _median_ms(lambda: beds.bed_board(who), runs),
                _median_ms(lambda: raw.execute(BOARD_SQL.format(where=""), (now,)).fetchall(), runs))
        one = boards[0].shelter_id
        _report("bed board, one shelter (60 beds)", _median_ms(lambda: beds.bed_board(who, [one]), runs),
                _median_ms(lambda: raw.execute(BOARD_SQL.format(where="AND sh.id = ?"), (now, one)).fetchall(),
                           runs))

        ids = [r for (r,) in raw.execute("SELECT resident_id FROM stay GROUP BY resident_id "
                                         "ORDER BY count(*) DESC, resident_id LIMIT 50")]
        chosen = [rng.choice(ids) for _i in range(runs + 1)]
        picks, bare_picks = iter(chosen), iter(chosen)
        _report("open a resident file (audited)", _median_ms(lambda: residents.open_resident(who, next(picks)), runs),
                _median_ms(lambda: [raw.execute(sql, (rid,)).fetchall() for rid in [next(bare_picks)]
                                    for sql in FILE_SQL], runs))

        def audit_only() -> None:
            with who.store.write() as s:
                who.store.audit(s, "resident.view", who.actor.account_id, "resident", ids[0])

        print(f"{'  of which one audit entry (write, HMAC, fsync)':48} {_median_ms(audit_only, runs):8.2f} ms")

        typed = "Fatima Zahra Ben"
        for status in ("all", "in_residence"):
            service, bare = [], []
            for end in range(1, len(typed) + 1):
                query = typed[:end]
                if not query.strip() or query.endswith(" "):
                    continue
                where, params = _search_where(query)
                if status == "in_residence":
                    where += " AND st.id IS NOT NULL"
                service.append(_median_ms(lambda q=query, st=status: residents.search_residents(who, q, status=st), runs))
                bare.append(_median_ms(lambda w=where, p=params: raw.execute(SEARCH_SQL.format(where=w), p).fetchall(),
                                       runs))
            label = f"search as you type '{typed}' ({status}), worst key"
            worst = max(range(len(service)), key=service.__getitem__)
            _report(label, service[worst], bare[worst])
            _report(f"  … mean over {len(service)} keystrokes", statistics.mean(service), statistics.mean(bare))
        for query in ("فاطمة", "RBT1-2020"):
            where, params = ("res.case_number >= ? AND res.case_number < ?", [query, query + "\uffff"]) \
                if query[0].isascii() else _search_where(query)
            _report(f"search '{query}' (all)",
                    _median_ms(lambda q=query: residents.search_residents(who, q, status="all"), runs),
                    _median_ms(lambda w=where, p=params: raw.execute(SEARCH_SQL.format(where=w), p).fetchall(), runs))

        person = people.Identity(name_latin="Fatima Zahra Benali", name_arabic="فاطمة الزهراء بنعلي",
                                    sex="female", nationality="MA")
        keys = sorted(names.name_keys(person.name_latin, person.name_arabic))
        marks = ",".join("?" * len(keys))
        _report("duplicate check (Latin + Arabic name)",
                _median_ms(lambda: admissions.duplicate_candidates(who, person), runs),
                _median_ms(lambda: raw.execute(f"SELECT * FROM resident WHERE id IN (SELECT resident_id FROM "
                                               f"resident_name_key WHERE key IN ({marks}))", keys).fetchall(), runs))
        print(f"{'dashboard figures':48} service {_median_ms(lambda: dashboard.dashboard(who), runs):8.2f} ms")
    finally:
        raw.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks beds")
    store_arguments(parser)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    folder, scratch = _ensure_store(args)
    try:
        who = Store(folder).sign_in(COORDINATOR, DEMO_PASSWORD)
        try:
            run(who, args.runs, random.Random(1))
        finally:
            who.lock("sign_out")
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
