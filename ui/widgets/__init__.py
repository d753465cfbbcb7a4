"""Small widgets shared by the screens: error labels beside the fields, a
password field that notices Caps Lock, a new-password block with a strength
meter, the language chooser, the recovery-code display and the parts of a
section's page."""

from ui.widgets.dates import DateField
from ui.widgets.field import ErrorLabel, FieldErrors, busy
from ui.widgets.language import LanguageBox
from ui.widgets.page import fit_to_screen, heading, page_layout, paragraph, scrolled
from ui.widgets.password import CapsLockWarning, NewPassword, PasswordEdit, StrengthMeter
from ui.widgets.recovery_code import RecoveryCodeView

__all__ = [
    "DateField",
    "CapsLockWarning",
    "ErrorLabel",
    "FieldErrors",
    "LanguageBox",
    "NewPassword",
    "PasswordEdit",
    "RecoveryCodeView",
    "StrengthMeter",
    "busy",
    "fit_to_screen",
    "heading",
    "page_layout",
    "paragraph",
    "scrolled",
]
