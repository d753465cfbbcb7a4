"""A writer to be killed, and the harness that kills it.

The writer (``python -m tests.killwriter --data-dir D --mode M --seed S``)
signs in to an existing store and loops doing real service writes until it is
killed. It speaks a line protocol on stdout, each line flushed at once:

    READY <pid> <generation>          signed in; the loop starts now
    BEGIN <op>                        the service call <op> starts
    ACK <op> <fields...>              the call returned (printed right after)
    EVENT replaced <name>             a file in the data folder was renamed into place
    DIE before|after <name>           --die-at: the writer kills itself now

An ``ACK`` line is the writer's promise: whatever that call committed must be
there after any kill. ``BEGIN`` without ``ACK`` is the call the kill landed
in. Modes: ``write`` (admissions, transfers, reservations, discharges),
``rotate`` (admissions and ``rotate_key``), ``recovery`` (admissions and
``new_recovery_code``), ``mixed`` (all of them and new accounts).

``--die-at before:N`` / ``after:N`` makes the writer SIGKILL itself just
before / just after the N-th rename into the data folder after READY (the
switch of an atomic file write: the temporary file is complete, the rename is
or is not done); ``after:N:keyring.json`` counts only renames onto that name.
That lands kills on the instants a timer rarely hits.

The parent side (``KillHarness``) starts writers, kills them with SIGKILL at
seeded random moments (after READY, or inside a chosen call, spread over the
call's measured duration, or at a crash point), then signs in and checks every
invariant; see ``KillHarness.check``. ``tests/test_kill.py`` and
``benchmarks/kill.py`` drive it.
"""

from __future__ import annotations

import argparse
import contextlib
import hmac
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

# The administrator of tests/conftest.py's template store (not imported from
# there: the writer must not import pytest; tests/test_kill.py checks they match).
USER = "amina"
PASSWORD = "correct horse battery staple"
MODES = ("write", "rotate", "recovery", "mixed")
ROOM = "Kill room"
ROOM_BEDS = 24

# Operations each mode draws from, with weights.
WEIGHTS: dict[str, dict[str, int]] = {
    "write": {"admit": 6, "transfer": 2, "reserve": 2, "discharge": 1},
    "rotate": {"admit": 3, "rotate": 3, "transfer": 1},
    "recovery": {"admit": 3, "recovery": 3},
    "mixed": {"admit": 4, "transfer": 1, "reserve": 1, "discharge": 1, "rotate": 2, "recovery": 2, "account": 1},
}

_FIRST = ("Fatima", "Aisha", "Grace", "Blessing", "Mariam", "Awa", "Khadija", "Joy", "Esther", "Salma")
_LAST = ("Okoro", "Diallo", "Benali", "Mensah", "Traore", "Adeyemi", "Kone", "Ndiaye", "Eze", "Camara")


def account_password(username: str) -> str:
    import hashlib

    return f"lanterns over the harbour {hashlib.sha256(username.encode()).hexdigest()[:8]} at dusk"


def emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


# -- the writer -------------------------------------------------------------------


class _RenameHooks:
    """Watch renames into the data folder (the switch of every atomic write)
    and optionally SIGKILL this process just before or after the N-th one."""

    def __init__(self, folder: Path, die_at: str | None) -> None:
        self.folder = os.path.realpath(folder)
        self.armed = False
        self.count = 0
        self.die: tuple[str, int] | None = None
        self.die_name: str | None = None
        if die_at:
            when, _, rest = die_at.partition(":")
            number, _, name = rest.partition(":")
            if when not in ("before", "after") or not number.isdigit():
                raise SystemExit(f"--die-at takes before:N[:NAME] or after:N[:NAME], not {die_at!r}")
            self.die, self.die_name = (when, int(number)), name or None
        for name in ("replace", "rename"):
            setattr(os, name, self._wrap(getattr(os, name)))

    def _wrap(self, real):
        def hooked(src, dst, *args, **kwargs):
            inside = self.armed and os.path.realpath(os.path.dirname(os.fspath(dst)) or ".") == self.folder
            name = os.path.basename(os.fspath(dst))
            if inside and self.die_name in (None, name):
                self.count += 1
            if inside:
                self._maybe_die("before", name)
            result = real(src, dst, *args, **kwargs)
            if inside:
                emit(f"EVENT replaced {name}")
                self._maybe_die("after", name)
            return result

        return hooked

    def _maybe_die(self, when: str, name: str) -> None:
        if self.die == (when, self.count) and self.die_name in (None, name):
            emit(f"DIE {when} {name}")
            os.kill(os.getpid(), signal.SIGKILL)


