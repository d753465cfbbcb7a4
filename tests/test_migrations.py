"""Schema migrations: models and migrations agree, old stores upgrade (with a
safety copy first), a store from a newer version is refused."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from shelter.errors import NewerStore
from shelter.security.permissions import Role
from shelter.services import accounts, admissions, shelters
from shelter.services.audit_log import AuditFilter, list_entries
from shelter.services.maintenance import verify
from shelter.services.shelters import list_shelters
from shelter.storage import migrate
from shelter.storage.counters import next_case_number
from shelter.storage.database import connect_raw
from shelter.storage.models import Base, CaseNumberCounter, Shelter
from shelter.store import Store
from tests.cases import COORDINATOR_PASSWORD, admission, bed_ids
from tests.conftest import ADMIN, ADMIN_PASSWORD

FIXTURES = Path(__file__).parent / "fixtures"


def test_models_match_migrations(admin):
    with admin.store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_new_store_is_at_head(admin):
    with admin.store.engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("store-*")))
def test_every_released_store_opens_and_upgrades(fixture, tmp_path):
    folder = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, folder)
    who = Store(folder).sign_in(ADMIN, ADMIN_PASSWORD)
    with who.store.engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()
    assert [s.code for s in list_shelters(who)] == ["RBT1"]
    assert verify(who).ok
    who.lock()


def test_pending_migration_takes_a_safety_copy_first(store_dir, tmp_path, monkeypatch):
    # A copy of the migrations with one more revision, as the next version will have.
    current = migrate.head_revision()
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, scripts)
    (scripts / "versions" / "9000_next.py").write_text(
        '"""next"""\n'
        "import sqlalchemy as sa\nfrom alembic import op\n"
        f"revision = '9000'\ndown_revision = {migrate.head_revision()!r}\n"
        "branch_labels = None\ndepends_on = None\n"
        "def upgrade():\n"
        "    op.create_table('next_thing', sa.Column('id', sa.Integer, primary_key=True))\n"
        "def downgrade():\n    op.drop_table('next_thing')\n"
    )
    monkeypatch.setattr(migrate, "MIGRATIONS", scripts)
    who = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    with who.store.engine.connect() as conn:
        assert migrate.current_revision(conn) == "9000"
    assert list_entries(who, AuditFilter(action="store.migrate"))
    who.lock()
    backups = list((store_dir / "backups").iterdir())
    assert len(backups) == 1 and f"pre-upgrade-{current}" in backups[0].name
    manifest = json.loads((backups[0] / "manifest.json").read_text())
    assert manifest["schema_revision"] == current and manifest["audit_head"]["sequence"] > 0
    # The safety copy opens on its own, at the old schema, with its keyring.
    copy = tmp_path / "restored"
    shutil.copytree(backups[0], copy)
    monkeypatch.undo()
    restored = Store(copy).sign_in(ADMIN, ADMIN_PASSWORD)
    assert verify(restored).ok
    restored.lock()


def test_store_from_a_newer_version_is_refused(store_dir):
    who = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    key, path = who.store.key, who.store.database_path
    who.lock()
    conn = connect_raw(path, key)
    conn.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    conn.close()
    with pytest.raises(NewerStore):
        Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)


# -- case number counters (revision 0004) ----------------------------------------

class RolledBack(Exception):
    pass


def counters(who) -> dict[tuple[str, int], int]:
    with who.store.read() as s:
        rows = s.execute(select(Shelter.code, CaseNumberCounter.year, CaseNumberCounter.last_value)
                         .join(Shelter, Shelter.id == CaseNumberCounter.shelter_id)).all()
    return {(code, year): last for code, year, last in rows}


def back_to_0003(who, *statements: str) -> None:
    """Put a store back as revision 0003 left it (0004 only adds the counter
    table; 0005 the record_change table and one column of resident; 0006
    the case-work tables; 0007 the counselling tables; 0008 the
    reintegration tables; 0009 the unmet requests, two columns of resident and two indexes of stay), with ``statements`` run on it first, then lock
    the session."""
    key, path = who.store.key, who.store.database_path
    who.lock("sign_out")
    conn = connect_raw(path, key)
    try:
        case_work = ("bed_service_change", "unmet_request", "reintegration_document", "sustainability_weight", "sustainability_answer",
                     "sustainability_score", "follow_up_contact", "partner_referral", "milestone_event", "milestone",
                     "pathway_change", "reintegration_plan", "milestone_template", "partner", "glass_notice", "glass_access", "compartment_seal", "session_follow_up", "risk_alert",
                     "risk_screen", "note_addendum", "session_note", "session_relative", "session_attendee",
                     "counselling_session", "session_series", "meeting_room", "plan_review_goal", "plan_review", "plan_action_note", "plan_action", "plan_domain_reason",
                     "plan_goal", "plan_version", "plan_event", "care_plan", "assessment_score", "assessment",
                     "case_closure", "case_assignment")
        for statement in (*statements, *(f"DROP TABLE {table}" for table in case_work), "DROP TABLE record_change",
                          "DROP INDEX ix_stay_admitted_at", "DROP INDEX ix_stay_discharged_at",
                          "ALTER TABLE resident DROP COLUMN consent_reporting_on",
                          "ALTER TABLE resident DROP COLUMN consent_reporting",
                          "ALTER TABLE resident DROP COLUMN consent_processing_withdrawn_on",
                          "DROP TABLE case_number_counter",
                          "UPDATE alembic_version SET version_num = '0003'"):
            conn.execute(statement)
    finally:
        conn.close()


def test_a_released_store_upgraded_numbers_its_first_admission_one(tmp_path):
    folder = tmp_path / "store-0001"
    shutil.copytree(FIXTURES / "store-0001", folder)
    admin = Store(folder).sign_in(ADMIN, ADMIN_PASSWORD)
    assert counters(admin) == {}
    shelter = list_shelters(admin)[0]
    shelters.add_room(admin, shelter.id, "Upstairs", beds=2, women_only=True)
    accounts.create_account(admin, "salma", "Salma Idrissi", [Role.COORDINATOR], COORDINATOR_PASSWORD,
                            must_change_password=False)
    admin.lock("sign_out")
    who = Store(folder).sign_in("salma", COORDINATOR_PASSWORD)
    year = datetime.now(UTC).year
    first = admissions.admit(who, admission(bed_ids(who, "Upstairs")[0]))
    second = admissions.admit(who, admission(bed_ids(who, "Upstairs")[1], "Aisha Okoro", "عائشة أوكورو"))
    assert (first.case_number, second.case_number) == (f"RBT1-{year}-0001", f"RBT1-{year}-0002")
    assert counters(who) == {("RBT1", year): 2}
    who.lock("sign_out")


def test_the_upgrade_continues_the_numbering_of_each_shelter_and_year(coordinator, store_dir):
    year = datetime.now(UTC).year
    rbt1 = list_shelters(coordinator)[0].id
    shelters.add_room(coordinator, rbt1, "Room 2", beds=1, women_only=True)
    # A code that begins like RBT1's: its numbers are not RBT1's.
    other = shelters.create_shelter(coordinator, "Dar Al Hanane", "RBT12", city="Rabat")
    shelters.add_room(coordinator, other.id, "Room A", beds=2, women_only=True)
    for bed in bed_ids(coordinator)[:3]:
        admissions.admit(coordinator, admission(bed))
    admissions.admit(coordinator, admission(bed_ids(coordinator, "Room A")[0]))
    assert counters(coordinator) == {("RBT1", year): 3, ("RBT12", year): 1}
    # As a store at 0003 could have them: last year's numbers past 9999 (a
    # string max would take 9999).
    back_to_0003(
        coordinator,
        f"UPDATE resident SET case_number = 'RBT1-{year - 1}-9999' WHERE case_number = 'RBT1-{year}-0002'",
        f"UPDATE resident SET case_number = 'RBT1-{year - 1}-10000' WHERE case_number = 'RBT1-{year}-0003'",
    )
    who = Store(store_dir).sign_in("salma", COORDINATOR_PASSWORD)
    with who.store.engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()
    assert counters(who) == {("RBT1", year): 1, ("RBT1", year - 1): 10000, ("RBT12", year): 1}
    assert admissions.admit(who, admission(bed_ids(who, "Room 2")[0])).case_number == f"RBT1-{year}-0002"
    assert admissions.admit(who, admission(bed_ids(who, "Room A")[1])).case_number == f"RBT12-{year}-0002"
    with pytest.raises(RolledBack), who.store.write() as s:
        assert next_case_number(s, rbt1, year - 1) == 10001
        assert next_case_number(s, rbt1, year + 1) == 1
        assert next_case_number(s, rbt1, year + 1) == 2
        raise RolledBack
    assert counters(who) == {("RBT1", year): 2, ("RBT1", year - 1): 10000, ("RBT12", year): 2}
    who.lock("sign_out")
    admin = Store(store_dir).sign_in(ADMIN, ADMIN_PASSWORD)
    assert verify(admin).ok
    admin.lock("sign_out")


def test_a_number_is_given_only_if_its_transaction_commits(coordinator):
    year = datetime.now(UTC).year
    shelter = list_shelters(coordinator)[0].id
    with pytest.raises(RolledBack), coordinator.store.write() as s:
        assert next_case_number(s, shelter, year) == 1
        raise RolledBack
    assert counters(coordinator) == {}
    assert admissions.admit(coordinator, admission(bed_ids(coordinator)[0])).case_number == f"RBT1-{year}-0001"


def test_the_upgrade_records_each_bed_in_service_as_it_stands(coordinator, store_dir):
    from shelter.services import beds
    from shelter.storage.models import BedServiceChange

    first, second, third = bed_ids(coordinator)[:3]
    beds.set_out_of_service(coordinator, second, "Broken frame", None)
    shelter = list_shelters(coordinator)[0]
    upstairs = shelters.add_room(coordinator, shelter.id, "Upstairs", beds=1)
    shelters.update_room(coordinator, upstairs.id, "Upstairs", False, False, False, False, active=False)
    back_to_0003(coordinator)
    who = Store(store_dir).sign_in("salma", COORDINATOR_PASSWORD)
    with who.store.read() as s:
        rows = {(c.bed_id, c.in_service, c.changed_at, c.changed_by) for c in s.execute(select(BedServiceChange))
                .scalars()}
    since = datetime(1970, 1, 1, tzinfo=UTC)
    assert (first, True, since, None) in rows and (third, True, since, None) in rows
    assert (second, False, since, None) in rows and (upstairs.beds[0].id, False, since, None) in rows
    assert len(rows) == sum(len(r.beds) for r in list_shelters(who)[0].rooms)
    who.lock("sign_out")
