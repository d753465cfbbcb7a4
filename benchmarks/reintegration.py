"""Reintegration at the scale of a national network (20,000 residents over
10 years in 12 shelters, with the demo's case work and reintegration: plans
for most stays of more than three weeks, their milestones, referrals to
partners, follow-ups after discharge and sustainability scores), each view
timed against the bare SQL that fetches the same rows, on a raw SQLCipher
connection to the same file, in the same run: the ratio is what the service
adds (ORM, read models, the rules of due dates and lost contact, the
permission check, the audit entry and the write transaction it needs).
Times are medians of warm runs; the target is 100 ms for each.

- the overdue board for all shelters: ``reintegration_board.board(who)`` for
  the coordinator: the plans to make, milestones, referrals and follow-ups
  overdue or due within 7 days, and the cases that lost contact. Its
  baseline reads what any such board must read: the stays in work (in
  residence, or discharged with a plan within the follow-up window, case
  not closed) with the resident, shelter, case worker and plan, the open
  milestones and referrals due by the horizon, the contacts of the
  discharged stays, and the names of the partners and staff named;
- a resident's reintegration tab: ``reintegration.reintegration(who,
  resident_id)`` for a social worker, for a resident whose plan has about
  10 milestones, referrals, 3 follow-up contacts and 4 scores (made through
  the services if the store has none), against the rows the tab shows;
- the dashboard's counts of the board: ``reintegration_board.board_counts``
  (the same reading, in a read transaction, not audited: the dashboard
  counts again after every write), against the board's baseline.

    python -m benchmarks reintegration [--store DIR] [--residents N] [--years Y] [--shelters S] [--runs N]

The demo store is the one ``benchmarks residents`` keeps in the temporary
folder (``--store DIR`` puts it elsewhere). A store built before the demo had
reintegration is upgraded to schema 0008 when it is first opened (with its
safety copy) and gets the reintegration here, once
(``demo.add_reintegration``: a minute or two at the national scale), after
the case work if it lacked that too. A scenario over the target is profiled
(cProfile, the functions that take the most time, cumulative).
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.beds import _ensure_store, _median_ms, _report, store_arguments
from benchmarks.care_plans import TARGET_MS, _profile, _with_case_work
from benchmarks.residents import _cached_store
from benchmarks.sessions import _sql_time

MILESTONES, CONTACTS, SCORES = 10, 3, 4

# A resident whose latest stay's plan is as the tab scenario wants it, the
# closest first (milestones, then referrals).
TAB_RESIDENT_SQL = """
SELECT p.resident_id, m.n, r.n, c.n, s.n FROM reintegration_plan p
JOIN (SELECT plan_id, count(*) AS n FROM milestone GROUP BY plan_id) m ON m.plan_id = p.id
JOIN (SELECT stay_id, count(*) AS n FROM partner_referral GROUP BY stay_id) r ON r.stay_id = p.stay_id
JOIN (SELECT stay_id, count(*) AS n FROM follow_up_contact GROUP BY stay_id) c ON c.stay_id = p.stay_id
JOIN (SELECT stay_id, count(*) AS n FROM sustainability_score GROUP BY stay_id) s ON s.stay_id = p.stay_id
WHERE c.n = ? AND s.n = ? AND m.n BETWEEN ? AND ?
  AND p.stay_id = (SELECT id FROM stay WHERE resident_id = p.resident_id
                   ORDER BY discharged_at IS NOT NULL, admitted_at DESC LIMIT 1)
