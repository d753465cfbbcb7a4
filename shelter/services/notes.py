"""Counselling notes: what counsellors write after a held session, the risk
screen, addenda, and the emergency reading ("break the glass").

Every note's parts, every screen's answers and every addendum are encrypted
under the counselling compartment key (``shelter.security.compartment``).
The key is sealed inside the database to each counsellor's slot and to the
recovery slot; a session holds it in memory once opened with the signed-in
counsellor's slot private key. A database key alone reveals no note.

Who holds the key: it is made the first time a counsellor writes a note,
sealed to that counsellor and the recovery slot. Anyone else who should
hold it (a counsellor added later, one whose password an administrator
reset, which gives the slot a new key pair, or a new recovery code) waits
until a counsellor who holds it says yes (``pending_access``,
``grant_access``), or an administrator gives it with the recovery code
(``restore_access``). Never automatically: who is a counsellor is written
in the database, which anyone with the database key could edit; the
counsellor who says yes sees each name and role. A counsellor who leaves or
loses the role loses the seal the next time a counsellor opens the notes;
what they read before stays read (the key does not rotate: see the
storage format's limits).

Break the glass: a coordinator reads a resident's notes in an emergency by
writing why (at least 20 characters), choosing how long (at most an hour)
and typing the recovery code from the shelter's safe: the compartment key is
opened from the recovery slot, for that resident and that time only, in
this session's memory only. The reading begins and ends in the audit log,
and the notes' authors and every counsellor are told who read whose notes,
when and why, at their next sign-in. The coordinator never holds a seal.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelter.domain.changes import SessionsChanged
from shelter.domain.dates import now_utc
from shelter.domain.sessions import NOTE_PARTS, RISK_QUESTION_CODES, risk_outcome
from shelter.domain.vocabulary import ASSESSMENT_DOMAIN, NOTE_FORMAT, RISK_ACTION
from shelter.errors import ShelterError, ValidationError, WrongPassword
from shelter.i18n import _
from shelter.security import compartment
from shelter.security.compartment import COUNSELLING, CompartmentLocked, Sealed
from shelter.security.keyring import RECOVERY_NEXT_SLOT, RECOVERY_SLOT, normalise_recovery_code
from shelter.security.permissions import Permission, Role
from shelter.services.sessions import _own, get_session
from shelter.storage.models import (
    CompartmentSeal,
    GlassAccess,
    GlassNotice,
    NoteAddendum,
    RecordChange,
    Resident,
    RiskAlert,
    RiskScreen,
    SessionAttendee,
    SessionFollowUp,
    SessionNote,
    StaffAccount,
    StaffRole,
    StoreMeta,
)
from shelter.store import META_RECOVERY_PUBLIC, SignedIn

GLASS_REASON_MIN = 20
GLASS_MAX_MINUTES = 60
TEXT_MAX = 20000
RECOVERY_HOLDER = "recovery"


class NotesLocked(ShelterError):
    """This person cannot open the counselling compartment now."""


class NoNotesYet(NotesLocked):
    """No counselling note has been written in this store yet (no key exists)."""


def _holder(account_id: int) -> str:
    return f"account:{account_id}"


@dataclass(frozen=True)
class NoteView:
    note_id: int
    session_id: int
    author_id: int
    author: str
    format: str
    parts: Mapping[str, str]
    topics: tuple[str, ...]
    follow_ups: tuple[str, ...]
    saved_at: datetime
    signed_at: datetime | None
    addenda: tuple[tuple[datetime, str, str], ...]  # (when, by whom, text)


@dataclass(frozen=True)
class ScreenView:
    screen_id: int
    session_id: int
    resident_id: int
    outcome: str
    action: str
    answers: Mapping[str, bool]
    action_text: str
    screened_at: datetime
    author: str


@dataclass(frozen=True)
class GlassNoticeView:
    glass_id: int
    reader: str
    case_number: str
    reason: str
    started_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Alert:
    alert_id: int
    resident_id: int
    case_number: str
    raised_at: datetime


# -- the compartment key -------------------------------------------------------------------

def _store_id(who: SignedIn) -> bytes:
    return who.store.keyring.store_id


def _generation(s: Session) -> int | None:
    return s.execute(select(CompartmentSeal.generation).where(CompartmentSeal.compartment == COUNSELLING)
                     .order_by(CompartmentSeal.generation.desc()).limit(1)).scalar()


def _entitled(s: Session) -> dict[str, bytes]:
    """Who should hold the key now: every active counsellor with a slot, and the recovery slot."""
    wanted = {_holder(i): key for i, key in s.execute(
        select(StaffAccount.id, StaffAccount.slot_public_key).join(StaffRole, StaffRole.account_id == StaffAccount.id)
        .where(StaffRole.role == Role.COUNSELLOR.value, StaffAccount.active.is_(True),
               StaffAccount.slot_public_key.is_not(None))).all()}
    recovery = s.get(StoreMeta, META_RECOVERY_PUBLIC)
    if recovery is not None:
        wanted[RECOVERY_HOLDER] = bytes(recovery.value)
    return wanted


def _seal_of(s: Session, generation: int, holder: str) -> CompartmentSeal | None:
    return s.execute(select(CompartmentSeal).where(
        CompartmentSeal.compartment == COUNSELLING, CompartmentSeal.generation == generation,
        CompartmentSeal.holder == holder)).scalar_one_or_none()


def _put_seal(s: Session, who: SignedIn, key: bytes, generation: int, holder: str, public: bytes) -> None:
    """Seal ``key`` to ``holder``'s public key, in its row (made if it has none)."""
    sealed = compartment.seal(key, public, _store_id(who), COUNSELLING, generation, holder)
    row = _seal_of(s, generation, holder)
    if row is None:
        row = CompartmentSeal(compartment=COUNSELLING, generation=generation, holder=holder)
        s.add(row)
    row.holder_public_key, row.ephemeral_public_key = public, sealed.ephemeral_public
    row.nonce, row.sealed_key, row.sealed_at = sealed.nonce, sealed.ciphertext, now_utc()


