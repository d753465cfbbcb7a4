"""Reading the audit trail (administrators) and checking its chain."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select

from shelter.i18n import _
from shelter.security.audit import ACTIONS, ChainReport, verify_chain
from shelter.security.permissions import Permission
from shelter.storage.models import AuditEntry, StaffAccount
from shelter.store import SignedIn


@dataclass(frozen=True)
class AuditView:
    id: int
    at: datetime
    actor_id: int | None
    actor: str  # username, or "" for the system / unknown
    action: str
    action_label: str
    record_type: str | None
    record_id: str | None
    outcome: str


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    record_type: str | None = None
    record_id: str | None = None


def _where(q, f: AuditFilter):  # noqa: ANN001, ANN202
    if f.actor_id is not None:
        q = q.where(AuditEntry.actor_id == f.actor_id)
    if f.action:
        q = q.where(AuditEntry.action == f.action)
    if f.since:
        q = q.where(AuditEntry.at >= f.since)
    if f.until:
        q = q.where(AuditEntry.at < f.until)
    if f.record_type:
        q = q.where(AuditEntry.record_type == f.record_type)
    if f.record_id:
        q = q.where(AuditEntry.record_id == f.record_id)
    return q


def count_entries(who: SignedIn, f: AuditFilter = AuditFilter()) -> int:
    who.require(Permission.VIEW_AUDIT_LOG)
    with who.store.read() as s:
        return s.execute(_where(select(func.count(AuditEntry.id)), f)).scalar_one()


def list_entries(who: SignedIn, f: AuditFilter = AuditFilter(), offset: int = 0, limit: int = 200,
                 record_view: bool = False, before_id: int | None = None) -> list[AuditView]:
    """Newest first, filtered in SQL. The first page viewed is itself audited
    (``record_view``). ``before_id`` pages by key (entries older than that
    id), which stays as quick on the millionth entry as on the first."""
    who.require(Permission.VIEW_AUDIT_LOG)
    if record_view:
        with who.store.write() as s:
            who.audit(s, "audit.view")
    with who.store.read() as s:
        q = _where(
            select(AuditEntry, StaffAccount.username).outerjoin(StaffAccount, StaffAccount.id == AuditEntry.actor_id),
            f,
        )
        if before_id is not None:
            q = q.where(AuditEntry.id < before_id)
        q = q.order_by(AuditEntry.id.desc()).offset(offset).limit(limit)
        return [
            AuditView(e.id, e.at, e.actor_id, username or "", e.action, _(ACTIONS.get(e.action, e.action)),
                      e.record_type, e.record_id, e.outcome)
            for e, username in s.execute(q)
        ]


def chain_status(who: SignedIn) -> ChainReport:
    who.require(Permission.VIEW_AUDIT_LOG)
    with who.store.read() as s:
        chain = verify_chain(s, who.store.audit_key)
    if not chain.ok:
        return chain
    problem = who.store.head_problem()
    if problem is not None:
        return replace(chain, ok=False, problem=problem)
    return chain
