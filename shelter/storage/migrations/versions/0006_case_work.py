"""Case work after admission: the social worker holding a case, closing and
reopening a case, needs assessments (a score per domain), care plans with
goals, actions, progress notes, reasons for a domain left without a goal,
reviews, the versions agreed with the resident (frozen, with their
verification codes) and the approval history.

The closed lists checked here (assessment domains, goal statuses,
priorities, closure reasons, plan events) are frozen copies of
``shelter.domain.vocabulary`` as of this revision.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shelter.storage.models import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_closure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=24), nullable=False),
    sa.Column('reason_text', sa.Text(), nullable=False),
    sa.Column('closed_at', UtcDateTime(), nullable=False),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.Column('reopened_at', UtcDateTime(), nullable=True),
    sa.Column('reopened_by', sa.Integer(), nullable=True),
    sa.Column('reopen_reason', sa.Text(), nullable=False),
    sa.CheckConstraint("reason <> 'other' OR length(trim(reason_text)) > 0", name=op.f('ck_case_closure_other_explained')),
    sa.CheckConstraint("reason IN ('reintegrated', 'returned', 'transferred', 'moved_away', 'refused_services', 'lost_contact', 'deceased', 'other')", name=op.f('ck_case_closure_known_reason')),
    sa.CheckConstraint('(reopened_at IS NULL) = (reopened_by IS NULL)', name=op.f('ck_case_closure_reopen_complete')),
    sa.ForeignKeyConstraint(['closed_by'], ['staff_account.id'], name=op.f('fk_case_closure_closed_by_staff_account')),
    sa.ForeignKeyConstraint(['reopened_by'], ['staff_account.id'], name=op.f('fk_case_closure_reopened_by_staff_account')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_case_closure_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_closure'))
    )
    op.create_index(op.f('ix_case_closure_resident_id'), 'case_closure', ['resident_id'], unique=False)
    op.create_index('uq_case_closure_one_in_force', 'case_closure', ['resident_id'], unique=True, sqlite_where=sa.text('reopened_at IS NULL'), postgresql_where=sa.text('reopened_at IS NULL'))
    op.create_table('assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('stay_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('assessed_by', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_at', UtcDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('initial', 'scheduled', 'discharge', 'other')", name=op.f('ck_assessment_known_kind')),
    sa.ForeignKeyConstraint(['assessed_by'], ['staff_account.id'], name=op.f('fk_assessment_assessed_by_staff_account')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_assessment_resident_id_resident')),
    sa.ForeignKeyConstraint(['stay_id'], ['stay.id'], name=op.f('fk_assessment_stay_id_stay')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment'))
    )
    op.create_index(op.f('ix_assessment_resident_id'), 'assessment', ['resident_id'], unique=False)
    op.create_index('ix_assessment_stay_day', 'assessment', ['stay_id', 'assessed_on'], unique=False)
    op.create_table('care_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stay_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('next_review_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['staff_account.id'], name=op.f('fk_care_plan_created_by_staff_account')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_care_plan_resident_id_resident')),
    sa.ForeignKeyConstraint(['stay_id'], ['stay.id'], name=op.f('fk_care_plan_stay_id_stay')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_plan')),
    sa.UniqueConstraint('stay_id', name=op.f('uq_care_plan_stay_id'))
    )
    op.create_index(op.f('ix_care_plan_next_review_on'), 'care_plan', ['next_review_on'], unique=False)
    op.create_index(op.f('ix_care_plan_resident_id'), 'care_plan', ['resident_id'], unique=False)
    op.create_table('case_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stay_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('started_at', UtcDateTime(), nullable=False),
    sa.Column('ended_at', UtcDateTime(), nullable=True),
    sa.Column('assigned_by', sa.Integer(), nullable=True),
    sa.CheckConstraint('ended_at IS NULL OR ended_at >= started_at', name=op.f('ck_case_assignment_ordered')),
    sa.ForeignKeyConstraint(['assigned_by'], ['staff_account.id'], name=op.f('fk_case_assignment_assigned_by_staff_account')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_account.id'], name=op.f('fk_case_assignment_staff_id_staff_account')),
    sa.ForeignKeyConstraint(['stay_id'], ['stay.id'], name=op.f('fk_case_assignment_stay_id_stay')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_assignment'))
    )
    op.create_index(op.f('ix_case_assignment_staff_id'), 'case_assignment', ['staff_id'], unique=False)
    op.create_index(op.f('ix_case_assignment_stay_id'), 'case_assignment', ['stay_id'], unique=False)
    op.create_index('uq_case_assignment_one_open_per_stay', 'case_assignment', ['stay_id'], unique=True, sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))
    op.create_table('assessment_score',
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=24), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint("domain IN ('safety', 'physical_health', 'mental_health', 'legal', 'documents', 'family', 'education', 'livelihood', 'housing', 'intentions')", name=op.f('ck_assessment_score_known_domain')),
    sa.CheckConstraint('score BETWEEN 1 AND 4', name=op.f('ck_assessment_score_score_range')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_assessment_score_assessment_id_assessment')),
    sa.PrimaryKeyConstraint('assessment_id', 'domain', name=op.f('pk_assessment_score'))
    )
    op.create_table('plan_domain_reason',
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=24), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('written_at', UtcDateTime(), nullable=False),
    sa.Column('written_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("domain IN ('safety', 'physical_health', 'mental_health', 'legal', 'documents', 'family', 'education', 'livelihood', 'housing', 'intentions')", name=op.f('ck_plan_domain_reason_known_domain')),
    sa.CheckConstraint('length(trim(reason)) > 0', name=op.f('ck_plan_domain_reason_written')),
    sa.ForeignKeyConstraint(['plan_id'], ['care_plan.id'], name=op.f('fk_plan_domain_reason_plan_id_care_plan')),
    sa.ForeignKeyConstraint(['written_by'], ['staff_account.id'], name=op.f('fk_plan_domain_reason_written_by_staff_account')),
    sa.PrimaryKeyConstraint('plan_id', 'domain', name=op.f('pk_plan_domain_reason'))
    )
    op.create_table('plan_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('version_number', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('at', UtcDateTime(), nullable=False),
    sa.Column('by', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('submitted', 'approved', 'returned', 'agreed')", name=op.f('ck_plan_event_known_kind')),
    sa.ForeignKeyConstraint(['by'], ['staff_account.id'], name=op.f('fk_plan_event_by_staff_account')),
    sa.ForeignKeyConstraint(['plan_id'], ['care_plan.id'], name=op.f('fk_plan_event_plan_id_care_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_event'))
    )
    op.create_index(op.f('ix_plan_event_plan_id'), 'plan_event', ['plan_id'], unique=False)
    op.create_table('plan_goal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=24), nullable=False),
    sa.Column('goal', sa.Text(), nullable=False),
    sa.Column('resident_words', sa.Text(), nullable=False),
    sa.Column('priority', sa.String(length=8), nullable=False),
    sa.Column('target_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("domain IN ('safety', 'physical_health', 'mental_health', 'legal', 'documents', 'family', 'education', 'livelihood', 'housing', 'intentions')", name=op.f('ck_plan_goal_known_domain')),
    sa.CheckConstraint("priority IN ('high', 'medium', 'low')", name=op.f('ck_plan_goal_known_priority')),
    sa.CheckConstraint("status IN ('not_started', 'in_progress', 'achieved', 'not_achieved', 'dropped')", name=op.f('ck_plan_goal_known_status')),
    sa.CheckConstraint("status NOT IN ('dropped', 'not_achieved') OR length(trim(status_reason)) > 0", name=op.f('ck_plan_goal_reason_given')),
    sa.CheckConstraint('length(trim(goal)) > 0', name=op.f('ck_plan_goal_written')),
    sa.ForeignKeyConstraint(['created_by'], ['staff_account.id'], name=op.f('fk_plan_goal_created_by_staff_account')),
    sa.ForeignKeyConstraint(['plan_id'], ['care_plan.id'], name=op.f('fk_plan_goal_plan_id_care_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_goal'))
    )
    op.create_index(op.f('ix_plan_goal_plan_id'), 'plan_goal', ['plan_id'], unique=False)
    op.create_table('plan_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=False),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.Column('next_review_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', UtcDateTime(), nullable=False),
    sa.CheckConstraint('next_review_on > reviewed_on', name=op.f('ck_plan_review_next_later')),
    sa.ForeignKeyConstraint(['plan_id'], ['care_plan.id'], name=op.f('fk_plan_review_plan_id_care_plan')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['staff_account.id'], name=op.f('fk_plan_review_reviewed_by_staff_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_review'))
    )
    op.create_index(op.f('ix_plan_review_plan_id'), 'plan_review', ['plan_id'], unique=False)
    op.create_table('plan_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=48), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('interpreter', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('agreed_on', sa.Date(), nullable=False),
    sa.Column('agreed_at', UtcDateTime(), nullable=False),
    sa.Column('agreed_by', sa.Integer(), nullable=True),
    sa.CheckConstraint('number >= 1', name=op.f('ck_plan_version_positive')),
    sa.ForeignKeyConstraint(['agreed_by'], ['staff_account.id'], name=op.f('fk_plan_version_agreed_by_staff_account')),
    sa.ForeignKeyConstraint(['plan_id'], ['care_plan.id'], name=op.f('fk_plan_version_plan_id_care_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_version')),
    sa.UniqueConstraint('plan_id', 'number', name=op.f('uq_plan_version_plan_id_number')),
    sa.UniqueConstraint('reference', name=op.f('uq_plan_version_reference'))
    )
    op.create_index(op.f('ix_plan_version_plan_id'), 'plan_version', ['plan_id'], unique=False)
    op.create_table('plan_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('owner_staff_id', sa.Integer(), nullable=True),
    sa.Column('owner_partner', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('done_by', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.CheckConstraint('(done_on IS NULL) = (done_by IS NULL)', name=op.f('ck_plan_action_done_complete')),
    sa.CheckConstraint('length(trim(what)) > 0', name=op.f('ck_plan_action_written')),
    sa.CheckConstraint('owner_staff_id IS NOT NULL OR length(trim(owner_partner)) > 0', name=op.f('ck_plan_action_has_owner')),
    sa.ForeignKeyConstraint(['done_by'], ['staff_account.id'], name=op.f('fk_plan_action_done_by_staff_account')),
    sa.ForeignKeyConstraint(['goal_id'], ['plan_goal.id'], name=op.f('fk_plan_action_goal_id_plan_goal')),
    sa.ForeignKeyConstraint(['owner_staff_id'], ['staff_account.id'], name=op.f('fk_plan_action_owner_staff_id_staff_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_action'))
    )
    op.create_index(op.f('ix_plan_action_goal_id'), 'plan_action', ['goal_id'], unique=False)
    op.create_index('ix_plan_action_open_due', 'plan_action', ['due_on'], unique=False, sqlite_where=sa.text('done_on IS NULL'), postgresql_where=sa.text('done_on IS NULL'))
    op.create_index(op.f('ix_plan_action_owner_staff_id'), 'plan_action', ['owner_staff_id'], unique=False)
    op.create_table('plan_review_goal',
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('not_started', 'in_progress', 'achieved', 'not_achieved', 'dropped')", name=op.f('ck_plan_review_goal_known_status')),
    sa.ForeignKeyConstraint(['goal_id'], ['plan_goal.id'], name=op.f('fk_plan_review_goal_goal_id_plan_goal')),
    sa.ForeignKeyConstraint(['review_id'], ['plan_review.id'], name=op.f('fk_plan_review_goal_review_id_plan_review')),
    sa.PrimaryKeyConstraint('review_id', 'goal_id', name=op.f('pk_plan_review_goal'))
    )
    op.create_table('plan_action_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('written_at', UtcDateTime(), nullable=False),
    sa.Column('written_by', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.CheckConstraint('length(trim(text)) > 0', name=op.f('ck_plan_action_note_written')),
    sa.ForeignKeyConstraint(['action_id'], ['plan_action.id'], name=op.f('fk_plan_action_note_action_id_plan_action')),
    sa.ForeignKeyConstraint(['written_by'], ['staff_account.id'], name=op.f('fk_plan_action_note_written_by_staff_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_action_note'))
    )
    op.create_index(op.f('ix_plan_action_note_action_id'), 'plan_action_note', ['action_id'], unique=False)


def downgrade() -> None:
    raise RuntimeError("Schema 0006 cannot be downgraded: restore the safety copy taken before the upgrade.")
