"""The bed board: every room a group of bed tiles (free, occupied, reserved,
out of service), filters, an occupancy summary, and moves by drag and drop
or by keyboard (select a resident's tile, then Move…, or Ctrl+M)."""

from __future__ import annotations

from shelter.domain.vocabulary import BED_STATUS, ROOM_RESTRICTION
from shelter.errors import ShelterError
from shelter.i18n import _, ngettext
from shelter.security.permissions import Permission
from shelter.services import beds
from shelter.services.beds import BedTile, RoomBoard, ShelterBoard
from shelter.store import SignedIn
from ui.qt import (
    QComboBox,
    QDate,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDrag,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QMimeData,
    QPushButton,
    QScrollArea,
    QShortcut,
    QSpinBox,
    Qt,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
)

MIME_STAY = "application/x-shelter-stay"


class BedTileButton(QToolButton):
    """One bed. Occupied tiles can be dragged onto a free one; every tile
    takes the focus, so the board is usable with the keyboard alone."""

    dropped = Signal(int, int)  # stay id, target bed id

    def __init__(self, tile: BedTile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tile = tile
        self.setObjectName("bedTile")
        self.setProperty("status", tile.status)
        self.setCheckable(True)
        self.setAutoExclusive(False)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setToolButtonStyle(Qt.ToolButtonTextOnly)
        self.setMinimumSize(132, 64)
        lines = [_("Bed {label}").format(label=tile.label), BED_STATUS.label(tile.status)]
        if tile.status == "occupied":
            lines = [_("Bed {label}").format(label=tile.label), tile.case_number, tile.name]
        elif tile.status == "out_of_service" and tile.reason:
            lines.append(tile.reason)
        self.setText("\n".join(lines))
        self.setAccessibleName(", ".join(lines))
        self.setAcceptDrops(tile.status == "free")
        self._press = None

    def mousePressEvent(self, event) -> None:  # noqa: N802, ANN001
        self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802, ANN001
        if (self.tile.status == "occupied" and self._press is not None and event.buttons() & Qt.LeftButton
                and (event.position().toPoint() - self._press).manhattanLength() > 8):
            mime = QMimeData()
            mime.setData(MIME_STAY, str(self.tile.stay_id).encode("ascii"))
            drag = QDrag(self)
            drag.setMimeData(mime)
            drag.setPixmap(self.grab())
            drag.exec(Qt.MoveAction)
            self._press = None
            return
        super().mouseMoveEvent(event)

    def dragEnterEvent(self, event) -> None:  # noqa: N802, ANN001
        if event.mimeData().hasFormat(MIME_STAY) and self.tile.status == "free":
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802, ANN001
        stay_id = int(bytes(event.mimeData().data(MIME_STAY)).decode("ascii"))
        event.acceptProposedAction()
        self.dropped.emit(stay_id, self.tile.bed_id)


class MoveDialog(QDialog):
    """Choose the free bed to move a resident to (the keyboard way)."""

    def __init__(self, tile: BedTile, free: list[tuple[int, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Move {case}").format(case=tile.case_number))
        self.list = QListWidget()
        self.list.setAccessibleName(_("Free beds"))
        for bed_id, text in free:
            item = QListWidgetItem(text, self.list)
            item.setData(Qt.UserRole, bed_id)
        if free:
            self.list.setCurrentRow(0)
        label = QLabel(_("&Move to:"))
        label.setBuddy(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.ok_button = buttons.addButton(_("&Move"), QDialogButtonBox.AcceptRole)
        self.ok_button.setEnabled(bool(free))
        buttons.button(QDialogButtonBox.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemActivated.connect(lambda _item: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.list)
        layout.addWidget(buttons)

    def chosen(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(Qt.UserRole))


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
        self.hours.setSuffix(" " + _("hours"))
        self.row(_("&Expected:"), self.label)
        self.row(_("&Hold for:"), self.hours)


class OutOfServiceDialog(_SmallDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Take a bed out of service"), parent)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(_("e.g. broken frame, mould"))
        self.until = QDateEdit(QDate.currentDate().addDays(7))
        self.until.setCalendarPopup(True)
        self.until.setMinimumDate(QDate.currentDate())
        self.row(_("&Reason:"), self.reason)
        self.row(_("Expected &back on:"), self.until)

    def until_date(self):  # noqa: ANN201
        return self.until.date().toPython()


class BedBoardPage(QWidget):
    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.boards: list[ShelterBoard] = []
        self.tiles: dict[int, BedTileButton] = {}

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
        self.move_button.setEnabled(False)
        self.move_button.setVisible(who.actor.has(Permission.TRANSFER))
        self.refresh_button = QPushButton(_("&Refresh"))
        self.reserve_button = QPushButton(_("Re&serve…"))
        self.reserve_button.setVisible(who.actor.has(Permission.RESERVE_BED))
        self.service_button = QPushButton(_("Out of ser&vice…"))
        self.service_button.setVisible(who.actor.has(Permission.MANAGE_SHELTERS))
        for button in (self.reserve_button, self.service_button):
            button.setEnabled(False)

        filters = QHBoxLayout()
        for label_text, combo in ((_("S&helter:"), self.shelter_filter), (_("Sta&tus:"), self.status_filter),
                                  (_("R&oom:"), self.restriction_filter)):
            label = QLabel(label_text)
            label.setBuddy(combo)
            filters.addWidget(label)
            filters.addWidget(combo)
        filters.addStretch(1)
        filters.addWidget(self.refresh_button)
        filters.addWidget(self.reserve_button)
        filters.addWidget(self.service_button)
        filters.addWidget(self.move_button)
        filters.addWidget(self.admit_button)

        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setAlignment(Qt.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setWidget(self.body)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(title)
        layout.addWidget(self.summary)
        layout.addLayout(filters)
        layout.addWidget(scroll, 1)

        for combo in (self.shelter_filter, self.status_filter, self.restriction_filter):
            combo.currentIndexChanged.connect(self.render)
        self.refresh_button.clicked.connect(self.refresh)
        self.move_button.clicked.connect(self.move_selected)
        self.reserve_button.clicked.connect(self.reserve_selected)
        self.service_button.clicked.connect(self.toggle_service)
        self.admit_button.clicked.connect(self.admit)
        QShortcut(QKeySequence("Ctrl+M"), self, self.move_selected)
        QShortcut(QKeySequence(QKeySequence.Refresh), self, self.refresh)
        self.refresh()

    # -- data --------------------------------------------------------------------

    def refresh(self) -> None:
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

    def _room_matches(self, room: RoomBoard) -> bool:
        wanted = self.restriction_filter.currentData()
        return wanted is None or bool(getattr(room, wanted))

    def render(self) -> None:
        while self.body_layout.count():
            item = self.body_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.tiles = {}
        for button in (self.move_button, self.reserve_button, self.service_button):
            button.setEnabled(False)
        shelter = self.shelter_filter.currentData()
        status = self.status_filter.currentData()
        shown = [b for b in self.boards if shelter is None or b.shelter_id == shelter]
        total = sum(b.beds for b in shown)
        occupied = sum(b.count("occupied") for b in shown)
        free = sum(b.count("free") for b in shown)
        parts = [ngettext("{occupied} of {total} bed occupied", "{occupied} of {total} beds occupied",
                          total).format(occupied=occupied, total=total),
                 ngettext("{n} free", "{n} free", free).format(n=free)]
        for code, label in ROOM_RESTRICTION.choices():
            rooms = [r for b in shown for r in b.rooms if getattr(r, code)]
            if rooms:
                bed_count = sum(len(r.beds) for r in rooms)
                busy = sum(1 for r in rooms for t in r.beds if t.status == "occupied")
                parts.append(_("{restriction}: {occupied}/{total}").format(restriction=label, occupied=busy,
                                                                         total=bed_count))
        self.summary.setText(" · ".join(parts))
        for board in shown:
            # The name isolated, after the interface's direction mark: a Latin
            # name keeps its place (and its brackets) in Arabic.
            mark = "\u200f" if self.layoutDirection() == Qt.RightToLeft else "\u200e"
            heading = QLabel(f"{mark}\u2068{board.name} ({board.code})\u2069")
            heading.setObjectName("subtitle")
            self.body_layout.addWidget(heading)
            for room in board.rooms:
                if not self._room_matches(room):
                    continue
                tiles = [t for t in room.beds if status is None or t.status == status]
                if not tiles:
                    continue
                self.body_layout.addWidget(self._room_box(room, tiles))
        if not shown:
            empty = QLabel(_("No shelter, room or bed is recorded yet: add them in Administration."))
            empty.setWordWrap(True)
            self.body_layout.addWidget(empty)

    def _room_box(self, room: RoomBoard, tiles: list[BedTile]) -> QGroupBox:
        tags = [label for code, label in ROOM_RESTRICTION.choices() if getattr(room, code)]
        box = QGroupBox(room.name + (f" — {', '.join(tags)}" if tags else ""))
        grid = QGridLayout(box)
        grid.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        for index, tile in enumerate(tiles):
            button = BedTileButton(tile, box)
            button.toggled.connect(lambda on, b=button: self._selected(b, on))
            button.dropped.connect(self.move)
            self.tiles[tile.bed_id] = button
            grid.addWidget(button, index // 6, index % 6)
        return box

    def _selected(self, button: BedTileButton, on: bool) -> None:
        if on:
            for other in self.tiles.values():
                if other is not button and other.isChecked():
                    other.setChecked(False)
        status = button.tile.status if on else None
        self.move_button.setEnabled(status == "occupied")
        self.reserve_button.setEnabled(status == "free")
        self.service_button.setEnabled(status in ("free", "out_of_service"))
        self.service_button.setText(_("Back in ser&vice") if status == "out_of_service"
                                    else _("Out of ser&vice…"))

    def selected_tile(self) -> BedTile | None:
        for button in self.tiles.values():
            if button.isChecked():
                return button.tile
        return None

    # -- actions -----------------------------------------------------------------

    def _shelter_of(self, bed_id: int) -> ShelterBoard | None:
        return next((b for b in self.boards for r in b.rooms for t in r.beds if t.bed_id == bed_id), None)

    def move(self, stay_id: int, bed_id: int) -> bool:
        moved = next((t for b in self.boards for r in b.rooms for t in r.beds if t.stay_id == stay_id), None)
        source = self._shelter_of(moved.bed_id) if moved else None
        target = self._shelter_of(bed_id)
        try:
            beds.transfer(self.who, stay_id, bed_id)
        except ShelterError as exc:
            QMessageBox.warning(self, _("Move"), exc.message)
            self.refresh()
            return False
        self.refresh()
        if (moved is not None and source is not None and target is not None
                and source.shelter_id != target.shelter_id and self.who.actor.has(Permission.PRINT_HANDOVER)):
            self.offer_handover(moved.case_number, target.name)
        return True

    def offer_handover(self, case_number: str, receiver: str) -> None:
        """After a move to another shelter: the handover form for the
        receiving shelter, which the coordinator may cancel."""
        from shelter.services.handover import resident_by_case
        from ui.documents.handover import HandoverDialog

        self.handover_dialog = HandoverDialog(self.who, resident_by_case(self.who, case_number), case_number,
                                              "transfer", receiver, self)
        self.handover_dialog.open()

    def free_beds(self) -> list[tuple[int, str]]:
        return [(t.bed_id, f"{b.name} — {r.name} — " + _("Bed {label}").format(label=t.label))
                for b in self.boards for r in b.rooms for t in r.beds if t.status == "free"]

    def move_selected(self) -> None:
        tile = self.selected_tile()
        if tile is None or tile.status != "occupied" or not self.who.actor.has(Permission.TRANSFER):
            return
        self.dialog = MoveDialog(tile, self.free_beds(), self)
        self.dialog.accepted.connect(lambda: self._move_chosen(tile))
        self.dialog.open()

    def _move_chosen(self, tile: BedTile) -> None:
        target = self.dialog.chosen()
        if target is not None and tile.stay_id is not None:
            self.move(tile.stay_id, target)

    def reserve_selected(self) -> None:
        tile = self.selected_tile()
        if tile is None or tile.status != "free":
            return
        self.dialog = ReserveDialog(self)
        self.dialog.accepted.connect(lambda: self._run(lambda: beds.reserve_bed(
            self.who, tile.bed_id, self.dialog.label.text(), self.dialog.hours.value())))
        self.dialog.open()

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

    def _run(self, action) -> None:  # noqa: ANN001
        try:
            action()
        except ShelterError as exc:
            QMessageBox.warning(self, _("Beds"), exc.message)
        self.refresh()

    def admit(self) -> None:
        from ui.beds.admission import AdmissionDialog

        selected = self.selected_tile()
        self.dialog = AdmissionDialog(self.who, self, bed_id=selected.bed_id if selected and
                                      selected.status == "free" else None)
        self.dialog.accepted.connect(self.refresh)
        self.dialog.open()
