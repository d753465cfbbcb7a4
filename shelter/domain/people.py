"""A resident as the forms enter her: identity, referral and protection,
with the rules every form and service applies to them (ages, names, dates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from shelter.domain.vocabulary import (
    EXPLOITATION_FORM,
    EXPLOITATION_SCOPE,
    IDENTIFICATION,
    REFERRAL_SOURCE,
    RISK_LEVEL,
    SEX,
)
from shelter.errors import ValidationError
from shelter.i18n import _

ADULT_AGE = 18
OLDEST_AGE = 110  # a date of birth further back is a typing mistake


@dataclass(frozen=True)
class Identity:
    name_arabic: str = ""
    name_latin: str = ""
    preferred_name: str = ""
    sex: str = "female"
    birth_date: date | None = None
    birth_year_estimated: int | None = None
    nationality: str = ""
    languages: tuple[str, ...] = ()
    interpreter_needed: bool = False


@dataclass(frozen=True)
class ReferralInfo:
    referred_on: date
    source: str
    agency: str = ""
    contact: str = ""
    identification: str = "presumed"
    identified_by: str = ""
    identified_on: date | None = None


@dataclass(frozen=True)
class Protection:
    exploitation: tuple[str, ...] = ()
    exploitation_country: str = ""
    exploitation_scope: str | None = None
    flag_trafficker_contact: bool = False
    flag_no_visits: bool = False
    flag_no_phone: bool = False
    flag_media_exposure: bool = False
    risk_level: str = "medium"
    consent_processing: bool = False
    consent_processing_on: date | None = None
    consent_sharing: tuple[str, ...] = ()
    consent_sharing_on: date | None = None
    # Agrees to be counted, without name, in the anonymised case-level export.
    consent_reporting: bool = False
    consent_reporting_on: date | None = None


class Born(Protocol):
    birth_date: date | None
    birth_year_estimated: int | None


class Named(Protocol):
    name_arabic: str
    name_latin: str
    preferred_name: str


def age_on(person: Born, day: date) -> int | None:
    """Age in whole years on ``day``, from the date of birth or else the
    estimated year; None when neither is known."""
    if person.birth_date is not None:
        born = person.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    if person.birth_year_estimated is not None:
        return day.year - person.birth_year_estimated
    return None


def is_minor(person: Born, day: date) -> bool:
    age = age_on(person, day)
    return age is not None and age < ADULT_AGE


def written_names(person: Named) -> list[str]:
    """The person's names as written (Arabic script, Latin script, preferred)."""
    return [n for n in (person.name_arabic, person.name_latin, person.preferred_name) if n.strip()]


def display_name(person: Named | Any, form: str) -> str:
    """The name as the shelter chose to show it on shared screens (from a
    resident or any row with its three name columns)."""
    full = person.preferred_name or person.name_latin or person.name_arabic
    words = full.split()
    if form == "first" and words:
        return words[0]
    if form == "initials" and words:
        return "".join(w[0] + "." for w in words)
    return full


def check_identity(identity: Identity, today: date) -> None:
    if not (identity.name_arabic.strip() or identity.name_latin.strip()):
        raise ValidationError(_("Enter the person's name in Arabic or Latin script."), field="name_latin")
    if identity.sex not in SEX:
        raise ValidationError(_("Choose the person's sex."), field="sex")
    if identity.birth_date is not None:
        if identity.birth_date > today:
            raise ValidationError(_("The date of birth is in the future."), field="birth_date")
        if identity.birth_date.year < today.year - OLDEST_AGE:
            raise ValidationError(_("Check the date of birth: it is more than 110 years ago."), field="birth_date")
    elif identity.birth_year_estimated is not None and not (
        today.year - OLDEST_AGE <= identity.birth_year_estimated <= today.year
    ):
        raise ValidationError(_("Check the estimated year of birth."), field="birth_year_estimated")


def check_referral(referral: ReferralInfo, today: date, admitted_on: date) -> None:
    """``today`` is the real date; ``admitted_on`` may be earlier when a night
    admission is entered the next morning (identification often comes later)."""
    if referral.source not in REFERRAL_SOURCE:
        raise ValidationError(_("Choose who referred the person."), field="source")
    if referral.referred_on > today:
        raise ValidationError(_("The referral date is in the future."), field="referred_on")
    if referral.referred_on > admitted_on:
        raise ValidationError(_("The referral date is after the admission."), field="referred_on")
    if referral.identification not in IDENTIFICATION:
        raise ValidationError(_("Choose the identification status."), field="identification")
    if referral.identified_on is not None and referral.identified_on > today:
        raise ValidationError(_("The identification date is in the future."), field="identified_on")


def check_protection(p: Protection, today: date) -> None:
    if set(p.exploitation) - set(EXPLOITATION_FORM):
        raise ValidationError(_("Unknown form of exploitation."), field="exploitation")
    if p.risk_level not in RISK_LEVEL:
        raise ValidationError(_("Choose a risk level."), field="risk_level")
    if p.exploitation_scope is not None and p.exploitation_scope not in EXPLOITATION_SCOPE:
        raise ValidationError(_("Choose within Morocco or across borders."), field="exploitation_scope")
    for value, name in ((p.consent_processing_on, "consent_processing_on"), (p.consent_sharing_on, "consent_sharing_on"),
                        (p.consent_reporting_on, "consent_reporting_on")):
        if value is not None and value > today:
            raise ValidationError(_("A consent date is in the future."), field=name)
    if p.consent_processing and p.consent_processing_on is None:
        raise ValidationError(_("Enter the date the consent was given."), field="consent_processing_on")
    if p.consent_reporting and p.consent_reporting_on is None:
        raise ValidationError(_("Enter the date the consent was given."), field="consent_reporting_on")
