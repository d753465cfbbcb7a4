"""Administration → Reintegration driven through its real widgets: the
milestone templates of a pathway (added, edited, moved, retired and
restored) and the sustainability weights (changed, refused beside the
table, and back to the documented ones); and the reintegration settings."""

from __future__ import annotations

import pytest

from shelter.domain.reintegration import default_weights
from shelter.domain.sustainability import Weight
from shelter.domain.vocabulary import MILESTONE, PATHWAY
from shelter.i18n import _
from shelter.services import pathways, settings
from ui.qt import Qt


@pytest.fixture
def page(qtbot, admin):
    from ui.admin import AdministrationPage

    widget = AdministrationPage(admin)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    widget.tabs.setCurrentWidget(widget.pathways)
    return widget


def titles(tab):
    return [tab.model.index(r, tab.model.TITLE).data() for r in range(tab.model.rowCount())]


def test_the_tab_is_the_administrators(qtbot, page, coordinator):
    from ui.admin import AdministrationPage

    names = [page.tabs.tabText(i).replace("&", "") for i in range(page.tabs.count())]
    assert _("&Reintegration").replace("&", "") in names
    theirs = AdministrationPage(coordinator)
    qtbot.addWidget(theirs)
    assert theirs.pathways is None


def test_a_pathways_templates_are_listed_in_order_with_their_translated_titles(qtbot, qtmodeltester, page):
    tab = page.pathways
    qtmodeltester.check(tab.model)
    assert tab.pathway.count() == len(PATHWAY) and tab.current_pathway() == "return_origin"
    assert titles(tab)[:3] == [MILESTONE.label("family_tracing"), MILESTONE.label("consent_to_return"),
                               MILESTONE.label("travel_documents")]
    assert tab.model.index(0, tab.model.DUE).data() == "21 days after the plan opens"
    tab.show_pathway("third_country")
    assert titles(tab)[0] == MILESTONE.label("travel_documents") and tab.model.rowCount() == 5


def test_the_administrator_adds_moves_edits_and_retires_a_template(qtbot, page, admin):
    tab = page.pathways
    tab.show_pathway("independent_morocco")
    before = titles(tab)
    qtbot.mouseClick(tab.add_button, Qt.LeftButton)
    dialog = tab.dialog
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)  # no title: said beside it
    assert tab.dialog is dialog and dialog.errors.label("title").text() == _("Write the milestone.")
    qtbot.keyClicks(dialog.title_edit, "Bank account opened")
    dialog.offset_spin.setValue(40)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert tab.dialog is None
    assert titles(tab) == [*before, "Bank account opened"]
    assert tab.selected().title == "Bank account opened"
    assert tab.status.text() == _("“{title}” added.").format(title="Bank account opened")

    # Moved up twice with the keyboard's button: third from the end.
    tab.up_button.click()
    tab.up_button.click()
    assert titles(tab) == [*before[:-2], "Bank account opened", *before[-2:]]
    assert [t.title or t.code for t in pathways.milestone_templates(admin, "independent_morocco")][-3] == \
        "Bank account opened"
    tab.down_button.click()
    assert titles(tab)[-2] == "Bank account opened"

    # A template Shelter came with: a title of one's own, then empty again for the translated one.
    tab.table.selectRow(0)
    tab.edit()
    dialog = tab.dialog
    assert dialog.title_edit.text() == "" and dialog.title_edit.placeholderText() == MILESTONE.label("legal_case")
    dialog.title_edit.setText("Complaint filed with the prosecutor")
    dialog.offset_spin.setValue(20)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert titles(tab)[0] == "Complaint filed with the prosecutor"
    assert tab.model.index(0, tab.model.DUE).data() == "20 days after the plan opens"
    tab.edit()
    tab.dialog.title_edit.clear()
    qtbot.mouseClick(tab.dialog.ok_button, Qt.LeftButton)
    assert titles(tab)[0] == MILESTONE.label("legal_case")

    # Retired: still listed, marked, and no longer what a new plan starts with; then restored.
    tab.table.selectRow(1)
    retired = tab.selected()
    qtbot.mouseClick(tab.retire_button, Qt.LeftButton)
    assert tab.model.index(1, tab.model.STATUS).data() == _("Retired")
    assert retired.template_id not in {t.template_id for t in pathways.milestone_templates(admin, "independent_morocco")}
    assert tab.retire_button.text().replace("&", "") == _("Rest&ore").replace("&", "")
    qtbot.mouseClick(tab.retire_button, Qt.LeftButton)
    assert retired.template_id in {t.template_id for t in pathways.milestone_templates(admin, "independent_morocco")}


