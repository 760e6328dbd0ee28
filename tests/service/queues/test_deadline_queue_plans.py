"""The deadline queues and the deadline worker's claims read `cases` through their partial
indexes (PostgreSQL; `tests.support.query_plans` says why a plan on an empty table shows it)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.case_deadlines import DeadlineKind
from models.enums import Role
from models.user import User
from service.deadlines.alerts import to_breach_query, to_warn_query
from service.deadlines.restamping import stale_query
from service.platform.db import is_sqlite
from service.platform.pagination import encode_cursor
from service.queues.deadlines import DeadlineQueue, queue_query
from tests.conftest import DATABASE_URL
from tests.support.query_plans import table_scans

pytestmark = pytest.mark.skipif(
    is_sqlite(DATABASE_URL), reason="query plans are PostgreSQL's (production)"
)


async def _case_scans(session: AsyncSession, query: Any) -> list[tuple[str, str | None]]:
    return await table_scans(session, query, table="cases")


def _user(role: Role) -> User:
    return User(id=uuid.uuid4(), username="u", display_name="u", role=role, password_hash="x")


@pytest.mark.parametrize("queue", list(DeadlineQueue))
async def test_each_queue_reads_both_due_indexes(
    session: AsyncSession, queue: DeadlineQueue
) -> None:
    now = utcnow()
    cursor = encode_cursor([now.isoformat(), str(uuid.uuid4()), "first_response"])
    for viewer in (_user(Role.supervisor), _user(Role.volunteer)):
        for page_cursor in (None, cursor):
            query = queue_query(queue, viewer=viewer, now=now, limit=50, cursor=page_cursor)
            scans = await _case_scans(session, query)
            assert sorted(index or "" for _, index in scans) == [
                "ix_cases_first_response_due",
                "ix_cases_resolution_due",
            ], scans
            assert all(node in ("Index Scan", "Index Only Scan") for node, _ in scans), scans


@pytest.mark.parametrize("kind", list(DeadlineKind))
async def test_the_worker_claims_read_the_partial_indexes(
    session: AsyncSession, kind: DeadlineKind
) -> None:
    now = utcnow()
    for query, index in (
        (to_breach_query(kind, now=now, batch=200), f"ix_cases_{kind.value}_to_breach"),
        (to_warn_query(kind, now=now, batch=200), f"ix_cases_{kind.value}_to_warn"),
    ):
        scans = await _case_scans(session, query)
        assert [name for _, name in scans] == [index], scans


async def test_the_recompute_claim_reads_the_rules_version_index(session: AsyncSession) -> None:
    scans = await _case_scans(session, stale_query(12345, batch=200))
    assert scans, scans
    assert {name for _, name in scans} == {"ix_cases_counting_rules_version"}, scans
