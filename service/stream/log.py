"""Reading and pruning the stream's log (`stream_messages`), always by its primary key or its
`recorded_at` index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.stream import StreamMessage
from service.stream.audience import Viewer, may_receive, narrowing
from service.stream.messages import Message, Reload, message_from

RETENTION = timedelta(hours=1)
"""How long the log keeps a message: a client away longer is told to reload."""
REPLAY_LIMIT = 1000
"""The most missed messages a resume sends; a client that missed more is told to reload."""

_COLUMNS = [
    col(StreamMessage.id),
    col(StreamMessage.type),
    col(StreamMessage.case_id),
    col(StreamMessage.case_reference),
    col(StreamMessage.urgency),
    col(StreamMessage.occurred_at),
    col(StreamMessage.reported_by_id),
    col(StreamMessage.lead_id),
    col(StreamMessage.offered_to_id),
    col(StreamMessage.offer_id),
    col(StreamMessage.referral_id),
    col(StreamMessage.organization_id),
    col(StreamMessage.breach_id),
    col(StreamMessage.restricted),
]


@dataclass(frozen=True, slots=True)
class Replay:
    """What a resuming client missed, or why it must reload instead."""

    messages: list[Message]
    reload: Reload | None = None


async def missed_messages(session: AsyncSession, *, viewer: Viewer, after: int) -> Replay:
    """The messages `viewer` may receive recorded after the one with id `after`."""
    kept = await session.scalar(
        sa.select(col(StreamMessage.id)).where(col(StreamMessage.id) == after)
    )
    if kept is None:
        return Replay([], Reload.history_gone)
    rows = await session.execute(
        sa.select(*_COLUMNS)
        .where(col(StreamMessage.id) > after, narrowing(viewer))
        .order_by(col(StreamMessage.id))
        .limit(REPLAY_LIMIT + 1)
    )
    messages = [m for m in map(message_from, rows) if may_receive(viewer, m)]
    if len(messages) > REPLAY_LIMIT:
        return Replay([], Reload.too_many_missed)
    return Replay(messages)


async def messages_after(session: AsyncSession, *, after: int, limit: int) -> list[Message]:
    """Every message recorded after id `after`, oldest first (the in-process feed)."""
    rows = await session.execute(
        sa.select(*_COLUMNS)
        .where(col(StreamMessage.id) > after)
        .order_by(col(StreamMessage.id))
        .limit(limit)
    )
    return [message_from(row) for row in rows]


async def last_message_id(session: AsyncSession) -> int:
    """The id of the newest message, 0 when the log is empty."""
    return int(await session.scalar(sa.select(sa.func.max(col(StreamMessage.id)))) or 0)


async def prune(session: AsyncSession, *, now: datetime) -> int:
    """Forget messages older than `RETENTION`; how many were deleted."""
    result = await session.execute(
        sa.delete(StreamMessage).where(col(StreamMessage.recorded_at) < now - RETENTION)
    )
    return int(getattr(result, "rowcount", 0) or 0)
