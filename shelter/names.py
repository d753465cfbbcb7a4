"""Name matching for search and duplicate detection, in Arabic and Latin script.

Names are stored exactly as written. Everything here computes *derived* forms
used to find and rank people; none of it is shown to a person or saved in
place of the name.

Two levels:

``fold(text)``
    The exact search form: lower case, Latin accents removed (é→e, ç→c),
    Arabic diacritics and tatweel removed, Arabic letter variants unified
    (أ إ آ ٱ→ا, ى→ي, ة→ه, ؤ→و, ئ→ي, Persian/Urdu ک→ك ی→ي), Arabic-Indic
    digits turned into 0-9, and every run of spaces, punctuation, hyphens and
    apostrophes turned into one space. Two spellings that fold alike are the
    same spelling.

``latin_key(text)``
    A coarse phonetic skeleton that links an Arabic-script spelling and the
    usual Latin spellings of the same name (محمد, Mohamed, Mohammed, Muhammad,
    Mhamed → ``mhmd``). See its docstring for what it can and cannot do.

On top of those, ``name_keys`` gives the short strings to store in an index
table (one row per key) so the database finds candidates with an indexed
equality or prefix lookup; ``search_tokens`` / ``search_groups`` give what to
look up for a search-as-you-type query; ``similarity`` ranks candidates.

Index keys come in two namespaces so a prefix lookup never mixes them:
folded words as they are (``fatima``, ``فاطمه``) and phonetic keys behind
``PHONETIC_MARK`` (``~ftm``). Keys are at most ``MAX_KEY_LENGTH`` characters;
longer ones are cut, and queries are cut the same way, so equality and prefix
lookups keep working.

Standard library only; no Qt.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

__all__ = [
    "MAX_KEY_LENGTH",
    "PHONETIC_MARK",
    "fold",
    "latin_key",
    "name_keys",
    "search_groups",
    "search_tokens",
    "similarity",
]

PHONETIC_MARK = "~"
MAX_KEY_LENGTH = 24

# ---------------------------------------------------------------------------
# fold
# ---------------------------------------------------------------------------

_ARABIC_VARIANTS = {
    # alef with hamza/madda/wasla and other alef forms
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا", "ٵ": "ا",
    # alef maqsura, yeh with hamza, Persian/Urdu/other yehs
    "ى": "ي", "ئ": "ي", "ی": "ي", "ې": "ي", "ے": "ي", "ۓ": "ي", "ٸ": "ي",
    # ta marbuta and heh forms
    "ة": "ه", "ۃ": "ه", "ھ": "ه", "ہ": "ه", "ۀ": "ه", "ە": "ه",
    # waw with hamza and other waw forms
    "ؤ": "و", "ٶ": "و", "ٷ": "و", "ۄ": "و", "ۅ": "و", "ۆ": "و", "ۇ": "و", "ۈ": "و", "ۉ": "و", "ۋ": "و",
    # kaf forms (Persian keheh, swash kaf)
    "ک": "ك", "ڪ": "ك",
    # Maghrebi feh and qaf, dotless qaf
    "ڢ": "ف", "ڧ": "ق", "ٯ": "ق",
}

# Latin letters that NFKD does not decompose, including the African
# reference alphabet letters used for Akan, Ewe, Fula, Hausa names.
_LATIN_SPECIALS = {
    "ø": "o", "đ": "d", "ħ": "h", "ł": "l", "ı": "i", "ȷ": "j", "ŧ": "t",
    "æ": "ae", "œ": "oe", "ð": "d", "þ": "th", "ß": "ss",
    "ɛ": "e", "ɔ": "o", "ɖ": "d", "ɗ": "d", "ɓ": "b", "ƙ": "k", "ƴ": "y",
    "ƒ": "f", "ʋ": "v", "ŋ": "ng", "ɲ": "ny", "ɣ": "gh", "ǝ": "e", "ə": "e",
    "ɨ": "i", "ʉ": "u",
    # modifier-letter apostrophes and ayn/hamza signs of transliterations
    "ʼ": " ", "ʻ": " ", "ʽ": " ", "ʾ": " ", "ʿ": " ", "ˈ": " ", "ˊ": " ", "ˋ": " ",
}


def _build_fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    # Remove every combining mark (Latin accents after NFKD, Arabic harakat,
    # tanwin, shadda, sukun, superscript alef, Quranic marks) and every
    # format character (ZWJ/ZWNJ, bidi controls, soft hyphen, BOM).
    limit = min(sys.maxunicode, 0x2FFFF)
    for cp in range(limit + 1):
        category = unicodedata.category(chr(cp))
        if category in ("Mn", "Me", "Cf"):
            table[cp] = None
    table[0x0640] = None  # tatweel / kashida
    for src, dst in _ARABIC_VARIANTS.items():
        table[ord(src)] = dst
    for src, dst in _LATIN_SPECIALS.items():
        table[ord(src)] = dst
    for i in range(10):
        table[0x0660 + i] = str(i)  # Arabic-Indic digits
        table[0x06F0 + i] = str(i)  # Extended (Persian/Urdu) digits
    return table


_FOLD_TABLE = _build_fold_table()
_SEPARATORS = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Return the search form of ``text`` (see the module docstring).

    >>> fold("  Aïcha  EL-Idrissi ")
    'aicha el idrissi'
    >>> fold("فَاطِمَةُ") == fold("فاطمه")
    True
    """
    if not text:
        return ""
    if text.isascii():
        return _SEPARATORS.sub(" ", text.lower()).strip()
    text = unicodedata.normalize("NFKD", text.casefold()).translate(_FOLD_TABLE)
    return _SEPARATORS.sub(" ", text).strip()


