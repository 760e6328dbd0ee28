"""Valid requests of the at-risk and breached queues for the input sweep."""

from __future__ import annotations

import uuid

from models.base import utcnow
from models.enums import Role
from service.platform.pagination import encode_cursor
from tests.support.sweep import ValidRequest
from tests.support.sweep_requests import World, recipe

QUEUES = "/api/v1/queues"


def _queue_recipe(path: str, role: Role) -> None:
    @recipe(f"GET {QUEUES}/{path}")
    async def _read(world: World) -> ValidRequest:
        cursor = encode_cursor([utcnow().isoformat(), str(uuid.uuid4()), "first_response"])
        query = {"limit": 5, "cursor": cursor}
        return ValidRequest(
            "GET", f"{QUEUES}/{path}", query=query, headers=await world.headers(role)
        )


_queue_recipe("at-risk", Role.supervisor)
_queue_recipe("breached", Role.caseworker)