class Writer:
    def __init__(self, who, rng, mode: str, seed: int) -> None:
        self.who = who
        self.rng = rng
        self.seed = seed
        self.ops = list(WEIGHTS[mode])
        self.weights = [WEIGHTS[mode][op] for op in self.ops]
        self.reservation: int | None = None
        self.serial = 0

    def step(self) -> None:
        getattr(self, "op_" + self.rng.choices(self.ops, self.weights)[0])()

    # -- helpers

    def _identity(self):
        from datetime import date

        from shelter.domain.people import Identity

        rng = self.rng
        return Identity(name_latin=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}", sex="female",
                        birth_date=date(rng.randint(1975, 2004), rng.randint(1, 12), rng.randint(1, 28)),
                        nationality=rng.choice(("NG", "CM", "MA", "SN", "CI")))

    def _free_beds(self) -> list[int]:
        from shelter.services import admissions

        return [c.bed_id for c in admissions.compatible_beds(self.who, self._identity())]

    def _open_stays(self) -> list[int]:
        from sqlalchemy import select

        from shelter.storage.models import Stay

        with self.who.store.read() as s:
            return list(s.execute(select(Stay.id).where(Stay.discharged_at.is_(None)).order_by(Stay.id)).scalars())

    def cancel_stale_reservations(self) -> None:
        """Reservations a killed writer left open would hold beds for hours."""
        from sqlalchemy import select

        from shelter.services import beds
        from shelter.storage.models import Reservation

        with self.who.store.read() as s:
            stale = list(s.execute(select(Reservation.id).where(Reservation.closed_at.is_(None))).scalars())
        for reservation in stale:
            emit("BEGIN cancel")
            beds.cancel_reservation(self.who, reservation)
            emit(f"ACK cancel {reservation}")

    # -- operations (each prints BEGIN before the service call and ACK right after it returns)

    def op_admit(self) -> None:
        from datetime import date

        from shelter.domain.people import Protection, ReferralInfo
        from shelter.services import admissions
        from shelter.services.admissions import Admission

        free = self._free_beds()
        if not free:
            self.op_discharge()
            free = self._free_beds()
        bed = self.rng.choice(free)
        admission = Admission(
            identity=self._identity(),
            referral=ReferralInfo(referred_on=date.today(), source=self.rng.choice(("police", "ngo", "hotline"))),
            protection=Protection(risk_level=self.rng.choice(("low", "medium", "high"))),
            bed_id=bed,
        )
        emit("BEGIN admit")
        done = admissions.admit(self.who, admission)
        emit(f"ACK admit {done.case_number} {done.stay_id} {bed}")

    def op_discharge(self) -> None:
        from datetime import UTC, datetime

        from shelter.services import discharge

        stays = self._open_stays()
        if not stays:
            return self.op_admit()
        stay = stays[0]
        emit("BEGIN discharge")
        discharge.discharge(self.who, stay, datetime.now(UTC), "independent_living")
        emit(f"ACK discharge {stay}")

    def op_transfer(self) -> None:
        from shelter.services import beds

        stays, free = self._open_stays(), self._free_beds()
        if not stays:
            return self.op_admit()
        if not free:
            return self.op_discharge()
        stay, bed = self.rng.choice(stays), self.rng.choice(free)
        emit("BEGIN transfer")
        beds.transfer(self.who, stay, bed)
        emit(f"ACK transfer {stay} {bed}")

    def op_reserve(self) -> None:
        from shelter.services import beds

        if self.reservation is not None:
            reservation, self.reservation = self.reservation, None
            emit("BEGIN cancel")
            beds.cancel_reservation(self.who, reservation)
            emit(f"ACK cancel {reservation}")
            return
        free = self._free_beds()
        if not free:
            return self.op_discharge()
        bed = self.rng.choice(free)
        emit("BEGIN reserve")
        reservation = beds.reserve_bed(self.who, bed, "police, Rabat", hours=2).reservation_id
        emit(f"ACK reserve {reservation} {bed}")
        self.reservation = reservation

    def op_rotate(self) -> None:
        from shelter.services.maintenance import rotate_key

        emit("BEGIN rotate")
        generation = rotate_key(self.who)
        emit(f"ACK rotate {generation}")

    def op_recovery(self) -> None:
        from shelter.services.documents import confirm_recovery_code, new_recovery_code

        emit("BEGIN recovery")
        code = new_recovery_code(self.who)
        emit(f"ACK recovery {code}")  # shown: from here a person holds it
        emit("BEGIN confirm")
        confirm_recovery_code(self.who, code)
        emit(f"ACK confirm {code}")

    def op_account(self) -> None:
        from shelter.security.permissions import Role
        from shelter.services.accounts import create_account

        self.serial += 1
        username = f"kw{self.seed}x{self.serial}"
        emit("BEGIN account")
        create_account(self.who, username, "Kill Writer", [Role.SOCIAL_WORKER], account_password(username),
                       must_change_password=False)
        emit(f"ACK account {username}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.killwriter")
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--mode", required=True, choices=MODES)
    parser.add_argument("--seed", required=True, type=int)
    parser.add_argument("--user", default=USER)
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument("--die-at", default=None,
                        help="before:N[:NAME] or after:N[:NAME] (the N-th rename after READY, onto NAME)")
    parser.add_argument("--max-ops", type=int, default=100_000)
    args = parser.parse_args(argv)
    hooks = _RenameHooks(args.data_dir, args.die_at)
    from shelter.store import Store

    who = Store(args.data_dir).sign_in(args.user, args.password)
    emit(f"READY {os.getpid()} {who.store.keyring.generation}")
    hooks.armed = True
    writer = Writer(who, random.Random(args.seed), args.mode, args.seed)
    writer.cancel_stale_reservations()
    for _ in range(args.max_ops):
        writer.step()
    emit("DONE")
    who.lock("sign_out")
    return 0


