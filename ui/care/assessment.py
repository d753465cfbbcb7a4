"""The "Needs assessment" tab of the resident's file, and the form a social
worker scores a new assessment in.

The tab shows the latest assessment of the latest stay: in each of the ten
domains the score, its note, and the score the assessment before it gave
(better, worse or the same); who assessed and when, and the kind of
assessment. Each domain's scores over time are one click away. A social
worker (``WRITE_CARE_PLAN``) starts a new assessment from here.

The form shows, while scoring, what each score means in that domain
(``shelter.domain.care.SCORE_MEANINGS``): the selected one under the choice,
all four in the tooltips, so that two social workers give the same situation
the same score. The keyboard is enough: Tab reaches each domain, the arrow
keys or the digits 1 to 4 choose its score.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from shelter.domain.care import SCORE_MEANINGS, SCORES
from shelter.domain.changes import Change
from shelter.domain.dates import format_date
from shelter.domain.vocabulary import ASSESSMENT_DOMAIN, ASSESSMENT_KIND, NEED_SCORE
from shelter.errors import ShelterError
from shelter.i18n import N_, _, isolate, ngettext
from shelter.security.permissions import Permission
from shelter.services import assessments
from shelter.services.assessments import Assessments, AssessmentView, DomainScore
from shelter.services.residents import ResidentFile
from shelter.services.settings import get_settings
from shelter.store import SignedIn
from ui.qt import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDate,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QFrame,
    QGridLayout,
    QGroupBox,
    QGuiApplication,
    QHBoxLayout,
    QHeaderView,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QObject,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from ui.residents.file import CorrectionForm, FileSection, FileTab, register_tab, value_label
from ui.widgets import ErrorLabel
from ui.widgets.dates import DateField

_BETTER, _WORSE, _SAME = "▲", "▼", "="
_WORSE_COLOUR = "#a4262c"
FORM_WIDTH = 1040  # the assessment form's width where the screen allows
_BETTER_COLOUR = "#2e6b34"


def score_label(score: int) -> str:
    return NEED_SCORE.label(str(score))


def meaning(domain: str, score: int) -> str:
    return _(SCORE_MEANINGS[domain][score])


def previous_of(found: Assessments, current: AssessmentView | None) -> AssessmentView | None:
    """The assessment recorded before ``current`` (the latest one when
    ``current`` is None: what a new assessment is compared with)."""
    items = list(found.items)
    if current is None:
        return found.latest or (items[0] if items else None)
    index = next((i for i, a in enumerate(items) if a.assessment_id == current.assessment_id), None)
    return items[index + 1] if index is not None and index + 1 < len(items) else None


def trend(now: int, before: int) -> tuple[str, str]:
    """The arrow and the sentence saying how a domain moved since last time
    (a higher score is a smaller need)."""
    if now > before:
        return _BETTER, _("Better than last time")
    if now < before:
        return _WORSE, _("Worse than last time")
    return _SAME, _("The same as last time")


def assessment_text(item: AssessmentView) -> str:
    return _("{kind} on {date} by {name}").format(
        kind=ASSESSMENT_KIND.label(item.kind), date=format_date(item.assessed_on),
        name=isolate(item.assessed_by or _("someone no longer on record")))


# -- the tab --------------------------------------------------------------------------------------

class AssessmentTab(FileSection):
    """The latest assessment, domain by domain, beside the one before it."""

    found: Assessments | None = None

    @property
    def may_write(self) -> bool:
        return self.who is not None and self.who.actor.has(Permission.WRITE_CARE_PLAN)

    def build(self, file: ResidentFile) -> None:
        self.found = None
        self.domain_rows: dict[str, tuple[QLabel, QLabel, QLabel]] = {}
        self.new_button = QPushButton(_("&New assessment…"))
        self.new_button.setVisible(self.may_write)
        self.new_button.clicked.connect(self.new_assessment)
        self.history_button = QPushButton(_("Score his&tory…"))
        self.history_button.setToolTip(_("Each domain's scores over time: when, what score, the note and by whom"))
        self.history_button.clicked.connect(lambda: self.show_scores())
        if self.who is None:
            return
        try:
            self.found = assessments.list_assessments(self.who, file.resident_id)
        except ShelterError as exc:
            self.summary = value_label(exc.message)
            self.column.addWidget(self.summary)
            self.new_button.hide()
            self.history_button.hide()
            return
        latest = self.found.latest
        self.history_button.setEnabled(bool(self.found.items))
        if self.found.closed:
            self.new_button.setEnabled(False)
            self.new_button.setToolTip(_("This case is closed. Reopen it to write in it."))
        if latest is None:
            self.summary = value_label(self.nothing_yet(file))
            self.summary.setObjectName("notice")
            self.column.addWidget(self.summary)
            self.column.addLayout(self.actions(self.new_button, self.history_button))
            return
        before = previous_of(self.found, latest)
        box = QGroupBox(_("Latest assessment"))
        column = QVBoxLayout(box)
        self.summary = value_label(assessment_text(latest))
        self.summary.setObjectName("notice")
        column.addWidget(self.summary)
        if before is not None:
            earlier = value_label(_("Compared with: {assessment}").format(assessment=assessment_text(before)))
            earlier.setObjectName("muted")
            column.addWidget(earlier)
        if latest.note:
            column.addWidget(value_label(_("Note: {note}").format(note=isolate(latest.note))))
        column.addWidget(self.scores_grid(latest, before))
        self.column.addWidget(box)
        self.column.addLayout(self.actions(self.new_button, self.history_button))

    def nothing_yet(self, file: ResidentFile) -> str:
        days = get_settings(self.who).assessment_due_days
        stay = file.open_stay
        if stay is None:
            return _("No needs assessment in this stay.")
        due = stay.admitted_at.astimezone().date() + timedelta(days=days)
        return ngettext("No needs assessment yet. The first is due within {n} day of admission, by {date}.",
                        "No needs assessment yet. The first is due within {n} days of admission, by {date}.",
                        days).format(n=days, date=format_date(due))

    def scores_grid(self, latest: AssessmentView, before: AssessmentView | None) -> QWidget:
        holder = QWidget()
        grid = QGridLayout(holder)
        grid.setContentsMargins(0, 8, 0, 0)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(8)
        for column, title in enumerate((_("Domain"), _("Score"), _("Last time"), _("Note"))):
            header = QLabel(title)
            header.setObjectName("columnHeader")
            grid.addWidget(header, 0, column)
        for row, (domain, domain_text) in enumerate(ASSESSMENT_DOMAIN.choices(), start=1):
            name = value_label(domain_text)
            grid.addWidget(name, row, 0, Qt.AlignTop)
            now = latest.scores.get(domain)
            score = value_label(score_label(now.score) if now else _("(not scored)"),
                                _("{domain}: score").format(domain=domain_text))
            if now:
                score.setToolTip(meaning(domain, now.score))
                if now.score == 1:  # a severe need stands out
                    font = score.font()
                    font.setBold(True)
                    score.setFont(font)
            grid.addWidget(score, row, 1, Qt.AlignTop)
            was = before.scores.get(domain) if before is not None else None
            if now and was:
                arrow, sentence = trend(now.score, was.score)
                last = value_label(_("{arrow} was {score}").format(arrow=arrow, score=score_label(was.score)),
                                   _("{domain}: last time").format(domain=domain_text))
                last.setToolTip(sentence + "\n" + _("Last time, on {date}: {score}").format(
                    date=format_date(before.assessed_on), score=score_label(was.score))
                    + (("\n" + was.note) if was.note else ""))
                last.setAccessibleDescription(sentence)
                if arrow != _SAME:
                    last.setStyleSheet(f"color: {_BETTER_COLOUR if arrow == _BETTER else _WORSE_COLOUR};")
            else:
                last = value_label(_("—") if before is None else _("(not scored)"))
                last.setObjectName("muted")
            grid.addWidget(last, row, 2, Qt.AlignTop)
            note = value_label(now.note if now and now.note else "", _("{domain}: note").format(domain=domain_text))
            grid.addWidget(note, row, 3, Qt.AlignTop)
            history = QToolButton()
            history.setText(_("Earlier scores…"))
            history.setToolTip(_("The scores of {domain} over time").format(domain=domain_text))
            history.setAccessibleName(_("History of {domain}").format(domain=domain_text))
            history.setFocusPolicy(Qt.StrongFocus)
            history.clicked.connect(lambda _checked=False, d=domain: self.show_scores(d))
            grid.addWidget(history, row, 4, Qt.AlignTop)
            self.domain_rows[domain] = (score, last, note)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 2)
        grid.setColumnStretch(3, 4)
        return holder

    # -- what the buttons open ---------------------------------------------------------------------

    def new_assessment(self) -> None:
        if self.who is not None and self.found is not None:
            self.open_form(AssessmentForm(self.who, self.file, self.found, self))

    def show_scores(self, domain: str | None = None) -> None:
        if self.found is not None:
            self.history_dialog = ScoreHistoryDialog(self.found, domain or ASSESSMENT_DOMAIN.codes[0], self)
            self.history_dialog.open()


class ScoreHistoryDialog(QDialog):
    """One domain's scores over time, newest first, from the assessments the
    tab read (reading them was audited there); a chooser for the domain."""

    def __init__(self, found: Assessments, domain: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.found = found
        self.setWindowTitle(_("Score history"))
        self.domain = QComboBox()
        for code, label in ASSESSMENT_DOMAIN.choices():
            self.domain.addItem(label, code)
        chooser = QLabel(_("&Domain:"))
        chooser.setBuddy(self.domain)
        line = QHBoxLayout()
        line.addWidget(chooser)
        line.addWidget(self.domain, 1)
        self.table = QTableWidget(0, 4)
        self.table.setAccessibleName(_("Scores over time"))
        self.table.setHorizontalHeaderLabels([_("Date"), _("Score"), _("Note"), _("Assessed by")])
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        self.empty = value_label("")
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.button(QDialogButtonBox.Close).setText(_("Close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(line)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.domain.currentIndexChanged.connect(self.show_domain)
        self.domain.setCurrentIndex(max(0, self.domain.findData(domain)))
        self.show_domain()
        self.resize(760, 420)

    def show_domain(self, _index: int = 0) -> None:
        domain = self.domain.currentData()
        rows = self.found.history(domain)
        self.table.setRowCount(len(rows))
        for row, (day, score, note, by) in enumerate(rows):
            for column, text in enumerate((format_date(day), score_label(score), note, by)):
                item = QTableWidgetItem(text)
                item.setToolTip(meaning(domain, score) if column == 1 else text)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        self.empty.setText("" if rows else _("This domain has not been scored yet."))
        self.empty.setVisible(not rows)


# -- the form ---------------------------------------------------------------------------------------

class _DigitKeys(QObject):
    """The digits 1 to 4 typed on a domain's choice pick that score."""

    def __init__(self, choice: ScoreChoice) -> None:
        super().__init__(choice)
        self.choice = choice

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and not event.modifiers() \
                & (Qt.ControlModifier | Qt.AltModifier):
            text = event.text().translate(str.maketrans("١٢٣٤", "1234"))
            if text in ("1", "2", "3", "4"):
                self.choice.choose(int(text))
                return True
        return False


