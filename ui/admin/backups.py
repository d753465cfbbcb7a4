"""Administration → Backups: the backups in the data folder with their
state, "Back up now", verifying one (or a folder on a USB drive), the
restore drill, restoring, and where and how long backups are kept (the
second place, the interval and the rotation).

Everything slow runs off the GUI thread: a backup through the application's
runner (``ui.shell.backup_runner``: one at a time, and signing out waits for
it), the verification, the drill and the restore through ``run_task``. A
restore replaces the store under the open window: the person's session is
closed first, and the page's ``restored`` signal asks the shell to sign in
again.
"""

from __future__ import annotations

import html
from pathlib import Path

from shelter.backup import BackupCheck, BackupInfo
from shelter.errors import ShelterError, ValidationError, WrongPassword
from shelter.i18n import N_, _, current_language, is_rtl, ngettext
from shelter.security.permissions import Permission as P
from shelter.services import backups
from shelter.services import settings as settings_service
from shelter.services.backups import DrillReport, RestorePlan
from shelter.services.settings import Settings
from shelter.store import SignedIn
from ui.admin.forms import dialog_buttons, status_label, tell
from ui.qt import (
    QAbstractItemView,
    QButtonGroup,
    QColor,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QItemSelectionModel,
    QLabel,
    QLineEdit,
    QLocale,
    QMenu,
    QModelIndex,
    QPersistentModelIndex,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    Signal,
    error_text,
    run_task,
)
from ui.shell.backup_runner import STYLES, BackupOutcome, backup_runner, progress_text, status_lines, worst
from ui.widgets import ErrorLabel, FieldErrors, PasswordEdit, fit_to_screen, scrolled
from ui.widgets.dates import local_datetime, local_datetime_long
from ui.widgets.views import RowsModel

_Index = QModelIndex | QPersistentModelIndex

ERROR_COLOUR = QColor("#a4262c")
MUTED_COLOUR = QColor("#56666e")

STATES = {"verified": N_("Verified"), "failed": N_("Failed"), "unverified": N_("Not verified")}
KINDS = {
    "manual": N_("Made by hand"),
    "auto": N_("Automatic"),
    "daily": N_("Automatic"),
    "closing": N_("On closing"),
    "before-restore": N_("Before a restore"),
}


def kind_label(label: str) -> str:
    """What made a backup, in the person's words (its label otherwise)."""
    if label in KINDS:
        return _(KINDS[label])
    if label.startswith("pre-upgrade"):
        return _("Before an upgrade")
    return label


def size_text(size: int) -> str:
    return QLocale().formattedDataSize(size, 1, QLocale.DataSizeFormat.DataSizeTraditionalFormat)