# ---------------------------------------------------------------------------
# latin_key
# ---------------------------------------------------------------------------

# Arabic letter -> phoneme symbol of the common alphabet.
#   consonants: b t j h x(kh) d r z s c(sh/ch) g(gh/g) f k l m n
#   "a" any vowel (alef), "'" ayn/hamza, "w" waw, "y" yeh (semivowel or vowel)
_ARABIC_PHONEMES = str.maketrans({
    "ا": "a", "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "h", "خ": "x",
    "د": "d", "ذ": "d", "ر": "r", "ز": "z", "س": "s", "ش": "c", "ص": "s",
    "ض": "d", "ط": "t", "ظ": "d", "ع": "'", "غ": "g", "ف": "f", "ق": "k",
    "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "w", "ي": "y",
    "ء": "'", "پ": "b", "چ": "c", "ژ": "j", "ڤ": "f", "ڥ": "f", "گ": "g",
    "ڭ": "g", "ڨ": "g",
})

# Latin spelling rules, applied in order on a folded ASCII word. Each turns
# a spelling into the common phoneme alphabet (vowels become "a").
_LATIN_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"x", "ks"),
        (r"^john", "jon"),                 # John / جون
        (r"ier$", "ie"),                   # French silent r: Didier, Olivier
        (r"aud$|aut$", "o"),               # Arnaud, Renaud, Thibaut
        (r"eille$|eil$", "ey"),            # Mireille, Merveille
        (r"chael", "kael"),                # Michael / مايكل (Michel stays sh)
        (r"^ou(?=[aeiy])", "w"),           # Ouafae, Ouazzani: initial ou + vowel = w
        (r"ch(?=[rl])", "k"),              # Christelle, Chloe
        (r"t?sch|tch|tsh|ch|sh", "C"),     # Rachid, Rashid, Chinedu, Tchoupo (C until c is done)
        (r"kh", "x"),
        (r"gh", "g"),
        (r"dj", "j"),
        (r"ph", "f"),
        (r"th", "t"),
        (r"dh", "d"),
        (r"ck|qu|q", "k"),
        (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"gu(?=[eiy])", "g"),             # Gueye, Guillaume
        (r"v", "f"),
        (r"p", "b"),
        (r"ou|oo|[aeiou]", "a"),
        (r"^y(?=[^a])", "a"),              # Ysabel: y before a consonant is a vowel
        (r"C", "c"),
    )
)

_SUN = frozenset("tdrzscn")
_VOWELISH = frozenset("a'wy")
_ARABIC_LETTER = re.compile(r"[\u0620-\u064A\u066E-\u06D5\u06FA-\u06FF]")
_SCRIPT_RUNS = re.compile(r"[\u0600-\u06FF]+|[^\u0600-\u06FF]+")

