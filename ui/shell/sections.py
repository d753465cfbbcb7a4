"""The sections of the main window and the pages the shell itself provides.

A section lists the permissions that show it (any one is enough): people see
only the sections their roles can use. Sections whose screens are not built
yet say so plainly; they never show invented data.
"""

from __future__ import annotations

from dataclasses import dataclass

from shelter.errors import ShelterError
from shelter.i18n import N_, _, ngettext
from shelter.security.permissions import Permission as P
from shelter.services import residents, shelters
from shelter.store import Actor, SignedIn
from ui.qt import QColor, QFrame, QLabel, QLocale, QPainter, QScrollArea, Qt, QVBoxLayout, QWidget
from ui.widgets import heading


@dataclass(frozen=True)
class Section:
    key: str
    label: str  # marked with N_, translated when shown
    icon: str
    shown_for: tuple[P, ...]  # any one of these permissions; empty: everyone
    purpose: str  # marked with N_: what the section will hold

    def visible_to(self, actor: Actor) -> bool:
        return not self.shown_for or any(actor.has(p) for p in self.shown_for)


ADMINISTRATION = "administration"

SECTIONS: tuple[Section, ...] = (
    Section("dashboard", N_("Dashboard"), "dashboard", (),
            N_("Occupancy at a glance, admissions and reviews due, reminders.")),
    Section("beds", N_("Beds"), "bed", (P.VIEW_BED_BOARD,),
            N_("The bed board: who sleeps where, free beds, reservations and moves.")),
    Section("residents", N_("Residents"), "residents", (P.VIEW_RESIDENT,),
            N_("Resident files: admission, identity, consent, needs assessment and care plan.")),
    Section("sessions", N_("Sessions"), "sessions", (P.LOG_SESSION, P.VIEW_CARE_PLAN),
            N_("Counselling sessions and the week calendar.")),
    Section("reintegration", N_("Reintegration"), "reintegration", (P.VIEW_CARE_PLAN,),
            N_("Reintegration plans, milestones, discharge and follow-up.")),
    Section("reports", N_("Reports"), "reports", (P.VIEW_REPORTS,),
            N_("Monthly figures for the national committee and donors.")),
    Section(ADMINISTRATION, N_("Administration"), "administration",
            (P.MANAGE_ACCOUNTS, P.MANAGE_SHELTERS, P.MANAGE_SETTINGS, P.VIEW_AUDIT_LOG),
            N_("Staff accounts, shelters, rooms and beds, settings and the audit log.")),
)


def visible_sections(actor: Actor) -> list[Section]:
    return [s for s in SECTIONS if s.visible_to(actor)]


def section(key: str) -> Section:
    return next(s for s in SECTIONS if s.key == key)


def _page_layout(page: QWidget) -> QVBoxLayout:
    layout = QVBoxLayout(page)
    layout.setContentsMargins(32, 24, 32, 24)
    layout.setSpacing(12)
    return layout


def _text(parent: QWidget, name: str = "") -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.PlainText)
    if name:
        label.setObjectName(name)
    return label


class ComingSoonPage(QWidget):
    """A section whose screens are not built yet."""

    def __init__(self, sec: Section, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section = sec
        self.title = heading("", 1, self)
        self.notice = _text(self, "notice")
        self.purpose = _text(self, "muted")
        layout = _page_layout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.notice)
        layout.addWidget(self.purpose)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(_(self.section.label))
        self.notice.setText(_("This section arrives in a coming version."))
        self.purpose.setText(_(self.section.purpose))


