"""The first-run set-up: language, the shelter, its rooms and beds, the first
administrator; then the store is created (off the GUI thread: key derivation
takes a moment) and the recovery code is shown once, to be written down."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shelter.domain.naming import check_shelter_code, check_username
from shelter.errors import ShelterError, ValidationError
from shelter.i18n import _, current_language, list_text, ngettext
from shelter.security.keyring import KdfParams
from shelter.security.permissions import Role
from shelter.services import shelters
from shelter.services.shelters import MAX_BEDS_PER_ROOM
from shelter.store import SignedIn, Store
from ui.qt import (
    QCheckBox,
    QCloseEvent,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    Qt,
    QTimer,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
    Signal,
    error_text,
    icon,
    run_task,
)
from ui.widgets import ErrorLabel, FieldErrors, LanguageBox, NewPassword, RecoveryCodeView


@dataclass(frozen=True)
class RoomPlan:
    name: str
    beds: int
    women_only: bool
    men_only: bool
    minors: bool
    accessible: bool


@dataclass(frozen=True)
class Created:
    who: SignedIn
    recovery_code: str
    room_problems: tuple[str, ...]


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setRowWrapPolicy(QFormLayout.WrapLongRows)
    form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
    return form


class LanguagePage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.language = LanguageBox(self)
        self._label = QLabel(self)
        self._label.setBuddy(self.language)
        form = _form()
        form.addRow(self._label, self.language)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addSpacing(12)
        layout.addLayout(form)
        layout.addStretch(1)
        self.language.language_chosen.connect(wizard.language_requested)

    def retranslate(self) -> None:
        self.setTitle(_("Welcome to Shelter"))
        self.setSubTitle(_("Let's set up this workstation. It takes a few minutes."))
        self.text.setText(_(
            "Shelter keeps the shelter's records in one encrypted database on this computer. "
            "You will describe the shelter and its rooms, then create the first administrator account. "
            "Everything can be changed later in Administration."))
        self._label.setText(_("Interface &language:"))
        self.language.setAccessibleName(_("Interface language"))
        self.language.set_language(current_language())


class ShelterPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.name = QLineEdit(self)
        self.name.setMaxLength(200)
        self.code = QLineEdit(self)
        self.code.setMaxLength(12)
        self.code.setLayoutDirection(Qt.LeftToRight)
        self.city = QLineEdit(self)
        self.city.setMaxLength(100)
        self.women = QCheckBox(self)
        self.women.setChecked(True)
        self.men = QCheckBox(self)
        self.minors = QCheckBox(self)
        receives = QWidget(self)
        row = QHBoxLayout(receives)
        row.setContentsMargins(0, 0, 0, 0)
        for box in (self.women, self.men, self.minors):
            row.addWidget(box)
        row.addStretch(1)
        self.name_error, self.code_error, self.receives_error, self.error = (
            ErrorLabel(self), ErrorLabel(self), ErrorLabel(self), ErrorLabel(self))
        self._labels = [QLabel(self) for _i in range(4)]
        for label, buddy in zip(self._labels, (self.name, self.code, self.city, self.women), strict=True):
            label.setBuddy(buddy)
        form = _form()
        form.addRow(self._labels[0], self.name)
        form.addRow("", self.name_error)
        form.addRow(self._labels[1], self.code)
        form.addRow("", self.code_error)
        form.addRow(self._labels[2], self.city)
        form.addRow(self._labels[3], receives)
        form.addRow("", self.receives_error)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.errors = FieldErrors(self.error)
        self.errors.add("shelter_name", self.name_error, self.name)
        self.errors.add("code", self.code_error, self.code)
        self.errors.add("receives", self.receives_error, self.women)

    def retranslate(self) -> None:
        self.setTitle(_("The shelter"))
        self.setSubTitle(_("How the shelter is named in the records and on printed documents."))
        self._labels[0].setText(_("Sh&elter name:"))
        self._labels[1].setText(_("Short &code:"))
        self._labels[2].setText(_("&City:"))
        self._labels[3].setText(_("It &receives:"))
        self.name.setAccessibleName(_("Shelter name"))
        self.code.setAccessibleName(_("Short code"))
        self.code.setPlaceholderText(_("2 to 12 Latin letters or digits, e.g. RBT1"))
        self.city.setAccessibleName(_("City"))
        self.women.setText(_("&Women"))
        self.men.setText(_("&Men"))
        self.minors.setText(_("M&inors"))

    def receives(self) -> tuple[bool, bool, bool]:
        return self.women.isChecked(), self.men.isChecked(), self.minors.isChecked()

    def validatePage(self) -> bool:  # noqa: N802 (Qt name)
        self.errors.clear()
        if not self.name.text().strip():
            self.errors.show(_("Enter the shelter's name."), "shelter_name")
            return False
        try:
            self.code.setText(check_shelter_code(self.code.text()))
        except ValidationError as exc:
            self.errors.show(exc.message, "code")
            return False
        if not any(self.receives()):
            self.errors.show(_("Choose who the shelter receives."), "receives")
            return False
        return True


class RoomRow:
    """The widgets of one room on the rooms page."""

    def __init__(self, page: RoomsPage) -> None:
        self.name = QLineEdit(page.table)
        self.name.setMaxLength(80)
        self.beds = QSpinBox(page.table)
        self.beds.setRange(1, MAX_BEDS_PER_ROOM)
        self.beds.setValue(2)
        self.women = QCheckBox(page.table)
        self.men = QCheckBox(page.table)
        self.minors = QCheckBox(page.table)
        self.accessible = QCheckBox(page.table)
        self.remove = QToolButton(page.table)
        self.remove.setIcon(icon("remove"))
        self.error = ErrorLabel(page.table)
        self.women.toggled.connect(lambda on: on and self.men.setChecked(False))
        self.men.toggled.connect(lambda on: on and self.women.setChecked(False))

    def widgets(self) -> list[QWidget]:
        return [self.name, self.beds, self.women, self.men, self.minors, self.accessible, self.remove]

    def retranslate(self, number: int) -> None:
        self.name.setAccessibleName(_("Room {n}: name").format(n=number))
        self.name.setPlaceholderText(_("e.g. Room 1, Blue room"))
        self.beds.setAccessibleName(_("Room {n}: number of beds").format(n=number))
        self.women.setAccessibleName(_("Room {n}: women only").format(n=number))
        self.men.setAccessibleName(_("Room {n}: men only").format(n=number))
        self.minors.setAccessibleName(_("Room {n}: minors").format(n=number))
        self.accessible.setAccessibleName(_("Room {n}: accessible").format(n=number))
        self.remove.setToolTip(_("Remove this room"))
        self.remove.setAccessibleName(_("Room {n}: remove").format(n=number))

    def plan(self) -> RoomPlan:
        return RoomPlan(" ".join(self.name.text().split()), self.beds.value(), self.women.isChecked(),
                        self.men.isChecked(), self.minors.isChecked(), self.accessible.isChecked())

    def destroy(self) -> None:
        for widget in [*self.widgets(), self.error]:
            widget.hide()
            widget.deleteLater()


class RoomsPage(QWizardPage):
    COLUMNS = 7

    def __init__(self) -> None:
        super().__init__()
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.table = QWidget()
        self.grid = QGridLayout(self.table)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(10)
        self.grid.setAlignment(Qt.AlignTop)  # rows start under the headers, not mid-page
        self.grid.setColumnStretch(0, 1)
        self.headers = [QLabel(self.table) for _i in range(6)]
        for column, header in enumerate(self.headers):
            header.setObjectName("columnHeader")
            self.grid.addWidget(header, 0, column, Qt.AlignLeft | Qt.AlignBottom)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.NoFrame)
        self.scroll.setWidget(self.table)
        self.add_button = QPushButton(self)
        self.add_button.setIcon(icon("add"))
        self.add_button.setAutoDefault(False)
        self.total = QLabel(self)
        self.total.setObjectName("muted")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        buttons.addWidget(self.total)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(buttons)
        self.rows: list[RoomRow] = []
        self._next_grid_row = 1
        self.add_button.clicked.connect(lambda: self.add_row(focus=True))
        for _i in range(3):
            self.add_row()

    def add_row(self, focus: bool = False) -> RoomRow:
        row = RoomRow(self)
        line = self._next_grid_row
        for column, widget in enumerate(row.widgets()):
            align = Qt.Alignment() if column < 2 else Qt.AlignCenter
            self.grid.addWidget(widget, line, column, align)
        self.grid.addWidget(row.error, line + 1, 0, 1, self.COLUMNS)
        self._next_grid_row += 2
        # Tab goes along the row, then to the next row.
        previous = self.rows[-1].remove if self.rows else None
        chain = ([previous] if previous else []) + row.widgets()
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        row.remove.clicked.connect(lambda: self.remove_row(row))
        row.beds.valueChanged.connect(self._update_total)
        row.name.textChanged.connect(self._update_total)
        self.rows.append(row)
        self._renumber()
        if focus:
            row.name.setFocus(Qt.OtherFocusReason)
        return row

    def remove_row(self, row: RoomRow) -> None:
        self.rows.remove(row)
        row.destroy()
        self._renumber()
        if self.rows:
            self.rows[-1].name.setFocus(Qt.OtherFocusReason)
        else:
            self.add_button.setFocus(Qt.OtherFocusReason)

    def _renumber(self) -> None:
        for number, row in enumerate(self.rows, 1):
            row.retranslate(number)
        self._update_total()

    def _update_total(self) -> None:
        plans = [r.plan() for r in self.rows if r.plan().name]
        beds = sum(p.beds for p in plans)
        self.total.setText(list_text([ngettext("{n} room", "{n} rooms", len(plans)).format(n=len(plans)),
                                      ngettext("{n} bed", "{n} beds", beds).format(n=beds)]))

    def retranslate(self) -> None:
        self.setTitle(_("Rooms and beds"))
        self.setSubTitle(_("Add the rooms now, or later in Administration. Empty lines are left out."))
        self.intro.setText(_("One line per room: its name, how many beds it has, and who it is for."))
        for header, text in zip(self.headers, (_("Room name"), _("Beds"), _("Women only"), _("Men only"),
                                                _("Minors"), _("Accessible")), strict=True):
            header.setText(text)
        self.add_button.setText(_("&Add a room"))
        self._renumber()

    def plans(self) -> list[RoomPlan]:
        return [p for p in (r.plan() for r in self.rows) if p.name]

    def validatePage(self) -> bool:  # noqa: N802 (Qt name)
        seen: set[str] = set()
        ok = True
        for row in self.rows:
            row.error.set_message("")
            plan = row.plan()
            if not plan.name:
                continue
            key = plan.name.casefold()
            if key in seen:
                row.error.set_message(_("Another room already has this name."))
                row.name.setFocus(Qt.OtherFocusReason)
                ok = False
            seen.add(key)
            if plan.women_only and plan.men_only:
                row.error.set_message(_("A room cannot be for women only and for men only."))
                ok = False
        return ok


ALSO_ROLES = (Role.COORDINATOR, Role.SOCIAL_WORKER, Role.COUNSELLOR)


class AdministratorPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.full_name = QLineEdit(self)
        self.full_name.setMaxLength(120)
        self.username = QLineEdit(self)
        self.username.setMaxLength(32)
        self.username.setLayoutDirection(Qt.LeftToRight)
        self.full_name_error, self.username_error, self.error = ErrorLabel(self), ErrorLabel(self), ErrorLabel(self)
        self.password = NewPassword(self, self.username.text)
        # In a small shelter the coordinator is the administrator: the first
        # person may take the roles of her daily work too, and admit at once.
        self.also = QGroupBox(self)
        self.also_boxes = {role: QCheckBox(self.also) for role in ALSO_ROLES}
        self.also_boxes[Role.COORDINATOR].setChecked(True)
        also_layout = QVBoxLayout(self.also)
        for box in self.also_boxes.values():
            also_layout.addWidget(box)
        self._label_name, self._label_username = QLabel(self), QLabel(self)
        self._label_name.setBuddy(self.full_name)
        self._label_username.setBuddy(self.username)
        form = _form()
        form.addRow(self._label_name, self.full_name)
        form.addRow("", self.full_name_error)
        form.addRow(self._label_username, self.username)
        form.addRow("", self.username_error)
        self.password.add_to(form)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.also)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.errors = FieldErrors(self.error)
        self.errors.add("display_name", self.full_name_error, self.full_name)
        self.errors.add("username", self.username_error, self.username)
        self.username.textChanged.connect(lambda: self.password._update(self.password.value()))

    def retranslate(self) -> None:
        self.setTitle(_("The first administrator"))
        self.setSubTitle(_("This account manages staff accounts, rooms and settings."))
        self.intro.setText(_("Use your own name: every action in Shelter is recorded under the account "
                             "that did it. Other staff get their own accounts later."))
        self._label_name.setText(_("&Full name:"))
        self._label_username.setText(_("&Username:"))
        self.full_name.setAccessibleName(_("Full name"))
        self.username.setAccessibleName(_("Username"))
        self.username.setPlaceholderText(_("e.g. amina or a.benali"))
        self.password.retranslate(_("&Password:"))
        self.also.setTitle(_("This person also works in the shelter as:"))
        for role, box in self.also_boxes.items():
            box.setText(role.label)

    def also_roles(self) -> tuple[Role, ...]:
        return tuple(role for role, box in self.also_boxes.items() if box.isChecked())

    def validatePage(self) -> bool:  # noqa: N802 (Qt name)
        self.errors.clear()
        if not self.full_name.text().strip():
            self.errors.show(_("Enter the person's name."), "display_name")
            return False
        try:
            self.username.setText(check_username(self.username.text()))
        except ValidationError as exc:
            self.errors.show(exc.message, "username")
            return False
        return self.password.validate()

    def show_error(self, exc: ValidationError) -> None:
        if exc.field in ("password", "new_password"):
            self.password.show_error(exc.message)
        else:
            self.errors.show(exc.message, exc.field)


class CreatePage(QWizardPage):
    """Creates the store when shown, then moves on by itself."""

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setCommitPage(True)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.error = ErrorLabel(self)
        self.retry = QPushButton(self)
        self.retry.setVisible(False)
        self.retry.clicked.connect(self.start)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.status)
        layout.addWidget(self.busy)
        layout.addWidget(self.error)
        layout.addWidget(self.retry, 0, Qt.AlignLeft)
        layout.addStretch(2)
        self.created: Created | None = None
        self.running = False

    def retranslate(self) -> None:
        self.setTitle(_("Creating the store"))
        self.setSubTitle(_("The encryption keys are being made. This takes a few seconds."))
        self.status.setText(_("Creating the encrypted database…") if self.created is None
                            else _("The store is ready."))
        self.busy.setAccessibleName(_("Creating the encrypted database…"))
        self.retry.setText(_("&Try again"))

    def initializePage(self) -> None:  # noqa: N802 (Qt name)
        self.start()

    def isComplete(self) -> bool:  # noqa: N802 (Qt name)
        return self.created is not None

    def start(self) -> None:
        if self.running or self.created is not None:
            return
        self.running = True
        self.error.set_message("")
        self.retry.setVisible(False)
        self.busy.setVisible(True)
        self.retranslate()
        work = self._wizard.creation()
        run_task(self, work, self._done, self._failed)
        QTimer.singleShot(0, self._hold_buttons)

    def _hold_buttons(self) -> None:
        if self.running:
            for which in (QWizard.BackButton, QWizard.CancelButton, QWizard.CommitButton):
                self._wizard.button(which).setEnabled(False)

    def _done(self, created: Created) -> None:
        self.running = False
        self.created = created
        self.busy.setVisible(False)
        self.retranslate()
        self._wizard.store_created(created)
        self.completeChanged.emit()
        self._wizard.next()

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        self.busy.setVisible(False)
        self._wizard.button(QWizard.BackButton).setEnabled(True)
        self._wizard.button(QWizard.CancelButton).setEnabled(True)
        if isinstance(exc, ValidationError) and self._wizard.show_field_error(exc):
            return
        self.error.set_message(error_text(exc))
        self.retry.setVisible(True)


class RecoveryCodePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.instruction = QLabel(self)
        self.instruction.setWordWrap(True)
        self.instruction.setObjectName("important")
        self.code = RecoveryCodeView(self)
        self.code.setFrameShape(QLabel.StyledPanel)
        self.details = QLabel(self)
        self.details.setWordWrap(True)
        self.room_note = ErrorLabel(self)
        self.confirm = QCheckBox(self)
        self.confirm.toggled.connect(self.completeChanged)
        self.created: Created | None = None
        self.preview: QDialog | None = None
        self.print_button = QPushButton(self)
        self.print_button.setAutoDefault(False)
        self.print_button.clicked.connect(self.print_sheet)
        self.print_error = ErrorLabel(self)
        print_row = QHBoxLayout()
        print_row.addStretch(1)
        print_row.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.instruction)
        layout.addWidget(self.code)
        layout.addLayout(print_row)
        layout.addWidget(self.print_error)
        layout.addWidget(self.details)
        layout.addWidget(self.room_note)
        layout.addStretch(1)
        layout.addWidget(self.confirm)

    def retranslate(self) -> None:
        self.setTitle(_("The recovery code"))
        self.setSubTitle(_("Shown only once. Without it, a forgotten administrator password cannot be replaced."))
        self.instruction.setText(_("Write this code down on paper now, exactly as shown, and keep the paper "
                                   "in the shelter's safe."))
        self.code.setAccessibleName(_("Recovery code"))
        self.details.setText(_("Do not photograph it, type it into another program or send it by message: "
                               "whoever holds this code can open every record of the shelter. It is shown "
                               "once and is not kept on this computer."))
        self.confirm.setText(_("I have &written down the recovery code and will keep it in a safe place"))
        self.confirm.setAccessibleName(_("I have written down the recovery code and will keep it in a safe place"))
        self.print_button.setText(_("&Print the recovery sheet…"))

    def show_result(self, created: Created) -> None:
        self.created = created
        self.code.set_code(created.recovery_code)
        if created.room_problems:
            self.room_note.set_message(
                _("Some rooms could not be added; add them in Administration:") + "\n"
                + "\n".join(created.room_problems))

    def isComplete(self) -> bool:  # noqa: N802 (Qt name)
        return self.confirm.isChecked()

    def print_sheet(self) -> None:
        """Preview and print the recovery sheet (never saved as a file)."""
        from ui.admin.documents import show_recovery_sheet

        if self.created is None:
            return
        try:
            self.preview = show_recovery_sheet(self.created.who, self, self.created.recovery_code,
                                               current_language())
        except ShelterError as exc:
            self.print_error.set_message(exc.message)


class SetupWizard(QWizard):
    """Emits ``finished_setup(who)`` with the first administrator signed in."""

    language_requested = Signal(str)
    finished_setup = Signal(object)
    quit_requested = Signal()

    def __init__(self, folder: Path, kdf: KdfParams | None = None, clock: Callable[[], float] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setupWizard")
        self.setWindowIcon(icon("shelter"))
        self.setWizardStyle(QWizard.ModernStyle)
        self.setOption(QWizard.NoBackButtonOnStartPage, True)
        self._folder = Path(folder)
        self._kdf = kdf
        self._clock = clock
        self.created: Created | None = None
        self._leaving = False
        self.language_page = LanguagePage(self)
        self.shelter_page = ShelterPage()
        self.rooms_page = RoomsPage()
        self.admin_page = AdministratorPage()
        self.create_page = CreatePage(self)
        self.recovery_page = RecoveryCodePage()
        self.pages = [self.language_page, self.shelter_page, self.rooms_page, self.admin_page,
                      self.create_page, self.recovery_page]
        for page in self.pages:
            self.addPage(page)
        self.resize(780, 640)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Set-up"))  # " — Shelter" is added by the system
        self.setButtonText(QWizard.BackButton, _("&Back"))
        self.setButtonText(QWizard.NextButton, _("&Next"))
        self.setButtonText(QWizard.CommitButton, _("&Next"))
        self.setButtonText(QWizard.FinishButton, _("&Finish"))
        self.setButtonText(QWizard.CancelButton, _("Cancel"))
        for page in self.pages:
            page.retranslate()

    # -- creating the store ----------------------------------------------------

    def creation(self) -> Callable[[], Created]:
        """The work to run off the GUI thread (reads the widgets now, on the GUI thread)."""
        folder, kdf = self._folder, self._kdf
        shelter_page, admin_page = self.shelter_page, self.admin_page
        values = dict(
            shelter_name=shelter_page.name.text(), shelter_code=shelter_page.code.text(),
            city=shelter_page.city.text(), receives=shelter_page.receives(),
            admin_username=admin_page.username.text(), admin_password=admin_page.password.value(),
            admin_display_name=admin_page.full_name.text(), also_roles=admin_page.also_roles(),
            language=current_language(), kdf=kdf,
        )
        if self._clock is not None:
            values["clock"] = self._clock
        rooms = self.rooms_page.plans()

        def work() -> Created:
            who, code = Store.create(folder, **values)
            problems: list[str] = []
            shelter_id = shelters.list_shelters(who)[0].id
            for room in rooms:
                try:
                    shelters.add_room(who, shelter_id, room.name, room.beds, room.women_only, room.men_only,
                                      room.minors, room.accessible)
                except ValidationError as exc:
                    problems.append(f"{room.name}: {exc.message}")
            return Created(who, code, tuple(problems))

        return work

    def store_created(self, created: Created) -> None:
        self.created = created
        self.admin_page.password.clear()
        self.setOption(QWizard.NoCancelButton, True)
        self.recovery_page.show_result(created)

    def show_field_error(self, exc: ValidationError) -> bool:
        """Go back to the page of the field the core refused; False if none."""
        pages = {"shelter_name": self.shelter_page, "code": self.shelter_page, "receives": self.shelter_page,
                 "username": self.admin_page, "password": self.admin_page, "display_name": self.admin_page}
        page = pages.get(exc.field or "")
        if page is None:
            return False
        while self.currentPage() is not page and self.currentId() > 0:
            self.back()
        if page is self.shelter_page:
            page.errors.show(exc.message, exc.field)
        else:
            page.show_error(exc)
        return True

    # -- leaving ---------------------------------------------------------------

    def accept(self) -> None:
        if self.created is None or not self.recovery_page.isComplete():
            return
        who = self.created.who
        super().accept()
        self.finished_setup.emit(who)

    def reject(self) -> None:
        if self._leaving:  # QDialog.closeEvent rejects: the application is ending
            super().reject()
            return
        if self.created is not None or self.create_page.running:
            return  # the recovery code must be acknowledged first
        self.quit_requested.emit()

    def close_quietly(self) -> None:
        """Close without asking (the application is ending)."""
        self._leaving = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt name)
        if self._leaving or self.result() == QWizard.Accepted:
            super().closeEvent(event)
            return
        event.ignore()
        self.reject()
