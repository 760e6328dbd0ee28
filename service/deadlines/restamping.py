"""Due times brought up to the current rules after a policy or calendar change (SPEC §6).

Each case records the version of the rules its times were computed with
(`deadline_rules_version`); a process may stamp a new case with the rules it read up to a minute
before they changed, and cases from before due times were stored have no version. The worker
runs `restamp_cases` every round: it reads the rules afresh, claims the cases still counting
whose version differs through `ix_cases_counting_rules_version` (`FOR UPDATE SKIP LOCKED` on
PostgreSQL) and recomputes their times. Warnings and breaches already recorded stay.

A change of the rules restamps every case still counting, a large share of all cases at once,
so the job reads only the columns the clock follows from (`CLOCK_COLUMNS`), never a whole case
with its personal fields, and writes a batch's times back in one executemany UPDATE by id.
Restamping does not make a new version of the case (its ETag): the times follow from the
rules, nobody edited the case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.case import Case
from service.deadlines.alerts import claiming
from service.deadlines.policies import read_rules
from service.deadlines.stamping import deadline_columns, facts_of
from service.platform.settings import Settings

# What `facts_of` reads: the clock facts and, for a case never stamped, its lifecycle times.
CLOCK_COLUMNS = tuple(
    col(getattr(Case, name))
    for name in (
        "id",
        "created_at",
        "urgency",
        "status",
        "updated_at",
        "screened_at",
        "resolved_at",
        "closed_at",
        "deadline_rules_version",
        "first_response_met_at",
        "resolution_met_at",
        "clock_paused_at",
        "clock_pauses",
    )
)


def stale_query(version: int, *, batch: int) -> sa.Select[Any]:
    """Cases still counting whose times were computed under other rules, or none."""
    stamped = col(Case.deadline_rules_version)
    return (
        sa.select(*CLOCK_COLUMNS)
        .where(
            col(Case.resolution_met_at).is_(None),
            sa.or_(stamped.is_(None), stamped < version, stamped > version),
        )
        .limit(batch)
    )


def _restamp_statement(names: list[str]) -> sa.Update:
    table = Case.__table__  # type: ignore[attr-defined]
    return (
        sa.update(table)
        .where(table.c.id == sa.bindparam("case_id"))
        .values({name: sa.bindparam(name) for name in names})
    )


async def restamp_cases(
    session: AsyncSession, *, settings: Settings, now: datetime, batch: int
) -> int:
    """Recompute the times of up to `batch` cases stamped under other rules; returns how many."""
    rules = await read_rules(session, now=now)
    rows = (await session.execute(claiming(session, stale_query(rules.version, batch=batch)))).all()
    if not rows:
        return 0
    stamped = [{"case_id": row.id, **deadline_columns(facts_of(row), rules)} for row in rows]
    names = [name for name in stamped[0] if name != "case_id"]
    await session.execute(_restamp_statement(names), stamped)
    return len(rows)
