"""Locking hides everything and drops the key; the same person gets their
window back with what they had typed, someone else gets a fresh one."""

from __future__ import annotations

from shelter.security.permissions import Role
from shelter.services import accounts
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.ui.conftest import sign_in
from ui.qt import QApplication, QLineEdit, Qt, QWidget

OTHER_PASSWORD = "coffee at dawn in sale"


def test_lock_hides_content_and_drops_the_key(qtbot, make_shell, store_dir):
    shell = make_shell(store_dir)
    window = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    who = shell.who
    qtbot.mouseClick(window.lock_button, Qt.LeftButton)
    assert shell.is_locked and who.locked
    assert who.store.engine is None
    visible = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    assert visible == [shell.sign_in_window]
    assert shell.sign_in_window.form.locked_note.isVisible()


def test_idle_time_locks(qtbot, make_shell, store_dir):
    shell = make_shell(store_dir)
    sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    assert shell.idle.interval_ms == 5 * 60_000  # the default setting
    assert shell.idle.active
    shell.idle.set_interval_ms(100)
    shell.idle.start()
    qtbot.waitUntil(lambda: shell.is_locked, timeout=3000)
    assert not shell.idle.active


def test_same_person_unlocking_keeps_what_was_typed(qtbot, make_shell, store_dir):
    shell = make_shell(store_dir)
    window = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    who = shell.who
    window.open_section("reports")
    qtbot.keyClicks(window.search, "Aicha")
    page_field = QLineEdit(window.pages["reports"])  # stands in for a half-filled form
    page_field.setText("half-written note")
    window.lock_action.trigger()
    assert who.locked
    again = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    assert again is window and shell.who is who and not who.locked
    assert window.search.text() == "Aicha"
    assert page_field.text() == "half-written note"
    # The SignedIn object every screen holds works again.
    from shelter.services import shelters

    assert shelters.list_shelters(who)


def test_another_person_unlocking_gets_a_fresh_window(qtbot, make_shell, store_dir, admin):
    accounts.create_account(admin, "nadia", "Nadia Tazi", [Role.COORDINATOR], OTHER_PASSWORD,
                            must_change_password=False)
    shell = make_shell(store_dir)
    window = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    first = shell.who
    qtbot.keyClicks(window.search, "Aicha")
    dialog = QWidget(window, Qt.Window)  # a window the first person left open
    dialog.show()
    window.lock_action.trigger()
    assert not dialog.isVisible()
    destroyed = []
    window.destroyed.connect(lambda: destroyed.append(True))
    fresh = sign_in(qtbot, shell, "nadia", OTHER_PASSWORD)
    assert fresh is not window
    assert fresh.search.text() == ""
    assert shell.who.actor.username == "nadia" and first.locked
    qtbot.waitUntil(lambda: destroyed == [True])
    assert "Nadia Tazi" in fresh.who_label.text()


def test_lock_is_refused_twice_and_signing_out_returns_to_sign_in(qtbot, make_shell, store_dir):
    shell = make_shell(store_dir)
    sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    shell.lock()
    shell.lock()  # harmless
    assert shell.is_locked
    shell.sign_out()
    assert shell.main_window is None and shell.who is None
    assert shell.sign_in_window.isVisible()
    assert shell.sign_in_window.form.username.text() == ""


def test_a_key_rotated_elsewhere_locks_the_window_and_keeps_what_was_typed(qtbot, make_shell, store_dir):
    """An administrator rotates the key from the command line while the
    application is open: the next action is refused, the window locks with
    the reason shown, and signing in again brings back the same window with
    its half-typed input, now working on the new file."""
    import subprocess
    import sys
    from pathlib import Path

    from shelter.services import shelters

    shell = make_shell(store_dir)
    window = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    who = shell.who
    window.open_section("reports")
    page_field = QLineEdit(window.pages["reports"])  # stands in for a half-filled form
    page_field.setText("half-written note")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, str(root / "main.py"), "--data-dir", str(store_dir), "--lang", "en",
                           "rotate-key", "--user", ADMIN, "--password-stdin"], input=ADMIN_PASSWORD + "\n",
                          capture_output=True, text=True, timeout=120, cwd=root)
    assert done.returncode == 0, done.stderr
    from shelter.errors import KeyRotated

    try:
        shelters.list_shelters(who)
    except KeyRotated:
        pass
    else:
        raise AssertionError("the old session went on working on the replaced file")
    qtbot.waitUntil(lambda: shell.is_locked, timeout=3000)
    assert "changed from another window or command" in shell.sign_in_window.form.error.text()
    again = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    assert again is window and page_field.text() == "half-written note"
    assert shelters.list_shelters(who)
    assert who.store.database_path.name == "shelter.g1.db"


def test_ctrl_l_and_f12_lock_while_a_modal_form_is_open_and_the_form_comes_back(qtbot, make_shell, store_dir):
    from ui.qt import QDialog

    shell = make_shell(store_dir)
    window = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    for key, modifier in ((Qt.Key_L, Qt.ControlModifier), (Qt.Key_F12, Qt.NoModifier)):
        form = QDialog(window)  # stands in for the admission form, modal as it is
        field = QLineEdit(form)
        form.open()
        qtbot.waitUntil(form.isVisible, timeout=2000)
        qtbot.keyClicks(field, "Grace Okafor")
        qtbot.keyClick(field, key, modifier)
        assert shell.is_locked and not form.isVisible() and not window.isVisible()
        assert field.text() == "Grace Okafor"  # not typed into the form either: "l" is not added
        sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
        qtbot.waitUntil(form.isVisible, timeout=2000)
        assert field.text() == "Grace Okafor"
        form.reject()