def test_a_weight_is_changed_refused_beside_the_table_and_reset(qtbot, page, admin, monkeypatch):
    box = page.pathways.weights
    documented = default_weights()
    assert box.dimension_spins["income"].value() == pytest.approx(0.2)
    assert box.composite_spins["income"].value() == pytest.approx(round(1 / 15, 4))
    assert box.names["income"].text() == _("Work and income")
    assert box.dimension_spins["income"].accessibleName() == "Weight of “Work and income” in the Economic score"
    qtbot.mouseClick(box.save_button, Qt.LeftButton)  # shown is not changed: 1/15 stays 1/15
    assert box.status.text() == _("Nothing to save: no weight was changed.")
    assert pathways.sustainability_weights(admin) == documented

    box.dimension_spins["income"].setValue(0.4)
    box.composite_spins["income"].setValue(0.1)
    qtbot.mouseClick(box.save_button, Qt.LeftButton)
    saved = pathways.sustainability_weights(admin)
    assert saved["income"] == Weight(0.4, 0.1)
    assert saved["debt"] == documented["debt"]  # only what was changed
    assert box.status.text() == _("Weights saved. Scores recorded from now on use them.")

    # A dimension left with no weight is refused, said under the table; nothing saved.
    for code in ("housing", "education", "justice", "documents", "health_care"):
        box.dimension_spins[code].setValue(0)
    qtbot.mouseClick(box.save_button, Qt.LeftButton)
    assert box.errors.general.text() == _("Each dimension needs at least one indicator with a weight above 0.")
    assert box.errors.general.isVisible()
    assert pathways.sustainability_weights(admin)["housing"] == documented["housing"]
    assert box.dimension_spins["housing"].value() == 0  # what was typed stays

    monkeypatch.setattr("ui.admin.pathways.ask", lambda *args: False)
    box.reset_button.click()
    assert pathways.sustainability_weights(admin)["income"] == Weight(0.4, 0.1)  # not confirmed: nothing done
    monkeypatch.setattr("ui.admin.pathways.ask", lambda *args: True)
    box.reset_button.click()
    assert pathways.sustainability_weights(admin) == documented
    assert box.dimension_spins["income"].value() == pytest.approx(0.2)
    assert box.dimension_spins["housing"].value() == pytest.approx(0.2)
    assert box.status.text() == _("The documented weights are back.")


# -- the reintegration settings ------------------------------------------------------------


def test_the_reintegration_settings_are_saved(qtbot, page, admin):
    tab = page.settings
    page.tabs.setCurrentWidget(tab)
    assert tab.reintegration.title() == _("Reintegration")
    assert (tab.plan_days_spin.value(), tab.follow_up_edit.text(), tab.attempts_spin.value()) == (30, "3, 6, 12", 3)
    tab.plan_days_spin.setValue(21)
    tab.follow_up_edit.setText("1 3,6 ، 12 24")
    tab.attempts_spin.setValue(4)
    qtbot.mouseClick(tab.save_button, Qt.LeftButton)
    saved = settings.get_settings(admin)
    assert (saved.reintegration_plan_days, saved.follow_up_months, saved.lost_contact_attempts) == \
        (21, (1, 3, 6, 12, 24), 4)
    assert tab.follow_up_edit.text() == "1, 3, 6, 12, 24" and tab.status.text() == _("Saved.")
    assert tab.attempts_spin.suffix() == " " + _("attempts")


@pytest.mark.parametrize("typed", ["3, six, 12", "12, 6", "", "3, 48"])
def test_follow_up_months_refused_are_said_beside_the_field(qtbot, page, admin, typed):
    tab = page.settings
    page.tabs.setCurrentWidget(tab)
    tab.follow_up_edit.setText(typed)
    tab.plan_days_spin.setValue(45)
    qtbot.mouseClick(tab.save_button, Qt.LeftButton)
    label = tab.errors.label("follow_up_months")
    assert label.isVisible() and label.text().startswith(_("Give one to six follow-ups")[:20])
    assert tab.follow_up_edit.text() == typed  # kept as typed
    assert settings.get_settings(admin).follow_up_months == (3, 6, 12)
    assert settings.get_settings(admin).reintegration_plan_days == 30  # nothing saved


def test_the_report_settings_are_saved_and_the_settings_fit_the_screen(qtbot, page, admin):
    tab = page.settings
    page.tabs.setCurrentWidget(tab)
    assert (tab.small_cell_spin.value(), tab.k_spin.value()) == (5, 11)
    tab.small_cell_spin.setValue(10)
    tab.k_spin.setValue(20)
    qtbot.mouseClick(tab.save_button, Qt.LeftButton)
    saved = settings.get_settings(admin)
    assert (saved.report_small_cell, saved.anonymised_k) == (10, 20)
    # Each field refuses what the setting refuses: the spin boxes stop at its bounds.
    tab.small_cell_spin.setValue(1)
    tab.k_spin.setValue(99)
    assert (tab.small_cell_spin.value(), tab.k_spin.value()) == (3, 50)
    assert tab.reports.width() <= 1366
