"""The main window: navigation between sections, global search, menus, the
lock button and a status bar saying who is signed in where.

It only shows; the shell (``ui.shell.shell``) decides what locking, signing
out and quitting do, through this window's signals. For those who back up,
the status bar shows the backups too: the progress of one being made and
when the last verified one was (``ui.shell.backup_runner``).
"""

from __future__ import annotations

import ui.care.tabs  # noqa: F401  (the case-work tabs of the resident's file, before a file opens)
from shelter import __version__, fault_log
from shelter.i18n import LANGUAGE_NAMES, LANGUAGES, _, current_language, isolate, list_text
from shelter.security.permissions import Permission as P
from shelter.services import settings, shelters
from shelter.store import SignedIn
from ui.qt import (
    QAction,
    QActionGroup,
    QByteArray,
    QCloseEvent,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSize,
    QSizePolicy,
    QStackedWidget,
    Qt,
    QToolBar,
    QWidget,
    Signal,
    error_text,
    icon,
)
from ui.shell import backup_runner as backups
from ui.shell.change_password import ChangePasswordDialog
from ui.shell.sections import (
    ADMINISTRATION,
    SearchPage,
    Section,
    UnavailablePage,
    visible_sections,
)

PREF_GEOMETRY = "window.geometry"
PREF_SECTION = "window.section"
SECTION_ROLE = Qt.UserRole + 1


