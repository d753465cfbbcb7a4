"""The catalogues stay complete: every marked string in shelter/ and ui/ has
an Arabic and a French translation, none is stale or fuzzy, placeholders
match; and the runtime really uses them (plural forms, right-to-left)."""

from __future__ import annotations

import polib
import pytest

from shelter import i18n
from shelter.i18n_extract import extract, problems


@pytest.fixture(scope="module")
def messages():
    return extract()


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_catalogue_is_complete_and_current(lang, messages):
    found = problems(lang, messages)
    assert found == [], f"{len(found)} problems, run `python -m shelter.i18n_extract`:\n" + "\n".join(found[:40])


def test_extraction_finds_strings_of_core_and_interface(messages):
    places = {place.split(":")[0] for m in messages.values() for place in m.places}
    assert any(p.startswith("shelter/") for p in places)
    assert any(p.startswith("ui/shell/") for p in places)
    assert ("", "Wrong username or password.") in messages


def test_a_catalogue_problem_is_reported(tmp_path, monkeypatch, messages):
    """The check itself can fail: a dropped, a stale and a broken entry."""
    po = polib.pofile(str(i18n.catalogue_path("fr")))
    dropped = next(e for e in po if not e.msgid_plural)
    po.remove(dropped)
    po.append(polib.POEntry(msgid="A sentence nobody wrote", msgstr="Une phrase"))
    broken = next(e for e in po if not e.msgid_plural and "{" in e.msgid)
    broken.msgstr = "sans variable"
    target = tmp_path / "fr.po"
    po.save(str(target))
    monkeypatch.setattr("shelter.i18n_extract.catalogue_path", lambda lang: target)
    found = problems("fr", messages)
    assert any(p.startswith("fr: missing") and dropped.msgid in p for p in found)
    assert any(p.startswith("fr: stale") and "nobody wrote" in p for p in found)
    assert any(p.startswith("fr: placeholders differ") for p in found)


def test_translators_follow_the_catalogues():
    fr, ar, en = i18n.translator("fr"), i18n.translator("ar"), i18n.translator("en")
    text = "Wrong username or password."
    assert en.gettext(text) == text
    assert fr.gettext(text) not in ("", text)
    assert ar.gettext(text) not in ("", text)
    assert ar.rtl and not fr.rtl and not en.rtl


def test_arabic_has_six_plural_forms():
    # Zero, one, two, few (3-10), many (11-99), other (100-102, ...).
    assert [i18n._plural_index("ar", n) for n in (0, 1, 2, 5, 11, 100)] == [0, 1, 2, 3, 4, 5]
    assert [i18n._plural_index("fr", n) for n in (0, 1, 2)] == [0, 0, 1]
