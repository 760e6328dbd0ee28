"""The background jobs: what each finds due and does, one batch per transaction.

A job is an async function `(session, *, settings, now, batch) -> int` that handles at most
`batch` due items and returns how many it handled; the runner calls it again while it returns a
full batch. On PostgreSQL a job claims its rows with `FOR UPDATE SKIP LOCKED`, so several
workers (the one inside each `onestop serve` process and any `onestop worker`) never handle the
same row twice; on SQLite a writing transaction holds the database's write lock, which
serialises them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import GenerativeSelect
from sqlmodel import col

from models.case import IdempotencyRecord
from models.user import LoginThrottle, RefreshFamily, RefreshToken
from service.deadlines.alerts import record_breaches, record_warnings
from service.deadlines.restamping import restamp_cases
from service.platform.db import dialect_name
from service.platform.settings import Settings
from service.privacy.breach_alerts import announce_breaches
from service.privacy.retention import anonymise_expired_cases
from service.routing.follow_up import expire_offers
from service.routing.referral_deadlines import flag_overdue_referrals
from service.webhooks.delivery import deliver_webhooks

JobFunction = Callable[..., Awaitable[int]]
SelectT = TypeVar("SelectT", bound=GenerativeSelect)


@dataclass(frozen=True, slots=True)
class Job:
    """A named job; `run(session, *, settings, now, batch)` returns how many items it handled."""

    name: str
    run: JobFunction
    # False: `run(sessionmaker, *, settings, now, batch)` opens its own short transactions (a
    # job that waits on the network between them).
    in_one_transaction: bool = True


def claim(statement: SelectT, session: AsyncSession) -> SelectT:
    """`statement` locking what it selects and skipping what another worker holds (PostgreSQL)."""
    if dialect_name(session) == "postgresql":
        return statement.with_for_update(skip_locked=True)
    return statement


async def forget_expired_idempotency_keys(
    session: AsyncSession, *, settings: Settings, now: datetime, batch: int
) -> int:
    """Delete stored answers of Idempotency-Keys past their lifetime (SPEC §4: at least 24 h)."""
    due = claim(
        sa.select(col(IdempotencyRecord.owner_id), col(IdempotencyRecord.key))
        .where(col(IdempotencyRecord.expires_at) < now)
        .order_by(col(IdempotencyRecord.expires_at))
        .limit(batch),
        session,
    )
    rows = [tuple(row) for row in (await session.execute(due)).all()]
    if rows:
        pair = sa.tuple_(col(IdempotencyRecord.owner_id), col(IdempotencyRecord.key))
        await session.execute(sa.delete(IdempotencyRecord).where(pair.in_(rows)))
    return len(rows)


async def forget_ended_sessions(
    session: AsyncSession, *, settings: Settings, now: datetime, batch: int
) -> int:
    """Delete login sessions whose every refresh token has expired, with their tokens.

    A revoked session is kept until its tokens expire too: a revoked token presented again must
    still be recognised as reused until then.
    """
    last_expiry = (
        sa.select(sa.func.max(col(RefreshToken.expires_at)))
        .where(col(RefreshToken.family_id) == col(RefreshFamily.id))
        .scalar_subquery()
    )
    stale_before = now - timedelta(days=settings.refresh_token_days)
    due = claim(
        sa.select(col(RefreshFamily.id))
        .where(
            col(RefreshFamily.created_at) < stale_before,
            sa.or_(last_expiry.is_(None), last_expiry < now),
        )
        .order_by(col(RefreshFamily.created_at))
        .limit(batch),
        session,
    )
    ids = list((await session.scalars(due)).all())
    if ids:
        await session.execute(sa.delete(RefreshToken).where(col(RefreshToken.family_id).in_(ids)))
        await session.execute(sa.delete(RefreshFamily).where(col(RefreshFamily.id).in_(ids)))
    return len(ids)


async def forget_old_login_failures(
    session: AsyncSession, *, settings: Settings, now: datetime, batch: int
) -> int:
    """Delete failed-login counters whose window and lockout have both passed."""
    window_ended = now - timedelta(seconds=settings.login_failure_window_seconds)
    due = claim(
        sa.select(col(LoginThrottle.key))
        .where(
            col(LoginThrottle.window_started_at) < window_ended,
            sa.or_(
                col(LoginThrottle.locked_until).is_(None), col(LoginThrottle.locked_until) < now
            ),
        )
        .limit(batch),
        session,
    )
    keys = list((await session.scalars(due)).all())
    if keys:
        await session.execute(sa.delete(LoginThrottle).where(col(LoginThrottle.key).in_(keys)))
    return len(keys)


JOBS: tuple[Job, ...] = (
    Job("offers", expire_offers),
    Job("referrals", flag_overdue_referrals),
    Job("deadline_times", restamp_cases),
    Job("deadline_breaches", record_breaches),
    Job("deadline_warnings", record_warnings),
    Job("breach_notices", announce_breaches),
    Job("idempotency_keys", forget_expired_idempotency_keys),
    Job("sessions", forget_ended_sessions),
    Job("login_failures", forget_old_login_failures),
    Job("webhooks", deliver_webhooks, in_one_transaction=False),
    Job("retention", anonymise_expired_cases),
)
