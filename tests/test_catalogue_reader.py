"""``shelter.i18n.read_catalogue`` (the quick reader the start-up uses) finds
in a ``.po`` file exactly what polib finds: in the shipped catalogues, and
in one with every construct a translator's tool may write."""

from __future__ import annotations

import polib
import pytest

from shelter import i18n


def _with_polib(path) -> tuple[dict, dict]:
    messages, plurals = {}, {}
    for entry in polib.pofile(str(path)):
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        key = (entry.msgctxt or "", entry.msgid)
        if entry.msgid_plural:
            plurals[key] = [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
        elif entry.msgstr:
            messages[key] = entry.msgstr
    return messages, plurals


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_shipped_catalogues_read_as_polib_reads_them(lang):
    path = i18n.catalogue_path(lang)
    messages, plurals = i18n.read_catalogue(path.read_text(encoding="utf-8"))
    assert (messages, plurals) == _with_polib(path)
    assert messages and plurals


EVERY_CONSTRUCT = r'''# Translator's comment
msgid ""
msgstr ""
"Language: fr\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\n"

#: shelter/a.py:1
msgid "Bed"
msgstr "Lit"

#. An extracted comment
#: shelter/a.py:2
#, python-brace-format
msgid "Room {name}"
msgstr "Chambre {name}"

#, fuzzy, python-format
msgid "Guessed"
msgstr "Deviné"

msgid "Untranslated"
msgstr ""

msgctxt "verb"
msgid "Book"
msgstr "Réserver"

msgctxt "noun"
msgid "Book"
msgstr "Livre"

msgid ""
"A long sentence "
"over three lines, with a \"quote\", a\ttab, a back\\slash and a\n"
"new line."
msgstr ""
"Une longue phrase "
"sur trois lignes, avec des \"guillemets\", une\ttabulation, une barre\\oblique et un\n"
"retour."

#| msgid "Old text"
msgid "{n} bed"
msgid_plural "{n} beds"
msgstr[0] "{n} lit"
msgstr[1] "{n} lits"

msgid "No forms yet"
msgid_plural "No forms yet (plural)"
msgstr[0] ""
msgstr[1] ""
msgid "No blank line before"
msgstr "Pas de ligne vide avant"
#: shelter/b.py:3
msgid "Comment right after"
msgstr "Commentaire juste après"

#, fuzzy
#~ msgid "Gone"
#~ msgstr "Parti"

msgid "After the obsolete one"
msgstr "Après l'obsolète"
'''


def test_every_construct_reads_as_polib_reads_it(tmp_path):
    path = tmp_path / "fr.po"
    path.write_text(EVERY_CONSTRUCT, encoding="utf-8")
    messages, plurals = i18n.read_catalogue(EVERY_CONSTRUCT)
    assert (messages, plurals) == _with_polib(path)
    assert messages[("verb", "Book")] == "Réserver" and messages[("noun", "Book")] == "Livre"
    assert ("", "Guessed") not in messages and ("", "Gone") not in messages and ("", "") not in messages
    assert messages[("", "After the obsolete one")] == "Après l'obsolète"
    assert plurals[("", "{n} bed")] == ["{n} lit", "{n} lits"]
