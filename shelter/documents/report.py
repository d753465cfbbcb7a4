"""A report on paper (``report_model.Report``): for the national committee,
the Ministry and the donors. Only a released report is printed (small
counts shown as "<5", the counts that would give them away as "x"): the
PDF leaves the machine.

First the report's name, the shelter (or every shelter) and the period,
who made it and when, and what "<5" and "x" mean; then each section: its
figures, its tables (row labels, column labels, totals; in Arabic the
first column on the right) and its charts. A ``detail`` table (a row per
day) is printed as its chart only: its figures are in the spreadsheets.

Charts are drawn here rather than with ReportLab's own chart classes
(``reportlab.graphics.charts``): those draw every label with
``drawString``, which would print Arabic letters unjoined and in reverse
order. Each label here goes through the text layer (``text.layout``,
``fit_line``, ``draw_line``), like every other word of a document; the
scale and the colours come from ``shelter.domain.charts``, which the
Reports screen paints with too, so the two look alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, TableStyle

from shelter.documents.builder import (
    BODY,
    HEADING,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    PAGE_SIZE,
    SMALL,
    DocumentContext,
    PageFurniture,
    build_pdf,
)
from shelter.documents.care_plan import _HEADER_FILL, _text, _written
from shelter.documents.handover import _EMBEDDED_FONT, _LABEL, _RULE
from shelter.documents.reintegration_plan import _WholeRows
from shelter.documents.text import Anchor, Direction, Line, TextStyle, fit_line, layout
from shelter.documents.text import draw_line as _draw_line
from shelter.domain import charts
from shelter.domain import report_model as rm
from shelter.domain.disclosure import TOTAL
from shelter.domain.vocabulary import REPORT
from shelter.i18n import N_, Translator, normalise_language, translator

TITLE = N_("Activity report")

_FRAME_HEIGHT = PAGE_SIZE[1] - MARGIN_TOP - MARGIN_BOTTOM
_SECTION_HEADING = TextStyle(size=13, bold=True, space_before=10, space_after=4)
_TABLE_TITLE = TextStyle(size=10.5, bold=True, space_before=8, space_after=1)
_NOTE = TextStyle(size=8.5, color=SMALL.color, space_after=2)
_TOTAL_FILL = colors.HexColor("#f4f4f4")
_WHOLE_TABLE_ROWS = 15  # a table of up to so many rows is kept on one page
_IN_SPREADSHEET = N_("The figures of each day are in the spreadsheet copy of this report.")


# -- what every copy says first (the PDF, the XLSX's first sheet, the CSV's first lines) --------

def report_title(tr: Translator) -> str:
    return tr.gettext(TITLE)


def about_rows(report: rm.Report, tr: Translator) -> list[tuple[str, str]]:
    """The report's shelter, period, who made it and when, as label / value pairs."""
    period = report.period
    return [
        (tr.pgettext("a shelter, as a place", "Shelter"), report.where(tr)),
        (tr.gettext("Period"), tr.gettext("{period}, from {start} to {end}").format(
            period=period.label(tr), start=period.start.isoformat(), end=period.end.isoformat())),
        (tr.pgettext("a report", "Made by"), report.made_by),
        # The date and the time apart, with words between them (see builder.draw_furniture).
        (tr.pgettext("a report", "Made on"), tr.gettext("{date} at {time}").format(
            date=report.made_at.strftime("%Y-%m-%d"), time=report.made_at.strftime("%H:%M"))),
    ]


def suppression_note(report: rm.Report, tr: Translator) -> str:
    """What "<5" and "x" mean, at the report's threshold."""
    n = report.threshold
    return " ".join((
        tr.gettext("Counts below {n} are shown as <{n}; x marks a count hidden so that a small one cannot be "
                   "worked out from the totals.").format(n=n),
        tr.gettext("An average or a rate computed from fewer than {n} people is shown as <{n} too.").format(n=n),
    ))


def require_released(report: rm.Report) -> None:
    if not report.is_released:
        raise ValueError("only a released report leaves the machine: report.released(threshold) first")


# -- the PDF ---------------------------------------------------------------------------------

