"""Foundation: settings, shelters, rooms, beds, staff accounts, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shelter.storage.models import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen here (as they were when this revision was released): a later change
# to the model's tuple must not change what this revision creates on a new
# store. A new role goes with a revision of its own that rewrites the check.
ROLE_CODES = ("administrator", "coordinator", "social_worker", "counsellor", "reporting")


def upgrade() -> None:
    op.create_table(
        "setting",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_setting"),
    )
    op.create_table(
        "store_meta",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_store_meta"),
    )
    op.create_table(
        "shelter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("city", sa.String(120), nullable=False),
        sa.Column("receives_women", sa.Boolean(), nullable=False),
        sa.Column("receives_men", sa.Boolean(), nullable=False),
        sa.Column("receives_minors", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_shelter"),
        sa.UniqueConstraint("code", name="uq_shelter_code"),
        sa.CheckConstraint("length(code) BETWEEN 2 AND 12 AND code = upper(code)", name="ck_shelter_code_format"),
        sa.CheckConstraint("length(trim(name)) > 0", name="ck_shelter_name_present"),
        sa.CheckConstraint(
            "receives_women OR receives_men OR receives_minors", name="ck_shelter_receives_someone"
        ),
    )
    op.create_table(
        "room",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shelter_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("women_only", sa.Boolean(), nullable=False),
        sa.Column("men_only", sa.Boolean(), nullable=False),
        sa.Column("minors", sa.Boolean(), nullable=False),
        sa.Column("accessible", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_room"),
        sa.ForeignKeyConstraint(["shelter_id"], ["shelter.id"], name="fk_room_shelter_id_shelter"),
        sa.UniqueConstraint("shelter_id", "name", name="uq_room_shelter_id_name"),
        sa.CheckConstraint("NOT (women_only AND men_only)", name="ck_room_one_sex"),
        sa.CheckConstraint("length(trim(name)) > 0", name="ck_room_name_present"),
    )
    op.create_index("ix_room_shelter_id", "room", ["shelter_id"])
    op.create_table(
        "bed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bed"),
        sa.ForeignKeyConstraint(["room_id"], ["room.id"], name="fk_bed_room_id_room"),
        sa.UniqueConstraint("room_id", "label", name="uq_bed_room_id_label"),
        sa.CheckConstraint("length(trim(label)) > 0", name="ck_bed_label_present"),
    )
    op.create_index("ix_bed_room_id", "bed", ["room_id"])
    op.create_table(
        "staff_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(32), nullable=False),
        sa.Column("display_name", sa.String(120), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("slot_public_key", sa.LargeBinary(32), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("last_sign_in_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_staff_account"),
        sa.UniqueConstraint("username", name="uq_staff_account_username"),
        sa.CheckConstraint(
            "length(username) BETWEEN 2 AND 32 AND username = lower(username)",
            name="ck_staff_account_username_format",
        ),
        sa.CheckConstraint("length(trim(display_name)) > 0", name="ck_staff_account_display_name_present"),
    )
    op.create_table(
        "staff_role",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "role", name="pk_staff_role"),
        sa.ForeignKeyConstraint(["account_id"], ["staff_account.id"], name="fk_staff_role_account_id_staff_account"),
        sa.CheckConstraint(
            "role IN (" + ", ".join(f"'{r}'" for r in ROLE_CODES) + ")", name="ck_staff_role_known_role"
        ),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(48), nullable=False),
        sa.Column("record_type", sa.String(32), nullable=True),
        sa.Column("record_id", sa.String(64), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_mac", sa.String(64), nullable=False),
        sa.Column("mac", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_entry"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_audit_entry_at", "audit_entry", ["at"])
    op.create_index("ix_audit_entry_actor_id", "audit_entry", ["actor_id"])
    op.create_index("ix_audit_entry_action", "audit_entry", ["action"])
    # Append-only, enforced by the database itself.
    op.execute(
        "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
    )


def downgrade() -> None:
    raise RuntimeError("The foundation schema cannot be downgraded.")
