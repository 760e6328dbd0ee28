"""The webhook worker's claim and the delivery log read `webhook_deliveries` through an index
(PostgreSQL): with sequential scans priced out, a plan with no Seq Scan on the table, through
the index named, shows the query is an index walk however many deliveries there are."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.enums import Role
from models.user import User
from models.webhooks import DeliveryStatus
from service.platform.db import is_sqlite
from service.platform.pagination import encode_time_id_cursor
from service.webhooks.deliveries import delivery_list_query
from service.webhooks.delivery import due_query
from tests.conftest import DATABASE_URL

pytestmark = pytest.mark.skipif(
    is_sqlite(DATABASE_URL), reason="query plans are PostgreSQL's (production)"
)


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    found = [plan]
    for child in plan.get("Plans", []):
        found += _nodes(child)
    return found


async def _indexes(session: AsyncSession, query: Any) -> set[str]:
    compiled = query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    await session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    rows = (await session.execute(sa.text(f"EXPLAIN (FORMAT JSON) {compiled}"))).scalar_one()
    nodes = _nodes(rows[0]["Plan"])
    assert not any(
        n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "webhook_deliveries"
        for n in nodes
    ), compiled
    return {
        str(n["Index Name"])
        for n in nodes
        if str(n.get("Index Name", "")).startswith("ix_webhook_deliveries")
    }


def _user(role: Role) -> User:
    return User(
        id=uuid.uuid4(),
        username="u",
        display_name="u",
        role=role,
        password_hash="x",
        organization_id=uuid.uuid4() if role is Role.agency else None,
    )


async def test_the_claim_reads_the_pending_index(session: AsyncSession) -> None:
    found = await _indexes(session, due_query(utcnow(), 200))
    assert found == {"ix_webhook_deliveries_pending_next_attempt_at"}


async def test_the_delivery_log_reads_through_an_index(session: AsyncSession) -> None:
    cursor = encode_time_id_cursor(utcnow(), uuid.uuid4())
    agency, admin = _user(Role.agency), _user(Role.admin)
    for user, service_id, expected in (
        (agency, None, "ix_webhook_deliveries_organization_id_created_at"),
        (admin, None, "ix_webhook_deliveries_created_at"),
        (admin, uuid.uuid4(), "ix_webhook_deliveries_service_id_created_at"),
    ):
        for status in (None, DeliveryStatus.failed):
            query = delivery_list_query(
                user, status=status, service_id=service_id, limit=50, cursor=cursor
            )
            assert await _indexes(session, query) == {expected}, (user.role, service_id)
