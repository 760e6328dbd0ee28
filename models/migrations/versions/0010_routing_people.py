"""routing people: helper profiles and areas, offers, case routing state, routing decisions

Revision ID: 0010_routing_people
Revises: 0009_location_abroad
Create Date: 2026-11-30 13:31:58.968515

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0010_routing_people'
down_revision: Union[str, Sequence[str], None] = '0009_location_abroad'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('helper_profiles',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('available', sa.Boolean(), nullable=False),
    sa.Column('leave_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('weekly_hours', sa.Integer(), nullable=True),
    sa.Column('card_number', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('card_province_code', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
    sa.Column('card_expires_on', sa.Date(), nullable=True),
    sa.Column('last_assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_helper_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_helper_profiles'))
    )
    with op.batch_alter_table('helper_profiles', schema=None) as batch_op:
        batch_op.create_index('ix_helper_profiles_card_expires_on', ['card_expires_on', 'user_id'], unique=False)

    op.create_table('case_routing',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('failed_offers', sa.Integer(), nullable=False),
    sa.Column('needs_routing', sa.Boolean(), nullable=False),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_routing_case_id_cases')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_routing'))
    )
    with op.batch_alter_table('case_routing', schema=None) as batch_op:
        batch_op.create_index('ix_case_routing_needs_routing_updated_at', ['updated_at', 'case_id'], unique=False, postgresql_where=sa.text('needs_routing'), sqlite_where=sa.text('needs_routing'))

    op.create_table('helper_areas',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('province_code', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['helper_profiles.user_id'], name=op.f('fk_helper_areas_user_id_helper_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'code', name=op.f('pk_helper_areas'))
    )
    with op.batch_alter_table('helper_areas', schema=None) as batch_op:
        batch_op.create_index('ix_helper_areas_province_code_user_id', ['province_code', 'user_id'], unique=False)

    op.create_table('routing_decisions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('candidates', sa.JSON(), nullable=False),
    sa.Column('chosen_id', sa.Uuid(), nullable=True),
    sa.Column('chosen_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_routing_decisions_case_id_cases')),
    sa.ForeignKeyConstraint(['chosen_by_id'], ['users.id'], name=op.f('fk_routing_decisions_chosen_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_decisions'))
    )
    with op.batch_alter_table('routing_decisions', schema=None) as batch_op:
        batch_op.create_index('ix_routing_decisions_case_id_created_at', ['case_id', 'created_at', 'id'], unique=False)

    op.create_table('offers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('offered_by_id', sa.Uuid(), nullable=True),
    sa.Column('decision_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_offers_case_id_cases')),
    sa.ForeignKeyConstraint(['decision_id'], ['routing_decisions.id'], name=op.f('fk_offers_decision_id_routing_decisions')),
    sa.ForeignKeyConstraint(['offered_by_id'], ['users.id'], name=op.f('fk_offers_offered_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_offers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offers'))
    )
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index('ix_offers_case_id_user_id', ['case_id', 'user_id'], unique=False)
        batch_op.create_index('ix_offers_pending_expires_at', ['expires_at', 'id'], unique=False, postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
        batch_op.create_index('ix_offers_user_id_created_at', ['user_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('uq_offers_pending_case_id', ['case_id'], unique=True, postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))



def downgrade() -> None:
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_index('uq_offers_pending_case_id', postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
        batch_op.drop_index('ix_offers_user_id_created_at')
        batch_op.drop_index('ix_offers_pending_expires_at', postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
        batch_op.drop_index('ix_offers_case_id_user_id')

    op.drop_table('offers')
    with op.batch_alter_table('routing_decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_routing_decisions_case_id_created_at')

    op.drop_table('routing_decisions')
    with op.batch_alter_table('helper_areas', schema=None) as batch_op:
        batch_op.drop_index('ix_helper_areas_province_code_user_id')

    op.drop_table('helper_areas')
    with op.batch_alter_table('case_routing', schema=None) as batch_op:
        batch_op.drop_index('ix_case_routing_needs_routing_updated_at', postgresql_where=sa.text('needs_routing'), sqlite_where=sa.text('needs_routing'))

    op.drop_table('case_routing')
    with op.batch_alter_table('helper_profiles', schema=None) as batch_op:
        batch_op.drop_index('ix_helper_profiles_card_expires_on')

    op.drop_table('helper_profiles')
