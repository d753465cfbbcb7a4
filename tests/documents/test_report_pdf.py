"""The report PDF, read back: only a released report is printed; every
hidden count is "<5" or "x" and no true small count is drawn anywhere
(tables, charts); Arabic in logical order, tables and charts mirrored; fonts
embedded; a long table runs over pages with its header repeated; a wide
table stays inside the margins. Set SHELTER_SHOTS to a folder to keep the
pages as PNG (pdftoppm -r 60)."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from shelter.documents.builder import PAGE_SIZE
from shelter.documents.report import ChartFlowable, report_pdf, scale, suppression_note
from shelter.domain import report_model as rm
from shelter.domain.disclosure import TOTAL
from shelter.domain.vocabulary import EXPLOITATION_FORM, REPORT
from shelter.i18n import translator
from tests.documents.pdftext import drawn_lines, fonts, normalise, page_lines, page_texts, pieces, reader
from tests.report_samples import MADE_BY, SHELTER_NAME, sample_report, small_counts

MARGIN = 20 * 72 / 25.4
THRESHOLD = 5


def text_of(pdf: bytes) -> str:
    return " ".join(page_texts(pdf))


def all_lines(pdf: bytes) -> list[str]:
    return [line for page in range(len(reader(pdf).pages)) for line in page_lines(pdf, page)]


def test_a_report_that_is_not_released_is_refused():
    with pytest.raises(ValueError):
        report_pdf(sample_report(), "en")


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_front_page_sections_and_embedded_fonts(lang):
    report = sample_report(THRESHOLD)
    pdf = report_pdf(report, lang)
    assert pdf.startswith(b"%PDF")
    tr = translator(lang)
    text = text_of(pdf)
    first = " ".join(page_lines(pdf, 0))
    assert normalise(SHELTER_NAME) in first and MADE_BY in first
    assert normalise(report.period.label(tr)) in first and "2026-11-01" in first and "2026-11-30" in first
    assert "2026-12-02" in first and "09:30" in first
    assert normalise(suppression_note(report, tr)) in normalise(first)
    for section in report.sections:
        assert normalise(REPORT.label(section.key, tr)) in text
    found = fonts(pdf)
    assert found and all(font.embedded and font.subset for font in found), found
    assert not any("Helvetica" in font.name for font in found)
    for page in range(len(reader(pdf).pages)):  # every word inside the margins, the charts' too
        for drawn in drawn_lines(pdf, page):
            assert drawn.left >= MARGIN - 0.5 and drawn.right <= PAGE_SIZE[0] - MARGIN + 0.5, (page, drawn)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_table_row_prints_its_released_cells(lang):
    """A row reads: its label, then each cell as released ("<5", "x", or the count), totals last."""
    report = sample_report(THRESHOLD)
    tr = translator(lang)
    lines = all_lines(report_pdf(report, lang))
    marks = 0
    for section in report.sections:
        for table in section.tables:
            if table.detail:
                continue
            for row in table.row_codes:
                cells = [table.text(row, col, tr) for col in table.col_codes]
                marks += sum(cell in ("<5", "x") for cell in cells)
                expected = normalise(" ".join([table.rows.label(row, tr), *cells]))
                assert expected in lines, (table.key, row, expected)
    assert marks >= 20  # the sample hides enough for this to mean something


def test_arabic_rows_are_mirrored_and_read_in_logical_order():
    report = sample_report(THRESHOLD)
    ar = translator("ar")
    pdf = report_pdf(report, "ar")
    lines = all_lines(pdf)
    table = report.section("admissions").table("by_form")
    for row in table.row_codes:
        # Drawn right to left: extraction reads the cells from the left (totals first),
        # each label itself in its logical order.
        cells = [table.text(row, col, ar) for col in table.col_codes]
        assert normalise(" ".join([*cells[::-1], table.rows.label(row, ar)])) in lines
    label = normalise(EXPLOITATION_FORM.label("sexual", ar))
    assert label in text_of(pdf) and "الاستغلال الجنسي" == label
    # The row labels on the right in Arabic, on the left in English.
    middle = PAGE_SIZE[0] / 2
    page = next(n for n in range(len(reader(pdf).pages)) if any(label in line for line in page_lines(pdf, n)))
    xs = [p.x for p in pieces(pdf, page) if p.text == label]
    assert len(xs) == 2 and all(x > middle for x in xs)  # the table's and the chart's
    english = report_pdf(report, "en")
    en_page = next(n for n in range(len(reader(english).pages)) if "Sexual exploitation" in page_texts(english)[n])
    assert all(p.x < middle for p in pieces(english, en_page) if p.text == "Sexual exploitation")


def bar_value_x(pdf: bytes, label: str) -> tuple[float, float]:
    """Where a bar's row label and its value "14" are drawn (the chart's, not the table's)."""
    for page in range(len(reader(pdf).pages)):
        found = pieces(pdf, page)
        rows = [p for p in found if p.text == label]
        if len(rows) == 2:
            chart_row = min(rows, key=lambda p: p.y)  # the chart is under the table
            value = min((p for p in found if p.text == "14" and abs(p.y - chart_row.y) < 8),
                        key=lambda p: abs(p.y - chart_row.y))
            return chart_row.x, value.x
    raise AssertionError(label)


