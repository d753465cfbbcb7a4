"""Where a store lives on disk."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

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


def ensure_private_folder(path: Path) -> None:
    """Create ``path`` readable by its owner only (POSIX); leave an existing one."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name != "nt":
        try:
            os.chmod(path, 0o700)
        except PermissionError:
            pass
