"""Running the schema migrations from code, at start-up."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from shelter.errors import NewerStore
from shelter.i18n import _

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> frozenset[str]:
    """Every schema revision this version knows (a backup of any other was made by a newer one)."""
    return frozenset(rev.revision for rev in ScriptDirectory.from_config(_config()).walk_revisions())


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def pending(engine: Engine) -> bool:
    """True when the database's schema is older than this version's.

    Raises NewerStore when the database was written by a newer version (its
    revision is unknown here): opening it could damage it.
    """
    with engine.connect() as conn:
        current = current_revision(conn)
    script = ScriptDirectory.from_config(_config())
    if current is not None and not _known(script, current):
        raise NewerStore(
            _("This database was written by a newer version of Shelter. Install that version to open it.")
        )
    return current != script.get_current_head()


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises its own errors for unknown ids
        return False


def upgrade(engine: Engine) -> None:
    """Bring the schema to this version's head, in one transaction."""
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
