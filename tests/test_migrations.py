"""Schema migrations: models and migrations agree, old stores upgrade (with a
safety copy first), a store from a newer version is refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from shelter.errors import NewerStore
from shelter.services.audit_log import AuditFilter, list_entries
from shelter.services.maintenance import verify
from shelter.services.shelters import list_shelters
from shelter.storage import migrate
from shelter.storage.database import connect_raw
from shelter.storage.models import Base
from shelter.store import Store
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