# Article words written apart ("El Idrissi", "Al-Hassan", "Abd er-Rahman").
_ARTICLES = frozenset({
    "el", "al", "ul", "ed", "ad", "es", "as", "ez", "az", "et", "er", "ar", "en",
    "ech", "ach", "ash", "ال",
})
# Particles joined to the next word: ben/ibn X, bent X, ould X, ait X, abou X.
_PARTICLES = {
    "ben": "ben", "bin": "ben", "ibn": "ben", "بن": "ben", "ابن": "ben",
    "bent": "bent", "bint": "bent", "بنت": "bent",
    "ould": "wuld", "ولد": "wuld",
    "ait": "ait", "ايت": "ait",
    "abou": "abu", "abu": "abu", "ابو": "abu",
}
# "Abd" compounds: the article of the next word is dropped and "abdal" used,
# so عبد الرحمن, Abderrahmane, Abdul Rahman and Abd er-Rahman meet.
_ABD = frozenset({"abd", "abdel", "abdal", "abdul", "abdoul", "abdu", "abdelal", "عبد"})
# "X ad-Din" names: نور الدين, Nour Eddine, Noureddine, Nour el Din.
_DIN = frozenset({"الدين", "eddine", "eddin", "edine", "uddin", "uddine", "addin", "ddine", "din", "dine", "deen"})
# Arabic words starting with ال where ال is not the article.
_ARABIC_AL_EXCEPTIONS = frozenset({
    "الهام", "الياس", "اليسع", "الفت", "الماس", "الفه", "اليزابيث", "اليس", "اليسا",
    "البير", "البرت", "الين", "الفا", "الفريد", "الكسندر", "الكس", "اليكس", "الماز",
})
_LATIN_AL = re.compile(r"^(?:el|al)(?=[^aeiouy])")
_INTERVOCALIC_S = re.compile(r"(?<=[aeiouy])s(?=[aeiouy])")
_CH_CLUSTER = re.compile(r"ch(?=[rl])")
_LATIN_ASSIMILATED = re.compile(r"^e(ch|sh|[tdrzsn])(?=\1)")  # Ezzahra, Ennaji, Echchafi
_SOFT_G = re.compile(r"g(?=[eiy])")


def _strip_article(word: str, kept: frozenset[str] = frozenset()) -> str | None:
    """The word without an attached article, or None when it has none.
    ``kept`` holds folded words whose ال is not an article."""
    if word.startswith("ال"):
        if len(word) >= 5 and word not in _ARABIC_AL_EXCEPTIONS and word not in kept:
            return word[2:]
        return None
    if len(word) >= 6 and _LATIN_AL.match(word):
        if word.startswith("al") and len(word) < 7:
            return None
        return word[2:]
    if word.startswith("e") and len(word) >= 6:
        m = _LATIN_ASSIMILATED.match(word)
        if m:
            return word[1:]
    return None


def _phonemes(word: str) -> str:
    """The word in the common phoneme alphabet; Arabic and Latin runs each
    follow their own rules (so Arabic "سه" never reads as Latin "sh")."""
    parts = []
    for run in _SCRIPT_RUNS.findall(word):
        if _ARABIC_LETTER.match(run):
            parts.append(run.translate(_ARABIC_PHONEMES))
        else:
            for pattern, repl in _LATIN_RULES:
                run = pattern.sub(repl, run)
            parts.append(run)
    return "".join(parts)


def _skeleton(phonemes: str) -> str:
    """Consonant skeleton: an initial vowel (or ayn/alef) becomes "a", an
    initial w/y stays, other vowels and semivowels go, doubled consonants
    collapse, a final h goes, and "abdl" before a sun letter loses its l."""
    if not phonemes:
        return ""
    first = phonemes[0]
    out = ["a" if first in "a'" else first]
    for ch in phonemes[1:]:
        if ch in _VOWELISH or not ch.isalnum():
            continue
        if ch != out[-1]:
            out.append(ch)
    key = "".join(out).replace("tc", "c")
    if len(key) > 1 and key.endswith("h"):
        key = key[:-1]
    if key.startswith("abdl") and len(key) > 4 and key[4] in _SUN:
        key = "abd" + key[4:]
    return key


@dataclass(frozen=True)
class _Unit:
    """One name word after article/particle handling."""

    folded: str                    # folded text of the word (compounds without spaces)
    primary: str                   # phonetic skeleton
    variants: frozenset[str]       # every skeleton this word may go by (incl. primary)
    extra_folded: frozenset[str]   # other folded spellings to index (article-less)