@dataclass(frozen=True)
class PendingHolder:
    """Someone who should hold the notes' key and does not yet: a new
    counsellor, a counsellor whose password an administrator reset (a new
    key pair), or a new recovery code."""

    holder: str  # "account:<id>" or "recovery"
    name: str  # the account's name; "" for the recovery code
    roles: tuple[str, ...]
    reason: str  # "new" or "new_key"


def _pending(s: Session, generation: int) -> list[tuple[str, bytes, str]]:
    wanted = _entitled(s)
    seals = {row.holder: bytes(row.holder_public_key) for row in s.execute(select(CompartmentSeal).where(
        CompartmentSeal.compartment == COUNSELLING, CompartmentSeal.generation == generation)).scalars()}
    return [(holder, public, "new" if holder not in seals else "new_key")
            for holder, public in wanted.items() if seals.get(holder) != public]


def _settle(s: Session, who: SignedIn, key: bytes, generation: int, grant: bool = False,
            only: Sequence[str] | None = None) -> int:
    """Take the key from whoever no longer should hold it (a counsellor who
    left or lost the role) and, with ``grant``, seal it to whoever should and
    does not (of ``only`` when given). Granting is never automatic: the list
    of counsellors comes from the database, which anyone holding the
    database key could edit, so a counsellor who holds the key (or an
    administrator with the recovery code) says yes to each. Returns how many
    received it."""
    wanted = _entitled(s)
    for row in s.execute(select(CompartmentSeal).where(CompartmentSeal.compartment == COUNSELLING,
                                                       CompartmentSeal.generation == generation)).scalars().all():
        if row.holder not in wanted:
            s.delete(row)
            who.audit(s, "notes.key_withdrawn", None, None, detail={"holder": row.holder})
    granted = 0
    if grant:
        for holder, public, _why in _pending(s, generation):
            if only is not None and holder not in only:
                continue
            _put_seal(s, who, key, generation, holder, public)
            who.audit(s, "notes.key_granted", None, None, detail={"holder": holder})
            granted += 1
    s.flush()
    return granted


