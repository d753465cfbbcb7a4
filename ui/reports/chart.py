"""A chart of a report (``report_model.Chart``) painted from its section's
table, with the scale, ticks and colours of ``shelter.domain.charts`` that
the PDF uses too, so the screen and the paper look alike.

``bars``: one group per row of the table, one horizontal bar per column
(its colour named in the legend), the value at the end of each bar. A value
hidden on release is not drawn: a short grey stub says "<5" or "x" where it
would be. ``line``: a daily detail table, one line per column over the days;
a hidden day breaks the line and is marked grey on the axis.

Mirrored in right-to-left: the labels on the right, the bars growing to the
left, the days running from right to left. Every value is also in the
widget's tooltip and accessible description (the line chart summarises:
the spreadsheet has each day)."""

from __future__ import annotations

from shelter.domain.charts import GRID, HIDDEN_FILL, colour, nice_ticks, tick_text
from shelter.domain.disclosure import SMALL
from shelter.domain.report_model import COUNT, PERCENT, Chart, Table, format_value
from shelter.i18n import _, current_language, translator
from ui.qt import (
    QColor,
    QEvent,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPointF,
    QRectF,
    QSize,
    QSizePolicy,
    Qt,
    QWidget,
)
from ui.reports.table import label, number

TEXT = "#1e2b31"
AXIS = "#56666e"
STUB = 10.0  # the width of a hidden value's grey stub, in pixels
MARGIN = 8.0


