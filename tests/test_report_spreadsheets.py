"""A report's tables as XLSX and CSV, opened back: only a released report;
the first sheet (and the CSV's first lines) say what the report is and what
"<5" and "x" mean; a sheet per section named in the document's language,
right to left in Arabic; numbers as numbers, hidden counts as "<5" or "x",
never their true value; the daily tables included; the CSV with a
byte-order mark, Arabic intact; a name that looks like a formula stays text."""

from __future__ import annotations

import csv
import dataclasses
import io

import openpyxl
import pytest

from shelter.documents.report import about_rows, report_title, suppression_note
from shelter.documents.spreadsheet import SHEET_NAME_MAX, report_csv, report_xlsx, sheet_name
from shelter.domain import report_model as rm
from shelter.domain.disclosure import TOTAL
from shelter.domain.vocabulary import REPORT
from shelter.i18n import translator
from tests.report_samples import MADE_BY, SHELTER_NAME, sample_report, small_counts

THRESHOLD = 5


def workbook(report: rm.Report, lang: str) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(report_xlsx(report, lang)))


def rows_of(sheet) -> list[list]:  # noqa: ANN001 (an openpyxl worksheet)
    """The sheet's rows, trailing empty cells dropped."""
    out = []
    for row in sheet.iter_rows(values_only=True):
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        out.append(values)
    return out


def table_block(rows: list[list], title: str) -> list[list]:
    """The header and rows printed under a table's title, up to the blank line after them."""
    start = next(n for n, row in enumerate(rows) if row == [title])
    start += 1
    if len(rows[start]) == 1:  # its note
        start += 1
    end = next((n for n in range(start, len(rows)) if not rows[n]), len(rows))
    return rows[start:end]


def expected_block(table: rm.Table, tr) -> list[list]:  # noqa: ANN001 (a Translator)
    block = [[tr.gettext(table.rows.title), *(table.cols.label(c, tr) for c in table.col_codes)]]
    for row in table.row_codes:
        cells = []
        for col in table.col_codes:
            value = table.value(row, col)
            cells.append(table.text(row, col, tr) if value is None else value)
        block.append([table.rows.label(row, tr), *cells])
    return block


def test_an_unreleased_report_is_refused():
    with pytest.raises(ValueError):
        report_xlsx(sample_report(), "en")
    with pytest.raises(ValueError):
        report_csv(sample_report(), "en")


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_first_sheet_says_what_the_report_is(lang):
    report = sample_report(THRESHOLD)
    tr = translator(lang)
    book = workbook(report, lang)
    assert book.sheetnames[0] == report_title(tr)
    assert book.sheetnames[1:] == [REPORT.label(s.key, tr)[:SHEET_NAME_MAX] for s in report.sections]
    assert all(len(name) <= SHEET_NAME_MAX for name in book.sheetnames)
    front = [row for row in rows_of(book.worksheets[0]) if row]
    assert front[0] == [report_title(tr)]
    assert [tuple(row) for row in front[1:5]] == about_rows(report, tr)
    assert front[5] == [suppression_note(report, tr)]
    assert [SHELTER_NAME] == [row[1] for row in front if row[0] == tr.pgettext("a shelter, as a place", "Shelter")]
    assert MADE_BY in {row[1] for row in front if len(row) > 1}
    assert all(sheet.sheet_view.rightToLeft == (lang == "ar") for sheet in book.worksheets)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_table_with_numbers_as_numbers_and_hidden_counts_as_marks(lang):
    report = sample_report(THRESHOLD)
    tr = translator(lang)
    book = workbook(report, lang)
    marks = 0
    for sheet, section in zip(book.worksheets[1:], report.sections, strict=True):
        rows = rows_of(sheet)
        assert rows[0] == [REPORT.label(section.key, tr)]
        for figure in section.figures:
            [value] = [row[1] for row in rows if row and row[0] == tr.gettext(figure.label)]
            assert value == (figure.text(tr) if figure.hidden else pytest.approx(figure.value, abs=0.051))
        for table in section.tables:  # the daily ones too
            block = table_block(rows, tr.gettext(table.title))
            expected = expected_block(table, tr)
            assert len(block) == len(expected), table.key
            for got, want in zip(block, expected, strict=True):
                assert got[0] == want[0]
                for cell, value in zip(got[1:], want[1:], strict=True):
                    if isinstance(value, str):
                        assert cell == value
                        marks += value in ("<5", "x")
                    else:
                        assert isinstance(cell, (int, float)) and cell == pytest.approx(value, abs=0.051)
    assert marks >= 20
    occupancy = rows_of(book.worksheets[1])
    assert ["2026-11-30", pytest.approx(91.7)] in occupancy  # the last day of the daily table


