"""Counselling sessions: no counsellor, resident or room in two sessions at
once; weekly sessions keep their local hour across Ramadan's change of
offset; held, missed and cancelled sessions; the figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from shelter.domain.sessions import from_local, local, weekly
from shelter.errors import PermissionDenied, ValidationError
from shelter.security.permissions import Role
from shelter.services import accounts, admissions, sessions
from shelter.services.sessions import SessionInput
from shelter.store import Store
from tests.cases import admission, audit_details, bed_ids


@pytest.fixture
def two(coordinator):
    b1, b2, _b3 = bed_ids(coordinator)
    return (admissions.admit(coordinator, admission(b1)).resident_id,
            admissions.admit(coordinator, admission(b2, "Aisha Okoro", "عائشة أوكورو")).resident_id)


@pytest.fixture
def room(counsellor):
    return sessions.add_room(counsellor, 1, "Salle d'écoute").room_id


def soon(hours=24, minute=0):
    at = datetime.now(UTC).replace(minute=minute, second=0, microsecond=0) + timedelta(hours=hours)
    return at


def one(counsellor, resident, start, room, minutes=50, **extra):
    return sessions.plan_session(counsellor, SessionInput(counsellor.actor.account_id, extra.pop("kind", "individual"),
                                                          (resident,) if isinstance(resident, int) else resident,
                                                          start, minutes, room_id=room, **extra)).session_ids[0]


def test_a_counsellor_a_resident_or_a_room_is_never_in_two_sessions(counsellor, admin, store_dir, two, room):
    fatima, aisha = two
    start = soon()
    one(counsellor, fatima, start, room)
    with pytest.raises(ValidationError) as refused:
        one(counsellor, aisha, start + timedelta(minutes=30), None, mode="phone")
    assert refused.value.field == "counsellor"
    accounts.create_account(admin, "omar", "Omar Naciri", [Role.COUNSELLOR], "green door slow river",
                            must_change_password=False)
    omar = Store(store_dir).sign_in("omar", "green door slow river")
    try:
        with pytest.raises(ValidationError) as refused:
            one(omar, fatima, start + timedelta(minutes=10), None, mode="video")
        assert refused.value.field == "residents"
        with pytest.raises(ValidationError) as refused:
            one(omar, aisha, start + timedelta(minutes=49), room)
        assert refused.value.field == "room"
        # Back to back is not a conflict.
        one(omar, aisha, start + timedelta(minutes=50), room)
    finally:
        omar.lock("sign_out")


def test_moving_checks_the_same_and_keeps_the_length(counsellor, two, room):
    fatima, aisha = two
    start = soon()
    first = one(counsellor, fatima, start, room)
    second = one(counsellor, aisha, start + timedelta(hours=2), room, minutes=30)
    with pytest.raises(ValidationError):
        sessions.move_session(counsellor, second, start + timedelta(minutes=20))
    sessions.move_session(counsellor, second, start + timedelta(hours=3))
    moved = [v for v in sessions.week(counsellor, local(start).date() - timedelta(days=7), days=21)
             if v.session_id == second][0]
    assert moved.starts_at == start + timedelta(hours=3) and moved.minutes == 30
    assert first != second


def test_a_weekly_session_keeps_its_local_hour_across_ramadan():
    # In 2027 Morocco's clocks go from UTC+1 to UTC+0 on 7 February and back on 14 March.
    starts = weekly(date(2027, 1, 25), time(10, 0), date(2027, 3, 22))
    assert all(local(s).strftime("%H:%M") == "10:00" for s in starts)
    offsets = [local(s).utcoffset() for s in starts]
    assert offsets[0] == timedelta(hours=1) and offsets[3] == timedelta(0) and offsets[-1] == timedelta(hours=1)
    assert [s.hour for s in starts][:3] == [9, 9, 10]  # 09:00 UTC before, 10:00 UTC during
    assert from_local(date(2027, 2, 8), time(10)) == datetime(2027, 2, 8, 10, tzinfo=UTC)


def test_a_weekly_series_is_planned_whole_or_not_at_all(counsellor, two, room):
    fatima, aisha = two
    start = soon(48)
    # The fourth week's session, at the series' local hour (three weeks on, Ramadan may have changed the offset).
    fourth = from_local(local(start).date() + timedelta(days=21), local(start).time())
    blocking = one(counsellor, aisha, fourth, room)
    with pytest.raises(ValidationError, match="already has a session"):
        sessions.plan_weekly(counsellor, SessionInput(counsellor.actor.account_id, "individual", (fatima,), start,
                                                      50, room_id=room), local(start + timedelta(days=35)).date())
    assert [v.session_id for v in sessions.resident_sessions(counsellor, fatima)] == []
    sessions.cancel_session(counsellor, blocking, "resident", "She has a hearing that day")
    made = sessions.plan_weekly(counsellor, SessionInput(counsellor.actor.account_id, "individual", (fatima,), start,
                                                         50, room_id=room), local(start + timedelta(days=35)).date())
    assert len(made.session_ids) == 6
    sessions.cancel_session(counsellor, made.session_ids[2], "counsellor", "Training day for the team",
                            whole_series=True)
    statuses = [v.status for v in sorted(sessions.resident_sessions(counsellor, fatima), key=lambda v: v.starts_at)]
    assert statuses == ["planned", "planned", "cancelled", "cancelled", "cancelled", "cancelled"]


def test_group_and_family_sessions(counsellor, two, room):
    fatima, aisha = two
    with pytest.raises(ValidationError) as refused:
        one(counsellor, (fatima,), soon(), room, kind="group")
    assert refused.value.field == "residents"
    one(counsellor, (fatima, aisha), soon(), room, kind="group")
    with pytest.raises(ValidationError) as refused:
        one(counsellor, fatima, soon(5), room, kind="family")
    assert refused.value.field == "relatives"
    family = one(counsellor, fatima, soon(5), room, kind="family", relatives=(("Grace Benali", "sister"),))
    view = [v for v in sessions.resident_sessions(counsellor, fatima) if v.session_id == family][0]
    assert view.relatives == (("Grace Benali", "sister"),)


def test_held_missed_and_cancelled_sessions_and_the_figures(counsellor, two, room):
    fatima, aisha = two
    past = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=2)
    held = one(counsellor, fatima, past, room, minutes=60)
    missed = one(counsellor, aisha, past + timedelta(hours=2), room, minutes=45)
    group = one(counsellor, (fatima, aisha), past + timedelta(hours=4), room, minutes=90, kind="group")
    later = one(counsellor, fatima, soon(), room)
    with pytest.raises(ValidationError, match="not begun"):
        sessions.set_outcome(counsellor, later, "held")
    sessions.set_outcome(counsellor, held, "held")
    sessions.set_outcome(counsellor, missed, "no_show")
    sessions.set_outcome(counsellor, group, "held")
    with pytest.raises(ValidationError) as refused:
        sessions.cancel_session(counsellor, later, "nobody", "because")
    assert refused.value.field == "cancelled_by"
    sessions.cancel_session(counsellor, later, "resident", "At the hospital")
    day = local(past).date()
    found = sessions.figures(counsellor, day - timedelta(days=1), local(soon()).date())
    assert (found.held, found.missed, found.cancelled, found.attendances) == (2, 1, 1, 3)
    assert found.hours == 2.5 and found.hours_by_resident == {fatima: 2.5, aisha: 1.5}
    assert found.hours_by_counsellor == {"Leila Berrada": 2.5}
    assert [d["status"] for _o, _r, d in audit_details(counsellor, "sessions.outcome")] == ["held", "no_show", "held"]


def test_only_counsellors_plan_and_only_their_own(counsellor, coordinator, two, room):
    fatima, _aisha = two
    with pytest.raises(PermissionDenied):
        sessions.plan_session(coordinator, SessionInput(counsellor.actor.account_id, "individual", (fatima,),
                                                        soon(), 50, room_id=room))
    with pytest.raises(ValidationError) as refused:
        sessions.plan_session(counsellor, SessionInput(coordinator.actor.account_id, "individual", (fatima,),
                                                       soon(), 50, room_id=room))
    assert refused.value.field == "counsellor"
    assert sessions.week(coordinator, local(soon()).date()) == []
