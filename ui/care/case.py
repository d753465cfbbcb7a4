"""The "Case" tab of the resident's file: the stage the case is in (computed
by the core from the records, never typed), the social worker holding it,
what is open in it and when it falls due, and its closures and reopenings.

A social worker or a coordinator gives the case to another social worker;
either closes it once the person has left (the core refuses while she or he
is in residence, and the form says so beside the reason) and reopens it with
a written reason. Every write goes through ``shelter.services.cases`` and
tells every open screen what changed.
"""

from __future__ import annotations

from collections.abc import Callable

from shelter.domain.changes import Change
from shelter.domain.dates import format_date
from shelter.domain.vocabulary import CASE_STAGE, CASE_STATUS, CLOSURE_REASON, DUE_STATE
from shelter.errors import ShelterError, ValidationError
from shelter.i18n import N_, _, isolate
from shelter.security.permissions import Permission
from shelter.services import cases, my_work
from shelter.services.cases import REASON_MIN, CaseSummary, Closure, StaffChoice
from shelter.services.my_work import WorkItem
from shelter.services.residents import ResidentFile
from shelter.store import SignedIn
from ui.qt import (
    QAbstractItemView,
    QBrush,
    QColor,
    QComboBox,
    QDate,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from ui.residents.file import CorrectionForm, FileSection, FileTab, register_tab, value_label
from ui.widgets.dates import DateField, local_datetime

_OVERDUE_COLOUR = "#a4262c"
DATE_WIDTH = 260  # a date field needs no more, however wide the form


def item_text(item: WorkItem) -> str:
    """What is due: the kind of work, and an action's own words (as My work says it)."""
    from ui.my_work.page import what_text

    return what_text(item)


def closure_text(closure: Closure, sex: str) -> str:
    """One closure as the history shows it, with its reopening if any."""
    nobody = _("someone no longer on record")
    lines = [_("Closed on {date} by {name}: {reason}").format(
        date=format_date(closure.closed_on), name=isolate(closure.closed_by or nobody),
        reason=CLOSURE_REASON.label(closure.reason, sex=sex))]
    if closure.reason_text:
        lines.append(_("Why: {text}").format(text=isolate(closure.reason_text)))
    if closure.reopened_at is not None:
        lines.append(_("Reopened on {moment} by {name}: {reason}").format(
            moment=local_datetime(closure.reopened_at), name=isolate(closure.reopened_by or nobody),
            reason=isolate(closure.reopen_reason)))
    return "\n".join(lines)


class CaseTab(FileSection):
    """The case as a whole, read again from its services each time the file is."""

    summary: CaseSummary | None = None

    def has(self, permission: Permission) -> bool:
        return self.who is not None and self.who.actor.has(permission)

    def build(self, file: ResidentFile) -> None:
        self.summary = None
        self.items: list[WorkItem] = []
        self.change_button = QPushButton(_("&Change…"))
        self.change_button.setToolTip(_("Give the case to another social worker"))
        self.change_button.clicked.connect(self.change_worker)
        self.close_button = QPushButton(_("C&lose the case…"))
        self.close_button.clicked.connect(self.close_case)
        self.reopen_button = QPushButton(_("&Reopen the case…"))
        self.reopen_button.clicked.connect(self.reopen_case)
        if self.who is None:
            return
        try:
            summary = self.summary = cases.case_summary(self.who, file.resident_id)
            self.items = my_work.open_items(self.who, file.resident_id)
        except ShelterError as exc:
            self.stage = value_label(exc.message)
            self.column.addWidget(self.stage)
            for button in (self.change_button, self.close_button, self.reopen_button):
                button.hide()
            return
        sex = summary.sex or file.sex

        box, form = self.group(_("Case"))
        form.addRow(QLabel(_("Case number:")), value_label(summary.case_number))
        self.stage = value_label(CASE_STAGE.label(summary.stage, sex=sex), _("Stage"))
        font = self.stage.font()
        font.setBold(True)
        self.stage.setFont(font)
        form.addRow(QLabel(_("Stage:")), self.stage)
        self.status = value_label(CASE_STATUS.label(summary.status), _("Case status"))
        self.status.setToolTip(_("The case status as the national and international data standards name it "
                                 "(HTCDS): active, in follow-up, closed, or closed and referred."))
        form.addRow(QLabel(_("Case status:")), self.status)
        self.worker = value_label(summary.case_worker or _("Nobody holds the case yet: the first social worker "
                                                           "to write in it takes it."), _("Social worker"))
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.worker)
        line.addWidget(self.change_button, 0, Qt.AlignTop)
        line.addStretch(1)
        holder = QWidget()
        holder.setLayout(line)
        form.addRow(QLabel(_("Social worker:")), holder)
        self.change_button.setVisible(self.has(Permission.WRITE_CARE_PLAN) or self.has(Permission.APPROVE_CARE_PLAN))
        self.change_button.setEnabled(not summary.closed and summary.stay_id is not None)
        if summary.closed:
            self.change_button.setToolTip(_("The case is closed. Reopen it to give it to someone."))

        self.column.addWidget(self.items_box())
        self.column.addWidget(self.closures_box(summary, sex))
        may_close = self.has(Permission.CLOSE_CASE)
        self.close_button.setVisible(may_close and not summary.closed)
        self.reopen_button.setVisible(may_close and summary.closed)
        self.column.addLayout(self.actions(self.close_button, self.reopen_button))

    def items_box(self) -> QGroupBox:
        box = QGroupBox(_("Open in this case"))
        column = QVBoxLayout(box)
        self.table = QTableWidget(len(self.items), 3)
        self.table.setAccessibleName(_("Open in this case"))
        self.table.setHorizontalHeaderLabels([_("What"), _("Due on"), _("When")])
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        for row, item in enumerate(self.items):
            state = DUE_STATE.label(item.state)
            for column_index, text in enumerate((item_text(item), format_date(item.due_on), state)):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                if item.state in ("overdue", "today"):
                    font = cell.font()
                    font.setBold(True)
                    cell.setFont(font)
                if item.state == "overdue":
                    cell.setForeground(QBrush(QColor(_OVERDUE_COLOUR)))
                self.table.setItem(row, column_index, cell)
        self.table.resizeRowsToContents()
        # As tall as its rows (up to about eight), not a box of white below one item.
        rows = self.table.verticalHeader().length()
        height = self.table.horizontalHeader().sizeHint().height() + min(rows, 8 * 32) + 2 * self.table.frameWidth()
        self.table.setFixedHeight(height + 2)
        if self.items:
            column.addWidget(self.table)
        else:
            self.table.hide()
            self.no_items = value_label(_("Nothing is open in this case."))
            column.addWidget(self.no_items)
        return box

    def closures_box(self, summary: CaseSummary, sex: str) -> QGroupBox:
        box = QGroupBox(_("Closing and reopening"))
        column = QVBoxLayout(box)
        self.closures: list[QLabel] = []
        if not summary.closures:
            column.addWidget(value_label(_("The case has not been closed.")))
        for closure in summary.closures:  # newest first
            label = value_label(closure_text(closure, sex))
            self.closures.append(label)
            column.addWidget(label)
        return box

    # -- what the buttons open -------------------------------------------------------------------------

    def change_worker(self) -> None:
        if self.who is not None and self.summary is not None:
            self.open_form(CaseWorkerForm(self.who, self.file, self.summary, self))

    def close_case(self) -> None:
        if self.who is not None and self.summary is not None:
            self.open_form(CloseCaseForm(self.who, self.file, self.summary, self))

    def reopen_case(self) -> None:
        if self.who is not None:
            self.open_form(ReopenCaseForm(self.who, self.file, self))


