"""The supervisors' work queues through the API: order, pages, and who sees what."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.case import Case
from models.enums import Role
from models.referral import Referral
from models.routing import CaseRouting, Offer
from service.platform.pagination import encode_cursor
from tests.routers.test_case_cursors import BAD_CURSORS
from tests.support.cases import create_case, move
from tests.support.referrals import case_in_progress, make_agency, refer
from tests.support.routing import offer, screened_case, set_profile

QUEUES = "/api/v1/queues"
NAMES = ("unassigned", "offers", "referrals", "workload", "escalated")


async def _all_pages(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    """Every item of a queue, two per page, following the cursors."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        query = {"limit": 2, **params, **({"cursor": cursor} if cursor else {})}
        response = await client.get(url, params=query, headers=headers)
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the pages never ended")


async def _age(session: AsyncSession, case_id: str, *, hours: int, urgency: str) -> None:
    await session.execute(
        sa.update(Case)
        .where(Case.id == uuid.UUID(case_id))  # type: ignore[arg-type]
        .values(created_at=utcnow() - timedelta(hours=hours), urgency=urgency)
    )
    await session.commit()


async def test_unassigned_is_critical_first_then_oldest_first(client, actors, session) -> None:
    supervisor = actors[Role.supervisor].headers
    made = {}
    for name, hours, urgency in (
        ("normal old", 50, "normal"),
        ("critical new", 1, "critical"),
        ("normal new", 2, "normal"),
        ("critical old", 30, "critical"),
        ("low", 90, "low"),
        ("high", 3, "high"),
    ):
        case = await create_case(client, supervisor)
        await _age(session, case["id"], hours=hours, urgency=urgency)
        made[case["id"]] = name
    led = await case_in_progress(client, supervisor)  # has a lead: not in the queue
    closed = await create_case(client, supervisor)
    response = await move(client, supervisor, closed["id"], "closed", closure_reason="out_of_scope")
    assert response.status_code == 200, response.text

    items = await _all_pages(client, f"{QUEUES}/unassigned", supervisor)

    assert [made.get(item["id"], item["id"]) for item in items] == [
        "critical old",
        "critical new",
        "high",
        "normal old",
        "normal new",
        "low",
    ]
    assert led["id"] not in made and closed["id"] not in made
    assert items[0]["waiting_seconds"] >= 30 * 3600
    assert items[0]["offered_to"] is None and items[0]["needs_routing"] is False


async def test_unassigned_names_the_pending_offer(client, actors) -> None:
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    volunteer = actors[Role.volunteer]
    await set_profile(client, supervisor, volunteer.user.id)
    case = await screened_case(client, caseworker)
    made = await offer(client, caseworker, case["id"], user_id=str(volunteer.user.id))
    assert made.status_code == 201, made.text

    response = await client.get(f"{QUEUES}/unassigned", headers=caseworker)

    (item,) = response.json()["items"]
    assert item["id"] == case["id"] and item["status"] == "screened"
    assert item["offered_to"] == str(volunteer.user.id)
    assert item["offered_to_name"] == volunteer.user.display_name
    assert item["offer_expires_at"] == made.json()["expires_at"]


async def test_a_volunteer_sees_the_unassigned_cases_they_reported(
    client, actors, make_actor
) -> None:
    volunteer = actors[Role.volunteer].headers
    other = (await make_actor(Role.volunteer)).headers
    mine = await create_case(client, volunteer)
    theirs = await create_case(client, other)
    await create_case(client, actors[Role.caseworker].headers)

    # One statement serves every volunteer of a shape of request: each sees their own.
    for headers, expected in ((volunteer, mine), (other, theirs), (volunteer, mine)):
        response = await client.get(f"{QUEUES}/unassigned", headers=headers)
        assert [item["id"] for item in response.json()["items"]] == [expected["id"]]


