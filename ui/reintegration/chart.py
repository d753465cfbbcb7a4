"""The chart of the sustainability scores over time: one line per dimension
(economic, social, psychosocial) from 0 to 1, a point per survey, in the
order of their dates.

Each line has its own colour, its own dash and its own marker (circle,
square, triangle), so that it reads in black and white and for a person who
does not tell the colours apart; the legend shows the three. Time runs in
the interface's direction (right to left in Arabic). The values are also
the widget's accessible description, for a screen reader, and its tooltip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from shelter.domain.dates import format_date
from shelter.domain.reintegration import Scores
from shelter.domain.sustainability import DIMENSIONS
from shelter.domain.vocabulary import RSS_DIMENSION
from shelter.i18n import _, list_text
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
    Qt,
    QWidget,
)


@dataclass(frozen=True)
class LineStyle:
    dimension: str
    colour: str
    dash: Qt.PenStyle
    marker: str  # "circle", "square", "triangle"


STYLES = (
    LineStyle("economic", "#1d6b73", Qt.PenStyle.SolidLine, "circle"),
    LineStyle("social", "#b4531f", Qt.PenStyle.DashLine, "square"),
    LineStyle("psychosocial", "#6a3d9a", Qt.PenStyle.DotLine, "triangle"),
)
assert tuple(s.dimension for s in STYLES) == DIMENSIONS

_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)
_GRID_COLOUR = "#d5dee1"
_AXIS_COLOUR = "#56666e"
_TEXT_COLOUR = "#1e2b31"
_MARKER = 4.5  # half the size of a marker, in pixels


def value_text(value: float | None) -> str:
    """A score as every screen writes it: 0.00 to 1.00, a dash when not scored."""
    return "—" if value is None else f"{value:.2f}"


class SustainabilityChart(QWidget):
    """The three dimensions over the dates of the scores (``set_scores``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[tuple[date, Scores]] = []
        self.setAccessibleName(_("Sustainability scores over time"))
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a screen reader user reaches the values
        self.setMinimumSize(280, 160)
        self._describe()

    # -- data ---------------------------------------------------------------------------------

    def set_scores(self, points: Sequence[tuple[date, Scores]]) -> None:
        """The scores to draw, oldest first (as the service gives them)."""
        self.points = sorted(points, key=lambda p: p[0])
        self._describe()
        self.update()

    def series(self, dimension: str) -> list[float | None]:
        """The values of one dimension, in the order of the dates."""
        return [scores.of(dimension) for _day, scores in self.points]

    def description(self) -> str:
        """Every value, as the screen reader says it."""
        if not self.points:
            return _("No sustainability survey has been recorded yet.")
        lines = []
        for day, scores in self.points:
            values = list_text([_("{dimension} {value}").format(dimension=RSS_DIMENSION.label(d),
                                                               value=value_text(scores.of(d))) for d in DIMENSIONS])
            lines.append(_("{date}: {values}; overall {overall}").format(
                date=format_date(day), values=values, overall=value_text(scores.overall)))
        return "\n".join(lines)

    def _describe(self) -> None:
        text = self.description()
        self.setAccessibleDescription(text)
        self.setToolTip(text)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.LanguageChange, QEvent.Type.LayoutDirectionChange):
            self._describe()
            self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(560, 230)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(280, 160)

    # -- drawing ----------------------------------------------------------------------------------

    def _rtl(self) -> bool:
        return self.layoutDirection() == Qt.LayoutDirection.RightToLeft

    def plot_area(self) -> QRectF:
        """Where the lines go (inside the axes' labels and the legend)."""
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        axis = metrics.horizontalAdvance("0.00") + 10
        left, right = (12.0, float(axis)) if self._rtl() else (float(axis), 12.0)
        top, bottom = line * 1.0 + 14, line * 1.0 + 10
        return QRectF(left, top, max(self.width() - left - right, 10.0), max(self.height() - top - bottom, 10.0))

    def x_of(self, index: int) -> float:
        """The horizontal place of the ``index``-th survey: earliest first in the reading direction."""
        area = self.plot_area()
        inset = 18.0
        count = len(self.points)
        if count <= 1:
            x = area.center().x()
        else:
            x = area.left() + inset + index * (area.width() - 2 * inset) / (count - 1)
        return area.left() + area.right() - x if self._rtl() and count > 1 else x

    def y_of(self, value: float) -> float:
        area = self.plot_area()
        return area.bottom() - max(0.0, min(1.0, value)) * area.height()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        area = self.plot_area()
        metrics = QFontMetrics(self.font())
        self._draw_grid(painter, area, metrics)
        self._draw_legend(painter, metrics)
        if not self.points:
            painter.setPen(QColor(_AXIS_COLOUR))
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.description())
        else:
            self._draw_dates(painter, area, metrics)
            for style in STYLES:
                self._draw_line(painter, style)
        if self.hasFocus():
            pen = QPen(QColor("#1d6b73"))
            pen.setWidth(2)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self.rect().adjusted(1, 1, -1, -1))
        painter.end()

    def _draw_grid(self, painter: QPainter, area: QRectF, metrics: QFontMetrics) -> None:
        rtl = self._rtl()
        for value in _GRID:
            y = self.y_of(value)
            painter.setPen(QPen(QColor(_GRID_COLOUR if value not in (0.0,) else _AXIS_COLOUR), 1))
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(QColor(_AXIS_COLOUR))
            text = f"{value:.2f}"
            width = metrics.horizontalAdvance(text)
            x = area.right() + 6 if rtl else area.left() - 6 - width
            painter.drawText(QPointF(x, y + metrics.ascent() / 2 - 1), text)

    def _draw_dates(self, painter: QPainter, area: QRectF, metrics: QFontMetrics) -> None:
        painter.setPen(QColor(_AXIS_COLOUR))
        taken: list[tuple[float, float]] = []
        baseline = area.bottom() + metrics.ascent() + 4
        for index, (day, _scores) in enumerate(self.points):
            text = format_date(day)
            width = metrics.horizontalAdvance(text)
            x = self.x_of(index) - width / 2
            x = max(0.0, min(x, self.width() - width))
            span = (x - 6, x + width + 6)
            if any(span[0] < b and a < span[1] for a, b in taken):
                continue  # too close to a date already written: its point says it in the tooltip
            taken.append(span)
            painter.drawText(QPointF(x, baseline), text)

    def _pen(self, style: LineStyle) -> QPen:
        pen = QPen(QColor(style.colour))
        pen.setWidthF(2.2)
        pen.setStyle(style.dash)
        return pen

    def _draw_line(self, painter: QPainter, style: LineStyle) -> None:
        values = self.series(style.dimension)
        path = QPainterPath()
        drawing = False
        for index, value in enumerate(values):
            if value is None:
                drawing = False  # not scored that day: the line breaks rather than inventing a value
                continue
            point = QPointF(self.x_of(index), self.y_of(value))
            if drawing:
                path.lineTo(point)
            else:
                path.moveTo(point)
                drawing = True
        painter.setPen(self._pen(style))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        for index, value in enumerate(values):
            if value is not None:
                shift = self.marker_shift(index, style.dimension)
                self._draw_marker(painter, style, QPointF(self.x_of(index) + shift, self.y_of(value)))

    def marker_shift(self, index: int, dimension: str) -> float:
        """Markers of equal values on the same day side by side, not hidden under each other."""
        scores = self.points[index][1]
        value = scores.of(dimension)
        same = [d for d in DIMENSIONS if scores.of(d) is not None and value is not None
                and abs(scores.of(d) - value) < 0.005]
        if len(same) < 2:
            return 0.0
        step = 2 * _MARKER + 2
        return (same.index(dimension) - (len(same) - 1) / 2) * step

    def _draw_marker(self, painter: QPainter, style: LineStyle, at: QPointF) -> None:
        colour = QColor(style.colour)
        painter.setPen(QPen(colour, 1.2))
        painter.setBrush(colour)
        r = _MARKER
        if style.marker == "circle":
            painter.drawEllipse(at, r, r)
        elif style.marker == "square":
            painter.drawRect(QRectF(at.x() - r, at.y() - r, 2 * r, 2 * r))
        else:
            path = QPainterPath()
            path.moveTo(at.x(), at.y() - r - 1)
            path.lineTo(at.x() + r + 1, at.y() + r)
            path.lineTo(at.x() - r - 1, at.y() + r)
            path.closeSubpath()
            painter.drawPath(path)

    def _draw_legend(self, painter: QPainter, metrics: QFontMetrics) -> None:
        """The three lines named at the top, in the reading direction."""
        rtl = self._rtl()
        sample = 26.0
        gap = 16.0
        y = 6 + metrics.height() / 2
        x = self.width() - 8.0 if rtl else 8.0
        for style in STYLES:
            label = RSS_DIMENSION.label(style.dimension)
            width = metrics.horizontalAdvance(label)
            start, end = (x - sample, x) if rtl else (x, x + sample)
            painter.setPen(self._pen(style))
            painter.drawLine(QPointF(start, y), QPointF(end, y))
            self._draw_marker(painter, style, QPointF((start + end) / 2, y))
            painter.setPen(QColor(_TEXT_COLOUR))
            text_x = start - 6 - width if rtl else end + 6
            painter.drawText(QPointF(text_x, y + metrics.ascent() / 2 - 1), label)
            x = text_x - gap if rtl else text_x + width + gap
