"""Preview a generated PDF, print it, or (when asked, after a warning) save it.

Everything happens in memory: the PDF arrives as bytes from the core, its
pages are rasterised in memory and painted on screen or on the printer.
Nothing is written to disk or to a temporary folder while previewing or
printing (no temporary file, no cache); the only write is the "Save as PDF"
the person asks for, after a warning that the file will not be encrypted.

Why pypdfium2 renders the pages: the PySide6-Essentials wheel the app ships
has no QtPdf module; QtPdf comes only with PySide6-Addons, a 175 MB wheel.
pypdfium2 is about 4 MB and renders straight from bytes in memory
(``pypdfium2.PdfDocument(pdf_bytes)``), so no file is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c

from shelter.atomic import write_atomic
from shelter.errors import ShelterError, StorageFull
from shelter.i18n import _
from ui.qt import (
    QAbstractPrintDialog,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QFileDialog,
    QFrame,
    QGuiApplication,
    QHBoxLayout,
    QImage,
    QKeySequence,
    QLabel,
    QMessageBox,
    QObject,
    QPageLayout,
    QPageSize,
    QPainter,
    QPixmap,
    QPrintDialog,
    QPrinter,
    QPrinterInfo,
    QRectF,
    QScrollArea,
    QShortcut,
    QSizeF,
    Qt,
    QTimer,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

POINTS_PER_INCH = 72.0
SCREEN_DPI = 96.0  # 100 % shows a page at about its printed size
PRINT_DPI_CAP = 300.0  # enough for text; an A4 page is then ~35 MB in memory
ZOOMS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)
GAP = 16  # pixels around and between the pages

# pdfium pixel formats as QImage formats. BGRx/BGRA bytes are the 32-bit
# 0xAARRGGBB words QImage expects on little-endian machines (x86, ARM).
_QT_FORMATS = {
    pdfium_c.FPDFBitmap_BGRx: QImage.Format.Format_RGB32,
    pdfium_c.FPDFBitmap_BGRA: QImage.Format.Format_ARGB32,
    pdfium_c.FPDFBitmap_BGR: QImage.Format.Format_BGR888,
    pdfium_c.FPDFBitmap_Gray: QImage.Format.Format_Grayscale8,
}


class PrintFailed(ShelterError):
    """The printer could not be opened or refused a page."""


def render_page(page: pypdfium2.PdfPage, scale: float) -> QImage:
    """Rasterise ``page`` at ``scale`` pixels per PDF point into a QImage
    that owns its pixels (copied before pdfium's bitmap is freed)."""
    bitmap = page.render(scale=scale, rev_byteorder=False, prefer_bgrx=True)
    try:
        image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, _QT_FORMATS[bitmap.format])
        return image.copy()
    finally:
        bitmap.close()


