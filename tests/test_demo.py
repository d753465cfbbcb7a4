"""The demonstration store: built through the services, it must hold what
years of real use would: consistent bed histories, one open stay per person,
case numbers per shelter and year, children beside their parent, the case
work after admission (assessments, care plans, agreed versions that verify,
reviews, what is overdue), and an export that matches the documented
format."""

from __future__ import annotations

import io
import json
import random
import sys
from collections import Counter, defaultdict
from datetime import date

import pytest

from shelter import cli
from shelter import store as store_module
from shelter.errors import StoreExists
from shelter.services import assessments, beds, care_plans, handover, my_work, residents
from shelter.services.demo import DEMO_PASSWORD, add_case_work, build_demo, shelters_for
from shelter.services.export import export_document
from shelter.store import Store
from tests.conftest import FAST_KDF
from tests.test_export import check_against_document


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo") / "store"
    summary = build_demo(folder, residents_count=120, years=2, shelter_count=2, seed=7, kdf=FAST_KDF)
    who = Store(folder).sign_in("salma", DEMO_PASSWORD)
    yield summary, who
    who.lock("sign_out")


def test_the_demo_holds_the_residents_asked_for(demo):
    summary, who = demo
    assert summary.residents == 120 and summary.stays >= 120
    board = beds.bed_board(who)
    statuses = [t.status for b in board for r in b.rooms for t in r.beds]
    assert len(statuses) == summary.beds == 120
    assert {"occupied", "free", "reserved", "out_of_service"} <= set(statuses)
    assert statuses.count("occupied") == summary.in_residence


def test_the_history_is_consistent(demo):
    _summary, who = demo
    document = export_document(who)
    check_against_document(document)
    by_bed = defaultdict(list)
    for a in document["bed_assignments"]:
        by_bed[a["bed_id"]].append((a["started_at"], a["ended_at"] or "9999"))
    for spans in by_bed.values():
        spans.sort()
        assert all(end <= start for (_s, end), (start, _e) in zip(spans, spans[1:], strict=False)), "two people in one bed"
    open_stays = [s["resident_id"] for s in document["stays"] if s["discharged_at"] is None]
    assert len(open_stays) == len(set(open_stays))
    assert len({s["resident_id"] for s in document["stays"]}) < len(document["stays"])  # some came back
    assert any(len([a for a in document["bed_assignments"] if a["stay_id"] == s["id"]]) > 1
               for s in document["stays"])  # some were moved
    numbers = defaultdict(list)
    for r in document["residents"]:
        code, year, sequence = r["case_number"].split("-")
        numbers[code, year].append(int(sequence))
    assert all(sorted(seq) == list(range(1, len(seq) + 1)) for seq in numbers.values())


def test_children_stay_beside_their_parent(demo):
    _summary, who = demo
    document = export_document(who)
    children = [r for r in document["residents"] if r["parent_id"]]
    assert children
    first_bed = {}
    for a in sorted(document["bed_assignments"], key=lambda a: a["id"]):
        first_bed.setdefault(a["stay_id"], a["bed_id"])
    room_of = {b["id"]: b["room_id"] for b in document["beds"]}
    rooms = {r["id"]: r for r in document["rooms"]}
    first_stay = {}
    for s in document["stays"]:
        first_stay.setdefault(s["resident_id"], s)
    for child in children:
        room = room_of[first_bed[first_stay[child["id"]]["id"]]]
        parent_room = room_of[first_bed[first_stay[child["parent_id"]]["id"]]]
        assert room == parent_room or rooms[room]["minors"]


def test_shelters_follow_the_size_of_the_network():
    assert shelters_for(20_000, 10) == 12
    assert shelters_for(300, 3) == 1


