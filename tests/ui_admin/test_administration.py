"""Administration driven through its real widgets: accounts, rooms,
settings and the audit log, on a real encrypted store."""

from __future__ import annotations

import pytest

from shelter.errors import PermissionDenied, WrongPassword
from shelter.i18n import _
from shelter.security.permissions import Role
from shelter.services import accounts, settings, shelters
from shelter.store import Store
from tests.conftest import ADMIN
from ui.qt import Qt

TEMPORARY = "lemon tree under rain"


@pytest.fixture
def page(qtbot, admin):
    from ui.admin import AdministrationPage

    widget = AdministrationPage(admin)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_a_new_account_signs_in_with_its_temporary_password_and_must_change_it(qtbot, page, store_dir):
    tab = page.accounts
    qtbot.mouseClick(tab.new_button, Qt.LeftButton)
    dialog = tab.dialog
    qtbot.keyClicks(dialog.name_edit, "Karim Alaoui")
    qtbot.keyClicks(dialog.username_edit, "karim")
    _check_role(dialog.roles, _("Coordinator"))
    qtbot.keyClicks(dialog.passwords.password, TEMPORARY)
    qtbot.keyClicks(dialog.passwords.confirm, TEMPORARY)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert tab.dialog is None
    assert "karim" in tab.status.text()

    who = Store(store_dir).sign_in("karim", TEMPORARY)
    assert who.actor.roles == frozenset({Role.COORDINATOR})
    view = next(a for a in accounts.list_accounts(page.accounts._who) if a.username == "karim")
    assert view.must_change_password
    who.lock("sign_out")


def _check_role(group, label):
    from ui.qt import QCheckBox

    boxes = [b for b in group.findChildren(QCheckBox) if b.text().replace("&", "") == label]
    assert boxes, f"no role box labelled {label!r}"
    boxes[0].setChecked(True)


def test_an_empty_name_is_explained_and_nothing_is_created(qtbot, page, admin):
    tab = page.accounts
    before = len(accounts.list_accounts(admin))
    qtbot.mouseClick(tab.new_button, Qt.LeftButton)
    dialog = tab.dialog
    qtbot.keyClicks(dialog.username_edit, "nadia")
    _check_role(dialog.roles, _("Counsellor"))
    qtbot.keyClicks(dialog.passwords.password, TEMPORARY)
    qtbot.keyClicks(dialog.passwords.confirm, TEMPORARY)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert tab.dialog is dialog and dialog.isVisible()
    assert dialog.username_edit.text() == "nadia"  # nothing typed is lost
    assert len(accounts.list_accounts(admin)) == before
    dialog.reject()


def shown_under(label, field) -> bool:
    """``label`` shows a message just under ``field``, where the eye goes."""
    from ui.qt import QPoint

    if not label.isVisible() or not label.text():
        return False
    window = field.window()
    top = label.mapTo(window, QPoint(0, 0))
    bottom = field.mapTo(window, QPoint(0, field.height()))
    return 0 <= top.y() - bottom.y() <= 8 and abs(top.x() - field.mapTo(window, QPoint(0, 0)).x()) <= 8


def test_each_refusal_is_shown_beside_its_field(qtbot, page, admin):
    tab = page.accounts
    qtbot.mouseClick(tab.new_button, Qt.LeftButton)
    dialog = tab.dialog
    qtbot.keyClicks(dialog.username_edit, "nadia")
    _check_role(dialog.roles, _("Counsellor"))
    qtbot.keyClicks(dialog.passwords.password, TEMPORARY)
    qtbot.keyClicks(dialog.passwords.confirm, TEMPORARY)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    name_error = dialog.errors.label("display_name")
    assert name_error.text() == _("Enter the person's name.") and dialog.errors.general.isHidden()
    qtbot.waitUntil(lambda: shown_under(name_error, dialog.name_edit), timeout=3000)
    assert dialog.focusWidget() is dialog.name_edit

    qtbot.keyClicks(dialog.name_edit, "Nadia Alaoui")
    dialog.username_edit.clear()
    qtbot.keyClicks(dialog.username_edit, "nadia alaoui!")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    user_error = dialog.errors.label("username")
    assert user_error.text() == _(
        "A username has 2 to 32 characters: Latin letters, digits, dot, dash or underscore.")
    assert name_error.isHidden() and dialog.errors.general.isHidden()
    qtbot.waitUntil(lambda: shown_under(user_error, dialog.username_edit), timeout=3000)
    assert dialog.focusWidget() is dialog.username_edit
    assert dialog.username_edit.selectedText() == "nadia alaoui!"  # typing replaces it
    assert "nadia" not in {a.username for a in accounts.list_accounts(admin)}
    dialog.reject()


