"""Malformed store files never crash Shelter (review findings A and D).

Property-based fuzzing with Hypothesis: a real store (``store_dir``) is
copied for every example, its keyring or its database file is damaged in
one of many ways, and the store is then opened as staff open it: through
``Store(folder).sign_in`` (what the GUI calls; its ``retry_after`` too) and
through the command line (``shelter verify``). Every failure must be a
ShelterError (one translated line for the CLI and the GUI); any other
exception, any traceback printed, or a hang fails the test.

Most damaged keyrings are refused before Argon2id runs; those that still
open cost one derivation (about 0.1 s at the test parameters), so the
number of examples is chosen to keep the file under a minute on two cores.
Examples are derandomized: the same ones run every time, in CI as here.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import io
import json
import math
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from shelter import cli
from shelter.errors import ShelterError
from shelter.store import Store
from tests.conftest import ADMIN, ADMIN_PASSWORD

# Hypothesis keeps caches in ./.hypothesis: not in the work tree.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "shelter-hypothesis")

WATCHDOG_SECONDS = 60  # one example that takes this long is a hang
FUZZ = settings(
    derandomize=True,  # the same examples on every run and in CI
    database=None,  # nothing written into the work tree
    deadline=timedelta(seconds=15),  # generous on a loaded 2-core machine; 40 s sign-ins fail
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
    print_blob=True,
)

# -- what the keyring fields are replaced with ------------------------------------

# Raw JSON text that json.dumps cannot produce: written in place of a marker.
_RAW = {
    "@@BIG-INT@@": "9" * 5000,  # beyond json's 4,300-digit limit
    "@@LONG-INT@@": "1" + "0" * 40,
    "@@DEEP@@": "[" * 50_000 + "]" * 50_000,  # RecursionError in json
    "@@DEEP-OBJECT@@": '{"a":' * 2000 + "0" + "}" * 2000,
    "@@NEG-ZERO@@": "-0.0",
    "@@EXP@@": "1e400",  # infinity once parsed
}

_SPECIAL = [
    math.nan, math.inf, -math.inf, 1e20, -1e12, 1e308, 5e-324, -0.0, 0.5,
    10**30, 2**63, 2**63 - 1, 2**31, -1, 0, 1, 3, 19, 2000, 4 * 1024 * 1024, 1024 * 1024 + 1, 64, 65536,
    True, False, None, "", "A", "AAAA", "AAAAAAAAAAAAAAAAAAAAAA==", "=" * 24, "!!!!", "NaN", "Infinity",
    "argon2id", "recovery", "password", "user:", "../keyring.json", "shelter.db", ".", "\u0000",
    "\ud800", "\u202e", "\u0661\u0662", "a" * 64, "f" * 64, "G" * 64,
    [], {}, [None], [[]], {"": None}, {"sequence": 1, "mac": "0" * 64},
    "x" * 100_000, "A" * 2_000_000,
    *_RAW,
]

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40), st.binary(max_size=60).map(lambda b: base64.b64encode(b).decode()),
)
_json_values = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
_numbers = st.one_of(
    st.integers(-3, 3000), st.integers(0, 2**64), st.floats(min_value=-1e13, max_value=1e13),
    st.sampled_from([1.7e9, 1.7e9 + 86_400, 4_102_444_800.0, 253_402_300_800.0, 2**63 - 1]),
)
_values = st.one_of(st.sampled_from(_SPECIAL), _numbers, _json_values)


def _tweak(value: Any, draw: Callable) -> Any:
    """A value of the same kind, near the real one: gets past the first
    checks more often than a random value, so deeper code is reached."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + draw(st.sampled_from([-1, 1, 2, 1000, -value, 2**32, 10**6]))
    if isinstance(value, float):
        return draw(st.sampled_from([value + 86_400, value - 86_400, value * 1e6, -value, 0.0]))
    if isinstance(value, str):
        if not value:
            return "A"
        at = draw(st.integers(0, len(value) - 1))
        return draw(st.sampled_from([
            value[:at], value + value[at], value[:at] + draw(st.sampled_from("A/+=\u00e9\n:")) + value[at + 1:],
            value.upper(), value.lower(), value * 3,
        ]))
    if isinstance(value, list):
        if not value:
            return [{"slot": None, "at": 1.7e9}]
        return draw(st.sampled_from([value[1:], value + value[:1], value[::-1], []]))
    if isinstance(value, dict):
        if not value:
            return {"unknown": {"count": 50, "last_at": 1.7e9}}
        return {k: v for k, v in value.items() if k != draw(st.sampled_from(sorted(value, key=str)))}
    return draw(_values)


