"""request id numbers: a data-subject request keeps the id number it was given sealed with the
data key, as a case does, so a key rotation can re-hash its lookup hash; and that hash is
indexed, to find a person's requests by id number

Revision ID: 0026_request_id_numbers
Revises: 0025_stream_restricted
Create Date: 2026-12-01 03:10:00.000000

Requests recorded before this revision hold only the hash: a rotation takes the id number
from a case the request found by it, and otherwise leaves it under its old key (and says so).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0026_request_id_numbers'
down_revision: Union[str, Sequence[str], None] = '0025_stream_restricted'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column(
        'privacy_requests', sa.Column('subject_id_number_enc', sa.LargeBinary(), nullable=True)
    )
    op.create_index(
        'ix_privacy_requests_subject_id_hash', 'privacy_requests', ['subject_id_hash']
    )


def downgrade() -> None:
    op.drop_index('ix_privacy_requests_subject_id_hash', table_name='privacy_requests')
    op.drop_column('privacy_requests', 'subject_id_number_enc')
