"""The bed board: every room a group of bed tiles (free, occupied, reserved,
out of service), filters, an occupancy summary, and moves by drag and drop
or by keyboard (select a resident's tile, then Move…, or Ctrl+M).

One view over a model with a painted delegate, not a widget per bed: a
network of 720 beds draws in one widget, and a change redraws only the
tiles it names (benchmarks/beds.py measures both)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from shelter.domain.changes import Admitted, Change
from shelter.domain.dates import format_date
from shelter.domain.vocabulary import BED_STATUS, ROOM_RESTRICTION
from shelter.errors import ShelterError
from shelter.i18n import _, direction_mark, isolate, list_text, ngettext
from shelter.security.permissions import Permission
from shelter.services import beds
from shelter.services.beds import BedChoice, BedTile, RoomBoard, ShelterBoard
from shelter.store import SignedIn
from ui.qt import (
    QAbstractItemView,
    QAbstractListModel,
    QColor,
    QComboBox,
    QDate,
    QDialog,
    QDialogButtonBox,
    QFont,
    QFontMetrics,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QMimeData,
    QModelIndex,
    QPainter,
    QPainterPath,
    QPen,
    QPersistentModelIndex,
    QPushButton,
    QRect,
    QRectF,
    QShortcut,
    QSize,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
    changes,
    error_text,
    run_change,
)
from ui.widgets.dates import DateField, local_datetime

MIME_STAY = "application/x-shelter-stay"


# Colours of a tile per status: background, border, accent (the leading
# edge), text. Kept with the stylesheet's palette (resources/style).
_COLOURS = {
    "free": ("#ffffff", "#c4cfd3", "#3f8f4f", "#1b2b2f"),
    "occupied": ("#dcecee", "#9fc3c7", "#9fc3c7", "#0f3438"),
    "reserved": ("#fff4d6", "#c9a13a", "#c9a13a", "#6b4500"),
    "out_of_service": ("#eceff0", "#c4cfd3", "#c4cfd3", "#6a7a80"),
}
TILE_SIZE = QSize(140, 66)
KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # "shelter", "room" or "bed"
TILE_ROLE = Qt.ItemDataRole.UserRole + 2  # the bed's BedTile

_Index = QModelIndex | QPersistentModelIndex


def tile_lines(tile: BedTile) -> list[str]:
    """What a tile says, line by line (also its accessible name)."""
    lines = [_("Bed {label}").format(label=tile.label), BED_STATUS.label(tile.status)]
    if tile.status == "occupied":
        lines = [_("Bed {label}").format(label=tile.label), tile.case_number, tile.name]
    elif tile.status == "out_of_service" and tile.reason:
        lines.append(tile.reason)
    return lines


@dataclass
class _Entry:
    kind: str  # "shelter", "room" or "bed"
    text: str
    tile: BedTile | None = None


class BoardModel(QAbstractListModel):
    """The board as one list: a heading per shelter and per room, then the
    room's beds. Occupied beds can be dragged, free beds take a drop; a drop
    asks the page to move (``move_requested``) and changes nothing itself."""

    move_requested = Signal(int, int)  # stay id, target bed id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries: list[_Entry] = []
        self._rows: dict[int, int] = {}  # bed id -> row

    def set_entries(self, entries: list[_Entry]) -> None:
        self.beginResetModel()
        self._entries = entries
        self._rows = {e.tile.bed_id: row for row, e in enumerate(entries) if e.tile is not None}
        self.endResetModel()

    def update_tiles(self, tiles: list[BedTile]) -> None:
        """Replace the tiles shown for these beds, redrawing only their rows."""
        for tile in tiles:
            row = self._rows.get(tile.bed_id)
            if row is not None:
                self._entries[row].tile = tile
                index = self.index(row)
                self.dataChanged.emit(index, index)

    def tiles(self) -> list[BedTile]:
        return [e.tile for e in self._entries if e.tile is not None]

    def index_of(self, bed_id: int) -> QModelIndex:
        row = self._rows.get(bed_id)
        return QModelIndex() if row is None else self.index(row)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid():
            return None
        entry = self._entries[index.row()]
        if role == KIND_ROLE:
            return entry.kind
        if role == TILE_ROLE:
            return entry.tile
        if entry.tile is None:
            return entry.text if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole) else None
        if role == Qt.ItemDataRole.DisplayRole:
            return "\n".join(tile_lines(entry.tile))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return list_text(tile_lines(entry.tile))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(entry.tile)
        return None

    @staticmethod
    def _tooltip(tile: BedTile) -> str:
        lines = tile_lines(tile)
        if tile.status == "out_of_service" and tile.until:
            lines.append(_("Expected back on {date}").format(date=format_date(tile.until)))
        if tile.status == "reserved" and tile.reserved_until:
            lines.append(_("Held until {time}").format(time=local_datetime(tile.reserved_until)))
        return "\n".join(lines)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        tile = self._entries[index.row()].tile
        if tile is None:
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if tile.status == "occupied":
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        elif tile.status == "free":
            flags |= Qt.ItemFlag.ItemIsDropEnabled
        return flags

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [MIME_STAY]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # noqa: N802
        mime = QMimeData()
        tiles = [self._entries[i.row()].tile for i in indexes if i.isValid()]
        stays = [t.stay_id for t in tiles if t is not None and t.stay_id is not None]
        if stays:
            mime.setData(MIME_STAY, str(stays[0]).encode("ascii"))
        return mime

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,  # noqa: N802
                        parent: _Index) -> bool:
        if not data.hasFormat(MIME_STAY) or not parent.isValid():
            return False  # only onto a bed, never between two
        tile = self._entries[parent.row()].tile
        return tile is not None and tile.status == "free"

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,  # noqa: N802
                     parent: _Index) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        stay_id = int(bytes(data.data(MIME_STAY)).decode("ascii"))
        self.move_requested.emit(stay_id, self._entries[parent.row()].tile.bed_id)
        return False  # nothing to remove at the source: the move redraws both beds


class TileDelegate(QStyledItemDelegate):
    """Paints a bed as a tile (one widget for the whole board, however many
    beds) and a heading across the view's width."""

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self._view = view

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        kind = index.data(KIND_ROLE)
        if kind == "bed":
            # Three lines and a case number in full, in the interface's font
            # (Arabic fonts are taller and their digits wider).
            metrics = QFontMetrics(option.font)
            return QSize(max(TILE_SIZE.width(), metrics.horizontalAdvance("CAS1-2026-0000") + 30),
                         max(TILE_SIZE.height(), 3 * metrics.height() + 14))
        metrics = QFontMetrics(self._heading_font(option, kind))
        width = max(200, self._view.viewport().width() - 2 * self._view.spacing() - 4)
        return QSize(width, metrics.height() + (14 if kind == "shelter" else 8))

    @staticmethod
    def _heading_font(option: QStyleOptionViewItem, kind: str) -> QFont:
        font = QFont(option.font)
        font.setBold(True)
        if kind == "shelter":
            font.setPointSizeF(font.pointSizeF() * 1.2)
        return font

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        kind = index.data(KIND_ROLE)
        rect = QRect(option.rect)
        rtl = option.direction == Qt.LayoutDirection.RightToLeft
        painter.save()
        if kind != "bed":
            painter.setFont(self._heading_font(option, kind))
            painter.setPen(QColor("#0f3438" if kind == "shelter" else "#2c5a61"))
            align = QStyle.visualAlignment(option.direction, Qt.AlignmentFlag.AlignLeft) | Qt.AlignmentFlag.AlignBottom
            painter.drawText(rect.adjusted(2, 0, -2, -3), int(align), index.data(Qt.ItemDataRole.DisplayRole))
            painter.restore()
            return
        tile: BedTile = index.data(TILE_ROLE)
        background, border, accent, text = _COLOURS.get(tile.status, _COLOURS["free"])
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = QRectF(rect).adjusted(1.5, 1.5, -1.5, -1.5)
        path = QPainterPath()
        path.addRoundedRect(box, 6, 6)
        painter.fillPath(path, QColor(background))
        pen = QPen(QColor("#0c3337" if focused else "#1d6b73" if selected else border), 2.4 if selected or focused else 1)
        if tile.status == "reserved" and not (selected or focused):
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawPath(path)
        if tile.status == "free":  # the green leading edge of a free bed
            edge = QRectF(box.right() - 5, box.top(), 5, box.height()) if rtl else QRectF(box.left(), box.top(), 5,
                                                                                              box.height())
            clip = QPainterPath()
            clip.addRect(edge)
            painter.fillPath(path.intersected(clip), QColor(accent))
        painter.setPen(QColor(text))
        inner = rect.adjusted(12, 6, -10, -6)
        metrics = QFontMetrics(option.font)
        align = QStyle.visualAlignment(option.direction, Qt.AlignmentFlag.AlignLeft) | Qt.AlignmentFlag.AlignTop
        y = inner.top()
        for number, line in enumerate(tile_lines(tile)[:3]):
            font = QFont(option.font)
            font.setBold(number == 0)
            painter.setFont(font)
            # A case number or a Latin name keeps its own direction, and is cut
            # at its end, in an Arabic interface too.
            shown = metrics.elidedText(line, Qt.TextElideMode.ElideRight, inner.width() - 4)
            if number and rtl:
                shown = isolate(shown)
            painter.drawText(QRect(inner.left(), y, inner.width(), metrics.height()), int(align), shown)
            y += metrics.height()
        painter.restore()


