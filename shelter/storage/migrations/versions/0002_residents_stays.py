"""Residents, referrals, stays, bed assignments, reservations; why a bed is
out of service and until when.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shelter.storage.models import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen here (as they were when this revision was released): a later change
# to the model's tuples must not change what this revision creates on a new
# store. A new value goes with a revision of its own that rewrites the check.
SEXES = ("female", "male")
RISK_LEVELS = ("low", "medium", "high")
REFERRAL_SOURCES = ("police", "prosecutor", "ngo", "hospital", "consulate", "hotline", "self")
IDENTIFICATION = ("presumed", "identified")
DESTINATIONS = ("family_reunification", "assisted_return", "independent_living", "another_shelter", "hospital",
                "left_without_notice", "other")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _partial(condition: str) -> dict[str, object]:
    """The WHERE of a partial unique index. ``postgresql_where`` was added
    after this revision was released, for the PostgreSQL mode: without it
    PostgreSQL would get a plain unique index (one stay per resident, ever).
    SQLite ignores it, so what this revision creates in a SQLite store is
    byte for byte what it always created, and no SQLite store needs a change."""
    return {"sqlite_where": sa.text(condition), "postgresql_where": sa.text(condition)}


def upgrade() -> None:
    with op.batch_alter_table("bed") as batch:
        batch.add_column(sa.Column("out_of_service_reason", sa.String(200), nullable=True))
        batch.add_column(sa.Column("out_of_service_until", sa.Date(), nullable=True))

    op.create_table(
        "resident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(32), nullable=False),
        sa.Column("name_arabic", sa.String(200), nullable=False),
        sa.Column("name_latin", sa.String(200), nullable=False),
        sa.Column("preferred_name", sa.String(120), nullable=False),
        sa.Column("sex", sa.String(8), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("birth_year_estimated", sa.Integer(), nullable=True),
        sa.Column("nationality", sa.String(2), nullable=False),
        sa.Column("languages", sa.String(120), nullable=False),
        sa.Column("interpreter_needed", sa.Boolean(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("exploitation", sa.String(200), nullable=False),
        sa.Column("exploitation_country", sa.String(2), nullable=False),
        sa.Column("exploitation_scope", sa.String(16), nullable=True),
        sa.Column("flag_trafficker_contact", sa.Boolean(), nullable=False),
        sa.Column("flag_no_visits", sa.Boolean(), nullable=False),
        sa.Column("flag_no_phone", sa.Boolean(), nullable=False),
        sa.Column("flag_media_exposure", sa.Boolean(), nullable=False),
        sa.Column("risk_level", sa.String(8), nullable=False),
        sa.Column("consent_processing", sa.Boolean(), nullable=False),
        sa.Column("consent_processing_on", sa.Date(), nullable=True),
        sa.Column("consent_sharing", sa.Text(), nullable=False),
        sa.Column("consent_sharing_on", sa.Date(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_resident"),
        sa.ForeignKeyConstraint(["parent_id"], ["resident.id"], name="fk_resident_parent_id_resident"),
        sa.UniqueConstraint("case_number", name="uq_resident_case_number"),
        sa.CheckConstraint(_in("sex", SEXES), name="ck_resident_known_sex"),
        sa.CheckConstraint(_in("risk_level", RISK_LEVELS), name="ck_resident_known_risk"),
        sa.CheckConstraint("length(trim(name_arabic)) > 0 OR length(trim(name_latin)) > 0",
                           name="ck_resident_named"),
        sa.CheckConstraint("exploitation_scope IS NULL OR exploitation_scope IN ('internal', 'cross_border')",
                           name="ck_resident_known_scope"),
    )
    op.create_index("ix_resident_parent_id", "resident", ["parent_id"])
    op.create_table(
        "resident_name_key",
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("resident_id", "key", name="pk_resident_name_key"),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], name="fk_resident_name_key_resident_id_resident"),
    )
    op.create_index("ix_resident_name_key_key", "resident_name_key", ["key"])
    op.create_table(
        "stay",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("shelter_id", sa.Integer(), nullable=False),
        sa.Column("admitted_at", UtcDateTime(), nullable=False),
        sa.Column("discharged_at", UtcDateTime(), nullable=True),
        sa.Column("destination", sa.String(32), nullable=True),
        sa.Column("discharge_note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stay"),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], name="fk_stay_resident_id_resident"),
        sa.ForeignKeyConstraint(["shelter_id"], ["shelter.id"], name="fk_stay_shelter_id_shelter"),
        sa.CheckConstraint("discharged_at IS NULL OR discharged_at >= admitted_at", name="ck_stay_ordered"),
        sa.CheckConstraint("destination IS NULL OR " + _in("destination", DESTINATIONS),
                           name="ck_stay_known_destination"),
        sa.CheckConstraint("(discharged_at IS NULL) = (destination IS NULL)", name="ck_stay_discharge_complete"),
    )
    op.create_index("ix_stay_resident_id", "stay", ["resident_id"])
    op.create_index("ix_stay_shelter_id", "stay", ["shelter_id"])
    op.create_index("uq_stay_one_open_per_resident", "stay", ["resident_id"], unique=True,
                    **_partial("discharged_at IS NULL"))
    op.create_table(
        "referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stay_id", sa.Integer(), nullable=False),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("agency", sa.String(200), nullable=False),
        sa.Column("contact", sa.String(200), nullable=False),
        sa.Column("identification", sa.String(16), nullable=False),
        sa.Column("identified_by", sa.String(200), nullable=False),
        sa.Column("identified_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_referral"),
        sa.ForeignKeyConstraint(["stay_id"], ["stay.id"], name="fk_referral_stay_id_stay"),
        sa.UniqueConstraint("stay_id", name="uq_referral_stay_id"),
        sa.CheckConstraint(_in("source", REFERRAL_SOURCES), name="ck_referral_known_source"),
        sa.CheckConstraint(_in("identification", IDENTIFICATION), name="ck_referral_known_identification"),
    )
    op.create_table(
        "bed_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stay_id", sa.Integer(), nullable=False),
        sa.Column("bed_id", sa.Integer(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_bed_assignment"),
        sa.ForeignKeyConstraint(["stay_id"], ["stay.id"], name="fk_bed_assignment_stay_id_stay"),
        sa.ForeignKeyConstraint(["bed_id"], ["bed.id"], name="fk_bed_assignment_bed_id_bed"),
        sa.CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ck_bed_assignment_ordered"),
    )
    op.create_index("ix_bed_assignment_stay_id", "bed_assignment", ["stay_id"])
    op.create_index("ix_bed_assignment_bed_id", "bed_assignment", ["bed_id"])
    op.create_index("uq_bed_assignment_one_per_bed", "bed_assignment", ["bed_id"], unique=True,
                    **_partial("ended_at IS NULL"))
    op.create_index("uq_bed_assignment_one_per_stay", "bed_assignment", ["stay_id"], unique=True,
                    **_partial("ended_at IS NULL"))
    op.create_table(
        "reservation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bed_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("reserved_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("admitted_stay_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_reservation"),
        sa.ForeignKeyConstraint(["bed_id"], ["bed.id"], name="fk_reservation_bed_id_bed"),
        sa.ForeignKeyConstraint(["admitted_stay_id"], ["stay.id"], name="fk_reservation_admitted_stay_id_stay"),
        sa.CheckConstraint("expires_at > reserved_at", name="ck_reservation_ordered"),
    )
    op.create_index("ix_reservation_bed_id", "reservation", ["bed_id"])
    op.create_index("uq_reservation_one_open_per_bed", "reservation", ["bed_id"], unique=True,
                    **_partial("closed_at IS NULL"))


def downgrade() -> None:
    raise RuntimeError("Schema 0002 cannot be downgraded: restore the safety copy taken before the upgrade.")
