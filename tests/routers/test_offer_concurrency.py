"""Simultaneous offers and answers on one case, committed for real on separate connections:
one pending offer at a time, and never two leads."""

from __future__ import annotations

import asyncio
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col

from models.case import Case
from models.enums import CaseEventType, OfferStatus, Role
from models.events import CaseEvent
from models.routing import Offer
from tests.conftest import committed_actor
from tests.support.cases import CASES
from tests.support.routing import OFFERS, screened_case, set_profile


async def _stored(engine, case_id: str) -> tuple[Case, list[Offer], list[CaseEventType]]:
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        key = uuid.UUID(case_id)
        case = await session.get(Case, key)
        assert case is not None
        offers = (
            await session.execute(sa.select(Offer).where(col(Offer.case_id) == key))
        ).scalars()
        events = await session.execute(
            sa.select(CaseEvent.type)
            .where(col(CaseEvent.case_id) == key)
            .order_by(col(CaseEvent.seq))
        )
        return case, list(offers), list(events.scalars())


async def test_simultaneous_offers_leave_one_pending_offer_and_one_lead(
    committed_client, committed_db, settings
) -> None:
    supervisor = await committed_actor(committed_db, settings, Role.supervisor)
    caseworkers = [await committed_actor(committed_db, settings, Role.caseworker) for _ in range(4)]
    helpers = [await committed_actor(committed_db, settings, Role.volunteer) for _ in range(4)]
    for helper in helpers:
        await set_profile(committed_client, supervisor.headers, helper.user.id)
    case = await screened_case(committed_client, caseworkers[0].headers)

    answers = await asyncio.gather(
        *(
            committed_client.post(
                f"{CASES}/{case['id']}/offers",
                json={"user_id": str(helper.user.id)},
                headers=caseworker.headers,
            )
            for caseworker, helper in zip(caseworkers, helpers, strict=True)
        )
    )
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409], [a.text for a in answers]
    made = next(a.json() for a in answers if a.status_code == 201)
    taker = next(h for h in helpers if str(h.user.id) == made["user_id"])

    # The offered helper accepts several times at once (a double tap on a weak network).
    accepts = await asyncio.gather(
        *(
            committed_client.post(f"{OFFERS}/{made['id']}/accept", headers=taker.headers)
            for _ in range(3)
        )
    )
    assert sorted(a.status_code for a in accepts) == [200, 409, 409], [a.text for a in accepts]

    stored, offers, events = await _stored(committed_db, case["id"])
    assert stored.lead_id == taker.user.id and stored.status.value == "in_progress"
    assert [o.status for o in offers] == [OfferStatus.accepted]
    assert events.count(CaseEventType.offered) == 1
    assert events.count(CaseEventType.offer_accepted) == 1


async def test_an_accept_racing_a_decline_and_a_handover(
    committed_client, committed_db, settings
) -> None:
    supervisor = await committed_actor(committed_db, settings, Role.supervisor)
    caseworker = await committed_actor(committed_db, settings, Role.caseworker)
    first = await committed_actor(committed_db, settings, Role.volunteer)
    second = await committed_actor(committed_db, settings, Role.volunteer)
    for helper in (first, second):
        await set_profile(committed_client, supervisor.headers, helper.user.id)
    case = await screened_case(committed_client, caseworker.headers)
    made = (
        await committed_client.post(
            f"{CASES}/{case['id']}/offers",
            json={"user_id": str(first.user.id)},
            headers=caseworker.headers,
        )
    ).json()

    accept, decline, handover = await asyncio.gather(
        committed_client.post(f"{OFFERS}/{made['id']}/accept", headers=first.headers),
        committed_client.post(
            f"{OFFERS}/{made['id']}/decline", json={"reason": "Busy"}, headers=first.headers
        ),
        committed_client.post(
            f"{CASES}/{case['id']}/offers",
            json={"user_id": str(second.user.id)},
            headers=supervisor.headers,
        ),
    )
    assert sorted((accept.status_code, decline.status_code)) == [200, 409]
    stored, offers, _ = await _stored(committed_db, case["id"])
    pending = [o for o in offers if o.status is OfferStatus.pending]
    assert len(pending) <= 1
    if accept.status_code == 200:
        assert stored.lead_id == first.user.id
    else:
        assert stored.lead_id is None
    # A handover offer is made only once the first offer was answered.
    assert handover.status_code in (201, 409)
    assert len(pending) == (1 if handover.status_code == 201 else 0)