def test_bars_grow_from_the_labels_towards_the_end_of_the_line():
    report = sample_report(THRESHOLD)
    label_x, value_x = bar_value_x(report_pdf(report, "en"), "Sexual exploitation")
    assert value_x > label_x + 150  # the longest bar's value, far to the right
    ar_label = normalise(EXPLOITATION_FORM.label("sexual", translator("ar")))
    label_x, value_x = bar_value_x(report_pdf(report, "ar"), ar_label)
    assert value_x < label_x - 150  # in Arabic, far to the left


def with_cells(report: rm.Report, section: str, table: str, changes: dict[tuple[str, str], int]) -> rm.Report:
    def changed(s: rm.Section) -> rm.Section:
        if s.key != section:
            return s
        return dataclasses.replace(s, tables=tuple(
            dataclasses.replace(t, cells={**t.cells, **changes}) if t.key == table else t for t in s.tables))
    return dataclasses.replace(report, sections=tuple(changed(s) for s in report.sections))


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_true_small_counts_change_nothing_on_the_page(lang):
    """Two stores whose small counts differ but whose released tables are the
    same: every page is drawn identically (text, bars, stubs), so nothing
    on paper depends on a hidden count."""
    true = sample_report()
    assert small_counts(true)
    # Hidden cells moved about, every visible count and total kept.
    other = with_cells(true, "admissions", "by_age", {("12-17", "female"): 3, ("12-17", "male"): 2,
                                                     ("25-59", "female"): 16, ("25-59", "male"): 2})
    other = with_cells(other, "admissions", "by_nationality", {("CI", "n"): 4, ("SN", "n"): 1})
    one, two = true.released(THRESHOLD), other.released(THRESHOLD)
    for a, b in zip(one.sections, two.sections, strict=True):
        for ta, tb in zip(a.tables, b.tables, strict=True):
            assert ta.hidden == tb.hidden
    assert one != two
    first, second = reader(report_pdf(one, lang)), reader(report_pdf(two, lang))
    assert len(first.pages) == len(second.pages)
    for p, q in zip(first.pages, second.pages, strict=True):
        assert p.get_contents().get_data() == q.get_contents().get_data()


def test_daily_tables_are_charted_not_printed():
    report = sample_report(THRESHOLD)
    text = text_of(report_pdf(report, "en"))
    assert "Occupancy each day" in text
    assert "2026-11-02" not in text and "62.5 %" not in text  # a day not on the axis; a day's value
    assert "2026-11-01" in text and "100 %" in text  # the axis: its first day, its top


