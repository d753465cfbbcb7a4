"""Printed documents: the recovery sheet, a new recovery code, and the
audit entries for every document printed or saved.

Documents are built as PDF bytes in memory (``shelter.documents``); what
happens to the bytes next (preview, printer, a file the person chose) is the
caller's, and is recorded here with ``record_output``.
"""

from __future__ import annotations

import contextlib
import hmac
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelter.documents import RecoverySheet, recovery_sheet as build_recovery_sheet
from shelter.errors import ValidationError, WrongPassword
from shelter.i18n import LANGUAGES, _
from shelter.security import keyring
from shelter.security.keyring import RECOVERY_SLOT
from shelter.security.permissions import Permission
from shelter.storage.models import AuditEntry, Shelter, StoreMeta
from shelter.store import META_RECOVERY_PUBLIC, SignedIn

# Audit actions after which the recovery code in force was made.
_CODE_ISSUED = ("store.create", "store.recovery_code")

Output = Literal["print", "save"]


def document_language(lang: str) -> str:
    """``lang`` if documents can be printed in it, else a ValidationError."""
    if lang not in LANGUAGES:
        raise ValidationError(_("Unknown language."), field="lang")
    return lang


def _shelter_name(s: Session) -> str:
    """The name of the store's first shelter (the one named at set-up)."""
    name = s.execute(select(Shelter.name).order_by(Shelter.id).limit(1)).scalar_one_or_none()
    return name or ""


def _code_issued_at(s: Session) -> datetime:
    """When the recovery code in force was made, from the audit log (the
    code itself is never stored), in local time."""
    at = s.execute(
        select(AuditEntry.at).where(AuditEntry.action.in_(_CODE_ISSUED)).order_by(AuditEntry.id.desc()).limit(1)
    ).scalar_one_or_none()
    return (at or datetime.now().astimezone()).astimezone()


def store_identifier(store_id: bytes) -> str:
    """A short identifier of a store for people: the first 32 bits of its
    random id, as two groups of four hex digits (e.g. 3F2A-91C0)."""
    digits = store_id[:4].hex().upper()
    return f"{digits[:4]}-{digits[4:]}"


def _check_code(who: SignedIn, recovery_code: str) -> str:
    """The canonical form of ``recovery_code`` if it opens this store's
    recovery slot, else a ValidationError: a sheet with a wrong code would
    be found out only on the day it is needed."""
    message = _("This recovery code does not open this store.")
    try:
        code = keyring.normalise_recovery_code(recovery_code)
    except WrongPassword as exc:
        raise ValidationError(exc.message, field="recovery_code") from None
    try:
        key = who.store.keyring.unlock(RECOVERY_SLOT, code)
    except WrongPassword:
        raise ValidationError(message, field="recovery_code") from None
    if not hmac.compare_digest(key, who.store.key):
        raise ValidationError(message, field="recovery_code")
    return code


def recovery_sheet(who: SignedIn, lang: str, recovery_code: str) -> bytes:
    """The recovery sheet for ``recovery_code`` in ``lang``, as PDF bytes.

    Administrators only. The code is checked against the store's recovery
    slot first (one key derivation, about a second): a sheet is never
    printed with a code that does not work. The code is known only when it
    is made (at set-up, or by ``new_recovery_code``); it is neither stored
    nor written to the audit log, which records that a sheet was produced.
    """
    who.require(Permission.PRINT_RECOVERY_SHEET)
    lang = document_language(lang)
    store = who.store
    try:
        code = _check_code(who, recovery_code)
    except ValidationError:
        with store.write() as s:
            store.audit(s, "document.recovery_sheet", who.actor.account_id, outcome="denied", detail={"lang": lang})
        raise
    with store.read() as s:
        sheet = RecoverySheet(
            shelter_name=_shelter_name(s),
            recovery_code=code,
            issued_at=_code_issued_at(s),
            store_id=store_identifier(store.keyring.store_id),
            printed_by=who.actor.display_name,
            printed_at=datetime.now(),
        )
    pdf = build_recovery_sheet(sheet, lang)
    with store.write() as s:
        store.audit(s, "document.recovery_sheet", who.actor.account_id, detail={"lang": lang})
    return pdf


def new_recovery_code(who: SignedIn) -> str:
    """Replace the recovery code: the recovery slot is sealed afresh under a
    new random code, which is returned (shown once, to be printed); the old
    code stops opening the store at once. Administrators only, audited.

    For a lost or seen sheet, and to print a sheet after set-up, when the
    code in force is no longer known to anyone but the sheet. The keyring
    and the database (which vouches for the slot's public key, so that a
    later key rotation keeps the slot) change together; if either write
    fails the old slot is put back and the old code keeps working.
    """
    who.require(Permission.PRINT_RECOVERY_SHEET)
    store = who.store
    ring = store.keyring
    previous = ring.slots.get(RECOVERY_SLOT)
    params = previous.kdf if previous is not None else ring.slots[ring.user_slot(who.actor.username)].kdf
    code = keyring.new_recovery_code()
    try:
        with store.write() as s:
            slot = ring.add_slot(RECOVERY_SLOT, code, store.key, params, kind="recovery")
            vouched = s.get(StoreMeta, META_RECOVERY_PUBLIC)
            if vouched is None:
                s.add(StoreMeta(key=META_RECOVERY_PUBLIC, value=slot.public_key))
            else:
                vouched.value = slot.public_key
            store.audit(s, "store.recovery_code", who.actor.account_id)
            store.save_keyring(with_head=False)
    except BaseException:
        if previous is not None:
            ring.slots[RECOVERY_SLOT] = previous
        else:
            ring.remove_slot(RECOVERY_SLOT)
        with contextlib.suppress(Exception):
            store.save_keyring(with_head=False)
        raise
    return code


def record_output(who: SignedIn, document: str, how: Output, lang: str,
                  record_type: str | None = None, record_id: int | str | None = None) -> None:
    """Record in the audit log that a document went to a printer
    (``how="print"``) or to a file the person chose (``"save"``).

    ``document`` is a short code ("recovery_sheet", "handover"), and
    ``record_type``/``record_id`` name the record it is about, if any.
    Call it once the print job or the file is done.
    """
    action = {"print": "document.print", "save": "document.save"}[how]
    with who.store.write() as s:
        who.store.audit(s, action, who.actor.account_id, record_type, record_id,
                        detail={"document": document, "lang": document_language(lang)})
