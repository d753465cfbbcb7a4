"""Where a store lives on disk."""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from shelter.errors import StoreMissing, StoreReadOnly, os_error
from shelter.i18n import _

ENV_DATA_DIR = "SHELTER_DATA_DIR"
KEYRING_NAME = "keyring.json"
BACKUP_FOLDER = "backups"


def default_data_dir() -> Path:
    """``$SHELTER_DATA_DIR`` if set, else the platform's per-user data folder
    (``%LOCALAPPDATA%\\Shelter`` on Windows, ``~/Library/Application
    Support/Shelter`` on macOS, ``~/.local/share/shelter`` on Linux)."""
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("Shelter", appauthor=False, roaming=False))


@dataclass(frozen=True)
class StorePaths:
    """The files of one store. The keyring names the database file (it changes
    when the key is rotated), so the database path is resolved through it."""

    folder: Path

    @property
    def keyring(self) -> Path:
        return self.folder / KEYRING_NAME

    @property
    def backups(self) -> Path:
        return self.folder / BACKUP_FOLDER

    def database(self, name: str) -> Path:
        return self.folder / name

    def exists(self) -> bool:
        return self.keyring.exists()


_PROBE_PREFIX = ".shelter-write-test-"


def check_data_folder(folder: Path) -> None:
    """Raise the ShelterError that says what is wrong with the data folder,
    if anything: missing (StoreMissing), a file instead of a folder
    (StoreMissing), not readable or not writable (StoreReadOnly: a
    permission or a read-only disk is not damage; IT must give access).

    Whether the folder can be written is tried for real, by creating and
    removing an empty file: ``os.access`` is not enough, since root ignores
    mode bits (it always says yes), Windows' read-only attribute on folders
    means nothing (it may say no), and ACLs or a read-only mount are not
    always reported.
    """
    folder = Path(folder)
    try:
        info = os.stat(folder)
    except (FileNotFoundError, NotADirectoryError):
        raise StoreMissing(
            _("The data folder {folder} does not exist. Check the path, or create a store with 'init'.").format(
                folder=folder
            )
        ) from None
    except PermissionError as exc:
        raise not_readable(folder) from exc
    except OSError as exc:
        raise os_error(exc, folder) from exc
    if not stat.S_ISDIR(info.st_mode):
        raise StoreMissing(_("{path} is a file, not a folder. Check the data folder setting.").format(path=folder))
    if os.name != "nt" and not os.access(folder, os.R_OK | os.X_OK):
        raise not_readable(folder)
    try:
        names = [name for name in os.listdir(folder) if name.startswith(_PROBE_PREFIX)]
    except PermissionError as exc:
        raise not_readable(folder) from exc
    except OSError as exc:
        raise os_error(exc, folder) from exc
    import secrets  # imported here: finding the keyring at start-up needs no hashlib

    for stale in names:  # left by a process killed between the two steps below
        with contextlib.suppress(OSError):
            os.unlink(folder / stale)
    probe = folder / f"{_PROBE_PREFIX}{secrets.token_hex(4)}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except OSError as exc:
        # EACCES/EPERM, EROFS, ENOSPC: os_error says which, in plain words.
        raise os_error(exc, folder) from exc
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)


def not_readable(path: Path) -> StoreReadOnly:
    """The error for a folder or file of the store this account may not read."""
    return StoreReadOnly(
        _("Shelter is not allowed to read {path}. Ask your IT support to give your user account "
          "read and write access to the data folder; nothing is damaged.").format(path=path)
    )


def ensure_private_folder(path: Path) -> None:
    """Create ``path`` readable by its owner only (POSIX); leave an existing one."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name != "nt":
        try:
            os.chmod(path, 0o700)
        except PermissionError:
            pass

