"""The case work at the scale of a national network (20,000 residents over
10 years in 12 shelters, with the demo's case work: assessments, care plans,
versions, reviews), each service call timed against the bare SQL that
fetches the same rows, on a raw SQLCipher connection to the same file, in
the same run: the ratio is what the service adds (ORM, read models, the
rules, permission checks, the audit entry). Times are medians of warm runs;
the target is 100 ms for each.

- care plan tab: ``care_plans.care_plan`` and ``assessments.list_assessments``
  for a resident whose plan has 40 goals (about two actions each), 10 agreed
  versions with changes between them and a review before each new version
  (made through the services the first time, then reused);
- my work: ``my_work.my_work`` for a social worker (her cases and actions);
- everyone's work: ``my_work.my_work(everyone=True)`` for the coordinator.

The baseline of both "work" scenarios reads what any list of work must
read: the stays in work (in residence, or left in the last 30 days, case
not closed) with the resident, shelter and case worker, their last
assessment, whether one was made at discharge, their plans and agreed
versions, and the open actions of open plans.

    python -m benchmarks care_plans [--store DIR] [--residents N] [--years Y] [--shelters S] [--runs N]

The demo store is the one ``benchmarks residents`` keeps in the temporary
folder (``--store DIR`` puts it elsewhere). A store built before the demo had
case work gets it here, once (a few minutes at the national scale), with the
demo accounts it lacks. A scenario over the target is profiled (cProfile, the
functions that take the most time, cumulative).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.beds import _ensure_store, _median_ms, _report, add_demo_accounts, store_arguments
from benchmarks.residents import _cached_store

TARGET_MS = 100.0
GOALS, VERSIONS = 40, 10

LONG_PLAN_SQL = """
SELECT p.resident_id FROM care_plan p JOIN stay st ON st.id = p.stay_id AND st.discharged_at IS NULL
WHERE (SELECT count(*) FROM plan_version v WHERE v.plan_id = p.id) >= ?
  AND (SELECT count(*) FROM plan_goal g WHERE g.plan_id = p.id) >= ?
ORDER BY p.id LIMIT 1
"""

# The rows the care plan tab shows, fetched as simply as SQL allows.
TAB_SQL = (
    "SELECT * FROM resident WHERE id = :r",
    "SELECT * FROM stay WHERE resident_id = :r ORDER BY discharged_at IS NOT NULL, admitted_at DESC LIMIT 1",
    "SELECT a.*, s.display_name FROM assessment a LEFT JOIN staff_account s ON s.id = a.assessed_by "
    "WHERE a.resident_id = :r ORDER BY a.assessed_on DESC, a.id DESC",
    "SELECT * FROM assessment_score WHERE assessment_id IN (SELECT id FROM assessment WHERE resident_id = :r)",
    "SELECT * FROM case_assignment WHERE stay_id = :s AND ended_at IS NULL",
    "SELECT * FROM case_closure WHERE resident_id = :r AND reopened_at IS NULL",
    "SELECT * FROM plan_goal WHERE plan_id = :p",
    "SELECT * FROM plan_action WHERE goal_id IN (SELECT id FROM plan_goal WHERE plan_id = :p) ORDER BY position, id",
    "SELECT * FROM plan_action_note WHERE action_id IN (SELECT a.id FROM plan_action a JOIN plan_goal g "
    "ON g.id = a.goal_id WHERE g.plan_id = :p)",
    "SELECT * FROM plan_domain_reason WHERE plan_id = :p",
    "SELECT * FROM plan_version WHERE plan_id = :p ORDER BY number DESC",
    "SELECT * FROM plan_event WHERE plan_id = :p ORDER BY at DESC, id DESC",
    "SELECT * FROM plan_review WHERE plan_id = :p ORDER BY reviewed_on DESC, id DESC",
    "SELECT * FROM plan_review_goal WHERE review_id IN (SELECT id FROM plan_review WHERE plan_id = :p)",
    "SELECT id, display_name FROM staff_account",
)

WORK_STAYS_SQL = """
SELECT st.id, st.admitted_at, st.discharged_at, res.id, res.case_number, res.name_arabic, res.name_latin,
       res.preferred_name, res.sex, res.risk_level, sh.name, ca.staff_id
FROM stay st JOIN resident res ON res.id = st.resident_id JOIN shelter sh ON sh.id = st.shelter_id
LEFT JOIN case_assignment ca ON ca.stay_id = st.id AND ca.ended_at IS NULL
WHERE (st.discharged_at IS NULL OR st.discharged_at >= ?)
  AND st.resident_id NOT IN (SELECT resident_id FROM case_closure WHERE reopened_at IS NULL)