ORDER BY abs(m.n - ?), r.n DESC, p.id LIMIT 1
"""

# The rows the tab shows, fetched as simply as SQL allows (:r the resident,
# :s her latest stay, :p its plan).
TAB_SQL = (
    "SELECT * FROM resident WHERE id = :r",
    "SELECT * FROM stay WHERE resident_id = :r ORDER BY discharged_at IS NOT NULL, admitted_at DESC LIMIT 1",
    "SELECT * FROM setting",
    "SELECT * FROM reintegration_plan WHERE stay_id = :s",
    "SELECT * FROM milestone WHERE plan_id = :p ORDER BY position, id",
    "SELECT * FROM milestone_event WHERE milestone_id IN (SELECT id FROM milestone WHERE plan_id = :p) "
    "ORDER BY at, id",
    "SELECT * FROM pathway_change WHERE plan_id = :p ORDER BY changed_at",
    "SELECT * FROM partner_referral WHERE stay_id = :s ORDER BY referred_on DESC, id DESC",
    "SELECT * FROM follow_up_contact WHERE stay_id = :s ORDER BY contacted_on, id",
    "SELECT * FROM sustainability_score WHERE stay_id = :s ORDER BY scored_on, id",
    "SELECT * FROM sustainability_answer WHERE score_id IN (SELECT id FROM sustainability_score WHERE stay_id = :s)",
    "SELECT * FROM partner WHERE id IN (SELECT partner_id FROM partner_referral WHERE stay_id = :s "
    "UNION SELECT owner_partner_id FROM milestone WHERE plan_id = :p "
    "UNION SELECT partner_id FROM follow_up_contact WHERE stay_id = :s)",
    "SELECT id, display_name FROM staff_account",
    "SELECT * FROM case_closure WHERE resident_id = :r ORDER BY closed_at DESC, id DESC",
    "SELECT * FROM case_assignment WHERE stay_id = :s AND ended_at IS NULL",
)

# What the board reads.
BOARD_CASES_SQL = """
SELECT st.id, st.admitted_at, st.discharged_at, res.id, res.case_number, res.name_arabic, res.name_latin,
       res.preferred_name, res.sex, res.risk_level, sh.id, sh.name, ca.staff_id, p.id, p.pathway
FROM stay st JOIN resident res ON res.id = st.resident_id JOIN shelter sh ON sh.id = st.shelter_id
LEFT JOIN case_assignment ca ON ca.stay_id = st.id AND ca.ended_at IS NULL
LEFT JOIN reintegration_plan p ON p.stay_id = st.id
WHERE st.resident_id NOT IN (SELECT resident_id FROM case_closure WHERE reopened_at IS NULL)
  AND (st.discharged_at IS NULL OR (p.id IS NOT NULL AND st.discharged_at >= ?))