def test_demo_on_the_command_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(store_module, "calibrate", lambda: FAST_KDF)
    folder = tmp_path / "demo"
    code = cli.main(["--data-dir", str(folder), "demo", "--residents", "15", "--years", "0.5"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert DEMO_PASSWORD in out and "RECOVERY CODE" in out and "Coordinator" in out
    recovery = out.split("RECOVERY CODE: ")[1].split()[0]
    Store(folder).recover(recovery, "amina", "a brand new passphrase").lock("sign_out")
    who = Store(folder).sign_in("salma", DEMO_PASSWORD)
    try:
        assert len(residents.search_residents(who, "", status="all")) == 15
    finally:
        who.lock("sign_out")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = cli.main(["--data-dir", str(folder), "demo"])
    _out, err = capsys.readouterr()
    assert code != 0 and err.startswith("shelter: A store already exists") and "Traceback" not in err


def test_a_store_is_never_overwritten(tmp_path):
    build_demo(tmp_path / "s", residents_count=3, years=0.2, kdf=FAST_KDF)
    with pytest.raises(StoreExists):
        build_demo(tmp_path / "s", residents_count=3, years=0.2, kdf=FAST_KDF)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


def test_the_demo_has_case_work(demo):
    summary, who = demo
    assert all(summary.case_work[k] > 0 for k in ("assessments", "plans", "goals", "actions", "versions", "reviews",
                                                  "closures"))
    document = export_document(who)
    stays = {s["id"]: s for s in document["stays"]}
    assessed = {a["stay_id"] for a in document["assessments"]}
    assert 0.7 < len(assessed) / len(stays) < 0.95  # most stays, within their first days
    plans = {p["id"]: p for p in document["care_plans"]}
    assert {p["stay_id"] for p in plans.values()} <= assessed
    planned = {p["resident_id"] for p in plans.values()}
    assert 0.4 * len(document["residents"]) < len(planned) < len(document["residents"])  # not everyone has a plan
    goals = document["plan_goals"]
    actions_of = Counter(a["plan_goal_id"] for a in document["plan_actions"])
    assert all(actions_of[g["id"]] >= 1 for g in goals)
    assert all(a["owner_staff"] or a["owner_partner"] for a in document["plan_actions"])
    assert {"IOM Rabat", "Association Adala", "CHU Ibn Sina"} & {a["owner_partner"] for a in document["plan_actions"]}
    assert document["plan_domain_reasons"] and document["plan_action_notes"] and document["plan_review_goals"]
    assert any(g["resident_words"] for g in goals)
    assert any("\u0600" <= c <= "\u06ff" for g in goals for c in g["goal"])  # some written in Arabic
    versions = Counter(v["care_plan_id"] for v in document["plan_versions"])
    assert 0.7 * len(plans) < len(versions) and max(versions.values()) > 1
    assert max(versions.values()) <= 4
    worked = {a["stay_id"] for a in document["case_assignments"]}
    assert len(worked) > 0.85 * len(stays)
    assert {a["social_worker"] for a in document["case_assignments"]} == {"youssef", "hind"}
    assert document["case_closures"] and all(c["reason"] for c in document["case_closures"])


def test_case_work_happens_during_the_stay(demo):
    """What the services would refuse never happens in the demo either."""
    _summary, who = demo
    document = export_document(who)
    today = date.today()
    stays = {s["id"]: s for s in document["stays"]}
    plans = {p["id"]: p for p in document["care_plans"]}

    def within(stay_id: int, day: date) -> bool:
        stay = stays[stay_id]
        return _day(stay["admitted_at"]) <= day <= (_day(stay["discharged_at"]) or today)

    assert all(within(a["stay_id"], _day(a["assessed_on"])) for a in document["assessments"])
    first_version: dict[int, date] = {}
    for v in sorted(document["plan_versions"], key=lambda v: (v["care_plan_id"], v["number"])):
        assert within(plans[v["care_plan_id"]]["stay_id"], _day(v["agreed_on"]))
        first_version.setdefault(v["care_plan_id"], _day(v["agreed_on"]))
        content = json.loads(v["content"])
        assert content["reference"] == v["reference"] and content["version"] == v["number"]
        assert content["plan"]["goals"]
    for r in document["plan_reviews"]:
        assert first_version[r["care_plan_id"]] <= _day(r["reviewed_on"]) < _day(r["next_review_on"])
        assert within(plans[r["care_plan_id"]]["stay_id"], _day(r["reviewed_on"]))
    goal_plan = {g["id"]: g["care_plan_id"] for g in document["plan_goals"]}
    for a in document["plan_actions"]:
        if a["done_on"]:
            assert within(plans[goal_plan[a["plan_goal_id"]]]["stay_id"], _day(a["done_on"]))
    last_stay = {}
    for s in sorted(document["stays"], key=lambda s: s["admitted_at"]):
        last_stay[s["resident_id"]] = s
    for c in document["case_closures"]:
        if c["reopened_at"] is None:
            assert last_stay[c["resident_id"]]["discharged_at"][:10] <= c["closed_on"] <= today.isoformat()


def test_agreed_versions_verify(demo):
    _summary, who = demo
    versions = [(v["reference"], v["verification_code"]) for v in export_document(who)["plan_versions"]]
    for reference, code in random.Random(1).sample(versions, 8):
        found = handover.verify_document(who, reference, code)
        assert found.genuine and found.kind == "care_plan" and found.reference == reference
    reference, code = versions[0]
    wrong = ("0" if code[0] != "0" else "1") + code[1:]
    assert not handover.verify_document(who, reference, wrong).genuine


def test_a_long_plan_reads_through_the_services(demo):
    """A resident whose plan was agreed several times: the tab shows goals
    with actions, versions, reviews with progress, and what changed."""
    _summary, who = demo
    document = export_document(who)
    numbers = Counter(v["care_plan_id"] for v in document["plan_versions"])
    plan_id = max(numbers, key=lambda p: (numbers[p], p))
    plan = next(p for p in document["care_plans"] if p["id"] == plan_id)
    latest = {}
    for s in sorted(document["stays"], key=lambda s: s["admitted_at"]):
        latest[s["resident_id"]] = s["id"]
    if latest[plan["resident_id"]] != plan["stay_id"]:
        pytest.skip("the resident came back since: the tab shows the new stay")
    view = care_plans.care_plan(who, plan["resident_id"])
    assert view.plan_id == plan_id and len(view.versions) == numbers[plan_id] > 1
    assert view.goals and all(g.actions for g in view.goals) and view.reviews
    assert any(p for r in view.reviews for p in r.progress)
    assert view.case_worker
    assert care_plans.compare_versions(who, plan["resident_id"], view.versions[-1].number, view.versions[0].number)
    assert assessments.list_assessments(who, plan["resident_id"]).latest is not None


def test_some_work_is_overdue(demo):
    _summary, who = demo
    items = my_work.my_work(who, everyone=True)
    overdue = Counter(i.kind for i in items if i.state == "overdue")
    assert overdue["review"] + overdue["reassessment"] >= 1
    assert overdue["assessment"] + overdue["discharge_assessment"] >= 1
    assert overdue["action"] >= 1
    assert sum(1 for i in items if i.state != "overdue") >= 1  # and some not yet
    social = Store(who.store.paths.folder).sign_in("youssef", DEMO_PASSWORD)
    try:
        mine = my_work.my_work(social)
        me = social.actor.account_id
        assert mine and all(i.holder_id in (me, None) or i.owner_id == me for i in mine)
        assert len(mine) < len(items)  # not the cases Hind holds
    finally:
        social.lock("sign_out")


def test_case_work_is_added_once(demo):
    _summary, who = demo
    assert add_case_work(who) == {}
