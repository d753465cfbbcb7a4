"""Store-wide settings: idle lock, default document language, how residents'
names are shown."""

from __future__ import annotations

from shelter.i18n import LANGUAGE_NAMES, LANGUAGES, N_, _, ngettext
from shelter.services import settings as settings_service
from shelter.services.settings import NAME_FORMS, Settings
from shelter.store import SignedIn
from ui.admin.forms import status_label
from ui.qt import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
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
                       self.name_combo.currentIndexChanged):
            signal.connect(self._changed)
        self.load()

    def load(self) -> None:
        self.show_settings(settings_service.get_settings(self._who))

    def show_settings(self, values: Settings) -> None:
        self._current = values
        self.idle_spin.setValue(values.idle_lock_minutes)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(values.document_language)))
        self.name_combo.setCurrentIndex(max(0, self.name_combo.findData(values.resident_name_form)))
        self.status.clear()

    def _changed(self, *_args: object) -> None:
        self.status.clear()

    def values(self) -> dict[str, object]:
        return {
            "idle_lock_minutes": self.idle_spin.value(),
            "document_language": self.language_combo.currentData(),
            "resident_name_form": self.name_combo.currentData(),
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
