"""Alembic environment: always run from code with the application's own keyed
connection (``config.attributes["connection"]``); there is no alembic.ini and
no URL, because the key must never be in one."""

from __future__ import annotations

from alembic import context

from shelter.storage.models import Base

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
