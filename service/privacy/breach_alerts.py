"""Breach notices on the live stream: once when a breach's 72-hour notification to the
regulator comes within 24 hours (`breach_due_soon`), once when it is past (`breach_overdue`).

The worker (`service.worker.jobs`) runs `announce_breaches` every round. Like the deadline
alerts (`service.deadlines.alerts`), it claims the breaches due with `FOR UPDATE SKIP LOCKED`
(PostgreSQL), so two workers never announce one twice, writes one stream message for each and
stamps `due_soon_announced_at` / `overdue_announced_at`. Only open breaches still owing their
notification are announced (see `service.queues.breaches`). A breach found already overdue is
announced overdue only: the stamp of the overdue notice stamps the due-soon one too.

On PostgreSQL the message is sent to the serving processes with `pg_notify` in the same
transaction, so it is heard only if the stamps are kept; on SQLite the feeds read the log.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.enums import BreachNotice
from models.privacy import DUE_SOON_HOURS, Breach
from models.stream import StreamMessage
from service.platform.db import dialect_name
from service.platform.settings import Settings
from service.queues.breaches import OPEN, OWED
from service.stream.messages import CHANNEL

BreachQuery = sa.Select[Any]


def to_announce_query(notice: BreachNotice, *, now: datetime, batch: int) -> BreachQuery:
    """The open breaches owing a notification whose `notice` is due and not yet sent."""
    due: tuple[sa.ColumnElement[bool], ...]
    if notice is BreachNotice.breach_overdue:
        due = (
            col(Breach.overdue_announced_at).is_(None),
            col(Breach.notify_due_at) <= now,
        )
    else:
        due = (
            col(Breach.due_soon_announced_at).is_(None),
            col(Breach.notify_due_at) <= now + timedelta(hours=DUE_SOON_HOURS),
            col(Breach.notify_due_at) > now,
        )
    return (
        sa.select(Breach)
        .where(OPEN, OWED, *due)
        .order_by(col(Breach.notify_due_at), col(Breach.id))
        .limit(batch)
    )


async def _claim(session: AsyncSession, query: BreachQuery) -> Sequence[Breach]:
    if dialect_name(session) == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return (await session.scalars(query.execution_options(populate_existing=True))).all()


def _payload(message: StreamMessage) -> str:
    """The message as the stream's notifications carry it (the row as JSON)."""
    row = {name: getattr(message, name) for name in StreamMessage.model_fields}
    return json.dumps(
        {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()},
        default=str,
    )


async def announce(
    session: AsyncSession, *, breach: Breach, notice: BreachNotice, now: datetime
) -> StreamMessage:
    """Write `notice` about `breach` to the stream's log (and send it, on PostgreSQL)."""
    message = StreamMessage(
        event_id=uuid.uuid4(),
        type=notice.value,
        breach_id=breach.id,
        occurred_at=now,
        recorded_at=now,
    )
    session.add(message)
    await session.flush()
    if dialect_name(session) == "postgresql":
        await session.execute(
            sa.select(sa.func.pg_notify(sa.literal(CHANNEL), sa.literal(_payload(message))))
        )
    return message


async def announce_breaches(
    session: AsyncSession, *, settings: Settings, now: datetime, batch: int
) -> int:
    """Announce each breach notification newly due soon or overdue, once; how many were."""
    announced = 0
    for notice in (BreachNotice.breach_overdue, BreachNotice.breach_due_soon):
        if announced >= batch:
            break
        query = to_announce_query(notice, now=now, batch=batch - announced)
        for breach in await _claim(session, query):
            await announce(session, breach=breach, notice=notice, now=now)
            if breach.due_soon_announced_at is None:
                breach.due_soon_announced_at = now
            if notice is BreachNotice.breach_overdue:
                breach.overdue_announced_at = now
            announced += 1
    await session.flush()
    return announced