class BoardView(QListView):
    """The beds flowing in rows under their room's heading, one widget for
    the whole board: drag an occupied bed onto a free one, or move with the
    keyboard (arrows, then Move… or Ctrl+M)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bedBoard")
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setSpacing(4)
        self.setUniformItemSizes(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDragDropOverwriteMode(True)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setItemDelegate(TileDelegate(self))
        self.setAccessibleName(_("Beds"))


class MoveDialog(QDialog):
    """Choose the bed to move a resident to (the keyboard way): only the beds
    that would take her, her own shelter's first, each as bed and room on
    one line and the shelter under it."""

    def __init__(self, tile: BedTile, choices: list[BedChoice], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Move {case}").format(case=tile.case_number))
        self.list = QListWidget()
        self.list.setAccessibleName(_("Beds that fit"))
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)  # each bed's two lines read as one entry
        self.list.setSpacing(1)
        for choice in choices:
            bed = _("Bed {label}").format(label=isolate(choice.bed_label))
            text = f"{bed} · {isolate(choice.room_name)}\n{isolate(choice.shelter_name)}"
            item = QListWidgetItem(text, self.list)
            item.setData(Qt.UserRole, choice.bed_id)
            item.setToolTip(text)
        if choices:
            self.list.setCurrentRow(0)
        label = QLabel(_("Move &to:") if choices else _("No free bed fits this person now."))
        label.setWordWrap(True)
        label.setBuddy(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.ok_button = buttons.addButton(_("&Move"), QDialogButtonBox.AcceptRole)
        self.ok_button.setEnabled(bool(choices))
        buttons.button(QDialogButtonBox.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemActivated.connect(lambda _item: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(420, 420)

    def chosen(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(Qt.UserRole))


class AdmittedDialog(QDialog):
    """Says who was admitted where, at once, with what usually comes next."""

    def __init__(self, admitted: Admitted, bed_text: str, parent: QWidget | None = None,
                 can_print: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Admitted"))
        text = QLabel(_("Case number {case}, {bed}.").format(case=isolate(admitted.case_number),
                                                               bed=bed_text))
        text.setObjectName("notice")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        buttons = QDialogButtonBox()
        self.open_button = buttons.addButton(_("&Open file"), QDialogButtonBox.AcceptRole)
        self.print_button = buttons.addButton(_("&Print handover…"), QDialogButtonBox.ActionRole)
        self.print_button.setVisible(can_print)
        close = buttons.addButton(_("Close"), QDialogButtonBox.RejectRole)
        close.setDefault(True)
        self.choice = ""
        self.open_button.clicked.connect(lambda: self._chose("open"))
        self.print_button.clicked.connect(lambda: self._chose("print"))
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(buttons)

    def _chose(self, what: str) -> None:
        self.choice = what
        self.accept()


class _SmallDialog(QDialog):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText(_("OK"))
        buttons.button(QDialogButtonBox.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.Ok)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(buttons)

    def row(self, text: str, field: QWidget) -> None:
        label = QLabel(text)
        label.setBuddy(field)
        self.form.addRow(label, field)


class ReserveDialog(_SmallDialog):
    """Hold a bed for an expected arrival; the words identify nobody."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Reserve a bed"), parent)
        self.label = QLineEdit()
        self.label.setPlaceholderText(_("who is expected, without a name, e.g. police, Rabat"))
        self.hours = QSpinBox()
        self.hours.setRange(1, 24 * 14)
        self.hours.setValue(12)
        self.hours.valueChanged.connect(lambda n: self.hours.setSuffix(" " + ngettext("hour", "hours", n)))
        self.hours.setSuffix(" " + ngettext("hour", "hours", self.hours.value()))
        self.row(_("&Expected:"), self.label)
        self.row(_("&Hold for:"), self.hours)


