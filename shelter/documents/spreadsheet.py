"""A report's tables as a spreadsheet (XLSX) and as CSV, for whoever
compiles the figures further (the national committee, a donor's
indicators). Only a released report: hidden counts are the text "<5" or
"x", every other value a number.

Both begin alike: the report's name, its shelter, period, who made it and
when, and what "<5" and "x" mean. Then, section by section, its figures and
each table (title, header row, rows, totals), the daily (``detail``) tables
included, which the PDF only charts.

XLSX: a first sheet for the report, then a sheet per section named in the
document's language; right-to-left sheets in Arabic. CSV: UTF-8 with a
byte-order mark, without which Excel reads UTF-8 as the local code page
and prints Arabic as noise; one block per table (a title line, the header,
the rows, a blank line).

Text that a spreadsheet would take for a formula (a name starting with "=",
"+", "-" or "@") is kept as text: in the XLSX by its cell type, in the CSV
behind an apostrophe, as OWASP advises against CSV injection.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from shelter.documents.report import about_rows, report_title, require_released, suppression_note
from shelter.domain import report_model as rm
from shelter.domain.disclosure import TOTAL
from shelter.domain.vocabulary import REPORT
from shelter.i18n import Translator, is_rtl, normalise_language, translator

# Decimals kept for each unit: those the PDF prints.
_DECIMALS = {rm.PERCENT: 1, rm.HOURS: 1, rm.DAYS: 1, rm.SCORE: 2, rm.SCORE_CHANGE: 2}
_NUMBER_FORMAT = {rm.PERCENT: '0.0" %"', rm.HOURS: "0.0", rm.DAYS: "0.0", rm.SCORE: "0.00",
                  rm.SCORE_CHANGE: "+0.00;-0.00;0.00"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31  # Excel's limit


def number(value: float | None, unit: str) -> float | int | None:
    """A value as the report prints it, as a number: rounded like the PDF, an int for a count."""
    if value is None:
        return None
    decimals = _DECIMALS.get(unit)
    return int(round(value)) if decimals is None else round(float(value), decimals)


def _cell_value(table: rm.Table, row: str, col: str, tr: Translator) -> float | int | str:
    """A number, or the text "<5", "x" (hidden) or "–" (nothing measured)."""
    value = number(table.value(row, col), table.unit)
    return table.text(row, col, tr) if value is None else value


def _figure_value(figure: rm.Figure, tr: Translator) -> float | int | str:
    value = None if figure.hidden else number(figure.value, figure.unit)
    return figure.text(tr) if value is None else value


# -- what both hold, in order ------------------------------------------------------------------

def _front(report: rm.Report, tr: Translator) -> list[list[Any]]:
    """The first lines: title, shelter, period, made by and on, the note on hidden counts."""
    return [[report_title(tr)], *([label, value] for label, value in about_rows(report, tr)),
            [suppression_note(report, tr)]]


def _figure_rows(section: rm.Section, tr: Translator) -> list[list[Any]]:
    return [[tr.gettext(f.label), _figure_value(f, tr)] for f in section.figures]


def _table_rows(table: rm.Table, tr: Translator) -> Iterator[list[Any]]:
    """The header row, then a row per row of the table (totals last)."""
    yield [tr.gettext(table.rows.title), *(table.cols.label(c, tr) for c in table.col_codes)]
    for row in table.row_codes:
        yield [table.rows.label(row, tr), *(_cell_value(table, row, c, tr) for c in table.col_codes)]


# -- XLSX ---------------------------------------------------------------------------------------

def sheet_name(text: str, taken: set[str]) -> str:
    """``text`` as a sheet name Excel accepts (at most 31 characters, none of
    []:*?/\\, no apostrophe at either end), and none already ``taken``."""
    base = _SHEET_FORBIDDEN.sub(" ", " ".join(text.split())).strip("' ") or "Sheet"
    name = base[:SHEET_NAME_MAX].rstrip()
    number_ = 2
    while name.casefold() in {t.casefold() for t in taken}:
        suffix = f" ({number_})"
        name = base[:SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
        number_ += 1
    taken.add(name)
    return name


def report_xlsx(report: rm.Report, lang: str) -> bytes:
    """The released ``report`` as an XLSX workbook in ``lang``, in memory.
    ValueError for a report that is not released."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    require_released(report)
    lang = normalise_language(lang)
    tr = translator(lang)
    rtl = is_rtl(lang)
    title_font, heading_font, bold = Font(bold=True, size=14), Font(bold=True, size=12), Font(bold=True)
    note_font = Font(italic=True, color="555555")
    header_fill = PatternFill("solid", fgColor="EEEEEE")
    total_fill = PatternFill("solid", fgColor="F4F4F4")
    start = Alignment(horizontal="right" if rtl else "left")

    workbook = Workbook()
    workbook.properties.creator = "Shelter"
    workbook.properties.title = report_title(tr)
    workbook.properties.created = workbook.properties.modified = report.made_at
    taken: set[str] = set()

    def put(sheet: Any, row: int, values: list[Any], font: Any = None, fill: Any = None,
            unit: str = rm.COUNT) -> None:
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=col)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
                if col == 1:
                    cell.alignment = start
            elif isinstance(value, (int, float)):
                cell.number_format = _NUMBER_FORMAT.get(unit, "0")
            if font is not None:
                cell.font = font
            if fill is not None:
                cell.fill = fill

    def widen(sheet: Any, widths: dict[int, float]) -> None:
        from openpyxl.utils import get_column_letter

        for col, width in widths.items():
            sheet.column_dimensions[get_column_letter(col)].width = min(60.0, max(10.0, width + 2))

    def measure(widths: dict[int, float], values: list[Any], first_too: bool = True) -> None:
        for col, value in enumerate(values, start=1):
            if col == 1 and not first_too:
                continue
            text = value if isinstance(value, str) else f"{value}"
            widths[col] = max(widths.get(col, 0.0), float(len(text)))

    # The first sheet: the report itself.
    front = workbook.active
    front.title = sheet_name(report_title(tr), taken)
    front.sheet_view.rightToLeft = rtl
    lines = _front(report, tr)
    put(front, 1, lines[0], title_font)
    for number_, line in enumerate(lines[1:-1], start=3):
        put(front, number_, line)
        front.cell(row=number_, column=1).font = bold
    put(front, len(lines) + 2, lines[-1], note_font)
    widths: dict[int, float] = {}
    for line in lines[1:-1]:
        measure(widths, line)
    widen(front, widths)

    for section in report.sections:
        sheet = workbook.create_sheet(sheet_name(REPORT.label(section.key, tr), taken))
        sheet.sheet_view.rightToLeft = rtl
        widths = {}
        row = 1
        put(sheet, row, [REPORT.label(section.key, tr)], heading_font)
        row += 2
        for figure, line in zip(section.figures, _figure_rows(section, tr), strict=True):
            put(sheet, row, line, unit=figure.unit)
            sheet.cell(row=row, column=2).font = bold
            measure(widths, line)
            row += 1
        if section.figures:
            row += 1
        for table in section.tables:
            put(sheet, row, [tr.gettext(table.title)], bold)
            row += 1
            if table.note:
                put(sheet, row, [tr.gettext(table.note)], note_font)
                row += 1
            for index, line in enumerate(_table_rows(table, tr)):
                is_total = index > 0 and table.row_codes[index - 1] == TOTAL
                put(sheet, row, line, bold if index == 0 or is_total else None,
                    header_fill if index == 0 else total_fill if is_total else None, unit=table.unit)
                if index > 0 and TOTAL in table.col_codes:
                    sheet.cell(row=row, column=len(line)).font = bold
                measure(widths, line)
                row += 1
            row += 1
        widen(sheet, widths)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- CSV ----------------------------------------------------------------------------------------

def _csv_text(value: Any) -> Any:
    """A text cell kept as text by a spreadsheet; numbers as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def report_csv(report: rm.Report, lang: str) -> bytes:
    """The released ``report`` as CSV in ``lang``: UTF-8 with a byte-order
    mark, comma-separated, CRLF line ends (RFC 4180). ValueError for a report
    that is not released."""
    require_released(report)
    tr = translator(normalise_language(lang))
    out = io.StringIO()
    writer = csv.writer(out)

    def block(lines: list[list[Any]]) -> None:
        writer.writerows([[_csv_text(v) for v in line] for line in lines])
        writer.writerow([])

    block(_front(report, tr))
    for section in report.sections:
        name = REPORT.label(section.key, tr)
        if section.figures:
            block([[name], [tr.gettext("Figure"), tr.gettext("Value")], *_figure_rows(section, tr)])
        for table in section.tables:
            title = [f"{name} — {tr.gettext(table.title)}"]
            if table.note:
                title.append(tr.gettext(table.note))
            block([title, *_table_rows(table, tr)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
