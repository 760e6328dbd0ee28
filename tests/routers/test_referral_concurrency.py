"""Referrals under real concurrent requests, each committing on its own connection: one open
referral per case and service, and an answer racing a cancel settles once."""

from __future__ import annotations

import asyncio
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import col

from models.case import Case
from models.enums import Role
from models.events import CaseEvent
from models.referral import Referral
from models.user import User
from tests.conftest import Actor, committed_actor
from tests.support.cases import CASES
from tests.support.referrals import REFERRALS, add_service, case_in_progress


async def _agency(engine: AsyncEngine, settings) -> tuple[uuid.UUID, uuid.UUID, Actor]:
    from models.agency import Organization
    from models.base import utcnow

    staff = await committed_actor(engine, settings, Role.agency)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        now = utcnow()
        organization = Organization(name="Shelter", description="-", created_at=now, updated_at=now)
        session.add(organization)
        await session.flush()
        first = await add_service(session, organization, name="First")
        second = await add_service(session, organization, name="Second")
        user = await session.get(User, staff.user.id)
        assert user is not None
        user.organization_id = organization.id
        await session.commit()
    return first.id, second.id, staff


async def _stored(engine: AsyncEngine, case_id: str) -> tuple[Case, list[str], list[Referral]]:
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        case = await session.get(Case, uuid.UUID(case_id))
        assert case is not None
        events = (
            await session.execute(
                sa.select(col(CaseEvent.type))
                .where(col(CaseEvent.case_id) == case.id)
                .order_by(col(CaseEvent.seq))
            )
        ).scalars()
        referrals = (
            await session.execute(sa.select(Referral).where(col(Referral.case_id) == case.id))
        ).scalars()
        return case, [e.value for e in events], list(referrals)


def _body(service_id: uuid.UUID) -> dict[str, object]:
    return {"service_id": str(service_id), "groups": ["summary"], "reason": "needs shelter"}


async def test_two_caseworkers_refer_to_one_service_at_once(
    committed_client, committed_db, settings
) -> None:
    service_id, _, _ = await _agency(committed_db, settings)
    one = await committed_actor(committed_db, settings, Role.caseworker)
    two = await committed_actor(committed_db, settings, Role.supervisor)
    case = await case_in_progress(committed_client, one.headers)
    answers = await asyncio.gather(
        *(
            committed_client.post(
                f"{CASES}/{case['id']}/referrals", json=_body(service_id), headers=actor.headers
            )
            for actor in (one, two)
        )
    )
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    stored, events, referrals = await _stored(committed_db, case["id"])
    assert len(referrals) == 1
    assert stored.status.value == "referred"
    assert events.count("referred") == 1


async def test_two_services_at_once_move_the_case_once(
    committed_client, committed_db, settings
) -> None:
    first, second, _ = await _agency(committed_db, settings)
    one = await committed_actor(committed_db, settings, Role.caseworker)
    two = await committed_actor(committed_db, settings, Role.caseworker)
    case = await case_in_progress(committed_client, one.headers)
    answers = await asyncio.gather(
        *(
            committed_client.post(
                f"{CASES}/{case['id']}/referrals", json=_body(service), headers=actor.headers
            )
            for actor, service in ((one, first), (two, second))
        )
    )
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    stored, events, referrals = await _stored(committed_db, case["id"])
    assert len(referrals) == 2
    assert stored.status.value == "referred"
    assert events[-2:] == ["referred", "referred"]


async def test_an_accept_racing_a_cancel_settles_once(
    committed_client, committed_db, settings
) -> None:
    service_id, _, staff = await _agency(committed_db, settings)
    caseworker = await committed_actor(committed_db, settings, Role.caseworker)
    case = await case_in_progress(committed_client, caseworker.headers)
    made = await committed_client.post(
        f"{CASES}/{case['id']}/referrals", json=_body(service_id), headers=caseworker.headers
    )
    rid = made.json()["id"]
    accept, cancel = await asyncio.gather(
        committed_client.post(f"{REFERRALS}/{rid}/accept", headers=staff.headers),
        committed_client.post(
            f"{REFERRALS}/{rid}/cancel",
            json={"reason": "found another"},
            headers=caseworker.headers,
        ),
    )
    assert sorted([accept.status_code, cancel.status_code]) in ([200, 200], [200, 409])
    stored, events, (referral,) = await _stored(committed_db, case["id"])
    if cancel.status_code == 200:
        assert referral.status.value == "cancelled"
        assert stored.status.value == "in_progress"
    else:
        assert referral.status.value == "accepted"
        assert stored.status.value == "referred"
    assert stored.event_count == len(events)
