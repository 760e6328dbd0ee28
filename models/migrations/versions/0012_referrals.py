"""referrals to agency services

Revision ID: 0012_referrals
Revises: 0011_agency_directory
Create Date: 2026-11-30 13:43:09.668080

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0012_referrals'
down_revision: Union[str, Sequence[str], None] = '0011_agency_directory'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('referrals',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('groups', sa.JSON(), nullable=False),
    sa.Column('basis', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.Column('requested_by_id', sa.Uuid(), nullable=True),
    sa.Column('decision_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('response_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('overdue_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_service_id', sa.Uuid(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Uuid(), nullable=True),
    sa.Column('answer_reason', sa.Text(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_referrals_answered_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_referrals_case_id_cases')),
    sa.ForeignKeyConstraint(['decision_id'], ['routing_decisions.id'], name=op.f('fk_referrals_decision_id_routing_decisions')),
    sa.ForeignKeyConstraint(['next_service_id'], ['services.id'], name=op.f('fk_referrals_next_service_id_services')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_referrals_organization_id_organizations')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_referrals_requested_by_id_users')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_referrals_service_id_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index('ix_referrals_case_id_created_at', ['case_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_referrals_created_at', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_referrals_organization_id_created_at', ['organization_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_referrals_unflagged_response_due_at', ['response_due_at', 'id'], unique=False, postgresql_where=sa.text("status = 'requested' AND overdue_at IS NULL"), sqlite_where=sa.text("status = 'requested' AND overdue_at IS NULL"))
        batch_op.create_index('uq_referrals_open_case_id_service_id', ['case_id', 'service_id'], unique=True, postgresql_where=sa.text("status IN ('requested', 'accepted')"), sqlite_where=sa.text("status IN ('requested', 'accepted')"))



def downgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('uq_referrals_open_case_id_service_id', postgresql_where=sa.text("status IN ('requested', 'accepted')"), sqlite_where=sa.text("status IN ('requested', 'accepted')"))
        batch_op.drop_index('ix_referrals_unflagged_response_due_at', postgresql_where=sa.text("status = 'requested' AND overdue_at IS NULL"), sqlite_where=sa.text("status = 'requested' AND overdue_at IS NULL"))
        batch_op.drop_index('ix_referrals_organization_id_created_at')
        batch_op.drop_index('ix_referrals_created_at')
        batch_op.drop_index('ix_referrals_case_id_created_at')

    op.drop_table('referrals')
