"""The at-risk and breached queues, and the deadlines a case's detail shows, through the API."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

import routers.cases
from models.base import utcnow
from models.case import Case
from models.enums import Role
from service.thai.dates import BANGKOK
from tests.conftest import Actor
from tests.support.cases import CASES, anonymous_body, create_case

QUEUES = "/api/v1/queues"


async def _set(session: AsyncSession, case_id: str, **values: Any) -> None:
    await session.execute(
        sa.update(Case).where(col(Case.id) == uuid.UUID(case_id)).values(**values)
    )
    await session.commit()


async def _pages(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> list[Any]:
    """Every item of a queue, one per page."""
    items: list[Any] = []
    cursor: str | None = None
    for _ in range(50):
        query = f"?limit=1&cursor={cursor}" if cursor else "?limit=1"
        page = await client.get(f"{QUEUES}/{path}{query}", headers=headers)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the pages never ended")


async def test_the_queues_list_each_late_deadline_soonest_due_first_page_by_page(
    client: httpx.AsyncClient, session: AsyncSession, actors: dict[Role, Actor]
) -> None:
    caseworker = actors[Role.caseworker].headers
    now = utcnow()
    ids = [(await create_case(client, caseworker))["id"] for _ in range(4)]
    # Two cases past their first response, one of them past its resolution too; one at risk;
    # one on time.
    await _set(
        session,
        ids[0],
        first_response_due_at=now - timedelta(hours=1),
        resolution_due_at=now - timedelta(hours=3),
    )
    await _set(session, ids[1], first_response_due_at=now - timedelta(hours=2))
    await _set(
        session,
        ids[2],
        first_response_warn_at=now - timedelta(minutes=5),
        first_response_due_at=now + timedelta(minutes=30),
    )

    breached = await _pages(client, "breached", caseworker)
    ours = [(i["case_id"], i["deadline"]) for i in breached if i["case_id"] in ids]
    assert ours == [
        (ids[0], "resolution"),
        (ids[1], "first_response"),
        (ids[0], "first_response"),
    ]
    dues = [i["due_at"] for i in breached]
    assert dues == sorted(dues)
    first = next(i for i in breached if i["case_id"] == ids[1])
    assert 7190 <= first["seconds_overdue"] <= 7260
    assert first["seconds_left"] is None

    at_risk = [i for i in await _pages(client, "at-risk", caseworker) if i["case_id"] in ids]
    assert [(i["case_id"], i["deadline"]) for i in at_risk] == [(ids[2], "first_response")]
    assert 1700 <= at_risk[0]["seconds_left"] <= 1800
    assert at_risk[0]["seconds_overdue"] is None


async def test_a_volunteer_sees_only_the_cases_they_lead(
    client: httpx.AsyncClient, session: AsyncSession, actors: dict[Role, Actor]
) -> None:
    volunteer = actors[Role.volunteer]
    reported = await create_case(client, volunteer.headers)
    led = await create_case(client, actors[Role.caseworker].headers)
    past = utcnow() - timedelta(hours=1)
    await _set(session, reported["id"], first_response_due_at=past)
    await _set(session, led["id"], first_response_due_at=past, lead_id=volunteer.user.id)

    page = await client.get(f"{QUEUES}/breached?limit=200", headers=volunteer.headers)
    assert page.status_code == 200, page.text
    assert [item["case_id"] for item in page.json()["items"]] == [led["id"]]
    staff = await client.get(
        f"{QUEUES}/breached?limit=200", headers=actors[Role.supervisor].headers
    )
    seen = {item["case_id"] for item in staff.json()["items"]}
    assert {reported["id"], led["id"]} <= seen


@pytest.mark.parametrize("path", ["at-risk", "breached"])
async def test_agencies_and_admins_may_not_read_the_queues(
    client: httpx.AsyncClient, actors: dict[Role, Actor], path: str
) -> None:
    for role in (Role.agency, Role.admin):
        answer = await client.get(f"{QUEUES}/{path}", headers=actors[role].headers)
        assert answer.status_code == 403, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
    assert (await client.get(f"{QUEUES}/{path}")).status_code == 401


@pytest.mark.parametrize(
    "cursor", ["not-a-cursor", "WyIyMDI2LTAxLTAxVDAwOjAwOjAwIiwieCIsInkiXQ", "W10"]
)
async def test_a_cursor_not_made_by_the_queue_is_refused(
    client: httpx.AsyncClient, actors: dict[Role, Actor], cursor: str
) -> None:
    answer = await client.get(
        f"{QUEUES}/breached?cursor={cursor}", headers=actors[Role.caseworker].headers
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["parameter"] == "cursor"


async def test_a_case_opened_on_a_songkran_evening_is_due_after_a_working_day(
    client: httpx.AsyncClient, actors: dict[Role, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    """13 April 2026 (Monday) to 15 April are Songkran holidays: a normal case reported at
    19:00 on the 13th starts counting at 08:30 on Thursday 16th and has one business day (7
    working hours, lunch excluded) to its first response."""
    evening = datetime(2026, 4, 13, 19, 0, tzinfo=BANGKOK)
    monkeypatch.setattr(routers.cases, "utcnow", lambda: evening)
    caseworker = actors[Role.caseworker].headers
    body = anonymous_body(urgency="normal", immediate_danger=False)
    case = await create_case(client, caseworker, body)
    detail = await client.get(f"{CASES}/{case['id']}", headers=caseworker)
    assert detail.status_code == 200, detail.text

    first = detail.json()["deadlines"]["first_response"]
    assert datetime.fromisoformat(first["due_at"]) == datetime(2026, 4, 16, 16, 30, tzinfo=BANGKOK)
    assert datetime.fromisoformat(first["warn_at"]) == datetime(2026, 4, 16, 14, 45, tzinfo=BANGKOK)
    assert first["state"] == "on_time"
    assert first["met_at"] is None
    resolution = detail.json()["deadlines"]["resolution"]
    # 30 business days from 16 April, skipping weekends, Labour Day (1 May), Coronation Day
    # (4 May), the Royal Ploughing Ceremony (13 May) and Visakha Bucha's substitute (1 June).
    assert datetime.fromisoformat(resolution["due_at"]) == datetime(
        2026, 6, 2, 16, 30, tzinfo=BANGKOK
    )
