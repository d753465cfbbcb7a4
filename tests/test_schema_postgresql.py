"""The schema as PostgreSQL (the multi-workstation mode to come) would get it,
compiled without a server: from the models, and from the migrations rendered
in Alembic's offline mode.

SQLAlchemy takes a partial index's condition per dialect (``sqlite_where``,
``postgresql_where``) and silently drops it on a dialect it was not given
for: PostgreSQL would get a plain unique index, e.g. one stay per resident,
ever. These tests fail where a condition would be lost."""

from __future__ import annotations

import io
import re

import pytest
from alembic import command
from sqlalchemy import Index
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from shelter.storage import migrate
from shelter.storage.models import Base

POSTGRESQL = postgresql.dialect()
SQLITE = sqlite.dialect()


def all_indexes() -> list[Index]:
    return [ix for table in Base.metadata.sorted_tables for ix in sorted(table.indexes, key=lambda i: i.name)]


def where(index: Index, dialect: str) -> str | None:
    condition = index.dialect_options[dialect]["where"]
    return None if condition is None else str(condition)


PARTIAL = [ix for ix in all_indexes() if where(ix, "sqlite") or where(ix, "postgresql")]


def test_the_schema_has_the_partial_indexes_it_relies_on():
    assert {ix.name for ix in PARTIAL} >= {"uq_stay_one_open_per_resident", "uq_bed_assignment_one_per_bed",
                                           "uq_bed_assignment_one_per_stay", "uq_reservation_one_open_per_bed"}


def test_every_table_and_index_compiles_for_postgresql():
    for table in Base.metadata.sorted_tables:
        assert f"CREATE TABLE {table.name} (" in str(CreateTable(table).compile(dialect=POSTGRESQL))
    for index in all_indexes():
        assert f" {index.name} ON " in str(CreateIndex(index).compile(dialect=POSTGRESQL))


@pytest.mark.parametrize("index", PARTIAL, ids=lambda ix: ix.name)
def test_a_partial_index_keeps_its_condition_on_postgresql(index):
    assert where(index, "sqlite") is not None, "a partial index needs sqlite_where (the store today)"
    assert where(index, "postgresql") == where(index, "sqlite"), "postgresql_where must equal sqlite_where"
    condition = where(index, "sqlite")
    for dialect in (POSTGRESQL, SQLITE):
        ddl = str(CreateIndex(index).compile(dialect=dialect))
        assert ddl.startswith("CREATE UNIQUE INDEX" if index.unique else "CREATE INDEX")
        assert ddl.endswith(f" WHERE {condition}"), (dialect.name, ddl)


@pytest.fixture(scope="module")
def offline_postgresql() -> str:
    """Every migration rendered as PostgreSQL SQL, as ``alembic upgrade head --sql`` does."""
    cfg = migrate._config()
    cfg.output_buffer = io.StringIO()
    cfg.attributes["dialect_name"] = "postgresql"
    command.upgrade(cfg, "head", sql=True)
    return cfg.output_buffer.getvalue()


def test_the_migrations_render_for_postgresql_offline(offline_postgresql):
    sql = offline_postgresql
    for table in Base.metadata.sorted_tables:
        assert f"\nCREATE TABLE {table.name} (" in sql, table.name
    assert f"UPDATE alembic_version SET version_num='{migrate.head_revision()}'" in sql
    assert "INSERT INTO case_number_counter (shelter_id, year, last_value)" in sql  # 0004 fills its counters


@pytest.mark.parametrize("index", PARTIAL, ids=lambda ix: ix.name)
def test_the_migrations_give_postgresql_the_partial_indexes_with_their_condition(offline_postgresql, index):
    made = re.findall(rf"^CREATE (?:UNIQUE )?INDEX {index.name} ON .*;$", offline_postgresql, re.M)
    assert len(made) == 1, f"{index.name} is not created by the migrations"
    assert made[0].endswith(f" WHERE {where(index, 'sqlite')};"), made[0]
