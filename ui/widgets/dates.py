"""Date fields shown as ISO dates (2026-11-24) in every language, and moments
(aware UTC datetimes from the core) shown in local time."""

from __future__ import annotations

from datetime import datetime

from ui.qt import QDate, QDateEdit, QDateTime, QLocale, Qt


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


def to_qdatetime(moment: datetime) -> QDateTime:
    """An aware datetime as a local QDateTime."""
    return QDateTime.fromMSecsSinceEpoch(int(moment.timestamp() * 1000)).toLocalTime()


def local_datetime(moment: datetime | None) -> str:
    """Date and time in the user's locale, local time; "" for None."""
    if moment is None:
        return ""
    return QLocale().toString(to_qdatetime(moment), QLocale.FormatType.ShortFormat)


def local_datetime_long(moment: datetime | None) -> str:
    """The same with seconds (for tooltips and the audit log)."""
    if moment is None:
        return ""
    return to_qdatetime(moment).toString("yyyy-MM-dd HH:mm:ss")
