"""The resident's file: everything admission entered comes back, each part
can be corrected by the roles that may (checked as at admission, audited by
record id without values), the earlier values are kept with who and when,
and a withdrawn consent stops later handovers of its sections."""

from __future__ import annotations

import json
import secrets
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from shelter.domain.changes import ResidentUpdated
from shelter.domain.people import Identity, Protection
from shelter.errors import PermissionDenied, ValidationError
from shelter.security.permissions import Role
from shelter.services import accounts, admissions, export, handover, residents
from shelter.services.handover import HandoverRequest
from shelter.storage.models import AuditEntry, RecordChange
from shelter.store import Store
from tests.cases import TODAY, admission, audit_details, bed_ids

COUNSELLOR_PASSWORD = "quiet room kind words"
SOCIAL_WORKER_PASSWORD = "field visit blue notebook"


@pytest.fixture
def admitted(coordinator):
    base = admission(bed_ids(coordinator)[0])
    protection = replace(base.protection, consent_sharing=("Hôpital Ibn Sina",), consent_sharing_on=TODAY)
    return admissions.admit(coordinator, replace(base, protection=protection))


@pytest.fixture
def counsellor(admin, store_dir, coordinator):
    accounts.create_account(admin, "nadia", "Nadia Alami", [Role.COUNSELLOR], COUNSELLOR_PASSWORD,
                            must_change_password=False)
    who = Store(store_dir).sign_in("nadia", COUNSELLOR_PASSWORD)
    yield who
    who.lock("sign_out")


@pytest.fixture
def social_worker(admin, store_dir, coordinator):
    accounts.create_account(admin, "youssef", "Youssef Alaoui", [Role.SOCIAL_WORKER], SOCIAL_WORKER_PASSWORD,
                            must_change_password=False)
    who = Store(store_dir).sign_in("youssef", SOCIAL_WORKER_PASSWORD)
    yield who
    who.lock("sign_out")


def logged_text(who) -> str:
    with who.store.read() as s:
        return " ".join(f"{e.action} {e.record_type} {e.record_id} {e.detail}"
                        for e in s.execute(select(AuditEntry)).scalars())


def handover_request(resident_id: int, receiver: str, **extra) -> HandoverRequest:
    return HandoverRequest(resident_id=resident_id, reason="referral", receiver_organisation=receiver,
                           receiver_person="Mme Alaoui", handover_on=TODAY, shelter_contact="Salma, 0600",
                           **extra)


# -- what the file shows ---------------------------------------------------------------

def test_the_file_shows_what_admission_entered(coordinator, admitted):
    handover.record_consent(coordinator, admitted.resident_id, "OIM Rabat", ("identity", "languages"))
    handover.issue_handover(coordinator, handover_request(admitted.resident_id, "OIM Rabat"), "fr")
    file = residents.open_resident(coordinator, admitted.resident_id)
    assert file.identity.name_latin == "Fatima Zahra Benali" and file.identity.languages == ("en",)
    [stay] = file.stays
    assert stay.referral is not None and stay.referral_id is not None
    assert (stay.referral.source, stay.referral.agency, stay.referral.identification) == (
        "police", "Sûreté, Rabat", "presumed")
    assert file.protection.exploitation == ("sexual",) and file.protection.risk_level == "high"
    assert file.protection.flag_trafficker_contact and file.protection.exploitation_scope == "cross_border"
    assert file.processing.status == "given" and file.processing.given_on == TODAY
    named, recorded = file.sharing
    assert (named.receiver, named.at_admission, named.in_force, named.given_on) == (
        "Hôpital Ibn Sina", True, True, TODAY)
    assert (recorded.receiver, recorded.sections, recorded.recorded_by) == (
        "OIM Rabat", ("identity", "languages"), "Salma Idrissi")
    [document] = file.documents
    assert document.reference.startswith(admitted.case_number) and document.receiver == "OIM Rabat"
    assert (document.reason, document.lang, document.issued_by) == ("referral", "fr", "Salma Idrissi")
    assert file.corrected == frozenset() and file.open_stay == stay
    # One opening, one entry.
    assert [r for _o, r, _d in audit_details(coordinator, "resident.view")] == [str(admitted.resident_id)]


