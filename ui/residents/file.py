"""The resident's file: her home in the application. One window, one tab
per part — identity; referral and identification; protection (forms and
place of exploitation, safety flags, risk level); consent (to the processing
of the data, and to sharing with each partner, with dates); stays and beds;
documents issued — each part corrected where it is shown, by the roles that
may (the services check and audit), and every earlier value shown on request
("changed on … by …").

Adding a tab (care plans, sessions, reintegration)
--------------------------------------------------
The window builds its tabs from ``TABS``, a list of ``FileTab(key, title,
build, permission)``. A feature registers its own, once, when its module is
imported (import that module before a file opens, e.g. from the shell)::

    from shelter.i18n import N_
    from shelter.security.permissions import Permission
    from ui.residents.file import FileTab, register_tab

    register_tab(FileTab("care_plan", N_("Care plan"), CarePlanTab, Permission.VIEW_CARE_PLAN),
                 after="protection")

``build(file, who, parent)`` gets the ``ResidentFile`` just read (audited by
``open_resident``), the signed-in person and the window, and returns the
tab's widget (a ``FileSection`` subclass is the usual shape: a scrolled
column rebuilt from the file). The tab is shown only to a person whose
roles give ``permission``. When a write changes this resident (a
``changes.changed`` notice naming her), the window reads the file again and
calls the widget's ``show_file(file)`` if it has one, or builds it again.
A tab that reads data of its own does so through its service (audited
there), never with SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shelter.domain.changes import Change
from shelter.domain.dates import format_date, format_time
from shelter.domain.people import Identity, Protection, ReferralInfo
from shelter.domain.vocabulary import (
    DESTINATION,
    EXPLOITATION_FORM,
    EXPLOITATION_SCOPE,
    G_,
    GENDER_CONTEXTS,
    HANDOVER_REASON,
    HANDOVER_SECTION,
    IDENTIFICATION,
    REFERRAL_SOURCE,
    RESIDENCE_STATUS,
    RISK_LEVEL,
    SEX,
    ClosedList,
)
from shelter.errors import ShelterError, ValidationError
from shelter.i18n import LANGUAGE_NAMES, N_, _, direction_mark, isolate, list_text, ngettext, pgettext
from shelter.security.permissions import Permission
from shelter.services import discharge, residents
from shelter.services.residents import (
    IDENTITY_FIELDS,
    PROCESSING_FIELDS,
    PROTECTION_FIELDS,
    REFERRAL_FIELDS,
    SHARING_FIELDS,
    FieldChange,
    ResidentFile,
    SharingConsentView,
    StayView,
)
from shelter.store import SignedIn
from ui.beds.admission import split_list
from ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDate,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSpinBox,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTimer,
    QToolButton,
    QVBoxLayout,
    QWidget,
    changes,
    run_change,
)
from ui.widgets import ErrorLabel, FieldErrors, fit_to_screen, scrolled
from ui.widgets.dates import DateField, MomentField, local_datetime
from ui.widgets.guard import DiscardGuard

# The window's largest size: it fits a 1366×768 screen with the taskbar.
MAX_WIDTH, MAX_HEIGHT = 1280, 720
_LONG = 60  # characters: a value this long also shows whole in its tooltip
_TRAILING = " :\u00a0\u202f"  # what ends a row's label ("Nationalité :"), left out where it is named


# -- small helpers ---------------------------------------------------------------------

def about(sex: str | None, message: str) -> str:
    """``message`` (marked with ``G_``: extracted neutral, about a woman and
    about a man) in the form agreed with the resident's sex."""
    context = GENDER_CONTEXTS.get(sex or "")
    return pgettext(context, message) if context else _(message)


def _day(moment: datetime) -> str:
    return format_date(moment.astimezone().date())


def value_label(text: str, name: str = "") -> QLabel:
    """A value on the file: plain text, wrapped, selectable from the keyboard;
    a long one also whole in its tooltip."""
    # Each line starts in the interface's direction, the value isolated: a Latin
    # case number or name sits beside its Arabic label, not at the far edge.
    mark = direction_mark()
    label = QLabel("\n".join(mark + isolate(line) for line in text.split("\n")) if text else "")
    label.setTextFormat(Qt.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.TextSelectableByKeyboard)
    if len(text) > _LONG:
        label.setToolTip(text)
    if name:
        label.setAccessibleName(name)
    return label


# The label of each field of the file, as its row and its earlier values show it.
FIELD_LABELS: dict[str, str] = {
    "name_arabic": N_("Name in Arabic script:"),
    "name_latin": N_("Name in Latin script:"),
    "preferred_name": N_("Preferred name:"),
    "sex": N_("Sex:"),
    "birth_date": N_("Date of birth:"),
    "birth_year_estimated": N_("Estimated year of birth:"),
    "nationality": N_("Nationality:"),
    "languages": N_("Languages:"),
    "interpreter_needed": N_("Needs an interpreter:"),
    "exploitation": N_("Forms of exploitation:"),
    "exploitation_country": N_("Country where it happened:"),
    "exploitation_scope": N_("Where:"),
    "flag_trafficker_contact": N_("Known contact with the trafficker:"),
    "flag_no_visits": N_("No visits:"),
    "flag_no_phone": N_("No telephone:"),
    "flag_media_exposure": N_("Media exposure:"),
    "risk_level": N_("Risk level:"),
    "consent_processing": N_("Consent to the processing of the data:"),
    "consent_processing_on": N_("Consent given on:"),
    "consent_processing_withdrawn_on": N_("Consent withdrawn on:"),
    "withdrawn_on": N_("Consent withdrawn on:"),  # of a consent to share
    "consent_sharing": N_("Partners named at admission:"),
    "consent_sharing_on": N_("Partners named on:"),
    "consent_reporting": N_("Counted in anonymised figures:"),
    "consent_reporting_on": N_("Agreed to anonymised figures on:"),
    "referred_on": N_("Referral date:"),
    "source": N_("Referred by:"),
    "agency": N_("Agency:"),
    "contact": N_("Contact:"),
    "identification": N_("Identification:"),
    "identified_by": N_("Identified by:"),
    "identified_on": N_("Identified on:"),
}
REPORTING_FIELDS = ("consent_reporting", "consent_reporting_on")  # the anonymised export's consent
FLAGS = ("flag_trafficker_contact", "flag_no_visits", "flag_no_phone", "flag_media_exposure")
FLAG_NAMES = {"flag_trafficker_contact": N_("Known contact with the trafficker"), "flag_no_visits": N_("No visits"),
              "flag_no_phone": N_("No telephone"), "flag_media_exposure": N_("Media exposure")}
