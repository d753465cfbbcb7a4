"""The demonstration store: built through the services, it must hold what
years of real use would: consistent bed histories, one open stay per person,
case numbers per shelter and year, children beside their parent, the case
work after admission (assessments, care plans, agreed versions that verify,
reviews, what is overdue), counselling (sessions of every kind and outcome,
never two at once for anyone or any room, notes that only a counsellor's
key opens), reintegration (plans on every pathway, milestones from the
templates moved on with their history, referrals with the consent they
need, follow-ups after discharge, some lost contact, scores that the rules
give back), and an export that matches the documented format."""

from __future__ import annotations

import io
import json
import random
import sys
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta

import pytest

from shelter import cli
from shelter import store as store_module
from shelter.domain.reintegration import Contact, lost_contact_on, score
from shelter.domain.sessions import NOTE_PARTS, from_local, local
from shelter.domain.vocabulary import PATHWAY
from shelter.errors import StoreExists
from shelter.services import (
    assessments,
    beds,
    care_plans,
    handover,
    maintenance,
    my_work,
    notes,
    partners,
    reintegration,
    reintegration_board,
    residents,
    sessions,
)
from shelter.services.demo import (
    DEMO_PASSWORD,
    add_case_work,
    add_counselling,
    add_reintegration,
    build_demo,
    shelters_for,
)
from shelter.services.export import export_document
from shelter.services.notes import NotesLocked
from shelter.services.pathways import weights_from_json
from shelter.storage.database import connect_raw
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


# -- counselling ----------------------------------------------------------------------------

@pytest.fixture
def raw(demo):
    _summary, who = demo
    conn = connect_raw(who.store.database_path, who.store.key)
    yield conn
    conn.close()


def _now(before: timedelta = timedelta(0)) -> str:
    return (datetime.now(UTC) - before).replace(tzinfo=None).isoformat(sep=" ")


