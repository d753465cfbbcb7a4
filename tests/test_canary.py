"""Nothing stored in clear: distinctive strings written into every stored text
field must not be found in any file of the data folder, nor in the temp folder."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

from shelter.security.permissions import Role
from shelter.services import accounts, settings, shelters
from shelter.services.maintenance import rotate_key, verify
from shelter.store import Store
from tests.conftest import FAST_KDF


def _forms(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le"), text.encode("utf-16-be"), text.lower().encode(),
            text.upper().encode()]


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_canaries_never_reach_disk_in_clear(tmp_path, monkeypatch):
    temp = tmp_path / "tmp"
    temp.mkdir()
    # SQLite and Python both honour TMPDIR: whatever spills to a temp file lands here.
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setenv("SQLITE_TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", None)

    tag = secrets.token_hex(4)
    canary = {
        "shelter": f"ShelterCanary{tag}",
        "city": f"CityCanary{tag}",
        "code": f"CC{tag.upper()}",
        "admin": f"admincanary{tag}",
        "admin_name": f"AdminNameCanary{tag}",
        "room": f"RoomCanary{tag}",
        "bed": f"BedCanary{tag}",
        "staff": f"staffcanary{tag}",
        "staff_name": f"StaffNameCanary{tag} دار الأمان",
        "shelter2": f"SecondShelterCanary{tag} مركز",
        "preference": f"PreferenceCanary{tag}",
        "password": f"PasswordCanary{tag} horse",
        "password2": f"PasswordTwoCanary{tag} lamp",
    }
    data = tmp_path / "data"
    who, code = Store.create(
        data, shelter_name=canary["shelter"], shelter_code=canary["code"], city=canary["city"],
        admin_username=canary["admin"], admin_display_name=canary["admin_name"],
        admin_password=canary["password"], kdf=FAST_KDF,
    )
    canary["recovery"] = code
    second = shelters.create_shelter(who, canary["shelter2"], "ZZ" + tag.upper(), city=canary["city"])
    room = shelters.add_room(who, second.id, canary["room"], 3, women_only=True)
    shelters.update_bed(who, room.beds[0].id, canary["bed"], True)
    accounts.create_account(who, canary["staff"], canary["staff_name"], [Role.COORDINATOR], canary["password2"])
    settings.set_user_preference(who, "window.section", canary["preference"])
    assert verify(who).ok
    rotate_key(who)  # the export path must not spill either
    who.lock()
    again = Store(data).sign_in(canary["admin"], canary["password"])
    assert {s.name for s in shelters.list_shelters(again)} == {canary["shelter"], canary["shelter2"]}
    again.lock()

    files = _files(data) + _files(temp)
    assert files, "the data folder should hold the store"
    for path in files:
        content = path.read_bytes()
        if path.suffix == ".db":
            assert not content.startswith(b"SQLite format 3"), path
        for name, text in canary.items():
            for form in _forms(text):
                assert form not in content, f"{name} found in clear in {path.name}"
