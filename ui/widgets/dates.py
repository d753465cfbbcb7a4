"""Date fields shown as ISO dates (2026-11-24) in every language, and moments
(aware UTC datetimes from the core) shown in local time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from shelter.domain.dates import format_date, format_time, parse_date, parse_time
from shelter.errors import ValidationError
from shelter.i18n import _
from ui.qt import (
    QCalendarWidget,
    QDate,
    QDateTime,
    QHBoxLayout,
    QLineEdit,
    QShowEvent,
    QSizePolicy,
    Qt,
    QToolButton,
    QWidget,
    Signal,
)


def local_datetime(moment: datetime | None) -> str:
    """Date and 24-hour time in local time, as every screen writes them
    (2026-12-01 08:30), kept left to right inside an Arabic line; "" for None."""
    if moment is None:
        return ""
    local = moment.astimezone()
    return f"\u2066{format_date(local.date())} {format_time(local)}\u2069"


def local_datetime_long(moment: datetime | None) -> str:
    """The same with seconds (for tooltips and the audit log)."""
    if moment is None:
        return ""
    local = moment.astimezone()
    return f"\u2066{format_date(local.date())} {local:%H:%M:%S}\u2069"


_DIGITS_ONLY = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


class DateField(QWidget):
    """A date typed as it is shown (2026-03-15; also 2026/3/15, 20260315 or
    Arabic-Indic digits) or chosen in a calendar that opens at the field's
    date, else at ``likely`` (a date of birth opens some 25 years back, not at
    January 1900). What cannot be read is kept as typed; ``value()`` then
    raises a ValidationError naming ``field`` for the form to show beside it."""

    changed = Signal()

    def __init__(self, field: str, optional: bool = False, likely: date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.optional = optional
        self.likely = likely
        self.minimum: date | None = None
        self.maximum: date | None = None
        self.edit = QLineEdit(self)
        self.edit.setLayoutDirection(Qt.LeftToRight)  # ISO dates read left to right in every language
        self.edit.setPlaceholderText(_("yyyy-mm-dd"))
        self.edit.setMaxLength(16)
        self.edit.setMinimumWidth(self.edit.fontMetrics().horizontalAdvance("0000-00-00") + 24)
        self.button = QToolButton(self)
        self.button.setText("▾")
        self.button.setToolTip(_("Choose in the calendar"))
        self.button.setAccessibleName(_("Choose in the calendar"))
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.edit, 1)
        row.addWidget(self.button)
        self.setFocusProxy(self.edit)
        # As tall as its line, never squeezed below it in a crowded form.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.button.clicked.connect(self.open_calendar)
        self.edit.editingFinished.connect(self._tidy)
        self.edit.textChanged.connect(self._typed)
        if not optional:
            self.set_value(date.today())

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        # A crowded form squeezes its rows: a date field keeps its line's full
        # height (known once the stylesheet has polished the line edit).
        self.setMinimumHeight(self.edit.sizeHint().height())
        super().showEvent(event)

    # -- value --------------------------------------------------------------------

    def value(self) -> date | None:
        """The date, None when the field is empty and may be; ValidationError otherwise."""
        try:
            day = parse_date(self.edit.text())
        except ValueError:
            raise ValidationError(_("Type the date as 2026-03-15, or choose it in the calendar."),
                                  field=self.field) from None
        if day is None and not self.optional:
            raise ValidationError(_("Enter the date."), field=self.field)
        return day

    def peek(self) -> date | None:
        """The date if the text reads as one, else None (for live updates)."""
        try:
            return parse_date(self.edit.text())
        except ValueError:
            return None

    def set_value(self, day: date | None) -> None:
        self.edit.setText(format_date(day))

    # QDateEdit's names, for code and tests that set a date directly.
    def setDate(self, day: QDate) -> None:  # noqa: N802
        self.set_value(day.toPython() if day.isValid() else None)

    def date(self) -> QDate:
        day = self.peek()
        return QDate(day.year, day.month, day.day) if day else QDate()

    def setMinimumDate(self, day: QDate) -> None:  # noqa: N802
        self.minimum = day.toPython()

    def setMaximumDate(self, day: QDate) -> None:  # noqa: N802
        self.maximum = day.toPython()

    def _typed(self, text: str) -> None:
        if len(text) == 8 and text.translate(_DIGITS_ONLY).isdigit():
            self._tidy()  # eight digits typed (19980315): shown as the date they are at once
        self.changed.emit()

    def _tidy(self) -> None:
        day = self.peek()
        if day is not None and self.edit.text() != format_date(day):
            self.edit.setText(format_date(day))  # 19980315 becomes 1998-03-15 once typed

    # -- calendar --------------------------------------------------------------------

    def open_calendar(self) -> None:
        popup = QCalendarWidget(self)
        popup.setWindowFlags(Qt.WindowType.Popup)
        popup.setGridVisible(True)
        popup.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        if self.minimum:
            popup.setMinimumDate(QDate(self.minimum.year, self.minimum.month, self.minimum.day))
        if self.maximum:
            popup.setMaximumDate(QDate(self.maximum.year, self.maximum.month, self.maximum.day))
        start = self.peek() or self.likely or date.today()
        popup.setSelectedDate(QDate(start.year, start.month, start.day))
        popup.clicked.connect(lambda chosen: (self.setDate(chosen), popup.close(), self.edit.setFocus()))
        popup.activated.connect(lambda chosen: (self.setDate(chosen), popup.close(), self.edit.setFocus()))
        below = self.mapToGlobal(self.rect().bottomLeft())
        popup.move(below)
        popup.show()
        popup.setFocus()
        self.calendar = popup


class TimeField(QLineEdit):
    """A 24-hour time (08:30; also 8.30, 0830, 8h30), now by default."""

    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.setLayoutDirection(Qt.LeftToRight)
        self.setPlaceholderText(_("hh:mm"))
        self.setMaxLength(8)
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("00:00") + 30)
        self.setText(format_time(datetime.now()))
        self.editingFinished.connect(self._tidy)

    def value(self) -> time:
        try:
            moment = parse_time(self.text())
        except ValueError:
            moment = None
        if moment is None:
            raise ValidationError(_("Type the time as 08:30 (24-hour clock)."), field=self.field)
        return moment

    def _tidy(self) -> None:
        try:
            moment = parse_time(self.text())
        except ValueError:
            return
        if moment is not None:
            self.setText(format_time(moment))


def local_moment(day: date, at: time) -> datetime:
    """A date and time typed on this workstation, as an aware UTC datetime."""
    return datetime.combine(day, at).astimezone().astimezone(UTC)


class MomentField(QWidget):
    """A date and a 24-hour time typed as shown (2026-03-15, 08:30), now by
    default; ``value()`` is the aware UTC moment, or a ValidationError naming
    ``field`` for the form to show beside it."""

    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.day = DateField(field, parent=self)
        self.time = TimeField(field, parent=self)
        self.day.edit.setAccessibleName(_("Date"))
        self.time.setAccessibleName(_("Time"))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.day, 1)
        row.addWidget(self.time)
        self.setFocusProxy(self.day)
        self._shown = datetime.now(UTC)
        self.set_moment(self._shown)

    def value(self) -> datetime:
        moment = local_moment(self.day.value(), self.time.value())
        # Untouched, the field means the moment it showed, to the second (a
        # discharge entered a minute after the admission is not "before" it).
        shown = self._shown.astimezone()
        if moment == local_moment(shown.date(), time(shown.hour, shown.minute)):
            return self._shown
        return moment

    def set_moment(self, moment: datetime) -> None:
        self._shown = moment.astimezone(UTC)
        local = moment.astimezone()
        self.day.set_value(local.date())
        self.time.setText(format_time(local))

    def setDateTime(self, moment: QDateTime) -> None:  # noqa: N802  (QDateTimeEdit's name)
        self.set_moment(moment.toPython().astimezone())