def test_the_demo_has_counselling(demo, raw):
    summary, _who = demo
    assert all(summary.counselling[k] > 0 for k in ("held", "no_show", "cancelled", "planned", "group", "family",
                                                    "series", "notes", "signed", "addenda", "risk_screens",
                                                    "follow_ups"))
    now = _now()
    past = dict(raw.execute("SELECT status, count(*) FROM counselling_session WHERE ends_at <= ? GROUP BY status",
                            (now,)).fetchall())
    assert past["held"] > 0.7 * sum(past.values()) and past["no_show"] and past["cancelled"]
    # Every session over has its outcome (but one under way when the demo was made).
    assert raw.execute("SELECT count(*) FROM counselling_session WHERE status = 'planned' AND starts_at < ?",
                       (_now(timedelta(hours=2)),)).fetchone()[0] == 0
    ahead = dict(raw.execute("SELECT status, count(*) FROM counselling_session WHERE starts_at > ? GROUP BY status",
                             (now,)).fetchall())
    assert set(ahead) <= {"planned", "cancelled"} and ahead["planned"] > ahead.get("cancelled", 0)
    weeks = raw.execute("SELECT max(starts_at) FROM counselling_session").fetchone()[0]
    assert weeks > (datetime.now(UTC) + timedelta(days=14)).replace(tzinfo=None).isoformat(sep=" ")
    # Weekly series: each occurrence at its local hour, a week apart, in one room.
    for series_id, local_start, minutes in raw.execute(
            "SELECT id, local_start, minutes FROM session_series").fetchall():
        rows = raw.execute("SELECT starts_at, ends_at, room_id FROM counselling_session WHERE series_id = ? "
                           "ORDER BY starts_at", (series_id,)).fetchall()
        starts = [datetime.fromisoformat(r[0]).replace(tzinfo=UTC) for r in rows]
        assert len(rows) >= 2 and len({r[2] for r in rows}) == 1
        assert all(local(s).strftime("%H:%M") == local_start for s in starts)
        assert all((b.date() - a.date()).days == 7 for a, b in zip(starts, starts[1:], strict=False))
        assert all(datetime.fromisoformat(r[1]) - datetime.fromisoformat(r[0]) == timedelta(minutes=minutes)
                   for r in rows)
    # Cancelled ones say who cancelled and why.
    assert raw.execute("SELECT count(*) FROM counselling_session WHERE status = 'cancelled' AND "
                       "(cancelled_by IS NULL OR length(cancel_reason) < 5)").fetchone()[0] == 0
    assert {r[0] for r in raw.execute("SELECT DISTINCT cancelled_by FROM counselling_session "
                                      "WHERE cancelled_by IS NOT NULL")} == {"resident", "counsellor", "shelter"}
    # Groups of two to six; family sessions with named relatives; in person in a room of the shelter, else none.
    sizes = [n for (n,) in raw.execute("SELECT count(*) FROM session_attendee a JOIN counselling_session s "
                                       "ON s.id = a.session_id GROUP BY s.id, s.kind HAVING s.kind = 'group'")]
    assert sizes and min(sizes) >= 2 and max(sizes) <= 6
    assert raw.execute("SELECT count(*) FROM counselling_session WHERE kind <> 'group' AND "
                       "(SELECT count(*) FROM session_attendee a WHERE a.session_id = id) <> 1").fetchone()[0] == 0
    relatives = raw.execute("SELECT r.name, r.relation FROM session_relative r JOIN counselling_session s "
                            "ON s.id = r.session_id WHERE s.kind = 'family'").fetchall()
    assert relatives and all(name.strip() and relation.strip() for name, relation in relatives)
    assert raw.execute("SELECT count(*) FROM counselling_session s WHERE s.kind = 'family' AND NOT EXISTS "
                       "(SELECT 1 FROM session_relative r WHERE r.session_id = s.id)").fetchone()[0] == 0
    modes = dict(raw.execute("SELECT mode, count(*) FROM counselling_session GROUP BY mode").fetchall())
    assert modes["in_person"] > modes["phone"] > 0 and modes["video"] > 0
    assert raw.execute("SELECT count(*) FROM counselling_session s LEFT JOIN meeting_room m ON m.id = s.room_id "
                       "WHERE (s.mode = 'in_person') <> (m.id IS NOT NULL) OR m.shelter_id <> s.shelter_id"
                       ).fetchone()[0] == 0
    rooms = {name for (name,) in raw.execute("SELECT name FROM meeting_room")}
    assert {"Salle d'écoute", "قاعة الاستماع", "Group room"} <= rooms
    # Most residents who stayed a fortnight were seen alone.
    stayed = {r for (r,) in raw.execute(
        "SELECT DISTINCT resident_id FROM stay JOIN resident ON resident.id = stay.resident_id "
        "WHERE resident.parent_id IS NULL AND julianday(coalesce(discharged_at, ?)) - julianday(admitted_at) > 14",
        (now,))}
    seen = {r for (r,) in raw.execute("SELECT DISTINCT a.resident_id FROM session_attendee a JOIN "
                                      "counselling_session s ON s.id = a.session_id WHERE s.kind = 'individual'")}
    assert len(stayed & seen) > 0.75 * len(stayed)


