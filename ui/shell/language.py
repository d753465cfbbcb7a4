"""Qt's side of the interface language: Qt's own catalogue (qtbase_<lang>,
for the texts of Qt's standard dialogs), the layout direction, the default
locale and a font that has the script.

``shelter.i18n`` stays the one catalogue of the application's own strings;
this module only follows it.
"""

from __future__ import annotations

from shelter.i18n import is_rtl, set_language
from shelter.resources import resource
from ui.qt import QApplication, QFont, QFontDatabase, QLibraryInfo, QLocale, Qt, QTranslator

# Morocco's locales where they exist: Latin digits 0-9 in every language
# (ar_MA numbers with 0-9), day/month/year dates.
LOCALES = {"ar": "ar_MA", "fr": "fr_MA", "en": "en_GB"}

LATIN_FAMILIES = ("Noto Sans", "DejaVu Sans")
ARABIC_FAMILIES = ("Noto Sans Arabic", "Noto Naskh Arabic", "Noto Kufi Arabic", "DejaVu Sans")
BASE_POINT_SIZE = 10.5
ARABIC_POINT_SIZE = 11.5  # Arabic letters read small at the Latin size


def load_bundled_fonts() -> list[str]:
    """Register every font in resources/fonts; returns the families found."""
    families: list[str] = []
    folder = resource("fonts")
    if folder.is_dir():
        for path in sorted([*folder.rglob("*.ttf"), *folder.rglob("*.otf")]):
            font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id >= 0:
                families.extend(QFontDatabase.applicationFontFamilies(font_id))
    return families


def interface_font(lang: str) -> QFont:
    """The application font: a Latin family first, then one with Arabic
    (Qt falls back family by family for each script)."""
    available = set(QFontDatabase.families())
    font = QFont(QApplication.font())
    latin = [f for f in LATIN_FAMILIES if f in available]
    arabic = [f for f in ARABIC_FAMILIES if f in available]
    families = (arabic + latin) if is_rtl(lang) else (latin + arabic)
    if families:
        font.setFamilies(list(dict.fromkeys(families)))
    font.setPointSizeF(ARABIC_POINT_SIZE if is_rtl(lang) else BASE_POINT_SIZE)
    return font


class InterfaceLanguage:
    """Switches the whole application to a language; call again to switch back."""

    def __init__(self, app: QApplication) -> None:
        self._app = app
        self._translators: list[QTranslator] = []

    def apply(self, lang: str) -> str:
        lang = set_language(lang)
        for old in self._translators:
            self._app.removeTranslator(old)
        self._translators = []
        folder = QLibraryInfo.path(QLibraryInfo.TranslationsPath)
        if lang != "en":
            translator = QTranslator(self._app)
            if translator.load(f"qtbase_{lang}", folder):
                self._app.installTranslator(translator)
                self._translators.append(translator)
        self._app.setLayoutDirection(Qt.RightToLeft if is_rtl(lang) else Qt.LeftToRight)
        QLocale.setDefault(QLocale(LOCALES.get(lang, lang)))
        self._app.setFont(interface_font(lang))
        return lang
