"""The Reports section driven through its real widgets on a real encrypted
store: a report made off the GUI thread with its progress, shown in tabs
(figures, tables with bold totals, charts); a coordinator sees a true small
count and the reporting role its released "<5"; the copies saved as PDF,
XLSX and CSV, printed through the preview, and what a failed save says;
the keyboard reaches everything.

Set SHELTER_SHOTS to a folder to save the page in the three languages."""

from __future__ import annotations

import errno
import os
from datetime import timedelta

import pytest

from shelter.domain.disclosure import TOTAL
from shelter.domain.report_model import Period
from shelter.security.permissions import Role
from shelter.services import accounts, admissions, shelters, unmet_requests
from shelter.services.unmet_requests import UnmetRequestInput
from shelter.store import Store
from tests.cases import TODAY, admission, audit_details, bed_ids
from tests.report_samples import sample_report
from tests.ui.conftest import interface  # noqa: F401  (fixture)
from ui.qt import QAbstractScrollArea, QFileDialog, QFont, Qt
from ui.reports.chart import ReportChart
from ui.reports.page import ReportsPage, file_name
from ui.reports.table import ReportTableModel

REPORTING_PASSWORD = "figures for the committee"
LONG_SHELTER = "Centre d'accueil et d'hébergement des femmes victimes de la traite « Dar Al Amane » دار الأمان"


@pytest.fixture
def reporting(admin, store_dir):
    """Rania, who makes the figures for the donors (the reporting role), signed in."""
    accounts.create_account(admin, "rania", "Rania Alaoui", [Role.REPORTING], REPORTING_PASSWORD,
                            must_change_password=False)
    who = Store(store_dir).sign_in("rania", REPORTING_PASSWORD)
    yield who
    who.lock("sign_out")


@pytest.fixture
def three_women(coordinator):
    """Three women admitted today for sexual exploitation: a count below 5."""
    for bed, name in zip(bed_ids(coordinator), ("Aisha Okoro", "Grace Okafor", "Blessing Adeyemi"), strict=True):
        admissions.admit(coordinator, admission(bed, name, ""))
    return 3


def open_page(qtbot, who) -> ReportsPage:
    page = ReportsPage(who)
    qtbot.addWidget(page)
    page.resize(1366 - 210, 768 - 100)
    page.show()
    qtbot.waitExposed(page)
    return page


def this_week(page: ReportsPage) -> Period:
    page.period.set_kind("range")
    page.period.start.set_value(TODAY - timedelta(days=6))
    page.period.end.set_value(TODAY)
    return page.period.period()


def make(qtbot, page: ReportsPage) -> None:
    qtbot.mouseClick(page.make_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not page.making, timeout=20_000)
    assert page.error.text() == ""


def table_view(page: ReportsPage, section: str, key: str):
    view = next(v for v in page.sections if v.section.key == section)
    return next(t for t in view.tables if t.report_model.table.key == key)


def cell(model: ReportTableModel, row: str, col: str) -> str:
    return model.index(model.rows.index(row), model.cols.index(col) + 1).data()


