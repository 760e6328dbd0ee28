"""The data-subject request queue through the API: open requests due within 7 days or past,
soonest first, page by page; answered requests leave it; supervisors and admins only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from models.enums import Role
from tests.routers.test_case_cursors import BAD_CURSORS
from tests.support.sweep_privacy import PRIVACY_REQUESTS, REQUEST_EXAMPLE

QUEUE = "/api/v1/queues/privacy-requests"


async def _request(
    client: httpx.AsyncClient, headers: dict[str, str], *, kind: str, days_ago: float
) -> dict[str, Any]:
    received = datetime.now(UTC) - timedelta(days=days_ago)
    body = {**REQUEST_EXAMPLE, "kind": kind, "received_at": received.isoformat()}
    response = await client.post(PRIVACY_REQUESTS, json=body, headers=headers)
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


async def test_requests_near_or_past_their_legal_time_soonest_first(client, actors) -> None:
    headers = actors[Role.supervisor].headers
    overdue = await _request(client, headers, kind="access", days_ago=32)  # 2 days past 30
    due_soon = await _request(client, headers, kind="portability", days_ago=25)  # 5 days left
    await _request(client, headers, kind="access", days_ago=10)  # 20 days left: not yet
    late_erasure = await _request(client, headers, kind="erasure", days_ago=85)  # 5 days left
    answered = await _request(client, headers, kind="access", days_ago=29)
    refused = await client.post(
        f"{PRIVACY_REQUESTS}/{answered['id']}/refuse",
        json={"reason": "ตรวจสอบตัวตนไม่ได้"},
        headers=headers,
    )
    assert refused.status_code == 200, refused.text

    items = await _pages(client, actors[Role.admin].headers)

    assert {item["id"] for item in items} == {overdue["id"], due_soon["id"], late_erasure["id"]}
    assert items[0]["id"] == overdue["id"]
    assert [item["state"] for item in items] == ["overdue", "due_soon", "due_soon"]
    assert [item["due_at"] for item in items] == sorted(item["due_at"] for item in items)
    assert items[0]["seconds_to_due"] < 0 < items[1]["seconds_to_due"]


@pytest.mark.parametrize("role", [Role.volunteer, Role.caseworker, Role.agency])
async def test_only_supervisors_and_admins_read_it(client, actors, role: Role) -> None:
    response = await client.get(QUEUE, headers=actors[role].headers)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("cursor", BAD_CURSORS)
async def test_bad_cursors_are_refused(client, actors, cursor) -> None:
    response = await client.get(
        QUEUE, params={"cursor": cursor}, headers=actors[Role.supervisor].headers
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["parameter"] == "cursor"
