"""Consent to share with named receivers, and the handover documents issued
(with their verification codes).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shelter.storage.models import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Frozen here: a later change to the model's tuple must not change what this
# revision creates on a new store.
_REASONS = ("transfer", "referral", "discharge")


def upgrade() -> None:
    op.create_table(
        "sharing_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("receiver", sa.String(200), nullable=False),
        sa.Column("sections", sa.String(120), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sharing_consent"),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], name="fk_sharing_consent_resident_id_resident"),
        sa.ForeignKeyConstraint(["recorded_by"], ["staff_account.id"],
                                name="fk_sharing_consent_recorded_by_staff_account"),
    )
    op.create_index("ix_sharing_consent_resident_id", "sharing_consent", ["resident_id"])
    op.create_table(
        "issued_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(48), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("receiver", sa.String(200), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_issued_document"),
        sa.UniqueConstraint("reference", name="uq_issued_document_reference"),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], name="fk_issued_document_resident_id_resident"),
        sa.ForeignKeyConstraint(["issued_by"], ["staff_account.id"],
                                name="fk_issued_document_issued_by_staff_account"),
        sa.CheckConstraint("reason IN (" + ", ".join(f"'{r}'" for r in _REASONS) + ")",
                           name="ck_issued_document_known_reason"),
    )
    op.create_index("ix_issued_document_resident_id", "issued_document", ["resident_id"])


def downgrade() -> None:
    raise RuntimeError("Schema 0003 cannot be downgraded: restore the safety copy taken before the upgrade.")
