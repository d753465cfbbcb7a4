"""A full disk loses nothing: the old file stays whole, no temporary file is
left behind, and a change that could not be written is not half-made."""

from __future__ import annotations

import errno
import os

import pytest

from shelter.atomic import write_atomic
from shelter.errors import StorageFull, WrongPassword
from shelter.security.keyring import Keyring
from shelter.security.permissions import Role
from shelter.services import accounts
from shelter.services.maintenance import verify
from shelter.store import Store
from tests.conftest import ADMIN, ADMIN_PASSWORD


def _disk_full_on_write(monkeypatch):
    real_write = os.write

    def full(fd, data):  # noqa: ANN001, ANN202
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full)
    return real_write


def test_a_full_disk_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "keyring.json"
    target.write_bytes(b"the old content")
    _disk_full_on_write(monkeypatch)
    with pytest.raises(StorageFull) as caught:
        write_atomic(target, b"new content " * 1000)
    assert "disk is full" in caught.value.message
    assert target.read_bytes() == b"the old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keyring.json"]


def test_a_failed_fsync_also_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "keyring.json"
    target.write_bytes(b"the old content")

    def failing(fd):  # noqa: ANN001, ANN202
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", failing)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"the old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keyring.json"]


def test_the_written_file_is_private(tmp_path):
    target = tmp_path / "keyring.json"
    write_atomic(target, b"{}")
    if os.name == "posix":
        assert target.stat().st_mode & 0o077 == 0


def test_creating_an_account_on_a_full_disk_loses_nothing(admin, store_dir, monkeypatch):
    before = (store_dir / "keyring.json").read_bytes()
    _disk_full_on_write(monkeypatch)
    with pytest.raises(StorageFull):
        accounts.create_account(admin, "karim", "Karim Alaoui", [Role.COORDINATOR], "lemon tree under rain")
    monkeypatch.undo()

    assert (store_dir / "keyring.json").read_bytes() == before
    assert [a.username for a in accounts.list_accounts(admin)] == [ADMIN]
    # Memory holds no slot the disk lacks: the next keyring write (any other
    # change) must not smuggle karim's slot in.
    accounts.create_account(admin, "salma", "Salma Idrissi", [Role.COUNSELLOR], "first words of spring")
    ring = Keyring.load(store_dir / "keyring.json")
    assert ring.user_slot("karim") not in ring.slots and ring.user_slot("salma") in ring.slots
    with pytest.raises(WrongPassword):
        Store(store_dir).sign_in("karim", "lemon tree under rain")
    assert verify(admin).ok
    Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD).lock("sign_out")


def test_changing_a_password_on_a_full_disk_keeps_the_old_one(admin, store_dir, monkeypatch):
    _disk_full_on_write(monkeypatch)
    with pytest.raises(StorageFull):
        accounts.change_password(admin, ADMIN_PASSWORD, "blue door at the end")
    monkeypatch.undo()
    Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD).lock("sign_out")
    with pytest.raises(WrongPassword):
        Store(store_dir).sign_in(ADMIN, "blue door at the end")
    assert verify(admin).ok
