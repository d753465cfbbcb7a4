"""The overdue board of the Reintegration section: across residents, the
reintegration plans to make, the milestones, the referrals to follow up and
the follow-ups after discharge that are overdue or due within 7 days, and
the cases that lost contact, in the order ``shelter.services.reintegration_board``
gives them (the resident's risk level first, then the due date).

The board is narrowed by shelter, pathway and who is responsible (anyone,
oneself, a staff member or a partner) in the service, and by due state on
the screen. Enter or a double click on a row opens the resident's file on
its reintegration tab.

The board is read off the GUI thread (``LatestRead``) when it is shown, when a
filter changes and when a write names residents (``ui.qt.changes``); a read
asked for while one runs is made once that one returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shelter.domain.dates import format_date
from shelter.domain.people import display_name
from shelter.domain.vocabulary import BOARD_KIND, DUE_STATE, MILESTONE, PATHWAY, RISK_LEVEL
from shelter.errors import ShelterError
from shelter.i18n import N_, _, isolate, ngettext
from shelter.security.permissions import Permission
from shelter.services import cases, partners, reintegration_board, residents, settings, shelters
from shelter.services.reintegration_board import BoardItem
from shelter.store import SignedIn
from ui.qt import (
    LatestRead,
    QAbstractItemView,
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
    QShowEvent,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    changes,
    error_text,
)
from ui.widgets import paragraph
from ui.widgets.views import DueListModel, select_row

ERROR_COLOUR = QColor("#a4262c")  # the stylesheet's error colour
LOST_COLOUR = QColor("#5b3f7a")  # a lost contact reads apart from what is merely overdue
LOST_GROUND = QColor("#f1ecf6")
FILE_TAB = "reintegration"  # the tab of the resident's file where this work is done
STATES = ("overdue", "today", "soon", "lost_contact")  # the state filter; "all" shows them all
ANYONE, ME, STAFF, PARTNER = "anyone", "me", "staff", "partner"
_Index = QModelIndex | QPersistentModelIndex


def state_of(item: BoardItem) -> str:
    """The state an item is filtered and counted by: a lost contact is its own."""
    return "lost_contact" if item.kind == "lost_contact" else item.state


def state_text(item: BoardItem) -> str:
    if item.kind == "lost_contact":
        return BOARD_KIND.label("lost_contact", sex=item.case.sex)
    return DUE_STATE.label(item.state, sex=item.case.sex)


def board_what_text(item: BoardItem) -> str:
    """What is due, in words: the kind and the milestone, the partner and the
    service, which follow-up, or since when contact was lost."""
    sex = item.case.sex
    if item.kind == "milestone":
        title = item.what or MILESTONE.label(item.milestone_code, sex=sex)
        return _("{kind}: {what}").format(kind=BOARD_KIND.label("milestone", sex=sex), what=isolate(title))
    if item.kind == "referral":
        return _("{kind}: {partner} — {service}").format(
            kind=BOARD_KIND.label("referral", sex=sex), partner=isolate(item.partner), service=isolate(item.what))
    if item.kind == "follow_up":
        return ngettext("{n}-month follow-up", "{n}-month follow-up", item.months).format(n=item.months)
    if item.kind == "lost_contact":
        return _("Lost contact since {date}").format(date=isolate(format_date(item.due_on)))
    return BOARD_KIND.label(item.kind, sex=sex)


def board_responsible_text(item: BoardItem) -> str:
    """The staff member responsible, else the partner a milestone is given to."""
    if item.responsible:
        return item.responsible
    if item.responsible_partner_id is not None and item.partner:
        return item.partner
    return _("Nobody yet")


@dataclass(frozen=True)
class Choice:
    key: str  # "staff:12" / "partner:3"
    name: str


@dataclass(frozen=True)
class BoardLoaded:
    """What one read brought: the items for the filters it was asked with,
    how names are shown, and the choices of the filters."""

    asked: tuple[int | None, str | None, str]
    items: list[BoardItem]
    name_form: str
    shelters: list[tuple[int, str]]
    staff: list[Choice]
    partners: list[Choice]


class DueBoardModel(DueListModel):
    """The items read, in the service's order, narrowed to one state."""

    HEADERS = (N_("State"), N_("Due on"), N_("Resident"), N_("Risk"), N_("What"), N_("Pathway"),
               N_("Responsible"), N_("Shelter name"))
    STATE, DUE, RESIDENT, RISK, WHAT, PATHWAY, RESPONSIBLE, SHELTER = range(8)

    def state_of(self, item: BoardItem) -> str:
        return state_of(item)

    def text(self, item: BoardItem, column: int) -> str:
        case = item.case
        if column == self.STATE:
            return state_text(item)
        if column == self.DUE:
            return format_date(item.due_on)
        if column == self.RESIDENT:
            return _("{name} ({case_number})").format(name=isolate(display_name(case, self.name_form)),
                                                      case_number=isolate(case.case_number))
        if column == self.RISK:
            return RISK_LEVEL.label(case.risk_level, sex=case.sex)
        if column == self.WHAT:
            return board_what_text(item)
        if column == self.PATHWAY:
            return PATHWAY.label(case.pathway, sex=case.sex) if case.pathway else _("No plan yet")
        if column == self.RESPONSIBLE:
            return board_responsible_text(item)
        return case.shelter

    def data(self, index: _Index, role: int = Qt.DisplayRole):  # noqa: ANN201
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        item = self._shown[index.row()]
        column = index.column()
        lost = item.kind == "lost_contact"
        if role in (Qt.DisplayRole, Qt.ToolTipRole, Qt.AccessibleTextRole):
            return self.text(item, column)
        if role == Qt.FontRole:
            bold = (column == self.RISK and item.case.risk_level == "high") or (
                column == self.STATE and item.state == "overdue")
            if bold or lost:
                font = QFont()
                font.setBold(bold)
                font.setItalic(lost)  # a lost contact reads apart: not only by its colour
                return font
            return None
        if role == Qt.ForegroundRole and column == self.STATE and item.state == "overdue":
            return LOST_COLOUR if lost else ERROR_COLOUR
        if role == Qt.BackgroundRole and lost:
            return LOST_GROUND
        return None


