"""Retention (PDPA, SPEC §8): closed cases past their retention period are anonymised by the
worker, in batches, each once.

The period follows the closure reason (`Settings.retention_for`). The job walks
`ix_cases_retention_reason_closed_at` (closed cases not yet anonymised, by reason, then closure
time) once per reason, each walk stopping at that reason's own cut-off, and takes the oldest
closures of all; so a run where nothing is due reads nothing, however many cases wait within a
longer period. (Walking the closure times alone up to the latest cut-off read, at 1,000,000
cases, every case closed between one and five years ago, every five seconds.) Each is
anonymised (`anonymise_case`: personal fields cleared, statistics' columns kept, an
`anonymised` event with the reason `retention`). On PostgreSQL the cases found are then claimed
with `FOR UPDATE SKIP LOCKED` (a row another worker anonymised meanwhile no longer matches once
locked), so two workers never take the same case.
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
    """Closed cases not yet anonymised whose retention period has ended, oldest closure first:
    one walk of the index per closure reason, bounded by that reason's cut-off, merged."""
    closed_at = col(Case.closed_at)
    reason = col(Case.closure_reason)
    walks = [
        sa.select(col(Case.id).label("id"), closed_at.label("closed_at"))
        .where(
            closed_at.is_not(None),
            col(Case.anonymised_at).is_(None),
            reason.is_(None) if key is None else reason == key,
            closed_at < cut_off,
        )
        .order_by(closed_at, col(Case.id))
        .limit(batch)
        .subquery()
        for key, cut_off in cut_offs(settings, now).items()
    ]
    due = sa.union_all(*(sa.select(walk.c.id, walk.c.closed_at) for walk in walks)).subquery()
    return sa.select(due.c.id).order_by(due.c.closed_at, due.c.id).limit(batch)


def _claim(case_ids: list[uuid.UUID]) -> sa.Select[uuid.UUID]:
    """The found cases still waiting, locked for this transaction; those another worker holds
    are skipped."""
    return (
        sa.select(col(Case.id))
        .where(col(Case.id).in_(case_ids), col(Case.anonymised_at).is_(None))
        .order_by(col(Case.closed_at), col(Case.id))
        .with_for_update(skip_locked=True)
    )


async def anonymise_expired_cases(
    session: AsyncSession, *, settings: Settings, now: datetime, batch: int
) -> int:
    """Anonymise up to `batch` closed cases past their retention period; returns how many."""
    case_ids = list((await session.scalars(expired_query(settings, now=now, batch=batch))).all())
    if case_ids and dialect_name(session) == "postgresql":
        case_ids = list((await session.scalars(_claim(case_ids))).all())
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
