"""The partner directory and referrals out: a referral needs the resident's
consent to share with that partner, or a written reason that is kept and
audited; the partner's answer is dated; an unanswered referral is overdue on
its follow-up date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shelter.errors import PermissionDenied, ValidationError
from shelter.services import admissions, handover, partners, reintegration, reintegration_board
from tests.cases import admission, audit_details, bed_ids

TODAY = date.today()


@pytest.fixture
def resident(coordinator):
    return admissions.admit(coordinator, admission(bed_ids(coordinator)[0])).resident_id


@pytest.fixture
def iom(social_worker):
    return partners.add_partner(social_worker, "OIM Rabat", "iom", "Rabat", "Mme Alaoui, +212 5 37 00 00 00")


def test_the_directory_refuses_a_second_partner_of_the_same_name(social_worker, iom):
    with pytest.raises(ValidationError) as refused:
        partners.add_partner(social_worker, "  oim   RABAT ", "iom")
    assert refused.value.field == "name"
    with pytest.raises(ValidationError) as refused:
        partners.add_partner(social_worker, "", "iom")
    assert refused.value.field == "name"
    with pytest.raises(ValidationError) as refused:
        partners.add_partner(social_worker, "Clinique", "clinic")
    assert refused.value.field == "kind"
    partners.add_partner(social_worker, "Association Adala", "legal_aid", "Rabat")
    assert [p.name for p in partners.partners(social_worker)] == ["Association Adala", "OIM Rabat"]
    partners.update_partner(social_worker, iom.partner_id, "OIM Rabat", "iom", "Rabat", "", active=False)
    assert [p.name for p in partners.partners(social_worker)] == ["Association Adala"]
    assert len(partners.partners(social_worker, include_retired=True)) == 2


def test_a_referral_without_consent_is_refused(social_worker, resident, iom):
    assert not partners.consent_to_share(social_worker, resident, iom.partner_id)
    with pytest.raises(ValidationError) as refused:
        partners.refer(social_worker, resident, iom.partner_id, "Assisted voluntary return")
    assert refused.value.field == "consent_override"
    assert "OIM Rabat" in refused.value.message
    assert reintegration.reintegration(social_worker, resident).referrals == ()
    assert audit_details(social_worker, "referral.make") == []


def test_a_referral_without_consent_can_be_made_with_an_audited_reason(social_worker, resident, iom):
    reason = "Her passport expires next week; IOM must start the file now"
    partners.refer(social_worker, resident, iom.partner_id, "Assisted voluntary return", consent_override=reason)
    made = reintegration.reintegration(social_worker, resident).referrals[0]
    assert made.without_consent and made.consent_override == reason and made.status == "sent"
    (outcome, record, detail), = audit_details(social_worker, "referral.consent_override")
    assert (outcome, record) == ("ok", str(resident))
    assert reason not in str(detail)  # the audit log names the referral, never the reason's words


def test_consent_in_the_file_allows_the_referral(coordinator, social_worker, resident, iom):
    handover.record_consent(coordinator, resident, "oim rabat", ("identity", "stay"))
    assert partners.consent_to_share(social_worker, resident, iom.partner_id)
    partners.refer(social_worker, resident, iom.partner_id, "Assisted voluntary return",
                   follow_up_on=TODAY + timedelta(days=14))
    made = reintegration.reintegration(social_worker, resident).referrals[0]
    assert not made.without_consent and made.follow_up_on == TODAY + timedelta(days=14)
    assert audit_details(social_worker, "referral.make")[0][2]["consent"] is True
    # Consent withdrawn: the next referral needs a reason again.
    handover.withdraw_consent(coordinator, resident, "OIM Rabat")
    with pytest.raises(ValidationError):
        partners.refer(social_worker, resident, iom.partner_id, "Travel documents")


def test_the_partners_answer_is_dated_and_closes_the_referral(coordinator, social_worker, resident, iom):
    handover.record_consent(coordinator, resident, "OIM Rabat", ("identity",))
    partners.refer(social_worker, resident, iom.partner_id, "Assisted voluntary return",
                   follow_up_on=TODAY + timedelta(days=3))
    rid = reintegration.reintegration(social_worker, resident).referrals[0].referral_id
    with pytest.raises(ValidationError) as refused:
        partners.record_answer(social_worker, rid, "sent")
    assert refused.value.field == "status"
    with pytest.raises(ValidationError) as refused:
        partners.record_answer(social_worker, rid, "accepted", on=TODAY + timedelta(days=1))
    assert refused.value.field == "on"
    partners.record_answer(social_worker, rid, "accepted", note="File opened", follow_up_on=TODAY + timedelta(days=30))
    partners.record_answer(social_worker, rid, "completed", note="Flight on the 12th")
    done = reintegration.reintegration(social_worker, resident).referrals[0]
    assert (done.status, done.accepted_on, done.completed_on, done.follow_up_on, done.due) == (
        "completed", TODAY, TODAY, None, None)
    assert done.answer_note == "File opened\nFlight on the 12th"
    with pytest.raises(ValidationError, match="closed"):
        partners.record_answer(social_worker, rid, "refused")


def test_an_unanswered_referral_is_overdue_on_its_follow_up_date(coordinator, social_worker, resident, iom):
    handover.record_consent(coordinator, resident, "OIM Rabat", ("identity",))
    partners.refer(social_worker, resident, iom.partner_id, "Assisted voluntary return",
                   follow_up_on=TODAY + timedelta(days=5))
    on = lambda day: [(i.kind, i.state) for i in reintegration_board.board(coordinator, today=day)  # noqa: E731
                      if i.kind == "referral"]
    assert on(TODAY) == [("referral", "soon")]
    assert on(TODAY + timedelta(days=5)) == [("referral", "today")]
    assert on(TODAY + timedelta(days=6)) == [("referral", "overdue")]
    rid = reintegration.reintegration(social_worker, resident).referrals[0].referral_id
    partners.record_answer(social_worker, rid, "refused", note="Not eligible")
    assert on(TODAY + timedelta(days=6)) == []


def test_who_may_refer_and_keep_the_directory(admin, counsellor, social_worker, resident, iom):
    with pytest.raises(PermissionDenied):
        partners.refer(counsellor, resident, iom.partner_id, "x", consent_override="x" * 30)
    with pytest.raises(PermissionDenied):
        partners.refer(admin, resident, iom.partner_id, "x", consent_override="x" * 30)
    with pytest.raises(PermissionDenied):
        partners.update_partner(counsellor, iom.partner_id, "OIM", "iom")
    assert [p.name for p in partners.partners(counsellor)] == ["OIM Rabat"]
    partners.update_partner(admin, iom.partner_id, "OIM Maroc, Rabat", "iom", "Rabat")
