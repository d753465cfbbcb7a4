"""The forms of the "Care plan" tab: a goal, an action (given to a staff
member or to a partner organisation), an action done, a progress note, the
reason a need has no goal, a review, agreeing a version with the resident,
returning a draft with a comment, the language of a printed plan, and the
comparison of two versions.

Each form is a ``CorrectionForm``: a refusal shows beside the field the
service names, what was typed stays, Escape with something typed asks
first, Enter saves, and the write runs off the GUI thread and tells every
open screen what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from shelter.domain.care import REASON_NEEDED_STATUSES, SCORE_MEANINGS
from shelter.domain.changes import Change
from shelter.domain.dates import format_date
from shelter.domain.vocabulary import ASSESSMENT_DOMAIN, GOAL_STATUS, NEED_SCORE, PRIORITY
from shelter.errors import ShelterError
from shelter.i18n import LANGUAGE_NAMES, N_, _, isolate, ngettext
from shelter.services import care_plans, cases
from shelter.services.care_plans import (
    ActionInput,
    ActionView,
    AgreedPlan,
    DiffLine,
    FollowUpView,
    GoalInput,
    GoalProgress,
    GoalView,
    PlanView,
)
from shelter.services.residents import ResidentFile
from shelter.services.settings import get_settings
from shelter.store import SignedIn
from ui.qt import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QKeyEvent,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QRadioButton,
    QShortcut,
    Qt,
    QVBoxLayout,
    QWidget,
    error_text,
)
from ui.residents.file import MAX_WIDTH, CorrectionForm
from ui.widgets import ErrorLabel
from ui.widgets.dates import DateField

LONG_TEXT = 2000  # characters, as the service allows


# -- words shared with the tab --------------------------------------------------------------

def dated(value: date) -> str:
    """A date inside a sentence: isolated, so an Arabic line keeps it 2026-03-15."""
    return isolate(format_date(value))


def score_text(view: PlanView, domain: str) -> str:
    """"scored 1 · Severe need" for a domain of the latest assessment ("" when not scored)."""
    score = view.scores.get(domain)
    return _("scored {score}").format(score=NEED_SCORE.label(str(score))) if score else ""


def domain_choice(view: PlanView, domain: str) -> str:
    scored = score_text(view, domain)
    label = ASSESSMENT_DOMAIN.label(domain)
    return _("{domain} ({scored})").format(domain=label, scored=scored) if scored else label


def text_box(text: str = "", placeholder: str = "", lines: int = 3) -> QPlainTextEdit:
    edit = QPlainTextEdit(text)
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)  # Tab goes on to the next field
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 14)
    return edit


class WrappingLine(QPlainTextEdit):
    """A line of text shown whole, wrapped over a few lines (a goal is a
    sentence, often long); Enter saves the form as in a line edit, and Tab
    goes on to the next field."""

    def __init__(self, text: str = "", lines: int = 2, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTabChangesFocus(True)
        self.setFixedHeight(self.fontMetrics().lineSpacing() * lines + 14)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.ignore()  # to the dialog: its default button saves
            return
        super().keyPressEvent(event)

    def text(self) -> str:
        return " ".join(self.toPlainText().split("\n"))


def hint_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    label.setTextFormat(Qt.PlainText)
    return label


def nobody(name: str) -> str:
    return name or _("someone no longer on record")


class PlanForm(CorrectionForm):
    """A form of the care plan: Ctrl+Enter saves from a text box too (Enter
    there starts a new line)."""

    def __init__(self, who: SignedIn, file: ResidentFile, view: PlanView, title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(who, file, title, parent)
        self.view = view
        for keys in (QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Return), QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Enter)):
            QShortcut(keys, self, activated=self.submit)

    @property
    def plan_id(self) -> int:
        assert self.view.plan_id is not None
        return self.view.plan_id


# -- goals ------------------------------------------------------------------------------------

class GoalForm(PlanForm):
    """A new goal (``goal`` None) or a change to one: domain, goal, the
    resident's own words, priority, target date, status (and why, when it
    was dropped or not achieved)."""

    def __init__(self, who: SignedIn, file: ResidentFile, view: PlanView, goal: GoalView | None = None,
                 domain: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(who, file, view, _("Add a goal") if goal is None else _("Change the goal"), parent)
        self.goal_view = goal
        current = goal.domain if goal is not None else domain or (view.gaps[0].domain if view.gaps
                                                                 else ASSESSMENT_DOMAIN.codes[0])
        self.domain = self.combo([(code, domain_choice(view, code)) for code in ASSESSMENT_DOMAIN.codes], current)
        self.domain.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.domain.setMinimumContentsLength(24)  # the longest domain is shown whole in the list, not widening the form
        self.meaning = hint_label()
        self.domain.currentIndexChanged.connect(self._show_meaning)
        self.goal = WrappingLine(goal.goal if goal else "")
        self.goal.setPlaceholderText(_("What the resident wants to reach, e.g. a lawyer before the hearing"))
        self.words = WrappingLine(goal.resident_words if goal else "")
        self.words.setPlaceholderText(_("As she or he said it, in any language"))
        self.priority = self.combo(PRIORITY.choices(), goal.priority if goal else "medium")
        self.target = DateField("target_on", optional=True)
        self.target.set_value(goal.target_on if goal else None)
        self.status = self.combo(GOAL_STATUS.choices(), goal.status if goal else "not_started")
        self.status_reason = self.line(goal.status_reason if goal else "", LONG_TEXT)
        self.status_reason.setCursorPosition(0)
        self.status_reason.setPlaceholderText(_("e.g. she chose another programme"))
        self.status.currentIndexChanged.connect(self._show_reason)

        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.errors.field(self.domain, "domain"))
        column.addWidget(self.meaning)
        label = QLabel(_("&Domain:"))
        label.setBuddy(self.domain)
        self.form.addRow(label, holder)
        self.row(_("&Goal:"), self.goal, "goal")
        self.row(_("In the resident's &own words:"), self.words, "resident_words")
        self.row(_("&Priority:"), self.priority, "priority")
        self.row(_("&Target date:"), self.target, "target_on")
        self.row(_("Stat&us:"), self.status, "status")
        self.reason_label = QLabel(_("&Why (dropped or not achieved):"))
        self.reason_label.setBuddy(self.status_reason)
        self.reason_holder = self.errors.field(self.status_reason, "status_reason")
        self.form.addRow(self.reason_label, self.reason_holder)
        self._show_meaning()
        self._show_reason()
        self.finish()

    def _show_meaning(self) -> None:
        domain = self.domain.currentData()
        score = self.view.scores.get(domain)
        self.meaning.setText(_(SCORE_MEANINGS[domain][score]) if score and domain in SCORE_MEANINGS else "")
        self.meaning.setVisible(bool(self.meaning.text()))

    def _show_reason(self) -> None:
        needed = self.status.currentData() in REASON_NEEDED_STATUSES
        self.reason_label.setVisible(needed)
        self.reason_holder.setVisible(needed)

    def work(self) -> Callable[[], Change]:
        goal = GoalInput(domain=self.domain.currentData(), goal=self.goal.text(), resident_words=self.words.text(),
                         priority=self.priority.currentData(), target_on=self.target.value(),
                         status=self.status.currentData(),
                         status_reason=self.status_reason.text())
        who = self.who
        if self.goal_view is None:
            plan_id = self.plan_id
            return lambda: care_plans.add_goal(who, plan_id, goal)
        goal_id = self.goal_view.goal_id
        return lambda: care_plans.update_goal(who, goal_id, goal)


# -- actions ----------------------------------------------------------------------------------

class ActionForm(PlanForm):
    """A new action under ``goal`` (``action`` None) or a change to one: what,
    who does it (a staff member, or a partner organisation typed), by when."""

    def __init__(self, who: SignedIn, file: ResidentFile, view: PlanView, goal: GoalView,
                 action: ActionView | None = None, parent: QWidget | None = None) -> None:
        super().__init__(who, file, view, _("Add an action") if action is None else _("Change the action"), parent)
        self.goal_view = goal
        self.action_view = action
        about = hint_label(_("For the goal: {goal}").format(goal=isolate(goal.goal)))
        self.form.addRow(about)
        self.what = WrappingLine(action.what if action else "")
        self.what.setPlaceholderText(_("e.g. book an appointment with the lawyer of the association"))
        self.staff_choice = QRadioButton(_("A sta&ff member:"))
        self.partner_choice = QRadioButton(_("A partner &organisation:"))
        group = QButtonGroup(self)
        group.addButton(self.staff_choice)
        group.addButton(self.partner_choice)
        self.staff = QComboBox()
        try:
            choices = cases.staff_choices(who)
        except ShelterError:
            choices = []
        for choice in choices:
            self.staff.addItem(choice.name, choice.account_id)
        if action is not None and action.owner_staff_id is not None and self.staff.findData(action.owner_staff_id) < 0:
            self.staff.addItem(_("{name} (no longer active)").format(name=action.owner), action.owner_staff_id)
        self.partner = self.line(action.owner_partner if action else "", 200)
        self.partner.setCursorPosition(0)
        self.partner.setPlaceholderText(_("e.g. IOM Rabat, Association Amal, the hospital's social service"))
        if action is not None and action.owner_staff_id is None:
            self.partner_choice.setChecked(True)
        else:
            self.staff_choice.setChecked(True)
            mine = action.owner_staff_id if action is not None else who.actor.account_id
            self.staff.setCurrentIndex(max(0, self.staff.findData(mine)))
        self.staff_choice.toggled.connect(self._owner_kind)
        self.due = DateField("due_on", optional=True)
        self.due.set_value(action.due_on if action else None)

        self.row(_("&What:"), self.what, "what")
        owner = QWidget()
        grid = QGridLayout(owner)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.staff_choice, 0, 0)
        grid.addWidget(self.staff, 0, 1)
        grid.addWidget(self.partner_choice, 1, 0)
        grid.addWidget(self.partner, 1, 1)
        grid.setColumnStretch(1, 1)
        self.form.addRow(QLabel(_("Who does it:")), self.errors.field(owner, "owner", focus=self.staff_choice))
        self.row(_("D&ue date:"), self.due, "due_on")
        self._owner_kind()
        self.finish()

    def _owner_kind(self) -> None:
        staff = self.staff_choice.isChecked()
        self.staff.setEnabled(staff)
        self.partner.setEnabled(not staff)

    def action_input(self) -> ActionInput:
        """The action as the form says it (raises ValidationError for a date it cannot read)."""
        staff = self.staff_choice.isChecked()
        return ActionInput(what=self.what.text(), owner_staff_id=self.staff.currentData() if staff else None,
                           owner_partner="" if staff else self.partner.text(), due_on=self.due.value())

    def work(self) -> Callable[[], Change]:
        action = self.action_input()
        who = self.who
        if self.action_view is None:
            goal_id = self.goal_view.goal_id
            return lambda: care_plans.add_action(who, goal_id, action)
        action_id = self.action_view.action_id
        return lambda: care_plans.update_action(who, action_id, action)


class FollowUpActionForm(ActionForm):
    """A counsellor's proposed follow-up made an action under ``goal``: the
    counsellor's words to start from, changed as the social worker sees fit."""

    def __init__(self, who: SignedIn, file: ResidentFile, view: PlanView, goal: GoalView, follow: FollowUpView,
                 parent: QWidget | None = None) -> None:
        super().__init__(who, file, view, goal, None, parent)
        self.follow = follow
        self.setWindowTitle(_("Make the counsellor's follow-up an action — {case}").format(case=file.case_number))
        self.what.setPlainText(follow.text)

    def work(self) -> Callable[[], Change]:
        action = self.action_input()
        who, follow_id, goal_id = self.who, self.follow.follow_up_id, self.goal_view.goal_id
        return lambda: care_plans.adopt_follow_up(who, follow_id, goal_id, action)