def test_sessions_happen_during_the_stay_and_notes_follow_held_ones(raw):
    assert raw.execute("""
        SELECT count(*) FROM session_attendee a JOIN counselling_session s ON s.id = a.session_id
        WHERE NOT EXISTS (SELECT 1 FROM stay st WHERE st.resident_id = a.resident_id AND st.shelter_id = s.shelter_id
                          AND st.admitted_at <= s.starts_at
                          AND (st.discharged_at IS NULL OR st.discharged_at >= s.ends_at))""").fetchone()[0] == 0
    assert raw.execute("SELECT count(*) FROM session_note n JOIN counselling_session s ON s.id = n.session_id "
                       "WHERE s.status <> 'held' OR n.author_id <> s.counsellor_id OR n.created_at < s.ends_at "
                       "OR n.saved_at < n.created_at OR n.signed_at < n.saved_at").fetchone()[0] == 0
    held = raw.execute("SELECT count(*) FROM counselling_session WHERE status = 'held'").fetchone()[0]
    noted = raw.execute("SELECT count(DISTINCT session_id) FROM session_note").fetchone()[0]
    signed = raw.execute("SELECT count(*) FROM session_note WHERE signed_at IS NOT NULL").fetchone()[0]
    assert 0.8 * held < noted <= held and 0.85 * noted < signed < noted
    assert raw.execute("SELECT count(*) FROM note_addendum d JOIN session_note n ON n.id = d.note_id "
                       "WHERE n.signed_at IS NULL OR d.written_at < n.signed_at").fetchone()[0] == 0
    # Follow-ups come with signed notes, in the clear for the social worker.
    assert raw.execute("SELECT count(*) FROM session_follow_up f WHERE NOT EXISTS (SELECT 1 FROM session_note n "
                       "WHERE n.session_id = f.session_id AND n.signed_at IS NOT NULL)").fetchone()[0] == 0
    # Risk screens: mostly low, some moderate, a rare high one alerts and raises the resident's risk.
    outcomes = Counter(dict(raw.execute("SELECT outcome, count(*) FROM risk_screen GROUP BY outcome").fetchall()))
    assert outcomes["low"] > outcomes["moderate"] > outcomes["high"] > 0
    assert raw.execute("SELECT count(*) FROM risk_screen r LEFT JOIN risk_alert a ON a.screen_id = r.id "
                       "WHERE (r.outcome = 'high') <> (a.id IS NOT NULL)").fetchone()[0] == 0
    assert {level for (level,) in raw.execute("SELECT res.risk_level FROM risk_alert a JOIN resident res "
                                              "ON res.id = a.resident_id")} == {"high"}
    assert raw.execute("SELECT count(*) FROM risk_screen r WHERE NOT EXISTS (SELECT 1 FROM session_attendee a "
                       "WHERE a.session_id = r.session_id AND a.resident_id = r.resident_id)").fetchone()[0] == 0


OVERLAPS = {
    "counsellor": "SELECT count(*) FROM counselling_session a JOIN counselling_session b ON a.id < b.id "
                  "AND a.counsellor_id = b.counsellor_id {live} {meet}",
    "room": "SELECT count(*) FROM counselling_session a JOIN counselling_session b ON a.id < b.id "
            "AND a.room_id = b.room_id {live} {meet}",
    "resident": "SELECT count(*) FROM session_attendee x JOIN session_attendee y ON x.resident_id = y.resident_id "
                "AND x.session_id < y.session_id JOIN counselling_session a ON a.id = x.session_id "
                "JOIN counselling_session b ON b.id = y.session_id {live} {meet}",
}


def test_nobody_and_no_room_is_in_two_sessions_at_once(raw):
    live = "AND a.status <> 'cancelled' AND b.status <> 'cancelled'"
    meet = "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at"
    for who, sql in OVERLAPS.items():
        assert raw.execute(sql.format(live=live, meet=meet)).fetchone()[0] == 0, f"a {who} in two sessions at once"
    # (and the query finds an overlap where there is one: a session against itself)
    assert raw.execute(OVERLAPS["counsellor"].replace("a.id < b.id", "a.id = b.id").format(
        live=live, meet=meet)).fetchone()[0] > 0


