"""The closed lists: one definition, used by the schema, the services and
the screens; labels in every language, agreed with the resident's sex."""

from __future__ import annotations

import re

import pytest

from shelter.domain import vocabulary
from shelter.domain.vocabulary import DESTINATION, IDENTIFICATION, RESIDENCE_STATUS, ROLE, SEX, ClosedList, Term
from shelter.i18n import LANGUAGES, translator
from shelter.security.permissions import Role
from shelter.storage.models import Base


def test_roles_are_the_vocabulary_codes():
    assert tuple(r.value for r in Role) == ROLE.codes


@pytest.mark.parametrize("closed", vocabulary.ALL, ids=lambda c: c.name)
@pytest.mark.parametrize("lang", [x for x in LANGUAGES if x != "en"])
def test_every_label_is_translated(closed, lang):
    tr = translator(lang)
    for term in closed.terms:
        contexts = ["", *vocabulary.GENDER_CONTEXTS.values()] if term.gendered else [""]
        for context in contexts:
            assert tr._messages.get((context, term.label)), (closed.name, term.code, context)


def test_labels_about_a_resident_agree_with_her_sex():
    fr, ar = translator("fr"), translator("ar")
    assert RESIDENCE_STATUS.label("in_residence", fr, sex="female") != RESIDENCE_STATUS.label(
        "in_residence", fr, sex="male")
    assert RESIDENCE_STATUS.label("discharged", ar, sex="female") != RESIDENCE_STATUS.label("discharged", ar, sex="male")
    # English has one form; without a sex the neutral form is given.
    en = translator("en")
    assert RESIDENCE_STATUS.label("in_residence", en, sex="female") == "In residence"
    assert RESIDENCE_STATUS.label("in_residence", fr) == fr.gettext("In residence")


def test_an_unknown_code_is_shown_as_it_is_and_none_as_nothing():
    assert DESTINATION.label("moved_abroad") == "moved_abroad"
    assert DESTINATION.label(None) == ""


def test_a_code_cannot_be_listed_twice():
    with pytest.raises(ValueError):
        ClosedList("twice", (Term("a", "A"), Term("a", "B")))


def _checks() -> str:
    return " ".join(str(c.sqltext) for table in Base.metadata.tables.values()
                    for c in table.constraints if hasattr(c, "sqltext"))


@pytest.mark.parametrize("closed", [SEX, vocabulary.RISK_LEVEL, vocabulary.REFERRAL_SOURCE, IDENTIFICATION,
                                    DESTINATION, vocabulary.EXPLOITATION_SCOPE, ROLE, vocabulary.HANDOVER_REASON],
                         ids=lambda c: c.name)
def test_the_schema_checks_each_list_with_its_codes(closed):
    # Each CHECK constraint is the list's own condition, not a copy of its codes.
    found = [m.group(0) for m in re.finditer(r"IN \(([^)]*)\)", _checks())]
    assert any(set(re.findall(r"'([^']*)'", f)) == set(closed.codes) for f in found)
