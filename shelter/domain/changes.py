"""What a write changed: each service call that writes returns one of these,
and the screens refresh from it (the bed board redraws the beds it names,
the residents list the people it names), instead of reloading everything or
waiting for Refresh. Small and frozen, so they can cross threads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class Change:
    """Something a write changed. ``beds`` and ``residents`` name what a
    screen showing beds or people must look at again; ``places`` says the
    shelters, rooms or beds themselves changed (not only who is in them)."""

    __slots__ = ()

    @property
    def beds(self) -> frozenset[int]:
        return frozenset()

    @property
    def residents(self) -> frozenset[int]:
        return frozenset()

    @property
    def places(self) -> bool:
        return False


@dataclass(frozen=True)
class Admitted(Change):
    resident_id: int
    stay_id: int
    case_number: str
    bed_id: int
    readmission: bool = False

    @property
    def beds(self) -> frozenset[int]:
        return frozenset({self.bed_id})

    @property
    def residents(self) -> frozenset[int]:
        return frozenset({self.resident_id})


@dataclass(frozen=True)
class BedMoved(Change):
    stay_id: int
    resident_id: int
    from_bed: int | None
    to_bed: int

    @property
    def beds(self) -> frozenset[int]:
        return frozenset(b for b in (self.from_bed, self.to_bed) if b is not None)

    @property
    def residents(self) -> frozenset[int]:
        return frozenset({self.resident_id})


@dataclass(frozen=True)
class StayEnded(Change):
    stay_id: int
    resident_id: int
    bed_ids: tuple[int, ...]
    destination: str
    at: datetime

    @property
    def beds(self) -> frozenset[int]:
        return frozenset(self.bed_ids)

    @property
    def residents(self) -> frozenset[int]:
        return frozenset({self.resident_id})


@dataclass(frozen=True)
class ResidentUpdated(Change):
    """Something in a resident's file was corrected or recorded (identity,
    referral, protection, consent). ``bed_ids``: the bed she sleeps in now,
    when what changed shows on the bed board (her name)."""

    resident_id: int
    bed_ids: tuple[int, ...] = ()

    @property
    def beds(self) -> frozenset[int]:
        return frozenset(self.bed_ids)

    @property
    def residents(self) -> frozenset[int]:
        return frozenset({self.resident_id})


@dataclass(frozen=True)
class ReservationMade(Change):
    reservation_id: int
    bed_id: int
    expires_at: datetime

    @property
    def beds(self) -> frozenset[int]:
        return frozenset({self.bed_id})


@dataclass(frozen=True)
class ReservationCancelled(Change):
    reservation_id: int
    bed_id: int

    @property
    def beds(self) -> frozenset[int]:
        return frozenset({self.bed_id})


@dataclass(frozen=True)
class BedServiceChanged(Change):
    """A bed taken out of service (``in_service`` false) or put back."""

    bed_id: int
    in_service: bool

    @property
    def beds(self) -> frozenset[int]:
        return frozenset({self.bed_id})


@dataclass(frozen=True)
class PlacesChanged(Change):
    """A shelter, room or bed was created or edited in Administration."""

    shelter_id: int | None = None

    @property
    def places(self) -> bool:
        return True


@dataclass(frozen=True)
class CaseWorkChanged(Change):
    """A write to a resident's case work: an assessment, her care plan (a
    goal, an action, a review, a version, an approval), the social worker
    holding the case, or the case's closing or reopening. ``record`` names
    the kind of record, ``record_id`` the row."""

    resident_id: int
    record: str
    record_id: int

    @property
    def residents(self) -> frozenset[int]:
        return frozenset({self.resident_id})


@dataclass(frozen=True)
class SessionsChanged(Change):
    """Sessions planned, moved, held, missed or cancelled, or their notes
    written: the calendars showing them and the files of the residents in
    them look again."""

    session_ids: tuple[int, ...]
    resident_ids: tuple[int, ...] = ()

    @property
    def residents(self) -> frozenset[int]:
        return frozenset(self.resident_ids)
