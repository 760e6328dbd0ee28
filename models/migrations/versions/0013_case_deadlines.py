"""case deadlines: due and warning times of first response and resolution on the case, when
each stopped counting, warnings and breaches recorded, pauses of the resolution clock

Revision ID: 0013_case_deadlines
Revises: 0012_referrals
Create Date: 2026-11-30 16:45:00.000000

The columns start empty; the worker fills the times of cases still counting
(`deadline_rules_version` is empty), so an upgrade does not rewrite every case at once.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0013_case_deadlines'
down_revision: Union[str, Sequence[str], None] = '0012_referrals'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

KINDS = ('first_response', 'resolution')
STAMPS = ('due_at', 'warn_at', 'met_at', 'warned_at', 'breached_at')


def _indexes() -> list[tuple[str, list[str], str]]:
    indexes = []
    for kind in KINDS:
        counting = f'{kind}_met_at IS NULL'
        indexes += [
            (f'ix_cases_{kind}_due', [f'{kind}_due_at', 'id'], counting),
            (f'ix_cases_{kind}_to_warn', [f'{kind}_warn_at'],
             f'{counting} AND {kind}_warned_at IS NULL'),
            (f'ix_cases_{kind}_to_breach', [f'{kind}_due_at'],
             f'{counting} AND {kind}_breached_at IS NULL'),
        ]
    return indexes


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for kind in KINDS:
            for stamp in STAMPS:
                batch_op.add_column(
                    sa.Column(f'{kind}_{stamp}', sa.DateTime(timezone=True), nullable=True)
                )
        batch_op.add_column(sa.Column('clock_paused_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column(
            'clock_pauses', sa.JSON(), server_default=sa.text("'[]'"), nullable=False
        ))
        batch_op.add_column(sa.Column('deadline_rules_version', sa.Integer(), nullable=True))
    for name, columns, where in _indexes():
        op.create_index(
            name, 'cases', columns, unique=False,
            postgresql_where=sa.text(where), sqlite_where=sa.text(where),
        )


def downgrade() -> None:
    for name, _, _ in _indexes():
        op.drop_index(name, table_name='cases')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('deadline_rules_version')
        batch_op.drop_column('clock_pauses')
        batch_op.drop_column('clock_paused_at')
        for kind in reversed(KINDS):
            for stamp in reversed(STAMPS):
                batch_op.drop_column(f'{kind}_{stamp}')
