"""Administration → Documents: check that a paper the shelter issued (a
handover document, a care plan version, a reintegration plan) is genuine, and
print the recovery sheet (with a new recovery code, since the code in force
is never kept on the computer; or with the code in force, typed from the
current sheet, for a copy in another language)."""

from __future__ import annotations

from collections.abc import Callable

from shelter.domain.vocabulary import HANDOVER_REASON, HANDOVER_SECTION
from shelter.errors import ShelterError
from shelter.i18n import _
from shelter.security.permissions import Permission
from shelter.services import documents, handover
from shelter.store import SignedIn
from ui.documents.preview import DocumentPreview
from ui.qt import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    Qt,
    QVBoxLayout,
    QWidget,
)
from ui.widgets import ErrorLabel, FieldErrors, LanguageBox


def show_recovery_sheet(who: SignedIn, parent: QWidget, code: str, lang: str,
                        on_printed: Callable[[], None] | None = None) -> DocumentPreview:
    """Preview the recovery sheet for ``code``; printing is audited, then
    ``on_printed`` is called. Never offered as a file: the sheet holds the
    key to every record."""
    pdf = documents.recovery_sheet(who, lang, code)

    def printed(how: str) -> None:
        documents.record_output(who, "recovery_sheet", how, lang)
        if on_printed is not None:
            on_printed()

    preview = DocumentPreview(pdf, _("Recovery sheet"), printed, parent, allow_save=False)
    preview.open()
    return preview


