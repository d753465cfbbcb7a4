"""Shared fixtures: a real encrypted store on disk for every test.

Creating a store costs two Argon2id derivations, so one template store is
made per test session and each test gets a fresh copy of its files (as
KeePassXC's GUI tests copy a fixture database).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from shelter.i18n import set_language  # noqa: E402
from shelter.security.keyring import KdfParams  # noqa: E402
from shelter.store import SignedIn, Store  # noqa: E402

ADMIN = "amina"
ADMIN_PASSWORD = "correct horse battery staple"
SHELTER_NAME = "Dar Al Amane"
SHELTER_CODE = "RBT1"
FAST_KDF = KdfParams()  # the floor: 64 MiB, 3 passes, 4 lanes


@pytest.fixture(autouse=True)
def _english_and_isolated(monkeypatch, tmp_path_factory):
    """Every test starts in English with its own data dir variable unset."""
    set_language("en")
    monkeypatch.delenv("SHELTER_DATA_DIR", raising=False)
    yield
    set_language("en")


@pytest.fixture(scope="session")
def template_store(tmp_path_factory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("template") / "store"
    who, code = Store.create(
        folder, shelter_name=SHELTER_NAME, shelter_code=SHELTER_CODE, city="Rabat",
        admin_username=ADMIN, admin_display_name="Amina Benali", admin_password=ADMIN_PASSWORD, kdf=FAST_KDF,
    )
    who.lock("sign_out")
    return folder, code


@pytest.fixture
def store_dir(template_store, tmp_path) -> Path:
    """A fresh copy of a store with one shelter and one administrator."""
    folder = tmp_path / "store"
    shutil.copytree(template_store[0], folder)
    return folder


@pytest.fixture
def recovery_code(template_store) -> str:
    return template_store[1]


@pytest.fixture
def admin(store_dir) -> SignedIn:
    who = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    yield who
    who.lock("sign_out")


@pytest.fixture
def coordinator(admin, store_dir) -> SignedIn:
    """A shelter with a women's room of three beds and a children's room of two,
    in service since 2020 (the tests admit people in the past), and Salma, a
    coordinator, signed in."""
    from datetime import UTC, datetime

    from shelter.security.permissions import Role
    from shelter.services import accounts, shelters
    from tests.cases import COORDINATOR_PASSWORD

    shelter = shelters.list_shelters(admin)[0]
    since = datetime(2020, 1, 1, tzinfo=UTC)
    shelters.add_room(admin, shelter.id, "Room 1", beds=3, women_only=True, at=since)
    shelters.add_room(admin, shelter.id, "Children", beds=2, minors=True, at=since)
    accounts.create_account(admin, "salma", "Salma Idrissi", [Role.COORDINATOR], COORDINATOR_PASSWORD,
                            must_change_password=False)
    who = Store(store_dir).sign_in("salma", COORDINATOR_PASSWORD)
    yield who
    who.lock("sign_out")


@pytest.fixture
def second_workstation(coordinator, store_dir) -> SignedIn:
    """Salma signed in a second time on the same store, as from another workstation."""
    from tests.cases import COORDINATOR_PASSWORD

    other = Store(store_dir).sign_in("salma", COORDINATOR_PASSWORD)
    yield other
    other.lock("sign_out")


SOCIAL_WORKER_PASSWORD = "olive tree by the sea"


@pytest.fixture
def social_worker(coordinator, admin, store_dir) -> SignedIn:
    """Nadia, a social worker, signed in beside Salma (the coordinator fixture)."""
    from shelter.security.permissions import Role
    from shelter.services import accounts

    accounts.create_account(admin, "nadia", "Nadia Tazi", [Role.SOCIAL_WORKER], SOCIAL_WORKER_PASSWORD,
                            must_change_password=False)
    who = Store(store_dir).sign_in("nadia", SOCIAL_WORKER_PASSWORD)
    yield who
    who.lock("sign_out")


COUNSELLOR_PASSWORD = "sea breeze quiet garden"


@pytest.fixture
def counsellor(coordinator, admin, store_dir) -> SignedIn:
    """Leila, a counsellor, signed in beside Salma (the coordinator fixture)."""
    from shelter.security.permissions import Role
    from shelter.services import accounts

    accounts.create_account(admin, "leila", "Leila Berrada", [Role.COUNSELLOR], COUNSELLOR_PASSWORD,
                            must_change_password=False)
    who = Store(store_dir).sign_in("leila", COUNSELLOR_PASSWORD)
    yield who
    who.lock("sign_out")
