"""The automatic backup, driven through the real shell on a real store: made
at sign-in when none is verified (its progress in the status bar, then the
time of the last verified backup), not made when one is an hour old, a
failure said in plain words in the status bar and on the dashboard with the
store intact, signing out waiting for a backup in flight, closing making
one when it is due, and locking the screen never cutting one.

Set SHELTER_SHOTS to a folder to save the status bar during and after a
backup in the three languages."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from shelter.backup import PARTIAL, BackupInfo
from shelter.errors import StorageFull
from shelter.services import backups, settings
from shelter.services.backups import BackupStatus
from shelter.services.maintenance import verify
from tests.cases import texts
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.ui.conftest import sign_in
from ui.qt import QTimer
from ui.shell.backup_runner import ERROR, OK, WARNING, backup_runner, status_lines
from ui.widgets.dates import local_datetime


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


@pytest.fixture
def slow(monkeypatch):
    """Backups that report their progress slowly (0.25 s a step), as a large store's would."""
    real = backups.make_backup

    def slowly(*args, progress=None, **kwargs):
        def report(fraction, stage):
            time.sleep(0.25)
            if progress is not None:
                progress(fraction, stage)

        return real(*args, progress=report, **kwargs)

    monkeypatch.setattr(backups, "make_backup", slowly)


def made_backups(who) -> list[BackupInfo]:
    return backups.backups(who)


def test_a_backup_is_made_at_sign_in_with_its_progress_then_the_time_of_the_last_verified_one(
        qtbot, make_shell, store_dir, admin, runner, slow):
    seen = []
    shell = make_shell(store_dir)

    def note(_fraction, _stage):  # after the window's own slot: what the status bar shows
        window = shell.main_window
        seen.append((window.backup_progress_text.text(), window.backup_progress.isVisible(),
                     window.backup_progress.value()))

    shell.entered.connect(lambda _window: runner.progressed.connect(note))
    try:
        window = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
        qtbot.waitUntil(lambda: runner.last is not None, timeout=20_000)
    finally:
        runner.progressed.disconnect(note)
    assert seen[0] == ("Backing up… 0 %", True, 0)
    assert ("Backing up… 60 %", True, 60) in seen and seen[-1] == ("Backing up… 100 %", True, 100)
    assert not window.backup_progress.isVisible() and not window.backup_progress_text.isVisible()
    [made] = made_backups(admin)
    assert made.state == "verified" and made.label == "auto"
    assert window.backup_label.text() == f"Last verified backup: {local_datetime(made.created_at)}"
    assert window.backup_label.styleSheet() == ""


def test_no_backup_at_sign_in_when_one_was_verified_an_hour_ago(qtbot, make_shell, store_dir, admin, runner):
    earlier = backups.back_up(admin, "manual", now=datetime.now(UTC) - timedelta(hours=1))
    started = []
    runner.started.connect(started.append)
    try:
        shell = make_shell(store_dir)
        window = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
        qtbot.waitUntil(lambda: runner.last is not None, timeout=20_000)
    finally:
        runner.started.disconnect(started.append)
    assert started == []
    assert [b.name for b in made_backups(admin)] == [earlier.info.name]
    assert window.backup_label.text() == f"Last verified backup: {local_datetime(earlier.info.created_at)}"


def test_a_backup_that_fails_says_why_in_the_status_bar_and_on_the_dashboard(qtbot, make_shell, store_dir, admin,
                                                                              runner, monkeypatch):
    earlier = backups.back_up(admin, "manual", now=datetime.now(UTC) - timedelta(days=3))
    full = StorageFull("The disk is full: the backup was not made. Free some space on the data folder and try again.")

    def no_space(*_args, **_kwargs):
        raise full

    monkeypatch.setattr(backups, "make_backup", no_space)
    shell = make_shell(store_dir)
    window = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: runner.last is not None, timeout=20_000)
    assert runner.last.failed
    label = window.backup_label
    assert label.text().startswith("The backup failed: The disk is full")
    assert label.toolTip().split("\n") == [f"The backup failed: {full.message}", "No verified backup for 3 days"]
    assert "#a4262c" in label.styleSheet()
    assert "Traceback" not in label.toolTip()
    dashboard = window.pages["dashboard"]
    qtbot.waitUntil(lambda: "No verified backup for 3 days" in texts(dashboard.backups_box), timeout=10_000)
    assert f"The backup failed: {full.message}" in texts(dashboard.backups_box)
    window.resize(1366, 768)
    qtbot.wait(20)
    assert window.statusBar().rect().contains(label.geometry())
    if os.environ.get("SHELTER_SHOTS"):
        window.grab().save(os.path.join(os.environ["SHELTER_SHOTS"], "window-en-failed.png"))
    # Nothing was lost, and nothing half-made is left.
    assert [b.name for b in made_backups(admin)] == [earlier.info.name]
    assert not [p for p in (store_dir / "backups").iterdir() if p.name.endswith(PARTIAL)]
    assert verify(admin).ok


def test_signing_out_waits_for_the_backup_in_flight(qtbot, make_shell, store_dir, admin, runner, slow):
    shell = make_shell(store_dir)
    sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: runner.backing_up, timeout=10_000)
    shown = []

    def look():
        dialog = runner.dialog
        shown.append((dialog is not None and dialog.isVisible(), dialog.message.text() if dialog else None,
                      runner.running))

    QTimer.singleShot(150, look)
    shell.sign_out()
    assert shown == [(True, "Finishing the backup…", True)]
    assert not runner.running and runner.dialog is None
    assert shell.main_window is None and shell.sign_in_window.isVisible()
    [made] = made_backups(admin)
    assert made.state == "verified"


