"""Who may use the routing routes (SPEC §2), role by role, on their own things and others'.

Suggestions, offers and decisions of a case are for caseworkers and supervisors; an offer is
answered only by the person it was made to (anyone else: 404, as for no offer); a helper reads
and changes their own profile, supervisors every volunteer's and caseworker's. A refused request
changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.case import Case
from models.enums import Role
from models.routing import HelperProfile, Offer, RoutingDecision
from tests.conftest import Actor, MakeActor
from tests.support.cases import CASES
from tests.support.routing import HELPERS, OFFERS, screened_case, set_profile

V, C, S, G, A = Role.volunteer, Role.caseworker, Role.supervisor, Role.agency, Role.admin
ROLES = [V, C, S, G, A]

# fmt: off
CASE_ROUTES: dict[str, tuple[int, ...]] = {
    #                 volunteer  caseworker  supervisor  agency  admin
    "suggestions":   (403,       200,        200,        403,    403),
    "offer":         (403,       201,        201,        403,    403),
    "decisions":     (403,       200,        200,        403,    403),
    "my_offers":     (200,       200,        200,        403,    403),
    "list_helpers":  (403,       403,        200,        403,    403),
    "own_profile":   (200,       200,        403,        403,    403),
    "patch_own":     (200,       200,        403,        403,    403),
}
# own: the offer was made to the caller / the profile is the caller's; other: someone else's.
OWNED_ROUTES: dict[str, tuple[int, ...]] = {
    #                 volunteer   caseworker  supervisor  agency      admin
    #                 own  other  own  other  own  other  own  other  own  other
    "accept":        (200, 404,   200, 404,   200, 404,   403, 403,   403, 403),
    "decline":       (200, 404,   200, 404,   200, 404,   403, 403,   403, 403),
    "read_helper":   (403, 403,   403, 403,   404, 200,   403, 403,   403, 403),
    "patch_helper":  (403, 403,   403, 403,   404, 200,   403, 403,   403, 403),
}
# fmt: on


async def _counts(session: AsyncSession) -> tuple[Any, ...]:
    def count(model: Any) -> Any:
        return sa.select(sa.func.count()).select_from(model)

    return (
        await session.scalar(count(Offer)),
        await session.scalar(count(RoutingDecision)),
        await session.scalar(count(HelperProfile)),
        await session.scalar(sa.select(sa.func.sum(Case.event_count))),
        tuple((await session.execute(sa.select(Offer.status).order_by(Offer.id))).scalars()),
    )


@pytest.fixture
async def helper(client: httpx.AsyncClient, actors: dict[Role, Actor], make_actor: MakeActor):
    """Another volunteer, eligible for the cases below."""
    other = await make_actor(V)
    await set_profile(client, actors[S].headers, other.user.id)
    return other


@pytest.mark.parametrize(
    ("route", "role", "expected"),
    [
        pytest.param(route, role, expected, id=f"{route}-{role.value}")
        for route, row in CASE_ROUTES.items()
        for role, expected in zip(ROLES, row, strict=True)
    ],
)
async def test_routing_route_access(
    client: httpx.AsyncClient,
    session: AsyncSession,
    actors: dict[Role, Actor],
    helper: Actor,
    route: str,
    role: Role,
    expected: int,
) -> None:
    case = await screened_case(client, actors[C].headers)
    base = f"{CASES}/{case['id']}"
    method, path, body = {
        "suggestions": ("GET", f"{base}/suggestions", None),
        "offer": ("POST", f"{base}/offers", {"user_id": str(helper.user.id)}),
        "decisions": ("GET", f"{base}/decisions", None),
        "my_offers": ("GET", "/api/v1/me/offers", None),
        "list_helpers": ("GET", HELPERS, None),
        "own_profile": ("GET", "/api/v1/users/me/profile", None),
        "patch_own": ("PATCH", "/api/v1/users/me/profile", {"weekly_hours": 6}),
    }[route]
    before = await _counts(session)
    response = await client.request(method, path, json=body, headers=actors[role].headers)
    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert await _counts(session) == before
    elif route == "offer":
        assert response.json()["offered_by"] == str(actors[role].user.id)


@pytest.mark.parametrize(
    ("route", "role", "relation", "expected"),
    [
        pytest.param(route, role, relation, expected, id=f"{route}-{role.value}-{relation}")
        for route, row in OWNED_ROUTES.items()
        for (role, relation), expected in zip(
            [(r, rel) for r in ROLES for rel in ("own", "other")], row, strict=True
        )
    ],
)
async def test_owned_routing_route_access(
    client: httpx.AsyncClient,
    session: AsyncSession,
    actors: dict[Role, Actor],
    helper: Actor,
    route: str,
    role: Role,
    relation: str,
    expected: int,
) -> None:
    caller = actors[role]
    owner = caller if relation == "own" else helper
    if route in {"accept", "decline"}:
        case = await screened_case(client, actors[C].headers)
        now = utcnow()
        offer = Offer(
            case_id=uuid.UUID(case["id"]),
            user_id=owner.user.id,
            created_at=now,
            expires_at=now + timedelta(hours=1),
        )
        session.add(offer)
        await session.commit()
        path, method = f"{OFFERS}/{offer.id}/{route}", "POST"
        body: dict[str, Any] | None = {"reason": "Away"} if route == "decline" else None
    else:
        path = f"{HELPERS}/{owner.user.id}"
        method = "GET" if route == "read_helper" else "PATCH"
        body = {"capacity": 3} if method == "PATCH" else None
    before = await _counts(session)
    response = await client.request(method, path, json=body, headers=caller.headers)
    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert await _counts(session) == before
    elif route == "accept":
        read = await client.get(f"{CASES}/{offer.case_id}", headers=actors[S].headers)
        assert read.json()["lead"] == str(caller.user.id)
    elif route == "patch_helper":
        assert response.json()["capacity"] == 3


async def test_an_unknown_offer_looks_like_someone_elses(
    client: httpx.AsyncClient, actors: dict[Role, Actor], helper: Actor, session: AsyncSession
) -> None:
    case = await screened_case(client, actors[C].headers)
    made = await client.post(
        f"{CASES}/{case['id']}/offers",
        json={"user_id": str(helper.user.id)},
        headers=actors[C].headers,
    )
    volunteer = actors[V].headers
    theirs = await client.post(f"{OFFERS}/{made.json()['id']}/accept", headers=volunteer)
    missing = await client.post(f"{OFFERS}/{uuid.uuid4()}/accept", headers=volunteer)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
