"""Valid requests of the routing operations for the input sweep (registered in `RECIPES`): a
volunteer with an eligible profile, a screened case, and an offer of it to the volunteer."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from models.base import utcnow
from models.enums import Role
from service.platform.pagination import encode_cursor, encode_time_id_cursor
from tests.support.cases import CASES, anonymous_body
from tests.support.routing import HELPERS, OFFERS, profile_body
from tests.support.sweep import ValidRequest
from tests.support.sweep_requests import World, recipe

ME = "/api/v1/users/me/profile"


async def _routing(world: World) -> dict[str, Any]:
    """A volunteer eligible for a screened case, and (once asked) an offer of it to them."""
    if "routing" not in world.cache:
        volunteer = await world.actor(Role.volunteer)
        staff = await world.headers(Role.caseworker)
        supervisor = await world.headers(Role.supervisor)
        profile = await world.client.patch(
            f"{HELPERS}/{volunteer.user.id}", json=profile_body(), headers=supervisor
        )
        assert profile.status_code == 200, profile.text
        created = await world.client.post(CASES, json=anonymous_body(), headers=staff)
        assert created.status_code == 201, created.text
        case = created.json()
        screened = await world.client.post(
            f"{CASES}/{case['id']}/transitions",
            json={"to": "screened"},
            headers={**staff, "If-Match": f'"{case["version"]}"'},
        )
        assert screened.status_code == 200, screened.text
        world.cache["routing"] = {"case_id": case["id"], "volunteer": str(volunteer.user.id)}
    return dict(world.cache["routing"])


async def _offer_id(world: World) -> str:
    routing = await _routing(world)
    if "offer" not in world.cache:
        made = await world.client.post(
            f"{CASES}/{routing['case_id']}/offers",
            json={"user_id": routing["volunteer"]},
            headers=await world.headers(Role.caseworker),
        )
        assert made.status_code == 201, made.text
        world.cache["offer"] = made.json()["id"]
    return str(world.cache["offer"])


@recipe("GET /api/v1/users/me/profile")
async def _own_profile(world: World) -> ValidRequest:
    return ValidRequest("GET", ME, headers=await world.headers(Role.volunteer))


@recipe("PATCH /api/v1/users/me/profile")
async def _patch_own_profile(world: World) -> ValidRequest:
    body = {
        "available": True,
        "leave_until": (utcnow() + timedelta(days=2)).isoformat(),
        "weekly_hours": 8,
        "languages": ["th", "en"],
    }
    return ValidRequest("PATCH", ME, headers=await world.headers(Role.volunteer), json=body)


@recipe("GET /api/v1/helpers")
async def _list_helpers(world: World) -> ValidRequest:
    await _routing(world)
    query = {
        "limit": 1,
        "cursor": encode_cursor(["A", "00000000-0000-0000-0000-000000000000"]),
        "role": "volunteer",
        "card_expiring": "false",
    }
    return ValidRequest("GET", HELPERS, query=query, headers=await world.headers(Role.supervisor))


async def _helper_request(world: World, method: str, **parts: Any) -> ValidRequest:
    routing = await _routing(world)
    return ValidRequest(
        method,
        HELPERS + "/{user_id}",
        path_params={"user_id": routing["volunteer"]},
        headers=await world.headers(Role.supervisor),
        **parts,
    )


@recipe("GET /api/v1/helpers/{user_id}")
async def _read_helper(world: World) -> ValidRequest:
    return await _helper_request(world, "GET")


@recipe("PATCH /api/v1/helpers/{user_id}")
async def _patch_helper(world: World) -> ValidRequest:
    body = profile_body(areas=["10", "1001", "100101"], capacity=4, weekly_hours=10)
    return await _helper_request(world, "PATCH", json=body)


async def _routing_case_request(
    world: World, method: str, suffix: str, **parts: Any
) -> ValidRequest:
    routing = await _routing(world)
    return ValidRequest(
        method,
        CASES + "/{case_id}" + suffix,
        path_params={"case_id": routing["case_id"]},
        headers=await world.headers(Role.caseworker),
        **parts,
    )


@recipe("GET /api/v1/cases/{case_id}/suggestions")
async def _suggestions(world: World) -> ValidRequest:
    return await _routing_case_request(world, "GET", "/suggestions", query={"limit": 5})


@recipe("POST /api/v1/cases/{case_id}/offers")
async def _make_offer(world: World) -> ValidRequest:
    routing = await _routing(world)
    body = {"user_id": routing["volunteer"]}
    return await _routing_case_request(world, "POST", "/offers", json=body)


@recipe("GET /api/v1/cases/{case_id}/decisions")
async def _decisions(world: World) -> ValidRequest:
    await _offer_id(world)
    query = {
        "limit": 1,
        "cursor": encode_time_id_cursor(utcnow() - timedelta(days=1), uuid.uuid4()),
    }
    return await _routing_case_request(world, "GET", "/decisions", query=query)


async def _answer(world: World, action: str, **parts: Any) -> ValidRequest:
    return ValidRequest(
        "POST",
        OFFERS + "/{offer_id}/" + action,
        path_params={"offer_id": await _offer_id(world)},
        headers=await world.headers(Role.volunteer),
        **parts,
    )


@recipe("POST /api/v1/offers/{offer_id}/accept")
async def _accept(world: World) -> ValidRequest:
    return await _answer(world, "accept")


@recipe("POST /api/v1/offers/{offer_id}/decline")
async def _decline(world: World) -> ValidRequest:
    return await _answer(world, "decline", json={"reason": "ไม่ว่างสัปดาห์นี้"})


@recipe("GET /api/v1/me/offers")
async def _my_offers(world: World) -> ValidRequest:
    await _offer_id(world)
    query = {
        "limit": 1,
        "cursor": encode_time_id_cursor(utcnow() + timedelta(days=1), uuid.uuid4()),
    }
    return ValidRequest(
        "GET", "/api/v1/me/offers", query=query, headers=await world.headers(Role.volunteer)
    )
