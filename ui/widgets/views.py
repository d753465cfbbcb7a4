"""Item views whose Enter opens the current row (``activated``) and goes no
further. Passed on, a QDialog around the view (the resident's file) would
press the default button of the form the row just opened, saving it
unchanged in the same keystroke."""

from __future__ import annotations

from ui.qt import QItemSelectionModel, QKeyEvent, Qt, QTableView, QTableWidget, QTreeView


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
