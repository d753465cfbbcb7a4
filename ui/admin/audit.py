"""The audit log viewer: who did what, when, to which record; filtered in
SQL and fetched page by page as the person scrolls, with the state of the
HMAC chain shown above the list."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from shelter.errors import ShelterError
from shelter.i18n import N_, _, ngettext
from shelter.security.audit import ACTIONS
from shelter.services import accounts, audit_log
from shelter.services.audit_log import AuditFilter, AuditView
from shelter.store import SignedIn
from ui.admin.forms import tell
from ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QCheckBox,
    QComboBox,
    QDate,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QModelIndex,
    QPersistentModelIndex,
    QPushButton,
    QShowEvent,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from ui.widgets.dates import DateField, local_datetime_long

PAGE = 200

OUTCOMES = {"ok": N_("done"), "denied": N_("refused"), "failed": N_("failed"), "started": N_("started")}

_Index = QModelIndex | QPersistentModelIndex


class AuditModel(QAbstractTableModel):
    """Newest first; more rows are fetched (by key, not by offset) when the
    view scrolls to the end, so a log of a million entries opens at once."""

    HEADERS = (N_("When"), N_("Who"), N_("Action"), N_("Item"), N_("Outcome"))

    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._who = who
        self._filter = AuditFilter()
        self._rows: list[AuditView] = []
        self._more = False

    def load(self, f: AuditFilter, record_view: bool = False) -> None:
        self.beginResetModel()
        self._filter = f
        self._rows = audit_log.list_entries(self._who, f, limit=PAGE, record_view=record_view)
        self._more = len(self._rows) == PAGE
        self.endResetModel()

    def entry(self, row: int) -> AuditView:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: N802, B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: N802, B008
        if parent.isValid() or not self._rows:
            return
        more = audit_log.list_entries(self._who, self._filter, limit=PAGE, before_id=self._rows[-1].id)
        self._more = len(more) == PAGE
        if more:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
            self._rows.extend(more)
            self.endInsertRows()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802, ANN201
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(self.HEADERS[section])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid():
            return None
        e = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            column = index.column()
            if column == 0:
                return local_datetime_long(e.at)
            if column == 1:
                return e.actor or _("(system)")
            if column == 2:
                return e.action_label
            if column == 3:
                return f"{e.record_type} #{e.record_id}" if e.record_type else ""
            return _(OUTCOMES.get(e.outcome, e.outcome))
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 0:
            return _("Entry {number}").format(number=e.id)
        return None


class AuditTab(QWidget):
    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._who = who

        self.chain = QLabel()
        self.chain.setObjectName("chainStatus")
        self.chain.setWordWrap(True)
        self.check_button = QPushButton(_("Check the &chain again"))

        self.person = QComboBox()
        self.person.setAccessibleName(_("Person"))
        self.person.addItem(_("Everyone"), None)
        for account in accounts.list_accounts(who):
            self.person.addItem(f"{account.display_name} ({account.username})", account.id)
        self.action = QComboBox()
        self.action.setAccessibleName(_("Action"))
        self.action.addItem(_("Every action"), None)
        for code, label in sorted(ACTIONS.items(), key=lambda item: _(item[1])):
            self.action.addItem(_(label), code)
        today = QDate.currentDate()
        self.use_dates = QCheckBox(_("&Between"))
        self.since = DateField("since")
        self.since.setDate(today.addDays(-30))
        self.until = DateField("until")
        for edit, name in ((self.since, _("From date")), (self.until, _("To date"))):
            edit.setMaximumDate(today)
            edit.edit.setAccessibleName(name)
            edit.setEnabled(False)
        self.use_dates.toggled.connect(self.since.setEnabled)
        self.use_dates.toggled.connect(self.until.setEnabled)
        self.record = QLineEdit()
        self.record.setPlaceholderText(_("e.g. staff_account #3"))
        self.record.setAccessibleName(_("Item"))
        self.apply_button = QPushButton(_("&Show"))
        self.apply_button.setDefault(True)

        filters = QFormLayout()
        person_label = QLabel(_("&Person:"))
        person_label.setBuddy(self.person)
        action_label = QLabel(_("&Action:"))
        action_label.setBuddy(self.action)
        record_label = QLabel(_("&Item:"))
        record_label.setBuddy(self.record)
        dates = QHBoxLayout()
        dates.addWidget(self.since)
        dates.addWidget(QLabel(_("and")))
        dates.addWidget(self.until)
        dates.addStretch(1)
        filters.addRow(person_label, self.person)
        filters.addRow(action_label, self.action)
        filters.addRow(self.use_dates, dates)
        filters.addRow(record_label, self.record)

        self.model = AuditModel(who, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(_("Audit log entries"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.count = QLabel()

        top = QHBoxLayout()
        top.addWidget(self.chain, 1)
        top.addWidget(self.check_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count, 1)
        buttons.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)

        self.apply_button.clicked.connect(self.refresh)
        self.record.returnPressed.connect(self.refresh)
        self.check_button.clicked.connect(self.check_chain)
        self._viewed = False

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Read when shown, not when Administration opens: the viewing is
        audited only if the log was seen, and each return to the tab shows
        what happened since. The chain is checked after the viewing's own
        entry, so its count and the list agree."""
        super().showEvent(event)
        self.refresh(record_view=not self._viewed)
        self._viewed = True
        self.check_chain()

    def current_filter(self) -> AuditFilter:
        since = until = None
        if self.use_dates.isChecked():
            zone = datetime.now().astimezone().tzinfo or UTC
            since = datetime.combine(self.since.value(), time.min, zone).astimezone(UTC)
            until = datetime.combine(self.until.value() + timedelta(days=1), time.min, zone).astimezone(UTC)
        record_type = record_id = None
        text = self.record.text().strip()
        if text:
            kind, _sep, number = text.partition("#")
            record_type = kind.strip() or None
            record_id = number.strip() or None
        return AuditFilter(actor_id=self.person.currentData(), action=self.action.currentData(),
                           since=since, until=until, record_type=record_type, record_id=record_id)

    def refresh(self, record_view: bool = False) -> None:
        try:
            f = self.current_filter()
            self.model.load(f, record_view=record_view is True)
            total = audit_log.count_entries(self._who, f)
        except ShelterError as exc:
            tell(self, _("Audit log"), exc.message)
            return
        self.count.setText(ngettext("{count} entry", "{count} entries", total).format(count=total))

    def check_chain(self) -> None:
        try:
            report = audit_log.chain_status(self._who)
        except ShelterError as exc:
            tell(self, _("Audit log"), exc.message)
            return
        if report.ok:
            self.chain.setProperty("state", "ok")
            self.chain.setText(ngettext(
                "The chain is intact: {count} entry, none changed, removed or reordered.",
                "The chain is intact: {count} entries, none changed, removed or reordered.",
                report.entries).format(count=report.entries))
        else:
            self.chain.setProperty("state", "broken")
            where = report.bad_entry if report.bad_entry is not None else report.entries
            self.chain.setText(_(
                "The chain is broken at entry {number}: entries were changed, removed or reordered outside "
                "Shelter. Tell the person responsible for IT and keep a copy of the data folder as it is."
            ).format(number=where))
        self.chain.style().unpolish(self.chain)
        self.chain.style().polish(self.chain)
