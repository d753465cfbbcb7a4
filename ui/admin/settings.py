"""Store-wide settings: idle lock, default document language, how residents'
names are shown, the case work rules (when assessments and reviews fall
due, whether a coordinator approves each care plan version) and the
reintegration rules (when the plan falls due, the follow-ups after
discharge, how many missed attempts make a lost contact)."""

from __future__ import annotations

import re
from collections.abc import Callable

from shelter.i18n import LANGUAGE_NAMES, LANGUAGES, N_, _, ngettext
from shelter.services import settings as settings_service
from shelter.services.settings import NAME_FORMS, Settings
from shelter.store import SignedIn
from ui.admin.forms import status_label
from ui.qt import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from ui.widgets import FieldErrors

NAME_FORM_LABELS = {
    "full": N_("Full name"),
    "first": N_("First name only"),
    "initials": N_("Initials only"),
}


def months_text(months: tuple[int, ...]) -> str:
    """The follow-up months as typed: "3, 6, 12"."""
    return ", ".join(str(m) for m in months)


def parse_months(text: str) -> tuple[int | str, ...]:
    """The months typed, separated by commas or spaces ("3, 6, 12"; any
    digits Python reads). What is not a number is kept as typed, so that the
    settings service refuses it with its own message beside the field."""
    parts = [p for p in re.split(r"[\s,;،]+", text.strip()) if p]
    return tuple(int(p) if p.isdecimal() else p for p in parts)


