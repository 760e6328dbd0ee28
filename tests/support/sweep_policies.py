"""Valid requests of the deadline-policy and calendar operations for the input sweep."""

from __future__ import annotations

from models.enums import Role
from routers.policies import CALENDAR_EXAMPLE, DEFAULT_EXAMPLE
from tests.support.sweep import ValidRequest
from tests.support.sweep_requests import World, recipe

POLICIES = "/api/v1/policies"


@recipe("GET /api/v1/policies/deadlines")
async def _read_deadlines(world: World) -> ValidRequest:
    return ValidRequest(
        "GET", f"{POLICIES}/deadlines", headers=await world.headers(Role.caseworker)
    )


@recipe("PUT /api/v1/policies/deadlines")
async def _set_deadlines(world: World) -> ValidRequest:
    return ValidRequest(
        "PUT",
        f"{POLICIES}/deadlines",
        headers=await world.headers(Role.admin),
        json=DEFAULT_EXAMPLE,
    )


@recipe("GET /api/v1/policies/calendar")
async def _read_calendar(world: World) -> ValidRequest:
    return ValidRequest("GET", f"{POLICIES}/calendar", headers=await world.headers(Role.supervisor))


@recipe("PUT /api/v1/policies/calendar")
async def _set_calendar(world: World) -> ValidRequest:
    headers = {**await world.headers(Role.admin), "If-Match": "*"}
    return ValidRequest("PUT", f"{POLICIES}/calendar", headers=headers, json=CALENDAR_EXAMPLE)
