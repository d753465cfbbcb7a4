"""The period of a report: a month, a quarter, a year, or any range from one
day to another. Opens on the last full month (the monthly figures are due
at the start of the next)."""

from __future__ import annotations

from datetime import date, timedelta

from shelter.domain.report_model import MONTHS, Period
from shelter.errors import ValidationError
from shelter.i18n import _
from ui.qt import QComboBox, QHBoxLayout, QLabel, QSpinBox, QWidget, Signal
from ui.widgets.dates import DateField

KINDS = ("month", "quarter", "year", "range")
FIRST_YEAR = 2000


def last_full_month(today: date | None = None) -> Period:
    first = (today or date.today()).replace(day=1)
    before = first - timedelta(days=1)
    return Period.month(before.year, before.month)


class PeriodChooser(QWidget):
    """``period()`` is the period chosen, or a ValidationError naming
    ``period``, ``period_from`` or ``period_to`` for the form to show."""

    changed = Signal()

    def __init__(self, today: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        today = today or date.today()
        self.today = today
        self.kind = QComboBox(self)
        self.month = QComboBox(self)
        self.quarter = QComboBox(self)
        self.year = QSpinBox(self)
        self.year.setRange(FIRST_YEAR, today.year)
        self.start = DateField("period_from", parent=self)
        self.end = DateField("period_to", parent=self)
        self.dash = QLabel("–", self)
        for field in (self.start, self.end):  # as wide as a date, not as a line of text
            field.edit.setMaximumWidth(field.edit.minimumWidth() + 16)
        for _code in KINDS:
            self.kind.addItem("", _code)
        for _month in MONTHS:
            self.month.addItem("")
        for _quarter in range(4):
            self.quarter.addItem("")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.kind, self.month, self.quarter, self.year, self.start, self.dash, self.end):
            row.addWidget(widget)
        self.setFocusProxy(self.kind)
        self.set_period(last_full_month(today))
        self.kind.currentIndexChanged.connect(self._kind_changed)
        for combo in (self.month, self.quarter):
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.year.valueChanged.connect(lambda _v: self.changed.emit())
        self.start.changed.connect(self.changed)
        self.end.changed.connect(self.changed)
        self.retranslate()

    def retranslate(self) -> None:
        names = {"month": _("Month"), "quarter": _("Quarter"), "year": _("Year"), "range": _("From … to …")}
        for index, code in enumerate(KINDS):
            self.kind.setItemText(index, names[code])
        for index, month in enumerate(MONTHS):
            self.month.setItemText(index, _(month))
        for index in range(4):
            self.quarter.setItemText(index, _("Quarter {quarter}").format(quarter=index + 1))
        self.kind.setAccessibleName(_("Kind of period"))
        self.month.setAccessibleName(_("Month"))
        self.quarter.setAccessibleName(_("Quarter"))
        self.year.setAccessibleName(_("Year"))
        self.start.edit.setAccessibleName(_("First day"))
        self.end.edit.setAccessibleName(_("Last day"))

    def current_kind(self) -> str:
        return self.kind.currentData()

    def set_kind(self, kind: str) -> None:
        self.kind.setCurrentIndex(KINDS.index(kind))

    def _kind_changed(self, _index: int) -> None:
        self._show()
        self.changed.emit()

    def _show(self) -> None:
        kind = self.current_kind()
        self.month.setVisible(kind == "month")
        self.quarter.setVisible(kind == "quarter")
        self.year.setVisible(kind in ("month", "quarter", "year"))
        for widget in (self.start, self.dash, self.end):
            widget.setVisible(kind == "range")

    def set_period(self, period: Period) -> None:
        self.kind.blockSignals(True)
        self.kind.setCurrentIndex(KINDS.index(period.kind))
        self.kind.blockSignals(False)
        self.month.setCurrentIndex(period.start.month - 1)
        self.quarter.setCurrentIndex((period.start.month - 1) // 3)
        self.year.setValue(period.start.year)
        self.start.set_value(period.start)
        self.end.set_value(period.end)
        self._show()

    def period(self) -> Period:
        chosen = self._chosen()
        if chosen.start > self.today:
            raise ValidationError(_("This period has not started yet."),
                                  field="period_from" if chosen.kind == "range" else "period")
        return chosen

    def _chosen(self) -> Period:
        kind = self.current_kind()
        year = self.year.value()
        if kind == "month":
            return Period.month(year, self.month.currentIndex() + 1)
        if kind == "quarter":
            return Period.quarter(year, self.quarter.currentIndex() + 1)
        if kind == "year":
            return Period.year(year)
        start, end = self.start.value(), self.end.value()
        if start is None or end is None:  # not optional: value() has said so already
            raise ValidationError(_("Enter the date."), field="period_from" if start is None else "period_to")
        if end < start:
            raise ValidationError(_("The period ends before it starts."), field="period_to")
        return Period(start, end)
