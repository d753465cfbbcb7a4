"""Store-wide settings, typed, with defaults (stored as JSON in ``setting``).

Never anything sensitive outside the encrypted database: the GUI keeps window
geometry per user here too, not in QSettings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelter.errors import ValidationError
from shelter.i18n import LANGUAGES, _
from shelter.security.permissions import Permission
from shelter.storage.models import Setting
from shelter.store import SignedIn

NAME_FORMS = ("full", "first", "initials")

# The per-user preferences the GUI keeps (ui/shell/main_window.py), and the
# most one may hold as JSON: a window geometry is about 100 bytes. Any other
# name, or a larger value, is refused: a preference is not a place to store
# text.
USER_PREFERENCES = frozenset({"window.geometry", "window.section"})
MAX_PREFERENCE_BYTES = 4096


@dataclass(frozen=True)
class Settings:
    idle_lock_minutes: int = 5
    document_language: str = "fr"
    resident_name_form: str = "full"
    # Case work: when the first assessment is due after admission, how often
    # a resident is reassessed and a plan reviewed, and whether a coordinator
    # approves each version of a plan before it is agreed with the resident.
    assessment_due_days: int = 7
    reassessment_months: int = 3
    review_interval_days: int = 30
    plan_approval: bool = False
    # Reintegration: the plan is due this many days after admission (IOM:
    # within a month); follow-ups after discharge this many months after it;
    # this many attempts in a row without reaching the person is lost contact.
    reintegration_plan_days: int = 30
    follow_up_months: tuple[int, ...] = (3, 6, 12)
    lost_contact_attempts: int = 3
    # Backups: made when the last verified one is older than this many hours
    # (at the first sign-in of the day and on closing), kept 7 daily, 4
    # weekly and 12 monthly, and copied to a second place when one is set.
    backup_interval_hours: int = 24
    backup_keep_daily: int = 7
    backup_keep_weekly: int = 4
    backup_keep_monthly: int = 12
    backup_mirror: str = ""
    # Reports: a count below this is shown as "<5" in whatever leaves the
    # machine; the anonymised export keeps a combination of its fields only
    # when at least this many rows share it (CTDC publishes with k = 11).
    report_small_cell: int = 5
    anonymised_k: int = 11

    def validated(self) -> Settings:
        if not (1 <= self.idle_lock_minutes <= 120):
            raise ValidationError(_("Choose an idle time between 1 and 120 minutes."), field="idle_lock_minutes")
        if self.document_language not in LANGUAGES:
            raise ValidationError(_("Unknown language."), field="document_language")
        if self.resident_name_form not in NAME_FORMS:
            raise ValidationError(_("Unknown name form."), field="resident_name_form")
        if not (1 <= self.assessment_due_days <= 60):
            raise ValidationError(_("Choose between 1 and 60 days."), field="assessment_due_days")
        if not (1 <= self.reassessment_months <= 12):
            raise ValidationError(_("Choose between 1 and 12 months."), field="reassessment_months")
        if not (7 <= self.review_interval_days <= 180):
            raise ValidationError(_("Choose between 7 and 180 days."), field="review_interval_days")
        if not (7 <= self.reintegration_plan_days <= 120):
            raise ValidationError(_("Choose between 7 and 120 days."), field="reintegration_plan_days")
        months = self.follow_up_months
        if not isinstance(months, tuple):  # a list, as JSON or a screen gives it
            months = tuple(months) if isinstance(months, list) else ()
            object.__setattr__(self, "follow_up_months", months)
        if (not 1 <= len(months) <= 6 or any(not isinstance(m, int) or not 1 <= m <= 36 for m in months)
                or list(months) != sorted(set(months))):
            raise ValidationError(_("Give one to six follow-ups, each between 1 and 36 months after the discharge, "
                                    "in increasing order."), field="follow_up_months")
        if not (1 <= self.lost_contact_attempts <= 10):
            raise ValidationError(_("Choose between 1 and 10 attempts."), field="lost_contact_attempts")
        if not (1 <= self.backup_interval_hours <= 168):
            raise ValidationError(_("Choose between 1 and 168 hours."), field="backup_interval_hours")
        for name, high in (("backup_keep_daily", 60), ("backup_keep_weekly", 52), ("backup_keep_monthly", 120)):
            if not (0 <= getattr(self, name) <= high):
                raise ValidationError(_("Choose between 0 and {n}.").format(n=high), field=name)
        if len(self.backup_mirror) > 1000:
            raise ValidationError(_("This path is too long."), field="backup_mirror")
        if not (3 <= self.report_small_cell <= 20):
            raise ValidationError(_("Choose between 3 and 20."), field="report_small_cell")
        if not (5 <= self.anonymised_k <= 50):
            raise ValidationError(_("Choose between 5 and 50."), field="anonymised_k")
        return self


def _load(session: Session) -> Settings:
    stored = {row.key: row.value for row in session.execute(select(Setting)).scalars()}
    values: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name in stored:
            try:
                values[f.name] = type(getattr(Settings(), f.name))(json.loads(stored[f.name]))
            except (ValueError, TypeError):
                continue  # a damaged value falls back to its default
    try:
        return Settings(**values).validated()
    except ValidationError:
        return Settings()


def get_settings(who: SignedIn) -> Settings:
    """Every signed-in person may read the settings (the idle lock needs them)."""
    with who.store.read() as s:
        return _load(s)


def load_settings(session: Session) -> Settings:
    """The settings, read inside the caller's unit of work (a service that
    already holds a transaction saves opening another)."""
    return _load(session)


def update_settings(who: SignedIn, **changes: Any) -> Settings:
    who.require(Permission.MANAGE_SETTINGS)
    known = {f.name for f in fields(Settings)}
    unknown = set(changes) - known
    if unknown:
        raise ValidationError(_("Unknown setting."), field=sorted(unknown)[0])
    with who.store.write() as s:
        current = _load(s)
        updated = replace(current, **changes).validated()
        for name in changes:
            value = json.dumps(getattr(updated, name))
            row = s.get(Setting, name)
            if row is None:
                s.add(Setting(key=name, value=value))
            else:
                row.value = value
            who.audit(s, "settings.change", "setting", name)
        return updated


def _preference_key(who: SignedIn, name: str) -> str:
    if name not in USER_PREFERENCES:
        raise ValidationError(_("Unknown preference."), field="name")
    return f"user.{who.actor.account_id}.{name}"


def get_user_preference(who: SignedIn, name: str, default: Any = None) -> Any:
    """A per-user GUI preference (window geometry, last section): one of
    ``USER_PREFERENCES``, else a ValidationError."""
    key = _preference_key(who, name)
    with who.store.read() as s:
        row = s.get(Setting, key)
        if row is None:
            return default
        try:
            return json.loads(row.value)
        except ValueError:
            return default


def set_user_preference(who: SignedIn, name: str, value: Any) -> None:
    """Keep a per-user GUI preference: one of ``USER_PREFERENCES``, at most
    ``MAX_PREFERENCE_BYTES`` as JSON; anything else is a ValidationError."""
    key = _preference_key(who, name)
    text = json.dumps(value)
    if len(text.encode("utf-8")) > MAX_PREFERENCE_BYTES:
        raise ValidationError(_("This preference is too large to keep."), field="value")
    with who.store.write() as s:
        row = s.get(Setting, key)
        if row is None:
            s.add(Setting(key=key, value=text))
        else:
            row.value = text
