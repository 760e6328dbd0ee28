"""Who may use the referral routes (SPEC §2), role by role, and agency staff of the referral's
own organization and of another one.

Referring, cancelling and a case's referrals are for caseworkers and supervisors; the agency a
referral was sent to reads it and what it shares and answers it; another agency's staff get 404
as for no referral; volunteers and admins get 403. A refused request changes nothing, and
records no read.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models.access_log import CaseRead
from models.case import Case
from models.enums import Role
from models.referral import Referral
from models.routing import RoutingDecision
from tests.conftest import Actor, MakeActor
from tests.routers.test_route_rules import _api_routes, _rules
from tests.support.cases import CASES
from tests.support.referrals import REFERRALS, answer, case_in_progress, make_agency, refer

V, C, S, A = Role.volunteer, Role.caseworker, Role.supervisor, Role.admin
CALLERS = ["volunteer", "caseworker", "supervisor", "agency", "other_agency", "admin"]

# fmt: off
ROUTES: dict[str, tuple[int, ...]] = {
    #                 volunteer caseworker supervisor agency other_agency admin
    "refer":         (403,      201,       201,       403,   403,         403),
    "case_list":     (403,      200,       200,       403,   403,         403),
    "list":          (403,      200,       200,       200,   200,         403),
    "read":          (403,      200,       200,       200,   404,         403),
    "shared":        (403,      200,       200,       200,   404,         403),
    "accept":        (403,      403,       403,       200,   404,         403),
    "decline":       (403,      403,       403,       200,   404,         403),
    "complete":      (403,      403,       403,       200,   404,         403),
    "fail":          (403,      403,       403,       200,   404,         403),
    "cancel":        (403,      200,       200,       403,   403,         403),
    "case_detail":   (404,      200,       200,       404,   404,         403),
}
# fmt: on


async def _counts(session: AsyncSession) -> tuple[Any, ...]:
    def count(model: Any) -> Any:
        return sa.select(sa.func.count()).select_from(model)

    return (
        await session.scalar(count(Referral)),
        await session.scalar(count(RoutingDecision)),
        await session.scalar(count(CaseRead)),
        await session.scalar(sa.select(sa.func.sum(Case.event_count))),
        tuple((await session.execute(sa.select(Referral.status).order_by(Referral.id))).scalars()),
    )


@pytest.fixture
async def callers(
    session: AsyncSession, actors: dict[Role, Actor], make_actor: MakeActor
) -> dict[str, Any]:
    shelter = await make_agency(session, make_actor, name="Shelter")
    hospital = await make_agency(session, make_actor, name="Hospital")
    return {
        "volunteer": actors[V],
        "caseworker": actors[C],
        "supervisor": actors[S],
        "agency": shelter.staff,
        "other_agency": hospital.staff,
        "admin": actors[A],
        "shelter": shelter,
        "hospital": hospital,
    }


@pytest.mark.parametrize(
    ("route", "caller", "expected"),
    [
        pytest.param(route, caller, expected, id=f"{route}-{caller}")
        for route, row in ROUTES.items()
        for caller, expected in zip(CALLERS, row, strict=True)
    ],
)
async def test_referral_route_access(
    client: httpx.AsyncClient,
    session: AsyncSession,
    callers: dict[str, Any],
    route: str,
    caller: str,
    expected: int,
) -> None:
    staff = callers["caseworker"].headers
    shelter = callers["shelter"]
    case = await case_in_progress(client, staff)
    referral = (await refer(client, staff, case["id"], shelter.service.id)).json()
    if route in {"complete", "fail"}:
        assert (await answer(client, shelter.staff.headers, referral["id"], "accept")).is_success
    rid = referral["id"]
    reason = {"reason": "because"}
    method, path, body = {
        "refer": (
            "POST",
            f"{CASES}/{case['id']}/referrals",
            {
                "service_id": str(callers["hospital"].service.id),
                "groups": ["summary"],
                "reason": "needs care",
            },
        ),
        "case_list": ("GET", f"{CASES}/{case['id']}/referrals", None),
        "list": ("GET", REFERRALS, None),
        "read": ("GET", f"{REFERRALS}/{rid}", None),
        "shared": ("GET", f"{REFERRALS}/{rid}/case", None),
        "accept": ("POST", f"{REFERRALS}/{rid}/accept", None),
        "decline": ("POST", f"{REFERRALS}/{rid}/decline", reason),
        "complete": ("POST", f"{REFERRALS}/{rid}/complete", None),
        "fail": ("POST", f"{REFERRALS}/{rid}/fail", reason),
        "cancel": ("POST", f"{REFERRALS}/{rid}/cancel", reason),
        "case_detail": ("GET", f"{CASES}/{case['id']}", None),
    }[route]
    before = await _counts(session)
    response = await client.request(method, path, json=body, headers=callers[caller].headers)
    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert await _counts(session) == before
    elif route == "list":
        ids = [r["id"] for r in response.json()["items"]]
        assert ids == ([] if caller == "other_agency" else [rid])


async def test_another_agencys_referral_looks_like_none(
    client: httpx.AsyncClient, callers: dict[str, Any]
) -> None:
    staff = callers["caseworker"].headers
    case = await case_in_progress(client, staff)
    referral = (await refer(client, staff, case["id"], callers["shelter"].service.id)).json()
    other = callers["other_agency"].headers
    theirs = await client.get(f"{REFERRALS}/{referral['id']}/case", headers=other)
    missing = await client.get(f"{REFERRALS}/{uuid.uuid4()}/case", headers=other)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content


async def test_an_agency_account_without_an_organization_sees_none(
    client: httpx.AsyncClient, callers: dict[str, Any], make_actor: MakeActor
) -> None:
    staff = callers["caseworker"].headers
    case = await case_in_progress(client, staff)
    referral = (await refer(client, staff, case["id"], callers["shelter"].service.id)).json()
    loose = await make_actor(Role.agency)
    assert (await client.get(REFERRALS, headers=loose.headers)).json()["items"] == []
    read = await client.get(f"{REFERRALS}/{referral['id']}", headers=loose.headers)
    assert read.status_code == 404


def test_referral_routes_declare_their_roles() -> None:
    staff = frozenset({Role.caseworker, Role.supervisor})
    readers = frozenset({Role.caseworker, Role.supervisor, Role.agency})
    agency = frozenset({Role.agency})
    expected = {
        ("POST", "/api/v1/cases/{case_id}/referrals"): staff,
        ("GET", "/api/v1/cases/{case_id}/referrals"): staff,
        ("GET", "/api/v1/referrals"): readers,
        ("GET", "/api/v1/referrals/{referral_id}"): readers,
        ("GET", "/api/v1/referrals/{referral_id}/case"): readers,
        ("POST", "/api/v1/referrals/{referral_id}/accept"): agency,
        ("POST", "/api/v1/referrals/{referral_id}/decline"): agency,
        ("POST", "/api/v1/referrals/{referral_id}/complete"): agency,
        ("POST", "/api/v1/referrals/{referral_id}/fail"): agency,
        ("POST", "/api/v1/referrals/{referral_id}/cancel"): staff,
        ("GET", "/api/v1/queues/referrals"): readers,
    }
    declared = {
        (method, route.path): _rules(route.dependant)[0]
        for route in _api_routes()
        for method in route.methods or ()
        if "referrals" in route.path
    }
    assert declared == expected
