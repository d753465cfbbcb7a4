"""The language chooser. Each language is named in itself (العربية, Français,
English) so that anyone can find their own whatever is on screen."""

from __future__ import annotations

from shelter.i18n import LANGUAGE_NAMES, LANGUAGES, current_language
from ui.qt import QComboBox, QWidget, Signal


class LanguageBox(QComboBox):
    language_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("languageBox")
        for lang in ("ar", "fr", "en"):
            if lang in LANGUAGES:
                self.addItem(LANGUAGE_NAMES[lang], lang)
        self.set_language(current_language())
        self.activated.connect(lambda index: self.language_chosen.emit(self.itemData(index)))

    def language(self) -> str:
        return self.currentData()

    def set_language(self, lang: str) -> None:
        """Show ``lang`` as chosen without announcing a change."""
        index = self.findData(lang)
        if index >= 0:
            self.blockSignals(True)
            self.setCurrentIndex(index)
            self.blockSignals(False)
