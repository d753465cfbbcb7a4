"""Kill runs: a writer killed N times with SIGKILL while it admits, rotates
the key and replaces the recovery code, the store checked after each kill
(the harness of tests/test_kill.py, tests/killwriter.py).

    python -m benchmarks kill [--kills N] [--seed S] [--modes write,rotate,recovery,mixed] [--store DIR] [-v]

Prints the counts: kills by mode and by timing strategy, where the kills
landed, acknowledged commits and how often they were checked, failures by
invariant (each with its kill, mode, seed and timing). Without ``--store`` a
fresh store with fast key-derivation settings is made in a temporary folder
and removed; with it, the store is made there (the folder must not exist)
and kept for inspection. Exit status 1 if any invariant failed.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from shelter.security.keyring import KdfParams
from shelter.store import Store
from tests import killwriter


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks kill")
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20260514)
    parser.add_argument("--modes", default=",".join(killwriter.MODES))
    parser.add_argument("--store", type=Path, default=None, help="make the store here and keep it")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per kill")
    args = parser.parse_args(argv)
    modes = tuple(m for m in args.modes.split(",") if m)
    if not modes or set(modes) - set(killwriter.MODES):
        parser.error(f"--modes takes a comma-separated list of {', '.join(killwriter.MODES)}")
    temporary = args.store is None
    base = Path(tempfile.mkdtemp(prefix="shelter-kill-")) if temporary else args.store.parent
    folder = base / "store" if temporary else args.store
    try:
        who, code = Store.create(folder, shelter_name="Dar Al Amane", shelter_code="RBT1", city="Rabat",
                                 admin_username=killwriter.USER, admin_display_name="Amina Benali",
                                 admin_password=killwriter.PASSWORD, kdf=KdfParams())
        who.lock("sign_out")
        killwriter.prepare_store(folder)
        logs = base / "kill-logs" if temporary else folder.parent / f"{folder.name}-kill-logs"
        logs.mkdir(exist_ok=True)

        def progress(number, mode, timing, landed, acks, failures):
            if args.verbose:
                print(f"#{number:4} {mode:8} {timing:55} in {landed:22} acks {acks:4} failures so far {failures}",
                      flush=True)

        harness = killwriter.KillHarness(folder, code, args.seed, log_dir=logs, progress=progress)
        start = time.monotonic()
        harness.run(args.kills, modes)
        harness.finish()
        elapsed = time.monotonic() - start
        print(harness.report(limit=50))
        print(f"{args.kills} kills in {elapsed:.1f} s ({elapsed / max(args.kills, 1):.2f} s per kill)")
        if not temporary:
            print(f"store kept in {folder}")
        return 1 if harness.failures else 0
    finally:
        if temporary:
            shutil.rmtree(base, ignore_errors=True)