class DoneForm(PlanForm):
    """The day an action was done (today by default)."""

    def __init__(self, who: SignedIn, file: ResidentFile, view: PlanView, action: ActionView,
                 parent: QWidget | None = None) -> None:
        super().__init__(who, file, view, _("Mark the action done"), parent)
        self.action_view = action
        self.form.addRow(hint_label(isolate(action.what)))
        self.done_on = DateField("done_on")
        self.row(_("&Done on:"), self.done_on, "done_on")
        self.save_button.setText(_("&Mark done"))
        self.finish()

    def work(self) -> Callable[[], Change]:
        who, action_id, done_on = self.who, self.action_view.action_id, self.done_on.value()
        return lambda: care_plans.complete_action(who, action_id, done_on)


class NoteForm(PlanForm):
    """A progress note on an action."""

    def __init__(self, who: SignedIn, file: ResidentFile, view: PlanView, action: ActionView,
                 parent: QWidget | None = None) -> None:
        super().__init__(who, file, view, _("Add a progress note"), parent)
        self.action_view = action
        self.form.addRow(hint_label(isolate(action.what)))
        self.note = WrappingLine()
        self.note.setPlaceholderText(_("e.g. appointment on Monday, the lawyer has the file"))
        self.row(_("&Note:"), self.note, "note")
        self.finish()

    def work(self) -> Callable[[], Change]:
        who, action_id, text = self.who, self.action_view.action_id, self.note.text()
        return lambda: care_plans.add_action_note(who, action_id, text)