def test_making_a_report_shows_each_section_in_its_tab(qtbot, coordinator, three_women):
    page = open_page(qtbot, coordinator)
    assert page.tabs.isHidden() and not page.save_buttons["pdf"].isEnabled()
    period = this_week(page)
    qtbot.mouseClick(page.make_button, Qt.LeftButton)
    # Off the GUI thread: the click returns at once, the progress shows, nothing can be pressed twice.
    assert page.making and page.report is None
    assert page.progress.isVisible() and not page.make_button.isEnabled()
    qtbot.waitUntil(lambda: not page.making, timeout=20_000)
    assert not page.progress.isVisible() and page.make_button.isEnabled()
    assert page.report.period == period
    titles = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert titles == ["Occupancy", "Admissions", "Stays and exits", "Services", "Reintegration"]
    assert page.save_buttons["pdf"].isEnabled() and page.print_button.isEnabled()
    # The tables: totals in bold; the daily detail is a chart, not a table.
    model = table_view(page, "admissions", "by_age").report_model
    total_row = model.rows.index(TOTAL)
    assert model.index(total_row, 0).data() == "Total"
    font = model.index(total_row, 1).data(Qt.FontRole)
    assert isinstance(font, QFont) and font.bold()
    assert model.index(0, 1).data(Qt.FontRole) is None
    occupancy = next(v for v in page.sections if v.section.key == "occupancy")
    assert all(not t.report_model.table.detail for t in occupancy.tables)
    assert any(c.chart.kind == "line" for c in occupancy.charts)
    # Figures at the top, charts drawn from their tables.
    admissions_view = next(v for v in page.sections if v.section.key == "admissions")
    assert admissions_view.figures and admissions_view.charts
    assert "Admissions: 3" in admissions_view.figures[0].accessibleName()
    by_form = next(c for c in admissions_view.charts if c.chart.table == "by_form")
    assert by_form.accessibleName() == "Admissions by form of exploitation"
    assert "Sexual exploitation: Female 3" in by_form.toolTip()
    assert "made by \u2068Salma Idrissi\u2069" in page.banner.text()
    assert [e[0] for e in audit_details(coordinator, "report.make")] == ["ok"]


def test_the_progress_arrives_from_the_worker_and_the_screen_stays_live(qtbot, coordinator, monkeypatch):
    import threading

    from shelter.domain.changes import ResidentUpdated
    from shelter.services import reports
    from ui.qt import publish

    real, gate, threads = reports.make_report, threading.Event(), []

    def slow(who, period, shelter_id=None, progress=None, today=None):
        threads.append(threading.current_thread())
        progress(2, 5)
        assert gate.wait(20)
        return real(who, period, shelter_id, progress=progress, today=today)

    monkeypatch.setattr(reports, "make_report", slow)
    page = open_page(qtbot, coordinator)
    qtbot.mouseClick(page.make_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: page.progress.value() == 2, timeout=10_000)
    assert page.progress_text.text() == "Making the report… 40 %" and page.progress.maximum() == 5
    assert threads[0] is not threading.main_thread()
    qtbot.mouseClick(page.make_button, Qt.LeftButton)  # pressed again meanwhile: one report only
    page.period.set_kind("year")  # the screen answers while the report is made
    assert page.period.current_kind() == "year"
    gate.set()
    qtbot.waitUntil(lambda: not page.making, timeout=20_000)
    assert len(threads) == 1 and page.report is not None and page.report.period.kind == "month"
    assert page.stale.isHidden()
    publish(ResidentUpdated(1))  # a change made elsewhere: the figures on screen are out of date
    assert page.stale.isVisible()
    make(qtbot, page)
    assert page.stale.isHidden()


def test_a_coordinator_sees_the_true_small_count(qtbot, coordinator, three_women):
    page = open_page(qtbot, coordinator)
    this_week(page)
    make(qtbot, page)
    assert not page.report.is_released
    assert "Small counts are shown here; printed and exported copies hide them" in page.banner.text()
    model = table_view(page, "admissions", "by_form").report_model
    assert cell(model, "sexual", "female") == "3"
    # Shaded, and its tooltip says what paper shows there.
    index = model.index(model.rows.index("sexual"), model.cols.index("female") + 1)
    assert index.data(Qt.BackgroundRole) is not None
    assert "Printed and exported copies show “<5” here." in index.data(Qt.ToolTipRole)


def test_the_reporting_role_sees_the_released_copy(qtbot, reporting, coordinator, three_women):
    page = open_page(qtbot, reporting)
    assert page.unmet_button.isHidden()  # the reporting role records nothing
    this_week(page)
    make(qtbot, page)
    assert page.report.is_released
    assert "This is the copy that is printed and exported" in page.banner.text()
    model = table_view(page, "admissions", "by_form").report_model
    assert cell(model, "sexual", "female") == "<5"
    assert "3" not in [model.index(r, c).data() for r in range(1, model.rowCount())
                       for c in range(1, model.columnCount())]
    admissions_view = next(v for v in page.sections if v.section.key == "admissions")
    chart = next(c for c in admissions_view.charts if c.chart.table == "by_form")
    assert chart.value("sexual", "female") is None and chart.mark("sexual", "female") == "<5"
    assert "Female <5" in chart.toolTip()


