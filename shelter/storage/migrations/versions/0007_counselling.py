"""Counselling: meeting rooms, sessions (one-off and weekly series) with
their attendees and relatives, notes, addenda and risk screens encrypted
under the counselling compartment key, high-risk alerts for coordinators,
follow-ups proposed for the care plan, the compartment key's seals, and
emergency readings ("break the glass") with their notices.

The closed lists checked here (session kinds, modes, statuses, who
cancelled, note formats, risk outcomes and actions) are frozen copies of
``shelter.domain.vocabulary`` as of this revision.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shelter.storage.models import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('compartment_seal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('compartment', sa.String(length=24), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('holder', sa.String(length=40), nullable=False),
    sa.Column('holder_public_key', sa.LargeBinary(length=32), nullable=False),
    sa.Column('ephemeral_public_key', sa.LargeBinary(length=32), nullable=False),
    sa.Column('nonce', sa.LargeBinary(length=12), nullable=False),
    sa.Column('sealed_key', sa.LargeBinary(), nullable=False),
    sa.Column('sealed_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compartment_seal')),
    sa.UniqueConstraint('compartment', 'generation', 'holder', name=op.f('uq_compartment_seal_compartment_generation_holder'))
    )
    op.create_table('glass_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('reader_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('started_at', UtcDateTime(), nullable=False),
    sa.Column('ends_at', UtcDateTime(), nullable=False),
    sa.Column('ended_at', UtcDateTime(), nullable=True),
    sa.CheckConstraint('ends_at > started_at', name=op.f('ck_glass_access_ordered')),
    sa.CheckConstraint('length(trim(reason)) >= 20', name=op.f('ck_glass_access_reasoned')),
    sa.ForeignKeyConstraint(['reader_id'], ['staff_account.id'], name=op.f('fk_glass_access_reader_id_staff_account')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_glass_access_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_glass_access'))
    )
    op.create_index(op.f('ix_glass_access_reader_id'), 'glass_access', ['reader_id'], unique=False)
    op.create_index(op.f('ix_glass_access_resident_id'), 'glass_access', ['resident_id'], unique=False)
    op.create_table('meeting_room',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shelter_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_meeting_room_named')),
    sa.ForeignKeyConstraint(['shelter_id'], ['shelter.id'], name=op.f('fk_meeting_room_shelter_id_shelter')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_room')),
    sa.UniqueConstraint('shelter_id', 'name', name=op.f('uq_meeting_room_shelter_id_name'))
    )
    op.create_index(op.f('ix_meeting_room_shelter_id'), 'meeting_room', ['shelter_id'], unique=False)
    op.create_table('session_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('counsellor_id', sa.Integer(), nullable=False),
    sa.Column('local_start', sa.String(length=5), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('first_on', sa.Date(), nullable=False),
    sa.Column('until_on', sa.Date(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.CheckConstraint('until_on >= first_on', name=op.f('ck_session_series_ordered')),
    sa.ForeignKeyConstraint(['counsellor_id'], ['staff_account.id'], name=op.f('fk_session_series_counsellor_id_staff_account')),
    sa.ForeignKeyConstraint(['created_by'], ['staff_account.id'], name=op.f('fk_session_series_created_by_staff_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_series'))
    )
    op.create_index(op.f('ix_session_series_counsellor_id'), 'session_series', ['counsellor_id'], unique=False)
    op.create_table('counselling_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shelter_id', sa.Integer(), nullable=False),
    sa.Column('counsellor_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', UtcDateTime(), nullable=False),
    sa.Column('ends_at', UtcDateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('cancelled_by', sa.String(length=16), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.Column('interpreter_language', sa.String(length=16), nullable=False),
    sa.Column('interpreter_name', sa.String(length=200), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("cancelled_by IS NULL OR cancelled_by IN ('resident', 'counsellor', 'shelter')", name=op.f('ck_counselling_session_known_canceller')),
    sa.CheckConstraint("kind IN ('individual', 'group', 'family')", name=op.f('ck_counselling_session_known_kind')),
    sa.CheckConstraint("mode IN ('in_person', 'phone', 'video')", name=op.f('ck_counselling_session_known_mode')),
    sa.CheckConstraint("status <> 'cancelled' OR (cancelled_by IS NOT NULL AND length(trim(cancel_reason)) > 0)", name=op.f('ck_counselling_session_cancel_explained')),
    sa.CheckConstraint("status IN ('planned', 'held', 'no_show', 'cancelled')", name=op.f('ck_counselling_session_known_status')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_counselling_session_ordered')),
    sa.ForeignKeyConstraint(['counsellor_id'], ['staff_account.id'], name=op.f('fk_counselling_session_counsellor_id_staff_account')),
    sa.ForeignKeyConstraint(['created_by'], ['staff_account.id'], name=op.f('fk_counselling_session_created_by_staff_account')),
    sa.ForeignKeyConstraint(['room_id'], ['meeting_room.id'], name=op.f('fk_counselling_session_room_id_meeting_room')),
    sa.ForeignKeyConstraint(['series_id'], ['session_series.id'], name=op.f('fk_counselling_session_series_id_session_series')),
    sa.ForeignKeyConstraint(['shelter_id'], ['shelter.id'], name=op.f('fk_counselling_session_shelter_id_shelter')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counselling_session'))
    )
    op.create_index('ix_counselling_session_counsellor_start', 'counselling_session', ['counsellor_id', 'starts_at'], unique=False)
    op.create_index('ix_counselling_session_room_start', 'counselling_session', ['room_id', 'starts_at'], unique=False)
    op.create_index(op.f('ix_counselling_session_series_id'), 'counselling_session', ['series_id'], unique=False)
    op.create_index(op.f('ix_counselling_session_shelter_id'), 'counselling_session', ['shelter_id'], unique=False)
    op.create_index('ix_counselling_session_start', 'counselling_session', ['starts_at'], unique=False)
    op.create_table('glass_notice',
    sa.Column('glass_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('seen_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['staff_account.id'], name=op.f('fk_glass_notice_account_id_staff_account')),
    sa.ForeignKeyConstraint(['glass_id'], ['glass_access.id'], name=op.f('fk_glass_notice_glass_id_glass_access')),
    sa.PrimaryKeyConstraint('glass_id', 'account_id', name=op.f('pk_glass_notice'))
    )
    op.create_table('risk_screen',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('screened_at', UtcDateTime(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.LargeBinary(length=12), nullable=False),
    sa.Column('ciphertext', sa.LargeBinary(), nullable=False),
    sa.CheckConstraint("action IN ('none', 'safety_plan', 'closer_watch', 'psychiatry', 'emergency', 'other')", name=op.f('ck_risk_screen_known_action')),
    sa.CheckConstraint("outcome IN ('low', 'moderate', 'high')", name=op.f('ck_risk_screen_known_outcome')),
    sa.ForeignKeyConstraint(['author_id'], ['staff_account.id'], name=op.f('fk_risk_screen_author_id_staff_account')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_risk_screen_resident_id_resident')),
    sa.ForeignKeyConstraint(['session_id'], ['counselling_session.id'], name=op.f('fk_risk_screen_session_id_counselling_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_screen'))
    )
    op.create_index(op.f('ix_risk_screen_resident_id'), 'risk_screen', ['resident_id'], unique=False)
    op.create_index(op.f('ix_risk_screen_session_id'), 'risk_screen', ['session_id'], unique=False)
    op.create_table('session_attendee',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_session_attendee_resident_id_resident')),
    sa.ForeignKeyConstraint(['session_id'], ['counselling_session.id'], name=op.f('fk_session_attendee_session_id_counselling_session')),
    sa.PrimaryKeyConstraint('session_id', 'resident_id', name=op.f('pk_session_attendee'))
    )
    op.create_index('ix_session_attendee_resident', 'session_attendee', ['resident_id', 'session_id'], unique=False)
    op.create_table('session_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('topics', sa.String(length=240), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.LargeBinary(length=12), nullable=False),
    sa.Column('ciphertext', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('saved_at', UtcDateTime(), nullable=False),
    sa.Column('signed_at', UtcDateTime(), nullable=True),
    sa.CheckConstraint("format IN ('dap', 'soap')", name=op.f('ck_session_note_known_format')),
    sa.ForeignKeyConstraint(['author_id'], ['staff_account.id'], name=op.f('fk_session_note_author_id_staff_account')),
    sa.ForeignKeyConstraint(['session_id'], ['counselling_session.id'], name=op.f('fk_session_note_session_id_counselling_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_note')),
    sa.UniqueConstraint('session_id', 'author_id', name=op.f('uq_session_note_session_id_author_id'))
    )
    op.create_index(op.f('ix_session_note_author_id'), 'session_note', ['author_id'], unique=False)
    op.create_index(op.f('ix_session_note_session_id'), 'session_note', ['session_id'], unique=False)
    op.create_table('session_relative',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('relation', sa.String(length=60), nullable=False),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_session_relative_named')),
    sa.ForeignKeyConstraint(['session_id'], ['counselling_session.id'], name=op.f('fk_session_relative_session_id_counselling_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_relative'))
    )
    op.create_index(op.f('ix_session_relative_session_id'), 'session_relative', ['session_id'], unique=False)
    op.create_table('note_addendum',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('written_at', UtcDateTime(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.LargeBinary(length=12), nullable=False),
    sa.Column('ciphertext', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['staff_account.id'], name=op.f('fk_note_addendum_author_id_staff_account')),
    sa.ForeignKeyConstraint(['note_id'], ['session_note.id'], name=op.f('fk_note_addendum_note_id_session_note')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_note_addendum'))
    )
    op.create_index(op.f('ix_note_addendum_note_id'), 'note_addendum', ['note_id'], unique=False)
    op.create_table('risk_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('screen_id', sa.Integer(), nullable=False),
    sa.Column('raised_at', UtcDateTime(), nullable=False),
    sa.Column('acknowledged_at', UtcDateTime(), nullable=True),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['staff_account.id'], name=op.f('fk_risk_alert_acknowledged_by_staff_account')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_risk_alert_resident_id_resident')),
    sa.ForeignKeyConstraint(['screen_id'], ['risk_screen.id'], name=op.f('fk_risk_alert_screen_id_risk_screen')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_alert'))
    )
    op.create_index(op.f('ix_risk_alert_resident_id'), 'risk_alert', ['resident_id'], unique=False)
    op.create_table('session_follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=24), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('proposed_at', UtcDateTime(), nullable=False),
    sa.Column('proposed_by', sa.Integer(), nullable=True),
    sa.Column('plan_action_id', sa.Integer(), nullable=True),
    sa.Column('set_aside_at', UtcDateTime(), nullable=True),
    sa.Column('set_aside_by', sa.Integer(), nullable=True),
    sa.CheckConstraint('length(trim(text)) > 0', name=op.f('ck_session_follow_up_written')),
    sa.ForeignKeyConstraint(['plan_action_id'], ['plan_action.id'], name=op.f('fk_session_follow_up_plan_action_id_plan_action')),
    sa.ForeignKeyConstraint(['proposed_by'], ['staff_account.id'], name=op.f('fk_session_follow_up_proposed_by_staff_account')),
    sa.ForeignKeyConstraint(['set_aside_by'], ['staff_account.id'], name=op.f('fk_session_follow_up_set_aside_by_staff_account')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_session_follow_up_resident_id_resident')),
    sa.ForeignKeyConstraint(['session_id'], ['counselling_session.id'], name=op.f('fk_session_follow_up_session_id_counselling_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_follow_up'))
    )
    op.create_index(op.f('ix_session_follow_up_resident_id'), 'session_follow_up', ['resident_id'], unique=False)
    op.create_index(op.f('ix_session_follow_up_session_id'), 'session_follow_up', ['session_id'], unique=False)


def downgrade() -> None:
    raise RuntimeError("Schema 0007 cannot be downgraded: restore the safety copy taken before the upgrade.")