def report_pdf(report: rm.Report, lang: str) -> bytes:
    """The released ``report`` as PDF bytes in ``lang`` ("ar", "fr" or "en"),
    built in memory only. ValueError for a report that is not released."""
    require_released(report)
    lang = normalise_language(lang)
    tr = translator(lang)
    title = report_title(tr)
    furniture = PageFurniture(
        shelter_name=report.where(tr),
        title=f"{title} — {report.period.label(tr)}",
        printed_by=report.made_by,
        printed_at=report.made_at,
    )

    def story(ctx: DocumentContext) -> list[Flowable]:
        flow: list[Flowable] = [
            _text(ctx, title, HEADING),
            _text(ctx, f"{report.where(ctx.tr)} — {report.period.label(ctx.tr)}",
                  TextStyle(size=12, bold=True, space_after=6)),
            _label_rows(ctx, about_rows(report, ctx.tr)),
            Spacer(1, 2 * mm),
            _text(ctx, suppression_note(report, ctx.tr), TextStyle(size=9, color=_LABEL, space_after=4)),
        ]
        for section in report.sections:
            flow += _section(ctx, section)
        return flow

    return build_pdf(lang, furniture, story)


def _grid(ctx: DocumentContext, rows: list[list[Flowable]], widths: list[float], style: Sequence[tuple],
          *, header: bool = False, table_width: float | None = None) -> _WholeRows:
    """A table in reading order, laid out right to left in Arabic; ``style``
    names columns in reading order too (column 0 is the first one read), and
    the table sits on the start side of the page."""
    count = len(widths)
    if ctx.direction == "rtl":
        rows = [row[::-1] for row in rows]
        widths = widths[::-1]
        style = [_mirror_command(command, count) for command in style]
    start = "RIGHT" if ctx.direction == "rtl" else "LEFT"
    table = _WholeRows(rows, colWidths=widths, hAlign=start if table_width else "CENTER",
                       repeatRows=1 if header else 0)
    table.setStyle(TableStyle([*_EMBEDDED_FONT, ("LEFTPADDING", (0, 0), (-1, -1), 3),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 3), ("TOPPADDING", (0, 0), (-1, -1), 1),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               *style]))
    return table


def _mirror_command(command: tuple, count: int) -> tuple:
    """A TableStyle command with its columns counted from the other side."""
    name, (c0, r0), (c1, r1), *rest = command

    def flip(c: int) -> int:
        return count - 1 - (c if c >= 0 else count + c)

    a, b = flip(c0), flip(c1)
    name = {"LINEBEFORE": "LINEAFTER", "LINEAFTER": "LINEBEFORE"}.get(name, name)
    return (name, (min(a, b), r0), (max(a, b), r1), *rest)


def _label_rows(ctx: DocumentContext, rows: list[tuple[str, str]], *, bold_values: bool = False) -> Flowable:
    """Label / value rows, the label on the start side; values keep their own direction (names)."""
    label_style = TextStyle(size=BODY.size - 0.5, color=_LABEL)
    value_style = TextStyle(size=BODY.size - 0.5, bold=bold_values)
    label_width = 0.38 * ctx.frame_width
    cells = [[_text(ctx, label, label_style), _written(ctx, value or "—", value_style)] for label, value in rows]
    return _grid(ctx, cells, [label_width, ctx.frame_width - label_width],
                 [("LINEBELOW", (0, 0), (-1, -1), 0.3, _RULE)])


def _section(ctx: DocumentContext, section: rm.Section) -> list[Flowable]:
    tr = ctx.tr
    flow: list[Flowable] = [CondPageBreak(45 * mm), _text(ctx, REPORT.label(section.key, tr), _SECTION_HEADING)]
    if section.figures:
        flow.append(_label_rows(ctx, [(tr.gettext(f.label), f.text(tr)) for f in section.figures],
                                bold_values=True))
    # Each chart right under the table it draws (a detail table: the chart alone).
    for table in section.tables:
        charts_of = [chart for chart in section.charts if chart.table == table.key]
        if not table.detail:
            flow += _table_block(ctx, table)
        elif not charts_of:  # a daily table with no chart: say where it is
            flow += [_text(ctx, tr.gettext(table.title), _TABLE_TITLE), _text(ctx, tr.gettext(_IN_SPREADSHEET), _NOTE)]
        for chart in charts_of:
            flow += _chart_block(ctx, chart, table)
    return flow