class MainWindow(QMainWindow):
    lock_requested = Signal()
    sign_out_requested = Signal()
    quit_requested = Signal()
    language_requested = Signal(str)
    first_painted = Signal()  # once, from the first paint (connect it queued to act after it)
    restored = Signal(str)  # the store was replaced by a backup (what to tell at sign-in): this session is over

    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowIcon(icon("shelter"))
        self.who = who
        self.sections: list[Section] = visible_sections(who.actor)
        self.pages: dict[str, QWidget] = {}
        self._closing_quietly = False
        self._painted = False

        self.navigation = QListWidget(self)
        self.navigation.setObjectName("navigation")
        self.navigation.setIconSize(QSize(20, 20))
        self.navigation.setFixedWidth(210)
        for sec in self.sections:
            item = QListWidgetItem(icon(sec.icon), "", self.navigation)
            item.setData(SECTION_ROLE, sec.key)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("pages")
        self.search_page = SearchPage(who, self.stack)
        self.stack.addWidget(self.search_page)
        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.navigation)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_actions()
        self._build_toolbar()
        self._build_menus()
        self.who_label = QLabel(self)
        self.where_label = QLabel(self)
        self.statusBar().addWidget(self.who_label)
        self.statusBar().addPermanentWidget(self.where_label)
        self._build_backup_status()

        self.navigation.currentRowChanged.connect(self._row_changed)
        self.retranslate()

    # -- building ------------------------------------------------------------

    def _build_actions(self) -> None:
        self.lock_action = QAction(icon("lock"), "", self)
        self.lock_action.setShortcuts([QKeySequence("Ctrl+L"), QKeySequence(Qt.Key_F12)])
        self.lock_action.setShortcutContext(Qt.ApplicationShortcut)
        self.lock_action.triggered.connect(self.lock_requested)
        self.sign_out_action = QAction(icon("sign-out"), "", self)
        self.sign_out_action.triggered.connect(self.sign_out_requested)
        self.quit_action = QAction(self)
        quit_keys = QKeySequence.keyBindings(QKeySequence.Quit) or [QKeySequence("Ctrl+Q")]
        self.quit_action.setShortcuts(quit_keys)
        self.quit_action.triggered.connect(self.quit_requested)
        self.change_password_action = QAction(self)
        self.change_password_action.triggered.connect(self.change_password)
        self.search_action = QAction(self)
        self.search_action.setShortcut(QKeySequence("Ctrl+K"))
        self.search_action.triggered.connect(self.focus_search)
        self.addAction(self.search_action)
        self.about_action = QAction(self)
        self.about_action.setShortcut(QKeySequence.HelpContents)
        self.about_action.triggered.connect(self.show_about)
        self.language_actions = QActionGroup(self)
        self.language_actions.setExclusive(True)
        for lang in ("ar", "fr", "en"):
            if lang in LANGUAGES:
                action = QAction(LANGUAGE_NAMES[lang], self.language_actions)
                action.setCheckable(True)
                action.setData(lang)
                action.triggered.connect(lambda _checked=False, code=lang: self.language_requested.emit(code))
        self.section_actions: list[QAction] = []
        for sec in self.sections:
            action = QAction(icon(sec.icon), "", self)
            # The section's own number, whatever the person's roles: Ctrl+3
            # is Residents for everyone who has it.
            if 1 <= sec.number <= 9:
                action.setShortcut(QKeySequence(f"Ctrl+{sec.number}"))
            action.triggered.connect(lambda _checked=False, key=sec.key: self.open_section(key))
            self.section_actions.append(action)

    def _build_toolbar(self) -> None:
        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setFloatable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.toolbar.setIconSize(QSize(18, 18))
        self.addToolBar(Qt.TopToolBarArea, self.toolbar)
        self.search = QLineEdit(self.toolbar)
        self.search.setObjectName("globalSearch")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.LeadingPosition)
        self.search.setMinimumWidth(280)
        self.search.setMaximumWidth(460)
        self.search.returnPressed.connect(self._search)
        self.search.textEdited.connect(self._search)
        self.toolbar.addWidget(self.search)
        spacer = QWidget(self.toolbar)
        spacer.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self.toolbar.addWidget(spacer)
        self.toolbar.addAction(self.lock_action)
        self.lock_button = self.toolbar.widgetForAction(self.lock_action)
        self.lock_button.setObjectName("lockButton")

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.file_menu.addAction(self.change_password_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.lock_action)
        self.file_menu.addAction(self.sign_out_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.view_menu = bar.addMenu("")
        for action in self.section_actions:
            self.view_menu.addAction(action)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.search_action)
        self.language_menu = self.view_menu.addMenu("")
        for action in self.language_actions.actions():
            self.language_menu.addAction(action)
        self.help_menu = bar.addMenu("")
        self.help_menu.addAction(self.about_action)

    def _build_backup_status(self) -> None:
        """A backup's progress ("Backing up… 40 %") and the state of the
        backups ("Last verified backup: …"), for those who back up."""
        self.shows_backups = self.who.actor.has(P.BACK_UP)
        self.backup_progress = QProgressBar(self)
        self.backup_progress.setRange(0, 100)
        self.backup_progress.setTextVisible(False)
        self.backup_progress.setFixedSize(110, 10)
        self.backup_progress_text = QLabel(self)
        self.backup_label = QLabel(self)
        self.backup_label.setObjectName("backupStatus")
        self.backup_label.setTextFormat(Qt.PlainText)
        self.backup_label.setMinimumWidth(60)  # shortened rather than widen the window (whole in the tooltip)
        self.statusBar().addWidget(self.backup_progress)
        self.statusBar().addWidget(self.backup_progress_text)
        self.statusBar().addPermanentWidget(self.backup_label)
        self.backup_outcome: backups.BackupOutcome | None = None
        runner = backups.backup_runner()
        self.backup_outcome = runner.last
        self.backup_label.setVisible(self.shows_backups)
        if self.shows_backups:
            runner.started.connect(self._backup_started)
            runner.progressed.connect(self._backup_progressed)
            runner.finished.connect(self._backup_finished)
        making = self.shows_backups and runner.running and runner.backing_up
        self.backup_progress.setVisible(making)
        self.backup_progress_text.setVisible(making)
        if making:
            self._backup_progressed(runner.fraction, "")

    def _backup_started(self, _label: str) -> None:
        self._backup_progressed(0.0, "")

    def _backup_progressed(self, fraction: float, _stage: str) -> None:
        self.backup_progress.setValue(backups.percent(fraction))
        self.backup_progress_text.setText(backups.progress_text(fraction))
        self.backup_progress.setAccessibleName(self.backup_progress_text.text())
        self.backup_progress.show()
        self.backup_progress_text.show()

    def _backup_finished(self, outcome: backups.BackupOutcome) -> None:
        self.backup_progress.hide()
        self.backup_progress_text.hide()
        self.backup_outcome = outcome
        self._show_backup_status()

    def _show_backup_status(self) -> None:
        """The worst of what there is to say, shortened to fit the status bar
        (the whole of it in the tooltip)."""
        outcome = self.backup_outcome
        if not self.shows_backups or outcome is None:
            self.backup_label.clear()
            return
        lines = backups.status_lines(outcome.status, outcome)
        whole = " · ".join(text for text, _level in lines)
        shown = self.backup_label.fontMetrics().elidedText(whole, Qt.ElideRight, 460)
        self.backup_label.setText(shown)
        self.backup_label.setToolTip("\n".join(text for text, _level in lines))
        self.backup_label.setAccessibleName(whole)
        self.backup_label.setStyleSheet(backups.STYLES[backups.worst(lines)])

    # -- texts ---------------------------------------------------------------

    def retranslate(self) -> None:
        actor = self.who.actor
        current = self.navigation.currentRow()
        self.setWindowTitle(_(self.sections[current].label) if 0 <= current < len(self.sections) else "")
        self.file_menu.setTitle(_("&File"))
        self.view_menu.setTitle(_("&View"))
        self.help_menu.setTitle(_("&Help"))
        self.language_menu.setTitle(_("&Language"))
        self.lock_action.setText(_("&Lock"))
        self.lock_action.setToolTip(_("Lock the screen now (Ctrl+L or F12)"))
        self.sign_out_action.setText(_("Sign &out"))
        self.quit_action.setText(_("&Quit"))
        self.change_password_action.setText(_("&Change my password…"))
        self.search_action.setText(_("&Search residents"))
        self.about_action.setText(_("&About Shelter"))
        self.search.setPlaceholderText(_("Search residents (Ctrl+K)"))
        self.search.setAccessibleName(_("Search residents"))
        self.navigation.setAccessibleName(_("Sections"))
        self.lock_button.setAccessibleName(_("Lock"))
        for action in self.language_actions.actions():
            action.setChecked(action.data() == current_language())
        for index, sec in enumerate(self.sections):
            self.navigation.item(index).setText(_(sec.label))
            self.navigation.item(index).setToolTip(_(sec.purpose))
            self.section_actions[index].setText(_(sec.label))
        roles = list_text([role.label for role in sorted(actor.roles)])
        self.who_label.setText(_("Signed in: {name} ({roles})").format(name=actor.display_name, roles=roles))
        self.who_label.setAccessibleName(self.who_label.text())
        if not self.who.locked:
            names = list_text([isolate(s.name) for s in shelters.list_shelters(self.who) if s.active])
            self.where_label.setText(_("Shelter: {names}").format(names=names) if names else "")
        self._show_backup_status()
        if self.backup_progress_text.isVisible():
            self._backup_progressed(backups.backup_runner().fraction, "")
        for key, page in list(self.pages.items()):
            if hasattr(page, "retranslate"):
                page.retranslate()
            else:  # a page without retranslate() is rebuilt in the new language
                self._rebuild(key)
        self.search_page.retranslate()

    # -- sections --------------------------------------------------------------

    def current_section(self) -> str | None:
        item = self.navigation.currentItem()
        return item.data(SECTION_ROLE) if item else None

    def open_section(self, key: str) -> bool:
        """Show section ``key``; False if this person may not see it."""
        for index, sec in enumerate(self.sections):
            if sec.key == key:
                if self.navigation.currentRow() == index:
                    self._row_changed(index)
                else:
                    self.navigation.setCurrentRow(index)
                return True
        return False

    def open_narrowed(self, key: str, state: str) -> None:
        """Section ``key`` (My work, the reintegration board) narrowed to one
        due state ("all": everything), as the dashboard's counts ask."""
        if self.open_section(key):
            page = self.pages.get(key)
            if hasattr(page, "show_state"):
                page.show_state(state)

    def _row_changed(self, index: int) -> None:
        if index < 0:
            return
        sec = self.sections[index]
        if sec.key not in self.pages:
            page = self._make_page(sec)
            self.pages[sec.key] = page
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(self.pages[sec.key])
        self.setWindowTitle(_(sec.label))  # "Beds — Shelter": the system adds the application's name

    def _make_page(self, sec: Section) -> QWidget:
        try:
            page = sec.page_class()(self.who, self.stack)
        except Exception as exc:  # noqa: BLE001  (one broken screen must not close the window)
            fault_log.record(exc)
            return UnavailablePage(sec, error_text(exc), self.stack)
        if sec.key == "dashboard":
            page.work_requested.connect(lambda state: self.open_narrowed("my_work", state))
            page.reintegration_requested.connect(lambda state: self.open_narrowed("reintegration", state))
        elif sec.key == ADMINISTRATION:
            page.restored.connect(self.restored)
        return page

    def _rebuild(self, key: str) -> None:
        old = self.pages.pop(key)
        showing = self.stack.currentWidget() is old
        sec = next(s for s in self.sections if s.key == key)
        page = self._make_page(sec)
        self.pages[key] = page
        self.stack.addWidget(page)
        if showing:
            self.stack.setCurrentWidget(page)
        self.stack.removeWidget(old)
        old.deleteLater()

    # -- search --------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus(Qt.ShortcutFocusReason)
        self.search.selectAll()

    def _search(self) -> None:
        text = self.search.text().strip()
        if not text:
            index = self.navigation.currentRow()
            if index >= 0:
                self._row_changed(index)
            return
        if self.who.actor.has(P.VIEW_RESIDENT) and self.open_section("residents"):
            self.pages["residents"].set_query(text)
            return
        self.search_page.set_query(text)
        self.stack.setCurrentWidget(self.search_page)

    def keyPressEvent(self, event) -> None:  # noqa: N802, ANN001  (Qt name)
        if event.key() == Qt.Key_Escape and self.search.hasFocus():
            self.search.clear()
            self._search()
            self.navigation.setFocus(Qt.OtherFocusReason)
            return
        super().keyPressEvent(event)

    # -- dialogs ----------------------------------------------------------------

    def change_password(self) -> None:
        ChangePasswordDialog(self.who, parent=self).exec()

    def show_about(self) -> None:
        from shelter.about import components

        QMessageBox.about(
            self, _("About Shelter"),
            _("Shelter {version}").format(version=__version__) + "\n\n"
            + _("Case management for shelters protecting victims of human trafficking.") + "\n"
            + _("The records are kept encrypted on this computer.") + "\n\n"
            + _("Free software under the GNU General Public License, version 3 or later. It includes:") + "\n"
            + "\n".join(components()))

    # -- per-user preferences (kept in the encrypted store, never in QSettings) ---

    def restore_preferences(self) -> None:
        stored = settings.get_user_preference(self.who, PREF_GEOMETRY)
        restored = False
        if isinstance(stored, str) and stored:
            restored = self.restoreGeometry(QByteArray.fromBase64(stored.encode("ascii")))
        if not restored:
            screen = self.screen().availableGeometry()
            self.resize(min(1280, screen.width()), min(800, screen.height()))
            self.move(screen.center() - self.rect().center())
        last = settings.get_user_preference(self.who, PREF_SECTION)
        if not (isinstance(last, str) and self.open_section(last)):
            self.navigation.setCurrentRow(0)

    def save_preferences(self) -> None:
        if self.who.locked:
            return
        geometry = bytes(self.saveGeometry().toBase64()).decode("ascii")
        settings.set_user_preference(self.who, PREF_GEOMETRY, geometry)
        section = self.current_section()
        if section:
            settings.set_user_preference(self.who, PREF_SECTION, section)

    def close_quietly(self) -> None:
        """Close without asking the application to quit (sign-out, another user)."""
        self._closing_quietly = True
        self.close()

    def paintEvent(self, event) -> None:  # noqa: N802, ANN001  (Qt name)
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt name)
        if not self._closing_quietly:
            event.ignore()
            self.quit_requested.emit()
            return
        super().closeEvent(event)
