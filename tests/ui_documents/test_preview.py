"""The document preview: pages rendered in memory, printing that leaves no
file behind, saving only after the warning, failures shown without losing
the preview."""

from __future__ import annotations

import io
import os
import tempfile

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from ui.qt import QDialog, QMessageBox, Qt


def two_page_pdf() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for text in ("Page one", "Page two"):
        pdf.setFont("Helvetica", 28)
        pdf.drawString(72, A4[1] - 120, text)
        pdf.rect(72, 72, A4[0] - 144, A4[1] - 240)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


PDF = two_page_pdf()


@pytest.fixture
def interface(qapp):
    """Switch languages in a test; English and left to right come back after."""
    from ui.shell.language import InterfaceLanguage

    language = InterfaceLanguage(qapp)
    yield language
    language.apply("en")


@pytest.fixture
def outputs():
    return []


@pytest.fixture
def preview(qtbot, outputs):
    from ui.documents import DocumentPreview

    dialog = DocumentPreview(PDF, "Handover — RBT1-2031-0001", outputs.append, suggested_name="handover.pdf")
    qtbot.addWidget(dialog)
    dialog.resize(700, 900)
    return dialog


@pytest.fixture
def no_dialogs(monkeypatch):
    """Any message box not expected by a test fails it instead of blocking."""
    calls = {"critical": [], "warning": [], "question": []}
    for name in calls:
        def record(*args, _name=name, **kwargs):
            calls[_name].append(args)
            return QMessageBox.StandardButton.No
        monkeypatch.setattr(QMessageBox, name, staticmethod(record))
    return calls


def shown_pixmaps(dialog):
    return [label.pixmap() for label in dialog.page_labels()
            if label.pixmap() is not None and not label.pixmap().isNull()]


def test_every_page_is_shown_as_an_image(qtbot, preview):
    preview.show()
    qtbot.waitExposed(preview)
    assert preview.page_count() == 2
    qtbot.waitUntil(lambda: len(shown_pixmaps(preview)) == 2)
    first = shown_pixmaps(preview)[0]
    assert first.height() > first.width() > 300  # an A4 page, portrait, readable size
    assert preview.print_button.isDefault()
    assert preview.save_button is not None and preview.save_button.isVisible()
    assert "Page 1 of 2" in preview._position.text()


def test_zoom_changes_the_page_size_and_fit_width_comes_back(qtbot, preview):
    preview.show()
    qtbot.waitExposed(preview)
    fitted = preview.page_labels()[0].width()
    preview.zoom_in()
    assert preview.page_labels()[0].width() > fitted or preview.zoom() == 4.0
    preview.zoom_out()
    preview.zoom_out()
    assert preview.page_labels()[0].width() < fitted
    preview.fit_width()
    assert preview.page_labels()[0].width() == fitted
    qtbot.waitUntil(lambda: len(shown_pixmaps(preview)) >= 1)


def test_without_save_there_is_no_save_button(qtbot):
    from ui.documents import DocumentPreview

    dialog = DocumentPreview(PDF, "Recovery sheet", allow_save=False)
    qtbot.addWidget(dialog)
    assert dialog.save_button is None
    assert dialog.print_button.text() == "Print…"


def test_preview_and_print_leave_nothing_in_the_temporary_folder(qtbot, tmp_path, monkeypatch, outputs):
    from ui.documents import DocumentPreview
    from ui.qt import QPrinter

    temp = tmp_path / "temp"
    temp.mkdir()
    for variable in ("TMPDIR", "TEMP", "TMP"):
        monkeypatch.setenv(variable, str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    target = tmp_path / "printed" / "out.pdf"
    target.parent.mkdir()

    dialog = DocumentPreview(PDF, "Handover", outputs.append)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: len(shown_pixmaps(dialog)) == 2)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    dialog.print_to(printer)
    dialog.close()

    reader = PdfReader(str(target))
    assert len(reader.pages) == 2
    assert printer.docName() == "Handover"
    assert outputs == ["print"]
    assert os.listdir(temp) == []
    assert os.listdir(target.parent) == ["out.pdf"]


@pytest.fixture
def a_printer(monkeypatch):
    """A printer installed (the machines running the tests have none)."""
    from ui.qt import QPrinterInfo

    monkeypatch.setattr(QPrinterInfo, "availablePrinterNames", staticmethod(lambda: ["Office"]))


