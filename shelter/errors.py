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


class StoreBusy(ShelterError):
    """Another session holds the keyring lock for longer than we wait."""


class SessionEnded(ShelterError):
    """The signed-in session can no longer act: the key was rotated, or the
    account was deactivated or given a new password, from another session.
    The person signs in again; nothing they typed is lost."""


class KeyRotated(SessionEnded):
    """The database key was rotated by another session."""


class PasswordChangeRequired(ShelterError):
    """The account is on a temporary password: it may only change it."""


class StoreReadOnly(ShelterError):
    """The data folder or a file of the store cannot be written (permissions,
    a read-only disk). Not damage: nothing needs restoring."""


def os_error(exc: OSError, path: object) -> ShelterError:
    """One plain message for a failure of the file system at ``path``: what is
    wrong and what to do. Never "damaged" for what is a permission or space
    problem (staff would restore an old backup for nothing)."""
    import errno

    from shelter.i18n import _

    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return StorageFull(_("The disk is full: nothing was saved. Free some space and try again."))
    if code == errno.EROFS:
        return StoreReadOnly(
            _("The data folder {path} is on a read-only disk. Shelter needs to write there: "
              "ask your IT support to make it writable.").format(path=path)
        )
    if code in (errno.EACCES, errno.EPERM):
        return StoreReadOnly(
            _("Shelter is not allowed to write in the data folder {path}. "
              "Ask your IT support to give your user account write access to it.").format(path=path)
        )
    if code == errno.ENOTDIR:
        return StoreMissing(
            _("{path} is a file, not a folder. Check the data folder setting.").format(path=path)
        )
    return StoreDamaged(
        _("The data folder {path} cannot be used ({reason}). Check the disk and try again.").format(
            path=path, reason=exc.strerror or type(exc).__name__)
    )
