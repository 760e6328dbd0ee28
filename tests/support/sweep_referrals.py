"""Valid requests of the referral routes for the input sweep: a case in progress referred to an
agency whose staff account answers it (`tests/support/sweep_requests.py` imports this)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from models.enums import Role
from service.platform.pagination import encode_time_id_cursor
from tests.support.cases import CASES
from tests.support.extremes import ABSENT
from tests.support.referrals import REFERRALS, answer, case_in_progress, make_agency, refer
from tests.support.sweep import ValidRequest
from tests.support.sweep_requests import World, recipe


async def _referral(world: World, *, accepted: bool = False) -> dict[str, Any]:
    """A case in progress, an agency, and a referral of the case to it."""
    if "referral" not in world.cache:
        shelter = await make_agency(world.session, world.make_actor, name="สถานพักพิง")
        headers = await world.headers(Role.caseworker)
        case = await case_in_progress(world.client, headers)
        made = await refer(world.client, headers, case["id"], shelter.service.id)
        assert made.status_code == 201, made.text
        world.cache["referral"] = {
            "case": case,
            "referral": made.json(),
            "agency": {**shelter.staff.headers, "Accept-Language": "th"},
            "service_id": str(shelter.service.id),
        }
    found: dict[str, Any] = world.cache["referral"]
    if accepted and found["referral"]["status"] == "requested":
        done = await answer(world.client, found["agency"], found["referral"]["id"], "accept")
        assert done.status_code == 200, done.text
        found["referral"] = done.json()
    return found


@recipe("POST /api/v1/cases/{case_id}/referrals")
async def _make_referral(world: World) -> ValidRequest:
    headers = await world.headers(Role.caseworker)
    shelter = await make_agency(world.session, world.make_actor, name="บ้านพัก")
    case = await case_in_progress(world.client, headers)
    body = {"service_id": str(shelter.service.id), "groups": ["contact"], "reason": "ที่พัก"}
    return ValidRequest(
        "POST",
        CASES + "/{case_id}/referrals",
        path_params={"case_id": case["id"]},
        headers=headers,
        json=body,
    )


@recipe("GET /api/v1/cases/{case_id}/referrals")
async def _case_referrals(world: World) -> ValidRequest:
    found = await _referral(world)
    return ValidRequest(
        "GET",
        CASES + "/{case_id}/referrals",
        path_params={"case_id": found["case"]["id"]},
        query={"limit": 5},
        headers=await world.headers(Role.caseworker),
    )


@recipe("GET /api/v1/referrals")
async def _list_referrals(world: World) -> ValidRequest:
    found = await _referral(world)
    referral = found["referral"]
    after = datetime.fromisoformat(referral["created_at"]) + timedelta(seconds=1)
    query = {
        "limit": 5,
        "status": "requested",
        "cursor": encode_time_id_cursor(after, referral["id"]),
    }
    return ValidRequest("GET", REFERRALS, query=query, headers=found["agency"])


def _referral_recipe(suffix: str, *, method: str = "GET", accepted: bool = False) -> None:
    async def make(world: World) -> ValidRequest:
        found = await _referral(world, accepted=accepted)
        return ValidRequest(
            method,
            REFERRALS + "/{referral_id}" + suffix,
            path_params={"referral_id": found["referral"]["id"]},
            headers=found["agency"],
            json={"reason": "เหตุผล"} if method == "POST" else ABSENT,
        )

    recipe(f"{method} /api/v1/referrals/{{referral_id}}{suffix}")(make)


_referral_recipe("")
_referral_recipe("/case")
_referral_recipe("/accept", method="POST")
_referral_recipe("/decline", method="POST")
_referral_recipe("/complete", method="POST", accepted=True)
_referral_recipe("/fail", method="POST", accepted=True)


@recipe("POST /api/v1/referrals/{referral_id}/cancel")
async def _cancel(world: World) -> ValidRequest:
    found = await _referral(world)
    return ValidRequest(
        "POST",
        REFERRALS + "/{referral_id}/cancel",
        path_params={"referral_id": found["referral"]["id"]},
        headers=await world.headers(Role.caseworker),
        json={"reason": "ไม่ต้องการแล้ว"},
    )
