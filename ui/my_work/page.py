"""The My work section: what is overdue, due today or due within 7 days —
assessments, reassessments, plan reviews, actions and, for a coordinator,
plans waiting for approval — sorted as ``shelter.services.my_work`` sorts it
(the resident's risk level first, then the due date).

A coordinator sees everyone's work by default and may narrow it to her own;
a social worker (or a counsellor) sees her own. Enter or a double click on a
row opens the resident's file on the tab where the work is done.

The list is read off the GUI thread (``LatestRead``) when the section is shown
and when a write names residents (``ui.qt.changes``); a read asked for while
one runs is made once that one returns."""

from __future__ import annotations

from dataclasses import dataclass

from shelter.domain.people import display_name
from shelter.domain.vocabulary import DUE_STATE, MILESTONE, RISK_LEVEL, WORK_KIND
from shelter.errors import ShelterError
from shelter.i18n import N_, _, isolate, ngettext
from shelter.security.permissions import Permission
from shelter.services import my_work, residents, settings, shelters
from shelter.services.my_work import REINTEGRATION_KINDS, WorkItem
from shelter.store import SignedIn
from ui.qt import (
    LatestRead,
    QAbstractItemView,
    QButtonGroup,
    QColor,
    QComboBox,
    QFont,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QModelIndex,
    QPersistentModelIndex,
    QPushButton,
    QRadioButton,
    QShowEvent,
    Qt,
    QTableView,
    QWidget,
    changes,
    error_text,
)
from ui.widgets import heading, page_layout, paragraph
from ui.widgets.views import DueListModel

ERROR_COLOUR = QColor("#a4262c")  # the stylesheet's error colour
ASSESSMENT_KINDS = frozenset({"assessment", "reassessment", "discharge_assessment"})
STATES = ("overdue", "today", "soon")  # what the list holds; "all" shows them all
_Index = QModelIndex | QPersistentModelIndex


def file_tab(kind: str) -> str:
    """The tab of the resident's file where work of this kind is done."""
    if kind in REINTEGRATION_KINDS:
        return "reintegration"
    return "assessment" if kind in ASSESSMENT_KINDS else "care_plan"


def what_text(item: WorkItem) -> str:
    kind = WORK_KIND.label(item.kind, sex=item.sex)
    if item.kind == "milestone":
        what = MILESTONE.label(item.what_code) if item.what_code and not item.what else item.what
        return _("{kind}: {what}").format(kind=kind, what=isolate(what))
    if item.kind == "follow_up":
        return ngettext("Follow-up {n} month after the discharge", "Follow-up {n} months after the discharge",
                        item.months).format(n=item.months)
    if item.kind in ("action", "referral") and item.what:
        return _("{kind}: {what}").format(kind=kind, what=isolate(item.what))
    return kind


@dataclass(frozen=True)
class Loaded:
    """What one read brought: the items, how names are shown, and whether
    the network has several shelters (the shelter column is shown then)."""

    items: list[WorkItem]
    name_form: str
    several_shelters: bool


class WorkModel(DueListModel):
    """The items read, in the service's order, narrowed to one due state."""

    HEADERS = (N_("Risk"), N_("Resident"), N_("What"), N_("Due on"), N_("State"), N_("Shelter name"))
    RISK, RESIDENT, WHAT, DUE, STATE, SHELTER = range(6)

    def text(self, item: WorkItem, column: int) -> str:
        if column == self.RISK:
            return RISK_LEVEL.label(item.risk_level, sex=item.sex)
        if column == self.RESIDENT:
            return _("{name} ({case_number})").format(name=isolate(display_name(item, self.name_form)),
                                                      case_number=isolate(item.case_number))
        if column == self.WHAT:
            return what_text(item)
        if column == self.DUE:
            return item.due_on.isoformat()
        if column == self.STATE:
            return DUE_STATE.label(item.state, sex=item.sex)
        return item.shelter

    def data(self, index: _Index, role: int = Qt.DisplayRole):  # noqa: ANN201
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        item = self._shown[index.row()]
        column = index.column()
        if role in (Qt.DisplayRole, Qt.ToolTipRole, Qt.AccessibleTextRole):
            return self.text(item, column)
        if role == Qt.FontRole and ((column == self.RISK and item.risk_level == "high")
                                    or (column == self.STATE and item.state == "overdue")):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ForegroundRole and column == self.STATE and item.state == "overdue":
            return ERROR_COLOUR
        return None


