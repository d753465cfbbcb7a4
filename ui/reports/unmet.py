"""Referrals not admitted: the form that records one (from the bed board or
the Reports section) and the list of those recorded, from which one
recorded by mistake is withdrawn (kept, no longer counted).

Only what the reports count: no name, no date of birth, no contact. The
form says so above its fields."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from shelter.domain.dates import format_date
from shelter.domain.report_model import Period
from shelter.domain.vocabulary import AGE_BAND, REFERRAL_SOURCE, SEX, UNMET_REASON
from shelter.errors import ShelterError
from shelter.i18n import N_, _, isolate, pgettext
from shelter.services import shelters, unmet_requests
from shelter.services.unmet_requests import UnmetRequestInput, UnmetRequestView
from shelter.store import SignedIn
from ui.qt import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPushButton,
    QSpinBox,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    run_task,
)
from ui.widgets import ErrorLabel, FieldErrors, fit_to_screen, paragraph, scrolled
from ui.widgets.dates import DateField
from ui.widgets.guard import DiscardGuard
from ui.widgets.views import RowsModel, select_row

_Index = QModelIndex | QPersistentModelIndex
RECENT_DAYS = 365  # the list shows the requests of the last twelve months


def _run(dialog: QDialog, work: Callable[[], Any], done: Callable[[Any], None],
         failed: Callable[[BaseException], None]) -> None:
    """A write off the GUI thread, the dialog disabled and a busy cursor until it returns."""
    QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
    dialog.setEnabled(False)

    def returned(_value: object) -> None:
        QApplication.restoreOverrideCursor()

    def finish(callback: Callable[[Any], None]) -> Callable[[Any], None]:
        def call(value: Any) -> None:
            dialog.setEnabled(True)
            callback(value)
        return call

    dialog.task = run_task(dialog, work, finish(done), finish(failed), always=returned)


def _combo(choices: list[tuple[Any, str]], current: Any = None) -> QComboBox:
    box = QComboBox()
    for code, label in choices:
        box.addItem(label, code)
    box.setCurrentIndex(max(0, box.findData(current)))
    return box


class UnmetRequestForm(QDialog):
    """Record one referral that could not be taken in. ``recorded`` is the
    request once saved (the dialog is then accepted)."""

    def __init__(self, who: SignedIn, shelter_id: int | None = None, parent: QWidget | None = None,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.recorded: UnmetRequestView | None = None
        self.setWindowTitle(_("Referral not admitted"))
        self.error = ErrorLabel()
        self.errors = FieldErrors(self.error)
        self.no_names = QLabel(_("Do not write the person's name here: only what the figures count is kept."))
        self.no_names.setObjectName("important")
        self.no_names.setWordWrap(True)

        today = today or date.today()
        self.requested_on = DateField("requested_on")
        self.requested_on.set_value(today)
        self.requested_on.setMaximumDate(self.requested_on.date())
        places = [s for s in shelters.list_shelters(who) if s.active]
        self.shelter = _combo([(None, _("Choose…"))] + [(s.id, f"{s.name} ({s.code})") for s in places],
                              shelter_id if shelter_id is not None else (places[0].id if len(places) == 1 else None))
        self.shelter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.shelter.setMinimumContentsLength(24)
        self.source = _combo([(None, _("Choose…")), *REFERRAL_SOURCE.choices()])
        self.agency = QLineEdit()
        self.agency.setMaxLength(unmet_requests.AGENCY_MAX)
        self.agency.setPlaceholderText(_("an organisation, not a person: e.g. Sûreté nationale, Rabat"))
        self.reason = _combo([(None, _("Choose…")), *UNMET_REASON.choices()])
        self.reason_text = QLineEdit()
        self.reason_text.setMaxLength(unmet_requests.TEXT_MAX)
        self.sex = _combo([(None, _("Not said")), *SEX.choices()])
        self.age_band = _combo([(None, _("Not said")), *[(c, t) for c, t in AGE_BAND.choices() if c != "unknown"]])
        self.children = QSpinBox()
        self.children.setRange(0, 20)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.WrapLongRows)
        self.rows: dict[str, QLabel] = {}
        for name, text, widget in (
                ("requested_on", _("&Date of the referral:"), self.requested_on),
                ("shelter_id", _("S&helter asked:"), self.shelter),
                ("source", _("Referred &by:"), self.source),
                ("agency", _("Referring &organisation:"), self.agency),
                ("reason", _("&Why not admitted:"), self.reason),
                ("reason_text", _("Det&ails:"), self.reason_text),
                ("sex", _("Bed needed for (se&x):"), self.sex),
                ("age_band", _("Bed needed for (a&ge):"), self.age_band),
                ("children", _("Accompanying &children:"), self.children)):
            label = QLabel(text)
            label.setBuddy(widget)
            label.setWordWrap(True)
            self.rows[name] = label
            form.addRow(label, self.errors.field(widget, name))
        hint = paragraph(self, "muted")
        hint.setText(_("The sex and age are those of the bed that would have been needed: they show whether a "
                       "bed that fits was missing. Each referral counts, even for the same person twice."))

        self.buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Cancel).setText(_("Cancel"))
        self.ok_button = self.buttons.addButton(_("&Record"), QDialogButtonBox.AcceptRole)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(lambda: self.guard.leave())

        # The fields scroll on a short screen (Arabic's taller lines): the warning and the buttons stay.
        fields = QWidget()
        fields_layout = QVBoxLayout(fields)
        fields_layout.setContentsMargins(0, 0, 0, 0)
        fields_layout.addLayout(form)
        fields_layout.addWidget(hint)
        fields_layout.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.no_names)
        layout.addWidget(scrolled(fields, horizontal=False), 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.reason.currentIndexChanged.connect(self._reason_changed)
        self._reason_changed()
        self.guard = DiscardGuard(self)
        hint_size = fields.sizeHint()
        fit_to_screen(self, max(680, hint_size.width() + 40),
                      hint_size.height() + self.no_names.sizeHint().height() + self.buttons.sizeHint().height() + 80)

    def _reason_changed(self, _index: int = 0) -> None:
        other = self.reason.currentData() == "other"
        self.reason_text.setPlaceholderText(_("required for “Other”: what the reason was") if other
                                            else _("optional"))

    def request(self) -> UnmetRequestInput:
        """What the form says (a ValidationError for a date that cannot be read)."""
        return UnmetRequestInput(
            shelter_id=self.shelter.currentData(), requested_on=self.requested_on.value(),
            source=self.source.currentData(), reason=self.reason.currentData(), agency=self.agency.text(),
            reason_text=self.reason_text.text(), sex=self.sex.currentData(), age_band=self.age_band.currentData(),
            children=self.children.value())

    def submit(self) -> None:
        self.errors.clear()
        try:
            request = self.request()
        except ShelterError as exc:
            self.errors.show_error(exc)
            return
        who = self.who
        _run(self, lambda: unmet_requests.record_unmet_request(who, request), self._done, self.errors.show_error)

    def _done(self, view: UnmetRequestView) -> None:
        self.recorded = view
        self.accept()


class WithdrawForm(QDialog):
    """Why a request recorded by mistake is withdrawn (a duplicate, the wrong shelter)."""

    def __init__(self, who: SignedIn, request: UnmetRequestView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.request = request
        self.withdrawn: UnmetRequestView | None = None
        self.setWindowTitle(_("Withdraw a referral not admitted"))
        self.error = ErrorLabel()
        self.errors = FieldErrors(self.error)
        what = paragraph(self)
        what.setText(_("{date}, {shelter}: {reason}").format(
            date=format_date(request.requested_on), shelter=isolate(request.shelter),
            reason=UNMET_REASON.label(request.reason)))
        note = paragraph(self, "muted")
        note.setText(_("It stays on record but is no longer counted in the reports."))
        self.reason = QLineEdit()
        self.reason.setMaxLength(unmet_requests.TEXT_MAX)
        self.reason.setPlaceholderText(_("e.g. recorded twice, wrong shelter"))
        form = QFormLayout()
        label = QLabel(_("&Why is it withdrawn?"))
        label.setBuddy(self.reason)
        form.addRow(label, self.errors.field(self.reason, "withdraw_reason"))
        self.errors.add("unmet_request", self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Cancel).setText(_("Cancel"))
        self.ok_button = buttons.addButton(_("&Withdraw"), QDialogButtonBox.AcceptRole)
        self.ok_button.setDefault(True)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(lambda: self.guard.leave())
        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.guard = DiscardGuard(self)
        fit_to_screen(self, max(520, self.sizeHint().width()), self.sizeHint().height() + 10)

    def submit(self) -> None:
        self.errors.clear()
        who, request_id, reason = self.who, self.request.id, self.reason.text()
        _run(self, lambda: unmet_requests.withdraw_unmet_request(who, request_id, reason), self._done,
             self.errors.show_error)

    def _done(self, view: UnmetRequestView) -> None:
        self.withdrawn = view
        self.accept()


class UnmetRequestsModel(RowsModel):
    HEADERS = (N_("Date"), N_("Shelter name"), N_("Referred by"), N_("Organisation"), N_("Why not admitted"),
               N_("Bed needed for"), N_("Children"), N_("Recorded by"))
    DATE, SHELTER, SOURCE, AGENCY, REASON, NEEDED, CHILDREN, RECORDER = range(8)

    def set_requests(self, views: list[UnmetRequestView]) -> None:
        self._reset(views)

    def request(self, row: int) -> UnmetRequestView:
        return self._shown[row]

    @property
    def requests(self) -> list[UnmetRequestView]:
        return list(self._shown)

    def text(self, view: UnmetRequestView, column: int) -> str:
        if column == self.DATE:
            return format_date(view.requested_on)
        if column == self.SHELTER:
            return view.shelter
        if column == self.SOURCE:
            return REFERRAL_SOURCE.label(view.source)
        if column == self.AGENCY:
            return view.agency
        if column == self.REASON:
            label = UNMET_REASON.label(view.reason)
            return f"{label}: {view.reason_text}" if view.reason_text else label
        if column == self.NEEDED:
            return " · ".join(x for x in (SEX.label(view.sex), AGE_BAND.label(view.age_band)) if x) or "–"
        if column == self.CHILDREN:
            return str(view.children)
        return view.recorded_by

    def data(self, index: _Index, role: int = Qt.DisplayRole):  # noqa: ANN201
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        view = self._shown[index.row()]
        if role in (Qt.DisplayRole, Qt.AccessibleTextRole, Qt.ToolTipRole):
            return self.text(view, index.column())
        if role == Qt.TextAlignmentRole and index.column() == self.CHILDREN:
            return int(Qt.AlignTrailing | Qt.AlignVCenter)
        return None


class UnmetRequestsDialog(QDialog):
    """The referrals not admitted of the last twelve months, newest first,
    for one shelter or all; record one, or withdraw one recorded by mistake.
    ``changed_callbacks`` are called after either (the report on screen is
    then out of date)."""

    def __init__(self, who: SignedIn, shelter_id: int | None = None, parent: QWidget | None = None,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.today = today or date.today()
        self.changed_callbacks: list[Callable[[], None]] = []
        self.form_dialog: QDialog | None = None
        self.setWindowTitle(_("Referrals not admitted"))
        self.error = ErrorLabel()
        places = shelters.list_shelters(who)
        self.shelter = _combo([(None, _("All shelters"))] + [(s.id, f"{s.name} ({s.code})") for s in places],
                              shelter_id)
        self.shelter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.shelter.setMinimumContentsLength(20)
        self.shelter.setAccessibleName(pgettext("a shelter, as a place", "Shelter"))
        shelter_label = QLabel(_("S&helter:"))
        shelter_label.setBuddy(self.shelter)
        self.note = paragraph(self, "muted")
        self.note.setText(_("Recorded in the last twelve months, newest first. Withdrawn ones are not listed."))

        self.model = UnmetRequestsModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName(_("Referrals not admitted"))
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.view.setTabKeyNavigation(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        # The texts share the width (cut where long, whole in their tooltips): nothing runs off the side.
        header.setSectionResizeMode(QHeaderView.Stretch)
        header.setMinimumSectionSize(36)  # a long heading (Arabic in Naskh) is cut, not the table widened
        # The columns share the width exactly: a horizontal bar would only flicker in while they settle.
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        for column in (UnmetRequestsModel.DATE, UnmetRequestsModel.CHILDREN):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        self.empty = paragraph(self)
        self.empty.setText(_("No referral not admitted was recorded in the last twelve months."))
        self.empty.setAlignment(Qt.AlignLeading | Qt.AlignTop)

        self.record_button = QPushButton(_("&Record a referral not admitted…"))
        self.record_button.setObjectName("primary")
        self.withdraw_button = QPushButton(_("&Withdraw (recorded by mistake)…"))
        self.close_button = QPushButton(_("Close"))
        self.record_button.clicked.connect(self.record)
        self.withdraw_button.clicked.connect(self.withdraw)
        self.close_button.clicked.connect(self.reject)
        for button in (self.record_button, self.withdraw_button, self.close_button):
            button.setAutoDefault(False)

        top = QHBoxLayout()
        top.addWidget(shelter_label)
        top.addWidget(self.shelter, 1)
        top.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.withdraw_button)
        actions.addStretch(1)
        actions.addWidget(self.record_button)
        actions.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        self._layout = layout
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.error)
        layout.addLayout(actions)
        self.shelter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._update_actions())
        self.refresh()
        fit_to_screen(self, 1040, 560)

    def period(self) -> Period:
        return Period(self.today - timedelta(days=RECENT_DAYS - 1), self.today)

    def refresh(self) -> None:
        self.error.set_message("")
        try:
            views = unmet_requests.unmet_requests(self.who, self.shelter.currentData(), self.period())
        except ShelterError as exc:
            self.error.set_message(exc.message)
            views = []
        self.model.set_requests(views)
        self.empty.setVisible(not views)
        self.view.setVisible(bool(views))
        self._layout.setStretchFactor(self.view, 1 if views else 0)
        self._layout.setStretchFactor(self.empty, 0 if views else 1)
        self._update_actions()

    def selected(self) -> UnmetRequestView | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.request(rows[0].row()) if rows else None

    def select(self, request_id: int) -> None:
        row = next((r for r, v in enumerate(self.model.requests) if v.id == request_id), -1)
        if row >= 0:
            select_row(self.view, row)

    def _update_actions(self) -> None:
        self.withdraw_button.setEnabled(self.selected() is not None)

    def record(self) -> None:
        form = UnmetRequestForm(self.who, self.shelter.currentData(), self, today=self.today)
        self.form_dialog = form

        def recorded() -> None:
            self.refresh()
            if form.recorded is not None:
                self.select(form.recorded.id)
            self._changed()

        form.accepted.connect(recorded)
        form.open()

    def withdraw(self) -> None:
        request = self.selected()
        if request is None:
            return
        form = WithdrawForm(self.who, request, self)
        self.form_dialog = form
        form.accepted.connect(lambda: (self.refresh(), self._changed()))
        form.open()

    def _changed(self) -> None:
        for callback in self.changed_callbacks:
            callback()


def open_unmet_request_form(who: SignedIn, parent: QObject, shelter_id: int | None = None,
                            on_recorded: Callable[[UnmetRequestView], None] | None = None) -> UnmetRequestForm:
    """The form over ``parent`` (the bed board, with its shelter chosen); returned, open."""
    form = UnmetRequestForm(who, shelter_id, parent)
    if on_recorded is not None:
        form.accepted.connect(lambda: on_recorded(form.recorded) if form.recorded else None)
    form.open()
    return form
