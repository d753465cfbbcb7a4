"""The database file and what SQLite says about it, in words a person can act
on (review finding D): a missing, empty or replaced file; a permission, a
read-only disk or a full one, which are not damage and must never make staff
restore an old backup for nothing.

The tests run as root here, and root ignores mode bits: a ``chmod`` does not
stop it reading or writing. So refusals a normal account would meet are
simulated by making ``os.open`` fail as the operating system would (EACCES,
EROFS); where ``unshare`` is allowed, a real read-only bind mount and a real
full disk (a small tmpfs) are used as well, in a child process.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlcipher3

from shelter.errors import ShelterError, StorageFull, StoreDamaged, StoreMissing, StoreReadOnly
from shelter.security.keyring import Keyring
from shelter.storage import database
from shelter.storage.database import check_database_file, connect_raw
from shelter.store import Store
from tests.conftest import ADMIN, ADMIN_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
NOT_DAMAGE = "nothing is damaged"


def _database(folder: Path) -> Path:
    return folder / json.loads((folder / "keyring.json").read_text())["database"]


def _key(folder: Path) -> bytes:
    ring = Keyring.load(folder / "keyring.json")
    return ring.unlock(ring.user_slot(ADMIN), ADMIN_PASSWORD)


def _refuse_open(monkeypatch, target: Path, code: int, writing_only: bool = False) -> None:
    """Make ``os.open`` of ``target`` fail with ``code`` (for writing only, or
    for any access), as it would for an account without the permission."""
    real_open = os.open

    def fake_open(path, flags, *args, **kwargs):
        wants_write = flags & (os.O_WRONLY | os.O_RDWR)
        if Path(path) == target and (wants_write or not writing_only):
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)


def _not_damage(exc: ShelterError) -> None:
    assert isinstance(exc, StoreReadOnly), (type(exc), exc)
    text = str(exc)
    assert "damaged" not in text.replace(NOT_DAMAGE, "") and "backup" not in text
    assert "\n" not in text


# -- check_database_file ---------------------------------------------------------


def test_a_healthy_database_file_passes(store_dir):
    check_database_file(_database(store_dir))


def test_a_missing_database_file(store_dir):
    path = _database(store_dir)
    path.unlink()
    with pytest.raises(StoreDamaged, match="missing"):
        check_database_file(path)


def test_a_folder_in_place_of_the_database(store_dir):
    path = _database(store_dir)
    path.unlink()
    path.mkdir()
    with pytest.raises(StoreDamaged, match="folder"):
        check_database_file(path)


def test_an_empty_database_file_is_never_taken_for_a_new_store(store_dir):
    path = _database(store_dir)
    path.write_bytes(b"")
    with pytest.raises(StoreDamaged) as err:
        check_database_file(path)
    assert "empty" in str(err.value) and "backup" in str(err.value)
    # connect_raw would otherwise have opened it as a new, empty database.
    with pytest.raises(StoreDamaged, match="empty"):
        connect_raw(path, b"\x01" * 32)
    assert path.stat().st_size == 0


def test_an_unreadable_database_file(store_dir, monkeypatch):
    path = _database(store_dir)
    if AS_ROOT:
        _refuse_open(monkeypatch, path, errno.EACCES)
    else:
        path.chmod(0)
    with pytest.raises(StoreReadOnly) as err:
        check_database_file(path)
    _not_damage(err.value)
    assert "not allowed to read" in str(err.value)


def test_a_database_file_that_cannot_be_written(store_dir, monkeypatch):
    path = _database(store_dir)
    if AS_ROOT:
        _refuse_open(monkeypatch, path, errno.EACCES, writing_only=True)
    else:
        path.chmod(0o400)
    with pytest.raises(StoreReadOnly) as err:
        check_database_file(path)
    _not_damage(err.value)
    assert "not allowed to write" in str(err.value)


def test_a_database_on_a_read_only_disk(store_dir, monkeypatch):
    path = _database(store_dir)
    _refuse_open(monkeypatch, path, errno.EROFS, writing_only=True)
    with pytest.raises(StoreReadOnly) as err:
        check_database_file(path)
    _not_damage(err.value)
    assert "read-only" in str(err.value)


def test_a_journal_file_that_cannot_be_written(store_dir, monkeypatch):
    path = _database(store_dir)
    wal = path.with_name(path.name + "-wal")
    wal.write_bytes(b"")
    _refuse_open(monkeypatch, wal, errno.EACCES, writing_only=True)
    with pytest.raises(StoreReadOnly, match="not allowed to write"):
        check_database_file(path)


# -- connect_raw: SQLite's errors by their code and text -------------------------


def test_wrong_key_or_damaged_first_page_is_damaged(store_dir):
    path = _database(store_dir)
    with pytest.raises(StoreDamaged, match="damaged or does not belong"):
        connect_raw(path, b"\x02" * 32)
    path.write_bytes(os.urandom(8192))
    with pytest.raises(StoreDamaged, match="damaged or does not belong"):
        connect_raw(path, b"\x02" * 32)


def test_a_folder_in_place_of_the_database_is_said_by_connect_raw(store_dir):
    path = _database(store_dir)
    path.unlink()
    path.mkdir()
    with pytest.raises(StoreDamaged, match="folder"):
        connect_raw(path, b"\x02" * 32)


def test_a_missing_data_folder_is_said_by_connect_raw(tmp_path):
    with pytest.raises(StoreMissing, match="does not exist"):
        connect_raw(tmp_path / "gone" / "shelter.db", b"\x02" * 32)


def _sqlite_error(text: str, code: int) -> sqlcipher3.OperationalError:
    exc = sqlcipher3.OperationalError(text)
    exc.sqlite_errorcode = code
    return exc


@pytest.mark.parametrize(("text", "code", "kind", "words"), [
    ("unable to open database file", 14, StoreReadOnly, "cannot be opened"),
    ("attempt to write a readonly database", 8, StoreReadOnly, "read-only"),
    ("database or disk is full", 13, StorageFull, "disk is full"),
    ("disk I/O error", 10, StoreDamaged, "disk reported an error"),
    ("file is not a database", 26, StoreDamaged, "damaged or does not belong"),
    ("database disk image is malformed", 11, StoreDamaged, "damaged or does not belong"),
    ("database is locked", 5, ShelterError, "busy"),
])
def test_each_sqlite_error_has_its_own_message(store_dir, monkeypatch, text, code, kind, words):
    path = _database(store_dir)

    def failing_connect(*args, **kwargs):
        raise _sqlite_error(text, code)

    monkeypatch.setattr(database.sqlcipher3, "connect", failing_connect)
    with pytest.raises(kind) as err:
        connect_raw(path, b"\x02" * 32)
    assert words in str(err.value)
    if kind is StoreReadOnly:
        _not_damage(err.value)


def test_errors_that_are_not_the_files_are_left_alone(store_dir):
    """A constraint or a trigger's message, whatever its words, is not turned
    into a message about the disk."""
    path = _database(store_dir)
    assert database.database_error(_sqlite_error("audit log is read-only; disk is full", 19), path) is None
    assert database.database_error(_sqlite_error("no such table: x", 1), path) is None
    # Opening, every failure is the file's.
    assert isinstance(database.database_error(_sqlite_error("no such table: x", 1), path, opening=True),
                      StoreDamaged)


def test_a_disk_error_on_a_nearly_full_disk_is_the_full_disk(store_dir, monkeypatch):
    """SQLite reports a full disk as "disk I/O error" when the write that
    failed was its shared-memory index or journal, not a page."""
    path = _database(store_dir)
    monkeypatch.setattr(database.sqlcipher3, "connect", lambda *a, **k: (_ for _ in ()).throw(
        _sqlite_error("disk I/O error", 10)))
    monkeypatch.setattr(database.shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(10**9, 10**9 - 4096, 4096))
    with pytest.raises(StorageFull):
        connect_raw(path, b"\x02" * 32)


def test_cannot_open_in_a_folder_that_cannot_be_written_names_the_folder(store_dir, monkeypatch):
    path = _database(store_dir)
    monkeypatch.setattr(database.sqlcipher3, "connect", lambda *a, **k: (_ for _ in ()).throw(
        _sqlite_error("unable to open database file", 14)))
    probe_refused = os.open
    monkeypatch.setattr(os, "open", lambda p, flags, *a, **k: (
        (_ for _ in ()).throw(OSError(errno.EROFS, "Read-only file system"))
        if Path(p).name.startswith(".shelter-write-test") else probe_refused(p, flags, *a, **k)))
    with pytest.raises(StoreReadOnly) as err:
        connect_raw(path, b"\x02" * 32)
    assert "read-only disk" in str(err.value) and str(store_dir) in str(err.value)


def test_a_full_disk_in_a_direct_statement_is_storage_full(tmp_path):
    """Backups and key rotation run statements on the raw connection: a full
    disk there is StorageFull too (simulated with SQLite's page limit)."""
    conn = connect_raw(tmp_path / "small.db", b"\x03" * 32, create=True)
    try:
        conn.execute("CREATE TABLE t (x BLOB)")
        conn.execute("PRAGMA max_page_count = 8")
        with pytest.raises(StorageFull):
            conn.execute("INSERT INTO t VALUES (?)", (b"\0" * 100_000,))
        # Other errors are left as they are (callers test for constraints).
        with pytest.raises(sqlcipher3.OperationalError):
            conn.execute("SELECT * FROM no_such_table")
    finally:
        conn.close()


# -- through Store.sign_in ---------------------------------------------------------


def _sign_in(folder: Path, password: str = ADMIN_PASSWORD) -> ShelterError:
    with pytest.raises(ShelterError) as err:
        Store(folder).sign_in(ADMIN, password).lock()
    return err.value


def test_sign_in_with_the_database_replaced_by_a_folder(store_dir):
    path = _database(store_dir)
    path.unlink()
    path.mkdir()
    err = _sign_in(store_dir)
    assert isinstance(err, StoreDamaged) and "folder" in str(err)


def test_sign_in_with_an_empty_database_does_not_make_a_new_store(store_dir):
    path = _database(store_dir)
    path.write_bytes(b"")
    err = _sign_in(store_dir)
    assert isinstance(err, StoreDamaged) and "empty" in str(err)
    assert path.stat().st_size == 0


def test_sign_in_with_an_unreadable_database(store_dir, monkeypatch):
    _refuse_open(monkeypatch, _database(store_dir), errno.EACCES)
    _not_damage(_sign_in(store_dir))


def test_sign_in_with_a_read_only_database_file(store_dir, monkeypatch):
    _refuse_open(monkeypatch, _database(store_dir), errno.EACCES, writing_only=True)
    err = _sign_in(store_dir)
    _not_damage(err)
    assert "not allowed to write" in str(err)


def test_sign_in_on_a_full_disk_is_storage_full(store_dir, monkeypatch):
    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    # A wrong password must be counted (the keyring written): the disk is full.
    assert isinstance(_sign_in(store_dir, "a wrong password typed"), StorageFull)


# -- for real: a read-only mount and a full disk (private mount namespace) ----------


def _unshare_works() -> bool:
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None or shutil.which("mount") is None:
        return False
    try:
        probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs tmpfs /mnt && umount /mnt"],
                               capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


needs_unshare = pytest.mark.skipif(not _unshare_works(), reason="needs unshare -m and mount (root on Linux)")

_CHILD = textwrap.dedent("""
    import io, json, sys
    from shelter import cli
    results = []
    for password in sys.argv[3:]:
        sys.stdin = io.StringIO(password + "\\n")
        err = io.StringIO()
        real_err, sys.stderr = sys.stderr, err
        try:
            code = cli.main(["--data-dir", sys.argv[1], sys.argv[2], "--user", "amina", "--password-stdin"])
        except BaseException as exc:  # what the test is looking for
            import traceback
            code, err = -1, io.StringIO(traceback.format_exc())
        finally:
            sys.stderr = real_err
        results.append([code, err.getvalue()])
    print(json.dumps(results))
""")


def _in_namespace(mount: str, folder: Path, command: str, *passwords: str) -> list[tuple[int, str]]:
    script = f"{mount} && exec {sys.executable} -c {_quote(_CHILD)} {folder} {command} " + " ".join(
        _quote(p) for p in passwords)
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, env={**os.environ, "SHELTER_LANG": "en"})
    assert done.returncode == 0, done.stderr
    return [tuple(r) for r in json.loads(done.stdout.strip().splitlines()[-1])]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


