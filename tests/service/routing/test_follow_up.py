"""Offer expiry as the worker will run it: each expired offer processed once, its follow-up
(a flag, the next offer in auto mode, escalation), and offers not yet due left alone."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col

from models.base import utcnow
from models.case import Case
from models.enums import CaseEventType, OfferStatus, Role, RoutingMode
from models.events import CaseEvent
from models.routing import CaseRouting, Offer
from service.routing.follow_up import expire_offers
from tests.conftest import make_settings
from tests.support.cases import move
from tests.support.routing import offer, screened_case, set_profile


async def _events(session, case_id: str) -> list[CaseEventType]:
    rows = await session.execute(
        sa.select(CaseEvent.type)
        .where(col(CaseEvent.case_id) == uuid.UUID(case_id))
        .order_by(col(CaseEvent.seq))
    )
    return list(rows.scalars())


async def test_expired_offers_are_processed_once_and_flag_the_case(
    client, actors, session, settings
) -> None:
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    await set_profile(client, supervisor, actors[Role.volunteer].user.id)
    case = await screened_case(client, caseworker)
    made = (await offer(client, caseworker, case["id"], best=True)).json()

    assert await expire_offers(session, settings=settings, now=utcnow()) == 0
    later = utcnow() + timedelta(hours=5)  # normal urgency: 4 hours
    assert await expire_offers(session, settings=settings, now=later) == 1
    assert await expire_offers(session, settings=settings, now=later) == 0

    stored = await session.get(Offer, uuid.UUID(made["id"]))
    assert stored is not None and stored.status is OfferStatus.expired
    assert (await _events(session, case["id"]))[-2:] == [
        CaseEventType.offered,
        CaseEventType.offer_expired,
    ]
    state = await session.get(CaseRouting, uuid.UUID(case["id"]))
    assert state is not None and (state.failed_offers, state.needs_routing) == (1, True)
    case_row = await session.get(Case, uuid.UUID(case["id"]))
    assert case_row is not None and case_row.lead_id is None


async def test_in_auto_mode_expiry_offers_the_next_then_escalates(
    client, actors, make_actor, session
) -> None:
    settings = make_settings(routing_mode=RoutingMode.auto, routing_max_failed_offers=2)
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    for helper in (actors[Role.volunteer], await make_actor(Role.volunteer)):
        await set_profile(client, supervisor, helper.user.id)
    case = await screened_case(client, caseworker)
    await offer(client, caseworker, case["id"], best=True)

    first = utcnow() + timedelta(hours=5)
    assert await expire_offers(session, settings=settings, now=first) == 1
    pending = (
        await session.execute(
            sa.select(Offer).where(
                col(Offer.case_id) == uuid.UUID(case["id"]),
                col(Offer.status) == OfferStatus.pending,
            )
        )
    ).scalar_one()
    assert pending.offered_by_id is None and pending.created_at == first
    assert await expire_offers(session, settings=settings, now=first + timedelta(hours=5)) == 1

    events = await _events(session, case["id"])
    assert events[-4:] == [
        CaseEventType.offer_expired,
        CaseEventType.offered,
        CaseEventType.offer_expired,
        CaseEventType.escalated,
    ]
    state = await session.get(CaseRouting, uuid.UUID(case["id"]))
    assert state is not None and state.escalated_at is not None and state.needs_routing


async def test_a_case_closed_while_offered_is_not_offered_again(
    client, actors, make_actor, session
):
    settings = make_settings(routing_mode=RoutingMode.auto)
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    others = [await make_actor(Role.volunteer)]
    for helper in (actors[Role.volunteer], *others):
        await set_profile(client, supervisor, helper.user.id)
    case = await screened_case(client, caseworker)
    made = (await offer(client, caseworker, case["id"], best=True)).json()
    closed = await move(client, caseworker, case["id"], "closed", closure_reason="out_of_scope")
    assert closed.status_code == 200, closed.text
    takers = {str(h.user.id): h for h in (actors[Role.volunteer], *others)}
    answer = await client.post(
        f"/api/v1/offers/{made['id']}/accept", headers=takers[made["user_id"]].headers
    )
    assert answer.status_code == 409  # closing withdrew the offer

    # Withdrawn, the offer is no longer there to expire, nor followed up.
    assert await expire_offers(session, settings=settings, now=utcnow() + timedelta(hours=5)) == 0
    offers = (
        await session.execute(sa.select(Offer).where(col(Offer.case_id) == uuid.UUID(case["id"])))
    ).scalars()
    assert [o.status for o in offers] == [OfferStatus.withdrawn]
    assert (await _events(session, case["id"]))[-1] is CaseEventType.offer_withdrawn
