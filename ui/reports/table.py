"""One table of a report as a read-only Qt model: the row labels in the
first column, then one column per code of the table's columns, totals last
(in bold). Cells read as the printed copy does: "<5" for a small count and
"x" for one hidden to protect it, when the report is released.

For a report that shows the true counts (a coordinator's screen), the cells
that the printed and exported copies will hide are shaded and say so in
their tooltip, so nobody is surprised by the paper."""

from __future__ import annotations

from shelter.domain.disclosure import SMALL, TOTAL
from shelter.domain.report_model import Table
from shelter.i18n import _, is_rtl, isolate, translator
from shelter.i18n import current_language as _lang
from ui.qt import QAbstractTableModel, QBrush, QColor, QFont, QModelIndex, QObject, QPersistentModelIndex, Qt

_Index = QModelIndex | QPersistentModelIndex

def number(text: str) -> str:
    """A value as printed ("<5", "8.6 %", "0–4"), kept left to right in an
    Arabic line (else "<5" reads "5>" and 0–4 reads 4–0)."""
    return f"\u2066{text}\u2069" if text and is_rtl(_lang()) else text


def label(text: str) -> str:
    """A label in its own direction inside an Arabic line (a country code, an age band)."""
    return isolate(text) if is_rtl(_lang()) else text


SHADE = "#ffeebb"  # a true count that paper hides: the colour of the banner that says so
TOTAL_SHADE = "#f5f8f9"


class ReportTableModel(QAbstractTableModel):
    """``table`` as shown; ``released`` (the same table as it leaves the
    machine) marks the cells paper hides when ``table`` holds true counts."""

    def __init__(self, table: Table, released: Table | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.table = table
        self.released = released if released is not None and released is not table else None
        self.rows = table.row_codes
        self.cols = table.col_codes

    # -- reading --------------------------------------------------------------------

    def hidden_on_paper(self, row: str, col: str) -> str | None:
        """SMALL or HIDDEN when the printed copy hides this cell, else None."""
        source = self.released if self.released is not None else self.table
        return source.hidden.get((row, col))

    def text(self, row: int, column: int) -> str:
        tr = translator(_lang())
        code = self.rows[row]
        if column == 0:
            return label(self.table.rows.label(code, tr))
        return number(self.table.text(code, self.cols[column - 1], tr))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.cols) + 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole):  # noqa: N802, ANN201
        if orientation != Qt.Horizontal or not 0 <= section < len(self.cols) + 1:
            return None
        tr = translator(_lang())
        if role in (Qt.DisplayRole, Qt.ToolTipRole):
            if section == 0:
                return tr.gettext(self.table.rows.title)
            return label(self.table.cols.label(self.cols[section - 1], tr))
        if role == Qt.TextAlignmentRole:
            return int((Qt.AlignLeading if section == 0 else Qt.AlignTrailing) | Qt.AlignVCenter)
        return None

    def data(self, index: _Index, role: int = Qt.DisplayRole):  # noqa: ANN201
        if not index.isValid() or not (0 <= index.row() < len(self.rows)) or not (
                0 <= index.column() <= len(self.cols)):
            return None
        row, column = index.row(), index.column()
        code = self.rows[row]
        col = self.cols[column - 1] if column else None
        total = code == TOTAL or col == TOTAL
        if role in (Qt.DisplayRole, Qt.AccessibleTextRole):
            return self.text(row, column)
        if role == Qt.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.TextAlignmentRole:
            return int((Qt.AlignLeading if column == 0 else Qt.AlignTrailing) | Qt.AlignVCenter)
        if role == Qt.FontRole and total:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.BackgroundRole:
            if col is not None and self.released is not None and self.hidden_on_paper(code, col):
                return QBrush(QColor(SHADE))
            if total:
                return QBrush(QColor(TOTAL_SHADE))
        return None

    def _tooltip(self, row: int, column: int) -> str:
        text = self.text(row, column)
        if column == 0:
            return text
        code, col = self.rows[row], self.cols[column - 1]
        heading = f"{self.text(row, 0)} · {self.headerData(column, Qt.Horizontal)}: {text}"
        why = self.hidden_on_paper(code, col)
        threshold = (self.released or self.table).threshold
        if why is None:
            return heading
        if self.released is not None:  # the true count on screen, hidden on paper
            reason = (_("Printed and exported copies show “{mark}” here.") if why == SMALL
                      else _("Printed and exported copies show “x” here, so that a small count cannot be "
                             "worked out from the totals.")).format(mark=number(f"<{threshold}"))
        else:
            reason = (_("Fewer than {n}: not shown, so that nobody can be singled out.") if why == SMALL
                      else _("Hidden so that a small count cannot be worked out from the totals.")).format(
                n=threshold)
        return f"{heading}\n{reason}"

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.NoItemFlags
        return Qt.ItemIsEnabled | Qt.ItemIsSelectable
