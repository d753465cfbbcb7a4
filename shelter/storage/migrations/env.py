"""Alembic environment: always run from code with the application's own keyed
connection (``config.attributes["connection"]``); there is no alembic.ini and
no URL, because the key must never be in one.

Offline (``command.upgrade(cfg, "head", sql=True)``) the migrations are only
rendered as SQL for the dialect named in ``config.attributes["dialect_name"]``,
with no database and no data (tests/test_schema_postgresql.py renders them
for PostgreSQL)."""

from __future__ import annotations

from alembic import context

from shelter.storage.models import Base

if context.is_offline_mode():
    dialect_name = context.config.attributes.get("dialect_name")
    if dialect_name is None:
        raise RuntimeError("Rendering the migrations as SQL needs config.attributes['dialect_name']")
    context.configure(dialect_name=dialect_name, target_metadata=Base.metadata, literal_binds=True)
else:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("Shelter migrations run only through shelter.storage.migrate")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite needs table rebuilds for most ALTERs
        compare_type=True,
    )
with context.begin_transaction():
    context.run_migrations()