def _word_unit(word: str, prefix: str = "", kept: frozenset[str] = frozenset()) -> _Unit:
    stripped = _strip_article(word, kept)
    base = stripped if stripped is not None else word
    primary = _skeleton(_phonemes(prefix + base))
    variants = {primary}
    extra: set[str] = set()
    if stripped is not None:
        variants.add(_skeleton(_phonemes(prefix + word)))
        if not prefix:
            extra.add(stripped)
    if not prefix:
        if base.startswith(("ا", "ع")) and len(base) >= 4 and base[1] not in "اويع" and base[2] not in "اويع":
            # إدريس / Driss, إبراهيم / Brahim: Maghrebi Latin spelling drops the vowel
            variants.add(primary[1:])
        if stripped is None and word.isascii():
            # French intervocalic s sounds z: Joseph / جوزيف, Rose / روز
            alt = _INTERVOCALIC_S.sub("z", word)
            if alt != word:
                variants.add(_skeleton(_phonemes(alt)))
            # ch before r/l: Christelle (k) but Chraibi, Chrif (sh)
            if _CH_CLUSTER.search(word):
                variants.add(_skeleton(_phonemes(_CH_CLUSTER.sub("sh", word))))
            # French soft g: Serge / سيرج, Nadège / ناديج
            if _SOFT_G.search(word):
                variants.add(_skeleton(_phonemes(_SOFT_G.sub("j", word))))
    variants.discard("")
    return _Unit(prefix + word if prefix else word, primary, frozenset(variants), frozenset(extra))


# An alef carrying hamza starts a word where ال is no article (ألفا, إلياس,
# إلهام, ألماز): the article is always written with a bare alef.
_HAMZA_AL = re.compile(r"(?<![\w\u064B-\u065F\u0670])[أإآ][\u064B-\u065F\u0670\u0640]*ل[\w\u064B-\u065F\u0670\u0640]*")
# ة after alef is read -at in names: نجاة Najat, حياة Hayat.
_ALEF_TA_MARBUTA = re.compile(r"(?<=ا)[\u064B-\u065F\u0670]*ة(?![\w\u064B-\u065F\u0670])")


@lru_cache(maxsize=65536)
def _units(text: str) -> tuple[_Unit, ...]:
    kept = frozenset(fold(w) for w in _HAMZA_AL.findall(text)) if "ل" in text else frozenset()
    if "ة" in text:
        text = _ALEF_TA_MARBUTA.sub("ت", text)
    words = fold(text.replace("ç", "s").replace("Ç", "s")).split()
    if len(words) > 1:
        words = [w for w in words if w not in _ARTICLES] or words
    units: list[_Unit] = []
    i = 0
    while i < len(words):
        word = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else None
        if nxt is not None and word in _ABD:
            rest = _strip_article(nxt, kept) or nxt
            for art in ("al", "el", "ul", "ال"):
                if rest.startswith(art) and len(rest) > len(art) + 1 and rest not in _ARABIC_AL_EXCEPTIONS and rest not in kept:
                    rest = rest[len(art):]
                    break
            unit = _word_unit(rest, "abdal")
            units.append(_Unit(word + nxt, unit.primary, unit.variants, frozenset()))
            i += 2
            continue
        if nxt is not None and nxt in _DIN and word not in _ARTICLES:
            unit = _word_unit(word + "din")
            units.append(_Unit(word + nxt, unit.primary, unit.variants, frozenset()))
            i += 2
            continue
        if nxt is not None and word in _PARTICLES:
            unit = _word_unit(nxt, _PARTICLES[word])
            units.append(_Unit(word + nxt, unit.primary, unit.variants, frozenset()))
            i += 2
            continue
        units.append(_word_unit(word, kept=kept))
        i += 1
    return tuple(u for u in units if u.primary)


