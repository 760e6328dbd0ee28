"""The background jobs, run as the worker runs them: one batch per transaction, once each."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from models.base import utcnow
from models.case import IdempotencyRecord
from models.enums import Role
from models.user import LoginThrottle, RefreshFamily, RefreshToken
from service.platform.settings import Settings
from service.worker.jobs import JOBS, Job
from service.worker.runner import run_job, run_round, run_worker
from tests.conftest import create_user, make_settings

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=utcnow().tzinfo)


def _answer(owner: uuid.UUID, key: str, *, expires_at: datetime) -> IdempotencyRecord:
    return IdempotencyRecord(
        owner_id=owner,
        key=key,
        fingerprint="f" * 64,
        created_at=expires_at - timedelta(hours=24),
        expires_at=expires_at,
    )


async def _count(session: AsyncSession, model: type[object]) -> int:
    return int(await session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


async def test_expired_idempotency_answers_are_forgotten_in_batches(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    owner = uuid.uuid4()
    session.add_all(
        _answer(owner, f"old-{n}", expires_at=NOW - timedelta(minutes=n + 1)) for n in range(5)
    )
    session.add(_answer(owner, "live", expires_at=NOW + timedelta(minutes=1)))
    await session.flush()

    job = next(job for job in JOBS if job.name == "idempotency_keys")
    handled = await run_job(sessionmaker, job, settings=make_settings(jobs_batch_size=2), now=NOW)

    assert handled == 5
    keys = (await session.scalars(sa.select(col(IdempotencyRecord.key)))).all()
    assert keys == ["live"]


async def test_sessions_are_forgotten_only_once_every_token_has_expired(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    user = await create_user(session, Role.volunteer)
    old = NOW - timedelta(days=settings.refresh_token_days + 1)

    def family(*, created: datetime, token_expires: datetime, revoked: bool = False) -> uuid.UUID:
        row = RefreshFamily(
            user_id=user.id, created_at=created, revoked_at=created if revoked else None
        )
        session.add(row)
        session.add(
            RefreshToken(
                jti=uuid.uuid4().hex, family_id=row.id, issued_at=created, expires_at=token_expires
            )
        )
        return row.id

    ended = family(created=old, token_expires=NOW - timedelta(hours=1))
    revoked_live = family(created=old, token_expires=NOW + timedelta(hours=1), revoked=True)
    recent = family(created=NOW - timedelta(hours=2), token_expires=NOW + timedelta(days=3))
    await session.flush()

    counts = await run_round(sessionmaker, settings=settings, now=NOW)

    assert counts["sessions"] == 1
    left = set((await session.scalars(sa.select(col(RefreshFamily.id)))).all())
    assert left == {revoked_live, recent}
    assert ended not in left
    tokens = (await session.scalars(sa.select(col(RefreshToken.family_id)))).all()
    assert set(tokens) == {revoked_live, recent}


async def test_login_failure_counters_are_forgotten_after_their_window_and_lockout(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    window = timedelta(seconds=settings.login_failure_window_seconds)
    session.add_all(
        [
            LoginThrottle(key="passed", failures=3, window_started_at=NOW - window * 2),
            LoginThrottle(
                key="locked",
                failures=9,
                window_started_at=NOW - window * 2,
                locked_until=NOW + timedelta(minutes=1),
            ),
            LoginThrottle(key="current", failures=1, window_started_at=NOW - window / 2),
        ]
    )
    await session.flush()

    counts = await run_round(sessionmaker, settings=settings, now=NOW)

    assert counts["login_failures"] == 1
    assert set((await session.scalars(sa.select(col(LoginThrottle.key)))).all()) == {
        "locked",
        "current",
    }


async def test_a_failing_job_is_logged_without_values_and_the_others_still_run(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(session: AsyncSession, **_: object) -> int:
        raise ValueError("secret value 1234567890123")

    session.add(_answer(uuid.uuid4(), "old", expires_at=NOW - timedelta(minutes=1)))
    await session.flush()

    counts = await run_round(
        sessionmaker, settings=settings, now=NOW, jobs=[Job("broken", broken), *JOBS]
    )

    assert counts["broken"] == -1
    assert counts["idempotency_keys"] == 1
    assert set(counts) == {
        "broken",
        "offers",
        "referrals",
        "idempotency_keys",
        "sessions",
        "login_failures",
        "webhooks",
    }
    logged = [f"{record.getMessage()} {getattr(record, 'event', '')}" for record in caplog.records]
    assert any("broken: ValueError" in line for line in logged)
    assert not any("1234567890123" in line for line in logged)


async def test_the_worker_reads_its_clock_each_round_and_stops_when_told(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    session.add(_answer(uuid.uuid4(), "tomorrow", expires_at=NOW + timedelta(days=1)))
    await session.flush()
    moments = iter([NOW, NOW + timedelta(days=2)])
    rounds: list[datetime] = []
    stop = asyncio.Event()

    def clock() -> datetime:
        moment = next(moments)
        rounds.append(moment)
        if len(rounds) == 2:
            stop.set()
        return moment

    settings = make_settings(jobs_interval_seconds=0.01)
    await asyncio.wait_for(run_worker(sessionmaker, settings=settings, stop=stop, clock=clock), 10)

    assert rounds == [NOW, NOW + timedelta(days=2)]
    assert await _count(session, IdempotencyRecord) == 0
