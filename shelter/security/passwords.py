"""Password rules and a strength estimate.

Rule: at least 12 characters (a passphrase of several words is the easy way
to get there), not containing the username, not one or two characters
repeated, not one of the passwords every attacker tries first, and hard to
guess for zxcvbn (Dropbox's estimator: dictionaries of passwords, words and
names, keyboard patterns, dates, repeats, l33t). zxcvbn's dictionaries are
English: the French, Moroccan and Arabic words attackers try first are
added here, with the account's names and the shelter's words, and a
password made only of such words (or of one common password) and a few
digits or symbols is refused too. Arabic and other scripts count like Latin
letters.

The meter (``strength``) is zxcvbn's score, so it agrees with the rule: a
password the rule refuses never shows more than "Fair", and one it accepts
always shows "Strong" or "Very strong".
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from shelter.errors import ValidationError
from shelter.i18n import N_, _

MIN_LENGTH = 12
# zxcvbn's score: 0 (under 10^3 guesses), 1 (10^6), 2 (10^8), 3 (10^10,
# "safely unguessable" online), 4 (more). Below 3 the password is refused.
MIN_SCORE = 3
# zxcvbn's matching grows with the square of the length (and worse with
# l33t substitutions: a crafted 100-character string took 4-6 s, 40 about
# 0.7 s on a loaded 2-core machine); 40 characters that pass are strong
# whatever follows, so only the beginning is estimated.
ESTIMATE_LENGTH = 40

_COMMON = frozenset({
    "password1234", "motdepasse123", "azertyuiop12", "qwertyuiop12", "123456789012", "000000000000",
    "administrator", "administrateur", "shelter12345", "bienvenue123", "welcome12345", "iloveyou1234",
    "passwordpassword", "marocmaroc12", "morocco12345", "maroc2026!!!", "azerty123456", "qwerty123456",
})
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "azertyuiop", "qwertyuiop", "asdfghjkl", "qsdfghjklm")
# Between the words of a passphrase.
_SEPARATORS = re.compile(r"[\s\-_.,]+")

# Words tied to any shelter: to zxcvbn they weigh like the user's own name.
SHELTER_WORDS = (
    "shelter", "refuge", "foyer", "centre", "association", "maroc", "morocco", "maghreb", "rabat", "sale",
    "casablanca", "casa", "marrakech", "fes", "tanger", "agadir", "oujda", "dar", "amane", "aman", "amal",
    "nour", "hope", "espoir",
)

# What attackers try first in French, Moroccan and transliterated Arabic
# (zxcvbn only knows English), most common first. zxcvbn gets them as user
# inputs (so they count as dictionary words, also inside a longer password,
# reversed or in l33t), and a password made only of them and of the
# shelter's words, with six digits or symbols at most, is refused.
LOCAL_COMMON = (
    "motdepasse", "azerty", "azertyuiop", "bonjour", "bienvenue", "soleil", "maroc", "marocain", "marocaine",
    "bismillah", "bismilah", "hamdoulah", "hamdoullah", "hamdulillah", "alhamdulillah", "elhamdoulillah",
    "allah", "allahuakbar", "inchallah", "inshallah", "machallah", "mashallah", "subhanallah",
    "habibi", "habibti", "hayati", "rouhi", "mohammed", "mohamed", "muhammad", "mehdi", "fatima",
    "fatimazahra", "fatimazohra", "khadija", "aicha", "meryem", "maryam", "amina", "youssef", "yassine",
    "ahmed", "hassan", "hussein", "omar", "ali", "karim", "said", "rachid", "salma", "nadia", "imane",
    "salam", "salamalikoum", "marhaba", "mabrouk", "zwina", "zin", "bghitek", "kanbghik", "nhebek",
    "jetaime", "amour", "moncoeur", "chouchou", "doudou", "loulou", "cherie", "princesse", "bebe",
    "maman", "papa", "famille", "liberte", "secret", "azerty123", "wydad", "raja", "atlas", "sahara",
    "bismillahirrahmanirrahim", "rahman", "rahim", "arrahman", "arrahim",
    # Arabic script: Allah, Muhammad, the basmala and its words, praise be to
    # God, God is greatest, God willing, the shahada, my love, I love you,
    # password, hello, Morocco, Fatima, Mother.
    "الله", "محمد", "بسم الله", "بسم الله الرحمن الرحيم", "الرحمن", "الرحيم", "الحمد لله", "الله اكبر",
    "ان شاء الله", "ما شاء الله", "سبحان الله", "لا اله الا الله", "حبيبي", "حبيبتي", "احبك", "كلمة السر",
    "مرحبا", "المغرب", "فاطمة", "ماما",
)
_LOCAL_COMMON = frozenset(_SEPARATORS.sub("", w) for w in LOCAL_COMMON)

STRENGTH_LABELS = (N_("Very weak"), N_("Weak"), N_("Fair"), N_("Strong"), N_("Very strong"))

# Why zxcvbn finds a password easy to guess, by the pattern covering most of it.
_GUESSABLE = {
    "common": N_("This password is too easy to guess: it is built on common words or passwords. "
                 "A few unrelated words together make a strong passphrase."),
    "pattern": N_("This password is too easy to guess: repeats, sequences such as abcabc or 1234, and rows of "
                  "keys add little. A few unrelated words together make a strong passphrase."),
    "date": N_("This password is too easy to guess: years and dates add little. "
               "A few unrelated words together make a strong passphrase."),
    "personal": N_("This password is too easy to guess: names and words linked to the account or the shelter "
                   "are tried first. A few unrelated words together make a strong passphrase."),
}

# zxcvbn keeps the user inputs of a call in a module-level dictionary, so
# two threads estimating at once would mix them up.
_ZXCVBN_LOCK = threading.Lock()


@dataclass(frozen=True)
class Assessment:
    """What the rule says of one password: ``problems`` (translated, empty
    when accepted) and ``score`` for the meter, 0 (very weak) to 4."""

    problems: tuple[str, ...]
    score: int

    @property
    def accepted(self) -> bool:
        return not self.problems


def _normal(password: str) -> str:
    return unicodedata.normalize("NFC", password)


def _personal_words(username: str, display_name: str, words: Iterable[str]) -> list[str]:
    """The account's and shelter's own words, as zxcvbn user inputs: each
    text whole, without separators, and its parts of three letters or more."""
    found: list[str] = []
    for text in (username, display_name, *words, *SHELTER_WORDS):
        text = _normal(text or "").strip().lower()
        if not text:
            continue
        found.append(text)
        found.append(re.sub(r"[\W_]+", "", text))
        found.extend(part for part in re.split(r"[\W_\d]+", text) if len(part) >= 3)
    return list(dict.fromkeys(w for w in found if w))


def _zxcvbn(password: str, user_inputs: Sequence[str]) -> dict[str, Any]:
    from zxcvbn import matching, zxcvbn  # imported when first needed: 12 MB of word lists

    with _ZXCVBN_LOCK:
        try:
            return zxcvbn(password[:ESTIMATE_LENGTH], user_inputs=list(user_inputs), max_length=ESTIMATE_LENGTH)
        finally:
            # Do not leave the account's names lying in zxcvbn's globals.
            matching.RANKED_DICTIONARIES["user_inputs"] = {}


def _weakness(result: dict[str, Any], personal: set[str]) -> str:
    """Which kind of pattern covers most of a guessable password."""
    covered = dict.fromkeys(_GUESSABLE, 0)
    for match in result["sequence"]:
        pattern = match["pattern"]
        size = len(match["token"])
        if pattern in ("repeat", "sequence", "spatial"):
            covered["pattern"] += size
        elif pattern in ("date", "regex"):
            covered["date"] += size
        elif pattern == "dictionary":
            kind = "personal" if match.get("matched_word") in personal else "common"
            covered[kind] += size
    best = max(covered, key=covered.__getitem__)
    return best if covered[best] else "common"


def _estimate(pw: str, personal: list[str]) -> tuple[int, str]:
    """zxcvbn's score for ``pw`` and the kind of weakness behind it. Word
    separators cost zxcvbn a lot of guesses, so "password password" would
    look strong: the password is also judged with them removed, and the
    easier of the two counts."""
    inputs = [*personal, *LOCAL_COMMON]
    results = [_zxcvbn(pw, inputs)]
    compact = _SEPARATORS.sub("", pw)
    if compact and compact != pw:
        results.append(_zxcvbn(compact, inputs))
    result = min(results, key=lambda r: r["guesses"])
    score, weakness = int(result["score"]), _weakness(result, set(personal))
    listed = _only_listed_words(compact[:ESTIMATE_LENGTH].lower(), personal)
    if listed:
        score, weakness = min(score, MIN_SCORE - 1), listed
    return score, weakness


# At most this many digits and symbols around listed words: a year and "!!",
# what people add when told to, and attackers' rules add too.
_MAX_DECORATION = 6


def _only_listed_words(compact: str, personal: Sequence[str]) -> str | None:
    """"personal" or "common" when ``compact`` (lower case, no separators)
    is made of listed words and at most _MAX_DECORATION digits or symbols,
    None otherwise. Listed: ``personal`` and LOCAL_COMMON, or one password
    of zxcvbn's own list.

    zxcvbn adds 10^4 guesses for every extra word, so three of the
    shelter's or this list's words ("dar amane rabat") would pass, and it
    rates "Password2024!!" 3 out of 4."""
    runs = re.findall(r"[^\W\d_]+", compact)
    if not runs or len(compact) - sum(map(len, runs)) > _MAX_DECORATION:
        return None
    if len(runs) == 1:
        from zxcvbn.matching import RANKED_DICTIONARIES

        if runs[0] in RANKED_DICTIONARIES["passwords"]:
            return "common"
    own = {_SEPARATORS.sub("", w) for w in personal}
    common = _LOCAL_COMMON - own
    longest = max(map(len, own | common), default=0)
    uses_own = False
    for run in runs:
        # reach[i]: None if run[:i] does not split into listed words, else
        # whether a split uses one of the account's or shelter's own words.
        reach: list[bool | None] = [False] + [None] * len(run)
        for i in range(1, len(run) + 1):
            for j in range(max(0, i - longest), i):
                word = run[j:i]
                if reach[j] is not None and (word in own or word in common):
                    reach[i] = bool(reach[i]) or reach[j] or word in own
        if reach[-1] is None:
            return None
        uses_own = uses_own or bool(reach[-1])
    return "personal" if uses_own else "common"


def assess(password: str, username: str = "", display_name: str = "", words: Iterable[str] = ()) -> Assessment:
    """The problems and the meter score of ``password``, in one estimate.

    ``username`` must not appear in the password; it, ``display_name`` and
    ``words`` (the shelter's name, its city…) are words zxcvbn tries first.
    """
    pw = _normal(password)
    low = pw.lower()
    username = _normal(username or "").strip()
    found: list[str] = []
    if len(pw) < MIN_LENGTH:
        found.append(
            _("Use at least {n} characters. A few words together make a good passphrase.").format(n=MIN_LENGTH)
        )
    if username and username.lower() in low:
        found.append(_("The password must not contain the username."))
    if pw and len(set(low)) <= 2:
        found.append(_("The password must not repeat one or two characters."))
    compact = _SEPARATORS.sub("", low)
    if compact in _COMMON or compact in _LOCAL_COMMON or any(compact and compact in seq * 2 for seq in _SEQUENCES):
        found.append(_("This password is among the first ones attackers try."))
    score, weakness = _estimate(pw, _personal_words(username, display_name, words)) if pw else (0, "common")
    if score < MIN_SCORE and not found:
        found.append(_(_GUESSABLE[weakness]))
    if found:
        score = min(score, MIN_SCORE - 1)
    return Assessment(tuple(found), score)


def problems(password: str, username: str = "", display_name: str = "", words: Iterable[str] = ()) -> list[str]:
    """Why ``password`` is not accepted (translated), or an empty list."""
    return list(assess(password, username, display_name, words).problems)


def check(password: str, username: str = "", field: str = "password", display_name: str = "",
          words: Iterable[str] = ()) -> None:
    """Raise ValidationError with the first problem of ``password``."""
    found = assess(password, username, display_name, words).problems
    if found:
        raise ValidationError(found[0], field=field)


def strength(password: str, username: str = "", display_name: str = "", words: Iterable[str] = ()) -> int:
    """0 (very weak) to 4 (very strong) for the meter shown while typing:
    zxcvbn's score, at most 2 ("Fair") while the rule refuses the password."""
    if not password:
        return 0
    return assess(password, username, display_name, words).score


def strength_label(score: int) -> str:
    return _(STRENGTH_LABELS[max(0, min(4, score))])
