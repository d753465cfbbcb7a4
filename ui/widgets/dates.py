"""Date fields shown as ISO dates (2026-11-24) in every language."""

from __future__ import annotations

from ui.qt import QDate, QDateEdit, Qt


def date_edit(optional: bool = False) -> QDateEdit:
    """A date field with a calendar, today by default; ``optional`` adds an
    empty value (the minimum date, shown blank)."""
    edit = QDateEdit(QDate.currentDate())
    edit.setCalendarPopup(True)
    # ISO dates read left to right in every language. The direction first:
    # a right-to-left date edit reverses the sections of the format it is
    # given (Arabic would show 24-11-2026 for 2026-11-24).
    edit.setLayoutDirection(Qt.LeftToRight)
    edit.setDisplayFormat("yyyy-MM-dd")
    if optional:
        edit.setSpecialValueText(" ")
        edit.setMinimumDate(QDate(1900, 1, 1))
        edit.setDate(edit.minimumDate())
    return edit
