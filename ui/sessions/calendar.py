"""The week view of the Sessions section: seven day columns (Monday first,
on the right in Arabic) and rows of 15-minute slots from 07:00 to 21:00
(wider when a session falls outside), scrolled vertically; each session a
block saying when, with whom, where, and what became of it (cancelled ones
dimmed and struck through, held ones and missed ones marked in words, not
colour alone).

One painted widget (a ``QAbstractScrollArea``), not a widget per slot or
per session: a week of a busy room draws in one pass, and the geometry is
computed once per change of data or size.

Keyboard: the arrow keys move a cursor over the slots (Left and Right go
the way the eye reads the columns, mirrored in Arabic); Enter on a free slot
asks for a session there (``plan_requested``), on a session opens it
(``open_requested``). Ctrl+arrows move the selected session by 15 minutes
(Up/Down) or a day (Left/Right), Enter confirms (``move_requested``),
Escape puts it back. With the mouse: a click on a free slot plans, a drag
of a planned session moves it (snapped to 15 minutes), a double click opens.
The view never writes: the page calls the services, and tells the view
when a move was refused (``move_failed``: the block goes back).

Screen readers: the widget's accessible description follows the cursor
(the slot, or the session under it, in words) and is announced on change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from shelter.domain.dates import format_date, format_time, now_utc
from shelter.domain.people import display_name
from shelter.domain.sessions import from_local, local, week_of
from shelter.domain.vocabulary import CANCELLED_BY, SESSION_KIND, SESSION_MODE, SESSION_STATUS
from shelter.i18n import N_, _, isolate, list_text
from shelter.services.sessions import SessionView
from ui.qt import (
    QAbstractScrollArea,
    QAccessible,
    QAccessibleEvent,
    QApplication,
    QBrush,
    QColor,
    QEvent,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPen,
    QPoint,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)

SLOT = 15  # minutes
FIRST_HOUR, LAST_HOUR = 7, 21
DAYS = 7
DAY_NAMES = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
             N_("Sunday"))

# Per status: background, border, accent (the leading edge), text. Kept with
# the stylesheet's palette (resources/style/shelter.qss).
COLOURS = {
    "planned": ("#dcecee", "#7fb0b6", "#1d6b73", "#0f3438"),
    "held": ("#e3f3e6", "#9ccfa6", "#3f8f4f", "#134e1f"),
    "no_show": ("#fff4d6", "#e0c071", "#c9a13a", "#6b4500"),
    "cancelled": ("#f3f5f6", "#cfd9dd", "#cfd9dd", "#7d8b91"),
}
_LINE = QColor("#cfd9dd")
_FAINT = QColor("#edf1f2")
_TODAY = QColor("#f4f9f9")
_HEADER = QColor("#f3f6f7")
_MUTED = QColor("#56666e")
_ACCENT = QColor("#1d6b73")
_NOW = QColor("#a4262c")
_FOCUS = QColor("#0c3337")


# -- what a session says (also used by the dialogs and the resident's tab) -------------------------

def ltr(text: str) -> str:
    """Times and ranges kept left to right inside an Arabic line."""
    return f"\u2066{text}\u2069" if text else ""


def time_range(view: SessionView) -> str:
    return ltr(f"{format_time(local(view.starts_at))}–{format_time(local(view.ends_at))}")


def resident_sex(view: SessionView) -> str | None:
    """The one resident's sex (for the labels about her or him), None for a group."""
    return view.attendees[0].sex if len(view.attendees) == 1 else None


def status_text(view: SessionView) -> str:
    return SESSION_STATUS.label(view.status, sex=resident_sex(view))


def where_text(view: SessionView) -> str:
    if view.mode == "in_person" and view.room:
        return view.room
    return SESSION_MODE.label(view.mode)


def names_text(view: SessionView, name_form: str) -> str:
    return list_text([isolate(display_name(a, name_form)) for a in view.attendees])


def day_name(day: date) -> str:
    return _(DAY_NAMES[day.weekday()])


def when_text(view: SessionView) -> str:
    start = local(view.starts_at)
    return _("{day} {date}, {times}").format(day=day_name(start.date()), date=ltr(format_date(start.date())),
                                             times=time_range(view))


