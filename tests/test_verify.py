"""verify: integrity, page authenticity and the audit chain."""

from __future__ import annotations

import io

import pytest
import sqlcipher3

from shelter.cli import EXIT_DAMAGED, EXIT_OK, build_parser, run_command
from shelter.security.keyring import Keyring
from shelter.services.audit_log import chain_status
from shelter.services.maintenance import verify
from shelter.storage.database import connect_raw
from shelter.store import Store
from tests.conftest import ADMIN, ADMIN_PASSWORD


def _cli(store_dir, *args: str, stdin: str = ADMIN_PASSWORD + "\n"):
    out = io.StringIO()
    parsed = build_parser().parse_args(["--data-dir", str(store_dir), *args])
    return run_command(parsed, stdin=io.StringIO(stdin), out=out), out.getvalue()


def _raw(store_dir):
    """A raw SQL connection with the real key, as an attacker holding it would have."""
    who = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    key, path = who.store.key, who.store.database_path
    who.lock()
    return connect_raw(path, key)


def test_verify_passes_on_a_healthy_store(store_dir, capsys):
    code, out = _cli(store_dir, "verify", "--user", ADMIN, "--password-stdin")
    assert code == EXIT_OK and "intact" in out


@pytest.mark.parametrize("page_from_end", [1, 3, 6])
def test_one_flipped_byte_is_reported(store_dir, capsys, page_from_end):
    ring = Keyring.load(store_dir / "keyring.json")
    db = store_dir / ring.database
    data = bytearray(db.read_bytes())
    assert not (store_dir / (ring.database + "-wal")).exists() or (store_dir / (ring.database + "-wal")).stat().st_size == 0
    pages = len(data) // 4096
    offset = (pages - page_from_end) * 4096 + 1000
    data[offset] ^= 0x01
    db.write_bytes(bytes(data))
    code, _ = _cli(store_dir, "verify", "--user", ADMIN, "--password-stdin")
    err = capsys.readouterr().err
    assert code == EXIT_DAMAGED
    assert "damaged" in err.lower()
    assert "Traceback" not in err


def test_audit_entries_cannot_be_updated_or_deleted(store_dir):
    conn = _raw(store_dir)
    with pytest.raises(sqlcipher3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit_entry SET record_id = '99' WHERE id = 1")
    with pytest.raises(sqlcipher3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM audit_entry WHERE id = 1")
    conn.close()


def _drop_triggers(conn):
    conn.execute("DROP TRIGGER audit_entry_no_update")
    conn.execute("DROP TRIGGER audit_entry_no_delete")


@pytest.mark.parametrize("tamper", ["edit", "delete_middle", "reorder", "truncate"])
def test_tampering_below_the_triggers_is_detected(store_dir, tamper, capsys):
    # A few more entries so there is a middle and an end.
    who = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    who.lock()
    conn = _raw(store_dir)
    _drop_triggers(conn)
    last = conn.execute("SELECT max(id) FROM audit_entry").fetchone()[0]
    assert last >= 5
    if tamper == "edit":
        conn.execute("UPDATE audit_entry SET actor_id = 42 WHERE id = 2")
    elif tamper == "delete_middle":
        conn.execute("DELETE FROM audit_entry WHERE id = 3")
    elif tamper == "reorder":
        conn.execute("UPDATE audit_entry SET id = -2 WHERE id = 2")
        conn.execute("UPDATE audit_entry SET id = 2 WHERE id = 3")
        conn.execute("UPDATE audit_entry SET id = 3 WHERE id = -2")
    elif tamper == "truncate":
        conn.execute("DELETE FROM audit_entry WHERE id >= ?", (last - 1,))
    conn.close()
    code, _ = _cli(store_dir, "verify", "--user", ADMIN, "--password-stdin")
    err = capsys.readouterr().err
    assert code == EXIT_DAMAGED
    assert "audit log was altered" in err


def test_chain_status_for_the_viewer(admin):
    report = chain_status(admin)
    assert report.ok and report.entries >= 3
    assert verify(admin).ok
