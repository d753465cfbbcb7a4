"""Staff accounts: the list, and dialogs to create an account, change its
roles, reset its password (which also reactivates it) and deactivate it."""

from __future__ import annotations

from shelter.errors import ShelterError
from shelter.i18n import LANGUAGE_NAMES, N_, _, list_text
from shelter.security.permissions import Role
from shelter.services import accounts
from shelter.services.accounts import AccountView
from shelter.store import SignedIn
from ui.admin.forms import (
    PasswordPair,
    ask,
    dialog_buttons,
    status_label,
    tell,
)
from ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QCheckBox,
    QComboBox,
    QDialog,
    QFont,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QModelIndex,
    QPalette,
    QPersistentModelIndex,
    QPushButton,
    QSortFilterProxyModel,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from ui.widgets import FieldErrors, busy
from ui.widgets.dates import local_datetime, local_datetime_long

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
ROLE_ORDER = list(Role)


def roles_text(roles: frozenset[Role]) -> str:
    return list_text([r.label for r in sorted(roles, key=ROLE_ORDER.index)])


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


class AccountsModel(QAbstractTableModel):
    """Every staff account (a shelter has tens, not thousands: one list)."""

    USERNAME, NAME, ROLES, ACTIVE, MUST_CHANGE, LAST_SIGN_IN = range(6)
    HEADERS = (N_("Username"), N_("Name"), N_("Roles"), N_("Active"), N_("Must change password"),
               N_("Last sign-in"))

    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._who = who
        self._rows: list[AccountView] = []

    def reload(self) -> None:
        rows = accounts.list_accounts(self._who)
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def account(self, row: int) -> AccountView:
        return self._rows[row]

    def row_of(self, account_id: int) -> int:
        for row, account in enumerate(self._rows):
            if account.id == account_id:
                return row
        return -1

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.HEADERS):
            return _(self.HEADERS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        a = self._rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return (a.username, a.display_name, roles_text(a.roles), yes_no(a.active),
                    yes_no(a.must_change_password), local_datetime(a.last_sign_in_at))[col]
        if role == SORT_ROLE:
            if col == self.LAST_SIGN_IN:
                return a.last_sign_in_at.timestamp() if a.last_sign_in_at else -1.0
            if col == self.ACTIVE:
                return int(a.active)
            if col == self.MUST_CHANGE:
                return int(a.must_change_password)
            text = (a.username, a.display_name, roles_text(a.roles))[col]
            return text.casefold()
        if role == ID_ROLE:
            return a.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.LAST_SIGN_IN and a.last_sign_in_at:
                return local_datetime_long(a.last_sign_in_at)
            if not a.active:
                return _("Deactivated: the password no longer opens the store. Reset the password to reactivate.")
            return None
        if role == Qt.ItemDataRole.FontRole and not a.active:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and not a.active:
            return QPalette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        return None


class RoleChecks(QGroupBox):
    """One checkbox per role."""

    def __init__(self, title: str, chosen: frozenset[Role] = frozenset(), parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.setAccessibleName(_("Roles"))
        layout = QVBoxLayout(self)
        self.boxes: dict[Role, QCheckBox] = {}
        for role in ROLE_ORDER:
            box = QCheckBox(role.label)
            box.setAccessibleName(role.label)
            box.setChecked(role in chosen)
            layout.addWidget(box)
            self.boxes[role] = box
        self.setFocusProxy(self.boxes[ROLE_ORDER[0]])

    def chosen(self) -> list[Role]:
        return [role for role, box in self.boxes.items() if box.isChecked()]


class AccountDialog(QDialog):
    """Create an account with a temporary password (changed at first sign-in)."""

    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._who = who
        self.created: AccountView | None = None
        self.setWindowTitle(_("New staff account"))
        self.errors = FieldErrors()

        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(_("Full name"))
        self.name_edit.setMaxLength(120)
        self.username_edit = QLineEdit()
        self.username_edit.setAccessibleName(_("Username"))
        self.username_edit.setMaxLength(32)
        self.username_edit.setToolTip(
            _("2 to 32 characters: Latin letters, digits, dot, dash or underscore. Used to sign in."))
        self.roles = RoleChecks(_("&Roles"))
        self.passwords = PasswordPair(lambda: self.username_edit.text().strip())

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        name_label = QLabel(_("&Full name:"))
        name_label.setBuddy(self.name_edit)
        form.addRow(name_label, self.errors.field(self.name_edit, "display_name"))
        user_label = QLabel(_("&Username:"))
        user_label.setBuddy(self.username_edit)
        form.addRow(user_label, self.errors.field(self.username_edit, "username"))
        form.addRow(self.errors.field(self.roles, "roles"))
        pw_label = QLabel(_("&Temporary password:"))
        pw_label.setBuddy(self.passwords.password)
        form.addRow(pw_label, self.errors.field(self.passwords.password, "password"))
        again_label = QLabel(_("Temporary password &again:"))
        again_label.setBuddy(self.passwords.confirm)
        form.addRow(again_label, self.errors.field(self.passwords.confirm, "password_confirm"))
        form.addRow("", self.passwords.meter_box())

        note = QLabel(_("The person must choose their own password at their first sign-in. "
                        "Give them the temporary password in person, never by message."))
        note.setWordWrap(True)

        self.buttons, self.ok_button = dialog_buttons(_("&Create account"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.errors.general)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def submit(self) -> None:
        self.errors.clear()
        if not self.passwords.matches():
            self.errors.show_error(self.passwords.mismatch_error())
            return
        ok, created = self.errors.attempt(lambda: accounts.create_account(
            self._who, self.username_edit.text(), self.name_edit.text(), self.roles.chosen(),
            self.passwords.password.text(), must_change_password=True,
        ))
        if ok:
            self.created = created
            self.accept()


class RolesDialog(QDialog):
    """Correct the name and language of one account and change its roles."""

    def __init__(self, who: SignedIn, account: AccountView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._who = who
        self._account = account
        self.updated: AccountView | None = None
        self.setWindowTitle(_("Account of {name}").format(name=account.display_name))
        self.errors = FieldErrors()
        self.name_edit = QLineEdit(account.display_name)
        self.name_edit.setAccessibleName(_("Full name"))
        self.name_edit.setMaxLength(120)
        self.language = QComboBox()
        self.language.setAccessibleName(_("Language"))
        self.language.addItem(_("The workstation's language"), None)
        for code, name in LANGUAGE_NAMES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(self.language.findData(account.language), 0))
        self.roles = RoleChecks(_("&Roles"), account.roles)
        intro = QLabel(_("Choose what {name} ({username}) may do.").format(
            name=account.display_name, username=account.username))
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        form = QFormLayout()
        name_label = QLabel(_("&Full name:"))
        name_label.setBuddy(self.name_edit)
        form.addRow(name_label, self.errors.field(self.name_edit, "display_name"))
        language_label = QLabel(_("&Language:"))
        language_label.setBuddy(self.language)
        form.addRow(language_label, self.errors.field(self.language, "language"))
        self.buttons, self.ok_button = dialog_buttons(_("&Save"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(intro)
        layout.addWidget(self.errors.field(self.roles, "roles", "account"))
        layout.addWidget(self.errors.general)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def submit(self) -> None:
        self.errors.clear()
        account = self._account
        name, language = self.name_edit.text(), self.language.currentData()
        if name.strip() != account.display_name or language != account.language:
            ok, updated = self.errors.attempt(
                lambda: accounts.update_account(self._who, account.id, name, language))
            if not ok:
                return
            self.updated = updated
        if frozenset(self.roles.chosen()) != account.roles:
            ok, updated = self.errors.attempt(
                lambda: accounts.set_roles(self._who, account.id, self.roles.chosen()))
            if not ok:
                return
            self.updated = updated
        self.accept()


class ResetPasswordDialog(QDialog):
    """Give an account a temporary password; an inactive account is reactivated."""

    def __init__(self, who: SignedIn, account: AccountView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._who = who
        self._account = account
        self.updated: AccountView | None = None
        self.errors = FieldErrors()
        if account.active:
            self.setWindowTitle(_("Reset password"))
            text = _("Give {name} ({username}) a temporary password. Their current password stops working "
                     "now; they must choose a new one at their next sign-in.")
            accept = _("&Reset password")
        else:
            self.setWindowTitle(_("Reactivate account"))
            text = _("Reactivate the account of {name} ({username}) with a temporary password. They must "
                     "choose a new one at their next sign-in.")
            accept = _("&Reactivate account")
        intro = QLabel(text.format(name=account.display_name, username=account.username))
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.passwords = PasswordPair(lambda: account.username)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        pw_label = QLabel(_("&Temporary password:"))
        pw_label.setBuddy(self.passwords.password)
        form.addRow(pw_label, self.errors.field(self.passwords.password, "temporary_password", "password"))
        again_label = QLabel(_("Temporary password &again:"))
        again_label.setBuddy(self.passwords.confirm)
        form.addRow(again_label, self.errors.field(self.passwords.confirm, "password_confirm"))
        form.addRow("", self.passwords.meter_box())
        self.buttons, self.ok_button = dialog_buttons(accept)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.errors.general)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def submit(self) -> None:
        self.errors.clear()
        if not self.passwords.matches():
            self.errors.show_error(self.passwords.mismatch_error())
            return
        ok, updated = self.errors.attempt(
            lambda: accounts.reset_password(self._who, self._account.id, self.passwords.password.text()))
        if ok:
            self.updated = updated
            self.accept()


class AccountsTab(QWidget):
    """The staff account list and its actions."""

    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._who = who
        self.dialog: QDialog | None = None
        self.model = AccountsModel(who, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)

        self.new_button = QPushButton(_("&New account…"))
        self.roles_button = QPushButton(_("&Edit…"))
        self.password_button = QPushButton(_("Reset &password…"))
        self.deactivate_button = QPushButton(_("&Deactivate…"))
        for button in (self.new_button, self.roles_button, self.password_button, self.deactivate_button):
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
        self.new_button.clicked.connect(self.new_account)
        self.roles_button.clicked.connect(self.edit_roles)
        self.password_button.clicked.connect(self.reset_password)
        self.deactivate_button.clicked.connect(self.deactivate)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName(_("Staff accounts"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.sortByColumn(AccountsModel.USERNAME, Qt.SortOrder.AscendingOrder)
        self.table.activated.connect(lambda _index: self.edit_roles())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

        self.status = status_label()
        hint = QLabel(_("Deactivated accounts stay in the list so the audit log keeps its names. "
                        "To let someone back in, reset their password."))
        hint.setWordWrap(True)

        buttons = QHBoxLayout()
        for button in (self.new_button, self.roles_button, self.password_button, self.deactivate_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(hint)
        self.reload()

    # -- list ----------------------------------------------------------------

    def reload(self, select_id: int | None = None) -> None:
        current = select_id if select_id is not None else self._selected_id()
        self.model.reload()
        self.table.resizeColumnsToContents()
        if current is not None:
            self.select(current)
        self._update_buttons()

    def select(self, account_id: int) -> None:
        row = self.model.row_of(account_id)
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectRow(index.row())
        self.table.setCurrentIndex(index)

    def _selected_id(self) -> int | None:
        account = self.selected()
        return account.id if account else None

    def selected(self) -> AccountView | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        return self.model.account(self.proxy.mapToSource(rows[0]).row())

    def _update_buttons(self, *_args: object) -> None:
        account = self.selected()
        chosen = account is not None
        self.roles_button.setEnabled(chosen)
        self.password_button.setEnabled(chosen)
        own = chosen and account.id == self._who.actor.account_id
        self.deactivate_button.setEnabled(chosen and account.active and not own)
        self.deactivate_button.setToolTip(_("You cannot deactivate your own account.") if own else "")
        if account is not None and not account.active:
            self.password_button.setText(_("Reac&tivate…"))
            self.password_button.setToolTip(_("Reactivate the account by giving it a temporary password."))
        else:
            self.password_button.setText(_("Reset &password…"))
            self.password_button.setToolTip(_("Give the account a temporary password, to be changed at "
                                              "the next sign-in."))
        self.password_button.setAccessibleName(self.password_button.text().replace("&", "").rstrip("…"))

    # -- actions -------------------------------------------------------------

    def _open(self, dialog: QDialog, done) -> None:  # noqa: ANN001
        """Open ``dialog`` window-modal without blocking (tests drive it)."""
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(done)
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        dialog.open()

    def new_account(self) -> None:
        dialog = AccountDialog(self._who, self)

        def done() -> None:
            created = dialog.created
            self.reload(created.id)
            self.status.setText(_("Account {username} created. They must change the temporary password at "
                                  "their first sign-in.").format(username=created.username))
        self._open(dialog, done)

    def edit_roles(self) -> None:
        account = self.selected()
        if account is None:
            return
        dialog = RolesDialog(self._who, account, self)

        def done() -> None:
            self.reload(account.id)
            message = _("Account of {username} saved.").format(username=account.username)
            if account.id == self._who.actor.account_id:
                message += " " + _("Sign out and in again for your own new roles to apply.")
            self.status.setText(message)
        self._open(dialog, done)

    def reset_password(self) -> None:
        account = self.selected()
        if account is None:
            return
        dialog = ResetPasswordDialog(self._who, account, self)

        def done() -> None:
            self.reload(account.id)
            if account.active:
                text = _("Password of {username} reset. They must change it at their next sign-in.")
            else:
                text = _("Account {username} reactivated. They must change the temporary password at their "
                         "next sign-in.")
            self.status.setText(text.format(username=account.username))
        self._open(dialog, done)

    def deactivate(self) -> None:
        account = self.selected()
        if account is None:
            return
        question = _("Deactivate the account of {name} ({username})?\n\n"
                     "Their password will no longer open the store, from now on. The account stays in the "
                     "list and in the audit log. To let them back in later, reset their password.\n\n"
                     "If they may have kept a copy of the data files, also change the database key "
                     "afterwards.").format(name=account.display_name, username=account.username)
        if not ask(self, _("Deactivate account"), question, _("&Deactivate")):
            return
        try:
            with busy():
                accounts.deactivate(self._who, account.id)
        except ShelterError as exc:
            tell(self, _("Deactivate account"), str(exc))
            return
        self.reload(account.id)
        self.status.setText(_("Account {username} deactivated: its password no longer opens the store.").format(
            username=account.username))
