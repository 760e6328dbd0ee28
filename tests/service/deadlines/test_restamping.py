"""Restamping: a batch of cases under other rules gets the times the current rules give."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.base import utcnow
from models.case import Case
from models.enums import Role
from service.deadlines.policies import read_rules
from service.deadlines.restamping import restamp_cases
from service.deadlines.stamping import deadline_columns, facts_of
from service.platform.settings import Settings
from tests.conftest import Actor
from tests.support.cases import anonymous_body, create_case, move

CRITICAL = {"immediate_danger": True}


async def _stored(session: AsyncSession, case_id: str) -> Case:
    case = await session.get(Case, uuid.UUID(case_id), populate_existing=True)
    assert case is not None
    return case


async def test_a_batch_is_restamped_with_the_times_the_current_rules_give(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    actors: dict[Role, Actor],
) -> None:
    """Three cases under old rules (one with a finished pause, one paused now, one plain) and
    one under the current rules: the three are restamped exactly as stamping computes them,
    their pauses kept, their version (ETag) unchanged; the current one is left alone."""
    caseworker = actors[Role.caseworker].headers
    paused_once = await create_case(client, caseworker, anonymous_body(**CRITICAL))
    for status in ("screened", "in_progress", "awaiting_client", "in_progress"):
        assert (await move(client, caseworker, paused_once["id"], status)).status_code == 200
    waiting = await create_case(client, caseworker, anonymous_body(**CRITICAL))
    for status in ("screened", "in_progress", "awaiting_client"):
        assert (await move(client, caseworker, waiting["id"], status)).status_code == 200
    plain = await create_case(client, caseworker, anonymous_body())
    current = await create_case(client, caseworker, anonymous_body())

    now = utcnow()
    old = [paused_once["id"], waiting["id"], plain["id"]]
    before = {case_id: await _stored(session, case_id) for case_id in old}
    versions = {case_id: case.version for case_id, case in before.items()}
    await session.execute(
        sa.update(Case)
        .where(col(Case.id).in_([uuid.UUID(case_id) for case_id in old]))
        .values(
            deadline_rules_version=-1,
            first_response_due_at=now - timedelta(days=400),
            resolution_due_at=now - timedelta(days=400),
        )
    )
    untouched = await _stored(session, current["id"])
    untouched_due = untouched.first_response_due_at
    await session.commit()

    assert await restamp_cases(session, settings=settings, now=now, batch=50) == 3
    await session.commit()
    rules = await read_rules(session, now=now)
    for case_id in old:
        case = await _stored(session, case_id)
        assert case.deadline_rules_version == rules.version
        expected = deadline_columns(facts_of(case), rules)
        assert {name: getattr(case, name) for name in expected} == expected
        assert case.first_response_due_at is not None
        assert case.first_response_due_at > now - timedelta(days=1)
        assert case.version == versions[case_id]  # no new version: nobody edited the case
    assert len((await _stored(session, paused_once["id"])).clock_pauses) == 1
    assert (await _stored(session, waiting["id"])).clock_paused_at is not None
    assert (await _stored(session, waiting["id"])).resolution_due_at is None
    assert (await _stored(session, current["id"])).first_response_due_at == untouched_due
    assert await restamp_cases(session, settings=settings, now=now, batch=50) == 0


async def test_a_batch_takes_at_most_its_size_and_the_next_round_takes_the_rest(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    actors: dict[Role, Actor],
) -> None:
    caseworker = actors[Role.caseworker].headers
    ids = [(await create_case(client, caseworker, anonymous_body()))["id"] for _ in range(5)]
    await session.execute(
        sa.update(Case)
        .where(col(Case.id).in_([uuid.UUID(case_id) for case_id in ids]))
        .values(deadline_rules_version=None)
    )
    await session.commit()
    now = utcnow()
    assert await restamp_cases(session, settings=settings, now=now, batch=3) == 3
    await session.commit()
    assert await restamp_cases(session, settings=settings, now=now, batch=3) == 2
    await session.commit()
    stamped = await session.scalars(
        sa.select(col(Case.deadline_rules_version)).where(
            col(Case.id).in_([uuid.UUID(case_id) for case_id in ids])
        )
    )
    assert None not in set(stamped)
