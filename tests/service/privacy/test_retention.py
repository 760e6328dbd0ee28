"""Retention: the worker anonymises closed cases past their closure reason's period, each once,
and leaves open cases and cases still within their period alone; the privacy jobs' and queues'
reads go through their partial indexes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models.case import Case
from models.enums import CaseEventType, ClosureReason, Role
from models.events import CaseEvent
from service.platform.db import is_sqlite
from service.platform.pagination import encode_time_id_cursor
from service.privacy.anonymise import ANONYMISED_TEXT
from service.privacy.retention import anonymise_expired_cases, cut_offs, expired_query
from service.queues.privacy_requests import due_requests_query
from tests.conftest import DATABASE_URL, make_settings
from tests.support.cases import create_case, intake_body, move
from tests.support.query_plans import index_conditions, table_scans

NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)


def test_each_closure_reason_has_its_cut_off() -> None:
    settings = make_settings(
        retention_days=1000, retention_days_by_reason={ClosureReason.duplicate: 10}
    )
    limits = cut_offs(settings, NOW)
    assert limits[ClosureReason.duplicate] == NOW - timedelta(days=10)
    assert limits[ClosureReason.resolved] == NOW - timedelta(days=1000)
    assert limits[None] == NOW - timedelta(days=1000)
    assert set(limits) == {*ClosureReason, None}


async def _closed(client: httpx.AsyncClient, headers: dict[str, str], reason: str) -> uuid.UUID:
    case = await create_case(client, headers, intake_body())
    for step in ("screened", "in_progress", "resolved"):
        assert (await move(client, headers, case["id"], step)).status_code == 200
    closed = await move(client, headers, case["id"], "closed", closure_reason=reason)
    assert closed.status_code == 200, closed.text
    return uuid.UUID(case["id"])


async def _close_at(session: AsyncSession, case_id: uuid.UUID, when: datetime) -> None:
    await session.execute(sa.update(Case).where(Case.id == case_id).values(closed_at=when))


async def test_the_worker_anonymises_each_expired_case_once(
    client: httpx.AsyncClient, session: AsyncSession, actors
) -> None:
    settings = make_settings(
        retention_days=365, retention_days_by_reason={ClosureReason.out_of_scope: 30}
    )
    headers = actors[Role.caseworker].headers
    old_resolved = await _closed(client, headers, "resolved")
    recent_resolved = await _closed(client, headers, "resolved")
    old_out_of_scope = await _closed(client, headers, "out_of_scope")
    open_case = uuid.UUID((await create_case(client, headers, intake_body()))["id"])
    await _close_at(session, old_resolved, NOW - timedelta(days=400))
    await _close_at(session, recent_resolved, NOW - timedelta(days=200))  # within 365
    await _close_at(session, old_out_of_scope, NOW - timedelta(days=31))  # past its 30

    handled = await anonymise_expired_cases(session, settings=settings, now=NOW, batch=1)
    assert handled == 1  # the batch: the oldest closure first
    first = await session.get(Case, old_resolved)
    assert first is not None and first.anonymised_at == NOW
    assert await anonymise_expired_cases(session, settings=settings, now=NOW, batch=50) == 1
    assert await anonymise_expired_cases(session, settings=settings, now=NOW, batch=50) == 0

    for case_id, expected in (
        (old_resolved, True),
        (old_out_of_scope, True),
        (recent_resolved, False),
        (open_case, False),
    ):
        case = await session.get(Case, case_id, populate_existing=True)
        assert case is not None
        assert (case.anonymised_at is not None) is expected, case_id
        assert (case.summary == ANONYMISED_TEXT) is expected
        assert (case.client_first_name is None) is expected
        events = await session.scalar(
            sa.select(sa.func.count()).where(
                CaseEvent.case_id == case_id, CaseEvent.type == CaseEventType.anonymised
            )
        )
        assert events == (1 if expected else 0)
        if expected:
            event = await session.scalar(
                sa.select(CaseEvent).where(
                    CaseEvent.case_id == case_id, CaseEvent.type == CaseEventType.anonymised
                )
            )
            assert event is not None and event.data == {"reason": "retention"}
            assert event.actor_id is None


@pytest.mark.skipif(is_sqlite(DATABASE_URL), reason="query plans are PostgreSQL's (production)")
async def test_the_retention_claim_walks_each_reason_up_to_its_own_cut_off(
    session: AsyncSession,
) -> None:
    settings = make_settings()
    query = expired_query(settings, now=NOW, batch=200)
    scans = await table_scans(session, query, table="cases")
    assert len(scans) == len(cut_offs(settings, NOW)), scans  # one walk per closure reason
    assert {name for _, name in scans} == {"ix_cases_retention_reason_closed_at"}, scans
    # Each walk is bounded by its reason and cut-off, not filtered on the way: a run where
    # nothing is due reads nothing, however many cases wait within a longer period.
    for condition in await index_conditions(session, query, table="cases"):
        assert "closure_reason" in condition and "closed_at <" in condition, condition


@pytest.mark.skipif(is_sqlite(DATABASE_URL), reason="query plans are PostgreSQL's (production)")
async def test_the_request_queue_reads_the_open_requests_index(session: AsyncSession) -> None:
    for cursor in (None, encode_time_id_cursor(NOW, uuid.uuid4())):
        query = due_requests_query(now=NOW, limit=20, cursor=cursor)
        scans = await table_scans(session, query, table="privacy_requests")
        assert {name for _, name in scans} == {"ix_privacy_requests_open_due"}, scans
