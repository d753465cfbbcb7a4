"""Administration → Reintegration: the milestone templates of each pathway
(what a new plan on that pathway starts with, in order, each due a number of
days after the plan opens) and the weights of the sustainability score's
fifteen indicators. Only for those who maintain them (MANAGE_PATHWAYS: the
administrator).

A template that came with Shelter keeps its title translated in the three
languages until somebody writes one of their own; emptying the title gives
the translated one back. Retiring a template leaves the plans already made
as they are. Each score keeps the weights it was computed with: changing a
weight, or going back to the documented ones, rewrites no score."""

from __future__ import annotations

from shelter.domain.sustainability import DIMENSIONS, INDICATORS, Weight
from shelter.domain.vocabulary import MILESTONE, PATHWAY, RSS_DIMENSION
from shelter.errors import ShelterError
from shelter.i18n import N_, _, ngettext
from shelter.services import pathways
from shelter.services.pathways import OFFSET_MAX, TITLE_MAX, TemplateView
from shelter.store import SignedIn
from ui.admin.forms import ask, dialog_buttons, status_label
from ui.qt import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFont,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QModelIndex,
    QPalette,
    QPersistentModelIndex,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    error_text,
)
from ui.widgets import FieldErrors, fit_to_screen, paragraph, scrolled
from ui.widgets.views import RowsModel, select_row

_Index = QModelIndex | QPersistentModelIndex
WEIGHT_DECIMALS = 4
WEIGHT_MAX = 10.0


def template_title(view: TemplateView) -> str:
    """The administrator's own title, else the translated one it came with."""
    return view.title or MILESTONE.label(view.code)


def offset_text(days: int) -> str:
    return ngettext("{n} day after the plan opens", "{n} days after the plan opens", days).format(n=days)


class TemplatesModel(RowsModel):
    HEADERS = (N_("Milestone"), N_("Days after the plan opens"), N_("Status"))
    TITLE, DUE, STATUS = range(3)

    @property
    def templates(self) -> list[TemplateView]:
        return self._shown

    def set_templates(self, views: list[TemplateView]) -> None:
        self._reset(views)

    def template(self, row: int) -> TemplateView:
        return self._shown[row]

    def row_of(self, template_id: int) -> int:
        return next((r for r, v in enumerate(self._shown) if v.template_id == template_id), -1)

    def text(self, view: TemplateView, column: int) -> str:
        if column == self.TITLE:
            return template_title(view)
        if column == self.DUE:
            return offset_text(view.offset_days)
        return _("In use") if view.active else _("Retired")

    def data(self, index: _Index, role: int = Qt.DisplayRole):  # noqa: ANN201
        if not index.isValid() or not 0 <= index.row() < len(self.templates):
            return None
        view = self.templates[index.row()]
        if role in (Qt.DisplayRole, Qt.ToolTipRole, Qt.AccessibleTextRole):
            return self.text(view, index.column())
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


def _days_spin() -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, OFFSET_MAX)
    spin.valueChanged.connect(lambda n: spin.setSuffix(" " + ngettext("day", "days", n)))
    spin.setSuffix(" " + ngettext("day", "days", spin.value()))
    return spin


