"""The admission form: referral, identity, exploitation and safety, consent,
and the bed. While the names are typed, people already on record who may be
the same person are listed; choosing one readmits them (one history)."""

from __future__ import annotations

import re
from datetime import date

from shelter.domain import changes
from shelter.domain.people import Identity, Protection, ReferralInfo, check_identity
from shelter.domain.vocabulary import (
    EXPLOITATION_FORM,
    EXPLOITATION_SCOPE,
    IDENTIFICATION,
    REFERRAL_SOURCE,
    RESIDENCE_STATUS,
    RISK_LEVEL,
    SEX,
)
from shelter.errors import ShelterError, ValidationError
from shelter.i18n import _, isolate
from shelter.services import admissions
from shelter.services.admissions import Admission
from shelter.store import SignedIn
from ui.qt import (
    QCheckBox,
    QComboBox,
    QDate,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSpinBox,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    publish,
)
from ui.widgets import ErrorLabel, FieldErrors
from ui.widgets.dates import DateField, TimeField, local_moment
from ui.widgets.guard import DiscardGuard


def split_list(text: str) -> tuple[str, ...]:
    """Items typed with commas, the Arabic comma (،) or semicolons between them."""
    return tuple(x.strip() for x in re.split(r"[,،;؛]", text) if x.strip())