@needs_unshare
def test_a_read_only_mount_is_not_called_damaged(store_dir):
    mount = f"mount --bind {store_dir} {store_dir} && mount -o remount,bind,ro {store_dir}"
    results = _in_namespace(mount, store_dir, "verify", ADMIN_PASSWORD, "a wrong password typed")
    for code, err in results:
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("shelter: "), err
        assert code == 1, err  # not 3, "damaged"
        assert "read-only" in err and "damaged" not in err.replace(NOT_DAMAGE, "")
        assert "Permission denied" not in err and "File error" not in err


@needs_unshare
@pytest.mark.parametrize("room_kib", [30, 330, 530])  # free room past the store (about 710 KiB at revision 0008)
def test_a_full_disk_during_rotate_key_says_so(store_dir, tmp_path, room_kib):
    """The store is copied onto a small tmpfs: rotating the key needs a second
    copy of the database, which does not fit."""
    size_kib = sum(p.stat().st_size for p in store_dir.iterdir() if p.is_file()) // 1024 + 8 + room_kib
    disk = tmp_path / "disk"
    disk.mkdir()
    mount = f"mount -t tmpfs -o size={size_kib}k tmpfs {disk} && cp -a {store_dir}/. {disk}/"
    [(code, err)] = _in_namespace(mount, disk, "rotate-key", ADMIN_PASSWORD)
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("shelter: "), err
    assert code == 1 and "disk is full" in err, err


def test_another_session_of_this_process_never_drops_the_first_ones_locks(admin, store_dir):
    """Opening a second session probes the database file; a probe that opened
    and closed its own descriptor dropped every POSIX lock of the process on
    it, so another process closing the store took this one's connections for
    gone, deleted the -shm under them, and the next write read a "malformed"
    database."""
    import subprocess
    import sys

    from shelter.store import Store
    from tests.conftest import ADMIN, ADMIN_PASSWORD

    with admin.store.write() as s:
        admin.audit(s, "store.verify")
    second = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    second.lock("sign_out")
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, str(root / "main.py"), "--data-dir", str(store_dir), "verify", "--user",
                           ADMIN, "--password-stdin"], input=f"{ADMIN_PASSWORD}\n".encode(), capture_output=True,
                          cwd=root, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (store_dir / "shelter.db-shm").exists()
    with admin.store.write() as s:
        admin.audit(s, "store.verify")