class TemplateDialog(QDialog):
    """Add a milestone to a pathway's templates, or edit one (``view``)."""

    def __init__(self, who: SignedIn, pathway: str, view: TemplateView | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._who = who
        self.pathway = pathway
        self.view = view
        self.saved: TemplateView | None = None
        self.setWindowTitle(_("New milestone template") if view is None else _("Edit milestone template"))
        self.errors = FieldErrors()
        self.pathway_line = paragraph(self, "muted")
        self.pathway_line.setText(_("Pathway: {pathway}").format(pathway=PATHWAY.label(pathway)))
        self.title_edit = QLineEdit()
        self.title_edit.setMaxLength(TITLE_MAX)
        self.title_edit.setAccessibleName(_("Milestone"))
        self.offset_spin = _days_spin()
        self.offset_spin.setAccessibleName(_("Due this many days after the plan opens"))
        self.offset_spin.setValue(14)
        self.title_help = paragraph(self, "muted")
        if view is not None:
            self.title_edit.setText(view.title)
            self.offset_spin.setValue(view.offset_days)
            if view.code is not None:
                default = MILESTONE.label(view.code)
                self.title_edit.setPlaceholderText(default)
                self.title_help.setText(_("Leave it empty to keep the title Shelter gives in each language: "
                                          "“{title}”.").format(title=default))
        self.title_help.setVisible(bool(self.title_help.text()))
        after = QLabel(_("after the plan opens"))
        due_row = QWidget()
        due_layout = QHBoxLayout(due_row)
        due_layout.setContentsMargins(0, 0, 0, 0)
        due_layout.addWidget(self.offset_spin)
        due_layout.addWidget(after)
        due_layout.addStretch(1)
        due_row.setFocusProxy(self.offset_spin)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(self.pathway_line)
        form.addRow(_label(_("&Milestone:"), self.title_edit), self.errors.field(self.title_edit, "title"))
        form.addRow(self.title_help)
        form.addRow(_label(_("&Due:"), self.offset_spin),
                    self.errors.field(due_row, "offset_days", focus=self.offset_spin))
        self.buttons, self.ok_button = dialog_buttons(_("&Add milestone") if view is None else _("&Save"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.errors.general)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)
        fit_to_screen(self, 560, self.sizeHint().height())

    def submit(self) -> None:
        title, days = self.title_edit.text(), self.offset_spin.value()
        if self.view is None:
            ok, saved = self.errors.attempt(lambda: pathways.add_template(self._who, self.pathway, title, days))
        else:
            tid, active = self.view.template_id, self.view.active
            ok, saved = self.errors.attempt(lambda: pathways.update_template(self._who, tid, title, days, active))
        if ok:
            self.saved = saved
            self.accept()


class WeightsBox(QGroupBox):
    """The fifteen indicators by dimension, each with its weight in its
    dimension's score and in the overall score."""

    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._who = who
        self.current: dict[str, Weight] = {}
        self.errors = FieldErrors()
        self.note = paragraph(self, "muted")
        self.dimension_spins: dict[str, QDoubleSpinBox] = {}
        self.composite_spins: dict[str, QDoubleSpinBox] = {}
        self.names: dict[str, QLabel] = {}
        self.dimension_labels: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(4)
        self.indicator_header = QLabel()
        self.dimension_header = QLabel()
        self.composite_header = QLabel()
        for column, label in enumerate((self.indicator_header, self.dimension_header, self.composite_header)):
            label.setObjectName("columnHeader")
            label.setWordWrap(True)
            grid.addWidget(label, 0, column)
        row = 1
        for dimension in DIMENSIONS:
            title = QLabel()
            title.setObjectName("subtitle")
            self.dimension_labels[dimension] = title
            grid.addWidget(title, row, 0, 1, 3)
            row += 1
            for indicator in (i for i in INDICATORS if i.dimension == dimension):
                name = QLabel()
                name.setWordWrap(True)
                self.names[indicator.code] = name
                grid.addWidget(name, row, 0)
                for column, spins in ((1, self.dimension_spins), (2, self.composite_spins)):
                    spin = QDoubleSpinBox()
                    spin.setDecimals(WEIGHT_DECIMALS)
                    spin.setRange(0.0, WEIGHT_MAX)
                    spin.setSingleStep(0.01)
                    spin.setMinimumWidth(110)
                    spin.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
                    spins[indicator.code] = spin
                    grid.addWidget(spin, row, column)
                # A refusal about one indicator is said under the table, with the keyboard on its weight.
                self.errors.add(indicator.code, self.errors.general, self.dimension_spins[indicator.code])
                row += 1
        grid.setColumnStretch(3, 1)  # the weights stay beside their indicators, however wide the window
        grid.setColumnMinimumWidth(0, 280)
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self.save)
        self.reset_button = QPushButton()
        self.reset_button.clicked.connect(self.reset)
        self.status = status_label()
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(grid)
        self.errors.add("weights", self.errors.general)
        layout.addWidget(self.errors.general)
        layout.addLayout(buttons)
        for spin in (*self.dimension_spins.values(), *self.composite_spins.values()):
            spin.valueChanged.connect(lambda _v: self.status.clear())
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(_("Sustainability weights"))
        self.note.setText(_(
            "Each indicator weighs in its dimension's score (economic, social, psychosocial) and in the overall "
            "score; the weights count relative to each other. The weights Shelter comes with are equal. Enter "
            "the weights IOM published for the Reintegration Sustainability Survey before comparing scores with "
            "IOM's: the page on the sustainability score in Shelter's documentation says where they come from. "
            "Each score keeps the weights it was computed with."))
        self.indicator_header.setText(_("Indicator"))
        self.dimension_header.setText(_("Weight in its dimension"))
        self.composite_header.setText(_("Weight in the overall score"))
        for dimension, label in self.dimension_labels.items():
            label.setText(RSS_DIMENSION.label(dimension))
        for indicator in INDICATORS:
            name = _(indicator.name)
            self.names[indicator.code].setText(name)
            dimension = RSS_DIMENSION.label(indicator.dimension)
            self.dimension_spins[indicator.code].setAccessibleName(
                _("Weight of “{indicator}” in the {dimension} score").format(indicator=name, dimension=dimension))
            self.composite_spins[indicator.code].setAccessibleName(
                _("Weight of “{indicator}” in the overall score").format(indicator=name))
        self.save_button.setText(_("&Save weights"))
        self.save_button.setAccessibleName(_("Save weights"))
        self.reset_button.setText(_("Bac&k to the documented weights…"))
        self.reset_button.setAccessibleName(_("Back to the documented weights"))

    def load(self) -> None:
        try:
            self.show_weights(pathways.sustainability_weights(self._who))
        except ShelterError as exc:
            self.errors.show_error(exc)

    def show_weights(self, weights: dict[str, Weight]) -> None:
        self.current = dict(weights)
        for code, weight in weights.items():
            for spins, value in ((self.dimension_spins, weight.dimension), (self.composite_spins, weight.composite)):
                spin = spins.get(code)
                if spin is not None:
                    spin.blockSignals(True)
                    spin.setValue(value)
                    spin.blockSignals(False)

    def values(self) -> dict[str, Weight]:
        return {i.code: Weight(self.dimension_spins[i.code].value(), self.composite_spins[i.code].value())
                for i in INDICATORS}

    def changed(self) -> dict[str, Weight]:
        """The indicators whose weights were changed on the screen (compared as
        shown: 1/15 is shown 0.0667 and is not changed by being shown)."""
        def shown(value: float) -> float:
            return round(value, WEIGHT_DECIMALS)

        out = {}
        for code, weight in self.values().items():
            now = self.current.get(code)
            if now is None or (shown(now.dimension), shown(now.composite)) != (weight.dimension, weight.composite):
                out[code] = weight
        return out

    def save(self) -> None:
        changed = self.changed()
        if not changed:
            self.errors.clear()
            self.status.setText(_("Nothing to save: no weight was changed."))
            return
        ok, saved = self.errors.attempt(lambda: pathways.set_sustainability_weights(self._who, changed))
        if ok:
            self.show_weights(saved)
            self.status.setText(_("Weights saved. Scores recorded from now on use them."))

    def reset(self) -> None:
        if not ask(self, _("Sustainability weights"),
                   _("Go back to the documented weights (equal weights)? The weights entered here are "
                     "forgotten; scores already recorded keep theirs."), _("Back to the documented weights")):
            return
        ok, saved = self.errors.attempt(lambda: pathways.reset_sustainability_weights(self._who))
        if ok:
            self.show_weights(saved)
            self.status.setText(_("The documented weights are back."))


