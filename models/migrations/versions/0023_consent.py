"""consent: consents as records, and the restriction of a case

Revision ID: 0023_consent
Revises: 0022_queue_counters
Create Date: 2026-11-30 23:30:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0023_consent'
down_revision: Union[str, Sequence[str], None] = '0022_queue_counters'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'case_consents',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('case_id', sa.Uuid(), nullable=False),
        sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('groups', sa.JSON(), nullable=False),
        sa.Column('organization_ids', sa.JSON(), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('guardian_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('guardian_relationship', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column('recorded_by_id', sa.Uuid(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('withdrawn_groups', sa.JSON(), nullable=False),
        sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('withdrawn_by_id', sa.Uuid(), nullable=True),
        sa.Column('withdrawal_reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_consents_case_id_cases')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_case_consents_recorded_by_id_users')),
        sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_case_consents_withdrawn_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_consents')),
    )
    op.create_index('ix_case_consents_case_id_recorded_at', 'case_consents', ['case_id', 'recorded_at', 'id'], unique=False)
    # Plain ADD COLUMN (no table rebuild on SQLite, which would break the stream trigger).
    op.add_column('cases', sa.Column('restricted_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('cases', sa.Column('restriction_basis', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    op.add_column('cases', sa.Column('restriction_reason', sa.Text(), nullable=True))
    # Without a foreign key: adding one would rebuild the table on SQLite; the `restricted`
    # event names the supervisor in its chained history.
    op.add_column('cases', sa.Column('restricted_by_id', sa.Uuid(), nullable=True))


def downgrade() -> None:
    for column in ('restricted_by_id', 'restriction_reason', 'restriction_basis', 'restricted_at'):
        op.drop_column('cases', column)
    op.drop_index('ix_case_consents_case_id_recorded_at', table_name='case_consents')
    op.drop_table('case_consents')
