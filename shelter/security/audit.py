"""The audit trail: append-only, HMAC-chained.

Each entry's MAC is HMAC-SHA256 over the entry's fields and the previous
entry's MAC, under a random 256-bit chain key kept inside the encrypted
database (``store_meta.audit_chain_key``). The key is not derived from the
database key, so rotating that key does not break the chain; it is as secret
as the records themselves, since only a holder of the database key reads it. Triggers refuse UPDATE
and DELETE; someone who drops the triggers at the SQL level still cannot edit,
remove or reorder entries without ``verify_chain`` noticing, and cannot cut
entries off the end without the head kept in the keyring (and in backup
manifests) noticing. Entries name records by type and id, never by content:
``detail`` takes short codes and numbers only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelter.i18n import N_
from shelter.security.audit_head import Head
from shelter.storage.models import AuditEntry, utcnow

GENESIS = "0" * 64

# Every action the trail knows, with the label the audit viewer shows.
ACTIONS: dict[str, str] = {
    "store.create": N_("Store created"),
    "store.verify": N_("Store verified"),
    "store.rotate_key": N_("Database key rotated"),
    "store.recover": N_("Access recovered with the recovery code"),
    "store.migrate": N_("Database schema upgraded"),
    "backup.make": N_("Backup made and verified"),
    "backup.verify": N_("Backup verified"),
    "backup.list": N_("Backups listed"),
    "backup.mirror": N_("Backup copied to the second place"),
    "backup.restore": N_("Store restored from a backup"),
    "backup.drill": N_("Restore drill"),
    "store.recovery_code": N_("New recovery code issued (the old one stopped working)"),
    "sign_in": N_("Signed in"),
    "sign_in.failed": N_("Sign-in failed"),
    "sign_out": N_("Signed out"),
    "lock": N_("Screen locked"),
    "unlock": N_("Screen unlocked"),
    "account.create": N_("Account created"),
    "account.update": N_("Account changed"),
    "account.roles": N_("Roles changed"),
    "account.deactivate": N_("Account deactivated"),
    "account.reactivate": N_("Account reactivated"),
    "account.password": N_("Password changed"),
    "account.reset_password": N_("Password reset by an administrator"),
    "shelter.create": N_("Shelter added"),
    "shelter.update": N_("Shelter changed"),
    "room.create": N_("Room added"),
    "room.update": N_("Room changed"),
    "bed.create": N_("Bed added"),
    "bed.update": N_("Bed changed"),
    "settings.change": N_("Setting changed"),
    "resident.admit": N_("Resident admitted"),
    "resident.readmit": N_("Resident readmitted"),
    "resident.view": N_("Resident file opened"),
    "resident.search": N_("Residents searched"),
    "resident.list": N_("Residents listed"),
    "resident.lookup": N_("Resident looked up by case number"),
    "resident.receivers": N_("Receivers a resident consented to share with listed"),
    "resident.duplicate_check": N_("Checked for people already on record"),
    "beds.view": N_("Bed board viewed"),
    "stay.transfer": N_("Resident moved to another bed"),
    "stay.discharge": N_("Resident discharged"),
    "bed.reserve": N_("Bed reserved"),
    "bed.reservation_cancel": N_("Bed reservation cancelled"),
    "bed.out_of_service": N_("Bed taken out of service"),
    "bed.in_service": N_("Bed back in service"),
    "audit.view": N_("Audit log viewed"),
    "document.print": N_("Document printed"),
    "document.save": N_("Document saved as a file"),
    "document.recovery_sheet": N_("Recovery sheet produced"),
    "document.handover": N_("Handover document issued"),
    "document.consent_override": N_("Sections shared without consent (reason recorded)"),
    "document.verify": N_("Document checked"),
    "resident.consent_sharing": N_("Consent to share recorded"),
    "resident.consent_withdrawn": N_("Consent to share withdrawn"),
    "resident.correct_identity": N_("Resident's identity corrected"),
    "resident.correct_referral": N_("Referral and identification corrected"),
    "resident.correct_protection": N_("Exploitation and safety details corrected"),
    "resident.consent_processing": N_("Consent to the processing of data recorded"),
    "resident.consent_processing_withdrawn": N_("Consent to the processing of data withdrawn"),
    "unmet_request.record": N_("Referral not admitted recorded"),
    "unmet_request.withdraw": N_("Referral not admitted withdrawn"),
    "report.make": N_("Report made"),
    "report.export": N_("Report saved to a file"),
    "report.print": N_("Report printed"),
    "resident.consent_reporting": N_("Consent to be counted in anonymised figures recorded"),
    "resident.consent_reporting_withdrawn": N_("Consent to be counted in anonymised figures withdrawn"),
    "resident.history": N_("Earlier values of a resident's file viewed"),
    "store.slot_removed": N_("A key slot left by an interrupted change was removed"),
    "audit.head_mismatch": N_("The end of the audit log did not match its recorded head"),
    "case.view": N_("Case stage viewed"),
    "case.assign": N_("Social worker assigned to a case"),
    "case.close": N_("A case was closed"),
    "case.reopen": N_("Case reopened"),
    "assessment.create": N_("Needs assessment recorded"),
    "assessment.view": N_("Needs assessments viewed"),
    "care_plan.view": N_("Care plan viewed"),
    "care_plan.create": N_("Care plan started"),
    "care_plan.goal_add": N_("Goal added to a care plan"),
    "care_plan.goal_change": N_("Goal of a care plan changed"),
    "care_plan.goal_remove": N_("Goal removed from a care plan draft"),
    "care_plan.action_add": N_("Action added to a care plan"),
    "care_plan.action_change": N_("Action of a care plan changed"),
    "care_plan.action_done": N_("Action marked done"),
    "care_plan.action_undone": N_("Action marked not done"),
    "care_plan.action_note": N_("Progress note added to an action"),
    "care_plan.action_remove": N_("Action removed from a care plan draft"),
    "care_plan.domain_reason": N_("Reason for a need without a goal recorded"),
    "care_plan.review": N_("Care plan reviewed"),
    "care_plan.next_review": N_("Next review date of a care plan set"),
    "care_plan.submitted": N_("Care plan sent for approval"),
    "care_plan.approved": N_("Care plan approved"),
    "care_plan.returned": N_("Care plan returned with a comment"),
    "care_plan.agreed": N_("Care plan version agreed with the resident"),
    "care_plan.compare": N_("Care plan versions compared"),
    "care_plan.follow_up_adopted": N_("A counsellor's follow-up made an action of the care plan"),
    "care_plan.follow_up_set_aside": N_("A counsellor's follow-up set aside"),
    "document.care_plan": N_("Care plan issued for signature"),
    "document.care_plan_print": N_("Care plan printed"),
    "work.view": N_("Work due listed"),
    "sessions.view": N_("Sessions listed"),
    "sessions.room_add": N_("Room for sessions added"),
    "sessions.plan": N_("Session planned"),
    "sessions.plan_weekly": N_("Weekly sessions planned"),
    "sessions.move": N_("Session moved"),
    "sessions.outcome": N_("Session marked held or missed"),
    "sessions.cancel": N_("Session cancelled"),
    "notes.key_created": N_("Key of the counselling notes made"),
    "notes.key_granted": N_("Key of the counselling notes given to a counsellor"),
    "notes.key_withdrawn": N_("Key of the counselling notes taken from a former counsellor"),
    "notes.create": N_("Counselling note begun"),
    "notes.sign": N_("Counselling note signed"),
    "notes.addendum": N_("Addendum to a counselling note"),
    "notes.view": N_("Counselling notes read"),
    "notes.risk_screen": N_("Risk screen recorded"),
    "notes.risk_alert": N_("High risk found: coordinators alerted"),
    "notes.risk_alert_seen": N_("High-risk alert acknowledged"),
    "notes.glass_start": N_("Emergency reading of counselling notes begun"),
    "notes.glass_end": N_("Emergency reading of counselling notes ended"),
    "partner.add": N_("Partner added to the directory"),
    "partner.update": N_("Partner edited or retired"),
    "referral.make": N_("Resident referred to a partner"),
    "referral.consent_override": N_("Referral made without the resident's consent, with a reason"),
    "referral.answer": N_("Partner's answer to a referral recorded"),
    "referral.follow_up": N_("Follow-up date of a referral changed"),
    "pathway.template_add": N_("Milestone template added"),
    "pathway.template_update": N_("Milestone template edited or retired"),
    "pathway.template_move": N_("Milestone template moved"),
    "pathway.weights": N_("Sustainability weights changed"),
    "pathway.weights_reset": N_("Sustainability weights reset"),
    "reintegration.view": N_("Reintegration viewed"),
    "reintegration.plan": N_("Reintegration plan made"),
    "reintegration.plan_update": N_("Reintegration plan edited"),
    "reintegration.pathway": N_("Reintegration pathway changed"),
    "reintegration.milestone_add": N_("Milestone added"),
    "reintegration.milestone_update": N_("Milestone edited"),
    "reintegration.milestone_status": N_("Milestone status changed"),
    "reintegration.follow_up": N_("Follow-up contact recorded"),
    "reintegration.lost_contact": N_("Case marked lost contact"),
    "reintegration.score": N_("Sustainability survey recorded"),
    "reintegration.board": N_("Reintegration board listed"),
    "document.reintegration_plan": N_("Reintegration plan printed"),
    "document.reintegration_consent_override": N_("Reintegration plan printed for a partner without consent"),
    "notes.glass_refused": N_("Emergency reading refused: wrong recovery code"),
    "notes.glass_notice_seen": N_("Notice of an emergency reading seen"),
    "notes.access_restored": N_("Counsellors' access to the notes restored with the recovery code"),
    "export": N_("Data exported"),
    "export.anonymised": N_("Anonymised case-level data exported"),
    "backup": N_("Backup made"),
}


def _check_detail(detail: dict[str, Any]) -> str:
    for key, value in detail.items():
        if not isinstance(key, str) or not (
            value is None or isinstance(value, (bool, int)) or (isinstance(value, str) and len(value) <= 64)
        ):
            raise ValueError("audit detail takes short codes and numbers only, never content")
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _mac(key: bytes, entry_id: int, at: datetime, actor_id: int | None, action: str, record_type: str | None,
         record_id: str | None, outcome: str, detail: str, prev_mac: str) -> str:
    at_text = at.strftime("%Y-%m-%dT%H:%M:%S.%f")
    payload = json.dumps(
        [entry_id, at_text, actor_id, action, record_type, record_id, outcome, detail, prev_mac],
        separators=(",", ":"), ensure_ascii=True,
    ).encode("ascii")
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def append(
    session: Session,
    key: bytes,
    action: str,
    actor_id: int | None,
    record_type: str | None = None,
    record_id: int | str | None = None,
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add one entry inside the caller's transaction (which holds the write
    lock, so the chain cannot fork)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    detail_text = _check_detail(detail or {})
    last = session.execute(select(AuditEntry.id, AuditEntry.mac).order_by(AuditEntry.id.desc()).limit(1)).first()
    entry_id = (last.id + 1) if last else 1
    prev = last.mac if last else GENESIS
    when = (at or utcnow()).astimezone(UTC)
    rid = None if record_id is None else str(record_id)
    entry = AuditEntry(
        id=entry_id, at=when, actor_id=actor_id, action=action, record_type=record_type, record_id=rid,
        outcome=outcome, detail=detail_text, prev_mac=prev,
        mac=_mac(key, entry_id, when, actor_id, action, record_type, rid, outcome, detail_text, prev),
    )
    session.add(entry)
    session.flush()
    # Where this transaction's entries begin and end, for the audit head
    # that the unit of work writes before and after its commit.
    if "audit_start" not in session.info:
        session.info["audit_start"] = Head(last.id, last.mac) if last else None
    session.info["audit_end"] = Head(entry_id, entry.mac)
    return entry


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    head_sequence: int
    head_mac: str
    problem: str | None = None  # an English technical description for logs/CLI
    bad_entry: int | None = None


def verify_chain(session: Session, key: bytes, expected_head: dict[str, Any] | None = None) -> ChainReport:
    """Recompute the whole chain. ``expected_head`` is the last head recorded
    outside the database; entries missing up to it mean the log was cut."""
    prev = GENESIS
    expected_id = 1
    count = 0
    macs_at: dict[int, str] = {}
    want = int(expected_head["sequence"]) if expected_head else 0
    for row in session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars():
        if row.id != expected_id:
            return ChainReport(False, count, expected_id - 1, prev, f"entry {expected_id} is missing", expected_id)
        if row.prev_mac != prev:
            return ChainReport(False, count, row.id - 1, prev, f"entry {row.id} does not follow entry {row.id - 1}", row.id)
        mac = _mac(key, row.id, row.at.replace(tzinfo=None), row.actor_id, row.action, row.record_type,
                   row.record_id, row.outcome, row.detail, row.prev_mac)
        if not hmac.compare_digest(mac, row.mac):
            return ChainReport(False, count, row.id - 1, prev, f"entry {row.id} was altered", row.id)
        if row.id == want:
            macs_at[row.id] = row.mac
        prev = row.mac
        expected_id += 1
        count += 1
    if expected_head:
        if count < want:
            return ChainReport(False, count, count, prev, f"the log ends at entry {count} but reached entry {want} before", count + 1)
        if not hmac.compare_digest(macs_at.get(want, ""), str(expected_head["mac"])):
            return ChainReport(False, count, count, prev, f"entry {want} differs from the recorded head", want)
    return ChainReport(True, count, count, prev)


def verify_chain_raw(conn: Any, key: bytes, expected_head: dict[str, Any] | None = None,
                     since: tuple[int, str] | None = None) -> ChainReport:
    """``verify_chain`` on a DB-API connection, without the ORM (a backup of
    a national store holds over a million entries). With ``since`` (a
    sequence and its MAC, already verified elsewhere), the entry there must
    carry that MAC and the chain is checked from it onwards; the pages of the
    file itself are authenticated by SQLCipher's own check."""
    prev, expected_id, count = GENESIS, 1, 0
    if since is not None and since[0] > 0:
        row = conn.execute("SELECT mac FROM audit_entry WHERE id = ?", (since[0],)).fetchone()
        if row is None or not hmac.compare_digest(str(row[0]), str(since[1])):
            return ChainReport(False, 0, 0, prev, f"entry {since[0]} differs from the one verified before", since[0])
        prev, expected_id, count = str(since[1]), since[0] + 1, since[0]
    want = int(expected_head["sequence"]) if expected_head else 0
    head_mac = None
    cursor = conn.execute("SELECT id, at, actor_id, action, record_type, record_id, outcome, detail, prev_mac, mac "
                          "FROM audit_entry WHERE id >= ? ORDER BY id", (expected_id,))
    for entry_id, at, actor_id, action, record_type, record_id, outcome, detail, prev_mac, mac in cursor:
        if entry_id != expected_id:
            return ChainReport(False, count, expected_id - 1, prev, f"entry {expected_id} is missing", expected_id)
        if prev_mac != prev:
            return ChainReport(False, count, entry_id - 1, prev, f"entry {entry_id} does not follow entry "
                               f"{entry_id - 1}", entry_id)
        at_text = str(at).replace(" ", "T", 1)
        payload = json.dumps([entry_id, at_text, actor_id, action, record_type, record_id, outcome, detail, prev_mac],
                             separators=(",", ":"), ensure_ascii=True).encode("ascii")
        if not hmac.compare_digest(hmac.new(key, payload, hashlib.sha256).hexdigest(), mac):
            return ChainReport(False, count, entry_id - 1, prev, f"entry {entry_id} was altered", entry_id)
        if entry_id == want:
            head_mac = mac
        prev, expected_id, count = mac, expected_id + 1, count + 1
    if expected_head:
        if count < want:
            return ChainReport(False, count, count, prev,
                               f"the log ends at entry {count} but reached entry {want} before", count + 1)
        if not hmac.compare_digest(head_mac or "", str(expected_head["mac"])):
            return ChainReport(False, count, count, prev, f"entry {want} differs from the recorded head", want)
    return ChainReport(True, count, count, prev)