class ReportChart(QWidget):
    """``chart`` drawn from ``table`` (the table of the same section whose key it names)."""

    def __init__(self, chart: Chart, table: Table, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = chart
        self.table = table
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a screen reader user reaches the values
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)  # a legend wraps onto more lines in a narrow window
        self.setSizePolicy(policy)
        self.retranslate()

    # -- what it shows -----------------------------------------------------------------

    @property
    def rows(self) -> tuple[str, ...]:
        return self.table.rows.codes

    @property
    def series(self) -> tuple[str, ...]:
        return self.table.cols.codes

    def value(self, row: str, col: str) -> float | None:
        return self.table.value(row, col)

    def mark(self, row: str, col: str) -> str:
        """"<5" or "x" for a hidden value, "" for one shown."""
        why = self.table.hidden.get((row, col))
        if why is None:
            return ""
        return f"<{self.table.threshold}" if why == SMALL else "x"

    def high(self) -> float:
        values = [v for r in self.rows for c in self.series if (v := self.value(r, c)) is not None]
        return max(values, default=0.0)

    def ticks(self) -> list[float]:
        return nice_ticks(self.high())

    def axis_text(self, tick: float) -> str:
        return f"{tick_text(tick)} %" if self.table.unit == PERCENT else tick_text(tick)

    def _tr(self):  # noqa: ANN202
        return translator(current_language())

    def row_label(self, code: str) -> str:
        return label(self.table.rows.label(code, self._tr()))

    def series_label(self, code: str) -> str:
        return label(self.table.cols.label(code, self._tr()))

    def value_text(self, row: str, col: str) -> str:
        return number(self.mark(row, col) or format_value(self.value(row, col), self.table.unit))

    def description(self) -> str:
        """Every value (bars), or per line its lowest, highest and average (a daily line)."""
        if not self.rows or not self.series:
            return _("Nothing to show for this period.")
        lines = []
        if self.chart.kind == "line":
            first, last = self.row_label(self.rows[0]), self.row_label(self.rows[-1])
            lines.append(_("From {first} to {last}").format(first=first, last=last))
            for col in self.series:
                values = [v for r in self.rows if (v := self.value(r, col)) is not None]
                if not values:
                    lines.append(_("{series}: nothing shown").format(series=self.series_label(col)))
                    continue
                unit = self.table.unit
                average = sum(values) / len(values)
                lines.append(_("{series}: lowest {low}, highest {high}, average {average}").format(
                    series=self.series_label(col), low=format_value(min(values), unit),
                    high=format_value(max(values), unit),
                    average=f"{average:.1f}" if unit == COUNT else format_value(average, unit)))
            return "\n".join(lines)
        for row in self.rows:
            if len(self.series) == 1:
                lines.append(f"{self.row_label(row)}: {self.value_text(row, self.series[0])}")
            else:
                parts = ", ".join(f"{self.series_label(c)} {self.value_text(row, c)}" for c in self.series)
                lines.append(f"{self.row_label(row)}: {parts}")
        return "\n".join(lines)

    def retranslate(self) -> None:
        title = self._tr().gettext(self.chart.title)
        self.setAccessibleName(title)
        text = self.description()
        self.setAccessibleDescription(text)
        self.setToolTip(f"{title}\n{text}")
        self.updateGeometry()
        self.update()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.LanguageChange, QEvent.Type.LayoutDirectionChange,
                            QEvent.Type.FontChange):
            self.retranslate()

    # -- geometry ---------------------------------------------------------------------------

    def _metrics(self) -> QFontMetrics:
        return QFontMetrics(self.font())

    def bar_height(self) -> float:
        return max(12.0, self._metrics().height() * 0.95)

    def legend_lines(self, width: float) -> list[list[tuple[str, float]]]:
        """The legend's entries (series code, width), wrapped into lines ``width`` wide."""
        if len(self.series) < 2:
            return []
        metrics = self._metrics()
        sample = metrics.height()
        lines: list[list[tuple[str, float]]] = [[]]
        used = 0.0
        for col in self.series:
            entry = sample + 6 + metrics.horizontalAdvance(self.series_label(col)) + 16
            if lines[-1] and used + entry > width:
                lines.append([])
                used = 0.0
            lines[-1].append((col, entry))
            used += entry
        return lines

    def legend_height(self, width: float) -> float:
        return len(self.legend_lines(width)) * (self._metrics().height() + 4)

    def group_height(self) -> float:
        return len(self.series) * self.bar_height() + max(8.0, self.bar_height() * 0.6)

    def sizeHint(self) -> QSize:  # noqa: N802
        width = 620
        line = self._metrics().height()
        if self.chart.kind == "line":
            return QSize(width, int(240 + self.legend_height(width)))
        body = len(self.rows) * self.group_height()
        return QSize(width, int(MARGIN * 2 + self.legend_height(width) + body + line + 8))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        hint = self.sizeHint()
        return QSize(320, hint.height() if self.chart.kind == "bars" else 180)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        line = self._metrics().height()
        if self.chart.kind == "line":
            return int(240 + self.legend_height(width))
        body = len(self.rows) * self.group_height()
        return int(MARGIN * 2 + self.legend_height(width) + body + line + 8)

    def _rtl(self) -> bool:
        return self.layoutDirection() == Qt.LayoutDirection.RightToLeft

    def _flip(self, rect: QRectF) -> QRectF:
        """``rect`` laid out left to right, placed for the reading direction."""
        if not self._rtl():
            return rect
        return QRectF(self.width() - rect.right(), rect.top(), rect.width(), rect.height())

    def _x(self, x: float) -> float:
        return self.width() - x if self._rtl() else x

    def _align(self, align: Qt.AlignmentFlag) -> Qt.AlignmentFlag:
        """Left and right swapped in right-to-left (given for left to right),
        absolute: the painter must not swap them a second time."""
        if self._rtl():
            if align & Qt.AlignmentFlag.AlignLeft:
                align = (align & ~Qt.AlignmentFlag.AlignLeft) | Qt.AlignmentFlag.AlignRight
            elif align & Qt.AlignmentFlag.AlignRight:
                align = (align & ~Qt.AlignmentFlag.AlignRight) | Qt.AlignmentFlag.AlignLeft
        return align | Qt.AlignmentFlag.AlignAbsolute

    def _text(self, painter: QPainter, rect: QRectF, align: Qt.AlignmentFlag, text: str) -> None:
        painter.drawText(self._flip(rect), int(self._align(align)), text)

    def label_width(self) -> float:
        """The column of row labels (bars): as wide as the longest, at most 38 % of the chart."""
        metrics = self._metrics()
        widest = max((metrics.horizontalAdvance(self.row_label(r)) for r in self.rows), default=0)
        return float(min(widest + 20, max(80.0, self.width() * 0.38)))

    def value_room(self) -> float:
        """Room after the longest bar for its value."""
        metrics = self._metrics()
        texts = [self.value_text(r, c) for r in self.rows for c in self.series]
        return float(max((metrics.horizontalAdvance(t) for t in texts), default=0) + 10)

    def plot_area(self) -> QRectF:
        """Where bars or lines go, laid out left to right (``_flip`` places it)."""
        metrics = self._metrics()
        top = MARGIN + self.legend_height(self.width() - 2 * MARGIN)
        if self.chart.kind == "line":
            top += metrics.height() / 2 + 4  # the top tick's label clear of the legend
        bottom = self.height() - MARGIN - metrics.height() - 4
        if self.chart.kind == "line":
            axis = metrics.horizontalAdvance(self.axis_text(self.ticks()[-1])) + 12
            left, right = MARGIN + axis, self.width() - MARGIN - 6
        else:
            left = MARGIN + self.label_width()
            right = self.width() - MARGIN - self.value_room()
        return QRectF(left, top, max(right - left, 10.0), max(bottom - top, 10.0))

    # -- painting ----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        self._draw_legend(painter)
        if not self.rows or not self.series:
            painter.setPen(QColor(AXIS))
            painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignCenter), self.description())
        elif self.chart.kind == "line":
            self._draw_lines(painter)
        else:
            self._draw_bars(painter)
        if self.hasFocus():
            pen = QPen(QColor("#1d6b73"))
            pen.setWidth(2)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self.rect().adjusted(1, 1, -1, -1))
        painter.end()

    def _draw_legend(self, painter: QPainter) -> None:
        metrics = self._metrics()
        sample = metrics.height() - 4
        y = MARGIN
        for line in self.legend_lines(self.width() - 2 * MARGIN):
            x = MARGIN
            for col, width in line:
                index = self.series.index(col)
                box = QRectF(x, y + 2, sample, sample)
                painter.fillRect(self._flip(box), QColor(colour(index)))
                painter.setPen(QColor(TEXT))
                self._text(painter, QRectF(x + sample + 6, y, width - sample - 6, metrics.height()),
                           Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.series_label(col))
                x += width
            y += metrics.height() + 4

    def x_of(self, value: float) -> float:
        """The length along the value axis (bars) from the plot's start, left to right."""
        area = self.plot_area()
        top = self.ticks()[-1] or 1.0
        return area.left() + area.width() * max(0.0, value) / top

    def _draw_value_grid(self, painter: QPainter, area: QRectF) -> None:
        metrics = self._metrics()
        for tick in self.ticks():
            x = self.x_of(tick)
            painter.setPen(QPen(QColor(GRID if tick else AXIS), 1))
            painter.drawLine(QPointF(self._x(x), area.top()), QPointF(self._x(x), area.bottom()))
            painter.setPen(QColor(AXIS))
            text = number(self.axis_text(tick))
            width = metrics.horizontalAdvance(text) + 8
            self._text(painter, QRectF(x - width / 2, area.bottom() + 2, width, metrics.height()),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text)

    def bar_rect(self, row: str, col: str) -> QRectF:
        """Where one bar is drawn, laid out left to right (a hidden value: its stub)."""
        area = self.plot_area()
        group = self.rows.index(row)
        index = self.series.index(col)
        bar = self.bar_height()
        top = area.top() + group * self.group_height() + index * bar
        value = self.value(row, col)
        if value is None:
            return QRectF(area.left(), top + 1, STUB if self.mark(row, col) else 0.0, bar - 2)
        return QRectF(area.left(), top + 1, self.x_of(value) - area.left(), bar - 2)

    def _draw_bars(self, painter: QPainter) -> None:
        metrics = self._metrics()
        area = self.plot_area()
        self._draw_value_grid(painter, area)
        label_width = self.label_width()
        for group, row in enumerate(self.rows):
            top = area.top() + group * self.group_height()
            span = len(self.series) * self.bar_height()
            painter.setPen(QColor(TEXT))
            label = metrics.elidedText(self.row_label(row), Qt.TextElideMode.ElideRight, int(label_width - 8))
            self._text(painter, QRectF(MARGIN, top, label_width - 8, span),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
            for index, col in enumerate(self.series):
                rect = self.bar_rect(row, col)
                hidden = self.value(row, col) is None
                if rect.width() > 0:
                    painter.fillRect(self._flip(rect), QColor(HIDDEN_FILL if hidden else colour(index)))
                painter.setPen(QColor(AXIS if hidden else TEXT))
                self._text(painter, QRectF(rect.right() + 4, rect.top() - 2, self.value_room() + 40,
                                           rect.height() + 4),
                           Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.value_text(row, col))

    # -- lines ------------------------------------------------------------------------------

    def point(self, day_index: int, value: float) -> QPointF:
        """A day's value, placed for the reading direction."""
        area = self.plot_area()
        count = len(self.rows)
        x = area.center().x() if count < 2 else area.left() + day_index * area.width() / (count - 1)
        top = self.ticks()[-1] or 1.0
        y = area.bottom() - area.height() * max(0.0, value) / top
        return QPointF(self._x(x), y)

    def _draw_lines(self, painter: QPainter) -> None:
        metrics = self._metrics()
        area = self.plot_area()
        top = self.ticks()[-1] or 1.0
        for tick in self.ticks():
            y = area.bottom() - area.height() * tick / top
            painter.setPen(QPen(QColor(GRID if tick else AXIS), 1))
            painter.drawLine(QPointF(self._x(area.left()), y), QPointF(self._x(area.right()), y))
            painter.setPen(QColor(AXIS))
            text = number(self.axis_text(tick))
            self._text(painter, QRectF(MARGIN, y - metrics.height() / 2, area.left() - MARGIN - 6, metrics.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
        # Days along the bottom, as many as fit without touching.
        taken: list[tuple[float, float]] = []
        for index, row in enumerate(self.rows):
            text = self.row_label(row)
            width = metrics.horizontalAdvance(text) + 12
            x = self.point(index, 0).x()
            span = (x - width / 2, x + width / 2)
            if span[0] < 0 or span[1] > self.width() or any(span[0] < b and a < span[1] for a, b in taken):
                continue
            taken.append(span)
            painter.setPen(QColor(AXIS))
            painter.drawText(QRectF(span[0], area.bottom() + 2, width, metrics.height()),
                             int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), text)
        for index, col in enumerate(self.series):
            path = QPainterPath()
            drawing = False
            for day, row in enumerate(self.rows):
                value = self.value(row, col)
                if value is None:
                    drawing = False  # hidden: the line breaks rather than inventing a value
                    if self.mark(row, col):
                        at = self.point(day, 0)
                        painter.fillRect(QRectF(at.x() - 3, at.y() - 6, 6, 6), QColor(HIDDEN_FILL))
                    continue
                at = self.point(day, value)
                if drawing:
                    path.lineTo(at)
                else:
                    path.moveTo(at)
                    drawing = True
            pen = QPen(QColor(colour(index)))
            pen.setWidthF(2.0)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
            if len(self.rows) == 1 and self.value(self.rows[0], col) is not None:
                painter.setBrush(QColor(colour(index)))
                painter.drawEllipse(self.point(0, self.value(self.rows[0], col)), 3.0, 3.0)