class DocumentsTab(QWidget):
    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.preview: DocumentPreview | None = None

        verify_box = QGroupBox(_("Check a printed document"))
        intro = QLabel(_("Type the reference and the verification code printed on the paper. The shelter "
                         "issued it only if both match; compare what it says with what is shown here."))
        intro.setWordWrap(True)
        self.reference = QLineEdit()
        self.reference.setPlaceholderText(_("e.g. RBT-2026-0042-H1, RBT-2026-0042-R1"))
        self.code = QLineEdit()
        self.code.setPlaceholderText(_("e.g. 7K2M-Q9XD"))
        # References and codes are typed in Latin letters, left to right.
        self.reference.setLayoutDirection(Qt.LeftToRight)
        self.code.setLayoutDirection(Qt.LeftToRight)
        self.check_button = QPushButton(_("C&heck"))
        self.check_button.clicked.connect(self.check)
        self.code.returnPressed.connect(self.check)
        self.verify_errors = FieldErrors()
        form = QFormLayout()
        for text, field, name in ((_("&Reference:"), self.reference, "reference"),
                                  (_("&Verification code:"), self.code, "code")):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, self.verify_errors.field(field, name))
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setObjectName("result")
        self.result.setMargin(4)
        v_layout = QVBoxLayout(verify_box)
        v_layout.addWidget(intro)
        v_layout.addLayout(form)
        v_layout.addWidget(self.verify_errors.general)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.check_button)
        v_layout.addLayout(row)
        v_layout.addWidget(self.result)
        verify_box.setVisible(who.actor.has(Permission.VERIFY_DOCUMENT))

        sheet_box = QGroupBox(_("Recovery sheet"))
        sheet_intro = QLabel(_("The recovery code in force is not kept on this computer. Print a sheet with a "
                               "new code (the old sheet stops working), or type the code from the current "
                               "sheet to print a copy, for example in another language."))
        sheet_intro.setWordWrap(True)
        self.sheet_language = LanguageBox()
        self.current_code = QLineEdit()
        self.current_code.setPlaceholderText(_("code from the current sheet"))
        self.current_code.setEchoMode(QLineEdit.Password)
        self.current_code.setLayoutDirection(Qt.LeftToRight)
        self.copy_button = QPushButton(_("Print a &copy…"))
        self.copy_button.clicked.connect(self.print_copy)
        self.new_button = QPushButton(_("&New code and sheet…"))
        self.new_button.clicked.connect(self.new_code)
        self.sheet_error = ErrorLabel()
        self.sheet_errors = FieldErrors(self.sheet_error)
        s_form = QFormLayout()
        label = QLabel(_("Lan&guage of the sheet:"))
        label.setBuddy(self.sheet_language)
        s_form.addRow(label, self.sheet_errors.field(self.sheet_language, "lang"))
        label = QLabel(_("C&urrent code:"))
        label.setBuddy(self.current_code)
        s_form.addRow(label, self.sheet_errors.field(self.current_code, "recovery_code"))
        s_layout = QVBoxLayout(sheet_box)
        s_layout.addWidget(sheet_intro)
        s_layout.addLayout(s_form)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.new_button)
        s_layout.addLayout(buttons)
        s_layout.addWidget(self.sheet_error)
        sheet_box.setVisible(who.actor.has(Permission.PRINT_RECOVERY_SHEET))

        # In a scroll area: on a small screen the result is never cut off.
        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(verify_box)
        column.addWidget(sheet_box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    # -- checking a paper --------------------------------------------------------

    def check(self) -> None:
        self.verify_errors.clear()
        try:
            found = handover.verify_document(self.who, self.reference.text(), self.code.text())
        except ShelterError as exc:
            self.result.setProperty("state", "")
            self.result.clear()
            self._restyle()
            self.verify_errors.show_error(exc)
            return
        if not found.genuine:
            self.result.setProperty("state", "bad")
            self.result.setText(_("Not confirmed: no document with this reference and this code was issued by "
                                  "this shelter. Treat the paper as not genuine and tell the coordinator."))
        else:
            self.result.setProperty("state", "good")
            self.result.setText("\n".join(self._genuine_lines(found)))
        self._restyle()

    def _genuine_lines(self, found: handover.Verification) -> list[str]:
        """What a genuine paper says, by kind of document."""
        comma = "، " if self.layoutDirection() == Qt.RightToLeft else ", "
        sections = comma.join(HANDOVER_SECTION.label(s) for s in found.sections) or _("none")
        issued = _("Issued on {date} by {name}").format(
            # Isolated left to right: inside Arabic, an ISO date would read 30-11-2026.
            date="\u2066" + found.issued_at.astimezone().strftime("%Y-%m-%d %H:%M") + "\u2069"
            if found.issued_at else "", name=found.issued_by)
        lines = [_("Genuine: issued by this shelter."), _("Reference: {reference}").format(reference=found.reference)]
        if found.kind == "reintegration_plan":
            # ``reason`` holds the audience, ``receiver`` the partner (see handover.verify_document).
            copy = (_("Reintegration plan, copy for {partner}").format(partner=found.receiver)
                    if found.reason == "partner" else _("Reintegration plan, copy for the resident"))
            return [*lines, copy, _("Case number: {case}").format(case=found.case_number), issued,
                    _("Sections printed: {sections}").format(sections=sections)]
        if found.kind == "care_plan":
            return [*lines, _("Care plan, version {n}").format(n=found.version),
                    _("Case number: {case}").format(case=found.case_number), issued]
        items = comma.join(item for item, _ticked in found.belongings) or _("none")
        return [
            *lines,
            _("Case number: {case}").format(case=found.case_number),
            _("Reason: {reason}").format(reason=HANDOVER_REASON.label(found.reason)),
            _("Receiving organisation: {name}").format(name=found.receiver),
            issued,
            _("Sections printed: {sections}").format(sections=sections),
            _("Handed over: {items}").format(items=items),
        ]

    def _restyle(self) -> None:
        self.result.style().unpolish(self.result)
        self.result.style().polish(self.result)

    # -- the recovery sheet --------------------------------------------------------

    def _sheet_failed(self, message: str) -> None:
        """A failure about the new code: not beside the current code's field."""
        self.sheet_errors.show(message)

    def print_copy(self) -> None:
        self.sheet_errors.clear()
        try:
            self.preview = show_recovery_sheet(self.who, self, self.current_code.text(),
                                               self.sheet_language.language())
        except ShelterError as exc:
            self.sheet_errors.show_error(exc)
            return
        self.current_code.clear()

    def new_code(self) -> None:
        answer = QMessageBox.warning(
            self, _("New recovery code"),
            _("A new recovery code will be made now. Once its sheet is printed (or the code written down), "
              "the code on the current sheet stops working: put the new sheet in the safe and destroy the "
              "old one. Continue?"),
            QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        if answer != QMessageBox.Yes:
            return
        self.sheet_errors.clear()
        try:
            code = documents.new_recovery_code(self.who)
        except ShelterError as exc:
            self._sheet_failed(exc.message)
            return
        printed: list[bool] = []
        try:
            self.preview = show_recovery_sheet(self.who, self, code, self.sheet_language.language(),
                                               on_printed=lambda: printed.append(True))
        except ShelterError as exc:
            self._sheet_failed(exc.message)
            self._write_down(code)
            return
        self.preview.finished.connect(
            lambda _result: self._confirm(code) if printed else self._write_down(code))

    def _write_down(self, code: str) -> None:
        """The new sheet was not printed: show the code to be written down;
        only then does it replace the old one."""
        box = QMessageBox(QMessageBox.Warning, _("New recovery code"),
                          _("The new sheet was not printed. Write this code down now and keep it in the safe; "
                            "once you close this message, the old code stops working:") + "\n\n" + code,
                          QMessageBox.Ok, self)
        # Read and written down, never copied: not selectable, so never on the clipboard.
        box.setTextInteractionFlags(Qt.NoTextInteraction)
        box.exec()
        self._confirm(code)

    def _confirm(self, code: str) -> None:
        """The new code is on paper: it replaces the old one. If this fails,
        both still open the store, and the message says so."""
        try:
            documents.confirm_recovery_code(self.who, code)
        except ShelterError as exc:
            self._sheet_failed(exc.message)
