"""Valid requests of the consent and restriction operations for the input sweep."""

from __future__ import annotations

from typing import Any

from models.enums import Role
from tests.support.cases import CASES, intake_body
from tests.support.sweep import ValidRequest
from tests.support.sweep_requests import World, recipe

CONSENT_EXAMPLE: dict[str, Any] = {
    "purpose": "referral",
    "groups": ["contact", "summary"],
    "expires_at": "2099-06-30T17:00:00+07:00",
}


async def _case(world: World, name: str) -> dict[str, Any]:
    """A case of its own, so that its consents and restriction touch no other recipe."""
    if name not in world.cache:
        response = await world.client.post(
            CASES,
            json=intake_body(summary=f"เรื่องสำหรับ {name}"),
            headers=await world.headers(Role.caseworker),
        )
        assert response.status_code == 201, response.text
        world.cache[name] = response.json()
    return dict(world.cache[name])


async def _consent(world: World) -> tuple[str, str]:
    case = await _case(world, "consent_case")
    if "consent" not in world.cache:
        response = await world.client.post(
            f"{CASES}/{case['id']}/consents",
            json=CONSENT_EXAMPLE,
            headers=await world.headers(Role.caseworker),
        )
        assert response.status_code == 201, response.text
        world.cache["consent"] = response.json()
    return case["id"], world.cache["consent"]["id"]


@recipe("POST /api/v1/cases/{case_id}/consents")
async def _record_consent(world: World) -> ValidRequest:
    case = await _case(world, "consent_case")
    return ValidRequest(
        "POST",
        CASES + "/{case_id}/consents",
        path_params={"case_id": case["id"]},
        headers=await world.headers(Role.caseworker),
        json={**CONSENT_EXAMPLE, "guardian_name": "นางสมร ใจดี", "guardian_relationship": "มารดา"},
    )


@recipe("GET /api/v1/cases/{case_id}/consents")
async def _list_consents(world: World) -> ValidRequest:
    case_id, _ = await _consent(world)
    return ValidRequest(
        "GET",
        CASES + "/{case_id}/consents",
        path_params={"case_id": case_id},
        headers=await world.headers(Role.supervisor),
    )


@recipe("POST /api/v1/cases/{case_id}/consents/{consent_id}/withdraw")
async def _withdraw_consent(world: World) -> ValidRequest:
    case_id, consent_id = await _consent(world)
    return ValidRequest(
        "POST",
        CASES + "/{case_id}/consents/{consent_id}/withdraw",
        path_params={"case_id": case_id, "consent_id": consent_id},
        headers=await world.headers(Role.caseworker),
        json={"groups": ["contact"], "reason": "ไม่ประสงค์ให้ติดต่อ"},
    )


@recipe("POST /api/v1/cases/{case_id}/restriction")
async def _restrict(world: World) -> ValidRequest:
    case = await _case(world, "restriction_case")
    return ValidRequest(
        "POST",
        CASES + "/{case_id}/restriction",
        path_params={"case_id": case["id"]},
        headers=await world.headers(Role.supervisor),
        json={"basis": "objection", "reason": "ผู้รับบริการคัดค้านการประมวลผล"},
    )


@recipe("DELETE /api/v1/cases/{case_id}/restriction")
async def _lift(world: World) -> ValidRequest:
    case = await _case(world, "restricted_case")
    if "restricted" not in world.cache:
        response = await world.client.post(
            f"{CASES}/{case['id']}/restriction",
            json={"basis": "restriction", "reason": "ขอให้ระงับการใช้ข้อมูล"},
            headers=await world.headers(Role.supervisor),
        )
        assert response.status_code == 200, response.text
        world.cache["restricted"] = True
    return ValidRequest(
        "DELETE",
        CASES + "/{case_id}/restriction",
        path_params={"case_id": case["id"]},
        headers=await world.headers(Role.supervisor),
    )
