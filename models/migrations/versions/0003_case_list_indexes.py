"""case list: partial indexes of the open cases a person leads or reported

Revision ID: 0003_case_list_indexes
Revises: 0002_cases
Create Date: 2026-11-22 03:30:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0003_case_list_indexes'
down_revision: Union[str, Sequence[str], None] = '0002_cases'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OPEN = sa.text("status <> 'closed'")


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(
            'ix_cases_open_lead_created_at', ['lead_id', 'created_at', 'id'], unique=False,
            postgresql_where=OPEN, sqlite_where=OPEN,
        )
        batch_op.create_index(
            'ix_cases_open_created_by_created_at', ['created_by_id', 'created_at', 'id'],
            unique=False, postgresql_where=OPEN, sqlite_where=OPEN,
        )


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_open_created_by_created_at')
        batch_op.drop_index('ix_cases_open_lead_created_at')
