"""Administration → Backups driven through its real widgets on a real store:
the list with each backup's state (a failed one in the error colour, its
problem in the tooltip), "Back up now", verifying a damaged backup and one
on a USB drive, the restore drill, the second place and the rotation
settings (read-only for a coordinator), and restoring: refused with a wrong
password or a backup of a newer version, and done, after which the window
asks to sign in again to the restored store.

Set SHELTER_SHOTS to a folder to save the page in the three languages."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime, timedelta

import pytest

from shelter.security.permissions import Role
from shelter.services import accounts, admissions, backups, settings
from tests.cases import admission, bed_ids
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.ui.conftest import interface, make_shell, sign_in  # noqa: F401  (fixtures)
from ui.qt import QAbstractScrollArea, QFileDialog, Qt
from ui.shell.backup_runner import backup_runner

OTHER_PASSWORD = "olive grove at noon"


@pytest.fixture(autouse=True)
def runner(qtbot):
    """The application's runner, with nothing left of an earlier test; every
    backup it started has returned before the store is removed."""
    runner = backup_runner()
    qtbot.waitUntil(lambda: not runner.running, timeout=20_000)
    runner.last = None
    yield runner
    qtbot.waitUntil(lambda: not runner.running, timeout=20_000)
    runner.last = None


def open_page(qtbot, who):
    from ui.admin import AdministrationPage

    widget = AdministrationPage(who)
    qtbot.addWidget(widget)
    widget.resize(1366 - 210, 768 - 100)
    widget.show()
    widget.tabs.setCurrentWidget(widget.backups)
    return widget


@pytest.fixture
def page(qtbot, admin):
    return open_page(qtbot, admin)


def flip_a_byte(path, at=None):
    data = bytearray(path.read_bytes())
    data[len(data) // 2 if at is None else at] ^= 0x01
    path.write_bytes(bytes(data))


def rows(tab):
    model = tab.model
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.LeftButton)


def test_the_list_shows_each_backup_and_a_failed_ones_problem(qtbot, qtmodeltester, admin):
    older = backups.back_up(admin, "manual", now=datetime.now(UTC) - timedelta(days=2))
    newer = backups.back_up(admin, "auto")
    flip_a_byte(older.info.folder / "shelter.db")
    backups.verify_backup(admin, older.info.folder)
    page = open_page(qtbot, admin)  # kept: the page is no one's child
    tab = page.backups
    qtmodeltester.check(tab.model)
    assert [r[1:] for r in rows(tab)] == [["Automatic", tab.model.index(0, 2).data(), "Verified"],
                                          ["Made by hand", tab.model.index(1, 2).data(), "Failed"]]
    assert "kB" in rows(tab)[0][2]
    model = tab.model
    assert model.index(1, model.STATE).data(Qt.ForegroundRole).name() == "#a4262c"
    assert model.index(0, model.STATE).data(Qt.ForegroundRole) is None
    assert model.index(1, model.WHEN).data(Qt.ToolTipRole).split("\n") == [
        older.info.name, "shelter.db has changed since the backup was made."]
    assert newer.info.name in model.index(0, model.KIND).data(Qt.ToolTipRole)
    assert tab.view.accessibleName() == "Backups"
    assert tab.summary.text().startswith("Last verified backup:")


def test_back_up_now_runs_off_the_screen_and_the_list_shows_the_new_backup(qtbot, page, runner, admin):
    tab = page.backups
    assert tab.model.rowCount() == 0 and tab.summary.text() == "No verified backup yet"
    shown = []
    runner.progressed.connect(tab_progress := lambda _f, _s: shown.append(tab.progress_text.text()))
    try:
        click(qtbot, tab.back_up_button)
        assert not tab.back_up_button.isEnabled()  # one at a time
        qtbot.waitUntil(lambda: not runner.running, timeout=20_000)
    finally:
        runner.progressed.disconnect(tab_progress)
    assert shown[0] == "Backing up… 0 %" and shown[-1] == "Backing up… 100 %"
    [made] = backups.backups(admin)
    assert rows(tab)[0][1:] == ["Made by hand", tab.model.index(0, 2).data(), "Verified"]
    assert tab.result.text() == f"The backup {made.name} was made and verified."
    assert tab.result.property("state") == "good"
    assert not tab.progress.isVisible() and tab.back_up_button.isEnabled()
    assert tab.selected().name == made.name


def test_verifying_a_damaged_backup_shows_it_failed(qtbot, page, admin):
    made = backups.back_up(admin)
    tab = page.backups
    tab.reload()
    assert rows(tab)[0][3] == "Verified"
    flip_a_byte(made.info.folder / "keyring.json")
    tab.select(made.info.name)
    tab.verify_selected_action.trigger()
    qtbot.waitUntil(lambda: tab.result.isVisible(), timeout=10_000)
    assert tab.result.text().split("\n") == [f"The backup {made.info.name} failed its verification:",
                                             "keyring.json has changed since the backup was made."]
    assert tab.result.property("state") == "bad"
    assert rows(tab)[0][3] == "Failed"
    assert "keyring.json has changed" in tab.model.index(0, 0).data(Qt.ToolTipRole)
    assert tab.summary.text() == "No verified backup yet"


def test_a_backup_on_a_usb_drive_is_verified_from_its_folder(qtbot, page, admin, tmp_path, monkeypatch):
    made = backups.back_up(admin)
    usb = tmp_path / "usb" / made.info.name
    shutil.copytree(made.info.folder, usb)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_args, **_kwargs: str(usb))
    tab = page.backups
    tab.verify_folder_action.trigger()
    qtbot.waitUntil(lambda: tab.result.isVisible(), timeout=10_000)
    assert tab.result.text() == (f"The backup {made.info.name} is verified: its files, its database and its audit "
                                 "log check out.")
    # Something else than a backup is said so, plainly.
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_args, **_kwargs: str(tmp_path))
    tab.verify_folder_action.trigger()
    qtbot.waitUntil(lambda: tab.result.property("state") == "bad", timeout=10_000)
    assert "is not a Shelter backup (no manifest)" in tab.result.text()


def test_the_drill_passes_and_says_what_was_written_since(qtbot, page, admin, coordinator):
    made = backups.back_up(admin)
    admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    tab = page.backups
    tab.reload()
    click(qtbot, tab.drill_button)
    assert tab.progress.isVisible() and not tab.drill_button.isEnabled()
    qtbot.waitUntil(lambda: tab.result.isVisible(), timeout=20_000)
    lines = tab.result.text().split("\n")
    assert lines[0] == (f"Drill passed: the backup {made.info.name} was copied into a temporary folder, opened and "
                        "verified.")
    assert lines[1] == "Written since the backup:" and "resident: 0 in the backup, 1 now" in lines
    assert tab.result.property("state") == "good"
    assert "Last drill:" in tab.summary.text()


def test_a_coordinator_sees_the_second_place_but_cannot_change_it(qtbot, admin, coordinator):
    settings.update_settings(admin, backup_mirror="/media/usb-shelter")
    page = open_page(qtbot, coordinator)  # kept: the page is no one's child
    tab = page.backups
    assert tab.mirror_edit.text() == "/media/usb-shelter" and tab.mirror_edit.isReadOnly()
    assert tab.interval_spin.isReadOnly() and tab.daily_spin.isReadOnly()
    assert tab.save_button.isHidden() and tab.choose_button.isHidden() and not tab.read_only_note.isHidden()
    assert tab.mirror_state.text() == "Not reached yet."
    assert not tab.back_up_button.isHidden()  # a coordinator backs up


def test_the_second_place_is_chosen_and_the_next_backup_is_copied_there(qtbot, page, admin, runner, tmp_path,
                                                                         monkeypatch):
    usb = tmp_path / "usb"
    usb.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_args, **_kwargs: str(usb))
    tab = page.backups
    assert tab.mirror_state.text() == "None: the backups are kept in the data folder only."
    click(qtbot, tab.choose_button)
    assert tab.mirror_edit.text() == str(usb)
    click(qtbot, tab.save_button)
    assert tab.settings_status.text() == "Saved."
    assert settings.get_settings(admin).backup_mirror == str(usb)
    click(qtbot, tab.back_up_button)
    qtbot.waitUntil(lambda: not runner.running and tab.result.isVisible(), timeout=20_000)
    [made] = backups.backups(admin)
    copied = usb / "shelter-backups" / admin.store.keyring.store_id.hex()[:16] / made.name
    assert (copied / "manifest.json").exists()
    assert tab.result.text().split("\n") == [f"The backup {made.name} was made and verified.", f"Copied to {copied}."]
    assert tab.mirror_state.text().startswith("Last copied there: ")


def test_the_rotation_is_saved_and_a_bad_path_is_refused_beside_its_field(qtbot, page, admin):
    tab = page.backups
    tab.daily_spin.setValue(3)
    tab.interval_spin.setValue(12)
    click(qtbot, tab.save_button)
    saved = settings.get_settings(admin)
    assert (saved.backup_keep_daily, saved.backup_interval_hours, saved.backup_keep_weekly) == (3, 12, 4)
    tab.mirror_edit.setText("/media/" + "x" * 1000)
    click(qtbot, tab.save_button)
    error = tab.errors.label("backup_mirror")
    assert error.text() == "This path is too long." and error.isVisible()
    assert tab.mirror_edit.hasFocus() and tab.mirror_edit.text().startswith("/media/xxx")  # nothing typed is lost
    assert settings.get_settings(admin).backup_mirror == ""


def test_restoring_with_a_wrong_password_is_refused_beside_the_field(qtbot, page, admin):
    made = backups.back_up(admin)
    tab = page.backups
    tab.reload()
    tab.open_restore()
    dialog = tab.restore_dialog
    assert dialog.from_list.isChecked() and dialog.username.text() == ADMIN
    qtbot.keyClicks(dialog.password, "not the password at all")
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: not dialog._busy, timeout=10_000)
    assert dialog.errors.label("password").text() == (
        "Wrong username or password for this backup (as they were when it was made).")
    assert dialog.steps.currentIndex() == 0 and dialog.password.hasFocus()
    assert not list(admin.store.paths.folder.glob(".restore-*"))  # no scratch copy left
    assert [b.name for b in backups.backups(admin)] == [made.info.name] and not admin.locked
    dialog.reject()


def test_a_backup_made_by_a_newer_version_is_refused_in_the_dialog(qtbot, page, admin):
    made = backups.back_up(admin)
    manifest = json.loads((made.info.folder / "manifest.json").read_text())
    manifest["schema_revision"], manifest["application_version"] = "9999", "9.0"
    (made.info.folder / "manifest.json").write_text(json.dumps(manifest))
    tab = page.backups
    tab.reload()
    tab.open_restore()
    dialog = tab.restore_dialog
    qtbot.keyClicks(dialog.password, ADMIN_PASSWORD)
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: dialog.steps.currentIndex() == 1, timeout=20_000)
    assert "newer version of Shelter (9.0)" in dialog.summary.text()
    assert dialog.ok_button.text() == "Close" and dialog.errors.general.text() == "This backup cannot be restored."
    assert dialog.warning.isHidden()
    click(qtbot, dialog.ok_button)
    assert not dialog.isVisible() and not admin.locked
    qtbot.waitUntil(lambda: not list(admin.store.paths.folder.glob(".restore-*")), timeout=10_000)


def test_restoring_says_what_is_lost_then_asks_to_sign_in_again(qtbot, make_shell, store_dir, admin, runner):  # noqa: F811
    three_days_ago = backups.back_up(admin, "manual", now=datetime.now(UTC) - timedelta(days=3))
    shell = make_shell(store_dir)
    window = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: runner.last is not None and not runner.running, timeout=20_000)  # the automatic one
    accounts.create_account(shell.who, "karim", "Karim Alaoui", [Role.COORDINATOR], OTHER_PASSWORD,
                            must_change_password=False)
    window.open_section("administration")
    tab = window.pages["administration"].backups
    window.pages["administration"].tabs.setCurrentWidget(tab)
    tab.select(three_days_ago.info.name)
    tab.open_restore()
    dialog = tab.restore_dialog
    qtbot.keyClicks(dialog.password, ADMIN_PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key_Return)
    qtbot.waitUntil(lambda: dialog.steps.currentIndex() == 1, timeout=20_000)
    summary = dialog.summary.text()
    assert "<b>Restoring it loses 3 days of records written since.</b>" in summary
    assert "staff_account: 1 in the backup, 2 now" in summary and "kept as a backup of its own" in summary
    assert dialog.ok_button.text() == "&Replace the store with this backup" and dialog.warning.isVisible()
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: shell.main_window is None, timeout=20_000)
    assert shell.sign_in_window.isVisible()
    assert shell.sign_in_window.form.error.text() == (
        f"The store was restored from the backup {three_days_ago.info.name}. Sign in again.")
    again = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    assert "karim" not in [a.username for a in accounts.list_accounts(shell.who)]
    assert "before-restore" in [b.label for b in backups.backups(shell.who)]
    assert again is not window


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_the_page_fits_a_small_laptop_screen(qtbot, interface, admin, lang):  # noqa: F811
    from ui.shell.main_window import MainWindow

    older = backups.back_up(admin, "manual", now=datetime.now(UTC) - timedelta(days=6))
    backups.back_up(admin, "auto", now=datetime.now(UTC) - timedelta(days=1))
    damaged = backups.back_up(admin, "closing", now=datetime.now(UTC) - timedelta(days=2))
    backups.back_up(admin, "manual")
    flip_a_byte(damaged.info.folder / "shelter.db")
    backups.verify_backup(admin, damaged.info.folder)
    settings.update_settings(admin, backup_mirror="/media/usb-shelter/Sauvegardes du centre Dar Al Amane")
    shots = os.environ.get("SHELTER_SHOTS")
    if shots:  # as the application looks
        from ui.app import load_stylesheet
        from ui.qt import QApplication

        QApplication.setStyle("Fusion")
        QApplication.instance().setStyleSheet(load_stylesheet())
    interface.apply(lang)
    window = MainWindow(admin)
    qtbot.addWidget(window)
    from ui.app import load_stylesheet

    window.setStyleSheet(load_stylesheet())  # as it looks: the stylesheet's paddings take room
    window.resize(1366, 768)
    window.show()
    window.open_section("administration")
    administration = window.pages["administration"]
    tab = administration.backups
    administration.tabs.setCurrentWidget(tab)
    tab.select(older.info.name)
    tab.say(["Drill passed: the backup was copied into a temporary folder, opened and verified.",
             "Written since the backup:", "resident: 12 in the backup, 14 now", "stay: 12 in the backup, 14 now"],
            True)
    qtbot.wait(30)
    assert window.minimumSizeHint().width() <= 1366 and window.minimumSizeHint().height() <= 768
    for view in tab.findChildren(QAbstractScrollArea):
        if view.isVisible():
            assert not view.horizontalScrollBar().isVisible(), view.accessibleName()
    assert tab.model.rowCount() == 4
    if shots:
        os.makedirs(shots, exist_ok=True)
        window.grab().save(os.path.join(shots, f"backups-{lang}.png"))
    tab.open_restore()
    dialog = tab.restore_dialog
    qtbot.waitExposed(dialog)
    assert dialog.width() <= 1366 and dialog.height() <= 768
    if shots:
        dialog.grab().save(os.path.join(shots, f"backups-{lang}-restore.png"))
    qtbot.keyClicks(dialog.password, ADMIN_PASSWORD)
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: dialog.steps.currentIndex() == 1, timeout=20_000)
    qtbot.wait(20)
    assert dialog.minimumSizeHint().height() <= 768 and dialog.minimumSizeHint().width() <= 1366
    if shots:
        dialog.grab().save(os.path.join(shots, f"backups-{lang}-restore-summary.png"))
    dialog.reject()