# -- identity --------------------------------------------------------------------------

def test_correcting_the_identity_keeps_the_earlier_values_and_the_search_follows(coordinator, admitted):
    before = residents.open_resident(coordinator, admitted.resident_id)
    corrected = replace(before.identity, name_latin="Fatoumata Diallo", name_arabic="فاطوماتا ديالو",
                        birth_date=date(1997, 5, 2), nationality="ml", languages=("fr", "bm"))
    change = residents.correct_identity(coordinator, admitted.resident_id, corrected, reason="passport seen")
    assert change == ResidentUpdated(admitted.resident_id, (admitted.bed_id,))
    assert change.residents == {admitted.resident_id} and change.beds == {admitted.bed_id}
    file = residents.open_resident(coordinator, admitted.resident_id)
    assert (file.identity.name_latin, file.identity.nationality, file.identity.languages) == (
        "Fatoumata Diallo", "ML", ("fr", "bm"))
    assert file.was_corrected("resident", admitted.resident_id, ["name_latin"])
    assert not file.was_corrected("resident", admitted.resident_id, ["sex"])
    # The search finds the new names, not the old ones.
    found = [r.resident_id for r in residents.search_residents(coordinator, "fatoumata")]
    assert found == [admitted.resident_id]
    assert [r.resident_id for r in residents.search_residents(coordinator, "ديالو")] == [admitted.resident_id]
    assert residents.search_residents(coordinator, "benali") == []
    # Earlier values, newest first, with who, when and why.
    history = residents.field_history(coordinator, "resident", admitted.resident_id)
    by_field = {h.field: h for h in history}
    assert set(by_field) == {"name_latin", "name_arabic", "birth_date", "nationality", "languages"}
    latin = by_field["name_latin"]
    assert (latin.old_value, latin.new_value, latin.changed_by, latin.reason) == (
        "Fatima Zahra Benali", "Fatoumata Diallo", "Salma Idrissi", "passport seen")
    assert by_field["birth_date"].old_value == date(1998, 3, 14)
    assert by_field["languages"].old_value == ("en",) and by_field["languages"].new_value == ("fr", "bm")
    assert abs((latin.changed_at - admissions.now_utc()).total_seconds()) < 60
    only = residents.field_history(coordinator, "resident", admitted.resident_id, fields=["nationality"])
    assert [(h.old_value, h.new_value) for h in only] == [("NG", "ML")]


def test_a_correction_is_audited_by_record_id_never_by_value(coordinator, admitted):
    file = residents.open_resident(coordinator, admitted.resident_id)
    residents.correct_identity(coordinator, admitted.resident_id,
                               replace(file.identity, name_latin="Fatoumata Diallo"), reason="passport seen")
    residents.field_history(coordinator, "resident", admitted.resident_id)
    assert audit_details(coordinator, "resident.correct_identity") == [
        ("ok", str(admitted.resident_id), {"fields": 1})]
    assert audit_details(coordinator, "resident.history") == [("ok", str(admitted.resident_id), {"results": 1})]
    logged = logged_text(coordinator)
    for value in ("Fatoumata", "Diallo", "Fatima", "passport"):
        assert value not in logged


def test_a_correction_that_changes_nothing_writes_nothing(coordinator, admitted):
    file = residents.open_resident(coordinator, admitted.resident_id)
    residents.correct_identity(coordinator, admitted.resident_id, file.identity)
    residents.correct_protection(coordinator, admitted.resident_id, file.protection)
    residents.correct_referral(coordinator, admitted.stay_id, file.stays[0].referral)
    with coordinator.store.read() as s:
        assert s.execute(select(RecordChange)).first() is None
    assert audit_details(coordinator, "resident.correct_identity") == []


