"""The reintegration sustainability survey: fifteen indicators in three
dimensions (economic, social, psychosocial), each asked as one question with
a closed list of answers, each answer worth a value from 0 (worst) to 1
(best), and each indicator weighted in its dimension and in the overall
score. ``shelter.domain.reintegration.score`` computes the scores.

The structure (15 indicators across the three dimensions, a score from 0 to
1 per dimension and overall) is that of IOM and Samuel Hall's Reintegration
Sustainability Survey (MEASURE project, 2017). The published wording and
weights could not be consulted when this was written: the questions are
Shelter's own, written to the indicators' names, and the weights are equal
(see ``docs/reintegration-sustainability.md``). An administrator enters the
published weights in Administration; each score keeps the weights it was
computed with.
"""

from __future__ import annotations

from dataclasses import dataclass

from shelter.i18n import N_

DIMENSIONS = ("economic", "social", "psychosocial")


@dataclass(frozen=True)
class Weight:
    """An indicator's weight in its dimension's score and in the overall score."""

    dimension: float
    composite: float


@dataclass(frozen=True)
class Answer:
    code: str
    label: str  # marked with N_
    value: float | None  # None: does not count (does not know, not applicable)


@dataclass(frozen=True)
class Indicator:
    code: str
    dimension: str
    name: str  # marked with N_: the indicator, as a report names it
    question: str  # marked with N_: as it is asked
    answers: tuple[Answer, ...]
    dimension_weight: float
    composite_weight: float


DOES_NOT_KNOW = Answer("unknown", N_("Does not know or does not wish to answer"), None)


def _scale(*pairs: tuple[str, str]) -> tuple[Answer, ...]:
    """Answers from the best to the worst, spread evenly from 1 to 0, then
    "does not know"."""
    step = 1 / (len(pairs) - 1)
    return (*(Answer(code, label, round(1 - i * step, 4)) for i, (code, label) in enumerate(pairs)), DOES_NOT_KNOW)


SATISFACTION = _scale(("very_satisfied", N_("Very satisfied")), ("satisfied", N_("Satisfied")),
                      ("neutral", N_("Neither satisfied nor dissatisfied")), ("dissatisfied", N_("Dissatisfied")),
                      ("very_dissatisfied", N_("Very dissatisfied")))
RATING = _scale(("very_good", N_("Very good")), ("good", N_("Good")), ("fair", N_("Fair")), ("poor", N_("Poor")),
                ("very_poor", N_("Very poor")))
# How often something bad happens: never is best.
HARM_FREQUENCY = _scale(("never", N_("Never")), ("rarely", N_("Rarely")), ("sometimes", N_("Sometimes")),
                        ("often", N_("Often")), ("very_often", N_("Very often")))
# How often something good happens: very often is best.
GOOD_FREQUENCY = _scale(("very_often", N_("Very often")), ("often", N_("Often")), ("sometimes", N_("Sometimes")),
                        ("rarely", N_("Rarely")), ("never", N_("Never")))
YES_NO = _scale(("yes", N_("Yes")), ("no", N_("No")))

_D = 1 / 5  # five indicators in each dimension, equal weights
_C = 1 / 15  # fifteen in the overall score

INDICATORS: tuple[Indicator, ...] = (
    Indicator("economic_satisfaction", "economic", N_("Satisfaction with the economic situation"),
              N_("How satisfied are you with your current economic situation?"), SATISFACTION, _D, _C),
    Indicator("food_security", "economic", N_("Food security"),
              N_("How often have you had to eat less, or less well, because food cost too much?"),
              HARM_FREQUENCY, _D, _C),
    Indicator("access_to_credit", "economic", N_("Access to credit"),
              N_("Could you borrow money if you needed it?"), YES_NO, _D, _C),
    Indicator("debt", "economic", N_("Debt"),
              N_("Do you have debts that are larger than what you spend in a month?"),
              (Answer("no_debt", N_("No debt"), 1.0), Answer("smaller", N_("Debts smaller than a month's spending"), 0.5),
               Answer("larger", N_("Debts larger than a month's spending"), 0.0), DOES_NOT_KNOW), _D, _C),
    Indicator("income", "economic", N_("Work and income"),
              N_("Do you have work or an activity that brings an income?"),
              (Answer("regular", N_("Yes, regular"), 1.0), Answer("occasional", N_("Yes, now and then"), 0.5),
               Answer("none", N_("No"), 0.0), DOES_NOT_KNOW), _D, _C),
    Indicator("housing", "social", N_("Housing"),
              N_("How would you rate the housing you live in?"), RATING, _D, _C),
    Indicator("education", "social", N_("Education of the children"),
              N_("Do the school-age children of your household go to school?"),
              (Answer("all", N_("All of them"), 1.0), Answer("some", N_("Some of them"), 0.5),
               Answer("none", N_("None of them"), 0.0), Answer("no_children", N_("No school-age children"), None),
               DOES_NOT_KNOW), _D, _C),
    Indicator("justice", "social", N_("Access to justice"),
              N_("How would you rate your access to justice and to the police, if you needed them?"), RATING, _D, _C),
    Indicator("documents", "social", N_("Identity documents"),
              N_("Do you have at least one valid identity document?"), YES_NO, _D, _C),
    Indicator("health_care", "social", N_("Health care"),
              N_("How would you rate your access to health care (and to safe drinking water)?"), RATING, _D, _C),
    Indicator("social_participation", "psychosocial", N_("Participation in social life"),
              N_("How often do you take part in social activities (celebrations, gatherings, community events)?"),
              GOOD_FREQUENCY, _D, _C),
    Indicator("support_network", "psychosocial", N_("Support network"),
              N_("How would you rate the support you can count on from family, friends or neighbours?"),
              RATING, _D, _C),
    Indicator("physical_safety", "psychosocial", N_("Feeling of physical safety"),
              N_("How safe do you feel in your daily life?"),
              _scale(("very_safe", N_("Very safe")), ("safe", N_("Safe")), ("somewhat", N_("Somewhat safe")),
                     ("unsafe", N_("Unsafe")), ("very_unsafe", N_("Very unsafe"))), _D, _C),
    Indicator("tensions", "psychosocial", N_("Tensions and discrimination"),
              N_("How often have you had serious tensions with your family or community, or felt discriminated "
                 "against?"), HARM_FREQUENCY, _D, _C),
    Indicator("distress", "psychosocial", N_("Signs of distress"),
              N_("How often do you feel sad, afraid, angry or alone, so much that it is hard to get through the day?"),
              HARM_FREQUENCY, _D, _C),
)