def cancel_text(view: SessionView) -> str:
    if view.status != "cancelled":
        return ""
    by = CANCELLED_BY.label(view.cancelled_by, sex=resident_sex(view)) if view.cancelled_by else ""
    if view.cancel_reason:
        return _("Who cancelled: {who}. Why: {why}").format(who=by, why=isolate(view.cancel_reason))
    return _("Who cancelled: {who}.").format(who=by)


def session_text(view: SessionView, name_form: str) -> str:
    """The session in one sentence: the block's tooltip and what a screen
    reader says of it."""
    text = _("{when}: {kind} session with {names}, {where}, counsellor {counsellor}. {status}.").format(
        when=when_text(view), kind=SESSION_KIND.label(view.kind), names=names_text(view, name_form),
        where=isolate(where_text(view)), counsellor=isolate(view.counsellor), status=status_text(view))
    cancelled = cancel_text(view)
    return f"{text} {cancelled}" if cancelled else text


def block_lines(view: SessionView, name_form: str) -> list[str]:
    """What a block says, most important first (a short block shows the first lines)."""
    head = SESSION_KIND.label(view.kind) if view.status == "planned" else status_text(view)
    return [_("{times} · {what}").format(times=time_range(view), what=head), names_text(view, name_form),
            _("{kind} · {where}").format(kind=SESSION_KIND.label(view.kind), where=isolate(where_text(view)))
            if view.status != "planned" else where_text(view)]


# -- the layout -------------------------------------------------------------------------------

@dataclass
class Block:
    view: SessionView
    day: int  # 0 = Monday of the week shown
    top: int  # minutes after midnight, shelter time
    bottom: int
    lane: int = 0
    lanes: int = 1

    @property
    def minutes(self) -> int:
        return self.bottom - self.top


def lay_out(views: list[SessionView], monday: date) -> list[Block]:
    """The blocks of a week, side by side where they overlap (a cancelled
    session and the one planned in its place)."""
    blocks = []
    for v in views:
        start = local(v.starts_at)
        day = (start.date() - monday).days
        if not 0 <= day < DAYS:
            continue  # begun the evening before the week
        top = start.hour * 60 + start.minute
        blocks.append(Block(v, day, top, min(top + max(v.minutes, SLOT), 24 * 60)))
    for day in range(DAYS):
        todays = sorted((b for b in blocks if b.day == day), key=lambda b: (b.top, -b.bottom, b.view.session_id))
        cluster: list[Block] = []
        ends: list[int] = []
        cluster_end = -1
        for b in todays:
            if b.top >= cluster_end and cluster:
                for c in cluster:
                    c.lanes = len(ends)
                cluster, ends = [], []
            for lane, end in enumerate(ends):
                if end <= b.top:
                    b.lane, ends[lane] = lane, b.bottom
                    break
            else:
                b.lane = len(ends)
                ends.append(b.bottom)
            cluster.append(b)
            cluster_end = max(cluster_end, b.bottom) if len(cluster) > 1 else b.bottom
        for c in cluster:
            c.lanes = len(ends)
    # Cancelled ones drawn first: a live session lies on top and takes the click.
    blocks.sort(key=lambda b: (b.view.status != "cancelled", b.day, b.top))
    return blocks


