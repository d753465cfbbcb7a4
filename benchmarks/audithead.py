"""What the audit head and the session checks cost an ordinary write.

``python -m benchmarks audithead [--rounds N]`` admits residents on a fresh
store (fast key derivation) three ways in one run, interleaved so that load
on the machine falls on all three alike:

- as shipped: the session checks and the audit head written before and
  after each commit;
- without the head's second step (``confirm``);
- baseline: neither the head nor the session checks (both patched out).

Prints the median time per admission of each and the ratios to the baseline.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from unittest import mock


def _store(folder: Path):
    from shelter.security.keyring import KdfParams
    from shelter.services import shelters
    from shelter.store import Store

    who, _code = Store.create(folder, shelter_name="Dar Al Amane", shelter_code="RBT1",
                              admin_username="amina", admin_password="correct horse battery staple",
                              kdf=KdfParams())
    shelter = shelters.list_shelters(who)[0]
    for i in range(30):
        shelters.add_room(who, shelter.id, f"Room {i}", beds=40, women_only=True)
    from shelter.security.permissions import Role
    from shelter.services import accounts

    accounts.create_account(who, "salma", "Salma Idrissi", [Role.COORDINATOR], "night shift green tea",
                            must_change_password=False)
    who.lock("sign_out")
    return Store(folder).sign_in("salma", "night shift green tea")


def _admission(bed_id: int, n: int):
    from shelter.domain.people import Identity, Protection, ReferralInfo
    from shelter.services.admissions import Admission

    return Admission(
        identity=Identity(name_arabic="فاطمة", name_latin=f"Fatima Test {n}", sex="female",
                          birth_date=date(1998, 3, 14), nationality="NG", languages=("en",)),
        referral=ReferralInfo(referred_on=date.today(), source="police", agency="Rabat"),
        protection=Protection(exploitation=("sexual",), risk_level="high"),
        bed_id=bed_id)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks audithead")
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args(argv)
    from shelter.security import audit_head
    from shelter.services import admissions, beds
    from shelter.store import OpenStore

    work = Path(tempfile.mkdtemp(prefix="shelter-bench-"))
    try:
        who = _store(work / "store")
        beds = [t.bed_id for sb in beds.bed_board(who) for r in sb.rooms for t in r.beds]
        ways = {
            "as shipped": [],
            "no confirm step": [mock.patch.object(audit_head.AuditHeadFile, "confirm", lambda *a, **k: None)],
            "baseline (no head, no checks)": [
                mock.patch.object(audit_head.AuditHeadFile, "confirm", lambda *a, **k: None),
                mock.patch.object(audit_head.AuditHeadFile, "prepare", lambda *a, **k: None),
                mock.patch.object(OpenStore, "_guard", lambda *a, **k: None),
            ],
        }
        times: dict[str, list[float]] = {name: [] for name in ways}
        n = 0
        for _round in range(args.rounds):
            for name, patches in ways.items():
                with ExitStack() as stack:
                    for patch in patches:
                        stack.enter_context(patch)
                    start = time.perf_counter()
                    admissions.admit(who, _admission(beds[n], n))
                    times[name].append(time.perf_counter() - start)
                n += 1
        who.lock("sign_out")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base = statistics.median(times["baseline (no head, no checks)"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:32} median {median * 1000:6.2f} ms  ({median / base:.2f}x baseline)")
    return 0
