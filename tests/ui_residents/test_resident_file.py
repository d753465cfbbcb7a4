"""The resident's file window: every tab shows what admission entered; a
correction is made where the part is shown, and its earlier value is there
on request; a refusal shows beside its field and keeps what was typed; the
keyboard alone is enough; it fits a 1366×768 screen."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

import ui.care.tabs  # noqa: F401  (the shell registers the case-work tabs before any file opens)
from shelter.domain.changes import ResidentUpdated
from shelter.security.permissions import Role
from shelter.services import accounts, admissions, handover, residents
from shelter.services.handover import HandoverRequest
from shelter.store import Store
from tests.cases import TODAY, admission, audit_details, bed_ids, open_file, texts


@pytest.fixture
def admitted(coordinator):
    base = admission(bed_ids(coordinator)[0])
    protection = replace(base.protection, consent_sharing=("Hôpital Ibn Sina",), consent_sharing_on=TODAY)
    return admissions.admit(coordinator, replace(base, protection=protection))






def test_every_tab_shows_what_admission_entered(qtbot, coordinator, admitted):
    handover.record_consent(coordinator, admitted.resident_id, "OIM Rabat", ("identity", "languages"))
    issued = handover.issue_handover(coordinator, HandoverRequest(
        admitted.resident_id, "referral", "OIM Rabat", "Mme Alaoui", TODAY, "Salma, 0600"), "fr")
    dialog = open_file(qtbot, coordinator, admitted.resident_id)
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert titles == ["Identity", "Case", "Referral and identification", "Protection", "Needs assessment",
                      "Care plan", "Sessions", "Reintegration", "Consent", "Stays and beds", "Documents"]
    assert admitted.case_number in dialog.windowTitle()
    identity = texts(dialog.page("identity"))
    for shown in ("Fatima Zahra Benali", "فاطمة الزهراء بنعلي", "1998-03-14", "NG", "Female",
                  "en · needs an interpreter", admitted.case_number):
        assert shown in identity, shown
    referral = texts(dialog.page("referral"))
    for shown in ("Police", "Sûreté, Rabat", "Presumed victim", TODAY.isoformat()):
        assert shown in referral, shown
    protection = texts(dialog.page("protection"))
    for shown in ("Sexual exploitation", "Across borders", "MA", "Known contact with the trafficker", "High"):
        assert shown in protection, shown
    consent = texts(dialog.page("consent"))
    assert f"Consented on {TODAY.isoformat()}." in consent
    for shown in ("Hôpital Ibn Sina", "at admission", "OIM Rabat", "Identity, Languages", "Salma Idrissi"):
        assert shown in consent, shown
    stays = texts(dialog.page("stays"))
    assert "Room 1 / 1" in stays and "In residence" in stays
    documents = texts(dialog.page("documents"))
    for shown in (issued.reference, "Referral to a partner", "OIM Rabat", "Français", "Salma Idrissi"):
        assert shown in documents, shown
    # Nothing was corrected yet: no earlier values to show.
    assert not dialog.page("identity").history.isEnabled()
    # Opening the file is one audited view.
    assert len(audit_details(coordinator, "resident.view")) == 1


def test_the_window_fits_a_small_laptop_screen(qtbot, coordinator, admitted):
    from ui.residents.file import MAX_HEIGHT, MAX_WIDTH

    long_name = "Fatima Zahra Aicha Khadija Maryam Benali El Idrissi Ould Mohamed Ben Abdallah " * 3
    file = residents.open_resident(coordinator, admitted.resident_id)
    residents.correct_identity(coordinator, admitted.resident_id, replace(file.identity, name_latin=long_name))
    dialog = open_file(qtbot, coordinator, admitted.resident_id)
    assert dialog.width() <= MAX_WIDTH and dialog.height() <= MAX_HEIGHT
    assert dialog.minimumSizeHint().width() <= MAX_WIDTH and dialog.minimumSizeHint().height() <= MAX_HEIGHT
    label = dialog.page("identity").name_latin
    assert label.wordWrap() and label.toolTip() == long_name.strip()


def test_correcting_the_identity_then_seeing_its_earlier_value(qtbot, coordinator, admitted):
    from ui.qt import Qt, changes

    dialog = open_file(qtbot, coordinator, admitted.resident_id)
    tab = dialog.page("identity")
    qtbot.mouseClick(tab.correct_button, Qt.LeftButton)
    form = tab.form_dialog
    assert form.isVisible() and form.name_latin.text() == "Fatima Zahra Benali"
    form.name_latin.clear()
    qtbot.keyClicks(form.name_latin, "Fatoumata Diallo")
    qtbot.keyClicks(form.reason, "passport seen")
    with qtbot.waitSignal(changes.changed, timeout=5000) as notice:
        qtbot.mouseClick(form.save_button, Qt.LeftButton)
    assert notice.args[0] == ResidentUpdated(admitted.resident_id, (admitted.bed_id,))
    qtbot.waitUntil(lambda: dialog.file.identity.name_latin == "Fatoumata Diallo", timeout=5000)
    assert form.result() == form.DialogCode.Accepted
    tab = dialog.page("identity")
    # The value as shown: in the interface's direction, isolated (marks around it).
    assert tab.name_latin.text().strip("\u200e\u200f\u2068\u2069") == "Fatoumata Diallo"
    assert "Fatoumata Diallo" in dialog.heading.text()
    assert tab.history.isEnabled()
    # The field's own "Earlier values" button, then the whole part's history.
    from ui.qt import QToolButton

    [earlier] = [b for b in tab.findChildren(QToolButton) if b.text() == "Earlier values…"]
    assert earlier.accessibleName() == "Earlier values of Name in Latin script"
    qtbot.mouseClick(earlier, Qt.LeftButton)
    history = tab.history_dialog
    assert history.isVisible() and history.list.count() == 1
    line = history.list.item(0).text()
    assert "Name in Latin script:" in line and "Fatima Zahra Benali" in line and "Fatoumata Diallo" in line
    assert f"Changed on {TODAY.isoformat()} at " in line and "Salma Idrissi" in line
    assert "Reason: \u2068passport seen\u2069" in line
    history.reject()
    assert audit_details(coordinator, "resident.history") == [("ok", str(admitted.resident_id), {"results": 1})]
    # The residents search finds her under her corrected name.
    assert [r.resident_id for r in residents.search_residents(coordinator, "diallo")] == [admitted.resident_id]


def test_a_refused_correction_shows_beside_its_field_and_keeps_what_was_typed(qtbot, coordinator, admitted):
    from ui.qt import Qt

    dialog = open_file(qtbot, coordinator, admitted.resident_id)
    tab = dialog.page("identity")
    tab.correct()
    form = tab.form_dialog
    form.name_latin.clear()
    form.name_arabic.clear()
    qtbot.keyClicks(form.preferred, "Fati")
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: form.errors.label("name_latin").isVisible(), timeout=5000)
    assert form.errors.label("name_latin").text() == "Enter the person's name in Arabic or Latin script."
    assert form.isVisible() and form.preferred.text() == "Fati" and form.name_latin.hasFocus()
    # A date that cannot be read is refused here, beside its field, as typed.
    qtbot.keyClicks(form.name_latin, "Fatima Benali")
    form.birth_date.edit.clear()
    qtbot.keyClicks(form.birth_date.edit, "1998-13-40")
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    assert "Type the date as" in form.errors.label("birth_date").text()
    assert form.birth_date.edit.text() == "1998-13-40" and not form.errors.label("name_latin").isVisible()
    # A date of birth in the future: the core's refusal, beside the same field.
    form.birth_date.edit.clear()
    qtbot.keyClicks(form.birth_date.edit, (TODAY + timedelta(days=10)).isoformat())
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: form.errors.label("birth_date").text() == "The date of birth is in the future.",
                    timeout=5000)
    assert form.isVisible() and form.name_latin.text() == "Fatima Benali"
    assert residents.open_resident(coordinator, admitted.resident_id).identity.name_latin == "Fatima Zahra Benali"
    assert residents.field_history(coordinator, "resident", admitted.resident_id) == []


def test_the_keyboard_alone_corrects_the_risk_level(qtbot, coordinator, admitted):
    from ui.qt import QApplication, Qt

    dialog = open_file(qtbot, coordinator, admitted.resident_id)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog and QApplication.focusWidget() is not None,
                    timeout=3000)
    # Ctrl+PgDown three times: Identity → Case → Referral → Protection.
    for _step in range(3):
        qtbot.keyClick(dialog, Qt.Key_PageDown, Qt.ControlModifier)
    assert dialog.tabs.currentWidget() is dialog.page("protection")
    qtbot.keyClick(dialog, Qt.Key_C, Qt.AltModifier)  # &Correct exploitation and safety…
    qtbot.waitUntil(lambda: dialog.page("protection").form_dialog is not None, timeout=3000)
    form = dialog.page("protection").form_dialog
    assert form.isVisible()
    form.activateWindow()  # the window manager's part, which the offscreen platform leaves to the test
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form, timeout=3000)
    qtbot.keyClick(form, Qt.Key_L, Qt.AltModifier)  # Risk &level
    assert form.risk.hasFocus()
    qtbot.keyClick(form.risk, Qt.Key_Up)  # High → Medium
    assert form.risk.currentData() == "medium"
    qtbot.keyClick(form, Qt.Key_C, Qt.AltModifier)  # Reason for the &correction
    assert form.reason.hasFocus()
    qtbot.keyClicks(form.reason, "reassessed")
    qtbot.keyClick(form.reason, Qt.Key_Return)  # Save is the default button
    qtbot.waitUntil(lambda: dialog.file.protection.risk_level == "medium", timeout=5000)
    assert form.result() == form.DialogCode.Accepted
    assert "Medium" in texts(dialog.page("protection"))


def test_withdrawing_a_consent_to_share_from_the_file(qtbot, coordinator, admitted):
    from ui.qt import Qt

    dialog = open_file(qtbot, coordinator, admitted.resident_id)
    dialog.show_tab("consent")
    tab = dialog.page("consent")
    assert not tab.withdraw_sharing_button.isEnabled()
    tab.sharing.selectRow(0)
    assert tab.withdraw_sharing_button.isEnabled()
    qtbot.mouseClick(tab.withdraw_sharing_button, Qt.LeftButton)
    form = tab.form_dialog
    assert "Hôpital Ibn Sina" in texts(form)
    form.withdrawn_on.edit.clear()
    qtbot.keyClicks(form.withdrawn_on.edit, (TODAY + timedelta(days=2)).isoformat())
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: form.errors.label("withdrawn_on").isVisible(), timeout=5000)
    assert form.errors.label("withdrawn_on").text() == "A consent date is in the future."
    form.withdrawn_on.set_value(TODAY)
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not dialog.file.sharing[0].in_force, timeout=5000)
    tab = dialog.page("consent")
    assert tab.sharing.item(0, 3).text() == TODAY.isoformat()
    assert handover.receivers(coordinator, admitted.resident_id) == []
    assert dialog.tabs.currentWidget() is tab  # the tab stays where the person was
    # The admission's list of partners changed: its earlier value is there.
    assert tab.sharing_history.isEnabled()
    qtbot.mouseClick(tab.sharing_history, Qt.LeftButton)
    line = tab.history_dialog.list.item(0).text()
    assert "Partners named at admission:" in line and "Hôpital Ibn Sina" in line and "Salma Idrissi" in line
    tab.history_dialog.reject()


def test_recording_and_withdrawing_consent_to_processing(qtbot, coordinator, admitted):
    from ui.qt import Qt

    dialog = open_file(qtbot, coordinator, admitted.resident_id)
    tab = dialog.page("consent")
    qtbot.mouseClick(tab.withdraw_button, Qt.LeftButton)
    form = tab.form_dialog
    form.on.set_value(TODAY)
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.file.processing.status == "withdrawn", timeout=5000)
    tab = dialog.page("consent")
    assert f"Withdrew the consent on {TODAY.isoformat()}." in tab.processing.text()
    assert tab.withdraw_button.isHidden() and tab.give_button.text() == "Record the &consent…"


def test_a_counsellor_reads_the_file_and_is_offered_no_correction(qtbot, coordinator, admitted, admin, store_dir):
    accounts.create_account(admin, "nadia", "Nadia Alami", [Role.COUNSELLOR], "quiet room kind words",
                            must_change_password=False)
    nadia = Store(store_dir).sign_in("nadia", "quiet room kind words")
    try:
        dialog = open_file(qtbot, nadia, admitted.resident_id)
        assert dialog.tabs.count() == 11  # the case work, the sessions and the reintegration too
        for key, button in (("identity", "correct_button"), ("protection", "correct_button"),
                            ("consent", "give_button"), ("consent", "share_button")):
            assert getattr(dialog.page(key), button).isHidden(), (key, button)
        assert dialog.discharge_button.isHidden() and dialog.handover_button.isHidden()
    finally:
        nadia.lock("sign_out")


@pytest.mark.parametrize(("sex", "came", "status"), [("male", "Venu de lui-même", "Hébergé"),
                                                     ("female", "Venue d'elle-même", "Hébergée")])
def test_what_is_said_about_the_resident_agrees_with_their_sex(qtbot, coordinator, sex, came, status):
    from datetime import date

    from shelter.i18n import set_language

    # A boy in the children's room, a woman in the women's room.
    born = TODAY.replace(year=TODAY.year - 12, day=1) if sex == "male" else date(1998, 3, 14)
    a = admission(bed_ids(coordinator, "Children" if sex == "male" else "Room 1")[0], "Karim Benali",
                  born=born, sex=sex)
    a = replace(a, referral=replace(a.referral, source="self"))
    admitted = admissions.admit(coordinator, a)
    set_language("fr")
    dialog = open_file(qtbot, coordinator, admitted.resident_id)
    assert came in texts(dialog.page("referral"))
    assert status in dialog.heading.text()


def test_a_later_feature_adds_its_own_tab(qtbot, coordinator, admitted, monkeypatch):
    from shelter.i18n import N_
    from shelter.security.permissions import Permission
    from ui.qt import QLabel
    from ui.residents import file as file_module

    monkeypatch.setattr(file_module, "TABS", list(file_module.TABS))
    built = []

    def follow_up(file, who, parent):
        built.append(file.resident_id)
        return QLabel(f"follow-up of {file.case_number}", parent)

    file_module.register_tab(file_module.FileTab("follow_up", N_("Follow-up"), follow_up,
                                                 Permission.VIEW_CARE_PLAN), after="protection")
    dialog = open_file(qtbot, coordinator, admitted.resident_id)
    assert dialog.tabs.tabText(4) == "Follow-up" and dialog.page("follow_up").text().startswith("follow-up of")
    dialog.reload()  # a tab without show_file is built again
    assert built == [admitted.resident_id] * 2 and dialog.tabs.tabText(4) == "Follow-up"


def test_opening_from_the_residents_list_and_the_bed_board(qtbot, coordinator, admitted):
    from ui.beds.board import BedBoardPage
    from ui.residents.file import ResidentFileDialog
    from ui.residents.page import ResidentsPage

    page = ResidentsPage(coordinator)
    qtbot.addWidget(page)
    page.table.selectRow(0)
    page.open_selected()
    assert isinstance(page.dialog, ResidentFileDialog) and page.dialog.file.resident_id == admitted.resident_id
    page.dialog.reject()
    board = BedBoardPage(coordinator)
    qtbot.addWidget(board)
    board.open_file(admitted.resident_id)
    assert isinstance(board.file_dialog, ResidentFileDialog)
    board.file_dialog.reject()
