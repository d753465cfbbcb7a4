"""Password rules and a strength estimate.

Rule: at least 12 characters (a passphrase of several words is the easy way
to get there), not the username, not a run of one character or a keyboard
sequence, not one of the passwords every attacker tries first. Arabic and
other scripts count like Latin letters.
"""

from __future__ import annotations

import math
import re
import unicodedata

from shelter.errors import ValidationError
from shelter.i18n import N_, _

MIN_LENGTH = 12

_COMMON = frozenset({
    "password1234", "motdepasse123", "azertyuiop12", "qwertyuiop12", "123456789012", "000000000000",
    "administrator", "administrateur", "shelter12345", "bienvenue123", "welcome12345", "iloveyou1234",
    "passwordpassword", "marocmaroc12", "morocco12345", "maroc2026!!!", "azerty123456", "qwerty123456",
})
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "azertyuiop", "qwertyuiop", "asdfghjkl", "qsdfghjklm")

STRENGTH_LABELS = (N_("Very weak"), N_("Weak"), N_("Fair"), N_("Strong"), N_("Very strong"))


def _normal(password: str) -> str:
    return unicodedata.normalize("NFC", password)


def problems(password: str, username: str = "") -> list[str]:
    """Why ``password`` is not accepted (translated), or an empty list."""
    pw = _normal(password)
    low = pw.lower()
    found: list[str] = []
    if len(pw) < MIN_LENGTH:
        found.append(
            _("Use at least {n} characters. A few words together make a good passphrase.").format(n=MIN_LENGTH)
        )
    if username and username.lower() in low:
        found.append(_("The password must not contain the username."))
    if pw and len(set(low)) <= 2:
        found.append(_("The password must not repeat one or two characters."))
    compact = re.sub(r"\s+", "", low)
    if compact in _COMMON or any(compact and compact in seq * 2 for seq in _SEQUENCES):
        found.append(_("This password is among the first ones attackers try."))
    return found


def check(password: str, username: str = "", field: str = "password") -> None:
    """Raise ValidationError with the first problem of ``password``."""
    found = problems(password, username)
    if found:
        raise ValidationError(found[0], field=field)


def strength(password: str) -> int:
    """0 (very weak) to 4 (very strong): a rough guessing-entropy estimate
    for the meter shown while typing. Words count for their number, not their
    letters, so a passphrase is judged fairly."""
    pw = _normal(password)
    if not pw:
        return 0
    words = [w for w in re.split(r"[\s\-_.]+", pw) if w]
    pool = 0
    if any(c.islower() for c in pw):
        pool += 26
    if any(c.isupper() for c in pw):
        pool += 26
    if any(c.isdigit() for c in pw):
        pool += 10
    if any(not c.isalnum() and not c.isspace() for c in pw):
        pool += 33
    if any(ord(c) > 127 and c.isalpha() for c in pw):
        pool += 36  # Arabic or accented letters
    distinct = len(set(pw.lower()))
    bits = min(len(pw), distinct * 2) * math.log2(max(pool, 2))
    if len(words) >= 4:
        bits = max(bits, len(words) * 11.0)  # a word from a 2,000-word vocabulary
    if problems(pw):
        bits = min(bits, 35.0)
    for limit, score in ((35, 0), (50, 1), (65, 2), (80, 3)):
        if bits < limit:
            return score
    return 4


def strength_label(score: int) -> str:
    return _(STRENGTH_LABELS[max(0, min(4, score))])