def _paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


def _parent(data: Any, path: tuple) -> Any:
    for step in path[:-1]:
        data = data[step]
    return data


def _mutate_json(data: dict, draw: Callable) -> dict:
    """One to three changes at random paths of the keyring's JSON."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        paths = list(_paths(data))
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["tweak", "tweak", "tweak", "set", "set", "raw", "delete", "copy",
                                       "flood", "rename"]))
        if not path:
            if action == "set":
                data = draw(_values)
            continue
        parent = _parent(data, path)
        key = path[-1]
        if action == "tweak":
            parent[key] = _tweak(parent[key], draw)
        elif action == "set":
            parent[key] = draw(_values)
        elif action == "raw":  # text json.dumps would not write: huge numbers, deep nesting
            parent[key] = draw(st.sampled_from(list(_RAW)))
        elif action == "delete":
            del parent[key]
        elif action == "copy":  # a subtree where another belongs (e.g. a slot twice)
            source = draw(st.sampled_from(paths))
            value = data
            for step in source:
                value = value[step]
            parent[key] = copy.deepcopy(value)
        elif action == "flood":  # a long list or a big object of plausible entries
            count = draw(st.sampled_from([501, 1001, 20_000, 100_000]))
            parent[key] = [{"slot": None, "at": 1.7e9 + i} for i in range(count)] if draw(st.booleans()) else {
                f"user:{i:032x}": {"count": 5, "last_at": 1.7e9} for i in range(count)}
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = parent.pop(key)
        if not isinstance(data, (dict, list)):
            break
    return data


def _serialise(data: Any) -> bytes:
    try:
        text = json.dumps(data, indent=1, sort_keys=False)
    except (ValueError, TypeError, RecursionError):
        text = json.dumps(str(data)[:1000])
    for marker, raw in _RAW.items():
        text = text.replace(json.dumps(marker), raw)
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate: not valid UTF-8


def _mutate_bytes(raw: bytes, draw: Callable) -> bytes:
    action = draw(st.sampled_from(["truncate", "flip", "insert", "bom", "random", "empty", "huge", "utf16"]))
    if action == "truncate":
        return raw[: draw(st.integers(0, len(raw)))]
    if action == "flip":
        data = bytearray(raw)
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    if action == "insert":
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\x80\x80"])) + raw[at:]
    if action == "bom":
        return b"\xef\xbb\xbf" + raw
    if action == "random":
        return draw(st.binary(max_size=4000))
    if action == "empty":
        return b""
    if action == "huge":
        return raw[:-2] + b" " * (2 * 1024 * 1024) + raw[-2:]
    return raw.decode("utf-8").encode("utf-16")


# -- what the database file becomes -------------------------------------------------


def _damage_database(folder: Path, draw: Callable) -> None:
    ring = json.loads((folder / "keyring.json").read_text("utf-8"))
    path = folder / ring["database"]
    size = path.stat().st_size
    action = draw(st.sampled_from(
        ["truncate", "zero", "random", "folder", "header", "pages", "zero-page", "missing", "plain-sqlite",
         "wal-garbage"]))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    if action == "truncate":
        with path.open("r+b") as handle:
            handle.truncate(draw(st.integers(0, size - 1)))
    elif action == "zero":
        path.write_bytes(b"")
    elif action == "random":
        path.write_bytes(rng.randbytes(draw(st.sampled_from([1, 100, 4096, 8192, size]))))
    elif action == "folder":
        path.unlink()
        path.mkdir()
        (path / "inside.txt").write_text("x")
    elif action in ("header", "pages"):
        data = bytearray(path.read_bytes())
        limit = 100 if action == "header" else len(data)
        for _ in range(draw(st.integers(1, 8))):
            data[rng.randrange(limit)] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(data))
    elif action == "zero-page":
        data = bytearray(path.read_bytes())
        page = rng.randrange(len(data) // 4096)
        data[page * 4096:(page + 1) * 4096] = bytes(4096)
        path.write_bytes(bytes(data))
    elif action == "missing":
        path.unlink()
    elif action == "plain-sqlite":  # a database, but not an encrypted one of this store
        path.unlink()
        plain = sqlite3.connect(path)
        plain.execute("CREATE TABLE t (x)")
        plain.commit()
        plain.close()
    else:
        path.with_name(path.name + "-wal").write_bytes(rng.randbytes(draw(st.sampled_from([10, 4096, 40_000]))))


# -- running the store and the command line ------------------------------------------


@contextlib.contextmanager
def _copy_of(store_dir: Path) -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="fuzz-", dir=store_dir.parent))
    try:
        folder = base / "store"
        shutil.copytree(store_dir, folder)
        yield folder
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _within_watchdog(work: Callable[[], Any]) -> Any:
    """Run ``work``; fail (as a hang) if it has not finished in WATCHDOG_SECONDS."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - judged by the caller
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(WATCHDOG_SECONDS)
    if worker.is_alive():
        pytest.fail(f"hang: no answer after {WATCHDOG_SECONDS} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _error_text(exc: BaseException) -> str:
    """What the GUI would show: ui.qt.error_text says "Something went wrong:
    <type name>" for anything that is not a ShelterError."""
    from ui.qt import error_text

    return error_text(exc)


def _note(text: str) -> None:
    """Count an outcome (shown with --hypothesis-show-statistics)."""
    with contextlib.suppress(Exception):
        event(text)


def _open_as_staff(folder: Path, clock: Callable[[], float] | None = None) -> None:
    """What the sign-in window does: the delay, then signing in."""
    store = Store(folder) if clock is None else Store(folder, clock=clock)
    for step in (lambda: store.retry_after(ADMIN), lambda: store.sign_in(ADMIN, ADMIN_PASSWORD).lock("sign_out")):
        try:
            _within_watchdog(step)
        except ShelterError as exc:
            _note(f"{type(exc).__name__}: {exc.message[:60]} ({type(exc.__cause__).__name__})")
            text = _error_text(exc)
            assert text == exc.message and "Something went wrong" not in text
            assert "\n" not in text and len(text) < 400, text
            return
        except Exception as exc:  # noqa: BLE001
            raise AssertionError(f"{type(exc).__name__} escaped: {exc!r}"[:2000]) from exc
    _note("signed in")


def _no_traceback(capfd) -> None:
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err, (out + err)[-3000:]
    assert err == "", err[-3000:]  # nothing on stderr: no SQLCipher log lines either


def _run_cli(folder: Path, capfd) -> None:
    stdin, sys.stdin = sys.stdin, io.StringIO(ADMIN_PASSWORD + "\n")
    try:
        code = _within_watchdog(
            lambda: cli.main(["--data-dir", str(folder), "verify", "--user", ADMIN, "--password-stdin"]))
    except SystemExit as exc:  # argparse only; not expected here
        code = exc.code
    except Exception as exc:  # noqa: BLE001
        raise AssertionError(f"{type(exc).__name__} escaped the command line: {exc!r}"[:2000]) from exc
    finally:
        sys.stdin = stdin
    out, err = capfd.readouterr()
    _note(f"exit {code}: {err[:70]}")
    assert "Traceback" not in out + err, err[-3000:]
    assert code in (0, 1, 2, 3), (code, err)
    lines = [line for line in err.splitlines() if line.strip()]
    if code == 0:
        assert not lines, err
    elif lines and lines[0].startswith("Store damaged"):
        assert code == 3  # verify's own report: the summary, then its findings
    else:
        assert len(lines) == 1 and lines[0].startswith("shelter: "), err[-3000:]
        assert "File error" not in lines[0], lines[0]


# -- the properties ------------------------------------------------------------------


@settings(FUZZ, max_examples=180)
@given(data=st.data())
def test_a_malformed_keyring_gives_a_shelter_error(store_dir, capfd, data):
    capfd.readouterr()
    original = json.loads((store_dir / "keyring.json").read_text("utf-8"))
    with _copy_of(store_dir) as folder:
        (folder / "keyring.json").write_bytes(_serialise(_mutate_json(original, data.draw)))
        _open_as_staff(folder)
    _no_traceback(capfd)


# Within range (so parsing passes and the values reach the delay, the audit
# log and the head check), or, in one example of four, also just past it.
_times = st.one_of(
    st.floats(min_value=0, max_value=253_402_214_400), st.floats(min_value=1.6e9, max_value=1.9e9),
    st.sampled_from([0.0, 1.7e9, 1.7e9 + 86_400, 253_402_214_400.0]), st.integers(0, 2**31),
)
_past = {
    "time": st.sampled_from([-1e-300, -1.0, 253_402_300_800.0, 1e20]),
    "count": st.sampled_from([-1, 10**9 + 1]),
    "sequence": st.sampled_from([-1, 2**63]),
}


@settings(FUZZ, max_examples=50)
@given(data=st.data())
def test_edge_values_in_the_bookkeeping_give_a_shelter_error(store_dir, capfd, data):
    """Failure counters, pending failures, the audit head and the revision
    set to values of the right type at the edges of (and past) their ranges,
    with a clock that may be far off: these get past parsing, to the delay,
    the audit log and the head check, where the old crashes were."""
    capfd.readouterr()
    original = json.loads((store_dir / "keyring.json").read_text("utf-8"))
    admin_slot = next(s["id"] for s in original["slots"] if s["id"] != "recovery")
    slots = st.sampled_from([admin_slot, "unknown", "recovery", None, "user:" + "0" * 32])
    past = data.draw(st.integers(0, 3)) == 0

    def edge(kind: str, within: st.SearchStrategy) -> st.SearchStrategy:
        return st.one_of(within, _past[kind]) if past else within

    times, counts = edge("time", _times), edge("count", st.integers(0, 10**9))
    ring = copy.deepcopy(original)
    ring["sign_in_failures"] = data.draw(st.dictionaries(
        slots.filter(lambda x: x is not None),
        st.fixed_dictionaries({"count": st.one_of(st.integers(0, 40), counts), "last_at": times}), max_size=3))
    ring["pending_failures"] = data.draw(st.lists(
        st.fixed_dictionaries({"slot": slots, "at": times}), max_size=5)) * data.draw(st.sampled_from([1, 120]))
    if data.draw(st.booleans()):
        ring["audit_head"] = {
            "sequence": data.draw(edge("sequence", st.one_of(st.integers(0, 10), st.integers(2**63 - 3, 2**63 - 1)))),
            "mac": data.draw(st.sampled_from([(original.get("audit_head") or {}).get("mac", "0" * 64), "0" * 64])),
        }
    ring["revision"] = data.draw(edge("sequence", st.one_of(st.integers(0, 3), st.integers(2**63 - 2, 2**63 - 1))))
    now = data.draw(st.one_of(st.none(), st.sampled_from([0.0, 1.0, 1.7e9, 4e9, 2.5e11])))
    with _copy_of(store_dir) as folder:
        (folder / "keyring.json").write_bytes(_serialise(ring))
        _open_as_staff(folder, None if now is None else (lambda: now))
    _no_traceback(capfd)


@settings(FUZZ, max_examples=150)
@given(data=st.data())
def test_a_keyring_file_damaged_byte_by_byte_gives_a_shelter_error(store_dir, capfd, data):
    capfd.readouterr()
    raw = (store_dir / "keyring.json").read_bytes()
    with _copy_of(store_dir) as folder:
        path = folder / "keyring.json"
        if data.draw(st.integers(0, 15)) == 0:  # a folder where the keyring should be
            path.unlink()
            path.mkdir()
        else:
            path.write_bytes(_mutate_bytes(raw, data.draw))
        _open_as_staff(folder)
    _no_traceback(capfd)


@settings(FUZZ, max_examples=50)
@given(data=st.data())
def test_a_damaged_database_file_gives_a_shelter_error(store_dir, capfd, data):
    capfd.readouterr()
    with _copy_of(store_dir) as folder:
        _damage_database(folder, data.draw)
        _open_as_staff(folder)
    _no_traceback(capfd)


@settings(FUZZ, max_examples=50)
@given(data=st.data())
def test_the_command_line_says_one_line_for_any_damaged_file(store_dir, capfd, data):
    capfd.readouterr()
    with _copy_of(store_dir) as folder:
        target = data.draw(st.sampled_from(["keyring", "keyring-bytes", "database"]))
        if target == "keyring":
            original = json.loads((folder / "keyring.json").read_text("utf-8"))
            (folder / "keyring.json").write_bytes(_serialise(_mutate_json(original, data.draw)))
        elif target == "keyring-bytes":
            path = folder / "keyring.json"
            path.write_bytes(_mutate_bytes(path.read_bytes(), data.draw))
        else:
            _damage_database(folder, data.draw)
        _run_cli(folder, capfd)


def test_the_fuzzers_can_still_open_an_intact_store(store_dir, capfd):
    """The harness itself: an undamaged copy signs in and verifies."""
    capfd.readouterr()
    with _copy_of(store_dir) as folder:
        Store(folder).sign_in(ADMIN, ADMIN_PASSWORD).lock("sign_out")
        _run_cli(folder, capfd)
    assert os.path.isdir(store_dir)
