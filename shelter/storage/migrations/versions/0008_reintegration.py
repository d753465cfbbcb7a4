"""Reintegration: partners, milestone templates per pathway (seeded with
the steps IOM's handbook names), reintegration plans with their pathway
changes, milestones and their status history, referrals to partners,
contacts after discharge, sustainability scores with their answers and the
weights they were computed with, administrators' weights, and printed
reintegration plans.

The closed lists checked here (pathways, milestone codes and statuses,
partner kinds, referral statuses, follow-up methods, score occasions) are
frozen copies of ``shelter.domain.vocabulary`` as of this revision.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shelter.storage.models import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# (pathway, milestone code, days after the plan opens), in order.
TEMPLATES = (
    ("return_origin", "family_tracing", 21), ("return_origin", "consent_to_return", 21),
    ("return_origin", "travel_documents", 45), ("return_origin", "iom_accepted", 45),
    ("return_origin", "reception_arranged", 60), ("return_origin", "travel_booked", 75),
    ("return_origin", "departure", 90), ("return_origin", "arrival_confirmed", 92),
    ("morocco_family", "family_assessment", 21), ("morocco_family", "legal_case", 30),
    ("morocco_family", "school_for_children", 45), ("morocco_family", "training_started", 60),
    ("morocco_family", "housing_found", 75), ("morocco_family", "income", 120),
    ("independent_morocco", "legal_case", 30), ("independent_morocco", "training_started", 45),
    ("independent_morocco", "housing_found", 75), ("independent_morocco", "income", 120),
    ("third_country", "travel_documents", 45), ("third_country", "resettlement_file", 45),
    ("third_country", "resettlement_accepted", 150), ("third_country", "departure", 180),
    ("third_country", "arrival_confirmed", 182),
)


def upgrade() -> None:
    op.create_table('milestone_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pathway', sa.String(length=24), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('offset_days', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("code IS NULL OR code IN ('family_tracing', 'travel_documents', 'consent_to_return', 'iom_accepted', 'travel_booked', 'reception_arranged', 'departure', 'arrival_confirmed', 'family_assessment', 'housing_found', 'training_started', 'income', 'school_for_children', 'legal_case', 'resettlement_file', 'resettlement_accepted')", name=op.f('ck_milestone_template_known_code')),
    sa.CheckConstraint("pathway IN ('return_origin', 'morocco_family', 'independent_morocco', 'third_country', 'other')", name=op.f('ck_milestone_template_known_pathway')),
    sa.CheckConstraint('code IS NOT NULL OR length(trim(title)) > 0', name=op.f('ck_milestone_template_named')),
    sa.CheckConstraint('offset_days BETWEEN 0 AND 730', name=op.f('ck_milestone_template_offset_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_template'))
    )
    op.create_index(op.f('ix_milestone_template_pathway'), 'milestone_template', ['pathway'], unique=False)
    op.create_table('partner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=False),
    sa.Column('contact', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('health', 'legal_aid', 'iom', 'ngo', 'employment', 'education', 'consulate', 'other')", name=op.f('ck_partner_known_kind')),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_partner_named')),
    sa.ForeignKeyConstraint(['created_by'], ['staff_account.id'], name=op.f('fk_partner_created_by_staff_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner')),
    sa.UniqueConstraint('name', name=op.f('uq_partner_name'))
    )
    op.create_table('sustainability_weight',
    sa.Column('indicator', sa.String(length=32), nullable=False),
    sa.Column('dimension_weight', sa.Float(), nullable=False),
    sa.Column('composite_weight', sa.Float(), nullable=False),
    sa.Column('changed_at', UtcDateTime(), nullable=False),
    sa.Column('changed_by', sa.Integer(), nullable=True),
    sa.CheckConstraint('dimension_weight >= 0 AND composite_weight >= 0', name=op.f('ck_sustainability_weight_not_negative')),
    sa.ForeignKeyConstraint(['changed_by'], ['staff_account.id'], name=op.f('fk_sustainability_weight_changed_by_staff_account')),
    sa.PrimaryKeyConstraint('indicator', name=op.f('pk_sustainability_weight'))
    )
    op.create_table('follow_up_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stay_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('round_months', sa.Integer(), nullable=False),
    sa.Column('contacted_on', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('reached', sa.Boolean(), nullable=False),
    sa.Column('situation', sa.Text(), nullable=False),
    sa.Column('next_step', sa.Text(), nullable=False),
    sa.Column('recorded_at', UtcDateTime(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("method <> 'partner' OR partner_id IS NOT NULL", name=op.f('ck_follow_up_contact_partner_named')),
    sa.CheckConstraint("method IN ('phone', 'in_person', 'partner')", name=op.f('ck_follow_up_contact_known_method')),
    sa.CheckConstraint('round_months BETWEEN 0 AND 60', name=op.f('ck_follow_up_contact_round_range')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_follow_up_contact_partner_id_partner')),
    sa.ForeignKeyConstraint(['recorded_by'], ['staff_account.id'], name=op.f('fk_follow_up_contact_recorded_by_staff_account')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_follow_up_contact_resident_id_resident')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_account.id'], name=op.f('fk_follow_up_contact_staff_id_staff_account')),
    sa.ForeignKeyConstraint(['stay_id'], ['stay.id'], name=op.f('fk_follow_up_contact_stay_id_stay')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_contact'))
    )
    op.create_index(op.f('ix_follow_up_contact_resident_id'), 'follow_up_contact', ['resident_id'], unique=False)
    op.create_index('ix_follow_up_contact_stay_day', 'follow_up_contact', ['stay_id', 'contacted_on'], unique=False)
    op.create_table('partner_referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('stay_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.Text(), nullable=False),
    sa.Column('referred_on', sa.Date(), nullable=False),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('refused_on', sa.Date(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('answer_note', sa.Text(), nullable=False),
    sa.Column('consent_override', sa.Text(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("status <> 'accepted' OR accepted_on IS NOT NULL", name=op.f('ck_partner_referral_accepted_dated')),
    sa.CheckConstraint("status <> 'completed' OR completed_on IS NOT NULL", name=op.f('ck_partner_referral_completed_dated')),
    sa.CheckConstraint("status <> 'refused' OR refused_on IS NOT NULL", name=op.f('ck_partner_referral_refused_dated')),
    sa.CheckConstraint("status IN ('sent', 'accepted', 'refused', 'completed')", name=op.f('ck_partner_referral_known_status')),
    sa.CheckConstraint('length(trim(service)) > 0', name=op.f('ck_partner_referral_service_named')),
    sa.ForeignKeyConstraint(['created_by'], ['staff_account.id'], name=op.f('fk_partner_referral_created_by_staff_account')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_partner_referral_partner_id_partner')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_partner_referral_resident_id_resident')),
    sa.ForeignKeyConstraint(['stay_id'], ['stay.id'], name=op.f('fk_partner_referral_stay_id_stay')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_referral'))
    )
    op.create_index('ix_partner_referral_open_follow_up', 'partner_referral', ['follow_up_on'], unique=False, sqlite_where=sa.text("status IN ('sent', 'accepted')"), postgresql_where=sa.text("status IN ('sent', 'accepted')"))
    op.create_index(op.f('ix_partner_referral_partner_id'), 'partner_referral', ['partner_id'], unique=False)
    op.create_index(op.f('ix_partner_referral_resident_id'), 'partner_referral', ['resident_id'], unique=False)
    op.create_index(op.f('ix_partner_referral_stay_id'), 'partner_referral', ['stay_id'], unique=False)
    op.create_table('reintegration_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stay_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('pathway', sa.String(length=24), nullable=False),
    sa.Column('pathway_detail', sa.String(length=200), nullable=False),
    sa.Column('resident_choice', sa.Text(), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('consent_on', sa.Date(), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("pathway <> 'other' OR length(trim(pathway_detail)) > 0", name=op.f('ck_reintegration_plan_other_explained')),
    sa.CheckConstraint("pathway IN ('return_origin', 'morocco_family', 'independent_morocco', 'third_country', 'other')", name=op.f('ck_reintegration_plan_known_pathway')),
    sa.CheckConstraint('consent_on IS NULL OR consent_on >= opened_on', name=op.f('ck_reintegration_plan_consent_after_opening')),
    sa.ForeignKeyConstraint(['created_by'], ['staff_account.id'], name=op.f('fk_reintegration_plan_created_by_staff_account')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_reintegration_plan_resident_id_resident')),
    sa.ForeignKeyConstraint(['stay_id'], ['stay.id'], name=op.f('fk_reintegration_plan_stay_id_stay')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reintegration_plan')),
    sa.UniqueConstraint('stay_id', name=op.f('uq_reintegration_plan_stay_id'))
    )
    op.create_index(op.f('ix_reintegration_plan_resident_id'), 'reintegration_plan', ['resident_id'], unique=False)
    op.create_table('milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=32), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('owner_staff_id', sa.Integer(), nullable=True),
    sa.Column('owner_partner_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("(status = 'done') = (done_on IS NOT NULL)", name=op.f('ck_milestone_done_dated')),
    sa.CheckConstraint("code IS NULL OR code IN ('family_tracing', 'travel_documents', 'consent_to_return', 'iom_accepted', 'travel_booked', 'reception_arranged', 'departure', 'arrival_confirmed', 'family_assessment', 'housing_found', 'training_started', 'income', 'school_for_children', 'legal_case', 'resettlement_file', 'resettlement_accepted')", name=op.f('ck_milestone_known_code')),
    sa.CheckConstraint("status IN ('planned', 'in_progress', 'done', 'blocked', 'not_applicable')", name=op.f('ck_milestone_known_status')),
    sa.CheckConstraint("status NOT IN ('blocked', 'not_applicable') OR length(trim(status_reason)) > 0", name=op.f('ck_milestone_reason_given')),
    sa.CheckConstraint('code IS NOT NULL OR length(trim(title)) > 0', name=op.f('ck_milestone_named')),
    sa.ForeignKeyConstraint(['created_by'], ['staff_account.id'], name=op.f('fk_milestone_created_by_staff_account')),
    sa.ForeignKeyConstraint(['owner_partner_id'], ['partner.id'], name=op.f('fk_milestone_owner_partner_id_partner')),
    sa.ForeignKeyConstraint(['owner_staff_id'], ['staff_account.id'], name=op.f('fk_milestone_owner_staff_id_staff_account')),
    sa.ForeignKeyConstraint(['plan_id'], ['reintegration_plan.id'], name=op.f('fk_milestone_plan_id_reintegration_plan')),
    sa.ForeignKeyConstraint(['template_id'], ['milestone_template.id'], name=op.f('fk_milestone_template_id_milestone_template')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone'))
    )
    op.create_index('ix_milestone_open_due', 'milestone', ['due_on'], unique=False, sqlite_where=sa.text("status IN ('planned', 'in_progress', 'blocked')"), postgresql_where=sa.text("status IN ('planned', 'in_progress', 'blocked')"))
    op.create_index(op.f('ix_milestone_owner_partner_id'), 'milestone', ['owner_partner_id'], unique=False)
    op.create_index(op.f('ix_milestone_owner_staff_id'), 'milestone', ['owner_staff_id'], unique=False)
    op.create_index(op.f('ix_milestone_plan_id'), 'milestone', ['plan_id'], unique=False)
    op.create_table('pathway_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('old_pathway', sa.String(length=24), nullable=False),
    sa.Column('new_pathway', sa.String(length=24), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_at', UtcDateTime(), nullable=False),
    sa.Column('changed_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("new_pathway IN ('return_origin', 'morocco_family', 'independent_morocco', 'third_country', 'other')", name=op.f('ck_pathway_change_known_new')),
    sa.CheckConstraint("old_pathway IN ('return_origin', 'morocco_family', 'independent_morocco', 'third_country', 'other')", name=op.f('ck_pathway_change_known_old')),
    sa.ForeignKeyConstraint(['changed_by'], ['staff_account.id'], name=op.f('fk_pathway_change_changed_by_staff_account')),
    sa.ForeignKeyConstraint(['plan_id'], ['reintegration_plan.id'], name=op.f('fk_pathway_change_plan_id_reintegration_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pathway_change'))
    )
    op.create_index(op.f('ix_pathway_change_plan_id'), 'pathway_change', ['plan_id'], unique=False)
    op.create_table('reintegration_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=48), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('issued_at', UtcDateTime(), nullable=False),
    sa.Column('issued_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("audience IN ('resident', 'partner')", name=op.f('ck_reintegration_document_known_audience')),
    sa.ForeignKeyConstraint(['issued_by'], ['staff_account.id'], name=op.f('fk_reintegration_document_issued_by_staff_account')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_reintegration_document_partner_id_partner')),
    sa.ForeignKeyConstraint(['plan_id'], ['reintegration_plan.id'], name=op.f('fk_reintegration_document_plan_id_reintegration_plan')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_reintegration_document_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reintegration_document')),
    sa.UniqueConstraint('reference', name=op.f('uq_reintegration_document_reference'))
    )
    op.create_index(op.f('ix_reintegration_document_plan_id'), 'reintegration_document', ['plan_id'], unique=False)
    op.create_index(op.f('ix_reintegration_document_resident_id'), 'reintegration_document', ['resident_id'], unique=False)
    op.create_table('sustainability_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stay_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('occasion', sa.String(length=16), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('scored_on', sa.Date(), nullable=False),
    sa.Column('economic', sa.Float(), nullable=True),
    sa.Column('social', sa.Float(), nullable=True),
    sa.Column('psychosocial', sa.Float(), nullable=True),
    sa.Column('overall', sa.Float(), nullable=True),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('weights', sa.Text(), nullable=False),
    sa.Column('recorded_at', UtcDateTime(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("occasion IN ('baseline', 'follow_up', 'other')", name=op.f('ck_sustainability_score_known_occasion')),
    sa.CheckConstraint('economic IS NULL OR economic BETWEEN 0 AND 1', name=op.f('ck_sustainability_score_economic_range')),
    sa.CheckConstraint('overall IS NULL OR overall BETWEEN 0 AND 1', name=op.f('ck_sustainability_score_overall_range')),
    sa.CheckConstraint('psychosocial IS NULL OR psychosocial BETWEEN 0 AND 1', name=op.f('ck_sustainability_score_psychosocial_range')),
    sa.CheckConstraint('social IS NULL OR social BETWEEN 0 AND 1', name=op.f('ck_sustainability_score_social_range')),
    sa.ForeignKeyConstraint(['contact_id'], ['follow_up_contact.id'], name=op.f('fk_sustainability_score_contact_id_follow_up_contact')),
    sa.ForeignKeyConstraint(['recorded_by'], ['staff_account.id'], name=op.f('fk_sustainability_score_recorded_by_staff_account')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_sustainability_score_resident_id_resident')),
    sa.ForeignKeyConstraint(['stay_id'], ['stay.id'], name=op.f('fk_sustainability_score_stay_id_stay')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sustainability_score'))
    )
    op.create_index(op.f('ix_sustainability_score_resident_id'), 'sustainability_score', ['resident_id'], unique=False)
    op.create_index('ix_sustainability_score_stay_day', 'sustainability_score', ['stay_id', 'scored_on'], unique=False)
    op.create_table('milestone_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', UtcDateTime(), nullable=False),
    sa.Column('by', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('planned', 'in_progress', 'done', 'blocked', 'not_applicable')", name=op.f('ck_milestone_event_known_status')),
    sa.ForeignKeyConstraint(['by'], ['staff_account.id'], name=op.f('fk_milestone_event_by_staff_account')),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestone.id'], name=op.f('fk_milestone_event_milestone_id_milestone')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_event'))
    )
    op.create_index(op.f('ix_milestone_event_milestone_id'), 'milestone_event', ['milestone_id'], unique=False)
    op.create_table('sustainability_answer',
    sa.Column('score_id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=32), nullable=False),
    sa.Column('answer', sa.String(length=24), nullable=False),
    sa.ForeignKeyConstraint(['score_id'], ['sustainability_score.id'], name=op.f('fk_sustainability_answer_score_id_sustainability_score')),
    sa.PrimaryKeyConstraint('score_id', 'indicator', name=op.f('pk_sustainability_answer'))
    )

    template = sa.table("milestone_template", sa.column("pathway", sa.String), sa.column("code", sa.String),
                        sa.column("title", sa.String), sa.column("offset_days", sa.Integer),
                        sa.column("position", sa.Integer), sa.column("active", sa.Boolean))
    op.bulk_insert(template, [{"pathway": p, "code": c, "title": "", "offset_days": d, "position": i,
                               "active": True} for i, (p, c, d) in enumerate(TEMPLATES)])


def downgrade() -> None:
    raise RuntimeError("Schema 0008 cannot be downgraded: restore the safety copy taken before the upgrade.")
