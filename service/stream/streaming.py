"""One client's stream: what it missed since `Last-Event-ID`, then what happens, until the
client leaves, its access token expires or its account may no longer read.

A stream holds no database connection while it waits: the resume is read in a short
transaction of its own after subscribing (so nothing falls between the two), and the account
is checked again every `RECHECK_SECONDS` in another.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sse_starlette import ServerSentEvent

from models.base import utcnow
from service.stream.audience import Viewer
from service.stream.broker import Broker, Subscription
from service.stream.log import missed_messages
from service.stream.messages import (
    End,
    Message,
    case_event,
    end_event,
    opening_event,
    reload_event,
)

RECHECK_SECONDS = 60.0
"""How often an open stream checks that its account is still active and signed in."""

StillAllowed = Callable[[], Awaitable[bool]]


def stream_ends_at(*, issued_at: datetime, expires_at: datetime, lifetime: timedelta) -> datetime:
    """When a stream opened with a token must end: when the token expires, and never later
    than an access token may live after it was issued, whatever the token claims (pure)."""
    return min(expires_at, issued_at + lifetime)


async def stream_events(
    *,
    broker: Broker,
    viewer: Viewer,
    sessionmaker: async_sessionmaker[AsyncSession],
    last_event_id: int | None,
    ends_at: datetime,
    still_allowed: StillAllowed,
) -> AsyncIterator[ServerSentEvent]:
    """The server-sent events of one stream; unsubscribes however it ends."""
    subscription = broker.subscribe(viewer)
    try:
        yield opening_event()
        replayed: set[int] = set()
        if last_event_id is not None:
            async with sessionmaker() as session:
                replay = await missed_messages(session, viewer=viewer, after=last_event_id)
            if replay.reload is not None:
                yield reload_event(replay.reload)
            for message in replay.messages:
                replayed.add(message.id)
                yield case_event(message)
        async for item in _live(subscription, ends_at=ends_at, still_allowed=still_allowed):
            if isinstance(item, End):
                yield end_event(item)
                return
            if item.id not in replayed:
                yield case_event(item)
    finally:
        broker.unsubscribe(subscription)


async def _live(
    subscription: Subscription, *, ends_at: datetime, still_allowed: StillAllowed
) -> AsyncIterator[Message | End]:
    """Queued messages as they come, then the reason the stream ends."""
    next_check = time.monotonic() + RECHECK_SECONDS
    while True:
        left = (ends_at - utcnow()).total_seconds()
        if left <= 0:
            yield End.token_expired
            return
        if time.monotonic() >= next_check:
            if not await still_allowed():
                yield End.access_revoked
                return
            next_check = time.monotonic() + RECHECK_SECONDS
        wait = min(left, max(next_check - time.monotonic(), 0.0))
        try:
            item = await asyncio.wait_for(subscription.queue.get(), timeout=wait)
        except TimeoutError:
            continue
        yield item
        if isinstance(item, End):
            return
