"""Per-user preferences: only the names the GUI keeps, and small values; any
role may keep its own, none may use them to store text."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shelter.errors import ValidationError
from shelter.security.permissions import Role
from shelter.services import accounts, settings
from shelter.storage.models import Setting
from shelter.store import Store


def stored_keys(who) -> set[str]:
    with who.store.read() as s:
        return set(s.execute(select(Setting.key)).scalars())


def test_the_gui_preferences_are_the_ones_kept():
    from ui.shell.main_window import PREF_GEOMETRY, PREF_SECTION

    assert {PREF_GEOMETRY, PREF_SECTION} == settings.USER_PREFERENCES


def test_a_preference_is_kept_per_person(admin, store_dir):
    accounts.create_account(admin, "karim", "Karim Fassi", [Role.REPORTING], "monthly figures only",
                            must_change_password=False)
    karim = Store(store_dir).sign_in("karim", "monthly figures only")
    try:
        geometry = "AdnQywADAAAAAAAAAAAAAAAABP8AAAMfAAAAAAAAAAAAAAT/AAADHwAAAAACAAAABQA="
        settings.set_user_preference(karim, "window.geometry", geometry)
        settings.set_user_preference(karim, "window.section", "reports")
        assert settings.get_user_preference(karim, "window.geometry") == geometry
        assert settings.get_user_preference(karim, "window.section") == "reports"
        assert settings.get_user_preference(admin, "window.section", "none") == "none"
    finally:
        karim.lock("sign_out")


@pytest.mark.parametrize("name", ["note", "window.section.x", "../settings", "", "idle_lock_minutes"])
def test_an_unknown_preference_is_refused(admin, name):
    before = stored_keys(admin)
    with pytest.raises(ValidationError) as refused:
        settings.set_user_preference(admin, name, "x")
    assert refused.value.field == "name"
    with pytest.raises(ValidationError):
        settings.get_user_preference(admin, name)
    assert stored_keys(admin) == before


def test_a_large_preference_is_refused(admin):
    before = stored_keys(admin)
    with pytest.raises(ValidationError) as refused:
        settings.set_user_preference(admin, "window.section", "x" * (1024 * 1024))
    assert refused.value.field == "value"
    with pytest.raises(ValidationError):
        # Counted as stored (JSON, escaped): a few KB of Arabic is too much too.
        settings.set_user_preference(admin, "window.geometry", "ع" * 1000)
    assert stored_keys(admin) == before
    just_fits = "x" * (settings.MAX_PREFERENCE_BYTES - 2)  # and its two quotes
    settings.set_user_preference(admin, "window.section", just_fits)
    assert settings.get_user_preference(admin, "window.section") == just_fits
