"""The Reports section: choose a period and a shelter (or all), make the
report off the GUI thread with its progress, and read it in tabs, one per
section: its figures, its tables (totals in bold) and its charts. Then save
it as a PDF, a spreadsheet or a CSV file, or print it, in the language the
paper is for.

A banner says which copy the screen shows. Those who may see the true
counts (the coordinators) see them, with the cells that paper hides shaded;
everyone else sees the released copy, as it is printed ("<5", "x"). What
leaves the machine is always the released copy (``reports.export_report``
and ``reports.print_report`` release it).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from shelter.domain.report_model import Figure, Period, Report, Section, Table
from shelter.domain.vocabulary import REPORT
from shelter.errors import ShelterError, StorageFull
from shelter.i18n import N_, _, current_language, isolate, ngettext, pgettext, translator
from shelter.security.permissions import Permission as P
from shelter.services import settings, shelters
from shelter.store import SignedIn
from ui.documents.preview import DocumentPreview
from ui.qt import (
    QAbstractItemView,
    QAbstractScrollArea,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QItemSelectionModel,
    QLabel,
    QObject,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    Qt,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    Signal,
    changes,
    error_text,
    run_task,
)
from ui.reports.chart import ReportChart
from ui.reports.flow import FlowRow
from ui.reports.period import PeriodChooser
from ui.reports.table import SHADE, ReportTableModel, number
from ui.widgets import ErrorLabel, FieldErrors, LanguageBox, heading, page_layout, paragraph, scrolled
from ui.widgets.dates import local_datetime

FORMATS = {  # format: (button text, file dialog filter, extension)
    "pdf": (N_("Save as &PDF…"), N_("PDF (*.pdf)"), ".pdf"),
    "xlsx": (N_("Save as spreadsheet (&XLSX)…"), N_("Spreadsheet (*.xlsx)"), ".xlsx"),
    "csv": (N_("Save as CS&V…"), N_("CSV, UTF-8 (*.csv)"), ".csv"),
}


FIGURES_PER_ROW = 3


def file_name(report: Report, fmt: str) -> str:
    """The name a saved copy is offered under: report-2026-11-RBT1.pdf."""
    where = report.shelter_code or "all-shelters"
    return f"report-{report.period.slug}-{where}{FORMATS[fmt][2]}"


class _Relay(QObject):
    """Carries the progress of a report from the worker thread to the page
    (a queued signal): the worker never touches a widget."""

    progressed = Signal(int, int)


# -- one section on screen ------------------------------------------------------------------------

def _figure(figure: Figure, on_paper: Figure | None, grid: QGridLayout, at: int, card: QFrame) -> QLabel:
    """One figure of the section's summary in ``grid``: its value (bold),
    then what it counts. The value is what the keyboard reaches; its name
    says the whole figure."""
    value = QLabel(number(figure.text()), card)
    font = value.font()
    font.setPointSizeF(font.pointSizeF() * 1.2)
    font.setBold(True)
    value.setFont(font)
    value.setTextFormat(Qt.PlainText)
    value.setAlignment(Qt.AlignTrailing | Qt.AlignVCenter)
    caption = QLabel(_(figure.label), card)
    caption.setWordWrap(True)
    caption.setTextFormat(Qt.PlainText)
    caption.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    tip = f"{_(figure.label)}: {figure.text()}"
    if on_paper is not None and on_paper.hidden and not figure.hidden:
        tip += "\n" + _("Printed and exported copies show “{mark}” here.").format(
            mark=number(f"<{on_paper.threshold}"))
        value.setStyleSheet(f"background: {SHADE}; padding: 0 4px;")
        value.setProperty("hiddenOnPaper", True)
    elif figure.hidden:
        tip += "\n" + _("Fewer than {n}: not shown, so that nobody can be singled out.").format(n=figure.threshold)
    for widget in (value, caption):
        widget.setToolTip(tip)
    value.setAccessibleName(tip)
    value.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    row, pair = divmod(at, FIGURES_PER_ROW)
    grid.addWidget(value, row, 2 * pair)
    grid.addWidget(caption, row, 2 * pair + 1)
    return value


class ReportTableView(QTableView):
    """A table of a report, as tall as its rows (the tab scrolls, not the table)."""

    def __init__(self, table: Table, released: Table | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report_model = ReportTableModel(table, released, self)
        self.setModel(self.report_model)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectItems)
        self.setTabKeyNavigation(False)  # Tab leaves the table; the arrows read it
        self.setWordWrap(False)
        self.setAlternatingRowColors(False)
        self.verticalHeader().hide()
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setDefaultAlignment(Qt.AlignTrailing | Qt.AlignVCenter)
        header.setHighlightSections(False)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(_(table.title))
        header.setMinimumSectionSize(56)
        if self.report_model.rowCount():  # the keyboard starts at the first cell, nothing selected
            self.selectionModel().setCurrentIndex(self.report_model.index(0, 0), QItemSelectionModel.NoUpdate)


class SectionView(QWidget):
    """One section of a report: figures, then tables (not the daily detail:
    that goes to the spreadsheet and feeds a chart), then charts."""

    def __init__(self, section: Section, released: Section | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section = section
        self.tables: list[ReportTableView] = []
        self.charts: list[ReportChart] = []
        self.figures: list[QFrame] = []
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 8, 12, 8)
        column.setSpacing(8)
        if section.figures:
            card = QFrame(self)
            card.setObjectName("card")
            grid = QGridLayout(card)
            grid.setContentsMargins(12, 8, 12, 8)
            grid.setHorizontalSpacing(10)
            grid.setVerticalSpacing(6)
            paper = {f.key: f for f in released.figures} if released else {}
            for index, figure in enumerate(section.figures):
                self.figures.append(_figure(figure, paper.get(figure.key), grid, index, card))
            for pair in range(FIGURES_PER_ROW):
                grid.setColumnStretch(2 * pair + 1, 1)
                if pair:
                    grid.setColumnMinimumWidth(2 * pair, 60)
            column.addWidget(card)
        paper_tables = {t.key: t for t in released.tables} if released else {}
        for table in section.tables:
            if table.detail:
                continue
            column.addWidget(heading(_(table.title), 2, self))
            if table.note:
                note = paragraph(self, "muted")
                note.setText(_(table.note))
                column.addWidget(note)
            if not table.rows.codes or not table.cols.codes:
                empty = paragraph(self, "muted")
                empty.setText(_("Nothing was recorded in this period."))
                column.addWidget(empty)
                continue
            view = ReportTableView(table, paper_tables.get(table.key), self)
            self.tables.append(view)
            column.addWidget(view, 0, Qt.AlignLeading)
        for chart in section.charts:
            table = section.table(chart.table)
            if not table.rows.codes or not table.cols.codes:
                continue  # its table says there was nothing
            column.addWidget(heading(_(chart.title), 2, self))
            if table.detail and table.note:
                note = paragraph(self, "muted")
                note.setText(_(table.note))
                column.addWidget(note)
            widget = ReportChart(chart, table, self)
            widget.setMaximumWidth(900)
            self.charts.append(widget)
            column.addWidget(widget)
        if not (section.figures or self.tables or self.charts):
            empty = paragraph(self, "muted")
            empty.setText(_("Nothing to report for this period."))
            column.addWidget(empty)
        column.addStretch(1)


# -- the page ------------------------------------------------------------------------------------

class ReportsPage(QWidget):
    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        who.require(P.VIEW_REPORTS)
        self.report: Report | None = None
        self.on_paper: Report | None = None  # the released copy, for a report with true counts
        self.making = False
        self.task = None
        self.preview: DocumentPreview | None = None
        self.unmet_dialog = None
        self._relay: _Relay | None = None
        self._stale = False
        try:
            values = settings.get_settings(who)
            self.threshold, document_language = values.report_small_cell, values.document_language
        except ShelterError:
            self.threshold, document_language = 5, current_language()

        self.title = heading("", 1, self)
        self.error = ErrorLabel()
        _no_room_kept(self.error)  # the fields' own messages keep their line; this one is rare
        self.errors = FieldErrors(self.error)

        # What to report on.
        self.period = PeriodChooser(parent=self)
        self.shelter = QComboBox(self)
        self.shelter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.shelter.setMinimumContentsLength(18)  # a long name is cut here, whole in the open list
        self.shelter.addItem("", None)
        with contextlib.suppress(ShelterError):
            for place in shelters.list_shelters(who):
                self.shelter.addItem(f"{place.name} ({place.code})", place.id)
                self.shelter.setItemData(self.shelter.count() - 1, place.name, Qt.ToolTipRole)
        self.period_label = QLabel(self)
        self.period_label.setBuddy(self.period)
        self.shelter_label = QLabel(self)
        self.shelter_label.setBuddy(self.shelter)
        for label in (self.period_label, self.shelter_label):
            label.setContentsMargins(0, 6, 0, 0)  # level with the text of the fields (whose messages go under)
        self.make_button = QPushButton(self)
        self.make_button.setObjectName("primary")
        self.make_button.clicked.connect(self.make)
        self.unmet_button = QPushButton(self)
        self.unmet_button.setVisible(who.actor.has(P.RECORD_UNMET_REQUEST))
        self.unmet_button.clicked.connect(self.open_unmet_requests)
        self.anonymised_button = QPushButton(self)
        self.anonymised_button.setVisible(who.actor.has(P.EXPORT_ANONYMISED))
        self.anonymised_button.clicked.connect(self.export_anonymised)
        period_box = self.errors.field(self.period, "period", "period_from", "period_to")
        shelter_box = self.errors.field(self.shelter, "shelter_id", "shelter")
        # One line on a wide screen; on a narrow window the parts go onto more lines.
        choose = FlowRow(spacing=10)
        choose.addWidget(_pair(self.period_label, period_box, self))
        choose.addWidget(_pair(self.shelter_label, shelter_box, self))
        choose.addWidget(self.make_button)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.unmet_button, 0, Qt.AlignBottom)
        top.addWidget(self.anonymised_button, 0, Qt.AlignBottom)

        # Progress, then which copy is shown.
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(10)
        self.progress_text = paragraph(self, "muted")
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress_text)
        progress_row.addWidget(self.progress, 1)
        self.progress.hide()
        self.progress_text.hide()
        self.intro = paragraph(self, "muted")
        self.banner = paragraph(self, "important")
        self.banner.hide()
        self.stale = paragraph(self, "important")
        self.stale.hide()

        # The report, one tab per section.
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.hide()
        self.sections: list[SectionView] = []

        # Out of the machine: in the language chosen for the paper.
        self.language = LanguageBox(self)
        self.language.set_language(document_language)
        self.language_label = QLabel(self)
        self.language_label.setBuddy(self.language)
        self.save_buttons: dict[str, QPushButton] = {}
        output = FlowRow()
        output.addWidget(_pair(self.language_label, self.language, self))
        for fmt in FORMATS:
            button = QPushButton(self)
            button.clicked.connect(lambda _checked=False, f=fmt: self.save(f))
            self.save_buttons[fmt] = button
            output.addWidget(button)
        self.print_button = QPushButton(self)
        self.print_button.clicked.connect(self.print_report)
        output.addWidget(self.print_button)
        self.output_widgets = [self.language_label, self.language, *self.save_buttons.values(), self.print_button]
        self.output_error = ErrorLabel(self)
        _no_room_kept(self.output_error)
        self.output_done = paragraph(self, "muted")
        self.output_done.hide()

        self.placeholder = QWidget(self)  # holds the room the report takes once made
        self.placeholder.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

        layout = page_layout(self)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addLayout(choose)
        layout.addWidget(self.error)
        layout.addLayout(progress_row)
        layout.addWidget(self.intro)
        layout.addWidget(self.banner)
        layout.addWidget(self.stale)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.placeholder, 1)
        layout.addLayout(output)
        layout.addWidget(self.output_error)
        layout.addWidget(self.output_done)
        changes.changed.connect(self._records_changed)
        self._update_actions()
        self.retranslate()

    # -- texts ----------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(_("Reports"))
        self.period.retranslate()
        self.period_label.setText(_("Peri&od:"))
        self.shelter_label.setText(_("S&helter:"))
        self.shelter.setItemText(0, _("All shelters"))
        self.shelter.setAccessibleName(pgettext("a shelter, as a place", "Shelter"))
        self.make_button.setText(_("&Make the report"))
        self.anonymised_button.setText(_("&Anonymised export…"))
        self.anonymised_button.setToolTip(_("One row per stay, for the national committee or a study: no name, no "
                                            "date of birth, no free text; every combination of its columns shared "
                                            "by at least k stays; only people who agreed to be counted."))
        self.unmet_button.setText(_("Referrals &not admitted…"))
        self.unmet_button.setToolTip(_("Record a referral that could not be taken in, or withdraw one recorded "
                                       "by mistake"))
        self.language_label.setText(_("&Language of the document:"))
        for fmt, button in self.save_buttons.items():
            button.setText(_(FORMATS[fmt][0]))
        self.print_button.setText(_("P&rint…"))
        self.intro.setText(_("Choose a period and a shelter, then make the report. Printed and exported copies "
                             "never show a count below {n}.").format(n=self.threshold))
        self.progress.setAccessibleName(_("Making the report…"))
        self.stale.setText(_("Records have changed since this report was made: make it again to include them."))
        if self.report is not None:
            self.show_report(self.report, keep_tab=True)

    # -- making the report -------------------------------------------------------------------------

    def chosen_period(self) -> Period:
        return self.period.period()

    def make(self) -> None:
        """Make the report for the period and shelter chosen, off the GUI thread."""
        if self.making:
            return
        self.errors.clear()
        try:
            period = self.chosen_period()
        except ShelterError as exc:
            self.errors.show_error(exc)
            return
        from shelter.services import reports

        who, shelter_id = self.who, self.shelter.currentData()
        relay = _Relay()
        relay.progressed.connect(self._progressed)
        self._relay = relay

        def progress(done: int, total: int) -> None:
            with contextlib.suppress(RuntimeError):  # the page was closed meanwhile
                relay.progressed.emit(int(done), int(total))

        self.making = True
        self._progressed(0, 0)
        self._update_actions()
        self.task = run_task(self, lambda: reports.make_report(who, period, shelter_id, progress=progress),
                             self._made, self._failed, always=lambda _value: self._finished())

    def _progressed(self, done: int, total: int) -> None:
        if not self.making:
            return
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
            percent = round(100 * min(done, total) / total)
            self.progress_text.setText(_("Making the report… {percent} %").format(percent=percent))
        else:
            self.progress.setRange(0, 0)
            self.progress_text.setText(_("Making the report…"))
        self.progress.setAccessibleName(self.progress_text.text())
        self.progress.show()
        self.progress_text.show()

    def _finished(self) -> None:
        self._relay = None

    def _made(self, report: Report) -> None:
        self.making = False
        self.progress.hide()
        self.progress_text.hide()
        self._stale = False
        self.show_report(report)
        self._update_actions()

    def _failed(self, exc: BaseException) -> None:
        self.making = False
        self.progress.hide()
        self.progress_text.hide()
        self.errors.show_error(exc)
        self._update_actions()

    # -- showing it ------------------------------------------------------------------------------

    def show_report(self, report: Report, keep_tab: bool = False) -> None:
        """Show ``report`` (as made: true counts, or already released)."""
        current = self.tabs.currentIndex() if keep_tab else 0
        self.report = report
        self.on_paper = None if report.is_released else report.released(max(self.threshold, 2))
        tr = translator(current_language())
        about = _("{period} · {where} · made by {name}, {when}").format(
            period=report.period.label(tr), where=isolate(report.where(tr)), name=isolate(report.made_by),
            when=local_datetime(report.made_at))
        if report.is_released:
            self.banner.setObjectName("notice")
            self.banner.setText(about + "\n" + _("This is the copy that is printed and exported: counts below {n} show as "
                                  "“{mark}”, and some others as “x” so that they cannot be worked out from the "
                                  "totals.").format(n=report.threshold, mark=number(f"<{report.threshold}")))
        else:
            self.banner.setObjectName("important")
            self.banner.setText(about + "\n" + _(
                "Small counts are shown here; printed and exported copies hide them (below {n}: “{mark}”) and the "
                "cells shaded in this colour.").format(n=self.on_paper.threshold,
                                                      mark=number(f"<{self.on_paper.threshold}")))
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        self.tabs.blockSignals(True)
        while self.tabs.count():
            page = self.tabs.widget(0)
            self.tabs.removeTab(0)
            page.deleteLater()
        self.sections = []
        for section in report.sections:
            paper = self.on_paper.section(section.key) if self.on_paper else None
            view = SectionView(section, paper)
            self.sections.append(view)
            scroll = scrolled(view, horizontal=False)
            scroll.setAccessibleName(REPORT.label(section.key))
            self.tabs.addTab(scroll, REPORT.label(section.key))
        self.tabs.setCurrentIndex(min(max(current, 0), self.tabs.count() - 1))
        self.tabs.blockSignals(False)
        for widget in (self.banner, self.tabs):
            widget.show()
        self.intro.hide()
        self.placeholder.hide()
        self.stale.setVisible(self._stale)
        self._update_actions()

    def _records_changed(self, _change: object) -> None:
        if self.report is not None and not self._stale:
            self._stale = True
            self.stale.show()

    def _update_actions(self) -> None:
        ready = self.report is not None and not self.making
        self.make_button.setEnabled(not self.making)
        for widget in self.output_widgets:
            widget.setEnabled(ready)

    # -- out of the machine ----------------------------------------------------------------------

    def _say(self, error: str = "", done: str = "") -> None:
        self.output_error.set_message(error)
        self.output_done.setText(done)
        self.output_done.setVisible(bool(done))

    def save(self, fmt: str) -> None:
        """Ask where, then write the released copy in ``fmt`` off the GUI thread."""
        if self.report is None:
            return
        _text, pattern, extension = FORMATS[fmt]
        path, _chosen = QFileDialog.getSaveFileName(self, _("Save the report"), file_name(self.report, fmt),
                                                    _(pattern))
        if not path:
            return
        if not path.lower().endswith(extension):
            path += extension
        self.save_to(fmt, Path(path))

    def save_to(self, fmt: str, path: Path) -> None:
        from shelter.services import reports

        who, report, lang = self.who, self.report, self.language.language()
        self._say()
        self._busy(True)
        self.task = run_task(self, lambda: reports.export_report(who, report, fmt, lang, path),
                             lambda written: self._saved(Path(written)), self._save_failed,
                             always=lambda _value: None)

    def _busy(self, busy: bool) -> None:
        for widget in (*self.output_widgets, self.make_button):
            widget.setEnabled(not busy)
        if not busy:
            self._update_actions()

    def _saved(self, path: Path) -> None:
        self._busy(False)
        self._say(done=_("Saved: {path}").format(path=isolate(str(path))))

    def _save_failed(self, exc: BaseException) -> None:
        self._busy(False)
        self._say(error=output_error_text(exc))

    def print_report(self) -> None:
        """The released PDF in the print preview (printed from there)."""
        if self.report is None:
            return
        from shelter.services import reports

        who, report, lang = self.who, self.report, self.language.language()
        self._say()
        self._busy(True)
        self.task = run_task(self, lambda: reports.print_report(who, report, lang), self._show_preview,
                             self._print_failed)

    def _show_preview(self, pdf: bytes) -> None:
        self._busy(False)
        report = self.report
        tr = translator(self.language.language())
        title = _("Report — {period} — {where}").format(period=report.period.label(tr), where=report.where(tr))
        self.preview = DocumentPreview(pdf, title, None, self, allow_save=False)
        self.preview.open()

    def _print_failed(self, exc: BaseException) -> None:
        self._busy(False)
        self._say(error=output_error_text(exc))

    # -- the anonymised case-level export ----------------------------------------------------------

    def export_anonymised(self) -> None:
        """Ask where, then write the anonymised export off the GUI thread and say what it holds."""
        from datetime import date

        path, _chosen = QFileDialog.getSaveFileName(self, _("Save the anonymised export"),
                                                    f"anonymised-stays-{date.today().isoformat()}.csv",
                                                    _("CSV (*.csv)"))
        if not path:
            return
        if not path.lower().endswith(".csv"):
            path += ".csv"
        self.export_anonymised_to(Path(path))

    def export_anonymised_to(self, path: Path) -> None:
        from shelter.services.anonymised_export import export_anonymised

        who = self.who
        self._say()
        self._busy(True)
        self.anonymised_button.setEnabled(False)
        self.task = run_task(self, lambda: export_anonymised(who, path), self._anonymised_saved,
                             self._anonymised_failed)

    def _anonymised_saved(self, result: object) -> None:
        self._busy(False)
        self.anonymised_button.setEnabled(True)
        rows, left_out, suppressed, k = result.rows, result.not_consenting, result.suppressed, result.k
        self._say(done=" ".join((
            _("Saved: {path}").format(path=isolate(str(result.path))),
            ngettext("{n} stay written", "{n} stays written", len(rows)).format(n=len(rows)) + ";",
            ngettext("{n} person left out who has not agreed to be counted",
                     "{n} people left out who have not agreed to be counted", left_out).format(n=left_out) + ";",
            ngettext("{n} stay left out so that every combination is shared by at least {k}",
                     "{n} stays left out so that every combination is shared by at least {k}",
                     suppressed).format(n=suppressed, k=k) + ".")))

    def _anonymised_failed(self, exc: BaseException) -> None:
        self._busy(False)
        self.anonymised_button.setEnabled(True)
        self._say(error=output_error_text(exc))

    # -- referrals not admitted -------------------------------------------------------------------

    def open_unmet_requests(self) -> None:
        from ui.reports.unmet import UnmetRequestsDialog

        self.unmet_dialog = UnmetRequestsDialog(self.who, self.shelter.currentData(), self)
        self.unmet_dialog.changed_callbacks.append(lambda: self._records_changed(None))
        self.unmet_dialog.open()


def _pair(label: QLabel, field: QWidget, parent: QWidget) -> QWidget:
    """A label and its field, kept together on one line of a FlowRow."""
    holder = QWidget(parent)
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(6)
    row.addWidget(label, 0, Qt.AlignTop)
    row.addWidget(field, 0, Qt.AlignTop)
    holder.setFocusProxy(field)
    return holder


def _no_room_kept(label: ErrorLabel) -> None:
    """A message label that takes no room while it has nothing to say."""
    policy = label.sizePolicy()
    policy.setRetainSizeWhenHidden(False)
    label.setSizePolicy(policy)


def output_error_text(exc: BaseException) -> str:
    """Why a copy could not be written, in plain words (nothing on screen is lost)."""
    if isinstance(exc, StorageFull):
        return exc.message
    if isinstance(exc, PermissionError):
        return _("You may not write in that folder. Choose another one (your documents, a USB drive) and try "
                 "again.")
    if isinstance(exc, OSError):
        return _("The file could not be saved there. Check that the folder exists and that the drive is "
                 "connected, then try again.")
    return error_text(exc)