def pending_access(who: SignedIn) -> list[PendingHolder]:
    """Who is waiting for access to the notes, for a counsellor to decide."""
    who.require(Permission.READ_CONFIDENTIAL_NOTES)
    with who.store.read() as s:
        generation = _generation(s)
        if generation is None:
            return []
        found = []
        for holder, _public, why in _pending(s, generation):
            name, roles = "", ()
            if holder.startswith("account:"):
                account = s.get(StaffAccount, int(holder.split(":", 1)[1]))
                if account is not None:
                    name, roles = account.display_name, tuple(sorted(r.role for r in account.roles))
            found.append(PendingHolder(holder, name, roles, why))
        return found


def grant_access(who: SignedIn, holders: Sequence[str]) -> int:
    """A counsellor who holds the key gives it to these waiting holders.
    Audited by holder; returns how many received it."""
    who.require(Permission.READ_CONFIDENTIAL_NOTES)
    with who.store.write() as s:
        key, generation = _counselling_key(s, who)
        return _settle(s, who, key, generation, grant=True, only=list(holders))


def _counselling_key(s: Session, who: SignedIn, create: bool = False) -> tuple[bytes, int]:
    """The compartment key and its generation, for a counsellor. Made (and
    sealed to every holder) when none exists and ``create``; otherwise
    opened with this session's slot key, then handed on to holders who lack it."""
    cached = who.store.compartment_keys.get(COUNSELLING)
    generation = _generation(s)
    if cached is not None and generation is not None:
        return bytes(cached), generation
    if generation is None:
        if not create:
            raise NoNotesYet(_("No counselling note has been written yet."))
        key, generation = compartment.new_key(), 1
        _settle(s, who, key, generation, grant=True, only=[_holder(who.actor.account_id), RECOVERY_HOLDER])
        who.audit(s, "notes.key_created", None, None)
    else:
        row = _seal_of(s, generation, _holder(who.actor.account_id))
        private = who.store.slot_private
        if row is None or private is None or bytes(row.holder_public_key) != who.store.account_public_key:
            raise NotesLocked(_("Your access to the counselling notes is not ready yet: another counsellor gives it "
                                "at their next sign-in, or an administrator with the recovery code. Until then you "
                                "can plan and hold sessions."))
        try:
            key = compartment.unseal(Sealed(row.ephemeral_public_key, row.nonce, row.sealed_key), private,
                                     _store_id(who), COUNSELLING, generation, row.holder)
        except CompartmentLocked:
            raise NotesLocked(_("The counselling notes cannot be opened with your key. Ask another counsellor "
                                "to open the notes, then sign in again.")) from None
        _settle(s, who, key, generation)
    who.store.compartment_keys[COUNSELLING] = bytearray(key)
    return key, generation


def _aad(who: SignedIn, generation: int, record_type: str, record_id: int, resident_id: int | None) -> bytes:
    return compartment.record_aad(_store_id(who), COUNSELLING, generation, record_type, record_id, resident_id)


def _seal_text(who: SignedIn, key: bytes, generation: int, record_type: str, record_id: int,
               resident_id: int | None, content: Any) -> tuple[bytes, bytes]:
    data = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
    return compartment.encrypt(key, data, _aad(who, generation, record_type, record_id, resident_id))


def _open_text(who: SignedIn, key: bytes, generation: int, record_type: str, record_id: int,
               resident_id: int | None, nonce: bytes, ciphertext: bytes) -> Any:
    return json.loads(compartment.decrypt(key, bytes(nonce), bytes(ciphertext),
                                          _aad(who, generation, record_type, record_id, resident_id)))


def _note_resident(s: Session, session_id: int) -> int:
    """The resident a note is bound to: the first attendee (by id), for a group too."""
    return s.execute(select(SessionAttendee.resident_id).where(SessionAttendee.session_id == session_id)
                     .order_by(SessionAttendee.resident_id).limit(1)).scalar_one()


def reseal_to_new_key(s: Session, who: SignedIn, new_public: bytes) -> None:
    """When the signed-in person's slot gets a new key pair (a password
    change), seal the compartment key to the new public key, in the same
    transaction: what they could read stays readable."""
    generation = _generation(s)
    row = _seal_of(s, generation, _holder(who.actor.account_id)) if generation else None
    if row is None:
        return
    try:
        key, generation = _counselling_key(s, who)
    except NotesLocked:
        return  # a seal to a key pair already replaced (a reset): nothing this session can carry over
    _put_seal(s, who, key, generation, row.holder, new_public)
    s.flush()


