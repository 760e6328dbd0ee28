"""Valid requests of the work-queue routes for the input sweep, each on a page after a cursor
(`tests/support/sweep_requests.py` imports this)."""

from __future__ import annotations

import uuid

from models.base import utcnow
from models.enums import Role
from service.platform.pagination import encode_cursor, encode_time_id_cursor
from tests.support.sweep import ValidRequest
from tests.support.sweep_requests import World, recipe

QUEUES = "/api/v1/queues"


def _queue_recipe(name: str, cursor: str, **query: str) -> None:
    async def make(world: World) -> ValidRequest:
        await world.cases()
        return ValidRequest(
            "GET",
            f"{QUEUES}/{name}",
            query={"limit": 5, "cursor": cursor, **query},
            headers=await world.headers(Role.caseworker),
        )

    recipe(f"GET {QUEUES}/{name}")(make)


_SOMEONE = uuid.UUID(int=1)
_queue_recipe("unassigned", encode_cursor([0, utcnow().isoformat(), str(_SOMEONE)]))
_queue_recipe("offers", encode_time_id_cursor(utcnow(), _SOMEONE))
_queue_recipe(
    "referrals", encode_time_id_cursor(utcnow(), _SOMEONE), organization_id=str(uuid.uuid4())
)
_queue_recipe("workload", encode_cursor([0.5, str(_SOMEONE)]))
_queue_recipe("escalated", encode_time_id_cursor(utcnow(), _SOMEONE))


@recipe(f"GET {QUEUES}/breaches")
async def _breach_queue(world: World) -> ValidRequest:
    return ValidRequest(
        "GET",
        f"{QUEUES}/breaches",
        query={"limit": 5, "cursor": encode_time_id_cursor(utcnow(), _SOMEONE)},
        headers=await world.headers(Role.supervisor),
    )


@recipe(f"GET {QUEUES}/privacy-requests")
async def _privacy_request_queue(world: World) -> ValidRequest:
    return ValidRequest(
        "GET",
        f"{QUEUES}/privacy-requests",
        query={"limit": 5, "cursor": encode_time_id_cursor(utcnow(), _SOMEONE)},
        headers=await world.headers(Role.supervisor),
    )
