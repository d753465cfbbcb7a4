"""Nothing stored in clear: distinctive strings written into every stored text
field (store, staff, shelters, residents, referrals, consents, stays, beds,
handover documents) must not be found in any file of the data folder, nor in
the temp folder, in five encodings."""

from __future__ import annotations

import secrets
import tempfile
from datetime import date, datetime
from pathlib import Path

from shelter.domain.people import Identity, Protection, ReferralInfo
from shelter.security.permissions import Role
from shelter.services import accounts, admissions, beds, discharge, handover, residents, settings, shelters
from shelter.services.admissions import Admission
from shelter.services.maintenance import rotate_key, verify
from shelter.store import Store
from tests.conftest import FAST_KDF


def _forms(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le"), text.encode("utf-16-be"), text.lower().encode(),
            text.upper().encode()]


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def _case_records(admin, data: Path, canary: dict[str, str]) -> None:
    """A resident's whole path through the store, every free-text field a canary."""
    shelter = shelters.list_shelters(admin)[0]
    room = shelters.add_room(admin, shelter.id, canary["room"] + " A", 3, women_only=True)
    accounts.create_account(admin, "coordcanary", "Coordinator", [Role.COORDINATOR], "quiet harbour morning bread",
                            must_change_password=False)
    who = Store(data).sign_in("coordcanary", "quiet harbour morning bread")
    try:
        today = date.today()
        admitted = admissions.admit(who, Admission(
            identity=Identity(name_arabic=canary["name_arabic"], name_latin=canary["name_latin"],
                              preferred_name=canary["preferred"], sex="female", birth_date=date(1998, 3, 14),
                              nationality="NG", languages=("en",)),
            referral=ReferralInfo(referred_on=today, source="police", agency=canary["agency"],
                                  contact=canary["contact"], identification="identified",
                                  identified_by=canary["identified_by"], identified_on=today),
            protection=Protection(exploitation=("sexual",), risk_level="high", consent_processing=True,
                                  consent_processing_on=today),
            bed_id=room.beds[0].id))
        handover.record_consent(who, admitted.resident_id, canary["consent_receiver"], ("identity",))
        beds.reserve_bed(who, room.beds[1].id, canary["reservation"])
        discharge.discharge(who, admitted.stay_id, datetime.now().astimezone(), "hospital",
                            canary["discharge_note"])
        handover.issue_handover(who, handover.HandoverRequest(
            resident_id=admitted.resident_id, reason="referral", receiver_organisation=canary["consent_receiver"],
            receiver_person=canary["handover_person"], handover_on=today,
            shelter_contact=canary["handover_contact"], belongings=((canary["belonging"], True),),
            sections=("identity", "languages"), override_reason=canary["override"]), "fr")
    finally:
        who.lock("sign_out")
    beds.set_out_of_service(admin, room.beds[2].id, canary["out_of_service"], None)


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
        "name_latin": f"LatinNameCanary{tag}",
        "name_arabic": f"اسم{tag}كناري",
        "preferred": f"PreferredCanary{tag}",
        "agency": f"AgencyCanary{tag}",
        "contact": f"ContactCanary{tag}",
        "identified_by": f"IdentifiedByCanary{tag}",
        "consent_receiver": f"ReceiverCanary{tag}",
        "reservation": f"ReservationCanary{tag}",
        "out_of_service": f"OutOfServiceCanary{tag}",
        "discharge_note": f"DischargeNoteCanary{tag}",
        "handover_person": f"HandoverPersonCanary{tag}",
        "handover_contact": f"HandoverContactCanary{tag}",
        "belonging": f"BelongingCanary{tag}",
        "override": f"OverrideReasonCanary{tag} the resident asked us",
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
    _case_records(who, data, canary)
    assert verify(who).ok
    rotate_key(who)  # the export path must not spill either
    who.lock()
    again = Store(data).sign_in(canary["admin"], canary["password"])
    assert {s.name for s in shelters.list_shelters(again)} == {canary["shelter"], canary["shelter2"]}
    again.lock()
    coordinator = Store(data).sign_in("coordcanary", "quiet harbour morning bread")
    found = residents.search_residents(coordinator, canary["name_latin"], status="all")
    assert len(found) == 1 and not found[0].in_residence  # the records really are in the store
    coordinator.lock()

    files = _files(data) + _files(temp)
    assert files, "the data folder should hold the store"
    for path in files:
        content = path.read_bytes()
        if path.suffix == ".db":
            assert not content.startswith(b"SQLite format 3"), path
        for name, text in canary.items():
            for form in _forms(text):
                assert form not in content, f"{name} found in clear in {path.name}"