def test_a_demo_counsellor_reads_the_notes(demo, raw):
    _summary, who = demo
    for username, counsellor_id in raw.execute(
            "SELECT a.username, a.id FROM staff_account a WHERE a.id IN (SELECT counsellor_id FROM "
            "counselling_session)").fetchall():
        counsellor = Store(who.store.paths.folder).sign_in(username, DEMO_PASSWORD)
        try:
            picked = [r[0] for r in raw.execute(
                "SELECT s.id FROM counselling_session s JOIN session_note n ON n.session_id = s.id "
                "WHERE s.counsellor_id = ? ORDER BY s.id", (counsellor_id,)).fetchall()]
            with_addenda = [r[0] for r in raw.execute(
                "SELECT n.session_id FROM session_note n JOIN note_addendum d ON d.note_id = n.id "
                "WHERE n.author_id = ?", (counsellor_id,)).fetchall()]
            groups = [r[0] for r in raw.execute(
                "SELECT s.id FROM counselling_session s JOIN session_note n ON n.session_id = s.id "
                "WHERE s.counsellor_id = ? AND s.kind <> 'individual'", (counsellor_id,)).fetchall()]
            chosen = random.Random(3).sample(picked, 10) + with_addenda[:3] + groups[:3]
            for session_id in chosen:
                found = notes.session_notes(counsellor, session_id)
                assert len(found) == 1 and found[0].author_id == counsellor_id
                first = found[0].parts[NOTE_PARTS[found[0].format][0]]
                assert first.startswith("Synthetic note") and all(found[0].parts.values())
                assert all(text.startswith("Synthetic note") for _at, _by, text in found[0].addenda)
            assert any(notes.session_notes(counsellor, s)[0].addenda for s in with_addenda)
            screened = raw.execute("SELECT resident_id FROM risk_screen WHERE author_id = ? AND outcome <> 'low' "
                                   "LIMIT 1", (counsellor_id,)).fetchone()
            assert notes.risk_screens(counsellor, screened[0])
        finally:
            counsellor.lock("sign_out")
    with pytest.raises(NotesLocked):
        notes.session_notes(who, picked[0])  # the coordinator: only by breaking the glass


