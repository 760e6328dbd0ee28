"""Offer expiry as the worker will run it: each expired offer processed once, its follow-up
(a flag, the next offer in auto mode, escalation), and offers not yet due left alone."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from models.base import utcnow
from models.case import Case
from models.enums import CaseEventType, IneligibleReason, OfferStatus, Role, RoutingMode
from models.events import CaseEvent
from models.routing import CaseRouting, Offer
from service.routing.follow_up import expire_offers
from service.routing.people import rank_people, rank_people_of_cases
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


async def test_a_batch_of_expired_offers_is_offered_anew_in_as_many_statements_as_one(
    client, actors, make_actor, session, engine
) -> None:
    settings = make_settings(routing_mode=RoutingMode.auto)
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    helpers = [actors[Role.volunteer], await make_actor(Role.volunteer)]
    for helper in helpers:
        await set_profile(client, supervisor, helper.user.id)
    cases = [await screened_case(client, caseworker) for _ in range(4)]
    first = {}
    for case in cases:
        first[case["id"]] = (await offer(client, caseworker, case["id"], best=True)).json()
    # One offer is due before the other three.
    await session.execute(
        sa.update(Offer)
        .where(col(Offer.id) == uuid.UUID(first[cases[0]["id"]]["id"]))
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    await session.commit()
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        assert await expire_offers(session, settings=settings, now=utcnow()) == 1
        for_one = len(statements)
        statements.clear()
        later = utcnow() + timedelta(hours=5)
        await session.execute(  # the first case's new offer is not due with the others
            sa.update(Offer)
            .where(
                col(Offer.case_id) == uuid.UUID(cases[0]["id"]),
                col(Offer.status) == OfferStatus.pending,
            )
            .values(expires_at=later + timedelta(days=1))
        )
        await session.commit()
        statements.clear()
        assert await expire_offers(session, settings=settings, now=later) == 3
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", count)

    # Claim, offers, expiries, states, helpers, earlier offers, decisions, new offers, events.
    assert len(statements) == for_one, statements
    for case in cases:
        pending = (
            await session.execute(
                sa.select(Offer).where(
                    col(Offer.case_id) == uuid.UUID(case["id"]),
                    col(Offer.status) == OfferStatus.pending,
                )
            )
        ).scalar_one()
        # The next candidate: not the helper who let the first offer expire.
        assert str(pending.user_id) != first[case["id"]]["user_id"]
        assert (await _events(session, case["id"]))[-2:] == [
            CaseEventType.offer_expired,
            CaseEventType.offered,
        ]


async def test_ranking_cases_together_ranks_each_as_alone(
    client, actors, make_actor, session
) -> None:
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    volunteers = [actors[Role.volunteer], *[await make_actor(Role.volunteer) for _ in range(2)]]
    for volunteer, area in zip(volunteers, ("100101", "10", "50"), strict=True):
        await set_profile(client, supervisor, volunteer.user.id, areas=[area])
    chiang_mai = {
        "province_code": "50",
        "district_code": "5001",
        "subdistrict_code": "500101",
        "postal_code": "50200",
    }
    cases = [
        await screened_case(client, caseworker),
        await screened_case(client, caseworker, location=chiang_mai),
        await screened_case(client, caseworker),
    ]
    declined = (await offer(client, caseworker, cases[2]["id"], best=True)).json()
    taker = next(v for v in volunteers if str(v.user.id) == declined["user_id"])
    await client.post(
        f"/api/v1/offers/{declined['id']}/decline", json={"reason": "Away"}, headers=taker.headers
    )
    rows = [await session.get(Case, uuid.UUID(case["id"])) for case in cases]
    loaded = [row for row in rows if row is not None]
    now = utcnow()

    together = await rank_people_of_cases(session, cases=loaded, now=now)

    for row in loaded:
        alone = await rank_people(session, case=row, now=now)
        assert together[row.id] == alone
    assert together[loaded[2].id].filtered[IneligibleReason.declined] == 1
