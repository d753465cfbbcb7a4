"""Case numbers from a counter row per shelter and year, instead of max + 1
over the residents (safe only under SQLite's BEGIN IMMEDIATE).

The counters are filled from the case numbers already given, so an upgraded
store continues its numbering where it was.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# A case number is the shelter's code, the year and the sequence:
# ``RBT1-2026-0042`` (a code has only A-Z and 0-9, so ``<code>-`` is an exact
# prefix). Portable SQL (SQLite and PostgreSQL), so that it also renders in
# Alembic's offline mode. The sequence is compared as a number: a string max
# would put ``-9999`` after ``-10000``.
_FILL = """
INSERT INTO case_number_counter (shelter_id, year, last_value)
SELECT shelter_id, year, MAX(sequence)
FROM (
    SELECT shelter.id AS shelter_id,
           CAST(substr(resident.case_number, length(shelter.code) + 2, 4) AS INTEGER) AS year,
           CAST(substr(resident.case_number, length(shelter.code) + 7) AS INTEGER) AS sequence
    FROM resident JOIN shelter ON resident.case_number LIKE shelter.code || '-____-%'
) AS numbered
GROUP BY shelter_id, year
"""


def upgrade() -> None:
    op.create_table(
        "case_number_counter",
        sa.Column("shelter_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("year", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("shelter_id", "year", name="pk_case_number_counter"),
        sa.ForeignKeyConstraint(["shelter_id"], ["shelter.id"], name="fk_case_number_counter_shelter_id_shelter"),
        # op.f: the name as written (the naming convention would prefix it a second time).
        sa.CheckConstraint("last_value >= 1", name=op.f("ck_case_number_counter_positive")),
    )
    op.execute(_FILL)


def downgrade() -> None:
    raise RuntimeError("Schema 0004 cannot be downgraded: restore the safety copy taken before the upgrade.")
