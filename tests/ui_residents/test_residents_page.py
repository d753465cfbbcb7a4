"""The residents list searches once per pause in the typing, not once per
key: every search is an audit entry."""

from __future__ import annotations

from sqlalchemy import func, select

from shelter.services import admissions
from shelter.storage.models import AuditEntry
from tests.cases import admission, bed_ids


def searches(who) -> int:
    with who.store.read() as s:
        return s.execute(select(func.count()).select_from(AuditEntry)
                         .where(AuditEntry.action == "resident.search")).scalar_one()


def test_typing_a_name_searches_once_after_the_pause(qtbot, coordinator):
    from ui.residents.page import SEARCH_DELAY_MS, ResidentsPage

    admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    page = ResidentsPage(coordinator)
    qtbot.addWidget(page)
    page.show()
    assert searches(coordinator) == 1  # the list as the page opens
    qtbot.keyClicks(page.search, "fatima")  # six keys, well within the delay
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and searches(coordinator) == 2, timeout=3000)
    qtbot.wait(SEARCH_DELAY_MS * 2)
    assert searches(coordinator) == 2


def test_the_global_search_searches_once(qtbot, coordinator):
    from ui.residents.page import SEARCH_DELAY_MS, ResidentsPage

    admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    page = ResidentsPage(coordinator)
    qtbot.addWidget(page)
    page.show()
    page.set_query("fatima")
    assert page.model.rowCount() == 1 and searches(coordinator) == 2
    qtbot.wait(SEARCH_DELAY_MS * 2)
    assert searches(coordinator) == 2
