"""The sections of the main window and the pages the shell itself provides
(the dashboard is ``ui.dashboard``).

A section lists the permissions that show it (any one is enough): people see
only the sections their roles can use. It names its page as "module:Class",
imported the first time the section opens, so a person who never opens
Administration never loads it; a page that cannot be opened is shown as
unavailable, with the reason, and the window stays.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from shelter.i18n import N_, _
from shelter.security.permissions import Permission as P
from shelter.store import Actor, SignedIn
from ui.qt import QWidget
from ui.widgets import heading, page_layout, paragraph


@dataclass(frozen=True)
class Section:
    key: str
    label: str  # marked with N_, translated when shown
    icon: str
    shown_for: tuple[P, ...]  # any one of these permissions; empty: everyone
    purpose: str  # marked with N_: what the section holds (the navigation's tooltip)
    page: str  # "module:Class", built as Class(who, parent)
    # N of the section's Ctrl+N, the same whatever the person's roles (Ctrl+3
    # is Residents for everyone who has it); 0: none. A section added later
    # takes the next free number, so the others keep theirs.
    number: int = 0

    def page_class(self) -> type[QWidget]:
        module, name = self.page.split(":")
        return getattr(importlib.import_module(module), name)

    def visible_to(self, actor: Actor) -> bool:
        return not self.shown_for or any(actor.has(p) for p in self.shown_for)


ADMINISTRATION = "administration"

SECTIONS: tuple[Section, ...] = (
    Section("dashboard", N_("Dashboard"), "dashboard", (),
            N_("Occupancy at a glance, admissions and reviews due, reminders."),
            "ui.dashboard.page:DashboardPage", 1),
    Section("my_work", N_("My work"), "sessions", (P.VIEW_CARE_PLAN,),
            N_("Assessments, reviews, actions and approvals overdue or due within 7 days."),
            "ui.my_work:MyWorkPage", 8),
    Section("beds", N_("Beds"), "bed", (P.VIEW_BED_BOARD,),
            N_("The bed board: who sleeps where, free beds, reservations and moves."),
            "ui.beds:BedBoardPage", 2),
    Section("residents", N_("Residents"), "residents", (P.VIEW_RESIDENT,),
            N_("Resident files: admission, identity, consent, needs assessment and care plan."),
            "ui.residents.page:ResidentsPage", 3),
    Section("sessions", N_("Sessions"), "sessions", (P.LOG_SESSION, P.VIEW_SESSIONS),
            N_("Counselling sessions and the week calendar."),
            "ui.sessions.page:SessionsPage", 4),
    Section("reintegration", N_("Reintegration"), "reintegration", (P.VIEW_REINTEGRATION, P.MANAGE_PARTNERS),
            N_("Milestones, referrals to partners and follow-ups after discharge overdue or due within 7 days, "
               "and the partner directory."),
            "ui.reintegration.page:ReintegrationPage", 5),
    Section("reports", N_("Reports"), "reports", (P.VIEW_REPORTS,),
            N_("Figures for a month, a quarter or a year for the national committee and donors, and referrals "
               "not admitted."),
            "ui.reports.page:ReportsPage", 6),
    Section(ADMINISTRATION, N_("Administration"), "administration",
            (P.MANAGE_ACCOUNTS, P.MANAGE_SHELTERS, P.MANAGE_SETTINGS, P.VIEW_AUDIT_LOG),
            N_("Staff accounts, shelters, rooms and beds, settings and the audit log."),
            "ui.admin:AdministrationPage", 7),
)


def visible_sections(actor: Actor) -> list[Section]:
    return [s for s in SECTIONS if s.visible_to(actor)]


class SearchPage(QWidget):
    """Where the global search lands for someone whose role may not search
    resident records (those who may are taken to the Residents section)."""

    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._who = who
        self.title = heading("", 1, self)
        self.result = paragraph(self, "notice")
        layout = page_layout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.result)
        layout.addStretch(1)
        self.retranslate()

    def set_query(self, _text: str) -> None:
        """The text is not searched: this role may not."""
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(_("Search"))
        self.result.setText(_("Your role does not allow searching resident records."))


class UnavailablePage(QWidget):
    """Shown when a section's screen could not be opened."""

    def __init__(self, sec: Section, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section = sec
        self.reason = reason
        self.title = heading("", 1, self)
        self.notice = paragraph(self, "fieldError")
        layout = page_layout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.notice)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(_(self.section.label))
        self.notice.setText(_("This section could not be opened: {reason}").format(reason=self.reason))