# -- the forms ------------------------------------------------------------------------------------------

class CaseWorkerForm(CorrectionForm):
    """Give the case to one of the active social workers."""

    def __init__(self, who: SignedIn, file: ResidentFile, summary: CaseSummary,
                 parent: QWidget | None = None) -> None:
        super().__init__(who, file, _("Social worker holding the case"), parent)
        self.save_button.setText(_("&Give the case"))
        self.list = QListWidget()
        self.list.setAccessibleName(_("Social workers"))
        self.workers: list[StaffChoice] = []
        try:
            self.workers = cases.social_workers(who)
        except ShelterError as exc:
            self.error.set_message(exc.message)
        for worker in self.workers:
            entry = QListWidgetItem(worker.name)
            entry.setData(Qt.UserRole, worker.account_id)
            self.list.addItem(entry)
            if worker.account_id == summary.case_worker_id:
                self.list.setCurrentItem(entry)
        if self.list.currentRow() < 0 and self.workers:
            self.list.setCurrentRow(0)
        # As tall as the names (three to ten of them), not an empty box below one name.
        row = self.list.sizeHintForRow(0) if self.workers else self.list.fontMetrics().height() + 6
        self.list.setFixedHeight(row * min(max(len(self.workers), 3), 10) + 2 * self.list.frameWidth() + 4)
        self.list.itemDoubleClicked.connect(lambda _item: self.submit())
        if not self.workers:
            self.save_button.setEnabled(False)
            self.form.addRow(value_label(_("No active social worker account. An administrator adds one in "
                                           "Administration.")))
        self.row(_("&Social worker:"), self.list, "case_worker")
        self.finish()

    def work(self) -> Callable[[], Change]:
        entry = self.list.currentItem()
        if entry is None:
            raise ValidationError(_("Choose an active social worker."), field="case_worker")
        who, rid, staff_id = self.who, self.file.resident_id, int(entry.data(Qt.UserRole))
        return lambda: cases.assign_case_worker(who, rid, staff_id)