def test_a_period_that_cannot_be_read_is_refused_beside_it(qtbot, coordinator):
    page = open_page(qtbot, coordinator)
    page.period.set_kind("range")
    page.period.start.set_value(TODAY)
    page.period.end.set_value(TODAY - timedelta(days=3))
    qtbot.mouseClick(page.make_button, Qt.LeftButton)
    assert not page.making
    assert page.errors.label("period_to").text() == "The period ends before it starts."
    page.period.end.edit.setText("2026-02-31")
    qtbot.mouseClick(page.make_button, Qt.LeftButton)
    assert page.errors.label("period_to").text() == "Type the date as 2026-03-15, or choose it in the calendar."
    page.period.set_kind("year")
    page.period.year.setValue(TODAY.year)
    assert page.period.period() == Period.year(TODAY.year)


def test_the_period_opens_on_the_last_full_month(qtbot, coordinator):
    page = open_page(qtbot, coordinator)
    period = page.period.period()
    assert period.kind == "month" and period.end == TODAY.replace(day=1) - timedelta(days=1)
    assert page.shelter.itemText(0) == "All shelters" and page.shelter.currentData() is None


@pytest.mark.parametrize("fmt, magic", [("pdf", b"%PDF"), ("xlsx", b"PK"), ("csv", b"\xef\xbb\xbf")])
def test_saving_writes_the_released_copy(qtbot, coordinator, three_women, tmp_path, monkeypatch, fmt, magic):
    page = open_page(qtbot, coordinator)
    this_week(page)
    make(qtbot, page)
    page.language.set_language("ar")
    asked = []

    def save_name(_parent, _title, name, _filter):
        asked.append(name)
        return str(tmp_path / "for-the-committee"), ""  # typed without its extension

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    qtbot.mouseClick(page.save_buttons[fmt], Qt.LeftButton)
    qtbot.waitUntil(lambda: page.output_done.isVisible() or page.output_error.isVisible(), timeout=20_000)
    written = tmp_path / f"for-the-committee.{fmt}"
    assert page.output_error.text() == ""
    assert written.read_bytes().startswith(magic)
    assert asked == [f"report-{page.report.period.slug}-all-shelters.{fmt}"]
    assert str(written) in page.output_done.text()
    details = audit_details(coordinator, "report.export")
    assert [d[0] for d in details] == ["started", "ok"] and details[0][2]["lang"] == "ar"
    if fmt == "csv":
        text = written.read_bytes().decode("utf-8-sig")
        assert "<5" in text  # what leaves the machine is released, whoever saved it
    assert page.save_buttons[fmt].isEnabled()


