"""webhooks to agencies: an endpoint per agency service with its sealed signing secret, the
outbox of messages, their deliveries (pending ones found by a partial index) and attempts

Revision ID: 0018_webhooks
Revises: 0017_stream
Create Date: 2026-11-30 17:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0018_webhooks'
down_revision: Union[str, Sequence[str], None] = '0017_stream'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('webhook_endpoints',
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('secret_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('disabled_reason', sa.Text(), nullable=True),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('secret_created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_webhook_endpoints_organization_id_organizations')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_webhook_endpoints_service_id_services')),
    sa.PrimaryKeyConstraint('service_id', name=op.f('pk_webhook_endpoints'))
    )
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_endpoints_organization_id', ['organization_id'], unique=False)

    op.create_table('webhook_messages',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('event_type', sa.String(length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_webhook_messages_organization_id_organizations')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_webhook_messages_referral_id_referrals')),
    sa.ForeignKeyConstraint(['service_id'], ['webhook_endpoints.service_id'], name=op.f('fk_webhook_messages_service_id_webhook_endpoints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_messages'))
    )
    with op.batch_alter_table('webhook_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_messages_referral_id'), ['referral_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_messages_service_id'), ['service_id'], unique=False)

    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('message_id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_id', sa.Uuid(), nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('replay_of_id', sa.Uuid(), nullable=True),
    sa.Column('requested_by_id', sa.Uuid(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['webhook_messages.id'], name=op.f('fk_webhook_deliveries_message_id_webhook_messages')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_webhook_deliveries_organization_id_organizations')),
    sa.ForeignKeyConstraint(['replay_of_id'], ['webhook_deliveries.id'], name=op.f('fk_webhook_deliveries_replay_of_id_webhook_deliveries')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_webhook_deliveries_requested_by_id_users')),
    sa.ForeignKeyConstraint(['service_id'], ['webhook_endpoints.service_id'], name=op.f('fk_webhook_deliveries_service_id_webhook_endpoints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_deliveries_created_at', ['created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_message_id'), ['message_id'], unique=False)
        batch_op.create_index('ix_webhook_deliveries_organization_id_created_at', ['organization_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_webhook_deliveries_pending_next_attempt_at', ['next_attempt_at', 'id'], unique=False, postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
        batch_op.create_index('ix_webhook_deliveries_service_id_created_at', ['service_id', 'created_at', 'id'], unique=False)

    op.create_table('webhook_attempts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('delivery_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['delivery_id'], ['webhook_deliveries.id'], name=op.f('fk_webhook_attempts_delivery_id_webhook_deliveries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_attempts'))
    )
    with op.batch_alter_table('webhook_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_attempts_delivery_id_number', ['delivery_id', 'number'], unique=True)



def downgrade() -> None:
    with op.batch_alter_table('webhook_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_attempts_delivery_id_number')

    op.drop_table('webhook_attempts')
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_deliveries_service_id_created_at')
        batch_op.drop_index('ix_webhook_deliveries_pending_next_attempt_at', postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
        batch_op.drop_index('ix_webhook_deliveries_organization_id_created_at')
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_message_id'))
        batch_op.drop_index('ix_webhook_deliveries_created_at')

    op.drop_table('webhook_deliveries')
    with op.batch_alter_table('webhook_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_messages_service_id'))
        batch_op.drop_index(batch_op.f('ix_webhook_messages_referral_id'))

    op.drop_table('webhook_messages')
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_endpoints_organization_id')

    op.drop_table('webhook_endpoints')
