"""Valid requests of the privacy operations for the input sweep."""

from __future__ import annotations

from typing import Any

from models.enums import Role
from tests.support.cases import CASES, VALID_THAI_ID
from tests.support.sweep import ValidRequest
from tests.support.sweep_requests import World, recipe

BREACHES = "/api/v1/privacy/breaches"
BREACH_EXAMPLE: dict[str, Any] = {
    "detected_at": "2026-11-30T08:00:00+07:00",
    "description": "แล็ปท็อปของเจ้าหน้าที่ที่มีไฟล์ส่งออกสูญหาย",
    "data_categories": ["identity", "contact"],
    "subjects_affected": 12,
    "vulnerable_subjects": ["children"],
    "risk": "high",
    "risk_assessment": "ข้อมูลเด็กที่ถูกทำร้าย อาจถูกติดตามตัวได้",
}


async def _breach(world: World) -> dict[str, Any]:
    if "breach" not in world.cache:
        response = await world.client.post(
            BREACHES, json=BREACH_EXAMPLE, headers=await world.headers(Role.supervisor)
        )
        assert response.status_code == 201, response.text
        world.cache["breach"] = response.json()
    return dict(world.cache["breach"])


@recipe("GET /api/v1/privacy/record-of-processing")
async def _record(world: World) -> ValidRequest:
    return ValidRequest(
        "GET", "/api/v1/privacy/record-of-processing", headers=await world.headers(Role.admin)
    )


@recipe("POST /api/v1/privacy/breaches")
async def _record_breach(world: World) -> ValidRequest:
    return ValidRequest(
        "POST", BREACHES, headers=await world.headers(Role.supervisor), json=BREACH_EXAMPLE
    )


@recipe("GET /api/v1/privacy/breaches")
async def _list_breaches(world: World) -> ValidRequest:
    return ValidRequest(
        "GET",
        BREACHES,
        query={"open": "true", "limit": "10"},
        headers=await world.headers(Role.admin),
    )


@recipe("GET /api/v1/privacy/breaches/{breach_id}")
async def _read_breach(world: World) -> ValidRequest:
    breach = await _breach(world)
    return ValidRequest(
        "GET",
        BREACHES + "/{breach_id}",
        path_params={"breach_id": breach["id"]},
        headers=await world.headers(Role.supervisor),
    )


@recipe("PATCH /api/v1/privacy/breaches/{breach_id}")
async def _change_breach(world: World) -> ValidRequest:
    breach = await _breach(world)
    return ValidRequest(
        "PATCH",
        BREACHES + "/{breach_id}",
        path_params={"breach_id": breach["id"]},
        headers=await world.headers(Role.supervisor, **{"If-Match": "*"}),
        json={"regulator_notified_at": "2026-11-30T10:00:00+07:00"},
    )


@recipe("GET /api/v1/cases/{case_id}/reads")
async def _case_reads(world: World) -> ValidRequest:
    cases = await world.cases()
    return ValidRequest(
        "GET",
        CASES + "/{case_id}/reads",
        path_params={"case_id": cases["first"]["id"]},
        query={"limit": "20"},
        headers=await world.headers(Role.supervisor),
    )


# --------------------------------------------------------------------------- data-subject requests

PRIVACY_REQUESTS = "/api/v1/privacy/requests"
REQUEST_EXAMPLE: dict[str, Any] = {
    "kind": "access",
    "requester": "subject",
    "subject": {"id_type": "thai_id", "id_number": VALID_THAI_ID, "phone": "081-234-5678"},
    "details": "ขอสำเนาข้อมูลทั้งหมดของตนเอง",
}


async def _privacy_request(world: World, name: str = "privacy_request") -> dict[str, Any]:
    """An access request about the person of the sweep's cases."""
    if name not in world.cache:
        await world.cases()
        response = await world.client.post(
            PRIVACY_REQUESTS, json=REQUEST_EXAMPLE, headers=await world.headers(Role.supervisor)
        )
        assert response.status_code == 201, response.text
        world.cache[name] = response.json()
    return dict(world.cache[name])


@recipe("POST /api/v1/privacy/requests")
async def _record_privacy_request(world: World) -> ValidRequest:
    return ValidRequest(
        "POST",
        PRIVACY_REQUESTS,
        headers=await world.headers(Role.supervisor),
        json={**REQUEST_EXAMPLE, "received_at": "2026-11-01T09:00:00+07:00"},
    )


@recipe("GET /api/v1/privacy/requests")
async def _list_privacy_requests(world: World) -> ValidRequest:
    await _privacy_request(world)
    return ValidRequest(
        "GET",
        PRIVACY_REQUESTS,
        query={"open": "true", "kind": "access", "limit": "10"},
        headers=await world.headers(Role.admin),
    )


@recipe("GET /api/v1/privacy/requests/{request_id}")
async def _read_privacy_request(world: World) -> ValidRequest:
    request = await _privacy_request(world)
    return ValidRequest(
        "GET",
        PRIVACY_REQUESTS + "/{request_id}",
        path_params={"request_id": request["id"]},
        headers=await world.headers(Role.supervisor),
    )


@recipe("GET /api/v1/privacy/requests/{request_id}/export")
async def _export_privacy_request(world: World) -> ValidRequest:
    request = await _privacy_request(world)
    return ValidRequest(
        "GET",
        PRIVACY_REQUESTS + "/{request_id}/export",
        path_params={"request_id": request["id"]},
        headers=await world.headers(Role.supervisor),
    )


@recipe("POST /api/v1/privacy/requests/{request_id}/complete")
async def _complete_privacy_request(world: World) -> ValidRequest:
    request = await _privacy_request(world)
    return ValidRequest(
        "POST",
        PRIVACY_REQUESTS + "/{request_id}/complete",
        path_params={"request_id": request["id"]},
        headers=await world.headers(Role.supervisor),
    )


@recipe("POST /api/v1/privacy/requests/{request_id}/refuse")
async def _refuse_privacy_request(world: World) -> ValidRequest:
    request = await _privacy_request(world)
    return ValidRequest(
        "POST",
        PRIVACY_REQUESTS + "/{request_id}/refuse",
        path_params={"request_id": request["id"]},
        headers=await world.headers(Role.supervisor),
        json={"reason": "ผู้ขอไม่สามารถยืนยันตัวตนได้"},
    )
