"""The bed board, moves, reservations and beds out of service on a real
encrypted store (shelter.services.beds): the name form the shelter chose on
the tiles, a transfer keeping the bed history, a move to another shelter,
reservations holding a bed until they expire or are cancelled, a bed out of
service never offered, two workstations moving two people into one bed, and
the change each write returns (``BedMoved``, ``ReservationMade``,
``ReservationCancelled``, ``BedServiceChanged``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shelter.domain import changes
from shelter.errors import ValidationError
from shelter.services import admissions, beds, residents, settings, shelters
from tests.cases import TODAY, admission, at_once, bed_ids, tile


def test_the_shelters_name_form_applies_on_the_board(coordinator, admin):
    bed = bed_ids(coordinator)[0]
    admissions.admit(coordinator, admission(bed))
    settings.update_settings(admin, resident_name_form="initials")
    tile = next(t for sb in beds.bed_board(coordinator) for r in sb.rooms for t in r.beds if t.bed_id == bed)
    assert tile.name == "F.Z.B."


def test_transfer_keeps_the_bed_history_and_frees_the_old_bed(coordinator):
    b1, b2, _b3 = bed_ids(coordinator)
    stay = admissions.admit(coordinator, admission(b1)).stay_id
    beds.transfer(coordinator, stay, b2)
    board = {t.bed_id: t.status for sb in beds.bed_board(coordinator) for r in sb.rooms for t in r.beds}
    assert board[b1] == "free" and board[b2] == "occupied"
    history = residents.open_resident(coordinator, residents.search_residents(coordinator, "fatima")[0].resident_id)
    beds_history = history.stays[0].beds
    assert len(beds_history) == 2 and beds_history[0][2] is not None and beds_history[1][2] is None


def test_a_move_to_another_shelter_keeps_the_case_and_the_history(coordinator):
    other = shelters.create_shelter(coordinator, "Dar Al Hanane", "CAS1", "Casablanca")
    room = shelters.add_room(coordinator, other.id, "Women A", beds=2, women_only=True)
    admitted = admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    beds.transfer(coordinator, admitted.stay_id, room.beds[0].id)
    board = {b.code: b for b in beds.bed_board(coordinator)}
    assert board["RBT1"].count("occupied") == 0 and board["CAS1"].count("occupied") == 1
    row = residents.search_residents(coordinator, "benali")[0]
    assert (row.case_number, row.shelter_name) == (admitted.case_number, "Dar Al Hanane")
    file = residents.open_resident(coordinator, admitted.resident_id)
    assert [b[0] for b in file.stays[0].beds] == ["Room 1 / 1", "Women A / 1"]
    assert file.stays[0].shelter_name == "Dar Al Hanane"


def test_reservations_hold_a_bed_until_they_expire(coordinator):
    bed = bed_ids(coordinator)[0]
    now = datetime.now(UTC)
    beds.reserve_bed(coordinator, bed, "police, Rabat", hours=2, at=now)
    tile = next(t for sb in beds.bed_board(coordinator, at=now) for r in sb.rooms for t in r.beds
                if t.bed_id == bed)
    assert tile.status == "reserved"
    with pytest.raises(ValidationError):
        beds.reserve_bed(coordinator, bed, "another", hours=2, at=now)
    later = now + timedelta(hours=3)
    tile = next(t for sb in beds.bed_board(coordinator, at=later) for r in sb.rooms for t in r.beds
                if t.bed_id == bed)
    assert tile.status == "free"
    beds.reserve_bed(coordinator, bed, "hotline", hours=1, at=later)  # the lapsed one no longer blocks


def test_a_bed_out_of_service_is_never_offered(coordinator):
    bed = bed_ids(coordinator)[0]
    beds.set_out_of_service(coordinator, bed, "Broken frame", TODAY + timedelta(days=7))
    tile = next(t for sb in beds.bed_board(coordinator) for r in sb.rooms for t in r.beds if t.bed_id == bed)
    assert tile.status == "out_of_service" and tile.reason == "Broken frame"
    assert bed not in {c.bed_id for c in admissions.compatible_beds(coordinator, admission(0).identity)}
    with pytest.raises(ValidationError):
        admissions.admit(coordinator, admission(bed))
    beds.return_to_service(coordinator, bed)
    admissions.admit(coordinator, admission(bed))


def test_two_workstations_moving_two_people_into_one_bed(coordinator, second_workstation):
    b1, b2, b3 = bed_ids(coordinator)
    one = admissions.admit(coordinator, admission(b1))
    two = admissions.admit(coordinator, admission(b2, "Aisha Okoro", "عائشة"))
    outcomes = at_once(lambda: beds.transfer(coordinator, one.stay_id, b3),
                       lambda: beds.transfer(second_workstation, two.stay_id, b3))
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 1 and refused[0].field == "bed"
    assert tile(coordinator, b3).status == "occupied"
    statuses = {tile(coordinator, b1).status, tile(coordinator, b2).status}
    assert statuses == {"free", "occupied"}  # the one who moved left a free bed


# -- what each write says it changed ------------------------------------------------------------

def test_transfer_returns_bed_moved_from_the_old_bed_to_the_new(coordinator):
    b1, b2, _b3 = bed_ids(coordinator)
    admitted = admissions.admit(coordinator, admission(b1))
    moved = beds.transfer(coordinator, admitted.stay_id, b2)
    assert isinstance(moved, changes.BedMoved)
    assert (moved.stay_id, moved.resident_id) == (admitted.stay_id, admitted.resident_id)
    assert (moved.from_bed, moved.to_bed) == (b1, b2)
    assert moved.beds == {b1, b2} and moved.residents == {admitted.resident_id}
    assert (tile(coordinator, b1).status, tile(coordinator, b2).status) == ("free", "occupied")


def test_reserve_bed_returns_reservation_made(coordinator):
    bed = bed_ids(coordinator)[0]
    now = datetime.now(UTC)
    made = beds.reserve_bed(coordinator, bed, "police, Rabat", hours=6, at=now)
    assert isinstance(made, changes.ReservationMade)
    assert made.bed_id == bed and made.expires_at == now + timedelta(hours=6)
    assert made.beds == {bed} and made.residents == frozenset()
    with coordinator.store.read() as s:
        from shelter.storage.models import Reservation

        held = s.get(Reservation, made.reservation_id)
        assert (held.bed_id, held.label, held.closed_at) == (bed, "police, Rabat", None)


def test_the_reserved_tile_carries_its_reservation_so_the_screen_can_cancel_it(coordinator):
    bed = bed_ids(coordinator)[0]
    made = beds.reserve_bed(coordinator, bed, "police, Rabat", hours=4)
    reserved = tile(coordinator, bed)
    assert reserved.status == "reserved"
    assert reserved.reservation_id == made.reservation_id and reserved.reserved_until == made.expires_at
    others = [t for sb in beds.bed_board(coordinator) for r in sb.rooms for t in r.beds if t.bed_id != bed]
    assert others and all(t.reservation_id is None for t in others)
    beds.cancel_reservation(coordinator, reserved.reservation_id)
    assert tile(coordinator, bed).status == "free"


def test_cancel_reservation_returns_reservation_cancelled_and_frees_the_bed(coordinator):
    bed = bed_ids(coordinator)[0]
    made = beds.reserve_bed(coordinator, bed, "police, Rabat", hours=4)
    cancelled = beds.cancel_reservation(coordinator, made.reservation_id)
    assert isinstance(cancelled, changes.ReservationCancelled)
    assert (cancelled.reservation_id, cancelled.bed_id) == (made.reservation_id, bed)
    assert cancelled.beds == {bed} and cancelled.residents == frozenset()
    freed = tile(coordinator, bed)
    assert freed.status == "free" and freed.reservation_id is None
    assert bed in {c.bed_id for c in admissions.compatible_beds(coordinator, admission(0).identity)}
    with pytest.raises(ValidationError) as caught:
        beds.cancel_reservation(coordinator, made.reservation_id)
    assert caught.value.field == "reservation"


def test_out_of_service_and_back_each_return_bed_service_changed(coordinator):
    bed = bed_ids(coordinator)[0]
    out = beds.set_out_of_service(coordinator, bed, "Broken frame", TODAY + timedelta(days=7))
    assert out == changes.BedServiceChanged(bed, in_service=False)
    assert out.beds == {bed} and out.residents == frozenset()
    assert tile(coordinator, bed).status == "out_of_service"
    back = beds.return_to_service(coordinator, bed)
    assert back == changes.BedServiceChanged(bed, in_service=True)
    assert back.beds == {bed} and back.residents == frozenset()
    assert tile(coordinator, bed).status == "free"


def test_a_reserved_bed_cannot_be_taken_out_of_service_until_the_reservation_is_cancelled(coordinator):
    bed = bed_ids(coordinator)[0]
    made = beds.reserve_bed(coordinator, bed, "police, Rabat", hours=4)
    with pytest.raises(ValidationError) as refused:
        beds.set_out_of_service(coordinator, bed, "Broken frame", None)
    assert refused.value.field == "bed" and tile(coordinator, bed).status == "reserved"
    beds.cancel_reservation(coordinator, made.reservation_id)
    beds.set_out_of_service(coordinator, bed, "Broken frame", None)
    assert tile(coordinator, bed).status == "out_of_service"


def test_a_lapsed_reservation_is_not_cancelled_and_a_bed_in_service_is_not_returned(coordinator):
    bed = bed_ids(coordinator)[0]
    earlier = datetime.now(UTC) - timedelta(hours=5)
    made = beds.reserve_bed(coordinator, bed, "police, Rabat", hours=2, at=earlier)
    with pytest.raises(ValidationError) as lapsed:
        beds.cancel_reservation(coordinator, made.reservation_id)
    assert lapsed.value.field == "reservation" and tile(coordinator, bed).status == "free"
    with pytest.raises(ValidationError) as already:
        beds.return_to_service(coordinator, bed)
    assert already.value.field == "bed"


def test_a_bed_in_a_closed_room_is_refused_as_out_of_service(coordinator, admin):
    bed = bed_ids(coordinator)[0]
    room = next(r for r in shelters.list_shelters(admin)[0].rooms if r.name == "Room 1")
    shelters.update_room(admin, room.id, room.name, room.women_only, room.men_only, room.minors, room.accessible,
                         active=False)
    with pytest.raises(ValidationError) as refused:
        admissions.admit(coordinator, admission(bed))
    assert refused.value.message == "This bed is out of service."


def test_every_change_of_a_bed_room_or_shelter_in_use_is_recorded_once(coordinator, admin):
    from sqlalchemy import select

    from shelter.storage.models import BedServiceChange

    def history(bed_id):
        with admin.store.read() as s:
            return [(c.in_service, c.changed_by) for c in s.execute(
                select(BedServiceChange).where(BedServiceChange.bed_id == bed_id)
                .order_by(BedServiceChange.changed_at, BedServiceChange.id)).scalars()]

    shelter = shelters.list_shelters(admin)[0]
    room = next(r for r in shelter.rooms if r.name == "Room 1")
    bed = room.beds[0].id
    me = admin.actor.account_id
    assert history(bed) == [(True, me)]
    shelters.update_bed(admin, bed, "Window", True)  # a new label: nothing about service changes
    shelters.update_room(admin, room.id, "Room 1", True, False, False, True)
    assert history(bed) == [(True, me)]
    beds.set_out_of_service(admin, bed, "Broken frame", None)
    beds.return_to_service(admin, bed)
    shelters.update_room(admin, room.id, "Room 1", True, False, False, False, active=False)
    shelters.update_room(admin, room.id, "Room 1", True, False, False, False, active=True)
    shelters.update_shelter(admin, shelter.id, shelter.name, shelter.city, True, False, True, active=False)
    closed = history(bed)
    shelters.update_bed(admin, bed, "Window", False)  # taken out of use while the shelter is closed: no change
    assert history(bed) == closed == [(True, me), (False, me), (True, me), (False, me), (True, me), (False, me)]
    shelters.update_shelter(admin, shelter.id, shelter.name, shelter.city, True, False, True, active=True)
    assert history(bed)[-1] == (False, me)  # the shelter reopened, the bed is still out of use
    added = shelters.add_bed(admin, room.id, "Extra")
    assert history(added.id) == [(True, me)]
    assert history(room.beds[1].id) == [(True, me), (False, me), (True, me), (False, me), (True, me)]
