"""The breach queue through the API: open breaches owing their 72-hour notification, due within
24 hours or past, soonest first, page by page; supervisors and admins only."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from models.enums import Role
from tests.routers.test_case_cursors import BAD_CURSORS
from tests.support.sweep_privacy import BREACH_EXAMPLE, BREACHES

QUEUE = "/api/v1/queues/breaches"


async def _record(
    client: httpx.AsyncClient, headers: dict[str, str], *, hours_ago: float, **changes: Any
) -> dict[str, Any]:
    body = copy.deepcopy(BREACH_EXAMPLE)
    body["detected_at"] = (datetime.now(UTC) - timedelta(hours=hours_ago)).isoformat()
    body.update(changes)
    response = await client.post(BREACHES, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _pages(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        response = await client.get(QUEUE, params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        if (cursor := page["next_cursor"]) is None:
            return items


async def test_due_breaches_soonest_first_with_hours_left_or_overdue(client, actors) -> None:
    headers = actors[Role.supervisor].headers
    overdue = await _record(client, headers, hours_ago=80.5)  # 8.5 hours past due
    due_soon = await _record(client, headers, hours_ago=60.5)  # 11.5 hours left
    await _record(client, headers, hours_ago=10)  # 62 hours left: not yet in the queue
    await _record(client, headers, hours_ago=70, risk="unlikely", vulnerable_subjects=[])
    told = await _record(client, headers, hours_ago=65)
    notified = await client.patch(
        f"{BREACHES}/{told['id']}",
        json={"regulator_notified_at": datetime.now(UTC).isoformat()},
        headers={**headers, "If-Match": '"1"'},
    )
    assert notified.status_code == 200, notified.text

    items = await _pages(client, actors[Role.admin].headers)

    assert [item["id"] for item in items] == [overdue["id"], due_soon["id"]]
    first, second = items
    assert first["notification"] == "overdue"
    assert (first["hours_left"], first["hours_overdue"]) == (None, 8)
    assert first["seconds_to_due"] < 0
    assert second["notification"] == "due_soon"
    assert (second["hours_left"], second["hours_overdue"]) == (11, None)
    assert second["risk"] == "high" and second["vulnerable_subjects"] == ["children"]


async def test_a_closed_breach_leaves_the_queue(client, actors) -> None:
    headers = actors[Role.supervisor].headers
    breach = await _record(client, headers, hours_ago=75, risk="risk", vulnerable_subjects=[])
    assert [i["id"] for i in (await client.get(QUEUE, headers=headers)).json()["items"]] == [
        breach["id"]
    ]
    url = f"{BREACHES}/{breach['id']}"
    told = await client.patch(
        url,
        json={"regulator_notified_at": datetime.now(UTC).isoformat(), "closed": True},
        headers={**headers, "If-Match": '"1"'},
    )
    assert told.status_code == 200, told.text
    assert (await client.get(QUEUE, headers=headers)).json() == {"items": [], "next_cursor": None}


@pytest.mark.parametrize("role", [Role.volunteer, Role.caseworker, Role.agency])
async def test_only_supervisors_and_admins_read_the_breach_queue(client, actors, role) -> None:
    assert (await client.get(QUEUE, headers=actors[role].headers)).status_code == 403
    assert (await client.get(QUEUE)).status_code == 401


@pytest.mark.parametrize("cursor", BAD_CURSORS)
async def test_bad_cursors_are_refused(client, actors, cursor) -> None:
    response = await client.get(
        QUEUE, params={"cursor": cursor}, headers=actors[Role.admin].headers
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["parameter"] == "cursor"
