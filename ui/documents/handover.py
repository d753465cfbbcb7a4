"""The handover form: reason, receiver, date, language of the paper, which
sections of the file it carries (by the resident's consent), what is handed
over; then the preview, from which it is printed.

The form shows, section by section, whether the resident consented to share
it with the receiver typed. Ticking a section without consent opens a box
for the written reason the core requires; or, with the resident present,
"the resident consents now" records the consent first.
"""

from __future__ import annotations

from shelter.domain.vocabulary import HANDOVER_REASON, HANDOVER_SECTION
from shelter.errors import ShelterError
from shelter.i18n import N_, _
from shelter.security.permissions import Permission
from shelter.services import handover
from shelter.services.documents import record_output
from shelter.services.handover import HandoverRequest
from shelter.store import SignedIn
from ui.documents.preview import DocumentPreview
from ui.qt import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    Qt,
    QVBoxLayout,
    QWidget,
)
from ui.widgets import ErrorLabel, FieldErrors, LanguageBox
from ui.widgets.dates import DateField

# Common items, offered in the belongings list; others can be typed.
USUAL_ITEMS = (N_("Passport or identity document"), N_("Medical file"), N_("Medicines"), N_("Phone"),
               N_("Personal belongings (bag)"))


class HandoverDialog(QDialog):
    def __init__(self, who: SignedIn, resident_id: int, case_number: str, reason: str = "referral",
                 receiver: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.resident_id = resident_id
        self.case_number = case_number
        self.preview: DocumentPreview | None = None
        self.issued: handover.IssuedHandover | None = None
        self.setWindowTitle(_("Handover document — {case}").format(case=case_number))

        self.reason = QComboBox()
        for code, label in HANDOVER_REASON.choices():
            self.reason.addItem(label, code)
        self.reason.setCurrentIndex(max(0, self.reason.findData(reason)))
        self.receiver = QComboBox()
        self.receiver.setEditable(True)
        self.receiver.setInsertPolicy(QComboBox.NoInsert)
        self.receiver.lineEdit().setPlaceholderText(_("e.g. IOM Rabat, Hôpital Ibn Sina"))
        for name, _sections in handover.receivers(who, resident_id):
            self.receiver.addItem(name)
        self.receiver.setEditText(receiver or self.receiver.itemText(0))
        self.receiver.editTextChanged.connect(self._receiver_changed)
        self.person = QLineEdit()
        self.person.setPlaceholderText(_("name and role, if known"))
        self.when = DateField("handover_on")
        self.contact = QLineEdit(who.actor.display_name)
        self.contact.setPlaceholderText(_("name and phone number"))
        self.language = LanguageBox()
        self.error = ErrorLabel()
        self.errors = FieldErrors(self.error)

        form = QFormLayout()
        for text, field, name in ((_("&Reason:"), self.reason, "reason"),
                                  (_("Receiving &organisation:"), self.receiver, "receiver"),
                                  (_("Receiving perso&n:"), self.person, "receiver_person"),
                                  (_("&Date of handover:"), self.when, "handover_on"),
                                  (_("&Contact at the shelter:"), self.contact, "contact"),
                                  (_("&Language of the document:"), self.language, "lang")):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, self.errors.field(field, name))

        # Sections and consent.
        sections_box = QGroupBox(_("What the document carries"))
        grid = QGridLayout(sections_box)
        self.section_boxes: dict[str, QCheckBox] = {}
        self.section_states: dict[str, QLabel] = {}
        for row, section in enumerate(HANDOVER_SECTION.codes):
            box = QCheckBox(HANDOVER_SECTION.label(section))
            box.toggled.connect(self._update_override)
            state = QLabel()
            state.setObjectName("hint")
            grid.addWidget(box, row, 0)
            grid.addWidget(state, row, 1)
            self.section_boxes[section] = box
            self.section_states[section] = state
        self.consent_now = QCheckBox(_("The resident is here and consents now to share the ticked sections "
                                       "with this receiver"))
        self.consent_now.setVisible(who.actor.has(Permission.EDIT_RESIDENT))
        self.consent_now.toggled.connect(self._update_override)
        grid.addWidget(self.consent_now, len(HANDOVER_SECTION.codes), 0, 1, 2)
        self.override_label = QLabel(_("&Why share without consent? (recorded)"))
        self.override = QPlainTextEdit()
        self.override.setPlaceholderText(_("e.g. the hospital ward must know the risk of contact from the traffickers"))
        self.override.setFixedHeight(60)
        self.override_label.setBuddy(self.override)
        grid.addWidget(self.override_label, len(HANDOVER_SECTION.codes) + 1, 0, 1, 2)
        grid.addWidget(self.override, len(HANDOVER_SECTION.codes) + 2, 0, 1, 2)
        sections_error = ErrorLabel()
        grid.addWidget(sections_error, len(HANDOVER_SECTION.codes) + 3, 0, 1, 2)
        self.errors.add("sections", sections_error, self.section_boxes[HANDOVER_SECTION.codes[0]])
        self.errors.add("override_reason", sections_error, self.override)

        # Belongings.
        belongings_box = QGroupBox(_("Belongings and documents handed over"))
        self.belongings = QListWidget()
        self.belongings.setMinimumHeight(110)
        for item in USUAL_ITEMS:
            self.add_item(_(item), checked=False)
        self.new_item = QLineEdit()
        self.new_item.setPlaceholderText(_("another item, e.g. bank card"))
        self.new_item.returnPressed.connect(self._add_typed)
        add = QPushButton(_("&Add"))
        add.setAutoDefault(False)
        add.clicked.connect(self._add_typed)
        adder = QHBoxLayout()
        adder.addWidget(self.new_item, 1)
        adder.addWidget(add)
        hint = QLabel(_("Tick what is handed over; unticked lines are left off the paper."))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        b_layout = QVBoxLayout(belongings_box)
        b_layout.addWidget(self.belongings)
        belongings_error = ErrorLabel()
        b_layout.addWidget(belongings_error)
        self.errors.add("belongings", belongings_error, self.belongings)
        b_layout.addLayout(adder)
        b_layout.addWidget(hint)

        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Cancel).setText(_("Cancel"))
        self.preview_button = buttons.addButton(_("&Preview and print…"), QDialogButtonBox.AcceptRole)
        self.preview_button.setDefault(True)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)

        # Side by side: the form stays short enough for a laptop screen.
        boxes = QHBoxLayout()
        boxes.addWidget(sections_box, 1)
        boxes.addWidget(belongings_box, 1)
        # The form scrolls when the screen is short (Arabic text is taller):
        # the dialog never grows past the screen, the buttons stay in view.
        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addLayout(form)
        inner.addLayout(boxes)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(min(1000, content.sizeHint().width() + 40), min(700, content.sizeHint().height() + 90))
        self._receiver_changed(self.receiver.currentText())

    # -- the form ------------------------------------------------------------

    def add_item(self, text: str, checked: bool = True) -> None:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
        item.setCheckState(Qt.Checked if checked else Qt.Unchecked)
        self.belongings.addItem(item)
        self.belongings.scrollToItem(item)  # what was just added is in view, not below the fourth row

    def _add_typed(self) -> None:
        text = " ".join(self.new_item.text().split())
        if text:
            self.add_item(text)
            self.new_item.clear()

    def _receiver_changed(self, text: str) -> None:
        self.consented = set(handover.consented_sections(self.who, self.resident_id, text)) if text.strip() else set()
        for section in HANDOVER_SECTION.codes:
            ok = section in self.consented
            self.section_boxes[section].setChecked(ok)
            self.section_states[section].setText(_("consented") if ok else _("no consent for this receiver"))
        self._update_override()

    def chosen_sections(self) -> tuple[str, ...]:
        return tuple(s for s in HANDOVER_SECTION.codes if self.section_boxes[s].isChecked())

    def _update_override(self) -> None:
        without = [s for s in self.chosen_sections() if s not in self.consented]
        needs_reason = bool(without) and not self.consent_now.isChecked()
        self.override_label.setVisible(needs_reason)
        self.override.setVisible(needs_reason)

    def belongings_handed_over(self) -> tuple[tuple[str, bool], ...]:
        items = (self.belongings.item(i) for i in range(self.belongings.count()))
        return tuple((item.text(), True) for item in items if item.checkState() == Qt.Checked)

    def document_language(self) -> str:
        return self.language.language()

    # -- issuing ---------------------------------------------------------------

    def submit(self) -> None:
        self.errors.clear()
        receiver = self.receiver.currentText()
        sections = self.chosen_sections()
        lang = self.document_language()
        try:
            without = tuple(s for s in sections if s not in self.consented)
            if without and self.consent_now.isChecked():
                handover.record_consent(self.who, self.resident_id, receiver, without)
                self.consented |= set(without)
            request = HandoverRequest(
                resident_id=self.resident_id, reason=self.reason.currentData(), receiver_organisation=receiver,
                receiver_person=self.person.text(), handover_on=self.when.value(),
                shelter_contact=self.contact.text(), belongings=self.belongings_handed_over(), sections=sections,
                override_reason=self.override.toPlainText() if not self.override.isHidden() else "")
            self.issued = handover.issue_handover(self.who, request, lang)
        except ShelterError as exc:
            self.errors.show_error(exc)
            return
        issued = self.issued

        def recorded(how: str) -> None:
            record_output(self.who, "handover", how, lang, "document", issued.reference)

        self.preview = DocumentPreview(issued.pdf, _("Handover document {reference}").format(
            reference=issued.reference), recorded, self, suggested_name=f"{issued.reference}.pdf")
        self.preview.finished.connect(self.accept)
        self.preview.open()