class DocumentPreview(QDialog):
    """The pages of a PDF one under the other, with zoom, Print and Save.

    ``on_output("print")`` / ``on_output("save")`` is called after the
    document really went to a printer or into a file (for the audit log).
    """

    def __init__(self, pdf: bytes, title: str, on_output: Callable[[str], None] | None = None,
                 parent: QWidget | None = None, *, allow_save: bool = True, suggested_name: str = "") -> None:
        super().__init__(parent)
        self._pdf_bytes = bytes(pdf)
        self._title = title
        self._on_output = on_output
        self._suggested_name = suggested_name
        with self._open() as doc:
            self._sizes: list[tuple[float, float]] = [doc.get_page_size(i) for i in range(len(doc))]
        self._zoom = 1.0
        self._fit_width = True
        self._rendered: dict[int, float] = {}  # page index -> pixels per point of its pixmap

        self.setWindowTitle(title)
        self.setSizeGripEnabled(True)

        # the pages
        self._pages = QWidget()
        self._pages.setObjectName("previewPages")
        column = QVBoxLayout(self._pages)
        column.setContentsMargins(GAP, GAP, GAP, GAP)
        column.setSpacing(GAP)
        self._labels: list[QLabel] = []
        for number in range(1, len(self._sizes) + 1):
            label = QLabel()
            label.setObjectName("previewPage")
            label.setAccessibleName(_("Page {page} of {pages}").format(page=number, pages=len(self._sizes)))
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            column.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
            self._labels.append(label)
        column.addStretch(1)
        self._scroll = QScrollArea()
        self._scroll.setObjectName("previewScroll")
        self._scroll.setWidget(self._pages)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # arrows and Page Down scroll the pages
        self._scroll.setAccessibleName(title)
        self._scroll.viewport().installEventFilter(self)
        self._scroll.verticalScrollBar().valueChanged.connect(self._schedule_render)

        # zoom and position
        self._zoom_out_button = self._tool_button("−", _("Zoom out"), self.zoom_out)
        self._zoom_in_button = self._tool_button("+", _("Zoom in"), self.zoom_in)
        self._fit_button = self._tool_button(_("Fit width"), _("Fit width"), self.fit_width)
        self._fit_button.setCheckable(True)
        self._zoom_label = QLabel()
        self._zoom_label.setMinimumWidth(self._zoom_label.fontMetrics().horizontalAdvance("000 %") + 8)
        self._zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._position = QLabel()
        self._position.setObjectName("muted")
        tools = QHBoxLayout()
        tools.addWidget(self._zoom_out_button)
        tools.addWidget(self._zoom_label)
        tools.addWidget(self._zoom_in_button)
        tools.addWidget(self._fit_button)
        tools.addStretch(1)
        tools.addWidget(self._position)

        # actions
        buttons = QDialogButtonBox()
        self.print_button = buttons.addButton(_("Print…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.clicked.connect(self.print_document)
        self.save_button = None
        if allow_save:
            self.save_button = buttons.addButton(_("Save as PDF…"), QDialogButtonBox.ButtonRole.ActionRole)
            self.save_button.clicked.connect(self.save_as)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setText(_("Close"))
        buttons.rejected.connect(self.reject)
        for button in buttons.buttons():
            button.setAutoDefault(False)
        self.print_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self._scroll, 1)
        layout.addWidget(buttons)

        for keys, slot in ((QKeySequence.StandardKey.Print, self.print_document),
                           (QKeySequence.StandardKey.ZoomIn, self.zoom_in),
                           (QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Equal), self.zoom_in),
                           (QKeySequence.StandardKey.ZoomOut, self.zoom_out)):
            QShortcut(QKeySequence(keys), self, activated=slot)

        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(0)
        self._render_timer.timeout.connect(self._render_visible)

        screen = self.screen().availableGeometry() if self.screen() else None
        height = min(1000, int(screen.height() * 0.9)) if screen else 900
        self.resize(min(820, int(screen.width() * 0.9)) if screen else 820, height)
        self._apply_zoom()

    # -- reading the document -------------------------------------------------

    def page_count(self) -> int:
        return len(self._sizes)

    def page_labels(self) -> list[QLabel]:
        """The widgets that show the pages, in order (a page's pixmap is null
        until it comes near the visible part of the scroll area)."""
        return list(self._labels)

    def current_page(self) -> int:
        """The page (from 1) at the middle of the visible area."""
        middle = self._scroll.verticalScrollBar().value() + self._scroll.viewport().height() / 2
        top, scale = GAP, self._display_scale()
        for index, (_width, height) in enumerate(self._sizes):
            top += round(height * scale) + GAP
            if middle < top:
                return index + 1
        return len(self._sizes)

    def _open(self) -> pypdfium2.PdfDocument:
        """The PDF parsed from memory; opened for each use (it is quick) so
        nothing stays open behind a closed dialog. Use as a context manager."""
        return pypdfium2.PdfDocument(self._pdf_bytes)

    @staticmethod
    def _render(doc: pypdfium2.PdfDocument, index: int, scale: float) -> QImage:
        page = doc[index]
        try:
            return render_page(page, scale)
        finally:
            page.close()

    # -- on screen ------------------------------------------------------------

    def _tool_button(self, text: str, name: str, slot: Callable[[], None]) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(name)
        button.setAccessibleName(name)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.clicked.connect(slot)
        return button

    def _display_scale(self) -> float:
        """Logical screen pixels per PDF point."""
        return self._zoom * SCREEN_DPI / POINTS_PER_INCH

    def _fitting_zoom(self) -> float:
        scrollbar = self._scroll.verticalScrollBar().sizeHint().width()
        available = self._scroll.width() - 2 * self._scroll.frameWidth() - scrollbar - 2 * GAP
        widest = max((width for width, _height in self._sizes), default=POINTS_PER_INCH)
        zoom = available / (widest * SCREEN_DPI / POINTS_PER_INCH)
        return min(max(zoom, ZOOMS[0]), ZOOMS[-1])

    def zoom(self) -> float:
        return self._zoom

    def zoom_in(self) -> None:
        self._set_zoom(next((z for z in ZOOMS if z > self._zoom + 0.01), ZOOMS[-1]))

    def zoom_out(self) -> None:
        self._set_zoom(next((z for z in reversed(ZOOMS) if z < self._zoom - 0.01), ZOOMS[0]))

    def fit_width(self) -> None:
        self._fit_width = True
        self._apply_zoom()

    def _set_zoom(self, zoom: float) -> None:
        self._fit_width = False
        self._zoom = zoom
        self._apply_zoom()

    def _apply_zoom(self) -> None:
        if self._fit_width:
            self._zoom = self._fitting_zoom()
        bar = self._scroll.verticalScrollBar()
        fraction = bar.value() / bar.maximum() if bar.maximum() > 0 else 0.0
        scale = self._display_scale()
        for label, (width, height) in zip(self._labels, self._sizes, strict=True):
            label.setFixedSize(max(1, round(width * scale)), max(1, round(height * scale)))
        self._zoom_label.setText(_("{percent} %").format(percent=round(self._zoom * 100)))
        self._fit_button.setChecked(self._fit_width)
        self._zoom_in_button.setEnabled(self._zoom < ZOOMS[-1] - 0.01)
        self._zoom_out_button.setEnabled(self._zoom > ZOOMS[0] + 0.01)
        self._pages.adjustSize()
        bar.setValue(round(fraction * bar.maximum()))
        self._schedule_render()

    def _schedule_render(self) -> None:
        self._render_timer.start()

    def _render_visible(self) -> None:
        """Render the pages on screen and within one screen of it; let go of
        the others so a long document does not fill the memory."""
        top = self._scroll.verticalScrollBar().value()
        height = max(self._scroll.viewport().height(), 1)
        near_top, near_bottom = top - height, top + 2 * height
        scale = self._display_scale()
        ratio = self.devicePixelRatioF()
        wanted, y = [], GAP
        for index, (label, (_width, page_height)) in enumerate(zip(self._labels, self._sizes, strict=True)):
            bottom = y + round(page_height * scale)
            if bottom >= near_top and y <= near_bottom:
                if self._rendered.get(index) != scale * ratio:
                    wanted.append(index)
            elif index in self._rendered:
                label.clear()
                del self._rendered[index]
            y = bottom + GAP
        if wanted:
            with self._open() as doc:
                for index in wanted:
                    pixmap = QPixmap.fromImage(self._render(doc, index, scale * ratio))
                    pixmap.setDevicePixelRatio(ratio)
                    self._labels[index].setPixmap(pixmap)
                    self._rendered[index] = scale * ratio
        self._position.setText(_("Page {page} of {pages}").format(page=self.current_page(), pages=self.page_count()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self._scroll.viewport() and event.type() == QEvent.Type.Resize:
            if self._fit_width:
                QTimer.singleShot(0, self, self._refit)
            else:
                self._schedule_render()
        return super().eventFilter(watched, event)

    def _refit(self) -> None:
        if self._fit_width and abs(self._fitting_zoom() - self._zoom) > 0.001:
            self._apply_zoom()
        else:
            self._schedule_render()

    def done(self, result: int) -> None:
        super().done(result)
        for label in self._labels:
            label.clear()
        self._rendered.clear()

    def showEvent(self, event) -> None:  # noqa: N802, ANN001
        super().showEvent(event)
        if self._fit_width:
            self._apply_zoom()
        self._schedule_render()

    # -- printing -------------------------------------------------------------

    def print_document(self) -> None:
        """Ask which printer, then print. Printing to a file is not offered:
        a PDF on disk goes through Save as PDF and its warning. With no
        printer installed it says so, instead of a dialog with nothing to
        choose and a failure blaming a printer that is "off"."""
        if not QPrinterInfo.availablePrinterNames():
            QMessageBox.information(self, _("Print"), _(
                "No printer is installed on this computer. Save the document as a PDF, or ask the person "
                "responsible for IT to install the printer."))
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self._title)
        printer.setFullPage(True)
        if self._sizes:
            width, height = self._sizes[0]
            landscape = width > height
            size = QPageSize(QSizeF(min(width, height), max(width, height)), QPageSize.Unit.Point, "",
                             QPageSize.SizeMatchPolicy.FuzzyMatch)
            printer.setPageSize(size)
            printer.setPageOrientation(QPageLayout.Orientation.Landscape if landscape
                                       else QPageLayout.Orientation.Portrait)
        dialog = QPrintDialog(printer, self)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, False)
        dialog.setMinMax(1, max(1, self.page_count()))
        dialog.setFromTo(1, max(1, self.page_count()))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            self.print_to(printer)
        except PrintFailed as exc:
            QMessageBox.critical(self, _("Print"), exc.message)

    def print_to(self, printer: QPrinter) -> None:
        """Paint every page (or the range chosen in the print dialog) on
        ``printer``, each rendered at the printer's resolution (at most
        300 dpi) and fitted to the paper keeping its proportions; the PDF has
        its own margins, so the whole sheet is used. Then ``on_output("print")``.
        Raises PrintFailed if the printer cannot be opened."""
        printer.setDocName(self._title)
        printer.setFullPage(True)
        indexes = list(range(self.page_count()))
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
            last = printer.toPage() if printer.toPage() > 0 else self.page_count()
            indexes = [i for i in indexes if printer.fromPage() - 1 <= i <= last - 1]
        dpi = min(float(printer.resolution()), PRINT_DPI_CAP)
        failed = PrintFailed(_("The document could not be printed. Check that the printer is on and "
                               "connected, then try again."))
        painter = QPainter()
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            if not painter.begin(printer):
                raise failed
            try:
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                with self._open() as doc:
                    for position, index in enumerate(indexes):
                        if position and not printer.newPage():
                            raise failed
                        image = self._render(doc, index, dpi / POINTS_PER_INCH)
                        paper = printer.paperRect(QPrinter.Unit.DevicePixel)
                        painter.drawImage(_fit(QRectF(0, 0, paper.width(), paper.height()), image), image)
                        del image  # one page in memory at a time
            finally:
                painter.end()
        finally:
            QGuiApplication.restoreOverrideCursor()
        self._output("print")

    # -- saving ---------------------------------------------------------------

    def confirm_unencrypted(self) -> bool:
        """Warn that the saved file is not protected; No is the default."""
        answer = QMessageBox.warning(
            self, _("Save as PDF"),
            _("The PDF file will not be encrypted: anyone who gets the file can read it.\n\n"
              "Keep it only on an encrypted or removable drive under the shelter's control, "
              "and delete it when it is no longer needed.\n\nSave the file anyway?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def save_as(self) -> None:
        """The warning, then where to save, then the file."""
        if not self.confirm_unencrypted():
            return
        path, _chosen_filter = QFileDialog.getSaveFileName(self, _("Save as PDF"), self._suggested_name,
                                                           _("PDF (*.pdf)"))
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
            if Path(path).exists():  # the file dialog asked about the name without .pdf
                answer = QMessageBox.question(
                    self, _("Save as PDF"),
                    _("{name} already exists. Replace it?").format(name=Path(path).name),
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
                if answer != QMessageBox.StandardButton.Yes:
                    return
        self.save_to(path)

    def save_to(self, path: str) -> bool:
        """Write the PDF to ``path`` (whole or not at all, readable by the
        owner only), then ``on_output("save")``. A failure is shown and the
        preview stays open; returns whether the file was written."""
        try:
            write_atomic(Path(path), self._pdf_bytes)
        except StorageFull as exc:
            message = exc.message
        except OSError:
            message = _("The PDF could not be saved there. Check that the folder exists, that you may write "
                        "to it and that the drive is connected, then try again.")
        else:
            self._output("save")
            return True
        QMessageBox.critical(self, _("Save as PDF"), message)
        return False

    def _output(self, kind: str) -> None:
        if self._on_output is not None:
            self._on_output(kind)


def _fit(area: QRectF, image: QImage) -> QRectF:
    """The largest rectangle with the image's proportions, centred in ``area``."""
    if image.width() <= 0 or image.height() <= 0:
        return area
    scale = min(area.width() / image.width(), area.height() / image.height())
    width, height = image.width() * scale, image.height() * scale
    return QRectF(area.x() + (area.width() - width) / 2, area.y() + (area.height() - height) / 2, width, height)
