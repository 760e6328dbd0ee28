"""privacy: the breach register

Revision ID: 0019_privacy
Revises: 0018_webhooks
Create Date: 2026-11-30 17:10:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0019_privacy'
down_revision: Union[str, Sequence[str], None] = '0018_webhooks'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OPEN = sa.text('closed_at IS NULL')


def upgrade() -> None:
    op.create_table(
        'privacy_breaches',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('notify_due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('data_categories', sa.JSON(), nullable=False),
        sa.Column('subjects_affected', sa.Integer(), nullable=True),
        sa.Column('vulnerable_subjects', sa.JSON(), nullable=False),
        sa.Column('risk', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('risk_assessment', sa.Text(), nullable=False),
        sa.Column('regulator_notified_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('subjects_notified_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('recorded_by_id', sa.Uuid(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_privacy_breaches_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_breaches')),
    )
    op.create_index('ix_privacy_breaches_detected_at', 'privacy_breaches', ['detected_at', 'id'], unique=False)
    op.create_index(
        'ix_privacy_breaches_open_due', 'privacy_breaches', ['notify_due_at', 'id'], unique=False,
        postgresql_where=OPEN, sqlite_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index('ix_privacy_breaches_open_due', table_name='privacy_breaches')
    op.drop_index('ix_privacy_breaches_detected_at', table_name='privacy_breaches')
    op.drop_table('privacy_breaches')
