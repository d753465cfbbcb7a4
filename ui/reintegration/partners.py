"""The partner directory of the Reintegration section: the organisations the
shelter refers residents to (health, legal aid, IOM, associations,
employment, education, consulates), with their kind, city and contact.

Those who manage the directory (MANAGE_PARTNERS: the administrator, the
coordinator, the social workers) add, edit, retire and restore partners; a
counsellor reads it. A retired partner keeps its referrals and is offered for
no new one; retired partners are listed when asked for. A refusal (a name
already in the directory) is shown beside its field and nothing typed is lost.
The directory is a short list, read on the GUI thread as Administration's
screens read theirs."""

from __future__ import annotations

from shelter.domain.vocabulary import PARTNER_KIND
from shelter.errors import ShelterError
from shelter.i18n import N_, _
from shelter.security.permissions import Permission
from shelter.services import partners
from shelter.services.partners import PartnerView
from shelter.store import SignedIn
from ui.admin.forms import dialog_buttons, status_label
from ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFont,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QModelIndex,
    QPalette,
    QPersistentModelIndex,
    QPlainTextEdit,
    QPushButton,
    QShowEvent,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    error_text,
)
from ui.reintegration.board import select_row
from ui.widgets import FieldErrors, fit_to_screen, paragraph
from ui.widgets.views import RowsModel

_Index = QModelIndex | QPersistentModelIndex


def first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    return lines[0] + (" …" if len(lines) > 1 else "")


class PartnersModel(RowsModel):
    HEADERS = (N_("Organisation"), N_("Kind"), N_("City"), N_("Contact"), N_("Status"))
    NAME, KIND, CITY, CONTACT, STATUS = range(5)

    @property
    def partners(self) -> list[PartnerView]:
        return self._shown

    def set_partners(self, views: list[PartnerView]) -> None:
        self._reset(views)

    def partner(self, row: int) -> PartnerView:
        return self._shown[row]

    def row_of(self, partner_id: int) -> int:
        return next((r for r, v in enumerate(self._shown) if v.partner_id == partner_id), -1)

    def text(self, view: PartnerView, column: int) -> str:
        if column == self.NAME:
            return view.name
        if column == self.KIND:
            return PARTNER_KIND.label(view.kind)
        if column == self.CITY:
            return view.city
        if column == self.CONTACT:
            return first_line(view.contact)
        return _("Active") if view.active else _("Retired")

    def data(self, index: _Index, role: int = Qt.DisplayRole):  # noqa: ANN201
        if not index.isValid() or not 0 <= index.row() < len(self.partners):
            return None
        view = self.partners[index.row()]
        column = index.column()
        if role in (Qt.DisplayRole, Qt.AccessibleTextRole):
            return self.text(view, column)
        if role == Qt.ToolTipRole:
            return view.contact if column == self.CONTACT else self.text(view, column)
        if not view.active:
            if role == Qt.FontRole:
                font = QFont()
                font.setItalic(True)
                return font
            if role == Qt.ForegroundRole:
                return QPalette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        return None


def _label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


class PartnerDialog(QDialog):
    """Add a partner to the directory, or edit one (``view``)."""

    def __init__(self, who: SignedIn, view: PartnerView | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._who = who
        self.view = view
        self.saved: PartnerView | None = None
        self.setWindowTitle(_("New partner") if view is None else _("Edit partner"))
        self.errors = FieldErrors()
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(200)
        self.name_edit.setAccessibleName(_("Organisation's name"))
        self.name_edit.setToolTip(_("As the resident's consent to share names it: referrals are checked against it."))
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName(_("Kind of partner"))
        self.kind_combo.addItem(_("Choose…"), None)
        for code, label in PARTNER_KIND.choices():
            self.kind_combo.addItem(label, code)
        self.city_edit = QLineEdit()
        self.city_edit.setMaxLength(120)
        self.city_edit.setAccessibleName(_("City"))
        self.contact_edit = QPlainTextEdit()
        self.contact_edit.setTabChangesFocus(True)
        self.contact_edit.setAccessibleName(_("Contact"))
        self.contact_edit.setPlaceholderText(_("A person, a telephone number, an address"))
        self.contact_edit.setFixedHeight(self.contact_edit.fontMetrics().lineSpacing() * 3 + 14)
        if view is not None:
            self.name_edit.setText(view.name)
            self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(view.kind)))
            self.city_edit.setText(view.city)
            self.contact_edit.setPlainText(view.contact)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(_label(_("&Name:"), self.name_edit), self.errors.field(self.name_edit, "name"))
        form.addRow(_label(_("&Kind:"), self.kind_combo), self.errors.field(self.kind_combo, "kind"))
        form.addRow(_label(_("Cit&y:"), self.city_edit), self.errors.field(self.city_edit, "city"))
        form.addRow(_label(_("&Contact:"), self.contact_edit), self.errors.field(self.contact_edit, "contact"))
        self.buttons, self.ok_button = dialog_buttons(_("&Add partner") if view is None else _("&Save partner"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.errors.general)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)
        fit_to_screen(self, 560, self.sizeHint().height())

    def submit(self) -> None:
        name, kind = self.name_edit.text(), self.kind_combo.currentData() or ""
        city, contact = self.city_edit.text(), self.contact_edit.toPlainText()
        if self.view is None:
            ok, saved = self.errors.attempt(lambda: partners.add_partner(self._who, name, kind, city, contact))
        else:
            pid, active = self.view.partner_id, self.view.active
            ok, saved = self.errors.attempt(
                lambda: partners.update_partner(self._who, pid, name, kind, city, contact, active))
        if ok:
            self.saved = saved
            self.accept()


