"""Corrections to a resident's file keep the earlier values: one row per
field changed (who, when, why), and the date a consent to the processing of
the person's data was withdrawn.

No closed list is created here (``record_type`` names the kind of record a
later feature corrects, without a check to rewrite for each).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shelter.storage.models import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column without a default: SQLite adds it in place (no table
    # rebuild of ``resident``, which other tables name).
    op.add_column("resident", sa.Column("consent_processing_withdrawn_on", sa.Date(), nullable=True))
    op.create_table(
        "record_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_at", UtcDateTime(), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_record_change"),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], name="fk_record_change_resident_id_resident"),
        sa.ForeignKeyConstraint(["changed_by"], ["staff_account.id"],
                                name="fk_record_change_changed_by_staff_account"),
        # op.f: the names as written (the naming convention would prefix them a second time).
        sa.CheckConstraint("length(field) > 0", name=op.f("ck_record_change_field_present")),
        sa.CheckConstraint("old_value IS NULL OR new_value IS NULL OR old_value <> new_value",
                           name=op.f("ck_record_change_changed")),
    )
    op.create_index("ix_record_change_resident_id", "record_change", ["resident_id"])
    op.create_index("ix_record_change_record", "record_change", ["record_type", "record_id"])


def downgrade() -> None:
    raise RuntimeError("Schema 0005 cannot be downgraded: restore the safety copy taken before the upgrade.")
