"""work queues: partial indexes of the supervisors' queues (open cases without a lead by
urgency and age, pending offers, referrals waiting for an answer, escalations)

Revision ID: 0015_work_queues
Revises: 0014_deadline_rules_version
Create Date: 2026-11-30 17:00:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0015_work_queues'
down_revision: Union[str, Sequence[str], None] = '0014_deadline_rules_version'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

INDEXES = (
    ('ix_cases_unassigned', 'cases', ['urgency', 'created_at', 'id'],
     "status <> 'closed' AND lead_id IS NULL"),
    ('ix_offers_pending_created_at', 'offers', ['created_at', 'id'], "status = 'pending'"),
    ('ix_offers_pending_user_id', 'offers', ['user_id'], "status = 'pending'"),
    ('ix_referrals_requested_created_at', 'referrals', ['created_at', 'id'],
     "status = 'requested'"),
    ('ix_referrals_requested_organization_id_created_at', 'referrals',
     ['organization_id', 'created_at', 'id'], "status = 'requested'"),
    ('ix_case_routing_escalated_at', 'case_routing', ['escalated_at', 'case_id'],
     'escalated_at IS NOT NULL'),
)


def upgrade() -> None:
    for name, table, columns, where in INDEXES:
        op.create_index(
            name, table, columns, unique=False,
            postgresql_where=sa.text(where), sqlite_where=sa.text(where),
        )


def downgrade() -> None:
    for name, table, _, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
