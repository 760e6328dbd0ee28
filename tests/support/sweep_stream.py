"""The valid request of the live-updates stream for the input sweep.

Its token was issued almost an access token's lifetime ago, so the stream (which ends when
its token does, and never later than that lifetime after issue, whatever a forged token
claims) ends within seconds and the in-process client gets a complete answer.
"""

from __future__ import annotations

from models.base import utcnow
from models.enums import Role
from models.user import RefreshFamily
from tests.conftest import make_settings
from tests.support.streams import expiring_bearer
from tests.support.sweep import ValidRequest
from tests.support.sweep_requests import World, recipe

SECONDS_LEFT = 3


@recipe("GET /api/v1/stream")
async def _stream(world: World) -> ValidRequest:
    settings = make_settings()
    user = (await world.actor(Role.caseworker)).user
    family = RefreshFamily(user_id=user.id, created_at=utcnow())
    world.session.add(family)
    await world.session.commit()
    bearer = expiring_bearer(
        settings,
        subject=user.id,
        version=user.token_version,
        family_id=family.id,
        seconds_left=SECONDS_LEFT,
    )
    headers = {"Authorization": bearer, "Accept-Language": "th"}
    return ValidRequest("GET", "/api/v1/stream", headers=headers)