def long_report(rows: int = 90, cols: int = 12) -> rm.Report:
    """A report with a long table (many nationalities) and a wide one (many columns)."""
    codes = tuple(f"C{n:02d}" for n in range(rows))
    long = rm.Table("long", "Admissions by nationality", rm.Axis("Nationality", codes, rm.verbatim({})),
                    rm.Axis("People", ("n",), rm.message("People")), {(c, "n"): 5 + n % 7 for n, c in enumerate(codes)})
    shelters = tuple(f"S{n}" for n in range(cols))
    names = {s: f"Maison d'accueil numéro {n} — دار {n}" for n, s in enumerate(shelters)}
    wide = rm.Table("wide", "Admissions by shelter", rm.Axis("Sex", ("female", "male"), rm.verbatim({})),
                    rm.Axis("Shelter", shelters, rm.verbatim(names)),
                    {(r, s): 100 + n for n, s in enumerate(shelters) for r in ("female", "male")})
    section = rm.Section("admissions", tables=(long, wide), charts=(rm.Chart("c", "Admissions by nationality",
                                                                             "long"),))
    base = sample_report()
    return dataclasses.replace(base, sections=(section,)).released(THRESHOLD)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_long_table_runs_over_pages_with_its_header_and_a_wide_one_fits(lang):
    report = long_report()
    pdf = report_pdf(report, lang)
    pages = len(reader(pdf).pages)
    assert pages >= 3
    tr = translator(lang)
    header = [normalise(tr.gettext("Nationality")), normalise(tr.gettext("People"))]
    header = " ".join(header[::-1] if lang == "ar" else header)
    with_header = [n for n in range(pages) if header in page_lines(pdf, n)]
    assert len(with_header) >= 2  # repeated on the page it runs onto
    text = text_of(pdf)
    for n in range(90):
        assert f"C{n:02d}" in text
    for page in range(pages):
        for drawn in drawn_lines(pdf, page):
            assert drawn.left >= MARGIN - 0.5 and drawn.right <= PAGE_SIZE[0] - MARGIN + 0.5, (page, drawn)
    total = report.sections[0].table("wide").text(TOTAL, TOTAL)
    assert total in text


def test_scale_has_round_ticks_and_zero():
    assert scale(0, 14) == [0, 5, 10, 15]
    assert scale(0, 0) == [0, 1]
    ticks = scale(-0.08, 0.42)
    assert 0 in ticks and ticks[0] <= -0.08 and ticks[-1] >= 0.42 and len(ticks) <= 8


def test_a_line_chart_with_hidden_days_and_a_chart_with_nothing_visible():
    report = sample_report()
    days = report.period.each_day()[:10]
    daily = rm.Table("daily", "Hours per resident each day", rm.Axis("Day", tuple(d.isoformat() for d in days),
                                                                    rm.verbatim({})),
                     rm.Axis("Shelter", ("A", "B"), rm.verbatim({"A": "Dar Al Amal", "B": "دار السلام"})),
                     {(d.isoformat(), s): 1.5 + i / 4 for i, d in enumerate(days) for s in ("A", "B")},
                     unit=rm.HOURS, bases={(d.isoformat(), "B"): 2 if i in (3, 4) else 12 for i, d in enumerate(days)},
                     detail=True)
    empty = rm.Table("tiny", "Readmissions", rm.Axis("Sex", ("female", "male"), rm.verbatim({})),
                     rm.Axis("People", ("n",), rm.message("People")), {("female", "n"): 2, ("male", "n"): 1})
    section = rm.Section("services", tables=(daily, empty),
                         charts=(rm.Chart("d", "Hours each day", "daily", "line"), rm.Chart("t", "Readmissions", "tiny")))
    released = dataclasses.replace(report, sections=(section,)).released(THRESHOLD)
    assert released.sections[0].table("daily").hidden  # two days of B
    for lang in ("en", "ar"):
        text = text_of(report_pdf(released, lang))
        assert "Hours each day" in text and "Dar Al Amal" in text and normalise("دار السلام") in text
        why = translator(lang).gettext("Not drawn: every value of this chart is hidden, as each counts too few people.")
        assert normalise(why.split("،")[0].split(",")[0]) in text
    flowable = ChartFlowable(section.charts[0], released.sections[0].table("daily"), translator("en"), "ltr")
    width, height = flowable.wrap(400, 600)
    assert width == 400 and 150 < height < 260


def test_pages_render_to_png(tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler) is not installed")
    out = Path(os.environ.get("SHELTER_SHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    for lang in ("ar", "fr", "en"):
        pdf = out / f"report-{lang}.pdf"
        pdf.write_bytes(report_pdf(sample_report(THRESHOLD), lang))
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out / f"report-{lang}")], check=True,
                       capture_output=True, timeout=120)
        assert sorted(out.glob(f"report-{lang}-*.png"))