def test_the_print_button_prints_through_the_print_dialog(qtbot, tmp_path, monkeypatch, preview, outputs,
                                                          a_printer):
    from ui.qt import QPrinter

    target = tmp_path / "out.pdf"

    def accept(dialog):
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(target))
        return QDialog.DialogCode.Accepted

    from ui.qt import QPrintDialog

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    assert len(PdfReader(str(target)).pages) == 2
    assert outputs == ["print"]


def test_a_cancelled_print_dialog_prints_nothing(qtbot, monkeypatch, preview, outputs, a_printer):
    from ui.qt import QPrintDialog

    monkeypatch.setattr(QPrintDialog, "exec", lambda dialog: QDialog.DialogCode.Rejected)
    preview.print_document()
    assert outputs == []


def test_with_no_printer_installed_it_says_so_and_offers_the_pdf(qtbot, monkeypatch, preview, outputs):
    from ui.qt import QMessageBox, QPrintDialog, QPrinterInfo

    monkeypatch.setattr(QPrinterInfo, "availablePrinterNames", staticmethod(lambda: []))
    opened, told = [], []
    monkeypatch.setattr(QPrintDialog, "exec", lambda dialog: opened.append(dialog) or QDialog.DialogCode.Rejected)
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text, *a: told.append(text))
    preview.print_document()
    assert opened == [] and outputs == []
    assert len(told) == 1 and "No printer is installed" in told[0] and "PDF" in told[0]


def test_save_to_writes_the_exact_bytes(tmp_path, preview, outputs, no_dialogs):
    target = tmp_path / "handover.pdf"
    assert preview.save_to(str(target)) is True
    assert target.read_bytes() == PDF
    assert outputs == ["save"]
    assert no_dialogs["critical"] == []


def test_a_failed_save_is_shown_and_the_preview_stays_usable(qtbot, tmp_path, preview, outputs, no_dialogs):
    preview.show()
    qtbot.waitExposed(preview)
    assert preview.save_to(str(tmp_path / "no such folder" / "handover.pdf")) is False
    assert len(no_dialogs["critical"]) == 1
    assert "could not be saved" in no_dialogs["critical"][0][2]
    assert outputs == []
    assert preview.isVisible()
    assert preview.save_to(str(tmp_path / "handover.pdf")) is True  # the next try works
    assert outputs == ["save"]


def test_a_full_disk_is_reported_in_plain_words(tmp_path, monkeypatch, preview, outputs, no_dialogs):
    import errno

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("shelter.atomic.os.write", full)
    assert preview.save_to(str(tmp_path / "handover.pdf")) is False
    assert "disk is full" in no_dialogs["critical"][0][2]
    assert os.listdir(tmp_path) == []  # no half-written file left
    assert outputs == []


def test_saying_no_to_the_warning_writes_nothing(tmp_path, monkeypatch, preview, outputs, no_dialogs):
    from ui.qt import QFileDialog

    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: asked.append(args) or (str(tmp_path / "x.pdf"), "")))
    assert preview.confirm_unencrypted() is False
    preview.save_as()
    warning = no_dialogs["warning"][0]
    assert "not be encrypted" in warning[2]
    assert warning[4] == QMessageBox.StandardButton.No  # No is the default button
    assert asked == []
    assert os.listdir(tmp_path) == []
    assert outputs == []


def test_save_as_adds_the_extension_after_the_warning(tmp_path, monkeypatch, preview, outputs, no_dialogs):
    from ui.qt import QFileDialog

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *args: QMessageBox.StandardButton.Yes))
    asked = []

    def choose(parent, caption, directory, filters):
        asked.append((directory, filters))
        return str(tmp_path / "handover"), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(choose))
    preview.save_as()
    assert asked == [("handover.pdf", "PDF (*.pdf)")]
    assert (tmp_path / "handover.pdf").read_bytes() == PDF
    assert outputs == ["save"]


def test_the_layout_mirrors_in_arabic(qtbot, interface):
    from ui.documents import DocumentPreview

    interface.apply("ar")
    dialog = DocumentPreview(PDF, "وثيقة")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert dialog._zoom_out_button.x() > dialog._position.x()