def _table_block(ctx: DocumentContext, table: rm.Table) -> list[Flowable]:
    """A table's title and note, its header row repeated on every page it runs onto."""
    tr = ctx.tr
    cols, rows = table.col_codes, table.row_codes
    width = ctx.frame_width
    count = len(cols)
    size = 9 if count <= 5 else 8 if count <= 8 else 7
    # The first column as wide as its longest label (within bounds), the others share the rest.
    longest = max(_text_width(text, size, bold=True) for text in
                  [tr.gettext(table.rows.title), *(table.rows.label(r, tr) for r in rows)])
    label_width = min(max(longest + 8, 0.2 * width), 0.45 * width)
    value_width = min(26 * mm, (width - label_width) / count)
    head = TextStyle(size=size, bold=True, color=_LABEL)
    head_value = TextStyle(size=size, bold=True, color=_LABEL, align="center")
    cell = TextStyle(size=size, align="center")
    total = TextStyle(size=size, bold=True, align="center")
    grid: list[list[Flowable]] = [[_text(ctx, tr.gettext(table.rows.title), head),
                                   *(_written(ctx, table.cols.label(c, tr), head_value) for c in cols)]]
    for row in rows:
        is_total_row = row == TOTAL
        label_style = TextStyle(size=size, bold=is_total_row)
        grid.append([_written(ctx, table.rows.label(row, tr), label_style),
                     *(_text(ctx, table.text(row, c, tr), total if TOTAL in (row, c) else cell) for c in cols)])
    style: list[tuple] = [("BACKGROUND", (0, 0), (-1, 0), _HEADER_FILL), ("BOX", (0, 0), (-1, -1), 0.5, _RULE),
                          ("INNERGRID", (0, 0), (-1, -1), 0.3, _RULE)]
    if TOTAL in rows:
        style += [("BACKGROUND", (0, len(rows)), (-1, len(rows)), _TOTAL_FILL),
                  ("LINEABOVE", (0, len(rows)), (-1, len(rows)), 0.8, _LABEL)]
    if TOTAL in cols:
        style += [("BACKGROUND", (count, 1), (count, len(rows)), _TOTAL_FILL),
                  ("LINEBEFORE", (count, 0), (count, -1), 0.8, _LABEL)]
    flow: list[Flowable] = [_text(ctx, tr.gettext(table.title), _TABLE_TITLE)]
    if table.note:
        flow.append(_text(ctx, tr.gettext(table.note), _NOTE))
    flow.append(_grid(ctx, grid, [label_width, *([value_width] * count)], style, header=True,
                      table_width=label_width + count * value_width))
    if len(rows) <= _WHOLE_TABLE_ROWS:
        return [KeepTogether(flow)]  # a short table is not cut: no lone total row on the next page
    return [CondPageBreak(30 * mm), *flow]


def _text_width(text: str, size: float, bold: bool = False) -> float:
    return fit_line(text, 10_000, size=size, bold=bold)[0].width


def _chart_block(ctx: DocumentContext, chart: rm.Chart, table: rm.Table) -> list[Flowable]:
    tr = ctx.tr
    parts: list[Flowable] = [_text(ctx, tr.gettext(chart.title), _TABLE_TITLE)]
    if table.detail and table.note:
        parts.append(_text(ctx, tr.gettext(table.note), _NOTE))
    keys = [(r, c) for r in table.rows.codes for c in table.cols.codes]
    if all(table.value(*key) is None for key in keys):
        why = (N_("Not drawn: every value of this chart is hidden, as each counts too few people.")
               if any(key in table.hidden for key in keys) else N_("Not drawn: nothing to show for this period."))
        parts.append(_text(ctx, tr.gettext(why), _NOTE))
    else:
        parts.append(ChartFlowable(chart, table, tr, ctx.direction))
    if table.detail:
        parts.append(_text(ctx, tr.gettext(_IN_SPREADSHEET), _NOTE))
    height = sum(part.wrap(ctx.frame_width, _FRAME_HEIGHT)[1] for part in parts)
    if height <= _FRAME_HEIGHT * 0.9:
        return [KeepTogether(parts)]
    # Longer than a page: it starts where it is, its title kept with its first rows.
    return [CondPageBreak(40 * mm), *parts]