class ElideMiddle(QStyledItemDelegate):
    """A resident's cell keeps the start of the name and the case number
    when it is too long for its column; the other cells end with "…"."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: _Index) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        option.textElideMode = Qt.ElideMiddle


def _combo(parent: QWidget, width: int = 16) -> QComboBox:
    box = QComboBox(parent)
    box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(width)
    box.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
    return box


class DueBoardView(QWidget):
    """The board: its filters, the counts, the table and "Open file"."""

    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.me = who.actor.account_id
        self.today: date | None = None  # None: the real day (tests look at another)
        self.read = LatestRead(self, self.refresh)
        self._last: BoardLoaded | None = None
        self.loads = 0  # reads finished (for tests)
        self.dialog = None
        self.opened_tab = ""  # the tab the last file was opened on (for tests)

        self.shelter_label = QLabel(self)
        self.shelter = _combo(self, 14)
        self.shelter_label.setBuddy(self.shelter)
        self.pathway_label = QLabel(self)
        self.pathway = _combo(self, 18)
        self.pathway_label.setBuddy(self.pathway)
        self.responsible_label = QLabel(self)
        self.responsible = _combo(self, 16)
        self.responsible_label.setBuddy(self.responsible)
        self.state_label = QLabel(self)
        self.state = _combo(self, 14)
        self.state_label.setBuddy(self.state)
        for box in (self.shelter, self.pathway, self.responsible, self.state):
            box.setMaximumWidth(340)
        self.open_button = QPushButton(self)
        self.open_button.setEnabled(False)
        self.count = paragraph(self, "muted")
        self.empty = paragraph(self, "notice")
        self.empty.hide()

        self.model = DueBoardModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list, arrows move in it
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.ElideRight)
        self.resident_delegate = ElideMiddle(self.table)
        self.table.setItemDelegateForColumn(DueBoardModel.RESIDENT, self.resident_delegate)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        for column in (DueBoardModel.STATE, DueBoardModel.DUE, DueBoardModel.RISK):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(DueBoardModel.WHAT, QHeaderView.Stretch)
        # What is due reads whole; the pathway and who is responsible give way
        # first (their full text is the cell's tooltip).
        header.resizeSection(DueBoardModel.RESIDENT, 250)
        header.resizeSection(DueBoardModel.PATHWAY, 150)
        header.resizeSection(DueBoardModel.RESPONSIBLE, 120)
        header.resizeSection(DueBoardModel.SHELTER, 130)
        header.setStretchLastSection(False)

        filters = QHBoxLayout()
        for label, box in ((self.shelter_label, self.shelter), (self.pathway_label, self.pathway),
                           (self.responsible_label, self.responsible), (self.state_label, self.state)):
            filters.addWidget(label)
            filters.addWidget(box, 1)
            filters.addSpacing(8)
        counts = QHBoxLayout()
        counts.addWidget(self.count, 1)
        counts.addWidget(self.open_button, 0, Qt.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(filters)
        layout.addLayout(counts)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addStretch(0)  # takes the room the list leaves when there is nothing to list

        for box in (self.shelter, self.pathway, self.responsible):
            box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.state.currentIndexChanged.connect(self._state_chosen)
        # Enter and a double click both "activate" a row: one connection, one file.
        self.table.activated.connect(self._activated)
        self.table.selectionModel().selectionChanged.connect(
            lambda *_a: self.open_button.setEnabled(self.selected() is not None))
        self.open_button.clicked.connect(self.open_selected)
        changes.changed.connect(self._changed)
        self.retranslate()

    # -- texts ------------------------------------------------------------------

    def _fill_fixed_choices(self) -> None:
        """The choices that are words, not records (again in a new language)."""
        for box, first, choices in (
                (self.pathway, _("All pathways"), PATHWAY.choices()),
                (self.state, _("Everything due"), [(code, self._state_label(code)) for code in STATES])):
            chosen = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(first, None if box is self.pathway else "all")
            for code, label in choices:
                box.addItem(label, code)
            box.setCurrentIndex(max(0, box.findData(chosen)))
            box.blockSignals(False)
        self._fill_records(None)

    @staticmethod
    def _state_label(code: str) -> str:
        return BOARD_KIND.label("lost_contact") if code == "lost_contact" else DUE_STATE.label(code)

    def retranslate(self) -> None:
        self.shelter_label.setText(_("Shel&ter:"))
        self.pathway_label.setText(_("P&athway:"))
        self.responsible_label.setText(_("Res&ponsible:"))
        self.state_label.setText(_("&Show:"))
        self.shelter.setAccessibleName(_("Shelter name"))
        self.pathway.setAccessibleName(_("Pathway"))
        self.responsible.setAccessibleName(_("Who is responsible"))
        self.state.setAccessibleName(_("Show"))
        self._fill_fixed_choices()
        self.open_button.setText(_("&Open file"))
        self.open_button.setToolTip(_("Open the resident's file on its reintegration tab (Enter)"))
        self.table.setAccessibleName(_("Overdue board"))
        self.table.setAccessibleDescription(_(
            "Reintegration plans, milestones, referrals and follow-ups overdue or due within 7 days, "
            "highest risk first. Enter opens the resident's file."))
        self.empty.setText(_("Nothing is overdue or due in the next 7 days."))
        self.model.retranslate()
        self._show_count()

    # -- the filters' records ------------------------------------------------------

    def _fill_records(self, loaded: BoardLoaded | None) -> None:
        """The shelters, staff members and partners to filter by (from the
        last read when ``loaded`` is None), keeping what was chosen while it
        is still offered."""
        if loaded is not None:
            self._last = loaded
        last = self._last
        shelter_list = last.shelters if last else []
        chosen = self.shelter.currentData()
        self.shelter.blockSignals(True)
        self.shelter.clear()
        self.shelter.addItem(_("All shelters"), None)
        for shelter_id, name in shelter_list:
            self.shelter.addItem(name, shelter_id)
        self.shelter.setCurrentIndex(max(0, self.shelter.findData(chosen)))
        self.shelter.blockSignals(False)
        several = len(shelter_list) > 1 or self.shelter.currentIndex() > 0
        self.shelter_label.setVisible(several)
        self.shelter.setVisible(several)
        self.table.setColumnHidden(DueBoardModel.SHELTER, not several)

        records = [(c.key, c.name) for c in (last.staff if last else []) if c.key != f"{STAFF}:{self.me}"]
        records += [(c.key, _("{partner} (partner)").format(partner=c.name)) for c in (last.partners if last else [])]
        chosen = self.responsible.currentData()
        self.responsible.blockSignals(True)
        self.responsible.clear()
        self.responsible.addItem(_("Whoever is responsible"), ANYONE)
        self.responsible.addItem(_("Me"), ME)
        for key, name in records:
            self.responsible.addItem(name, key)
        self.responsible.setCurrentIndex(max(0, self.responsible.findData(chosen)))
        self.responsible.blockSignals(False)

    def asked(self) -> tuple[int | None, str | None, str]:
        """The filters the service narrows by: shelter, pathway, responsible."""
        return self.shelter.currentData(), self.pathway.currentData(), self.responsible.currentData() or ANYONE

    def choose(self, shelter_id: int | None = None, pathway: str | None = None, responsible: str = ANYONE) -> None:
        """Set the service's filters at once (one read), as a person would one by one."""
        for box, value in ((self.shelter, shelter_id), (self.pathway, pathway), (self.responsible, responsible)):
            box.blockSignals(True)
            box.setCurrentIndex(max(0, box.findData(value)))
            box.blockSignals(False)
        self.refresh()

    # -- reading ----------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802  (Qt name)
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        """Read the board again off the GUI thread; once more after the read
        in flight when one is running."""
        if self.who.locked:
            return
        who, today, asked, me = self.who, self.today, self.asked(), self.me

        def work() -> BoardLoaded:
            shelter_id, pathway, responsible = asked
            kind, _sep, key = responsible.partition(":")
            staff_id = me if kind == ME else int(key) if kind == STAFF else None
            partner_id = int(key) if kind == PARTNER else None
            items = reintegration_board.board(who, shelter_id, pathway, staff_id, partner_id, today=today)
            form = settings.get_settings(who).resident_name_form
            places = [(s.id, s.name) for s in shelters.list_shelters(who) if s.active]
            staff = ([Choice(f"{STAFF}:{c.account_id}", c.name) for c in cases.staff_choices(who)]
                     if who.actor.has(Permission.VIEW_CARE_PLAN) else [])
            known = [Choice(f"{PARTNER}:{p.partner_id}", p.name) for p in partners.partners(who)]
            return BoardLoaded(asked, items, form, places, staff, known)

        self.read.start(work, self._loaded, self._failed, lambda loaded: loaded.asked == self.asked())

    def _loaded(self, loaded: BoardLoaded) -> None:
        self.loads += 1
        chosen = self.selected()
        self._fill_records(loaded)
        self.model.set_items(loaded.items, loaded.name_form)
        self._reselect(chosen)
        self._show_count()

    def _reselect(self, chosen: BoardItem | None) -> None:
        """The item selected before the list changed stays selected while it
        is still listed."""
        if chosen is None:
            return
        for row in range(self.model.rowCount()):
            item = self.model.item(row)
            if (item.kind, item.record_id, item.months) == (chosen.kind, chosen.record_id, chosen.months):
                select_row(self.table, row)
                return

    def _failed(self, exc: BaseException) -> None:
        self.count.setText(error_text(exc))

    def _changed(self, change: object) -> None:
        """A write named residents (a milestone, a referral, a follow-up, an
        admission or a discharge): read again if the board is shown; a hidden
        board reads when it is shown again."""
        if getattr(change, "residents", None) and self.isVisible():
            self.refresh()

    def show_state(self, state: str) -> None:
        """Narrow the board to one state ("all", "overdue", "today", "soon", "lost_contact")."""
        self.state.setCurrentIndex(max(0, self.state.findData(state)))

    def _state_chosen(self) -> None:
        chosen = self.selected()
        self.model.set_state(self.state.currentData() or "all")
        self._reselect(chosen)
        self._show_count()

    def _show_count(self) -> None:
        items = self.model.items
        n = len(items)
        by_state = {code: sum(state_of(i) == code for i in items) for code in STATES}
        text = _("{items}: {overdue}, {today}, {soon}, {lost}").format(
            items=ngettext("{n} item", "{n} items", n).format(n=n),
            overdue=ngettext("{n} overdue", "{n} overdue", by_state["overdue"]).format(n=by_state["overdue"]),
            today=ngettext("{n} due today", "{n} due today", by_state["today"]).format(n=by_state["today"]),
            soon=ngettext("{n} within 7 days", "{n} within 7 days", by_state["soon"]).format(n=by_state["soon"]),
            lost=ngettext("{n} lost contact", "{n} lost contact", by_state["lost_contact"]).format(
                n=by_state["lost_contact"]))
        shown = self.model.rowCount()
        if shown != n:
            text = _("{counts} — {shown}").format(
                counts=text, shown=ngettext("{n} shown", "{n} shown", shown).format(n=shown))
        self.count.setText(text)
        self.count.setAccessibleName(text)
        nothing = n == 0 and self.loads > 0
        self.empty.setVisible(nothing)
        self.count.setVisible(not nothing)
        self.table.setVisible(not nothing)
        self.open_button.setVisible(not nothing)
        self.open_button.setEnabled(self.selected() is not None)

    # -- opening the file ---------------------------------------------------------

    def selected(self) -> BoardItem | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.item(rows[0].row()) if rows else None

    def _activated(self, index: QModelIndex) -> None:
        """Enter or a double click on a row: that row's file (the keyboard's
        current row may not be selected yet)."""
        if index.isValid():
            select_row(self.table, index.row())
        self.open_selected()

    def open_selected(self) -> None:
        """The resident's file (an audited view), on its reintegration tab."""
        from ui.residents.file import ResidentFileDialog

        item = self.selected()
        if item is None or not self.who.actor.has(Permission.VIEW_RESIDENT):
            return
        self.opened_tab = FILE_TAB
        shown = self.dialog
        if shown is not None and shown.isVisible() and shown.file.resident_id == item.resident_id:
            shown.show_tab(FILE_TAB)  # her file is open already: brought forward, not opened twice
            shown.raise_()
            shown.activateWindow()
            return
        try:
            file = residents.open_resident(self.who, item.resident_id)
        except ShelterError as exc:
            QMessageBox.warning(self, _("Reintegration"), exc.message)
            return
        self.dialog = ResidentFileDialog(file, self, self.who)
        self.dialog.show_tab(FILE_TAB)
        self.dialog.open()