def test_a_setting_refused_is_shown_beside_it(qtbot, page, monkeypatch):
    from shelter.errors import ValidationError

    def refuse(*_args, **_changes):
        raise ValidationError("Choose an idle time between 1 and 120 minutes.", field="idle_lock_minutes")
    monkeypatch.setattr(settings, "update_settings", refuse)
    tab = page.settings
    page.tabs.setCurrentWidget(tab)
    tab.idle_spin.setValue(12)
    qtbot.mouseClick(tab.save_button, Qt.LeftButton)
    label = tab.errors.label("idle_lock_minutes")
    assert label.text() == "Choose an idle time between 1 and 120 minutes." and tab.errors.general.isHidden()
    qtbot.waitUntil(lambda: shown_under(label, tab.idle_spin), timeout=3000)


def test_an_administrator_cannot_deactivate_their_own_account(qtbot, page, admin, monkeypatch):
    told: list[str] = []
    monkeypatch.setattr("ui.admin.accounts.ask", lambda *args: True)
    monkeypatch.setattr("ui.admin.accounts.tell", lambda parent, title, text: told.append(text))
    tab = page.accounts
    tab.select(admin.actor.account_id)
    tab.deactivate()
    # (So the last administrator can never be deactivated either.)
    assert told == [_("You cannot deactivate your own account.")]
    assert next(a for a in accounts.list_accounts(admin) if a.username == ADMIN).active


def test_resetting_a_password_lets_the_person_in_with_the_temporary_one(qtbot, page, admin, store_dir):
    karim = accounts.create_account(admin, "karim", "Karim Alaoui", [Role.COUNSELLOR], "first words of spring")
    tab = page.accounts
    tab.reload(karim.id)
    tab.select(karim.id)
    qtbot.mouseClick(tab.password_button, Qt.LeftButton)
    dialog = tab.dialog
    qtbot.keyClicks(dialog.passwords.password, TEMPORARY)
    qtbot.keyClicks(dialog.passwords.confirm, TEMPORARY)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert tab.dialog is None
    Store(store_dir).sign_in("karim", TEMPORARY).lock("sign_out")
    with pytest.raises(WrongPassword):
        Store(store_dir).sign_in("karim", "first words of spring")


def test_idle_minutes_are_saved(qtbot, page, admin):
    tab = page.settings
    tab.idle_spin.setValue(12)
    qtbot.mouseClick(tab.save_button, Qt.LeftButton)
    assert settings.get_settings(admin).idle_lock_minutes == 12


def test_rooms_added_in_the_service_appear_in_the_tree(qtbot, page, admin):
    shelter = shelters.list_shelters(admin)[0]
    shelters.add_room(admin, shelter.id, "Blue room", beds=4, women_only=True)
    page.places.reload()
    model = page.places.model
    texts = []
    for row in range(model.rowCount()):
        parent = model.index(row, 0)
        texts += [model.index(r, 0, parent).data() for r in range(model.rowCount(parent))]
    assert "Blue room" in texts


