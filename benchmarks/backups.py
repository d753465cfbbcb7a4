"""Backups at the scale of a national network (the demo store of 20,000
residents over 10 years in 12 shelters, with its case work, counselling and
reintegration), each step timed against a plain copy of the same bytes in
the same run (``shutil.copyfile`` of the database and the keyring, then an
``fsync``): the ratio is what Shelter adds — a consistent copy made by
SQLCipher inside one read transaction, the hash of every file, and the
verification a restore needs (integrity_check, cipher_integrity_check, the
whole audit chain). The target is 3× the plain copy for backup plus
verification.

- backup and verification: ``backups.back_up(admin)`` (rotation included);
- a restore into an empty folder: ``plan_restore`` (copy, verification and
  the table hashes of the copy) then ``restore`` (the files put in place and
  the restored store opened), against the plain copy too.

    python -m benchmarks backups [--store DIR] [--residents N] [--years Y] [--shelters S] [--runs N]

The store is the one ``benchmarks residents`` keeps in the temporary folder
(``--store DIR`` puts it elsewhere). Times are medians of ``--runs`` runs
(default 3; each backup is a few hundred MB of work at this scale).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.beds import DEMO_PASSWORD, _ensure_store, store_arguments
from benchmarks.residents import _cached_store

TARGET_RATIO = 3.0


def _plain_copy(folder: Path, database: str, target: Path) -> None:
    target.mkdir()
    for name in (database, "keyring.json"):
        shutil.copyfile(folder / name, target / name)
        with open(target / name, "rb+") as f:
            os.fsync(f.fileno())


def _timed(call) -> float:  # noqa: ANN001
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks backups")
    store_arguments(parser)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    _cached_store(args)
    folder, _scratch = _ensure_store(args)

    from shelter.backup import remove_backup
    from shelter.services import backups, demo
    from shelter.store import Store

    admin_name = demo.DEMO_ACCOUNTS[0][0]
    admin = Store(folder).sign_in(admin_name, DEMO_PASSWORD)
    try:
        database = admin.store.database_path.name
        size = (folder / database).stat().st_size
        print(f"store: {size / 2**20:.0f} MiB database in {folder}")
        plain, made, restored, plain_restore = [], [], [], []
        with tempfile.TemporaryDirectory(prefix="shelter-bench-backup-", dir=folder.parent) as temp:
            for run in range(args.runs):
                plain.append(_timed(lambda r=run: _plain_copy(folder, database, Path(temp) / f"plain-{r}")))
                result = None

                marks: list[tuple[float, float, str]] = []

                def back_up(label: str = f"bench-{run}", marks: list = marks) -> None:  # noqa: B006
                    nonlocal result
                    result = backups.back_up(admin, label=label,
                                             progress=lambda fraction, stage: marks.append((time.perf_counter(), fraction, stage)))

                made.append(_timed(back_up))
                assert result is not None and result.ok, result
                stamps = {(f, s): at for at, f, s in marks}
                copy_s = stamps[(0.6, "copy")] - stamps[(0.0, "copy")]
                hash_s = stamps[(0.8, "hash")] - stamps[(0.6, "copy")]
                verify_s = stamps[(1.0, "done")] - stamps[(0.8, "verify")]
                print(f"  run {run + 1}: backup {made[-1]:.1f} s (copy {copy_s:.1f}, hashes and manifest {hash_s:.1f}, "
                      f"verification and rotation {verify_s:.1f}); plain copy {plain[-1]:.1f} s", flush=True)
                target = Path(temp) / f"restored-{run}"
                plain_restore.append(_timed(lambda r=run, t=target: _plain_copy(
                    Path(temp) / f"plain-{r}", database, t.with_name(t.name + "-plain"))))

                def put_back(t: Path = target, source: Path = result.info.folder) -> None:
                    plan, scratch = backups.plan_restore(source, t, admin_name, DEMO_PASSWORD)
                    who = backups.restore(plan, scratch, t, admin_name, DEMO_PASSWORD)
                    who.lock("sign_out")

                restored.append(_timed(put_back))
                remove_backup(result.info.folder)
        p, m = statistics.median(plain), statistics.median(made)
        pr, r = statistics.median(plain_restore), statistics.median(restored)
        print(f"{'backup and verification':32} {m * 1000:9.0f} ms   plain copy {p * 1000:7.0f} ms   ratio "
              f"{m / p:5.1f}x   (target {TARGET_RATIO:g}x)")
        print(f"{'restore into an empty folder':32} {r * 1000:9.0f} ms   plain copy {pr * 1000:7.0f} ms   ratio "
              f"{r / pr:5.1f}x")
    finally:
        admin.lock("sign_out")
    return 0
