"""The audit head: where the audit log ends, kept outside the database.

The chain of MACs (``shelter.security.audit``) shows any entry edited,
removed or reordered, but not entries cut off the end: a shorter chain is
still a valid chain. So every transaction that adds audit entries also
records, in ``audit-head.json`` beside the database, the last entry (its
sequence number and MAC), authenticated with a key derived from the chain
key, which lives inside the encrypted database.

Two steps per transaction, so that a kill or a power cut at any moment leaves
a head that tells the truth:

1. before the commit, ``prepare`` writes ``confirmed`` = where the log ended
   when the transaction began (committed, since it holds the write lock) and
   ``pending`` = where it will end;
2. after the commit, ``confirm`` writes ``confirmed`` = ``pending``.

A log that ends at ``pending`` is complete. One that ends at ``confirmed``
while ``pending`` differs lost only a transaction that never committed.
Anything else (ends earlier, at another MAC, or has entries past
``pending``) means the log was cut or rewritten. The only change that cannot
be told apart is removing the entries of the very last transaction of a
process killed between its commit and step 2.

The head file is small and written atomically; its writes are ordered by a
lock of their own (``audit-head.lock``), so a slow step 2 never overwrites a
newer step 1 of another session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shelter.atomic import write_atomic
from shelter.errors import os_error
from shelter.i18n import _
from shelter.security.keyring_file import FileLock, remove_stale_temporaries

HEAD_NAME = "audit-head.json"
LOCK_NAME = "audit-head.lock"
FORMAT = "shelter-audit-head"
VERSION = 1
MAX_BYTES = 4096
_TAG_INFO = b"shelter/v1/audit-head"
_MAX_SEQUENCE = 2**63 - 1


@dataclass(frozen=True)
class Head:
    """One point of the chain: the entry's sequence number and MAC."""

    sequence: int
    mac: str

    def to_json(self) -> dict[str, Any]:
        return {"sequence": self.sequence, "mac": self.mac}

    @classmethod
    def from_json(cls, data: Any) -> Head | None:
        if data is None:
            return None
        if not isinstance(data, dict) or set(data) != {"sequence", "mac"}:
            raise ValueError("bad head")
        sequence, mac = data["sequence"], data["mac"]
        if type(sequence) is not int or not 0 <= sequence <= _MAX_SEQUENCE:
            raise ValueError("bad sequence")
        if not isinstance(mac, str) or len(mac) != 64 or any(c not in "0123456789abcdef" for c in mac):
            raise ValueError("bad mac")
        return cls(sequence, mac)


@dataclass(frozen=True)
class HeadRecord:
    confirmed: Head | None
    pending: Head | None


class HeadUnreadable(Exception):
    """The head file exists but is not a valid, authentic head of this store.
    Its ``problem`` is an English technical description (for verify's report)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def _tag_key(chain_key: bytes) -> bytes:
    return hmac.new(chain_key, _TAG_INFO, hashlib.sha256).digest()


def _body(store_id: bytes, record: HeadRecord) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "store_id": base64.b64encode(store_id).decode("ascii"),
        "confirmed": record.confirmed.to_json() if record.confirmed else None,
        "pending": record.pending.to_json() if record.pending else None,
    }


def _tag(chain_key: bytes, body: dict[str, Any]) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return hmac.new(_tag_key(chain_key), text, hashlib.sha256).hexdigest()


class AuditHeadFile:
    """``audit-head.json`` of one store folder."""

    def __init__(self, folder: Path, store_id: bytes, timeout: float = 30.0) -> None:
        self.path = Path(folder) / HEAD_NAME
        self.store_id = store_id
        self.lock = FileLock(
            Path(folder) / LOCK_NAME, timeout,
            _("Another Shelter window or command is saving. Try again in a moment."),
        )

    def exists(self) -> bool:
        return self.path.exists()

    def read(self, chain_key: bytes) -> HeadRecord | None:
        """The recorded head, or None when there is no head file. Raises
        HeadUnreadable for a file that is damaged, altered or foreign."""
        try:
            with open(self.path, "rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise HeadUnreadable(f"the audit head cannot be read ({exc.strerror})") from exc
        if len(raw) > MAX_BYTES:
            raise HeadUnreadable("the audit head file is too large")
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
                raise ValueError("not a head")
            record = HeadRecord(Head.from_json(data.get("confirmed")), Head.from_json(data.get("pending")))
            tag = data.get("tag")
            if not isinstance(tag, str):
                raise ValueError("no tag")
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise HeadUnreadable("the audit head file is damaged") from exc
        if data.get("store_id") != base64.b64encode(self.store_id).decode("ascii"):
            raise HeadUnreadable("the audit head belongs to another store")
        if not hmac.compare_digest(tag, _tag(chain_key, _body(self.store_id, record))):
            raise HeadUnreadable("the audit head was altered (its MAC does not match)")
        return record

    def _write(self, chain_key: bytes, record: HeadRecord) -> None:
        body = _body(self.store_id, record)
        body["tag"] = _tag(chain_key, body)
        try:
            write_atomic(self.path, json.dumps(body, sort_keys=True, indent=1).encode("ascii"))
        except OSError as exc:
            raise os_error(exc, self.path.parent) from exc

    def write_complete(self, chain_key: bytes, end: Head) -> None:
        """A head for a log known to end, committed, at ``end`` (a backup's copy)."""
        with self.lock.held():
            self._write(chain_key, HeadRecord(end, end))

    def prepare(self, chain_key: bytes, start: Head | None, end: Head) -> None:
        """Step 1, before the commit of a transaction that took the log from
        ``start`` (None: empty) to ``end``."""
        with self.lock.held():
            remove_stale_temporaries(self.path)
            self._write(chain_key, HeadRecord(start, end))

    def confirm(self, chain_key: bytes, end: Head) -> None:
        """Step 2, after the commit: ``end`` is now committed. Written only if
        no later transaction has prepared since."""
        with self.lock.held():
            try:
                current = self.read(chain_key)
            except HeadUnreadable:
                return
            if current is not None and current.pending == end and current.confirmed != end:
                self._write(chain_key, HeadRecord(end, end))


def check(record: HeadRecord | None, log_end: Head | None, mac_at: Callable[[int], str | None],
          legacy: Head | None = None) -> str | None:
    """Whether a log ending at ``log_end`` agrees with the recorded head;
    None when it does, else an English description of what is wrong.

    ``mac_at(n)`` gives the MAC of entry n (None if absent). ``legacy`` is
    the unauthenticated head older stores kept in the keyring, trusted only
    while no head file has been written yet."""
    if record is None:
        if legacy is not None:
            if log_end is None or log_end.sequence < legacy.sequence:
                return f"the log ends at entry {log_end.sequence if log_end else 0} " \
                       f"but reached entry {legacy.sequence} before"
            if mac_at(legacy.sequence) != legacy.mac:
                return f"entry {legacy.sequence} differs from the recorded head"
            return None
        if log_end is not None:
            return "the audit head is missing while the log has entries"
        return None
    if log_end == record.pending or (log_end == record.confirmed and record.confirmed != record.pending):
        return None
    reached = record.confirmed.sequence if record.confirmed else 0
    ends = log_end.sequence if log_end else 0
    if ends < reached:
        return f"the log ends at entry {ends} but reached entry {reached} before"
    if record.pending is not None and ends > record.pending.sequence:
        return f"the log has entries after its recorded head (entry {record.pending.sequence})"
    return f"entry {ends} differs from the recorded head"