def open_compartment(who: SignedIn) -> bool:
    """For a counsellor, after signing in: open the key if it exists and hand
    it on to holders who lack it. Returns whether the notes can be read."""
    if not who.actor.has(Permission.READ_CONFIDENTIAL_NOTES) or who.actor.must_change_password:
        return False
    with who.store.write() as s:
        try:
            _counselling_key(s, who)
        except NotesLocked:
            return False
    return True


# -- notes ---------------------------------------------------------------------------------------

def _check_parts(fmt: str, parts: Mapping[str, str]) -> dict[str, str]:
    if fmt not in NOTE_FORMAT:
        raise ValidationError(_("Choose the format of the note."), field="format")
    kept = {name: str(parts.get(name, "")).strip() for name in NOTE_PARTS[fmt]}
    if sum(len(v) for v in kept.values()) > TEXT_MAX:
        raise ValidationError(_("This note is too long."), field="parts")
    return kept


def save_draft(who: SignedIn, session_id: int, fmt: str, parts: Mapping[str, str], topics: Sequence[str] = (),
               follow_ups: Sequence[str] = ()) -> SessionsChanged:
    """Save the signed-in counsellor's note on a session as it is being
    written (encrypted; the editor calls this every 30 seconds). Refused
    once the note is signed."""
    who.require(Permission.LOG_SESSION)
    kept = _check_parts(fmt, parts)
    topics = tuple(t for t in topics if t in ASSESSMENT_DOMAIN)
    follow = [" ".join(f.split()) for f in follow_ups if f.strip()]
    with who.store.write() as s:
        row = get_session(s, session_id)
        _own(who, row)
        if row.status != "held":
            raise ValidationError(_("A note is written once the session has been held."), field="session")
        key, generation = _counselling_key(s, who, create=True)
        resident_id = _note_resident(s, row.id)
        note = s.execute(select(SessionNote).where(SessionNote.session_id == row.id,
                                                   SessionNote.author_id == who.actor.account_id)
                         ).scalar_one_or_none()
        now = now_utc()
        if note is not None and note.signed_at is not None:
            raise ValidationError(_("This note is signed: add an addendum instead."), field="parts")
        if note is None:
            note = SessionNote(session_id=row.id, author_id=who.actor.account_id, format=fmt, generation=generation,
                               nonce=b"\0" * 12, ciphertext=b"", created_at=now, saved_at=now)
            s.add(note)
            s.flush()
            who.audit(s, "notes.create", "session_note", note.id, detail={"session": row.id})
        note.format, note.topics, note.saved_at, note.generation = fmt, ",".join(topics), now, generation
        note.nonce, note.ciphertext = _seal_text(who, key, generation, "session_note", note.id, resident_id,
                                                 {"parts": kept, "follow_ups": follow})
        s.flush()
        return SessionsChanged((row.id,), (resident_id,))


def sign_note(who: SignedIn, session_id: int) -> SessionsChanged:
    """Sign the counsellor's note: frozen from now on. Its follow-ups are
    proposed to the care plan (``SessionFollowUp``), for the social worker."""
    who.require(Permission.LOG_SESSION)
    with who.store.write() as s:
        row = get_session(s, session_id)
        note = s.execute(select(SessionNote).where(SessionNote.session_id == row.id,
                                                   SessionNote.author_id == who.actor.account_id)
                         ).scalar_one_or_none()
        if note is None:
            raise ValidationError(_("There is no note to sign yet."), field="parts")
        if note.signed_at is not None:
            raise ValidationError(_("This note is already signed."), field="parts")
        key, generation = _counselling_key(s, who)
        resident_id = _note_resident(s, row.id)
        content = _open_text(who, key, note.generation, "session_note", note.id, resident_id, note.nonce,
                             note.ciphertext)
        if not any(content["parts"].values()):
            raise ValidationError(_("The note is empty."), field="parts")
        note.signed_at = now_utc()
        topics = [t for t in note.topics.split(",") if t]
        for text in content["follow_ups"]:
            s.add(SessionFollowUp(session_id=row.id, resident_id=resident_id, domain=topics[0] if topics else None,
                                  text=text, proposed_at=note.signed_at, proposed_by=who.actor.account_id))
        s.flush()
        who.audit(s, "notes.sign", "session_note", note.id)
        return SessionsChanged((row.id,), (resident_id,))


