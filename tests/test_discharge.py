"""Discharges on a real encrypted store (shelter.services.discharge): the bed
is freed and the stay kept in the history, a discharge may not be dated in
the future, before the admission or before the last move, and it returns
``StayEnded`` naming the bed it freed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shelter.domain import changes, people
from shelter.errors import ValidationError
from shelter.services import admissions, beds, discharge, residents
from shelter.services.admissions import Admission
from tests.cases import TODAY, admission, bed_ids, tile


def test_discharge_frees_the_bed_and_keeps_the_stay(coordinator):
    bed = bed_ids(coordinator)[0]
    admitted = admissions.admit(coordinator, admission(bed))
    with pytest.raises(ValidationError):
        discharge.discharge(coordinator, admitted.stay_id, datetime.now(UTC) + timedelta(days=2), "hospital")
    with pytest.raises(ValidationError):
        discharge.discharge(coordinator, admitted.stay_id, datetime.now(UTC) - timedelta(days=30), "hospital")
    discharge.discharge(coordinator, admitted.stay_id, datetime.now(UTC), "assisted_return", "IOM, Lagos")
    assert residents.search_residents(coordinator, "fatima") == []
    assert [r.case_number for r in residents.search_residents(coordinator, "fatima", status="discharged")] == [
        admitted.case_number]
    tile = next(t for sb in beds.bed_board(coordinator) for r in sb.rooms for t in r.beds if t.bed_id == bed)
    assert tile.status == "free"
    with pytest.raises(ValidationError):
        discharge.discharge(coordinator, admitted.stay_id, datetime.now(UTC), "hospital")


def test_a_discharge_cannot_predate_the_last_move(coordinator):
    b1, b2, _b3 = bed_ids(coordinator)
    now = datetime.now(UTC)
    base = admission(b1, admitted_at=now - timedelta(days=10))
    referral = people.ReferralInfo(referred_on=TODAY - timedelta(days=10), source="ngo")
    admitted = admissions.admit(coordinator, Admission(**{**base.__dict__, "referral": referral}))
    beds.transfer(coordinator, admitted.stay_id, b2, at=now - timedelta(days=2))
    with pytest.raises(ValidationError) as caught:
        discharge.discharge(coordinator, admitted.stay_id, now - timedelta(days=5), "other")
    assert caught.value.field == "at"
    discharge.discharge(coordinator, admitted.stay_id, now - timedelta(days=1), "other")
    file = residents.open_resident(coordinator, admitted.resident_id)
    assert file.stays[0].beds[-1][2] == file.stays[0].discharged_at


# -- what a discharge says it changed ------------------------------------------------------

def test_discharge_returns_stay_ended_naming_the_freed_bed(coordinator):
    bed = bed_ids(coordinator)[0]
    admitted = admissions.admit(coordinator, admission(bed))
    when = datetime.now(UTC)
    ended = discharge.discharge(coordinator, admitted.stay_id, when, "assisted_return", "IOM, Lagos")
    assert isinstance(ended, changes.StayEnded)
    assert (ended.stay_id, ended.resident_id) == (admitted.stay_id, admitted.resident_id)
    assert ended.bed_ids == (bed,) and (ended.destination, ended.at) == ("assisted_return", when)
    assert ended.beds == {bed} and ended.residents == {admitted.resident_id}
    assert tile(coordinator, bed).status == "free"


def test_after_a_move_the_stay_ended_names_the_bed_she_was_in_last(coordinator):
    b1, b2, _b3 = bed_ids(coordinator)
    admitted = admissions.admit(coordinator, admission(b1))
    beds.transfer(coordinator, admitted.stay_id, b2)
    ended = discharge.discharge(coordinator, admitted.stay_id, datetime.now(UTC), "hospital")
    assert ended.bed_ids == (b2,) and ended.beds == {b2}