def latin_key(text: str) -> str:
    """Coarse phonetic skeleton of a name, the same for its Arabic-script and
    usual Latin-script spellings; one skeleton per name word, space-separated.

    How: the name is folded; Arabic letters are transliterated one for one
    (ب b, ت/ط/ث t, ج j, ح/ه h, خ kh, د/ذ/ض/ظ d, س/ص s, ش sh, غ gh, ق/ك k,
    ع and ء silent, ة silent at the end, …); Latin spellings are reduced to
    the same sounds (ou/u/w, ch/sh/tch, kh, gh/g, dj/j, q/k/ck, c before
    e/i = s, ph/v = f, p = b, th = t, dh = d). Then vowels and the
    semivowels w/y are dropped except at the start of the name, where any
    vowel, alef or ayn becomes "a"; doubled consonants collapse; a final h
    is dropped (Fatimah, فاطمة) but ة after alef reads t (نجاة Najat).
    Articles written apart (el, al, ال) are dropped, attached ones stripped
    (الزهراء, Ezzahra, Elkhatib) - except after a hamza-carrying alef
    (ألفا, إلياس: the article never has one). "Abd" compounds, "X ad-Din"
    and ben/ibn, bent, ould, ait, abou are joined into one word. A few
    French endings are read as spoken (Didier, Arnaud, Mireille).

    Besides this primary key, ``name_keys`` and ``similarity`` also use
    variant keys for common ambiguities: with and without an attached
    article, Maghrebi initial vowel drop (إدريس Driss, إبراهيم Brahim),
    French intervocalic s = z (Joseph جوزيف), soft g (Serge سيرج), Moroccan
    sh reading of chr (Chraibi).

    >>> latin_key("Mohamed") == latin_key("Mhamed") == latin_key("محمد")
    True
    >>> latin_key("عبد الرحمن") == latin_key("Abderrahmane")
    True

    Limits (it is a candidate finder, not an identity test):

    * Coarse on purpose: names sharing consonants collide (Hassan, Hussein,
      Hassane, Hasna → ``hsn``; Amina, Imane, Amine → ``amn``; Omar and Amr;
      Rachid and Rochdi), and so do male/female pairs whose only difference
      is a final vowel or ة (Rachid/Rachida, Karim/Karima). Use
      ``similarity`` and the person's sex to rank what it finds.
    * Vowel-only differences cannot be seen, and a final h vanishes (Salah
      and Sala meet).
    * It cannot know which English/French reading a Latin spelling had:
      Michael (مايكل) vs Michel (ميشيل), g before e/i (Georges / جورج), gn
      (Diagne / دياني), Italian/English hard ch outside ``chr``/``chl``.
    * Spellings that change consonants do not meet: Othmane / Ousmane
      (ث read s), dialect forms that drop a consonant or vowel elsewhere
      than at the start (Hmad / أحمد only via the initial-vowel variant),
      derived forms (Fatoumata, Mamadou, Aminata are other keys).
    * Latin "el"/"al" is taken for an attached article only before a
      consonant in longer words (Elkhatib, Alhassane), so Elidrissi keeps
      its "el"; Arabic typed without hamza relies on a short list of names
      whose ال is not an article (الهام, الياس…); others stay as variants.
    * Dialect/elided forms: Larbi (العربي), Lamrani, Khadiza (Bangla z for
      ج), Spanish j (Juan / خوان) do not meet their counterpart.
    * Single-word checks are exact-key; the demo data (shelter.demo_names)
      shows about 95% of Moroccan/Syrian full names get identical keys in
      both scripts, and nearly all reach ``similarity`` >= 0.85.
    * Languages outside Arabic and Latin script (Ge'ez, Bengali, Tagalog
      in Baybayin) are not transliterated; their letters pass through.
    """
    return " ".join(unit.primary for unit in _units(text))


# ---------------------------------------------------------------------------
# index keys and search
# ---------------------------------------------------------------------------


def _cut(key: str) -> str:
    return key[:MAX_KEY_LENGTH]


def _phonetic(key: str) -> str:
    return _cut(PHONETIC_MARK + key)


def name_keys(*names: str) -> set[str]:
    """Index keys for one person's names (given, family, other spellings,
    in any script): folded words, folded article-less words and joined
    compounds, and phonetic keys (``PHONETIC_MARK`` + skeleton, with the
    variant skeletons as well). Store one row per key; look candidates up by
    equality or prefix with ``search_tokens``/``search_groups``.

    Single letters and detached articles are not indexed (they would match
    everyone).
    """
    keys: set[str] = set()
    for name in names:
        if not name:
            continue
        for word in fold(name).split():
            if len(word) > 1 and word not in _ARTICLES:
                keys.add(_cut(word))
        for unit in _units(name):
            if len(unit.folded) > 1:
                keys.add(_cut(unit.folded))
            keys.update(_cut(w) for w in unit.extra_folded if len(w) > 1)
            keys.update(_phonetic(v) for v in unit.variants if v)
    return keys


def search_groups(query: str) -> list[tuple[str, ...]]:
    """What to look up for a query, one group per query word: a person
    matches the query when, for every group, one of their keys starts with
    one of the group's tokens (AND over groups, OR within a group).

    The last word is usually being typed, hence prefix lookups. Phonetic
    tokens of one letter are left out (they would match most people), and
    detached articles are skipped when the query has other words.
    """
    words = fold(query).split()
    if len(words) > 1:
        words = [w for w in words if w not in _ARTICLES] or words
    groups: list[tuple[str, ...]] = []
    for word in words:
        tokens = [_cut(word)]
        stripped = _strip_article(word)
        if stripped:
            tokens.append(_cut(stripped))
        for unit in _units(word):
            for key in sorted(unit.variants, key=lambda k: (k != unit.primary, k)):
                if len(key) > 1:
                    tokens.append(_phonetic(key))
        groups.append(tuple(dict.fromkeys(tokens)))
    return groups


