"""The main window: sections by role, search, status bar, remembered
geometry and section (in the encrypted store), the About box's version."""

from __future__ import annotations

from shelter import fault_log
from shelter.i18n import _, ngettext
from shelter.security.permissions import Role
from shelter.services import accounts, settings
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.ui.conftest import sign_in
from ui.qt import QKeySequence, Qt, error_text
from ui.shell.main_window import PREF_GEOMETRY, PREF_SECTION
from ui.shell.sections import SECTIONS, UnavailablePage

COUNSELLOR_PASSWORD = "blue door quiet harbour"


def _sections(window):
    return [window.navigation.item(i).text() for i in range(window.navigation.count())]


def test_a_counsellor_does_not_get_administration(qtbot, make_shell, store_dir, admin):
    accounts.create_account(admin, "salma", "Salma Idrissi", [Role.COUNSELLOR], COUNSELLOR_PASSWORD,
                            must_change_password=False)
    shell = make_shell(store_dir)
    window = sign_in(qtbot, shell, "salma", COUNSELLOR_PASSWORD)
    assert _("Administration") not in _sections(window)
    assert _("Sessions") in _sections(window) and _("Residents") in _sections(window)
    assert window.open_section("administration") is False
    assert "administration" not in window.pages
    assert _("Counsellor") in window.who_label.text() and "Salma Idrissi" in window.who_label.text()


def test_an_administrator_opens_administration(qtbot, make_shell, store_dir):
    shell = make_shell(store_dir)
    window = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    assert _("Administration") in _sections(window)
    # Least privilege: the administrator role alone does not see residents.
    assert _("Residents") not in _sections(window)
    assert window.open_section("administration")
    assert window.stack.currentWidget() is window.pages["administration"]
    assert window.current_section() == "administration"


def test_every_section_opens_its_own_screen(qtbot, make_shell, store_dir, admin):
    accounts.create_account(admin, "nadia", "Nadia Alaoui", list(Role), COUNSELLOR_PASSWORD,
                            must_change_password=False)
    shell = make_shell(store_dir)
    window = sign_in(qtbot, shell, "nadia", COUNSELLOR_PASSWORD)
    assert [s.key for s in window.sections] == [s.key for s in SECTIONS]
    for index, sec in enumerate(window.sections):
        assert window.navigation.item(index).toolTip() == _(sec.purpose)
        assert window.open_section(sec.key)
        page = window.stack.currentWidget()
        assert type(page) is sec.page_class(), sec.key


def test_a_screen_that_cannot_open_says_why_and_the_window_stays(qtbot, make_shell, store_dir, tmp_path,
                                                                   monkeypatch):
    import ui.admin

    def broken(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fault_log, "_folder", tmp_path)
    monkeypatch.setattr(ui.admin, "AdministrationPage", broken)
    shell = make_shell(store_dir)
    window = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    assert window.open_section("administration")
    page = window.stack.currentWidget()
    assert isinstance(page, UnavailablePage)
    assert page.title.text() == _("Administration")
    assert page.notice.text() == _("This section could not be opened: {reason}").format(
        reason=error_text(OSError(28, "No space left on device")))
    assert "OSError" in (tmp_path / fault_log.FILE_NAME).read_text()
    assert window.open_section("dashboard") and not isinstance(window.stack.currentWidget(), UnavailablePage)
    assert window.isVisible()


def test_ctrl_k_searches_residents_in_any_script(qtbot, make_shell, store_dir, admin):
    accounts.create_account(admin, "salma", "Salma Idrissi", [Role.COUNSELLOR], COUNSELLOR_PASSWORD,
                            must_change_password=False)
    shell = make_shell(store_dir)
    window = sign_in(qtbot, shell, "salma", COUNSELLOR_PASSWORD)
    assert window.search_action.shortcut() == QKeySequence("Ctrl+K")
    window.search_action.trigger()
    qtbot.keyClicks(window.search, "Fatima")
    page = window.pages["residents"]
    assert window.stack.currentWidget() is page
    assert page.search.text() == "Fatima"
    qtbot.waitUntil(lambda: page.count.text() == ngettext("{n} person", "{n} people", 0).format(n=0))
    qtbot.keyClick(window.search, Qt.Key_Escape)
    assert window.search.text() == ""


def test_someone_who_may_not_see_residents_is_told_so_by_the_search(qtbot, make_shell, store_dir):
    window = sign_in(qtbot, make_shell(store_dir), ADMIN, ADMIN_PASSWORD)
    window.search_action.trigger()
    qtbot.keyClicks(window.search, "Fatima")
    assert window.stack.currentWidget() is window.search_page
    assert window.search_page.result.text() == _("Your role does not allow searching resident records.")


def test_window_geometry_and_last_section_are_kept_per_user(qtbot, make_shell, store_dir):
    shell = make_shell(store_dir)
    window = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    window.resize(760, 540)  # the offscreen screen is 800×600
    window.open_section("reports")
    who = shell.who
    shell.sign_out()
    assert who.locked and shell.main_window is None
    window = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    assert window.current_section() == "reports"
    assert (window.width(), window.height()) == (760, 540)
    stored = settings.get_user_preference(shell.who, PREF_GEOMETRY)
    assert isinstance(stored, str) and stored
    assert settings.get_user_preference(shell.who, PREF_SECTION) == "reports"


def test_menus_have_standard_shortcuts(qtbot, make_shell, store_dir):
    shell = make_shell(store_dir)
    window = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    assert QKeySequence("Ctrl+L") in window.lock_action.shortcuts()
    assert QKeySequence(Qt.Key_F12) in window.lock_action.shortcuts()
    assert window.quit_action.shortcuts()
    assert window.lock_action in window.file_menu.actions()
    assert window.sign_out_action in window.file_menu.actions()
    assert window.quit_action in window.file_menu.actions()


def test_about_names_the_version_and_the_bundled_licences(qtbot, make_shell, store_dir, monkeypatch):
    from shelter import __version__
    from ui.qt import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: shown.append(text))
    window = sign_in(qtbot, make_shell(store_dir), ADMIN, ADMIN_PASSWORD)
    window.about_action.trigger()
    assert __version__ in shown[0]
    for component in ("PySide6", "SQLCipher", "ReportLab", "Noto", "SIL Open Font License", "GNU General Public"):
        assert component in shown[0]


def test_a_sections_shortcut_is_the_same_whatever_the_roles(qtbot, make_shell, store_dir, admin):
    accounts.create_account(admin, "salma", "Salma Idrissi", [Role.COUNSELLOR], COUNSELLOR_PASSWORD,
                            must_change_password=False)
    admins = sign_in(qtbot, make_shell(store_dir), ADMIN, ADMIN_PASSWORD)
    by_admin = {a.text(): a.shortcut().toString() for a in admins.section_actions}
    admins.close()
    counsellor = sign_in(qtbot, make_shell(store_dir), "salma", COUNSELLOR_PASSWORD)
    by_counsellor = {a.text(): a.shortcut().toString() for a in counsellor.section_actions}
    shared = set(by_admin) & set(by_counsellor)
    assert _("Dashboard") in shared and all(by_admin[k] == by_counsellor[k] for k in shared)
    assert by_counsellor[_("Residents")] == "Ctrl+3"
