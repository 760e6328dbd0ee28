"""Every work queue reads its tables through an index (PostgreSQL).

The module seeds 50,000 cases with the benchmark's generators (`bench.seed_cases` for the
cases, `bench.seed_queues` for their offers, referrals, escalations and helper profiles)
inside one transaction rolled back at the end, analyses the tables, and asks PostgreSQL for the
plan of each queue query as the service builds it, first page and page after its cursor, with
no planner setting changed. At this size the planner weighs an index walk against reading the
whole table, so a missing index shows up as a Seq Scan, and each queue is seen to walk the
partial index made for it. The workload queue reads helpers, not cases: 5,000 idle helpers
are added so that walking the profiles by load is the planner's choice too.
`bench/explain_cases.py` measures the same queries on a million cases.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from bench.explain_cases import Plan, QueueScenario, explain, queue_scenarios
from bench.seed_cases import seed_cases
from bench.seed_queues import seed_queues
from service.platform.db import is_sqlite
from tests.conftest import DATABASE_URL

pytestmark = pytest.mark.skipif(
    is_sqlite(DATABASE_URL),
    reason="query plans are PostgreSQL's (production); SQLite has no comparable planner",
)

ANALYSED = (
    "cases",
    "case_categories",
    "case_events",
    "users",
    "offers",
    "referrals",
    "case_routing",
    "helper_profiles",
    "organizations",
    "services",
)
QUEUE_TABLES = frozenset({"cases", "offers", "referrals", "case_routing", "helper_profiles"})
# Escalations are a few per cent of cases: hashing all of them (a Seq Scan of `case_routing`)
# against the open cases is a choice the planner may make; cases, offers and referrals grow
# with every case and are never read whole.
NEVER_READ_WHOLE = frozenset({"cases", "offers", "referrals"})

# A center's helpers, most of them leading nothing now: the workload queue reads helpers, and
# at this number a walk of the profiles by load beats reading them all.
IDLE_HELPERS = (
    """INSERT INTO users (id, username, display_name, role, password_hash, is_active,
           token_version, password_changed_at, created_at, updated_at)
       SELECT md5('idle-helper-' || n)::uuid, 'idle.helper.' || n, 'Helper ' || n,
              'volunteer', '!', true, 0, now(), now(), now()
       FROM generate_series(1, 5000) AS n""",
    """INSERT INTO helper_profiles (user_id, skills, languages, capacity, available,
           created_at, updated_at)
       SELECT md5('idle-helper-' || n)::uuid, '[]', '["th"]', 5, true, now(), now()
       FROM generate_series(1, 5000) AS n""",
    "ANALYZE users",
    "ANALYZE helper_profiles",
)


@dataclass
class Seeded:
    connection: AsyncConnection
    session: AsyncSession
    queues: dict[str, QueueScenario]


@pytest.fixture(scope="module")
async def seeded(engine: AsyncEngine) -> AsyncIterator[Seeded]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            await seed_cases(connection, cases=50_000, users=120)
            await seed_queues(connection)
            for statement in IDLE_HELPERS:
                await connection.execute(sa.text(statement))
            await connection.execute(sa.text("ANALYZE cases"))
            queues = {queue.name: queue for queue in await queue_scenarios(connection)}
            session = AsyncSession(bind=connection, expire_on_commit=False)
            yield Seeded(connection, session, queues)
            await session.close()
        finally:
            await transaction.rollback()
    # The rolled-back rows still fill pages, and ANALYZE wrote its counts in place: clean and
    # count again, so later tests are planned for the tables as they are.
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(sa.text(f"VACUUM (ANALYZE) {', '.join(ANALYSED)}"))


def _problems(plan: Plan) -> list[str]:
    nodes = list(plan.root.walk())
    problems = sorted(
        f"Seq Scan on {node.relation}"
        for node in nodes
        if node.node == "Seq Scan" and node.relation in NEVER_READ_WHOLE
    )
    if not any(
        node.node in ("Index Scan", "Index Only Scan", "Bitmap Heap Scan")
        and node.relation in QUEUE_TABLES
        for node in nodes
    ):
        problems.append("no index read")
    return problems


async def test_the_seed_fills_every_queue(seeded: Seeded) -> None:
    assert len(seeded.queues) == 10
    for name, queue in seeded.queues.items():
        page = await queue.page(seeded.session, None)
        assert page.items, f"{name}: the seeded data should fill this queue"


@pytest.mark.parametrize(
    "name",
    [
        "unassigned",
        "unassigned, volunteer",
        "offers",
        "offers, volunteer",
        "referrals",
        "referrals, one agency",
        "workload",
        "workload, volunteer",
        "escalated",
        "escalated, volunteer",
    ],
)
async def test_each_queue_reads_through_an_index(seeded: Seeded, name: str) -> None:
    queue = seeded.queues[name]
    first = await queue.page(seeded.session, None)
    problems = {}
    for page, cursor in (("first page", None), ("after cursor", first.next_cursor)):
        if page == "after cursor" and cursor is None:
            continue
        plan = await explain(seeded.connection, queue.query(cursor))
        if found := _problems(plan):
            problems[page] = f"{found}: {plan.summary()}"
    assert problems == {}


@pytest.mark.parametrize(
    ("name", "index"),
    [
        ("unassigned", "ix_cases_unassigned"),
        ("offers", "ix_offers_pending_created_at"),
        ("referrals", "ix_referrals_requested_created_at"),
        ("referrals, one agency", "ix_referrals_requested_organization_id_created_at"),
        ("workload", "ix_helper_profiles_load_ratio_user_id"),
    ],
)
async def test_a_queue_walks_its_own_partial_index(seeded: Seeded, name: str, index: str) -> None:
    # Not only some index: the one holding just the queue's rows, in the queue's order.
    plan = await explain(seeded.connection, seeded.queues[name].query(None))
    assert index in {node.index for node in plan.root.walk()}, plan.summary()


@pytest.mark.parametrize("page", ["first page", "after cursor"])
async def test_the_workload_stops_after_its_page(seeded: Seeded, page: str) -> None:
    # Stored figures: a walk of the profiles by load that stops after the page, whatever the
    # number of cases, with nothing counted or sorted.
    queue = seeded.queues["workload"]
    cursor = None if page == "first page" else (await queue.page(seeded.session, None)).next_cursor
    assert page == "first page" or cursor is not None
    plan = await explain(seeded.connection, queue.query(cursor))
    nodes = list(plan.root.walk())
    assert plan.root.node == "Limit", plan.summary()
    assert not {"Sort", "Aggregate", "HashAggregate"} & {node.node for node in nodes}, (
        plan.summary()
    )
    assert {node.relation for node in nodes if node.relation} == {"helper_profiles", "users"}
    walk = [node for node in nodes if node.index == "ix_helper_profiles_load_ratio_user_id"]
    assert walk and walk[0].rows <= 101, plan.summary()
