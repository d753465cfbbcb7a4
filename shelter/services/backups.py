"""Backups that happen, are verified and can be restored.

``back_up`` copies the store into ``backups/`` of the data folder
(``shelter.backup``), verifies the copy as a restore would need it, writes
the outcome beside it, rotates (``shelter.domain.backups.to_keep``: 7 daily,
4 weekly, 12 monthly by default, never the last verified one), and copies
the verified backup to the second place when one is set (a USB drive, a
network folder). The application calls it without being asked: at the first
sign-in of the day and on closing, when the last verified backup is older
than ``Settings.backup_interval_hours``.

``restore`` puts a backup back: into a scratch folder first, verified and
compared with the current store table by table, then swapped in file by file
under a journal (a restore cut off at any moment is finished the next time
the store is opened), the current store kept as a backup of its own. A
``drill`` restores the newest backup into a temporary folder and says what
differs from the live store.

Every backup, verification, restore and drill is audited.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from shelter.atomic import write_atomic
from shelter.backup import (
    JOURNAL,
    KEYRING,
    BackupCheck,
    BackupFailed,
    BackupInfo,
    Progress,
    check_backup,
    copy_backup,
    finish_interrupted_restore,
    info_of,
    list_backups,
    make_backup,
    read_manifest,
    record_check,
    remove_backup,
    table_digests,
)
from shelter.domain.backups import DRILL_EVERY, MIRROR_MISSING_AFTER, STALE_AFTER, Kept, backup_due, to_keep
from shelter.errors import ShelterError, ValidationError, WrongPassword
from shelter.i18n import _, ngettext
from shelter.security.audit import verify_chain_raw
from shelter.security.permissions import Permission
from shelter.services.settings import load_settings
from shelter.storage import migrate
from shelter.storage.database import connect_raw
from shelter.storage.models import AuditEntry
from shelter.store import SignedIn, Store

MIRROR_STATE = "mirror-state.json"
MIRROR_FOLDER = "shelter-backups"
_AUDIT_KEY = "audit_chain_key"


@dataclass(frozen=True)
class BackupResult:
    info: BackupInfo
    check: BackupCheck
    mirrored_to: Path | None = None
    mirror_problem: str | None = None
    removed: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.check.ok


@dataclass(frozen=True)
class BackupStatus:
    last_verified: BackupInfo | None
    last_failed: BackupInfo | None  # newer than the last verified one
    stale: bool  # no verified backup, or the last older than two days
    mirror: str  # the second place, "" when none is set
    mirror_last_ok: datetime | None
    mirror_missing: bool  # set, and not reached for a week
    drill_due: bool
    last_drill: datetime | None


@dataclass(frozen=True)
class TableDifference:
    table: str
    backup_rows: int
    live_rows: int


@dataclass(frozen=True)
class Comparison:
    """A backup against the live store, table by table."""

    differences: tuple[TableDifference, ...]  # tables whose content differs
    only_in_backup: tuple[str, ...] = ()
    only_in_live: tuple[str, ...] = ()

    @property
    def same(self) -> bool:
        return not (self.differences or self.only_in_backup or self.only_in_live)


@dataclass(frozen=True)
class RestorePlan:
    source: BackupInfo
    check: BackupCheck
    replaces: bool  # a store exists in the data folder
    comparison: Comparison | None
    days_lost: int  # days of records written after the backup (0 when none, or no store)
    other_store: bool = False  # the backup is of another store than the one it replaces
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class DrillReport:
    source: BackupInfo
    check: BackupCheck
    comparison: Comparison

    @property
    def ok(self) -> bool:
        return self.check.ok


# -- checking -------------------------------------------------------------------------

def chain_problem(database: Path, key: bytes | bytearray, head: dict[str, Any] | None,
                  since: tuple[int, str] | None = None) -> str | None:
    """The audit chain of a copy, checked up to ``head`` (None: as far as it
    goes), from ``since`` (a point of the chain a verified backup of this
    store recorded: the entries before it were verified then, and the copy's
    pages are authenticated by SQLCipher's own check)."""
    try:
        conn = connect_raw(database, key)
    except ShelterError as exc:
        return exc.message
    try:
        row = conn.execute("SELECT value FROM store_meta WHERE key = ?", (_AUDIT_KEY,)).fetchone()
        if row is None:
            return "the audit key is missing"
        report = verify_chain_raw(conn, bytes(row[0]), head, since)
        return None if report.ok else (report.problem or "the chain is broken")
    finally:
        conn.close()


def _check(folder: Path, key: bytes | bytearray, digests: bool = False,
           since: tuple[int, str] | None = None) -> BackupCheck:
    return check_backup(folder, key, migrate.known_revisions(),
                        lambda database, k, head: chain_problem(database, k, head, since), digests=digests)


def _verified_point(backups_dir: Path, chain_key: bytes, store_id: str, before: int) -> tuple[int, str] | None:
    """The newest point of the chain a verified backup of this store
    recorded, at or before entry ``before``."""
    for b in list_backups(backups_dir, chain_key):
        manifest = read_manifest(b.folder) or {}
        if (b.state == "verified" and b.audit_mac and 0 < b.audit_sequence <= before
                and manifest.get("store_id") == store_id):
            return b.audit_sequence, b.audit_mac
    return None


def _compare(backup: dict[str, tuple[int, str]], live: dict[str, tuple[int, str]]) -> Comparison:
    ignored = {"alembic_version"}
    differences = tuple(TableDifference(t, backup[t][0], live[t][0]) for t in sorted(set(backup) & set(live))
                        if t not in ignored and backup[t] != live[t])
    return Comparison(differences, tuple(sorted(set(backup) - set(live) - ignored)),
                      tuple(sorted(set(live) - set(backup) - ignored)))


def _live_digests(who: SignedIn) -> dict[str, tuple[int, str]]:
    conn = connect_raw(who.store.database_path, who.store.key)
    try:
        conn.execute("BEGIN")
        try:
            return table_digests(conn)
        finally:
            conn.execute("COMMIT")
    finally:
        conn.close()


# -- making ------------------------------------------------------------------------------

def _mirror_state(backups: Path) -> dict[str, Any]:
    try:
        data = json.loads((backups / MIRROR_STATE).read_bytes()[:4096])
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _remember_mirror(backups: Path, place: str, ok: bool, problem: str = "") -> None:
    state = _mirror_state(backups)
    now = datetime.now(UTC).isoformat()
    if state.get("place") != place:
        state = {"place": place, "since": now}
    state["last_attempt_at"] = now
    if ok:
        state["last_ok_at"] = now
        state.pop("problem", None)
    else:
        state["problem"] = problem[:300]
    with contextlib.suppress(OSError, ShelterError):
        write_atomic(backups / MIRROR_STATE, json.dumps(state).encode())


def rotate(who: SignedIn, now: datetime | None = None) -> tuple[str, ...]:
    """Remove the backups rotation no longer keeps; returns their names."""
    who.require(Permission.BACK_UP)
    return _rotate(who, now)


def _rotate(who: SignedIn, now: datetime | None = None) -> tuple[str, ...]:
    settings = load_settings_of(who)
    backups = who.store.paths.backups
    items = list_backups(backups, who.store.audit_key)
    keep = to_keep([Kept(b.name, b.created_at, b.state) for b in items], settings.backup_keep_daily,
                   settings.backup_keep_weekly, settings.backup_keep_monthly, now or datetime.now(UTC))
    removed = tuple(b.name for b in items if b.name not in keep)
    for b in items:
        if b.name not in keep:
            remove_backup(b.folder)
    return removed


def load_settings_of(who: SignedIn):  # noqa: ANN201  (Settings; read without a permission)
    with who.store.read() as s:
        return load_settings(s)


def back_up(who: SignedIn, label: str = "manual", to: Path | None = None, progress: Progress | None = None,
            now: datetime | None = None, automatic: bool = False) -> BackupResult:
    """Make a backup now, verify it, rotate, and copy it to ``to`` (when
    given) or else to the second place of the settings (when set).

    ``automatic``: the application's own backup, made whoever is signed in
    (a shelter where only social workers sign in is backed up too): into
    the data folder and the second place set, nowhere else. A backup asked
    for needs BACK_UP.

    Raises StorageFull or BackupFailed when the backup could not be made
    (nothing incomplete is left as if complete); a failed verification or
    copy to the second place is returned, not raised."""
    if automatic:
        if to is not None:
            raise ValidationError(_("An automatic backup goes only where the settings say."), field="to")
        if who.actor.must_change_password:
            who.require(Permission.BACK_UP)  # says why: the temporary password first
    else:
        who.require(Permission.BACK_UP)
    store = who.store
    report = progress or (lambda _f, _s: None)
    settings = load_settings_of(who)
    try:
        info = make_backup(store.paths.backups, store.database_path, store.key, store.keyfile.read(), label,
                           progress=report, now=now)
    except ShelterError as exc:
        with contextlib.suppress(Exception), store.write() as s:
            who.audit(s, "backup.make", outcome="failed", detail={"reason": type(exc).__name__})
        raise
    report(0.8, "verify")
    since = _verified_point(store.paths.backups, store.audit_key, store.keyring.store_id.hex(), info.audit_sequence)
    check = _check(info.folder, store.key, since=since)
    record_check(info.folder, check, store.key)
    with store.write() as s:
        who.audit(s, "backup.make", outcome="ok" if check.ok else "failed",
                  detail={"backup": info.name, "sequence": info.audit_sequence})
    removed: tuple[str, ...] = ()
    mirrored, problem = None, None
    if check.ok:
        removed = _rotate(who, now)
        place = to or (Path(settings.backup_mirror) if settings.backup_mirror else None)
        if place is not None:
            target = place if to is not None else place / MIRROR_FOLDER / store.keyring.store_id.hex()[:16]
            try:
                mirrored = copy_backup(info.folder, target, progress=lambda f, s: report(0.9 + f * 0.1, s))
                copy_check = _check(mirrored, store.key)
                if not copy_check.ok:
                    problem = _("The copy on {place} does not verify: {problem}").format(
                        place=place, problem=copy_check.problems[0])
                    mirrored = None
            except ShelterError as exc:
                problem = exc.message
            if to is None:
                _remember_mirror(store.paths.backups, str(place), problem is None, problem or "")
            with store.write() as s:
                who.audit(s, "backup.mirror", outcome="ok" if problem is None else "failed",
                          detail={"backup": info.name})
    report(1.0, "done")
    return BackupResult(info_of(info.folder, store.audit_key) or info, check, mirrored, problem, removed)


def backup_is_due(who: SignedIn, now: datetime | None = None) -> bool:
    """Whether the application should make a backup now (none verified
    within the interval), whoever is signed in."""
    if who.actor.must_change_password:
        return False
    settings = load_settings_of(who)
    verified = [b for b in list_backups(who.store.paths.backups, who.store.audit_key) if b.state == "verified"]
    return backup_due(verified[0].created_at if verified else None, now or datetime.now(UTC),
                      settings.backup_interval_hours)


def backups(who: SignedIn) -> list[BackupInfo]:
    """The backups in the data folder, newest first, with their state. Audited ("backup.list")."""
    who.require(Permission.BACK_UP)
    found = list_backups(who.store.paths.backups, who.store.audit_key)
    with who.store.write() as s:
        who.audit(s, "backup.list", detail={"results": len(found)})
    return found


def verify_backup(who: SignedIn, folder: Path) -> BackupCheck:
    """Verify any backup folder (one on a USB drive too) with this store's key."""
    who.require(Permission.BACK_UP)
    folder = Path(folder)
    if read_manifest(folder) is None:
        check = BackupCheck(False, (_("{folder} is not a Shelter backup (no manifest).").format(folder=folder),), None)
    else:
        check = _check(folder, who.store.key)
        if check.ok or check.info is not None:
            record_check(folder, check, who.store.key)
    with who.store.write() as s:
        who.audit(s, "backup.verify", outcome="ok" if check.ok else "failed", detail={"backup": folder.name})
    return check


def status(who: SignedIn, now: datetime | None = None) -> BackupStatus:
    """What the status bar and the dashboard say about backups."""
    now = now or datetime.now(UTC)
    settings = load_settings_of(who)
    items = list_backups(who.store.paths.backups, who.store.audit_key)
    verified = next((b for b in items if b.state == "verified"), None)
    failed = next((b for b in items if b.state == "failed"), None)
    if failed is not None and verified is not None and failed.created_at < verified.created_at:
        failed = None
    mirror_state = _mirror_state(who.store.paths.backups)
    last_ok = _when(mirror_state.get("last_ok_at")) if mirror_state.get("place") == settings.backup_mirror else None
    since = _when(mirror_state.get("since")) if mirror_state.get("place") == settings.backup_mirror else None
    missing = bool(settings.backup_mirror) and now - (last_ok or since or now) >= MIRROR_MISSING_AFTER
    with who.store.read() as s:
        drilled = s.execute(select(func.max(AuditEntry.at)).where(AuditEntry.action == "backup.drill",
                                                                  AuditEntry.outcome == "ok")).scalar()
    if drilled is not None and drilled.tzinfo is None:
        drilled = drilled.replace(tzinfo=UTC)
    first = min((b.created_at for b in items if b.state == "verified"), default=None)
    drill_due = verified is not None and (drilled is None and first is not None and now - first >= DRILL_EVERY
                                          or drilled is not None and now - drilled >= DRILL_EVERY)
    return BackupStatus(verified, failed, verified is None or now - verified.created_at > STALE_AFTER,
                        settings.backup_mirror, last_ok, missing, drill_due, drilled)


def _when(text: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- the audit log against the backups ---------------------------------------------------

def truncation_problem(who: SignedIn) -> str | None:
    """Whether the live audit log is shorter than, or disagrees with, the
    head recorded in the newest verified backup made since the last restore."""
    with who.store.read() as s:
        restored = s.execute(select(func.max(AuditEntry.at)).where(AuditEntry.action == "backup.restore")).scalar()
        last = s.execute(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)).scalar() or 0
        if restored is not None and restored.tzinfo is None:
            restored = restored.replace(tzinfo=UTC)
        for b in list_backups(who.store.paths.backups, who.store.audit_key):
            if b.state != "verified" or b.audit_sequence == 0 or (restored is not None and b.created_at < restored):
                continue
            if last < b.audit_sequence:
                return _("the audit log ends at entry {last}, but the backup {name} recorded entry {seq}: "
                         "entries were removed from the end").format(last=last, name=b.name, seq=b.audit_sequence)
            mac = s.execute(select(AuditEntry.mac).where(AuditEntry.id == b.audit_sequence)).scalar()
            if mac != b.audit_mac:
                return _("entry {seq} of the audit log differs from the one recorded in the backup {name}").format(
                    seq=b.audit_sequence, name=b.name)
            return None
    return None


# -- restoring -------------------------------------------------------------------------

def _key_of_backup(folder: Path, username: str, password: str) -> bytes:
    from shelter.security.keyring import Keyring

    try:
        ring = Keyring.load(folder / KEYRING)
    except (OSError, ShelterError, ValueError) as exc:
        raise BackupFailed(_("The keyring of the backup cannot be read: it is damaged or missing.")) from exc
    slot = ring.user_slot(username.strip().lower())
    if slot not in ring.slots:
        raise WrongPassword(_("Wrong username or password for this backup (as they were when it was made)."))
    try:
        return ring.unlock(slot, password)
    except WrongPassword as exc:
        raise WrongPassword(_("Wrong username or password for this backup (as they were when it was made).")
                            ) from exc


def _copy_into(folder: Path, scratch: Path) -> None:
    scratch.mkdir(mode=0o700)
    for p in folder.iterdir():
        if p.is_file():
            shutil.copyfile(p, scratch / p.name)


def _live_end(who: SignedIn) -> datetime | None:
    with who.store.read() as s:
        at = s.execute(select(func.max(AuditEntry.at))).scalar()
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def plan_restore(source: Path, data_dir: Path, username: str, password: str) -> tuple[RestorePlan, Path]:
    """Copy the backup into a scratch folder of the data folder, verify the
    copy and compare it with the store it would replace. Returns the plan
    and the scratch folder (``restore`` takes both; ``discard`` removes it)."""
    source = Path(source)
    if read_manifest(source) is None:
        raise BackupFailed(_("{folder} is not a Shelter backup (no manifest).").format(folder=source))
    key = _key_of_backup(source, username, password)
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    scratch = data_dir / f".restore-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}"
    try:
        _copy_into(source, scratch)
    except OSError as exc:
        discard(scratch)
        raise BackupFailed(_("The backup could not be copied into {folder}: {reason}.").format(
            folder=data_dir, reason=exc.strerror or exc)) from exc
    check = _check(scratch, key, digests=True)
    info = check.info or info_of(scratch)
    if info is None:
        discard(scratch)
        raise BackupFailed(check.problems[0] if check.problems else _("The backup cannot be read."))
    info = replace(info, folder=source)  # named as the person chose it, not as the scratch copy is
    live = Store(data_dir)
    comparison, days, other, notes = None, 0, False, []
    if live.exists() and check.ok:
        who = live.sign_in(username, password)
        try:
            who.require(Permission.BACK_UP)
            comparison = _compare(check.tables, _live_digests(who))
            end = _live_end(who)
            if end is not None and end > info.created_at:
                days = (end - info.created_at).days
            manifest = read_manifest(scratch) or {}
            other = manifest.get("store_id") not in (None, who.store.keyring.store_id.hex())
        finally:
            who.lock("sign_out")
    if other:
        notes.append(_("This backup is of another store than the one in the data folder."))
    return RestorePlan(info, check, live.exists(), comparison, days, other, tuple(notes)), scratch


def discard(scratch: Path) -> None:
    with contextlib.suppress(OSError):
        shutil.rmtree(scratch)


def restore(plan: RestorePlan, scratch: Path, data_dir: Path, username: str, password: str) -> SignedIn:
    """Put the verified scratch copy in place of the store in ``data_dir``
    (kept first as a backup of its own, labelled "before-restore"), and sign
    in to the restored store. Audited in the restored store's log
    ("backup.restore", with its source)."""
    if not plan.check.ok:
        discard(scratch)
        raise BackupFailed(_("The backup did not verify: {problem}").format(
            problem=plan.check.problems[0] if plan.check.problems else "?"))
    data_dir = Path(data_dir)
    live = Store(data_dir)
    kept = None
    if live.exists():
        who = live.sign_in(username, password)
        try:
            who.require(Permission.BACK_UP)
            kept = make_backup(who.store.paths.backups, who.store.database_path, who.store.key,
                               who.store.keyfile.read(), "before-restore")
            record_check(kept.folder, _check(kept.folder, who.store.key), who.store.key)
            old_database = who.store.database_path.name
        finally:
            who.lock("sign_out")
    else:
        old_database = None
    manifest = read_manifest(scratch) or {}
    database = str(manifest.get("database", ""))
    moves = [[str(scratch / database), str(data_dir / database)], [str(scratch / KEYRING), str(data_dir / KEYRING)]]
    head = scratch / "audit-head.json"
    if head.exists():
        moves.append([str(head), str(data_dir / "audit-head.json")])
    remove = [str(data_dir / old_database)] if old_database and old_database != database else []
    journal = {"moves": moves, "remove": remove, "scratch": str(scratch)}
    write_atomic(data_dir / JOURNAL, json.dumps(journal).encode())
    finish_interrupted_restore(data_dir)
    restored = Store(data_dir).sign_in(username, password)
    with restored.store.write() as s:
        restored.audit(s, "backup.restore", detail={"backup": plan.source.name, "days_lost": plan.days_lost,
                                                    "kept": kept.name if kept else None})
    return restored


def restore_summary(plan: RestorePlan) -> list[str]:
    """What a person must know before saying yes, in their language."""
    lines = [_("Backup {name}, made on {when} by Shelter {version}.").format(
        name=plan.source.name, when=plan.source.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
        version=plan.source.application_version or "?")]
    if not plan.check.ok:
        lines += plan.check.problems
        return lines
    if plan.replaces:
        if plan.days_lost > 0:
            lines.append(ngettext("Restoring it loses {n} day of records written since.",
                                  "Restoring it loses {n} days of records written since.",
                                  plan.days_lost).format(n=plan.days_lost))
        if plan.comparison is not None and not plan.comparison.same:
            lines.append(ngettext("{n} table differs from the current store:", "{n} tables differ from the current "
                                  "store:", len(plan.comparison.differences)).format(n=len(plan.comparison.differences)))
            lines += [_("  {table}: {backup} in the backup, {live} now").format(
                table=d.table, backup=d.backup_rows, live=d.live_rows) for d in plan.comparison.differences[:30]]
        elif plan.comparison is not None:
            lines.append(_("The backup holds exactly what the current store holds."))
        lines.append(_("The current store is kept as a backup of its own before it is replaced."))
    lines += list(plan.notes)
    return lines


# -- the drill ------------------------------------------------------------------------------

def drill(who: SignedIn) -> DrillReport:
    """Restore the newest backup into a temporary folder, verify it, and
    compare it with the live store: what differs should be only what was
    written since. Audited ("backup.drill")."""
    who.require(Permission.BACK_UP)
    items = [b for b in list_backups(who.store.paths.backups, who.store.audit_key) if b.state != "failed"]
    if not items:
        raise ValidationError(_("There is no backup to practise with yet. Make one first."), field="backup")
    newest = items[0]
    with tempfile.TemporaryDirectory(prefix="shelter-drill-") as temp:
        scratch = Path(temp) / newest.name
        try:
            _copy_into(newest.folder, scratch)
        except OSError as exc:
            raise BackupFailed(_("The backup could not be copied for the drill: {reason}.").format(
                reason=exc.strerror or exc)) from exc
        check = _check(scratch, who.store.key, digests=True)
        comparison = _compare(check.tables, _live_digests(who)) if check.ok else Comparison(())
    with who.store.write() as s:
        who.audit(s, "backup.drill", outcome="ok" if check.ok else "failed",
                  detail={"backup": newest.name, "tables": len(comparison.differences)})
    return DrillReport(newest, check, comparison)


def is_journal_pending(data_dir: Path) -> bool:
    return (Path(data_dir) / JOURNAL).exists()


__all__ = ["BackupResult", "BackupStatus", "Comparison", "DrillReport", "RestorePlan", "back_up", "backup_is_due",
           "backups", "discard", "drill", "finish_interrupted_restore", "plan_restore", "restore", "restore_summary",
           "rotate", "status", "truncation_problem", "verify_backup"]
