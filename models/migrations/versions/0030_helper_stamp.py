"""helper stamp: one row whose random stamp every change of what ranking reads of a helper
renews (account, profile, service areas, stored load), so that each server process can keep the
helpers of the provinces it ranks and read them again only after a change

Revision ID: 0030_helper_stamp
Revises: 0029_retention_by_reason
Create Date: 2026-12-01 17:40:00.000000
"""
import uuid
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0030_helper_stamp'
down_revision: Union[str, Sequence[str], None] = '0029_retention_by_reason'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    stamps = op.create_table(
        'helper_stamps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stamp', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(stamps, [{'id': 1, 'stamp': uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table('helper_stamps')