class CloseCaseForm(CorrectionForm):
    """Close the case: why (a written reason for "other"), and on which day."""

    def __init__(self, who: SignedIn, file: ResidentFile, summary: CaseSummary,
                 parent: QWidget | None = None) -> None:
        super().__init__(who, file, _("Close the case"), parent)
        self.save_button.setText(_("C&lose the case"))
        sex = summary.sex or file.sex
        self.reason = QComboBox()
        self.reason.addItem(_("Choose why…"), None)
        for code, label in CLOSURE_REASON.choices(sex=sex):
            self.reason.addItem(label, code)
        self.reason_text = QLineEdit()
        self.reason_text.setMaxLength(500)
        self.closed_on = DateField("closed_on")
        self.closed_on.setMaximumWidth(DATE_WIDTH)
        today = self.closed_on.peek()
        if today is not None:
            self.closed_on.setMaximumDate(QDate(today.year, today.month, today.day))
        self.row(_("&Reason:"), self.reason, "reason")
        self.row(_("&In writing:"), self.reason_text, "reason_text")
        self.row(_("Closed &on:"), self.closed_on, "closed_on")
        self.reason.currentIndexChanged.connect(self._reason_chosen)
        self._reason_chosen()
        self.finish()

    def _reason_chosen(self, _index: int = 0) -> None:
        if self.reason.currentData() == "other":
            self.reason_text.setPlaceholderText(_("Required: why the case is closed (at least {n} characters)")
                                                .format(n=REASON_MIN))
        else:
            self.reason_text.setPlaceholderText(_("Optional: what else to know"))

    def work(self) -> Callable[[], Change]:
        reason = self.reason.currentData()
        if reason is None:
            raise ValidationError(_("Choose why the case is closed."), field="reason")
        who, rid, text, on = self.who, self.file.resident_id, self.reason_text.text(), self.closed_on.value()
        return lambda: cases.close_case(who, rid, reason, text, on)


class ReopenCaseForm(CorrectionForm):
    """Reopen a closed case, with a written reason (the closure stays in the history)."""

    def __init__(self, who: SignedIn, file: ResidentFile, parent: QWidget | None = None) -> None:
        super().__init__(who, file, _("Reopen the case"), parent)
        self.save_button.setText(_("&Reopen the case"))
        self.reason = QLineEdit()
        self.reason.setMaxLength(500)
        self.reason.setPlaceholderText(_("e.g. came back to the shelter; new proceedings opened"))
        self.row(_("Why it is &reopened:"), self.reason, "reopen_reason")
        self.finish()

    def work(self) -> Callable[[], Change]:
        who, rid, reason = self.who, self.file.resident_id, self.reason.text()
        return lambda: cases.reopen_case(who, rid, reason)


register_tab(FileTab("case", N_("Case"), CaseTab, Permission.VIEW_CARE_PLAN), after="identity")
