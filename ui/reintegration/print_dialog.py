"""Print the reintegration plan: for the resident or for a partner, in the
language she reads; for a partner, which sections of her file the paper
carries (those she consented to share with that partner are ticked, the
others need a written reason); then the preview, from which it is printed
or saved.

``open_print_dialog(parent, who, resident_id)`` opens the form; the paper
is issued (and kept, with its verification code) when the preview opens.
"""

from __future__ import annotations

from shelter.domain.vocabulary import G_, HANDOVER_SECTION, PARTNER_KIND
from shelter.errors import ShelterError
from shelter.i18n import _
from shelter.services import reintegration_document
from shelter.services.reintegration_document import IssuedReintegrationPlan, PrintOptions
from shelter.store import SignedIn
from ui.documents.preview import DocumentPreview
from ui.qt import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    error_text,
)
from ui.residents.file import about
from ui.widgets import ErrorLabel, FieldErrors, LanguageBox, fit_to_screen, scrolled

_FOR_RESIDENT = G_("The &resident")


def open_print_dialog(parent: QWidget, who: SignedIn, resident_id: int) -> None:
    """Open the print form over ``parent`` (it stays until closed)."""
    dialog = ReintegrationPrintDialog(who, resident_id, parent)
    dialog.open()


class ReintegrationPrintDialog(QDialog):
    def __init__(self, who: SignedIn, resident_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.resident_id = resident_id
        self.preview: DocumentPreview | None = None
        self.issued: IssuedReintegrationPlan | None = None
        self.error = ErrorLabel()
        self.errors = FieldErrors(self.error)
        try:
            self.options: PrintOptions | None = reintegration_document.print_options(who, resident_id)
        except ShelterError as exc:
            self.options = None
            failure = error_text(exc)
        else:
            failure = "" if self.options.has_plan else _("This resident has no reintegration plan yet.")
        options = self.options
        sex = options.sex if options else None
        self.setWindowTitle(_("Print the reintegration plan — {case}").format(case=options.case_number if options
                                                                               else ""))

        # Who the copy is for.
        self.for_resident = QRadioButton(about(sex, _FOR_RESIDENT))
        self.for_partner = QRadioButton(_("A &partner:"))
        self.for_resident.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.for_resident)
        group.addButton(self.for_partner)
        self.partner = QComboBox()
        self.partner.setAccessibleName(_("Partner"))
        self.partner.setMinimumContentsLength(24)
        self.partner.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        for choice in options.partners if options else ():
            self.partner.addItem(f"{choice.name} ({PARTNER_KIND.label(choice.kind)})", choice.partner_id)
        self.partner.setEnabled(False)
        if not self.partner.count():
            self.for_partner.setEnabled(False)
            self.for_partner.setToolTip(_("No partner in the directory yet."))
        self.for_partner.toggled.connect(self._audience_changed)
        self.partner.currentIndexChanged.connect(self._partner_changed)
        audience = QWidget()
        row = QVBoxLayout(audience)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.for_resident)
        partner_row = QHBoxLayout()
        partner_row.addWidget(self.for_partner)
        partner_row.addWidget(self.partner, 1)
        row.addLayout(partner_row)

        self.language = LanguageBox()
        if options:
            self.language.set_language(options.lang)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        label = QLabel(_("Copy for:"))
        label.setBuddy(self.for_resident)
        form.addRow(label, self.errors.field(audience, "audience", "partner", focus=self.partner))
        label = QLabel(_("&Language of the document:"))
        label.setBuddy(self.language)
        form.addRow(label, self.errors.field(self.language, "lang"))

        # The sections of her file, for a partner.
        self.sections_box = QGroupBox(_("What the partner's copy carries from the file"))
        grid = QGridLayout(self.sections_box)
        self.section_boxes: dict[str, QCheckBox] = {}
        self.section_states: dict[str, QLabel] = {}
        for index, section in enumerate(HANDOVER_SECTION.codes):
            box = QCheckBox(HANDOVER_SECTION.label(section))
            box.toggled.connect(self._update_override)
            state = QLabel()
            state.setObjectName("hint")
            grid.addWidget(box, index, 0)
            grid.addWidget(state, index, 1)
            self.section_boxes[section] = box
            self.section_states[section] = state
        grid.setColumnStretch(1, 1)
        last = len(HANDOVER_SECTION.codes)
        self.no_consent = QLabel()
        self.no_consent.setObjectName("hint")
        self.no_consent.setWordWrap(True)
        grid.addWidget(self.no_consent, last, 0, 1, 2)
        self.override_label = QLabel(_("&Why share without consent? (recorded)"))
        self.override_label.setWordWrap(True)
        self.override = QPlainTextEdit()
        self.override.setPlaceholderText(_("e.g. IOM must know the risk to arrange her reception on arrival"))
        self.override.setFixedHeight(64)
        self.override.setTabChangesFocus(True)
        self.override_label.setBuddy(self.override)
        grid.addWidget(self.override_label, last + 1, 0, 1, 2)
        grid.addWidget(self.override, last + 2, 0, 1, 2)
        sections_error = ErrorLabel()
        grid.addWidget(sections_error, last + 3, 0, 1, 2)
        self.errors.add("sections", sections_error, self.section_boxes[HANDOVER_SECTION.codes[0]])
        self.errors.add("override_reason", sections_error, self.override)
        hint = QLabel(_("The pathway, the milestones and the contacts are on every copy. The resident's copy "
                        "carries all of her or his file that the plan prints; nothing from counselling or the "
                        "care plan is ever printed."))
        hint.setObjectName("hint")
        hint.setWordWrap(True)

        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Cancel).setText(_("Cancel"))
        self.print_button = buttons.addButton(_("&Preview and print…"), QDialogButtonBox.AcceptRole)
        self.print_button.setDefault(True)
        self.print_button.setEnabled(bool(options and options.has_plan))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)

        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addLayout(form)
        inner.addWidget(self.sections_box)
        inner.addWidget(hint)
        inner.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(scrolled(content, horizontal=False), 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.error.set_message(failure)
        self.consented: set[str] = set()
        # Sized for a partner's copy, the taller form (its reason box shown),
        # so that nothing moves or scrolls when "A partner" is chosen.
        size = content.sizeHint()
        self._audience_changed(False)
        fit_to_screen(self, max(680, min(960, size.width() + 60)), min(720, size.height() + 150))

    # -- the form --------------------------------------------------------------

    def audience(self) -> str:
        return "partner" if self.for_partner.isChecked() else "resident"

    def partner_id(self) -> int | None:
        return self.partner.currentData() if self.for_partner.isChecked() else None

    def chosen_sections(self) -> tuple[str, ...]:
        return tuple(s for s in HANDOVER_SECTION.codes if self.section_boxes[s].isChecked())

    def _audience_changed(self, for_partner: bool) -> None:
        self.partner.setEnabled(for_partner)
        self.sections_box.setVisible(for_partner)
        if for_partner:
            self._partner_changed()
            self.partner.setFocus()

    def _choice(self):  # noqa: ANN202 (a PartnerChoice or None)
        partner_id = self.partner.currentData()
        return next((p for p in (self.options.partners if self.options else ()) if p.partner_id == partner_id), None)

    def _partner_changed(self, _index: int = 0) -> None:
        choice = self._choice()
        self.consented = set(choice.consented) if choice else set()
        for section in HANDOVER_SECTION.codes:
            ok = section in self.consented
            self.section_boxes[section].setChecked(ok)
            self.section_states[section].setText(_("consented") if ok else _("no consent for this partner"))
        self.no_consent.setText("" if self.consented or choice is None else _(
            "The resident has given no consent to share with this partner: a copy for them needs a written reason."))
        self.no_consent.setVisible(bool(self.no_consent.text()))
        self._update_override()

    def _needs_reason(self) -> bool:
        if not self.for_partner.isChecked():
            return False
        return not self.consented or any(s not in self.consented for s in self.chosen_sections())

    def _update_override(self) -> None:
        needed = self._needs_reason()
        self.override_label.setVisible(needed)
        self.override.setVisible(needed)

    # -- issuing -----------------------------------------------------------------

    def submit(self) -> None:
        self.errors.clear()
        lang = self.language.language()
        for_partner = self.for_partner.isChecked()
        try:
            self.issued = reintegration_document.print_reintegration_plan(
                self.who, self.resident_id, lang, self.audience(), self.partner_id(),
                self.chosen_sections() if for_partner else None,
                self.override.toPlainText() if self._needs_reason() else "")
        except ShelterError as exc:
            self.errors.show_error(exc)
            return
        issued = self.issued

        def recorded(how: str) -> None:
            try:
                reintegration_document.record_reintegration_output(self.who, issued.reference, how, lang)
            except ShelterError as exc:
                self.error.set_message(error_text(exc))

        self.preview = DocumentPreview(
            issued.pdf, _("Reintegration plan {reference} — verification code {code}").format(
                reference=issued.reference, code=issued.code), recorded, self,
            suggested_name=f"{issued.reference}.pdf")
        self.preview.finished.connect(self.accept)
        self.preview.open()