class AdmissionDialog(QDialog):
    def __init__(self, who: SignedIn, parent: QWidget | None = None, bed_id: int | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.admitted: changes.Admitted | None = None
        self.readmit_id: int | None = None
        self.setWindowTitle(_("Admission"))
        self.resize(820, 720)
        # Each message beside the field the core names; the rest above the buttons.
        self.error = ErrorLabel()
        self.errors = FieldErrors(self.error)

        # Referral
        self.admitted_on = DateField("admitted_at")
        self.admitted_time = TimeField("admitted_at")
        self.admitted_on.edit.setAccessibleName(_("Date of admission"))
        self.admitted_time.setAccessibleName(_("Time of admission"))
        self.referred_on = DateField("referred_on")
        self.source = QComboBox()
        for code, label in REFERRAL_SOURCE.choices():
            self.source.addItem(label, code)
        self.agency = QLineEdit()
        self.contact = QLineEdit()
        self.identified = QComboBox()
        for code, label in IDENTIFICATION.choices():
            self.identified.addItem(label, code)
        self.identified_by = QLineEdit()
        referral = QGroupBox(_("Referral"))
        form = QFormLayout(referral)
        self._row(form, _("Admitted &on:"), self._pair(self.admitted_on, QLabel(_("at")), self.admitted_time),
                  "admitted_at")
        self._row(form, _("Referral &date:"), self.referred_on, "referred_on")
        self._row(form, _("Referral sour&ce:"), self.source, "source")
        self._row(form, _("A&gency and contact:"), self._pair(self.agency, self.contact))
        self._row(form, _("Identification:"), self._pair(self.identified, self.identified_by), "identification")
        self.agency.setPlaceholderText(_("e.g. Sûreté nationale, Rabat"))
        self.contact.setPlaceholderText(_("name, telephone"))
        self.identified_by.setPlaceholderText(_("by whom"))

        # Identity
        self.name_arabic = QLineEdit()
        self.name_arabic.setLayoutDirection(Qt.RightToLeft)
        self.name_latin = QLineEdit()
        self.preferred = QLineEdit()
        self.sex = QComboBox()
        for code, label in SEX.choices():
            self.sex.addItem(label, code)
        today = date.today()
        self.birth_date = DateField("birth_date", optional=True, likely=today.replace(year=today.year - 25, day=1))
        self.birth_year = QSpinBox()
        self.birth_year.setRange(0, QDate.currentDate().year())
        self.birth_year.setSpecialValueText(_("unknown"))
        self.nationality = QLineEdit()
        self.nationality.setMaxLength(2)
        self.nationality.setPlaceholderText(_("country code, e.g. NG"))
        self.languages = QLineEdit()
        self.languages.setPlaceholderText(_("e.g. en, pcm"))
        self.interpreter = QCheckBox(_("Needs an &interpreter"))
        identity = QGroupBox(_("Identity"))
        form = QFormLayout(identity)
        self._row(form, _("Name in Arabic scrip&t:"), self.name_arabic)
        self._row(form, _("Name in &Latin script:"), self.name_latin, "name_latin")
        self._row(form, _("&Preferred name:"), self.preferred)
        self._row(form, _("&Sex:"), self.sex, "sex")
        self._row(form, _("Date of bi&rth:"), self._pair(self.birth_date, QLabel(_("or estimated year:")),
                                                          self.birth_year), "birth_date")
        self.errors.add("birth_year_estimated", self.errors.label("birth_date"), self.birth_year)
        self._row(form, _("&Nationality:"), self.nationality)
        self._row(form, _("Lang&uages:"), self._pair(self.languages, self.interpreter))

        # Possible duplicates
        self.duplicates = QListWidget()
        self.duplicates.setAccessibleName(_("People already on record who may be this person"))
        self.duplicates.setMaximumHeight(110)
        self.duplicate_note = QLabel(_("Type the names: people already on record with similar names appear here."))
        self.duplicate_note.setWordWrap(True)
        duplicates = QGroupBox(_("Already on record?"))
        box = QVBoxLayout(duplicates)
        box.addWidget(self.duplicate_note)
        box.addWidget(self.duplicates)
        readmit_error = ErrorLabel()
        box.addWidget(readmit_error)
        self.errors.add("resident", readmit_error, self.duplicates)

        # Exploitation, safety, consent
        self.forms: dict[str, QCheckBox] = {}
        exploitation = QGroupBox(_("Exploitation and safety"))
        grid = QGridLayout(exploitation)
        for index, (code, label) in enumerate(EXPLOITATION_FORM.choices()):
            box = QCheckBox(label)
            self.forms[code] = box
            grid.addWidget(box, index // 4, index % 4)
        self.cross_border = QComboBox()
        self.cross_border.addItem(_("Not known"), None)
        for code, label in EXPLOITATION_SCOPE.choices():
            self.cross_border.addItem(label, code)
        self.flag_contact = QCheckBox(_("Known contact with the trafficker"))
        self.flag_visits = QCheckBox(_("No visits"))
        self.flag_phone = QCheckBox(_("No telephone"))
        self.flag_media = QCheckBox(_("Media exposure"))
        self.risk = QComboBox()
        for code, label in RISK_LEVEL.choices():
            self.risk.addItem(label, code)
        self.risk.setCurrentIndex(1)
        grid.addWidget(QLabel(_("Where:")), 2, 0)
        grid.addWidget(self.cross_border, 2, 1)
        grid.addWidget(QLabel(_("Risk level:")), 2, 2)
        grid.addWidget(self.risk, 2, 3)
        for index, box in enumerate((self.flag_contact, self.flag_visits, self.flag_phone, self.flag_media)):
            grid.addWidget(box, 3 + index // 2, (index % 2) * 2, 1, 2)
        protection_error = ErrorLabel()
        grid.addWidget(protection_error, 5, 0, 1, 4)
        for name, widget in (("exploitation", self.forms["sexual"]), ("exploitation_scope", self.cross_border),
                             ("risk_level", self.risk)):
            self.errors.add(name, protection_error, widget)

        self.consent = QCheckBox(_("Consents to the processing of their data, on:"))
        self.consent_on = DateField("consent_processing_on")
        self.sharing = QLineEdit()
        self.sharing.setPlaceholderText(_("partners the person agrees to share with, separated by commas"))
        consent = QGroupBox(_("Consent"))
        form = QFormLayout(consent)
        form.addRow(self.errors.field(self._pair(self.consent, self.consent_on), "consent_processing_on",
                                      focus=self.consent_on))
        self._row(form, _("Sharing &with:"), self.sharing, "consent_sharing_on")
        self.reporting = QCheckBox(_("Agrees to be counted, without name, in anonymised figures"))
        self.reporting.setToolTip(_("Only those who agree are in the anonymised case-level export; the "
                                    "shelter's own reports count everyone"))
        form.addRow(self.errors.field(self.reporting, "consent_reporting", "consent_reporting_on"))
        consent_note = QLabel(_("Consent can be recorded later, when the person is ready."))
        consent_note.setObjectName("muted")
        form.addRow(consent_note)

        # Bed
        self.bed = QComboBox()
        self.bed.setAccessibleName(_("Bed"))
        bed = QGroupBox(_("Bed"))
        form = QFormLayout(bed)
        self._row(form, _("B&ed:"), self.bed, "bed")
        self._wanted_bed = bed_id

        content = QWidget()
        column = QVBoxLayout(content)
        for group in (referral, identity, duplicates, exploitation, consent, bed):
            column.addWidget(group)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)

        self.buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Cancel).setText(_("Cancel"))
        self.ok_button = self.buttons.addButton(_("&Admit"), QDialogButtonBox.AcceptRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(lambda: self.guard.leave())
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(300)
        self._check_timer.timeout.connect(self.check_duplicates)
        for edit in (self.name_arabic, self.name_latin, self.preferred, self.nationality):
            edit.textChanged.connect(lambda _t: self._check_timer.start())
        self.sex.currentIndexChanged.connect(self.load_beds)
        self.birth_date.changed.connect(self.load_beds)
        self.birth_year.valueChanged.connect(self.load_beds)
        self.duplicates.itemChanged.connect(self._duplicate_chosen)
        self.load_beds()
        self.guard = DiscardGuard(self)

    def _row(self, form: QFormLayout, text: str, field: QWidget, *names: str) -> None:
        """A labelled row; ``names`` are the core's names for the field, whose
        errors are shown under it."""
        label = QLabel(text)
        label.setBuddy(field)  # a pair of fields passes the focus to its first one
        form.addRow(label, self.errors.field(field, *names) if names else field)

    @staticmethod
    def _pair(*widgets: QWidget) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            row.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)
        holder.setFocusProxy(widgets[0])
        return holder

    # -- reading the form --------------------------------------------------------

    def identity(self, strict: bool = False) -> Identity:
        """What the identity fields say; ``strict`` refuses a date that cannot
        be read (beside its field) instead of leaving it out."""
        year = self.birth_year.value() or None
        return Identity(
            name_arabic=self.name_arabic.text(), name_latin=self.name_latin.text(),
            preferred_name=self.preferred.text(), sex=self.sex.currentData(),
            birth_date=self.birth_date.value() if strict else self.birth_date.peek(), birth_year_estimated=year,
            nationality=self.nationality.text(), interpreter_needed=self.interpreter.isChecked(),
            languages=split_list(self.languages.text()))

    def admission(self) -> Admission:
        today = QDate.currentDate().toPython()
        protection = Protection(
            exploitation=tuple(code for code, box in self.forms.items() if box.isChecked()),
            exploitation_scope=self.cross_border.currentData(),
            flag_trafficker_contact=self.flag_contact.isChecked(), flag_no_visits=self.flag_visits.isChecked(),
            flag_no_phone=self.flag_phone.isChecked(), flag_media_exposure=self.flag_media.isChecked(),
            risk_level=self.risk.currentData(), consent_processing=self.consent.isChecked(),
            consent_processing_on=self.consent_on.value() if self.consent.isChecked() else None,
            consent_sharing=split_list(self.sharing.text()),
            consent_sharing_on=today if self.sharing.text().strip() else None,
            consent_reporting=self.reporting.isChecked(),
            consent_reporting_on=today if self.reporting.isChecked() else None)
        referral = ReferralInfo(
            referred_on=self.referred_on.value(), source=self.source.currentData(),
            agency=self.agency.text(), contact=self.contact.text(), identification=self.identified.currentData(),
            identified_by=self.identified_by.text())
        admitted_at = local_moment(self.admitted_on.value(), self.admitted_time.value())
        return Admission(self.identity(strict=True), referral, protection, bed_id=self.bed.currentData() or 0,
                         admitted_at=admitted_at, readmit_resident_id=self.readmit_id)

    # -- live parts --------------------------------------------------------------

    def load_beds(self) -> None:
        current = self.bed.currentData() or self._wanted_bed
        self.bed.clear()
        try:
            choices = admissions.compatible_beds(self.who, self.identity())
        except ShelterError as exc:
            self.errors.show(exc.message)
            return
        for choice in choices:
            self.bed.addItem(f"{choice.shelter_name} — {choice.room_name} — "
                             + _("Bed {label}").format(label=choice.bed_label), choice.bed_id)
        if not choices:
            self.bed.addItem(_("No free bed takes this person"), None)
        index = self.bed.findData(current)
        if index >= 0:
            self.bed.setCurrentIndex(index)

    def check_duplicates(self) -> None:
        self.duplicates.blockSignals(True)
        self.duplicates.clear()
        self.readmit_id = None
        try:
            found = admissions.duplicate_candidates(self.who, self.identity())
        except ShelterError:
            found = []
        for c in found:
            born = c.birth_date.isoformat() if c.birth_date else (str(c.birth_year_estimated or "") or "?")
            where = RESIDENCE_STATUS.label("in_residence" if c.in_residence else "discharged", sex=c.sex)
            # Each part isolated (FSI … PDI) so an Arabic name cannot reorder
            # the dates and codes around it.
            parts = [c.case_number, c.name_latin, c.name_arabic, born, c.nationality, where]
            text = " · ".join(isolate(p) for p in parts if p)
            item = QListWidgetItem(text, self.duplicates)
            item.setData(Qt.UserRole, c.resident_id)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Unchecked)
            item.setToolTip(_("Tick if this is the same person: the admission is added to their history."))
        self.duplicate_note.setText(
            _("Tick the person if it is the same one; otherwise a new record is made.") if found
            else _("Nobody on record has a similar name."))
        self.duplicates.blockSignals(False)

    def _duplicate_chosen(self, item: QListWidgetItem) -> None:
        self.duplicates.blockSignals(True)
        for row in range(self.duplicates.count()):
            other = self.duplicates.item(row)
            if other is not item:
                other.setCheckState(Qt.Unchecked)
        self.duplicates.blockSignals(False)
        self.readmit_id = int(item.data(Qt.UserRole)) if item.checkState() == Qt.Checked else None

    def submit(self) -> None:
        self.errors.clear()
        try:
            admission = self.admission()
            # Who she is before where she sleeps: a date of birth in the
            # future leaves no bed that fits, and "Choose a bed" would mislead.
            check_identity(admission.identity, date.today())
            if self.bed.currentData() is None:
                raise ValidationError(_("Choose a bed."), field="bed")
            self.admitted = admissions.admit(self.who, admission)
        except ShelterError as exc:
            if getattr(exc, "field", None) == "bed":
                self.load_beds()
            self.errors.show_error(exc)
            return
        publish(self.admitted)  # the board, the residents list and the dashboard show her at once
        self.accept()