def test_no_note_is_readable_in_the_raw_database(raw):
    tables = [name for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    found_text, found_blob = [], []
    for table in tables:
        for row in raw.execute(f'SELECT * FROM "{table}"'):  # noqa: S608
            for value in row:
                if isinstance(value, str) and "Synthetic note" in value:
                    found_text.append(table)
                elif isinstance(value, (bytes, memoryview)) and (
                        b"Synthetic" in bytes(value) or "Synthetic".encode("utf-16-le") in bytes(value)):
                    found_blob.append(table)
    assert raw.execute("SELECT count(*) FROM session_note").fetchone()[0] > 100
    assert found_text == [] and found_blob == []


def test_the_services_show_the_demo_sessions(demo, raw):
    _summary, who = demo
    counsellor_id, busiest = raw.execute(
        "SELECT counsellor_id, date(starts_at) FROM counselling_session GROUP BY 1, 2 ORDER BY count(*) DESC "
        "LIMIT 1").fetchone()
    day = date.fromisoformat(busiest)
    monday = day - timedelta(days=day.weekday())
    week = sessions.week(who, monday, counsellor_id=counsellor_id)
    assert week and all(v.counsellor_id == counsellor_id and v.attendees for v in week)
    start, end = (from_local(d, time(0)).replace(tzinfo=None).isoformat(sep=" ")
                  for d in (monday, monday + timedelta(days=7)))
    assert len(week) == raw.execute("SELECT count(*) FROM counselling_session WHERE counsellor_id = ? AND "
                                    "starts_at < ? AND ends_at > ?", (counsellor_id, end, start)).fetchone()[0]
    assert all(a.starts_at <= b.starts_at for a, b in zip(week, week[1:], strict=False))
    resident_id, count = raw.execute("SELECT resident_id, count(*) FROM session_attendee GROUP BY 1 "
                                     "ORDER BY 2 DESC LIMIT 1").fetchone()
    theirs = sessions.resident_sessions(who, resident_id)
    assert len(theirs) == count and any(v.kind == "group" for v in theirs)
    admin = Store(who.store.paths.folder).sign_in("amina", DEMO_PASSWORD)
    try:
        assert maintenance.verify(admin).audit_ok  # the audit entries written in bulk chain like the others
    finally:
        admin.lock("sign_out")


def test_counselling_is_added_once(demo):
    summary, who = demo
    counsellor = Store(who.store.paths.folder).sign_in("nadia", DEMO_PASSWORD)
    try:
        assert add_counselling(counsellor) == {}
    finally:
        counsellor.lock("sign_out")


# -- reintegration --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def exported(demo):
    _summary, who = demo
    return export_document(who)


def _stay_end(stay: dict) -> date:
    return _day(stay["discharged_at"]) or date.today()


def test_most_long_stays_have_a_plan_on_a_realistic_pathway(demo, exported):
    summary, _who = demo
    assert all(summary.reintegration[k] > 0 for k in (
        "plans", "consented", "pathway_changes", "milestones", "done", "blocked", "referrals", "without_consent",
        "sharing_consents", "answered", "contacts", "reached", "lost_contact", "scores", "closures"))
    people = {r["id"]: r for r in exported["residents"]}
    stays = {s["id"]: s for s in exported["stays"]}
    plans = {p["stay_id"]: p for p in exported["reintegration_plans"]}
    long = {s["id"] for s in stays.values() if people[s["resident_id"]]["parent_id"] is None
            and (_stay_end(s) - _day(s["admitted_at"])).days > 35}
    assert len(long & set(plans)) > 0.75 * len(long)  # most stays of more than a few weeks
    assert all(people[p["resident_id"]]["parent_id"] is None for p in plans.values())  # a child has her parent's
    assert all((_stay_end(stays[s]) - _day(stays[s]["admitted_at"])).days > 21 for s in plans)
    pathways = Counter(p["pathway"] for p in plans.values())
    assert set(pathways) == set(PATHWAY.codes)
    assert pathways["morocco_family"] + pathways["return_origin"] + pathways["independent_morocco"] > 0.8 * len(plans)
    assert min(pathways["morocco_family"], pathways["return_origin"], pathways["independent_morocco"]) > 0.1 * len(plans)
    for p in plans.values():
        stay = stays[p["stay_id"]]
        assert _day(stay["admitted_at"]) <= _day(p["opened_on"]) <= _stay_end(stay)
        assert p["consent_on"] is None or p["opened_on"] <= p["consent_on"] <= date.today().isoformat()
        if p["pathway"] in ("return_origin", "third_country"):
            assert people[p["resident_id"]]["nationality"] != "MA"  # only foreigners go home or on
        if p["pathway"] in ("return_origin", "other"):
            assert p["pathway_detail"]
    assert sum(p["consent_on"] is not None for p in plans.values()) > 0.75 * len(plans)
    assert any(p["resident_choice"] for p in plans.values())


def test_milestones_come_from_the_templates_and_keep_their_history(exported):
    today = date.today()
    plans = {p["id"]: p for p in exported["reintegration_plans"]}
    changed = {c["reintegration_plan_id"] for c in exported["pathway_changes"]}
    templates = {t["id"]: t for t in exported["milestone_templates"]}
    by_plan = defaultdict(list)
    for m in exported["milestones"]:
        by_plan[m["reintegration_plan_id"]].append(m)
    events = defaultdict(list)
    for e in exported["milestone_events"]:
        events[e["milestone_id"]].append(e)
    for plan_id, plan in plans.items():
        milestones = sorted(by_plan[plan_id], key=lambda m: m["position"])
        from_templates = [m for m in milestones if m["milestone_template_id"]]
        if plan_id not in changed:
            wanted = sorted((t for t in templates.values() if t["pathway"] == plan["pathway"] and t["active"]),
                            key=lambda t: (t["position"], t["id"]))
            assert [m["milestone_template_id"] for m in from_templates] == [t["id"] for t in wanted]
        for m in from_templates:
            template = templates[m["milestone_template_id"]]
            assert m["code"] == template["code"]
            assert _day(m["due_on"]) == _day(plan["opened_on"]) + timedelta(days=template["offset_days"])
    statuses = Counter(m["status"] for m in exported["milestones"])
    assert statuses["done"] > 0.5 * len(exported["milestones"])  # older plans are mostly done
    assert statuses["blocked"] and statuses["in_progress"] and statuses["planned"] and statuses["not_applicable"]
    assert any(m["status"] in ("planned", "in_progress", "blocked") and m["due_on"] and _day(m["due_on"]) < today
               for m in exported["milestones"])  # some overdue
    assert any(m["milestone_template_id"] is None and m["title"] for m in exported["milestones"])  # the case's own
    for m in exported["milestones"]:
        history = sorted(events[m["id"]], key=lambda e: (e["at"], e["id"]))
        assert history[0]["status"] == "planned" and history[-1]["status"] == m["status"]
        assert [e["at"] for e in history] == sorted(e["at"] for e in history)
        assert (m["status"] == "done") == (m["done_on"] is not None)
        assert m["status"] not in ("blocked", "not_applicable") or m["status_reason"].strip()
        assert (m["owner_staff"] is None) or (m["owner_partner_id"] is None)
        if m["done_on"]:
            assert plans[m["reintegration_plan_id"]]["opened_on"] <= m["done_on"] <= today.isoformat()


def test_referrals_need_consent_or_a_reason_and_get_answers(demo, exported):
    _summary, who = demo
    today = date.today().isoformat()
    names = {p["id"]: p["name"] for p in exported["partners"]}
    assert {"IOM Rabat", "Association Adala", "CHU Ibn Sina", "UNHCR"} <= set(names.values())
    assert {p["kind"] for p in exported["partners"]} >= {"iom", "legal_aid", "health", "ngo", "education",
                                                          "consulate"}
    planned = {p["stay_id"] for p in exported["reintegration_plans"]}
    referrals = exported["partner_referrals"]
    without = [r for r in referrals if r["consent_override"]]
    assert 0 < len(without) < 0.15 * len(referrals)  # a few, with a written reason
    assert all(len(r["consent_override"]) >= 15 for r in without)
    for r in random.Random(5).sample([r for r in referrals if not r["consent_override"]], 25):
        assert partners.consent_to_share(who, r["resident_id"], r["partner_id"]), names[r["partner_id"]]
    statuses = Counter(r["status"] for r in referrals)
    assert set(statuses) == {"sent", "accepted", "refused", "completed"}
    assert any(r["status"] in ("sent", "accepted") and r["follow_up_on"] and r["follow_up_on"] < today
               for r in referrals)  # some unanswered past their follow-up date: overdue
    for r in referrals:
        assert r["stay_id"] in planned and r["referred_on"] <= today
        answers = [r[k] for k in ("accepted_on", "refused_on", "completed_on") if r[k]]
        assert all(r["referred_on"] <= on <= today for on in answers)
        assert r["status"] != "completed" or r["accepted_on"] <= r["completed_on"]


def test_follow_ups_come_after_the_discharge_and_some_lose_contact(exported):
    today = date.today()
    stays = {s["id"]: s for s in exported["stays"]}
    planned = {p["stay_id"] for p in exported["reintegration_plans"]}
    by_stay = defaultdict(list)
    for c in exported["follow_up_contacts"]:
        stay = stays[c["stay_id"]]
        assert c["stay_id"] in planned and stay["discharged_at"] is not None
        assert _day(stay["discharged_at"]) <= _day(c["contacted_on"]) <= today
        assert c["round_months"] in (3, 6, 12) and (c["method"] == "partner") == (c["partner_id"] is not None)
        assert not c["reached"] or c["situation"]
        by_stay[c["stay_id"]].append(Contact(_day(c["contacted_on"]), c["round_months"], c["reached"]))
    lost = [s for s, contacts in by_stay.items() if lost_contact_on(contacts, 3) is not None]
    assert 0 < len(lost) < 0.3 * len(by_stay)
    reached = sum(c["reached"] for c in exported["follow_up_contacts"])
    # Most contacts reach the person: 61 % to 73 % of them over seeds 1 to 8 of this demo (the draws move with
    # the day the demo is made), so the bound leaves room below the lowest.
    assert reached > 0.55 * len(exported["follow_up_contacts"])
    assert {3, 6, 12} == {c["round_months"] for c in exported["follow_up_contacts"] if c["reached"]}


def test_scores_are_what_the_rules_give_and_improve(exported):
    contacts = {c["id"]: c for c in exported["follow_up_contacts"]}
    answers = defaultdict(dict)
    for a in exported["sustainability_answers"]:
        answers[a["sustainability_score_id"]][a["indicator"]] = a["answer"]
    for s in exported["sustainability_scores"]:
        again = score(answers[s["id"]], weights_from_json(s["weights"]))
        assert (again.economic, again.social, again.psychosocial, again.overall, again.answered) == (
            s["economic"], s["social"], s["psychosocial"], s["overall"], s["answered"])
        if s["occasion"] == "follow_up":
            contact = contacts[s["follow_up_contact_id"]]
            assert contact["reached"] and contact["contacted_on"] == s["scored_on"]
            assert contact["stay_id"] == s["stay_id"]
    baseline = [s for s in exported["sustainability_scores"] if s["occasion"] == "baseline"]
    later = [s for s in exported["sustainability_scores"] if s["occasion"] == "follow_up"]
    assert len(baseline) > 0.8 * len(exported["reintegration_plans"]) and later
    mean = lambda scores: sum(s["overall"] for s in scores) / len(scores)  # noqa: E731
    assert mean(later) > mean(baseline) + 0.05  # generally better as time goes on


def test_cases_close_after_their_last_follow_up(exported):
    planned = {p["stay_id"]: p for p in exported["reintegration_plans"]}
    stays = {s["id"]: s for s in exported["stays"]}
    last_contact = defaultdict(str)
    for c in exported["follow_up_contacts"]:
        last_contact[c["stay_id"]] = max(last_contact[c["stay_id"]], c["contacted_on"])
    after = []
    for c in exported["case_closures"]:
        followed = [s for s in last_contact if stays[s]["resident_id"] == c["resident_id"]
                    and stays[s]["discharged_at"][:10] <= c["closed_on"]
                    and (c["reopened_at"] is None or c["closed_on"] < c["reopened_at"][:10])]
        if followed:
            assert all(last_contact[s] <= c["closed_on"] for s in followed)
            after.append(c["reason"])
    assert {"lost_contact", "reintegrated"} <= set(after)
    assert any(stays[s]["discharged_at"] for s in planned)


def test_the_services_show_the_demo_reintegration(demo, raw):
    _summary, who = demo
    resident_id = raw.execute("""
        SELECT p.resident_id FROM reintegration_plan p
        WHERE p.stay_id = (SELECT id FROM stay WHERE resident_id = p.resident_id ORDER BY admitted_at DESC LIMIT 1)
          AND (SELECT count(*) FROM follow_up_contact c WHERE c.stay_id = p.stay_id AND c.reached) >= 2
          AND (SELECT count(*) FROM partner_referral r WHERE r.stay_id = p.stay_id) >= 1
        ORDER BY (SELECT count(*) FROM sustainability_score s WHERE s.stay_id = p.stay_id) DESC, p.id LIMIT 1
        """).fetchone()[0]
    view = reintegration.reintegration(who, resident_id)
    assert view.plan is not None and view.milestones and view.referrals and not view.in_residence
    assert sum(r.state == "done" for r in view.rounds) >= 2 and len(view.scores) >= 3
    assert [s.scored_on for s in view.scores] == sorted(s.scored_on for s in view.scores)
    assert view.scores[0].occasion == "baseline" and view.status in ("follow_up", "closed", "closed_referred",
                                                                     "active")
    items = reintegration_board.board(who)
    kinds = Counter(i.kind for i in items if i.state == "overdue")
    assert kinds["milestone"] and kinds["referral"] and kinds["plan"]
    assert any(i.kind == "follow_up" for i in items)
    counts = reintegration_board.board_counts(who)
    assert counts.overdue and counts.lost_contact >= 1  # and a case that lost contact stays visible
    assert all(a.sort_key <= b.sort_key for a, b in zip(items, items[1:], strict=False))


def test_reintegration_is_added_once(demo):
    _summary, who = demo
    assert add_reintegration(who) == {}
