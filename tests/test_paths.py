"""The data folder: missing, a file, not readable, not writable (review
finding D). A folder Shelter may not write is a matter for IT, not damage.

Root ignores mode bits (a ``chmod 500`` folder is still writable for it, and
``os.access`` says yes), so where the tests run as root the refusal a normal
account would meet is simulated by making ``os.open`` fail with EACCES or
EROFS; without root, a real ``chmod`` is used. A real read-only mount is in
tests/test_database.py (it needs ``unshare``).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from shelter.errors import ShelterError, StorageFull, StoreDamaged, StoreMissing, StoreReadOnly
from shelter.storage.paths import check_data_folder
from shelter.store import Store
from tests.conftest import ADMIN, ADMIN_PASSWORD

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _refuse_new_files(monkeypatch, folder: Path, code: int) -> None:
    """Creating a file in ``folder`` fails with ``code``."""
    real_open = os.open

    def fake_open(path, flags, *args, **kwargs):
        if Path(path).parent == folder and flags & os.O_CREAT:
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)


def _make_unwritable(monkeypatch, folder: Path) -> None:
    if AS_ROOT:
        _refuse_new_files(monkeypatch, folder, errno.EACCES)
    else:
        folder.chmod(0o500)


def _not_damage(exc: ShelterError) -> None:
    assert isinstance(exc, StoreReadOnly), (type(exc), exc)
    assert not isinstance(exc, StoreDamaged)
    assert "damaged" not in str(exc).replace("nothing is damaged", "") and "backup" not in str(exc)


def test_a_usable_folder_passes_and_is_left_as_it_was(store_dir):
    before = sorted(p.name for p in store_dir.iterdir())
    check_data_folder(store_dir)
    assert sorted(p.name for p in store_dir.iterdir()) == before


def test_a_probe_left_by_a_killed_process_is_removed(store_dir):
    (store_dir / ".shelter-write-test-0badc0de").write_bytes(b"")
    check_data_folder(store_dir)
    assert not list(store_dir.glob(".shelter-write-test-*"))


def test_a_missing_folder(tmp_path):
    with pytest.raises(StoreMissing, match="does not exist"):
        check_data_folder(tmp_path / "nowhere")
    with pytest.raises(StoreMissing, match="does not exist"):
        check_data_folder(tmp_path / "nowhere" / "deeper")


def test_a_file_where_the_folder_should_be(tmp_path):
    path = tmp_path / "shelter-data"
    path.write_text("not a folder")
    with pytest.raises(StoreMissing) as err:
        check_data_folder(path)
    assert "is a file, not a folder" in str(err.value)
    assert "does not exist" not in str(err.value)
    with pytest.raises(StoreMissing, match="does not exist"):
        check_data_folder(path / "inside")  # a path through a file


def test_a_folder_that_cannot_be_written(store_dir, monkeypatch):
    _make_unwritable(monkeypatch, store_dir)
    try:
        with pytest.raises(StoreReadOnly) as err:
            check_data_folder(store_dir)
    finally:
        store_dir.chmod(0o700)
    _not_damage(err.value)
    assert "not allowed to write" in str(err.value) and str(store_dir) in str(err.value)


def test_a_folder_on_a_read_only_disk(store_dir, monkeypatch):
    # What a read-only mount answers, for root as for anyone.
    _refuse_new_files(monkeypatch, store_dir, errno.EROFS)
    with pytest.raises(StoreReadOnly) as err:
        check_data_folder(store_dir)
    _not_damage(err.value)
    assert "read-only disk" in str(err.value)


def test_a_folder_on_a_full_disk(store_dir, monkeypatch):
    _refuse_new_files(monkeypatch, store_dir, errno.ENOSPC)
    with pytest.raises(StorageFull):
        check_data_folder(store_dir)


@pytest.mark.skipif(AS_ROOT, reason="root reads every folder whatever its mode bits")
def test_a_folder_that_cannot_be_read(store_dir):
    store_dir.chmod(0)
    try:
        with pytest.raises(StoreReadOnly, match="not allowed to read"):
            check_data_folder(store_dir)
    finally:
        store_dir.chmod(0o700)


def test_a_folder_that_cannot_be_read_as_root(store_dir, monkeypatch):
    """The same, simulated: listing the folder is refused."""
    real_listdir = os.listdir

    def refuse(path="."):
        if Path(path) == store_dir:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", refuse)
    with pytest.raises(StoreReadOnly, match="not allowed to read"):
        check_data_folder(store_dir)


# -- through Store.sign_in ---------------------------------------------------------


def test_sign_in_with_a_file_as_data_folder_says_it_is_a_file(tmp_path):
    path = tmp_path / "data"
    path.write_text("")
    with pytest.raises(StoreMissing) as err:
        Store(path).sign_in(ADMIN, ADMIN_PASSWORD)
    assert "is a file, not a folder" in str(err.value)


@pytest.mark.parametrize("password", [ADMIN_PASSWORD, "a wrong password typed"])
def test_sign_in_in_a_folder_that_cannot_be_written(store_dir, monkeypatch, password):
    """Right or wrong password: the person is told the folder cannot be
    written (not "File error: Permission denied", not "damaged")."""
    _make_unwritable(monkeypatch, store_dir)
    try:
        with pytest.raises(ShelterError) as err:
            Store(store_dir).sign_in(ADMIN, password).lock()
    finally:
        store_dir.chmod(0o700)
    _not_damage(err.value)
    assert "not allowed to write" in str(err.value)


def test_sign_in_on_a_read_only_disk(store_dir, monkeypatch):
    _refuse_new_files(monkeypatch, store_dir, errno.EROFS)
    with pytest.raises(ShelterError) as err:
        Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD).lock()
    _not_damage(err.value)
    assert "read-only disk" in str(err.value)
