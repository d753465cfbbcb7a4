"""Switching the interface language at run time: direction, Qt's locale and
every visible text asked of the catalogue again."""

from __future__ import annotations

from shelter.i18n import _, current_language
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.ui.conftest import sign_in
from ui.qt import QApplication, QLocale, Qt


def test_sign_in_window_switches_to_arabic_right_to_left(qtbot, make_shell, store_dir):
    shell = make_shell(store_dir)
    window = shell.sign_in_window
    box = window.language
    box.setCurrentIndex(box.findData("ar"))
    box.activated.emit(box.currentIndex())
    assert current_language() == "ar"
    assert QApplication.layoutDirection() == Qt.RightToLeft
    assert window.isRightToLeft()
    assert QLocale().name() == "ar_MA"
    assert window.form.sign_in_button.text() == _("&Sign in")
    box.setCurrentIndex(box.findData("fr"))
    box.activated.emit(box.currentIndex())
    assert QApplication.layoutDirection() == Qt.LeftToRight
    assert window.form.sign_in_button.text() == _("&Sign in")
    assert window.windowTitle() == _("Sign in")


def test_main_window_retranslates_without_restart(qtbot, make_shell, store_dir):
    shell = make_shell(store_dir)
    window = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    window.open_section("reports")
    qtbot.keyClicks(window.search, "Aicha")
    ar = next(a for a in window.language_actions.actions() if a.data() == "ar")
    ar.trigger()
    assert current_language() == "ar" and ar.isChecked()
    assert QApplication.layoutDirection() == Qt.RightToLeft
    assert window.file_menu.title() == _("&File")
    assert window.navigation.item(0).text() == _("Dashboard")
    assert window.pages["reports"].title.text() == _("Reports")
    assert window.search.text() == "Aicha"  # nothing typed is lost
    assert shell.main_window is window


def test_language_switched_while_locked_applies_on_return(qtbot, make_shell, store_dir):
    shell = make_shell(store_dir)
    window = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    shell.lock()
    shell.switch_language("fr")
    assert QLocale().name() == "fr_MA"
    assert sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD) is window
    assert window.help_menu.title() == _("&Help")


def test_the_sign_in_language_is_remembered_for_the_next_start(qtbot, make_shell, store_dir):
    from shelter.workstation import FILE_NAME, remembered_language

    assert remembered_language(store_dir) is None
    shell = make_shell(store_dir)
    box = shell.sign_in_window.language
    box.setCurrentIndex(box.findData("fr"))
    box.activated.emit(box.currentIndex())
    assert remembered_language(store_dir) == "fr"
    assert (store_dir / FILE_NAME).read_text(encoding="utf-8") == '{"language": "fr"}'  # nothing else kept
    (store_dir / FILE_NAME).write_text("{not json", encoding="utf-8")
    assert remembered_language(store_dir) is None  # a damaged file is ignored, never fatal


def test_window_titles_do_not_repeat_the_applications_name(qtbot, make_shell, store_dir):
    from ui.qt import QGuiApplication

    shell = make_shell(store_dir)
    name = QGuiApplication.applicationDisplayName() or "Shelter"
    assert name not in shell.sign_in_window.windowTitle()
    window = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    window.open_section("administration")
    assert window.windowTitle() == _("Administration")
