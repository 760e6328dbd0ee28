"""case reads: the append-only access log of case content

Revision ID: 0006_case_reads
Revises: 0005_chain_anchor
Create Date: 2026-11-24 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0006_case_reads'
down_revision: Union[str, Sequence[str], None] = '0005_chain_anchor'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # No foreign keys, on purpose: checking one would lock the case row (models/access_log.py).
    op.create_table('case_reads',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('reader_id', sa.Uuid(), nullable=False),
    sa.Column('what', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=96), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_reads'))
    )
    with op.batch_alter_table('case_reads', schema=None) as batch_op:
        batch_op.create_index('ix_case_reads_case_id_at', ['case_id', 'at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_reads', schema=None) as batch_op:
        batch_op.drop_index('ix_case_reads_case_id_at')

    op.drop_table('case_reads')