# -- charts -------------------------------------------------------------------------------

_LABEL_SIZE = 8.0
_SMALL_SIZE = 7.0
_LEGEND_SWATCH = 8.0
_HIDDEN_STUB = 7.0  # how long a hidden value's grey stub is: the same for all, it says nothing of the value
_LINE_PLOT_HEIGHT = 150.0
_AXIS_ROOM = 18.0  # under a bar chart, for its ticks


def scale(low: float, high: float) -> list[float]:
    """The ticks of an axis from ``low`` (≤ 0) to ``high`` (≥ 0), at the round
    step ``charts.nice_ticks`` picks for the wider side, 0 among them."""
    span = max(high, -low)
    ticks = charts.nice_ticks(span)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    below = math.ceil(-low / step - 1e-9) if low < 0 else 0
    above = math.ceil(high / step - 1e-9) if high > 0 else (0 if below else 1)
    return [round(i * step, 10) for i in range(-below, above + 1)]


@dataclass(frozen=True)
class _Legend:
    entries: tuple[tuple[str, Line, float], ...]  # colour, label, size
    rows: tuple[tuple[int, ...], ...]  # the entries of each line of the legend

    @property
    def height(self) -> float:
        return len(self.rows) * 12.0 + (4.0 if self.rows else 0.0)


