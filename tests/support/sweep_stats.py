"""Valid requests of the statistics operation for the input sweep."""

from __future__ import annotations

from models.enums import Role
from tests.support.sweep import ValidRequest
from tests.support.sweep_requests import World, recipe


@recipe("GET /api/v1/stats")
async def _read_statistics(world: World) -> ValidRequest:
    await world.cases()
    return ValidRequest(
        "GET",
        "/api/v1/stats",
        headers=await world.headers(Role.supervisor),
        query={"from": "2569-11-01", "to": "2569-11-30"},
    )