class BackupsModel(RowsModel):
    """The backups, newest first: when, what made it, its size, its state."""

    WHEN, KIND, SIZE, STATE = range(4)
    HEADERS = (N_("Made on"), N_("Kind"), N_("Size"), N_("Verification"))

    def set_backups(self, items: list[BackupInfo]) -> None:
        self._reset(items)

    def backup(self, row: int) -> BackupInfo:
        return self._shown[row]

    def row_of(self, name: str) -> int:
        return next((i for i, b in enumerate(self._shown) if b.name == name), -1)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        b = self._shown[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == self.WHEN:
                return local_datetime(b.created_at)
            if column == self.KIND:
                return kind_label(b.label)
            if column == self.SIZE:
                return size_text(b.size)
            return _(STATES.get(b.state, b.state))
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [b.name]
            if b.state == "failed" and b.problems:
                lines.append(b.problems[0])
            elif b.verified_at is not None:
                lines.append(_("Verified on {when}").format(when=local_datetime_long(b.verified_at)))
            return "\n".join(lines)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.STATE:
            if b.state == "failed":
                return ERROR_COLOUR
            if b.state == "unverified":
                return MUTED_COLOUR
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.SIZE:
            return int(Qt.AlignTrailing | Qt.AlignVCenter)
        return None


def _check_lines(name: str, check: BackupCheck) -> list[str]:
    if check.ok:
        return [_("The backup {name} is verified: its files, its database and its audit log check out.").format(
            name=name)]
    return [_("The backup {name} failed its verification:").format(name=name), *check.problems]


def _difference_lines(report: DrillReport) -> list[str]:
    c = report.comparison
    if c.same:
        return [_("It holds exactly what the store holds now.")]
    lines = [_("Written since the backup:")]
    lines += [_("{table}: {backup} in the backup, {live} now").format(table=d.table, backup=d.backup_rows,
                                                                       live=d.live_rows) for d in c.differences]
    lines += [_("{table}: only in the backup").format(table=t) for t in c.only_in_backup]
    lines += [_("{table}: only in the store").format(table=t) for t in c.only_in_live]
    return lines


def drill_lines(report: DrillReport) -> list[str]:
    name = report.source.name
    if not report.ok:
        return [_("Drill failed: the backup {name} does not verify.").format(name=name), *report.check.problems]
    return [_("Drill passed: the backup {name} was copied into a temporary folder, opened and verified.").format(
        name=name), *_difference_lines(report)]


class BackupsTab(QWidget):
    restored = Signal(str)  # the store was replaced (what to tell at sign-in): sign in again

    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.may_configure = who.actor.has(P.MANAGE_SETTINGS)
        self.runner = backup_runner()
        self.status: backups.BackupStatus | None = None
        self.restore_dialog: RestoreDialog | None = None
        self._busy = ""  # what runs off the GUI thread from this page ("" when nothing)
        self._current = Settings()

        self.summary = QLabel()
        self.summary.setObjectName("backupSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.PlainText)

        self.back_up_button = QPushButton(_("Back up &now"))
        self.back_up_button.setObjectName("primary")
        self.back_up_button.setAccessibleName(_("Back up now"))
        self.back_up_button.clicked.connect(self.back_up_now)
        self.verify_button = QPushButton(_("V&erify…"))
        self.verify_button.setAccessibleName(_("Verify a backup"))
        verify_menu = QMenu(self.verify_button)
        self.verify_selected_action = verify_menu.addAction(_("The &selected backup"))
        self.verify_selected_action.triggered.connect(self.verify_selected)
        self.verify_folder_action = verify_menu.addAction(_("A backup in another &folder (a USB drive)…"))
        self.verify_folder_action.triggered.connect(self.verify_folder)
        self.verify_button.setMenu(verify_menu)
        self.restore_button = QPushButton(_("Re&store…"))
        self.restore_button.setAccessibleName(_("Restore a backup"))
        self.restore_button.clicked.connect(self.open_restore)
        self.drill_button = QPushButton(_("Restore dr&ill"))
        self.drill_button.setAccessibleName(_("Restore drill"))
        self.drill_button.setToolTip(_("Restore the newest backup into a temporary folder, verify it and compare "
                                       "it with the store, without replacing anything"))
        self.drill_button.clicked.connect(self.run_drill)

        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(10)
        self.progress_text = QLabel()
        self.progress_text.setObjectName("muted")
        for widget in (self.progress, self.progress_text):
            widget.setVisible(False)

        self.model = BackupsModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName(_("Backups"))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.setWordWrap(False)
        self.view.setMinimumHeight(180)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(BackupsModel.STATE, QHeaderView.ResizeMode.Stretch)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)

        self.result = QLabel()
        self.result.setObjectName("result")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.PlainText)
        self.result.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.result.setVisible(False)

        # Two rows: in French or Arabic four buttons side by side would push
        # the settings panel off a 1366-pixel screen.
        buttons = QVBoxLayout()
        for pair in ((self.back_up_button, self.verify_button), (self.restore_button, self.drill_button)):
            line = QHBoxLayout()
            for button in pair:
                line.addWidget(button)
            line.addStretch(1)
            buttons.addLayout(line)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.progress_text, 2)
        left = QVBoxLayout()
        left.addWidget(self.summary)
        left.addLayout(buttons)
        left.addLayout(progress_row)
        left.addWidget(self.view, 1)
        left.addWidget(self.result)

        right = self._build_settings()
        content = QWidget()
        row = QHBoxLayout(content)
        row.setContentsMargins(0, 8, 0, 0)
        row.setSpacing(16)
        row.addLayout(left, 3)
        row.addWidget(right, 2)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolled(content))

        self.runner.started.connect(self._backup_started)
        self.runner.progressed.connect(self._backup_progressed)
        self.runner.finished.connect(self._backup_finished)
        if self.runner.running and self.runner.backing_up:
            self._backup_progressed(self.runner.fraction, "")
        self.reload()
        self.load_settings()

    # -- the settings panel -------------------------------------------------------------------

    def _build_settings(self) -> QGroupBox:
        box = QGroupBox(_("Second place and rotation"))
        self.errors = FieldErrors()
        self.mirror_edit = QLineEdit()
        self.mirror_edit.setAccessibleName(_("Second place for the backups"))
        self.mirror_edit.setPlaceholderText(_("A USB drive or a network folder"))
        self.mirror_edit.setMaxLength(1100)  # the service says what is too long, beside the field
        self.mirror_edit.setLayoutDirection(Qt.LeftToRight)  # a path reads left to right in every language
        self.choose_button = QPushButton(_("&Choose…"))
        self.choose_button.setAccessibleName(_("Choose the second place"))
        self.choose_button.clicked.connect(self.choose_mirror)
        mirror_row = QWidget()
        mirror_layout = QHBoxLayout(mirror_row)
        mirror_layout.setContentsMargins(0, 0, 0, 0)
        mirror_layout.addWidget(self.mirror_edit, 1)
        mirror_layout.addWidget(self.choose_button)
        mirror_row.setFocusProxy(self.mirror_edit)
        self.mirror_state = QLabel()
        self.mirror_state.setObjectName("muted")
        self.mirror_state.setWordWrap(True)
        self.mirror_state.setTextFormat(Qt.PlainText)

        self.interval_spin = self._count_spin(1, 168, lambda n: ngettext("hour", "hours", n))
        self.interval_spin.setAccessibleName(_("Back up when the last verified backup is older than this many "
                                               "hours"))
        self.daily_spin = self._count_spin(0, 60, lambda n: ngettext("day", "days", n))
        self.daily_spin.setAccessibleName(_("Keep the newest backup of each of this many days"))
        self.weekly_spin = self._count_spin(0, 52, lambda n: ngettext("week", "weeks", n))
        self.weekly_spin.setAccessibleName(_("Keep the newest backup of each of this many weeks"))
        self.monthly_spin = self._count_spin(0, 120, lambda n: ngettext("month", "months", n))
        self.monthly_spin.setAccessibleName(_("Keep the newest backup of each of this many months"))
        keep_row = QWidget()
        keep_layout = QHBoxLayout(keep_row)
        keep_layout.setContentsMargins(0, 0, 0, 0)
        for spin in (self.daily_spin, self.weekly_spin, self.monthly_spin):
            keep_layout.addWidget(spin)
        keep_layout.addStretch(1)
        keep_row.setFocusProxy(self.daily_spin)
        keep_error = ErrorLabel()

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        mirror_label = QLabel(_("Second &place (copied there after each backup):"))
        mirror_label.setBuddy(self.mirror_edit)
        mirror_label.setWordWrap(True)
        mirror_box = QWidget()
        mirror_box_layout = QVBoxLayout(mirror_box)
        mirror_box_layout.setContentsMargins(0, 0, 0, 0)
        mirror_box_layout.setSpacing(2)
        mirror_box_layout.addWidget(self.errors.field(mirror_row, "backup_mirror", focus=self.mirror_edit))
        mirror_box_layout.addWidget(self.mirror_state)
        form.addRow(mirror_label, mirror_box)
        interval_label = QLabel(_("Back up when the last verified backup is &older than:"))
        interval_label.setBuddy(self.interval_spin)
        interval_label.setWordWrap(True)
        form.addRow(interval_label, self.errors.field(self.interval_spin, "backup_interval_hours"))
        keep_label = QLabel(_("Keep the newest backup of each of the last (da&ys, weeks, months):"))
        keep_label.setBuddy(self.daily_spin)
        keep_label.setWordWrap(True)
        keep_box = QWidget()
        keep_box_layout = QVBoxLayout(keep_box)
        keep_box_layout.setContentsMargins(0, 0, 0, 0)
        keep_box_layout.setSpacing(2)
        keep_box_layout.addWidget(keep_row)
        keep_box_layout.addWidget(keep_error)
        for name, spin in (("backup_keep_daily", self.daily_spin), ("backup_keep_weekly", self.weekly_spin),
                           ("backup_keep_monthly", self.monthly_spin)):
            self.errors.add(name, keep_error, spin)
        form.addRow(keep_label, keep_box)

        help_text = QLabel(_("A backup is made at the first sign-in of the day and on closing when the last "
                             "verified one is older than this. The last verified backup is always kept, however "
                             "old."))
        help_text.setObjectName("muted")
        help_text.setWordWrap(True)
        self.read_only_note = QLabel(_("Only an administrator can change these settings."))
        self.read_only_note.setObjectName("muted")
        self.read_only_note.setWordWrap(True)
        self.save_button = QPushButton(_("Save these settin&gs"))
        self.save_button.setAccessibleName(_("Save the backup settings"))
        self.save_button.clicked.connect(self.save_settings)
        self.settings_status = status_label()
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.settings_status, 1)

        layout = QVBoxLayout(box)
        layout.addLayout(form)
        layout.addWidget(help_text)
        layout.addWidget(self.errors.general)
        layout.addWidget(self.read_only_note)
        layout.addLayout(save_row)
        layout.addStretch(1)

        configurable = self.may_configure
        self.mirror_edit.setReadOnly(not configurable)
        for spin in (self.interval_spin, self.daily_spin, self.weekly_spin, self.monthly_spin):
            spin.setReadOnly(not configurable)
            spin.valueChanged.connect(self.settings_status.clear)
        self.mirror_edit.textEdited.connect(self.settings_status.clear)
        self.choose_button.setVisible(configurable)
        self.save_button.setVisible(configurable)
        self.read_only_note.setVisible(not configurable)
        return box

    @staticmethod
    def _count_spin(low: int, high: int, unit) -> QSpinBox:  # noqa: ANN001
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setMaximumWidth(150)
        spin.valueChanged.connect(lambda n: spin.setSuffix(" " + unit(n)))
        spin.setSuffix(" " + unit(spin.value()))
        return spin

    def load_settings(self) -> None:
        try:
            values = settings_service.get_settings(self.who)
        except ShelterError as exc:
            self.errors.show_error(exc)
            return
        self._current = values
        self.mirror_edit.setText(values.backup_mirror)
        self.mirror_edit.setCursorPosition(0)
        self.interval_spin.setValue(values.backup_interval_hours)
        self.daily_spin.setValue(values.backup_keep_daily)
        self.weekly_spin.setValue(values.backup_keep_weekly)
        self.monthly_spin.setValue(values.backup_keep_monthly)
        self.settings_status.clear()

    def settings_values(self) -> dict[str, object]:
        return {
            "backup_mirror": self.mirror_edit.text().strip(),
            "backup_interval_hours": self.interval_spin.value(),
            "backup_keep_daily": self.daily_spin.value(),
            "backup_keep_weekly": self.weekly_spin.value(),
            "backup_keep_monthly": self.monthly_spin.value(),
        }

    def save_settings(self) -> None:
        changes = {k: v for k, v in self.settings_values().items() if getattr(self._current, k) != v}
        if not changes:
            self.errors.clear()
            self.settings_status.setText(_("Nothing to save: no setting was changed."))
            return
        ok, saved = self.errors.attempt(lambda: settings_service.update_settings(self.who, **changes))
        if ok and saved is not None:
            self._current = saved
            self.mirror_edit.setText(saved.backup_mirror)
            self.mirror_edit.setCursorPosition(0)
            self.settings_status.setText(_("Saved."))
            self.reload()

    def choose_mirror(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Choose the second place for the backups"),
                                                  self.mirror_edit.text() or str(Path.home()))
        if folder:
            self.mirror_edit.setText(folder)
            self.settings_status.clear()
            self.mirror_edit.setFocus(Qt.OtherFocusReason)

    # -- the list and the summary -----------------------------------------------------------------

    def reload(self) -> None:
        """The list and what is said about it (a few small files and one read: quick)."""
        selected = self.selected()
        try:
            items = backups.backups(self.who)
            self.status = backups.status(self.who)
        except ShelterError as exc:
            self.summary.setText(error_text(exc))
            return
        self.model.set_backups(items)
        if selected is not None and self.model.row_of(selected.name) >= 0:
            self.select(selected.name)
        elif items:
            self.select(items[0].name)
        self._show_summary()
        self._update_buttons()

    def _show_summary(self) -> None:
        outcome = self.runner.last
        lines = status_lines(self.status, outcome)
        status = self.status
        if status is not None and status.drill_due:
            lines.append((_("A restore drill is due: run it from Administration → Backups"), "warning"))
        if status is not None and status.last_drill is not None:
            lines.append((_("Last drill: {when}").format(when=local_datetime(status.last_drill)), "ok"))
        self.summary.setText("\n".join(text for text, _level in lines))
        self.summary.setStyleSheet(STYLES[worst(lines)] + " padding: 4px;" if worst(lines) != "ok" else "")
        self._show_mirror_state(outcome)

    def _show_mirror_state(self, outcome: BackupOutcome | None) -> None:
        status = self.status
        if status is None or not status.mirror:
            self.mirror_state.setText(_("None: the backups are kept in the data folder only."))
            self.mirror_state.setStyleSheet("")
            return
        if status.mirror_last_ok is not None:
            text = _("Last copied there: {when}").format(when=local_datetime(status.mirror_last_ok))
        else:
            text = _("Not reached yet.")
        problem = outcome.result.mirror_problem if outcome is not None and outcome.result is not None else None
        if problem:
            text += "\n" + _("The last copy failed: {problem}").format(problem=problem)
        if status.mirror_missing:
            text += "\n" + _("Not reached for a week: is the drive plugged in?")
        self.mirror_state.setText(text)
        self.mirror_state.setStyleSheet(STYLES["warning"] if problem or status.mirror_missing else "")

    def selected(self) -> BackupInfo | None:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        return self.model.backup(rows[0].row()) if rows else None

    def select(self, name: str) -> None:
        """Select the backup ``name`` (whatever keys are held: not as a click would)."""
        row = self.model.row_of(name)
        if row >= 0:
            index = self.model.index(row, 0)
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            self.view.selectionModel().setCurrentIndex(index, flags)

    def _selection_changed(self, *_args: object) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        idle = not self._busy
        backing_up = self.runner.running
        self.back_up_button.setEnabled(idle and not backing_up)
        self.verify_button.setEnabled(idle)
        self.verify_selected_action.setEnabled(self.selected() is not None)
        self.restore_button.setEnabled(idle and not backing_up)
        self.drill_button.setEnabled(idle and self.model.rowCount() > 0)

    def say(self, lines: list[str], good: bool) -> None:
        """The outcome of what was just done, under the list."""
        self.result.setProperty("state", "good" if good else "bad")
        self.result.setText("\n".join(lines))
        self.result.setVisible(True)
        self.result.style().unpolish(self.result)
        self.result.style().polish(self.result)

    def _set_busy(self, what: str) -> None:
        """``what`` runs off the GUI thread ("" when it has returned)."""
        self._busy = what
        if what:
            self.progress.setRange(0, 0)  # as long as it takes
            self.progress_text.setText(what)
            self.progress.setAccessibleName(what)
        for widget in (self.progress, self.progress_text):
            widget.setVisible(bool(what) or self.runner.backing_up)
        if not what:
            self.progress.setRange(0, 100)
        self._update_buttons()

    # -- backing up -------------------------------------------------------------------------------

    def back_up_now(self) -> None:
        self.result.setVisible(False)
        if not self.runner.start(self.who, "manual"):
            tell(self, _("Back up now"), _("A backup is already being made. Wait for it to finish."))
            return
        self._update_buttons()

    def _backup_started(self, _label: str) -> None:
        self._backup_progressed(0.0, "")

    def _backup_progressed(self, fraction: float, _stage: str) -> None:
        if self._busy:
            return
        self.progress.setRange(0, 100)
        self.progress.setValue(round(fraction * 100))
        self.progress_text.setText(progress_text(fraction))
        self.progress.setAccessibleName(self.progress_text.text())
        self.progress.setVisible(True)
        self.progress_text.setVisible(True)
        self._update_buttons()

    def _backup_finished(self, outcome: BackupOutcome) -> None:
        if not self._busy:
            self.progress.setVisible(False)
            self.progress_text.setVisible(False)
        if outcome.label == "manual" and outcome.attempted:
            if outcome.failed:
                self.say([_("The backup failed: {problem}").format(problem=outcome.problem)], False)
            else:
                result = outcome.result
                assert result is not None
                lines = [_("The backup {name} was made and verified.").format(name=result.info.name)]
                if result.mirrored_to is not None:
                    lines.append(_("Copied to {place}.").format(place=result.mirrored_to))
                if result.mirror_problem:
                    lines.append(_("It was not copied to the second place: {problem}").format(
                        problem=result.mirror_problem))
                self.say(lines, not result.mirror_problem)
        if not self.who.locked:
            self.reload()
            if outcome.result is not None:
                self.select(outcome.result.info.name)
        self._update_buttons()

    # -- verifying -----------------------------------------------------------------------------------

    def verify_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            tell(self, _("Verify a backup"), _("Select a backup in the list first."))
            return
        self.verify(chosen.folder)

    def verify_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Choose the folder of a backup"), str(Path.home()))
        if folder:
            self.verify(Path(folder))

    def verify(self, folder: Path) -> None:
        if self._busy:
            return
        self.result.setVisible(False)
        self._set_busy(_("Verifying {name}…").format(name=folder.name))
        who = self.who
        run_task(self, lambda: backups.verify_backup(who, folder), lambda check: self._verified(folder, check),
                 self._failed)

    def _verified(self, folder: Path, check: BackupCheck) -> None:
        self._set_busy("")
        self.say(_check_lines(folder.name, check), check.ok)
        self.reload()
        self.select(folder.name)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy("")
        self.say([error_text(exc)], False)

    # -- the drill ----------------------------------------------------------------------------------------

    def run_drill(self) -> None:
        if self._busy:
            return
        self.result.setVisible(False)
        self._set_busy(_("Restoring the newest backup into a temporary folder…"))
        who = self.who
        run_task(self, lambda: backups.drill(who), self._drilled, self._failed)

    def _drilled(self, report: DrillReport) -> None:
        self._set_busy("")
        self.say(drill_lines(report), report.ok)
        self.reload()

    # -- restoring ---------------------------------------------------------------------------------------

    def open_restore(self) -> None:
        dialog = RestoreDialog(self.who, self.selected(), self)
        dialog.restored.connect(self.restored)
        dialog.finished.connect(lambda _result: setattr(self, "restore_dialog", None))
        self.restore_dialog = dialog
        dialog.open()