def test_the_audit_log_filters_by_action_and_shows_the_chain(qtbot, page, admin):
    accounts.create_account(admin, "karim", "Karim Alaoui", [Role.COUNSELLOR], "first words of spring")
    tab = page.audit
    index = tab.action.findData("account.create")
    tab.action.setCurrentIndex(index)
    qtbot.mouseClick(tab.apply_button, Qt.LeftButton)
    rows = [tab.model.entry(r) for r in range(tab.model.rowCount())]
    assert rows and {r.action for r in rows} == {"account.create"}
    assert tab.count.text() == _("{count} entry").format(count=1)
    tab.check_chain()
    assert tab.chain.property("state") == "ok"


def test_someone_who_is_not_an_administrator_gets_nothing(qtbot, admin, store_dir):
    from ui.admin import AdministrationPage

    accounts.create_account(admin, "salma", "Salma Idrissi", [Role.COUNSELLOR], "first words of spring",
                            must_change_password=False)
    salma = Store(store_dir).sign_in("salma", "first words of spring")
    with pytest.raises(PermissionDenied):
        AdministrationPage(salma)
    salma.lock("sign_out")


def test_an_account_name_language_and_roles_are_corrected_in_one_dialog(qtbot, page, admin):
    accounts.create_account(admin, "karim", "Karim Alauoi", [Role.COORDINATOR], TEMPORARY)
    tab = page.accounts
    tab.reload()
    karim = next(a for a in accounts.list_accounts(admin) if a.username == "karim")
    tab.select(karim.id)
    qtbot.mouseClick(tab.roles_button, Qt.LeftButton)
    dialog = tab.dialog
    dialog.name_edit.clear()
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)  # an empty name is refused beside the field
    assert tab.dialog is dialog and dialog.errors.label("display_name").isVisible()
    qtbot.keyClicks(dialog.name_edit, "Karim Alaoui")  # the typing slip mended
    dialog.language.setCurrentIndex(dialog.language.findData("fr"))
    _check_role(dialog.roles, _("Social worker"))
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert tab.dialog is None and "karim" in tab.status.text()
    saved = next(a for a in accounts.list_accounts(admin) if a.username == "karim")
    assert (saved.display_name, saved.language) == ("Karim Alaoui", "fr")
    assert saved.roles == frozenset({Role.COORDINATOR, Role.SOCIAL_WORKER})


def test_the_audit_log_is_read_when_its_tab_is_shown_and_its_chain_count_agrees(qtbot, page, admin):
    from shelter.services.audit_log import AuditFilter, list_entries

    assert list_entries(admin, AuditFilter(action="audit.view")) == []  # Administration opened, log not seen
    page.tabs.setCurrentWidget(page.audit)
    qtbot.waitUntil(lambda: page.audit.model.rowCount() > 0, timeout=3000)
    assert len(list_entries(admin, AuditFilter(action="audit.view"))) == 1
    total = page.audit.model.rowCount()
    assert _("{count} entries").format(count=total).split()[0] in page.audit.chain.text()
    accounts.create_account(admin, "karim", "Karim Alaoui", [Role.COUNSELLOR], "first words of spring")
    page.tabs.setCurrentIndex(0)
    page.tabs.setCurrentWidget(page.audit)  # back on the tab: what happened since is there
    qtbot.waitUntil(lambda: page.audit.model.rowCount() == total + 1, timeout=3000)
    assert len(list_entries(admin, AuditFilter(action="audit.view"))) == 1  # one viewing per opening


def test_a_coordinator_gets_the_tabs_her_roles_allow_and_no_refusal(qtbot, coordinator):
    from ui.admin import AdministrationPage

    page = AdministrationPage(coordinator)
    qtbot.addWidget(page)
    titles = [page.tabs.tabText(i).replace("&", "") for i in range(page.tabs.count())]
    assert titles == [_("Shelters, rooms and &beds").replace("&", ""), _("&Documents").replace("&", ""),
                      _("Bac&kups").replace("&", "")]
    assert page.accounts is None and page.audit is None
