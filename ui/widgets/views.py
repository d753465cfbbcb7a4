"""Item views whose Enter opens the current row (``activated``) and goes no
further. Passed on, a QDialog around the view (the resident's file) would
press the default button of the form the row just opened, saving it
unchanged in the same keystroke."""

from __future__ import annotations

from typing import Any

from shelter.i18n import _
from ui.qt import (
    QAbstractTableModel,
    QItemSelectionModel,
    QKeyEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTableView,
    QTableWidget,
    QTreeView,
)


def _enter_activates(view: QTableWidget | QTreeView, event: QKeyEvent) -> bool:
    if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & ~Qt.KeypadModifier:
        if view.currentIndex().isValid():
            view.activated.emit(view.currentIndex())
        event.accept()
        return True
    return False


class RowTable(QTableWidget):
    """A table whose Enter opens the current row, and only that."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802  (Qt name)
        if not _enter_activates(self, event):
            super().keyPressEvent(event)


class RowTree(QTreeView):
    """A tree whose Enter opens the current item, and only that."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802  (Qt name)
        if not _enter_activates(self, event):
            super().keyPressEvent(event)


def select_row(table: QTableView, row: int) -> None:
    """Select a whole row with the keyboard's cursor on it (QTableView's own
    selectRow finds no column in a right-to-left table not laid out yet)."""
    index = table.model().index(row, 0)
    if index.isValid():
        table.selectionModel().setCurrentIndex(index, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
        table.scrollTo(index)


_Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel):
    """A flat table of rows (``_shown``) under translated ``HEADERS``
    (marked with N_): what every list of the screens shares. A subclass
    gives ``data``."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._shown: list[Any] = []

    def _reset(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self._shown = list(rows)
        self.endResetModel()

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Horizontal, 0, len(self.HEADERS) - 1)
        if self._shown:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._shown) - 1, len(self.HEADERS) - 1))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole):  # noqa: N802, ANN201
        if orientation == Qt.Horizontal and role == Qt.DisplayRole and 0 <= section < len(self.HEADERS):
            return _(self.HEADERS[section])
        return None


class DueListModel(RowsModel):
    """A table of due items as a service sorted them, narrowed on screen to
    one state ("all" shows every one): My work's and the reintegration
    board's. A subclass names its ``HEADERS``, gives ``data`` and, when its
    items are not filtered by ``item.state``, ``state_of``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.items: list[Any] = []  # everything read, whatever the state filter
        self._state = "all"
        self.name_form = "full"

    def state_of(self, item: Any) -> str:
        return item.state

    def set_items(self, items: list[Any], name_form: str) -> None:
        self.items = list(items)
        self.name_form = name_form
        self._reset(self._narrowed())

    def set_state(self, state: str) -> None:
        if state == self._state:
            return
        self._state = state
        self._reset(self._narrowed())

    def item(self, row: int) -> Any:
        return self._shown[row]

    def _narrowed(self) -> list[Any]:
        if self._state == "all":
            return list(self.items)
        return [i for i in self.items if self.state_of(i) == self._state]