"""
BOARD_MILESTONES_SQL = ("SELECT id, plan_id, code, title, due_on, owner_staff_id, owner_partner_id FROM milestone "
                        "WHERE plan_id IN ({marks}) AND status IN ('blocked', 'in_progress', 'planned') "
                        "AND due_on IS NOT NULL AND due_on <= ?")
BOARD_REFERRALS_SQL = ("SELECT id, stay_id, service, follow_up_on, partner_id FROM partner_referral "
                       "WHERE status IN ('accepted', 'sent') AND follow_up_on IS NOT NULL AND follow_up_on <= ? "
                       "AND stay_id IN ({marks})")
BOARD_CONTACTS_SQL = ("SELECT stay_id, contacted_on, round_months, reached FROM follow_up_contact "
                      "WHERE stay_id IN ({marks})")
NAMES_SQL = "SELECT id, {name} FROM {table} WHERE id IN ({marks})"


def _with_reintegration(folder: Path) -> None:
    """Bring a demo store built before the demo had reintegration up to date
    (its upgrade to schema 0008 happens as it opens): the case work if it
    lacked it, then the reintegration of every stay."""
    from sqlalchemy import select

    from shelter.services import demo
    from shelter.storage.models import ReintegrationPlan
    from shelter.store import Store

    _with_case_work(folder)
    start = time.perf_counter()
    who = Store(folder).sign_in(demo.COORDINATOR, demo.DEMO_PASSWORD)  # upgrades the schema, once
    try:
        opened = time.perf_counter() - start
        if opened > 5:
            print(f"store opened (and upgraded) in {opened:.0f} s")
        with who.store.read() as s:
            if s.execute(select(ReintegrationPlan.id).limit(1)).first() is not None:
                return
        print("adding the demo's reintegration to the store (once; a minute or two at the national scale)…",
              flush=True)
        start = time.perf_counter()
        totals = demo.add_reintegration(who, progress=lambda done, total: print(
            f"  {done} of {total} stays", flush=True))
    finally:
        who.lock("sign_out")
    print(f"reintegration added in {time.perf_counter() - start:.0f} s: "
          + ", ".join(f"{n} {name}" for name, n in totals.items()))


def _tab_resident(folder: Path, raw: Any) -> int:  # noqa: ANN401
    """The resident of the tab scenario: from the demo's if one fits, else
    made through the services (admitted, a plan on the return pathway with
    two milestones of her own, referrals, discharged, three follow-ups and
    four surveys)."""
    for low, high in ((MILESTONES, MILESTONES), (MILESTONES - 2, MILESTONES + 2)):
        found = raw.execute(TAB_RESIDENT_SQL, (CONTACTS, SCORES, low, high, MILESTONES)).fetchone()
        if found:
            return found[0]
    import random

    from shelter.demo_names import generate_person
    from shelter.domain.people import Identity, Protection, ReferralInfo
    from shelter.services import admissions, demo, discharge, handover, partners, reintegration
    from shelter.services.admissions import Admission
    from shelter.store import Store

    print(f"making a resident with {MILESTONES} milestones, {CONTACTS} follow-ups and {SCORES} scores (once)…",
          flush=True)
    rng = random.Random(15)
    names = generate_person(rng, sex="F", nationality="NG")
    identity = Identity(name_arabic=names.full_name_ar or "", name_latin=names.full_name, sex="female",
                        birth_year_estimated=date.today().year - 26, nationality="NG", languages=names.languages)
    coordinator = Store(folder).sign_in(demo.COORDINATOR, demo.DEMO_PASSWORD)
    worker = Store(folder).sign_in("youssef", demo.DEMO_PASSWORD)
    try:
        now = datetime.now(UTC) - timedelta(days=1)
        bed = next(iter(admissions.compatible_beds(coordinator, identity, at=now)))
        admitted = admissions.admit(coordinator, Admission(
            identity=identity, referral=ReferralInfo(referred_on=now.date(), source="ngo", agency="Association Amal"),
            protection=Protection(risk_level="medium", consent_processing=True, consent_processing_on=now.date()),
            bed_id=bed.bed_id, admitted_at=now))
        resident_id = admitted.resident_id
        today = date.today()
        reintegration.make_plan(worker, resident_id, "return_origin", "I want to go home to my children", "Nigeria",
                                opened_on=today, consent_on=today)
        for title in ("Ouvrir un compte bancaire", "Prepare the documents for the journey"):
            reintegration.add_milestone(worker, resident_id, title, today + timedelta(days=30))
        directory = {p.kind: p for p in partners.partners(worker)}
        for kind in ("iom", "health"):
            handover.record_consent(coordinator, resident_id, directory[kind].name, ("identity", "stay"))
            partners.refer(worker, resident_id, directory[kind].partner_id, "Assisted voluntary return",
                           follow_up_on=today + timedelta(days=14))
        discharge.discharge(coordinator, admitted.stay_id, datetime.now(UTC), "assisted_return")
        answers = {"income": "occasional", "housing": "good", "support_network": "fair", "distress": "sometimes"}
        reintegration.record_score(worker, resident_id, "baseline", answers, scored_on=today)
        for months in (3, 6, 12):
            contact = reintegration.record_contact(worker, resident_id, months, "phone", True,
                                                   situation="Back with her mother, looks for work")
            reintegration.record_score(worker, resident_id, "follow_up", answers, contact_id=contact.change.record_id)
    finally:
        worker.lock("sign_out")
        coordinator.lock("sign_out")
    return resident_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks reintegration")
    store_arguments(parser)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    _cached_store(args)
    folder, _scratch = _ensure_store(args)
    _with_reintegration(folder)

    from shelter.domain.care import SOON_DAYS, add_months
    from shelter.services import demo, reintegration, reintegration_board
    from shelter.services.reintegration_board import FOLLOW_UP_WINDOW_MONTHS
    from shelter.services.settings import load_settings
    from shelter.storage.database import connect_raw
    from shelter.store import Store

    coordinator = Store(folder).sign_in(demo.COORDINATOR, demo.DEMO_PASSWORD)
    raw = connect_raw(coordinator.store.database_path, coordinator.store.key)
    worker = None
    try:
        counts = {name: raw.execute(f"SELECT count(*) FROM {name}").fetchone()[0]  # noqa: S608
                  for name in ("resident", "stay", "partner", "reintegration_plan", "milestone", "milestone_event",
                               "partner_referral", "follow_up_contact", "sustainability_score", "case_closure",
                               "audit_entry")}
        print("store: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
        resident_id = _tab_resident(folder, raw)
        worker = Store(folder).sign_in("youssef", demo.DEMO_PASSWORD)
        stay_id = raw.execute("SELECT id FROM stay WHERE resident_id = ? ORDER BY discharged_at IS NOT NULL, "
                              "admitted_at DESC LIMIT 1", (resident_id,)).fetchone()[0]
        plan_id = raw.execute("SELECT id FROM reintegration_plan WHERE stay_id = ?", (stay_id,)).fetchone()[0]
        tab_params = {"r": resident_id, "s": stay_id, "p": plan_id}

        def bare_tab() -> None:
            for sql in TAB_SQL:
                raw.execute(sql, tab_params).fetchall()

        view = reintegration.reintegration(worker, resident_id)
        print(f"tab of resident {resident_id}: {view.plan.pathway}, {len(view.milestones)} milestones, "
              f"{len(view.referrals)} referrals, {len(view.contacts)} follow-up contacts, {len(view.scores)} scores; "
              f"{sum(len(m.history) for m in view.milestones)} milestone events")

        with coordinator.store.read() as s:
            settings = load_settings(s)
        today = date.today()
        until = (today + timedelta(days=SOON_DAYS)).isoformat()
        oldest = add_months(today, -(max(settings.follow_up_months) + FOLLOW_UP_WINDOW_MONTHS))
        since = _sql_time(datetime.combine(oldest, datetime.min.time(), tzinfo=UTC))

        def names(table: str, column: str, ids: set[int]) -> None:
            if ids:
                raw.execute(NAMES_SQL.format(name=column, table=table, marks=",".join("?" * len(ids))),
                            sorted(ids)).fetchall()

        def bare_board() -> tuple[int, int, int]:
            raw.execute("SELECT * FROM setting").fetchall()
            cases = raw.execute(BOARD_CASES_SQL, (since,)).fetchall()
            plans = [c[13] for c in cases if c[13] is not None]
            stays = [c[0] for c in cases]
            milestones = raw.execute(BOARD_MILESTONES_SQL.format(marks=",".join("?" * len(plans))),
                                     [*plans, until]).fetchall() if plans else []
            referrals = raw.execute(BOARD_REFERRALS_SQL.format(marks=",".join("?" * len(stays))),
                                    [until, *stays]).fetchall()
            followed = [c[0] for c in cases if c[2] is not None and c[13] is not None]
            if followed:
                raw.execute(BOARD_CONTACTS_SQL.format(marks=",".join("?" * len(followed))), followed).fetchall()
            names("partner", "name", {m[6] for m in milestones if m[6]} | {r[4] for r in referrals})
            names("staff_account", "display_name", {m[5] for m in milestones if m[5]} | {c[12] for c in cases if c[12]})
            return len(cases), len(milestones), len(referrals)

        items = reintegration_board.board(coordinator)
        in_work, milestone_rows, referral_rows = bare_board()
        kinds = {kind: sum(i.kind == kind for i in items) for kind in ("plan", "milestone", "referral", "follow_up",
                                                                        "lost_contact")}
        assert (kinds["milestone"], kinds["referral"]) == (milestone_rows, referral_rows), \
            "the bare SQL must fetch the same milestones and referrals"
        print(f"board: {in_work} stays in work; {len(items)} items ({sum(i.state == 'overdue' for i in items)} "
              "overdue): " + ", ".join(f"{n} {kind}" for kind, n in kinds.items()))

        scenarios = (
            ("overdue board, every shelter", lambda: reintegration_board.board(coordinator), bare_board),
            (f"reintegration tab ({len(view.milestones)} milestones, {len(view.contacts)} follow-ups)",
             lambda: reintegration.reintegration(worker, resident_id), bare_tab),
            ("dashboard counts (the board, not audited)", lambda: reintegration_board.board_counts(coordinator),
             bare_board),
        )
        slow = []
        for label, call, bare in scenarios:
            service = _median_ms(call, args.runs)
            _report(label, service, _median_ms(bare, args.runs))
            if service > TARGET_MS:
                slow.append((label, call))
        for label, call in slow:
            _profile(label, call)
        print(f"target {TARGET_MS:.0f} ms: " + ("met by every scenario" if not slow else
                                                 "missed by " + ", ".join(label for label, _c in slow)))
    finally:
        raw.close()
        if worker is not None:
            worker.lock("sign_out")
        coordinator.lock("sign_out")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