class ReasonForm(PlanForm):
    """Why a need has no goal (emptied, the reason is withdrawn)."""

    def __init__(self, who: SignedIn, file: ResidentFile, view: PlanView, domain: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(who, file, view, _("No goal: the reason"), parent)
        self.domain = domain
        self.form.addRow(hint_label(domain_choice(view, domain)))
        self.reason = WrappingLine(view.reasons.get(domain, ""))
        self.reason.setPlaceholderText(_("e.g. she already has a lawyer from the association"))
        self.row(_("&Why there is no goal:"), self.reason, "reason")
        if view.reasons.get(domain):
            self.form.addRow(hint_label(_("Empty the reason to withdraw it.")))
        self.finish()

    def work(self) -> Callable[[], Change]:
        who, plan_id, domain, reason = self.who, self.plan_id, self.domain, self.reason.text()
        return lambda: care_plans.set_domain_reason(who, plan_id, domain, reason)


# -- reviews ----------------------------------------------------------------------------------

class ReviewForm(PlanForm):
    """A review: its date, each goal's status and progress, what was changed,
    and the next review (in the shelter's review interval by default)."""

    def __init__(self, who: SignedIn, file: ResidentFile, view: PlanView, parent: QWidget | None = None) -> None:
        super().__init__(who, file, view, _("Record a review"), parent)
        self.reviewed_on = DateField("reviewed_on")
        self.row(_("&Date of the review:"), self.reviewed_on, "reviewed_on")
        goals = QWidget()
        grid = QGridLayout(goals)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(2, 4)
        for column, title in enumerate((_("Goal"), _("Status"), _("Progress"))):
            header = QLabel(title)
            header.setObjectName("columnHeader")
            grid.addWidget(header, 0, column)
        self.goal_rows: dict[int, tuple[QComboBox, QLineEdit, QLineEdit, QWidget]] = {}
        row = 1
        for goal in view.goals:
            name = QLabel(_("{goal} ({domain})").format(goal=isolate(goal.goal),
                                                        domain=ASSESSMENT_DOMAIN.label(goal.domain)))
            name.setWordWrap(True)
            name.setTextFormat(Qt.PlainText)
            status = self.combo(GOAL_STATUS.choices(), goal.status)
            status.setAccessibleName(_("Status of {goal}").format(goal=goal.goal))
            name.setBuddy(status)
            progress = QLineEdit()
            progress.setMaxLength(LONG_TEXT)
            progress.setAccessibleName(_("Progress on {goal}").format(goal=goal.goal))
            progress.setPlaceholderText(_("what moved since the last review"))
            reason = QLineEdit(goal.status_reason)
            reason.setMaxLength(LONG_TEXT)
            reason.setPlaceholderText(_("why it was dropped or not achieved"))
            reason.setAccessibleName(_("Why {goal} was dropped or not achieved").format(goal=goal.goal))
            grid.addWidget(name, row, 0, Qt.AlignTop)
            grid.addWidget(self.errors.field(status, f"status.{goal.goal_id}"), row, 1, Qt.AlignTop)
            grid.addWidget(self.errors.field(progress, f"progress.{goal.goal_id}"), row, 2, Qt.AlignTop)
            reason_holder = self.errors.field(reason, f"status_reason.{goal.goal_id}")
            grid.addWidget(reason_holder, row + 1, 2)
            status.currentIndexChanged.connect(lambda _i, s=status, h=reason_holder: h.setVisible(
                s.currentData() in REASON_NEEDED_STATUSES))
            reason_holder.setVisible(goal.status in REASON_NEEDED_STATUSES)
            self.goal_rows[goal.goal_id] = (status, progress, reason, reason_holder)
            row += 2
        if not view.goals:
            grid.addWidget(hint_label(_("The plan has no goal yet.")), 1, 0, 1, 3)
        self.form.addRow(goals)
        self.changes = text_box(placeholder=_("e.g. a new goal for housing; the safety goal is reached"))
        self.row(_("What was &changed:"), self.changes, "changes")
        interval = get_settings(who).review_interval_days
        self.next_review = DateField("next_review_on")
        self.next_review.set_value(date.today() + timedelta(days=interval))
        self.row(_("&Next review:"), self.next_review, "next_review_on")
        self.save_button.setText(_("&Save the review"))
        self.finish()
        self.resize(max(self.width(), min(960, MAX_WIDTH - 200)), self.height())

    def work(self) -> Callable[[], Change]:
        progress = {goal_id: GoalProgress(status.currentData(), line.text(),
                                          reason.text() if status.currentData() in REASON_NEEDED_STATUSES else "")
                    for goal_id, (status, line, reason, _holder) in self.goal_rows.items()}
        who, plan_id = self.who, self.plan_id
        reviewed_on, next_review = self.reviewed_on.value(), self.next_review.value()
        changes = self.changes.toPlainText()
        return lambda: care_plans.record_review(who, plan_id, reviewed_on, progress, changes, next_review)


# -- agreeing, approval -------------------------------------------------------------------

class AgreeForm(PlanForm):
    """Agree the draft with the resident: the language she or he chooses for
    the paper (not the interface's), the interpreter, the date. Once agreed,
    ``agreed`` holds the PDF with its reference and verification code."""

    def __init__(self, who: SignedIn, file: ResidentFile, view: PlanView, parent: QWidget | None = None) -> None:
        super().__init__(who, file, view, _("Agree the plan with the resident"), parent)
        self.agreed: AgreedPlan | None = None
        self.form.addRow(hint_label(_("Version {n} of the plan is frozen as it is now and printed for the resident "
                                      "to sign.").format(n=view.draft_number)))
        self.language = QComboBox()
        for lang in ("ar", "fr", "en"):
            self.language.addItem(LANGUAGE_NAMES[lang], lang)
        self.language.setCurrentIndex(max(0, self.language.findData(get_settings(who).document_language)))
        self.row(_("&Language the resident chooses:"), self.language, "lang")
        self.interpreter = self.line("", 200)
        self.interpreter.setPlaceholderText(_("name, if an interpreter was there"))
        self.row(_("&Interpreter:"), self.interpreter, "interpreter")
        self.agreed_on = DateField("agreed_on")
        self.row(_("&Date of agreement:"), self.agreed_on, "agreed_on")
        self.errors.add("plan", self.error)
        self.save_button.setText(_("&Agree and print…"))
        self.finish()

    def work(self) -> Callable[[], Change]:
        who, plan_id = self.who, self.plan_id
        lang, interpreter, agreed_on = self.language.currentData(), self.interpreter.text(), self.agreed_on.value()
        found: list[AgreedPlan] = []
        self._found = found

        def agree() -> Change:
            agreed = care_plans.agree_version(who, plan_id, lang, interpreter, agreed_on)
            found.append(agreed)  # read on the GUI thread once it returns
            return agreed.change

        return agree

    def _done(self, change: Change) -> None:
        self.agreed = self._found[0] if self._found else None
        super()._done(change)


class ReturnForm(PlanForm):
    """Return the draft to the social worker, saying what to change."""

    def __init__(self, who: SignedIn, file: ResidentFile, view: PlanView, parent: QWidget | None = None) -> None:
        super().__init__(who, file, view, _("Return the plan with a comment"), parent)
        self.comment = text_box(placeholder=_("e.g. add the family tracing she asked for"))
        self.row(_("&What should change:"), self.comment, "comment")
        self.errors.add("plan", self.error)
        self.save_button.setText(_("&Return the plan"))
        self.finish()

    def work(self) -> Callable[[], Change]:
        who, plan_id, comment = self.who, self.plan_id, self.comment.toPlainText()
        return lambda: care_plans.return_plan(who, plan_id, comment)


# -- printing and comparing -------------------------------------------------------------------

class LanguageDialog(QDialog):
    """The language of a printed plan (the resident's, not the interface's)."""

    def __init__(self, title: str, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.language = QComboBox()
        for code in ("ar", "fr", "en"):
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(max(0, self.language.findData(lang)))
        self.error = ErrorLabel()
        form = QFormLayout()
        label = QLabel(_("&Language of the document:"))
        label.setBuddy(self.language)
        form.addRow(label, self.language)
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Cancel).setText(_("Cancel"))
        self.ok_button = buttons.addButton(_("&Preview…"), QDialogButtonBox.AcceptRole)
        self.ok_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def lang(self) -> str:
        return self.language.currentData()


# How each field of a goal or an action is named in the comparison.
DIFF_FIELDS = {
    "goal": N_("goal"), "resident_words": N_("the resident's own words"), "priority": N_("priority"),
    "target_on": N_("target date"), "status": N_("status"), "status_reason": N_("reason for the status"),
    "what": N_("what"), "owner": N_("who"), "due_on": N_("due date"), "done_on": N_("done on"),
    "reason": N_("reason"), "next_review_on": N_("next review"),
}


def _diff_value(field: str, value: str) -> str:
    if not value:
        return _("(empty)")
    if field == "status":
        return GOAL_STATUS.label(value)
    if field == "priority":
        return PRIORITY.label(value)
    return isolate(value)


def describe_difference(line: DiffLine) -> str:
    """One difference between two versions, as a sentence."""
    domain = ASSESSMENT_DOMAIN.label(line.domain) if line.domain else ""
    text = isolate(line.text)
    if line.part == "review":
        return _("Next review: {old} → {new}").format(old=_diff_value("", line.old), new=_diff_value("", line.new))
    if line.part == "reason":
        if line.change == "added":
            return _("No goal in {domain}, reason written: {text}").format(domain=domain, text=text)
        if line.change == "removed":
            return _("No goal in {domain}: reason withdrawn ({text})").format(domain=domain, text=text)
        return _("No goal in {domain}: reason changed from {old} to {new}").format(
            domain=domain, old=_diff_value("reason", line.old), new=_diff_value("reason", line.new))
    sentences = {
        ("added", "goal"): N_("Goal added in {domain}: {text}"),
        ("removed", "goal"): N_("Goal removed from {domain}: {text}"),
        ("added", "action"): N_("Action added in {domain}: {text}"),
        ("removed", "action"): N_("Action removed from {domain}: {text}"),
    }
    if (line.change, line.part) in sentences:
        return _(sentences[(line.change, line.part)]).format(domain=domain, text=text)
    field = _(DIFF_FIELDS.get(line.field, line.field))
    sentence = (N_("Goal in {domain} “{text}”: {field} changed from {old} to {new}") if line.part == "goal"
                else N_("Action in {domain} “{text}”: {field} changed from {old} to {new}"))
    return _(sentence).format(domain=domain, text=text, field=field, old=_diff_value(line.field, line.old),
                              new=_diff_value(line.field, line.new))


class CompareDialog(QDialog):
    """What changed from one version to another, or to the current draft."""

    DRAFT = 0  # the item data of "the current draft"

    def __init__(self, who: SignedIn, view: PlanView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.view = view
        self.lines: list[DiffLine] = []
        self.setWindowTitle(_("Compare versions — {case}").format(case=view.case_number))
        self.setSizeGripEnabled(True)
        self.old = QComboBox()
        self.new = QComboBox()
        for version in reversed(view.versions):  # oldest first
            name = _("Version {n} of {date}").format(n=version.number, date=dated(version.agreed_on))
            self.old.addItem(name, version.number)
            self.new.addItem(name, version.number)
        self.new.addItem(_("The current draft"), self.DRAFT)
        if view.versions:
            latest = view.versions[0].number
            if view.draft_changed or len(view.versions) == 1:
                self.old.setCurrentIndex(self.old.findData(latest))
                self.new.setCurrentIndex(self.new.findData(self.DRAFT))
            else:
                self.old.setCurrentIndex(self.old.findData(view.versions[1].number))
                self.new.setCurrentIndex(self.new.findData(latest))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setAccessibleName(_("Differences"))
        self.error = ErrorLabel()
        line = QHBoxLayout()
        for text, box in ((_("&From:"), self.old), (_("&To:"), self.new)):
            label = QLabel(text)
            label.setBuddy(box)
            line.addWidget(label)
            line.addWidget(box, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.button(QDialogButtonBox.Close).setText(_("Close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(line)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.old.currentIndexChanged.connect(self.compare)
        self.new.currentIndexChanged.connect(self.compare)
        self.resize(760, 480)
        self.compare()

    def compare(self) -> None:
        self.error.set_message("")
        self.list.clear()
        old, new = self.old.currentData(), self.new.currentData()
        if old is None:
            self.summary.setText(_("No version has been agreed yet: there is nothing to compare."))
            return
        try:
            self.lines = care_plans.compare_versions(self.who, self.view.resident_id, old,
                                                     None if new == self.DRAFT else new)
        except ShelterError as exc:
            self.error.set_message(error_text(exc))
            return
        for difference in self.lines:
            self.list.addItem(describe_difference(difference))
        if not self.lines:
            self.summary.setText(_("No difference."))
        else:
            self.summary.setText(ngettext("{n} difference:", "{n} differences:", len(self.lines)).format(
                n=len(self.lines)))

    def texts(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]
