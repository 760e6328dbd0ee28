"""One client's stream: it ends when its account may no longer read, when its token's time
is over, and when it falls too far behind."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sse_starlette import ServerSentEvent

from models.base import utcnow
from models.enums import CaseEventType, Role, Urgency
from service.stream import streaming
from service.stream.audience import Viewer
from service.stream.broker import QUEUE_SIZE, Broker
from service.stream.messages import Message
from service.stream.streaming import stream_ends_at, stream_events

VIEWER = Viewer(uuid.uuid4(), Role.caseworker, None)


def _message(id_: int) -> Message:
    return Message(
        id=id_,
        type=CaseEventType.sla_at_risk,
        case_id=uuid.uuid4(),
        case_reference=f"OS-2569-{id_:06d}",
        urgency=Urgency.critical,
        occurred_at=datetime(2026, 11, 30, tzinfo=UTC),
        reported_by_id=uuid.uuid4(),
        lead_id=None,
        offered_to_id=None,
        offer_id=None,
        referral_id=None,
        organization_id=None,
    )


async def _allowed() -> bool:
    return True


async def _revoked() -> bool:
    return False


async def _rest(events: AsyncIterator[ServerSentEvent]) -> list[tuple[str | None, object]]:
    return [(e.event, e.data) async for e in events]


def _ended(reason: str) -> tuple[str, str]:
    return ("end", json.dumps({"reason": reason}))


def test_a_stream_never_outlives_an_access_tokens_lifetime() -> None:
    issued = datetime(2026, 11, 30, 9, tzinfo=UTC)
    lifetime = timedelta(minutes=15)
    honest = stream_ends_at(issued_at=issued, expires_at=issued + lifetime, lifetime=lifetime)
    forged = stream_ends_at(
        issued_at=issued, expires_at=issued + timedelta(days=9999), lifetime=lifetime
    )
    assert honest == forged == issued + lifetime


async def test_a_stream_ends_when_its_account_may_no_longer_read(
    sessionmaker: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streaming, "RECHECK_SECONDS", 0.0)
    broker = Broker()
    events = stream_events(
        broker=broker,
        viewer=VIEWER,
        sessionmaker=sessionmaker,
        last_event_id=None,
        ends_at=utcnow() + timedelta(minutes=5),
        still_allowed=_revoked,
    )
    assert (await _rest(events))[-1] == _ended("access_revoked")
    assert broker.open_streams == 0


async def test_a_stream_ends_at_its_time(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    broker = Broker()
    events = stream_events(
        broker=broker,
        viewer=VIEWER,
        sessionmaker=sessionmaker,
        last_event_id=None,
        ends_at=utcnow() + timedelta(milliseconds=200),
        still_allowed=_allowed,
    )
    assert (await _rest(events))[-1] == _ended("token_expired")
    assert broker.open_streams == 0


async def test_a_stream_that_falls_behind_ends_and_sends_nothing_stale(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    broker = Broker()
    events = stream_events(
        broker=broker,
        viewer=VIEWER,
        sessionmaker=sessionmaker,
        last_event_id=None,
        ends_at=utcnow() + timedelta(minutes=5),
        still_allowed=_allowed,
    )
    opening = await anext(events)
    assert opening.retry == 3000
    for id_ in range(1, QUEUE_SIZE + 5):  # the client reads nothing meanwhile
        broker.publish(_message(id_))
    assert await _rest(events) == [_ended("too_slow")]
    assert broker.open_streams == 0