class OccupancyChart(QWidget):
    """People in residence on the first of each month, as bars, drawn with
    QPainter (Qt Charts is not part of the Qt modules we ship)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: tuple = ()
        self.setMinimumHeight(170)
        self.setAccessibleName(_("Occupancy over the last twelve months"))

    def set_points(self, points: tuple) -> None:
        self.points = points
        self.setAccessibleDescription(", ".join(f"{day.strftime('%Y-%m')}: {n}" for day, n in points))
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802, ANN001  (Qt name)
        if not self.points:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        metrics = painter.fontMetrics()
        rect = self.rect().adjusted(8, 8, -8, -(metrics.height() + 8))
        top = max(n for _day, n in self.points) or 1
        width = rect.width() / len(self.points)
        rtl = self.layoutDirection() == Qt.RightToLeft
        for index, (day, count) in enumerate(self.points):
            slot = len(self.points) - 1 - index if rtl else index
            x = rect.left() + slot * width
            height = rect.height() * count / top
            painter.fillRect(int(x + width * 0.15), int(rect.bottom() - height), int(width * 0.7), int(height),
                             QColor("#1d6b73"))
            label = QLocale().monthName(day.month, QLocale.ShortFormat)
            painter.setPen(QColor("#56666e"))
            painter.drawText(int(x), rect.bottom() + 4, int(width), metrics.height(), Qt.AlignHCenter, label)
            if count:
                painter.setPen(QColor("#ffffff") if height > metrics.height() + 4 else QColor("#1e2b31"))
                y = rect.bottom() - height + 2 if height > metrics.height() + 4 else rect.bottom() - height - metrics.height()
                painter.drawText(int(x), int(y), int(width), metrics.height(), Qt.AlignHCenter, str(count))
        painter.end()


class DashboardPage(QWidget):
    """A greeting, today's figures (occupancy, admissions and discharges this
    month, reservations expiring, average length of stay), occupancy over
    the last twelve months, and the shelters with their rooms and beds."""

    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._who = who
        self.title = heading("", 1, self)
        self.greeting = _text(self)
        self.shelters_heading = heading("", 2, self)
        self.shelters = QFrame(self)
        self.shelters.setObjectName("card")
        self._shelter_layout = QVBoxLayout(self.shelters)
        self.notice = _text(self, "muted")
        self.figures = _text(self, "notice")
        self.chart_heading = heading("", 2, self)
        self.chart = OccupancyChart(self)
        # Scrolls rather than forcing a minimum window size on small screens.
        content = QWidget(self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        layout = _page_layout(content)
        layout.addWidget(self.title)
        layout.addWidget(self.greeting)
        layout.addWidget(self.figures)
        layout.addWidget(self.chart_heading)
        layout.addWidget(self.chart)
        layout.addWidget(self.shelters_heading)
        layout.addWidget(self.shelters)
        layout.addWidget(self.notice)
        layout.addStretch(1)
        scroll.setWidget(content)
        self.retranslate()

    def retranslate(self) -> None:
        actor = self._who.actor
        self.title.setText(_("Dashboard"))
        self.greeting.setText(_("Welcome, {name}.").format(name=actor.display_name))
        self.shelters_heading.setText(_("Shelters"))
        self.chart_heading.setText(_("People in residence on the first day of each month, and today"))
        self.notice.setText("")
        self.reload()

    def _load_figures(self) -> None:
        shown = self._who.actor.has(P.VIEW_BED_BOARD) or self._who.actor.has(P.VIEW_REPORTS)
        for widget in (self.figures, self.chart_heading, self.chart):
            widget.setVisible(shown)
        if not shown:
            return
        try:
            figures = residents.dashboard(self._who)
        except ShelterError as exc:
            self.figures.setText(exc.message)
            return
        self.figures.setText(directed(self, _load_figures_text(figures)))
        self.chart.set_points(figures.occupancy)

    def reload(self) -> None:
        while self._shelter_layout.count():
            item = self._shelter_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        if self._who.locked:
            return
        self._load_figures()
        views = shelters.list_shelters(self._who)
        for view in views:
            rooms = sum(1 for r in view.rooms if r.active)
            line = _("{name} ({code})").format(name=view.name, code=view.code)
            if view.city:
                line += " — " + view.city
            figures = "{rooms} · {beds}".format(
                rooms=ngettext("{n} room", "{n} rooms", rooms).format(n=rooms),
                beds=ngettext("{n} bed", "{n} beds", view.bed_count).format(n=view.bed_count))
            label = _text(self.shelters)
            label.setText(directed(self, line + "\n" + figures))
            self._shelter_layout.addWidget(label)
        if not views:
            label = _text(self.shelters)
            label.setText(_("No shelter is recorded yet."))
            self._shelter_layout.addWidget(label)


def directed(widget: QWidget, text: str) -> str:
    """Each line starts with the direction mark of the interface, so a line
    that begins with a digit or a Latin name still reads in the interface's
    direction (Qt guesses a paragraph's direction from its first letter)."""
    mark = "\u200f" if widget.layoutDirection() == Qt.RightToLeft else "\u200e"
    return "\n".join(mark + line for line in text.split("\n"))


def _load_figures_text(figures) -> str:  # noqa: ANN001
    lines = [
        _("Beds occupied today: {occupied} of {beds}").format(occupied=figures.occupied, beds=figures.beds),
        _("This month: {admissions} admissions, {discharges} discharges").format(
            admissions=figures.admissions_this_month, discharges=figures.discharges_this_month),
        _("Reservations expiring within 24 hours: {n}").format(n=figures.reservations_expiring),
    ]
    if figures.average_stay_days is not None:
        lines.append(_("Average length of stay (last 12 months): {days} days").format(
            days=QLocale().toString(figures.average_stay_days, "f", 1)))
    return "\n".join(lines)


class SearchPage(QWidget):
    """Where the global search lands for someone whose role may not search
    resident records (those who may are taken to the Residents section)."""

    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._who = who
        self.query = ""
        self.title = heading("", 1, self)
        self.result = _text(self, "notice")
        layout = _page_layout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.result)
        layout.addStretch(1)
        self.retranslate()

    def set_query(self, text: str) -> None:
        self.query = text.strip()
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
        self.notice = _text(self, "fieldError")
        layout = _page_layout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.notice)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(_(self.section.label))
        self.notice.setText(_("This section could not be opened: {reason}").format(reason=self.reason))