"""
LAST_ASSESSED_SQL = ("SELECT stay_id, max(assessed_on), max(kind = 'discharge') FROM assessment "
                     "WHERE stay_id IN ({marks}) GROUP BY stay_id")
PLANS_SQL = ("SELECT p.id, p.stay_id, p.next_review_on, EXISTS (SELECT 1 FROM plan_version v WHERE v.plan_id = p.id) "
             "FROM care_plan p WHERE p.stay_id IN ({marks})")
OPEN_ACTIONS_SQL = ("SELECT a.id, a.due_on, a.what, a.owner_staff_id, g.plan_id FROM plan_action a "
                    "JOIN plan_goal g ON g.id = a.goal_id WHERE g.plan_id IN ({marks}) AND a.done_on IS NULL "
                    "AND a.due_on IS NOT NULL AND g.status IN ('not_started', 'in_progress')")
AWAITING_SQL = ("SELECT e.* FROM plan_event e JOIN (SELECT plan_id, max(id) AS last FROM plan_event GROUP BY plan_id) l "
                "ON l.last = e.id WHERE e.kind = 'submitted'")


def _profile(label: str, call: Callable[[], Any]) -> None:
    """Where the time of a scenario over the target goes."""
    profile = cProfile.Profile()
    profile.enable()
    for _run in range(3):
        call()
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(25)
    print(f"-- {label}: over {TARGET_MS:.0f} ms; profile of 3 calls (cumulative) --")
    lines = out.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    print("\n".join(line for line in lines[start:] if line.strip()))


def _with_case_work(folder: Path) -> None:
    """Bring a demo store built before the demo had case work up to date:
    the demo accounts it lacks, then the case work of every stay."""
    from sqlalchemy import select

    from shelter.services import demo
    from shelter.storage.models import Assessment, StaffAccount
    from shelter.store import Store

    who = Store(folder).sign_in(demo.COORDINATOR, demo.DEMO_PASSWORD)
    try:
        with who.store.read() as s:
            if s.execute(select(Assessment.id).limit(1)).first() is not None:
                return
            known = set(s.execute(select(StaffAccount.username)).scalars())
    finally:
        who.lock("sign_out")
    add_demo_accounts(folder, [(u, d, r) for u, d, r in demo.DEMO_ACCOUNTS if u not in known])
    print("adding the demo's case work to the store (once; minutes at the national scale)…", flush=True)
    who = Store(folder).sign_in(demo.COORDINATOR, demo.DEMO_PASSWORD)
    start = time.perf_counter()
    try:
        totals = demo.add_case_work(who, progress=lambda done, total: print(f"  {done} of {total} stays",
                                                                            flush=True))
    finally:
        who.lock("sign_out")
    print(f"case work added in {time.perf_counter() - start:.0f} s: "
          + ", ".join(f"{n} {name}" for name, n in totals.items()))


def _long_plan(folder: Path, raw: Any) -> int:  # noqa: ANN401
    """The resident with a plan of 40 goals and 10 versions, made through
    the services if the store has none."""
    found = raw.execute(LONG_PLAN_SQL, (VERSIONS, GOALS)).fetchone()
    if found:
        return found[0]
    from shelter.demo_names import generate_person
    from shelter.domain.people import Identity, Protection, ReferralInfo
    from shelter.domain.vocabulary import ASSESSMENT_DOMAIN
    from shelter.services import admissions, assessments, care_plans, demo
    from shelter.services.admissions import Admission
    from shelter.services.assessments import DomainScore
    from shelter.services.care_plans import ActionInput, GoalInput, GoalProgress
    from shelter.store import Store

    print(f"making a resident with a plan of {GOALS} goals and {VERSIONS} versions (once)…", flush=True)
    start = time.perf_counter()
    rng = random.Random(40)
    names = generate_person(rng, sex="F")
    identity = Identity(name_arabic=names.full_name_ar or "", name_latin=names.full_name, sex="female",
                        birth_year_estimated=date.today().year - 27, nationality=names.nationality,
                        languages=names.languages)
    coordinator = Store(folder).sign_in(demo.COORDINATOR, demo.DEMO_PASSWORD)
    try:
        now = datetime.now(UTC) - timedelta(minutes=5)
        bed = next(iter(admissions.compatible_beds(coordinator, identity, at=now)))
        resident_id = admissions.admit(coordinator, Admission(
            identity=identity, referral=ReferralInfo(referred_on=now.date(), source="ngo", agency="Association Amal"),
            protection=Protection(risk_level="high", consent_processing=True, consent_processing_on=now.date()),
            bed_id=bed.bed_id, admitted_at=now)).resident_id
    finally:
        coordinator.lock("sign_out")
    worker = Store(folder).sign_in("youssef", demo.DEMO_PASSWORD)
    try:
        today = date.today()
        assessments.record_assessment(worker, resident_id, today,
                                      {d: DomainScore(rng.choice((1, 2, 3))) for d in ASSESSMENT_DOMAIN.codes})
        plan_id = care_plans.start_plan(worker, resident_id).record_id
        domains = ASSESSMENT_DOMAIN.codes
        goals: list[tuple[int, list[int]]] = []
        for n in range(GOALS):
            domain = domains[n % len(domains)]
            text, actions = demo.GOALS[domain][(n // len(domains)) % len(demo.GOALS[domain])]
            goal_id = care_plans.add_goal(worker, plan_id, GoalInput(
                domain, f"{text} ({n // len(domains) + 1})", rng.choice(demo.RESIDENT_WORDS[domain]),
                rng.choice(("high", "medium", "low")), today + timedelta(days=rng.randint(30, 150)))).record_id
            action_ids = []
            for what, owner in actions[:2]:
                staff = worker.actor.account_id if owner in ("worker", "counsellor", "coordinator") else None
                action_ids.append(care_plans.add_action(worker, goal_id, ActionInput(
                    what, staff, "" if staff else owner, today + timedelta(days=rng.randint(5, 90)))).record_id)
            goals.append((goal_id, action_ids))
        open_actions = [a for _g, ids in goals for a in ids]
        rng.shuffle(open_actions)
        for version in range(1, VERSIONS + 1):
            care_plans.agree_version(worker, plan_id, rng.choice(("fr", "ar", "en")), agreed_on=today)
            if version == VERSIONS:
                break
            # Between two versions: a review with progress on every goal,
            # a few actions done, a note, a target moved.
            for _n in range(4):
                if open_actions:
                    action_id = open_actions.pop()
                    care_plans.complete_action(worker, action_id, today)
                    care_plans.add_action_note(worker, action_id, rng.choice(demo.ACTION_NOTES))
            care_plans.record_review(worker, plan_id, today, {
                goal_id: GoalProgress("in_progress", rng.choice(demo.PROGRESS_NOTES)) for goal_id, _a in goals},
                rng.choice(demo.CHANGED_AT_REVIEW), today + timedelta(days=30))
            goal_id = goals[version][0]
            view = next(g for g in care_plans.care_plan(worker, resident_id).goals if g.goal_id == goal_id)
            care_plans.update_goal(worker, goal_id, GoalInput(
                view.domain, view.goal, view.resident_words, view.priority,
                (view.target_on or today) + timedelta(days=30), view.status), "Délai prolongé à la révision")
    finally:
        worker.lock("sign_out")
    print(f"made in {time.perf_counter() - start:.0f} s")
    return resident_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks care_plans")
    store_arguments(parser)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    _cached_store(args)
    folder, _scratch = _ensure_store(args)
    _with_case_work(folder)

    from shelter.services import assessments, care_plans, demo, my_work
    from shelter.storage.database import connect_raw
    from shelter.store import Store

    coordinator = Store(folder).sign_in(demo.COORDINATOR, demo.DEMO_PASSWORD)
    raw = connect_raw(coordinator.store.database_path, coordinator.store.key)
    worker = None
    try:
        resident_id = _long_plan(folder, raw)
        worker = Store(folder).sign_in("youssef", demo.DEMO_PASSWORD)
        counts = {name: raw.execute(f"SELECT count(*) FROM {name}").fetchone()[0]  # noqa: S608
                  for name in ("resident", "stay", "assessment", "care_plan", "plan_goal", "plan_action",
                               "plan_version", "plan_review")}
        print("store: " + ", ".join(f"{n} {name}" for name, n in counts.items()))

        def tab() -> None:
            care_plans.care_plan(worker, resident_id)
            assessments.list_assessments(worker, resident_id)

        view = care_plans.care_plan(worker, resident_id)
        keys = {"r": resident_id, "s": view.stay_id, "p": view.plan_id}
        print(f"long plan: {len(view.goals)} goals, {sum(len(g.actions) for g in view.goals)} actions, "
              f"{len(view.versions)} versions, {len(view.reviews)} reviews, {len(view.events)} events")

        def bare_tab() -> None:
            for sql in TAB_SQL:
                raw.execute(sql, keys).fetchall()

        recent = (datetime.now(UTC) - timedelta(days=my_work.DISCHARGE_WINDOW_DAYS + 1)).replace(tzinfo=None)

        def bare_work(approvals: bool) -> None:
            stays = raw.execute(WORK_STAYS_SQL, (recent.isoformat(sep=" "),)).fetchall()
            ids = [row[0] for row in stays]
            marks = ",".join("?" * len(ids))
            raw.execute(LAST_ASSESSED_SQL.format(marks=marks), ids).fetchall()
            plans = raw.execute(PLANS_SQL.format(marks=marks), ids).fetchall()
            open_stays = {row[0] for row in stays if row[2] is None}
            plan_ids = [p[0] for p in plans if p[1] in open_stays]
            raw.execute(OPEN_ACTIONS_SQL.format(marks=",".join("?" * len(plan_ids))), plan_ids).fetchall()
            if approvals:
                raw.execute(AWAITING_SQL).fetchall()

        mine = my_work.my_work(worker)
        everyone = my_work.my_work(coordinator, everyone=True)
        in_work = len(raw.execute(WORK_STAYS_SQL, (recent.isoformat(sep=" "),)).fetchall())
        print(f"work: {in_work} stays in work; {len(mine)} items for {worker.actor.display_name}, "
              f"{len(everyone)} for everyone ({sum(i.state == 'overdue' for i in everyone)} overdue)")

        scenarios = (
            ("care plan tab (40 goals, 10 versions)", tab, bare_tab),
            ("my work (social worker)", lambda: my_work.my_work(worker), lambda: bare_work(False)),
            ("everyone's work (coordinator)", lambda: my_work.my_work(coordinator, everyone=True),
             lambda: bare_work(True)),
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