class OutOfServiceDialog(_SmallDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Take a bed out of service"), parent)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(_("e.g. broken frame, mould"))
        self.until = DateField("until", optional=True)
        self.until.set_value(date.today() + timedelta(days=7))
        self.until.setMinimumDate(QDate.currentDate())
        self.row(_("&Reason:"), self.reason)
        self.row(_("Expected &back on:"), self.until)

    def until_date(self) -> date | None:
        return self.until.peek()


class BedBoardPage(QWidget):
    """The bed board: filters, an occupancy summary, the beds, and the
    actions on the chosen bed. It redraws from the change notices
    (``ui.qt.changes``): what a write changed elsewhere, a discharge made from
    a resident's file for one, shows at once, and only those beds are read
    again."""

    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.boards: list[ShelterBoard] = []
        self._task = None

        title = QLabel(_("Beds"))
        title.setObjectName("title")
        self.summary = QLabel()
        self.summary.setObjectName("muted")
        self.summary.setWordWrap(True)

        self.shelter_filter = QComboBox()
        self.shelter_filter.setAccessibleName(_("Shelter name"))
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName(_("Status"))
        self.status_filter.addItem(_("Every status"), None)
        for code, label in BED_STATUS.choices():
            self.status_filter.addItem(label, code)
        self.restriction_filter = QComboBox()
        self.restriction_filter.setAccessibleName(_("Room restriction"))
        self.restriction_filter.addItem(_("Every room"), None)
        for code, label in ROOM_RESTRICTION.choices():
            self.restriction_filter.addItem(label, code)

        self.admit_button = QPushButton(_("&Admit…"))
        self.admit_button.setObjectName("primary")
        self.admit_button.setVisible(who.actor.has(Permission.ADMIT))
        self.move_button = QPushButton(_("Mo&ve…"))
        self.move_button.setVisible(who.actor.has(Permission.TRANSFER))
        self.refresh_button = QPushButton(_("&Refresh"))
        self.reserve_button = QPushButton(_("Re&serve…"))
        self.reserve_button.setVisible(who.actor.has(Permission.RESERVE_BED))
        self.service_button = QPushButton(_("Out of servi&ce…"))
        self.service_button.setVisible(who.actor.has(Permission.MANAGE_SHELTERS))
        self.unmet_button = QPushButton(_("Referral &not admitted…"))
        self.unmet_button.setToolTip(_("Record a referral that could not be taken in: the reports count it"))
        self.unmet_button.setVisible(who.actor.has(Permission.RECORD_UNMET_REQUEST))

        # Filters on one row, actions on the next: on one row they made the
        # page 1532 px wide in French, the Admit button off a 1366 px screen.
        filters = QHBoxLayout()
        for label_text, combo in ((_("S&helter:"), self.shelter_filter), (_("Sta&tus:"), self.status_filter),
                                  (_("R&oom:"), self.restriction_filter)):
            # A long shelter name is cut in the closed list (whole in the open one)
            # instead of widening the page.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
            label = QLabel(label_text)
            label.setBuddy(combo)
            filters.addWidget(label)
            filters.addWidget(combo, 1)
        filters.addStretch(1)
        filters.addWidget(self.refresh_button)
        actions = QHBoxLayout()
        actions.addWidget(self.unmet_button)
        actions.addStretch(1)
        actions.addWidget(self.reserve_button)
        actions.addWidget(self.service_button)
        actions.addWidget(self.move_button)
        actions.addWidget(self.admit_button)

        self.model = BoardModel(self)
        self.view = BoardView()
        self.view.setModel(self.model)
        self.empty = QLabel(_("No shelter, room or bed is recorded yet: add them in Administration."))
        self.empty.setWordWrap(True)
        self.empty.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(title)
        layout.addWidget(self.summary)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.empty)
        layout.addWidget(self.view, 1)

        for combo in (self.shelter_filter, self.status_filter, self.restriction_filter):
            combo.currentIndexChanged.connect(self.render)
        self.refresh_button.clicked.connect(self.refresh)
        self.move_button.clicked.connect(self.move_selected)
        self.reserve_button.clicked.connect(self.reserve_or_cancel)
        self.service_button.clicked.connect(self.toggle_service)
        self.admit_button.clicked.connect(self.admit)
        self.unmet_button.clicked.connect(self.record_unmet_request)
        self.model.move_requested.connect(self.move)
        self.view.selectionModel().currentChanged.connect(lambda *_a: self._update_actions())
        self.view.activated.connect(lambda _index: self._activated())
        changes.changed.connect(self.apply_change)
        QShortcut(QKeySequence("Ctrl+M"), self, self.move_selected)
        QShortcut(QKeySequence(QKeySequence.Refresh), self, self.refresh)
        self.refresh()

    # -- data --------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the whole board again (the Refresh button, F5)."""
        try:
            self.boards = beds.bed_board(self.who)
        except ShelterError as exc:
            QMessageBox.warning(self, _("Beds"), exc.message)
            return
        current = self.shelter_filter.currentData()
        self.shelter_filter.blockSignals(True)
        self.shelter_filter.clear()
        self.shelter_filter.addItem(_("Every shelter"), None)
        for board in self.boards:
            self.shelter_filter.addItem(f"{board.name} ({board.code})", board.shelter_id)
        index = self.shelter_filter.findData(current)
        self.shelter_filter.setCurrentIndex(max(index, 0))
        self.shelter_filter.blockSignals(False)
        self.render()

    def apply_change(self, change: Change) -> None:
        """A write changed something: read again only the beds it names (all
        of the board when shelters, rooms or beds themselves changed)."""
        if change.places:
            self.refresh()
            return
        shown = {t.bed_id for b in self.boards for r in b.rooms for t in r.beds}
        wanted = change.beds & shown
        if not wanted:
            return
        try:
            fresh = {t.bed_id: t for t in beds.bed_tiles(self.who, wanted)}
        except ShelterError:
            return  # the session ended: the shell locks the window
        self.boards = [replace(b, rooms=tuple(replace(r, beds=tuple(fresh.get(t.bed_id, t) for t in r.beds))
                                              for r in b.rooms)) for b in self.boards]
        if self.status_filter.currentData() is None:
            self.model.update_tiles(list(fresh.values()))  # only those tiles are repainted
            self._summarise(self._shown())
            self._update_actions()
        else:
            self.render()  # a bed may leave or join the status shown

    def _room_matches(self, room: RoomBoard) -> bool:
        wanted = self.restriction_filter.currentData()
        return wanted is None or bool(getattr(room, wanted))

    def _shown(self) -> list[ShelterBoard]:
        shelter = self.shelter_filter.currentData()
        return [b for b in self.boards if shelter is None or b.shelter_id == shelter]

    def _summarise(self, shown: list[ShelterBoard]) -> None:
        total = sum(b.beds for b in shown)
        occupied = sum(b.count("occupied") for b in shown)
        free = sum(b.count("free") for b in shown)
        parts = [ngettext("{occupied} of {total} bed occupied", "{occupied} of {total} beds occupied",
                          total).format(occupied=occupied, total=total),
                 ngettext("{n} bed free", "{n} beds free", free).format(n=free)]
        for code, label in ROOM_RESTRICTION.choices():
            rooms = [r for b in shown for r in b.rooms if getattr(r, code)]
            if rooms:
                bed_count = sum(len(r.beds) for r in rooms)
                busy = sum(1 for r in rooms for t in r.beds if t.status == "occupied")
                parts.append(_("{restriction}: {occupied}/{total}").format(restriction=label, occupied=busy,
                                                                         total=bed_count))
        self.summary.setText(" · ".join(parts))

    def render(self) -> None:
        """Lay the board out again from what was read, under the filters."""
        selected = self.selected_tile()
        status = self.status_filter.currentData()
        shown = self._shown()
        self._summarise(shown)
        # The name isolated, after the interface's direction mark: a Latin
        # name keeps its place (and its brackets) in Arabic.
        mark = direction_mark()
        entries: list[_Entry] = []
        for board in shown:
            rooms = []
            for room in board.rooms:
                tiles = [t for t in room.beds if status is None or t.status == status]
                if tiles and self._room_matches(room):
                    rooms.append((room, tiles))
            if not rooms:
                continue
            entries.append(_Entry("shelter", mark + isolate(f"{board.name} ({board.code})")))
            for room, tiles in rooms:
                tags = [label for code, label in ROOM_RESTRICTION.choices() if getattr(room, code)]
                entries.append(_Entry("room", mark + isolate(room.name) + (f" — {list_text(tags)}"
                                                                                     if tags else "")))
                entries.extend(_Entry("bed", "", t) for t in tiles)
        self.model.set_entries(entries)
        self.empty.setVisible(not self.boards)
        if selected is not None:
            self.select_bed(selected.bed_id)
        self._update_actions()

    # -- the chosen bed -------------------------------------------------------------

    @property
    def tiles(self) -> dict[int, BedTile]:
        """The beds shown, by id, in board order."""
        return {t.bed_id: t for t in self.model.tiles()}

    def select_bed(self, bed_id: int) -> bool:
        index = self.model.index_of(bed_id)
        if not index.isValid():
            return False
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        return True

    def selected_tile(self) -> BedTile | None:
        index = self.view.currentIndex()
        if not index.isValid() or not self.view.selectionModel().isSelected(index):
            return None
        return index.data(TILE_ROLE)

    def _update_actions(self) -> None:
        tile = self.selected_tile()
        status = tile.status if tile else None
        self.move_button.setEnabled(status == "occupied")
        self.reserve_button.setEnabled(status in ("free", "reserved"))
        self.reserve_button.setText(_("Ca&ncel the reservation") if status == "reserved" else _("Re&serve…"))
        self.service_button.setEnabled(status in ("free", "out_of_service"))
        self.service_button.setText(_("Back in servi&ce") if status == "out_of_service"
                                    else _("Out of servi&ce…"))

    def _activated(self) -> None:
        """Enter or a double click on a bed: the occupant's file, or an
        admission into a free bed."""
        tile = self.selected_tile()
        if tile is None:
            return
        if tile.status == "occupied" and tile.resident_id is not None:
            self.open_file(tile.resident_id)
        elif tile.status == "free" and self.who.actor.has(Permission.ADMIT):
            self.admit()

    def open_file(self, resident_id: int) -> None:
        from shelter.services import residents
        from ui.residents.file import ResidentFileDialog

        try:
            file = residents.open_resident(self.who, resident_id)
        except ShelterError as exc:
            QMessageBox.warning(self, _("Beds"), exc.message)
            return
        self.file_dialog = ResidentFileDialog(file, self, self.who)
        self.file_dialog.open()

    # -- actions -----------------------------------------------------------------

    def _run(self, work: Callable[[], Change], on_done: Callable[[Change], None] | None = None,
             title: str | None = None) -> None:
        """Run a write off the GUI thread; the change notice redraws the board."""
        def failed(exc: BaseException) -> None:
            QMessageBox.warning(self, title or _("Beds"), error_text(exc))
            self.refresh()

        self._task = run_change(self, work, on_done or (lambda _change: None), failed, busy=self.view)

    def _shelter_of(self, bed_id: int) -> ShelterBoard | None:
        return next((b for b in self.boards for r in b.rooms for t in r.beds if t.bed_id == bed_id), None)

    def move(self, stay_id: int, bed_id: int) -> None:
        moved = next((t for b in self.boards for r in b.rooms for t in r.beds if t.stay_id == stay_id), None)
        source = self._shelter_of(moved.bed_id) if moved else None
        target = self._shelter_of(bed_id)

        def moved_to(_change: Change) -> None:
            self.select_bed(bed_id)
            if (moved is not None and source is not None and target is not None
                    and source.shelter_id != target.shelter_id and self.who.actor.has(Permission.PRINT_HANDOVER)):
                self.offer_handover(moved.case_number, target.name)

        self._run(lambda: beds.transfer(self.who, stay_id, bed_id), moved_to, _("Move"))

    def offer_handover(self, case_number: str, receiver: str) -> None:
        """After a move to another shelter: the handover form for the
        receiving shelter, which the coordinator may cancel."""
        from shelter.services.handover import resident_by_case
        from ui.documents.handover import HandoverDialog

        self.handover_dialog = HandoverDialog(self.who, resident_by_case(self.who, case_number), case_number,
                                              "transfer", receiver, self)
        self.handover_dialog.open()

    def move_selected(self) -> None:
        tile = self.selected_tile()
        if (tile is None or tile.status != "occupied" or tile.stay_id is None
                or not self.who.actor.has(Permission.TRANSFER)):
            return
        try:
            choices = beds.move_choices(self.who, tile.stay_id)
        except ShelterError as exc:
            QMessageBox.warning(self, _("Move"), exc.message)
            return
        self.dialog = MoveDialog(tile, choices, self)
        self.dialog.accepted.connect(lambda: self._move_chosen(tile))
        self.dialog.open()

    def _move_chosen(self, tile: BedTile) -> None:
        target = self.dialog.chosen()
        if target is not None and tile.stay_id is not None:
            self.move(tile.stay_id, target)

    def reserve_or_cancel(self) -> None:
        tile = self.selected_tile()
        if tile is not None and tile.status == "reserved":
            self.cancel_reservation_selected()
        else:
            self.reserve_selected()

    def reserve_selected(self) -> None:
        tile = self.selected_tile()
        if tile is None or tile.status != "free":
            return
        self.dialog = ReserveDialog(self)
        self.dialog.accepted.connect(lambda: self._run(lambda: beds.reserve_bed(
            self.who, tile.bed_id, self.dialog.label.text(), self.dialog.hours.value())))
        self.dialog.open()

    def cancel_reservation_selected(self) -> None:
        """Free a reserved bed (the person expected will not come), after asking."""
        tile = self.selected_tile()
        if tile is None or tile.status != "reserved" or tile.reservation_id is None:
            return
        answer = QMessageBox.question(
            self, _("Cancel the reservation"),
            _("Free bed {label}? The person expected will no longer have it kept.").format(label=tile.label),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            reservation = tile.reservation_id
            self._run(lambda: beds.cancel_reservation(self.who, reservation))

    def toggle_service(self) -> None:
        tile = self.selected_tile()
        if tile is None:
            return
        if tile.status == "out_of_service":
            self._run(lambda: beds.return_to_service(self.who, tile.bed_id))
            return
        self.dialog = OutOfServiceDialog(self)
        self.dialog.accepted.connect(lambda: self._run(lambda: beds.set_out_of_service(
            self.who, tile.bed_id, self.dialog.reason.text(), self.dialog.until_date())))
        self.dialog.open()

    def admit(self) -> None:
        from ui.beds.admission import AdmissionDialog

        selected = self.selected_tile()
        self.dialog = AdmissionDialog(self.who, self, bed_id=selected.bed_id if selected and
                                      selected.status == "free" else None)
        self.dialog.accepted.connect(lambda: self.confirm_admission(self.dialog.admitted))
        self.dialog.open()

    def record_unmet_request(self) -> None:
        """A referral that could not be taken in, for the shelter shown (the reports count it)."""
        from ui.reports.unmet import open_unmet_request_form

        self.unmet_form = open_unmet_request_form(self.who, self, self.shelter_filter.currentData())

    def confirm_admission(self, admitted: Admitted | None) -> None:
        """The case number and the bed, at once, with Open file and Print handover."""
        if admitted is None:
            return
        self.select_bed(admitted.bed_id)
        where = next(((b, r, t) for b in self.boards for r in b.rooms for t in r.beds
                      if t.bed_id == admitted.bed_id), None)
        bed_text = "" if where is None else _("bed {bed} in {room}, {shelter}").format(
            bed=isolate(where[2].label), room=isolate(where[1].name), shelter=isolate(where[0].name))
        self.confirmation = AdmittedDialog(admitted, bed_text, self,
                                           can_print=self.who.actor.has(Permission.PRINT_HANDOVER))
        self.confirmation.accepted.connect(lambda: self._after_admission(admitted, self.confirmation.choice))
        self.confirmation.open()

    def _after_admission(self, admitted: Admitted, choice: str) -> None:
        if choice == "open":
            self.open_file(admitted.resident_id)
        elif choice == "print":
            from ui.documents.handover import HandoverDialog

            self.handover_dialog = HandoverDialog(self.who, admitted.resident_id, admitted.case_number,
                                                  "referral", "", self)
            self.handover_dialog.open()