def test_closing_makes_a_backup_when_one_is_due(qtbot, make_shell, store_dir, admin, runner):
    earlier = backups.back_up(admin, "manual", now=datetime.now(UTC) - timedelta(hours=2))
    shell = make_shell(store_dir)
    sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: runner.last is not None, timeout=20_000)
    assert len(made_backups(admin)) == 1  # not due at sign-in
    settings.update_settings(admin, backup_interval_hours=1)
    shell.quit()
    assert not runner.running
    # Rotation keeps one a day: the earlier one goes if it was made on the same day (not just after midnight).
    same_day = earlier.info.created_at.astimezone().date() == datetime.now().astimezone().date()
    newest, *older = made_backups(admin)
    assert newest.label == "closing" and newest.state == "verified"
    assert len(older) == (0 if same_day else 1)
    assert runner.last.result.removed == ((earlier.info.name,) if same_day else ())


def test_locking_the_screen_does_not_cut_a_backup(qtbot, make_shell, store_dir, admin, runner, slow):
    shell = make_shell(store_dir)
    sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: runner.backing_up, timeout=10_000)
    who = shell.who
    shell.lock()
    assert who.locked and shell.is_locked  # at once: the key of the person's session is dropped
    qtbot.waitUntil(lambda: not runner.running, timeout=20_000)
    assert not runner.last.failed
    [made] = made_backups(admin)
    assert made.state == "verified"
    again = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    assert again.backup_label.text() == f"Last verified backup: {local_datetime(made.created_at)}"


def test_a_social_worker_signing_in_gets_the_automatic_backup_without_its_status(qtbot, make_shell, store_dir,
                                                                               social_worker, runner):
    """Backups must happen whoever signs in; the backup's status is for
    those who manage backups."""
    from tests.conftest import SOCIAL_WORKER_PASSWORD

    shell = make_shell(store_dir)
    window = sign_in(qtbot, shell, "nadia", SOCIAL_WORKER_PASSWORD)
    qtbot.waitUntil(lambda: runner.last is not None and not runner.running, timeout=30_000)
    assert runner.last.attempted and not runner.last.failed, runner.last.problem
    assert len(backups.list_backups(store_dir / "backups")) == 1
    assert window.backup_label.isHidden() and window.pages["dashboard"].backups_box.isHidden()


def test_the_dashboard_says_when_a_restore_drill_is_due(qtbot, admin, runner):
    from ui.dashboard.page import DashboardPage

    backups.back_up(admin, "manual", now=datetime.now(UTC) - timedelta(days=40))
    latest = backups.back_up(admin, "manual")
    page = DashboardPage(admin)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.backup_status is not None, timeout=10_000)
    assert texts(page.backups_box).replace("\u200e", "").split("\n") == [  # lines start with a direction mark
        f"Last verified backup: {local_datetime(latest.info.created_at)}",
        "A restore drill is due: run it from Administration → Backups"]
    backups.drill(admin)
    page.reload()
    qtbot.waitUntil(lambda: "drill" not in texts(page.backups_box), timeout=10_000)


def _status(last: BackupInfo | None, stale=False, mirror="", missing=False) -> BackupStatus:
    return BackupStatus(last, None, stale, mirror, None, missing, False, None)


def test_the_status_line_warns_of_an_old_backup_and_a_second_place_not_reached(tmp_path):
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    old = BackupInfo(tmp_path / "b", now - timedelta(days=3, hours=2), 10, "0008", state="verified")
    assert status_lines(_status(None, stale=True)) == [("No verified backup yet", WARNING)]
    assert status_lines(_status(old, stale=True), now=now) == [("No verified backup for 3 days", WARNING)]
    fresh = BackupInfo(tmp_path / "c", now - timedelta(hours=2), 10, "0008", state="verified")
    assert status_lines(_status(fresh, mirror="/media/usb", missing=True), now=now) == [
        ("Second place not reached for a week", WARNING),
        (f"Last verified backup: {local_datetime(fresh.created_at)}", OK)]
    from ui.shell.backup_runner import BackupOutcome

    failed = BackupOutcome("auto", error="The disk is full.")
    assert status_lines(_status(fresh), failed, now=now)[0] == ("The backup failed: The disk is full.", ERROR)


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_status_bar_during_and_after_a_backup_fits(qtbot, make_shell, store_dir, interface, runner, slow, lang):
    shots = os.environ.get("SHELTER_SHOTS")
    if shots:  # as the application looks
        from ui.app import load_stylesheet
        from ui.qt import QApplication

        QApplication.setStyle("Fusion")
        QApplication.instance().setStyleSheet(load_stylesheet())
    interface.apply(lang)
    shell = make_shell(store_dir)
    window = sign_in(qtbot, shell, ADMIN, ADMIN_PASSWORD)
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: runner.fraction >= 0.6, timeout=10_000)
    qtbot.wait(20)
    bar = window.statusBar()
    shown = window.backup_progress_text.text()
    assert window.backup_progress_text.isVisible() and "60" in shown and ("%" in shown or "٪" in shown), shown
    assert window.minimumSizeHint().width() <= 1366
    for widget in (window.backup_progress, window.backup_progress_text, window.backup_label):
        assert bar.rect().contains(widget.geometry()), widget
    if shots:
        os.makedirs(shots, exist_ok=True)
        bar.grab().save(os.path.join(shots, f"statusbar-{lang}-during.png"))
        window.grab().save(os.path.join(shots, f"window-{lang}-during.png"))
    qtbot.waitUntil(lambda: not runner.running, timeout=20_000)
    qtbot.wait(20)
    assert not window.backup_progress.isVisible()
    assert window.backup_label.isVisible() and bar.rect().contains(window.backup_label.geometry())
    if shots:
        bar.grab().save(os.path.join(shots, f"statusbar-{lang}-after.png"))
