"""Printed documents: the recovery sheet, a new recovery code, and the
audit entries for every document printed or saved.

Documents are built as PDF bytes in memory (``shelter.documents``); what
happens to the bytes next (preview, printer, a file the person chose) is the
caller's, and is recorded here with ``record_output``.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shelter.documents import RecoverySheet
from shelter.documents import recovery_sheet as build_recovery_sheet
from shelter.errors import ValidationError, WrongPassword
from shelter.i18n import LANGUAGES, _
from shelter.security import keyring
from shelter.security.keyring import RECOVERY_NEXT_SLOT, RECOVERY_SLOT
from shelter.security.permissions import Permission
from shelter.storage.models import AuditEntry, IssuedDocument, Resident, Shelter, StoreMeta
from shelter.store import META_RECOVERY_NEXT, META_RECOVERY_PUBLIC, SignedIn

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
        select(AuditEntry.at).where(AuditEntry.action.in_(_CODE_ISSUED), AuditEntry.outcome == "ok")
        .order_by(AuditEntry.id.desc()).limit(1)
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
        key = who.store.current_keyring().unlock_recovery(code)
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
            who.audit(s, "document.recovery_sheet", outcome="denied", detail={"lang": lang})
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
        who.audit(s, "document.recovery_sheet", detail={"lang": lang})
    return pdf


def new_recovery_code(who: SignedIn) -> str:
    """Make a new recovery code and return it (shown once, to be printed).
    Administrators only, audited.

    For a lost or seen sheet, and to print a sheet after set-up, when the
    code in force is no longer known to anyone but the sheet.

    New before old, as LUKS adds a key slot before it removes one: the new
    code gets a slot of its own beside the one in force (the database
    vouches for both), and both open the store until
    ``confirm_recovery_code`` is called once the new sheet is printed or the
    code written down. A crash, a failed print, a closed window: the old
    sheet still works. Asking again before confirming replaces the new code
    not yet confirmed (only the sheet in the safe is kept working)."""
    who.require(Permission.PRINT_RECOVERY_SHEET)
    store = who.store
    code = keyring.new_recovery_code()
    with store.keyring_change() as ring:
        in_force = ring.slots.get(RECOVERY_SLOT)
        params = in_force.kdf if in_force is not None else ring.slots[ring.user_slot(who.actor.username)].kdf
        slot = ring.add_slot(RECOVERY_NEXT_SLOT, code, store.key, params, kind="recovery")  # in memory
        with store.write() as s:
            # Vouched for first: from the commit on, a key rotation keeps it.
            s.merge(StoreMeta(key=META_RECOVERY_NEXT, value=slot.public_key))
            who.audit(s, "store.recovery_code", outcome="started")
        store.save_keyring(ring)
    return code


def confirm_recovery_code(who: SignedIn, recovery_code: str) -> None:
    """The new recovery code is on paper: it takes the place of the old one,
    which stops opening the store. Idempotent; a crash at any step leaves a
    code that works (the new one from the keyring write on)."""
    who.require(Permission.PRINT_RECOVERY_SHEET)
    store = who.store
    code = keyring.normalise_recovery_code(recovery_code)
    with store.keyring_change() as ring:
        if RECOVERY_NEXT_SLOT not in ring.slots:
            # Confirmed already, or replaced by a newer code meanwhile: true
            # only if this code is the one in force.
            try:
                ring.unlock(RECOVERY_SLOT, code)
            except WrongPassword:
                raise ValidationError(
                    _("This code was replaced by a newer one before it was confirmed: it does not open the "
                      "store. Keep the current sheet, or make a new code."), field="recovery_code") from None
            return
        # Same key pair under the id of the code in force: the public key the
        # database vouches for (as "next") does not change.
        try:
            moved = ring.move_slot(RECOVERY_NEXT_SLOT, RECOVERY_SLOT, code, store.key)
        except WrongPassword:
            raise ValidationError(_("This is not the new recovery code."), field="recovery_code") from None
        store.save_keyring(ring)  # the old code stops working here
        # Still under the keyring lock, so no newer code's vouching is touched.
        with store.write() as s:
            s.merge(StoreMeta(key=META_RECOVERY_PUBLIC, value=moved.public_key))
            s.execute(delete(StoreMeta).where(StoreMeta.key == META_RECOVERY_NEXT,
                                              StoreMeta.value == moved.public_key))
            who.audit(s, "store.recovery_code")


def record_output(who: SignedIn, document: str, how: Output, lang: str,
                  record_type: str | None = None, record_id: int | str | None = None,
                  outcome: str = "ok", error: str | None = None) -> None:
    """Record in the audit log that a document went to a printer
    (``how="print"``) or to a file the person chose (``"save"``).

    ``document`` is a short code: "handover", which names its record (the
    issued document, ``record_type="document"`` and its reference, or the
    resident, ``"resident"`` and the id), "care_plan", which names the
    resident, or "recovery_sheet", which names none. Only someone who may produce the document records it
    (PRINT_HANDOVER, PRINT_RECOVERY_SHEET), and only for a record that
    exists. ``outcome`` is "ok" once the print job or the file is done, or
    "started" / "failed" around a file written by ``services.outputs``
    (``error``: a short code for the cause).
    """
    action = {"print": "document.print", "save": "document.save"}[how]
    permission = _OUTPUT_PERMISSIONS.get(document)
    if permission is None:
        raise ValidationError(_("Unknown document."), field="document")
    who.require(permission)
    if outcome not in ("ok", "started", "failed"):
        raise ValueError(f"unknown outcome {outcome!r}")
    names_record = document in _DOCUMENTS_OF_A_RECORD
    if names_record != (record_type is not None and record_id is not None):
        raise ValueError("a handover or a care plan names its document or resident; a recovery sheet names no record")
    detail: dict[str, str] = {"document": document, "lang": document_language(lang)}
    if error is not None:
        detail["error"] = error
    with who.store.write() as s:
        if names_record and not _output_record_exists(s, record_type, record_id):
            raise ValidationError(_("This document or resident record does not exist."), field="record")
        who.audit(s, action, record_type, record_id, outcome=outcome, detail=detail)


# Who may record that a document was printed or saved: who may produce it.
_OUTPUT_PERMISSIONS = {"handover": Permission.PRINT_HANDOVER, "recovery_sheet": Permission.PRINT_RECOVERY_SHEET,
                       "care_plan": Permission.VIEW_CARE_PLAN}
_DOCUMENTS_OF_A_RECORD = frozenset({"handover", "care_plan"})


def _output_record_exists(s: Session, record_type: str | None, record_id: int | str | None) -> bool:
    if record_type == "document":
        return s.execute(select(IssuedDocument.id).where(
            IssuedDocument.reference == str(record_id), IssuedDocument.kind == "handover")).first() is not None
    if record_type == "resident":
        try:
            return s.get(Resident, int(record_id)) is not None  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
    return False
