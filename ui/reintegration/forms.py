"""The forms of the "Reintegration" tab: making the plan and changing it,
changing the pathway (with a reason: consent is asked again), a milestone
(added, moved or given to someone) and its status, a referral to a partner
(with the resident's consent to share, or a written reason), the partner's
answer, and a contact after the discharge.

Each form is a ``CorrectionForm``: a refusal shows beside the field the
service names, what was typed stays, Escape with something typed asks
first, Enter saves, and the write runs off the GUI thread and tells every
open screen what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from shelter.domain.changes import Change
from shelter.domain.reintegration import REASON_NEEDED_MILESTONE
from shelter.domain.vocabulary import (
    FOLLOW_UP_METHOD,
    FOLLOW_UP_STATE,
    G_,
    MILESTONE,
    MILESTONE_STATUS,
    PATHWAY,
    REFERRAL_STATUS,
)
from shelter.errors import ShelterError, ValidationError
from shelter.i18n import _, isolate, ngettext
from shelter.services import cases, partners, reintegration
from shelter.services.handover import OVERRIDE_REASON_MIN
from shelter.services.partners import PartnerView
from shelter.services.reintegration import (
    REASON_MIN,
    ContactRecorded,
    MilestoneView,
    ReferralView,
    Reintegration,
)
from shelter.services.residents import ResidentFile
from shelter.store import SignedIn
from ui.care.plan_forms import WrappingLine, dated, hint_label, text_box
from ui.qt import QCheckBox, QComboBox, QDate, QKeySequence, QLabel, QShortcut, Qt, QWidget
from ui.residents.file import MAX_HEIGHT, CorrectionForm, about
from ui.widgets.dates import DateField

LONG_TEXT = 2000  # characters, as the services allow
FOLLOW_UP_DAYS = 14  # a referral or an accepted answer is looked at again two weeks later by default
DATE_WIDTH = 260  # a date field needs no more, however wide the form

# About the resident: agreed with her or his sex.
CHOICE_LABEL = G_("The resident's choice, in her or his own &words:")
REACHED_LABEL = G_("The resident was &reached")


def milestone_title(milestone: MilestoneView) -> str:
    """A template's milestone in the interface's language until somebody writes a title of their own."""
    if milestone.code and not milestone.title:
        return MILESTONE.label(milestone.code)
    return milestone.title


def milestone_responsible(milestone: MilestoneView) -> str:
    return milestone.owner_staff or milestone.owner_partner


def pathway_text(pathway: str, detail: str) -> str:
    label = PATHWAY.label(pathway)
    return _("{pathway} — {detail}").format(pathway=label, detail=isolate(detail)) if detail else label


def round_text(months: int) -> str:
    """A follow-up as the lists name it: "3-month follow-up", or an extra contact."""
    if months == 0:
        return _("Extra contact")
    return ngettext("{n}-month follow-up", "{n}-month follow-up", months).format(n=months)


def partner_choice(partner: PartnerView) -> str:
    return _("{name} ({city})").format(name=partner.name, city=partner.city) if partner.city else partner.name


def _dated_field(field: str, optional: bool = False, value: date | None = None, latest: date | None = None
                 ) -> DateField:
    day = DateField(field, optional=optional)
    if optional or value is not None:
        day.set_value(value)
    day.setMaximumWidth(DATE_WIDTH)
    if latest is not None:
        day.setMaximumDate(QDate(latest.year, latest.month, latest.day))
    return day


class ReintegrationForm(CorrectionForm):
    """A form of the tab: Ctrl+Enter saves from a text box too (Enter there
    starts a new line)."""

    def __init__(self, who: SignedIn, file: ResidentFile, view: Reintegration, title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(who, file, title, parent)
        self.view = view
        for keys in (QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Return),
                     QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Enter)):
            QShortcut(keys, self, activated=self.submit)

    def refit(self) -> None:
        """Grow the form when rows it hid appear (a reason, a date), so that
        it still shows whole where the screen allows; before ``finish`` it
        is sized then."""
        if not hasattr(self, "guard"):
            return
        self.content.layout().activate()
        wanted = self.content.sizeHint().height() + self.buttons.sizeHint().height() + 90
        if wanted > self.height():
            self.resize(self.width(), min(wanted, MAX_HEIGHT - 40))

    def label_row(self, label: QLabel, field: QWidget, *names: str) -> QWidget:
        """A row whose label the form keeps (to change its words or hide it)."""
        label.setBuddy(field)
        holder = self.errors.field(field, *names) if names else field
        self.form.addRow(label, holder)
        return holder


# -- the plan ------------------------------------------------------------------------------

class ReintegrationPlanForm(ReintegrationForm):
    """Make the plan (``view.plan`` None): the pathway, where, the resident's
    choice in her own words, the day it opens and the day she gave informed
    consent (empty until she has). Or change the words, where and the consent
    of the plan made (the pathway itself changes with ``PathwayForm``)."""

    def __init__(self, who: SignedIn, file: ResidentFile, view: Reintegration, parent: QWidget | None = None) -> None:
        plan = view.plan
        super().__init__(who, file, view, _("Make the reintegration plan") if plan is None
                         else _("Change the reintegration plan"), parent)
        today = date.today()
        self.pathway = QComboBox()
        self.pathway.addItem(_("Choose the pathway…"), None)
        for code, label in PATHWAY.choices():
            self.pathway.addItem(label, code)
        self.detail = self.line(plan.pathway_detail if plan else "", 200)
        self.detail.setCursorPosition(0)
        self.words = text_box(plan.resident_choice if plan else "",
                              _("As she or he said it, in any language"))
        self.opened_on = _dated_field("opened_on", value=plan.opened_on if plan else today, latest=today)
        self.consent_on = _dated_field("consent_on", optional=True, value=plan.consent_on if plan else None,
                                       latest=today)
        if plan is None:
            self.row(_("&Pathway:"), self.pathway, "pathway")
            self.pathway.currentIndexChanged.connect(self._pathway_chosen)
        else:
            self.form.addRow(hint_label(_("Pathway: {pathway}. To change it, use “Change the pathway…”.").format(
                pathway=PATHWAY.label(plan.pathway))))
            self.pathway.setCurrentIndex(max(0, self.pathway.findData(plan.pathway)))
            self.pathway.hide()
        self.row(_("Where (&country, city):"), self.detail, "pathway_detail")
        self.row(about(view.sex, CHOICE_LABEL), self.words, "resident_choice")
        if plan is None:
            self.row(_("Plan &opened on:"), self.opened_on, "opened_on")
        self.row(_("Informed &consent given on:"), self.consent_on, "consent_on")
        self.form.addRow(hint_label(_("Leave it empty until the resident has given informed consent to this "
                                      "pathway.")))
        self._pathway_chosen()
        if plan is None:
            self.save_button.setText(_("&Make the plan"))
        self.finish()

    def _pathway_chosen(self, _index: int = 0) -> None:
        if self.pathway.currentData() == "other":
            self.detail.setPlaceholderText(_("Required: what the pathway is, and where"))
        else:
            self.detail.setPlaceholderText(_("e.g. Nigeria, Lagos"))

    def work(self) -> Callable[[], Change]:
        who, rid = self.who, self.file.resident_id
        detail, words, consent_on = self.detail.text(), self.words.toPlainText(), self.consent_on.value()
        if self.view.plan is None:
            pathway = self.pathway.currentData()
            if pathway is None:
                raise ValidationError(_("Choose the pathway."), field="pathway")
            opened_on = self.opened_on.value()
            return lambda: reintegration.make_plan(who, rid, pathway, words, detail, opened_on, consent_on)
        return lambda: reintegration.update_plan(who, rid, words, detail, consent_on)


class PathwayForm(ReintegrationForm):
    """Change the pathway, with a written reason: the earlier one is kept,
    its milestones not started no longer apply, and the resident's consent
    is asked again."""

    def __init__(self, who: SignedIn, file: ResidentFile, view: Reintegration, parent: QWidget | None = None) -> None:
        super().__init__(who, file, view, _("Change the pathway"), parent)
        plan = view.plan
        assert plan is not None
        self.form.addRow(hint_label(_("Now: {pathway}").format(pathway=pathway_text(plan.pathway,
                                                                                    plan.pathway_detail))))
        self.pathway = QComboBox()
        self.pathway.addItem(_("Choose the new pathway…"), None)
        for code, label in PATHWAY.choices():
            if code != plan.pathway:
                self.pathway.addItem(label, code)
        self.detail = self.line("", 200)
        self.detail.setPlaceholderText(_("e.g. Nigeria, Lagos"))
        self.reason = WrappingLine()
        self.reason.setPlaceholderText(_("At least {n} characters, e.g. her family could not be traced").format(
            n=REASON_MIN))
        self.row(_("New &pathway:"), self.pathway, "pathway")
        self.row(_("Where (&country, city):"), self.detail, "pathway_detail")
        self.row(_("&Why it changes:"), self.reason, "reason")
        warning = hint_label(_("The resident's consent will be asked again: it was given to the earlier pathway. "
                               "The milestones of the earlier pathway not yet started will no longer apply."))
        warning.setObjectName("important")
        self.form.addRow(warning)
        self.save_button.setText(_("C&hange the pathway"))
        self.finish()

    def work(self) -> Callable[[], Change]:
        pathway = self.pathway.currentData()
        if pathway is None:
            raise ValidationError(_("Choose the new pathway."), field="pathway")
        who, rid, reason, detail = self.who, self.file.resident_id, self.reason.text(), self.detail.text()
        return lambda: reintegration.change_pathway(who, rid, pathway, reason, detail)


# -- milestones -------------------------------------------------------------------------------

def responsible_box(who: SignedIn, staff_id: int | None = None, partner_id: int | None = None) -> QComboBox:
    """Who is responsible: nobody yet, a staff member or a partner of the
    directory; the data of an item is ("staff", id), ("partner", id) or None."""
    box = QComboBox()
    box.addItem(_("Nobody named yet"), None)
    try:
        staff = cases.staff_choices(who)
    except ShelterError:
        staff = []
    try:
        directory = partners.partners(who)
    except ShelterError:
        directory = []
    if staff:
        box.insertSeparator(box.count())
    for choice in staff:
        box.addItem(choice.name, ("staff", choice.account_id))
    if directory:
        box.insertSeparator(box.count())
    for partner in directory:
        box.addItem(_("Partner: {name}").format(name=partner_choice(partner)), ("partner", partner.partner_id))
    current = ("staff", staff_id) if staff_id is not None else ("partner", partner_id) if partner_id is not None \
        else None
    box.setCurrentIndex(max(0, box.findData(current)))
    box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(28)
    return box


class MilestoneForm(ReintegrationForm):
    """A milestone of the case's own (``milestone`` None), or a change to
    one: its title, due date and who is responsible."""

    def __init__(self, who: SignedIn, file: ResidentFile, view: Reintegration, milestone: MilestoneView | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(who, file, view, _("Add a milestone") if milestone is None else _("Change the milestone"),
                         parent)
        self.milestone = milestone
        self.title = WrappingLine(milestone.title if milestone else "")
        if milestone is not None and milestone.code and not milestone.title:
            # A template's title, translated: left empty, it stays so in every language.
            self.title.setPlaceholderText(MILESTONE.label(milestone.code))
            self.title.setToolTip(_("Leave it empty to keep “{title}”.").format(title=MILESTONE.label(milestone.code)))
        else:
            self.title.setPlaceholderText(_("e.g. birth certificate from the consulate"))
        self.due = _dated_field("due_on", optional=True, value=milestone.due_on if milestone else None)
        self.responsible = responsible_box(who, milestone.owner_staff_id if milestone else None,
                                           milestone.owner_partner_id if milestone else None)
        self.row(_("&Milestone:"), self.title, "title")
        self.row(_("&Due date:"), self.due, "due_on")
        self.row(_("&Responsible:"), self.responsible, "owner")
        self.finish()

    def work(self) -> Callable[[], Change]:
        owner = self.responsible.currentData()
        staff_id = owner[1] if owner and owner[0] == "staff" else None
        partner_id = owner[1] if owner and owner[0] == "partner" else None
        who, title, due_on = self.who, self.title.text(), self.due.value()
        if self.milestone is None:
            rid = self.file.resident_id
            return lambda: reintegration.add_milestone(who, rid, title, due_on, staff_id, partner_id)
        milestone_id = self.milestone.milestone_id
        return lambda: reintegration.update_milestone(who, milestone_id, due_on, staff_id, partner_id, title)


class StatusForm(ReintegrationForm):
    """A milestone's status: why, when it is blocked or does not apply; the
    day it was done."""

    def __init__(self, who: SignedIn, file: ResidentFile, view: Reintegration, milestone: MilestoneView,
                 parent: QWidget | None = None) -> None:
        super().__init__(who, file, view, _("Status of the milestone"), parent)
        self.milestone = milestone
        self.form.addRow(hint_label(milestone_title(milestone)))
        self.status = self.combo(MILESTONE_STATUS.choices(), milestone.status)
        self.reason = WrappingLine(milestone.status_reason)
        self.done_on = _dated_field("done_on", value=milestone.done_on or date.today(), latest=date.today())
        self.row(_("&Status:"), self.status, "status")
        self.reason_label = QLabel()
        self.label_row(self.reason_label, self.reason, "reason")
        self.done_label = QLabel(_("&Done on:"))
        self.done_holder = self.label_row(self.done_label, self.done_on, "done_on")
        self.status.currentIndexChanged.connect(self._status_chosen)
        self._status_chosen()
        self.finish()

    def _status_chosen(self, _index: int = 0) -> None:
        status = self.status.currentData()
        if status in REASON_NEEDED_MILESTONE:
            self.reason_label.setText(_("&Why (required):"))
            self.reason.setPlaceholderText(_("What blocks it, or why it does not apply"))
        else:
            self.reason_label.setText(_("&Note:"))
            self.reason.setPlaceholderText(_("Optional"))
        done = status == "done"
        self.done_label.setVisible(done)
        self.done_holder.setVisible(done)
        self.refit()

    def work(self) -> Callable[[], Change]:
        status = self.status.currentData()
        done_on = self.done_on.value() if status == "done" else None
        who, milestone_id, reason = self.who, self.milestone.milestone_id, self.reason.text()
        return lambda: reintegration.set_milestone_status(who, milestone_id, status, reason, done_on)


# -- referrals ---------------------------------------------------------------------------------

class PartnerReferralForm(ReintegrationForm):
    """Refer the resident to a partner of the directory for a service. When
    the file holds no consent to share with that partner, the form says so
    and asks why the referral must be made anyway (the service refuses a
    reason shorter than ``OVERRIDE_REASON_MIN``)."""

    def __init__(self, who: SignedIn, file: ResidentFile, view: Reintegration, parent: QWidget | None = None) -> None:
        super().__init__(who, file, view, _("Refer to a partner"), parent)
        try:
            self.partners = partners.partners(who)
        except ShelterError as exc:
            self.partners = []
            self.error.set_message(exc.message)
        self.partner = QComboBox()
        self.partner.addItem(_("Choose the partner…"), None)
        for partner in self.partners:
            self.partner.addItem(partner_choice(partner), partner.partner_id)
        self.partner.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.partner.setMinimumContentsLength(28)
        self.service = WrappingLine()
        self.service.setPlaceholderText(_("e.g. assisted voluntary return; legal aid for the hearing"))
        today = date.today()
        self.referred_on = _dated_field("referred_on", value=today, latest=today)
        self.follow_up_on = _dated_field("follow_up_on", optional=True, value=today + timedelta(days=FOLLOW_UP_DAYS))
        self.row(_("&Partner:"), self.partner, "partner")
        self.consent_note = hint_label()
        self.consent_note.setObjectName("important")
        self.form.addRow(self.consent_note)
        self.override_label = QLabel(_("Why &without consent:"))
        self.override = WrappingLine()
        self.override.setPlaceholderText(_("At least {n} characters: why the referral cannot wait for consent").format(
            n=OVERRIDE_REASON_MIN))
        self.override_holder = self.label_row(self.override_label, self.override, "consent_override")
        self.row(_("&Service asked for:"), self.service, "service")
        self.row(_("&Referred on:"), self.referred_on, "referred_on")
        self.row(_("&Follow up on:"), self.follow_up_on, "follow_up_on")
        self.form.addRow(hint_label(_("Without an answer by this date, the referral is overdue.")))
        if not self.partners:
            self.form.insertRow(0, hint_label(_("The partner directory is empty: partners are added in the "
                                               "Reintegration section.")))
        self.consented: bool | None = None
        self.partner.currentIndexChanged.connect(self._partner_chosen)
        self._partner_chosen()
        self.finish()

    def _partner_chosen(self, _index: int = 0) -> None:
        partner_id = self.partner.currentData()
        self.consented = None
        if partner_id is not None:
            try:
                self.consented = partners.consent_to_share(self.who, self.file.resident_id, partner_id)
            except ShelterError as exc:
                self.errors.show_error(exc)
        needed = self.consented is False
        if needed:
            self.consent_note.setText(about(self.view.sex, G_(
                "The resident has not consented to share her or his information with {partner}. Record the consent in "
                "the Consent tab first, or write why the referral must be made anyway: the reason is kept with "
                "the referral.")).format(partner=isolate(self.partner.currentText())))
        self.consent_note.setVisible(needed)
        self.override_label.setVisible(needed)
        self.override_holder.setVisible(needed)
        self.refit()

    def work(self) -> Callable[[], Change]:
        partner_id = self.partner.currentData()
        if partner_id is None:
            raise ValidationError(_("Choose the partner."), field="partner")
        who, rid = self.who, self.file.resident_id
        service, referred_on, follow_up_on = self.service.text(), self.referred_on.value(), self.follow_up_on.value()
        override = self.override.text() if self.consented is False else ""
        return lambda: partners.refer(who, rid, partner_id, service, referred_on, follow_up_on, override)


class AnswerForm(ReintegrationForm):
    """The partner's answer to a referral: accepted (and when to look at it
    again), refused or completed, on which day, with a note."""

    def __init__(self, who: SignedIn, file: ResidentFile, view: Reintegration, referral: ReferralView,
                 parent: QWidget | None = None) -> None:
        super().__init__(who, file, view, _("The partner's answer"), parent)
        self.referral = referral
        self.form.addRow(hint_label(_("{partner}: {service}, referred on {date}").format(
            partner=isolate(referral.partner), service=isolate(referral.service), date=dated(referral.referred_on))))
        codes = ("accepted", "refused", "completed") if referral.status == "sent" else ("completed", "refused")
        self.status = self.combo([(c, REFERRAL_STATUS.label(c)) for c in codes], codes[0])
        today = date.today()
        self.on = _dated_field("on", value=today, latest=today)
        self.note = WrappingLine()
        self.note.setPlaceholderText(_("e.g. appointment on 12 May with Ms Alaoui"))
        self.follow_up_on = _dated_field("follow_up_on", optional=True, value=today + timedelta(days=FOLLOW_UP_DAYS))
        self.row(_("&Answer:"), self.status, "status")
        self.row(_("&On:"), self.on, "on")
        self.row(_("&Note:"), self.note, "note")
        self.follow_label = QLabel(_("&Next follow-up on:"))
        self.follow_holder = self.label_row(self.follow_label, self.follow_up_on, "follow_up_on")
        self.status.currentIndexChanged.connect(self._status_chosen)
        self._status_chosen()
        self.finish()

    def _status_chosen(self, _index: int = 0) -> None:
        accepted = self.status.currentData() == "accepted"
        self.follow_label.setVisible(accepted)
        self.follow_holder.setVisible(accepted)
        self.refit()

    def work(self) -> Callable[[], Change]:
        status = self.status.currentData()
        follow_up_on = self.follow_up_on.value() if status == "accepted" else None
        who, referral_id, on, note = self.who, self.referral.referral_id, self.on.value(), self.note.text()
        return lambda: partners.record_answer(who, referral_id, status, on, note, follow_up_on)


# -- follow-up after discharge ---------------------------------------------------------------------

class ContactForm(ReintegrationForm):
    """A contact after the discharge, reached or not: for which follow-up
    (or an extra contact), when, how (through which partner), the situation
    found (required when the person was reached) and the next step. Once
    saved, ``recorded`` says whether contact is now lost."""

    def __init__(self, who: SignedIn, file: ResidentFile, view: Reintegration, parent: QWidget | None = None) -> None:
        super().__init__(who, file, view, _("Record a contact after the discharge"), parent)
        self.recorded: ContactRecorded | None = None
        self.round = QComboBox()
        for r in view.rounds:
            self.round.addItem(_("{round}, due on {date} ({state})").format(
                round=round_text(r.months), date=dated(r.due_on) if r.due_on else "",
                state=FOLLOW_UP_STATE.label(r.state)), r.months)
        self.round.addItem(_("Extra contact"), 0)
        upcoming = view.next_round
        self.round.setCurrentIndex(max(0, self.round.findData(upcoming.months if upcoming else 0)))
        today = date.today()
        self.contacted_on = _dated_field("contacted_on", value=today, latest=today)
        self.method = self.combo(FOLLOW_UP_METHOD.choices(), "phone")
        self.partner = QComboBox()
        try:
            directory = partners.partners(who)
        except ShelterError:
            directory = []
        self.partner.addItem(_("Choose the partner…"), None)
        for partner in directory:
            self.partner.addItem(partner_choice(partner), partner.partner_id)
        self.reached = QCheckBox(about(view.sex, REACHED_LABEL))
        self.situation = text_box(placeholder="")
        self.next_step = WrappingLine()
        self.next_step.setPlaceholderText(_("e.g. call again next week; ask her sister"))
        self.row(_("&Follow-up:"), self.round, "round")
        self.row(_("&Date:"), self.contacted_on, "contacted_on")
        self.row(_("&How:"), self.method, "method")
        self.partner_label = QLabel(_("Through &which partner:"))
        self.partner_holder = self.label_row(self.partner_label, self.partner, "partner")
        self.form.addRow(QLabel(), self.reached)
        self.situation_label = QLabel()
        self.label_row(self.situation_label, self.situation, "situation")
        self.row(_("&Next step:"), self.next_step, "next_step")
        self.method.currentIndexChanged.connect(self._method_chosen)
        self.reached.toggled.connect(self._reached_changed)
        self._method_chosen()
        self._reached_changed()
        self.finish()

    def _method_chosen(self, _index: int = 0) -> None:
        through = self.method.currentData() == "partner"
        self.partner_label.setVisible(through)
        self.partner_holder.setVisible(through)
        self.refit()

    def _reached_changed(self, _checked: bool = False) -> None:
        if self.reached.isChecked():
            self.situation_label.setText(_("&Situation found (required):"))
            self.situation.setPlaceholderText(_("Where and how she or he lives, works, feels"))
        else:
            self.situation_label.setText(_("&What was tried:"))
            self.situation.setPlaceholderText(_("Optional, e.g. the number no longer answers"))

    def work(self) -> Callable[[], Change]:
        who, rid = self.who, self.file.resident_id
        months, method, reached = self.round.currentData(), self.method.currentData(), self.reached.isChecked()
        on, situation, next_step = self.contacted_on.value(), self.situation.toPlainText(), self.next_step.text()
        partner_id = self.partner.currentData() if method == "partner" else None

        def record() -> Change:
            result = reintegration.record_contact(who, rid, months, method, reached, on, situation, next_step,
                                                  partner_id)
            self.recorded = result  # read on the GUI thread once the write has returned
            return result.change

        return record
