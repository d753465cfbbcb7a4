"""Administration: staff accounts; shelters, rooms and beds; settings; the
audit log; documents. Each tab is built only for those whose roles may use
it (a coordinator sees the shelters, rooms and beds and the documents'
check, not the accounts), and every service call checks again."""

from __future__ import annotations

from shelter.i18n import _
from shelter.security.permissions import Permission as P
from shelter.store import SignedIn
from ui.admin.accounts import AccountsTab
from ui.admin.audit import AuditTab
from ui.admin.backups import BackupsTab
from ui.admin.documents import DocumentsTab
from ui.admin.pathways import PathwaysTab
from ui.admin.places import PlacesTab
from ui.admin.settings import SettingsTab
from ui.qt import QLabel, QTabWidget, QVBoxLayout, QWidget, Signal


class AdministrationPage(QWidget):
    restored = Signal(str)  # a backup replaced the store (what to tell at sign-in): sign in again

    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel(_("Administration"))
        title.setObjectName("title")
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        may = who.actor.has
        self.accounts = AccountsTab(who) if may(P.MANAGE_ACCOUNTS) else None
        self.places = PlacesTab(who) if may(P.MANAGE_SHELTERS) else None
        self.settings = SettingsTab(who) if may(P.MANAGE_SETTINGS) else None
        self.pathways = PathwaysTab(who) if may(P.MANAGE_PATHWAYS) else None
        self.audit = AuditTab(who) if may(P.VIEW_AUDIT_LOG) else None
        self.documents = DocumentsTab(who) if may(P.VERIFY_DOCUMENT) or may(P.PRINT_RECOVERY_SHEET) else None
        self.backups = BackupsTab(who) if may(P.BACK_UP) else None
        if self.backups is not None:
            self.backups.restored.connect(self.restored)
        for tab, name in ((self.accounts, _("Staff &accounts")), (self.places, _("Shelters, rooms and &beds")),
                           (self.settings, _("Se&ttings")), (self.pathways, _("&Reintegration")),
                           (self.audit, _("Audit &log")),
                           (self.documents, _("&Documents")), (self.backups, _("Bac&kups"))):
            if tab is not None:
                self.tabs.addTab(tab, name)
        if not self.tabs.count():
            who.require(P.MANAGE_ACCOUNTS)  # nothing here for this person: the usual refusal
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(title)
        layout.addWidget(self.tabs, 1)