def search_tokens(query: str) -> list[str]:
    """Flat list of what to look up for a search-as-you-type query: folded
    words and phonetic keys (``PHONETIC_MARK`` + skeleton), to be matched as
    prefixes of ``name_keys``. So "fatima" yields ``fatima`` and ``~ftm``,
    which finds "فاطمة الزهراء" (indexed under ``~ftm``), and "فاطمه" yields
    ``~ftm`` too, which finds "Fatima". Use ``search_groups`` to require
    every word of a multi-word query.
    """
    out: dict[str, None] = {}
    for group in search_groups(query):
        for token in group:
            out[token] = None
    return list(out)


# ---------------------------------------------------------------------------
# similarity
# ---------------------------------------------------------------------------


def _ratio(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _unit_score(a: _Unit, b: _Unit) -> float:
    if a.folded == b.folded:
        return 1.0
    same_script = a.folded.isascii() == b.folded.isascii()
    if a.primary == b.primary:
        # Across scripts the key is all we know; within one script the
        # spelling tells more (Mohamed/Mohammed close, Hassan/Hussein less).
        return 0.6 + 0.35 * _ratio(a.folded, b.folded) if same_script else 0.92
    if a.variants & b.variants:
        return 0.55 + 0.3 * _ratio(a.folded, b.folded) if same_script else 0.88
    score = 0.8 * _ratio(a.primary, b.primary)
    if same_script:
        score = max(score, 0.85 * _ratio(a.folded, b.folded))
    return score if score >= 0.6 else 0.0


def _side(names: list[str]) -> list[_Unit]:
    seen: dict[str, _Unit] = {}
    for name in names:
        for unit in _units(name or ""):
            # Latin and Arabic spellings of the same word count once.
            seen.setdefault(unit.primary, unit)
    return list(seen.values())


def _join_split_words(a: list[_Unit], b: list[_Unit]) -> list[_Unit]:
    """Join two neighbouring words of ``a`` when the joined word is a word of
    ``b`` (Fatima Zahra / Fatimazahra, Ben Jelloun / Benjelloun)."""
    keys_b = {u.primary for u in b} | {u.folded for u in b}
    out: list[_Unit] = []
    i = 0
    while i < len(a):
        if i + 1 < len(a) and a[i].folded.isascii() == a[i + 1].folded.isascii():
            joined = _word_unit(a[i].folded + a[i + 1].folded)
            if joined.primary in keys_b or joined.folded in keys_b:
                out.append(joined)
                i += 2
                continue
        out.append(a[i])
        i += 1
    return out


def similarity(a_names: list[str], b_names: list[str]) -> float:
    """Score in [0, 1] for ranking duplicate candidates.

    Each side is every name of one person (given, family, other spellings,
    any script). Name words are compared as sets, so order does not matter
    (given/family swapped); each word pairs with its best partner, one to
    one: 1.0 for the same folded spelling; 0.92 for the same ``latin_key``
    across scripts (محمد / Mohamed), 0.6–0.95 within one script depending
    on how close the spellings are; a little less for a shared variant key
    (Driss / إدريس); else a scaled difflib ratio, below 0.6 counting as
    nothing. The total leans on the shorter side, so a missing middle name
    still scores high: ``0.75 * matched/shorter + 0.25 * matched/longer``.
    A joined versus split compound (Fatimazahra / Fatima Zahra) is joined
    before comparing.

    Rough bands: ≥ 0.85 likely the same name; 0.6–0.85 worth a look; about
    0.5 when only one of two words matches (a shared given name).
    """
    a = _side(a_names)
    b = _side(b_names)
    if not a or not b:
        return 0.0
    a = _join_split_words(a, b)
    b = _join_split_words(b, a)
    pairs = sorted(
        ((_unit_score(x, y), i, j) for i, x in enumerate(a) for j, y in enumerate(b)),
        reverse=True,
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    total = 0.0
    for score, i, j in pairs:
        if score <= 0.0:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        total += score
    shorter, longer = min(len(a), len(b)), max(len(a), len(b))
    return round(min(1.0, 0.75 * total / shorter + 0.25 * total / longer), 4)
