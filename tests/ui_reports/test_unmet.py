"""Referrals not admitted, through their real forms on a real store: the
form refuses a future date and an "other" reason without a word, each
beside its field, keeping what was typed; a referral recorded from the bed
board appears in the Reports section's list, from which one recorded by
mistake is withdrawn. And the consent to be counted in anonymised figures,
ticked at admission and recorded or withdrawn in the resident's file."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shelter.security.permissions import Role
from shelter.services import accounts, admissions, residents, shelters, unmet_requests
from shelter.services.unmet_requests import UnmetRequestInput
from shelter.store import Store
from tests.cases import TODAY, admission, audit_details, bed_ids, open_file
from ui.qt import QDialog, Qt
from ui.reports.unmet import UnmetRequestForm, UnmetRequestsDialog


@pytest.fixture(autouse=True)
def _forms_closed_at_teardown_leave_quietly(monkeypatch):
    """A form left with typed input asks before it closes; the widgets a test
    leaves open are closed at teardown without anyone to answer."""
    from ui.widgets.guard import DiscardGuard

    monkeypatch.setattr(DiscardGuard, "may_leave", lambda _self: True)


def choose(combo, code) -> None:
    index = combo.findData(code)
    assert index >= 0, code
    combo.setCurrentIndex(index)


def fill(form: UnmetRequestForm, reason: str = "no_bed") -> None:
    choose(form.source, "police")
    choose(form.reason, reason)
    form.agency.setText("Sûreté nationale, Rabat")


def submit(qtbot, form) -> None:
    qtbot.mouseClick(form.ok_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: form.isEnabled(), timeout=10_000)


def open_form(qtbot, who, shelter_id=None) -> UnmetRequestForm:
    form = UnmetRequestForm(who, shelter_id)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    return form


def test_a_future_date_is_refused_beside_it_and_nothing_typed_is_lost(qtbot, coordinator):
    form = open_form(qtbot, coordinator)
    assert form.shelter.currentData() == shelters.list_shelters(coordinator)[0].id  # the only shelter, chosen
    assert "Do not write the person's name here" in form.no_names.text()
    fill(form)
    form.requested_on.set_value(TODAY + timedelta(days=1))
    submit(qtbot, form)
    assert form.result() != QDialog.Accepted
    assert form.errors.label("requested_on").text() == "The date is in the future."
    assert form.errors.label("requested_on").isVisible()
    assert form.agency.text() == "Sûreté nationale, Rabat" and form.reason.currentData() == "no_bed"
    assert unmet_requests.unmet_requests(coordinator) == []
    form.requested_on.set_value(TODAY)
    submit(qtbot, form)
    assert form.result() == QDialog.Accepted and form.recorded is not None
    assert form.recorded.requested_on == TODAY and form.recorded.reason == "no_bed"
    assert [e[0] for e in audit_details(coordinator, "unmet_request.record")] == ["ok"]


def test_other_needs_a_word_beside_it(qtbot, coordinator):
    form = open_form(qtbot, coordinator)
    fill(form, "other")
    choose(form.sex, "female")
    choose(form.age_band, "12-17")
    form.children.setValue(2)
    assert "required" in form.reason_text.placeholderText()
    submit(qtbot, form)
    assert form.errors.label("reason_text").text() == "Say what the reason was."
    assert form.focusWidget() is form.reason_text  # the keyboard is where the answer goes
    qtbot.keyClicks(form.reason_text, "Needs a psychiatric ward")
    submit(qtbot, form)
    assert form.result() == QDialog.Accepted
    recorded = unmet_requests.unmet_requests(coordinator)[0]
    assert (recorded.reason_text, recorded.sex, recorded.age_band, recorded.children) == (
        "Needs a psychiatric ward", "female", "12-17", 2)


def test_the_form_asks_for_what_it_needs(qtbot, coordinator, admin):
    shelters.create_shelter(admin, "Bayt Al Salam", "TNG", "Tanger")
    form = open_form(qtbot, coordinator)
    assert form.shelter.currentData() is None  # two shelters: which one was asked is chosen, not guessed
    submit(qtbot, form)
    assert form.errors.label("shelter_id").text() == "Choose the shelter that was asked."
    choose(form.shelter, shelters.list_shelters(coordinator)[0].id)
    submit(qtbot, form)
    assert form.errors.label("source").text() == "Choose who referred the person."
    choose(form.source, "ngo")
    submit(qtbot, form)
    assert form.errors.label("reason").text() == "Choose why the person could not be taken in."


def test_the_keyboard_alone_fills_the_form(qtbot, coordinator):
    form = open_form(qtbot, coordinator)
    form.activateWindow()
    form.requested_on.setFocus()
    reached = []
    for _step in range(30):
        reached.append(form.focusWidget())
        qtbot.keyClick(form.focusWidget(), Qt.Key_Tab)
    for widget in (form.requested_on.edit, form.shelter, form.source, form.agency, form.reason, form.reason_text,
                   form.sex, form.age_band, form.children, form.ok_button):
        assert any(w is widget or (w is not None and w.parent() is widget) for w in reached), widget
    # Every field's label carries its mnemonic and names its field.
    for name, label in form.rows.items():
        assert "&" in label.text() and label.buddy() is not None, name


def test_the_bed_board_records_one_and_the_reports_list_withdraws_it(qtbot, coordinator):
    from ui.beds import BedBoardPage

    board = BedBoardPage(coordinator)
    qtbot.addWidget(board)
    board.show()
    assert board.unmet_button.isVisible()
    qtbot.mouseClick(board.unmet_button, Qt.LeftButton)
    form = board.unmet_form
    qtbot.waitExposed(form)
    fill(form, "no_fitting_bed")
    submit(qtbot, form)
    assert form.result() == QDialog.Accepted

    dialog = UnmetRequestsDialog(coordinator)
    qtbot.addWidget(dialog)
    dialog.show()
    changed = []
    dialog.changed_callbacks.append(lambda: changed.append(True))
    assert dialog.model.rowCount() == 1 and not dialog.withdraw_button.isEnabled()
    assert dialog.model.index(0, dialog.model.REASON).data() == "No free bed that fits (sex, age, access)"
    assert dialog.model.index(0, dialog.model.RECORDER).data() == "Salma Idrissi"
    dialog.view.selectRow(0)
    assert dialog.withdraw_button.isEnabled()
    qtbot.mouseClick(dialog.withdraw_button, Qt.LeftButton)
    withdraw = dialog.form_dialog
    qtbot.waitExposed(withdraw)
    submit(qtbot, withdraw)
    assert withdraw.errors.label("withdraw_reason").text() == "Say why it is withdrawn."
    qtbot.keyClicks(withdraw.reason, "Recorded twice")
    submit(qtbot, withdraw)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0, timeout=10_000)
    assert dialog.empty.isVisible() and changed == [True]
    assert unmet_requests.unmet_requests(coordinator, include_withdrawn=True)[0].withdrawn


def test_those_who_may_not_record_are_not_offered_it(qtbot, admin, coordinator, store_dir):
    from ui.beds import BedBoardPage

    accounts.create_account(admin, "nadia", "Nadia Tazi", [Role.SOCIAL_WORKER], "olive tree by the sea",
                            must_change_password=False)
    nadia = Store(store_dir).sign_in("nadia", "olive tree by the sea")
    try:
        board = BedBoardPage(nadia)
        qtbot.addWidget(board)
        assert not board.unmet_button.isVisibleTo(board)
    finally:
        nadia.lock("sign_out")


def test_the_list_from_the_reports_section(qtbot, coordinator):
    from ui.reports.page import ReportsPage

    place = shelters.list_shelters(coordinator)[0]
    for days, reason in ((3, "no_bed"), (400, "declined")):  # the second is older than a year
        unmet_requests.record_unmet_request(coordinator, UnmetRequestInput(
            place.id, TODAY - timedelta(days=days), "police", reason))
    page = ReportsPage(coordinator)
    qtbot.addWidget(page)
    page.show()
    qtbot.mouseClick(page.unmet_button, Qt.LeftButton)
    dialog = page.unmet_dialog
    qtbot.waitExposed(dialog)
    assert dialog.model.rowCount() == 1 and dialog.model.request(0).reason == "no_bed"
    dialog.record()
    form = dialog.form_dialog
    fill(form, "declined")
    submit(qtbot, form)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=10_000)
    assert dialog.selected().reason == "declined"  # the one just recorded, selected
    dialog.reject()


# -- the consent to anonymised figures ------------------------------------------------------------

def test_the_admission_form_records_the_consent_to_anonymised_figures(qtbot, coordinator):
    from ui.beds.admission import AdmissionDialog

    dialog = AdmissionDialog(coordinator)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.reporting.text() == "Agrees to be counted, without name, in anonymised figures"
    assert not dialog.admission().protection.consent_reporting
    qtbot.keyClicks(dialog.name_latin, "Aisha Okoro")
    dialog.reporting.setChecked(True)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.result() == QDialog.Accepted, dialog.error.text()
    protection = residents.open_resident(coordinator, dialog.admitted.resident_id).protection
    assert protection.consent_reporting and protection.consent_reporting_on == TODAY


@pytest.fixture
def admitted(coordinator):
    return admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))


def test_the_file_records_and_withdraws_the_consent_to_anonymised_figures(qtbot, coordinator, admitted):
    dialog = open_file(qtbot, coordinator, admitted.resident_id)
    dialog.show_tab("consent")
    tab = dialog.page("consent")
    assert "left out of the anonymised export" in tab.reporting.text()
    assert tab.withdraw_reporting_button.isHidden()
    qtbot.mouseClick(tab.reporting_button, Qt.LeftButton)
    form = tab.form_dialog
    form.on.set_value(TODAY + timedelta(days=1))
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: form.errors.label("consent_reporting_on").isVisible(), timeout=5000)
    assert form.errors.label("consent_reporting_on").text() == "A consent date is in the future."
    form.on.set_value(TODAY - timedelta(days=1))
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.file.protection.consent_reporting, timeout=5000)
    tab = dialog.page("consent")
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    assert f"Agrees to be counted, without name, in anonymised figures (since {yesterday})." in tab.reporting.text()
    assert [e[0] for e in audit_details(coordinator, "resident.consent_reporting")] == ["ok"]
    qtbot.mouseClick(tab.withdraw_reporting_button, Qt.LeftButton)
    form = tab.form_dialog
    qtbot.keyClicks(form.reason, "She asked to be left out")
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not dialog.file.protection.consent_reporting, timeout=5000)
    tab = dialog.page("consent")
    assert "left out of the anonymised export" in tab.reporting.text()