class ChartFlowable(Flowable):
    """A ``report_model.Chart`` drawn from its (released) table.

    ``bars``: horizontal bars, a group per row of the table (totals left
    out), a bar per column in the palette's colours, with a legend when
    there is more than one column; each bar is labelled with its value, and
    a hidden value is a short grey stub labelled "<5" or "x" (the same
    length for all, so it shows nothing of the true count). ``line``: a
    row per day along the horizontal axis, a line per column; a hidden day
    leaves a gap, marked grey on the axis. In Arabic the chart is mirrored:
    row labels on the right, bars growing from right to left, the days
    running from right to left."""

    def __init__(self, chart: rm.Chart, table: rm.Table, tr: Translator, direction: Direction,
                 rows: tuple[str, ...] | None = None, first: bool = True) -> None:
        super().__init__()
        self.chart = chart
        self.table = table
        self.tr = tr
        self.direction = direction
        # A long bar chart runs over pages: each part draws some of the rows
        # on the whole chart's scale, the legend on the first part only.
        self.rows = table.rows.codes if rows is None else rows
        self.first = first
        self.width = 0.0
        self.height = 0.0

    def __repr__(self) -> str:
        return f"ChartFlowable({self.chart.key!r}, {self.chart.kind!r})"

    # Geometry is worked out left to right and mirrored at drawing time in Arabic.
    def _x(self, x: float) -> float:
        return self.width - x if self.direction == "rtl" else x

    def _anchor(self, anchor: Anchor) -> Anchor:
        if self.direction == "rtl" and anchor != "center":
            return "right" if anchor == "left" else "left"
        return anchor

    def _draw_text(self, line: Line, x: float, y: float, size: float, anchor: Anchor) -> None:
        _draw_line(self.canv, line, self._x(x), y, size, self._anchor(anchor))

    def _rect(self, x0: float, y: float, x1: float, height: float, fill: str, outline: str | None = None) -> None:
        left, right = sorted((self._x(x0), self._x(x1)))
        self.canv.setFillColor(colors.HexColor(fill))
        if outline:
            self.canv.setStrokeColor(colors.HexColor(outline))
            self.canv.setLineWidth(0.7)
        self.canv.rect(left, y, max(right - left, 0.01), height, stroke=1 if outline else 0, fill=1)

    def _fit(self, text: str, width: float, size: float, bold: bool = False) -> Line:
        return fit_line(text, width, size=size, bold=bold, direction=self.direction, min_size=size - 1.5)[0]

    def _legend(self, labels: Sequence[str], width: float, hidden: str = "") -> _Legend:
        """A swatch and a label per column, and one for the hidden values when ``hidden`` is given."""
        entries = []
        fills = [charts.colour(index) for index in range(len(labels))]
        if hidden:
            labels, fills = [*labels, hidden], [*fills, charts.HIDDEN_FILL]
        for fill, label in zip(fills, labels, strict=True):
            line, size = fit_line(label, 0.45 * width, size=_SMALL_SIZE + 0.5, direction=self.direction,
                                  min_size=6)
            entries.append((fill, line, size))
        rows: list[tuple[int, ...]] = []
        current: list[int] = []
        used = 0.0
        for index, (_colour, line, _size) in enumerate(entries):
            need = _LEGEND_SWATCH + 3 + line.width + 12
            if current and used + need > width:
                rows.append(tuple(current))
                current, used = [], 0.0
            current.append(index)
            used += need
        if current:
            rows.append(tuple(current))
        return _Legend(tuple(entries), tuple(rows))

    def _draw_legend(self, legend: _Legend, top: float) -> None:
        for number, members in enumerate(legend.rows):
            y = top - 12.0 * (number + 1) + 3
            x = 0.0
            for index in members:
                fill, line, size = legend.entries[index]
                self._rect(x, y - 1, x + _LEGEND_SWATCH, _LEGEND_SWATCH, fill)
                self.canv.setFillColor(colors.black)
                self._draw_text(line, x + _LEGEND_SWATCH + 3, y, size, "left")
                x += _LEGEND_SWATCH + 3 + line.width + 12

    # -- bars --

    def _bar_rows(self) -> tuple[str, ...]:
        return self.rows

    def _has_legend(self) -> bool:
        return self.first and len(self._bar_cols()) > 1

    def _bar_cols(self) -> tuple[str, ...]:
        return self.table.cols.codes

    def _bar_layout(self, width: float) -> tuple[float, list[list[Line]], float, float]:
        """The row labels' width and lines, each bar's thickness and the gap between groups."""
        label_width = 0.3 * width
        labels = []
        for row in self._bar_rows():
            text = self.table.rows.label(row, self.tr)
            lines = layout(text, label_width - 6, size=_LABEL_SIZE, direction=self.direction)
            labels.append(lines if len(lines) <= 2 else [self._fit(text, label_width - 6, _LABEL_SIZE)])
        series = len(self._bar_cols())
        bar = 10.0 if series == 1 else 8.0 if series <= 3 else 7.0
        return label_width, labels, bar, 7.0

    def _group_heights(self, labels: list[list[Line]], bar: float, gap: float) -> list[float]:
        series = len(self._bar_cols())
        return [max(series * bar, len(lines) * (_LABEL_SIZE + 2)) + gap for lines in labels]

    def _bars_height(self, width: float) -> float:
        _label_width, labels, bar, gap = self._bar_layout(width)
        legend = self._legend(self._series_labels(), width).height if self._has_legend() else 0.0
        return legend + sum(self._group_heights(labels, bar, gap)) + _AXIS_ROOM

    def _series_labels(self) -> list[str]:
        return [self.table.cols.label(c, self.tr) for c in self.table.cols.codes]

    def _draw_bars(self) -> None:
        canvas, table, width = self.canv, self.table, self.width
        label_width, labels, bar, gap = self._bar_layout(width)
        rows, cols = self._bar_rows(), self._bar_cols()
        values = [v for r in table.rows.codes for c in cols if (v := table.value(r, c)) is not None]
        ticks = scale(min(0.0, *values) if values else 0.0, max(0.0, *values) if values else 0.0)
        value_room = 34.0  # for the value printed at a bar's end
        low, high = ticks[0], ticks[-1]
        # A negative bar's value is printed before its end: room for it beside the labels.
        plot_start, plot_end = label_width + (value_room if low < 0 else 0.0), width - value_room

        def at(value: float) -> float:
            return plot_start + (value - low) / (high - low) * (plot_end - plot_start)

        top = self.height
        if self._has_legend():
            legend = self._legend(self._series_labels(), width)
            self._draw_legend(legend, top)
            top -= legend.height
        bottom = _AXIS_ROOM
        # Grid and ticks.
        canvas.setStrokeColor(colors.HexColor(charts.GRID))
        canvas.setLineWidth(0.4)
        for tick in ticks:
            x = self._x(at(tick))
            canvas.line(x, bottom, x, top)
            canvas.setFillColor(colors.HexColor("#444444"))
            self._draw_text(self._fit(charts.tick_text(tick), 40, _SMALL_SIZE), at(tick), bottom - 10, _SMALL_SIZE,
                            "center")
        y = top
        for lines, height, row in zip(labels, self._group_heights(labels, bar, gap), rows, strict=True):
            centre = y - height / 2
            canvas.setFillColor(colors.black)
            for number, line in enumerate(lines):
                baseline = centre + (len(lines) / 2 - number - 1) * (_LABEL_SIZE + 2) + 2.5
                self._draw_text(line, label_width - 6, baseline, _LABEL_SIZE, "right")
            first = centre + len(cols) * bar / 2
            for index, col in enumerate(cols):
                bar_top = first - index * bar
                value = table.value(row, col)
                mark = table.text(row, col, self.tr)
                if value is None and (row, col) not in table.hidden:
                    end, anchor = at(0) + 2, "left"  # nothing measured: its "–" alone
                elif value is None:
                    # Grey, edged in its column's colour so the reader knows whose it is.
                    self._rect(at(0), bar_top - bar + 0.9, at(0) + _HIDDEN_STUB, bar - 1.8, charts.HIDDEN_FILL,
                               charts.colour(index))
                    end, anchor = at(0) + _HIDDEN_STUB + 2, "left"
                else:
                    self._rect(at(0), bar_top - bar + 0.6, at(value), bar - 1.2, charts.colour(index))
                    end, anchor = (at(value) + 2, "left") if value >= 0 else (at(value) - 2, "right")
                canvas.setFillColor(colors.HexColor("#222222"))
                size = min(_SMALL_SIZE, bar - 0.5)
                self._draw_text(self._fit(mark, value_room - 4, size), end, bar_top - bar / 2 - size * 0.35,
                                size, anchor)
            y -= height
        canvas.setStrokeColor(colors.HexColor("#444444"))
        canvas.setLineWidth(0.8)
        zero = self._x(at(0))
        canvas.line(zero, bottom, zero, top)

    # -- lines --

    def _line_values(self) -> list[float]:
        return [v for r in self.table.rows.codes for c in self.table.cols.codes
                if (v := self.table.value(r, c)) is not None]

    def _hidden_label(self) -> str:
        """The legend's entry for the hidden days of a line chart ("" when none is hidden)."""
        if not self.table.hidden:
            return ""
        return self.tr.gettext("Hidden: fewer than {n} people").format(n=self.table.threshold)

    def _lines_height(self, width: float) -> float:
        return self._legend(self._series_labels(), width, self._hidden_label()).height + _LINE_PLOT_HEIGHT + 22.0

    def _draw_lines(self) -> None:
        canvas, table, width = self.canv, self.table, self.width
        days, series = table.rows.codes, table.cols.codes
        values = self._line_values()
        high = max(values, default=0.0)
        if table.unit == rm.PERCENT:
            high = max(high, 100.0)
        ticks = scale(min(0.0, *values) if values else 0.0, high)
        low, high = ticks[0], ticks[-1]
        legend = self._legend(self._series_labels(), width, self._hidden_label())
        self._draw_legend(legend, self.height)
        top = self.height - legend.height - 4
        bottom = 22.0
        axis_room = 34.0
        plot_start, plot_end = axis_room, width - 8

        def at_y(value: float) -> float:
            return bottom + (value - low) / (high - low) * (top - bottom)

        def at_x(index: int) -> float:
            if len(days) == 1:
                return (plot_start + plot_end) / 2
            return plot_start + index / (len(days) - 1) * (plot_end - plot_start)

        percent = table.unit == rm.PERCENT
        canvas.setLineWidth(0.4)
        for tick in ticks:
            y = at_y(tick)
            canvas.setStrokeColor(colors.HexColor(charts.GRID))
            canvas.line(self._x(plot_start), y, self._x(plot_end), y)
            canvas.setFillColor(colors.HexColor("#444444"))
            text = f"{charts.tick_text(tick)} %" if percent else charts.tick_text(tick)
            self._draw_text(self._fit(text, axis_room - 4, _SMALL_SIZE), plot_start - 4, y - 2.5, _SMALL_SIZE,
                            "right")
        # Day labels: the first, the last and about five between.
        step = max(1, math.ceil(len(days) / 6))
        shown = list(range(0, len(days), step))
        if shown[-1] != len(days) - 1:
            # The last day always; the one before it goes when the two would crowd.
            if len(shown) > 1 and len(days) - 1 - shown[-1] < 0.75 * step:
                shown.pop()
            shown.append(len(days) - 1)
        canvas.setStrokeColor(colors.HexColor("#444444"))
        for index in sorted(set(shown)):
            x = at_x(index)
            canvas.line(self._x(x), bottom, self._x(x), bottom - 2.5)
            canvas.setFillColor(colors.HexColor("#444444"))
            label = self._fit(table.rows.label(days[index], self.tr), 70, _SMALL_SIZE)
            centre = min(max(x, label.width / 2), width - label.width / 2)  # the last day's stays on the page
            self._draw_text(label, centre, bottom - 11, _SMALL_SIZE, "center")
        canvas.setLineWidth(0.8)
        canvas.line(self._x(plot_start), at_y(0), self._x(plot_end), at_y(0))
        # One line per column, broken where a day's value is hidden or missing.
        for number, col in enumerate(series):
            canvas.setStrokeColor(colors.HexColor(charts.colour(number)))
            canvas.setLineWidth(1.4)
            path = canvas.beginPath()
            stretch: list[tuple[float, float]] = []
            alone: list[tuple[float, float]] = []  # a day between two gaps: a dot, a line has no length
            hidden: list[int] = []
            for index, day in enumerate([*days, None]):
                value = None if day is None else table.value(day, col)
                if value is None:
                    if len(stretch) == 1:
                        alone.append(stretch[0])
                    stretch = []
                    if day is not None and (day, col) in table.hidden:
                        hidden.append(index)
                    continue
                point = (self._x(at_x(index)), at_y(value))
                if stretch:
                    path.lineTo(*point)
                else:
                    path.moveTo(*point)
                stretch.append(point)
            canvas.drawPath(path, stroke=1, fill=0)
            canvas.setFillColor(colors.HexColor(charts.colour(number)))
            for x, y in alone:
                canvas.circle(x, y, 1.6, stroke=0, fill=1)
            # A hidden day: a grey mark on the axis, edged in its line's colour, a row of marks per line.
            for index in hidden:
                y = bottom + 1.5 + number * 6.5
                self._rect(at_x(index) - 2.5, y, at_x(index) + 2.5, 5, charts.HIDDEN_FILL, charts.colour(number))

    # -- platypus --

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 (ReportLab API)
        self.width = availWidth
        self.height = self._lines_height(availWidth) if self.chart.kind == "line" else self._bars_height(availWidth)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803 (ReportLab API)
        if self.chart.kind == "line":
            return []
        _label_width, labels, bar, gap = self._bar_layout(availWidth)
        room = availHeight - _AXIS_ROOM - (self._legend(self._series_labels(), availWidth).height
                                           if self._has_legend() else 0.0)
        fitting = 0
        for height in self._group_heights(labels, bar, gap):
            if room < height:
                break
            room -= height
            fitting += 1
        if fitting == 0:
            return []
        if fitting >= len(self.rows):
            return [self]
        return [ChartFlowable(self.chart, self.table, self.tr, self.direction, self.rows[:fitting], self.first),
                ChartFlowable(self.chart, self.table, self.tr, self.direction, self.rows[fitting:], False)]

    def draw(self) -> None:
        self.canv.saveState()
        if self.chart.kind == "line":
            self._draw_lines()
        else:
            self._draw_bars()
        self.canv.restoreState()
