"""stream messages: the ordered, one-hour log of announced case events, written by a trigger
on case_events (on PostgreSQL at commit, with a NOTIFY to every serving process)

Revision ID: 0017_stream
Revises: 0016_statistics
Create Date: 2026-11-30 16:40:00.000000

A new table rather than a column on case_events: the history holds millions of rows, and the
stream needs only its last hour. On PostgreSQL the trigger is a deferred constraint trigger,
so the row is written and the id taken when the transaction commits (ids follow the commit
order closely), and its `pg_notify` is sent only if the commit succeeds. On SQLite, with one
writer at a time, a plain trigger gives ids in commit order.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0017_stream'
down_revision: Union[str, Sequence[str], None] = '0016_statistics'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Kept in step with service.stream.messages.ANNOUNCED; OFFER_EVENTS name the helper offered.
ANNOUNCED = (
    'created', 'escalated', 'sla_at_risk', 'sla_breached',
    'offered', 'offer_accepted', 'offer_declined', 'offer_expired',
    'referred', 'referral_answered', 'referral_overdue', 'referral_cancelled',
)
OFFER_EVENTS = ('offered', 'offer_accepted', 'offer_declined', 'offer_expired')
CHANNEL = 'onestop_stream'
COLUMNS = (
    'event_id, type, case_id, case_reference, urgency, occurred_at, recorded_at, '
    'reported_by_id, lead_id, offered_to_id, offer_id, referral_id, organization_id'
)


def _listed(values: Sequence[str]) -> str:
    return ', '.join(f"'{value}'" for value in values)


POSTGRES_STATEMENTS = (f"""
CREATE FUNCTION stream_uuid(value text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN value ~* '^[0-9a-f]{{8}}-?([0-9a-f]{{4}}-?){{3}}[0-9a-f]{{12}}$'
              THEN value::uuid END
$$
""", f"""
CREATE FUNCTION stream_announce() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  message stream_messages;
BEGIN
  INSERT INTO stream_messages ({COLUMNS})
  SELECT NEW.id, NEW.type, c.id, c.reference, c.urgency, NEW.occurred_at, clock_timestamp(),
         c.created_by_id, c.lead_id,
         CASE WHEN NEW.type IN ({_listed(OFFER_EVENTS)})
              THEN stream_uuid(NEW.data ->> 'user_id') END,
         stream_uuid(NEW.data ->> 'offer_id'),
         stream_uuid(NEW.data ->> 'referral_id'),
         stream_uuid(NEW.data ->> 'organization_id')
  FROM cases c WHERE c.id = NEW.case_id
  RETURNING * INTO message;
  IF message.id IS NOT NULL THEN
    PERFORM pg_notify('{CHANNEL}', row_to_json(message)::text);
  END IF;
  RETURN NULL;
END
$$
""", f"""
CREATE CONSTRAINT TRIGGER case_events_stream AFTER INSERT ON case_events
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (NEW.type IN ({_listed(ANNOUNCED)}))
  EXECUTE FUNCTION stream_announce()
""")

# A uuid named in the event's data as 32 hex digits (how SQLite keeps uuids), or NULL.
SQLITE_UUID = (
    "(SELECT CASE WHEN length(v) = 32 AND v NOT GLOB '*[^0-9a-fA-F]*' THEN lower(v) END "
    "FROM (SELECT replace(json_extract(NEW.data, '$.{name}'), '-', '') AS v))"
)
SQLITE_TRIGGER = f"""
CREATE TRIGGER case_events_stream AFTER INSERT ON case_events
WHEN NEW.type IN ({_listed(ANNOUNCED)})
BEGIN
  INSERT INTO stream_messages ({COLUMNS})
  SELECT NEW.id, NEW.type, c.id, c.reference, c.urgency, NEW.occurred_at,
         strftime('%Y-%m-%d %H:%M:%f000', 'now'), c.created_by_id, c.lead_id,
         CASE WHEN NEW.type IN ({_listed(OFFER_EVENTS)})
              THEN {SQLITE_UUID.format(name='user_id')} END,
         {SQLITE_UUID.format(name='offer_id')},
         {SQLITE_UUID.format(name='referral_id')},
         {SQLITE_UUID.format(name='organization_id')}
  FROM cases c WHERE c.id = NEW.case_id;
END
"""


def upgrade() -> None:
    op.create_table('stream_messages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('case_reference', sa.String(length=20), nullable=False),
    sa.Column('urgency', sa.String(length=12), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reported_by_id', sa.Uuid(), nullable=True),
    sa.Column('lead_id', sa.Uuid(), nullable=True),
    sa.Column('offered_to_id', sa.Uuid(), nullable=True),
    sa.Column('offer_id', sa.Uuid(), nullable=True),
    sa.Column('referral_id', sa.Uuid(), nullable=True),
    sa.Column('organization_id', sa.Uuid(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stream_messages')),
    sqlite_autoincrement=True,
    )
    op.create_index('ix_stream_messages_recorded_at', 'stream_messages', ['recorded_at'])
    if op.get_bind().dialect.name == 'postgresql':
        for statement in POSTGRES_STATEMENTS:
            op.execute(statement)
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade() -> None:
    op.execute('DROP TRIGGER IF EXISTS case_events_stream' + (
        ' ON case_events' if op.get_bind().dialect.name == 'postgresql' else ''))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS stream_announce()')
        op.execute('DROP FUNCTION IF EXISTS stream_uuid(text)')
    op.drop_index('ix_stream_messages_recorded_at', table_name='stream_messages')
    op.drop_table('stream_messages')
