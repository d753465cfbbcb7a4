"""Reports: referrals that could not be taken in (unmet requests), and the
resident's consent to be counted, without name, in the anonymised
case-level export; and the indexes the reports need to take what happened
in a period (stays admitted or discharged, milestones done, scores by
occasion) without reading every row; and when each bed began or stopped
counting among the beds in service, so that a past period's occupancy is
measured against that period's beds.

Before this revision the store kept no such history: each existing bed is
recorded as it stands at the upgrade, from 1970 (``SINCE``), which measures
the past as the reports did before, against the beds of the upgrade's day.

The closed lists checked here (referral sources, unmet reasons, sexes, age
bands) are frozen copies of ``shelter.domain.vocabulary`` as of this
revision. Residents admitted before it have not been asked: their consent
starts false, and the anonymised export leaves them out until it is
recorded.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from shelter.storage.models import UtcDateTime

SINCE = datetime(1970, 1, 1, tzinfo=UTC)  # "since before the store kept it"

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unmet_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shelter_id', sa.Integer(), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('agency', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('reason_text', sa.Text(), nullable=False),
    sa.Column('sex', sa.String(length=8), nullable=True),
    sa.Column('age_band', sa.String(length=8), nullable=True),
    sa.Column('children', sa.Integer(), nullable=False),
    sa.Column('recorded_at', UtcDateTime(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', UtcDateTime(), nullable=True),
    sa.Column('withdrawn_by', sa.Integer(), nullable=True),
    sa.Column('withdraw_reason', sa.Text(), nullable=False),
    sa.CheckConstraint("age_band IS NULL OR age_band IN ('0-4', '5-11', '12-17', '18-24', '25-59', '60+', 'unknown')", name=op.f('ck_unmet_request_known_age_band')),
    sa.CheckConstraint("reason <> 'other' OR length(trim(reason_text)) > 0", name=op.f('ck_unmet_request_other_explained')),
    sa.CheckConstraint("reason IN ('no_bed', 'no_fitting_bed', 'not_eligible', 'declined', 'other')", name=op.f('ck_unmet_request_known_reason')),
    sa.CheckConstraint("sex IS NULL OR sex IN ('female', 'male')", name=op.f('ck_unmet_request_known_sex')),
    sa.CheckConstraint("source IN ('police', 'prosecutor', 'ngo', 'hospital', 'consulate', 'hotline', 'self')", name=op.f('ck_unmet_request_known_source')),
    sa.CheckConstraint('(withdrawn_at IS NULL) = (withdrawn_by IS NULL)', name=op.f('ck_unmet_request_withdrawal_complete')),
    sa.CheckConstraint('children BETWEEN 0 AND 20', name=op.f('ck_unmet_request_children_range')),
    sa.ForeignKeyConstraint(['recorded_by'], ['staff_account.id'], name=op.f('fk_unmet_request_recorded_by_staff_account')),
    sa.ForeignKeyConstraint(['shelter_id'], ['shelter.id'], name=op.f('fk_unmet_request_shelter_id_shelter')),
    sa.ForeignKeyConstraint(['withdrawn_by'], ['staff_account.id'], name=op.f('fk_unmet_request_withdrawn_by_staff_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unmet_request'))
    )
    op.create_index('ix_unmet_request_day', 'unmet_request', ['requested_on', 'shelter_id'], unique=False)
    op.add_column('resident', sa.Column('consent_reporting', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('resident', sa.Column('consent_reporting_on', sa.Date(), nullable=True))
    # The reports take what happened in a period.
    op.create_index('ix_stay_admitted_at', 'stay', ['admitted_at'], unique=False)
    op.create_index('ix_stay_discharged_at', 'stay', ['discharged_at'], unique=False)
    op.create_index('ix_milestone_done_on', 'milestone', ['done_on'], unique=False,
                    sqlite_where=sa.text("status = 'done'"), postgresql_where=sa.text("status = 'done'"))
    op.create_index('ix_sustainability_score_occasion_day', 'sustainability_score', ['occasion', 'scored_on'],
                    unique=False)
    op.create_table('bed_service_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bed_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', UtcDateTime(), nullable=False),
    sa.Column('in_service', sa.Boolean(), nullable=False),
    sa.Column('changed_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['bed_id'], ['bed.id'], name=op.f('fk_bed_service_change_bed_id_bed')),
    sa.ForeignKeyConstraint(['changed_by'], ['staff_account.id'],
                            name=op.f('fk_bed_service_change_changed_by_staff_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bed_service_change'))
    )
    op.create_index('ix_bed_service_change_bed', 'bed_service_change', ['bed_id', 'changed_at'], unique=False)
    change = sa.table('bed_service_change', sa.column('bed_id', sa.Integer()), sa.column('changed_at', UtcDateTime()),
                      sa.column('in_service', sa.Boolean()), sa.column('changed_by', sa.Integer()))
    bed = sa.table('bed', sa.column('id', sa.Integer()), sa.column('room_id', sa.Integer()),
                   sa.column('active', sa.Boolean()))
    room = sa.table('room', sa.column('id', sa.Integer()), sa.column('shelter_id', sa.Integer()),
                    sa.column('active', sa.Boolean()))
    shelter = sa.table('shelter', sa.column('id', sa.Integer()), sa.column('active', sa.Boolean()))
    op.execute(change.insert().from_select(
        ['bed_id', 'changed_at', 'in_service', 'changed_by'],
        sa.select(bed.c.id, sa.literal(SINCE, UtcDateTime()), sa.and_(bed.c.active, room.c.active, shelter.c.active),
                  sa.null())
        .select_from(bed.join(room, room.c.id == bed.c.room_id).join(shelter, shelter.c.id == room.c.shelter_id))))


def downgrade() -> None:
    raise RuntimeError("Schema 0009 cannot be downgraded: restore the safety copy taken before the upgrade.")
