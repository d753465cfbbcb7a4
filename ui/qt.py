"""The one place the GUI imports Qt from (as Anki's ``aqt.qt``), plus the few
helpers every screen shares: running core work off the GUI thread
(``run_task`` for reads, ``run_change`` for writes), the application-wide
notice of what a write changed (``changes``), and the bundled icons.

Screens write ``from ui.qt import QWidget, Signal, ...``; nothing under
``shelter/`` may import this module.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import (  # noqa: F401  (re-exported)
    QAbstractItemModel,
    QAbstractListModel,
    QAbstractTableModel,
    QByteArray,
    QCoreApplication,
    QDate,
    QDateTime,
    QEvent,
    QEventLoop,
    QItemSelectionModel,
    QLibraryInfo,
    QLocale,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    QSizeF,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    QTranslator,
    Signal,
    Slot,
    qInstallMessageHandler,
)
from PySide6.QtGui import (  # noqa: F401  (re-exported)
    QAccessible,
    QAccessibleEvent,
    QAction,
    QActionGroup,
    QBrush,
    QCloseEvent,
    QColor,
    QDrag,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QGuiApplication,
    QIcon,
    QImage,
    QKeyEvent,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QShortcut,
    QShowEvent,
    QTextOption,
)
from PySide6.QtPrintSupport import (  # noqa: F401  (re-exported)
    QAbstractPrintDialog,
    QPrintDialog,
    QPrinter,
    QPrinterInfo,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (  # noqa: F401  (re-exported)
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QButtonGroup,
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QStatusBar,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolBar,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from shelter import fault_log
from shelter.resources import resource

_ICON_COLOUR = b"#2c5a61"
_icons: dict[str, QIcon] = {}


def icon(name: str) -> QIcon:
    """One of the project's own icons in ``resources/icons`` (SVG), with a
    white variant for selected items (white text on the teal highlight)."""
    cached = _icons.get(name)
    if cached is not None:
        return cached
    path = resource("icons", f"{name}.svg")
    result = QIcon()
    if path.exists():
        data = path.read_bytes()
        for mode, svg in ((QIcon.Normal, data), (QIcon.Selected, data.replace(_ICON_COLOUR, b"#ffffff"))):
            for size in (16, 20, 24, 32, 48, 64):
                pixmap = QPixmap(size, size)
                pixmap.fill(Qt.transparent)
                renderer = QSvgRenderer(QByteArray(svg))
                painter = QPainter(pixmap)
                renderer.render(painter)
                painter.end()
                result.addPixmap(pixmap, mode)
    _icons[name] = result
    return result


class Task(QObject):
    """Run ``work()`` on a worker thread; ``done(result)`` or ``failed(exc)``
    arrive on the GUI thread (queued signals), so slots may touch widgets.

    The worker must not touch any widget: it calls the core only. Keep a
    reference to the task until it reports (``run_task`` does).
    """

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, work: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self.running = False

    def start(self) -> None:
        self.running = True
        threading.Thread(target=self._run, name="shelter-task", daemon=True).start()

    def _run(self) -> None:
        try:
            result = self._work()
        except BaseException as exc:  # noqa: BLE001  (reported to the GUI thread)
            if not _is_expected(exc):
                fault_log.record(exc)  # the person is told in plain words; the log keeps where
            self.running = False
            with contextlib.suppress(RuntimeError):  # the owner was closed meanwhile
                self.failed.emit(exc)
        else:
            self.running = False
            with contextlib.suppress(RuntimeError):
                self.done.emit(result)


def _is_expected(exc: BaseException) -> bool:
    from shelter.errors import ShelterError

    return isinstance(exc, ShelterError)


_running: set[Task] = set()  # tasks between start and report: kept alive whatever becomes of their owner


def run_task(owner: QObject, work: Callable[[], Any], on_done: Callable[[Any], None],
             on_failed: Callable[[BaseException], None], always: Callable[[Any], None] | None = None) -> Task:
    """Start ``work`` off the GUI thread; ``on_done`` or ``on_failed`` runs on
    the GUI thread when it returns, unless ``owner`` (the screen that asked)
    was closed and deleted meanwhile. The task is not a child of ``owner``:
    a task deleted with its owner while its thread still runs would be
    signalled from that thread after its death (a crash, not an exception).
    ``always`` gets the result (or the exception) whether the owner is
    still there or not: a busy cursor ends, a change is announced."""
    task = Task(work)
    _running.add(task)

    def report(callback: Callable[[Any], None], value: Any) -> None:
        _running.discard(task)
        task.deleteLater()
        if always is not None:
            always(value)
        if shiboken6.isValid(owner):
            callback(value)

    task.done.connect(lambda result: report(on_done, result))
    task.failed.connect(lambda exc: report(on_failed, exc))
    task.start()
    return task


class LatestRead:
    """A screen's read off the GUI thread, one at a time. Asked again while a
    read runs, it reads once more when that one returns (``again``: the
    screen's own refresh, with what the screen asks by then), and a result
    that no longer answers what the screen asks (``still_asked`` false) is
    read again rather than shown. ``busy`` while a read is in flight."""

    def __init__(self, owner: QObject, again: Callable[[], None]) -> None:
        self._owner, self._read_again = owner, again
        self.busy = False
        self._asked_again = False

    def start(self, work: Callable[[], Any], on_done: Callable[[Any], None],
              on_failed: Callable[[BaseException], None],
              still_asked: Callable[[Any], bool] | None = None) -> None:
        if self.busy:
            self._asked_again = True
            return
        self.busy, self._asked_again = True, False

        def done(result: Any) -> None:  # noqa: ANN401
            self.busy = False
            if self._asked_again or (still_asked is not None and not still_asked(result)):
                self._read_again()
                return
            on_done(result)

        def failed(exc: BaseException) -> None:
            self.busy = False
            on_failed(exc)
            if self._asked_again:
                self._read_again()

        run_task(self._owner, work, done, failed)


class Changes(QObject):
    """Application-wide notice of what a write changed: every open screen
    connects ``changed`` and refreshes what the record names (the bed board
    the beds, the residents list the people, the dashboard its figures), so a
    discharge made from a resident's file shows at once on the bed board.
    The record is one of ``shelter.domain.changes``; emitted on the GUI
    thread only (``run_change`` does it when the write returns)."""

    changed = Signal(object)


changes = Changes()


def publish(change: object) -> None:
    """Tell every open screen what a write changed (GUI thread only)."""
    if change is not None:
        changes.changed.emit(change)


def run_change(owner: QObject, work: Callable[[], Any], on_done: Callable[[Any], None],
               on_failed: Callable[[BaseException], None], busy: QWidget | None = None) -> Task:
    """Run a service write off the GUI thread, with a busy cursor (and
    ``busy`` disabled) until it returns; then publish the change record it
    returned to every screen and call ``on_done`` with it. Widgets are only
    touched on the GUI thread."""
    was_enabled = busy.isEnabled() if busy is not None else True
    QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
    if busy is not None:
        busy.setEnabled(False)

    def returned(value: object) -> None:
        # Also when the screen that asked was closed meanwhile: the cursor
        # comes back, and every other screen still hears what changed.
        QApplication.restoreOverrideCursor()
        if busy is not None and shiboken6.isValid(busy):
            busy.setEnabled(was_enabled)
        if not isinstance(value, BaseException):
            publish(value)

    return run_task(owner, work, on_done, on_failed, always=returned)


class SessionEvents(QObject):
    """Application-wide notice that the signed-in session ended elsewhere
    (the key rotated, the account deactivated or re-keyed by another
    session), whichever screen or worker thread met it. The shell connects
    to it queued, so it locks the window (keeping what was typed) once the
    failed call has returned, and asks the person to sign in again."""

    ended = Signal(str)


session_events = SessionEvents()



def announce_session_end(message: str) -> None:
    """A ``shelter.store.session_ended_listeners`` entry: safe from any thread."""
    session_events.ended.emit(message)


def error_text(exc: BaseException) -> str:
    """What to tell the person about a failure: the core's own (translated)
    message, or a plain sentence for an unexpected one."""
    from shelter.errors import ShelterError
    from shelter.i18n import _

    if isinstance(exc, ShelterError):
        return exc.message
    return _("Something went wrong: {reason}").format(reason=type(exc).__name__)


def install_fault_handler() -> None:
    """An exception escaping a slot or the event loop is logged (without its
    message) instead of printed as a traceback on the terminal; the window
    stays, and the person's next action gets the usual plain message."""
    import sys

    def handler(kind: type[BaseException], exc: BaseException, tb: object) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)  # type: ignore[arg-type]
            return
        fault_log.record(exc)

    sys.excepthook = handler
    threading.excepthook = lambda args: fault_log.record(args.exc_value) if args.exc_value else None

