"""The helpers' stored load stays equal to a fresh count from the cases and offers after every
change that moves it: profiles created and resized, offers made, declined, accepted, expired,
superseded and withdrawn, cases taken on, closed and reopened."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from models.base import utcnow
from models.case import Case
from models.enums import Role
from models.routing import HelperProfile, Offer
from service.platform.db import is_sqlite
from service.routing.follow_up import expire_offers
from service.routing.load import recount_helpers
from tests.conftest import committed_actor
from tests.support.cases import move
from tests.support.referrals import case_in_progress
from tests.support.routing import OFFERS, offer, screened_case, set_profile

Load = tuple[int, int, float]


async def _stored(session: AsyncSession) -> dict[uuid.UUID, Load]:
    rows = await session.execute(
        sa.select(
            col(HelperProfile.user_id),
            col(HelperProfile.open_cases_led),
            col(HelperProfile.pending_offers),
            col(HelperProfile.load_ratio),
        ).execution_options(populate_existing=True)
    )
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


async def _counted(session: AsyncSession) -> dict[uuid.UUID, Load]:
    rows = await session.execute(
        sa.text(
            """SELECT p.user_id, p.capacity,
                      (SELECT count(*) FROM cases c
                       WHERE c.lead_id = p.user_id AND c.status <> 'closed'),
                      (SELECT count(*) FROM offers o
                       WHERE o.user_id = p.user_id AND o.status = 'pending')
               FROM helper_profiles p"""
        )
    )
    counted = {}
    for user_id, capacity, led, pending in rows:
        key = user_id if isinstance(user_id, uuid.UUID) else uuid.UUID(str(user_id))
        counted[key] = (led, pending, (led + pending) / max(capacity, 1))
    return counted


async def _check(session: AsyncSession, step: str, expected: dict[Any, Load]) -> None:
    stored, counted = await _stored(session), await _counted(session)
    assert stored == counted, step
    assert {user: stored[user] for user in expected} == expected, step


async def _offered(client: Any, headers: dict[str, str], case_id: str, user_id: Any) -> Any:
    made = await offer(client, headers, case_id, user_id=str(user_id))
    assert made.status_code == 201, made.text
    return made.json()


async def test_the_stored_load_follows_every_change(
    client, actors, make_actor, session, settings
) -> None:
    caseworker, supervisor = actors[Role.caseworker], actors[Role.supervisor].headers
    volunteer, other = actors[Role.volunteer], await make_actor(Role.volunteer)
    third = await make_actor(Role.volunteer)
    led = await case_in_progress(client, caseworker.headers)  # before the caseworker's profile
    await set_profile(client, supervisor, caseworker.user.id, capacity=0)
    await set_profile(client, supervisor, volunteer.user.id, capacity=2)
    await set_profile(client, supervisor, other.user.id, capacity=4)
    await set_profile(client, supervisor, third.user.id, capacity=2)
    await _check(session, "profiles created", {caseworker.user.id: (1, 0, 1.0)})

    case = await screened_case(client, caseworker.headers)
    made = await _offered(client, caseworker.headers, case["id"], volunteer.user.id)
    await _check(session, "offered", {volunteer.user.id: (0, 1, 0.5)})

    declined = await client.post(
        f"{OFFERS}/{made['id']}/decline", json={"reason": "busy"}, headers=volunteer.headers
    )
    assert declined.status_code == 200, declined.text
    await _check(session, "declined", {volunteer.user.id: (0, 0, 0.0)})

    # An offer past its expiry is replaced by a new one to someone else (not one who declined).
    stale = await _offered(client, caseworker.headers, case["id"], other.user.id)
    await session.execute(
        sa.update(Offer)
        .where(col(Offer.id) == uuid.UUID(stale["id"]))
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    await session.commit()
    made = await _offered(client, caseworker.headers, case["id"], third.user.id)
    await _check(session, "superseded", {third.user.id: (0, 1, 0.5), other.user.id: (0, 0, 0.0)})

    accepted = await client.post(f"{OFFERS}/{made['id']}/accept", headers=third.headers)
    assert accepted.status_code == 200, accepted.text
    await _check(session, "accepted", {third.user.id: (1, 0, 0.5)})

    await set_profile(client, supervisor, third.user.id, capacity=4)
    await _check(session, "capacity changed", {third.user.id: (1, 0, 0.25)})

    # The worker expires an offer.
    waiting = await screened_case(client, caseworker.headers)
    made = await _offered(client, caseworker.headers, waiting["id"], other.user.id)
    await _check(session, "offered again", {other.user.id: (0, 1, 0.25)})
    assert await expire_offers(session, settings=settings, now=utcnow() + timedelta(days=2)) == 1
    await session.commit()
    await _check(session, "expired", {other.user.id: (0, 0, 0.0)})

    # Closing withdraws a pending offer.
    made = await _offered(client, caseworker.headers, waiting["id"], volunteer.user.id)
    await _check(session, "offered a third time", {volunteer.user.id: (0, 1, 0.5)})
    closed = await move(
        client, caseworker.headers, waiting["id"], "closed", closure_reason="out_of_scope"
    )
    assert closed.status_code == 200, closed.text
    await _check(session, "withdrawn", {volunteer.user.id: (0, 0, 0.0)})

    resolved = await move(client, caseworker.headers, led["id"], "resolved")
    assert resolved.status_code == 200, resolved.text
    await _check(session, "resolved, still open", {caseworker.user.id: (1, 0, 1.0)})
    closing = await move(client, caseworker.headers, led["id"], "closed", closure_reason="resolved")
    assert closing.status_code == 200, closing.text
    await _check(session, "closed", {caseworker.user.id: (0, 0, 0.0)})
    reopened = await move(client, supervisor, led["id"], "in_progress", reason="came back")
    assert reopened.status_code == 200, reopened.text
    await _check(session, "reopened", {caseworker.user.id: (1, 0, 1.0)})


async def test_two_commits_for_one_helper_both_count(
    committed_client, committed_db, settings
) -> None:
    # PostgreSQL: the second recount waits for the first's commit, then sees its case.
    if is_sqlite(str(committed_db.url)):
        pytest.skip("SQLite has one writer at a time")
    supervisor = await committed_actor(committed_db, settings, Role.supervisor)
    caseworker = await committed_actor(committed_db, settings, Role.caseworker)
    helper = await committed_actor(committed_db, settings, Role.volunteer)
    await set_profile(committed_client, supervisor.headers, helper.user.id, capacity=2)
    cases = [await case_in_progress(committed_client, caseworker.headers) for _ in range(2)]
    sessions = async_sessionmaker(committed_db, expire_on_commit=False)
    async with sessions() as first, sessions() as second:
        for session, case in zip((first, second), cases, strict=True):
            row = await session.get(Case, uuid.UUID(case["id"]))
            assert row is not None
            row.lead_id = helper.user.id
            await session.flush()
        await first.run_sync(recount_helpers, [helper.user.id])  # holds the helper's row
        committing = asyncio.create_task(second.commit())
        await asyncio.sleep(0.3)
        assert not committing.done()
        await first.commit()
        await committing
    async with sessions() as session:
        assert (await _stored(session))[helper.user.id] == (2, 0, 1.0)
