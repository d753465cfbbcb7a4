"""Shelters, rooms and beds: a tree on one side, the chosen item's form on
the other. Out of service is only the in-service flag for now; reasons and
expected return dates come with the bed board's maintenance work."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shelter.domain.changes import PlacesChanged
from shelter.domain.vocabulary import ROOM_RESTRICTION
from shelter.i18n import N_, _, list_text
from shelter.services import shelters
from shelter.services.shelters import BedView, RoomView, ShelterView
from shelter.store import SignedIn
from ui.admin.forms import dialog_buttons, status_label
from ui.qt import (
    QAbstractItemModel,
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFont,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QModelIndex,
    QObject,
    QPalette,
    QPersistentModelIndex,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    Qt,
    QTreeView,
    QVBoxLayout,
    QWidget,
    publish,
)
from ui.widgets import FieldErrors

SHELTER, ROOM, BED = "shelter", "room", "bed"
KEY_ROLE = Qt.ItemDataRole.UserRole + 1

IN_SERVICE_TIP = N_(
    "Unchecked means out of service: nobody can be given this place. Reasons and expected return dates "
    "for out-of-service beds and rooms are not recorded yet; they will come in a later version."
)


def natural(text: str) -> list[object]:
    """Bed "2" before bed "10"."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text)]


def restrictions_text(room: RoomView) -> str:
    parts = [label for code, label in ROOM_RESTRICTION.choices() if getattr(room, code)]
    return list_text(parts) if parts else _("Anyone")


def receives_text(shelter: ShelterView) -> str:
    parts = []
    if shelter.receives_women:
        parts.append(_("Women"))
    if shelter.receives_men:
        parts.append(_("Men"))
    if shelter.receives_minors:
        parts.append(_("Minors"))
    return list_text(parts)


@dataclass
class _Node:
    kind: str
    view: ShelterView | RoomView | BedView | None
    parent: int
    row: int
    children: list[int] = field(default_factory=list)
    in_service: bool = True  # the item and everything above it