# -- the harness (parent side) ------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
# Each mode's kills cycle through the timing strategies, and its crash-point
# kills through the crash points, so a short run covers them all; the delays
# are drawn from the kill's seeded generator.
STRATEGIES = ("during-call", "after-ready", "crash-point", "during-call", "after-ready")
_ANY = ("after:1", "before:1", "after:2", "before:2", "after:3", "before:3")
_KEYRING = ("after:1:keyring.json", "before:1:keyring.json", "after:2:keyring.json", "before:2:keyring.json")
CRASH_POINTS = {"write": _ANY, "rotate": _KEYRING + ("after:3:keyring.json", "before:3"),
                "recovery": _KEYRING + ("after:3:keyring.json", "after:1"),
                "mixed": ("after:1:keyring.json", "before:2", "after:2:keyring.json", "before:1:keyring.json",
                          "after:3", "before:3:keyring.json")}
# Initial guesses of each call's duration (s) on the test store; replaced by
# the median of what the harness measures (BEGIN to ACK) as it runs.
INITIAL_DURATION = {"admit": 0.03, "transfer": 0.03, "reserve": 0.03, "cancel": 0.03, "discharge": 0.03,
                    "rotate": 0.05, "recovery": 0.3, "account": 0.3}
# Seconds to wait for a crash point before killing anyway: renames come
# within a second or two in the modes that rotate or replace the code; the
# write mode renames nothing on a store that keeps its audit head only at
# sign-in and lock.
CRASH_POINT_WAIT = {"write": 1.0, "rotate": 3.0, "recovery": 3.0, "mixed": 3.0}
AFTER_READY_SPAN = {"write": 0.4, "rotate": 0.5, "recovery": 1.0, "mixed": 1.0}
DURING_TARGETS = {"write": ("admit", "admit", "transfer", "reserve"), "rotate": ("rotate",),
                  "recovery": ("recovery",), "mixed": ("rotate", "recovery", "account", "admit")}
_DB_FILE = re.compile(r"(shelter(?:\.g(\d+))?\.db)(-wal|-shm|-journal)?")


@dataclass
class Failure:
    kill: int
    mode: str
    seed: int
    timing: str
    in_flight: str
    invariant: str
    expected: str
    found: str

    def __str__(self) -> str:
        return (f"kill #{self.kill} mode={self.mode} writer seed={self.seed} {self.timing}, killed in: "
                f"{self.in_flight}: [{self.invariant}] expected {self.expected}; found {self.found}")


@dataclass
class Counts:
    kills: int = 0
    by_mode: Counter = field(default_factory=Counter)
    by_strategy: Counter = field(default_factory=Counter)
    landed_in: Counter = field(default_factory=Counter)  # the call in flight at the kill
    acks: Counter = field(default_factory=Counter)  # acknowledged calls, by kind
    checks: int = 0  # acknowledged commits checked, summed over kills (every one is checked after every kill)
    completed_unacked: Counter = field(default_factory=Counter)  # returned, killed before its ACK line
    newer_leftovers: int = 0  # files of a newer key generation left by a rotation killed before its switch
    newer_names: Counter = field(default_factory=Counter)  # those files by kind (shelter.gN.db, ...-journal)
    parent_reissued: int = 0  # recovery codes the parent issued because none it knew opened the store
    fallbacks: int = 0  # timed kills that replaced a crash point or target never reached
    repeats: Counter = field(default_factory=Counter)  # a lasting failure seen again (reported once)
    notes: list[str] = field(default_factory=list)  # accepted cases, with their kill
    writer_seconds: float = 0.0
    check_seconds: float = 0.0
    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def summary(self, failures: list[Failure]) -> str:
        def fmt(counter: Counter) -> str:
            return ", ".join(f"{k} {v}" for k, v in sorted(counter.items())) or "none"

        medians = ", ".join(f"{op} {statistics.median(v) * 1000:.0f} ms" for op, v in sorted(self.durations.items()))
        by_invariant = Counter(f.invariant for f in failures)
        return "\n".join([
            f"kills: {self.kills} ({fmt(self.by_mode)})",
            f"kill timing: {fmt(self.by_strategy)}; fell back to a timed kill: {self.fallbacks}",
            f"kills landed in: {fmt(self.landed_in)}",
            f"acknowledged commits: {sum(self.acks.values())} ({fmt(self.acks)}); checks of them: {self.checks}",
            f"completed but killed before the ACK line: {fmt(self.completed_unacked)}",
            f"newer-generation files left by a killed rotation: {self.newer_leftovers} ({fmt(self.newer_names)}); "
            f"recovery codes reissued by the checker: {self.parent_reissued}",
            f"measured call durations (median): {medians or 'none'}",
            f"time: writers {self.writer_seconds:.1f} s, checks {self.check_seconds:.1f} s",
            f"failures: {len(failures)} ({fmt(by_invariant)}); the same lasting failure seen again after "
            f"later kills: {fmt(self.repeats)}",
        ])