_CODED: dict[str, ClosedList] = {"sex": SEX, "risk_level": RISK_LEVEL, "exploitation_scope": EXPLOITATION_SCOPE,
                                 "source": REFERRAL_SOURCE, "identification": IDENTIFICATION}


def field_label(name: str) -> str:
    return _(FIELD_LABELS[name]) if name in FIELD_LABELS else name


def shown_value(name: str, value: Any, sex: str | None = None) -> str:
    """A field's value (current or earlier) as the file shows it."""
    if value is None or value == "" or value == ():
        return _("(empty)")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, date):
        return format_date(value)
    if name in _CODED:
        return _CODED[name].label(str(value), sex=sex)
    if name == "exploitation":
        return list_text([EXPLOITATION_FORM.label(x) for x in value])
    if isinstance(value, (tuple, list)):
        return list_text([isolate(str(x)) for x in value])
    return str(value)


def birth_text(identity: Identity) -> str:
    if identity.birth_date:
        return format_date(identity.birth_date)
    if identity.birth_year_estimated:
        return _("about {year}").format(year=identity.birth_year_estimated)
    return _("unknown")


# -- the tab registry ---------------------------------------------------------------------

@dataclass(frozen=True)
class FileTab:
    """One tab of the resident's file (see the module's docstring)."""

    key: str
    title: str  # English, marked with N_: translated when a window is built
    build: Callable[[ResidentFile, SignedIn | None, QWidget], QWidget]
    permission: Permission | None = Permission.VIEW_RESIDENT


TABS: list[FileTab] = []


def register_tab(tab: FileTab, after: str | None = None) -> None:
    """Add ``tab`` to every file opened from now on, after the tab keyed
    ``after`` (at the end when None or unknown). A key registered again
    replaces the tab it names, in its place."""
    for index, known in enumerate(TABS):
        if known.key == tab.key:
            TABS[index] = tab
            return
    keys = [t.key for t in TABS]
    TABS.insert(keys.index(after) + 1 if after in keys else len(TABS), tab)


# -- earlier values --------------------------------------------------------------------------

