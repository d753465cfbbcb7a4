"""The Residents section: search as you type, filters, and the resident's
file (identity, stays and bed history for now). Opening a file is audited."""

from __future__ import annotations

from shelter.domain.vocabulary import DESTINATION, RESIDENCE_STATUS, RISK_LEVEL
from shelter.errors import ShelterError
from shelter.i18n import N_, _, ngettext
from shelter.security.permissions import Permission
from shelter.services import discharge, residents
from shelter.services.residents import ResidentFile, ResidentRow
from shelter.store import SignedIn
from ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QComboBox,
    QDateTime,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QModelIndex,
    QPersistentModelIndex,
    QPushButton,
    QSortFilterProxyModel,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from ui.widgets import ErrorLabel, FieldErrors

SHOWN = 200  # rows in the list; the search narrows it
# Search as you type waits for a pause in the typing: every search is an
# audit entry (a write transaction), not one per key pressed.
SEARCH_DELAY_MS = 250
_Index = QModelIndex | QPersistentModelIndex


class ResidentsModel(QAbstractTableModel):
    HEADERS = (N_("Case number"), N_("Name"), N_("Nationality"), N_("Risk"), N_("Shelter name"), N_("Bed"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ResidentRow] = []

    def set_rows(self, rows: list[ResidentRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole):  # noqa: N802, ANN201
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return _(self.HEADERS[section])
        return None

    def data(self, index: _Index, role: int = Qt.DisplayRole):  # noqa: ANN201
        if not index.isValid() or role != Qt.DisplayRole:
            return None
        r = self.rows[index.row()]
        return (r.case_number, r.name, r.nationality, RISK_LEVEL.label(r.risk_level),
                r.shelter_name if r.in_residence else _("(left)"), r.bed)[index.column()]


class DischargeDialog(QDialog):
    """Date, destination and a short note; the bed becomes free."""

    def __init__(self, who: SignedIn, stay_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.stay_id = stay_id
        self.setWindowTitle(_("Discharge"))
        self.when = QDateTimeEdit(QDateTime.currentDateTime())
        self.when.setCalendarPopup(True)
        self.when.setMaximumDateTime(QDateTime.currentDateTime().addSecs(300))
        self.destination = QComboBox()
        for code, label in DESTINATION.choices():
            self.destination.addItem(label, code)
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("e.g. IOM, assisted return to Lagos"))
        self.error = ErrorLabel()
        self.errors = FieldErrors(self.error)
        form = QFormLayout()
        for text, field, name in ((_("&Date and time:"), self.when, "at"),
                                  (_("D&estination:"), self.destination, "destination"),
                                  (_("&Note:"), self.note, "note")):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, self.errors.field(field, name))
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Cancel).setText(_("Cancel"))
        self.ok_button = buttons.addButton(_("&Discharge"), QDialogButtonBox.AcceptRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def submit(self) -> None:
        ok, _result = self.errors.attempt(lambda: discharge.discharge(
            self.who, self.stay_id, self.when.dateTime().toPython().astimezone(),
            self.destination.currentData(), self.note.text()))
        if ok:
            self.accept()


class ResidentFileDialog(QDialog):
    def __init__(self, file: ResidentFile, parent: QWidget | None = None, who: SignedIn | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.file = file
        self.setWindowTitle(_("Resident {case}").format(case=file.case_number))
        i = file.identity
        form = QFormLayout()
        born = i.birth_date.isoformat() if i.birth_date else (
            _("about {year}").format(year=i.birth_year_estimated) if i.birth_year_estimated else _("unknown"))
        for label, value in ((_("Case number:"), file.case_number), (_("Name in Arabic script:"), i.name_arabic),
                             (_("Name in Latin script:"), i.name_latin), (_("Preferred name:"), i.preferred_name),
                             (_("Date of birth:"), born), (_("Nationality:"), i.nationality),
                             (_("Languages:"), ", ".join(i.languages) + (
                                 " · " + _("needs an interpreter") if i.interpreter_needed else "")),
                             (_("Risk level:"), RISK_LEVEL.label(file.protection.risk_level))):
            value_label = QLabel(value)
            value_label.setTextInteractionFlags(Qt.TextSelectableByKeyboard)
            form.addRow(QLabel(label), value_label)
        history = QLabel()
        history.setWordWrap(True)
        history.setTextFormat(Qt.PlainText)
        lines = []
        for stay in file.stays:
            end = stay.discharged_at.date().isoformat() if stay.discharged_at else _("in residence")
            destination = f" ({DESTINATION.label(stay.destination)})" if stay.destination else ""
            lines.append(f"{stay.shelter_name}: {stay.admitted_at.date().isoformat()} → {end}{destination}")
            for bed, start, stop in stay.beds:
                lines.append(f"    {bed}: {start.date().isoformat()} → "
                             + (stop.date().isoformat() if stop else "…"))
        history.setText("\n".join(lines))
        stays_title = QLabel(_("Stays and beds"))
        stays_title.setObjectName("subtitle")
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.button(QDialogButtonBox.Close).setText(_("Close"))
        buttons.rejected.connect(self.reject)
        open_stay = next((stay for stay in file.stays if stay.discharged_at is None), None)
        self.discharge_button = buttons.addButton(_("D&ischarge…"), QDialogButtonBox.ActionRole)
        self.discharge_button.setVisible(open_stay is not None and who is not None
                                         and who.actor.has(Permission.DISCHARGE))
        if open_stay is not None and who is not None:
            self.discharge_button.clicked.connect(lambda: self.discharge(open_stay.stay_id))
        self.handover_button = buttons.addButton(_("&Handover document…"), QDialogButtonBox.ActionRole)
        self.handover_button.setVisible(who is not None and who.actor.has(Permission.PRINT_HANDOVER))
        self.handover_button.clicked.connect(lambda: self.print_handover("transfer" if open_stay else "discharge"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(stays_title)
        layout.addWidget(history)
        layout.addWidget(buttons)

    def discharge(self, stay_id: int) -> None:
        self.discharge_dialog = DischargeDialog(self.who, stay_id, self)
        self.discharge_dialog.accepted.connect(self._discharged)
        self.discharge_dialog.open()

    def _discharged(self) -> None:
        """Close the file (the lists refresh) and open the handover form
        for the receiver, which the coordinator may cancel."""
        self.accept()
        if self.who is not None and self.who.actor.has(Permission.PRINT_HANDOVER):
            self.print_handover("discharge", parent=self.parentWidget())

    def print_handover(self, reason: str, parent: QWidget | None = None) -> None:
        from ui.documents.handover import HandoverDialog

        self.handover_dialog = HandoverDialog(self.who, self.file.resident_id, self.file.case_number, reason,
                                              parent=parent or self)
        self.handover_dialog.open()


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

        self.model = ResidentsModel(self)
        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(self.model)
        self.proxy = proxy
        self.table = QTableView()
        self.table.setModel(proxy)
        self.table.setSortingEnabled(True)
        self.table.setAccessibleName(_("Residents"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)

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
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.table.activated.connect(lambda _i: self.open_selected())
        self.table.selectionModel().selectionChanged.connect(
            lambda *_a: self.open_button.setEnabled(self.selected() is not None))
        self.open_button.clicked.connect(self.open_selected)
        self.refresh()

    def set_query(self, text: str) -> None:
        """From the global search (Ctrl+K): everyone, in residence or not."""
        self.status.blockSignals(True)
        self.status.setCurrentIndex(self.status.findData("all"))
        self.status.blockSignals(False)
        self.search.setText(text)
        self.refresh()  # at once, and once: not again when the typing delay ends

    def refresh(self) -> None:
        self._timer.stop()  # a search about to start makes the one pending redundant
        try:
            rows = residents.search_residents(self.who, self.search.text(), status=self.status.currentData(),
                                              risk_level=self.risk.currentData(), limit=SHOWN + 1)
        except ShelterError as exc:
            self.count.setText(exc.message)
            return
        self.model.set_rows(rows[:SHOWN])
        if len(rows) > SHOWN:
            # Never a silent cut: say that more people match.
            self.count.setText(_("More than {n} people match: the {n} registered last are shown. Type a name or a "
                                 "case number to narrow the list.").format(n=SHOWN))
        else:
            self.count.setText(ngettext("{n} person", "{n} people", len(rows)).format(n=len(rows)))

    def selected(self) -> ResidentRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.rows[self.proxy.mapToSource(rows[0]).row()]

    def open_selected(self) -> None:
        row = self.selected()
        if row is None or not self.who.actor.has(Permission.VIEW_RESIDENT):
            return
        try:
            file = residents.open_resident(self.who, row.resident_id)
        except ShelterError as exc:
            QMessageBox.warning(self, _("Residents"), exc.message)
            return
        self.dialog = ResidentFileDialog(file, self, self.who)
        self.dialog.accepted.connect(self.refresh)
        self.dialog.open()
