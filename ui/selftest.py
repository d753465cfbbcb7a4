"""``main.py --self-test``: does this installation work, without a screen?

Run by CI on the frozen bundle and by IT staff after installing: packaging
breaks quietly (a hidden import, a font, a catalogue, the SQLCipher module),
so every check exercises the real thing. A temporary encrypted store is
made in a private folder, migrated, signed into and verified; the main
window is built in each language; translations (Shelter's and Qt's), fonts,
icons, the stylesheet and the licence texts of every bundled component are
loaded. Nothing is left behind: the folder is removed and the
check says so. Exit 0 when every check holds, 1 otherwise.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

PROBE = "Wrong username or password."
PASSWORD = "self test passphrase words"


class CheckFailed(Exception):
    """A check found the installation wrong (its message says how); any
    other exception is reported with its type, as it is unexpected."""


class SelfTest:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.failed: list[str] = []
        self.folder: Path | None = None
        self.who = None

    def check(self, name: str, fn: Callable[[], str | None]) -> bool:
        start = time.perf_counter()
        try:
            detail = fn() or ""
        except Exception as exc:  # noqa: BLE001  (every failure is reported, none escapes)
            self.failed.append(name)
            reason = str(exc) if isinstance(exc, CheckFailed) else (
                getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}")
            print(f"FAIL  {name}: {reason}", file=self.out)
            if os.environ.get("SHELTER_SELF_TEST_TRACEBACK"):
                traceback.print_exc(file=self.out)
            return False
        ms = (time.perf_counter() - start) * 1000
        print(f"ok    {name} ({ms:.0f} ms){': ' + detail if detail else ''}", file=self.out)
        return True

    # -- checks ---------------------------------------------------------------

    def translations(self) -> str:
        from shelter.i18n import LANGUAGES, SOURCE_LANGUAGE, catalogue_path, translator
        from ui.qt import QLibraryInfo, QTranslator

        for lang in LANGUAGES:
            if lang == SOURCE_LANGUAGE:
                continue
            if not catalogue_path(lang).is_file():
                raise CheckFailed(f"catalogue {lang} missing at {catalogue_path(lang)}")
            if translator(lang).gettext(PROBE) == PROBE:
                raise CheckFailed(f"catalogue {lang} does not translate")
            # Qt's own catalogue: the buttons of Qt's standard dialogs.
            qt = QTranslator()
            if not qt.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.TranslationsPath)):
                raise CheckFailed(f"Qt's catalogue qtbase_{lang} missing")
        return ", ".join(LANGUAGES)

    def fonts(self) -> str:
        from ui.qt import QFontDatabase
        from ui.shell.language import load_bundled_fonts

        families = set(load_bundled_fonts())
        wanted = {"Noto Sans", "Noto Naskh Arabic"}
        if not wanted <= families:
            raise CheckFailed(f"bundled fonts missing: {sorted(wanted - families)}")
        if not QFontDatabase.writingSystems("Noto Naskh Arabic"):
            raise CheckFailed("the Arabic font has no writing systems")
        return ", ".join(sorted(wanted))

    def icons_and_style(self) -> str:
        from shelter.resources import resource
        from ui.app import load_stylesheet
        from ui.qt import QSvgRenderer

        names = sorted(p.stem for p in resource("icons").glob("*.svg"))
        if not names:
            raise CheckFailed("no icons found")
        for name in names:
            if not QSvgRenderer(str(resource("icons", f"{name}.svg"))).isValid():
                raise CheckFailed(f"icon {name} does not load")
        if "QPushButton" not in load_stylesheet():
            raise CheckFailed("stylesheet missing")
        return f"{len(names)} icons"

    def licences(self) -> str:
        from shelter.about import COMPONENTS, missing_licence_texts

        missing = missing_licence_texts()
        if missing:
            raise CheckFailed(f"licence text missing for {', '.join(missing)}")
        return f"{len(COMPONENTS)} components"

    def time_zone(self) -> str:
        """The shelter's time zone, which sessions are kept on (tzdata in the bundle)."""
        from datetime import date, time

        from shelter.domain.sessions import from_local, local

        winter, ramadan = from_local(date(2027, 1, 25), time(10)), from_local(date(2027, 2, 22), time(10))
        if (winter.hour, ramadan.hour) != (9, 10) or local(ramadan).hour != 10:
            raise CheckFailed("Africa/Casablanca gives the wrong offsets")
        return "Africa/Casablanca"

    def documents(self) -> str:
        """A document built (fonts, shaping, ReportLab) and its first page
        rendered in memory, as the preview and the printer do."""
        from datetime import datetime

        import pypdfium2

        from shelter.documents import RecoverySheet, recovery_sheet
        from ui.documents.preview import render_page

        sheet = RecoverySheet(shelter_name="دار الأمان", recovery_code="0000-1111-2222", issued_at=datetime.now(),
                              store_id="0000-0000", printed_by="Self test", printed_at=datetime.now())
        pdf = recovery_sheet(sheet, "ar")
        with pypdfium2.PdfDocument(pdf) as doc:
            image = render_page(doc[0], 0.5)
        dark = sum(1 for y in range(0, image.height(), 4) for x in range(0, image.width(), 4)
                   if image.pixelColor(x, y).lightness() < 128)
        if dark == 0:
            raise CheckFailed("the rendered page is blank")
        # A report's spreadsheet, read back (openpyxl is imported only when one is saved).
        import io

        import openpyxl

        from shelter.documents.spreadsheet import report_xlsx
        from shelter.domain.report_model import ONE_COLUMN, Axis, Period, Report, Section, Table, verbatim

        rows = Axis("Shelter", ("a",), verbatim({"a": "دار الأمان"}))
        report = Report(Period.month(2026, 1), None, "", "Self test", datetime.now().astimezone(), (
            Section("occupancy", tables=(Table("t", "Self test", rows, ONE_COLUMN, {("a", "n"): 12}),)),)).released(5)
        book = openpyxl.load_workbook(io.BytesIO(report_xlsx(report, "ar")))
        if len(book.worksheets) < 2:
            raise CheckFailed("the report's spreadsheet has no sheet for its section")
        return f"PDF {len(pdf) // 1024} KiB, page rendered {image.width()}x{image.height()}; spreadsheet read back"

    def store(self) -> str:
        from shelter.security.keyring import KdfParams
        from shelter.services.maintenance import verify
        from shelter.storage import migrate
        from shelter.store import Store

        self.folder = Path(tempfile.mkdtemp(prefix="shelter-self-test-"))
        store_dir = self.folder / "store"
        created, _code = Store.create(store_dir, shelter_name="Self test", shelter_code="TEST",
                                      admin_username="selftest", admin_password=PASSWORD, kdf=KdfParams())
        created.lock("sign_out")
        database = next(store_dir.glob("shelter*.db"))
        if database.read_bytes()[:16] == b"SQLite format 3\0":
            raise CheckFailed("the database file is not encrypted")
        self.who = Store(store_dir).sign_in("selftest", PASSWORD)
        report = verify(self.who)
        if not report.ok:
            raise CheckFailed(report.summary())
        return f"SQLCipher, schema {migrate.head_revision()}, verified"

    def windows(self) -> str:
        from shelter.i18n import LANGUAGES
        from ui.qt import QApplication, Qt
        from ui.shell.language import InterfaceLanguage
        from ui.shell.main_window import MainWindow

        if self.who is None:
            raise CheckFailed("no store to sign into")
        app = QApplication.instance()
        language = InterfaceLanguage(app)
        for lang in LANGUAGES:
            language.apply(lang)
            window = MainWindow(self.who)
            window.show()
            app.processEvents()
            rtl = window.layoutDirection() == Qt.RightToLeft
            if rtl != (lang == "ar"):
                raise CheckFailed(f"{lang}: wrong layout direction")
            if not window.navigation.count():
                raise CheckFailed(f"{lang}: no sections")
            window.close()
            window.deleteLater()
            app.processEvents()
        language.apply("en")
        return ", ".join(LANGUAGES)

    def cleanup(self) -> str:
        if self.who is not None:
            self.who.lock("sign_out")
            self.who = None
        if self.folder is not None:
            shutil.rmtree(self.folder)
            if self.folder.exists():
                raise CheckFailed(f"{self.folder} could not be removed")
        return "temporary store removed"


