"""Keep the translation catalogues in step with the code.

``python -m shelter.i18n_extract`` finds every marked string in ``shelter/``
and ``ui/`` (calls of ``_``, ``N_``, ``G_`` (three entries: neutral, about a woman, about a man), ``pgettext``, ``ngettext`` and the
``gettext``/``pgettext``/``ngettext`` methods of a translator) and updates
``resources/translations/<lang>.po``: new strings are added untranslated,
translations of strings no longer in the code are dropped, existing
translations are kept. ``--check`` changes nothing and exits 1 when a
catalogue is incomplete or stale (the test suite runs the same check).
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import polib

from shelter.domain.vocabulary import GENDER_CONTEXTS
from shelter.i18n import LANGUAGES, SOURCE_LANGUAGE, catalogue_path
from shelter.resources import root

_SIMPLE = {"_", "N_", "gettext"}
_GENDERED = {"G_"}  # a label about the resident: neutral, and agreed with a woman and with a man
_CONTEXT = {"pgettext"}
_PLURAL = {"ngettext"}
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)[^{}]*\}")


@dataclass
class Message:
    msgid: str
    context: str = ""
    plural: str = ""
    places: set[str] = field(default_factory=set)


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _const(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def extract(paths: list[Path] | None = None) -> dict[tuple[str, str], Message]:
    """All marked strings in the code, keyed by (context, msgid)."""
    base = root()
    if paths is None:
        paths = sorted([*base.joinpath("shelter").rglob("*.py"), *base.joinpath("ui").rglob("*.py")])
        main = base / "main.py"
        if main.exists():
            paths.append(main)
    found: dict[tuple[str, str], Message] = {}
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = _name(node.func)
            ctx, plural = "", ""
            contexts: tuple[str, ...] = ()
            if name in _SIMPLE:
                msgid = _const(node.args[0])
            elif name in _GENDERED:
                msgid, contexts = _const(node.args[0]), tuple(GENDER_CONTEXTS.values())
            elif name in _CONTEXT and len(node.args) >= 2:
                ctx, msgid = _const(node.args[0]) or "", _const(node.args[1])
            elif name in _PLURAL and len(node.args) >= 2:
                msgid, plural = _const(node.args[0]), _const(node.args[1]) or ""
            else:
                continue
            if not msgid:
                continue
            where = f"{path.relative_to(base).as_posix()}:{node.lineno}"
            for context in (ctx, *contexts):
                msg = found.setdefault((context, msgid), Message(msgid, context, plural))
                msg.places.add(where)
    return found


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def problems(lang: str, messages: dict[tuple[str, str], Message] | None = None) -> list[str]:
    """What is wrong with one catalogue: missing, untranslated, stale, bad placeholders."""
    messages = extract() if messages is None else messages
    path = catalogue_path(lang)
    if not path.exists():
        return [f"{path.name}: catalogue missing"]
    po = polib.pofile(str(path))
    out: list[str] = []
    seen = set()
    for entry in po:
        key = (entry.msgctxt or "", entry.msgid)
        seen.add(key)
        if entry.obsolete or key not in messages:
            out.append(f"{lang}: stale: {entry.msgid!r}")
            continue
        if "fuzzy" in entry.flags:
            out.append(f"{lang}: fuzzy: {entry.msgid!r}")
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if not texts or any(not t for t in texts):
            out.append(f"{lang}: untranslated: {entry.msgid!r}")
            continue
        want = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
        for text in texts:
            if placeholders(text) - want or (not entry.msgid_plural and placeholders(text) != want):
                out.append(f"{lang}: placeholders differ: {entry.msgid!r} -> {text!r}")
    for key in messages:
        if key not in seen:
            out.append(f"{lang}: missing: {key[1]!r}")
    return out


def update(lang: str, messages: dict[tuple[str, str], Message]) -> None:
    path = catalogue_path(lang)
    old = polib.pofile(str(path)) if path.exists() else None
    known = {}
    if old is not None:
        for e in old:
            if not e.obsolete:
                known[(e.msgctxt or "", e.msgid)] = e
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": "Shelter",
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": {
            "ar": "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5;",
            "fr": "nplurals=2; plural=(n > 1);",
        }.get(lang, "nplurals=2; plural=(n != 1);"),
    }
    nplurals = 6 if lang == "ar" else 2
    for key in sorted(messages, key=lambda k: (min(messages[k].places), k)):
        msg = messages[key]
        prev = known.get(key)
        entry = polib.POEntry(
            msgid=msg.msgid,
            msgctxt=msg.context or None,
            occurrences=[tuple(p.rsplit(":", 1)) for p in sorted(msg.places)],
        )
        if msg.plural:
            entry.msgid_plural = msg.plural
            entry.msgstr_plural = (
                dict(prev.msgstr_plural) if prev and prev.msgid_plural else {i: "" for i in range(nplurals)}
            )
        else:
            entry.msgstr = prev.msgstr if prev else ""
        if prev and "fuzzy" in prev.flags:
            entry.flags.append("fuzzy")
        po.append(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    messages = extract()
    langs = [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE]
    if "--check" in argv:
        found = [p for lang in langs for p in problems(lang, messages)]
        print("\n".join(found) or f"catalogues complete: {len(messages)} strings")
        return 1 if found else 0
    for lang in langs:
        update(lang, messages)
    print(f"{len(messages)} strings; catalogues updated: {', '.join(langs)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
