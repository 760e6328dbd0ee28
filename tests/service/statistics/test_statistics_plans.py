"""The statistics of a month read the month's cases through the `created_at` index
(PostgreSQL).

50,000 cases from the benchmark's generator (`bench.seed_cases`) are seeded in a transaction
rolled back at the end; `read_statistics` runs once with auto_explain on, and every statement
that reads `cases` or `case_categories` must do so through an index. `bench/explain_stats.py`
does the same on a million cases, with timings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from bench.explain_cases import enable_auto_explain
from bench.explain_stats import AllPlans
from bench.seed_cases import seed_cases
from models.base import utcnow
from models.enums import Role
from models.user import User
from service.platform.db import is_sqlite
from service.statistics.report import read_statistics
from service.thai.dates import BANGKOK
from tests.conftest import DATABASE_URL

pytestmark = pytest.mark.skipif(
    is_sqlite(DATABASE_URL),
    reason="query plans are PostgreSQL's (production); SQLite has no comparable planner",
)


@pytest.fixture(scope="module")
async def seeded(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            await seed_cases(connection, cases=50_000, users=60)
            yield connection
        finally:
            await transaction.rollback()


async def test_a_month_of_statistics_reads_through_indexes(seeded: AsyncConnection) -> None:
    capture = AllPlans()
    await enable_auto_explain(seeded, capture)
    raw = (await seeded.get_raw_connection()).driver_connection
    newest = (await seeded.execute(sa.text("SELECT max(created_at) FROM cases"))).scalar_one()
    last = newest.astimezone(BANGKOK).date()
    supervisor = User(username="plans", display_name="", role=Role.supervisor, password_hash="")
    session = AsyncSession(bind=seeded, expire_on_commit=False)
    await raw.execute("SET auto_explain.log_min_duration = 0")
    try:
        stats = await read_statistics(
            session, user=supervisor, first=last - timedelta(days=29), last=last, now=utcnow()
        )
    finally:
        await raw.execute("SET auto_explain.log_min_duration = -1")
    assert stats.cases > 0
    reading_cases = [
        (query, plan)
        for query, plan in zip(capture.queries, capture.plans, strict=True)
        if "FROM cases" in query or "FROM case_categories" in query
    ]
    assert len(reading_cases) >= 8
    problems = {query: plan.summary() for query, plan in reading_cases if plan.seq_scans()}
    assert problems == {}