class PathwaysTab(QWidget):
    """A pathway's milestone templates above the sustainability weights."""

    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.dialog: TemplateDialog | None = None

        self.templates_box = QGroupBox()
        self.pathway_label = QLabel()
        self.pathway = QComboBox()
        self.pathway.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.pathway.setMinimumContentsLength(24)
        self.pathway.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.pathway.setMaximumWidth(460)
        self.pathway_label.setBuddy(self.pathway)
        self.templates_note = paragraph(self, "muted")
        self.model = TemplatesModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(TemplatesModel.TITLE, QHeaderView.Stretch)
        header.setSectionResizeMode(TemplatesModel.DUE, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(TemplatesModel.STATUS, QHeaderView.ResizeToContents)
        rows = 9  # the longest pathway's templates without scrolling
        self.table.setMinimumHeight(self.table.verticalHeader().defaultSectionSize() * rows
                                    + self.table.horizontalHeader().sizeHint().height() + 4)
        self.add_button = QPushButton()
        self.edit_button = QPushButton()
        self.retire_button = QPushButton()
        self.up_button = QPushButton()
        self.down_button = QPushButton()
        self.status = status_label()

        choose = QHBoxLayout()
        choose.addWidget(self.pathway_label)
        choose.addWidget(self.pathway, 1)
        choose.addStretch(0)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.retire_button):
            buttons.addWidget(button)
        buttons.addSpacing(12)
        buttons.addWidget(self.up_button)
        buttons.addWidget(self.down_button)
        buttons.addStretch(1)
        box = QVBoxLayout(self.templates_box)
        box.addLayout(choose)
        box.addWidget(self.templates_note)
        box.addLayout(buttons)
        box.addWidget(self.table)
        box.addWidget(self.status)
        self.weights = WeightsBox(who)

        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(self.templates_box)
        column.addWidget(self.weights)
        column.addStretch(1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolled(content, horizontal=False))

        self.pathway.currentIndexChanged.connect(lambda _i: self.reload())
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.retire_button.clicked.connect(self.retire_or_restore)
        self.up_button.clicked.connect(lambda: self.move(-1))
        self.down_button.clicked.connect(lambda: self.move(1))
        self.table.activated.connect(lambda _index: self.edit())
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._show_buttons())
        self.retranslate()
        self.reload()
        self.weights.load()

    def retranslate(self) -> None:
        self.templates_box.setTitle(_("Milestone templates"))
        self.pathway_label.setText(_("&Pathway:"))
        self.pathway.setAccessibleName(_("Pathway"))
        chosen = self.pathway.currentData()
        self.pathway.blockSignals(True)
        self.pathway.clear()
        for code, label in PATHWAY.choices():
            self.pathway.addItem(label, code)
        self.pathway.setCurrentIndex(max(0, self.pathway.findData(chosen)))
        self.pathway.blockSignals(False)
        self.templates_note.setText(_(
            "A new reintegration plan on this pathway starts with these milestones, in this order, each due "
            "this many days after the plan opens. Plans already made keep theirs."))
        self.add_button.setText(_("Add &milestone…"))
        self.add_button.setAccessibleName(_("Add milestone template"))
        self.edit_button.setText(_("&Edit…"))
        self.edit_button.setAccessibleName(_("Edit milestone template"))
        self.up_button.setText(_("Move &up"))
        self.up_button.setAccessibleName(_("Move the milestone up"))
        self.down_button.setText(_("Move do&wn"))
        self.down_button.setAccessibleName(_("Move the milestone down"))
        self.table.setAccessibleName(_("Milestone templates of the pathway"))
        self.model.retranslate()
        self.weights.retranslate()
        self._show_buttons()

    # -- the templates ---------------------------------------------------------------

    def current_pathway(self) -> str:
        return self.pathway.currentData() or PATHWAY.codes[0]

    def show_pathway(self, code: str) -> None:
        self.pathway.setCurrentIndex(max(0, self.pathway.findData(code)))

    def reload(self, select: int | None = None) -> None:
        chosen = self.selected()
        target = select if select is not None else (chosen.template_id if chosen else None)
        try:
            views = pathways.milestone_templates(self.who, self.current_pathway(), include_retired=True)
        except ShelterError as exc:
            self.status.setText(error_text(exc))
            return
        self.model.set_templates(views)
        row = self.model.row_of(target) if target is not None else -1
        if row >= 0:
            select_row(self.table, row)
        self._show_buttons()

    def selected(self) -> TemplateView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.template(rows[0].row()) if rows else None

    def _show_buttons(self) -> None:
        view = self.selected()
        row = self.model.row_of(view.template_id) if view else -1
        for button in (self.edit_button, self.retire_button):
            button.setEnabled(view is not None)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < self.model.rowCount() - 1)
        retired = view is not None and not view.active
        self.retire_button.setText(_("Rest&ore") if retired else _("Ret&ire"))
        self.retire_button.setAccessibleName(_("Restore the milestone template") if retired
                                             else _("Retire the milestone template"))

    def _open(self, dialog: TemplateDialog, message: str) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._saved(dialog.saved, message))
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        dialog.open()

    def add(self) -> None:
        self.status.clear()
        self._open(TemplateDialog(self.who, self.current_pathway(), None, self), _("“{title}” added."))

    def edit(self) -> None:
        view = self.selected()
        if view is None:
            return
        self.status.clear()
        self._open(TemplateDialog(self.who, view.pathway, view, self), _("“{title}” saved."))

    def retire_or_restore(self) -> None:
        view = self.selected()
        if view is None:
            return
        try:
            saved = pathways.update_template(self.who, view.template_id, view.title, view.offset_days,
                                             active=not view.active)
        except ShelterError as exc:
            self.status.setText(error_text(exc))
            return
        self._saved(saved, _("“{title}” is used again for new plans.") if saved.active
                    else _("“{title}” retired: new plans no longer start with it."))

    def move(self, step: int) -> None:
        view = self.selected()
        if view is None:
            return
        try:
            pathways.move_template(self.who, view.template_id, step)
        except ShelterError as exc:
            self.status.setText(error_text(exc))
            return
        self.reload(select=view.template_id)
        self.status.setText(_("“{title}” moved.").format(title=template_title(view)))
        (self.up_button if step < 0 and self.up_button.isEnabled() else
         self.down_button if step > 0 and self.down_button.isEnabled() else self.table).setFocus(Qt.OtherFocusReason)

    def _saved(self, saved: TemplateView | None, message: str) -> None:
        if saved is None:
            return
        self.reload(select=saved.template_id)
        self.status.setText(message.format(title=template_title(saved)))
        self.table.setFocus(Qt.OtherFocusReason)
