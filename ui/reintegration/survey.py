"""The sustainability survey: the fifteen questions of
``shelter.domain.sustainability`` grouped by dimension, each answered from
its closed list (or left unasked), when it is made (baseline, at a
follow-up, other) and on which day. The scores the answers give, per
dimension and overall, show above the questions as they are chosen,
computed with the weights in force (``shelter.domain.reintegration.score``,
as the service will); saving records them with ``reintegration.record_score``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from shelter.domain.changes import Change
from shelter.domain.reintegration import Scores, score
from shelter.domain.sustainability import DIMENSIONS, INDICATORS, Weight
from shelter.domain.vocabulary import RSS_DIMENSION, SCORE_OCCASION
from shelter.errors import ShelterError
from shelter.i18n import _, direction_mark, list_text, ngettext
from shelter.services import pathways, reintegration
from shelter.services.reintegration import Reintegration
from shelter.services.residents import ResidentFile
from shelter.store import SignedIn
from ui.qt import QComboBox, QGroupBox, QLabel, Qt, QVBoxLayout, QWidget
from ui.reintegration.chart import value_text
from ui.reintegration.forms import DATE_WIDTH, ReintegrationForm
from ui.residents.file import MAX_WIDTH
from ui.widgets.dates import DateField

ANSWER_WIDTH = 460  # pixels: the longest answer ("Does not know or does not wish to answer") shown whole


def answered_text(answered: int) -> str:
    total = len(INDICATORS)
    return ngettext("{n} of {total} answered", "{n} of {total} answered", answered).format(n=answered, total=total)


def scores_text(scores: Scores) -> str:
    """"Economic 0.50, Social —, Psychosocial 0.75 · overall 0.60 · 7 of 15 answered"."""
    parts = list_text([_("{dimension} {value}").format(dimension=RSS_DIMENSION.label(d),
                                                       value=value_text(scores.of(d))) for d in DIMENSIONS])
    return _("{dimensions} · overall {overall} · {answered}").format(
        dimensions=parts, overall=value_text(scores.overall), answered=answered_text(scores.answered))


class SurveyDialog(ReintegrationForm):
    """Record a sustainability survey (see the module's docstring)."""

    def __init__(self, who: SignedIn, file: ResidentFile, view: Reintegration, parent: QWidget | None = None) -> None:
        super().__init__(who, file, view, _("Sustainability survey"), parent)
        try:
            self.weights: dict[str, Weight] | None = pathways.sustainability_weights(who)
        except ShelterError:
            self.weights = None  # the defaults: the service computes the saved score with the weights in force
        self.occasion = self.combo(SCORE_OCCASION.choices(), "follow_up" if view.scores else "baseline")
        today = date.today()
        self.scored_on = DateField("scored_on")
        self.scored_on.set_value(today)
        self.scored_on.setMaximumWidth(DATE_WIDTH)
        self.row(_("&When:"), self.occasion, "occasion")
        self.row(_("&Date:"), self.scored_on, "scored_on")
        self.answers: dict[str, QComboBox] = {}
        first: QComboBox | None = None
        for dimension in DIMENSIONS:
            box = QGroupBox(RSS_DIMENSION.label(dimension))
            questions = QVBoxLayout(box)  # each question on its line, its answers under it
            questions.setSpacing(2)
            for item in (i for i in INDICATORS if i.dimension == dimension):
                combo = QComboBox()
                combo.addItem(_("Not asked"), None)
                for answer in item.answers:
                    combo.addItem(_(answer.label), answer.code)
                combo.setAccessibleName(_(item.question))
                combo.currentIndexChanged.connect(self._preview)
                question = QLabel(direction_mark() + _(item.question))  # the interface's direction
                question.setWordWrap(True)
                question.setTextFormat(Qt.PlainText)
                question.setBuddy(combo)
                combo.setMaximumWidth(ANSWER_WIDTH)  # a short answer, not a line across the form
                questions.addWidget(question)
                questions.addWidget(self.errors.field(combo, item.code))
                self.answers[item.code] = combo
                first = first or combo
            self.form.addRow(box)
        if first is not None:
            self.errors.add("answers", self.errors.label(INDICATORS[0].code), first)
        # The scores the answers give, always in view above the questions.
        self.preview = QLabel()
        self.preview.setObjectName("notice")
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.PlainText)
        self.preview.setAccessibleName(_("Scores of these answers"))
        self.layout().insertWidget(0, self.preview)
        self._preview()
        self.finish()
        self.resize(max(self.width(), min(820, MAX_WIDTH - 200)), self.height())

    def chosen(self) -> dict[str, str]:
        """Indicator code -> answer code, for the questions answered."""
        return {code: combo.currentData() for code, combo in self.answers.items() if combo.currentData() is not None}

    def scores(self) -> Scores:
        return score(self.chosen(), self.weights)

    def _preview(self, _index: int = 0) -> None:
        self.preview.setText(direction_mark() + _("Scores of these answers: {scores}").format(scores=scores_text(self.scores())))

    def work(self) -> Callable[[], Change]:
        who, rid, occasion, answers = self.who, self.file.resident_id, self.occasion.currentData(), self.chosen()
        scored_on = self.scored_on.value()
        return lambda: reintegration.record_score(who, rid, occasion, answers, scored_on)
