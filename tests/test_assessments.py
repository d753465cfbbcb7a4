"""Needs assessments: a score in every domain, the date checked, kept as
written with each domain's history, and audited by record."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from shelter.errors import ValidationError
from shelter.services import admissions, assessments, discharge
from shelter.services.assessments import DomainScore
from shelter.services.residents import open_resident
from tests.cases import admission, audit_details, bed_ids, scores


@pytest.fixture
def resident(coordinator):
    return admissions.admit(coordinator, admission(bed_ids(coordinator)[0])).resident_id


def test_every_domain_is_scored(social_worker, resident):
    partial = scores()
    del partial["housing"]
    with pytest.raises(ValidationError) as refused:
        assessments.record_assessment(social_worker, resident, date.today(), partial)
    assert refused.value.field == "score.housing"
    bad = scores() | {"legal": DomainScore(5)}
    with pytest.raises(ValidationError) as refused:
        assessments.record_assessment(social_worker, resident, date.today(), bad)
    assert refused.value.field == "score.legal"


def test_the_date_is_neither_in_the_future_nor_before_the_admission(social_worker, resident):
    for day in (date.today() + timedelta(days=1), date.today() - timedelta(days=30)):
        with pytest.raises(ValidationError) as refused:
            assessments.record_assessment(social_worker, resident, day, scores())
        assert refused.value.field == "assessed_on"


def test_each_domain_has_its_history_and_the_previous_score(social_worker, resident):
    assessments.record_assessment(social_worker, resident, date.today(),
                                  scores(safety=1) | {"legal": DomainScore(2, "No lawyer yet")})
    assessments.record_assessment(social_worker, resident, date.today(),
                                  scores(safety=3) | {"legal": DomainScore(3, "Adala gave a lawyer")})
    found = assessments.list_assessments(social_worker, resident)
    assert [a.kind for a in found.items] == ["scheduled", "initial"]
    assert found.latest.scores["safety"].score == 3
    assert [(score, note) for _d, score, note, _by in found.history("legal")] == [
        (3, "Adala gave a lawyer"), (2, "No lawyer yet")]
    assert found.history("legal")[0][3] == "Nadia Tazi"
    assert audit_details(social_worker, "assessment.view")[-1][1] == str(resident)
    created = audit_details(social_worker, "assessment.create")
    assert [d["kind"] for _o, _r, d in created] == ["initial", "scheduled"]
    assert "Adala" not in repr(created)


def test_after_discharge_it_is_the_assessment_at_discharge(coordinator, social_worker, resident):
    assessments.record_assessment(social_worker, resident, date.today(), scores(safety=2))
    stay = open_resident(coordinator, resident).stays[-1].stay_id
    discharge.discharge(coordinator, stay, datetime.now(UTC), "independent_living")
    assessments.record_assessment(social_worker, resident, date.today(), scores())
    assert assessments.list_assessments(social_worker, resident).latest.kind == "discharge"