class PartnersView(QWidget):
    """The directory, with Add…, Edit…, Retire/Restore and "Show retired"."""

    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.may_manage = who.actor.has(Permission.MANAGE_PARTNERS)
        self.dialog: PartnerDialog | None = None
        self.changed_callbacks: list = []  # told after a write (the board shows partners' names)

        self.add_button = QPushButton(self)
        self.edit_button = QPushButton(self)
        self.retire_button = QPushButton(self)
        for button in (self.add_button, self.edit_button, self.retire_button):
            button.setVisible(self.may_manage)
        self.show_retired = QCheckBox(self)
        self.intro = paragraph(self, "muted")
        self.status = status_label()
        self.status.setParent(self)
        self.model = PartnersModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.ElideRight)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setSectionResizeMode(PartnersModel.NAME, QHeaderView.Stretch)
        header.setSectionResizeMode(PartnersModel.KIND, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(PartnersModel.STATUS, QHeaderView.ResizeToContents)
        header.resizeSection(PartnersModel.CITY, 140)
        header.resizeSection(PartnersModel.CONTACT, 260)
        header.setStretchLastSection(False)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.retire_button)
        buttons.addSpacing(12)
        buttons.addWidget(self.show_retired)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.intro)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)

        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.retire_button.clicked.connect(self.retire_or_restore)
        self.show_retired.toggled.connect(lambda _on: self.reload())
        self.table.activated.connect(lambda _index: self.edit())
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._show_buttons())
        self.retranslate()

    def retranslate(self) -> None:
        self.add_button.setText(_("&Add partner…"))
        self.add_button.setAccessibleName(_("Add partner"))
        self.edit_button.setText(_("&Edit…"))
        self.edit_button.setAccessibleName(_("Edit partner"))
        self.show_retired.setText(_("Show re&tired partners"))
        self.show_retired.setAccessibleName(_("Show retired partners"))
        self.table.setAccessibleName(_("Partner directory"))
        self.intro.setText(_(
            "The organisations residents are referred to. A referral is checked against the resident's consent "
            "to share with the partner, under the name written here.") if self.may_manage else _(
            "The organisations residents are referred to."))
        self.model.retranslate()
        self._show_buttons()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.reload()

    def reload(self, select: int | None = None) -> None:
        chosen = self.selected()
        target = select if select is not None else (chosen.partner_id if chosen else None)
        try:
            views = partners.partners(self.who, include_retired=self.show_retired.isChecked())
        except ShelterError as exc:
            self.status.setText(error_text(exc))
            return
        self.model.set_partners(views)
        row = self.model.row_of(target) if target is not None else -1
        if row >= 0:
            select_row(self.table, row)
        self._show_buttons()

    def selected(self) -> PartnerView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.partner(rows[0].row()) if rows else None

    def _show_buttons(self) -> None:
        view = self.selected()
        self.edit_button.setEnabled(view is not None)
        self.retire_button.setEnabled(view is not None)
        retired = view is not None and not view.active
        self.retire_button.setText(_("Rest&ore") if retired else _("Ret&ire"))
        self.retire_button.setAccessibleName(_("Restore partner") if retired else _("Retire partner"))
        self.retire_button.setToolTip(
            _("Offer this partner for new referrals again") if retired
            else _("Offer this partner for no new referral; its referrals are kept"))

    # -- writes ---------------------------------------------------------------------

    def _open(self, dialog: PartnerDialog, done) -> None:  # noqa: ANN001
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(done)
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        dialog.open()

    def add(self) -> None:
        if not self.may_manage:
            return
        self.status.clear()
        dialog = PartnerDialog(self.who, None, self)
        self._open(dialog, lambda: self._saved(dialog.saved, _("{name} added to the directory.")))

    def edit(self) -> None:
        view = self.selected()
        if view is None or not self.may_manage:
            return
        self.status.clear()
        dialog = PartnerDialog(self.who, view, self)
        self._open(dialog, lambda: self._saved(dialog.saved, _("{name} saved.")))

    def retire_or_restore(self) -> None:
        view = self.selected()
        if view is None or not self.may_manage:
            return
        try:
            saved = partners.update_partner(self.who, view.partner_id, view.name, view.kind, view.city,
                                            view.contact, active=not view.active)
        except ShelterError as exc:
            self.status.setText(error_text(exc))
            return
        self._saved(saved, _("{name} restored.") if saved.active else _("{name} retired."))

    def _saved(self, saved: PartnerView | None, message: str) -> None:
        if saved is None:
            return
        self.reload(select=saved.partner_id)
        self.status.setText(message.format(name=saved.name))
        for callback in self.changed_callbacks:
            callback()
        self.table.setFocus(Qt.OtherFocusReason)