class RestoreDialog(QDialog):
    """Restore a backup: choose it, sign in as it knew you, read what
    restoring it means (days lost in bold), then confirm. The backup is
    copied into a scratch folder and verified before anything is replaced."""

    restored = Signal(str)  # what to tell at sign-in

    def __init__(self, who: SignedIn, selected: BackupInfo | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.setWindowTitle(_("Restore a backup"))
        self.setModal(True)
        self.data_dir = who.store.paths.folder
        self.selected = selected
        self.plan: RestorePlan | None = None
        self.scratch: Path | None = None
        self._busy = False
        self._closed = False
        self._session_ended = False
        self.errors = FieldErrors()

        # Step 1: which backup, and who.
        intro = QLabel(_("The backup is copied into a scratch folder, verified and compared with the current "
                         "store first: nothing is replaced before you confirm."))
        intro.setWordWrap(True)
        self.from_list = QRadioButton(
            _("&The backup selected in the list: {when}, {kind}").format(
                when=local_datetime(selected.created_at), kind=kind_label(selected.label)) if selected is not None
            else _("&The backup selected in the list (none is selected)"))
        self.from_list.setEnabled(selected is not None)
        self.from_folder = QRadioButton(_("A backup in another &folder:"))
        group = QButtonGroup(self)
        group.addButton(self.from_list)
        group.addButton(self.from_folder)
        (self.from_list if selected is not None else self.from_folder).setChecked(True)
        self.folder_edit = QLineEdit()
        self.folder_edit.setAccessibleName(_("Folder of the backup"))
        self.folder_edit.setLayoutDirection(Qt.LeftToRight)
        self.folder_edit.textEdited.connect(lambda _text: self.from_folder.setChecked(True))
        self.choose_button = QPushButton(_("&Choose…"))
        self.choose_button.setAccessibleName(_("Choose the folder of the backup"))
        self.choose_button.clicked.connect(self.choose_folder)
        folder_row = QWidget()
        folder_layout = QHBoxLayout(folder_row)
        indent = (0, 0, 24, 0) if is_rtl(current_language()) else (24, 0, 0, 0)  # under the choice's words
        folder_layout.setContentsMargins(*indent)
        folder_layout.addWidget(self.folder_edit, 1)
        folder_layout.addWidget(self.choose_button)
        folder_row.setFocusProxy(self.folder_edit)
        self.username = QLineEdit(who.actor.username)
        self.username.setAccessibleName(_("Username"))
        self.password = PasswordEdit()
        self.password.setAccessibleName(_("Password"))
        credentials_help = QLabel(_("Type your username and password as they were when the backup was made."))
        credentials_help.setObjectName("muted")
        credentials_help.setWordWrap(True)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        username_label = QLabel(_("&Username:"))
        username_label.setBuddy(self.username)
        form.addRow(username_label, self.errors.field(self.username, "username"))
        password_label = QLabel(_("&Password:"))
        password_label.setBuddy(self.password)
        form.addRow(password_label, self.errors.field(self.password, "password"))
        first = QWidget()
        first_layout = QVBoxLayout(first)
        first_layout.setContentsMargins(0, 0, 0, 0)
        first_layout.addWidget(intro)
        first_layout.addWidget(self.from_list)
        first_layout.addWidget(self.from_folder)
        first_layout.addWidget(self.errors.field(folder_row, "source", focus=self.folder_edit))
        first_layout.addWidget(credentials_help)
        first_layout.addLayout(form)
        first_layout.addStretch(1)

        # Step 2: what restoring it means.
        self.summary = QLabel()
        self.summary.setObjectName("restoreSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.RichText)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.summary.setAlignment(Qt.AlignTop | Qt.AlignLeading)
        self.warning = QLabel(_("Replacing the store closes your session: you will sign in again, to the "
                                "restored store."))
        self.warning.setObjectName("important")
        self.warning.setWordWrap(True)
        second = QWidget()
        second_layout = QVBoxLayout(second)
        second_layout.setContentsMargins(0, 0, 0, 0)
        second_layout.addWidget(scrolled(self.summary, horizontal=False), 1)
        second_layout.addWidget(self.warning)

        self.steps = QStackedWidget()
        self.steps.addWidget(first)
        self.steps.addWidget(second)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setFixedHeight(8)
        self.busy.setTextVisible(False)
        self.busy.setVisible(False)
        self.busy_text = QLabel()
        self.busy_text.setObjectName("muted")
        self.busy_text.setVisible(False)
        self.buttons, self.ok_button = dialog_buttons(_("&Check the backup"))
        self.ok_button.clicked.connect(self._next)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.steps, 1)
        layout.addWidget(self.errors.general)
        layout.addWidget(self.busy)
        layout.addWidget(self.busy_text)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 640, 480)
        (self.password if selected is not None else self.folder_edit).setFocus(Qt.OtherFocusReason)

    # -- step 1 -----------------------------------------------------------------------------------------

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Choose the folder of a backup"),
                                                  self.folder_edit.text() or str(Path.home()))
        if folder:
            self.folder_edit.setText(folder)
            self.from_folder.setChecked(True)

    def source(self) -> Path | None:
        if self.from_list.isChecked() and self.selected is not None:
            return self.selected.folder
        text = self.folder_edit.text().strip()
        return Path(text) if text else None

    def _next(self) -> None:
        if self._busy:
            return
        if self.steps.currentIndex() == 0:
            self.check()
        elif self.plan is not None and self.plan.check.ok:
            self.confirm()
        else:
            self.reject()

    def _set_busy(self, text: str) -> None:
        self._busy = bool(text)
        self.busy.setVisible(bool(text))
        self.busy_text.setVisible(bool(text))
        self.busy_text.setText(text)
        self.ok_button.setEnabled(not text)
        self.steps.setEnabled(not text)

    def check(self) -> None:
        self.errors.clear()
        source = self.source()
        if source is None:
            self.errors.show(_("Choose the folder of the backup."), "source")
            return
        username, password = self.username.text().strip(), self.password.text()
        if not username:
            self.errors.show(_("Enter your username."), "username")
            return
        if not password:
            self.errors.show(_("Enter your password."), "password")
            return
        self._set_busy(_("Copying the backup into a scratch folder and verifying it…"))
        data_dir = self.data_dir
        run_task(self, lambda: backups.plan_restore(source, data_dir, username, password), self._planned,
                 self._plan_failed, always=self._discard_if_closed)

    def _discard_if_closed(self, value: object) -> None:
        """The dialog was closed while the plan was made: its scratch copy goes."""
        if self._closed and isinstance(value, tuple):
            _plan, scratch = value
            run_task(self.parent() or self, lambda: backups.discard(scratch), lambda _r: None, lambda _e: None)

    def _planned(self, value: tuple[RestorePlan, Path]) -> None:
        self._set_busy("")
        if self._closed:
            return
        self.plan, self.scratch = value
        self.summary.setText(self.summary_html(self.plan))
        self.steps.setCurrentIndex(1)
        ok = self.plan.check.ok
        self.warning.setVisible(ok and self.plan.replaces)
        if ok:
            self.ok_button.setText(_("&Replace the store with this backup") if self.plan.replaces
                                   else _("&Restore this backup"))
        else:
            self.ok_button.setText(_("Close"))
            self.errors.show(_("This backup cannot be restored."))
        self.ok_button.setFocus(Qt.OtherFocusReason)

    @staticmethod
    def summary_html(plan: RestorePlan) -> str:
        """``restore_summary`` as paragraphs, the days lost in bold."""
        lost = ngettext("Restoring it loses {n} day of records written since.",
                        "Restoring it loses {n} days of records written since.",
                        plan.days_lost).format(n=plan.days_lost) if plan.days_lost else None
        # Every paragraph in the interface's direction, whatever word it starts with (a table's name).
        rtl = is_rtl(current_language())
        direction, start = ("rtl", "right") if rtl else ("ltr", "left")
        parts = []
        for line in backups.restore_summary(plan):
            text = html.escape(line.strip())
            if line.startswith("  "):
                parts.append(f"<div dir='{direction}' style='margin-{start}: 16px'>{text}</div>")
            elif lost is not None and line == lost:
                parts.append(f"<p dir='{direction}'><b>{text}</b></p>")
            else:
                parts.append(f"<p dir='{direction}'>{text}</p>")
        return "".join(parts)

    def _plan_failed(self, exc: BaseException) -> None:
        self._set_busy("")
        if self._closed:
            return
        if isinstance(exc, WrongPassword):
            self.errors.show(exc.message, "password")
        elif isinstance(exc, ValidationError):
            self.errors.show_error(exc)
        else:
            self.errors.show(error_text(exc), "source")

    # -- step 2 --------------------------------------------------------------------------------------

    def confirm(self) -> None:
        plan, scratch = self.plan, self.scratch
        if plan is None or scratch is None:
            return
        self.errors.clear()
        backup_runner().wait(self)  # a backup in flight finishes on the store it copies
        # The person's session is closed before its files are replaced under it.
        self.who.lock("sign_out")
        self._session_ended = True
        self._set_busy(_("Restoring…"))
        data_dir, username, password = self.data_dir, self.username.text().strip(), self.password.text()
        run_task(self, lambda: backups.restore(plan, scratch, data_dir, username, password), self._restored,
                 self._restore_failed)

    def _restored(self, restored: SignedIn) -> None:
        restored.lock("sign_out")
        self.scratch = None
        self._set_busy("")
        name = self.plan.source.name if self.plan is not None else ""
        self._closed = True
        self.accept()
        self.restored.emit(_("The store was restored from the backup {name}. Sign in again.").format(name=name))

    def _restore_failed(self, exc: BaseException) -> None:
        self._set_busy("")
        self.scratch = None  # the restore has it now (finished the next time the store opens, or discarded)
        self.errors.show(_("The restore did not finish: {reason}").format(reason=error_text(exc)))
        self.ok_button.setText(_("Sign in again"))
        self.plan = None

    def reject(self) -> None:
        if self._busy:
            return  # a copy or a restore is under way: it returns first
        self._closed = True
        if self.scratch is not None:
            scratch, self.scratch = self.scratch, None
            run_task(self.parent() or self, lambda: backups.discard(scratch), lambda _r: None, lambda _e: None)
        super().reject()
        if self._session_ended:
            self.restored.emit(_("The restore did not finish. Sign in again to see the store as it is."))
