"""Referral deadlines: an unanswered referral is flagged once when the clock passes its
deadline, with the next agency suggested, or, in `auto` mode, referred to."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import Role, RoutingMode
from service.routing.referral_deadlines import flag_overdue_referrals
from tests.conftest import make_settings
from tests.support.cases import CASES
from tests.support.referrals import (
    REFERRALS,
    add_service,
    answer,
    case_in_progress,
    make_agency,
    refer,
)


async def _setup(client, session: AsyncSession, actors, make_actor):
    caseworker = actors[Role.caseworker].headers
    shelter = await make_agency(session, make_actor, name="Shelter")
    # A second service that suits the case, ranked below the shelter's (fewer categories).
    second = await add_service(
        session, shelter.organization, name="Second", categories=("older_person",)
    )
    await session.commit()
    case = await case_in_progress(client, caseworker)
    made = await refer(client, caseworker, case["id"], shelter.service.id)
    assert made.status_code == 201, made.text
    return caseworker, shelter, second, case, made.json()


async def test_flagged_once_with_the_next_suggestion(client, session, actors, make_actor):
    caseworker, shelter, second, case, referral = await _setup(client, session, actors, make_actor)
    due = datetime.fromisoformat(referral["response_due_at"])
    settings = make_settings()

    early = await flag_overdue_referrals(session, settings=settings, now=due - timedelta(seconds=1))
    assert early == 0
    assert await flag_overdue_referrals(session, settings=settings, now=due) == 1
    await session.commit()
    assert (
        await flag_overdue_referrals(session, settings=settings, now=due + timedelta(hours=5)) == 0
    )
    await session.commit()

    read = (await client.get(f"{REFERRALS}/{referral['id']}", headers=caseworker)).json()
    assert read["overdue"] is True
    assert read["status"] == "requested"
    assert read["next_service_id"] == str(second.id)
    timeline = (await client.get(f"{CASES}/{case['id']}/timeline", headers=caseworker)).json()
    overdue = [e for e in timeline["items"] if e["type"] == "referral_overdue"]
    assert len(overdue) == 1
    assert overdue[0]["actor"] is None
    assert overdue[0]["data"]["next_service_id"] == str(second.id)
    # The agency may still answer late; then it is no longer overdue.
    accepted = await answer(client, shelter.staff.headers, referral["id"], "accept")
    assert accepted.json()["overdue"] is False


async def test_an_answered_referral_is_never_flagged(client, session, actors, make_actor):
    _, shelter, _, _, referral = await _setup(client, session, actors, make_actor)
    await answer(client, shelter.staff.headers, referral["id"], "accept")
    later = datetime.fromisoformat(referral["response_due_at"]) + timedelta(days=3)
    assert await flag_overdue_referrals(session, settings=make_settings(), now=later) == 0


async def test_auto_mode_refers_on(client, session, actors, make_actor):
    caseworker, _, second, case, referral = await _setup(client, session, actors, make_actor)
    later = datetime.fromisoformat(referral["response_due_at"]) + timedelta(minutes=1)
    settings = make_settings(routing_mode=RoutingMode.auto)
    assert await flag_overdue_referrals(session, settings=settings, now=later) == 1
    await session.commit()

    listed = (await client.get(f"{CASES}/{case['id']}/referrals", headers=caseworker)).json()
    first, following = listed["items"]
    assert first["status"] == "cancelled"
    assert first["answer_reason"] == "overdue"
    assert following["service_id"] == str(second.id)
    assert following["status"] == "requested"
    assert following["requested_by"] is None
    assert following["requested_by_name"] is None
    assert following["groups"] == referral["groups"]
    read = (await client.get(f"{CASES}/{case['id']}", headers=caseworker)).json()
    assert read["status"] == "referred"
    timeline = (await client.get(f"{CASES}/{case['id']}/timeline", headers=caseworker)).json()
    types = [e["type"] for e in timeline["items"]]
    assert types[-3:] == ["referral_overdue", "referred", "referral_cancelled"]
    decisions = (await client.get(f"{CASES}/{case['id']}/decisions", headers=caseworker)).json()
    assert decisions["items"][-1]["chosen_by"] == "auto"
    assert decisions["items"][-1]["chosen_id"] == str(second.id)


async def test_auto_mode_without_another_agency_only_flags(client, session, actors, make_actor):
    caseworker = actors[Role.caseworker].headers
    shelter = await make_agency(session, make_actor, name="Shelter")
    case = await case_in_progress(client, caseworker)
    referral = (await refer(client, caseworker, case["id"], shelter.service.id)).json()
    later = datetime.fromisoformat(referral["response_due_at"]) + timedelta(minutes=1)
    settings = make_settings(routing_mode=RoutingMode.auto)
    assert await flag_overdue_referrals(session, settings=settings, now=later) == 1
    await session.commit()
    read = (await client.get(f"{REFERRALS}/{referral['id']}", headers=caseworker)).json()
    assert read["status"] == "requested"
    assert read["overdue"] is True
    assert read["next_service_id"] is None
