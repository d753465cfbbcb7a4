"""The reintegration plan document issued for real from a store on disk: the
resident's copy carries all of her plan, a partner's copy only what she
consented to share with that partner (the rest named as withheld), an
exception needs a written reason and is audited, nothing is recorded when
the document cannot be made, and the verification code checks out until
the stored content is altered. Then the print form, driven as a person
would."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from shelter.domain.vocabulary import HANDOVER_SECTION, MILESTONE, PATHWAY
from shelter.errors import PermissionDenied, ValidationError
from shelter.i18n import translator
from shelter.services import (
    admissions,
    assessments,
    care_plans,
    discharge,
    handover,
    partners,
    reintegration,
    reintegration_document,
)
from shelter.services.care_plans import GoalInput
from shelter.services.reintegration_document import print_reintegration_plan
from shelter.services.residents import open_resident
from shelter.storage.models import AuditEntry, ReintegrationDocument
from tests.cases import admission, audit_details, bed_ids, scores
from tests.documents.pdftext import normalise, page_texts

TODAY = date.today()
CHOICE = "Je veux rentrer chez ma mère à Benin City et ouvrir un salon de coiffure"
BLOCKED = "Le père de famille a menacé la résidente au téléphone"
CLINIC_SERVICE = "Suivi gynécologique confidentiel"
OVERRIDE = "L'OIM doit connaître le risque pour organiser l'accueil à l'arrivée"


def text_of(pdf: bytes) -> str:
    return " ".join(page_texts(pdf))


@pytest.fixture
def case(coordinator, social_worker):
    """A resident on the return pathway: IOM responsible for two milestones,
    Nadia for one, one done, one blocked, one not applicable; consent to
    share her identity and languages with IOM; a referral to a clinic made
    without consent."""
    admitted = admissions.admit(coordinator, admission(bed_ids(coordinator)[0]))
    rid = admitted.resident_id
    iom = partners.add_partner(social_worker, "OIM Rabat", "iom", "Rabat", "Mme Alaoui, +212 5 37 00 00 00")
    clinic = partners.add_partner(social_worker, "Clinique Al Amal", "health", "Salé", "Dr Bennani, 05 37 11 22 33")
    adala = partners.add_partner(social_worker, "Association Adala", "legal_aid", "Rabat", "contact@adala.ma")
    handover.record_consent(social_worker, rid, "oim rabat", ("identity", "languages"))
    reintegration.make_plan(social_worker, rid, "return_origin", CHOICE, pathway_detail="Nigeria, Benin City",
                            consent_on=TODAY)
    milestones = reintegration.reintegration(social_worker, rid).milestones
    first, second, third, fourth, fifth = milestones[:5]
    reintegration.update_milestone(social_worker, first.milestone_id, first.due_on, owner_partner_id=iom.partner_id)
    reintegration.update_milestone(social_worker, second.milestone_id, second.due_on,
                                   owner_staff_id=social_worker.actor.account_id)
    reintegration.update_milestone(social_worker, third.milestone_id, third.due_on, owner_partner_id=iom.partner_id)
    reintegration.set_milestone_status(social_worker, first.milestone_id, "done")
    reintegration.set_milestone_status(social_worker, fourth.milestone_id, "blocked", BLOCKED)
    reintegration.set_milestone_status(social_worker, fifth.milestone_id, "not_applicable", "Déjà réglé")
    partners.refer(social_worker, rid, clinic.partner_id, CLINIC_SERVICE,
                   consent_override="Elle a besoin de soins urgents avant le départ")
    return {"rid": rid, "case": admitted.case_number, "iom": iom.partner_id, "clinic": clinic.partner_id,
            "adala": adala.partner_id, "milestones": milestones}


def rows(who) -> list[SimpleNamespace]:
    """The documents kept, as plain values."""
    with who.store.read() as s:
        return [SimpleNamespace(reference=r.reference, audience=r.audience, partner_id=r.partner_id, lang=r.lang,
                                code=r.code, content=r.content)
                for r in s.execute(select(ReintegrationDocument).order_by(ReintegrationDocument.id)).scalars()]


def test_the_residents_copy_carries_her_whole_plan(social_worker, case):
    issued = print_reintegration_plan(social_worker, case["rid"], "fr")
    assert issued.reference == f"{case['case']}-R1"
    assert issued.included_sections == HANDOVER_SECTION.codes and issued.overridden == ()
    fr = translator("fr")
    text = text_of(issued.pdf)
    assert "Fatima Zahra Benali" in text and normalise("فاطمة الزهراء بنعلي") in text
    assert normalise(PATHWAY.label("return_origin", fr)) in text and "Nigeria, Benin City" in text
    assert normalise(CHOICE) in text
    assert TODAY.isoformat() in text  # her consent
    applicable = [m for m in case["milestones"] if m.code != case["milestones"][4].code]
    for m in applicable:
        assert normalise(MILESTONE.label(m.code, fr)) in text
    assert normalise(MILESTONE.label(case["milestones"][4].code, fr)) not in text  # not applicable
    assert "Nadia Tazi" in text and "OIM Rabat" in text and "+212 5 37 00 00 00" in text
    # She was referred to the clinic: on her copy, with what for.
    assert "Clinique Al Amal" in text and normalise(CLINIC_SERVICE) in text and "05 37 11 22 33" in text
    # Never the reasons written for a status, nor any exception's reason.
    assert normalise(BLOCKED) not in text and "soins urgents" not in text
    assert issued.code in text and issued.reference in text
    [row] = rows(social_worker)
    assert (row.audience, row.partner_id, row.lang, row.code) == ("resident", None, "fr", issued.code)
    [(outcome, record, detail)] = audit_details(social_worker, "document.reintegration_plan")
    assert (outcome, record) == ("ok", str(case["rid"]))
    assert detail == {"reference": issued.reference, "lang": "fr", "audience": "resident",
                      "sections": "identity,languages,stay,safety"}
    second = print_reintegration_plan(social_worker, case["rid"], "en")
    assert second.reference == f"{case['case']}-R2"


def test_a_partners_copy_leaves_out_what_she_did_not_consent_to(social_worker, case):
    issued = print_reintegration_plan(social_worker, case["rid"], "fr", "partner", case["iom"])
    assert issued.included_sections == ("identity", "languages") and issued.overridden == ()
    fr = translator("fr")
    text = text_of(issued.pdf)
    assert "Fatima Zahra Benali" in text  # identity: consented
    assert normalise(HANDOVER_SECTION.label("languages", fr)) in text
    # Stay and safety are named as withheld, their content absent.
    withheld = normalise(fr.gettext("Not shared with this partner, by the resident's choice: {sections}.")
                         .split("{")[0])
    assert withheld in text
    assert normalise(HANDOVER_SECTION.label("safety", fr)) in text.split(withheld)[1]
    assert normalise(fr.gettext("Risk level")) not in text
    assert normalise(fr.gettext("Admitted on")) not in text
    # Her plan is there: the pathway, the milestones IOM and Nadia are responsible for.
    assert normalise(PATHWAY.label("return_origin", fr)) in text and "Nadia Tazi" in text
    # Not another partner's referral: the clinic and what she was referred for stay off IOM's copy.
    assert "Clinique" not in text and normalise(CLINIC_SERVICE) not in text
    [(_, _, detail)] = audit_details(social_worker, "document.reintegration_plan")
    assert detail == {"reference": issued.reference, "lang": "fr", "audience": "partner",
                      "sections": "identity,languages", "partner": case["iom"]}
    assert audit_details(social_worker, "document.reintegration_consent_override") == []


def test_the_name_stays_off_a_copy_without_identity(social_worker, case):
    issued = print_reintegration_plan(social_worker, case["rid"], "en", "partner", case["iom"],
                                      sections=("languages",))
    text = text_of(issued.pdf)
    assert "Fatima" not in text and normalise("فاطمة") not in text
    assert case["case"] in text  # the case number, as on a handover


def test_an_unconsented_section_needs_a_reason_and_is_audited(social_worker, case):
    with pytest.raises(ValidationError) as refused:
        print_reintegration_plan(social_worker, case["rid"], "fr", "partner", case["iom"],
                                 sections=("identity", "safety"), override_reason="urgent")
    assert refused.value.field == "override_reason"
    assert rows(social_worker) == [] and audit_details(social_worker, "document.reintegration_plan") == []
    issued = print_reintegration_plan(social_worker, case["rid"], "fr", "partner", case["iom"],
                                      sections=("identity", "safety"), override_reason=OVERRIDE)
    assert issued.included_sections == ("identity", "safety") and issued.overridden == ("safety",)
    fr = translator("fr")
    text = text_of(issued.pdf)
    assert normalise(fr.gettext("Risk level")) in text and OVERRIDE not in text
    [(_, _, detail)] = audit_details(social_worker, "document.reintegration_consent_override")
    assert detail == {"reference": issued.reference, "partner": case["iom"], "sections": "safety",
                      "without_consent": False}
    [row] = rows(social_worker)
    assert json.loads(row.content)["override"] == {"sections": ["safety"], "without_consent": False,
                                                   "reason": OVERRIDE}
    # The audit log never holds the reason.
    with social_worker.store.read() as s:
        assert not any(OVERRIDE in e.detail for e in s.execute(select(AuditEntry)).scalars())


def test_no_consent_at_all_for_a_partner_is_refused_without_a_reason(social_worker, case):
    with pytest.raises(ValidationError) as refused:
        print_reintegration_plan(social_worker, case["rid"], "fr", "partner", case["adala"])
    assert refused.value.field == "override_reason"
    assert "Association Adala" in refused.value.message and "has not consented" in refused.value.message
    assert rows(social_worker) == []
    issued = print_reintegration_plan(social_worker, case["rid"], "fr", "partner", case["adala"],
                                      override_reason="The hearing is tomorrow and Adala represents her")
    assert issued.included_sections == () and issued.overridden == ()
    assert "Fatima" not in text_of(issued.pdf)
    [(_, _, detail)] = audit_details(social_worker, "document.reintegration_consent_override")
    assert detail["without_consent"] is True and detail["sections"] == ""


def test_the_code_checks_out_until_the_stored_content_is_altered(social_worker, coordinator, case):
    issued = print_reintegration_plan(social_worker, case["rid"], "ar", "partner", case["iom"])
    found = handover.verify_document(coordinator, issued.reference.lower(), issued.code.lower().replace("-", " "))
    assert found.genuine and found.kind == "reintegration_plan"
    assert (found.reference, found.case_number, found.reason, found.receiver, found.lang) == (
        issued.reference, case["case"], "partner", "OIM Rabat", "ar")
    assert found.sections == ("identity", "languages") and found.issued_by == "Nadia Tazi"
    assert not handover.verify_document(coordinator, issued.reference, "0000-0000").genuine
    with social_worker.store.write() as s:
        row = s.execute(select(ReintegrationDocument)).scalar_one()
        content = json.loads(row.content)
        content["plan"]["pathway"] = "third_country"
        s.execute(update(ReintegrationDocument).where(ReintegrationDocument.id == row.id)
                  .values(content=json.dumps(content)))
    assert not handover.verify_document(coordinator, issued.reference, issued.code).genuine
    outcomes = [outcome for outcome, _r, _d in audit_details(coordinator, "document.verify")]
    assert outcomes == ["ok", "denied", "denied"]


def test_after_discharge_the_follow_ups_to_come_are_printed(social_worker, coordinator, case):
    stay = open_resident(coordinator, case["rid"]).stays[-1].stay_id
    discharge.discharge(coordinator, stay, datetime.now(UTC), "family_reunification")
    view = reintegration.reintegration(social_worker, case["rid"])
    issued = print_reintegration_plan(social_worker, case["rid"], "en")
    text = text_of(issued.pdf)
    assert "Follow-up after leaving the shelter" in text
    for r in view.rounds:
        assert f"After {r.months} months" in text and r.due_on.isoformat() in text


def test_never_the_care_plan(social_worker, case):
    assessments.record_assessment(social_worker, case["rid"], TODAY, scores(safety=2))
    plan = care_plans.start_plan(social_worker, case["rid"]).record_id
    care_plans.add_goal(social_worker, plan, GoalInput("safety", "Sortir sans peur au marché"))
    text = text_of(print_reintegration_plan(social_worker, case["rid"], "fr").pdf)
    assert "Sortir sans peur" not in text


def test_bad_requests_are_refused_and_record_nothing(social_worker, counsellor, coordinator, case):
    other = admissions.admit(coordinator, admission(bed_ids(coordinator)[1], name="Grace Okafor", arabic="")).resident_id
    with pytest.raises(ValidationError) as refused:
        print_reintegration_plan(social_worker, other, "fr")
    assert refused.value.field == "plan" and "no reintegration plan" in refused.value.message
    for kwargs, field in (({"audience": "partner"}, "partner"), ({"audience": "partner", "partner_id": 999}, "partner"),
                          ({"audience": "friend"}, "audience"), ({"sections": ("health",)}, "sections"),
                          ({"lang": "de"}, "lang")):
        kwargs = {"lang": "fr", **kwargs}
        with pytest.raises(ValidationError) as refused:
            print_reintegration_plan(social_worker, case["rid"], **kwargs)
        assert refused.value.field == field, kwargs
    partners.update_partner(social_worker, case["iom"], "OIM Rabat", "iom", active=False)
    with pytest.raises(ValidationError) as refused:
        print_reintegration_plan(social_worker, case["rid"], "fr", "partner", case["iom"])
    assert refused.value.field == "partner"
    with pytest.raises(PermissionDenied):
        print_reintegration_plan(counsellor, case["rid"], "fr")
    assert rows(social_worker) == [] and audit_details(social_worker, "document.reintegration_plan") == []


def test_a_document_that_cannot_be_made_records_nothing(social_worker, case, monkeypatch):
    def broken(doc, lang):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(reintegration_document, "reintegration_plan_document", broken)
    with pytest.raises(RuntimeError):
        print_reintegration_plan(social_worker, case["rid"], "fr", "partner", case["iom"],
                                 sections=("safety",), override_reason=OVERRIDE)
    assert rows(social_worker) == []
    assert audit_details(social_worker, "document.reintegration_plan") == []
    assert audit_details(social_worker, "document.reintegration_consent_override") == []


def test_print_options_offer_active_partners_with_their_consents(social_worker, case, admin):
    options = reintegration_document.print_options(social_worker, case["rid"])
    assert options.has_plan and options.case_number == case["case"]
    assert options.lang == "en"  # the first of her languages a document can be printed in
    assert [(p.name, p.consented) for p in options.partners] == [
        ("Association Adala", ()), ("Clinique Al Amal", ()), ("OIM Rabat", ("identity", "languages"))]
    assert reintegration_document.partner_named(social_worker, " oim  RABAT ") == case["iom"]
    with pytest.raises(ValidationError) as refused:
        reintegration_document.partner_named(social_worker, "UNHCR")
    assert refused.value.field == "partner"


def test_output_is_recorded_by_reference(social_worker, case):
    issued = print_reintegration_plan(social_worker, case["rid"], "fr")
    reintegration_document.record_reintegration_output(social_worker, issued.reference, "print", "fr")
    assert audit_details(social_worker, "document.print")[-1] == (
        "ok", issued.reference, {"document": "reintegration_plan", "lang": "fr"})
    with pytest.raises(ValidationError):
        reintegration_document.record_reintegration_output(social_worker, "RBT1-2026-9999-R1", "save", "fr")


# -- the print form ---------------------------------------------------------------------------

def form_for(qtbot, who, resident_id):
    from ui.qt import QWidget
    from ui.reintegration.print_dialog import ReintegrationPrintDialog, open_print_dialog

    parent = QWidget()
    qtbot.addWidget(parent)
    open_print_dialog(parent, who, resident_id)
    dialog = parent.findChild(ReintegrationPrintDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.kept_parent = parent  # the test holds the window it was opened over
    return dialog


def test_form_prints_the_residents_copy_in_her_language(qtbot, social_worker, case):
    dialog = form_for(qtbot, social_worker, case["rid"])
    assert dialog.language.language() == "en"  # she speaks English
    assert dialog.audience() == "resident" and not dialog.sections_box.isVisibleTo(dialog)
    dialog.language.setCurrentIndex(dialog.language.findData("ar"))
    dialog.submit()
    assert dialog.preview is not None and dialog.issued.reference == f"{case['case']}-R1"
    qtbot.addWidget(dialog.preview)
    assert rows(social_worker)[0].lang == "ar"
    dialog.preview._output("print")
    assert audit_details(social_worker, "document.print")[-1][2] == {"document": "reintegration_plan", "lang": "ar"}
    dialog.preview.close()


def test_form_for_a_partner_preselects_consent_and_asks_a_reason(qtbot, social_worker, case):
    dialog = form_for(qtbot, social_worker, case["rid"])
    dialog.for_partner.setChecked(True)
    assert dialog.sections_box.isVisibleTo(dialog) and dialog.partner.isEnabled()
    dialog.partner.setCurrentIndex(dialog.partner.findData(case["iom"]))
    assert dialog.chosen_sections() == ("identity", "languages")
    assert dialog.section_states["safety"].text() == "no consent for this partner"
    assert not dialog.override.isVisibleTo(dialog)
    dialog.section_boxes["safety"].setChecked(True)
    assert dialog.override.isVisibleTo(dialog)
    dialog.submit()
    assert dialog.preview is None and rows(social_worker) == []
    assert "has not consented" in dialog.errors.label("override_reason").text()
    dialog.override.setPlainText(OVERRIDE)
    dialog.submit()
    assert dialog.preview is not None and dialog.issued.overridden == ("safety",)
    qtbot.addWidget(dialog.preview)
    dialog.preview.close()


def test_form_for_a_partner_without_any_consent_asks_a_reason(qtbot, social_worker, case):
    dialog = form_for(qtbot, social_worker, case["rid"])
    dialog.for_partner.setChecked(True)
    dialog.partner.setCurrentIndex(dialog.partner.findData(case["adala"]))
    assert dialog.chosen_sections() == () and dialog.override.isVisibleTo(dialog)
    dialog.submit()
    assert dialog.preview is None
    assert "Association Adala" in dialog.errors.label("override_reason").text()


def test_form_without_a_plan_says_so(qtbot, coordinator, social_worker):
    rid = admissions.admit(coordinator, admission(bed_ids(coordinator)[0])).resident_id
    dialog = form_for(qtbot, social_worker, rid)
    assert not dialog.print_button.isEnabled()
    assert "no reintegration plan" in dialog.error.text()


def test_form_screenshots(qtbot, social_worker, case, tmp_path):
    """The form at 1366×768 in the three languages, long names included."""
    import os

    from shelter.i18n import set_language
    from ui.qt import QApplication, Qt

    partners.add_partner(social_worker, "Organisation internationale pour les migrations — bureau de Tanger-Tétouan",
                         "iom", "Tanger")
    folder = os.environ.get("SHELTER_SHOTS")
    for lang in ("en", "fr", "ar"):
        set_language(lang)
        QApplication.setLayoutDirection(Qt.RightToLeft if lang == "ar" else Qt.LeftToRight)
        try:
            dialog = form_for(qtbot, social_worker, case["rid"])
            dialog.for_partner.setChecked(True)
            dialog.partner.setCurrentIndex(dialog.partner.findData(case["iom"]))
            dialog.section_boxes["safety"].setChecked(True)
            dialog.show()
            qtbot.waitExposed(dialog)
            qtbot.wait(50)  # the layout takes in the sections shown
            assert dialog.width() <= 1366 and dialog.height() <= 768
            if folder:
                dialog.grab().save(os.path.join(folder, f"reintegration_print_{lang}.png"))
            dialog.close()
        finally:
            set_language("en")
            QApplication.setLayoutDirection(Qt.LeftToRight)


def test_stored_dates_parse_back(social_worker, case):
    """The PDF is made from what is stored: every date round-trips."""
    print_reintegration_plan(social_worker, case["rid"], "fr")
    content = json.loads(rows(social_worker)[0].content)
    assert content["plan"]["opened_on"] == TODAY.isoformat()
    assert content["sections"]["identity"]["birth_date"] == "1998-03-14"
    assert all(m["due_on"] is None or date.fromisoformat(m["due_on"]) >= TODAY - timedelta(days=1)
               for m in content["milestones"])


def test_administration_checks_a_reintegration_plan(qtbot, social_worker, admin, case):
    from ui.admin.documents import DocumentsTab

    issued = print_reintegration_plan(social_worker, case["rid"], "fr", "partner", case["iom"])
    tab = DocumentsTab(admin)
    qtbot.addWidget(tab)
    tab.reference.setText(issued.reference)
    tab.code.setText(issued.code.lower())
    tab.check()
    text = tab.result.text()
    assert text.startswith("Genuine") and "Reintegration plan, copy for OIM Rabat" in text
    assert "Sections printed: Identity, Languages" in text and "Handed over" not in text
    assert "Fatima" not in text
    import os

    if os.environ.get("SHELTER_SHOTS"):
        tab.resize(1366, 768)
        tab.show()
        qtbot.waitExposed(tab)
        tab.grab().save(os.path.join(os.environ["SHELTER_SHOTS"], "verify_reintegration_en.png"))
    tab.code.setText("0000-0000")
    tab.check()
    assert tab.result.text().startswith("Not confirmed")
