"""statistics: the record of every export of the case list or the statistics

Revision ID: 0016_statistics
Revises: 0015_work_queues
Create Date: 2026-11-30 17:20:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0016_statistics'
down_revision: Union[str, Sequence[str], None] = '0015_work_queues'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # No foreign keys, on purpose: an export record outlives the account (models/statistics.py).
    op.create_table('exports',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('exported_by_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=96), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exports'))
    )
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.create_index('ix_exports_at', ['at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.drop_index('ix_exports_at')

    op.drop_table('exports')