class HistoryDialog(QDialog):
    """The earlier values of some fields of one record, newest change first:
    what each was and became, who changed it, when and why. Reading them is
    audited by the service."""

    def __init__(self, who: SignedIn, sex: str, record_type: str, record_id: int, fields: Iterable[str] | None,
                 title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Earlier values: {part}").format(part=title))
        self.changes: list[FieldChange] = []
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setAccessibleName(_("Earlier values"))
        try:
            self.changes = residents.field_history(who, record_type, record_id,
                                                   None if fields is None else list(fields))
        except ShelterError as exc:
            self.note.setText(exc.message)
        else:
            self.note.setText(ngettext("{n} correction, newest first.", "{n} corrections, newest first.",
                                       len(self.changes)).format(n=len(self.changes)) if self.changes
                              else _("Nothing here has been corrected since it was entered."))
        for change in self.changes:
            self.list.addItem(self.describe(change, sex))
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.button(QDialogButtonBox.Close).setText(_("Close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(680, 420)

    @staticmethod
    def describe(change: FieldChange, sex: str) -> str:
        lines = [_("{field} {old} → {new}").format(
                     field=field_label(change.field), old=isolate(shown_value(change.field, change.old_value, sex)),
                     new=isolate(shown_value(change.field, change.new_value, sex))),
                 _("Changed on {date} at {time} by {name}.").format(
                     date=_day(change.changed_at), time=format_time(change.changed_at.astimezone()),
                     name=isolate(change.changed_by or _("someone no longer on record")))]
        if change.reason:
            lines.append(_("Reason: {reason}").format(reason=isolate(change.reason)))
        return "\n".join(lines)


# -- a tab's shape ------------------------------------------------------------------------------

class FileSection(QScrollArea):
    """A tab of the file: a scrolled column of groups, built from the file by
    ``build`` and built again by ``show_file`` when the file is read again."""

    def __init__(self, file: ResidentFile, who: SignedIn | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.file = file
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)  # values wrap instead
        self.history_dialog: HistoryDialog | None = None
        self.form_dialog: QDialog | None = None
        self.show_file(file)

    @property
    def may_edit(self) -> bool:
        return self.who is not None and self.who.actor.has(Permission.EDIT_RESIDENT)

    def show_file(self, file: ResidentFile) -> None:
        self.file = file
        content = QWidget()
        self.column = QVBoxLayout(content)
        self.column.setContentsMargins(16, 12, 16, 12)
        self.column.setSpacing(12)
        self.build(file)
        self.column.addStretch(1)
        self.setWidget(content)  # the previous content is deleted

    def build(self, file: ResidentFile) -> None:
        raise NotImplementedError

    # -- parts --------------------------------------------------------------------------

    def group(self, title: str) -> tuple[QGroupBox, QFormLayout]:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.column.addWidget(box)
        return box, form

    def row(self, form: QFormLayout, label: str, text: str, record: tuple[str, int | None] | None = None,
            fields: Iterable[str] = ()) -> QLabel:
        """A labelled value; when ``fields`` of ``record`` were corrected, an
        "Earlier values" button beside it shows what they were."""
        value = value_label(text, label.rstrip(_TRAILING))
        fields = tuple(fields)
        if record is None or record[1] is None or not fields or not self.file.was_corrected(*record, fields):
            form.addRow(QLabel(label), value)
            return value
        holder = QWidget()
        line = QHBoxLayout(holder)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(value)
        button = QToolButton()
        button.setText(_("Earlier values…"))
        button.setToolTip(_("What this was before it was corrected: changed on which day, by whom"))
        button.setAccessibleName(_("Earlier values of {field}").format(field=label.rstrip(_TRAILING)))
        button.setFocusPolicy(Qt.StrongFocus)
        button.clicked.connect(lambda: self.show_history(record[0], record[1], fields, label.rstrip(_TRAILING)))
        line.addWidget(button, 0, Qt.AlignTop)
        line.addStretch(1)
        form.addRow(QLabel(label), holder)
        return value

    def actions(self, *buttons: QPushButton) -> QHBoxLayout:
        line = QHBoxLayout()
        for button in buttons:
            line.addWidget(button)
        line.addStretch(1)
        return line

    def history_button(self, record_type: str, record_id: int | None, fields: Iterable[str], title: str
                       ) -> QPushButton:
        fields = tuple(fields)
        button = QPushButton(_("History…"))
        button.setToolTip(_("Every correction of this part of the file: what was there before, who changed it "
                            "and when"))
        button.setEnabled(record_id is not None and self.file.was_corrected(record_type, record_id, fields))
        if record_id is not None:
            button.clicked.connect(lambda: self.show_history(record_type, record_id, fields, title))
        return button

    def show_history(self, record_type: str, record_id: int, fields: Iterable[str] | None, title: str) -> None:
        if self.who is None:
            return
        self.history_dialog = HistoryDialog(self.who, self.file.sex, record_type, record_id, fields, title, self)
        self.history_dialog.open()

    def open_form(self, dialog: QDialog) -> None:
        self.form_dialog = dialog
        dialog.open()


# -- the tabs -----------------------------------------------------------------------------------

class IdentitySection(FileSection):
    def build(self, file: ResidentFile) -> None:
        i = file.identity
        record = ("resident", file.resident_id)
        box, form = self.group(_("Identity"))
        form.addRow(QLabel(_("Case number:")), value_label(file.case_number))
        self.name_arabic = self.row(form, field_label("name_arabic"), i.name_arabic or _("(empty)"), record,
                                    ["name_arabic"])
        self.name_latin = self.row(form, field_label("name_latin"), i.name_latin or _("(empty)"), record,
                                   ["name_latin"])
        self.row(form, field_label("preferred_name"), i.preferred_name or _("(empty)"), record, ["preferred_name"])
        self.row(form, field_label("sex"), SEX.label(i.sex), record, ["sex"])
        self.row(form, field_label("birth_date"), birth_text(i), record, ["birth_date", "birth_year_estimated"])
        self.row(form, field_label("nationality"), i.nationality or _("unknown"), record, ["nationality"])
        languages = list_text(i.languages) or _("unknown")
        if i.interpreter_needed:
            languages += " · " + about(i.sex, G_("needs an interpreter"))
        self.row(form, field_label("languages"), languages, record, ["languages", "interpreter_needed"])
        self.correct_button = QPushButton(_("&Correct the identity…"))
        self.correct_button.setVisible(self.may_edit)
        self.correct_button.clicked.connect(self.correct)
        self.history = self.history_button("resident", file.resident_id, IDENTITY_FIELDS, _("Identity"))
        self.column.addLayout(self.actions(self.correct_button, self.history))

    def correct(self) -> None:
        if self.who is not None:
            self.open_form(IdentityForm(self.who, self.file, self))


class ReferralSection(FileSection):
    def build(self, file: ResidentFile) -> None:
        self.correct_buttons: dict[int, QPushButton] = {}
        if not file.stays:
            self.column.addWidget(value_label(_("No stay is recorded for this person.")))
        for stay in reversed(file.stays):  # the latest first
            title = _("Admitted on {date} to {shelter}").format(date=_day(stay.admitted_at),
                                                                 shelter=isolate(stay.shelter_name))
            box, form = self.group(title)
            r = stay.referral
            if r is None:
                form.addRow(value_label(_("No referral was recorded for this stay.")))
            else:
                record = ("referral", stay.referral_id)
                self.row(form, field_label("referred_on"), format_date(r.referred_on), record, ["referred_on"])
                self.row(form, field_label("source"), REFERRAL_SOURCE.label(r.source, sex=file.sex), record,
                         ["source"])
                self.row(form, field_label("agency"), r.agency or _("(empty)"), record, ["agency"])
                self.row(form, field_label("contact"), r.contact or _("(empty)"), record, ["contact"])
                self.row(form, field_label("identification"), IDENTIFICATION.label(r.identification), record,
                         ["identification"])
                self.row(form, field_label("identified_by"), r.identified_by or _("(empty)"), record,
                         ["identified_by"])
                self.row(form, field_label("identified_on"), format_date(r.identified_on) or _("(empty)"), record,
                         ["identified_on"])
            correct = QPushButton(_("&Correct the referral…"))
            correct.setVisible(self.may_edit)
            correct.clicked.connect(lambda _checked=False, s=stay: self.correct(s))
            self.correct_buttons[stay.stay_id] = correct
            history = self.history_button("referral", stay.referral_id, REFERRAL_FIELDS, title)
            form.addRow(self.actions(correct, history))

    def correct(self, stay: StayView) -> None:
        if self.who is not None:
            self.open_form(ReferralForm(self.who, self.file, stay, self))


class ProtectionSection(FileSection):
    def build(self, file: ResidentFile) -> None:
        p = file.protection
        record = ("resident", file.resident_id)
        box, form = self.group(_("Exploitation"))
        forms = list_text([EXPLOITATION_FORM.label(x) for x in p.exploitation]) or _("Not known")
        self.row(form, field_label("exploitation"), forms, record, ["exploitation"])
        self.row(form, field_label("exploitation_scope"),
                 EXPLOITATION_SCOPE.label(p.exploitation_scope) if p.exploitation_scope else _("Not known"),
                 record, ["exploitation_scope"])
        self.row(form, field_label("exploitation_country"), p.exploitation_country or _("Not known"), record,
                 ["exploitation_country"])
        box, form = self.group(_("Safety"))
        flags = [_(FLAG_NAMES[f]) for f in FLAGS if getattr(p, f)]
        self.flags = self.row(form, _("Safety flags:"), "\n".join(flags) if flags else _("None"), record, FLAGS)
        self.row(form, field_label("risk_level"), RISK_LEVEL.label(p.risk_level), record, ["risk_level"])
        self.correct_button = QPushButton(_("&Correct exploitation and safety…"))
        self.correct_button.setVisible(self.may_edit)
        self.correct_button.clicked.connect(self.correct)
        self.history = self.history_button("resident", file.resident_id, PROTECTION_FIELDS, _("Protection"))
        self.column.addLayout(self.actions(self.correct_button, self.history))

    def correct(self) -> None:
        if self.who is not None:
            self.open_form(ProtectionForm(self.who, self.file, self))


class ConsentSection(FileSection):
    def build(self, file: ResidentFile) -> None:
        sex = file.sex
        c = file.processing
        box, form = self.group(_("Processing of the data (law 09-08)"))
        if c.status == "given":
            text = about(sex, G_("Consented on {date}.")).format(date=format_date(c.given_on))
        elif c.status == "withdrawn":
            text = about(sex, G_("Withdrew the consent on {date}.")).format(date=format_date(c.withdrawn_on))
            if c.given_on:
                text += " " + _("(It had been given on {date}.)").format(date=format_date(c.given_on))
        else:
            text = about(sex, G_("Has not consented yet: ask when the person is ready."))
        self.processing = self.row(form, _("Status:"), text, ("resident", file.resident_id), PROCESSING_FIELDS)
        self.give_button = QPushButton(_("Record the &consent…") if c.status != "given"
                                       else _("Correct the consent &date…"))
        self.give_button.setVisible(self.may_edit)
        self.give_button.clicked.connect(lambda: self.processing_form("give"))
        self.withdraw_button = QPushButton(_("&Withdraw the consent…"))
        self.withdraw_button.setVisible(self.may_edit and c.status == "given")
        self.withdraw_button.clicked.connect(lambda: self.processing_form("withdraw"))
        history = self.history_button("resident", file.resident_id, PROCESSING_FIELDS, _("Consent"))
        form.addRow(self.actions(self.give_button, self.withdraw_button, history))

        # Counted, without name, in the anonymised case-level export (issue 17).
        box, form = self.group(_("Anonymised figures"))
        p = file.protection
        text = (_("Agrees to be counted, without name, in anonymised figures (since {date}).").format(
            date=format_date(p.consent_reporting_on)) if p.consent_reporting else
            _("Has not agreed to be counted in anonymised figures: left out of the anonymised export. The "
              "shelter's own reports count everyone."))
        self.reporting = self.row(form, _("Status:"), text, ("resident", file.resident_id), REPORTING_FIELDS)
        self.reporting_button = QPushButton(_("Record agreement to anonymised &figures…") if not p.consent_reporting
                                            else _("Correct the date of the agreement…"))
        self.reporting_button.setVisible(self.may_edit)
        self.reporting_button.clicked.connect(lambda: self.reporting_form("give"))
        self.withdraw_reporting_button = QPushButton(_("Withdraw from anonymised fi&gures…"))
        self.withdraw_reporting_button.setVisible(self.may_edit and p.consent_reporting)
        self.withdraw_reporting_button.clicked.connect(lambda: self.reporting_form("withdraw"))
        history = self.history_button("resident", file.resident_id, REPORTING_FIELDS, _("Anonymised figures"))
        form.addRow(self.actions(self.reporting_button, self.withdraw_reporting_button, history))

        box = QGroupBox(_("Sharing with partners"))
        column = QVBoxLayout(box)
        note = value_label(_("A handover document carries a section of the file only for a partner the person "
                             "consented to share it with. A withdrawn consent stops later handovers of those "
                             "sections."))
        note.setObjectName("muted")
        column.addWidget(note)
        self.sharing = QTableWidget(len(file.sharing), 5)
        self.sharing.setAccessibleName(_("Consents to share"))
        self.sharing.setHorizontalHeaderLabels([_("Partner"), _("Sections"), _("Given on"), _("Withdrawn on"),
                                                _("Recorded by")])
        self.sharing.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.sharing.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.sharing.setSelectionMode(QAbstractItemView.SingleSelection)
        self.sharing.setWordWrap(True)
        self.sharing.verticalHeader().hide()
        self.sharing.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.sharing.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        for row, consent in enumerate(file.sharing):
            sections = list_text([HANDOVER_SECTION.label(x) for x in consent.sections])
            recorder = _("at admission") if consent.at_admission else consent.recorded_by
            withdrawn = format_date(consent.withdrawn_on) if consent.withdrawn_on else _("in force")
            for column_index, text in enumerate((consent.receiver, sections, format_date(consent.given_on),
                                                 withdrawn, recorder)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.sharing.setItem(row, column_index, item)
        self.sharing.resizeRowsToContents()
        self.sharing.setMinimumHeight(min(60 + 28 * len(file.sharing), 260))
        if not file.sharing:
            column.addWidget(value_label(_("No consent to share has been recorded.")))
            self.sharing.hide()
        column.addWidget(self.sharing)
        self.share_button = QPushButton(_("Record consent to &share…"))
        self.share_button.setVisible(self.may_edit)
        self.share_button.clicked.connect(self.record_sharing)
        self.withdraw_sharing_button = QPushButton(_("Withdraw consent to sha&re…"))
        self.withdraw_sharing_button.setVisible(self.may_edit)
        self.withdraw_sharing_button.setEnabled(False)
        self.withdraw_sharing_button.clicked.connect(self.withdraw_sharing)
        # History: of the consent selected (who withdrew it, when, why), else of the partners named at admission.
        self.sharing_history = QPushButton(_("History…"))
        self.sharing_history.setToolTip(_("Who withdrew the consent selected, when and why; with none selected, "
                                          "the changes to the partners named at admission"))
        self.sharing_history.clicked.connect(self.show_sharing_history)
        self.sharing.itemSelectionChanged.connect(self._sharing_selected)
        self._sharing_selected()
        column.addLayout(self.actions(self.share_button, self.withdraw_sharing_button, self.sharing_history))
        self.column.addWidget(box)

    def _sharing_record(self) -> tuple[str, int, tuple[str, ...]]:
        rows = self.sharing.selectionModel().selectedRows()
        consent = self.file.sharing[rows[0].row()] if rows else None
        if consent is not None and consent.consent_id is not None \
                and self.file.was_corrected("sharing_consent", consent.consent_id):
            return "sharing_consent", consent.consent_id, ("withdrawn_on",)
        return "resident", self.file.resident_id, SHARING_FIELDS

    def _sharing_selected(self) -> None:
        self.withdraw_sharing_button.setEnabled(self.selected_sharing() is not None)
        record_type, record_id, fields = self._sharing_record()
        self.sharing_history.setEnabled(self.file.was_corrected(record_type, record_id, fields))

    def show_sharing_history(self) -> None:
        record_type, record_id, fields = self._sharing_record()
        self.show_history(record_type, record_id, fields, _("Sharing with partners"))

    def selected_sharing(self) -> SharingConsentView | None:
        """The consent selected in the table, if it is in force."""
        rows = self.sharing.selectionModel().selectedRows()
        if not rows:
            return None
        consent = self.file.sharing[rows[0].row()]
        return consent if consent.in_force else None

    def processing_form(self, mode: str) -> None:
        if self.who is not None:
            self.open_form(ProcessingConsentForm(self.who, self.file, mode, self))

    def reporting_form(self, mode: str) -> None:
        if self.who is not None:
            self.open_form(ReportingConsentForm(self.who, self.file, mode, self))

    def record_sharing(self) -> None:
        if self.who is not None:
            self.open_form(SharingConsentForm(self.who, self.file, self))

    def withdraw_sharing(self) -> None:
        consent = self.selected_sharing()
        if self.who is not None and consent is not None:
            self.open_form(WithdrawSharingForm(self.who, self.file, consent, self))


class StaysSection(FileSection):
    def build(self, file: ResidentFile) -> None:
        sex = file.sex
        if not file.stays:
            self.column.addWidget(value_label(_("No stay is recorded for this person.")))
        for stay in reversed(file.stays):
            box, form = self.group(isolate(stay.shelter_name) or _("Stay"))
            form.addRow(QLabel(_("Admitted:")), value_label(local_datetime(stay.admitted_at)))
            if stay.discharged_at is None:
                form.addRow(QLabel(_("Left:")), value_label(RESIDENCE_STATUS.label("in_residence", sex=sex)))
            else:
                left = local_datetime(stay.discharged_at)
                if stay.destination:
                    left += " · " + DESTINATION.label(stay.destination)
                form.addRow(QLabel(_("Left:")), value_label(left))
                if stay.discharge_note:
                    form.addRow(QLabel(_("Note:")), value_label(stay.discharge_note))
            lines = [_("{bed}: {start} → {end}").format(bed=isolate(bed), start=local_datetime(start),
                                                          end=local_datetime(end) if end else "…")
                     for bed, start, end in stay.beds]
            form.addRow(QLabel(_("Beds:")), value_label("\n".join(lines) or _("None")))


class IssuedDocumentsSection(FileSection):
    def build(self, file: ResidentFile) -> None:
        box = QGroupBox(_("Documents issued"))
        column = QVBoxLayout(box)
        self.table = QTableWidget(len(file.documents), 6)
        self.table.setAccessibleName(_("Documents issued"))
        self.table.setHorizontalHeaderLabels([_("Reference"), _("Reason"), _("Receiver"), _("Issued"),
                                              _("Language"), _("Issued by")])
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.Stretch)
        for row, d in enumerate(file.documents):
            texts = (d.reference, HANDOVER_REASON.label(d.reason), d.receiver, local_datetime(d.issued_at),
                     LANGUAGE_NAMES.get(d.lang, d.lang), d.issued_by)
            for column_index, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column_index, item)
        self.table.resizeRowsToContents()
        if file.documents:
            column.addWidget(self.table)
        else:
            self.table.hide()
            column.addWidget(value_label(_("No document has been issued about this person yet.")))
        self.column.addWidget(box)


register_tab(FileTab("identity", N_("Identity"), IdentitySection))
register_tab(FileTab("referral", N_("Referral and identification"), ReferralSection))
register_tab(FileTab("protection", N_("Protection"), ProtectionSection))
register_tab(FileTab("consent", N_("Consent"), ConsentSection))
register_tab(FileTab("stays", N_("Stays and beds"), StaysSection))
register_tab(FileTab("documents", N_("Documents"), IssuedDocumentsSection))


# -- corrections ---------------------------------------------------------------------------------

class CorrectionForm(QDialog):
    """A form that corrects one part of the file. Each refusal is shown beside
    the field the core names, and what was typed stays; Escape with something
    typed asks first. The write runs off the GUI thread and tells every
    screen what changed."""

    def __init__(self, who: SignedIn, file: ResidentFile, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.file = file
        self.change: Change | None = None
        self.setWindowTitle(_("{part} — {case}").format(part=title, case=file.case_number))
        self.error = ErrorLabel()
        self.errors = FieldErrors(self.error)
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.WrapLongRows)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Cancel).setText(_("Cancel"))
        self.save_button = self.buttons.addButton(_("&Save"), QDialogButtonBox.AcceptRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(lambda: self.guard.leave())
        content = QWidget()
        content.setLayout(self.form)
        self.content = content
        layout = QVBoxLayout(self)
        layout.addWidget(scrolled(content), 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        # Enter saves: set once the button is in this dialog (before, Qt has no dialog to tell).
        self.save_button.setDefault(True)

    def finish(self) -> None:
        """Call once the fields are in: what they show now is what "nothing typed" means."""
        self.guard = DiscardGuard(self)
        # The whole form in view where the screen allows (it scrolls where not).
        hint = self.content.sizeHint()
        width, height = max(hint.width() + 60, 600), hint.height() + self.buttons.sizeHint().height() + 90
        fit_to_screen(self, min(width, MAX_WIDTH - 200), min(height, MAX_HEIGHT - 40))

    def row(self, text: str, field: QWidget, *names: str) -> QWidget:
        label = QLabel(text)
        label.setBuddy(field)
        holder = self.errors.field(field, *names) if names else field
        self.form.addRow(label, holder)
        return holder

    def add_reason(self) -> None:
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(_("e.g. passport seen, the person corrected it, typing mistake"))
        self.row(_("Reason for the &correction:"), self.reason, "reason")

    def line(self, text: str, max_length: int = 200) -> QLineEdit:
        edit = QLineEdit(text)
        edit.setMaxLength(max_length)
        return edit

    @staticmethod
    def combo(choices: list[tuple[Any, str]], current: Any) -> QComboBox:
        box = QComboBox()
        for code, label in choices:
            box.addItem(label, code)
        box.setCurrentIndex(max(0, box.findData(current)))
        return box

    def work(self) -> Callable[[], Change]:
        """The service call, from what the form says (raises ValidationError
        for what cannot be read, e.g. a date)."""
        raise NotImplementedError

    def submit(self) -> None:
        self.errors.clear()
        try:
            work = self.work()
        except ShelterError as exc:
            self.errors.show_error(exc)
            return
        self.task = run_change(self, work, self._done, self.errors.show_error, busy=self)

    def _done(self, change: Change) -> None:
        self.change = change
        self.accept()


class IdentityForm(CorrectionForm):
    def __init__(self, who: SignedIn, file: ResidentFile, parent: QWidget | None = None) -> None:
        super().__init__(who, file, _("Correct the identity"), parent)
        i = file.identity
        self.name_arabic = self.line(i.name_arabic)
        self.name_arabic.setLayoutDirection(Qt.RightToLeft)
        self.name_latin = self.line(i.name_latin)
        self.preferred = self.line(i.preferred_name, 120)
        self.sex = self.combo(SEX.choices(), i.sex)
        today = date.today()
        self.birth_date = DateField("birth_date", optional=True, likely=today.replace(year=today.year - 25, day=1))
        self.birth_date.set_value(i.birth_date)
        self.birth_year = QSpinBox()
        self.birth_year.setRange(0, QDate.currentDate().year())
        self.birth_year.setSpecialValueText(_("unknown"))
        self.birth_year.setValue(i.birth_year_estimated or 0)
        self.birth_year.setAccessibleName(_("or estimated year:"))
        self.nationality = self.line(i.nationality, 2)
        self.nationality.setPlaceholderText(_("country code, e.g. NG"))
        self.languages = self.line(list_text(i.languages), 120)
        self.languages.setPlaceholderText(_("e.g. en, pcm"))
        self.interpreter = QCheckBox(_("Needs an &interpreter"))
        self.interpreter.setChecked(i.interpreter_needed)
        self.row(_("Name in &Arabic script:"), self.name_arabic, "name_arabic")
        self.row(_("Name in &Latin script:"), self.name_latin, "name_latin")
        self.row(_("&Preferred name:"), self.preferred, "preferred_name")
        self.row(_("&Sex:"), self.sex, "sex")
        birth = QWidget()
        line = QHBoxLayout(birth)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.birth_date)
        line.addWidget(QLabel(_("or estimated year:")))
        line.addWidget(self.birth_year)
        line.addStretch(1)
        birth.setFocusProxy(self.birth_date)
        self.row(_("Date of bi&rth:"), birth, "birth_date")
        self.errors.add("birth_year_estimated", self.errors.label("birth_date"), self.birth_year)
        self.row(_("&Nationality:"), self.nationality, "nationality")
        self.row(_("Lang&uages:"), self.languages, "languages")
        self.form.addRow("", self.interpreter)
        self.add_reason()
        self.finish()

    def identity(self) -> Identity:
        return Identity(
            name_arabic=self.name_arabic.text(), name_latin=self.name_latin.text(),
            preferred_name=self.preferred.text(), sex=self.sex.currentData(), birth_date=self.birth_date.value(),
            birth_year_estimated=self.birth_year.value() or None, nationality=self.nationality.text(),
            languages=split_list(self.languages.text()),
            interpreter_needed=self.interpreter.isChecked())

    def work(self) -> Callable[[], Change]:
        who, rid, identity, reason = self.who, self.file.resident_id, self.identity(), self.reason.text()
        return lambda: residents.correct_identity(who, rid, identity, reason)


class ReferralForm(CorrectionForm):
    def __init__(self, who: SignedIn, file: ResidentFile, stay: StayView, parent: QWidget | None = None) -> None:
        super().__init__(who, file, _("Correct the referral"), parent)
        self.stay = stay
        r = stay.referral or ReferralInfo(referred_on=stay.admitted_at.astimezone().date(), source="")
        self.referred_on = DateField("referred_on")
        self.referred_on.set_value(r.referred_on)
        self.source = self.combo(REFERRAL_SOURCE.choices(sex=file.sex), r.source)
        self.agency = self.line(r.agency)
        self.agency.setPlaceholderText(_("e.g. Sûreté nationale, Rabat"))
        self.contact = self.line(r.contact)
        self.contact.setPlaceholderText(_("name, telephone"))
        self.identification = self.combo(IDENTIFICATION.choices(), r.identification)
        self.identified_by = self.line(r.identified_by)
        self.identified_by.setPlaceholderText(_("by whom"))
        self.identified_on = DateField("identified_on", optional=True)
        self.identified_on.set_value(r.identified_on)
        self.row(_("Referral &date:"), self.referred_on, "referred_on", "stay")
        self.row(_("Referred &by:"), self.source, "source")
        self.row(_("A&gency:"), self.agency, "agency")
        self.row(_("C&ontact:"), self.contact, "contact")
        self.row(_("&Identification:"), self.identification, "identification")
        self.row(_("Identified b&y:"), self.identified_by, "identified_by")
        self.row(_("Identified o&n:"), self.identified_on, "identified_on")
        self.add_reason()
        self.finish()

    def referral(self) -> ReferralInfo:
        return ReferralInfo(
            referred_on=self.referred_on.value(), source=self.source.currentData(), agency=self.agency.text(),
            contact=self.contact.text(), identification=self.identification.currentData(),
            identified_by=self.identified_by.text(), identified_on=self.identified_on.value())

    def work(self) -> Callable[[], Change]:
        who, stay_id, referral, reason = self.who, self.stay.stay_id, self.referral(), self.reason.text()
        return lambda: residents.correct_referral(who, stay_id, referral, reason)


class ProtectionForm(CorrectionForm):
    def __init__(self, who: SignedIn, file: ResidentFile, parent: QWidget | None = None) -> None:
        super().__init__(who, file, _("Correct exploitation and safety"), parent)
        p = file.protection
        self.forms: dict[str, QCheckBox] = {}
        forms = QWidget()
        grid = QGridLayout(forms)
        grid.setContentsMargins(0, 0, 0, 0)
        for index, (code, label) in enumerate(EXPLOITATION_FORM.choices()):
            box = QCheckBox(label)
            box.setChecked(code in p.exploitation)
            self.forms[code] = box
            grid.addWidget(box, index // 2, index % 2)
        forms.setFocusProxy(self.forms[EXPLOITATION_FORM.codes[0]])
        self.scope = self.combo([(None, _("Not known")), *EXPLOITATION_SCOPE.choices()], p.exploitation_scope)
        self.country = self.line(p.exploitation_country, 2)
        self.country.setPlaceholderText(_("country code, e.g. NG"))
        self.flags: dict[str, QCheckBox] = {}
        flags = QWidget()
        column = QVBoxLayout(flags)
        column.setContentsMargins(0, 0, 0, 0)
        for name in FLAGS:
            box = QCheckBox(_(FLAG_NAMES[name]))
            box.setChecked(getattr(p, name))
            self.flags[name] = box
            column.addWidget(box)
        flags.setFocusProxy(self.flags[FLAGS[0]])
        self.risk = self.combo(RISK_LEVEL.choices(), p.risk_level)
        self.row(_("&Forms of exploitation:"), forms, "exploitation")
        self.row(_("&Where:"), self.scope, "exploitation_scope")
        self.row(_("C&ountry where it happened:"), self.country, "exploitation_country")
        self.row(_("Safety &flags:"), flags)
        self.row(_("Risk &level:"), self.risk, "risk_level")
        self.add_reason()
        self.finish()

    def protection(self) -> Protection:
        return Protection(
            exploitation=tuple(code for code, box in self.forms.items() if box.isChecked()),
            exploitation_country=self.country.text(), exploitation_scope=self.scope.currentData(),
            risk_level=self.risk.currentData(), **{name: box.isChecked() for name, box in self.flags.items()})

    def work(self) -> Callable[[], Change]:
        who, rid, protection, reason = self.who, self.file.resident_id, self.protection(), self.reason.text()
        return lambda: residents.correct_protection(who, rid, protection, reason)


class ProcessingConsentForm(CorrectionForm):
    """Consent to the processing of the data: given (or its date corrected),
    or withdrawn, on a date."""

    def __init__(self, who: SignedIn, file: ResidentFile, mode: str, parent: QWidget | None = None) -> None:
        title = _("Withdraw the consent") if mode == "withdraw" else _("Consent to the processing of the data")
        super().__init__(who, file, title, parent)
        self.mode = mode
        sex = file.sex
        if mode == "withdraw":
            self.on = DateField("consent_processing_withdrawn_on")
            text = about(sex, G_("Withdrew the consent to the processing of the data on:"))
        else:
            self.on = DateField("consent_processing_on")
            if file.processing.status == "given":
                self.on.set_value(file.processing.given_on)
            text = about(sex, G_("Consented to the processing of the data on:"))
        self.on.edit.setAccessibleName(text)
        self.row(text, self.on, self.on.field)
        self.add_reason()
        self.finish()

    def work(self) -> Callable[[], Change]:
        who, rid, on, reason = self.who, self.file.resident_id, self.on.value(), self.reason.text()
        if self.mode == "withdraw":
            return lambda: residents.withdraw_processing_consent(who, rid, on, reason)
        return lambda: residents.record_processing_consent(who, rid, on, reason)


class ReportingConsentForm(CorrectionForm):
    """The agreement to be counted, without name, in anonymised figures:
    given on a date (or that date corrected), or withdrawn."""

    def __init__(self, who: SignedIn, file: ResidentFile, mode: str, parent: QWidget | None = None) -> None:
        title = _("Withdraw from anonymised figures") if mode == "withdraw" else _("Anonymised figures")
        super().__init__(who, file, title, parent)
        self.mode = mode
        given = file.protection.consent_reporting
        if mode == "withdraw":
            note = value_label(_("The next anonymised export leaves this person out (one already written cannot "
                                 "be called back)."))
            self.form.addRow(note)
            self.errors.add("consent_reporting", self.error)
        else:
            self.on = DateField("consent_reporting_on")
            if given:
                self.on.set_value(file.protection.consent_reporting_on)
            text = _("Agreed to be counted, without name, in anonymised figures on:")
            self.on.edit.setAccessibleName(text)
            self.row(text, self.on, self.on.field)
        if mode == "withdraw" or given:
            self.add_reason()
        self.finish()

    def work(self) -> Callable[[], Change]:
        who, rid = self.who, self.file.resident_id
        reason = self.reason.text() if hasattr(self, "reason") else ""
        if self.mode == "withdraw":
            return lambda: residents.withdraw_reporting_consent(who, rid, reason)
        on = self.on.value()
        return lambda: residents.record_reporting_consent(who, rid, on, reason)


class SharingConsentForm(CorrectionForm):
    """A new consent to share sections of the file with one partner."""

    def __init__(self, who: SignedIn, file: ResidentFile, parent: QWidget | None = None) -> None:
        super().__init__(who, file, _("Consent to share"), parent)
        self.receiver = self.line("")
        self.receiver.setPlaceholderText(_("e.g. IOM Rabat, Hôpital Ibn Sina"))
        self.sections: dict[str, QCheckBox] = {}
        boxes = QWidget()
        column = QVBoxLayout(boxes)
        column.setContentsMargins(0, 0, 0, 0)
        for code, label in HANDOVER_SECTION.choices():
            box = QCheckBox(label)
            self.sections[code] = box
            column.addWidget(box)
        boxes.setFocusProxy(self.sections[HANDOVER_SECTION.codes[0]])
        self.given_on = DateField("given_on")
        self.row(_("&Partner:"), self.receiver, "receiver")
        self.row(_("S&ections to share:"), boxes, "sections")
        self.row(about(file.sex, G_("Consented &on:")), self.given_on, "given_on")
        self.finish()

    def work(self) -> Callable[[], Change]:
        who, rid = self.who, self.file.resident_id
        receiver, given_on = self.receiver.text(), self.given_on.value()
        sections = tuple(code for code, box in self.sections.items() if box.isChecked())
        return lambda: residents.record_sharing_consent(who, rid, receiver, sections, given_on)


class WithdrawSharingForm(CorrectionForm):
    """The person withdraws every consent to share with one partner."""

    def __init__(self, who: SignedIn, file: ResidentFile, consent: SharingConsentView,
                 parent: QWidget | None = None) -> None:
        super().__init__(who, file, _("Withdraw consent to share"), parent)
        self.consent = consent
        partner = value_label(consent.receiver)
        self.form.addRow(QLabel(_("Partner:")), partner)
        self.errors.add("receiver", self.error)
        self.withdrawn_on = DateField("withdrawn_on")
        self.row(about(file.sex, G_("Withdrew the consent on:")), self.withdrawn_on, "withdrawn_on")
        note = value_label(_("Later handover documents to this partner will not carry the file's sections "
                             "without a written reason."))
        note.setObjectName("muted")
        self.form.addRow(note)
        self.add_reason()
        self.finish()

    def work(self) -> Callable[[], Change]:
        who, rid, receiver = self.who, self.file.resident_id, self.consent.receiver
        on, reason = self.withdrawn_on.value(), self.reason.text()
        return lambda: residents.withdraw_sharing_consent(who, rid, receiver, on, reason)


# -- discharge ------------------------------------------------------------------------------------

class DischargeDialog(QDialog):
    """Date, destination and a short note; the bed becomes free."""

    def __init__(self, who: SignedIn, stay_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.stay_id = stay_id
        self.setWindowTitle(_("Discharge"))
        self.when = MomentField("at")
        self.destination = QComboBox()
        for code, label in DESTINATION.choices():
            self.destination.addItem(label, code)
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("e.g. IOM, assisted return to Lagos"))
        self.error = ErrorLabel()
        self.errors = FieldErrors(self.error)
        form = QFormLayout()
        for text, field, name in ((_("&Date and time:"), self.when, "at"),
                                  (_("D&estination:"), self.destination, "destination"),
                                  (_("&Note:"), self.note, "note")):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, self.errors.field(field, name))
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Cancel).setText(_("Cancel"))
        self.ok_button = buttons.addButton(_("&Discharge"), QDialogButtonBox.AcceptRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def submit(self) -> None:
        """The write runs off the GUI thread (the dialog waits, disabled);
        every screen hears what changed, and a refusal shows beside its field."""
        self.errors.clear()
        who, stay_id = self.who, self.stay_id
        try:
            at = self.when.value()
        except ValidationError as exc:
            self.errors.show_error(exc)
            return
        destination, note = self.destination.currentData(), self.note.text()
        self.task = run_change(self, lambda: discharge.discharge(who, stay_id, at, destination, note),
                               lambda _change: self.accept(), self.errors.show_error, busy=self)


# -- the window ------------------------------------------------------------------------------------

class ResidentFileDialog(QDialog):
    """The resident's file, one tab per part (``TABS``), with the discharge
    and the handover document below. Opening it was audited by
    ``open_resident``; reading it again after a change is audited again."""

    def __init__(self, file: ResidentFile, parent: QWidget | None = None, who: SignedIn | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.file = file
        self._reload_pending = False
        self.setWindowTitle(_("Resident {case}").format(case=file.case_number))
        self.setSizeGripEnabled(True)

        self.heading = QLabel()
        self.heading.setObjectName("subtitle")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.PlainText)
        self.notice = ErrorLabel()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setUsesScrollButtons(True)
        self.pages: dict[str, QWidget] = {}
        for tab in TABS:
            if tab.permission is not None and (who is None or not who.actor.has(tab.permission)):
                continue
            page = tab.build(file, who, self)
            self.pages[tab.key] = page
            self.tabs.addTab(page, _(tab.title))

        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.button(QDialogButtonBox.Close).setText(_("Close"))
        buttons.rejected.connect(self.reject)
        self.discharge_button = buttons.addButton(_("D&ischarge…"), QDialogButtonBox.ActionRole)
        self.discharge_button.clicked.connect(self._discharge_open_stay)
        self.handover_button = buttons.addButton(_("&Handover document…"), QDialogButtonBox.ActionRole)
        self.handover_button.setVisible(who is not None and who.actor.has(Permission.PRINT_HANDOVER))
        self.handover_button.clicked.connect(
            lambda: self.print_handover("transfer" if self.file.open_stay else "discharge"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.notice)
        layout.addWidget(buttons)
        self._show_heading()
        self._fit()
        changes.changed.connect(self._changed)

    # -- what the window shows -------------------------------------------------------------

    def _show_heading(self) -> None:
        file = self.file
        name = file.identity.preferred_name or file.identity.name_latin or file.identity.name_arabic
        status = RESIDENCE_STATUS.label("in_residence" if file.open_stay else "discharged", sex=file.sex)
        parts = [file.case_number, name, status]
        if file.open_stay:
            parts.append(file.open_stay.shelter_name)
        text = " · ".join(isolate(p) for p in parts if p)
        self.heading.setText(text)
        self.heading.setToolTip(text)
        self.discharge_button.setVisible(file.open_stay is not None and self.who is not None
                                         and self.who.actor.has(Permission.DISCHARGE))

    def _fit(self) -> None:
        """At most 1280×720, and never more than the screen leaves."""
        self.setMaximumSize(MAX_WIDTH, MAX_HEIGHT)
        fit_to_screen(self, min(1000, MAX_WIDTH), min(660, MAX_HEIGHT))

    def page(self, key: str) -> QWidget | None:
        """The tab keyed ``key`` (None when the person's roles do not show it)."""
        return self.pages.get(key)

    def show_tab(self, key: str) -> None:
        page = self.pages.get(key)
        if page is not None:
            self.tabs.setCurrentWidget(page)

    def reload(self) -> None:
        """Read the file again (an audited view) and show it in every tab."""
        self._reload_pending = False
        if self.who is None or self.who.locked:
            return
        try:
            file = residents.open_resident(self.who, self.file.resident_id)
        except ShelterError as exc:
            self.notice.set_message(exc.message)
            return
        self.notice.set_message("")
        self.file = file
        current = self.tabs.currentIndex()
        for tab in TABS:
            page = self.pages.get(tab.key)
            if page is None:
                continue
            if hasattr(page, "show_file"):
                page.show_file(file)
            else:
                index = self.tabs.indexOf(page)
                fresh = tab.build(file, self.who, self)
                self.tabs.removeTab(index)
                self.tabs.insertTab(index, fresh, _(tab.title))
                page.deleteLater()
                self.pages[tab.key] = fresh
        self.tabs.setCurrentIndex(current)
        self._show_heading()

    def _changed(self, change: object) -> None:
        """A write (here or on another screen) named this resident: read the
        file again once the events in flight are handled, if it is still open."""
        if self.file.resident_id not in getattr(change, "residents", frozenset()) or self._reload_pending:
            return
        self._reload_pending = True
        QTimer.singleShot(0, self, self._reload_if_shown)  # not after the window is gone

    def _reload_if_shown(self) -> None:
        if self.isVisible():
            self.reload()
        else:
            self._reload_pending = False

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        # Ctrl+PgDown / Ctrl+PgUp (and Ctrl+Tab, QTabWidget's own) move between tabs.
        if event.modifiers() & Qt.ControlModifier and event.key() in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            step = 1 if event.key() == Qt.Key.Key_PageDown else -1
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % max(self.tabs.count(), 1))
            event.accept()
            return
        super().keyPressEvent(event)

    # -- discharge and handover -------------------------------------------------------------

    def _discharge_open_stay(self) -> None:
        stay = self.file.open_stay
        if stay is not None:
            self.discharge(stay.stay_id)

    def discharge(self, stay_id: int) -> None:
        self.discharge_dialog = DischargeDialog(self.who, stay_id, self)
        self.discharge_dialog.accepted.connect(self._discharged)
        self.discharge_dialog.open()

    def _discharged(self) -> None:
        """Close the file (the lists refresh) and open the handover form
        for the receiver, which the coordinator may cancel."""
        self.accept()
        if self.who is not None and self.who.actor.has(Permission.PRINT_HANDOVER):
            self.print_handover("discharge", parent=self.parentWidget())

    def print_handover(self, reason: str, parent: QWidget | None = None) -> None:
        from ui.documents.handover import HandoverDialog

        self.handover_dialog = HandoverDialog(self.who, self.file.resident_id, self.file.case_number, reason,
                                              parent=parent or self)
        dialog = self.handover_dialog
        # A document issued (or a consent recorded from the form) shows in the file.
        dialog.finished.connect(lambda _result: self._changed_by_handover(dialog))
        dialog.open()

    def _changed_by_handover(self, dialog: QDialog) -> None:
        if getattr(dialog, "issued", None) is not None:
            self._changed(_HandoverIssued(self.file.resident_id))


@dataclass(frozen=True)
class _HandoverIssued:
    resident_id: int

    @property
    def residents(self) -> frozenset[int]:
        return frozenset({self.resident_id})