class MyWorkPage(QWidget):
    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.coordinator = who.actor.has(Permission.APPROVE_CARE_PLAN)
        self.read = LatestRead(self, self.refresh)
        self.loads = 0  # reads finished (for tests)
        self.dialog = None

        self.title = heading("", 1, self)
        self.mine = QRadioButton(self)
        self.everyone = QRadioButton(self)
        self.whose = QButtonGroup(self)
        self.whose.addButton(self.mine)
        self.whose.addButton(self.everyone)
        (self.everyone if self.coordinator else self.mine).setChecked(True)
        for button in (self.mine, self.everyone):
            button.setVisible(self.coordinator)  # the others see their own work only
        self.state_label = QLabel(self)
        self.state = QComboBox(self)
        self.state_label.setBuddy(self.state)
        self.open_button = QPushButton(self)
        self.open_button.setEnabled(False)
        self.count = paragraph(self, "muted")
        self.empty = paragraph(self, "notice")
        self.empty.hide()

        self.model = WorkModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list, arrows move in it
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.ElideMiddle)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        for column in (WorkModel.RISK, WorkModel.DUE, WorkModel.STATE):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(WorkModel.WHAT, QHeaderView.Stretch)
        header.resizeSection(WorkModel.RESIDENT, 300)
        header.resizeSection(WorkModel.SHELTER, 200)
        header.setStretchLastSection(False)

        top = QHBoxLayout()
        top.addWidget(self.mine)
        top.addWidget(self.everyone)
        top.addSpacing(16)
        top.addWidget(self.state_label)
        top.addWidget(self.state)
        top.addStretch(1)
        top.addWidget(self.open_button)
        layout = page_layout(self)
        layout.addWidget(self.title)
        layout.addLayout(top)
        layout.addWidget(self.count)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addStretch(0)  # takes the room the list leaves when there is nothing to list

        self.whose.buttonToggled.connect(lambda _b, checked: checked and self.refresh())
        self.state.currentIndexChanged.connect(self._state_chosen)
        # Enter and a double click both "activate" a row: one connection, one file.
        self.table.activated.connect(self._activated)
        self.table.selectionModel().selectionChanged.connect(
            lambda *_a: self.open_button.setEnabled(self.selected() is not None))
        self.open_button.clicked.connect(self.open_selected)
        changes.changed.connect(self._changed)
        self.retranslate()

    # -- texts ------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(_("My work"))
        self.mine.setText(_("&Mine"))
        self.everyone.setText(_("&Everyone"))
        self.mine.setToolTip(_("The cases you hold, the actions given to you and the plans waiting for you"))
        self.everyone.setToolTip(_("What is due in every case of the shelters"))
        self.state_label.setText(_("&Show:"))
        chosen = self.state.currentData() or "all"
        self.state.blockSignals(True)
        self.state.clear()
        self.state.addItem(_("Everything due"), "all")
        for code in STATES:
            self.state.addItem(DUE_STATE.label(code), code)
        self.state.setCurrentIndex(max(0, self.state.findData(chosen)))
        self.state.blockSignals(False)
        self.state.setAccessibleName(_("Due"))
        self.open_button.setText(_("&Open file"))
        self.table.setAccessibleName(_("My work"))
        self.empty.setText(_("Nothing is due in the next 7 days."))
        self.model.retranslate()
        self._show_count()

    # -- reading ----------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802  (Qt name)
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        """Read the list again off the GUI thread; once more after the read
        in flight when one is running."""
        if self.who.locked:
            return
        who, everyone = self.who, self.coordinator and self.everyone.isChecked()

        def work() -> Loaded:
            items = my_work.my_work(who, everyone=everyone)
            form = settings.get_settings(who).resident_name_form
            several = sum(1 for s in shelters.list_shelters(who) if s.active) > 1
            return Loaded(items, form, several)

        self.read.start(work, self._loaded, self._failed)

    def _loaded(self, loaded: Loaded) -> None:
        self.loads += 1
        chosen = self.selected()
        self.model.set_items(loaded.items, loaded.name_form)
        self.table.setColumnHidden(WorkModel.SHELTER, not loaded.several_shelters)
        self._reselect(chosen)
        self._show_count()

    def _reselect(self, chosen: WorkItem | None) -> None:
        """The item selected before the list changed stays selected while it
        is still listed."""
        if chosen is None:
            return
        for row in range(self.model.rowCount()):
            item = self.model.item(row)
            if (item.kind, item.record_id) == (chosen.kind, chosen.record_id):
                self.table.selectRow(row)
                return

    def _failed(self, exc: BaseException) -> None:
        self.count.setText(error_text(exc))

    def _changed(self, change: object) -> None:
        """A write named residents (an admission, an assessment, a plan
        changed, a case given to someone): read again if the list is shown;
        a hidden page reads when it is shown again."""
        if getattr(change, "residents", None) and self.isVisible():
            self.refresh()

    def show_state(self, state: str) -> None:
        """Narrow the list to one due state ("all" for everything)."""
        self.state.setCurrentIndex(max(0, self.state.findData(state)))

    def _state_chosen(self) -> None:
        chosen = self.selected()
        self.model.set_state(self.state.currentData() or "all")
        self._reselect(chosen)
        self._show_count()

    def _show_count(self) -> None:
        items = self.model.items
        n = len(items)
        overdue = sum(i.state == "overdue" for i in items)
        today = sum(i.state == "today" for i in items)
        soon = sum(i.state == "soon" for i in items)
        text = _("{items}: {overdue}, {today}, {soon}").format(
            items=ngettext("{n} item", "{n} items", n).format(n=n),
            overdue=ngettext("{n} overdue", "{n} overdue", overdue).format(n=overdue),
            today=ngettext("{n} due today", "{n} due today", today).format(n=today),
            soon=ngettext("{n} within 7 days", "{n} within 7 days", soon).format(n=soon))
        shown = self.model.rowCount()
        if shown != n:
            text = _("{counts} — {shown}").format(
                counts=text, shown=ngettext("{n} shown", "{n} shown", shown).format(n=shown))
        self.count.setText(text)
        nothing = n == 0 and self.loads > 0
        self.empty.setVisible(nothing)
        self.count.setVisible(not nothing)
        self.table.setVisible(not nothing)
        self.open_button.setEnabled(self.selected() is not None)

    # -- opening the file ---------------------------------------------------------

    def selected(self) -> WorkItem | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.item(rows[0].row()) if rows else None

    def _activated(self, index: QModelIndex) -> None:
        """Enter or a double click on a row: that row's file (the keyboard's
        current row may not be selected yet)."""
        if index.isValid():
            self.table.selectRow(index.row())
        self.open_selected()

    def open_selected(self) -> None:
        """The resident's file (an audited view), on the tab where this work
        is done: the assessment, or the care plan."""
        from ui.residents.file import ResidentFileDialog

        item = self.selected()
        if item is None or not self.who.actor.has(Permission.VIEW_RESIDENT):
            return
        tab = file_tab(item.kind)
        shown = self.dialog
        if shown is not None and shown.isVisible() and shown.file.resident_id == item.resident_id:
            shown.show_tab(tab)  # her file is open already: brought forward, not opened twice
            shown.raise_()
            shown.activateWindow()
            return
        try:
            file = residents.open_resident(self.who, item.resident_id)
        except ShelterError as exc:
            QMessageBox.warning(self, _("My work"), exc.message)
            return
        self.dialog = ResidentFileDialog(file, self, self.who)
        self.dialog.show_tab(tab)
        self.dialog.open()