def add_addendum(who: SignedIn, note_id: int, text: str) -> SessionsChanged:
    """Dated words added by the author to a signed note."""
    who.require(Permission.LOG_SESSION)
    text = text.strip()
    if not text:
        raise ValidationError(_("Write the addendum."), field="addendum")
    if len(text) > TEXT_MAX:
        raise ValidationError(_("This note is too long."), field="addendum")
    with who.store.write() as s:
        note = s.get(SessionNote, note_id)
        if note is None:
            raise ValidationError(_("This note no longer exists."), field="addendum")
        if note.author_id != who.actor.account_id:
            raise ValidationError(_("Only the note's author adds to it."), field="addendum")
        if note.signed_at is None:
            raise ValidationError(_("The note is not signed yet: change it instead."), field="addendum")
        key, generation = _counselling_key(s, who)
        resident_id = _note_resident(s, note.session_id)
        row = NoteAddendum(note_id=note.id, author_id=who.actor.account_id, written_at=now_utc(),
                           generation=generation, nonce=b"\0" * 12, ciphertext=b"")
        s.add(row)
        s.flush()
        row.nonce, row.ciphertext = _seal_text(who, key, generation, "note_addendum", row.id, resident_id, text)
        s.flush()
        who.audit(s, "notes.addendum", "session_note", note.id)
        return SessionsChanged((note.session_id,), (resident_id,))


def _reading_key(s: Session, who: SignedIn, resident_ids: Sequence[int]) -> tuple[bytes, int, int | None]:
    """The key for reading notes about any of these residents (a session's
    attendees): a counsellor's own, or an emergency reading in force for one
    of them. Returns the key, its generation and the emergency reading's id
    (None for a counsellor)."""
    if who.actor.has(Permission.READ_CONFIDENTIAL_NOTES):
        who.require(Permission.READ_CONFIDENTIAL_NOTES)  # not with a temporary password
        key, generation = _counselling_key(s, who)
        return key, generation, None
    for resident_id in resident_ids:
        held = who.store.glass.get(resident_id)
        if held is not None:
            return bytes(held[0]), held[3], held[2]
    raise NotesLocked(_("Counselling notes are read by counsellors only. In an emergency, break the glass: "
                        "your reason is recorded and the counsellors are told."))


def expire_readings(who: SignedIn) -> None:
    """End the emergency readings of this session whose time is up."""
    now = now_utc()
    for resident_id, held in list(who.store.glass.items()):
        if held[1] <= now:
            end_glass(who, resident_id)


def session_notes(who: SignedIn, session_id: int) -> list[NoteView]:
    """The notes on a session, decrypted, for a counsellor or during an
    emergency reading. Audited ("notes.view") by session."""
    if not who.actor.has(Permission.BREAK_THE_GLASS):
        who.require(Permission.READ_CONFIDENTIAL_NOTES)
    expire_readings(who)
    with who.store.write() as s:
        row = get_session(s, session_id)
        resident_id = _note_resident(s, row.id)
        attendees = s.execute(select(SessionAttendee.resident_id).where(SessionAttendee.session_id == row.id)
                              ).scalars().all()
        key, _generation, glass_id = _reading_key(s, who, attendees)
        views = _notes_of(s, who, key, [row.id], resident_id)
        who.audit(s, "notes.view", "counselling_session", row.id,
                  detail={"results": len(views), **({"glass": glass_id} if glass_id else {})})
        return views


