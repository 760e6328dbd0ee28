"""job indexes: the worker finds old sessions and login counters through an index

Revision ID: 0007_job_indexes
Revises: 0006_case_reads
Create Date: 2026-11-30 14:00:00.000000

"""
from typing import Sequence, Union

from alembic import op


revision: str = '0007_job_indexes'
down_revision: Union[str, Sequence[str], None] = '0006_case_reads'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_refresh_families_created_at', 'refresh_families', ['created_at'], unique=False)
    op.create_index('ix_login_throttles_window_started_at', 'login_throttles', ['window_started_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_login_throttles_window_started_at', table_name='login_throttles')
    op.drop_index('ix_refresh_families_created_at', table_name='refresh_families')
