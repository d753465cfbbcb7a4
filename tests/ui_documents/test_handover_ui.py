"""The handover form and Administration → Documents, driven as a person
would: consent shown per section, an exception needs a reason, the paper
printed (to a PDF printer) with nothing in the temp folder, and a paper
checked afterwards."""

from __future__ import annotations

import io
import json
import os
import tempfile
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from shelter.services import admissions, handover
from shelter.storage.models import AuditEntry
from tests.cases import admission, bed_ids
from tests.documents.pdftext import normalise
from ui.qt import QMessageBox, QPrinter, Qt

IOM = "OIM Rabat"


@pytest.fixture
def resident(coordinator):
    return admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))


@pytest.fixture
def empty_temp(monkeypatch, tmp_path):
    """A fresh, empty temp folder for everything in this process."""
    folder = tmp_path / "temp"
    folder.mkdir()
    for name in ("TMPDIR", "TEMP", "TMP"):
        monkeypatch.setenv(name, str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def audit_actions(who) -> list[tuple[str, dict]]:
    with who.store.read() as s:
        return [(e.action, json.loads(e.detail)) for e in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()]


def dialog_for(qtbot, who, resident, **kwargs):
    from ui.documents.handover import HandoverDialog

    dialog = HandoverDialog(who, resident.resident_id, resident.case_number, **kwargs)
    qtbot.addWidget(dialog)
    return dialog


def test_form_shows_consent_per_section_and_prints_without_temp_files(qtbot, coordinator, resident,
                                                                       empty_temp, tmp_path):
    handover.record_consent(coordinator, resident.resident_id, IOM, ("identity", "languages"))
    dialog = dialog_for(qtbot, coordinator, resident)
    assert dialog.receiver.currentText() == IOM  # offered from the consents
    assert dialog.chosen_sections() == ("identity", "languages")
    assert dialog.section_states["safety"].text() == "no consent for this receiver"
    assert not dialog.override.isVisibleTo(dialog)
    dialog.receiver.setEditText("Hôpital Ibn Sina")
    assert dialog.chosen_sections() == ()
    dialog.receiver.setEditText("oim rabat")
    dialog.person.setText("Mme Nadia Alaoui")
    dialog.language.setCurrentIndex(dialog.language.findData("ar"))
    dialog.add_item("Passeport")
    dialog.submit()
    preview = dialog.preview
    assert preview is not None and dialog.issued.sections == ("identity", "languages")
    qtbot.addWidget(preview)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    preview.print_to(printer)
    assert len(PdfReader(out).pages) == len(PdfReader(io.BytesIO(dialog.issued.pdf)).pages)
    assert os.listdir(empty_temp) == []
    entries = audit_actions(coordinator)
    assert ("document.print", {"document": "handover", "lang": "ar"}) in entries
    [(_, issued)] = [e for e in entries if e[0] == "document.handover"]
    assert issued["sections"] == "identity,languages" and issued["lang"] == "ar"


def test_a_section_without_consent_asks_for_a_reason(qtbot, coordinator, resident):
    dialog = dialog_for(qtbot, coordinator, resident, receiver="Hôpital Ibn Sina")
    dialog.section_boxes["safety"].setChecked(True)
    assert dialog.override.isVisibleTo(dialog)
    dialog.submit()
    assert dialog.preview is None
    assert "has not consented" in dialog.errors.label("override_reason").text()  # beside the reason box
    dialog.override.setPlainText("The ward must know about the trafficker contact risk")
    dialog.submit()
    assert dialog.preview is not None and dialog.issued.overridden == ("safety",)
    dialog.preview.close()


def test_resident_consenting_now_records_the_consent(qtbot, coordinator, resident):
    dialog = dialog_for(qtbot, coordinator, resident, receiver="Hôpital Ibn Sina")
    dialog.section_boxes["stay"].setChecked(True)
    dialog.consent_now.setChecked(True)
    assert not dialog.override.isVisibleTo(dialog)
    dialog.submit()
    assert dialog.issued.sections == ("stay",) and dialog.issued.overridden == ()
    assert handover.consented_sections(coordinator, resident.resident_id, "hopital ibn sina") == ("stay",)
    dialog.preview.close()


def test_an_empty_receiver_is_refused_in_the_form(qtbot, coordinator, resident):
    dialog = dialog_for(qtbot, coordinator, resident)
    dialog.receiver.setEditText("")
    dialog.submit()
    assert dialog.errors.label("receiver").text() == "Name the receiving organisation." and dialog.preview is None
    assert dialog.error.isHidden()  # beside the receiver, not at the bottom


def test_administration_checks_a_paper(qtbot, coordinator, admin, resident):
    from ui.admin.documents import DocumentsTab

    issued = handover.issue_handover(coordinator, handover.HandoverRequest(
        resident.resident_id, "referral", IOM, "", date.today(), "Salma, 0600"), "fr")
    tab = DocumentsTab(admin)
    qtbot.addWidget(tab)
    tab.reference.setText(issued.reference)
    tab.code.setText(issued.verification_code.lower())
    tab.check()
    assert tab.result.text().startswith("Genuine") and IOM in tab.result.text()
    assert "Fatima" not in tab.result.text()
    tab.code.setText("0000-0000")
    tab.check()
    assert tab.result.text().startswith("Not confirmed")


def test_new_recovery_code_not_printed_is_shown_to_write_down(qtbot, admin, monkeypatch, recovery_code):
    from ui.admin.documents import DocumentsTab

    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.Yes)
    shown: list[str] = []
    tab = DocumentsTab(admin)
    qtbot.addWidget(tab)
    monkeypatch.setattr(tab, "_write_down", shown.append)
    tab.new_code()
    preview = tab.preview
    assert preview is not None
    preview.reject()
    assert len(shown) == 1 and shown[0] != recovery_code
    # The new code is the one in force now: a copy can be printed with it.
    tab.current_code.setText(shown[0])
    tab.print_copy()
    assert tab.sheet_error.isHidden()
    tab.preview.reject()


