"""First run: the wizard creates the store, its rooms and the first
administrator, shows the recovery code once, then opens the main window;
locking and unlocking bring the same window back."""

from __future__ import annotations

from shelter.i18n import _
from shelter.security.permissions import Role
from shelter.services import shelters
from shelter.store import Store
from tests.ui.conftest import sign_in
from ui.qt import Qt, QWizard

PASSWORD = "quiet river morning tea"


def _next(qtbot, wizard):
    qtbot.mouseClick(wizard.button(QWizard.NextButton), Qt.LeftButton)


def fill_until_creation(qtbot, wizard):
    assert wizard.currentPage() is wizard.language_page
    _next(qtbot, wizard)
    page = wizard.shelter_page
    assert wizard.currentPage() is page
    qtbot.keyClicks(page.name, "Dar Al Amane")
    qtbot.keyClicks(page.code, "rbt1")
    qtbot.keyClicks(page.city, "Rabat")
    _next(qtbot, wizard)
    rooms = wizard.rooms_page
    assert wizard.currentPage() is rooms
    qtbot.keyClicks(rooms.rows[0].name, "Blue room")
    rooms.rows[0].beds.setValue(4)
    rooms.rows[0].women.setChecked(True)
    qtbot.keyClicks(rooms.rows[1].name, "Garden room")
    rooms.rows[1].beds.setValue(2)
    rooms.rows[1].accessible.setChecked(True)
    _next(qtbot, wizard)
    admin = wizard.admin_page
    assert wizard.currentPage() is admin
    qtbot.keyClicks(admin.full_name, "Amina Benali")
    qtbot.keyClicks(admin.username, "amina")
    qtbot.keyClicks(admin.password.password, PASSWORD)
    assert admin.password.meter.label() != ""
    qtbot.keyClicks(admin.password.repeat, PASSWORD)
    _next(qtbot, wizard)


def test_wizard_to_main_window_then_lock_and_unlock(qtbot, make_shell, tmp_path):
    folder = tmp_path / "store"
    shell = make_shell(folder)
    wizard = shell.wizard
    assert wizard is not None and wizard.isVisible()
    fill_until_creation(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery_page, timeout=15_000)
    assert Store(folder).exists()

    page = wizard.recovery_page
    code = page.code.code()
    assert len(code.replace("-", "")) == 30
    assert page.code.textInteractionFlags() == Qt.NoTextInteraction
    assert page.code.contextMenuPolicy() == Qt.NoContextMenu
    assert not wizard.button(QWizard.FinishButton).isEnabled()
    wizard.reject()  # Escape cannot skip the code
    assert wizard.isVisible()
    # The sheet can be printed from here: previewed, never offered as a file.
    page.print_sheet()
    assert page.preview is not None and page.preview.page_count() == 1 and page.preview.save_button is None
    page.preview.reject()
    page.confirm.setChecked(True)
    assert wizard.button(QWizard.FinishButton).isEnabled()
    qtbot.mouseClick(wizard.button(QWizard.FinishButton), Qt.LeftButton)

    qtbot.waitUntil(lambda: shell.main_window is not None and shell.main_window.isVisible())
    window = shell.main_window
    who = shell.who
    assert Role.ADMINISTRATOR in who.actor.roles
    [shelter] = shelters.list_shelters(who)
    assert (shelter.name, shelter.code, shelter.city) == ("Dar Al Amane", "RBT1", "Rabat")
    rooms = {r.name: r for r in shelter.rooms}
    assert set(rooms) == {"Blue room", "Garden room"}
    assert len(rooms["Blue room"].beds) == 4 and rooms["Blue room"].women_only
    assert rooms["Garden room"].accessible and shelter.bed_count == 6
    assert "Dar Al Amane" in window.where_label.text()
    # The first person is also the coordinator (ticked by default): she can admit at once.
    assert Role.COORDINATOR in who.actor.roles and _("Beds") in [a.text() for a in window.section_actions]

    window.lock_action.trigger()
    assert who.locked and not window.isVisible()
    assert shell.sign_in_window.isVisible()
    assert shell.sign_in_window.form.username.text() == "amina"
    assert sign_in(qtbot, shell, "amina", PASSWORD) is window


def test_bad_input_is_explained_beside_the_field_and_kept(qtbot, make_shell, tmp_path):
    shell = make_shell(tmp_path / "store")
    wizard = shell.wizard
    _next(qtbot, wizard)
    page = wizard.shelter_page
    page.city.setText("Fès")  # QTest types ASCII only
    _next(qtbot, wizard)
    assert wizard.currentPage() is page
    assert page.name_error.isVisible() and page.name_error.text() == _("Enter the shelter's name.")
    qtbot.keyClicks(page.name, "Dar Al Amal")
    qtbot.keyClicks(page.code, "x")
    _next(qtbot, wizard)
    assert wizard.currentPage() is page and page.code_error.isVisible()
    assert page.name_error.isHidden()
    assert (page.name.text(), page.city.text()) == ("Dar Al Amal", "Fès")
    page.code.setText("FES1")
    page.women.setChecked(False)
    _next(qtbot, wizard)
    assert wizard.currentPage() is page and page.receives_error.isVisible()
    page.men.setChecked(True)
    _next(qtbot, wizard)

    rooms = wizard.rooms_page
    assert wizard.currentPage() is rooms
    qtbot.keyClicks(rooms.rows[0].name, "A")
    qtbot.keyClicks(rooms.rows[2].name, "a")
    _next(qtbot, wizard)
    assert wizard.currentPage() is rooms and rooms.rows[2].error.isVisible()
    qtbot.mouseClick(rooms.rows[2].remove, Qt.LeftButton)
    assert len(rooms.rows) == 2
    _next(qtbot, wizard)

    admin = wizard.admin_page
    qtbot.keyClicks(admin.full_name, "Youssef")
    qtbot.keyClicks(admin.username, "youssef")
    qtbot.keyClicks(admin.password.password, "short")
    assert admin.password.problems.isVisible()
    qtbot.keyClicks(admin.password.repeat, "short")
    _next(qtbot, wizard)
    assert wizard.currentPage() is admin
    admin.password.clear()
    qtbot.keyClicks(admin.password.password, PASSWORD)
    qtbot.keyClicks(admin.password.repeat, PASSWORD + "x")
    assert admin.password.mismatch.isVisible()
    _next(qtbot, wizard)
    assert wizard.currentPage() is admin
    assert not Store(tmp_path / "store").exists()