def _notes_of(s: Session, who: SignedIn, key: bytes, session_ids: Sequence[int], resident_id: int) -> list[NoteView]:
    notes = s.execute(select(SessionNote, StaffAccount.display_name)
                      .join(StaffAccount, StaffAccount.id == SessionNote.author_id)
                      .where(SessionNote.session_id.in_(list(session_ids)))
                      .order_by(SessionNote.created_at)).all()
    views = []
    for note, author in notes:
        content = _open_text(who, key, note.generation, "session_note", note.id, resident_id, note.nonce,
                             note.ciphertext)
        addenda = tuple((a.written_at, author, _open_text(who, key, a.generation, "note_addendum", a.id, resident_id,
                                                          a.nonce, a.ciphertext))
                        for a in s.execute(select(NoteAddendum).where(NoteAddendum.note_id == note.id)
                                           .order_by(NoteAddendum.written_at)).scalars())
        views.append(NoteView(note.id, note.session_id, note.author_id, author, note.format, content["parts"],
                              tuple(t for t in note.topics.split(",") if t), tuple(content["follow_ups"]),
                              note.saved_at, note.signed_at, addenda))
    return views


# -- the risk screen -------------------------------------------------------------------------------

def record_risk_screen(who: SignedIn, session_id: int, resident_id: int, answers: Mapping[str, bool],
                       action: str, action_text: str = "") -> SessionsChanged:
    """Record a self-harm and suicide risk screen. A high outcome raises the
    resident's risk level to high (the earlier level kept) and raises an
    alert for the coordinators, who learn that a high risk was found, never
    what was said."""
    who.require(Permission.LOG_SESSION)
    unknown = set(answers) - set(RISK_QUESTION_CODES)
    if unknown or set(answers) != set(RISK_QUESTION_CODES):
        raise ValidationError(_("Answer every question of the screen."), field="answers")
    if action not in RISK_ACTION:
        raise ValidationError(_("Say what was done."), field="action")
    outcome = risk_outcome(answers)
    if outcome == "high" and action == "none":
        raise ValidationError(_("A high risk needs an action: say what was done."), field="action")
    with who.store.write() as s:
        row = get_session(s, session_id)
        _own(who, row)
        if row.status != "held":
            raise ValidationError(_("A risk screen is recorded at a session that was held."), field="session")
        if resident_id not in s.execute(select(SessionAttendee.resident_id).where(
                SessionAttendee.session_id == row.id)).scalars().all():
            raise ValidationError(_("This resident was not in the session."), field="resident")
        key, generation = _counselling_key(s, who, create=True)
        screen = RiskScreen(session_id=row.id, resident_id=resident_id, author_id=who.actor.account_id,
                            outcome=outcome, action=action, screened_at=now_utc(), generation=generation,
                            nonce=b"\0" * 12, ciphertext=b"")
        s.add(screen)
        s.flush()
        screen.nonce, screen.ciphertext = _seal_text(who, key, generation, "risk_screen", screen.id, resident_id,
                                                     {"answers": dict(answers), "action_text": action_text.strip()})
        who.audit(s, "notes.risk_screen", "risk_screen", screen.id, detail={"outcome": outcome})
        if outcome == "high":
            resident = s.get(Resident, resident_id)
            if resident.risk_level != "high":
                s.add(RecordChange(resident_id=resident.id, record_type="resident", record_id=resident.id,
                                   field="risk_level", old_value=json.dumps(resident.risk_level),
                                   new_value=json.dumps("high"), reason=_("High risk found at a counselling session"),
                                   changed_at=now_utc(), changed_by=who.actor.account_id))
                resident.risk_level = "high"
            s.add(RiskAlert(resident_id=resident_id, screen_id=screen.id, raised_at=now_utc()))
            who.audit(s, "notes.risk_alert", "resident", resident_id)
        s.flush()
        return SessionsChanged((row.id,), (resident_id,))


def risk_screens(who: SignedIn, resident_id: int) -> list[ScreenView]:
    """A resident's screens, decrypted, for a counsellor or an emergency reading."""
    if not who.actor.has(Permission.BREAK_THE_GLASS):
        who.require(Permission.READ_CONFIDENTIAL_NOTES)
    expire_readings(who)
    with who.store.write() as s:
        key, _generation, glass_id = _reading_key(s, who, [resident_id])
        rows = s.execute(select(RiskScreen, StaffAccount.display_name)
                         .join(StaffAccount, StaffAccount.id == RiskScreen.author_id)
                         .where(RiskScreen.resident_id == resident_id).order_by(RiskScreen.screened_at.desc())).all()
        views = []
        for screen, author in rows:
            content = _open_text(who, key, screen.generation, "risk_screen", screen.id, resident_id, screen.nonce,
                                 screen.ciphertext)
            views.append(ScreenView(screen.id, screen.session_id, resident_id, screen.outcome, screen.action,
                                    content["answers"], content["action_text"], screen.screened_at, author))
        who.audit(s, "notes.view", "resident", resident_id,
                  detail={"screens": len(views), **({"glass": glass_id} if glass_id else {})})
        return views


