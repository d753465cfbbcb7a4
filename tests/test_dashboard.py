"""The dashboard's figures on a real encrypted store
(shelter.services.dashboard): what they count, and the reporting role, which
sees the figures and no one (not the board, a search, a file or the
duplicate check)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shelter.errors import PermissionDenied
from shelter.security.permissions import Role
from shelter.services import accounts, admissions, beds, dashboard, discharge, residents
from shelter.store import Store
from tests.cases import admission, bed_ids


def test_dashboard_figures_count_what_happened(coordinator):
    b1, b2, b3 = bed_ids(coordinator)
    admissions.admit(coordinator, admission(b1))
    second = admissions.admit(coordinator, admission(b2, "Aisha Okoro", "عائشة"))
    discharge.discharge(coordinator, second.stay_id, datetime.now(UTC), "hospital")
    beds.reserve_bed(coordinator, b3, "police", hours=3)
    figures = dashboard.dashboard(coordinator)
    assert (figures.beds, figures.occupied) == (5, 1)
    assert (figures.admissions_this_month, figures.discharges_this_month) == (2, 1)
    assert figures.reservations_expiring == 1
    assert figures.average_stay_days is not None and figures.average_stay_days < 1
    assert len(figures.occupancy) == 12 and figures.occupancy[-1][1] == 1  # the last bar is now


def test_the_reporting_role_sees_figures_and_no_one(coordinator, admin, store_dir):
    admitted = admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    accounts.create_account(admin, "karim", "Karim Fassi", [Role.REPORTING], "monthly figures only",
                            must_change_password=False)
    karim = Store(store_dir).sign_in("karim", "monthly figures only")
    try:
        assert dashboard.dashboard(karim).occupied == 1
        for forbidden in (lambda: beds.bed_board(karim), lambda: residents.search_residents(karim, ""),
                          lambda: residents.open_resident(karim, admitted.resident_id),
                          lambda: admissions.duplicate_candidates(karim, admission(0).identity),
                          lambda: beds.reserve_bed(karim, bed_ids(coordinator)[1], "x")):
            with pytest.raises(PermissionDenied):
                forbidden()
    finally:
        karim.lock("sign_out")


def test_the_reintegration_counts_are_the_boards_for_those_who_see_it(coordinator, admin):
    from datetime import date, timedelta

    from shelter.services import reintegration_board

    admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    assert dashboard.reintegration_counts(admin) is None  # the administrator sees no resident's reintegration
    counts = dashboard.reintegration_counts(coordinator)
    assert (counts.overdue, counts.today, counts.soon, counts.lost_contact) == (0, 0, 0, 0)
    later = date.today() + timedelta(days=31)  # the plan fell due the day before
    assert dashboard.reintegration_counts(coordinator, today=later) == reintegration_board.board_counts(
        coordinator, today=later)
    assert dashboard.reintegration_counts(coordinator, today=later).overdue == 1
