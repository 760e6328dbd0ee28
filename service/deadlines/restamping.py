"""Due times brought up to the current rules after a policy or calendar change (SPEC §6).

Each case records the version of the rules its times were computed with
(`deadline_rules_version`); a process may stamp a new case with the rules it read up to a minute
before they changed, and cases from before due times were stored have no version. The worker
runs `restamp_cases` every round: it reads the rules afresh, claims the cases still counting
whose version differs through `ix_cases_counting_rules_version` (`FOR UPDATE SKIP LOCKED` on
PostgreSQL) and recomputes their times. Warnings and breaches already recorded stay.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.case import Case
from service.deadlines.alerts import claim_cases
from service.deadlines.policies import read_rules
from service.deadlines.stamping import facts_of, stamp
from service.platform.settings import Settings


def stale_query(version: int, *, batch: int) -> sa.Select[Any]:
    """Cases still counting whose times were computed under other rules, or none."""
    stamped = col(Case.deadline_rules_version)
    return (
        sa.select(Case)
        .where(
            col(Case.resolution_met_at).is_(None),
            sa.or_(stamped.is_(None), stamped < version, stamped > version),
        )
        .limit(batch)
    )


async def restamp_cases(
    session: AsyncSession, *, settings: Settings, now: datetime, batch: int
) -> int:
    """Recompute the times of up to `batch` cases stamped under other rules; returns how many."""
    rules = await read_rules(session, now=now)
    cases = await claim_cases(session, stale_query(rules.version, batch=batch))
    for case in cases:
        stamp(case, facts_of(case), rules)
    await session.flush()
    return len(cases)
