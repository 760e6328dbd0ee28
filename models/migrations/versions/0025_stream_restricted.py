"""stream restricted: each stream message remembers whether its case was restricted when the
event was recorded, so only supervisors receive it; a withdrawn offer is announced too

Revision ID: 0025_stream_restricted
Revises: 0024_paused_warnings
Create Date: 2026-12-01 03:00:00.000000

The triggers of `0017_stream` (re-created on SQLite by `0022_queue_counters`) write the new
`restricted` column from `cases.restricted_at`: on PostgreSQL when the transaction commits, on
SQLite when the event is written. `offer_withdrawn` (a pending offer withdrawn when its case
is resolved or closed) joins the announced events and, naming its helper, the offer events.
"""
import runpy
from pathlib import Path
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0025_stream_restricted'
down_revision: Union[str, Sequence[str], None] = '0024_paused_warnings'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

STREAM = runpy.run_path(str(Path(__file__).with_name('0017_stream.py')))
_listed = STREAM['_listed']
# Kept in step with service.stream.messages.ANNOUNCED.
ANNOUNCED = _listed((*STREAM['ANNOUNCED'], 'offer_withdrawn'))
OFFER_EVENTS = _listed((*STREAM['OFFER_EVENTS'], 'offer_withdrawn'))
SQLITE_UUID = STREAM['SQLITE_UUID']
CHANNEL = STREAM['CHANNEL']
COLUMNS = STREAM['COLUMNS'] + ', restricted'

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION stream_announce() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  message stream_messages;
BEGIN
  INSERT INTO stream_messages ({COLUMNS})
  SELECT NEW.id, NEW.type, c.id, c.reference, c.urgency, NEW.occurred_at, clock_timestamp(),
         c.created_by_id, c.lead_id,
         CASE WHEN NEW.type IN ({OFFER_EVENTS})
              THEN stream_uuid(NEW.data ->> 'user_id') END,
         stream_uuid(NEW.data ->> 'offer_id'),
         stream_uuid(NEW.data ->> 'referral_id'),
         stream_uuid(NEW.data ->> 'organization_id'),
         c.restricted_at IS NOT NULL
  FROM cases c WHERE c.id = NEW.case_id
  RETURNING * INTO message;
  IF message.id IS NOT NULL THEN
    PERFORM pg_notify('{CHANNEL}', row_to_json(message)::text);
  END IF;
  RETURN NULL;
END
$$
"""

POSTGRES_TRIGGER = f"""
CREATE CONSTRAINT TRIGGER case_events_stream AFTER INSERT ON case_events
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (NEW.type IN ({ANNOUNCED}))
  EXECUTE FUNCTION stream_announce()
"""

SQLITE_TRIGGER = f"""
CREATE TRIGGER case_events_stream AFTER INSERT ON case_events
WHEN NEW.type IN ({ANNOUNCED})
BEGIN
  INSERT INTO stream_messages ({COLUMNS})
  SELECT NEW.id, NEW.type, c.id, c.reference, c.urgency, NEW.occurred_at,
         strftime('%Y-%m-%d %H:%M:%f000', 'now'), c.created_by_id, c.lead_id,
         CASE WHEN NEW.type IN ({OFFER_EVENTS})
              THEN {SQLITE_UUID.format(name='user_id')} END,
         {SQLITE_UUID.format(name='offer_id')},
         {SQLITE_UUID.format(name='referral_id')},
         {SQLITE_UUID.format(name='organization_id')},
         c.restricted_at IS NOT NULL
  FROM cases c WHERE c.id = NEW.case_id;
END
"""


def _postgres() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade() -> None:
    if not _postgres():
        op.execute('DROP TRIGGER IF EXISTS case_events_stream')
    op.add_column(
        'stream_messages',
        sa.Column('restricted', sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    if _postgres():
        op.execute(POSTGRES_FUNCTION)
        op.execute('DROP TRIGGER IF EXISTS case_events_stream ON case_events')
        op.execute(POSTGRES_TRIGGER)
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade() -> None:
    if _postgres():
        op.execute(STREAM['POSTGRES_STATEMENTS'][1].replace(
            'CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION', 1))
        op.execute('DROP TRIGGER IF EXISTS case_events_stream ON case_events')
        op.execute(STREAM['POSTGRES_STATEMENTS'][2])
        op.drop_column('stream_messages', 'restricted')
        return
    op.execute('DROP TRIGGER IF EXISTS case_events_stream')
    with op.batch_alter_table(
        'stream_messages', table_kwargs={'sqlite_autoincrement': True}
    ) as batch:
        batch.drop_column('restricted')
    op.execute(STREAM['SQLITE_TRIGGER'])