def _quiet_offscreen(mode: object, context: object, message: str) -> None:
    """Qt's messages on standard error, except the offscreen platform's
    warning for every window shown (it cannot pass size hints on): expected
    here, it would only bury the report."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def run(out: TextIO | None = None) -> int:
    """Run every check; 0 when all hold."""
    out = out or sys.stdout
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no screen needed, ever
    from ui.app import make_application
    from ui.qt import qInstallMessageHandler

    make_application(["shelter"])
    previous = qInstallMessageHandler(_quiet_offscreen)
    try:
        return _run_checks(out)
    finally:
        qInstallMessageHandler(previous)


def _run_checks(out: TextIO) -> int:
    from shelter import __version__

    test = SelfTest(out)
    print(f"Shelter {__version__} self-test ({'bundle' if getattr(sys, 'frozen', False) else 'source'})",
          file=out)
    test.check("translations", test.translations)
    test.check("fonts", test.fonts)
    test.check("icons and stylesheet", test.icons_and_style)
    test.check("licences", test.licences)
    test.check("time zone", test.time_zone)
    test.check("documents", test.documents)
    if test.check("encrypted store", test.store):
        test.check("main window in every language", test.windows)
    test.check("clean-up", test.cleanup)
    if test.failed:
        print(f"self-test FAILED: {', '.join(test.failed)}", file=out)
        return 1
    print("self-test passed", file=out)
    return 0
