"""Which bed may take whom: the room's and the shelter's restrictions."""

from __future__ import annotations

from typing import Protocol


class RoomRules(Protocol):
    id: int
    active: bool
    women_only: bool
    men_only: bool
    minors: bool


class ShelterRules(Protocol):
    active: bool
    receives_women: bool
    receives_men: bool


def bed_fits(room: RoomRules, shelter: ShelterRules, sex: str, minor: bool, with_parent_room: int | None) -> bool:
    """Whether a bed in ``room`` may take a person of ``sex`` (a minor or not).
    A child stays with the parent, a boy with his mother in a women's room too."""
    if not (shelter.active and room.active):
        return False
    if minor and room.id == with_parent_room:
        return True
    if room.women_only and sex != "female":
        return False
    if room.men_only and sex != "male":
        return False
    if minor:
        return room.minors
    if room.minors:
        return False
    if sex == "female" and not shelter.receives_women:
        return False
    return not (sex == "male" and not shelter.receives_men)
