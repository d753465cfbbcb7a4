"""One translation layer for the core, the command line, the GUI and documents.

Catalogues are gettext ``.po`` files in ``resources/translations`` (``ar.po``,
``fr.po``). English is the source language: the message ids *are* the English
text, so English needs no catalogue. ``.po`` files are read directly (by
``read_catalogue``: a few milliseconds, polib takes several times that,
and the first window waits for it), so there is no compile step to forget
in a build; translators keep their usual tools, and ``i18n_extract`` writes
the files with polib.

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

import os
import re
import threading
from dataclasses import dataclass
from functools import cache

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


def environment_language() -> str:
    """The language the environment asks for: ``$SHELTER_LANG``, else the
    locale (``$LANG``, then the system's), else English."""
    env = os.environ.get("SHELTER_LANG") or os.environ.get("LANG")
    if not env:
        import locale

        env = locale.getlocale()[0] or ""
    return normalise_language(env)


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


Messages = dict[tuple[str, str], str]
Plurals = dict[tuple[str, str], list[str]]

_ESCAPE = re.compile(r'\\(\\|n|t|r|")')
_ESCAPED = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"'}


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        return ""
    inner = text[1:-1]
    return _ESCAPE.sub(lambda m: _ESCAPED[m.group(1)], inner) if "\\" in inner else inner


def read_catalogue(text: str) -> tuple[Messages, Plurals]:
    """The translations of a ``.po`` file's text, keyed by (context, msgid):
    what polib reads, without the header, obsolete (``#~``), fuzzy or
    untranslated entries; plural forms in their order."""
    messages: Messages = {}
    plurals: Plurals = {}
    fields: dict[str, str] = {}
    fuzzy = False
    last: str | None = None

    def close() -> None:
        msgid = fields.get("msgid")
        if msgid and not fuzzy:
            key = (fields.get("msgctxt", ""), msgid)
            if "msgid_plural" in fields:
                forms = sorted((int(k[7:-1]), v) for k, v in fields.items() if k.startswith("msgstr["))
                plurals[key] = [v for _index, v in forms]
            elif fields.get("msgstr"):
                messages[key] = fields["msgstr"]

    for raw in text.splitlines():
        line = raw.strip()
        if not line:  # a blank line ends an entry
            if fields:
                close()
            fields, fuzzy, last = {}, False, None
            continue
        if line.startswith("#"):
            if fields and (last or "").startswith("msgstr"):
                close()  # the next entry's comments, without a blank line before them
                fields, fuzzy, last = {}, False, None
            if line.startswith("#~"):
                fuzzy = False  # the flags above belong to the obsolete entry
            elif line.startswith("#,") and "fuzzy" in (flag.strip() for flag in line[2:].split(",")):
                fuzzy = True
            continue
        if line.startswith('"'):
            if last is not None:
                fields[last] += _unquote(line)
            continue
        keyword, _space, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and (last or "").startswith("msgstr"):
            close()  # entries not separated by a blank line
            fields, fuzzy = {}, False
        fields[keyword] = _unquote(rest)
        last = keyword
    if fields:
        close()
    return messages, plurals


@cache
def translator(lang: str) -> Translator:
    """The translator for ``lang`` (one of LANGUAGES); English is the identity."""
    lang = normalise_language(lang)
    messages: Messages = {}
    plurals: Plurals = {}
    path = catalogue_path(lang)
    if lang != SOURCE_LANGUAGE and path.exists():
        messages, plurals = read_catalogue(path.read_text(encoding="utf-8-sig"))
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


def list_text(items: list[str] | tuple[str, ...], tr: Translator | None = None) -> str:
    """Items written as a list in the language: "a, b" in English and
    French, "a، b" in Arabic (the separator is translated, not typed in code)."""
    tr = tr or translator(current_language())
    return tr.pgettext("list separator", ", ").join(items)


def isolate(text: str) -> str:
    """``text`` isolated (FSI … PDI) for a line composed around it: an Arabic
    name cannot reorder the dates and codes beside it, nor a Latin one the
    Arabic words. Nothing for an empty text."""
    return f"\u2068{text}\u2069" if text else ""


def direction_mark(lang: str | None = None) -> str:
    """The mark that starts a line in the interface's direction (RLM in
    Arabic, LRM otherwise): a line beginning with a digit or a Latin name
    would otherwise be laid out left to right in an Arabic interface."""
    return "\u200f" if is_rtl(lang or current_language()) else "\u200e"

