"""Breach notices on the stream: a breach owing its notification is announced once when it is
due within 24 hours and once when it is overdue, only to supervisors and admins; on
PostgreSQL the notice reaches the serving processes when the worker's transaction commits."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from models.base import utcnow
from models.enums import BreachNotice, BreachRisk, Role
from models.privacy import Breach
from models.stream import StreamMessage
from service.platform.db import is_sqlite
from service.platform.settings import Settings
from service.privacy.breach_alerts import announce_breaches
from service.stream.audience import Viewer, may_receive
from service.stream.log import missed_messages
from service.stream.messages import CHANNEL, case_event, message_from, notification_message
from service.worker.jobs import JOBS
from service.worker.runner import run_round
from tests.conftest import DATABASE_URL, create_user


async def _breach(session: AsyncSession, *, detected_hours_ago: float, **fields: Any) -> Breach:
    recorder = await create_user(session, Role.supervisor)
    detected = utcnow() - timedelta(hours=detected_hours_ago)
    breach = Breach(
        detected_at=detected,
        notify_due_at=detected + timedelta(hours=72),
        description="x",
        risk=fields.pop("risk", BreachRisk.risk),
        risk_assessment="x",
        recorded_by_id=recorder.id,
        **fields,
    )
    session.add(breach)
    await session.flush()
    return breach


async def _notices(session: AsyncSession) -> list[tuple[str, uuid.UUID | None]]:
    rows = await session.execute(
        sa.select(StreamMessage.type, StreamMessage.breach_id)
        .where(sa.column("breach_id").is_not(None))
        .order_by(StreamMessage.id)  # type: ignore[arg-type]
    )
    return [(str(t), b) for t, b in rows]


async def test_each_notice_is_announced_once(session: AsyncSession, settings: Settings) -> None:
    breach = await _breach(session, detected_hours_ago=50)  # due in 22 hours
    await _breach(session, detected_hours_ago=10)  # due in 62 hours: nothing yet
    await _breach(session, detected_hours_ago=60, risk=BreachRisk.unlikely)  # owes nothing
    told = await _breach(session, detected_hours_ago=80, regulator_notified_at=utcnow())
    now = utcnow()

    assert await announce_breaches(session, settings=settings, now=now, batch=10) == 1
    assert await announce_breaches(session, settings=settings, now=now, batch=10) == 0
    assert await _notices(session) == [("breach_due_soon", breach.id)]
    assert breach.due_soon_announced_at == now and breach.overdue_announced_at is None

    later = now + timedelta(hours=23)
    assert await announce_breaches(session, settings=settings, now=later, batch=10) == 1
    assert await announce_breaches(session, settings=settings, now=later, batch=10) == 0
    assert await _notices(session) == [
        ("breach_due_soon", breach.id),
        ("breach_overdue", breach.id),
    ]
    assert told.overdue_announced_at is None


async def test_a_breach_found_overdue_is_announced_overdue_only(
    session: AsyncSession, settings: Settings
) -> None:
    breaches = [await _breach(session, detected_hours_ago=73 + n) for n in range(3)]
    now = utcnow()
    # A batch smaller than what is due: the rest follow in the next batch.
    assert await announce_breaches(session, settings=settings, now=now, batch=2) == 2
    assert await announce_breaches(session, settings=settings, now=now, batch=2) == 1
    assert await announce_breaches(session, settings=settings, now=now, batch=2) == 0
    notices = await _notices(session)
    assert sorted(b for _, b in notices) == sorted(b.id for b in breaches)  # type: ignore[type-var]
    assert {t for t, _ in notices} == {"breach_overdue"}
    assert all(b.due_soon_announced_at == now for b in breaches)


async def test_notices_reach_supervisors_and_admins_only(
    session: AsyncSession, settings: Settings
) -> None:
    before = await session.scalar(sa.select(sa.func.coalesce(sa.func.max(StreamMessage.id), 0)))
    session.add(
        StreamMessage(
            event_id=uuid.uuid4(),
            type="created",
            case_id=uuid.uuid4(),
            case_reference="OS-2569-000001",
            urgency="high",  # type: ignore[arg-type]
            occurred_at=utcnow(),
            recorded_at=utcnow(),
            reported_by_id=uuid.uuid4(),
        )
    )
    await session.flush()
    first = await session.scalar(sa.select(sa.func.max(StreamMessage.id)))
    assert first is not None and first > (before or 0)
    breach = await _breach(session, detected_hours_ago=75)
    await announce_breaches(session, settings=settings, now=utcnow(), batch=10)

    def viewer(role: Role) -> Viewer:
        return Viewer(uuid.uuid4(), role, uuid.uuid4() if role is Role.agency else None)

    received = {}
    for role in Role:
        replay = await missed_messages(session, viewer=viewer(role), after=first)
        received[role] = [(m.type, m.breach_id) for m in replay.messages]
    notice = (BreachNotice.breach_overdue, breach.id)
    assert received[Role.supervisor] == [notice]
    assert received[Role.admin] == [notice]
    for role in (Role.caseworker, Role.volunteer, Role.agency):
        assert received[role] == [], role
    # Admins read no case content: case messages never reach them.
    (case_row,) = await session.execute(
        sa.select(StreamMessage).where(StreamMessage.id == first)  # type: ignore[arg-type]
    )
    case_message = message_from(case_row[0].model_dump())
    assert not may_receive(viewer(Role.admin), case_message)
    assert may_receive(viewer(Role.caseworker), case_message)


def test_a_notice_on_the_stream_names_the_breach_only() -> None:
    breach_id = uuid.uuid4()
    fields = {
        "id": 7,
        "event_id": str(uuid.uuid4()),
        "type": "breach_due_soon",
        "occurred_at": "2026-11-30T09:00:00+00:00",
        "recorded_at": "2026-11-30T09:00:00+00:00",
        "breach_id": str(breach_id),
    }
    empty = "case_id case_reference urgency reported_by_id lead_id offered_to_id offer_id"
    for name in (*empty.split(), "referral_id", "organization_id"):
        fields[name] = None
    message = notification_message(json.dumps(fields))
    event = case_event(message)
    assert event.event == "breach_due_soon" and event.id == "7"
    assert isinstance(event.data, str)
    assert f'"breach_id":"{breach_id}"' in event.data
    assert "case_id" not in event.data


def test_the_worker_runs_the_breach_notices() -> None:
    assert "breach_notices" in {job.name for job in JOBS}


@pytest.mark.skipif(is_sqlite(DATABASE_URL), reason="LISTEN/NOTIFY is PostgreSQL's")
async def test_a_notice_is_sent_when_the_worker_commits(
    committed_db: AsyncEngine, settings: Settings
) -> None:
    sessionmaker = async_sessionmaker(committed_db, expire_on_commit=False)
    async with sessionmaker() as session, session.begin():
        breach = await _breach(session, detected_hours_ago=60)
    dsn = make_url(DATABASE_URL).set(drivername="postgresql").render_as_string(False)
    listener = await asyncpg.connect(dsn)
    heard: asyncio.Queue[str] = asyncio.Queue()
    try:
        await listener.add_listener(CHANNEL, lambda *args: heard.put_nowait(args[-1]))
        counts = await run_round(sessionmaker, settings=settings, now=utcnow())
        assert counts["breach_notices"] == 1
        message = notification_message(await asyncio.wait_for(heard.get(), timeout=10))
    finally:
        await listener.close()
    assert (message.type, message.breach_id) == (BreachNotice.breach_due_soon, breach.id)
    async with sessionmaker() as session:
        stored = await session.get(StreamMessage, message.id)
        assert stored is not None and stored.breach_id == breach.id
