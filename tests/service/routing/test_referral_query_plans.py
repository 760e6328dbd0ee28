"""The referral lists and the deadline worker's claim read `referrals` through an index
(PostgreSQL).

With sequential scans priced out (`enable_seqscan = off`), PostgreSQL still chooses a Seq Scan
when no index can serve a query; so a plan without one on `referrals`, through the index named,
shows the query can be answered by an index walk however many referrals there are.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.enums import ReferralStatus, Role
from models.user import User
from service.platform.db import is_sqlite
from service.platform.pagination import encode_time_id_cursor
from service.routing.referral_deadlines import overdue_query
from service.routing.referral_reads import case_referrals_query, referral_list_query
from tests.conftest import DATABASE_URL
from tests.support.query_plans import table_scans

pytestmark = pytest.mark.skipif(
    is_sqlite(DATABASE_URL), reason="query plans are PostgreSQL's (production)"
)


async def _referral_scans(session: AsyncSession, query: Any) -> list[tuple[str, str | None]]:
    return await table_scans(session, query, table="referrals")


def _agency() -> User:
    return User(
        id=uuid.uuid4(),
        username="a",
        display_name="a",
        role=Role.agency,
        password_hash="x",
        organization_id=uuid.uuid4(),
    )


async def test_an_agencys_list_reads_its_organization_index(session: AsyncSession) -> None:
    cursor = encode_time_id_cursor(utcnow(), uuid.uuid4())
    for status in (None, ReferralStatus.requested):
        query = referral_list_query(_agency(), status=status, limit=50, cursor=cursor)
        scans = await _referral_scans(session, query)
        assert scans, scans
        # With `requested`, the partial index of referrals waiting for an answer serves too.
        indexes = {"ix_referrals_organization_id_created_at"}
        if status is ReferralStatus.requested:
            indexes.add("ix_referrals_requested_organization_id_created_at")
        assert all(index in indexes for _, index in scans), scans


async def test_the_centers_list_reads_the_time_index(session: AsyncSession) -> None:
    staff = _agency()
    staff.role = Role.supervisor
    scans = await _referral_scans(
        session, referral_list_query(staff, status=None, limit=50, cursor=None)
    )
    assert [index for _, index in scans] == ["ix_referrals_created_at"], scans


async def test_a_cases_referrals_read_the_case_index(session: AsyncSession) -> None:
    scans = await _referral_scans(
        session, case_referrals_query(uuid.uuid4(), limit=50, cursor=None)
    )
    assert [index for _, index in scans] == ["ix_referrals_case_id_created_at"], scans


async def test_the_deadline_claim_reads_the_unflagged_index(session: AsyncSession) -> None:
    query = overdue_query(now=utcnow(), batch=100)
    scans = await _referral_scans(session, query)
    assert [index for _, index in scans] == ["ix_referrals_unflagged_response_due_at"], scans
