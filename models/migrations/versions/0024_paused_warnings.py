"""paused warnings: a resolution clock held by a running pause has no warning time

Revision ID: 0024_paused_warnings
Revises: 0023_consent
Create Date: 2026-12-01 02:45:00.000000

Cases stamped before this revision could hold a warning time without a due time when their
pause began after the warning point; the warning job could not record such a warning (it names
the due time). Both are empty now until the client answers and the clock runs again.
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0024_paused_warnings'
down_revision: Union[str, Sequence[str], None] = '0023_consent'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute(
        'UPDATE cases SET resolution_warn_at = NULL '
        'WHERE resolution_due_at IS NULL AND resolution_warn_at IS NOT NULL'
    )


def downgrade() -> None:
    """Nothing to restore: the next stamping of such a case recomputes both times."""