def test_a_full_disk_or_a_forbidden_folder_is_said_and_nothing_is_lost(qtbot, coordinator, three_women, tmp_path,
                                                                       monkeypatch):
    import shelter.atomic

    page = open_page(qtbot, coordinator)
    this_week(page)
    make(qtbot, page)
    shown = page.report

    def full(_fd, _data):
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(shelter.atomic.os, "write", full)
        page.save_to("csv", tmp_path / "report.csv")
        qtbot.waitUntil(lambda: page.output_error.isVisible(), timeout=20_000)
    assert page.output_error.text() == "The disk is full: nothing was saved. Free some space and try again."
    assert not (tmp_path / "report.csv").exists()
    assert page.report is shown and page.tabs.count() == 5  # the report stays on screen

    def forbidden(*_args, **_kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    with monkeypatch.context() as m:
        m.setattr(shelter.atomic.os, "open", forbidden)
        page.save_to("xlsx", tmp_path / "report.xlsx")
        qtbot.waitUntil(lambda: not page.print_button.isEnabled() or page.output_error.isVisible(), timeout=5000)
        qtbot.waitUntil(lambda: page.print_button.isEnabled(), timeout=20_000)
    assert page.output_error.text().startswith("You may not write in that folder.")
    page.save_to("csv", tmp_path / "no such folder" / "report.csv")
    qtbot.waitUntil(lambda: page.print_button.isEnabled() and page.output_error.isVisible(), timeout=20_000)
    qtbot.waitUntil(lambda: "could not be saved there" in page.output_error.text(), timeout=20_000)
    page.save_to("csv", tmp_path / "report.csv")
    qtbot.waitUntil(lambda: page.output_done.isVisible(), timeout=20_000)
    assert page.output_error.text() == "" and (tmp_path / "report.csv").exists()


def test_print_opens_the_released_pdf_in_the_preview(qtbot, coordinator, three_women):
    page = open_page(qtbot, coordinator)
    this_week(page)
    make(qtbot, page)
    page.language.set_language("fr")
    qtbot.mouseClick(page.print_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: page.preview is not None, timeout=20_000)
    preview = page.preview
    assert preview.page_count() >= 1 and preview.save_button is None  # saving goes through Save as PDF
    assert [e[2]["lang"] for e in audit_details(coordinator, "report.print")] == ["fr"]
    preview.reject()


def test_the_page_follows_a_language_change(qtbot, interface, coordinator, three_women):  # noqa: F811
    page = open_page(qtbot, coordinator)
    this_week(page)
    make(qtbot, page)
    page.tabs.setCurrentIndex(2)
    interface.apply("fr")
    page.retranslate()
    assert page.title.text() == "Rapports"
    assert page.tabs.currentIndex() == 2 and page.tabs.count() == 5
    interface.apply("ar")
    page.retranslate()
    chart = page.sections[1].charts[0]
    assert chart.layoutDirection() == Qt.RightToLeft


def test_the_keyboard_reaches_everything(qtbot, coordinator, three_women):
    page = open_page(qtbot, coordinator)
    this_week(page)
    make(qtbot, page)
    page.activateWindow()
    page.period.kind.setFocus()
    reached = set()
    for _step in range(400):
        widget = page.focusWidget()
        if widget is not None:
            reached.add(widget)
        qtbot.keyClick(page.focusWidget() or page, Qt.Key_Tab)
    for widget in (page.period.kind, page.period.start.edit, page.period.end.edit, page.shelter, page.make_button,
                   page.unmet_button, page.tabs.tabBar(), page.language, page.print_button,
                   *page.save_buttons.values()):
        assert widget in reached, widget
    occupancy = page.sections[0]
    assert occupancy.tables[0] in reached and occupancy.figures[0] in reached
    assert occupancy.charts[0] in reached  # a screen reader reaches the chart's values
    # The labels' mnemonics name their fields.
    assert page.period_label.buddy() is page.period and page.language_label.buddy() is page.language


def test_a_chart_is_mirrored_right_to_left(qtbot):
    report = sample_report(5)
    section = report.section("admissions")
    chart = next(c for c in section.charts if c.kind == "bars")
    widget = ReportChart(chart, section.table(chart.table))
    qtbot.addWidget(widget)
    widget.resize(600, widget.heightForWidth(600))
    widget.show()
    left = widget._flip(widget.bar_rect("sexual", "female"))
    widget.setLayoutDirection(Qt.RightToLeft)
    right = widget._flip(widget.bar_rect("sexual", "female"))
    assert left.left() < 300 < right.right() and abs(left.width() - right.width()) < 0.01
    assert abs((600 - right.right()) - left.left()) < 0.01
    # A hidden value is a grey stub with its mark, not a bar.
    assert widget.bar_rect("labour", "female").width() == 10.0 and widget.mark("labour", "female") == "x"
    assert widget.grab().width() == 600


def test_the_table_model_is_a_sound_qt_model(qtbot, qtmodeltester):
    report = sample_report()
    table = report.section("admissions").table("by_form")
    model = ReportTableModel(table, report.released(5).section("admissions").table("by_form"))
    qtmodeltester.check(model)
    assert model.columnCount() == 4 and model.headerData(0, Qt.Horizontal) == "Form of exploitation"


def test_file_names_name_the_period_and_the_shelter():
    assert file_name(sample_report(), "pdf") == "report-2026-11-CASA.pdf"
    assert file_name(sample_report(all_shelters=True), "xlsx") == "report-2026-11-all-shelters.xlsx"


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_section_fits_a_small_laptop_screen(qtbot, interface, admin, coordinator, three_women, lang):  # noqa: F811
    from ui.app import load_stylesheet
    from ui.shell.language import load_bundled_fonts
    from ui.shell.main_window import MainWindow

    load_bundled_fonts()  # as the application does: Naskh's taller Arabic lines take room
    place = shelters.list_shelters(admin)[0]
    shelters.update_shelter(admin, place.id, LONG_SHELTER, place.city, True, False, True)
    for days, reason, text in ((2, "no_fitting_bed", ""), (9, "other", "Besoin d'un suivi psychiatrique hospitalier")):
        unmet_requests.record_unmet_request(coordinator, UnmetRequestInput(
            place.id, TODAY - timedelta(days=days), "ngo", reason, agency="Association Marocaine d'Aide aux Migrants "
            "en Situation Vulnérable", reason_text=text, sex="female", age_band="18-24", children=1))
    shots = os.environ.get("SHELTER_SHOTS")
    if shots:  # as the application looks
        from ui.qt import QApplication

        QApplication.setStyle("Fusion")
        QApplication.instance().setStyleSheet(load_stylesheet())
    interface.apply(lang)
    window = MainWindow(coordinator)
    qtbot.addWidget(window)
    window.setStyleSheet(load_stylesheet())  # the stylesheet's paddings take room
    window.resize(1366, 768)
    window.show()
    assert window.open_section("reports")
    page = window.pages["reports"]
    assert isinstance(page, ReportsPage)
    page.shelter.setCurrentIndex(1)
    this_week(page)
    make(qtbot, page)
    for index in range(page.tabs.count()):
        page.tabs.setCurrentIndex(index)
        qtbot.wait(20)
        hint = window.minimumSizeHint()
        assert hint.width() <= 1366 and hint.height() <= 768, (index, hint)
        for view in page.findChildren(QAbstractScrollArea):
            if view.isVisible():
                assert not view.horizontalScrollBar().isVisible(), (index, view.accessibleName())
        assert page.geometry().right() <= window.width()
        if shots:
            os.makedirs(shots, exist_ok=True)
            window.grab().save(os.path.join(shots, f"ui-reports-{lang}-{page.report.sections[index].key}.png"))
    page.open_unmet_requests()
    dialog = page.unmet_dialog
    qtbot.waitExposed(dialog)
    if shots:
        dialog.grab().save(os.path.join(shots, f"ui-unmet-list-{lang}.png"))
    assert dialog.width() <= 1366 and dialog.height() <= 768 and dialog.model.rowCount() == 2
    assert not dialog.view.horizontalScrollBar().isVisible()
    dialog.record()
    form = dialog.form_dialog
    qtbot.waitExposed(form)
    assert form.width() <= 1366 and form.height() <= 768 and form.minimumSizeHint().height() <= 768
    if shots:
        form.grab().save(os.path.join(shots, f"ui-unmet-form-{lang}.png"))
    form.guard.reset()
    form.reject()
    dialog.reject()


def test_the_anonymised_export_is_saved_from_the_page_and_says_what_it_holds(qtbot, coordinator, three_women,
                                                                            tmp_path, monkeypatch):
    page = open_page(qtbot, coordinator)
    assert page.anonymised_button.isVisible() and page.anonymised_button.isEnabled()  # no report needed first
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: (str(tmp_path / "stays"), ""))
    qtbot.mouseClick(page.anonymised_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: page.output_done.isVisible() or page.output_error.isVisible(), timeout=20_000)
    assert page.output_error.text() == ""
    written = tmp_path / "stays.csv"
    assert written.read_bytes().startswith(b"\xef\xbb\xbf")
    # The three women were admitted without the consent to be counted: nobody is in the file, and it says so.
    assert "3" in page.output_done.text() and str(written) in page.output_done.text()
    assert [o for o, _r, _d in audit_details(coordinator, "export.anonymised")] == ["started", "ok"]


def test_the_anonymised_export_is_not_offered_to_an_administrator(qtbot, admin):
    page = open_page(qtbot, admin)
    assert not page.anonymised_button.isVisible()