def test_no_true_small_count_in_the_workbook():
    true = sample_report()
    book = workbook(true.released(THRESHOLD), "en")
    tr = translator("en")
    for section_key, table_key, row, col, _count in small_counts(true):
        section = true.section(section_key)
        sheet = book.worksheets[1 + true.sections.index(section)]
        table = section.table(table_key)
        block = table_block(rows_of(sheet), tr.gettext(table.title))
        line = next(r for r in block[1:] if r[0] == table.rows.label(row, tr))
        assert line[1 + table.col_codes.index(col)] in ("<5", "x"), (table_key, row, col)


def test_percent_kept_as_the_number_shown():
    book = workbook(sample_report(THRESHOLD), "en")
    sheet = book.worksheets[1]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "Average occupancy")
    value = sheet.cell(row=cell.row, column=2)
    assert value.value == 75.0 and value.number_format == '0.0" %"'


def test_csv_has_a_bom_the_front_lines_and_a_block_per_table():
    report = sample_report(THRESHOLD)
    tr = translator("ar")
    data = report_csv(report, "ar")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "دار الأمل" in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [report_title(tr)]
    assert [tuple(r) for r in rows[1:5]] == about_rows(report, tr)
    assert rows[5] == [suppression_note(report, tr)] and rows[6] == []
    for section in report.sections:
        name = REPORT.label(section.key, tr)
        for table in section.tables:
            title = f"{name} — {tr.gettext(table.title)}"
            start = next(n for n, row in enumerate(rows) if row and row[0] == title)
            end = rows.index([], start)
            expected = expected_block(table, tr)
            assert end - start - 1 == len(expected)
            for got, want in zip(rows[start + 1:end], expected, strict=True):
                assert got[0] == want[0]
                for cell, value in zip(got[1:], want[1:], strict=True):
                    assert cell == value if isinstance(value, str) else float(cell) == pytest.approx(value,
                                                                                                     abs=0.051)
    labels = [row[0] for row in rows if row]
    assert "الاستغلال الجنسي" in labels  # an Arabic label, joined letters in logical order


def test_a_name_that_looks_like_a_formula_stays_text():
    report = dataclasses.replace(sample_report(), shelter_name="=HYPERLINK(\"http://x\",\"Dar\")").released(THRESHOLD)
    book = workbook(report, "en")
    cells = [c for row in book.worksheets[0].iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert cells and all(c.data_type == "s" for c in cells)
    text = report_csv(report, "en").decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert all(not row or not row[0].startswith("=") for row in csv.reader(io.StringIO(text)))


def test_sheet_names_are_short_unique_and_allowed():
    taken: set[str] = set()
    long = "Stays, exits: and [everything] else / more * words?"
    first = sheet_name(long, taken)
    second = sheet_name(long, taken)
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert not set("[]:*?/\\") & set(first + second)
    assert sheet_name("'quoted'", taken) == "quoted"


def test_a_total_row_is_marked_and_last():
    report = sample_report(THRESHOLD)
    tr = translator("en")
    book = workbook(report, "en")
    table = report.section("admissions").table("by_form")
    block = table_block(rows_of(book.worksheets[2]), tr.gettext(table.title))
    assert block[-1][0] == "Total" and table.row_codes[-1] == TOTAL
    assert block[0][-1] == "Total"
