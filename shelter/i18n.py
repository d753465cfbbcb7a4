"""One translation layer for the core, the command line, the GUI and documents.

Catalogues are gettext ``.po`` files in ``resources/translations`` (``ar.po``,
``fr.po``). English is the source language: the message ids *are* the English
text, so English needs no catalogue. ``.po`` files are read directly (polib),
so there is no compile step to forget in a build; translators keep their
usual tools.

Usage::

    from shelter.i18n import _, N_, ngettext, translator

    _("Wrong password")                 # in the current interface language
    translator("fr").gettext("Bed")     # in a given language (documents)
    ROLE = N_("Counsellor")             # marked, translated later with _(ROLE)

Placeholders use ``str.format`` names: ``_("Room {name}").format(name=...)``.
A test checks that every marked string is translated in every catalogue and
that placeholders match.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache

import polib

from shelter.resources import resource

LANGUAGES: tuple[str, ...] = ("ar", "fr", "en")
SOURCE_LANGUAGE = "en"
LANGUAGE_NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}
_RTL = {"ar"}


def is_rtl(lang: str) -> bool:
    """True when ``lang`` is written right to left."""
    return lang in _RTL


def normalise_language(lang: str | None) -> str:
    """Map ``fr_MA.UTF-8``, ``ar-MA``, ``FR`` … to one of LANGUAGES (else English)."""
    if not lang:
        return SOURCE_LANGUAGE
    code = lang.replace("-", "_").split("_")[0].split(".")[0].lower()
    return code if code in LANGUAGES else SOURCE_LANGUAGE


@dataclass(frozen=True)
class Translator:
    """Translations for one language."""

    lang: str
    _messages: dict[tuple[str, str], str]
    _plurals: dict[tuple[str, str], list[str]]

    @property
    def rtl(self) -> bool:
        return is_rtl(self.lang)

    def gettext(self, message: str) -> str:
        return self._messages.get(("", message)) or message

    def pgettext(self, context: str, message: str) -> str:
        return self._messages.get((context, message)) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        forms = self._plurals.get(("", singular))
        if forms:
            index = _plural_index(self.lang, n)
            if index < len(forms) and forms[index]:
                return forms[index]
        return singular if n == 1 else plural


def _plural_index(lang: str, n: int) -> int:
    # CLDR/gettext plural rules for the languages we ship.
    if lang == "ar":
        if n == 0:
            return 0
        if n == 1:
            return 1
        if n == 2:
            return 2
        if 3 <= n % 100 <= 10:
            return 3
        if 11 <= n % 100 <= 99:
            return 4
        return 5
    if lang == "fr":
        return 0 if n in (0, 1) else 1
    return 0 if n == 1 else 1


def catalogue_path(lang: str):
    return resource("translations", f"{lang}.po")


@cache
def translator(lang: str) -> Translator:
    """The translator for ``lang`` (one of LANGUAGES); English is the identity."""
    lang = normalise_language(lang)
    messages: dict[tuple[str, str], str] = {}
    plurals: dict[tuple[str, str], list[str]] = {}
    path = catalogue_path(lang)
    if lang != SOURCE_LANGUAGE and path.exists():
        for entry in polib.pofile(str(path)):
            if entry.obsolete or "fuzzy" in entry.flags:
                continue
            key = (entry.msgctxt or "", entry.msgid)
            if entry.msgid_plural:
                plurals[key] = [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
            elif entry.msgstr:
                messages[key] = entry.msgstr
    return Translator(lang, messages, plurals)


_state = threading.local()
_default_language = SOURCE_LANGUAGE


def set_language(lang: str) -> str:
    """Set the interface language for the whole process; returns the code used."""
    global _default_language
    _default_language = normalise_language(lang)
    _state.lang = _default_language
    return _default_language


def current_language() -> str:
    return getattr(_state, "lang", _default_language)


def _(message: str) -> str:
    """Translate ``message`` into the current interface language."""
    return translator(current_language()).gettext(message)


def pgettext(context: str, message: str) -> str:
    return translator(current_language()).pgettext(context, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translator(current_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now."""
    return message