@pytest.mark.parametrize(("change", "field"), [
    ({"name_latin": "", "name_arabic": " "}, "name_latin"),
    ({"birth_date": TODAY + timedelta(days=3)}, "birth_date"),
    ({"sex": "unknown"}, "sex"),
    ({"birth_date": None, "birth_year_estimated": 1800}, "birth_year_estimated"),
])
def test_an_identity_that_admission_would_refuse_is_refused(coordinator, admitted, change, field):
    file = residents.open_resident(coordinator, admitted.resident_id)
    with pytest.raises(ValidationError) as refused:
        residents.correct_identity(coordinator, admitted.resident_id, replace(file.identity, **change))
    assert refused.value.field == field
    assert residents.open_resident(coordinator, admitted.resident_id).identity == file.identity


def test_a_reason_too_long_is_refused_beside_its_field(coordinator, admitted):
    file = residents.open_resident(coordinator, admitted.resident_id)
    with pytest.raises(ValidationError) as refused:
        residents.correct_identity(coordinator, admitted.resident_id, replace(file.identity, preferred_name="Fati"),
                                   reason="x" * (residents.REASON_MAX + 1))
    assert refused.value.field == "reason"


# -- who may ---------------------------------------------------------------------------

def test_a_counsellor_reads_the_file_but_corrects_nothing(coordinator, admitted, counsellor):
    file = residents.open_resident(counsellor, admitted.resident_id)
    stay = file.stays[0]
    attempts = [
        lambda: residents.correct_identity(counsellor, admitted.resident_id,
                                           replace(file.identity, name_latin="Someone Else")),
        lambda: residents.correct_protection(counsellor, admitted.resident_id,
                                             replace(file.protection, risk_level="low")),
        lambda: residents.correct_referral(counsellor, stay.stay_id,
                                           replace(stay.referral, identification="identified")),
        lambda: residents.record_processing_consent(counsellor, admitted.resident_id, TODAY),
        lambda: residents.withdraw_processing_consent(counsellor, admitted.resident_id, TODAY),
        lambda: residents.record_sharing_consent(counsellor, admitted.resident_id, "OIM", ("identity",)),
        lambda: residents.withdraw_sharing_consent(counsellor, admitted.resident_id, "Hôpital Ibn Sina"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert residents.open_resident(coordinator, admitted.resident_id).identity == file.identity
    assert residents.field_history(counsellor, "resident", admitted.resident_id) == []


def test_a_social_worker_corrects(social_worker, admitted):
    file = residents.open_resident(social_worker, admitted.resident_id)
    residents.correct_protection(social_worker, admitted.resident_id, replace(file.protection, risk_level="low"))
    [change] = residents.field_history(social_worker, "resident", admitted.resident_id)
    assert (change.field, change.old_value, change.new_value, change.changed_by) == (
        "risk_level", "high", "low", "Youssef Alaoui")


def test_an_administrator_sees_no_history(admin, admitted):
    with pytest.raises(PermissionDenied):
        residents.field_history(admin, "resident", admitted.resident_id)


# -- referral and identification -------------------------------------------------------

def test_the_identification_is_corrected_on_the_stays_referral(coordinator, admitted):
    stay = residents.open_resident(coordinator, admitted.resident_id).stays[0]
    corrected = replace(stay.referral, identification="identified", identified_by="Procureur du Roi, Rabat",
                        identified_on=TODAY, agency="Sûreté nationale, Rabat")
    change = residents.correct_referral(coordinator, stay.stay_id, corrected, reason="decision received")
    assert change.residents == {admitted.resident_id}
    again = residents.open_resident(coordinator, admitted.resident_id)
    assert again.stays[0].referral == corrected
    assert again.was_corrected("referral", stay.referral_id, ["identification"])
    history = {h.field: h for h in residents.field_history(coordinator, "referral", stay.referral_id)}
    assert set(history) == {"identification", "identified_by", "identified_on", "agency"}
    assert (history["identification"].old_value, history["identification"].new_value) == ("presumed", "identified")
    assert history["identified_on"].old_value is None and history["identified_on"].new_value == TODAY
    assert audit_details(coordinator, "resident.correct_referral") == [
        ("ok", str(admitted.resident_id), {"stay": stay.stay_id, "fields": 4})]


@pytest.mark.parametrize(("change", "field"), [
    ({"source": "rumour"}, "source"),
    ({"referred_on": TODAY + timedelta(days=2)}, "referred_on"),
    ({"identification": "maybe"}, "identification"),
    ({"identified_on": TODAY + timedelta(days=2)}, "identified_on"),
])
def test_a_referral_that_admission_would_refuse_is_refused(coordinator, admitted, change, field):
    stay = residents.open_resident(coordinator, admitted.resident_id).stays[0]
    with pytest.raises(ValidationError) as refused:
        residents.correct_referral(coordinator, stay.stay_id, replace(stay.referral, **change))
    assert refused.value.field == field


def test_a_referral_after_the_admission_is_refused(coordinator):
    a = admission(bed_ids(coordinator)[0], admitted_at=admissions.now_utc() - timedelta(days=3))
    admitted = admissions.admit(coordinator, replace(a, referral=replace(a.referral, referred_on=TODAY - timedelta(days=4))))
    stay = residents.open_resident(coordinator, admitted.resident_id).stays[0]
    with pytest.raises(ValidationError) as refused:
        residents.correct_referral(coordinator, stay.stay_id, replace(stay.referral, referred_on=TODAY))
    assert refused.value.field == "referred_on"


# -- protection ------------------------------------------------------------------------

def test_protection_is_corrected_and_consent_is_left_alone(coordinator, admitted):
    file = residents.open_resident(coordinator, admitted.resident_id)
    corrected = Protection(exploitation=("labour", "domestic_servitude"), exploitation_country="es",
                           exploitation_scope="internal", flag_no_phone=True, risk_level="medium")
    residents.correct_protection(coordinator, admitted.resident_id, corrected)
    after = residents.open_resident(coordinator, admitted.resident_id)
    p = after.protection
    assert (p.exploitation, p.exploitation_country, p.exploitation_scope) == (
        ("labour", "domestic_servitude"), "ES", "internal")
    assert (p.flag_trafficker_contact, p.flag_no_phone, p.risk_level) == (False, True, "medium")
    assert after.processing == file.processing and after.sharing == file.sharing  # consent has its own calls
    fields = {h.field for h in residents.field_history(coordinator, "resident", admitted.resident_id)}
    assert fields == {"exploitation", "exploitation_country", "exploitation_scope", "flag_trafficker_contact",
                      "flag_no_phone", "risk_level"}


@pytest.mark.parametrize(("change", "field"), [
    ({"exploitation": ("sexual", "witchcraft")}, "exploitation"),
    ({"risk_level": "extreme"}, "risk_level"),
    ({"exploitation_scope": "galactic"}, "exploitation_scope"),
])
def test_protection_that_admission_would_refuse_is_refused(coordinator, admitted, change, field):
    file = residents.open_resident(coordinator, admitted.resident_id)
    with pytest.raises(ValidationError) as refused:
        residents.correct_protection(coordinator, admitted.resident_id, replace(file.protection, **change))
    assert refused.value.field == field


# -- consent ---------------------------------------------------------------------------

def test_consent_to_processing_is_withdrawn_and_given_again_with_its_dates(coordinator, admitted):
    yesterday = TODAY - timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        residents.withdraw_processing_consent(coordinator, admitted.resident_id, yesterday - timedelta(days=5))
    assert refused.value.field == "consent_processing_withdrawn_on"  # before it was given
    with pytest.raises(ValidationError) as refused:
        residents.withdraw_processing_consent(coordinator, admitted.resident_id, TODAY + timedelta(days=1))
    assert refused.value.field == "consent_processing_withdrawn_on"
    residents.withdraw_processing_consent(coordinator, admitted.resident_id, TODAY)
    file = residents.open_resident(coordinator, admitted.resident_id)
    assert file.processing == residents.ProcessingConsent(False, TODAY, TODAY)
    assert file.processing.status == "withdrawn"
    with pytest.raises(ValidationError):  # nothing left to withdraw
        residents.withdraw_processing_consent(coordinator, admitted.resident_id, TODAY)
    with pytest.raises(ValidationError) as refused:
        residents.record_processing_consent(coordinator, admitted.resident_id, None)
    assert refused.value.field == "consent_processing_on"
    residents.record_processing_consent(coordinator, admitted.resident_id, TODAY)
    file = residents.open_resident(coordinator, admitted.resident_id)
    assert file.processing == residents.ProcessingConsent(True, TODAY, None)
    changes = residents.field_history(coordinator, "resident", admitted.resident_id,
                                      fields=["consent_processing_withdrawn_on"])
    assert [(c.old_value, c.new_value) for c in changes] == [(TODAY, None), (None, TODAY)]
    assert len(audit_details(coordinator, "resident.consent_processing_withdrawn")) == 1
    assert len(audit_details(coordinator, "resident.consent_processing")) == 1


def test_a_withdrawn_consent_stops_later_handovers_of_its_sections(coordinator, admitted):
    rid = admitted.resident_id
    change = residents.record_sharing_consent(coordinator, rid, "OIM Rabat", ("identity", "stay"), TODAY)
    assert change == ResidentUpdated(rid)
    first = handover.issue_handover(coordinator, handover_request(rid, "OIM Rabat"), "en")
    assert first.sections == ("identity", "stay")
    residents.withdraw_sharing_consent(coordinator, rid, "oim  rabat", TODAY, reason="she changed her mind")
    file = residents.open_resident(coordinator, rid)
    oim = [c for c in file.sharing if c.receiver == "OIM Rabat"]
    assert len(oim) == 1 and oim[0].withdrawn_on == TODAY and not oim[0].in_force
    # Who withdrew it, when and why, is kept with the consent.
    [kept] = residents.field_history(coordinator, "sharing_consent", oim[0].consent_id)
    assert (kept.field, kept.old_value, kept.new_value, kept.changed_by, kept.reason) == (
        "withdrawn_on", None, TODAY, "Salma Idrissi", "she changed her mind")
    assert [d for _o, _r, d in audit_details(coordinator, "resident.consent_withdrawn")] == [{}]  # by handover
    # Later handovers carry nothing by default, and the sections only with a written reason.
    assert handover.issue_handover(coordinator, handover_request(rid, "OIM Rabat"), "en").sections == ()
    with pytest.raises(ValidationError) as refused:
        handover.issue_handover(coordinator, handover_request(rid, "OIM Rabat", sections=("identity",)), "en")
    assert refused.value.field == "override_reason"
    with pytest.raises(ValidationError) as refused:  # nothing left in force for that partner
        residents.withdraw_sharing_consent(coordinator, rid, "OIM Rabat", TODAY)
    assert refused.value.field == "receiver"


def test_a_partner_named_at_admission_is_withdrawn_in_the_file(coordinator, admitted):
    rid = admitted.resident_id
    hospital = "Hôpital Ibn Sina"
    assert handover.issue_handover(coordinator, handover_request(rid, hospital), "en").sections == (
        "identity", "languages", "stay", "safety")
    with pytest.raises(ValidationError) as refused:
        residents.withdraw_sharing_consent(coordinator, rid, hospital, TODAY + timedelta(days=1))
    assert refused.value.field == "withdrawn_on"
    residents.withdraw_sharing_consent(coordinator, rid, "hopital ibn sina", TODAY, reason="she asked")
    file = residents.open_resident(coordinator, rid)
    assert file.protection.consent_sharing == ()
    [withdrawn] = file.sharing
    assert (withdrawn.receiver, withdrawn.given_on, withdrawn.withdrawn_on) == (hospital, TODAY, TODAY)
    assert withdrawn.sections == ("identity", "languages", "stay", "safety")
    assert handover.issue_handover(coordinator, handover_request(rid, hospital), "en").sections == ()
    [kept] = residents.field_history(coordinator, "resident", rid, fields=["consent_sharing"])
    assert (kept.old_value, kept.new_value, kept.reason) == ((hospital,), (), "she asked")
    assert audit_details(coordinator, "resident.consent_withdrawn") == [("ok", str(rid), {"at_admission": True})]
    assert "Ibn Sina" not in logged_text(coordinator)


# -- where the earlier values go -------------------------------------------------------

def test_the_earlier_values_are_exported(coordinator, admitted):
    from tests.test_export import check_against_document

    file = residents.open_resident(coordinator, admitted.resident_id)
    residents.correct_identity(coordinator, admitted.resident_id, replace(file.identity, birth_date=None,
                                                                          birth_year_estimated=1997))
    document = export.export_document(coordinator)
    check_against_document(document)
    changes = {c["changed_field"]: c for c in document["record_changes"]}
    assert json.loads(changes["birth_date"]["old_value"]) == "1998-03-14" and changes["birth_date"]["new_value"] is None
    assert changes["birth_year_estimated"]["new_value"] == "1997"
    assert changes["birth_date"]["changed_by"] == "salma" and changes["birth_date"]["record_type"] == "resident"
    resident = next(r for r in document["residents"] if r["id"] == admitted.resident_id)
    assert resident["consent_processing_withdrawn_on"] is None


def test_earlier_values_never_reach_disk_in_clear(coordinator, admitted, store_dir: Path):
    canary = f"EarlierCanary{secrets.token_hex(4)}"
    file = residents.open_resident(coordinator, admitted.resident_id)
    residents.correct_identity(coordinator, admitted.resident_id, replace(file.identity, preferred_name=canary),
                               reason=canary + " reason")
    residents.correct_identity(coordinator, admitted.resident_id, replace(file.identity, preferred_name="Fati"))
    assert residents.field_history(coordinator, "resident", admitted.resident_id)[0].old_value == canary
    coordinator.lock("sign_out")
    for path in (p for p in store_dir.rglob("*") if p.is_file()):
        content = path.read_bytes()
        for form in (canary.encode(), canary.encode("utf-16-le")):
            assert form not in content, path.name


def test_identity_columns_are_those_the_history_names(coordinator):
    assert set(residents.identity_columns(Identity(name_latin="x"))) == set(residents.IDENTITY_FIELDS)


def test_a_corrected_sex_or_age_must_still_fit_the_room_she_sleeps_in(coordinator, admitted):
    """Room 1 is for women only and the children's room for minors: a
    correction that would leave the person in a room that does not take them
    is refused, beside the field, and changes nothing."""
    file = residents.open_resident(coordinator, admitted.resident_id)
    with pytest.raises(ValidationError) as man:
        residents.correct_identity(coordinator, admitted.resident_id, replace(file.identity, sex="male"),
                                   "typing mistake")
    assert man.value.field == "sex"
    with pytest.raises(ValidationError) as child:
        residents.correct_identity(coordinator, admitted.resident_id,
                                   replace(file.identity, birth_date=TODAY - timedelta(days=365 * 12)),
                                   "passport seen")
    assert child.value.field == "birth_date"
    assert residents.open_resident(coordinator, admitted.resident_id).identity == file.identity
    # A correction that still fits goes through.
    residents.correct_identity(coordinator, admitted.resident_id, replace(file.identity, nationality="CM"),
                               "passport seen")
