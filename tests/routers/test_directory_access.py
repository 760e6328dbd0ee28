"""Who may do what to the agency directory, route by route, role by role, own organization or
another's: staff and admins read it, admins manage it, agency staff read their own
organization and keep its contact data and its services' room current. What an agency account
may not read answers 404; a role that may never use a route is refused at the route (403)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import Role
from tests.conftest import Actor, MakeActor

DIRECTORY = "/api/v1/directory"
V, C, S, G, A = Role.volunteer, Role.caseworker, Role.supervisor, Role.agency, Role.admin
# The callers: agency staff of the organization under test ("own"), of another ("other").
CALLERS = ["volunteer", "caseworker", "supervisor", "agency_own", "agency_other", "admin"]

# fmt: off
ROUTES: dict[str, tuple[int, ...]] = {
    #                     vol  cw   sup  own  other admin
    "list_organizations": (403, 200, 200, 403, 403, 200),
    "create_organization":(403, 403, 403, 403, 403, 201),
    "read_organization":  (403, 200, 200, 200, 404, 200),
    "replace_organization":(403, 403, 403, 403, 403, 200),
    "patch_organization": (403, 403, 403, 200, 404, 200),
    "list_services":      (403, 200, 200, 403, 403, 200),
    "create_service":     (403, 403, 403, 403, 403, 201),
    "read_service":       (403, 200, 200, 200, 404, 200),
    "replace_service":    (403, 403, 403, 403, 403, 200),
    "capacity":           (403, 403, 403, 200, 404, 200),
}
# fmt: on

ORGANIZATION = {"name": "หน่วยงานทดสอบ", "description": "ทดสอบ"}


def _service(organization_id: str) -> dict[str, Any]:
    return {
        "organization_id": organization_id,
        "name": "บริการทดสอบ",
        "status": "active",
        "service_areas": [{"id": str(uuid.uuid4()), "x_onestop": {"area_code": "50"}}],
        "x_onestop": {"categories": ["child_youth"], "accepts_referrals": True},
    }


async def _world(
    client: httpx.AsyncClient, make_actor: MakeActor, session: AsyncSession
) -> dict[str, Any]:
    admin = await make_actor(A)
    own = (
        await client.post(f"{DIRECTORY}/organizations", json=ORGANIZATION, headers=admin.headers)
    ).json()
    other = (
        await client.post(f"{DIRECTORY}/organizations", json=ORGANIZATION, headers=admin.headers)
    ).json()
    service = await client.post(
        f"{DIRECTORY}/services", json=_service(own["id"]), headers=admin.headers
    )
    assert service.status_code == 201, service.text
    callers: dict[str, Actor] = {
        "volunteer": await make_actor(V),
        "caseworker": await make_actor(C),
        "supervisor": await make_actor(S),
        "agency_own": await make_actor(G),
        "agency_other": await make_actor(G),
        "admin": admin,
    }
    callers["agency_own"].user.organization_id = uuid.UUID(own["id"])
    callers["agency_other"].user.organization_id = uuid.UUID(other["id"])
    session.add_all([callers["agency_own"].user, callers["agency_other"].user])
    await session.commit()
    return {"own": own, "service": service.json(), "callers": callers}


def _request(route: str, world: dict[str, Any]) -> tuple[str, str, dict[str, Any] | None, bool]:
    """Method, path, body, and whether the route wants the ETag in If-Match."""
    org, service = world["own"], world["service"]
    org_path = f"{DIRECTORY}/organizations/{org['id']}"
    service_path = f"{DIRECTORY}/services/{service['id']}"
    return {
        "list_organizations": ("GET", f"{DIRECTORY}/organizations", None, False),
        "create_organization": ("POST", f"{DIRECTORY}/organizations", ORGANIZATION, False),
        "read_organization": ("GET", org_path, None, False),
        "replace_organization": ("PUT", org_path, ORGANIZATION, True),
        "patch_organization": ("PATCH", org_path, {"email": "desk@example.org"}, True),
        "list_services": ("GET", f"{DIRECTORY}/services", None, False),
        "create_service": ("POST", f"{DIRECTORY}/services", _service(org["id"]), False),
        "read_service": ("GET", service_path, None, False),
        "replace_service": ("PUT", service_path, _service(org["id"]), True),
        "capacity": ("PATCH", service_path + "/capacity", {"available": 2, "maximum": 9}, False),
    }[route]


MATRIX = [
    pytest.param(route, caller, expected, id=f"{route}-{caller}")
    for route, row in ROUTES.items()
    for caller, expected in zip(CALLERS, row, strict=True)
]


@pytest.mark.parametrize(("route", "caller", "expected"), MATRIX)
async def test_directory_access(
    client: httpx.AsyncClient,
    make_actor: MakeActor,
    session: AsyncSession,
    route: str,
    caller: str,
    expected: int,
) -> None:
    world = await _world(client, make_actor, session)
    method, path, body, wants_etag = _request(route, world)
    headers = dict(world["callers"][caller].headers)
    if wants_etag:
        headers["If-Match"] = '"1"'  # the version of what was just made
    response = await client.request(method, path, json=body, headers=headers)
    assert response.status_code == expected, response.text
    if expected == 404:
        assert response.json()["type"].endswith("/not-found")


@pytest.mark.parametrize("route", list(ROUTES))
async def test_directory_routes_need_a_token(
    client: httpx.AsyncClient, make_actor: MakeActor, session: AsyncSession, route: str
) -> None:
    world = await _world(client, make_actor, session)
    method, path, body, _ = _request(route, world)
    response = await client.request(method, path, json=body)
    assert response.status_code == 401


async def test_an_agency_account_without_an_organization_reads_none(
    client: httpx.AsyncClient, make_actor: MakeActor, session: AsyncSession
) -> None:
    world = await _world(client, make_actor, session)
    loner = await make_actor(G)
    for path in (
        f"{DIRECTORY}/organizations/{world['own']['id']}",
        f"{DIRECTORY}/services/{world['service']['id']}",
    ):
        assert (await client.get(path, headers=loner.headers)).status_code == 404
