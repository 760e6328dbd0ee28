"""retention by reason: the index of closed cases not yet anonymised leads with the closure
reason, so the retention job walks each reason's cases closed before that reason's own cut-off
instead of every case closed before the shortest one (at 1,000,000 cases the old walk read
hundreds of thousands of cases still within a longer period, every few seconds)

Revision ID: 0029_retention_by_reason
Revises: 0028_directory_stamp
Create Date: 2026-12-01 11:40:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0029_retention_by_reason'
down_revision: Union[str, Sequence[str], None] = '0028_directory_stamp'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

WAITING = "closed_at IS NOT NULL AND anonymised_at IS NULL"


def upgrade() -> None:
    op.create_index(
        'ix_cases_retention_reason_closed_at',
        'cases',
        ['closure_reason', 'closed_at', 'id'],
        postgresql_where=sa.text(WAITING),
        sqlite_where=sa.text(WAITING),
    )
    op.drop_index('ix_cases_retention_closed_at', table_name='cases')


def downgrade() -> None:
    op.create_index(
        'ix_cases_retention_closed_at',
        'cases',
        ['closed_at', 'id'],
        postgresql_where=sa.text(WAITING),
        sqlite_where=sa.text(WAITING),
    )
    op.drop_index('ix_cases_retention_reason_closed_at', table_name='cases')
