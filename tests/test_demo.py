"""The demonstration store: built through the services, it must hold what
years of real use would: consistent bed histories, one open stay per person,
case numbers per shelter and year, children beside their parent, and an
export that matches the documented format."""

from __future__ import annotations

import io
import sys
from collections import defaultdict

import pytest

from shelter import cli
from shelter import store as store_module
from shelter.errors import StoreExists
from shelter.services import beds, residents
from shelter.services.demo import DEMO_PASSWORD, build_demo, shelters_for
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
