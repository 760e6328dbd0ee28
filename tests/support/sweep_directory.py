"""Valid requests for the agency directory's operations, for the input sweep
(`tests/routers/test_input_sweep.py`); registered in `sweep_requests.RECIPES`."""

from __future__ import annotations

import uuid
from typing import Any

from models.enums import Role
from service.platform.pagination import encode_cursor
from tests.support.sweep import ValidRequest
from tests.support.sweep_requests import World, recipe

DIRECTORY = "/api/v1/directory"
ORGANIZATION = DIRECTORY + "/organizations/{organization_id}"
SERVICE = DIRECTORY + "/services/{service_id}"


def _organization() -> dict[str, Any]:
    return {
        "name": "บ้านพักเด็กและครอบครัวทดสอบ",
        "alternate_name": "Test home for children and families",
        "description": "ที่พักชั่วคราวสำหรับเด็กและครอบครัว",
        "email": "desk@example.org",
        "website": "https://example.org",
        "contacts": [
            {
                "id": str(uuid.uuid4()),
                "name": "นักสังคมสงเคราะห์เวร",
                "phones": [{"id": str(uuid.uuid4()), "number": "+66 81 000 0000"}],
            }
        ],
        "phones": [{"id": str(uuid.uuid4()), "number": "+66 53 000 0000", "type": "voice"}],
        "locations": [
            {
                "id": str(uuid.uuid4()),
                "location_type": "physical",
                "name": "สำนักงาน",
                "latitude": 18.8,
                "longitude": 98.97,
                "addresses": [
                    {
                        "id": str(uuid.uuid4()),
                        "address_1": "ตำบลช้างเผือก",
                        "city": "เมืองเชียงใหม่",
                        "state_province": "เชียงใหม่",
                        "postal_code": "50300",
                        "country": "TH",
                        "address_type": "physical",
                    }
                ],
            }
        ],
    }


def _service(organization: dict[str, Any]) -> dict[str, Any]:
    return {
        "organization_id": organization["id"],
        "name": "ที่พักพิงชั่วคราว",
        "status": "active",
        "eligibility_description": "เด็กอายุต่ำกว่า 18 ปี",
        "minimum_age": 0,
        "maximum_age": 17,
        "service_areas": [{"id": str(uuid.uuid4()), "x_onestop": {"area_code": "50"}}],
        "languages": [{"id": str(uuid.uuid4()), "code": "th"}],
        "service_at_locations": [
            {"id": str(uuid.uuid4()), "location_id": organization["locations"][0]["id"]}
        ],
        "capacities": [
            {
                "id": str(uuid.uuid4()),
                "unit": {"id": str(uuid.uuid4()), "name": "beds"},
                "available": 3,
                "maximum": 10,
                "updated": "2026-11-30T09:00:00+07:00",
            }
        ],
        "x_onestop": {
            "categories": ["child_youth"],
            "target_groups": ["child"],
            "accepts_referrals": True,
            "referral_contact": {"email": "refer@example.org"},
            "response_deadline_hours": {"high": 8},
        },
    }


async def _directory(world: World) -> dict[str, Any]:
    """An organization with a location, and a service offered there."""
    if "directory" not in world.cache:
        headers = await world.headers(Role.admin)
        organization = await world.client.post(
            DIRECTORY + "/organizations", json=_organization(), headers=headers
        )
        assert organization.status_code == 201, organization.text
        service = await world.client.post(
            DIRECTORY + "/services", json=_service(organization.json()), headers=headers
        )
        assert service.status_code == 201, service.text
        world.cache["directory"] = {"organization": organization.json(), "service": service.json()}
    return dict(world.cache["directory"])


async def _admin(world: World, **extra: str) -> dict[str, str]:
    return await world.headers(Role.admin, **extra)


@recipe("GET /api/v1/directory/organizations")
async def _list_organizations(world: World) -> ValidRequest:
    query = {"limit": 1, "cursor": encode_cursor(["ก", str(uuid.uuid4())])}
    return ValidRequest(
        "GET", DIRECTORY + "/organizations", query=query, headers=await _admin(world)
    )


@recipe("POST /api/v1/directory/organizations")
async def _create_organization(world: World) -> ValidRequest:
    return ValidRequest(
        "POST", DIRECTORY + "/organizations", json=_organization(), headers=await _admin(world)
    )


@recipe("GET /api/v1/directory/organizations/{organization_id}")
async def _read_organization(world: World) -> ValidRequest:
    organization = (await _directory(world))["organization"]
    return ValidRequest(
        "GET",
        ORGANIZATION,
        path_params={"organization_id": organization["id"]},
        headers=await _admin(world),
    )


@recipe("PUT /api/v1/directory/organizations/{organization_id}")
async def _replace_organization(world: World) -> ValidRequest:
    organization = (await _directory(world))["organization"]
    body = _organization()
    body["locations"] = organization["locations"]
    return ValidRequest(
        "PUT",
        ORGANIZATION,
        path_params={"organization_id": organization["id"]},
        headers=await _admin(world, **{"If-Match": '"1"'}),
        json=body,
    )


@recipe("PATCH /api/v1/directory/organizations/{organization_id}")
async def _patch_organization(world: World) -> ValidRequest:
    organization = (await _directory(world))["organization"]
    body = {
        "email": "new@example.org",
        "phones": [{"id": str(uuid.uuid4()), "number": "+66 53 111 1111"}],
    }
    return ValidRequest(
        "PATCH",
        ORGANIZATION,
        path_params={"organization_id": organization["id"]},
        headers=await _admin(world, **{"If-Match": '"1"'}),
        json=body,
    )


@recipe("GET /api/v1/directory/services")
async def _list_services(world: World) -> ValidRequest:
    organization = (await _directory(world))["organization"]
    query = {"limit": 5, "organization_id": organization["id"], "status": "active"}
    return ValidRequest("GET", DIRECTORY + "/services", query=query, headers=await _admin(world))


@recipe("POST /api/v1/directory/services")
async def _create_service(world: World) -> ValidRequest:
    organization = (await _directory(world))["organization"]
    return ValidRequest(
        "POST", DIRECTORY + "/services", json=_service(organization), headers=await _admin(world)
    )


@recipe("GET /api/v1/directory/services/{service_id}")
async def _read_service(world: World) -> ValidRequest:
    service = (await _directory(world))["service"]
    return ValidRequest(
        "GET", SERVICE, path_params={"service_id": service["id"]}, headers=await _admin(world)
    )


@recipe("PUT /api/v1/directory/services/{service_id}")
async def _replace_service(world: World) -> ValidRequest:
    directory = await _directory(world)
    return ValidRequest(
        "PUT",
        SERVICE,
        path_params={"service_id": directory["service"]["id"]},
        headers=await _admin(world, **{"If-Match": '"1"'}),
        json=_service(directory["organization"]),
    )


@recipe("PATCH /api/v1/directory/services/{service_id}/capacity")
async def _capacity(world: World) -> ValidRequest:
    service = (await _directory(world))["service"]
    return ValidRequest(
        "PATCH",
        SERVICE + "/capacity",
        path_params={"service_id": service["id"]},
        headers=await _admin(world),
        json={"unit_name": "beds", "available": 2, "maximum": 10},
    )