def test_a_copy_with_a_wrong_code_is_refused(qtbot, admin, recovery_code):
    from ui.admin.documents import DocumentsTab

    tab = DocumentsTab(admin)
    qtbot.addWidget(tab)
    tab.current_code.setText("0000-0000-0000")
    tab.print_copy()
    assert not tab.sheet_errors.label("recovery_code").isHidden() and tab.preview is None  # beside the code
    tab.current_code.setText(recovery_code)
    tab.print_copy()
    assert tab.sheet_error.isHidden() and tab.preview is not None
    text = normalise(tab.preview.windowTitle())
    assert text == "Recovery sheet"
    tab.preview.reject()


def test_dates_stay_iso_in_arabic(qapp, qtbot):
    """A date field in Arabic keeps the ISO order, left to right: 2026-11-24,
    never 24-11-2026."""
    from ui.shell.language import InterfaceLanguage
    from ui.widgets import DateField

    language = InterfaceLanguage(qapp)
    language.apply("ar")
    try:
        edit = DateField("handover_on")
        qtbot.addWidget(edit)
        assert edit.edit.text() == date.today().isoformat() and edit.edit.layoutDirection() == Qt.LeftToRight
    finally:
        language.apply("en")


def test_moving_to_another_shelter_offers_the_handover_form(qtbot, coordinator, admin, resident,
                                                            monkeypatch):
    from shelter.services import shelters
    from ui.beds import BedBoardPage

    refused: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *a: refused.append(text))

    other = shelters.create_shelter(admin, "Dar Al Hanane", "FES", "Fès")
    shelters.add_room(admin, other.id, "Chambre A", beds=2, women_only=True)
    page = BedBoardPage(coordinator)
    qtbot.addWidget(page)
    stay = next(t.stay_id for b in page.boards for r in b.rooms for t in r.beds if t.status == "occupied")
    near = next(t.bed_id for b in page.boards if b.shelter_id != other.id for r in b.rooms if r.name == "Room 1"
                for t in r.beds if t.status == "free")
    page.move(stay, near)
    qtbot.waitUntil(lambda: page.tiles[near].status == "occupied" or bool(refused), timeout=5000)
    assert not refused, refused
    assert getattr(page, "handover_dialog", None) is None  # same shelter: nothing
    far = next(t.bed_id for b in page.boards if b.shelter_id == other.id for r in b.rooms for t in r.beds)
    page.move(stay, far)
    qtbot.waitUntil(lambda: getattr(page, "handover_dialog", None) is not None or bool(refused), timeout=5000)
    assert not refused, refused
    form = page.handover_dialog
    assert form.isVisible() and form.reason.currentData() == "transfer"
    assert form.receiver.currentText() == "Dar Al Hanane" and form.case_number == resident.case_number
    form.reject()


def test_an_item_typed_into_the_belongings_stays_in_view(qtbot, coordinator, resident):
    dialog = dialog_for(qtbot, coordinator, resident)
    dialog.show()
    dialog.belongings.setFixedHeight(110)  # room for four or five rows, as on a small screen
    qtbot.wait(20)
    for n in range(8):
        dialog.new_item.setText(f"Bag number {n}")
        dialog._add_typed()
    last = dialog.belongings.item(dialog.belongings.count() - 1)
    assert last.text() == "Bag number 7" and last.checkState() == Qt.Checked
    assert dialog.belongings.viewport().rect().intersects(dialog.belongings.visualItemRect(last))
    dialog.reject()