class SettingsTab(QWidget):
    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._who = who
        self._current = Settings()
        self.errors = FieldErrors()

        self.idle_spin = QSpinBox()
        self.idle_spin.setRange(1, 120)
        # The unit agrees with the number ("1 minute", "5 دقائق"), whatever it is.
        self.idle_spin.valueChanged.connect(lambda n: self.idle_spin.setSuffix(
            " " + ngettext("minute", "minutes", n)))
        self.idle_spin.setSuffix(" " + ngettext("minute", "minutes", self.idle_spin.value()))
        self.idle_spin.setAccessibleName(_("Lock the screen after this many idle minutes"))
        self.language_combo = QComboBox()
        self.language_combo.setAccessibleName(_("Default document language"))
        for code in LANGUAGES:
            self.language_combo.addItem(LANGUAGE_NAMES[code], code)
        self.name_combo = QComboBox()
        self.name_combo.setAccessibleName(_("Resident names shown as"))
        for form in NAME_FORMS:
            self.name_combo.addItem(_(NAME_FORM_LABELS[form]), form)

        # Case work: when the work falls due (My work), and plan approval.
        self.assessment_spin = self._count_spin(1, 60, lambda n: ngettext("day", "days", n))
        self.assessment_spin.setAccessibleName(_("First needs assessment due this many days after admission"))
        self.reassessment_spin = self._count_spin(1, 12, lambda n: ngettext("month", "months", n))
        self.reassessment_spin.setAccessibleName(_("Reassess the needs every this many months"))
        self.review_spin = self._count_spin(7, 180, lambda n: ngettext("day", "days", n))
        self.review_spin.setAccessibleName(_("Review each care plan every this many days"))
        self.approval_check = QCheckBox(
            _("A &coordinator approves each care plan version before it is agreed with the resident"))

        # Reintegration: when the plan is due, the follow-ups, lost contact.
        self.plan_days_spin = self._count_spin(7, 120, lambda n: ngettext("day", "days", n))
        self.plan_days_spin.setAccessibleName(_("Reintegration plan due this many days after admission"))
        self.follow_up_edit = QLineEdit()
        self.follow_up_edit.setMaxLength(40)
        self.follow_up_edit.setAccessibleName(_("Follow-ups after discharge, in months"))
        self.follow_up_edit.setToolTip(_("Months after the discharge, separated by commas, e.g. 3, 6, 12"))
        self.attempts_spin = self._count_spin(1, 10, lambda n: ngettext("attempt", "attempts", n))
        self.attempts_spin.setAccessibleName(_("Lost contact after this many attempts in a row without reaching "
                                               "the person"))

        # Reports: what may leave the machine.
        self.small_cell_spin = QSpinBox()
        self.small_cell_spin.setRange(3, 20)
        self.small_cell_spin.setAccessibleName(_("Hide counts below this number in reports that leave the shelter"))
        self.k_spin = QSpinBox()
        self.k_spin.setRange(5, 50)
        self.k_spin.setAccessibleName(_("Each combination in the anonymised export is shared by at least this "
                                        "many stays"))

        form = QFormLayout()
        idle_label = QLabel(_("&Lock the screen after:"))
        idle_label.setBuddy(self.idle_spin)
        form.addRow(idle_label, self.errors.field(self.idle_spin, "idle_lock_minutes"))
        language_label = QLabel(_("Default &document language:"))
        language_label.setBuddy(self.language_combo)
        form.addRow(language_label, self.errors.field(self.language_combo, "document_language"))
        name_label = QLabel(_("Resident &names shown as:"))
        name_label.setBuddy(self.name_combo)
        form.addRow(name_label, self.errors.field(self.name_combo, "resident_name_form"))

        self.case_work = QGroupBox(_("Case work"))
        case_form = QFormLayout(self.case_work)
        assessment_label = QLabel(_("First assess&ment due after admission:"))
        assessment_label.setBuddy(self.assessment_spin)
        case_form.addRow(assessment_label, self.errors.field(self.assessment_spin, "assessment_due_days"))
        reassessment_label = QLabel(_("Reassess e&very:"))
        reassessment_label.setBuddy(self.reassessment_spin)
        case_form.addRow(reassessment_label, self.errors.field(self.reassessment_spin, "reassessment_months"))
        review_label = QLabel(_("Review the &plan every:"))
        review_label.setBuddy(self.review_spin)
        case_form.addRow(review_label, self.errors.field(self.review_spin, "review_interval_days"))
        self.approval_check.setAccessibleName(self.approval_check.text().replace("&", ""))
        case_form.addRow(self.errors.field(self.approval_check, "plan_approval"))
        case_help = QLabel(_(
            "The first assessment falls due this many days after admission (1 to 60), a reassessment this "
            "many months after the last (1 to 12), and a plan's next review this many days after the last "
            "(7 to 180). What falls due is listed in My work."
        ))
        case_help.setWordWrap(True)
        case_help.setObjectName("muted")
        case_form.addRow(case_help)

        self.reintegration = QGroupBox(_("Reintegration"))
        reintegration_form = QFormLayout(self.reintegration)
        plan_days_label = QLabel(_("Reintegration plan d&ue after admission:"))
        plan_days_label.setBuddy(self.plan_days_spin)
        reintegration_form.addRow(plan_days_label,
                                  self.errors.field(self.plan_days_spin, "reintegration_plan_days"))
        follow_up_label = QLabel(_("&Follow-ups after discharge (months):"))
        follow_up_label.setBuddy(self.follow_up_edit)
        reintegration_form.addRow(follow_up_label, self.errors.field(self.follow_up_edit, "follow_up_months"))
        attempts_label = QLabel(_("Lost contact aft&er:"))
        attempts_label.setBuddy(self.attempts_spin)
        reintegration_form.addRow(attempts_label, self.errors.field(self.attempts_spin, "lost_contact_attempts"))
        reintegration_help = QLabel(_(
            "The reintegration plan falls due this many days after admission (7 to 120; IOM advises within a "
            "month). Follow-ups after discharge are due this many months after it: one to six numbers between "
            "1 and 36, in increasing order, separated by commas. After this many attempts in a row that do not "
            "reach the person (1 to 10), the case is marked lost contact. What falls due is on the overdue "
            "board of the Reintegration section."
        ))
        reintegration_help.setWordWrap(True)
        reintegration_help.setObjectName("muted")
        reintegration_form.addRow(reintegration_help)

        self.reports = QGroupBox(_("Reports"))
        reports_form = QFormLayout(self.reports)
        small_label = QLabel(_("Hide counts &below:"))
        small_label.setBuddy(self.small_cell_spin)
        reports_form.addRow(small_label, self.errors.field(self.small_cell_spin, "report_small_cell"))
        k_label = QLabel(_("Anonymised export: &k ="))
        k_label.setBuddy(self.k_spin)
        reports_form.addRow(k_label, self.errors.field(self.k_spin, "anonymised_k"))
        reports_help = QLabel(_(
            "In every report printed or saved to a file, a count below this number (3 to 20) is shown as "
            "\"<5\", with the other counts that would let it be worked out. In the anonymised export, every "
            "combination of the columns is shared by at least k stays (5 to 50; the UN's public dataset uses 11)."
        ))
        reports_help.setWordWrap(True)
        reports_help.setObjectName("muted")
        reports_form.addRow(reports_help)

        help_text = QLabel(_(
            "The screen locks itself after this many minutes without use (1 to 120). Documents are printed in "
            "the default language unless another is chosen when printing. The name form applies to lists "
            "others may see over a shoulder."
        ))
        help_text.setWordWrap(True)

        self.save_button = QPushButton(_("&Save settings"))
        self.save_button.setAccessibleName(_("Save settings"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.status = status_label()
        self.status.setAccessibleName(_("Settings status"))

        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.status, 1)
        # In a scroll area: a short window scrolls the settings instead of
        # squeezing a field onto the message under it.
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addLayout(form)
        layout.addWidget(help_text)
        layout.addWidget(self.case_work)
        layout.addWidget(self.reintegration)
        layout.addWidget(self.reports)
        layout.addWidget(self.errors.general)
        layout.addLayout(row)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        for signal in (self.idle_spin.valueChanged, self.language_combo.currentIndexChanged,
                       self.name_combo.currentIndexChanged, self.assessment_spin.valueChanged,
                       self.reassessment_spin.valueChanged, self.review_spin.valueChanged,
                       self.approval_check.toggled, self.plan_days_spin.valueChanged,
                       self.follow_up_edit.textEdited, self.attempts_spin.valueChanged,
                       self.small_cell_spin.valueChanged, self.k_spin.valueChanged):
            signal.connect(self._changed)
        self.load()

    @staticmethod
    def _count_spin(low: int, high: int, unit: Callable[[int], str]) -> QSpinBox:
        """A number of days or months whose unit agrees with it ("1 day",
        "30 days"): ``unit(n)`` is the unit for ``n``."""
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.valueChanged.connect(lambda n: spin.setSuffix(" " + unit(n)))
        spin.setSuffix(" " + unit(spin.value()))
        return spin

    def load(self) -> None:
        self.show_settings(settings_service.get_settings(self._who))

    def show_settings(self, values: Settings) -> None:
        self._current = values
        self.idle_spin.setValue(values.idle_lock_minutes)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(values.document_language)))
        self.name_combo.setCurrentIndex(max(0, self.name_combo.findData(values.resident_name_form)))
        self.assessment_spin.setValue(values.assessment_due_days)
        self.reassessment_spin.setValue(values.reassessment_months)
        self.review_spin.setValue(values.review_interval_days)
        self.approval_check.setChecked(values.plan_approval)
        self.plan_days_spin.setValue(values.reintegration_plan_days)
        self.follow_up_edit.setText(months_text(values.follow_up_months))
        self.attempts_spin.setValue(values.lost_contact_attempts)
        self.small_cell_spin.setValue(values.report_small_cell)
        self.k_spin.setValue(values.anonymised_k)
        self.status.clear()

    def _changed(self, *_args: object) -> None:
        self.status.clear()

    def values(self) -> dict[str, object]:
        return {
            "idle_lock_minutes": self.idle_spin.value(),
            "document_language": self.language_combo.currentData(),
            "resident_name_form": self.name_combo.currentData(),
            "assessment_due_days": self.assessment_spin.value(),
            "reassessment_months": self.reassessment_spin.value(),
            "review_interval_days": self.review_spin.value(),
            "plan_approval": self.approval_check.isChecked(),
            "reintegration_plan_days": self.plan_days_spin.value(),
            "follow_up_months": parse_months(self.follow_up_edit.text()),
            "lost_contact_attempts": self.attempts_spin.value(),
            "report_small_cell": self.small_cell_spin.value(),
            "anonymised_k": self.k_spin.value(),
        }

    def save(self) -> None:
        # Only what changed: each changed setting is one audit entry.
        changes = {k: v for k, v in self.values().items() if getattr(self._current, k) != v}
        if not changes:
            self.errors.clear()
            self.status.setText(_("Nothing to save: no setting was changed."))
            return
        ok, saved = self.errors.attempt(lambda: settings_service.update_settings(self._who, **changes))
        if ok:
            self.show_settings(saved)
            self.status.setText(_("Saved."))
