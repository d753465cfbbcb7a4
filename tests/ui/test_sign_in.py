"""Signing in: the growing delay after failures counted down (fake clock),
Caps Lock noticed, the recovery path, a forced password change."""

from __future__ import annotations

from shelter.i18n import _
from shelter.security.permissions import Role
from shelter.services import accounts
from shelter.store import Store
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.ui.conftest import FakeClock, sign_in
from ui.qt import Qt


def _attempt(qtbot, form, password):
    form.password.clear()
    qtbot.keyClicks(form.password, password)
    qtbot.keyClick(form.password, Qt.Key_Return)


def test_failed_attempts_show_a_countdown_and_refuse_early_tries(qtbot, make_shell, store_dir):
    clock = FakeClock()
    shell = make_shell(store_dir, clock=clock)
    form = shell.sign_in_window.form
    assert shell.sign_in_window.isVisible()
    qtbot.keyClicks(form.username, ADMIN)
    for _i in range(4):
        qtbot.waitUntil(lambda: not form.is_busy)
        assert form.sign_in_button.isEnabled()
        _attempt(qtbot, form, "not the right password")
        qtbot.waitUntil(lambda: not form.is_busy and form.error.text() != "", timeout=10_000)
    assert form.error.text() == _("Wrong username or password.")
    assert form.delay.isVisible() and "5" in form.delay.text()
    assert not form.sign_in_button.isEnabled()

    # An early try is refused without even deriving a key.
    _attempt(qtbot, form, ADMIN_PASSWORD)
    assert not form.is_busy and shell.main_window is None
    assert Store(store_dir, clock=clock).retry_after(ADMIN) == 5

    clock.advance(3)
    qtbot.waitUntil(lambda: "2" in form.delay.text())
    clock.advance(3)
    qtbot.waitUntil(lambda: form.delay.isHidden() and form.sign_in_button.isEnabled())
    assert sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD).isVisible()


def test_caps_lock_is_noticed_from_typing(qtbot, make_shell, store_dir):
    shell = make_shell(store_dir)
    form = shell.sign_in_window.form
    form.password.setFocus()
    qtbot.keyClick(form.password, "A")  # upper case without Shift
    assert form.caps.isVisible()
    qtbot.keyClick(form.password, "a")
    assert form.caps.isHidden()
    qtbot.keyClick(form.password, "b", Qt.ShiftModifier)  # lower case with Shift
    assert form.caps.isVisible()
    assert form.caps.text() == _("Caps Lock is on.")


def test_empty_fields_are_explained(qtbot, make_shell, store_dir):
    shell = make_shell(store_dir)
    form = shell.sign_in_window.form
    qtbot.mouseClick(form.sign_in_button, Qt.LeftButton)
    assert form.error.text() == _("Enter your username.")
    qtbot.keyClicks(form.username, ADMIN)
    qtbot.mouseClick(form.sign_in_button, Qt.LeftButton)
    assert form.error.text() == _("Enter your password.")


def test_recovery_code_sets_a_new_password_and_signs_in(qtbot, make_shell, store_dir, recovery_code):
    shell = make_shell(store_dir)
    window = shell.sign_in_window
    qtbot.mouseClick(window.form.forgot_button, Qt.LeftButton)
    form = window.recovery
    assert window.pages.currentWidget() is form
    qtbot.keyClicks(form.code, "AAAAA-BBBBB")
    qtbot.keyClicks(form.username, ADMIN)
    new = "olive tree under the sun"
    qtbot.keyClicks(form.new_password.password, new)
    qtbot.keyClicks(form.new_password.repeat, new)
    qtbot.mouseClick(form.submit_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: form.code_error.isVisible(), timeout=10_000)
    form.code.setText(recovery_code.lower())
    qtbot.mouseClick(form.submit_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: shell.main_window is not None and shell.main_window.isVisible(), timeout=10_000)
    assert shell.who.actor.username == ADMIN
    shell.sign_out()
    assert sign_in(qtbot, shell, ADMIN, new).isVisible()


def test_temporary_password_must_be_changed_first(qtbot, make_shell, store_dir, admin):
    temporary = "temporary pass 2026 rabat"
    accounts.create_account(admin, "karim", "Karim Alaoui", [Role.SOCIAL_WORKER], temporary)
    shell = make_shell(store_dir)
    form = shell.sign_in_window.form
    qtbot.keyClicks(form.username, "karim")
    qtbot.keyClicks(form.password, temporary)
    qtbot.mouseClick(form.sign_in_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: shell.password_dialog is not None and shell.password_dialog.isVisible(),
                    timeout=10_000)
    dialog = shell.password_dialog
    assert shell.main_window is None
    assert dialog.current.isHidden()  # just typed at sign-in
    own = "my own lemon garden path"
    qtbot.keyClicks(dialog.new_password.password, own)
    qtbot.keyClicks(dialog.new_password.repeat, own)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: shell.main_window is not None and shell.main_window.isVisible(), timeout=10_000)
    assert not shell.who.actor.must_change_password
    shell.sign_out()
    assert sign_in(qtbot, shell, "karim", own).isVisible()
