"""Helpers shared by the routing tests: helper profiles, screened cases, offers."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.cases import CASES, anonymous_body, create_case, move

HELPERS = "/api/v1/helpers"
OFFERS = "/api/v1/offers"


def profile_body(**changes: Any) -> dict[str, Any]:
    """A profile that makes a helper eligible for the intake example's case (Bangkok, district
    1001, older person, Thai)."""
    body: dict[str, Any] = {
        "skills": ["older_person"],
        "areas": ["1001"],
        "capacity": 5,
        "languages": ["th"],
        "card": {"number": "10-000123", "province_code": "10", "expires_on": "2099-12-31"},
    }
    body.update(changes)
    return body


async def set_profile(
    client: httpx.AsyncClient, supervisor: dict[str, str], user_id: Any, **changes: Any
) -> dict[str, Any]:
    response = await client.patch(
        f"{HELPERS}/{user_id}", json=profile_body(**changes), headers=supervisor
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def screened_case(
    client: httpx.AsyncClient, headers: dict[str, str], **intake: Any
) -> dict[str, Any]:
    """A new case screened by the caller (a caseworker or supervisor)."""
    case = await create_case(client, headers, anonymous_body(**intake))
    response = await move(client, headers, case["id"], "screened")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def offer(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: str, **body: Any
) -> httpx.Response:
    return await client.post(f"{CASES}/{case_id}/offers", json=body, headers=headers)
