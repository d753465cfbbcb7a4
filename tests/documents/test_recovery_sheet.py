"""The recovery sheet: the code printed right and whole, in every language,
with the line in the other languages; the administrator's service that
checks the code, issues a new one and audits both."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import select

from shelter.documents import RecoverySheet, recovery_sheet
from shelter.documents.recovery_sheet import OTHER_LANGUAGE_NOTICE
from shelter.errors import PermissionDenied, ValidationError, WrongPassword
from shelter.i18n import translator
from shelter.security.keyring import RECOVERY_SLOT, Keyring
from shelter.security.permissions import Role
from shelter.services import documents
from shelter.services.accounts import create_account
from shelter.services.maintenance import rotate_key
from shelter.storage.models import AuditEntry
from shelter.store import Store
from tests.conftest import ADMIN, ADMIN_PASSWORD, SHELTER_NAME
from tests.documents.pdftext import fonts, normalise, page_texts

CODE = "7K3QX-M2PAV-9D0RT-1HWBZ-C8NEF-4Y6GS"
SHEET = RecoverySheet(
    shelter_name="Dar Al Amane — دار الأمان",
    recovery_code=CODE,
    issued_at=datetime(2026, 11, 22, 10, 5),
    store_id="3F2A-91C0",
    printed_by="Amina Benali",
    printed_at=datetime(2026, 11, 24, 9, 30),
)


def code_in(text: str) -> str:
    """The run of code characters in extracted text, spaces and dashes dropped
    (each character sits in its own cell, and rows break after three groups)."""
    return "".join(ch for ch in text if ch not in " -")


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_sheet_in_each_language(lang):
    pdf = recovery_sheet(SHEET, lang)
    (text,) = page_texts(pdf)
    tr = translator(lang)
    assert CODE.replace("-", "") in code_in(text)
    assert normalise(tr.gettext("Recovery code for the encrypted database")) in text
    assert normalise(tr.gettext("Where to keep it")) in text
    assert normalise(tr.gettext("Keep this sheet in the shelter's safe, in a sealed envelope.")) in text
    assert normalise(tr.gettext("Code created on: {date}").format(date="2026-11-22")) in text
    assert "3F2A-91C0" in text and "Amina Benali" in text
    assert normalise(tr.gettext("Page {page} of {pages}").format(page=1, pages=1)) in text
    assert all(f.embedded and f.subset for f in fonts(pdf))


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_sheet_has_a_short_line_in_the_other_languages(lang):
    text = page_texts(recovery_sheet(SHEET, lang))[0]
    for other in {"ar", "fr", "en"} - {lang}:
        notice = translator(other).gettext(OTHER_LANGUAGE_NOTICE)
        if other != "en" and notice == OTHER_LANGUAGE_NOTICE:
            continue  # not yet translated: left out rather than printed in English
        assert normalise(notice) in text, other
    assert text.count(normalise(OTHER_LANGUAGE_NOTICE)) <= 1


def test_untranslated_notice_is_not_printed_in_english_twice(monkeypatch):
    module = importlib.import_module("shelter.documents.recovery_sheet")
    english = translator("en")
    monkeypatch.setattr(module, "translator", lambda lang: english)
    text = page_texts(recovery_sheet(SHEET, "fr"))[0]
    assert text.count(normalise(OTHER_LANGUAGE_NOTICE)) == 1


# -- the administrator's service ------------------------------------------


@dataclass(frozen=True)
class Entry:
    outcome: str
    actor_id: int | None
    record_type: str | None
    record_id: str | None
    detail: str


def entries(who, action: str) -> list[Entry]:
    with who.store.read() as s:
        return [Entry(e.outcome, e.actor_id, e.record_type, e.record_id, e.detail)
                for e in s.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars()]


def test_admin_prints_the_sheet_for_the_code_in_force(admin, recovery_code):
    pdf = documents.recovery_sheet(admin, "fr", recovery_code.lower().replace("-", " "))
    text = page_texts(pdf)[0]
    assert recovery_code.replace("-", "") in code_in(text)
    assert SHELTER_NAME in text
    assert admin.actor.display_name in text
    (entry,) = entries(admin, "document.recovery_sheet")
    assert entry.outcome == "ok" and entry.actor_id == admin.actor.account_id
    assert '"lang":"fr"' in entry.detail
    # The audit log names the event, never the code.
    for e in entries(admin, "document.recovery_sheet"):
        assert recovery_code.replace("-", "")[:10] not in e.detail


def test_a_code_that_does_not_open_the_store_is_refused(admin, recovery_code):
    wrong = ("0" if recovery_code[0] != "0" else "1") + recovery_code[1:]
    with pytest.raises(ValidationError) as caught:
        documents.recovery_sheet(admin, "en", wrong)
    assert caught.value.field == "recovery_code"
    with pytest.raises(ValidationError):
        documents.recovery_sheet(admin, "en", "not a code")
    assert [e.outcome for e in entries(admin, "document.recovery_sheet")] == ["denied", "denied"]


def test_unknown_language_is_refused(admin, recovery_code):
    with pytest.raises(ValidationError) as caught:
        documents.recovery_sheet(admin, "de", recovery_code)
    assert caught.value.field == "lang"


def test_only_an_administrator_may_print_or_renew(admin, store_dir, recovery_code):
    create_account(admin, "salma", "Salma Idrissi", [Role.SOCIAL_WORKER, Role.COORDINATOR],
                   "another fine passphrase", must_change_password=False)
    worker = Store(store_dir).sign_in("salma", "another fine passphrase")
    try:
        with pytest.raises(PermissionDenied):
            documents.recovery_sheet(worker, "en", recovery_code)
        with pytest.raises(PermissionDenied):
            documents.new_recovery_code(worker)
    finally:
        worker.lock("sign_out")
    assert Keyring.load(Store(store_dir).paths.keyring).unlock(RECOVERY_SLOT, recovery_code)


def test_new_code_replaces_the_old_one(admin, store_dir, recovery_code):
    new = documents.new_recovery_code(admin)
    assert new != recovery_code and len(new.replace("-", "")) == 30
    assert [e.outcome for e in entries(admin, "store.recovery_code")] == ["started"]
    # The sheet is printed for the new code; until it is confirmed (printed,
    # or written down), the old sheet still works.
    assert new.replace("-", "") in code_in(page_texts(documents.recovery_sheet(admin, "ar", new))[0])
    documents.recovery_sheet(admin, "ar", recovery_code)
    documents.confirm_recovery_code(admin, new)
    assert {e.outcome for e in entries(admin, "store.recovery_code")} == {"started", "ok"}
    with pytest.raises(ValidationError):
        documents.recovery_sheet(admin, "ar", recovery_code)
    admin.lock("sign_out")
    store = Store(store_dir)
    with pytest.raises(WrongPassword):
        store.recover(recovery_code, ADMIN, "a brand new passphrase")
    recovered = store.recover(new, ADMIN, "a brand new passphrase")
    recovered.lock("sign_out")


def test_new_code_survives_a_key_rotation(admin, store_dir):
    """The database vouches for the new slot's public key, so rotating the
    database key keeps the recovery slot (and drops an unvouched one),
    confirmed or not."""
    new = documents.new_recovery_code(admin)
    rotate_key(admin)
    documents.confirm_recovery_code(admin, new)
    rotate_key(admin)
    admin.lock("sign_out")
    recovered = Store(store_dir).recover(new, ADMIN, "a brand new passphrase")
    recovered.lock("sign_out")


def test_a_failed_renewal_keeps_the_old_code(admin, store_dir, recovery_code, monkeypatch):
    def broken_audit(*args, **kwargs):
        raise RuntimeError("disk unplugged")

    monkeypatch.setattr(admin.store, "audit", broken_audit)
    with pytest.raises(RuntimeError):
        documents.new_recovery_code(admin)
    monkeypatch.undo()
    assert admin.store.keyring.unlock(RECOVERY_SLOT, recovery_code) == admin.store.key
    admin.lock("sign_out")
    recovered = Store(store_dir).recover(recovery_code, ADMIN, "a brand new passphrase")
    recovered.lock("sign_out")


def test_prints_and_saves_are_audited(admin):
    documents.record_output(admin, "recovery_sheet", "print", "ar")
    documents.record_output(admin, "recovery_sheet", "save", "fr", outcome="started")
    (printed,) = entries(admin, "document.print")
    (saved,) = entries(admin, "document.save")
    assert '"document":"recovery_sheet"' in printed.detail and '"lang":"ar"' in printed.detail
    assert saved.outcome == "started" and saved.record_type is None
    # (A handover's prints and saves: tests/documents/test_handover.py.)


def test_only_who_may_print_the_sheet_records_its_output(admin, store_dir):
    create_account(admin, "salma", "Salma Idrissi", [Role.COORDINATOR], "night shift green tea",
                   must_change_password=False)
    salma = Store(store_dir).sign_in("salma", "night shift green tea")
    try:
        with pytest.raises(PermissionDenied):
            documents.record_output(salma, "recovery_sheet", "print", "fr")
    finally:
        salma.lock("sign_out")
    with pytest.raises(ValidationError):
        documents.record_output(admin, "payslip", "print", "fr")  # no such document
    with pytest.raises(ValueError):
        documents.record_output(admin, "recovery_sheet", "print", "fr", "resident", 1)  # it names no record
    assert entries(admin, "document.print") == []


def test_sign_in_password_still_opens_after_renewal(admin, store_dir):
    documents.new_recovery_code(admin)
    admin.lock("sign_out")
    Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD).lock("sign_out")
