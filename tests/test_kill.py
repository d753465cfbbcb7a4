"""Kill tests: a writer process (tests/killwriter.py) doing real service
writes -- admissions, transfers, reservations, discharges, key rotations, new
recovery codes, new accounts -- is killed with SIGKILL at seeded random
moments, over and over on one store whose state accumulates. After each kill
the store must open, pass ``verify`` (integrity_check, cipher_integrity_check,
the audit chain), hold every commit the writer acknowledged, keep a recovery
code that someone was shown, and leave no temporary file behind; see
``KillHarness.check`` for the full list.

The default run makes 56 kills over the four modes (about 90 seconds on two
cores); ``-m slow`` runs 500 more on a store of their own. ``python -m benchmarks kill``
runs any number and prints the counts. Environment: ``SHELTER_KILL_SEED``
(base seed), ``SHELTER_KILLS`` and ``SHELTER_SLOW_KILLS`` (numbers of kills).
"""

from __future__ import annotations

import os

import pytest

from tests import killwriter
from tests.conftest import ADMIN, ADMIN_PASSWORD

BASE_SEED = int(os.environ.get("SHELTER_KILL_SEED", "20260514"))
KILLS = int(os.environ.get("SHELTER_KILLS", "56"))
SLOW_KILLS = int(os.environ.get("SHELTER_SLOW_KILLS", "500"))

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")


def test_the_writer_signs_in_as_the_template_administrator():
    assert (killwriter.USER, killwriter.PASSWORD) == (ADMIN, ADMIN_PASSWORD)


def run_kills(store_dir, recovery_code, tmp_path, kills: int, seed: int) -> killwriter.KillHarness:
    killwriter.prepare_store(store_dir)
    harness = killwriter.KillHarness(store_dir, recovery_code, seed, log_dir=tmp_path)
    harness.run(kills)
    harness.finish()
    report = harness.report()
    print(report)
    assert not harness.failures, f"{len(harness.failures)} invariants broken after kills:\n{report}"
    counts = harness.counts
    assert counts.kills == kills and set(counts.by_mode) == set(killwriter.MODES)
    landed = {where.split(" ")[0] for where in counts.landed_in}
    # The kills must reach the slow, delicate calls, not only the cheap ones.
    assert {"rotate", "recovery"} <= landed, f"no kill landed inside rotate_key or new_recovery_code:\n{report}"
    assert counts.acks["admit"] > kills, report
    return harness


@pytest.mark.timeout(900)
def test_kills_keep_every_acknowledged_commit(store_dir, recovery_code, tmp_path):
    run_kills(store_dir, recovery_code, tmp_path, KILLS, BASE_SEED)


@pytest.mark.slow
@pytest.mark.timeout(4 * 3600)
def test_many_kills_keep_every_acknowledged_commit(request, store_dir, recovery_code, tmp_path):
    # pytest's addopts do not deselect the slow marker: without this a plain
    # `make test` would spend some twenty minutes here.
    if "slow" not in (request.config.getoption("markexpr") or "") and "SHELTER_SLOW_KILLS" not in os.environ:
        pytest.skip("500 kills, some twenty minutes: run with -m slow (or set SHELTER_SLOW_KILLS)")
    run_kills(store_dir, recovery_code, tmp_path, SLOW_KILLS, BASE_SEED + 1)
