"""The Reintegration section: the overdue board (for those who see
reintegration: VIEW_REINTEGRATION) and the partner directory (for them and
for those who manage it: MANAGE_PARTNERS), one tab each. The dashboard's
counts open the board on one due state (``show_state``)."""

from __future__ import annotations

from shelter.i18n import _
from shelter.security.permissions import Permission
from shelter.store import SignedIn
from ui.qt import QTabWidget, QWidget
from ui.reintegration.board import DueBoardView
from ui.reintegration.partners import PartnersView
from ui.widgets import heading, page_layout


class ReintegrationPage(QWidget):
    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        may = who.actor.has
        self.title = heading("", 1, self)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.board = DueBoardView(who) if may(Permission.VIEW_REINTEGRATION) else None
        self.partners = PartnersView(who) if may(Permission.VIEW_REINTEGRATION) or may(
            Permission.MANAGE_PARTNERS) else None
        if self.board is None and self.partners is None:
            who.require(Permission.VIEW_REINTEGRATION)  # nothing here for this person: the usual refusal
        if self.board is not None:
            self.tabs.addTab(self.board, "")
        if self.partners is not None:
            self.tabs.addTab(self.partners, "")
            if self.board is not None:
                # A partner renamed or retired: the board names partners too.
                self.partners.changed_callbacks.append(
                    lambda: self.board.refresh() if self.board.isVisible() else None)
        layout = page_layout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.tabs, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(_("Reintegration"))
        for view, text in ((self.board, _("Overdue &board")), (self.partners, _("Pa&rtners"))):
            if view is not None:
                self.tabs.setTabText(self.tabs.indexOf(view), text)
                view.retranslate()

    def show_board(self) -> None:
        if self.board is not None:
            self.tabs.setCurrentWidget(self.board)

    def show_state(self, state: str) -> None:
        """The board, narrowed to one state ("all", "overdue", "today", "soon", "lost_contact")."""
        if self.board is not None:
            self.show_board()
            self.board.show_state(state)
