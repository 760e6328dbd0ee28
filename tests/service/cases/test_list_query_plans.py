"""Every filter combination of the case list reads cases through an index (PostgreSQL).

The module seeds 50,000 cases with the benchmark's generator (`bench.seed_cases`: statuses
skewed to closed, weighted provinces and categories, busy and quiet users) inside one
transaction that is rolled back at the end, analyses the tables, and asks PostgreSQL for the
plan of each list query as `build_case_list_query` builds it, for the first page and for the
page after its cursor, with the settings `list_cases` gives the query. At this size the planner
already weighs an index walk against reading the whole table, so a query shape or a missing
index that would scan a million cases shows up here as a Seq Scan. `bench/explain_cases.py`
measures the same queries on a million cases.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from bench.explain_cases import (
    LIMIT,
    Plan,
    Samples,
    Scenario,
    explain,
    pick_samples,
    scenario_names,
    scenarios,
)
from bench.seed_cases import seed_cases
from models.case import Case
from models.enums import Role
from models.user import User
from service.cases.listing import CaseFilters, build_case_list_query, list_cases
from service.platform.crypto import id_number_hashes
from service.platform.db import is_sqlite
from tests.conftest import DATABASE_URL

pytestmark = pytest.mark.skipif(
    is_sqlite(DATABASE_URL),
    reason="query plans are PostgreSQL's (production); SQLite has no comparable planner",
)

SEEDED_CASES = 50_000
SEEDED_USERS = 120
INDEXED_TABLES = ("cases", "case_categories")


@dataclass
class Seeded:
    connection: AsyncConnection
    session: AsyncSession
    samples: Samples


@pytest.fixture(scope="module")
async def seeded(engine: AsyncEngine) -> AsyncIterator[Seeded]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(bind=connection, expire_on_commit=False)
        try:
            summary = await seed_cases(connection, cases=SEEDED_CASES, users=SEEDED_USERS)
            assert summary.cases == SEEDED_CASES
            yield Seeded(connection, session, await pick_samples(connection))
        finally:
            await session.close()
            await transaction.rollback()


def _scenario(seeded: Seeded, name: str) -> Scenario:
    return next(s for s in scenarios(seeded.samples) if s.name == name)


def _problems(plan: Plan) -> list[str]:
    problems = [f"Seq Scan on {table}" for table in plan.seq_scans()]
    indexed = {
        node.relation
        for node in plan.root.walk()
        if node.node in ("Index Scan", "Index Only Scan", "Bitmap Heap Scan")
    }
    if not indexed & set(INDEXED_TABLES):
        problems.append("no index read on cases or case_categories")
    return problems


async def test_the_seed_looks_like_the_center(seeded: Seeded) -> None:
    counts: dict[str, int] = dict(
        (
            await seeded.connection.execute(
                sa.text("SELECT status, count(*) FROM cases GROUP BY status")
            )
        ).all()
    )
    assert sum(counts.values()) == SEEDED_CASES
    assert counts["closed"] > 0.8 * SEEDED_CASES
    assert counts.get("new", 0) > 0
    spread = (
        await seeded.connection.execute(
            sa.text(
                "SELECT count(DISTINCT province_code), count(DISTINCT created_by_id), "
                "min((SELECT count(*) FROM case_categories cc WHERE cc.case_id = c.id)), "
                "max((SELECT count(*) FROM case_categories cc WHERE cc.case_id = c.id)) "
                "FROM cases c"
            )
        )
    ).one()
    assert spread == (77, SEEDED_USERS, 1, 3)


@pytest.mark.parametrize("name", scenario_names())
async def test_each_filter_combination_reads_through_an_index(seeded: Seeded, name: str) -> None:
    scenario = _scenario(seeded, name)
    # The real call first: it applies the list's planner settings to the transaction and
    # gives the cursor of the next page.
    first = await list_cases(
        seeded.session, user=scenario.user, filters=scenario.filters, limit=LIMIT, cursor=None
    )
    assert first.items, f"{name}: the seeded data should match this filter"
    problems = {}
    for page, cursor in (("first page", None), ("after cursor", first.next_cursor)):
        if page == "after cursor" and cursor is None:
            continue
        query = build_case_list_query(
            user=scenario.user, filters=scenario.filters, limit=LIMIT, cursor=cursor
        )
        assert query is not None
        plan = await explain(seeded.connection, query)
        if found := _problems(plan):
            problems[page] = f"{found}: {plan.summary()}"
    assert problems == {}


@pytest.mark.parametrize(
    ("name", "index", "not_read"),
    [
        ("busiest volunteer lead=me", "ix_cases_lead_created_at", "ix_cases_created_by_created_at"),
        (
            "busiest volunteer reporter=me",
            "ix_cases_created_by_created_at",
            "ix_cases_lead_created_at",
        ),
    ],
)
async def test_a_volunteer_filtering_their_own_cases_walks_that_filter_s_index_alone(
    seeded: Seeded, name: str, index: str, not_read: str
) -> None:
    # Merged with the other half of "my cases", `lead=me` would read every case the volunteer
    # ever reported to find the few they lead.
    scenario = _scenario(seeded, name)
    query = build_case_list_query(
        user=scenario.user, filters=scenario.filters, limit=LIMIT, cursor=None
    )
    assert query is not None
    plan = await explain(seeded.connection, query)
    read = {node.index for node in plan.root.walk() if node.index}
    assert index in read and not_read not in read, plan.summary()


@pytest.mark.parametrize("role", [Role.caseworker, Role.supervisor])
async def test_a_common_name_is_searched_in_the_newest_first_index_alone(
    seeded: Seeded, role: Role
) -> None:
    """The page's ids come from walking the newest-first index, whose entries carry the name
    keys and the restriction time (which a caseworker's search checks): the walk checks names
    without reading a case (an index-only scan), and only the page's cases are read, by
    primary key. "สม" starts about a tenth of the seeded names, as the most common first
    name's ~26,000 of 1,000,000 cases do at that size (`docs/performance.md`); a name matching
    a few hundred cases is read through the name indexes instead."""
    caller = User(id=uuid.uuid4(), username="plan", display_name="plan", role=role)
    query = build_case_list_query(
        user=caller, filters=CaseFilters(q="สม"), limit=LIMIT, cursor=None
    )
    assert query is not None
    plan = await explain(seeded.connection, query)
    walks = [node for node in plan.root.walk() if node.index == "ix_cases_created_at_id"]
    assert [node.node for node in walks] == ["Index Only Scan"], plan.summary()


@pytest.mark.parametrize(
    ("name", "index"),
    [
        ("district=median", "ix_cases_district_created_at"),
        ("category=human_trafficking", "ix_case_categories_category_created_at"),
    ],
)
async def test_without_its_index_the_filter_would_read_a_whole_table(
    seeded: Seeded, name: str, index: str
) -> None:
    # At this size the planner does scan a table when the index it needs is missing, so the
    # checks above are not passing merely because the tables are small.
    scenario = _scenario(seeded, name)
    query = build_case_list_query(
        user=scenario.user, filters=scenario.filters, limit=LIMIT, cursor=None
    )
    assert query is not None
    savepoint = await seeded.connection.begin_nested()
    try:
        await seeded.connection.execute(sa.text(f"DROP INDEX {index}"))
        plan = await explain(seeded.connection, query)
    finally:
        await savepoint.rollback()
    assert plan.seq_scans() != [], plan.summary()


async def test_a_person_is_found_by_id_number_and_phone_through_an_index(seeded: Seeded) -> None:
    """`q` as a Thai id number reads the keyed-hash index, as a phone the phone index."""
    secret = "plan-test-data-key-" + "x" * 32
    number, phone = "1101700230708", "+66812345678"
    connection = seeded.connection
    savepoint = await connection.begin_nested()
    try:
        await connection.execute(
            sa.text(
                "UPDATE cases SET client_id_hash = 'k1:' || md5(id::text), "
                "client_phone = '+668' || lpad((abs(hashtext(id::text)) % 100000000)::text, 8, '0')"
            )
        )
        target = (await connection.execute(sa.text("SELECT id FROM cases LIMIT 1"))).scalar_one()
        await connection.execute(
            sa.text(
                "UPDATE cases SET client_id_hash = :hash, client_phone = :phone WHERE id = :id"
            ),
            {"hash": id_number_hashes(secret, number)[0], "phone": phone, "id": target},
        )
        await connection.execute(sa.text("ANALYZE cases"))
        staff = next(s.user for s in scenarios(seeded.samples) if s.user.role is not Role.volunteer)
        for q in ("1-1017-00230-70-8", "081-234-5678", "+66 81 234 5678"):
            query = build_case_list_query(
                user=staff, filters=CaseFilters(q=q), limit=LIMIT, cursor=None, secret=secret
            )
            assert query is not None
            plan = await explain(connection, query)
            assert _problems(plan) == [], f"{q}: {plan.summary()}"
            found = (await connection.execute(query.with_only_columns(Case.id))).scalars().all()
            assert found == [target], q
    finally:
        await savepoint.rollback()


async def test_cases_abroad_are_listed_through_their_own_index(seeded: Seeded) -> None:
    """`country` other than TH reads the partial index of cases abroad, newest first."""
    connection = seeded.connection
    savepoint = await connection.begin_nested()
    try:
        await connection.execute(
            sa.text(
                "UPDATE cases SET country_code = 'MY', province_code = NULL, "
                "district_code = NULL WHERE abs(hashtext(id::text)) % 50 = 0"
            )
        )
        await connection.execute(sa.text("ANALYZE cases"))
        staff = next(s.user for s in scenarios(seeded.samples) if s.user.role is not Role.volunteer)
        query = build_case_list_query(
            user=staff, filters=CaseFilters(country_code="MY"), limit=LIMIT, cursor=None
        )
        assert query is not None
        plan = await explain(connection, query)
        assert _problems(plan) == [], plan.summary()
        assert "ix_cases_abroad_country_created_at" in plan.summary()
        found = (await connection.execute(query.with_only_columns(Case.country_code))).scalars()
        assert set(found.all()) == {"MY"}
    finally:
        await savepoint.rollback()
