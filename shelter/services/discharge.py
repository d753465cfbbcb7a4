"""Ending a stay: the date, where the person goes, a short note. The bed
becomes free, the stay stays in the history; ``StayEnded`` says which bed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from shelter.domain.changes import StayEnded
from shelter.domain.dates import in_future, now_utc
from shelter.domain.vocabulary import DESTINATION
from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.security.permissions import Permission
from shelter.services.beds import open_stay
from shelter.storage.models import BedAssignment
from shelter.store import SignedIn


def discharge(who: SignedIn, stay_id: int, at: datetime, destination: str, note: str = "") -> StayEnded:
    """End a stay at ``at``, with the destination (vocabulary.DESTINATION)."""
    who.require(Permission.DISCHARGE)
    if destination not in DESTINATION:
        raise ValidationError(_("Choose where the person is going."), field="destination")
    when = now_utc(at)
    if in_future(when):
        raise ValidationError(_("The discharge date is in the future."), field="at")
    with who.store.write() as s:
        stay = open_stay(s, stay_id)
        if when < stay.admitted_at:
            raise ValidationError(_("The discharge date is before the admission."), field="at")
        freed = []
        for assignment in s.execute(select(BedAssignment).where(BedAssignment.stay_id == stay.id,
                                                                BedAssignment.ended_at.is_(None))).scalars():
            if when < assignment.started_at:
                raise ValidationError(_("The discharge date is before the person's last move to another bed."),
                                      field="at")
            assignment.ended_at = when
            freed.append(assignment.bed_id)
        stay.discharged_at = when
        stay.destination = destination
        stay.discharge_note = note.strip()
        s.flush()
        who.audit(s, "stay.discharge", "stay", stay.id, detail={"destination": destination})
        return StayEnded(stay.id, stay.resident_id, tuple(freed), destination, when)
