"""deadline policies and the working calendar

Revision ID: 0008_deadline_policies
Revises: 0007_job_indexes
Create Date: 2026-11-30 14:10:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0008_deadline_policies'
down_revision: Union[str, Sequence[str], None] = '0007_job_indexes'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('deadline_policies',
    sa.Column('urgency', sa.String(length=12), nullable=False),
    sa.Column('first_response_amount', sa.Integer(), nullable=False),
    sa.Column('first_response_unit', sa.String(length=16), nullable=False),
    sa.Column('resolution_amount', sa.Integer(), nullable=False),
    sa.Column('resolution_unit', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_deadline_policies_updated_by_id_users')),
    sa.PrimaryKeyConstraint('urgency', name=op.f('pk_deadline_policies'))
    )
    op.create_table('working_calendars',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('week', sa.JSON(), nullable=False),
    sa.Column('closed_days', sa.JSON(), nullable=False),
    sa.Column('open_days', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_working_calendars_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_working_calendars'))
    )


def downgrade() -> None:
    op.drop_table('working_calendars')
    op.drop_table('deadline_policies')
