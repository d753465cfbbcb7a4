"""The "Reintegration" tab of the resident's file.

At the top, the case status as HTCDS names it (Active, Follow-up, Closed,
Closed referred) with the stage, and the reintegration plan: its pathway,
the resident's choice in her own words and her informed consent, or, while
there is none, the day it is due (emphasised when overdue or near, as My
work does) and "Make the plan…".

Below, four sub-tabs keep it on a laptop screen:

- Milestones: each with its due date, who is responsible, its status and
  how due it is; the selected one's history of statuses beside the list.
  Enter on a milestone sets its status.
- Referrals to partners: the partner's answer and the follow-up date, and
  the referrals made without the resident's consent (the reason in the
  tooltip).
- Follow-up after discharge: the follow-ups at 3, 6 and 12 months (a
  setting), the contacts recorded, lost contact shown first; "Close the
  case…" once no follow-up is left (the Case tab's own form).
- Sustainability: the three dimensions over time (``ui.reintegration.chart``)
  and each score; "Record a survey…" (``ui.reintegration.survey``).

Everything is read through ``shelter.services.reintegration.reintegration``
(audited there) and written through the services, off the GUI thread; the
file window reads it again when a change names this resident. Roles without
``WRITE_REINTEGRATION`` see it without the write buttons; a closed case is
read only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import ui.sessions.file_tab  # noqa: F401  (registered first: this tab goes after it)
from shelter.domain.vocabulary import (
    CASE_STAGE,
    CASE_STATUS,
    CLOSURE_REASON,
    DUE_STATE,
    FOLLOW_UP_METHOD,
    FOLLOW_UP_STATE,
    MILESTONE_STATUS,
    PATHWAY,
    REFERRAL_STATUS,
    SCORE_OCCASION,
)
from shelter.errors import ShelterError
from shelter.i18n import N_, _, isolate, list_text, ngettext
from shelter.security.permissions import Permission
from shelter.services import cases, reintegration
from shelter.services.reintegration import MilestoneView, ReferralView, Reintegration
from shelter.services.residents import ResidentFile
from shelter.services.settings import get_settings
from shelter.store import SignedIn
from ui.care.plan import OWN_WORDS
from ui.care.plan_forms import dated, nobody
from ui.qt import (
    QAbstractItemView,
    QApplication,
    QBrush,
    QColor,
    QDialog,
    QEvent,
    QFont,
    QFontMetrics,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    changes,
    error_text,
)
from ui.reintegration.chart import SustainabilityChart, value_text
from ui.reintegration.forms import (
    AnswerForm,
    ContactForm,
    MilestoneForm,
    PartnerReferralForm,
    PathwayForm,
    ReintegrationPlanForm,
    StatusForm,
    milestone_responsible,
    milestone_title,
    pathway_text,
    round_text,
)
from ui.reintegration.survey import SurveyDialog, answered_text
from ui.residents.file import FileTab, about, register_tab
from ui.widgets import ErrorLabel
from ui.widgets.dates import local_datetime
from ui.widgets.lines import day, line_of, lines_of
from ui.widgets.views import RowTable

_OVERDUE_COLOUR = "#a4262c"  # the stylesheet's error colour
_MUTED_COLOUR = "#56666e"
_ROUNDS_SHOWN = 6  # follow-ups in view at once


def _button(text: str, slot: Callable[[], None], tip: str = "", name: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setAutoDefault(False)
    if tip:
        button.setToolTip(tip)
    if name:
        button.setAccessibleName(name)
    button.clicked.connect(lambda _checked=False: slot())
    return button


def _text_label(name: str = "", object_name: str = "") -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.PlainText)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.TextSelectableByKeyboard)
    if object_name:
        label.setObjectName(object_name)
    if name:
        label.setAccessibleName(name)
    return label


def _show_styled(label: QLabel, text: str, object_name: str = "", state: str | None = None) -> None:
    """Show ``text`` in the style the stylesheet gives ``object_name`` (and
    ``state``): a warning, an error, or plain."""
    label.setObjectName(object_name)
    label.setProperty("state", state)
    label.style().unpolish(label)
    label.style().polish(label)
    # Told of the change, the style sheet sets the label's margins (its padding) again: its height counts them.
    QApplication.sendEvent(label, QEvent(QEvent.Type.StyleChange))
    label.setText(text)


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = RowTable(0, len(headers))
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.setSelectionMode(QAbstractItemView.SingleSelection)
    table.setTabKeyNavigation(False)  # Tab leaves the table; the arrows move in it
    table.setWordWrap(False)
    table.setTextElideMode(Qt.ElideRight)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setMinimumSectionSize(60)
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.Interactive)
    return table


def _fill(table: QTableWidget, rows: list[list[str]], keys: list[Any], tips: list[list[str]] | None = None,
          late: list[set[int]] | None = None) -> None:
    """Rows of plain text (``tips`` for each cell's tooltip, the cell's text
    by default); the columns in ``late`` are in the error colour and bold."""
    selected = _selected_key(table)
    table.setRowCount(len(rows))
    for row, texts in enumerate(rows):
        for column, text in enumerate(texts):
            item = QTableWidgetItem(text)
            tip = tips[row][column] if tips and tips[row][column] else text
            item.setToolTip(tip)
            item.setData(Qt.UserRole, keys[row])
            if late and column in late[row]:
                item.setForeground(QBrush(QColor(_OVERDUE_COLOUR)))
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            table.setItem(row, column, item)
    if rows:
        # setCurrentCell rather than selectRow, which selects nothing in a
        # right-to-left table not laid out yet.
        table.setCurrentCell(keys.index(selected) if selected in keys else 0, 0)


def _selected_key(table: QTableWidget) -> Any:
    row = table.currentRow()
    item = table.item(row, 0) if row >= 0 else None
    return item.data(Qt.UserRole) if item is not None else None


def _size_columns(table: QTableWidget, widths: dict[int, tuple[int, int]], stretch: int) -> None:
    """Each column as wide as its header and cells need, between its bounds
    (longer texts are elided, whole in the tooltip); ``stretch`` takes the rest."""
    metrics = table.fontMetrics()
    header = table.horizontalHeader()
    bold = QFont(table.horizontalHeader().font())
    bold.setBold(True)  # headers are bold in the stylesheet: measured so, they are never cut
    header_width = QFontMetrics(bold).horizontalAdvance
    for column, (least, most) in widths.items():
        title = header_width(table.horizontalHeaderItem(column).text()) + 24
        texts = [table.item(r, column).text() for r in range(table.rowCount()) if table.item(r, column) is not None]
        wanted = max([title] + [metrics.horizontalAdvance(t) + 24 for t in texts])
        header.resizeSection(column, max(least, title, min(most, wanted)))
    header.setSectionResizeMode(stretch, QHeaderView.Stretch)


def follow_up_months_text(months: tuple[int, ...]) -> str:
    """"Follow-ups begin after the discharge: at 3, 6, 12 months." (the setting's months)."""
    if not months:
        return _("No follow-up after the discharge is set in the settings.")
    ordered = sorted(months)
    return ngettext("Follow-ups begin after the discharge: at {months} month.",
                    "Follow-ups begin after the discharge: at {months} months.", ordered[-1]).format(
        months=list_text([str(m) for m in ordered]))


class ReintegrationTab(QWidget):
    """The reintegration of the resident's latest stay (see the module's docstring)."""

    def __init__(self, file: ResidentFile, who: SignedIn | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.file = file
        self.view: Reintegration | None = None
        self.form_dialog: QDialog | None = None
        self._build()
        changes.changed.connect(self._changed)
        self.show_file(file)

    # -- roles -------------------------------------------------------------------------------

    def _has(self, permission: Permission) -> bool:
        return self.who is not None and self.who.actor.has(permission)

    @property
    def writer(self) -> bool:
        """The person's roles write in the reintegration (whether the case is open or not)."""
        return self._has(Permission.WRITE_REINTEGRATION)

    @property
    def may_write(self) -> bool:
        return self.writer and not (self.view is not None and self.view.closed)

    # -- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(6)

        self.status_label = _text_label(_("Case status"))
        font = self.status_label.font()
        font.setBold(True)
        self.status_label.setFont(font)
        self.due_label = _text_label(_("Reintegration plan due"))
        self.pathway_label = _text_label(_("Pathway"))
        self.words_label = _text_label(_("The resident's choice"))
        self.consent_label = _text_label(_("Informed consent"))
        facts = QVBoxLayout()
        facts.setContentsMargins(0, 0, 0, 0)
        facts.setSpacing(3)
        for label in (self.status_label, self.due_label, self.pathway_label, self.words_label, self.consent_label):
            facts.addWidget(label)

        self.make_button = _button(_("&Make the plan…"), self.make_plan)
        self.make_button.setObjectName("primary")
        self.edit_plan_button = _button(_("Edit the pla&n…"), self.edit_plan,
                                        _("Where, the resident's own words, the day of her or his consent"))
        self.pathway_button = _button(_("Change the path&way…"), self.change_pathway,
                                      _("Another pathway, with the reason: consent is asked again"))
        self.print_button = _button(_("P&rint the plan…"), self.print_plan,
                                    _("The reintegration plan for the resident or the receiving partner"))
        plan_buttons = QHBoxLayout()
        plan_buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.make_button, self.edit_plan_button, self.pathway_button, self.print_button):
            plan_buttons.addWidget(button, 0, Qt.AlignTop)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addLayout(facts, 1)
        top.addLayout(plan_buttons)
        layout.addLayout(top)

        self.notice = ErrorLabel()
        policy = self.notice.sizePolicy()
        policy.setRetainSizeWhenHidden(False)  # no empty line while there is nothing to say
        self.notice.setSizePolicy(policy)
        self.done_label = _text_label(_("Done"), "result")
        self.done_label.setProperty("state", "good")
        self.done_label.hide()
        layout.addWidget(self.done_label)
        layout.addWidget(self.notice)

        self.sections = QTabWidget()
        self.sections.setDocumentMode(True)
        self.sections.addTab(self._milestones_page(), _("Milestones"))
        self.sections.addTab(self._referrals_page(), _("Referrals to partners"))
        self.sections.addTab(self._follow_up_page(), _("Follow-up after discharge"))
        self.sections.addTab(self._sustainability_page(), _("Sustainability"))
        layout.addWidget(self.sections, 1)

        self.write_buttons = (self.make_button, self.edit_plan_button, self.pathway_button,
                              self.add_milestone_button, self.edit_milestone_button, self.status_button,
                              self.refer_button, self.answer_button, self.contact_button, self.survey_button)

    def _milestones_page(self) -> QWidget:
        self.milestones = _table(_("Milestones"), [_("Milestone"), _("Due on"), _("Responsible"), _("Status"),
                                                   _("Urgency")])
        self.milestones.itemSelectionChanged.connect(self._milestone_selected)
        self.milestones.activated.connect(lambda _index: self.set_status())  # Enter sets the status
        self.milestones_hint = _text_label(object_name="muted")
        self.add_milestone_button = _button(_("&Add a milestone…"), self.add_milestone)
        self.edit_milestone_button = _button(_("&Edit the milestone…"), self.edit_milestone,
                                             _("Its due date, who is responsible, its title"))
        self.status_button = _button(_("Set the s&tatus…"), self.set_status,
                                     _("Planned, in progress, done, blocked or not applicable (Enter on the list)"))
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 6, 0, 0)
        column.addWidget(self.milestones, 1)
        line = QHBoxLayout()
        for button in (self.add_milestone_button, self.edit_milestone_button, self.status_button):
            line.addWidget(button)
        line.addWidget(self.milestones_hint, 1)
        column.addLayout(line)

        history = QWidget()
        side = QVBoxLayout(history)
        side.setContentsMargins(8, 6, 0, 0)
        title = QLabel(_("History of the selected milestone"))
        title.setObjectName("muted")
        title.setWordWrap(True)
        self.history = QListWidget()
        self.history.setAccessibleName(_("History of the selected milestone"))
        self.history.setWordWrap(True)
        self.history.setAlternatingRowColors(True)
        title.setBuddy(self.history)
        side.addWidget(title)
        side.addWidget(self.history, 1)
        self.history_panel = history

        splitter = QSplitter(Qt.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(history)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([720, 260])
        return splitter

    def _referrals_page(self) -> QWidget:
        self.referrals = _table(_("Referrals to partners"), [_("Partner"), _("Service"), _("Referred on"),
                                                            _("Answer"), _("Follow up on"), _("Consent")])
        self.referrals.itemSelectionChanged.connect(self._referral_selected)
        self.referrals.activated.connect(lambda _index: self.record_answer())
        self.referrals_hint = _text_label(object_name="muted")
        self.refer_button = _button(_("Re&fer to a partner…"), self.refer)
        self.answer_button = _button(_("Record the ans&wer…"), self.record_answer,
                                     _("Accepted, refused or completed (Enter on the list)"))
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 6, 0, 0)
        column.addWidget(self.referrals, 1)
        line = QHBoxLayout()
        line.addWidget(self.refer_button)
        line.addWidget(self.answer_button)
        line.addWidget(self.referrals_hint, 1)
        column.addLayout(line)
        return page

    def _follow_up_page(self) -> QWidget:
        self.follow_state = _text_label(_("Follow-up after discharge"))
        self.lost_label = _text_label(_("Lost contact"), "result")
        self.lost_label.setProperty("state", "bad")
        font = self.lost_label.font()
        font.setBold(True)
        self.lost_label.setFont(font)
        self.lost_label.hide()
        self.rounds = _table(_("Follow-ups"), [_("Follow-up"), _("Due on"), _("Status"), _("Attempts"),
                                              _("Reached on")])
        self.contacts = _table(_("Contacts after the discharge"), [_("Date"), _("Follow-up"), _("How"), _("Reached"),
                                                                   _("Situation found"), _("Next step")])
        self.contact_button = _button(_("Record a &contact…"), self.record_contact,
                                      _("An attempt to reach the person, reached or not"))
        self.close_button = _button(_("C&lose the case…"), self.close_case,
                                    _("No follow-up is left: close the case with its reason"))
        self.close_button.setObjectName("primary")
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 6, 0, 0)
        column.addWidget(self.lost_label)
        column.addWidget(self.follow_state)
        column.addWidget(self.rounds)
        column.addWidget(self.contacts, 1)
        column.addStretch(0)  # before the discharge, the sentence stays at the top
        line = QHBoxLayout()
        line.addWidget(self.contact_button)
        line.addWidget(self.close_button)
        line.addStretch(1)
        column.addLayout(line)
        return page

    def _sustainability_page(self) -> QWidget:
        self.chart = SustainabilityChart()
        self.scores = _table(_("Sustainability scores"), [_("Date"), _("When"), _("Economic"), _("Social"),
                                                          _("Psychosocial"), _("Overall"), _("Answered")])
        self.survey_button = _button(_("Record a &survey…"), self.record_survey,
                                     _("The fifteen questions of the sustainability survey"))
        self.scores_hint = _text_label(object_name="muted")
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 6, 0, 0)
        splitter = QSplitter(Qt.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.chart)
        splitter.addWidget(self.scores)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.scores_splitter = splitter
        column.addWidget(splitter, 1)
        line = QHBoxLayout()
        line.addWidget(self.survey_button)
        line.addWidget(self.scores_hint, 1)
        column.addLayout(line)
        return page

    # -- reading -----------------------------------------------------------------------------

    def show_file(self, file: ResidentFile) -> None:
        """The file was read again (after a change naming this resident): read the reintegration again."""
        self.file = file
        self.reload()

    def reload(self) -> None:
        if self.who is None or self.who.locked:
            return
        try:
            view = reintegration.reintegration(self.who, self.file.resident_id)
        except ShelterError as exc:
            self.view = None
            self._show_nothing(exc.message)
            return
        self.show_view(view)

    def _changed(self, change: object) -> None:
        """Outside a file window (which reads the file again and calls
        ``show_file``), a change naming this resident reads the tab again."""
        if hasattr(self.window(), "reload"):
            return
        if self.file.resident_id in getattr(change, "residents", frozenset()):
            self.reload()

    def _show_nothing(self, message: str) -> None:
        for widget in (self.due_label, self.pathway_label, self.words_label, self.consent_label, self.sections,
                       *self.write_buttons, self.print_button):
            widget.hide()
        self.status_label.setText(line_of(message))

    def show_view(self, view: Reintegration) -> None:
        self.view = view
        self.sections.show()
        self._show_header(view)
        self._show_milestones(view)
        self._show_referrals(view)
        self._show_follow_ups(view)
        self._show_scores(view)
        closed_tip = _("The case is closed: reopen it in the Case tab to change this.")
        for button in self.write_buttons:
            button.setEnabled(not view.closed)
            if not button.property("own_tip"):
                button.setProperty("own_tip", button.toolTip() or " ")
            button.setToolTip(closed_tip if view.closed else button.property("own_tip").strip())
        self._milestone_selected()  # the buttons about the selected row
        self._referral_selected()

    # -- the header ----------------------------------------------------------------------------

    def _show_header(self, view: Reintegration) -> None:
        sex = view.sex or self.file.sex
        if view.closed:  # the stage says the same: "Case closed"
            status = _("Case status: {status}").format(status=CASE_STATUS.label(view.status))
        else:
            status = _("Case status: {status} · stage: {stage}").format(
                status=CASE_STATUS.label(view.status), stage=CASE_STAGE.label(view.stage, sex=sex))
        if view.closed and view.closure_reason:
            status = _("{status} · closed: {reason}").format(status=status,
                                                             reason=CLOSURE_REASON.label(view.closure_reason, sex=sex))
        self.status_label.setText(line_of(status))
        plan = view.plan
        writer = self.writer
        self.make_button.setVisible(plan is None and writer)
        for button in (self.edit_plan_button, self.pathway_button):
            button.setVisible(plan is not None and writer)
        self.print_button.setVisible(plan is not None and (writer or self._has(Permission.PRINT_HANDOVER)))
        if plan is None:
            due = view.plan_due
            if view.in_residence and view.accompanied:
                text = _("An accompanying child is covered by the parent's reintegration plan; a plan of the "
                         "child's own can still be made.")
            elif view.in_residence:
                text = _("Reintegration plan due on {date}").format(date=dated(view.plan_due_on))
                if due is not None and due != "later":
                    text = _("{text} ({state})").format(text=text, state=DUE_STATE.label(due))
            else:
                text = _("No reintegration plan was made during the stay.")
            if due == "overdue":
                _show_styled(self.due_label, line_of(text), "result", "bad")
            elif due in ("today", "soon"):
                _show_styled(self.due_label, line_of(text), "important")
            else:
                _show_styled(self.due_label, line_of(text))
            self.due_label.show()
            for label in (self.pathway_label, self.words_label, self.consent_label):
                label.hide()
            return
        self.due_label.hide()
        self.pathway_label.setText(line_of(_("Pathway: {pathway}").format(
            pathway=pathway_text(plan.pathway, plan.pathway_detail))))
        tips = [_("Plan opened on {date} by {name}").format(date=dated(plan.opened_on), name=isolate(
            nobody(plan.made_by)))]
        for old, new, reason, when, by in plan.pathway_changes:
            tips.append(_("Changed on {when} by {name} from {old} to {new}: {reason}").format(
                when=local_datetime(when), name=isolate(nobody(by)), old=PATHWAY.label(old), new=PATHWAY.label(new),
                reason=isolate(reason)))
        self.pathway_label.setToolTip(lines_of(tips))
        self.pathway_label.show()
        self.words_label.setText(line_of(about(sex, OWN_WORDS).format(words=isolate(plan.resident_choice))))
        self.words_label.setVisible(bool(plan.resident_choice))
        if plan.consent_on is not None:
            _show_styled(self.consent_label, line_of(_("Informed consent given on {date}").format(
                date=dated(plan.consent_on))))
        else:
            _show_styled(self.consent_label, line_of(_("Consent not yet given")), "important")
        self.consent_label.show()

    # -- milestones -----------------------------------------------------------------------------

    def _show_milestones(self, view: Reintegration) -> None:
        rows, tips, late = [], [], []
        for m in view.milestones:
            status = MILESTONE_STATUS.label(m.status)
            if m.status == "done" and m.done_on:
                status = _("{status} on {date}").format(status=status, date=dated(m.done_on))
            due = DUE_STATE.label(m.due) if m.due and m.due != "later" else ""
            title = milestone_title(m)
            holder = (_("{name} (holds the case)").format(name=isolate(view.case_worker)) if view.case_worker
                      else _("nobody named"))
            rows.append([title, day(m.due_on), milestone_responsible(m) or holder, status, due])
            reason = _("Why: {reason}").format(reason=isolate(m.status_reason)) if m.status_reason else ""
            tips.append(["", "", "", lines_of([status, reason]), ""])
            late.append({1, 4} if m.due == "overdue" else set())
        _fill(self.milestones, rows, [m.milestone_id for m in view.milestones], tips, late)
        _size_columns(self.milestones, {1: (90, 110), 2: (110, 200), 3: (100, 170), 4: (80, 150)}, 0)
        for row, m in enumerate(view.milestones):
            if not m.open:
                for column in range(self.milestones.columnCount()):
                    self.milestones.item(row, column).setForeground(QBrush(QColor(_MUTED_COLOUR)))
        self.history_panel.setVisible(view.plan is not None)
        if view.plan is None:
            self.milestones_hint.setText(_("The milestones of the pathway are added when the plan is made."))
        else:
            done = sum(m.status == "done" for m in view.milestones)
            overdue = sum(m.due == "overdue" for m in view.milestones)
            text = ngettext("{n} milestone, {done} done", "{n} milestones, {done} done",
                            len(view.milestones)).format(n=len(view.milestones), done=done)
            if overdue:
                text = _("{text}, {overdue}").format(text=text, overdue=ngettext(
                    "{n} overdue", "{n} overdue", overdue).format(n=overdue))
            self.milestones_hint.setText(text)
        has_plan = view.plan is not None
        self.add_milestone_button.setVisible(self.writer and has_plan)
        self.edit_milestone_button.setVisible(self.writer and has_plan)
        self.status_button.setVisible(self.writer and has_plan)

    def selected_milestone(self) -> MilestoneView | None:
        key = _selected_key(self.milestones)
        if self.view is None or key is None:
            return None
        return next((m for m in self.view.milestones if m.milestone_id == key), None)

    def select_milestone(self, milestone_id: int) -> bool:
        for row in range(self.milestones.rowCount()):
            if self.milestones.item(row, 0).data(Qt.UserRole) == milestone_id:
                self.milestones.setCurrentCell(row, 0)
                return True
        return False

    def _milestone_selected(self) -> None:
        milestone = self.selected_milestone()
        enabled = milestone is not None and self.may_write
        self.edit_milestone_button.setEnabled(enabled)
        self.status_button.setEnabled(enabled)
        self.history.clear()
        if milestone is None:
            return
        for event in reversed(milestone.history):  # newest first
            lines = [_("{status}, {when}, by {name}").format(status=MILESTONE_STATUS.label(event.status),
                                                              when=local_datetime(event.at),
                                                              name=isolate(nobody(event.by)))]
            if event.reason:
                lines.append(_("Why: {reason}").format(reason=isolate(event.reason)))
            self.history.addItem(lines_of(lines))
        if not milestone.history:
            self.history.addItem(line_of(_("No change yet.")))

    # -- referrals ---------------------------------------------------------------------------------

    def _show_referrals(self, view: Reintegration) -> None:
        rows, tips, late = [], [], []
        for r in view.referrals:
            status = REFERRAL_STATUS.label(r.status)
            answered = r.completed_on or r.refused_on or r.accepted_on
            if r.status != "sent" and answered:
                status = _("{status} on {date}").format(status=status, date=dated(answered))
            follow = day(r.follow_up_on)
            if r.due and r.due != "later":
                follow = _("{date} ({state})").format(date=dated(r.follow_up_on), state=DUE_STATE.label(r.due))
            consent = _("Without consent") if r.without_consent else _("Given")
            rows.append([r.partner, r.service, day(r.referred_on), status, follow, consent])
            tip_status = lines_of([status, _("Note: {note}").format(note=isolate(r.answer_note))
                                   if r.answer_note else ""])
            tip_consent = (_("Made without the resident's consent to share. Reason: {reason}").format(
                reason=isolate(r.consent_override)) if r.without_consent
                else _("The resident consented to share with this partner."))
            tips.append([lines_of([r.partner, r.partner_contact]), "", "", tip_status, "", tip_consent])
            late.append({4} if r.due == "overdue" else set())
        _fill(self.referrals, rows, [r.referral_id for r in view.referrals], tips, late)
        for row, r in enumerate(view.referrals):
            if r.without_consent:
                item = self.referrals.item(row, 5)
                item.setForeground(QBrush(QColor("#6b4500")))
                font = item.font()
                font.setBold(True)
                item.setFont(font)
        _size_columns(self.referrals, {0: (120, 200), 2: (90, 110), 3: (110, 190), 4: (90, 190), 5: (80, 150)}, 1)
        waiting = sum(r.status in ("sent", "accepted") for r in view.referrals)
        self.referrals_hint.setText(_("No referral yet.") if not view.referrals else ngettext(
            "{n} referral, {open} still open", "{n} referrals, {open} still open", len(view.referrals)).format(
            n=len(view.referrals), open=waiting))
        self.refer_button.setVisible(self.writer)
        self.answer_button.setVisible(self.writer and bool(view.referrals))

    def selected_referral(self) -> ReferralView | None:
        key = _selected_key(self.referrals)
        if self.view is None or key is None:
            return None
        return next((r for r in self.view.referrals if r.referral_id == key), None)

    def _referral_selected(self) -> None:
        referral = self.selected_referral()
        self.answer_button.setEnabled(referral is not None and self.may_write
                                      and referral.status in ("sent", "accepted"))

    # -- follow-up after discharge ---------------------------------------------------------------------

    def _show_follow_ups(self, view: Reintegration) -> None:
        discharged = view.discharged_on is not None and not view.in_residence
        self.lost_label.setVisible(view.lost_contact_on is not None)
        if view.lost_contact_on is not None:
            self.lost_label.setText(line_of(_("Lost contact since {date}").format(date=dated(view.lost_contact_on))))
        if not discharged:
            self.follow_state.setText(line_of(follow_up_months_text(view.follow_up_months or tuple(r.months
                                                                                        for r in view.rounds))))
        else:
            upcoming = view.next_round
            parts = [_("Discharged on {date}.").format(date=dated(view.discharged_on))]
            if upcoming is not None and upcoming.due_on is not None:
                parts.append(_("Next: {round}, due on {date}.").format(round=round_text(upcoming.months),
                                                                      date=dated(upcoming.due_on)))
            elif view.lost_contact_on is None and view.rounds:
                parts.append(_("Every follow-up is done."))
            self.follow_state.setText(line_of(" ".join(parts)))
        today = date.today()
        rows, late = [], []
        for r in view.rounds:
            rows.append([round_text(r.months), day(r.due_on), FOLLOW_UP_STATE.label(r.state), str(r.attempts),
                         day(r.reached_on)])
            overdue = r.due_on is not None and r.due_on < today and r.state in ("planned", "missed")
            late.append({1, 2} if overdue else set())
        _fill(self.rounds, rows, [r.months for r in view.rounds], None, late)
        _size_columns(self.rounds, {1: (90, 110), 2: (100, 170), 3: (70, 110), 4: (90, 120)}, 0)
        self.rounds.setVisible(discharged)
        contact_rows, tips = [], []
        for c in view.contacts:
            how = FOLLOW_UP_METHOD.label(c.method)
            if c.partner:
                how = _("{method}: {partner}").format(method=how, partner=isolate(c.partner))
            contact_rows.append([day(c.contacted_on), round_text(c.round_months), how,
                                 _("Yes") if c.reached else _("No"), c.situation, c.next_step])
            who = _("Recorded by {name}").format(name=isolate(nobody(c.staff)))
            tips.append([who, "", "", "", "", ""])
        _fill(self.contacts, contact_rows, [c.contact_id for c in view.contacts], tips)
        _size_columns(self.contacts, {0: (90, 110), 1: (100, 160), 2: (90, 200), 3: (60, 90), 5: (120, 220)}, 4)
        self.contacts.setVisible(discharged)
        self.contact_button.setVisible(self.writer and discharged)
        self.close_button.setVisible(view.ready_to_close and self._has(Permission.CLOSE_CASE))
        # The follow-ups take the height of their few rows (up to six; more scroll); the contacts the rest.
        rows = min(max(len(view.rounds), 1), _ROUNDS_SHOWN)
        self.rounds.setFixedHeight(self.rounds.horizontalHeader().sizeHint().height()
                                   + rows * self.rounds.verticalHeader().defaultSectionSize()
                                   + 2 * self.rounds.frameWidth() + 2)

    # -- sustainability ------------------------------------------------------------------------------

    def _show_scores(self, view: Reintegration) -> None:
        self.chart.set_scores([(s.scored_on, s.scores) for s in view.scores])
        rows = []
        for s in view.scores:
            rows.append([day(s.scored_on), SCORE_OCCASION.label(s.occasion), value_text(s.scores.economic),
                         value_text(s.scores.social), value_text(s.scores.psychosocial),
                         value_text(s.scores.overall), answered_text(s.scores.answered)])
        tips = [[_("Recorded by {name}").format(name=isolate(nobody(s.by)))] + [""] * 6 for s in view.scores]
        _fill(self.scores, rows, [s.score_id for s in view.scores], tips)
        _size_columns(self.scores, {0: (90, 110), 2: (70, 110), 3: (70, 110), 4: (70, 120), 5: (70, 110),
                                    6: (110, 170)}, 1)
        for row in range(self.scores.rowCount()):
            for column in range(2, 6):
                self.scores.item(row, column).setTextAlignment(Qt.AlignCenter)
            font = QFont(self.scores.item(row, 5).font())
            font.setBold(True)
            self.scores.item(row, 5).setFont(font)
        self.scores_hint.setText(_("No survey yet: the first is the baseline, at the start of the plan.")
                                 if not view.scores else ngettext("{n} survey", "{n} surveys",
                                                                  len(view.scores)).format(n=len(view.scores)))
        self.survey_button.setVisible(self.writer)

    # -- doing -------------------------------------------------------------------------------------

    def open_form(self, dialog: QDialog) -> QDialog:
        self.notice.set_message("")
        self.done_label.hide()
        self.form_dialog = dialog
        dialog.open()
        return dialog

    def _ready(self) -> bool:
        return self.who is not None and self.view is not None and self.may_write

    def make_plan(self) -> None:
        if self._ready() and self.view.plan is None:
            self.open_form(ReintegrationPlanForm(self.who, self.file, self.view, self))

    def edit_plan(self) -> None:
        if self._ready() and self.view.plan is not None:
            self.open_form(ReintegrationPlanForm(self.who, self.file, self.view, self))

    def change_pathway(self) -> None:
        if self._ready() and self.view.plan is not None:
            self.open_form(PathwayForm(self.who, self.file, self.view, self))

    def print_plan(self) -> None:
        if self.who is None:
            return
        self.notice.set_message("")
        try:
            from ui.reintegration import print_dialog
        except ImportError:
            self.notice.set_message(_("Printing the reintegration plan is not available in this version."))
            return
        print_dialog.open_print_dialog(self, self.who, self.file.resident_id)

    def add_milestone(self) -> None:
        if self._ready() and self.view.plan is not None:
            self.open_form(MilestoneForm(self.who, self.file, self.view, None, self))

    def edit_milestone(self) -> None:
        milestone = self.selected_milestone()
        if self._ready() and milestone is not None:
            self.open_form(MilestoneForm(self.who, self.file, self.view, milestone, self))

    def set_status(self) -> None:
        milestone = self.selected_milestone()
        if self._ready() and milestone is not None:
            self.open_form(StatusForm(self.who, self.file, self.view, milestone, self))

    def refer(self) -> None:
        if self._ready():
            self.open_form(PartnerReferralForm(self.who, self.file, self.view, self))

    def record_answer(self) -> None:
        referral = self.selected_referral()
        if self._ready() and referral is not None and referral.status in ("sent", "accepted"):
            self.open_form(AnswerForm(self.who, self.file, self.view, referral, self))

    def record_contact(self) -> None:
        if not self._ready():
            return
        form = ContactForm(self.who, self.file, self.view, self)
        form.accepted.connect(lambda: self._contact_recorded(form))
        self.open_form(form)

    def _contact_recorded(self, form: ContactForm) -> None:
        recorded = form.recorded
        if recorded is not None and recorded.lost_contact:
            try:
                attempts = get_settings(self.who).lost_contact_attempts
            except ShelterError:
                attempts = 0
            text = ngettext("{n} attempt without reaching the person: the case is now marked “lost contact”. It "
                            "stays so until the person is reached again or the case is closed.",
                            "{n} attempts in a row without reaching the person: the case is now marked “lost "
                            "contact”. It stays so until the person is reached again or the case is closed.",
                            attempts).format(n=attempts)
            _show_styled(self.done_label, line_of(text), "result", "bad")
            self.done_label.show()

    def close_case(self) -> None:
        """The Case tab's closing form, its reason chosen from how the follow-up ended."""
        if self.who is None or self.view is None or not self._has(Permission.CLOSE_CASE):
            return
        from ui.care.case import CloseCaseForm

        try:
            summary = cases.case_summary(self.who, self.file.resident_id)
        except ShelterError as exc:
            self.notice.set_message(error_text(exc))
            return
        form = CloseCaseForm(self.who, self.file, summary, self)
        reason = "lost_contact" if self.view.lost_contact_on is not None else "reintegrated"
        form.reason.setCurrentIndex(max(0, form.reason.findData(reason)))
        form.guard.reset()  # the reason chosen for her or him is not "something typed"
        self.open_form(form)

    def record_survey(self) -> None:
        if self._ready():
            self.open_form(SurveyDialog(self.who, self.file, self.view, self))


register_tab(FileTab("reintegration", N_("Reintegration"), ReintegrationTab, Permission.VIEW_REINTEGRATION),
             after="sessions")
