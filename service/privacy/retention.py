"""Retention (PDPA, SPEC §8): closed cases past their retention period are anonymised by the
worker, in batches, each once.

The period follows the closure reason (`Settings.retention_for`). The job reads the closed
cases not yet anonymised whose closure is older than the longest cut-off through
`ix_cases_retention_closed_at`, oldest first, keeps those whose own reason's period has ended,
and anonymises each (`anonymise_case`: personal fields cleared, statistics' columns kept, an
`anonymised` event with the reason `retention`). On PostgreSQL the rows are claimed with
`FOR UPDATE SKIP LOCKED`, so two workers never take the same case.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.case import Case
from models.enums import ClosureReason
from service.platform.db import dialect_name
from service.platform.settings import Settings
from service.privacy.anonymise import anonymise_case

RETENTION_REASON = "retention"


def cut_offs(settings: Settings, now: datetime) -> dict[ClosureReason | None, datetime]:
    """For each closure reason, the closure time before which a case is anonymised (pure)."""
    reasons: list[ClosureReason | None] = [*ClosureReason, None]
    return {reason: now - timedelta(days=settings.retention_for(reason)) for reason in reasons}


def expired_query(settings: Settings, *, now: datetime, batch: int) -> sa.Select[uuid.UUID]:
    """Closed cases not yet anonymised whose retention period has ended, oldest closure first."""
    limits = cut_offs(settings, now)
    closed_at = col(Case.closed_at)
    reason = col(Case.closure_reason)
    ended = sa.or_(
        *(
            sa.and_(reason.is_(None) if key is None else reason == key, closed_at < cut_off)
            for key, cut_off in limits.items()
        )
    )
    return (
        sa.select(col(Case.id))
        .where(
            closed_at.is_not(None),
            col(Case.anonymised_at).is_(None),
            closed_at < max(limits.values()),
            ended,
        )
        .order_by(closed_at, col(Case.id))
        .limit(batch)
    )


async def anonymise_expired_cases(
    session: AsyncSession, *, settings: Settings, now: datetime, batch: int
) -> int:
    """Anonymise up to `batch` closed cases past their retention period; returns how many."""
    query = expired_query(settings, now=now, batch=batch)
    if dialect_name(session) == "postgresql":
        query = query.with_for_update(skip_locked=True)
    case_ids = list((await session.scalars(query)).all())
    for case_id in case_ids:
        await anonymise_case(
            session,
            secret=settings.data_key,
            case_id=case_id,
            actor_id=None,
            now=now,
            reason=RETENTION_REASON,
        )
    return len(case_ids)
