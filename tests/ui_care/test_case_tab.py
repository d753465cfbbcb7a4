"""The "Case" tab of the resident's file: the stage follows the records
(admitted, then assessed), the social worker holding the case can be
changed, what is open shows with its due state, closing is refused while
the person is in residence (said in the form, beside the reason) and works
after the discharge, reopening too; each shows in the tab. A counsellor
reads it without the buttons; a reporting account never gets the tabs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shelter.security.permissions import Role
from shelter.services import accounts, admissions, assessments, cases, discharge, residents
from shelter.services.assessments import DomainScore
from shelter.store import Store
from tests.cases import DOMAINS, TODAY, admission, bed_ids, open_file


@pytest.fixture
def resident(coordinator):
    return admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))


def open_case(qtbot, who, resident_id):
    dialog = open_file(qtbot, who, resident_id)
    dialog.show_tab("case")
    return dialog


def plain(label) -> str:
    return label.text().strip("\u200e\u200f\u2068\u2069")


def table_rows(table):
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def announce(qtbot, change):
    """What run_change does after a write: every open screen hears it, from
    the event loop (where the windows closed by earlier tests are deleted
    first: they must not hear it)."""
    from ui.qt import publish

    qtbot.wait(1)
    publish(change)


def open_form(qtbot, tab, button):
    from ui.qt import Qt

    assert button.isVisible() and button.isEnabled()
    qtbot.mouseClick(button, Qt.LeftButton)
    form = tab.form_dialog
    qtbot.waitExposed(form)
    return form


def test_the_stage_follows_the_records(qtbot, social_worker, resident):
    rid = resident.resident_id
    dialog = open_case(qtbot, social_worker, rid)
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert titles[:2] == ["Identity", "Case"]
    tab = dialog.page("case")
    assert plain(tab.stage) == "Admitted"
    assert plain(tab.worker).startswith("Nobody holds the case yet")
    due = (TODAY + timedelta(days=7)).isoformat()
    plan_due = (TODAY + timedelta(days=30)).isoformat()
    assert table_rows(tab.table) == [["Needs assessment", due, "Due within 7 days"],
                                     ["Reintegration plan to make", plan_due, "Later"]]
    assert plain(tab.status) == "Active"
    change = assessments.record_assessment(social_worker, rid, TODAY, {d: DomainScore(3) for d in DOMAINS})
    announce(qtbot, change)
    qtbot.waitUntil(lambda: plain(dialog.page("case").stage) == "Assessed", timeout=5000)
    tab = dialog.page("case")
    # Writing in the case gave it to Nadia; the next item is the reassessment.
    assert plain(tab.worker) == "Nadia Tazi"
    assert [row[0] for row in table_rows(tab.table)] == ["Reintegration plan to make", "Reassessment"]


def test_an_overdue_item_stands_out(qtbot, coordinator, social_worker):
    from dataclasses import replace

    from ui.qt import QColor

    ten_days_ago = TODAY - timedelta(days=10)
    a = admission(bed_ids(coordinator)[0])
    a = replace(a, referral=replace(a.referral, referred_on=ten_days_ago),
                protection=replace(a.protection, consent_processing_on=ten_days_ago),
                admitted_at=datetime.now(UTC) - timedelta(days=10))
    rid = admissions.admit(coordinator, a).resident_id
    tab = open_case(qtbot, social_worker, rid).page("case")
    [what, due, state] = table_rows(tab.table)[0]
    assert (what, state) == ("Needs assessment", "Overdue")
    cell = tab.table.item(0, 2)
    assert cell.font().bold() and cell.foreground().color() == QColor("#a4262c")


def test_giving_the_case_to_a_social_worker(qtbot, coordinator, social_worker, resident):
    from ui.qt import Qt

    dialog = open_case(qtbot, coordinator, resident.resident_id)
    tab = dialog.page("case")
    form = open_form(qtbot, tab, tab.change_button)
    assert [form.list.item(i).text() for i in range(form.list.count())] == ["Nadia Tazi"]
    form.list.setCurrentRow(0)
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: plain(dialog.page("case").worker) == "Nadia Tazi", timeout=5000)
    assert cases.case_summary(coordinator, resident.resident_id).case_worker == "Nadia Tazi"


def test_closing_is_refused_in_residence_then_closing_and_reopening_after_discharge(
        qtbot, coordinator, social_worker, resident):
    from ui.qt import Qt

    rid = resident.resident_id
    dialog = open_case(qtbot, social_worker, rid)
    tab = dialog.page("case")
    assert tab.reopen_button.isHidden()
    form = open_form(qtbot, tab, tab.close_button)
    # No reason chosen: said beside the reason.
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    assert form.errors.label("reason").text() == "Choose why the case is closed."
    form.reason.setCurrentIndex(form.reason.findData("reintegrated"))
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    error = form.errors.label("reason")
    qtbot.waitUntil(lambda: error.text().startswith("The person is still in residence"), timeout=5000)
    assert error.isVisible() and form.isVisible()
    assert form.reason.currentData() == "reintegrated"  # what was chosen stays
    form.reject()
    assert not cases.case_summary(social_worker, rid).closed

    # The coordinator discharges her; the open file hears it.
    announce(qtbot, discharge.discharge(coordinator, resident.stay_id, datetime.now(UTC), "family_reunification"))
    qtbot.waitUntil(lambda: plain(dialog.page("case").stage) == "Discharged", timeout=5000)
    tab = dialog.page("case")
    form = open_form(qtbot, tab, tab.close_button)
    # The reasons agree with her sex; "other" needs a written reason.
    labels = [form.reason.itemText(i) for i in range(form.reason.count())]
    assert "Reintegrated" in labels and "Returned to the country of origin" in labels
    form.reason.setCurrentIndex(form.reason.findData("other"))
    assert "Required" in form.reason_text.placeholderText()
    qtbot.keyClicks(form.reason_text, "moved")
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    error = form.errors.label("reason_text")
    qtbot.waitUntil(lambda: error.isVisible(), timeout=5000)
    assert error.text() == "Write why the case is closed (at least 10 characters)."
    form.reason_text.clear()
    qtbot.keyClicks(form.reason_text, "Married and moved to Tangier with her family")
    qtbot.keyClick(form.reason_text, Qt.Key_Return)  # Enter saves
    qtbot.waitUntil(lambda: plain(dialog.page("case").stage) == "Case closed", timeout=5000)
    tab = dialog.page("case")
    [closure] = tab.closures
    assert f"Closed on {TODAY.isoformat()} by \u2068Nadia Tazi\u2069: Other" in closure.text()
    assert "Why: \u2068Married and moved to Tangier with her family\u2069" in closure.text()
    assert tab.close_button.isHidden() and not tab.reopen_button.isHidden()
    assert not tab.change_button.isEnabled()
    assert tab.table.isHidden() and plain(tab.no_items) == "Nothing is open in this case."

    form = open_form(qtbot, tab, tab.reopen_button)
    qtbot.keyClicks(form.reason, "too short")
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    error = form.errors.label("reopen_reason")
    qtbot.waitUntil(lambda: error.isVisible(), timeout=5000)
    assert error.text() == "Write why the case is reopened (at least 10 characters)."
    form.reason.clear()
    qtbot.keyClicks(form.reason, "She came back after the family refused her")
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: plain(dialog.page("case").stage) == "Discharged", timeout=5000)
    tab = dialog.page("case")
    [closure] = tab.closures
    assert "Reopened on " in closure.text() and "by \u2068Nadia Tazi\u2069" in closure.text()
    assert "She came back after the family refused her" in closure.text()
    assert not tab.close_button.isHidden() and tab.reopen_button.isHidden()


def test_a_counsellor_reads_the_tabs_without_the_buttons(qtbot, coordinator, admin, store_dir, resident):
    accounts.create_account(admin, "leila", "Leila Amrani", [Role.COUNSELLOR], "quiet room kind words",
                            must_change_password=False)
    leila = Store(store_dir).sign_in("leila", "quiet room kind words")
    try:
        dialog = open_case(qtbot, leila, resident.resident_id)
        tab = dialog.page("case")
        assert plain(tab.stage) == "Admitted" and tab.table.rowCount() == 2
        for button in (tab.change_button, tab.close_button, tab.reopen_button):
            assert button.isHidden(), button.text()
        assert dialog.page("assessment").new_button.isHidden()
    finally:
        leila.lock("sign_out")


def test_a_reporting_account_never_gets_the_tabs(qtbot, coordinator, admin, store_dir, resident):
    import ui.care.tabs  # noqa: F401
    from ui.residents.file import ResidentFileDialog

    accounts.create_account(admin, "karim", "Karim Fassi", [Role.REPORTING], "monthly figures only",
                            must_change_password=False)
    karim = Store(store_dir).sign_in("karim", "monthly figures only")
    try:
        # Even with a file in hand (read by someone who may), no case-work tab is built for him.
        dialog = ResidentFileDialog(residents.open_resident(coordinator, resident.resident_id), None, karim)
        qtbot.addWidget(dialog)
        assert dialog.page("case") is None and dialog.page("assessment") is None
    finally:
        karim.lock("sign_out")
