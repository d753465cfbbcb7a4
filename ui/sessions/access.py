"""Who is waiting for the counselling notes' key, for a counsellor who holds
it to say yes to each. Never given automatically: the list of counsellors
is in the database, which anyone with the database key could edit, so the
counsellor sees each name and role before the key is sealed to them."""

from __future__ import annotations

from shelter.domain.vocabulary import ROLE
from shelter.i18n import _, isolate, list_text
from shelter.services import notes
from shelter.services.notes import PendingHolder
from shelter.store import SignedIn
from ui.qt import QCheckBox, QDialog, QDialogButtonBox, QFrame, QVBoxLayout, QWidget, error_text, run_task
from ui.sessions.notes import fit_window, text_label
from ui.widgets import ErrorLabel, heading, scrolled


def holder_text(holder: PendingHolder) -> str:
    if holder.holder == notes.RECOVERY_HOLDER:
        return _("The new recovery code (for the sheet in the shelter's safe)")
    roles = list_text([ROLE.label(r) for r in holder.roles]) or _("no role")
    text = _("{name} ({roles})").format(name=isolate(holder.name or _("someone no longer on record")), roles=roles)
    if holder.reason == "new_key":
        text += " · " + _("a new key since an administrator reset the password")
    return text


class PendingAccessDialog(QDialog):
    """The holders waiting for the notes' key; the counsellor ticks whom to give it to."""

    def __init__(self, who: SignedIn, waiting: list[PendingHolder], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = who
        self.waiting = waiting
        self.setWindowTitle(_("Access to the counselling notes"))
        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(heading(_("Give access to the counselling notes?"), 1, content))
        column.addWidget(text_label(_("These people are waiting for the key that opens the counselling notes. Tick "
                                      "only those you know should read them: a counsellor of the shelter, or the "
                                      "shelter's new recovery code. Each one given is in the audit log."),
                                    content, False))
        self.boxes: list[tuple[QCheckBox, PendingHolder]] = []
        card = QFrame(content)
        card.setObjectName("card")
        inside = QVBoxLayout(card)
        for holder in waiting:
            box = QCheckBox(holder_text(holder), card)
            # Ticked for a counsellor only; anyone else must be ticked on purpose.
            box.setChecked(holder.holder == notes.RECOVERY_HOLDER or holder.roles == ("counsellor",))
            inside.addWidget(box)
            self.boxes.append((box, holder))
        column.addWidget(card)
        column.addStretch(1)
        self.error = ErrorLabel(self)
        buttons = QDialogButtonBox(self)
        self.give_button = buttons.addButton(_("&Give access"), QDialogButtonBox.AcceptRole)
        self.give_button.setObjectName("primary")
        self.later_button = buttons.addButton(_("&Not now"), QDialogButtonBox.RejectRole)
        buttons.accepted.connect(self.give)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scrolled(content), 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        fit_window(self, 680, 420)

    def chosen(self) -> list[str]:
        return [holder.holder for box, holder in self.boxes if box.isChecked()]

    def give(self) -> None:
        holders = self.chosen()
        if not holders:
            self.reject()
            return
        who = self.who
        self.give_button.setEnabled(False)
        run_task(self, lambda: notes.grant_access(who, holders), lambda _n: self.accept(), self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.give_button.setEnabled(True)
        self.error.set_message(error_text(exc))