class PlacesModel(QAbstractItemModel):
    """Shelter → rooms → beds, read-only. Each index's internal id is the
    handle of its node in a flat list (0 is the invisible root)."""

    NAME, WHO, BEDS, STATUS = range(4)
    HEADERS = (N_("Name"), N_("Who may stay"), N_("Beds in service"), N_("Status"))

    def __init__(self, who: SignedIn, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._who = who
        self._nodes: list[_Node] = [_Node("root", None, -1, 0)]
        self._handles: dict[tuple[str, int], int] = {}
        self.shelters: list[ShelterView] = []

    def reload(self) -> None:
        views = shelters.list_shelters(self._who)
        self.beginResetModel()
        self.shelters = views
        self._nodes = [_Node("root", None, -1, 0)]
        self._handles = {}
        for s in views:
            sh = self._add(SHELTER, s, 0, s.active)
            for r in s.rooms:
                rh = self._add(ROOM, r, sh, s.active and r.active)
                for b in sorted(r.beds, key=lambda b: natural(b.label)):
                    self._add(BED, b, rh, s.active and r.active and b.active)
        self.endResetModel()

    def _add(self, kind: str, view, parent: int, in_service: bool) -> int:  # noqa: ANN001
        handle = len(self._nodes)
        siblings = self._nodes[parent].children
        self._nodes.append(_Node(kind, view, parent, len(siblings), in_service=in_service))
        siblings.append(handle)
        self._handles[(kind, view.id)] = handle
        return handle

    # -- lookups -------------------------------------------------------------

    def _node(self, index: QModelIndex | QPersistentModelIndex) -> _Node:
        return self._nodes[index.internalId()] if index.isValid() else self._nodes[0]

    def item(self, index: QModelIndex | QPersistentModelIndex) -> tuple[str, object] | None:
        """(kind, view) of ``index``, or None."""
        if not index.isValid():
            return None
        node = self._node(index)
        return node.kind, node.view

    def find(self, kind: str, item_id: int) -> QModelIndex:
        handle = self._handles.get((kind, item_id))
        if handle is None:
            return QModelIndex()
        return self.createIndex(self._nodes[handle].row, 0, handle)

    def shelter_of(self, index: QModelIndex) -> ShelterView | None:
        while index.isValid():
            node = self._node(index)
            if node.kind == SHELTER:
                return node.view  # type: ignore[return-value]
            index = self.parent(index)
        return None

    # -- Qt model ------------------------------------------------------------

    def index(self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:
        if column < 0 or column >= len(self.HEADERS) or (parent.isValid() and parent.column() != 0):
            return QModelIndex()
        children = self._node(parent).children
        if not (0 <= row < len(children)):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, child: QModelIndex | QPersistentModelIndex | None = None):  # noqa: ANN201
        if child is None:  # QObject.parent()
            return QObject.parent(self)
        if not child.isValid():
            return QModelIndex()
        node = self._node(child)
        if node.parent <= 0:
            return QModelIndex()
        return self.createIndex(self._nodes[node.parent].row, 0, node.parent)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.HEADERS):
            return _(self.HEADERS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        node = self._node(index)
        view = node.view
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(node, col)
        if role == KEY_ROLE:
            return f"{node.kind}:{view.id}"  # type: ignore[union-attr]
        if role == Qt.ItemDataRole.ToolTipRole and col == self.STATUS and not node.in_service:
            return _(IN_SERVICE_TIP)
        if not node.in_service:
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setItalic(True)
                return font
            if role == Qt.ItemDataRole.ForegroundRole:
                return QPalette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        return None

    def _text(self, node: _Node, col: int) -> str:
        view = node.view
        if node.kind == SHELTER:
            s: ShelterView = view  # type: ignore[assignment]
            total = sum(len(r.beds) for r in s.rooms)
            return (_("{name} ({code})").format(name=s.name, code=s.code), receives_text(s),
                    _("{n} of {total}").format(n=s.bed_count, total=total),
                    _("In service") if s.active else _("Closed"))[col]
        if node.kind == ROOM:
            r: RoomView = view  # type: ignore[assignment]
            active = sum(1 for b in r.beds if b.active) if r.active else 0
            return (r.name, restrictions_text(r), _("{n} of {total}").format(n=active, total=len(r.beds)),
                    self._status(node, r.active))[col]
        b: BedView = view  # type: ignore[assignment]
        return (_("Bed {label}").format(label=b.label), "", "", self._status(node, b.active))[col]

    @staticmethod
    def _status(node: _Node, own: bool) -> str:
        if not own:
            return _("Out of service")
        if not node.in_service:
            return _("Out of service (with its room)") if node.kind == BED else _("Closed (with its shelter)")
        return _("In service")


# -- dialogs -----------------------------------------------------------------


class ReceivesBoxes(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Receives"), parent)
        self.setAccessibleName(_("Who the shelter receives"))
        self.women = QCheckBox(_("&Women"))
        self.men = QCheckBox(_("M&en"))
        self.minors = QCheckBox(_("M&inors"))
        layout = QHBoxLayout(self)
        for box in (self.women, self.men, self.minors):
            box.setAccessibleName(box.text().replace("&", ""))
            layout.addWidget(box)
        layout.addStretch(1)
        self.setFocusProxy(self.women)

    def set(self, shelter: ShelterView) -> None:
        self.women.setChecked(shelter.receives_women)
        self.men.setChecked(shelter.receives_men)
        self.minors.setChecked(shelter.receives_minors)


class RoomRules(QWidget):
    """Who may sleep in a room: anyone / women only / men only, plus minors
    and accessible."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.anyone = QRadioButton(_("An&yone"))
        self.women_only = QRadioButton(_("&Women only"))
        self.men_only = QRadioButton(_("&Men only"))
        self.group = QButtonGroup(self)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for button in (self.anyone, self.women_only, self.men_only):
            button.setAccessibleName(button.text().replace("&", ""))
            self.group.addButton(button)
            row.addWidget(button)
        row.addStretch(1)
        self.anyone.setChecked(True)
        self.minors = QCheckBox(_("For min&ors"))
        self.minors.setAccessibleName(_("For minors"))
        self.accessible = QCheckBox(_("Acc&essible (step-free)"))
        self.accessible.setAccessibleName(_("Accessible"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.minors)
        layout.addWidget(self.accessible)
        self.setFocusProxy(self.anyone)

    def set(self, room: RoomView) -> None:
        (self.women_only if room.women_only else self.men_only if room.men_only else self.anyone).setChecked(True)
        self.minors.setChecked(room.minors)
        self.accessible.setChecked(room.accessible)

    def values(self) -> dict[str, bool]:
        return {"women_only": self.women_only.isChecked(), "men_only": self.men_only.isChecked(),
                "minors": self.minors.isChecked(), "accessible": self.accessible.isChecked()}


def _label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


class ShelterDialog(QDialog):
    """Add a shelter."""

    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._who = who
        self.created: ShelterView | None = None
        self.setWindowTitle(_("New shelter"))
        self.errors = FieldErrors()
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(_("Shelter name"))
        self.code_edit = QLineEdit()
        self.code_edit.setAccessibleName(_("Shelter code"))
        self.code_edit.setMaxLength(12)
        self.code_edit.setToolTip(_("2 to 12 Latin letters or digits, e.g. RBT1."))
        self.city_edit = QLineEdit()
        self.city_edit.setAccessibleName(_("City"))
        self.receives = ReceivesBoxes()
        self.receives.women.setChecked(True)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(_label(_("&Name:"), self.name_edit), self.errors.field(self.name_edit, "name"))
        form.addRow(_label(_("&Code:"), self.code_edit), self.errors.field(self.code_edit, "code"))
        form.addRow(_label(_("Cit&y:"), self.city_edit), self.errors.field(self.city_edit, "city"))
        form.addRow(self.errors.field(self.receives, "receives"))
        self.buttons, self.ok_button = dialog_buttons(_("&Add shelter"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.errors.general)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def submit(self) -> None:
        ok, created = self.errors.attempt(lambda: shelters.create_shelter(
            self._who, self.name_edit.text(), self.code_edit.text(), self.city_edit.text(),
            self.receives.women.isChecked(), self.receives.men.isChecked(), self.receives.minors.isChecked()))
        if ok:
            publish(PlacesChanged())  # the bed board and the dashboard follow
            self.created = created
            self.accept()


class RoomDialog(QDialog):
    """Add a room with a number of beds to a shelter."""

    def __init__(self, who: SignedIn, shelter: ShelterView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._who = who
        self._shelter = shelter
        self.created: RoomView | None = None
        self.setWindowTitle(_("New room in {shelter}").format(shelter=shelter.name))
        self.errors = FieldErrors()
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(_("Room name"))
        self.name_edit.setMaxLength(80)
        self.beds_spin = QSpinBox()
        self.beds_spin.setRange(1, shelters.MAX_BEDS_PER_ROOM)
        self.beds_spin.setValue(2)
        self.beds_spin.setAccessibleName(_("Number of beds"))
        self.beds_spin.setToolTip(_("The beds are labelled 1, 2, 3…; rename them later if needed."))
        self.rules = RoomRules()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(_label(_("&Name:"), self.name_edit), self.errors.field(self.name_edit, "room_name", "name"))
        form.addRow(_label(_("Number of &beds:"), self.beds_spin), self.errors.field(self.beds_spin, "beds"))
        form.addRow(_label(_("Who may slee&p here:"), self.rules), self.errors.field(self.rules, "restriction"))
        self.buttons, self.ok_button = dialog_buttons(_("&Add room"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.errors.general)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def submit(self) -> None:
        ok, created = self.errors.attempt(lambda: shelters.add_room(
            self._who, self._shelter.id, self.name_edit.text(), self.beds_spin.value(), **self.rules.values()))
        if ok:
            publish(PlacesChanged())  # the bed board and the dashboard follow
            self.created = created
            self.accept()


# -- detail forms -------------------------------------------------------------


class ShelterForm(QWidget):
    def __init__(self, tab: PlacesTab) -> None:
        super().__init__()
        self._tab = tab
        self.view: ShelterView | None = None
        self.errors = FieldErrors()
        self.title = QLabel()
        self.title.setProperty("role", "heading")
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(_("Shelter name"))
        self.code_label = QLabel()
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.city_edit = QLineEdit()
        self.city_edit.setAccessibleName(_("City"))
        self.receives = ReceivesBoxes()
        self.active_box = QCheckBox(_("In ser&vice"))
        self.active_box.setAccessibleName(_("Shelter in service"))
        self.active_box.setToolTip(_("Unchecked means the shelter is closed: none of its beds can be given."))
        self.save_button = QPushButton(_("&Save changes"))
        self.save_button.clicked.connect(self.save)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(_label(_("&Name:"), self.name_edit), self.errors.field(self.name_edit, "name"))
        form.addRow(_("Code:"), self.code_label)
        form.addRow(_label(_("Cit&y:"), self.city_edit), self.errors.field(self.city_edit, "city"))
        form.addRow(self.errors.field(self.receives, "receives"))
        form.addRow(self.errors.field(self.active_box, "shelter"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(self.errors.general)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def show_item(self, view: ShelterView) -> None:
        self.view = view
        self.errors.clear()
        self.title.setText(_("Shelter {name}").format(name=view.name))
        self.name_edit.setText(view.name)
        self.code_label.setText(view.code)
        self.city_edit.setText(view.city)
        self.receives.set(view)
        self.active_box.setChecked(view.active)

    def save(self) -> None:
        if self.view is None:
            return
        ok, saved = self.errors.attempt(lambda: shelters.update_shelter(
            self._tab.who, self.view.id, self.name_edit.text(), self.city_edit.text(),
            self.receives.women.isChecked(), self.receives.men.isChecked(), self.receives.minors.isChecked(),
            self.active_box.isChecked()))
        if ok:
            publish(PlacesChanged())  # the bed board and the dashboard follow
            self._tab.reload((SHELTER, saved.id), _("Shelter saved."))


class RoomForm(QWidget):
    def __init__(self, tab: PlacesTab) -> None:
        super().__init__()
        self._tab = tab
        self.view: RoomView | None = None
        self.errors = FieldErrors()
        self.title = QLabel()
        self.title.setProperty("role", "heading")
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(_("Room name"))
        self.name_edit.setMaxLength(80)
        self.rules = RoomRules()
        self.active_box = QCheckBox(_("In ser&vice"))
        self.active_box.setAccessibleName(_("Room in service"))
        self.active_box.setToolTip(_(IN_SERVICE_TIP))
        self.save_button = QPushButton(_("&Save changes"))
        self.save_button.clicked.connect(self.save)
        self.bed_edit = QLineEdit()
        self.bed_edit.setAccessibleName(_("New bed label"))
        self.bed_edit.setMaxLength(40)
        self.add_bed_button = QPushButton(_("&Add bed"))
        self.add_bed_button.clicked.connect(self.add_bed)
        self.bed_edit.returnPressed.connect(self.add_bed)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(_label(_("&Name:"), self.name_edit), self.errors.field(self.name_edit, "room_name", "name"))
        form.addRow(_label(_("Who may slee&p here:"), self.rules), self.errors.field(self.rules, "restriction"))
        form.addRow(self.errors.field(self.active_box, "room"))
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addStretch(1)
        bed_row = QHBoxLayout()
        bed_row.addWidget(self.bed_edit, 1)
        bed_row.addWidget(self.add_bed_button)
        capacity = QGroupBox(_("Capacity"))
        capacity_form = QFormLayout(capacity)
        bed_box = QWidget()
        bed_box.setLayout(bed_row)
        bed_row.setContentsMargins(0, 0, 0, 0)
        capacity_form.addRow(_label(_("New bed &label:"), self.bed_edit),
                             self.errors.field(bed_box, "bed_label", "beds", focus=self.bed_edit))
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(self.errors.general)
        layout.addLayout(save_row)
        layout.addWidget(capacity)
        layout.addStretch(1)

    def show_item(self, view: RoomView) -> None:
        self.view = view
        self.errors.clear()
        self.title.setText(_("Room {name}").format(name=view.name))
        self.name_edit.setText(view.name)
        self.rules.set(view)
        self.active_box.setChecked(view.active)
        labels = [b.label for b in view.beds]
        suggestion = str(len(labels) + 1)
        while suggestion in labels:
            suggestion = str(int(suggestion) + 1)
        self.bed_edit.setText(suggestion)

    def save(self) -> None:
        if self.view is None:
            return
        ok, saved = self.errors.attempt(lambda: shelters.update_room(
            self._tab.who, self.view.id, self.name_edit.text(), active=self.active_box.isChecked(),
            **self.rules.values()))
        if ok:
            publish(PlacesChanged())  # the bed board and the dashboard follow
            self._tab.reload((ROOM, saved.id), _("Room saved."))

    def add_bed(self) -> None:
        if self.view is None:
            return
        ok, bed = self.errors.attempt(lambda: shelters.add_bed(self._tab.who, self.view.id, self.bed_edit.text()))
        if ok:
            publish(PlacesChanged())  # the bed board and the dashboard follow
            self._tab.reload((ROOM, self.view.id), _("Bed {label} added.").format(label=bed.label))


class BedForm(QWidget):
    def __init__(self, tab: PlacesTab) -> None:
        super().__init__()
        self._tab = tab
        self.view: BedView | None = None
        self.errors = FieldErrors()
        self.title = QLabel()
        self.title.setProperty("role", "heading")
        self.label_edit = QLineEdit()
        self.label_edit.setAccessibleName(_("Bed label"))
        self.label_edit.setMaxLength(40)
        self.active_box = QCheckBox(_("In ser&vice"))
        self.active_box.setAccessibleName(_("Bed in service"))
        self.active_box.setToolTip(_(IN_SERVICE_TIP))
        self.save_button = QPushButton(_("&Save changes"))
        self.save_button.clicked.connect(self.save)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(_label(_("&Label:"), self.label_edit), self.errors.field(self.label_edit, "bed_label"))
        form.addRow(self.errors.field(self.active_box, "bed"))
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(self.errors.general)
        layout.addLayout(row)
        layout.addStretch(1)

    def show_item(self, view: BedView) -> None:
        self.view = view
        self.errors.clear()
        self.title.setText(_("Bed {label}").format(label=view.label))
        self.label_edit.setText(view.label)
        self.active_box.setChecked(view.active)

    def save(self) -> None:
        if self.view is None:
            return
        ok, saved = self.errors.attempt(lambda: shelters.update_bed(
            self._tab.who, self.view.id, self.label_edit.text(), self.active_box.isChecked()))
        if ok:
            publish(PlacesChanged())  # the bed board and the dashboard follow
            self._tab.reload((BED, saved.id), _("Bed saved."))


class PlacesTab(QWidget):
    """The tree of shelters, rooms and beds beside the chosen item's form."""

    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.dialog: QDialog | None = None
        self.model = PlacesModel(who, self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAccessibleName(_("Shelters, rooms and beds"))
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setStretchLastSection(True)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.tree.selectionModel().currentChanged.connect(self._current_changed)

        self.add_shelter_button = QPushButton(_("Add s&helter…"))
        self.add_shelter_button.setAccessibleName(_("Add shelter"))
        self.add_shelter_button.clicked.connect(self.add_shelter)
        self.add_room_button = QPushButton(_("Add &room…"))
        self.add_room_button.setAccessibleName(_("Add room"))
        self.add_room_button.clicked.connect(self.add_room)

        self.empty = QLabel(_("Choose a shelter, a room or a bed to change it."))
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.shelter_form = ShelterForm(self)
        self.room_form = RoomForm(self)
        self.bed_form = BedForm(self)
        self.stack = QStackedWidget()
        for page in (self.empty, self.shelter_form, self.room_form, self.bed_form):
            self.stack.addWidget(page)

        self.status = status_label()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_shelter_button)
        buttons.addWidget(self.add_room_button)
        buttons.addStretch(1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        # The names stay readable however narrow the window: the editor beside
        # it scrolls before the list of shelters and rooms shrinks to nothing.
        self.tree.setMinimumWidth(280)
        splitter.addWidget(self.tree)
        editor = QScrollArea()  # a tall room editor scrolls instead of making the window taller than the screen
        editor.setWidgetResizable(True)
        editor.setFrameShape(QFrame.Shape.NoFrame)
        editor.setWidget(self.stack)
        splitter.addWidget(editor)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        self.reload()

    # -- tree ----------------------------------------------------------------

    def _expanded(self) -> set[str]:
        keys: set[str] = set()

        def walk(parent: QModelIndex) -> None:
            for row in range(self.model.rowCount(parent)):
                index = self.model.index(row, 0, parent)
                if self.tree.isExpanded(index):
                    keys.add(self.model.data(index, KEY_ROLE))
                    walk(index)
        walk(QModelIndex())
        return keys

    def reload(self, select: tuple[str, int] | None = None, message: str = "") -> None:
        first = not self.model.shelters
        expanded = self._expanded()
        current = self.current_key()
        self.model.reload()
        for row in range(self.model.rowCount()):
            shelter = self.model.index(row, 0)
            if first or self.model.data(shelter, KEY_ROLE) in expanded:
                self.tree.expand(shelter)
            for room_row in range(self.model.rowCount(shelter)):
                room = self.model.index(room_row, 0, shelter)
                if self.model.data(room, KEY_ROLE) in expanded:
                    self.tree.expand(room)
        target = select or current
        if target is not None:
            index = self.model.find(*target)
            if index.isValid():
                parent = self.model.parent(index)
                while parent.isValid():
                    self.tree.expand(parent)
                    parent = self.model.parent(parent)
                self.tree.setCurrentIndex(index)
                self.tree.scrollTo(index)
        for column in range(self.model.columnCount() - 1):
            self.tree.resizeColumnToContents(column)
        self._show_current()
        self.status.setText(message)

    def current_key(self) -> tuple[str, int] | None:
        item = self.model.item(self.tree.currentIndex())
        return (item[0], item[1].id) if item else None  # type: ignore[union-attr]

    def _current_changed(self, *_args: object) -> None:
        self.status.clear()
        self._show_current()

    def _show_current(self) -> None:
        item = self.model.item(self.tree.currentIndex())
        self.add_room_button.setEnabled(item is not None)
        if item is None:
            self.stack.setCurrentWidget(self.empty)
            return
        kind, view = item
        form = {SHELTER: self.shelter_form, ROOM: self.room_form, BED: self.bed_form}[kind]
        form.show_item(view)  # type: ignore[arg-type]
        self.stack.setCurrentWidget(form)

    # -- dialogs -------------------------------------------------------------

    def _open(self, dialog: QDialog, done) -> None:  # noqa: ANN001
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(done)
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        dialog.open()

    def add_shelter(self) -> None:
        dialog = ShelterDialog(self.who, self)
        self._open(dialog, lambda: self.reload(
            (SHELTER, dialog.created.id), _("Shelter {name} added.").format(name=dialog.created.name)))

    def add_room(self) -> None:
        shelter = self.model.shelter_of(self.tree.currentIndex())
        if shelter is None:
            if len(self.model.shelters) != 1:
                return
            shelter = self.model.shelters[0]
        dialog = RoomDialog(self.who, shelter, self)
        self._open(dialog, lambda: self.reload(
            (ROOM, dialog.created.id), _("Room {name} added.").format(name=dialog.created.name)))