def open_alerts(who: SignedIn) -> list[Alert]:
    """High risks found and not yet acknowledged, for the coordinators."""
    who.require(Permission.BREAK_THE_GLASS)
    with who.store.read() as s:
        return [Alert(a.id, a.resident_id, case, a.raised_at) for a, case in s.execute(
            select(RiskAlert, Resident.case_number).join(Resident, Resident.id == RiskAlert.resident_id)
            .where(RiskAlert.acknowledged_at.is_(None)).order_by(RiskAlert.raised_at)).all()]


def acknowledge_alert(who: SignedIn, alert_id: int) -> SessionsChanged:
    who.require(Permission.BREAK_THE_GLASS)
    with who.store.write() as s:
        alert = s.get(RiskAlert, alert_id)
        if alert is None:
            raise ValidationError(_("This alert no longer exists."), field="alert")
        if alert.acknowledged_at is None:
            alert.acknowledged_at, alert.acknowledged_by = now_utc(), who.actor.account_id
            who.audit(s, "notes.risk_alert_seen", "resident", alert.resident_id)
        return SessionsChanged((), (alert.resident_id,))


# -- break the glass ---------------------------------------------------------------------------------

def break_glass(who: SignedIn, resident_id: int, reason: str, minutes: int, recovery_code: str) -> int:
    """Open one resident's counselling notes to a coordinator for ``minutes``
    (at most an hour), with a written reason and the recovery code. Returns
    the reading's id. Audited at its start and its end (a refused code too);
    every counsellor is told at their next sign-in."""
    who.require(Permission.BREAK_THE_GLASS)
    reason = " ".join(reason.split())
    if len(reason) < GLASS_REASON_MIN:
        raise ValidationError(_("Write why the notes must be read now (at least {n} characters).").format(
            n=GLASS_REASON_MIN), field="reason")
    if not (1 <= minutes <= GLASS_MAX_MINUTES):
        raise ValidationError(_("Choose at most an hour."), field="minutes")
    with who.store.write() as s:
        if s.get(Resident, resident_id) is None:
            raise ValidationError(_("This resident record no longer exists."), field="resident")
        if _generation(s) is None:
            raise ValidationError(_("There is no counselling note to read."), field="resident")
        opened = _recovery_key(s, who, recovery_code)
        if opened is not None:
            key, generation = opened
            end_glass(who, resident_id, s)  # a second reading of the same person replaces the first
            now = now_utc()
            access = GlassAccess(resident_id=resident_id, reader_id=who.actor.account_id, reason=reason,
                                 started_at=now, ends_at=now + timedelta(minutes=minutes))
            s.add(access)
            s.flush()
            counsellors = s.execute(select(StaffAccount.id).join(StaffRole, StaffRole.account_id == StaffAccount.id)
                                    .where(StaffRole.role == Role.COUNSELLOR.value)).scalars().all()
            authors = s.execute(select(SessionNote.author_id).join(
                SessionAttendee, SessionAttendee.session_id == SessionNote.session_id)
                .where(SessionAttendee.resident_id == resident_id)).scalars().all()
            s.add_all(GlassNotice(glass_id=access.id, account_id=i) for i in set(counsellors) | set(authors))
            who.audit(s, "notes.glass_start", "resident", resident_id, detail={"minutes": minutes, "glass": access.id})
            who.store.glass[resident_id] = (bytearray(key), access.ends_at, access.id, generation)
            return access.id
    with who.store.write() as s:  # the refusal is recorded in a transaction of its own
        who.audit(s, "notes.glass_refused", "resident", resident_id, outcome="denied")
    raise ValidationError(_("This recovery code does not open the counselling notes."), field="recovery_code")


