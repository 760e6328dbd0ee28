"""retention: when a case was anonymised, and the index the retention job reads

Revision ID: 0021_retention
Revises: 0020_privacy_requests
Create Date: 2026-12-01 00:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_retention"
down_revision: str | Sequence[str] | None = "0020_privacy_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WAITING = "closed_at IS NOT NULL AND anonymised_at IS NULL"


def upgrade() -> None:
    # A plain ADD/DROP COLUMN: SQLite's batch mode would copy the table, and the stream's
    # trigger on case_events names it.
    op.add_column("cases", sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
    # Cases anonymised before the column existed: their history records when.
    op.execute(
        "UPDATE cases SET anonymised_at = (SELECT min(e.occurred_at) FROM case_events AS e "
        "WHERE e.case_id = cases.id AND e.type = 'anonymised') "
        "WHERE EXISTS (SELECT 1 FROM case_events AS e "
        "WHERE e.case_id = cases.id AND e.type = 'anonymised')"
    )
    op.create_index(
        "ix_cases_retention_closed_at",
        "cases",
        ["closed_at", "id"],
        postgresql_where=sa.text(WAITING),
        sqlite_where=sa.text(WAITING),
    )


def downgrade() -> None:
    op.drop_index("ix_cases_retention_closed_at", table_name="cases")
    op.execute("ALTER TABLE cases DROP COLUMN anonymised_at")
