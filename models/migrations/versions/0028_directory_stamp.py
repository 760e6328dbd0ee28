"""directory stamp: one row whose random stamp every change of the agency directory renews, so
that each server process can keep the directory that suggestions rank and read it again only
after a change

Revision ID: 0028_directory_stamp
Revises: 0027_helper_load
Create Date: 2026-12-01 11:00:00.000000
"""
import uuid
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0028_directory_stamp'
down_revision: Union[str, Sequence[str], None] = '0027_helper_load'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    stamps = op.create_table(
        'directory_stamps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stamp', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(stamps, [{'id': 1, 'stamp': uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table('directory_stamps')
