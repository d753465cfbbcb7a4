"""Administration: staff accounts; shelters, rooms and beds; settings; the
audit log. Only administrators reach it (the main window offers it by
permission, and every service call checks again)."""

from __future__ import annotations

from shelter.i18n import _
from shelter.store import SignedIn
from ui.admin.accounts import AccountsTab
from ui.admin.audit import AuditTab
from ui.admin.documents import DocumentsTab
from ui.admin.places import PlacesTab
from ui.admin.settings import SettingsTab
from ui.qt import QLabel, QTabWidget, QVBoxLayout, QWidget


class AdministrationPage(QWidget):
    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel(_("Administration"))
        title.setObjectName("title")
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.accounts = AccountsTab(who)
        self.places = PlacesTab(who)
        self.settings = SettingsTab(who)
        self.audit = AuditTab(who)
        self.documents = DocumentsTab(who)
        self.tabs.addTab(self.accounts, _("Staff &accounts"))
        self.tabs.addTab(self.places, _("Shelters, rooms and &beds"))
        self.tabs.addTab(self.settings, _("Se&ttings"))
        self.tabs.addTab(self.audit, _("Audit &log"))
        self.tabs.addTab(self.documents, _("&Documents"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(title)
        layout.addWidget(self.tabs, 1)
