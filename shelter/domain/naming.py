"""How staff usernames and shelter codes are written."""

from __future__ import annotations

import re

from shelter.errors import ValidationError
from shelter.i18n import _

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
SHELTER_CODE_RE = re.compile(r"^[A-Z0-9]{2,12}$")


def check_username(username: str) -> str:
    """The username as stored (trimmed, lower case), or a ValidationError."""
    name = username.strip().lower()
    if not USERNAME_RE.match(name):
        raise ValidationError(
            _("A username has 2 to 32 characters: Latin letters, digits, dot, dash or underscore."),
            field="username",
        )
    return name


def check_shelter_code(code: str) -> str:
    """The shelter code as stored (trimmed, upper case), or a ValidationError."""
    value = code.strip().upper()
    if not SHELTER_CODE_RE.match(value):
        raise ValidationError(_("A shelter code has 2 to 12 Latin letters or digits, e.g. RBT1."), field="code")
    return value
