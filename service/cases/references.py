"""Human reference numbers: `OS-<Buddhist Era year>-<6 digits>`, one sequence per year.

Numbers are unique per year and may have gaps (a number taken by an intake that later fails
is skipped), never duplicates.

- PostgreSQL: one sequence, `case_reference_seq`, which never blocks and never hands out a value
  twice; `reference_counters` holds, per year, the sequence value at which that year started,
  written once by the year's first intake. The number is `nextval - base`, one statement per
  intake. Intakes therefore do not queue behind each other (no counter row is locked for the
  length of a transaction).
- SQLite runs writers one at a time, so there `reference_counters.last` is simply bumped by an
  atomic upsert inside the intake's transaction.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from service.platform.db import dialect_name
from service.thai.dates import buddhist_year

_SQLITE_NEXT = sa.text(
    "INSERT INTO reference_counters (year, last) VALUES (:year, 1) "
    "ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + 1 "
    "RETURNING last"
)
_PG_START_YEAR = sa.text(
    "INSERT INTO reference_counters (year, last) "
    "SELECT :year, CASE WHEN is_called THEN last_value ELSE last_value - 1 END "
    "FROM case_reference_seq ON CONFLICT (year) DO NOTHING"
)
# NULL until the year's first intake has written its base.
_PG_NEXT = sa.text(
    "SELECT nextval('case_reference_seq') "
    "- (SELECT last FROM reference_counters WHERE year = :year)"
)


def format_reference(year: int, number: int) -> str:
    return f"OS-{year}-{number:06d}"


async def next_reference(session: AsyncSession, *, now: datetime) -> str:
    """Hand out the next reference number of the current year."""
    year = buddhist_year(now)
    if dialect_name(session) != "postgresql":
        number = (await session.execute(_SQLITE_NEXT, {"year": year})).scalar_one()
        return format_reference(year, int(number))
    number = (await session.execute(_PG_NEXT, {"year": year})).scalar_one()
    if number is None:
        # The value just drawn is skipped: the year starts after it.
        await session.execute(_PG_START_YEAR, {"year": year})
        number = (await session.execute(_PG_NEXT, {"year": year})).scalar_one()
    return format_reference(year, int(number))
