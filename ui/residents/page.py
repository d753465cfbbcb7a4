"""The Residents section: search as you type, filters, and opening the
resident's file (ui/residents/file.py). Opening a file is audited.

The list holds every person the search finds, as ids in the order chosen
(sorted in SQL, so a click on a header sorts them all, not a page), and reads
the rows a page at a time as they come into view."""

from __future__ import annotations

from collections.abc import Collection

from shelter.domain.vocabulary import RESIDENCE_STATUS, RISK_LEVEL
from shelter.errors import ShelterError
from shelter.i18n import N_, _, ngettext
from shelter.security.permissions import Permission
from shelter.services import residents
from shelter.services.residents import ResidentRow
from shelter.store import SignedIn
from ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QModelIndex,
    QPersistentModelIndex,
    QPushButton,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    changes,
)
from ui.residents.file import DischargeDialog, ResidentFileDialog

__all__ = ["DischargeDialog", "ResidentFileDialog", "ResidentsModel", "ResidentsPage"]

PAGE = 100  # rows read at a time, as they come into view
# Search as you type waits for a pause in the typing: every search is an
# audit entry (a write transaction), not one per key pressed.
SEARCH_DELAY_MS = 250
_Index = QModelIndex | QPersistentModelIndex


class ResidentsModel(QAbstractTableModel):
    """The people a search found: their ids, in the order asked (sorted in
    SQL by ``sort``), and the rows read so far, a page of PAGE at a time when
    the view first asks for one of them. Each search and each page read is
    audited by the service; a row is read once per search."""

    HEADERS = (N_("Case number"), N_("Name"), N_("Nationality"), N_("Risk"), N_("Shelter name"), N_("Bed"))
    SORT_KEYS = ("case_number", "name", "nationality", "risk", "shelter", "bed")  # one per column
    REGISTERED = -1  # no column: the people registered last first

    failed = Signal(str)  # a page of rows could not be read: what to tell the person

    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._who = who
        self._search: tuple[str, str, str | None] | None = None  # query, status, risk; None before the first
        self._column = self.REGISTERED
        self._descending = True
        self._ids: list[int] = []
        self._rows: dict[int, ResidentRow | None] = {}  # by resident id; None: no longer on record
        self._unreadable: set[int] = set()  # pages that failed: not asked again until the next search
        self.pages_read = 0  # how many pages this model has read (for tests and benchmarks)

    # -- what the page asks ------------------------------------------------

    def load(self, query: str, status: str, risk_level: str | None) -> int:
        """Run a new search (in the current order) and show what it found;
        raises the service's ShelterError, leaving the list as it was."""
        search = (query, status, risk_level)
        ids = self._find(search, self._column, self._descending)
        self.beginResetModel()
        self._search = search
        self._ids = ids
        self._rows.clear()
        self._unreadable.clear()
        self.endResetModel()
        return len(ids)

    def update(self, changed: Collection[int] | None) -> bool:
        """Search again after a write changed these residents (``None``:
        everyone, e.g. a room renamed). Rows of the others are kept. Returns
        True when the list was reset (people came or went), False when the
        same people are shown (in place, or moved as a layout change that
        keeps the selection)."""
        if self._search is None:
            return False
        ids = self._find(self._search, self._column, self._descending)
        stale = list(self._rows) if changed is None else [rid for rid in changed if rid in self._rows]
        for rid in stale:
            del self._rows[rid]
        self._unreadable.clear()
        if ids == self._ids:  # the same people in the same order: only their rows are read again, when seen
            last = len(self.HEADERS) - 1
            if changed is None:
                if ids:
                    self.dataChanged.emit(self.index(0, 0), self.index(len(ids) - 1, last))
            else:
                for row in sorted(r for r in map(self.row_of, stale) if r is not None):
                    self.dataChanged.emit(self.index(row, 0), self.index(row, last))
            return False
        return self._replace(ids)

    def resident_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, resident_id: int) -> int | None:
        try:
            return self._ids.index(resident_id)
        except ValueError:
            return None

    def row(self, row: int) -> ResidentRow | None:
        """The row's resident, reading its page if it was not read yet."""
        rid = self._ids[row]
        if rid not in self._rows and row // PAGE not in self._unreadable:
            self._read_page(row // PAGE)
        return self._rows.get(rid)

    # -- Qt ----------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole):  # noqa: N802, ANN201
        if orientation == Qt.Horizontal and role == Qt.DisplayRole and 0 <= section < len(self.HEADERS):
            return _(self.HEADERS[section])
        return None

    def data(self, index: _Index, role: int = Qt.DisplayRole):  # noqa: ANN201
        if not index.isValid() or role != Qt.DisplayRole or not 0 <= index.row() < len(self._ids):
            return None
        r = self.row(index.row())
        if r is None:
            return None
        return (r.case_number, r.name, r.nationality, RISK_LEVEL.label(r.risk_level),
                r.shelter_name if r.in_residence else _("(left)"), r.bed)[index.column()]

    def sort(self, column: int, order: Qt.SortOrder = Qt.AscendingOrder) -> None:
        """A click on a header: the same search again, sorted in SQL by that
        column (no column: the people registered last first). The selection
        follows the people it holds."""
        if not 0 <= column < len(self.SORT_KEYS):
            column, descending = self.REGISTERED, True
        else:
            descending = order == Qt.DescendingOrder
        if (column, descending) == (self._column, self._descending):
            return
        if self._search is None:  # nothing searched yet: the first search uses it
            self._column, self._descending = column, descending
            return
        try:
            ids = self._find(self._search, column, descending)
        except ShelterError as exc:
            self.failed.emit(exc.message)
            return
        self._column, self._descending = column, descending
        self._replace(ids)

    # -- inside ------------------------------------------------------------

    def _find(self, search: tuple[str, str, str | None], column: int, descending: bool) -> list[int]:
        query, status, risk_level = search
        key = "registered" if column == self.REGISTERED else self.SORT_KEYS[column]
        return residents.find_residents(self._who, query, status=status, risk_level=risk_level, sort=key,
                                        descending=descending)

    def _replace(self, ids: list[int]) -> bool:
        """Show ``ids``: the same people in another order move (a layout
        change: selection and current row follow them); others reset."""
        if ids == self._ids:
            return False
        kept = set(ids)
        if len(ids) != len(self._ids) or kept != set(self._ids):
            self.beginResetModel()
            self._ids = ids
            self._rows = {rid: r for rid, r in self._rows.items() if rid in kept}
            self._unreadable.clear()
            self.endResetModel()
            return True
        self.layoutAboutToBeChanged.emit()
        where = {rid: row for row, rid in enumerate(ids)}
        before = self.persistentIndexList()
        after = [self.index(where[self._ids[i.row()]], i.column()) for i in before]
        self._ids = ids
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()
        return False

    def _read_page(self, page: int) -> None:
        ids = self._ids[page * PAGE:(page + 1) * PAGE]
        try:
            found = {r.resident_id: r for r in residents.resident_rows(self._who, ids)}
        except ShelterError as exc:
            self._unreadable.add(page)
            self.failed.emit(exc.message)
            return
        self.pages_read += 1
        for rid in ids:
            self._rows[rid] = found.get(rid)


class ResidentsPage(QWidget):
    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        title = QLabel(_("Residents"))
        title.setObjectName("title")
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Name in any script, or case number"))
        self.search.setAccessibleName(_("Search residents"))
        self.search.setClearButtonEnabled(True)
        self.status = QComboBox()
        self.status.setAccessibleName(_("Residence"))
        for code, label in RESIDENCE_STATUS.choices():
            self.status.addItem(label, code)
        self.status.addItem(_("All"), "all")
        self.risk = QComboBox()
        self.risk.setAccessibleName(_("Risk"))
        self.risk.addItem(_("Any risk"), None)
        for code, label in RISK_LEVEL.choices():
            self.risk.addItem(label, code)
        self.open_button = QPushButton(_("&Open file"))
        self.open_button.setEnabled(False)
        self.count = QLabel()
        self.count.setObjectName("muted")

        self.model = ResidentsModel(who, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        # No column sorted at first: the people registered last come first; a
        # third click on a header goes back to that order.
        header.setSortIndicator(ResidentsModel.REGISTERED, Qt.DescendingOrder)
        header.setSortIndicatorClearable(True)
        self.table.setSortingEnabled(True)
        self.table.setAccessibleName(_("Residents"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        # Widths from the rows in view (not from every row: each page read is a
        # query and an audit entry), once per search.
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setResizeContentsPrecision(PAGE // 2)
        header.setStretchLastSection(True)

        search_label = QLabel(_("&Search:"))
        search_label.setBuddy(self.search)
        top = QHBoxLayout()
        top.addWidget(search_label)
        top.addWidget(self.search, 1)
        top.addWidget(self.status)
        top.addWidget(self.risk)
        top.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(title)
        layout.addLayout(top)
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.status.currentIndexChanged.connect(self.refresh)
        self.risk.currentIndexChanged.connect(self.refresh)
        # Enter and a double click both "activate" a row: one connection, one file.
        self.table.activated.connect(lambda _i: self.open_selected())
        self.table.selectionModel().selectionChanged.connect(
            lambda *_a: self.open_button.setEnabled(self.selected_id() is not None))
        self.open_button.clicked.connect(self.open_selected)
        self.model.modelReset.connect(self._show_count)
        header.sortIndicatorChanged.connect(lambda *_a: self._follow_selection())  # after the view's own sort
        self.model.failed.connect(self.count.setText)
        changes.changed.connect(self._changed)
        self.refresh()

    def set_query(self, text: str) -> None:
        """From the global search (Ctrl+K): everyone, in residence or not."""
        self.status.blockSignals(True)
        self.status.setCurrentIndex(self.status.findData("all"))
        self.status.blockSignals(False)
        self.search.setText(text)
        self.refresh()  # at once, and once: not again when the typing delay ends

    def refresh(self) -> None:
        """Run the search as it stands now, from the top of the list."""
        self._timer.stop()  # a search about to start makes the one pending redundant
        try:
            self.model.load(self.search.text(), self.status.currentData(), self.risk.currentData())
        except ShelterError as exc:
            self.count.setText(exc.message)
            return
        self.table.scrollToTop()
        self.table.resizeColumnsToContents()

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.resident_id(rows[0].row()) if rows else None

    def selected(self) -> ResidentRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def open_selected(self) -> None:
        resident_id = self.selected_id()
        if resident_id is None or not self.who.actor.has(Permission.VIEW_RESIDENT):
            return
        shown = getattr(self, "dialog", None)
        if shown is not None and shown.isVisible() and shown.file.resident_id == resident_id:
            shown.raise_()  # her file is open already: brought forward, not opened twice
            shown.activateWindow()
            return
        try:
            file = residents.open_resident(self.who, resident_id)
        except ShelterError as exc:
            QMessageBox.warning(self, _("Residents"), exc.message)
            return
        # A discharge from the file is announced to every screen (``changes``):
        # the list refreshes from that notice.
        self.dialog = ResidentFileDialog(file, self, self.who)
        self.dialog.open()

    def _show_count(self) -> None:
        n = self.model.rowCount()
        self.count.setText(ngettext("{n} person", "{n} people", n).format(n=n))

    def _follow_selection(self) -> None:
        """After a sort the selected person is kept, and scrolled to."""
        current = self.table.selectionModel().selectedRows()
        if current:
            self.table.scrollTo(current[0])

    def _changed(self, change: object) -> None:
        """A write (here or on another screen) changed these residents, or the
        places (a room renamed): search again, keeping the selected person and
        the scroll position where the list allows."""
        named = getattr(change, "residents", frozenset())
        places = getattr(change, "places", False)
        if not named and not places:
            return
        selected = self.selected_id()
        top = self.table.verticalScrollBar().value()  # the row at the top (the view scrolls per row)
        top_id = self.model.resident_id(top) if top < self.model.rowCount() else None
        try:
            reset = self.model.update(None if places else named)
        except ShelterError as exc:
            self.count.setText(exc.message)
            return
        if not reset:
            return
        self.table.doItemsLayout()  # the scroll range of the new list, now
        row = self.model.row_of(selected) if selected is not None else None
        if row is not None:
            self.table.selectRow(row)
        # The person who was at the top stays there (people came or went above).
        kept = self.model.row_of(top_id) if top_id is not None else None
        self.table.verticalScrollBar().setValue(top if kept is None else kept)
