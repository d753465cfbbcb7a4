"""Small widgets shared by the screens: an error label beside a field, a
password field that notices Caps Lock, a new-password block with a strength
meter, the language chooser and the recovery-code display."""

from ui.widgets.dates import date_edit
from ui.widgets.field import ErrorLabel, FieldErrors, heading
from ui.widgets.language import LanguageBox
from ui.widgets.password import CapsLockWarning, NewPassword, PasswordEdit, StrengthMeter
from ui.widgets.recovery_code import RecoveryCodeView

__all__ = [
    "date_edit",
    "CapsLockWarning",
    "ErrorLabel",
    "FieldErrors",
    "LanguageBox",
    "NewPassword",
    "PasswordEdit",
    "RecoveryCodeView",
    "StrengthMeter",
    "heading",
]