@dataclass
class Ledger:
    """Everything acknowledged so far (the store accumulates across kills)."""

    cases: dict[str, int] = field(default_factory=dict)  # case number -> kill that acknowledged it
    assignments: dict[tuple[int, int], int] = field(default_factory=dict)  # (stay, bed)
    reservations: dict[int, int] = field(default_factory=dict)
    cancelled: dict[int, int] = field(default_factory=dict)
    discharged: dict[int, int] = field(default_factory=dict)
    accounts: dict[str, int] = field(default_factory=dict)
    generation: int = 0
    code: str | None = None  # the recovery code in force (the last confirmed), as far as anyone was told
    pending: str | None = None  # a new code shown (ACK recovery) and not yet confirmed
    code_from: str = "the store's creation"
    code_public: bytes | None = None  # public key of the slot it was last seen opening
    code_slot: tuple | None = None  # that slot as stored, with store id and generation (unchanged: it still opens)
    recovery_entries: int = 0  # committed store.recovery_code audit entries at the end of the last check

    def total(self) -> int:
        return (len(self.cases) + len(self.assignments) + len(self.reservations) + len(self.cancelled)
                + len(self.discharged) + len(self.accounts))


class _Lines:
    """Read a writer's stdout in a thread, timestamping each line."""

    def __init__(self, stream) -> None:
        self.lines: list[tuple[float, str]] = []
        self.partial = ""
        self._cond = threading.Condition()
        self._done = False
        self._thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self._thread.start()

    def _run(self, stream) -> None:
        for raw in stream:
            now = time.monotonic()
            with self._cond:
                if raw.endswith("\n"):
                    self.lines.append((now, raw.rstrip("\n")))
                else:
                    self.partial = raw  # cut by the kill: never acknowledged
                self._cond.notify_all()
        with self._cond:
            self._done = True
            self._cond.notify_all()

    def wait_for(self, predicate, count: int = 1, timeout: float = 30.0) -> float | None:
        """The time the ``count``-th line matching ``predicate`` arrived, or None
        (timeout, or the stream ended first)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                seen = [t for t, line in self.lines if predicate(line)]
                if len(seen) >= count:
                    return seen[count - 1]
                left = deadline - time.monotonic()
                if self._done or left <= 0:
                    return None
                self._cond.wait(left)

    def join(self, timeout: float = 30.0) -> None:
        self._thread.join(timeout)


def prepare_store(folder: Path, user: str = USER, password: str = PASSWORD) -> None:
    """Give the administrator the coordinator role too (one writer admits and
    rotates) and add a room of beds."""
    from shelter.security.permissions import Role
    from shelter.services import accounts, shelters
    from shelter.store import Store

    who = Store(folder).sign_in(user, password)
    try:
        accounts.set_roles(who, who.actor.account_id, [Role.ADMINISTRATOR, Role.COORDINATOR])
        shelter = shelters.list_shelters(who)[0]
        shelters.add_room(who, shelter.id, ROOM, beds=ROOM_BEDS, women_only=True)
    finally:
        who.lock("sign_out")


class KillHarness:
    """Kill writers on one store and check it after each kill."""

    def __init__(self, folder: Path, recovery_code: str, base_seed: int, *, user: str = USER,
                 password: str = PASSWORD, log_dir: Path | None = None, progress=None) -> None:
        self.folder = Path(folder)
        self.user, self.password = user, password
        self.base_seed = base_seed
        self.log_dir = Path(log_dir) if log_dir else self.folder.parent
        self.progress = progress
        self.ledger = Ledger(code=recovery_code)
        self.counts = Counts()
        self.failures: list[Failure] = []
        self._reported: set[tuple] = set()  # lasting conditions, reported once
        self._crash_points: Counter = Counter()
        self._killed_at: float | None = None
        self._started = False

    # -- running

    def run(self, kills: int, modes: tuple[str, ...] = MODES) -> list[Failure]:
        if not self._started:
            self._baseline()
        for i in range(kills):
            self.kill_once(self.counts.kills + 1, modes[i % len(modes)])
        return self.failures

    def _baseline(self) -> None:
        """The invariants hold before the first kill (else the test is wrong)."""
        self._started = True
        from shelter.security.keyring import Keyring

        self.ledger.generation = Keyring.load(self.folder / "keyring.json").generation
        before = len(self.failures)
        self.check(0, "baseline", 0, "before any kill", "nothing", [])
        if len(self.failures) > before:
            raise AssertionError("the store is broken before any kill:\n" + "\n".join(map(str, self.failures)))

    def _estimate(self, op: str) -> float:
        seen = self.counts.durations.get(op)
        return statistics.median(seen[-25:]) if seen else INITIAL_DURATION[op]

    def kill_once(self, number: int, mode: str) -> None:
        rng = random.Random(f"{self.base_seed}/{number}")
        seed = self.base_seed * 1000 + number
        in_mode = self.counts.by_mode[mode]
        strategy = STRATEGIES[in_mode % len(STRATEGIES)]
        command = [sys.executable, "-m", "tests.killwriter", "--data-dir", str(self.folder), "--mode", mode,
                   "--seed", str(seed), "--user", self.user, "--password", self.password]
        die_at = None
        if strategy == "crash-point":
            die_at = CRASH_POINTS[mode][self._crash_points[mode] % len(CRASH_POINTS[mode])]
            self._crash_points[mode] += 1
            command += ["--die-at", die_at]
        err_path = self.log_dir / f"killwriter-{number}.stderr"
        start = time.monotonic()
        with open(err_path, "w+", encoding="utf-8") as err:
            proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True, bufsize=1)
            lines = _Lines(proc.stdout)
            timing, fell_back = self._kill(proc, lines, rng, strategy, mode, die_at)
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            rc = proc.wait(timeout=60)
            self._killed_at = time.time()  # the writer is gone: later audit entries are the checker's
            lines.join()
            err.seek(0)
            stderr = err.read()
        self.counts.writer_seconds += time.monotonic() - start
        self.counts.kills += 1
        self.counts.by_mode[mode] += 1
        self.counts.by_strategy[strategy] += 1
        self.counts.fallbacks += fell_back
        acks, in_flight = self._parse(lines.lines)
        self.counts.landed_in[in_flight] += 1
        if rc != -signal.SIGKILL:
            tail = " | ".join(stderr.strip().splitlines()[-6:])
            self._fail(number, mode, seed, timing, in_flight, "writer-exit",
                       "the writer runs until SIGKILL", f"exit status {rc}; stderr: {tail or 'empty'}")
        else:
            with contextlib.suppress(OSError):
                err_path.unlink()
        check_start = time.monotonic()
        self.check(number, mode, seed, timing, in_flight, acks)
        self.counts.check_seconds += time.monotonic() - check_start
        if self.progress:
            self.progress(number, mode, timing, in_flight, len(acks), len(self.failures))

    def _kill(self, proc, lines: _Lines, rng: random.Random, strategy: str, mode: str,
              die_at: str | None) -> tuple[str, bool]:
        """Wait for the chosen moment and SIGKILL. Returns a description of the
        timing and whether a fallback timed kill replaced the plan."""
        ready = lines.wait_for(lambda line: line.startswith("READY "), timeout=120)
        if ready is None:
            return f"{strategy}: never READY", False
        if strategy == "after-ready":
            delay = rng.uniform(0, AFTER_READY_SPAN[mode])
            time.sleep(max(0.0, ready + delay - time.monotonic()))
            self._sigkill(proc)
            return f"{strategy} +{delay * 1000:.1f} ms", False
        if strategy == "during-call":
            target = rng.choice(DURING_TARGETS[mode])
            nth = rng.randint(1, 3)
            span = 1.15 * self._estimate(target)
            delay = rng.uniform(0, span)
            began = lines.wait_for(lambda line: line == f"BEGIN {target}", nth, timeout=15)
            if began is None:
                self._sigkill(proc)
                return f"{strategy} {target} #{nth}: not reached, killed after 15 s", True
            time.sleep(max(0.0, began + delay - time.monotonic()))
            self._sigkill(proc)
            return f"{strategy} {target} #{nth} +{delay * 1000:.1f} ms of ~{span * 1000:.0f} ms", False
        # crash-point: the writer kills itself at the N-th rename; if it never
        # gets there (a mode that renames nothing), kill it when the wait ends.
        try:
            proc.wait(timeout=CRASH_POINT_WAIT[mode])
            return f"{strategy} {die_at}", False
        except subprocess.TimeoutExpired:
            self._sigkill(proc)
            return f"{strategy} {die_at}: not reached in {CRASH_POINT_WAIT[mode]:.0f} s, killed then", True

    @staticmethod
    def _sigkill(proc) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)

    def _parse(self, lines: list[tuple[float, str]]) -> tuple[list[list[str]], str]:
        acks: list[list[str]] = []
        in_flight, began = "between calls", 0.0
        died = ""
        for at, line in lines:
            word, _, rest = line.partition(" ")
            if word == "BEGIN":
                in_flight, began = rest, at
            elif word == "ACK":
                parts = rest.split()
                acks.append(parts)
                self.counts.acks[parts[0]] += 1
                self.counts.durations[parts[0]].append(at - began)
                in_flight = "between calls"
            elif word == "DIE":
                died = f" ({line.lower()})"
            elif word == "READY":
                in_flight = "between calls"
        if not any(line.startswith("READY") for _, line in lines):
            in_flight = "sign-in (never READY)"
        return acks, in_flight + died

    # -- checking

    def _fail(self, kill: int, mode: str, seed: int, timing: str, in_flight: str, invariant: str, expected: str,
              found: str, once: tuple | None = None) -> None:
        if once is not None:
            if once in self._reported:
                self.counts.repeats[invariant] += 1
                return
            self._reported.add(once)
        self.failures.append(Failure(kill, mode, seed, timing, in_flight, invariant, expected, found))

    def check(self, kill: int, mode: str, seed: int, timing: str, in_flight: str, acks: list[list[str]]) -> None:
        """Sign in and check, after the kill:

        - the administrator signs in (the store opens);
        - no temporary or unknown file is left beside the keyring, no database
          file of an older key generation, and the keyring and database files
          are 0600 (the folder 0700);
        - ``verify``: integrity_check, cipher_integrity_check, the audit chain
          against the keyring's head;
        - every acknowledged admission, transfer, reservation, cancellation,
          discharge and account is in the database (since the first kill);
        - the keyring's key generation is the last acknowledged one, or one
          more if a rotation was in flight;
        - the recovery slot exists, the database vouches for it (a later
          rotation keeps it), and the last acknowledged recovery code opens
          it -- unless the replacement in flight completed (its audit entry
          committed, the new slot vouched) and only its ACK line is missing;
          the code it replaced no longer opens;
        - an acknowledged account's password opens the store.
        """
        from sqlalchemy import func, select

        from shelter.errors import StoreDamaged, WrongPassword
        from shelter.security.keyring import Keyring
        from shelter.services.documents import confirm_recovery_code, new_recovery_code
        from shelter.services.maintenance import verify
        from shelter.storage.models import (
            AuditEntry,
            BedAssignment,
            Reservation,
            Resident,
            StaffAccount,
            Stay,
            StoreMeta,
        )
        from shelter.store import META_RECOVERY_NEXT, META_RECOVERY_PUBLIC, Store

        def fail(invariant: str, expected: str, found: str, once: tuple | None = None) -> None:
            self._fail(kill, mode, seed, timing, in_flight, invariant, expected, found, once)

        killed_at = datetime.fromtimestamp(self._killed_at or time.time(), UTC)
        ledger = self.ledger
        new_codes: list[str] = []
        confirmed_codes: list[str] = []
        new_accounts: list[str] = []
        rotations: list[int] = []
        for ack in acks:
            op = ack[0]
            if op == "admit":
                ledger.cases[ack[1]] = kill
                ledger.assignments[(int(ack[2]), int(ack[3]))] = kill
            elif op == "transfer":
                ledger.assignments[(int(ack[1]), int(ack[2]))] = kill
            elif op == "reserve":
                ledger.reservations[int(ack[1])] = kill
            elif op == "cancel":
                ledger.cancelled[int(ack[1])] = kill
            elif op == "discharge":
                ledger.discharged[int(ack[1])] = kill
            elif op == "account":
                ledger.accounts[ack[1]] = kill
                new_accounts.append(ack[1])
            elif op == "rotate":
                rotations.append(int(ack[1]))
            elif op == "recovery":
                new_codes.append(ack[1])
            elif op == "confirm":
                confirmed_codes.append(ack[1])
        # Codes shown in order; every one before the last confirmed must be dead.
        shown = [ledger.code, *new_codes]
        replaced_code = None
        if confirmed_codes and confirmed_codes[-1] in shown:
            at = shown.index(confirmed_codes[-1])
            replaced_code = shown[at - 1] if at > 0 else None
        # The code in force is the last confirmed one; a confirmation in flight
        # may or may not have switched (either code is then acceptable). A new
        # code shown and not confirmed must open too, unless a newer
        # new_recovery_code was in flight (it replaces an unconfirmed code).
        if confirmed_codes:
            ledger.code, ledger.code_from = confirmed_codes[-1], f"ACK confirm at kill #{kill}"
        alternative = None
        if new_codes and new_codes[-1] not in confirmed_codes:
            ledger.pending = new_codes[-1]
            if in_flight.startswith("confirm"):
                alternative = new_codes[-1]
        elif confirmed_codes:
            ledger.pending = None
        if in_flight.startswith("recovery"):
            ledger.pending = None
        if new_codes or confirmed_codes:
            ledger.code_public, ledger.code_slot = None, None

        try:
            who = Store(self.folder).sign_in(self.user, self.password)
        except Exception as exc:  # the store does not open: nothing else can be checked
            fail("sign-in", "the administrator signs in after the kill", f"{type(exc).__name__}: {exc}")
            return
        try:
            disk = Keyring.load(self.folder / "keyring.json")
            self._check_files(disk, fail)

            report = verify(who)
            if not report.ok:
                fields = {k: v for k, v in vars(report).items() if k != "ok"}
                shown = ", ".join(f"{k}={(v[:3] if isinstance(v, list) else v)!r}" for k, v in fields.items())
                fail("verify", "verify(who).ok: integrity_check ok, cipher_integrity_check empty, audit chain "
                     "unbroken (and whatever else verify checks)",
                     f"{shown}; keyring audit_head {getattr(disk, 'audit_head', None)}",
                     once=("verify",) + tuple(bool(v) for v in fields.values()))

            with who.store.read() as s:
                cases = set(s.execute(select(Resident.case_number)).scalars())
                assignments = {(r[0], r[1]) for r in s.execute(select(BedAssignment.stay_id, BedAssignment.bed_id))}
                reservations = {r[0]: r[1] for r in s.execute(select(Reservation.id, Reservation.closed_at))}
                discharged = set(s.execute(select(Stay.id).where(Stay.discharged_at.is_not(None))).scalars())
                staff = {a.username: (a.active, a.slot_public_key) for a in s.execute(select(StaffAccount)).scalars()}
                vouched = {row.value for row in (s.get(StoreMeta, META_RECOVERY_PUBLIC),
                                                 s.get(StoreMeta, META_RECOVERY_NEXT)) if row is not None}
                # Only entries the writer made count (written before it died), not
                # any a sign-in that settles an interrupted replacement may add.
                entries = s.execute(select(AuditEntry.at, AuditEntry.outcome).where(
                    AuditEntry.action == "store.recovery_code")).all()
                recovery_entries = sum(1 for at, outcome in entries if outcome == "ok" and at <= killed_at)
            self.counts.checks += ledger.total() if kill else 0

            def lost(invariant: str, what: str, acked: dict, present) -> None:
                missing = [k for k in acked if not present(k)]
                if missing:
                    fail(invariant, f"every acknowledged {what} in the database",
                         f"{len(missing)} of {len(acked)} missing, e.g. "
                         + ", ".join(f"{k} (ACK at kill #{acked[k]})" for k in missing[:4]),
                         once=(invariant, tuple(missing)))

            lost("admission-lost", "admission (case number)", ledger.cases, lambda c: c in cases)
            lost("assignment-lost", "bed assignment (stay, bed)", ledger.assignments, lambda k: k in assignments)
            lost("reservation-lost", "reservation", ledger.reservations, lambda r: r in reservations)
            lost("cancel-lost", "cancellation", ledger.cancelled, lambda r: reservations.get(r) is not None)
            lost("discharge-lost", "discharge", ledger.discharged, lambda st: st in discharged)
            lost("account-lost", "account", ledger.accounts, lambda u: u in staff)

            # Key generation.
            floor = max([ledger.generation, *rotations])
            if disk.generation < floor:
                fail("generation", f"keyring generation >= {floor} (the last acknowledged rotate_key)",
                     f"generation {disk.generation}")
            elif disk.generation > floor:
                if disk.generation == floor + 1 and in_flight.startswith("rotate"):
                    # Killed after the switch (the keyring names the new file) and
                    # before the ACK line: the new generation is in force (accepted).
                    self.counts.completed_unacked["rotate (switch done)"] += 1
                    self.counts.notes.append(f"kill #{kill} ({mode}, {timing}): generation {disk.generation} in force, "
                                             f"last acknowledged {floor}")
                else:
                    fail("generation", f"keyring generation {floor} (or {floor + 1} with a rotation in flight)",
                         f"generation {disk.generation}")
            if disk.database != ("shelter.db" if disk.generation == 0 else f"shelter.g{disk.generation}.db"):
                fail("generation", f"the keyring of generation {disk.generation} names its own database file",
                     f"it names {disk.database}", once=("dbname", disk.database))
            ledger.generation = disk.generation

            # Accounts acknowledged: present, active, their slot the one the database vouches for.
            for username in ledger.accounts:
                if username not in staff:
                    continue
                active, public = staff[username]
                slot = disk.slots.get(disk.user_slot(username))
                if not active or slot is None or public is None or slot.public_key != public:
                    fail("account-slot", f"account {username} (ACK at kill #{ledger.accounts[username]}) active with "
                         "a keyring slot the database vouches for",
                         f"active={active} slot={'present' if slot else 'missing'} "
                         f"vouched={'yes' if slot and slot.public_key == public else 'no'}", once=("acct", username))

            # The recovery code: two steps, new (shown, ACK recovery) then
            # confirm (ACK confirm, its 'ok' audit entry); until confirmed both
            # the old and the new code open the store.
            committed = recovery_entries - ledger.recovery_entries
            if committed < len(confirmed_codes):
                fail("recovery-audit", f"{len(confirmed_codes)} 'ok' store.recovery_code entries for "
                     f"{len(confirmed_codes)} acknowledged confirmations", f"{committed}")
            elif committed > len(confirmed_codes) + (1 if in_flight.startswith("confirm") else 0):
                fail("recovery-audit", f"{len(confirmed_codes)} 'ok' store.recovery_code entries (or one more with "
                     "a confirmation in flight)", f"{committed}")
            slots = {sid: sl for sid, sl in disk.slots.items() if sl.kind == "recovery"}
            repair = False
            if not slots:
                fail("recovery-slot", "a recovery slot in the keyring", "none: no recovery code opens the store "
                     f"(last acknowledged code from {ledger.code_from})")
                repair = True
            else:
                for sid, sl in slots.items():
                    if sl.public_key not in vouched:
                        fail("recovery-unvouched", f"the keyring's recovery slot {sid} is one the database vouches "
                             "for (rotate_key drops unvouched slots)",
                             f"keyring slot {sl.public_key.hex()[:12]}, database vouches for "
                             f"{sorted(v.hex()[:12] for v in vouched)}")
                        repair = True
                opens, why = self._opens(disk, ledger.code, who.store.key, WrongPassword, StoreDamaged)
                if not opens and alternative is not None:
                    opens, why = self._opens(disk, alternative, who.store.key, WrongPassword, StoreDamaged)
                    if opens:  # the confirmation in flight had switched
                        ledger.code, ledger.code_from, ledger.pending = alternative, f"confirm in flight at kill #{kill}", None
                if opens and ledger.pending is not None:
                    still, why_pending = self._opens(disk, ledger.pending, who.store.key, WrongPassword, StoreDamaged)
                    if not still:
                        fail("recovery-pending", "the new recovery code shown and not yet confirmed opens the store",
                             f"it does not ({why_pending})")
                        ledger.pending = None
                if not opens:
                    fail("recovery-code", f"the last acknowledged recovery code (from {ledger.code_from}) opens "
                         "the store", f"it does not ({why}); recovery slots in the keyring: {sorted(slots)}; "
                         f"'ok' entries committed during this kill: {committed}; in flight: {in_flight or 'nothing'}")
                    repair = True
            if replaced_code is not None and slots:
                still, _ = self._opens(disk, replaced_code, who.store.key, WrongPassword, StoreDamaged)
                if still:
                    fail("old-code-open", "the recovery code replaced by an acknowledged confirmation no "
                         "longer opens the store", "it still opens it")
            if repair:
                # Put a known code back in force so the next kills check again.
                ledger.code = new_recovery_code(who)
                confirm_recovery_code(who, ledger.code)
                ledger.pending = None
                ledger.code_from, ledger.code_public, ledger.code_slot = f"the checker after kill #{kill}", None, None
                self.counts.parent_reissued += 1
            with who.store.read() as s:
                ledger.recovery_entries = s.execute(select(func.count()).select_from(AuditEntry).where(
                    AuditEntry.action == "store.recovery_code", AuditEntry.outcome == "ok")).scalar_one()
        finally:
            who.lock("sign_out")

        for username in new_accounts[-1:]:
            try:
                Store(self.folder).sign_in(username, account_password(username)).lock("sign_out")
            except Exception as exc:
                fail("account-sign-in", f"the acknowledged account {username} signs in with its password",
                     f"{type(exc).__name__}: {exc}")

    @staticmethod
    def _opens(ring, code: str | None, key: bytes, wrong, damaged) -> tuple[bool, str]:
        if code is None:
            return False, "no code known"
        try:
            return hmac.compare_digest(ring.unlock_recovery(code), key), "it opens a different key"
        except wrong:
            return False, "WrongPassword: the slot's key is not derived from it"
        except damaged as exc:
            return False, f"StoreDamaged: {exc}"

    def _check_files(self, disk, fail) -> None:
        """After sign-in: no temporary file (hidden, ``*.tmp``, a rollback
        journal), no database file of an older generation, every file 0600
        and the folder 0700. Other files of the store (``keyring.json``, lock
        files, an audit-head file...) are allowed; files of a newer
        generation (a rotation killed before its switch) are counted."""
        posix = os.name != "nt"
        folder_mode = self.folder.stat().st_mode & 0o777
        if posix and folder_mode != 0o700:
            fail("file-mode", "the data folder is 0700", f"{folder_mode:o}", once=("mode", ".", folder_mode))
        for path in sorted(self.folder.iterdir()):
            name = path.name
            if path.is_dir():
                if name != "backups":
                    fail("stray-file", "no folder but backups/ in the data folder", f"folder {name}/",
                         once=("stray", name))
                continue
            try:
                info = path.stat()
            except FileNotFoundError:
                continue
            mode = info.st_mode & 0o777
            match = _DB_FILE.fullmatch(name)
            if match and match.group(1) != disk.database:
                generation = int(match.group(2) or 0)
                if generation < disk.generation:
                    fail("stale-file", f"no database file of a generation older than {disk.generation} after "
                         "sign-in", name, once=("stale", name))
                elif ("newer", name) not in self._reported:
                    # A rotation killed before its switch: by design sign-in leaves newer
                    # generations alone (they may be the real store under an old keyring).
                    self._reported.add(("newer", name))
                    self.counts.newer_leftovers += 1
                    self.counts.newer_names[re.sub(r"\.g\d+\.", ".gN.", name)] += 1
                continue
            if name.startswith(".") or name.endswith((".tmp", ".temp", ".partial")) or (
                    match and match.group(3) == "-journal"):
                fail("stray-file", "no temporary file beside the keyring after sign-in (a kill mid-write leaves "
                     "one; the next sign-in must remove it)", f"{name} ({info.st_size} bytes)", once=("stray", name))
                continue
            if posix and mode != 0o600:
                kind = ("database" + (match.group(3) or "")) if match else name
                fail("file-mode", "every file of the store is 0600", f"{name} is {mode:o}", once=("mode", kind, mode))

    def finish(self) -> None:
        """End to end: Store.recover with the code in force (changes the
        administrator's password to ``PASSWORD`` again)."""
        from shelter.store import Store

        if self.ledger.code is None:
            return
        try:
            Store(self.folder).recover(self.ledger.code, self.user, self.password).lock("sign_out")
        except Exception as exc:
            self._fail(self.counts.kills, "final", 0, "after the last kill", "nothing", "recover",
                       f"Store.recover with the code from {self.ledger.code_from} succeeds",
                       f"{type(exc).__name__}: {exc}")

    def report(self, limit: int = 30) -> str:
        lines = [f"base seed {self.base_seed}", self.counts.summary(self.failures)]
        lines += ["accepted: " + note for note in self.counts.notes if "recovery" in note][:10]
        lines += [str(f) for f in self.failures[:limit]]
        if len(self.failures) > limit:
            lines.append(f"... and {len(self.failures) - limit} more")
        return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
