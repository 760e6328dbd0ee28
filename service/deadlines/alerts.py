"""Warnings at 75 % of a deadline's time and breaches at 100 % (SPEC §6), each recorded once.

The worker (`service.worker.jobs`) runs `record_breaches` then `record_warnings` every round.
Each claims the cases due through the partial indexes `ix_cases_{kind}_to_breach` and
`ix_cases_{kind}_to_warn` with `FOR UPDATE SKIP LOCKED` (PostgreSQL), so two workers never
record one twice, and a step taken on the case at that moment waits for the claim or is
skipped by it. Each appends one `sla_breached` or `sla_at_risk` event to the case's chain
(which deadline, its due time, by how much) and stamps `*_breached_at` / `*_warned_at`.

Decisions written down:
- A deadline found already past due has its breach recorded and no warning after it: the
  breach stamps the warning too (`*_warned_at`), so the warning job leaves it.
- A critical case whose first response is breached is escalated to supervisors, as a case is
  after too many failed offers (`service.routing.follow_up`): an `escalated` event and
  `escalated_at` in its routing state, once; it then shows in the escalated queue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models.case import Case
from models.case_deadlines import DeadlineKind
from models.enums import CaseEventType, Urgency
from service.cases.events import append_event
from service.platform.db import dialect_name
from service.platform.settings import Settings
from service.routing.follow_up import escalate

KINDS = tuple(DeadlineKind)
CaseQuery = sa.Select[Any]


def _column(kind: DeadlineKind, stamp: str) -> Any:
    return getattr(Case, f"{kind.value}_{stamp}")


def to_breach_query(kind: DeadlineKind, *, now: datetime, batch: int) -> CaseQuery:
    """The cases whose `kind` deadline has passed and whose breach is not yet recorded."""
    due = _column(kind, "due_at")
    return (
        sa.select(Case)
        .where(
            _column(kind, "met_at").is_(None),
            _column(kind, "breached_at").is_(None),
            due <= now,
        )
        .order_by(due)
        .limit(batch)
    )


def to_warn_query(kind: DeadlineKind, *, now: datetime, batch: int) -> CaseQuery:
    """The cases whose `kind` deadline has passed its warning and is not yet warned about."""
    warn = _column(kind, "warn_at")
    return (
        sa.select(Case)
        .where(
            _column(kind, "met_at").is_(None),
            _column(kind, "warned_at").is_(None),
            warn <= now,
        )
        .order_by(warn)
        .limit(batch)
    )


def claiming(session: AsyncSession, query: CaseQuery) -> CaseQuery:
    """`query` locking its rows and skipping those another worker holds (PostgreSQL; on SQLite
    the server runs the jobs alone)."""
    if dialect_name(session) == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


async def claim_cases(session: AsyncSession, query: CaseQuery) -> Sequence[Case]:
    """The cases of `query`, claimed (`claiming`)."""
    result = await session.scalars(
        claiming(session, query).execution_options(populate_existing=True)
    )
    return result.all()


async def _record_each(
    session: AsyncSession,
    query_of: Callable[..., CaseQuery],
    record: Callable[[Case, DeadlineKind], Awaitable[None]],
    *,
    now: datetime,
    batch: int,
) -> int:
    """Claim up to `batch` due deadlines, first responses first, and record each."""
    recorded = 0
    for kind in KINDS:
        if recorded >= batch:
            break
        # A case claimed for both kinds is read again: what its first record changed (its
        # event chain) must be written before the read replaces it.
        await session.flush()
        for case in await claim_cases(session, query_of(kind, now=now, batch=batch - recorded)):
            await record(case, kind)
            recorded += 1
    await session.flush()
    return recorded


async def record_breaches(
    session: AsyncSession, *, settings: Settings, now: datetime, batch: int
) -> int:
    """Record each deadline past due once; returns how many were recorded."""

    async def record(case: Case, kind: DeadlineKind) -> None:
        await _breach(session, settings=settings, case=case, kind=kind, now=now)

    return await _record_each(session, to_breach_query, record, now=now, batch=batch)


async def record_warnings(
    session: AsyncSession, *, settings: Settings, now: datetime, batch: int
) -> int:
    """Record each deadline past its warning once; returns how many were recorded."""

    async def record(case: Case, kind: DeadlineKind) -> None:
        due_at: datetime = getattr(case, f"{kind.value}_due_at")
        setattr(case, f"{kind.value}_warned_at", now)
        await append_event(
            session,
            secret=settings.data_key,
            case=case,
            type_=CaseEventType.sla_at_risk,
            actor_id=None,
            now=now,
            data={
                "deadline": kind.value,
                "due_at": due_at.isoformat(),
                "seconds_left": int((due_at - now).total_seconds()),
            },
        )

    return await _record_each(session, to_warn_query, record, now=now, batch=batch)


async def _breach(
    session: AsyncSession, *, settings: Settings, case: Case, kind: DeadlineKind, now: datetime
) -> None:
    due_at: datetime = getattr(case, f"{kind.value}_due_at")
    setattr(case, f"{kind.value}_breached_at", now)
    if getattr(case, f"{kind.value}_warned_at") is None:
        setattr(case, f"{kind.value}_warned_at", now)
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.sla_breached,
        actor_id=None,
        now=now,
        data={
            "deadline": kind.value,
            "due_at": due_at.isoformat(),
            "seconds_overdue": int((now - due_at).total_seconds()),
        },
    )
    if kind is DeadlineKind.first_response and case.urgency is Urgency.critical:
        await escalate(session, settings=settings, case=case, now=now, why={"deadline": kind.value})