def _recovery_key(s: Session, who: SignedIn, recovery_code: str) -> tuple[bytes, int] | None:
    """The compartment key opened from the recovery seal with ``recovery_code``,
    or None when the code does not open it (wrong code, or a seal made to a
    recovery slot since replaced)."""
    try:
        code = normalise_recovery_code(recovery_code)
    except ShelterError:
        return None
    generation = _generation(s)
    row = _seal_of(s, generation, RECOVERY_HOLDER) if generation else None
    if row is None:
        return None
    ring = who.store.current_keyring()
    for slot_id in (RECOVERY_SLOT, RECOVERY_NEXT_SLOT):
        if slot_id in ring.slots and ring.slots[slot_id].public_key == bytes(row.holder_public_key):
            try:
                private = ring.unlock_pair(slot_id, code)[1]
            except WrongPassword:
                return None
            key = compartment.unseal(Sealed(row.ephemeral_public_key, row.nonce, row.sealed_key), private,
                                     _store_id(who), COUNSELLING, generation, RECOVERY_HOLDER)
            return key, generation
    return None


def restore_access(who: SignedIn, recovery_code: str) -> int:
    """Give the counselling notes' key to every counsellor who lacks it (a
    new account, a password reset by an administrator) and to a new recovery
    slot, from the recovery seal, when no counsellor holding it is at hand.
    For administrators; the key is used to seal, in memory, and dropped: no
    note is read. Returns how many holders received it."""
    who.require(Permission.MANAGE_ACCOUNTS)
    with who.store.write() as s:
        opened = _recovery_key(s, who, recovery_code)
        if opened is not None:
            key, generation = opened
            granted = _settle(s, who, key, generation, grant=True)
            who.audit(s, "notes.access_restored", detail={"granted": granted})
            return granted
    with who.store.write() as s:  # the refusal is recorded in a transaction of its own
        who.audit(s, "notes.access_restored", outcome="denied")
    raise ValidationError(_("This recovery code does not open the counselling notes. A recovery code replaced "
                            "since a counsellor last signed in does not open them yet."), field="recovery_code")


def end_glass(who: SignedIn, resident_id: int, s: Session | None = None) -> None:
    """End an emergency reading now (or record that it expired): the key is
    overwritten and the end audited."""
    held = who.store.glass.pop(resident_id, None)
    if held is None:
        return
    for i in range(len(held[0])):
        held[0][i] = 0

    def record(session: Session) -> None:
        access = session.get(GlassAccess, held[2])
        if access is not None and access.ended_at is None:
            access.ended_at = min(now_utc(), access.ends_at)
            who.audit(session, "notes.glass_end", "resident", resident_id, detail={"glass": access.id})

    if s is not None:
        record(s)
    else:
        with who.store.write() as session:
            record(session)


def glass_notices(who: SignedIn) -> list[GlassNoticeView]:
    """Emergency readings the signed-in counsellor has not been told of yet."""
    who.require(Permission.READ_CONFIDENTIAL_NOTES)
    with who.store.read() as s:
        return [GlassNoticeView(g.id, reader, case, g.reason, g.started_at, g.ends_at) for g, reader, case in s.execute(
            select(GlassAccess, StaffAccount.display_name, Resident.case_number)
            .join(GlassNotice, GlassNotice.glass_id == GlassAccess.id)
            .join(StaffAccount, StaffAccount.id == GlassAccess.reader_id)
            .join(Resident, Resident.id == GlassAccess.resident_id)
            .where(GlassNotice.account_id == who.actor.account_id, GlassNotice.seen_at.is_(None))
            .order_by(GlassAccess.started_at)).all()]


def mark_notices_seen(who: SignedIn, glass_ids: Sequence[int]) -> None:
    who.require(Permission.READ_CONFIDENTIAL_NOTES)
    with who.store.write() as s:
        for notice in s.execute(select(GlassNotice).where(GlassNotice.account_id == who.actor.account_id,
                                                          GlassNotice.glass_id.in_(list(glass_ids)))).scalars():
            notice.seen_at = now_utc()
        who.audit(s, "notes.glass_notice_seen", None, None, detail={"notices": len(glass_ids)})
