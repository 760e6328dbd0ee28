"""deadline rules version: the worker finds the cases still counting whose due times were
computed under other rules (or none yet) through an index

Revision ID: 0014_deadline_rules_version
Revises: 0013_case_deadlines
Create Date: 2026-11-30 17:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0014_deadline_rules_version'
down_revision: Union[str, Sequence[str], None] = '0013_case_deadlines'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COUNTING = 'resolution_met_at IS NULL'


def upgrade() -> None:
    op.create_index(
        'ix_cases_counting_rules_version', 'cases', ['deadline_rules_version'], unique=False,
        postgresql_where=sa.text(COUNTING), sqlite_where=sa.text(COUNTING),
    )


def downgrade() -> None:
    op.drop_index('ix_cases_counting_rules_version', table_name='cases')
