"""privacy_requests: data-subject requests and the cases they found

Revision ID: 0020_privacy_requests
Revises: 0019_privacy
Create Date: 2026-11-30 23:22:03.660322
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0020_privacy_requests'
down_revision: Union[str, Sequence[str], None] = '0019_privacy'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('privacy_requests',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('requester', sa.String(length=16), nullable=False),
    sa.Column('requester_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('subject_id_type', sa.String(length=16), nullable=True),
    sa.Column('subject_id_hash', sqlmodel.sql.sqltypes.AutoString(length=96), nullable=True),
    sa.Column('subject_phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('subject_first_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('subject_last_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('subject_birth_date', sa.Date(), nullable=True),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('refusal_reason', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Uuid(), nullable=True),
    sa.Column('recorded_by_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_privacy_requests_answered_by_id_users')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_privacy_requests_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_requests'))
    )
    with op.batch_alter_table('privacy_requests', schema=None) as batch_op:
        batch_op.create_index('ix_privacy_requests_open_due', ['due_at', 'id'], unique=False, postgresql_where=sa.text("outcome = 'pending'"), sqlite_where=sa.text("outcome = 'pending'"))
        batch_op.create_index('ix_privacy_requests_received_at', ['received_at', 'id'], unique=False)
        batch_op.create_index('ix_privacy_requests_refused', ['answered_at', 'id'], unique=False, postgresql_where=sa.text("outcome = 'refused'"), sqlite_where=sa.text("outcome = 'refused'"))

    op.create_table('privacy_request_cases',
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_privacy_request_cases_case_id_cases')),
    sa.ForeignKeyConstraint(['request_id'], ['privacy_requests.id'], name=op.f('fk_privacy_request_cases_request_id_privacy_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'case_id', name=op.f('pk_privacy_request_cases'))
    )
    with op.batch_alter_table('privacy_request_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacy_request_cases_case_id'), ['case_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('privacy_request_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacy_request_cases_case_id'))

    op.drop_table('privacy_request_cases')
    with op.batch_alter_table('privacy_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_privacy_requests_refused', postgresql_where=sa.text("outcome = 'refused'"), sqlite_where=sa.text("outcome = 'refused'"))
        batch_op.drop_index('ix_privacy_requests_received_at')
        batch_op.drop_index('ix_privacy_requests_open_due', postgresql_where=sa.text("outcome = 'pending'"), sqlite_where=sa.text("outcome = 'pending'"))

    op.drop_table('privacy_requests')
