"""The "Care plan" tab of the resident's file.

At the top, where the plan stands: the version agreed with the resident (or
the draft of the first), whether it changed since, the next review, the
social worker holding the case, approval where the shelter asks for it, and
whether the plan is complete — each need of the latest assessment with
neither a goal nor a reason for having none is listed, with a button to add
the goal and one to write the reason.

Below, three sub-tabs keep a forty-goal plan on a laptop screen:

- Goals and actions: the goals grouped by domain, each with its actions (a
  tree), and beside it the selected goal, action or reason in full with what
  can be done to it;
- Reviews: each review with the progress it noted, and "Record a review";
- Versions and approval: the versions agreed (print one, print the draft,
  compare two), agreeing the draft with the resident, and the approval and
  history of the plan.

Every change goes through ``shelter.services.care_plans`` (which checks the
roles and audits), off the GUI thread; the file window reads the plan again
when a change names this resident. Roles without ``WRITE_CARE_PLAN`` see
the plan without its write buttons; a coordinator approves or returns it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from shelter.domain.care import SCORE_MEANINGS, due_state
from shelter.domain.dates import format_date
from shelter.domain.vocabulary import ASSESSMENT_DOMAIN, DUE_STATE, G_, GOAL_STATUS, PLAN_EVENT, PRIORITY
from shelter.errors import ShelterError
from shelter.i18n import LANGUAGE_NAMES, N_, _, isolate, ngettext
from shelter.security.permissions import Permission
from shelter.services import care_plans
from shelter.services.care_plans import ActionView, EventView, FollowUpView, GoalView, PlanView, PrintedPlan
from shelter.services.documents import record_output
from shelter.services.residents import ResidentFile
from shelter.services.settings import get_settings
from shelter.store import SignedIn
from ui.care.plan_forms import (
    ActionForm,
    AgreeForm,
    CompareDialog,
    DoneForm,
    FollowUpActionForm,
    GoalForm,
    LanguageDialog,
    NoteForm,
    ReasonForm,
    ReturnForm,
    ReviewForm,
    dated,
    nobody,
    score_text,
)
from ui.documents.preview import DocumentPreview
from ui.qt import (
    QAbstractItemModel,
    QAbstractItemView,
    QApplication,
    QBrush,
    QColor,
    QDialog,
    QEvent,
    QFont,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QModelIndex,
    QObject,
    QPushButton,
    QSplitter,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTimer,
    QVBoxLayout,
    QWidget,
    changes,
    error_text,
    run_change,
    run_task,
)
from ui.residents.file import FileTab, about, register_tab
from ui.widgets import ErrorLabel, scrolled
from ui.widgets.dates import local_datetime
from ui.widgets.lines import day, line_of, lines_of
from ui.widgets.views import RowTree

_OVERDUE_COLOUR = "#a4262c"
_MUTED_COLOUR = "#56666e"
_GAP_ROWS_SHOWN = 3  # missing needs in view at once; more scroll


def done_text(action: ActionView) -> str:
    if action.done_on is None:
        return ""
    return _("Done on {date} by {name}").format(date=dated(action.done_on), name=isolate(nobody(action.done_by)))


def action_state(action: ActionView, today: date) -> str:
    """What the status column says of an action: done, or how due it is."""
    if action.done_on is not None:
        return done_text(action)
    if action.due_on is not None:
        state = due_state(action.due_on, today)
        if state != "later":
            return DUE_STATE.label(state)
    return _("To do")


def event_day(event: EventView) -> str:
    return dated(event.at.astimezone().date())


def latest_note_text(action: ActionView) -> str:
    if not action.notes:
        return ""
    note = action.notes[0]
    return _("Latest note, {date}: {text}").format(date=dated(note.written_at.astimezone().date()),
                                                   text=isolate(note.text))


# -- the goals as a tree ----------------------------------------------------------------------

class _Node:
    __slots__ = ("kind", "key", "texts", "tip", "parent", "children", "row", "late")

    def __init__(self, kind: str, key: Any, texts: list[str], tip: str = "", parent: _Node | None = None,
                 late: bool = False) -> None:
        self.kind = kind  # "domain", "reason", "goal", "action"
        self.key = key  # the domain code, or the goal's or action's id
        self.texts = texts + [""] * (4 - len(texts))
        self.tip = tip
        self.parent = parent
        self.children: list[_Node] = []
        self.row = 0
        self.late = late
        if parent is not None:
            self.row = len(parent.children)
            parent.children.append(self)


class PlanTreeModel(QAbstractItemModel):
    """The plan's goals grouped by domain, each goal with its actions; a
    domain without a goal shows the reason written for it."""

    COLUMNS = (N_("Goal or action"), N_("Priority or who"), N_("By when"), N_("Status"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.root = _Node("root", None, [])
        self.view: PlanView | None = None

    # -- filling -------------------------------------------------------------------------

    def set_view(self, view: PlanView | None) -> None:
        self.beginResetModel()
        self.view = view
        self.root = _Node("root", None, [])
        if view is not None:
            self._fill(view)
        self.endResetModel()

    def _fill(self, view: PlanView) -> None:
        today = date.today()
        for domain in ASSESSMENT_DOMAIN.codes:
            goals = [g for g in view.goals if g.domain == domain]
            reason = view.reasons.get(domain, "")
            if not goals and not reason:
                continue
            scored = score_text(view, domain)
            label = ASSESSMENT_DOMAIN.label(domain)
            heading = _("{domain} — {scored}").format(domain=label, scored=scored) if scored else label
            meaning = _(SCORE_MEANINGS[domain][view.scores[domain]]) if scored and domain in SCORE_MEANINGS else ""
            node = _Node("domain", domain, [heading], lines_of([heading, meaning]), self.root)
            if reason:
                text = _("No goal: {reason}").format(reason=isolate(reason))
                _Node("reason", domain, [text], text, node)
            for goal in goals:
                self._goal(goal, node, today, view.sex)

    def _goal(self, goal: GoalView, parent: _Node, today: date, sex: str | None = None) -> None:
        words = about(sex, OWN_WORDS).format(words=isolate(goal.resident_words)) if goal.resident_words else ""
        status = GOAL_STATUS.label(goal.status)
        why = _("Why: {reason}").format(reason=isolate(goal.status_reason)) if goal.status_reason else ""
        node = _Node("goal", goal.goal_id,
                     ["\n".join(t for t in (goal.goal, words) if t), PRIORITY.label(goal.priority),
                      day(goal.target_on), status],
                     lines_of([goal.goal, words, status, why]), parent)
        for action in goal.actions:
            note = latest_note_text(action)
            late = action.done_on is None and action.due_on is not None and action.due_on < today
            _Node("action", action.action_id,
                  ["\n".join(t for t in (action.what, note) if t), action.owner, day(action.due_on),
                   action_state(action, today)],
                  lines_of([action.what, action.owner, note]), node, late=late)

    # -- reading ---------------------------------------------------------------------------

    def node(self, index: QModelIndex) -> _Node:
        return index.internalPointer() if index.isValid() else self.root

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        owner = self.node(parent)
        if 0 <= row < len(owner.children) and 0 <= column < len(self.COLUMNS):
            return self.createIndex(row, column, owner.children[row])
        return QModelIndex()

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        owner = index.internalPointer().parent
        if owner is None or owner is self.root:
            return QModelIndex()
        return self.createIndex(owner.row, 0, owner)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self.node(parent).children)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return len(self.COLUMNS)

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node: _Node = index.internalPointer()
        column = index.column()
        if role == Qt.DisplayRole:
            return node.texts[column]
        if role == Qt.ToolTipRole:
            return node.tip if column == 0 else node.texts[column] or None
        if role == Qt.FontRole and node.kind == "domain":
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ForegroundRole:
            if node.late and column in (2, 3):
                return QBrush(QColor(_OVERDUE_COLOUR))
            if node.kind == "reason":
                return QBrush(QColor(_MUTED_COLOUR))
        if role == Qt.UserRole:
            return (node.kind, node.key)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return _(self.COLUMNS[section])
        return None

    def find(self, kind: str, key: Any) -> QModelIndex:
        stack = list(self.root.children)
        while stack:
            node = stack.pop()
            if node.kind == kind and node.key == key:
                return self.createIndex(node.row, 0, node)
            stack.extend(node.children)
        return QModelIndex()


# -- the tab ----------------------------------------------------------------------------------

def _button(text: str, slot: Callable[[], None], tip: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setAutoDefault(False)
    if tip:
        button.setToolTip(tip)
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


def _row(*widgets: QWidget, stretch: bool = True) -> QHBoxLayout:
    line = QHBoxLayout()
    line.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        line.addWidget(widget)
    if stretch:
        line.addStretch(1)
    return line


# About the resident: agreed with her or his sex ("ses propres mots", "بتعبيرها").
OWN_WORDS = G_("In the resident's own words: “{words}”")


class CarePlanTab(QWidget):
    """The care plan of the resident's latest stay (see the module's docstring)."""

    def __init__(self, file: ResidentFile, who: SignedIn | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.file = file
        self.view: PlanView | None = None
        self.form_dialog: QDialog | None = None
        self.preview: DocumentPreview | None = None
        self.confirm_box: QMessageBox | None = None
        self.compare_dialog: CompareDialog | None = None
        self.language_dialog: LanguageDialog | None = None
        self.printed: PrintedPlan | None = None
        self._build()
        changes.changed.connect(self._changed)
        self.show_file(file)

    # -- roles -------------------------------------------------------------------------------

    def _has(self, permission: Permission) -> bool:
        return self.who is not None and self.who.actor.has(permission)

    @property
    def may_write(self) -> bool:
        return self._has(Permission.WRITE_CARE_PLAN) and not (self.view is not None and self.view.closed)

    @property
    def may_approve(self) -> bool:
        return self._has(Permission.APPROVE_CARE_PLAN) and not (self.view is not None and self.view.closed)

    # -- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(6)

        # Where the plan stands.
        self.state_label = _text_label(_("State of the plan"), "notice")
        self.facts_label = _text_label(_("Review and social worker"), "muted")
        self.approval_label = _text_label(_("Approval"))
        self.notice = ErrorLabel()
        policy = self.notice.sizePolicy()
        policy.setRetainSizeWhenHidden(False)  # no empty line at the top while there is nothing to say
        self.notice.setSizePolicy(policy)
        self.done_label = _text_label(_("Done"), "result")
        self.done_label.setProperty("state", "good")
        self.done_label.hide()
        self.empty_label = _text_label(_("The care plan"), "notice")
        self.start_button = _button(_("&Start the care plan"), self.start)
        self.start_button.setObjectName("primary")
        self.assessment_button = _button(_("Open the Needs &assessment tab"), self.open_assessment)
        self.complete_label = _text_label(_("Completeness"), "result")
        self.complete_label.setProperty("state", "good")
        self.gaps_holder = QWidget()
        self.gaps_grid = QGridLayout(self.gaps_holder)
        self.gaps_grid.setContentsMargins(0, 0, 0, 0)
        self.gaps_grid.setSpacing(4)
        self.gaps_grid.setColumnStretch(0, 1)
        self.gaps_area = scrolled(self.gaps_holder, horizontal=False)
        self.gaps_area.viewport().installEventFilter(self)
        self.gap_rows: dict[str, tuple[QLabel, QPushButton, QPushButton]] = {}

        layout.addWidget(self.state_label)
        layout.addWidget(self.facts_label)
        layout.addWidget(self.approval_label)
        layout.addWidget(self.done_label)
        layout.addWidget(self.notice)
        layout.addWidget(self.empty_label)
        layout.addLayout(_row(self.start_button, self.assessment_button))
        layout.addWidget(self.complete_label)
        layout.addWidget(self.gaps_area)
        # Follow-ups a counsellor proposed when signing a session note.
        self.follow_holder = QWidget()
        self.follow_grid = QGridLayout(self.follow_holder)
        self.follow_grid.setContentsMargins(0, 0, 0, 0)
        self.follow_grid.setSpacing(4)
        self.follow_grid.setColumnStretch(0, 1)
        self.follow_rows: list[QWidget] = []
        layout.addWidget(self.follow_holder)

        self.sections = QTabWidget()
        self.sections.setDocumentMode(True)
        self.sections.addTab(self._goals_page(), _("Goals and actions"))
        self.sections.addTab(self._reviews_page(), _("Reviews"))
        self.sections.addTab(self._versions_page(), _("Versions and approval"))
        layout.addWidget(self.sections, 1)
        layout.addStretch(0)  # before a plan is started (no sub-tabs), the lines above stay together at the top

    def _goals_page(self) -> QWidget:
        self.model = PlanTreeModel(self)
        self.tree = RowTree()
        self.tree.setModel(self.model)
        self.tree.setAccessibleName(_("Goals and actions"))
        self.tree.setUniformRowHeights(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.tree.setSelectionMode(QAbstractItemView.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.tree.setTextElideMode(Qt.ElideRight)
        self.tree.setIndentation(14)
        self.tree.setAllColumnsShowFocus(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.Interactive)
        header.setMinimumSectionSize(60)
        self.tree.selectionModel().currentRowChanged.connect(lambda *_args: self._show_selected())
        self.tree.activated.connect(lambda _index: self._open_selected())
        self.add_goal_button = _button(_("A&dd a goal…"), lambda: self.add_goal())
        self.goals_hint = _text_label(object_name="muted")
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 6, 0, 0)
        column.addWidget(self.tree, 1)
        line = QHBoxLayout()
        line.addWidget(self.add_goal_button)
        line.addWidget(self.goals_hint, 1)
        column.addLayout(line)

        # The selected row in full, and what can be done to it.
        self.detail = _text_label(_("The selected goal or action"))
        self.detail.setAlignment(Qt.AlignTop)
        self.edit_goal_button = _button(_("&Edit the goal…"), self.edit_goal)
        self.remove_goal_button = _button(_("Re&move the goal"), self.remove_goal,
                                          _("Only a goal no agreed version carries can be removed; drop it instead"))
        self.add_action_button = _button(_("Add an a&ction…"), self.add_action)
        self.edit_action_button = _button(_("&Edit the action…"), self.edit_action)
        self.done_button = _button(_("Mark d&one…"), self.mark_done)
        self.not_done_button = _button(_("Mark &not done"), self.mark_not_done)
        self.note_button = _button(_("Add a progress no&te…"), self.add_note)
        self.remove_action_button = _button(_("Re&move the action"), self.remove_action)
        self.reason_button = _button(_("Change the &reason…"), lambda: self.write_reason())
        self.goal_buttons = (self.edit_goal_button, self.add_action_button, self.remove_goal_button)
        self.action_buttons = (self.edit_action_button, self.done_button, self.not_done_button, self.note_button,
                               self.remove_action_button)
        inspector = QWidget()
        side = QVBoxLayout(inspector)
        side.setContentsMargins(8, 6, 4, 4)
        side.addWidget(self.detail)
        for button in (*self.goal_buttons, *self.action_buttons, self.reason_button):
            side.addWidget(button)
        side.addStretch(1)
        self.inspector = scrolled(inspector, horizontal=False)

        splitter = QSplitter(Qt.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(self.inspector)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([700, 280])
        self.goals_splitter = splitter
        return splitter

    def _reviews_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 6, 0, 0)
        self.review_state = _text_label(_("Next review"))
        self.review_button = _button(_("Record a &review…"), self.record_review)
        self.reviews = QListWidget()
        self.reviews.setWordWrap(True)
        self.reviews.setAlternatingRowColors(True)
        self.reviews.setAccessibleName(_("Reviews"))
        line = QHBoxLayout()
        line.addWidget(self.review_state, 1)
        line.addWidget(self.review_button, 0, Qt.AlignTop)
        column.addLayout(line)
        column.addWidget(self.reviews, 1)
        return page

    def _versions_page(self) -> QWidget:
        self.versions = QTableWidget(0, 6)
        self.versions.setAccessibleName(_("Versions agreed with the resident"))
        self.versions.setHorizontalHeaderLabels([_("Version"), _("Reference"), _("Agreed on"), _("Language"),
                                                 _("Agreed by"), _("Interpreter")])
        self.versions.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.versions.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.versions.setSelectionMode(QAbstractItemView.SingleSelection)
        self.versions.verticalHeader().hide()
        self.versions.setWordWrap(False)
        header = self.versions.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setStretchLastSection(True)
        self.versions.itemSelectionChanged.connect(self._version_selected)
        self.versions_hint = _text_label(object_name="muted")
        self.print_button = _button(_("&Print…"), self.print_version, _("The selected version as it was agreed"))
        self.print_draft_button = _button(_("Print the &draft…"), self.print_draft,
                                          _("The plan as it is now, marked as a draft"))
        self.compare_button = _button(_("&Compare…"), self.compare,
                                      _("What changed from one version to another, or to the draft"))
        versions = QWidget()
        column = QVBoxLayout(versions)
        column.setContentsMargins(0, 6, 0, 0)
        column.addWidget(self.versions, 1)
        column.addWidget(self.versions_hint)
        column.addLayout(_row(self.print_button, self.print_draft_button, self.compare_button))

        self.events_box = QGroupBox(_("History of the plan"))
        self.events = QListWidget()
        self.events.setWordWrap(True)
        self.events.setAlternatingRowColors(True)
        self.events.setAccessibleName(_("History of the plan"))
        events = QVBoxLayout(self.events_box)
        events.setContentsMargins(6, 6, 6, 6)
        events.addWidget(self.events)
        left = QSplitter(Qt.Vertical)
        left.setChildrenCollapsible(False)
        left.addWidget(versions)
        left.addWidget(self.events_box)
        left.setSizes([260, 200])

        self.agree_box = QGroupBox(_("Agree with the resident"))
        self.agree_button = _button(_("&Agree with the resident…"), self.agree)
        self.agree_button.setObjectName("primary")
        self.blockers_label = _text_label(_("Why the plan cannot be agreed yet"), "muted")
        agree = QVBoxLayout(self.agree_box)
        agree.addWidget(self.agree_button, 0, Qt.AlignLeading)
        agree.addWidget(self.blockers_label)

        self.approval_box = QGroupBox(_("Approval by a coordinator"))
        self.approval_state = _text_label(_("Approval"))
        self.submit_button = _button(_("Send for appro&val"), self.submit_for_approval)
        self.approve_button = _button(_("Appro&ve"), self.approve)
        self.return_button = _button(_("&Return with a comment…"), self.return_plan)
        approval = QVBoxLayout(self.approval_box)
        approval.addWidget(self.approval_state)
        approval.addLayout(_row(self.submit_button))
        approval.addLayout(_row(self.approve_button, self.return_button))

        right = QWidget()
        side = QVBoxLayout(right)
        side.setContentsMargins(8, 6, 4, 4)
        side.addWidget(self.agree_box)
        side.addWidget(self.approval_box)
        side.addStretch(1)
        splitter = QSplitter(Qt.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(scrolled(right, horizontal=False))
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([620, 380])
        self.versions_splitter = splitter
        return splitter

    # -- reading -----------------------------------------------------------------------------

    def show_file(self, file: ResidentFile) -> None:
        """The file was read again (after a change naming this resident): read the plan again."""
        self.file = file
        self.reload()

    def reload(self) -> None:
        if self.who is None or self.who.locked:
            return
        try:
            view = care_plans.care_plan(self.who, self.file.resident_id)
        except ShelterError as exc:
            self.view = None
            self._show_nothing(exc.message)
            return
        self.show_view(view)

    def _changed(self, change: object) -> None:
        """Outside a file window (which reads the file again and calls
        ``show_file``), a change naming this resident reads the plan again."""
        if hasattr(self.window(), "reload"):
            return
        if self.file.resident_id in getattr(change, "residents", frozenset()):
            self.reload()

    def _show_nothing(self, message: str) -> None:
        for widget in (self.state_label, self.facts_label, self.approval_label, self.complete_label, self.gaps_area,
                       self.sections, self.start_button, self.assessment_button):
            widget.hide()
        self.empty_label.setText(message)
        self.empty_label.show()

    def show_view(self, view: PlanView) -> None:
        self.view = view
        started = view.plan_id is not None
        assessed = view.assessed_on is not None
        self.start_button.setVisible(not started and assessed and self.may_write)
        self.assessment_button.setVisible(not assessed)
        self.sections.setVisible(started)
        self.state_label.setVisible(started)
        self.facts_label.setVisible(True)
        self.approval_label.setVisible(started and view.approval_required)
        if not assessed:
            self.empty_label.setText(_("The care plan is built from a needs assessment, and there is none in this "
                                       "stay yet. Assess the person's needs first, in the Needs assessment tab."))
        elif not started:
            self.empty_label.setText(_("No care plan has been started yet. It will answer the needs of the "
                                       "assessment of {date}.").format(date=dated(view.assessed_on))
                                     if self.may_write else _("No care plan has been started yet."))
        elif view.closed:
            self.empty_label.setText(_("The case is closed: the plan can be read, not changed."))
        else:
            self.empty_label.setText("")
        self.empty_label.setVisible(bool(self.empty_label.text()))
        self._show_header(view)
        self._show_completeness(view)
        self._show_follow_ups(view)
        if started:
            self._show_goals(view)
            self._show_reviews(view)
            self._show_versions(view)
            self._show_approval(view)

    # -- the header ----------------------------------------------------------------------------

    def _show_header(self, view: PlanView) -> None:
        agreed = view.agreed
        if agreed is None:
            state = _("Draft of version {n}: not yet agreed with the resident.").format(n=view.draft_number)
        elif view.draft_changed:
            state = _("Version {n} agreed on {date}; changed since version {n} (draft of version {next}).").format(
                n=agreed.number, date=dated(agreed.agreed_on), next=view.draft_number)
        else:
            state = _("Version {n} agreed on {date}.").format(n=agreed.number, date=dated(agreed.agreed_on))
        if view.gaps and view.plan_id is not None:
            state = _("{state} {missing}").format(state=state, missing=ngettext(
                "{n} need is still missing from the plan.", "{n} needs are still missing from the plan.",
                len(view.gaps)).format(n=len(view.gaps)))
        self.state_label.setText(line_of(state))
        facts = []
        if view.next_review_on is not None:
            due = due_state(view.next_review_on, date.today())
            facts.append(_("Next review: {date} ({state})").format(date=dated(view.next_review_on),
                                                                   state=DUE_STATE.label(due))
                         if due != "later" else _("Next review: {date}").format(date=dated(view.next_review_on)))
        elif view.plan_id is not None:
            facts.append(_("Next review: set when the plan is agreed"))
        facts.append(_("Social worker: {name}").format(name=isolate(view.case_worker)) if view.case_worker
                     else _("No social worker holds the case yet."))
        if view.assessed_on is not None:
            facts.append(_("From the needs assessment of {date}").format(date=dated(view.assessed_on)))
        self.facts_label.setText(line_of(" · ".join(facts)))
        self.approval_label.setText(line_of(self.approval_text(view)))

    def approval_text(self, view: PlanView) -> str:
        """Where the draft stands with the coordinator, in a sentence."""
        if view.versions and not view.draft_changed:
            return _("Nothing to approve: the plan has not changed since version {n}.").format(
                n=view.versions[0].number)
        latest = self.latest_event(view)
        if view.approval == "submitted" and latest is not None:
            return _("Sent for approval by {name} on {date}: waiting for a coordinator.").format(
                name=isolate(nobody(latest.by)), date=event_day(latest))
        if view.approval == "approved" and latest is not None:
            return _("Approved by {name} on {date}: it can be agreed with the resident.").format(
                name=isolate(nobody(latest.by)), date=event_day(latest))
        if view.approval == "returned" and latest is not None:
            return _("Returned by {name} on {date}: “{comment}”. Change the plan, then send it again.").format(
                name=isolate(nobody(latest.by)), date=event_day(latest), comment=isolate(latest.comment))
        if latest is not None and latest.kind == "returned":
            return _("Returned by {name} on {date}: “{comment}”. Changed since: send it again for approval.").format(
                name=isolate(nobody(latest.by)), date=event_day(latest), comment=isolate(latest.comment))
        if latest is not None and latest.kind in ("submitted", "approved"):
            return _("Changed since it was sent for approval: send it again.")
        return _("A coordinator approves the plan before it is agreed with the resident: not sent yet.")

    @staticmethod
    def latest_event(view: PlanView) -> EventView | None:
        """The newest approval event of the draft (sent, approved or returned)."""
        return next((e for e in view.events if e.version_number == view.draft_number and e.kind != "agreed"), None)

    def _show_follow_ups(self, view: PlanView) -> None:
        for widget in self.follow_rows:
            self.follow_grid.removeWidget(widget)
            widget.hide()
            widget.deleteLater()
        self.follow_rows = []
        shown = view.follow_ups if view.plan_id is not None else ()
        self.follow_holder.setVisible(bool(shown))
        for row, follow in enumerate(shown):
            label = _text_label(object_name="notice")
            label.setText(line_of(_("Proposed by {counsellor} after a session on {date}: {text}").format(
                counsellor=isolate(follow.proposed_by or _("a counsellor")), date=dated(follow.proposed_at.astimezone()
                                                                                         .date()),
                text=isolate(follow.text))))
            make = _button(_("Make it an ac&tion…"), lambda f=follow: self.adopt_follow_up(f))
            make.setToolTip(_("Under the goal selected in the list below"))
            aside = _button(_("Set as&ide"), lambda f=follow: self.set_aside(f))
            for button in (make, aside):
                button.setVisible(self.may_write)
            self.follow_grid.addWidget(label, row, 0)
            self.follow_grid.addWidget(make, row, 1, Qt.AlignVCenter)
            self.follow_grid.addWidget(aside, row, 2, Qt.AlignVCenter)
            self.follow_rows += [label, make, aside]

    def adopt_follow_up(self, follow: FollowUpView) -> None:
        goal = self.selected_goal()
        if goal is None and self.view is not None and self.view.goals:
            goal = next((g for g in self.view.goals if g.domain == follow.domain), None)
        if goal is None or self.who is None or self.view is None:
            self.notice.set_message(_("Choose the goal the action belongs to in the list of goals, then try again."))
            return
        self.open_form(FollowUpActionForm(self.who, self.file, self.view, goal, follow, parent=self))

    def set_aside(self, follow: FollowUpView) -> None:
        if self.who is not None:
            who, follow_id = self.who, follow.follow_up_id
            self.write(lambda: care_plans.set_aside_follow_up(who, follow_id))

    def _show_completeness(self, view: PlanView) -> None:
        for label, add, reason in self.gap_rows.values():
            for widget in (label, add, reason):
                self.gaps_grid.removeWidget(widget)
                widget.hide()
                widget.deleteLater()
        self.gap_rows = {}
        if view.assessed_on is None:
            self.complete_label.hide()
            self.gaps_area.hide()
            return
        started = view.plan_id is not None
        if not view.gaps:
            self.gaps_area.hide()
            self.complete_label.setVisible(started)
            if view.goals:
                self.complete_label.setText(line_of(_(
                    "Complete: every need of the assessment of {date} has a goal or a reason for having none.")
                    .format(date=dated(view.assessed_on))))
            else:
                self.complete_label.setText(line_of(_(
                    "The assessment of {date} found no need; add a goal if the resident has one.").format(
                    date=dated(view.assessed_on))))
            return
        self.complete_label.hide()
        for row, gap in enumerate(view.gaps):
            label = _text_label(object_name="important")
            label.setText(line_of(_("Still missing: {domain} ({scored}) — add a goal or write why there is none")
                                  .format(domain=ASSESSMENT_DOMAIN.label(gap.domain), scored=score_text(view, gap.domain))))
            add = _button(_("Add a &goal"), lambda d=gap.domain: self.add_goal(d))
            add.setAccessibleName(_("Add a goal for {domain}").format(domain=ASSESSMENT_DOMAIN.label(gap.domain)))
            reason = _button(_("No goal: give a rea&son…"), lambda d=gap.domain: self.write_reason(d))
            reason.setAccessibleName(_("No goal for {domain}: give a reason").format(
                domain=ASSESSMENT_DOMAIN.label(gap.domain)))
            for button in (add, reason):
                button.setVisible(started and self.may_write)
            self.gaps_grid.addWidget(label, row, 0)
            self.gaps_grid.addWidget(add, row, 1, Qt.AlignVCenter)
            self.gaps_grid.addWidget(reason, row, 2, Qt.AlignVCenter)
            self.gap_rows[gap.domain] = (label, add, reason)
        # The keyboard reaches the new buttons where they are read: after the
        # plan's state, before the sub-tabs (not after everything built earlier).
        previous: QWidget = self.assessment_button
        for _label, add, reason in self.gap_rows.values():
            QWidget.setTabOrder(previous, add)
            QWidget.setTabOrder(add, reason)
            previous = reason
        self.gaps_area.show()
        self._fit_gaps()

    def _fit_gaps(self) -> None:
        """The missing needs take the height they need, up to a few rows; the
        others scroll (the labels wrap on a narrow window)."""
        if not self.gap_rows:
            return
        width = self.gaps_area.viewport().width() or self.width()
        layout = self.gaps_grid
        needed = layout.heightForWidth(width) if layout.hasHeightForWidth() else -1
        if needed < 0:
            needed = layout.sizeHint().height()
        button = next(iter(self.gap_rows.values()))[1].sizeHint().height()
        # Before the plan starts there are no sub-tabs below: more of the list is in view.
        rows = _GAP_ROWS_SHOWN if not self.sections.isHidden() else 2 * _GAP_ROWS_SHOWN
        cap = rows * (button + 12) + 8
        self.gaps_area.setFixedHeight(max(min(needed, cap), button + 4))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.gaps_area.viewport() and event.type() == QEvent.Type.Resize:
            QTimer.singleShot(0, self, self._fit_gaps)  # the labels wrap again at the new width
        return super().eventFilter(watched, event)

    # -- goals and actions ----------------------------------------------------------------------

    def _show_goals(self, view: PlanView) -> None:
        selected = self.selected()
        scroll = self.tree.verticalScrollBar().value()
        self.model.set_view(view)
        self.tree.expandAll()
        for row in range(self.model.rowCount()):
            self.tree.setFirstColumnSpanned(row, QModelIndex(), True)
        header = self.tree.header()
        width = self.tree.fontMetrics().horizontalAdvance
        header.resizeSection(1, max(110, min(180, max([width(_(PlanTreeModel.COLUMNS[1])) + 24] + [
            width(a.owner) + 24 for g in view.goals for a in g.actions]))))
        header.resizeSection(2, max(width("0000-00-00") + 24, width(_(PlanTreeModel.COLUMNS[2])) + 24))
        header.resizeSection(3, max(110, min(150, max([width(_(PlanTreeModel.COLUMNS[3])) + 24] + [
            width(GOAL_STATUS.label(g.status)) + 24 for g in view.goals]))))
        index = self.model.find(*selected) if selected else QModelIndex()
        if not index.isValid() and self.model.rowCount():
            first = self.model.index(0, 0)
            index = self.model.index(0, 0, first) if self.model.rowCount(first) else first
        if index.isValid():
            self.tree.setCurrentIndex(index)
        self.tree.verticalScrollBar().setValue(scroll)
        self.add_goal_button.setVisible(self.may_write)
        count = len(view.goals)
        actions = sum(len(g.actions) for g in view.goals)
        self.goals_hint.setText(_("No goal yet.") if not count else
                                ngettext("{n} goal", "{n} goals", count).format(n=count) + " · "
                                + ngettext("{n} action", "{n} actions", actions).format(n=actions))
        self._show_selected()

    def selected(self) -> tuple[str, Any] | None:
        index = self.tree.currentIndex()
        return self.model.data(index.siblingAtColumn(0), Qt.UserRole) if index.isValid() else None

    def selected_goal(self) -> GoalView | None:
        found = self.selected()
        if self.view is None or found is None:
            return None
        kind, key = found
        if kind == "goal":
            return next((g for g in self.view.goals if g.goal_id == key), None)
        if kind == "action":
            return next((g for g in self.view.goals for a in g.actions if a.action_id == key), None)
        return None

    def selected_action(self) -> ActionView | None:
        found = self.selected()
        if self.view is None or found is None or found[0] != "action":
            return None
        return next((a for g in self.view.goals for a in g.actions if a.action_id == found[1]), None)

    def select(self, kind: str, key: Any) -> bool:
        index = self.model.find(kind, key)
        if index.isValid():
            self.tree.setCurrentIndex(index)
        return index.isValid()

    def _show_selected(self) -> None:
        view = self.view
        found = self.selected()
        kind = found[0] if found else ""
        write = self.may_write
        for button in self.goal_buttons:
            button.setVisible(write and kind == "goal")
        for button in self.action_buttons:
            button.setVisible(write and kind == "action")
        self.reason_button.setVisible(write and kind in ("reason", "domain")
                                      and found is not None and view is not None and found[1] in view.reasons)
        if view is None or found is None:
            self.detail.setText(line_of(_("Choose a goal or an action to see it in full.")) if view and view.goals
                                else line_of(_("The plan has no goal yet.")))
            return
        if kind == "domain" or kind == "reason":
            domain = found[1]
            lines = [ASSESSMENT_DOMAIN.label(domain)]
            scored = score_text(view, domain)
            if scored:
                lines.append(_("In the latest assessment: {scored}").format(scored=scored))
                lines.append(_(SCORE_MEANINGS[domain][view.scores[domain]]))
            if view.reasons.get(domain):
                lines.append(_("Why there is no goal: {reason}").format(reason=isolate(view.reasons[domain])))
            goals = sum(1 for g in view.goals if g.domain == domain)
            lines.append(ngettext("{n} goal", "{n} goals", goals).format(n=goals))
            self.detail.setText(lines_of(lines))
            return
        if kind == "goal":
            goal = self.selected_goal()
            if goal is not None:
                self.detail.setText(lines_of(self.describe_goal(goal)))
                self.not_done_button.hide()
            return
        action = self.selected_action()
        goal = self.selected_goal()
        if action is not None and goal is not None:
            self.detail.setText(lines_of(self.describe_action(action, goal)))
            self.done_button.setVisible(write and action.done_on is None)
            self.not_done_button.setVisible(write and action.done_on is not None)

    def describe_goal(self, goal: GoalView) -> list[str]:
        lines = [_("Goal: {goal}").format(goal=isolate(goal.goal)),
                 _("Domain: {domain}").format(domain=ASSESSMENT_DOMAIN.label(goal.domain))]
        if goal.resident_words:
            lines.append(about(self.view.sex if self.view else None, OWN_WORDS).format(
                words=isolate(goal.resident_words)))
        lines.append(_("Priority: {priority}").format(priority=PRIORITY.label(goal.priority)))
        lines.append(_("Target date: {date}").format(date=dated(goal.target_on)) if goal.target_on
                     else _("No target date."))
        lines.append(_("Status: {status}").format(status=GOAL_STATUS.label(goal.status)))
        if goal.status_reason:
            lines.append(_("Why: {reason}").format(reason=isolate(goal.status_reason)))
        lines.append(ngettext("{n} action", "{n} actions", len(goal.actions)).format(n=len(goal.actions)))
        if goal.in_agreed_version:
            lines.append(_("This goal is in a version agreed with the resident: mark it dropped, with the reason, "
                           "rather than removing it."))
        return lines

    def describe_action(self, action: ActionView, goal: GoalView) -> list[str]:
        lines = [_("Action: {what}").format(what=isolate(action.what)),
                 _("For the goal: {goal}").format(goal=isolate(goal.goal)),
                 _("Who: {owner}").format(owner=isolate(action.owner or _("nobody named")))]
        lines.append(_("Due date: {date}").format(date=dated(action.due_on)) if action.due_on
                     else _("No due date."))
        lines.append(done_text(action) if action.done_on else _("Not done yet."))
        if action.notes:
            lines.append(_("Progress notes, newest first:"))
            lines += [_("{date}, {name}: {text}").format(date=local_datetime(n.written_at),
                                                        name=isolate(nobody(n.written_by)), text=isolate(n.text))
                      for n in action.notes]
        else:
            lines.append(_("No progress note yet."))
        return lines

    def _open_selected(self) -> None:
        found = self.selected()
        if not self.may_write or found is None:
            return
        if found[0] == "goal":
            self.edit_goal()
        elif found[0] == "action":
            self.edit_action()
        elif found[0] == "reason":
            self.write_reason()

    # -- reviews ---------------------------------------------------------------------------------

    def _show_reviews(self, view: PlanView) -> None:
        if view.next_review_on is not None:
            state = _("Next review: {date}").format(date=dated(view.next_review_on))
            due = due_state(view.next_review_on, date.today())
            if due != "later":
                state = _("Next review: {date} ({state})").format(date=dated(view.next_review_on),
                                                                 state=DUE_STATE.label(due))
        else:
            state = _("The first review is planned when the plan is agreed with the resident.")
        if not view.versions:
            state += "\n" + _("A review comes after the plan has been agreed with the resident.")
        self.review_state.setText(lines_of(state.split("\n")))
        self.review_button.setVisible(self.may_write)
        self.reviews.clear()
        goal_text = {g.goal_id: g.goal for g in view.goals}
        for review in view.reviews:
            lines = [_("Review of {date} by {name}; next review {next}").format(
                date=dated(review.reviewed_on), name=isolate(nobody(review.reviewed_by)),
                next=dated(review.next_review_on))]
            if review.changes:
                lines.append(_("What was changed: {changes}").format(changes=isolate(review.changes)))
            for goal_id, text, status, progress in review.progress:
                name = isolate(text or goal_text.get(goal_id, "") or _("a goal since removed"))
                lines.append(_("• {goal}: {status} — {progress}").format(
                    goal=name, status=GOAL_STATUS.label(status), progress=isolate(progress)) if progress
                    else _("• {goal}: {status}").format(goal=name, status=GOAL_STATUS.label(status)))
            self.reviews.addItem(lines_of(lines))
        if not view.reviews:
            self.reviews.addItem(line_of(_("No review yet.")))

    # -- versions and approval ----------------------------------------------------------------

    def _show_versions(self, view: PlanView) -> None:
        selected = self.selected_version()
        self.versions.setRowCount(len(view.versions))
        for row, v in enumerate(view.versions):
            texts = (_("V{n}").format(n=v.number), v.reference, format_date(v.agreed_on),
                     LANGUAGE_NAMES.get(v.lang, v.lang), v.agreed_by, v.interpreter or _("none"))
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                item.setData(Qt.UserRole, v.number)
                self.versions.setItem(row, column, item)
        self.versions.resizeColumnsToContents()
        for column in range(self.versions.columnCount()):
            self.versions.setColumnWidth(column, min(self.versions.columnWidth(column), 220))
        numbers = [v.number for v in view.versions]
        if numbers:
            # setCurrentCell rather than selectRow, which selects nothing in a
            # right-to-left table not laid out yet.
            self.versions.setCurrentCell(numbers.index(selected) if selected in numbers else 0, 0)
        self.versions_hint.setText(_("No version has been agreed with the resident yet.") if not numbers else "")
        self.versions_hint.setVisible(not numbers)
        self.compare_button.setEnabled(bool(numbers))
        self._version_selected()
        blockers = view.agree_blockers()
        self.agree_box.setVisible(self.may_write or bool(blockers) or not view.versions)
        self.agree_button.setVisible(self.may_write)
        self.agree_button.setEnabled(not blockers)
        self.blockers_label.setText(lines_of([_("Not yet:")] + ["• " + b for b in blockers]) if blockers
                                    else line_of(_("Ready: the draft can be agreed with the resident.")))
        self.events.clear()
        for event in view.events:
            lines = [_("{event} (version {n}) by {name}, {when}").format(
                event=PLAN_EVENT.label(event.kind), n=event.version_number, name=isolate(nobody(event.by)),
                when=local_datetime(event.at))]
            if event.comment:
                lines.append(_("Comment: {comment}").format(comment=isolate(event.comment)))
            self.events.addItem(lines_of(lines))
        if not view.events:
            self.events.addItem(line_of(_("Nothing yet.")))

    def selected_version(self) -> int | None:
        rows = self.versions.selectionModel().selectedRows() if self.versions.selectionModel() else []
        if not rows:
            return None
        item = self.versions.item(rows[0].row(), 0)
        return item.data(Qt.UserRole) if item is not None else None

    def _version_selected(self) -> None:
        self.print_button.setEnabled(self.selected_version() is not None)

    def _show_approval(self, view: PlanView) -> None:
        self.approval_box.setVisible(view.approval_required)
        self.approval_state.setText(line_of(self.approval_text(view)))
        others = [b for b in view.agree_blockers() if b != _("A coordinator must approve this draft first.")]
        self.submit_button.setVisible(view.approval_required and self.may_write)
        self.submit_button.setEnabled(view.approval not in ("submitted", "approved") and not others)
        for button in (self.approve_button, self.return_button):
            button.setVisible(view.approval_required and self.may_approve)
            button.setEnabled(view.approval == "submitted")

    # -- doing -------------------------------------------------------------------------------------

    def open_form(self, dialog: QDialog) -> QDialog:
        self.notice.set_message("")
        self.done_label.hide()
        self.form_dialog = dialog
        dialog.open()
        return dialog

    def write(self, work: Callable[[], object], busy: QWidget | None = None,
              done: Callable[[object], None] | None = None) -> None:
        """A change made from the tab itself: its refusal shows at the top."""
        self.notice.set_message("")
        self.done_label.hide()
        self.task = run_change(self, work, done or (lambda _change: None),
                               lambda exc: self.notice.set_message(error_text(exc)), busy=busy or self)

    def start(self) -> None:
        who, rid = self.who, self.file.resident_id
        self.write(lambda: care_plans.start_plan(who, rid), self.start_button)

    def open_assessment(self) -> None:
        window = self.window()
        if hasattr(window, "show_tab"):
            window.show_tab("assessment")

    def add_goal(self, domain: str | None = None) -> None:
        if self.view is None or self.view.plan_id is None:
            return
        if domain is None:
            found = self.selected()
            if found is not None and found[0] in ("domain", "reason"):
                domain = found[1]
            elif self.selected_goal() is not None:
                domain = self.selected_goal().domain
        self.sections.setCurrentIndex(0)
        self.open_form(GoalForm(self.who, self.file, self.view, None, domain, self))

    def edit_goal(self) -> None:
        goal = self.selected_goal()
        if goal is not None:
            self.open_form(GoalForm(self.who, self.file, self.view, goal, parent=self))

    def remove_goal(self) -> None:
        goal = self.selected_goal()
        if goal is None:
            return
        who = self.who
        self.confirm(_("Remove the goal"), _("Remove the goal “{goal}” and its actions from the plan?").format(
            goal=isolate(goal.goal)), _("&Remove"), lambda: self.write(lambda: care_plans.remove_goal(who, goal.goal_id)))

    def add_action(self) -> None:
        goal = self.selected_goal()
        if goal is not None:
            self.open_form(ActionForm(self.who, self.file, self.view, goal, parent=self))

    def edit_action(self) -> None:
        goal, action = self.selected_goal(), self.selected_action()
        if goal is not None and action is not None:
            self.open_form(ActionForm(self.who, self.file, self.view, goal, action, parent=self))

    def mark_done(self) -> None:
        action = self.selected_action()
        if action is not None:
            self.open_form(DoneForm(self.who, self.file, self.view, action, parent=self))

    def mark_not_done(self) -> None:
        action = self.selected_action()
        if action is not None:
            who = self.who
            self.write(lambda: care_plans.complete_action(who, action.action_id, None))

    def add_note(self) -> None:
        action = self.selected_action()
        if action is not None:
            self.open_form(NoteForm(self.who, self.file, self.view, action, parent=self))

    def remove_action(self) -> None:
        action = self.selected_action()
        if action is None:
            return
        who = self.who
        self.confirm(_("Remove the action"), _("Remove the action “{what}” from the plan?").format(
            what=isolate(action.what)), _("&Remove"),
            lambda: self.write(lambda: care_plans.remove_action(who, action.action_id)))

    def write_reason(self, domain: str | None = None) -> None:
        if self.view is None or self.view.plan_id is None:
            return
        if domain is None:
            found = self.selected()
            if found is None or found[0] not in ("reason", "domain"):
                return
            domain = found[1]
        self.open_form(ReasonForm(self.who, self.file, self.view, domain, self))

    def record_review(self) -> None:
        if self.view is not None and self.view.plan_id is not None:
            self.open_form(ReviewForm(self.who, self.file, self.view, self))

    def confirm(self, title: str, text: str, yes: str, then: Callable[[], None]) -> QMessageBox:
        """Ask before a removal; No is the default."""
        box = QMessageBox(QMessageBox.Question, title, text, QMessageBox.NoButton, self)
        yes_button = box.addButton(yes, QMessageBox.AcceptRole)
        no_button = box.addButton(_("Cancel"), QMessageBox.RejectRole)
        box.setDefaultButton(no_button)
        box.finished.connect(lambda _result: then() if box.clickedButton() is yes_button else None)
        self.confirm_box = box
        box.open()
        return box

    # -- versions ---------------------------------------------------------------------------------

    def agree(self) -> None:
        if self.view is None or self.view.plan_id is None:
            return
        form = AgreeForm(self.who, self.file, self.view, self)
        form.accepted.connect(lambda: self._agreed(form))
        self.open_form(form)

    def _agreed(self, form: AgreeForm) -> None:
        agreed = form.agreed
        if agreed is None:
            return
        lang = form.language.currentData()
        message = _("Version {n} agreed: reference {reference}, verification code {code}.").format(
            n=agreed.number, reference=isolate(agreed.reference), code=isolate(agreed.verification_code))
        self.done_label.setText(line_of(message))
        self.done_label.show()
        self.show_pdf(agreed.pdf, _("Care plan {reference} — verification code {code}").format(
            reference=agreed.reference, code=agreed.verification_code), lang, agreed.reference)

    def print_version(self) -> None:
        number = self.selected_version()
        if self.view is None or number is None:
            return
        version = next(v for v in self.view.versions if v.number == number)
        self._choose_language(_("Print version {n}").format(n=number), version.lang, number, False)

    def print_draft(self) -> None:
        if self.view is None or self.view.plan_id is None:
            return
        lang = get_settings(self.who).document_language
        self._choose_language(_("Print the draft"), lang, None, True)

    def _choose_language(self, title: str, lang: str, version: int | None, draft: bool) -> None:
        self.notice.set_message("")
        dialog = LanguageDialog(title, lang, self)
        dialog.accepted.connect(lambda: self._print(dialog.lang(), version, draft))
        self.language_dialog = dialog
        dialog.open()

    def _print(self, lang: str, version: int | None, draft: bool) -> None:
        who, rid = self.who, self.file.resident_id

        def shown(printed: PrintedPlan) -> None:
            self.printed = printed
            title = (_("Care plan — draft of version {n}").format(n=printed.number) if printed.draft
                     else _("Care plan {reference}").format(reference=printed.reference))
            name = printed.reference or f"{self.file.case_number}-draft-V{printed.number}"
            self.show_pdf(printed.pdf, title, lang, name)

        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)  # a long plan takes a moment to lay out
        self.print_task = run_task(self, lambda: care_plans.print_care_plan(who, rid, lang, version, draft), shown,
                                   lambda exc: self.notice.set_message(error_text(exc)),
                                   always=lambda _result: QApplication.restoreOverrideCursor())

    def show_pdf(self, pdf: bytes, title: str, lang: str, name: str) -> DocumentPreview:
        who, rid = self.who, self.file.resident_id

        def recorded(how: str) -> None:
            try:
                record_output(who, "care_plan", how, lang, "resident", rid)
            except ShelterError as exc:
                self.notice.set_message(error_text(exc))

        self.preview = DocumentPreview(pdf, title, recorded, self, suggested_name=f"{name}.pdf")
        self.preview.open()
        return self.preview

    def compare(self) -> None:
        if self.view is None or not self.view.versions:
            return
        self.compare_dialog = CompareDialog(self.who, self.view, self)
        self.compare_dialog.open()

    def submit_for_approval(self) -> None:
        if self.view is not None and self.view.plan_id is not None:
            who, plan_id = self.who, self.view.plan_id
            self.write(lambda: care_plans.submit_for_approval(who, plan_id), self.submit_button)

    def approve(self) -> None:
        if self.view is not None and self.view.plan_id is not None:
            who, plan_id = self.who, self.view.plan_id
            self.write(lambda: care_plans.approve_plan(who, plan_id), self.approve_button)

    def return_plan(self) -> None:
        if self.view is not None and self.view.plan_id is not None:
            self.open_form(ReturnForm(self.who, self.file, self.view, self))


register_tab(FileTab("care_plan", N_("Care plan"), CarePlanTab, Permission.VIEW_CARE_PLAN), after="assessment")