async def test_offers_wait_longest_first_and_volunteers_see_their_own(
    client, actors, session, make_actor
) -> None:
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    volunteer, other = actors[Role.volunteer], await make_actor(Role.volunteer)
    offered = []
    for helper in (volunteer, other, volunteer):
        await set_profile(client, supervisor, helper.user.id)
        case = await screened_case(client, caseworker)
        made = await offer(client, caseworker, case["id"], user_id=str(helper.user.id))
        assert made.status_code == 201, made.text
        offered.append(made.json())
    # Made in this order, but the last one has waited longest; the middle one is past its
    # expiry, which the worker has not processed yet.
    ids = [uuid.UUID(o["id"]) for o in offered]
    for offer_id, hours in ((ids[2], 5), (ids[1], 3)):
        await session.execute(
            sa.update(Offer)
            .where(Offer.id == offer_id)  # type: ignore[arg-type]
            .values(created_at=utcnow() - timedelta(hours=hours))
        )
    await session.execute(
        sa.update(Offer)
        .where(Offer.id == ids[1])  # type: ignore[arg-type]
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    await session.commit()

    everyone = await _all_pages(client, f"{QUEUES}/offers", supervisor)
    own = await _all_pages(client, f"{QUEUES}/offers", volunteer.headers)

    assert [item["id"] for item in everyone] == [str(ids[2]), str(ids[1]), str(ids[0])]
    assert [item["expired"] for item in everyone] == [False, True, False]
    assert everyone[0]["user_name"] == volunteer.user.display_name
    assert everyone[0]["waiting_seconds"] >= 5 * 3600
    assert [item["id"] for item in own] == [str(ids[2]), str(ids[0])]
    assert [item["id"] for item in await _all_pages(client, f"{QUEUES}/offers", other.headers)] == [
        str(ids[1])
    ]


async def test_referrals_wait_oldest_first_by_agency(client, actors, session, make_actor) -> None:
    caseworker = actors[Role.caseworker].headers
    shelter = await make_agency(session, make_actor, name="บ้านพัก")
    hospital = await make_agency(session, make_actor, name="โรงพยาบาล")
    sent = []
    for agency in (shelter, hospital, shelter):
        case = await case_in_progress(client, caseworker)
        made = await refer(client, caseworker, case["id"], agency.service.id)
        assert made.status_code == 201, made.text
        sent.append(made.json())
    # The first referral is past the agency's deadline.
    await session.execute(
        sa.update(Referral)
        .where(Referral.id == uuid.UUID(sent[0]["id"]))  # type: ignore[arg-type]
        .values(
            created_at=utcnow() - timedelta(days=3),
            response_due_at=utcnow() - timedelta(days=1),
        )
    )
    await session.commit()
    url = f"{QUEUES}/referrals"

    everyone = await _all_pages(client, url, caseworker)
    shelter_id = str(shelter.organization.id)
    shelters = await _all_pages(client, url, caseworker, organization_id=shelter_id)
    own = await _all_pages(client, url, shelter.staff.headers)
    asked_for_other = await _all_pages(
        client, url, shelter.staff.headers, organization_id=str(hospital.organization.id)
    )

    assert [item["id"] for item in everyone] == [r["id"] for r in sent]
    assert [item["past_deadline"] for item in everyone] == [True, False, False]
    assert everyone[0]["organization_name"] == "บ้านพัก"
    assert [item["id"] for item in shelters] == [sent[0]["id"], sent[2]["id"]]
    assert own == shelters
    assert asked_for_other == []


async def test_workload_is_most_loaded_first(client, actors, make_actor) -> None:
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    busy, idle = actors[Role.volunteer], await make_actor(Role.volunteer)
    await set_profile(client, supervisor, busy.user.id, capacity=2)
    await set_profile(client, supervisor, idle.user.id, capacity=4)
    await set_profile(client, supervisor, actors[Role.caseworker].user.id, capacity=0)
    case = await screened_case(client, caseworker)
    made = await offer(client, caseworker, case["id"], user_id=str(busy.user.id))
    assert made.status_code == 201, made.text
    led = await case_in_progress(client, caseworker)  # led by the caseworker (capacity 0)
    assert led["lead"] == str(actors[Role.caseworker].user.id)

    items = await _all_pages(client, f"{QUEUES}/workload", supervisor)
    own = await _all_pages(client, f"{QUEUES}/workload", busy.headers)

    rows = {item["user_id"]: item for item in items}
    assert [item["user_id"] for item in items] == [
        str(actors[Role.caseworker].user.id),
        str(busy.user.id),
        str(idle.user.id),
    ]
    assert rows[str(busy.user.id)]["pending_offers"] == 1
    assert rows[str(busy.user.id)]["load_ratio"] == 0.5
    assert rows[str(actors[Role.caseworker].user.id)]["open_cases"] == 1
    assert rows[str(idle.user.id)]["load_ratio"] == 0.0
    assert [item["user_id"] for item in own] == [str(busy.user.id)]


async def test_escalated_cases_still_open_oldest_escalation_first(client, actors, session) -> None:
    supervisor, volunteer = actors[Role.supervisor].headers, actors[Role.volunteer].headers
    first = await create_case(client, supervisor)
    second = await create_case(client, volunteer)
    closed = await create_case(client, supervisor)
    now = utcnow()
    for case, hours in ((first, 2), (second, 5), (closed, 9)):
        session.add(
            CaseRouting(
                case_id=uuid.UUID(case["id"]),
                failed_offers=3,
                needs_routing=True,
                escalated_at=now - timedelta(hours=hours),
                updated_at=now,
            )
        )
    await session.commit()
    # Closing ends the escalation.
    response = await move(client, supervisor, closed["id"], "closed", closure_reason="out_of_scope")
    assert response.status_code == 200, response.text

    everyone = await _all_pages(client, f"{QUEUES}/escalated", supervisor)
    own = await _all_pages(client, f"{QUEUES}/escalated", volunteer)

    assert [item["id"] for item in everyone] == [second["id"], first["id"]]
    assert everyone[0]["failed_offers"] == 3 and everyone[0]["escalated_seconds"] >= 5 * 3600
    assert [item["id"] for item in own] == [second["id"]]


async def test_a_reopened_case_is_escalated_again(client, actors, session) -> None:
    supervisor = actors[Role.supervisor].headers
    case = await create_case(client, supervisor)
    session.add(
        CaseRouting(
            case_id=uuid.UUID(case["id"]),
            failed_offers=3,
            needs_routing=True,
            escalated_at=utcnow() - timedelta(hours=1),
            updated_at=utcnow(),
        )
    )
    await session.commit()
    closing = await move(client, supervisor, case["id"], "closed", closure_reason="out_of_scope")
    assert closing.status_code == 200, closing.text
    assert await _all_pages(client, f"{QUEUES}/escalated", supervisor) == []
    state = await session.get(CaseRouting, uuid.UUID(case["id"]), populate_existing=True)
    assert state is not None and state.escalation_ended_at is not None

    reopening = await move(client, supervisor, case["id"], "in_progress", reason="new facts")
    assert reopening.status_code == 200, reopening.text
    assert [i["id"] for i in await _all_pages(client, f"{QUEUES}/escalated", supervisor)] == [
        case["id"]
    ]


@pytest.mark.parametrize(
    ("role", "refused"),
    [
        (Role.admin, NAMES),
        (Role.agency, ("unassigned", "offers", "workload", "escalated")),
        (Role.volunteer, ("referrals",)),
    ],
)
async def test_roles_without_a_queue_are_refused(client, actors, role, refused) -> None:
    for name in NAMES:
        response = await client.get(f"{QUEUES}/{name}", headers=actors[role].headers)
        expected = 403 if name in refused else 200
        assert response.status_code == expected, (name, response.text)


async def test_a_queue_needs_a_token(client) -> None:
    for name in NAMES:
        assert (await client.get(f"{QUEUES}/{name}")).status_code == 401


@pytest.mark.parametrize(
    "cursor",
    [
        *BAD_CURSORS,
        encode_cursor([4, "2026-01-01T00:00:00+00:00", "3f1c2a8e-4a3b-4bb0-9d4c-9d1f2a3b4c5d"]),
        encode_cursor([True, "2026-01-01T00:00:00+00:00", "3f1c2a8e-4a3b-4bb0-9d4c-9d1f2a3b4c5d"]),
        encode_cursor([float("inf"), "3f1c2a8e-4a3b-4bb0-9d4c-9d1f2a3b4c5d"]),
        encode_cursor([0.5, "x"]),
    ],
)
async def test_bad_cursors_are_refused_on_every_queue(client, actors, cursor) -> None:
    for name in NAMES:
        response = await client.get(
            f"{QUEUES}/{name}", params={"cursor": cursor}, headers=actors[Role.supervisor].headers
        )
        assert response.status_code == 422, (name, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["parameter"] == "cursor"
