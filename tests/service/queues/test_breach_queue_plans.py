"""The breach queue reads the partial index of open breaches, not the register (PostgreSQL).

Twenty thousand closed breaches and a few open ones are written inside a transaction rolled
back at the end, the register is analysed, and PostgreSQL is asked for the plan of the queue's
query as the service builds it, first page and page after a cursor, with no planner setting
changed. At this size reading the whole register would show up as a Seq Scan.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bench.explain_cases import explain
from models.base import utcnow
from service.platform.db import is_sqlite
from service.platform.pagination import encode_time_id_cursor
from service.queues.breaches import due_breaches_query
from tests.conftest import DATABASE_URL

pytestmark = pytest.mark.skipif(
    is_sqlite(DATABASE_URL),
    reason="query plans are PostgreSQL's (production); SQLite has no comparable planner",
)

SEED = """
WITH recorder AS (
    INSERT INTO users (id, username, display_name, role, password_hash, is_active,
        password_changed_at, created_at, updated_at, token_version)
    VALUES (gen_random_uuid(), 'plan.breaches', 'Plan', 'supervisor', '', true, now(), now(),
        now(), 1)
    RETURNING id
)
INSERT INTO privacy_breaches (id, detected_at, notify_due_at, description, data_categories,
    vulnerable_subjects, risk, risk_assessment, regulator_notified_at, closed_at,
    recorded_by_id, created_at, updated_at, version)
SELECT gen_random_uuid(), now() - n * interval '1 hour', now() - n * interval '1 hour'
       + interval '72 hours', 'x', '["contact"]', '[]', 'risk', 'x',
       CASE WHEN n NOT BETWEEN 50 AND 54 THEN now() END,
       CASE WHEN n NOT BETWEEN 50 AND 54 THEN now() END,
       recorder.id, now(), now(), 1
FROM generate_series(1, 20000) AS n CROSS JOIN recorder
"""


@pytest.fixture(scope="module")
async def seeded(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            await connection.execute(sa.text(SEED))
            await connection.execute(sa.text("ANALYZE privacy_breaches"))
            yield connection
        finally:
            await transaction.rollback()
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(sa.text("VACUUM (ANALYZE) privacy_breaches, users"))


async def test_the_breach_queue_walks_the_open_breaches_index(seeded: AsyncConnection) -> None:
    now = utcnow()
    first = (await seeded.execute(due_breaches_query(now=now, limit=10, cursor=None))).all()
    assert len(first) == 5  # the five open ones, due within 24 hours
    second = first[1]
    cursor = encode_time_id_cursor(second.notify_due_at, second.id)
    assert (
        len((await seeded.execute(due_breaches_query(now=now, limit=10, cursor=cursor))).all()) == 3
    )
    for page in (None, cursor):
        plan = await explain(seeded, due_breaches_query(now=now, limit=2, cursor=page))
        nodes = list(plan.root.walk())
        assert "ix_privacy_breaches_open_due" in {node.index for node in nodes}, plan.summary()
        assert not any(node.node == "Seq Scan" for node in nodes), plan.summary()