class WeekView(QAbstractScrollArea):
    """A week of sessions (see the module's docstring)."""

    plan_requested = Signal(object, object)  # date, time (shelter time)
    open_requested = Signal(object)  # SessionView
    move_requested = Signal(object, object)  # SessionView, its new start (aware, UTC)
    refused = Signal(str)  # something the person asked that cannot be done, in words
    cursor_moved = Signal(str)  # the cursor's slot or session, in words

    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.monday = week_of(local(now_utc()).date())[0]
        self.sessions: list[SessionView] = []
        self.name_form = "full"
        self.own_id: int | None = None  # this counsellor's planned sessions can be moved
        self.can_plan = False
        self.blocks: list[Block] = []
        self.first_hour, self.last_hour = FIRST_HOUR, LAST_HOUR
        self.cursor = (0, 9 * 60)  # (day, minutes after midnight)
        self.pending: dict[int, tuple[int, int]] = {}  # session id -> (day, top) it is being moved to
        self.asked: set[int] = set()  # moves sent to the service, not answered yet
        self.keyboard_move: int | None = None  # moved with Ctrl+arrows, not confirmed yet
        self._press: tuple[QPoint, Block | None, tuple[int, int]] | None = None
        self._drag: tuple[int, int] | None = None  # session id, grab offset in minutes
        self._metrics()
        self.setFocusPolicy(Qt.StrongFocus)
        self.viewport().setMouseTracking(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAsNeeded)
        self.verticalScrollBar().valueChanged.connect(self.viewport().update)
        self.setAccessibleName(_("Week calendar"))

    # -- data ---------------------------------------------------------------------------------

    def set_week(self, monday: date, views: list[SessionView], name_form: str = "full") -> None:
        changed_week = monday != self.monday
        self.monday = monday
        self.sessions = list(views)
        self.name_form = name_form
        by_id = {v.session_id: v for v in views}
        # A move still waiting for its answer keeps its place; others follow the data.
        self.pending = {sid: at for sid, at in self.pending.items()
                        if sid in by_id and by_id[sid].status == "planned"
                        and (sid in self.asked or sid == self.keyboard_move) and not changed_week}
        if self.keyboard_move not in self.pending:
            self.keyboard_move = None
        self._relayout()
        if changed_week:
            today = local(now_utc()).date()
            self.cursor = ((today - monday).days if 0 <= (today - monday).days < DAYS else 0, self.cursor[1])
        self._clamp_cursor()
        self._announce()

    def session(self, session_id: int) -> SessionView | None:
        return next((v for v in self.sessions if v.session_id == session_id), None)

    def block(self, session_id: int) -> Block | None:
        return next((b for b in self.blocks if b.view.session_id == session_id), None)

    def movable(self, view: SessionView) -> bool:
        return self.own_id is not None and view.counsellor_id == self.own_id and view.status == "planned"

    def move_done(self, session_id: int) -> None:
        """The service moved it: the block stays at its new place until the week is read again."""
        self.asked.discard(session_id)

    def move_failed(self, session_id: int) -> None:
        """The service refused the move: the block goes back."""
        self.asked.discard(session_id)
        self.pending.pop(session_id, None)
        block = self.block(session_id)
        if block is not None:
            self.cursor = (block.day, block.top)
            self._clamp_cursor()
        self.viewport().update()
        self._announce()

    def _relayout(self) -> None:
        self.blocks = lay_out(self.sessions, self.monday)
        first, last = FIRST_HOUR, LAST_HOUR
        for b in self.blocks:
            first = min(first, b.top // 60)
            last = max(last, math.ceil(b.bottom / 60))
        self.first_hour, self.last_hour = first, min(last, 24)
        self._update_scrollbar()
        self.viewport().update()

    # -- geometry -------------------------------------------------------------------------------

    def _metrics(self) -> None:
        fm = QFontMetrics(self.font())
        self.block_font = QFont(self.font())
        self.block_font.setPointSizeF(max(7.5, self.font().pointSizeF() * 0.9))
        self.line_height = QFontMetrics(self.block_font).height()
        self.header_height = fm.height() * 2 + 12
        self.gutter = fm.horizontalAdvance("00:00") + 16
        self.slot_height = max(12, round(self.line_height * 0.85))

    @property
    def body_height(self) -> int:
        return (self.last_hour - self.first_hour) * 60 // SLOT * self.slot_height

    def _update_scrollbar(self) -> None:
        shown = max(0, self.viewport().height() - self.header_height)
        bar = self.verticalScrollBar()
        bar.setRange(0, max(0, self.body_height - shown))
        bar.setPageStep(max(shown, 1))
        bar.setSingleStep(self.slot_height)

    def column_width(self) -> float:
        return max(1.0, (self.viewport().width() - self.gutter) / DAYS)

    def column_x(self, day: int) -> float:
        """The visual left edge of a day's column: Monday leftmost, or rightmost in Arabic."""
        width = self.column_width()
        start = self.gutter + day * width
        return self.viewport().width() - start - width if self.isRightToLeft() else start

    def y_of(self, minute: float) -> float:
        return (self.header_height + (minute - self.first_hour * 60) * self.slot_height / SLOT
                - self.verticalScrollBar().value())

    def cell_rect(self, day: int, minute: int) -> QRectF:
        return QRectF(self.column_x(day), self.y_of(minute), self.column_width(), self.slot_height)

    def slot_point(self, day: int, minute: int) -> QPoint:
        """The middle of a slot, in the viewport (for tests and the cursor)."""
        return self.cell_rect(day, minute).center().toPoint()

    def block_rect(self, block: Block, at: tuple[int, int] | None = None) -> QRectF:
        """Where a block is drawn: in its lane, or across its column at ``at`` (day, top) while moved."""
        day, top = at if at is not None else (block.day, block.top)
        lane, lanes = (0, 1) if at is not None else (block.lane, block.lanes)
        width = self.column_width() - 6
        lane_width = width / lanes
        offset = 3 + lane * lane_width
        x = self.column_x(day)
        x = x + self.column_width() - offset - lane_width if self.isRightToLeft() else x + offset
        y = self.y_of(top)
        return QRectF(x, y + 1, lane_width - 2, max(self.y_of(top + block.minutes) - y - 2, 6))

    def shown_rect(self, session_id: int) -> QRectF | None:
        """Where a session is shown now (moved or not)."""
        block = self.block(session_id)
        if block is None:
            return None
        return self.block_rect(block, self.pending.get(session_id))

    def cell_at(self, pos: QPoint, clamp: bool = False) -> tuple[int, int] | None:
        """The (day, minute) of the slot under ``pos``; None outside the grid
        unless ``clamp`` (a drag past an edge stays on the nearest slot)."""
        width = self.column_width()
        x = self.viewport().width() - pos.x() if self.isRightToLeft() else pos.x()
        day = math.floor((x - self.gutter) / width)
        minutes = (pos.y() - self.header_height + self.verticalScrollBar().value()) / self.slot_height * SLOT
        slot = math.floor(minutes / SLOT)
        slots = (self.last_hour - self.first_hour) * 60 // SLOT
        if not clamp and (not 0 <= day < DAYS or pos.y() < self.header_height or not 0 <= slot < slots):
            return None
        day = min(max(day, 0), DAYS - 1)
        slot = min(max(slot, 0), slots - 1)
        return day, self.first_hour * 60 + slot * SLOT

    def block_at(self, pos: QPoint) -> Block | None:
        if pos.y() < self.header_height:
            return None
        point = QRectF(pos.x(), pos.y(), 1, 1).center()
        for block in reversed(self.blocks):
            if self.block_rect(block, self.pending.get(block.view.session_id)).contains(point):
                return block
        return None

    def block_under_cursor(self) -> Block | None:
        if self.keyboard_move is not None:
            return self.block(self.keyboard_move)
        day, minute = self.cursor
        for block in reversed(self.blocks):
            at = self.pending.get(block.view.session_id)
            b_day, b_top = at if at is not None else (block.day, block.top)
            if b_day == day and b_top <= minute < b_top + block.minutes:
                return block
        return None

    def selected(self) -> SessionView | None:
        block = self.block_under_cursor()
        return block.view if block is not None else None

    def start_of(self, day: int, minute: int) -> datetime:
        """The aware UTC moment of a slot (shelter time)."""
        return from_local(self.monday + timedelta(days=day), time(minute // 60, minute % 60))

    # -- the cursor -------------------------------------------------------------------------------

    def set_cursor(self, day: int, minute: int) -> None:
        self.cursor = (day, minute)
        self._clamp_cursor()
        self._ensure_visible()
        self.viewport().update()
        self._announce()

    def _clamp_cursor(self) -> None:
        day, minute = self.cursor
        minute = minute - minute % SLOT
        self.cursor = (min(max(day, 0), DAYS - 1),
                       min(max(minute, self.first_hour * 60), self.last_hour * 60 - SLOT))

    def _ensure_visible(self) -> None:
        day, minute = self.cursor
        rect = self.cell_rect(day, minute)
        block = self.block_under_cursor()
        if block is not None:
            rect = self.block_rect(block, self.pending.get(block.view.session_id))
        bar = self.verticalScrollBar()
        if rect.top() < self.header_height:
            bar.setValue(bar.value() - math.ceil(self.header_height - rect.top()))
        elif rect.bottom() > self.viewport().height():
            if rect.height() > self.viewport().height() - self.header_height:  # a long block: its start
                bar.setValue(bar.value() + math.ceil(rect.top() - self.header_height))
            else:
                bar.setValue(bar.value() + math.ceil(rect.bottom() - self.viewport().height()) + 1)

    def cursor_text(self) -> str:
        block = self.block_under_cursor()
        if block is not None:
            text = session_text(block.view, self.name_form)
            if block.view.session_id in self.pending and block.view.session_id == self.keyboard_move:
                day, top = self.pending[block.view.session_id]
                moment = local(self.start_of(day, top))
                text = _("Moving to {day} {date} at {time}: Enter to confirm, Escape to put it back. {session}").format(
                    day=day_name(moment.date()), date=ltr(format_date(moment.date())),
                    time=ltr(format_time(moment)), session=text)
            return text
        day, minute = self.cursor
        moment = self.monday + timedelta(days=day)
        return _("{day} {date} at {time}: free").format(day=day_name(moment), date=ltr(format_date(moment)),
                                                       time=ltr(format_time(time(minute // 60, minute % 60))))

    def _announce(self) -> None:
        text = self.cursor_text()
        if text != self.accessibleDescription():
            self.setAccessibleDescription(text)
            QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.DescriptionChanged))
        self.cursor_moved.emit(text)

    # -- keyboard ---------------------------------------------------------------------------------

    def keyPressEvent(self, event) -> None:  # noqa: N802, ANN001  (Qt name)
        key = event.key()
        ctrl = bool(event.modifiers() & Qt.ControlModifier)
        arrows = (Qt.Key_Left, Qt.Key_Right, Qt.Key_Up, Qt.Key_Down)
        if key in arrows and ctrl:
            self.nudge(key)
        elif key in arrows:
            self.cancel_move()
            day, minute = self.cursor
            if key in (Qt.Key_Left, Qt.Key_Right):
                forward = (key == Qt.Key_Right) != self.isRightToLeft()
                day += 1 if forward else -1
            else:
                minute += SLOT if key == Qt.Key_Down else -SLOT
            self.set_cursor(day, minute)
        elif key in (Qt.Key_PageUp, Qt.Key_PageDown, Qt.Key_Home, Qt.Key_End):
            self.cancel_move()
            day, minute = self.cursor
            page = max(SLOT, (self.viewport().height() - self.header_height) // self.slot_height * SLOT)
            minute = {Qt.Key_PageUp: minute - page, Qt.Key_PageDown: minute + page,
                      Qt.Key_Home: self.first_hour * 60, Qt.Key_End: self.last_hour * 60}[key]
            self.set_cursor(day, minute)
        elif key in (Qt.Key_Return, Qt.Key_Enter):
            self.activate()
        elif key == Qt.Key_Escape and self.keyboard_move is not None:
            self.cancel_move()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def nudge(self, key: int) -> None:
        """Ctrl+arrow: the selected session 15 minutes earlier or later, or a day before or after."""
        block = self.block_under_cursor()
        if block is None:
            self.refused.emit(_("Move the cursor onto a session first."))
            return
        if not self.movable(block.view):
            self.refused.emit(_("Only a planned session can be moved.") if block.view.status != "planned"
                              else _("Only the session's counsellor can change it."))
            return
        sid = block.view.session_id
        if sid in self.asked:
            return  # its move is being saved
        day, top = self.pending.get(sid, (block.day, block.top))
        if key in (Qt.Key_Left, Qt.Key_Right):
            forward = (key == Qt.Key_Right) != self.isRightToLeft()
            day = min(max(day + (1 if forward else -1), 0), DAYS - 1)
        else:
            top += SLOT if key == Qt.Key_Down else -SLOT
            top = min(max(top, self.first_hour * 60), self.last_hour * 60 - block.minutes)
        self.keyboard_move = sid
        self.pending[sid] = (day, top)
        self.cursor = (day, top)
        self._clamp_cursor()
        self._ensure_visible()
        self.viewport().update()
        self._announce()

    def cancel_move(self) -> None:
        """Escape (or another key): the session moved with Ctrl+arrows goes back."""
        sid = self.keyboard_move
        if sid is None:
            return
        self.keyboard_move = None
        self.pending.pop(sid, None)
        block = self.block(sid)
        if block is not None:
            self.cursor = (block.day, block.top)
            self._clamp_cursor()
        self.viewport().update()
        self._announce()

    def activate(self) -> None:
        """Enter: confirm a move, open the session under the cursor, or plan one in the free slot."""
        if self.keyboard_move is not None:
            sid = self.keyboard_move
            self.keyboard_move = None
            self._ask_move(sid)
            return
        block = self.block_under_cursor()
        if block is not None:
            self.open_requested.emit(block.view)
        elif self.can_plan:
            day, minute = self.cursor
            self.plan_requested.emit(self.monday + timedelta(days=day), time(minute // 60, minute % 60))

    def _ask_move(self, sid: int) -> None:
        block = self.block(sid)
        target = self.pending.get(sid)
        if block is None or target is None or target == (block.day, block.top):
            self.pending.pop(sid, None)
            self.viewport().update()
            self._announce()
            return
        self.asked.add(sid)
        self.viewport().update()
        self._announce()
        self.move_requested.emit(block.view, self.start_of(*target))

    # -- mouse ----------------------------------------------------------------------------------

    def mousePressEvent(self, event) -> None:  # noqa: N802, ANN001
        if event.button() != Qt.LeftButton:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.MouseFocusReason)
        pos = event.position().toPoint()
        cell = self.cell_at(pos)
        if cell is None:
            self._press = None
            return
        self.cancel_move()
        block = self.block_at(pos)
        self._press = (pos, block, cell)
        self._drag = None
        if block is not None:
            at = self.pending.get(block.view.session_id, (block.day, block.top))
            minute = min(max(cell[1], at[1]), at[1] + block.minutes - 1)
            self.set_cursor(at[0], minute)
        else:
            self.set_cursor(*cell)
        event.accept()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802, ANN001
        pos = event.position().toPoint()
        press = self._press
        if press is None or press[1] is None or not self.movable(press[1].view) \
                or press[1].view.session_id in self.asked:
            block = self.block_at(pos)
            tip = session_text(block.view, self.name_form) if block is not None else ""
            if self.viewport().toolTip() != tip:
                self.viewport().setToolTip(tip)
            return
        block = press[1]
        sid = block.view.session_id
        if self._drag is None:
            if (pos - press[0]).manhattanLength() < QApplication.startDragDistance():
                return
            grab = press[2][1] - block.top
            self._drag = (sid, min(max(grab - grab % SLOT, 0), max(block.minutes - SLOT, 0)))
            self.viewport().setCursor(Qt.ClosedHandCursor)
        # Past the top or bottom edge: scroll on.
        bar = self.verticalScrollBar()
        if pos.y() < self.header_height:
            bar.setValue(bar.value() - self.slot_height)
        elif pos.y() > self.viewport().height():
            bar.setValue(bar.value() + self.slot_height)
        cell = self.cell_at(pos, clamp=True)
        if cell is None:
            return
        day, minute = cell
        top = min(max(minute - self._drag[1], self.first_hour * 60), self.last_hour * 60 - block.minutes)
        if self.pending.get(sid) != (day, top):
            self.pending[sid] = (day, top)
            self.cursor = (day, top)
            self._clamp_cursor()
            self.viewport().update()
            self._announce()
        event.accept()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802, ANN001
        press, self._press = self._press, None
        drag, self._drag = self._drag, None
        if event.button() != Qt.LeftButton or press is None:
            super().mouseReleaseEvent(event)
            return
        self.viewport().unsetCursor()
        if drag is not None:
            self._ask_move(drag[0])
        elif press[1] is None and self.can_plan and self.cell_at(event.position().toPoint()) == press[2]:
            day, minute = press[2]
            self.plan_requested.emit(self.monday + timedelta(days=day), time(minute // 60, minute % 60))
        event.accept()

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802, ANN001
        block = self.block_at(event.position().toPoint()) if event.button() == Qt.LeftButton else None
        if block is None:
            super().mouseDoubleClickEvent(event)
            return
        self._press = None
        self.open_requested.emit(block.view)
        event.accept()

    # -- Qt -----------------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(900, 560)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(DAYS * 48 + self.gutter, self.header_height + 6 * self.slot_height)

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001
        super().resizeEvent(event)
        self._update_scrollbar()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.LayoutDirectionChange):
            self._metrics()
            self._relayout()

    def focusInEvent(self, event) -> None:  # noqa: N802, ANN001
        super().focusInEvent(event)
        self.viewport().update()
        self._announce()

    def focusOutEvent(self, event) -> None:  # noqa: N802, ANN001
        super().focusOutEvent(event)
        self.viewport().update()

    # -- painting -------------------------------------------------------------------------------

    def paintEvent(self, event) -> None:  # noqa: N802, ANN001
        vp = self.viewport()
        width, height = vp.width(), vp.height()
        p = QPainter(vp)
        p.setLayoutDirection(self.layoutDirection())
        p.fillRect(vp.rect(), QColor("#ffffff"))
        today = local(now_utc()).date()
        column = self.column_width()
        rtl = self.isRightToLeft()
        gutter_x = width - self.gutter if rtl else 0
        grid_left, grid_right = (0, width - self.gutter) if rtl else (self.gutter, width)

        p.save()
        p.setClipRect(QRect(0, self.header_height, width, height - self.header_height))
        for day in range(DAYS):
            if self.monday + timedelta(days=day) == today:
                p.fillRect(QRectF(self.column_x(day), self.header_height, column, height), _TODAY)
        fm = QFontMetrics(self.font())
        for hour in range(self.first_hour, self.last_hour + 1):
            y = round(self.y_of(hour * 60))
            p.setPen(QPen(_LINE, 1))
            p.drawLine(grid_left, y, grid_right, y)
            if hour < self.last_hour:
                half = round(self.y_of(hour * 60 + 30))
                p.setPen(QPen(_FAINT, 1))
                p.drawLine(grid_left, half, grid_right, half)
                p.setPen(_MUTED)
                p.drawText(QRect(gutter_x, y + 1, self.gutter - 4, fm.height()), Qt.AlignHCenter | Qt.AlignTop,
                           ltr(f"{hour:02d}:00"))
        p.setPen(QPen(_LINE, 1))
        for day in range(DAYS + 1):
            x = round(self.column_x(day) if day < DAYS else self.column_x(DAYS - 1) + (0 if rtl else column))
            p.drawLine(x, self.header_height, x, height)
        if 0 <= (today - self.monday).days < DAYS:
            now = local(now_utc())
            minute = now.hour * 60 + now.minute
            if self.first_hour * 60 <= minute <= self.last_hour * 60:
                y = self.y_of(minute)
                x = self.column_x((today - self.monday).days)
                p.setPen(QPen(_NOW, 2))
                p.drawLine(QRectF(x, y, column, 0).topLeft(), QRectF(x, y, column, 0).topRight())

        for block in self.blocks:
            sid = block.view.session_id
            if sid in self.pending:
                self._paint_ghost(p, self.block_rect(block))
        selected = self.block_under_cursor() if self.hasFocus() else None
        for block in self.blocks:
            sid = block.view.session_id
            if sid not in self.pending:
                self._paint_block(p, block, self.block_rect(block), selected=block is selected)
        for block in self.blocks:
            sid = block.view.session_id
            if sid in self.pending:
                self._paint_block(p, block, self.block_rect(block, self.pending[sid]), moving=True,
                                  selected=block is selected)

        if self.hasFocus():
            day, minute = self.cursor
            rect = self.cell_rect(day, minute).adjusted(1, 1, -1, -1)
            pen = QPen(_FOCUS, 2)
            pen.setStyle(Qt.DashLine if selected is not None else Qt.SolidLine)
            p.setPen(pen)
            p.setBrush(Qt.NoBrush)
            p.drawRect(rect)
        p.restore()

        # The heading row: day name and ISO date, today in the accent colour.
        p.fillRect(QRect(0, 0, width, self.header_height), _HEADER)
        bold = QFont(self.font())
        bold.setBold(True)
        for day in range(DAYS):
            moment = self.monday + timedelta(days=day)
            rect = QRectF(self.column_x(day), 4, column, self.header_height - 8)
            p.setPen(_ACCENT if moment == today else QColor("#1e2b31"))
            p.setFont(bold)
            top = QRectF(rect.x(), rect.y(), rect.width(), rect.height() / 2)
            p.drawText(top, Qt.AlignCenter, QFontMetrics(bold).elidedText(day_name(moment), Qt.ElideRight,
                                                                             int(column) - 4))
            p.setFont(self.font())
            p.drawText(QRectF(rect.x(), rect.y() + rect.height() / 2, rect.width(), rect.height() / 2),
                       Qt.AlignCenter, ltr(format_date(moment)))
        p.setPen(QPen(_LINE, 1))
        p.drawLine(0, self.header_height - 1, width, self.header_height - 1)
        p.end()

    def _paint_ghost(self, p: QPainter, rect: QRectF) -> None:
        """Where a session being moved was."""
        pen = QPen(QColor("#7fb0b6"), 1)
        pen.setStyle(Qt.DashLine)
        p.setPen(pen)
        p.setBrush(Qt.NoBrush)
        p.drawRoundedRect(rect, 4, 4)

    def _paint_block(self, p: QPainter, block: Block, rect: QRectF, moving: bool = False,
                     selected: bool = False) -> None:
        view = block.view
        background, border, accent, text = COLOURS.get(view.status, COLOURS["planned"])
        path = QPainterPath()
        path.addRoundedRect(rect, 4, 4)
        p.fillPath(path, QColor(background))
        if view.status == "no_show":  # hatched as well as coloured and said in words
            p.fillPath(path, QBrush(QColor("#ecd49a"), Qt.BDiagPattern))
        bar = QRectF(rect.right() - 4, rect.top(), 4, rect.height()) if self.isRightToLeft() \
            else QRectF(rect.left(), rect.top(), 4, rect.height())
        p.fillRect(bar, QColor(accent))
        pen = QPen(QColor("#0c3337") if selected or moving else QColor(border), 2 if selected or moving else 1)
        if view.status == "cancelled" or moving:
            pen.setStyle(Qt.DashLine)
        p.setPen(pen)
        p.setBrush(Qt.NoBrush)
        p.drawPath(path)

        font = QFont(self.block_font)
        font.setStrikeOut(view.status == "cancelled")
        p.setFont(font)
        p.setPen(QColor(text))
        fm = QFontMetrics(font)
        inner = rect.adjusted(4, 1, -8, -1) if self.isRightToLeft() else rect.adjusted(8, 1, -4, -1)
        if inner.width() < 8:
            return
        fits = max(1, int(inner.height() // self.line_height))
        lines = block_lines(view, self.name_form) if fits > 1 else [
            _("{time} · {names}").format(time=ltr(format_time(local(view.starts_at))),
                                         names=names_text(view, self.name_form))]
        p.save()
        p.setClipRect(rect)
        for index, line in enumerate(lines[:fits]):
            bold = index == 0 and view.status in ("held", "no_show")
            if bold:
                strong = QFont(font)
                strong.setBold(True)
                p.setFont(strong)
            line_rect = QRectF(inner.x(), inner.y() + index * self.line_height, inner.width(), self.line_height)
            p.drawText(line_rect, Qt.AlignLeft | Qt.AlignVCenter,
                       (QFontMetrics(p.font()) if bold else fm).elidedText(line, Qt.ElideRight, int(inner.width())))
            if bold:
                p.setFont(font)
        p.restore()
