"""The suggestion queries read through indexes with 5,000 helpers (PostgreSQL).

The module seeds 5,000 helpers over the provinces (Bangkok a tenth of them), their profiles and
service areas, and 20,000 cases (a fifth open, many led by helpers) inside one transaction that
is rolled back, analyses the tables, and asks PostgreSQL for the plan of each statement
`rank_people` runs when a process reads a province's helpers and the case's earlier offers: it
reads none of `cases`, `helper_areas` or `offers` whole, each helper's load is the one stored on
their profile (no case is counted), the case's earlier offers come through their index by case,
and only the helpers of the case's province come back.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bench.explain_cases import Plan, explain
from service.platform.db import is_sqlite
from service.routing.helper_pool import HELPERS_OF_PROVINCES
from service.routing.people import CASE_AND_STATE, STATE
from tests.conftest import DATABASE_URL

pytestmark = pytest.mark.skipif(
    is_sqlite(DATABASE_URL), reason="query plans are PostgreSQL's (production)"
)

HELPERS = 5_000
CASES = 20_000
PROVINCES = ("10", "11", "12", "13", "20", "30", "40", "50", "57", "65", "80", "90")

SEED = [
    # Helpers: a tenth in Bangkok, the rest over the other provinces.
    f"""INSERT INTO users (id, username, display_name, role, password_hash, is_active,
        token_version, password_changed_at, created_at, updated_at)
    SELECT gen_random_uuid(), 'helper-' || i, 'Helper ' || i,
        CASE WHEN i % 10 = 0 THEN 'caseworker' ELSE 'volunteer' END, '', true, 1,
        now(), now(), now()
    FROM generate_series(1, {HELPERS}) AS i""",
    """INSERT INTO helper_profiles (user_id, skills, languages, capacity, available,
        card_expires_on, created_at, updated_at)
    SELECT id, '["older_person"]', '["th"]', 5, true, DATE '2099-01-01', now(), now()
    FROM users WHERE username LIKE 'helper-%'""",
    f"""INSERT INTO helper_areas (user_id, code, province_code)
    SELECT id, p, p FROM (
        SELECT id, (ARRAY{list(PROVINCES)})[
            CASE WHEN random() < 0.1 THEN 1 ELSE 2 + floor(random() * {len(PROVINCES) - 1})::int END
        ] AS p FROM users WHERE username LIKE 'helper-%') AS chosen""",
    # Cases: a fifth open; most led by a helper.
    f"""INSERT INTO cases (id, reference, status, urgency, immediate_danger, categories,
        target_groups, channel, summary, recorded_at, client_id_type, client_languages,
        client_disability, client_pregnant, reporter_relationship, reporter_anonymous,
        province_code, consent_data_collection, consent_share_with_agencies, created_by_id,
        lead_id, created_at, updated_at, version, event_count)
    SELECT gen_random_uuid(), 'OS-PLAN-' || i,
        CASE WHEN i % 5 = 0 THEN 'in_progress' ELSE 'closed' END, 'normal', false,
        '["older_person"]', '[]', 'phone', 'plan', now(), 'unknown', '[]', false, false, 'other',
        false, '10', 'given', false, h.id, h.id, now(), now(), 1, 0
    FROM generate_series(1, {CASES}) AS i
    JOIN LATERAL (
        SELECT id FROM users WHERE username = 'helper-' || (1 + i % {HELPERS})
    ) AS h ON true""",
    "ANALYZE users",
    "ANALYZE helper_profiles",
    "ANALYZE helper_areas",
    "ANALYZE cases",
]


@pytest.fixture(scope="module")
async def seeded(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            for statement in SEED:
                await connection.execute(sa.text(statement))
            yield connection
        finally:
            await transaction.rollback()


def _scans(plan: Plan) -> dict[str, set[str]]:
    """The scan nodes per table, and under `indexes` every index the plan reads."""
    found: dict[str, set[str]] = {"indexes": set()}
    for node in plan.root.walk():
        if node.relation:
            found.setdefault(node.relation, set()).add(node.node)
        if node.index:
            found["indexes"].add(node.index)
    return found


@pytest.mark.parametrize("province", ["10", "50"])
async def test_helpers_of_a_province_are_read_through_the_area_index_with_their_stored_load(
    seeded: AsyncConnection, province: str
) -> None:
    statement = HELPERS_OF_PROVINCES.params(province_codes=[province])
    scans = _scans(await explain(seeded, statement))
    assert "Seq Scan" not in scans["helper_areas"], scans
    assert "ix_helper_areas_province_code_user_id" in scans["indexes"], scans
    # Each helper's load is read from their profile, not counted from the cases.
    assert "cases" not in scans, scans
    # A province's helpers are a tenth of 5,000: PostgreSQL may read the two small tables of
    # profiles and accounts whole rather than probe each key, but only they come back.
    rows = (await seeded.execute(statement)).all()
    assert 200 < len({row.user_id for row in rows}) < 1_000
    assert {row.province_code for row in rows} == {province}


async def test_a_case_s_earlier_offers_are_read_with_the_stamp_through_their_index_by_case(
    seeded: AsyncConnection,
) -> None:
    scans = _scans(await explain(seeded, STATE.params(case_ids=[uuid.uuid4()])))
    assert "Seq Scan" not in scans["offers"], scans
    assert "ix_offers_case_id_user_id" in scans["indexes"], scans


async def test_a_suggestion_reads_the_case_and_its_offers_by_their_indexes(
    seeded: AsyncConnection,
) -> None:
    scans = _scans(await explain(seeded, CASE_AND_STATE.params(case_id=uuid.uuid4())))
    assert "Seq Scan" not in scans["cases"], scans
    assert "Seq Scan" not in scans["offers"], scans
    assert "pk_cases" in scans["indexes"], scans
    assert "ix_offers_case_id_user_id" in scans["indexes"], scans
