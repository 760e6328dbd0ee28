"""A case's due times as it is opened and moves: computed with this process's current rules
(`service.deadlines.policies.current_rules`, no statement while they are kept) and set on the
case row the caller holds; `service.deadlines.stamping` decides the values."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.case import Case
from models.enums import CaseStatus
from service.deadlines.policies import current_rules
from service.deadlines.stamping import ClockFacts, after_step, facts_of, stamp


async def stamp_new_case(session: AsyncSession, *, case: Case, now: datetime) -> None:
    """Set a new case's due times, before its row is inserted."""
    rules = await current_rules(session, now=now)
    stamp(case, ClockFacts(opened_at=case.created_at, urgency=case.urgency), rules)


async def stamp_step(
    session: AsyncSession, *, case: Case, before: CaseStatus, now: datetime
) -> None:
    """Set the due times of a case that has just moved from `before` (its new status, and any
    new urgency, already set on it)."""
    rules = await current_rules(session, now=now)
    stamp(case, after_step(facts_of(case), before=before, after=case.status, now=now), rules)
