"""Human reference numbers: `OS-<Buddhist Era year>-<6 digits>`, one sequence per year.

The counter is bumped by a single atomic upsert. On PostgreSQL it runs in a short transaction
of its own, so intakes do not queue behind each other's row lock for their whole duration; a
number taken by an intake that later fails is simply skipped (gaps are tolerated, duplicates
never happen). SQLite serialises writers anyway, so there it runs in the request's transaction.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from service.db import dialect_name

BANGKOK = ZoneInfo("Asia/Bangkok")
BUDDHIST_ERA_OFFSET = 543

_NEXT = sa.text(
    "INSERT INTO reference_counters (year, last) VALUES (:year, 1) "
    "ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + 1 "
    "RETURNING last"
)


def buddhist_year(now: datetime) -> int:
    """The Buddhist Era year of `now` in Thailand."""
    return now.astimezone(BANGKOK).year + BUDDHIST_ERA_OFFSET


def format_reference(year: int, number: int) -> str:
    return f"OS-{year}-{number:06d}"


async def next_reference(session: AsyncSession, *, now: datetime) -> str:
    """Hand out the next reference number of the current year."""
    year = buddhist_year(now)
    if dialect_name(session) == "postgresql":
        bind = session.bind
        engine = bind.engine if isinstance(bind, AsyncConnection) else bind
        assert engine is not None
        async with engine.begin() as connection:
            number = (await connection.execute(_NEXT, {"year": year})).scalar_one()
    else:
        number = (await session.execute(_NEXT, {"year": year})).scalar_one()
    return format_reference(year, int(number))