class ScoreChoice(QWidget):
    """One domain's score: four radio buttons (1 severe need … 4 no need), all
    four meanings in their tooltips, and ``meaning``, a label (placed by the
    form) saying what the score chosen means."""

    def __init__(self, domain: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.domain = domain
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        line = QHBoxLayout(self)
        line.setContentsMargins(0, 0, 0, 0)
        keys = _DigitKeys(self)
        self.buttons: dict[int, QRadioButton] = {}
        for score in SCORES:
            button = QRadioButton(score_label(score))
            button.setToolTip(meaning(domain, score))
            button.setAccessibleDescription(meaning(domain, score))
            button.installEventFilter(keys)
            self.group.addButton(button, score)
            self.buttons[score] = button
            line.addWidget(button)
        line.addStretch(1)
        self.meaning = QLabel()
        self.meaning.setWordWrap(True)
        self.meaning.setTextFormat(Qt.PlainText)
        self.setFocusProxy(self.buttons[SCORES[0]])
        self.group.idToggled.connect(lambda _id, on: on and self._show_meaning())
        self._show_meaning()

    def score(self) -> int | None:
        chosen = self.group.checkedId()
        return chosen if chosen in SCORES else None

    def choose(self, score: int) -> None:
        self.buttons[score].setChecked(True)
        self.buttons[score].setFocus(Qt.OtherFocusReason)

    def _show_meaning(self) -> None:
        score = self.score()
        if score is None:
            self.meaning.setObjectName("muted")
            self.meaning.setText(_("Not scored yet."))
        else:
            self.meaning.setObjectName("")
            self.meaning.setText(meaning(self.domain, score))
            self.setFocusProxy(self.buttons[score])  # Tab comes back to the score chosen
        self.meaning.style().unpolish(self.meaning)
        self.meaning.style().polish(self.meaning)


class AssessmentForm(CorrectionForm):
    """A new needs assessment: its date, a score and a note in every domain
    (the last score beside each), and a general note. Each refusal shows
    beside the domain or the date it is about; what was chosen stays."""

    def __init__(self, who: SignedIn, file: ResidentFile, found: Assessments, parent: QWidget | None = None) -> None:
        super().__init__(who, file, _("New needs assessment"), parent)
        self.save_button.setText(_("&Save the assessment"))
        before = previous_of(found, None)
        self.assessed_on = DateField("assessed_on")  # today; the calendar offers no later day
        self.assessed_on.setMaximumWidth(260)
        today = date.today()
        self.assessed_on.setMaximumDate(QDate(today.year, today.month, today.day))
        self.row(_("Assessment &date:"), self.assessed_on, "assessed_on")
        intro = value_label(_("Score every domain from 1 (severe need) to 4 (no need). Hover over a score, or "
                              "choose it, to read what it means in that domain."))
        intro.setObjectName("muted")
        self.form.addRow(intro)
        self.choices: dict[str, ScoreChoice] = {}
        self.notes: dict[str, QLineEdit] = {}
        self.last_time: dict[str, QLabel] = {}
        for domain, domain_text in ASSESSMENT_DOMAIN.choices():
            self.form.addRow(self.domain_block(domain, domain_text, before))
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setPlaceholderText(_("What the person said about her or his situation, what to watch"))
        self.note.setFixedHeight(self.note.fontMetrics().lineSpacing() * 4 + 12)
        self.row(_("&General note:"), self.note, "note")
        self.finish()
        # Wide enough for a domain's four scores and its note on one line; never wider than the screen.
        screen = self.screen() or QGuiApplication.primaryScreen()
        room = screen.availableGeometry().width() - 40 if screen is not None else FORM_WIDTH
        self.resize(min(FORM_WIDTH, room), self.height())

    def domain_block(self, domain: str, domain_text: str, before: AssessmentView | None) -> QWidget:
        """The domain's name and last score; its score and note side by side;
        what the score chosen means; the refusal, if any."""
        box = QFrame()
        box.setFrameShape(QFrame.StyledPanel)
        grid = QGridLayout(box)
        grid.setContentsMargins(10, 6, 10, 4)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        title = QLabel(domain_text)
        title.setWordWrap(True)
        title.setTextFormat(Qt.PlainText)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        grid.addWidget(title, 0, 0)
        was = before.scores.get(domain) if before is not None else None
        last = QLabel(_("Last time: {score}").format(score=score_label(was.score)) if was
                      else _("Not scored before"))
        last.setObjectName("muted")
        last.setTextFormat(Qt.PlainText)
        last.setWordWrap(True)
        if was is not None:
            last.setToolTip(meaning(domain, was.score) + (("\n" + was.note) if was.note else ""))
        grid.addWidget(last, 0, 1)
        self.last_time[domain] = last
        choice = ScoreChoice(domain)
        for button in choice.buttons.values():
            button.setAccessibleName(_("{domain}: {score}").format(domain=domain_text, score=button.text()))
        self.choices[domain] = choice
        grid.addWidget(choice, 1, 0)
        note = QLineEdit()
        note.setMaxLength(assessments.NOTE_MAX)
        note.setMinimumWidth(220)
        note.setPlaceholderText(_("Note (optional)"))
        note.setAccessibleName(_("Note on {domain}").format(domain=domain_text))
        self.notes[domain] = note
        grid.addWidget(note, 1, 1)
        grid.addWidget(choice.meaning, 2, 0, 1, 2)
        error = ErrorLabel()  # one line for either refusal: the score, or the note
        self.errors.add(f"score.{domain}", error, choice)
        self.errors.add(f"note.{domain}", error, note)
        grid.addWidget(error, 3, 0, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        return box

    def scores(self) -> dict[str, DomainScore]:
        return {domain: DomainScore(choice.score(), self.notes[domain].text())
                for domain, choice in self.choices.items() if choice.score() is not None}

    def work(self) -> Callable[[], Change]:
        who, rid = self.who, self.file.resident_id
        on, scores, note = self.assessed_on.value(), self.scores(), self.note.toPlainText()
        return lambda: assessments.record_assessment(who, rid, on, scores, note)


register_tab(FileTab("assessment", N_("Needs assessment"), AssessmentTab, Permission.VIEW_CARE_PLAN),
             after="protection")
