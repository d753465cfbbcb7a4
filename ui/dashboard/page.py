"""The dashboard: a greeting, the high risks found at counselling sessions
(for the coordinators: only that one was found, for which case and when,
each acknowledged), a counsellor's sessions today, what is due in the
person's case work (the counts of My work, each opening that section),
what is due in reintegration (the counts of the overdue board, each opening
the Reintegration section), for those who back up the state of the backups
(the last verified one, a failure, a drill due), today's figures, occupancy over the last twelve months as
bars, and the shelters with their rooms and beds."""

from __future__ import annotations

from shelter.domain.changes import Change, SessionsChanged
from shelter.domain.dates import format_date
from shelter.domain.sessions import local
from shelter.errors import ShelterError
from shelter.i18n import _, direction_mark, isolate, ngettext
from shelter.security.permissions import Permission as P
from shelter.services import backups, dashboard, my_work, notes, sessions, shelters
from shelter.services.backups import BackupStatus
from shelter.services.my_work import WorkCounts
from shelter.services.notes import Alert
from shelter.services.reintegration_board import BoardCounts
from shelter.services.sessions import SessionView
from shelter.store import SignedIn
from ui.qt import (
    LatestRead,
    QColor,
    QFrame,
    QHBoxLayout,
    QLocale,
    QPainter,
    QPushButton,
    QScrollArea,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
    changes,
    error_text,
    run_change,
    run_task,
)
from ui.shell.backup_runner import STYLES, WARNING, BackupOutcome, backup_runner, status_lines
from ui.widgets import heading, page_layout, paragraph


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
        # Month names when they fit their column, else the month's number:
        # a clipped « juin » read as « jui. ».
        labels = [QLocale().standaloneMonthName(day.month, QLocale.ShortFormat) for day, _count in self.points]
        if any(metrics.horizontalAdvance(label) > width - 2 for label in labels):
            labels = [f"{day.month:02d}" for day, _count in self.points]
        for index, (_day, count) in enumerate(self.points):
            slot = len(self.points) - 1 - index if rtl else index
            x = rect.left() + slot * width
            height = rect.height() * count / top
            painter.fillRect(int(x + width * 0.15), int(rect.bottom() - height), int(width * 0.7), int(height),
                             QColor("#1d6b73"))
            label = labels[index]
            painter.setPen(QColor("#56666e"))
            painter.drawText(int(x), rect.bottom() + 4, int(width), metrics.height(), Qt.AlignHCenter, label)
            if count:
                painter.setPen(QColor("#ffffff") if height > metrics.height() + 4 else QColor("#1e2b31"))
                y = rect.bottom() - height + 2 if height > metrics.height() + 4 else rect.bottom() - height - metrics.height()
                painter.drawText(int(x), int(y), int(width), metrics.height(), Qt.AlignHCenter, str(count))
        painter.end()


