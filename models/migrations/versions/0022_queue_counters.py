"""queue counters: escalations end when their case closes (the escalated queue's partial index
keeps the open ones only); breaches remember their announcements on the stream, which also
carries breach messages

Revision ID: 0022_queue_counters
Revises: 0021_retention
Create Date: 2026-11-30 23:30:00.000000

`stream_messages` gains `breach_id`, and its case columns may be empty (a breach message names
no case). On SQLite the columns change by copying the table, so the trigger of `0017_stream`
that writes into it is dropped first and created again after.
"""
import runpy
from pathlib import Path
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0022_queue_counters'
down_revision: Union[str, Sequence[str], None] = '0021_retention'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ESCALATED_OPEN = sa.text('escalated_at IS NOT NULL AND escalation_ended_at IS NULL')
ESCALATED = sa.text('escalated_at IS NOT NULL')
CASE_COLUMNS = (
    ('case_id', sa.Uuid()),
    ('case_reference', sa.String(length=20)),
    ('urgency', sa.String(length=12)),
)


def _sqlite_trigger() -> str:
    stream = runpy.run_path(str(Path(__file__).with_name('0017_stream.py')))
    return str(stream['SQLITE_TRIGGER'])


def _stream_columns(*, nullable: bool) -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        op.execute('DROP TRIGGER IF EXISTS case_events_stream')
    with op.batch_alter_table(
        'stream_messages', table_kwargs={'sqlite_autoincrement': True}
    ) as batch:
        if nullable:
            batch.add_column(sa.Column('breach_id', sa.Uuid(), nullable=True))
        for name, type_ in CASE_COLUMNS:
            batch.alter_column(name, existing_type=type_, nullable=nullable)
        if not nullable:
            batch.drop_column('breach_id')
    if sqlite:
        op.execute(_sqlite_trigger())


def upgrade() -> None:
    op.add_column(
        'case_routing',
        sa.Column('escalation_ended_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.execute(
        'UPDATE case_routing SET escalation_ended_at = '
        '(SELECT coalesce(c.closed_at, c.updated_at) FROM cases c '
        " WHERE c.id = case_routing.case_id AND c.status = 'closed') "
        'WHERE escalated_at IS NOT NULL'
    )
    op.drop_index('ix_case_routing_escalated_at', table_name='case_routing')
    op.create_index(
        'ix_case_routing_escalated_at', 'case_routing', ['escalated_at', 'case_id'],
        unique=False, postgresql_where=ESCALATED_OPEN, sqlite_where=ESCALATED_OPEN,
    )
    op.add_column(
        'privacy_breaches',
        sa.Column('due_soon_announced_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        'privacy_breaches',
        sa.Column('overdue_announced_at', sa.DateTime(timezone=True), nullable=True),
    )
    _stream_columns(nullable=True)


def downgrade() -> None:
    op.execute('DELETE FROM stream_messages WHERE case_id IS NULL')
    _stream_columns(nullable=False)
    op.drop_column('privacy_breaches', 'overdue_announced_at')
    op.drop_column('privacy_breaches', 'due_soon_announced_at')
    op.drop_index('ix_case_routing_escalated_at', table_name='case_routing')
    op.create_index(
        'ix_case_routing_escalated_at', 'case_routing', ['escalated_at', 'case_id'],
        unique=False, postgresql_where=ESCALATED, sqlite_where=ESCALATED,
    )
    op.drop_column('case_routing', 'escalation_ended_at')
