"""Helpers shared by the routing tests: helper profiles, screened cases, offers."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import httpx

from models.enums import IneligibleReason
from service.routing.ranking import (
    CaseNeeds,
    Helper,
    Ranked,
    Ranking,
    area_match,
    ineligibility,
    score,
)
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


def ranked_one_by_one(helpers: Iterable[Helper], needs: CaseNeeds, *, now: datetime) -> Ranking:
    """The ranking as the rules read, helper by helper: the first failing check
    (`ineligibility`), else the score with the closest area (`area_match`), best first, ties to
    the longer wait, then the id. The reference that `rank`'s indexed groups must equal."""
    filtered: Counter[IneligibleReason] = Counter()
    ranked: list[Ranked] = []
    for helper in helpers:
        reason = ineligibility(helper, needs, now=now)
        if reason is not None:
            filtered[reason] += 1
            continue
        match = area_match(helper.areas, needs)
        ranked.append(Ranked(helper, score(helper, needs, now=now, match=match)))
    ranked.sort(
        key=lambda r: (
            -r.score,
            r.helper.last_assigned_at.timestamp() if r.helper.last_assigned_at else -math.inf,
            str(r.helper.user_id),
        )
    )
    return Ranking(ranked=ranked, filtered=filtered, needs=needs, now=now)