class DashboardPage(QWidget):
    """A greeting, what is due in the person's case work (for those who see
    care plans), today's figures (occupancy, admissions and discharges this
    month, reservations expiring, average length of stay), occupancy over
    the last twelve months, and the shelters with their rooms and beds."""

    work_requested = Signal(str)  # open My work on this due state ("overdue", "today", "soon", "all")
    # Open the overdue board on this state ("overdue", "today", "soon", "lost_contact").
    reintegration_requested = Signal(str)

    def __init__(self, who: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._who = who
        self.title = heading("", 1, self)
        self.greeting = paragraph(self)
        # My work: a coordinator counts every case, the others their own.
        self.shows_work = who.actor.has(P.VIEW_CARE_PLAN)
        self.everyone = who.actor.has(P.APPROVE_CARE_PLAN)
        self.work_counts: WorkCounts | None = None
        self._counting = False
        self._count_again = False
        self.work_heading = heading("", 2, self)
        self.work = QFrame(self)
        self.work.setObjectName("card")
        self.work_buttons: dict[str, QPushButton] = {}
        work_row = QHBoxLayout(self.work)
        for state in ("overdue", "today", "soon"):
            button = QPushButton(self.work)
            button.setObjectName("link")
            button.clicked.connect(lambda _checked=False, code=state: self.work_requested.emit(code))
            self.work_buttons[state] = button
            work_row.addWidget(button)
        work_row.addStretch(1)
        self.work_note = paragraph(self.work, "muted")
        work_row.addWidget(self.work_note)
        for widget in (self.work_heading, self.work):
            widget.setVisible(self.shows_work)
        # Reintegration: the overdue board's counts, across the shelters.
        self.shows_reintegration = who.actor.has(P.VIEW_REINTEGRATION)
        self.reintegration_counts: BoardCounts | None = None
        self._counting_board = False
        self._count_board_again = False
        self.reintegration_heading = heading("", 2, self)
        self.reintegration = QFrame(self)
        self.reintegration.setObjectName("card")
        self.reintegration_buttons: dict[str, QPushButton] = {}
        board_row = QHBoxLayout(self.reintegration)
        for state in ("overdue", "today", "soon", "lost_contact"):
            button = QPushButton(self.reintegration)
            button.setObjectName("link")
            button.setAutoDefault(True)  # Enter opens the board as a click does
            button.clicked.connect(lambda _checked=False, code=state: self.reintegration_requested.emit(code))
            self.reintegration_buttons[state] = button
            board_row.addWidget(button)
        board_row.addStretch(1)
        self.reintegration_note = paragraph(self.reintegration, "muted")
        board_row.addWidget(self.reintegration_note)
        for widget in (self.reintegration_heading, self.reintegration):
            widget.setVisible(self.shows_reintegration)
        # Backups: for those who make them (the last verified one, a failure, a drill due).
        self.shows_backups = who.actor.has(P.BACK_UP)
        self.backup_status: BackupStatus | None = None
        self.backups_heading = heading("", 2, self)
        self.backups_box = QFrame(self)
        self.backups_box.setObjectName("card")
        self._backups_layout = QVBoxLayout(self.backups_box)
        for widget in (self.backups_heading, self.backups_box):
            widget.setVisible(self.shows_backups)
        if self.shows_backups:
            backup_runner().finished.connect(self._backup_finished)
        # Counselling: a counsellor's sessions today; for the coordinators, the
        # high risks found (that one was found, for whom and when: nothing more).
        self.shows_sessions = who.actor.has(P.LOG_SESSION)
        self.shows_alerts = who.actor.has(P.BREAK_THE_GLASS)
        self.todays: list[SessionView] = []
        self.alerts: list[Alert] = []
        self.session_loads = 0
        self._sessions_reader = LatestRead(self, self._load_sessions)
        self.alerts_heading = heading("", 2, self)
        self.alerts_box = QFrame(self)
        self.alerts_box.setObjectName("card")
        self._alerts_layout = QVBoxLayout(self.alerts_box)
        self.sessions_heading = heading("", 2, self)
        self.sessions_box = QFrame(self)
        self.sessions_box.setObjectName("card")
        self._sessions_layout = QVBoxLayout(self.sessions_box)
        self.alerts_heading.setVisible(False)
        self.alerts_box.setVisible(False)
        for widget in (self.sessions_heading, self.sessions_box):
            widget.setVisible(self.shows_sessions)
        self.shelters_heading = heading("", 2, self)
        self.shelters = QFrame(self)
        self.shelters.setObjectName("card")
        self._shelter_layout = QVBoxLayout(self.shelters)
        self.notice = paragraph(self, "muted")
        self.figures = paragraph(self, "notice")
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
        layout = page_layout(content)
        layout.addWidget(self.title)
        layout.addWidget(self.greeting)
        layout.addWidget(self.alerts_heading)
        layout.addWidget(self.alerts_box)
        layout.addWidget(self.sessions_heading)
        layout.addWidget(self.sessions_box)
        layout.addWidget(self.work_heading)
        layout.addWidget(self.work)
        layout.addWidget(self.reintegration_heading)
        layout.addWidget(self.reintegration)
        layout.addWidget(self.backups_heading)
        layout.addWidget(self.backups_box)
        layout.addWidget(self.figures)
        layout.addWidget(self.chart_heading)
        layout.addWidget(self.chart)
        layout.addWidget(self.shelters_heading)
        layout.addWidget(self.shelters)
        layout.addWidget(self.notice)
        layout.addStretch(1)
        scroll.setWidget(content)
        changes.changed.connect(self.apply_change)
        self.retranslate()

    def apply_change(self, change: Change) -> None:
        """A write changed beds, people or places: the figures (counted in
        SQL, a few milliseconds) and, for places, the shelters' list."""
        if self._who.locked:
            return
        if change.places:
            self.reload()
        elif change.beds or change.residents:
            self._load_figures()
            self._load_work()
            self._load_reintegration()
        if isinstance(change, SessionsChanged) or change.residents:
            self._load_sessions()

    def retranslate(self) -> None:
        actor = self._who.actor
        self.title.setText(_("Dashboard"))
        self.greeting.setText(_("Welcome, {name}.").format(name=actor.display_name))
        self.shelters_heading.setText(_("Shelters"))
        self.chart_heading.setText(_("People in residence on the first day of each month, and today"))
        self.work_heading.setText(_("My work"))
        self.reintegration_heading.setText(_("Reintegration"))
        self.sessions_heading.setText(_("Today's sessions"))
        self.alerts_heading.setText(_("High risks found at counselling sessions"))
        self.backups_heading.setText(_("Backups"))
        self.notice.setText("")
        self._show_work()
        self._show_reintegration()
        self._show_backups()
        self.reload()

    # -- counselling -----------------------------------------------------------------

    def _load_sessions(self) -> None:
        """Today's sessions (a counsellor) and the open alerts (a coordinator),
        read off the GUI thread; a read asked for while one runs is made after."""
        if not (self.shows_sessions or self.shows_alerts) or self._who.locked:
            return
        who, todays, alerts = self._who, self.shows_sessions, self.shows_alerts

        def read() -> tuple[list[SessionView], list[Alert]]:
            return (sessions.todays_sessions(who) if todays else [],
                    notes.open_alerts(who) if alerts else [])

        self._sessions_reader.start(read, self._sessions_read, self._sessions_failed)

    def _sessions_read(self, result: tuple[list[SessionView], list[Alert]]) -> None:
        self.session_loads += 1
        self.todays, self.alerts = result
        self._show_sessions()
        self._show_alerts()

    def _sessions_failed(self, exc: BaseException) -> None:
        self.session_loads += 1
        self._clear(self._sessions_layout)
        self._sessions_layout.addWidget(self._line(self.sessions_box, error_text(exc), "muted"))

    @staticmethod
    def _clear(layout: QVBoxLayout) -> None:
        while layout.count():
            item = layout.takeAt(0)
            if item.layout() is not None:
                while item.layout().count():
                    inner = item.layout().takeAt(0)
                    if inner.widget():
                        inner.widget().hide()
                        inner.widget().deleteLater()
            if item.widget():
                item.widget().hide()
                item.widget().deleteLater()

    @staticmethod
    def _line(parent: QWidget, text: str, name: str = "") -> QWidget:
        label = paragraph(parent, name)
        label.setText(directed(text))
        return label

    def _show_sessions(self) -> None:
        from ui.sessions.notes import session_line

        self._clear(self._sessions_layout)
        for view in self.todays:
            row = QHBoxLayout()
            row.addWidget(self._line(self.sessions_box, session_line(view)), 1)
            if view.status == "held":
                button = QPushButton(_("Open the &notes…"), self.sessions_box)
                button.clicked.connect(lambda _checked=False, v=view: self.open_notes(v))
                row.addWidget(button, 0, Qt.AlignTop)
            self._sessions_layout.addLayout(row)
        if not self.todays:
            self._sessions_layout.addWidget(self._line(self.sessions_box, _("No session today."), "muted"))

    def open_notes(self, view: SessionView) -> None:
        from ui.sessions.notes import open_session_notes

        self.notes_window = open_session_notes(self, self._who, view)

    def _show_alerts(self) -> None:
        self._clear(self._alerts_layout)
        for alert in self.alerts:
            row = QHBoxLayout()
            text = _("A high risk was found for {case_number}, on {date}.").format(
                case_number=isolate(alert.case_number), date=isolate(format_date(local(alert.raised_at).date())))
            label = self._line(self.alerts_box, text)
            label.setStyleSheet("color: #a4262c; font-weight: 600;")  # the stylesheet's error colour
            row.addWidget(label, 1)
            button = QPushButton(_("&Acknowledge"), self.alerts_box)
            button.setToolTip(_("Say that you have been told; the counsellor follows the resident."))
            button.clicked.connect(lambda _checked=False, a=alert, b=button: self.acknowledge(a, b))
            row.addWidget(button, 0, Qt.AlignTop)
            self._alerts_layout.addLayout(row)
        shown = self.shows_alerts and bool(self.alerts)
        self.alerts_heading.setVisible(shown)
        self.alerts_box.setVisible(shown)

    def acknowledge(self, alert: Alert, button: QPushButton) -> None:
        who = self._who
        run_change(self, lambda: notes.acknowledge_alert(who, alert.alert_id), lambda _change: None,
                   lambda exc: button.setToolTip(error_text(exc)), busy=button)

    # -- my work ------------------------------------------------------------------

    def _load_work(self) -> None:
        """Count what is due off the GUI thread (every case in work is read);
        a count asked for while one runs is made once it returns."""
        if not self.shows_work or self._who.locked:
            return
        if self._counting:
            self._count_again = True
            return
        self._counting = True
        self._count_again = False
        who, everyone = self._who, self.everyone
        run_task(self, lambda: my_work.work_counts(who, everyone=everyone), self._work_counted, self._work_failed)

    def _work_counted(self, counts: WorkCounts) -> None:
        self._counting = False
        self.work_counts = counts
        self._show_work()
        if self._count_again:
            self._load_work()

    def _work_failed(self, exc: BaseException) -> None:
        self._counting = False
        self.work_note.setText(error_text(exc))
        if self._count_again:
            self._load_work()

    def _show_work(self) -> None:
        counts = self.work_counts
        overdue, today, soon = (counts.overdue, counts.today, counts.soon) if counts else (0, 0, 0)
        texts = {
            "overdue": ngettext("{n} item &overdue", "{n} items &overdue", overdue).format(n=overdue),
            "today": ngettext("{n} item due &today", "{n} items due &today", today).format(n=today),
            "soon": ngettext("{n} item due within &7 days", "{n} items due within &7 days", soon).format(n=soon),
        }
        for state, button in self.work_buttons.items():
            button.setText(texts[state] if counts else "…")
            button.setEnabled(counts is not None)
            button.setToolTip(_("Open My work"))
        # Overdue work in the error colour, and only when there is some.
        self.work_buttons["overdue"].setStyleSheet("QPushButton#link { color: #a4262c; font-weight: 600; }"
                                                   if overdue else "")
        if counts is not None:
            self.work_note.setText(_("Everyone's work") if self.everyone else _("Your own work"))

    # -- reintegration ----------------------------------------------------------------

    def _load_reintegration(self) -> None:
        """Count the overdue board off the GUI thread; a count asked for while
        one runs is made once it returns."""
        if not self.shows_reintegration or self._who.locked:
            return
        if self._counting_board:
            self._count_board_again = True
            return
        self._counting_board = True
        self._count_board_again = False
        who = self._who
        run_task(self, lambda: dashboard.reintegration_counts(who), self._reintegration_counted,
                 self._reintegration_failed)

    def _reintegration_counted(self, counts: BoardCounts | None) -> None:
        self._counting_board = False
        self.reintegration_counts = counts
        self._show_reintegration()
        if self._count_board_again:
            self._load_reintegration()

    def _reintegration_failed(self, exc: BaseException) -> None:
        self._counting_board = False
        self.reintegration_note.setText(error_text(exc))
        if self._count_board_again:
            self._load_reintegration()

    def _show_reintegration(self) -> None:
        counts = self.reintegration_counts
        overdue, today, soon, lost = ((counts.overdue, counts.today, counts.soon, counts.lost_contact)
                                      if counts else (0, 0, 0, 0))
        texts = {
            "overdue": ngettext("{n} ove&rdue", "{n} ove&rdue", overdue).format(n=overdue),
            "today": ngettext("{n} due to&day", "{n} due to&day", today).format(n=today),
            "soon": ngettext("{n} due within 7 da&ys", "{n} due within 7 da&ys", soon).format(n=soon),
            "lost_contact": ngettext("{n} case lost &contact", "{n} cases lost &contact", lost).format(n=lost),
        }
        for state, button in self.reintegration_buttons.items():
            button.setText(texts[state] if counts else "…")
            button.setAccessibleName(texts[state].replace("&", "") if counts else _("Reintegration"))
            button.setEnabled(counts is not None)
            button.setToolTip(_("Open the overdue board of the Reintegration section"))
        # What is overdue, and the cases that lost contact, stand out when there are some.
        self.reintegration_buttons["overdue"].setStyleSheet(
            "QPushButton#link { color: #a4262c; font-weight: 600; }" if overdue else "")
        self.reintegration_buttons["lost_contact"].setStyleSheet(
            "QPushButton#link { color: #5b3f7a; font-weight: 600; }" if lost else "")
        if counts is not None:
            self.reintegration_note.setText(_("All shelters"))

    # -- backups --------------------------------------------------------------------------

    def _load_backups(self) -> None:
        """The state of the backups, read off the GUI thread (the backup
        folder's manifests and one read)."""
        if not self.shows_backups or self._who.locked:
            return
        who = self._who
        run_task(self, lambda: backups.status(who), self._backups_read, self._backups_failed)

    def _backups_read(self, status: BackupStatus) -> None:
        self.backup_status = status
        self._show_backups()

    def _backups_failed(self, exc: BaseException) -> None:
        self._clear(self._backups_layout)
        self._backups_layout.addWidget(self._line(self.backups_box, error_text(exc), "muted"))

    def _backup_finished(self, outcome: BackupOutcome) -> None:
        if outcome.status is not None:
            self.backup_status = outcome.status
        self._show_backups()

    def _show_backups(self) -> None:
        if not self.shows_backups:
            return
        self._clear(self._backups_layout)
        status = self.backup_status
        if status is None:
            self._backups_layout.addWidget(self._line(self.backups_box, "…", "muted"))
            return
        lines = status_lines(status, backup_runner().last)
        if status.drill_due:
            lines.append((_("A restore drill is due: run it from Administration → Backups"), WARNING))
        for text, level in lines:
            label = self._line(self.backups_box, text)
            label.setStyleSheet(STYLES[level])
            self._backups_layout.addWidget(label)

    def _load_figures(self) -> None:
        shown = self._who.actor.has(P.VIEW_BED_BOARD) or self._who.actor.has(P.VIEW_REPORTS)
        for widget in (self.figures, self.chart_heading, self.chart):
            widget.setVisible(shown)
        if not shown:
            return
        try:
            figures = dashboard.dashboard(self._who)
        except ShelterError as exc:
            self.figures.setText(exc.message)
            return
        self.figures.setText(directed(_load_figures_text(figures)))
        self.chart.set_points(figures.occupancy)

    def reload(self) -> None:
        while self._shelter_layout.count():
            item = self._shelter_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        if self._who.locked:
            return
        self._load_figures()
        self._load_work()
        self._load_reintegration()
        self._load_sessions()
        self._load_backups()
        views = shelters.list_shelters(self._who)
        for view in views:
            rooms = sum(1 for r in view.rooms if r.active)
            line = _("{name} ({code})").format(name=view.name, code=view.code)
            if view.city:
                line += " — " + view.city
            figures = "{rooms} · {beds}".format(
                rooms=ngettext("{n} room", "{n} rooms", rooms).format(n=rooms),
                beds=ngettext("{n} bed", "{n} beds", view.bed_count).format(n=view.bed_count))
            label = paragraph(self.shelters)
            label.setText(directed(line + "\n" + figures))
            self._shelter_layout.addWidget(label)
        if not views:
            label = paragraph(self.shelters)
            label.setText(_("No shelter is recorded yet."))
            self._shelter_layout.addWidget(label)


def directed(text: str) -> str:
    """Each line starts with the direction mark of the interface, so a line
    that begins with a digit or a Latin name still reads in the interface's
    direction (Qt guesses a paragraph's direction from its first letter)."""
    mark = direction_mark()
    return "\n".join(mark + line for line in text.split("\n"))


def _load_figures_text(figures) -> str:  # noqa: ANN001
    lines = [
        _("Beds occupied today: {occupied} of {beds}").format(occupied=figures.occupied, beds=figures.beds),
        _("This month: {admissions}, {discharges}").format(
            admissions=ngettext("{n} admission", "{n} admissions", figures.admissions_this_month).format(
                n=figures.admissions_this_month),
            discharges=ngettext("{n} discharge", "{n} discharges", figures.discharges_this_month).format(
                n=figures.discharges_this_month)),
        _("Reservations expiring within 24 hours: {n}").format(n=figures.reservations_expiring),
    ]
    if figures.average_stay_days is not None:
        lines.append(_("Average length of stay in days (last 12 months): {days}").format(
            days=QLocale().toString(figures.average_stay_days, "f", 1)))
    return "\n".join(lines)
