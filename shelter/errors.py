"""Errors a person may see. Each carries a message already translated into the
interface language, fit to show as it is (one line, no jargon)."""

from __future__ import annotations


class ShelterError(Exception):
    """Base of every expected failure: shown to the user, never a traceback."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class WrongPassword(ShelterError):
    """The password (or recovery code) does not open this account's key slot."""


class SignInDelayed(ShelterError):
    """Too many recent failures: the next attempt must wait ``seconds``."""

    def __init__(self, message: str, seconds: int) -> None:
        super().__init__(message)
        self.seconds = seconds


class AccountInactive(ShelterError):
    """The account exists but has been deactivated."""


class StoreMissing(ShelterError):
    """No store in the data folder (run the set-up first)."""


class StoreExists(ShelterError):
    """A store already exists where a new one was to be created."""


class StoreDamaged(ShelterError):
    """A file of the store is damaged, foreign or unreadable."""

    exit_code = 3


class NewerStore(ShelterError):
    """The database was written by a newer version of Shelter."""


class PermissionDenied(ShelterError):
    """The signed-in person's roles do not allow this."""


class ValidationError(ShelterError):
    """Bad input. ``field`` names the form field the message belongs beside."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class StorageFull(ShelterError):
    """The disk is full or not writable: nothing was saved."""
