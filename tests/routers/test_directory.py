"""The agency directory over HTTP: admins add and replace organizations and services with
If-Match, agency staff change their contact data and publish room, lists page by name."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import Role
from tests.conftest import MakeActor

DIRECTORY = "/api/v1/directory"


def _organization(name: str = "หน่วยงานทดสอบ") -> dict[str, Any]:
    return {
        "name": name,
        "description": "ทดสอบ",
        "phones": [{"id": str(uuid.uuid4()), "number": "+66 53 000 0000"}],
        "locations": [{"id": str(uuid.uuid4()), "location_type": "physical", "name": "สำนักงาน"}],
    }


def _service(organization: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {
        "organization_id": organization["id"],
        "name": "บ้านพักชั่วคราว",
        "status": "active",
        "minimum_age": 0,
        "maximum_age": 17,
        "service_areas": [{"id": str(uuid.uuid4()), "x_onestop": {"area_code": "5001"}}],
        "service_at_locations": [
            {"id": str(uuid.uuid4()), "location_id": organization["locations"][0]["id"]}
        ],
        "x_onestop": {
            "categories": ["child_youth"],
            "accepts_referrals": True,
            "response_deadline_hours": {"low": 96, "critical": 2},
        },
    }
    body.update(changes)
    return body


async def _create(client: httpx.AsyncClient, path: str, body: Any, headers: Any) -> Any:
    response = await client.post(f"{DIRECTORY}/{path}", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"1"'
    return response.json()


async def test_admins_add_read_and_replace_with_if_match(client, actors) -> None:
    admin = actors[Role.admin].headers
    organization = await _create(client, "organizations", _organization(), admin)
    service = await _create(client, "services", _service(organization), admin)
    assert service["x_onestop"]["response_deadline_hours"] == {"critical": 2, "low": 96}

    path = f"{DIRECTORY}/services/{service['id']}"
    read = await client.get(path, headers=actors[Role.caseworker].headers)
    assert read.status_code == 200 and read.headers["etag"] == '"1"'
    assert read.json()["service_areas"][0]["x_onestop"]["area_code"] == "5001"

    retired = _service(organization, status="inactive")
    assert (await client.put(path, json=retired, headers=admin)).status_code == 428
    stale = await client.put(path, json=retired, headers={**admin, "If-Match": '"7"'})
    assert stale.status_code == 412
    done = await client.put(path, json=retired, headers={**admin, "If-Match": '"1"'})
    assert done.status_code == 200, done.text
    assert done.headers["etag"] == '"2"'
    assert done.json()["status"] == "inactive"
    assert len(done.json()["service_areas"]) == 1


async def test_a_service_is_checked_beyond_its_schema(client, actors) -> None:
    admin = {**actors[Role.admin].headers, "Accept-Language": "en"}
    organization = await _create(client, "organizations", _organization(), admin)
    other = await _create(client, "organizations", _organization(), admin)
    body = _service(
        organization,
        minimum_age=30,
        service_areas=[{"id": str(uuid.uuid4()), "x_onestop": {"area_code": "9999"}}],
        service_at_locations=[
            {"id": str(uuid.uuid4()), "location_id": other["locations"][0]["id"]}
        ],
    )
    response = await client.post(f"{DIRECTORY}/services", json=body, headers=admin)
    assert response.status_code == 422
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert pointers == {
        "/service_areas/0/x_onestop/area_code",
        "/maximum_age",
        "/service_at_locations/0/location_id",
    }
    assert "9999" not in response.text

    nowhere = _service({"id": str(uuid.uuid4()), "locations": organization["locations"]})
    response = await client.post(f"{DIRECTORY}/services", json=nowhere, headers=admin)
    assert [e["pointer"] for e in response.json()["errors"]] == ["/organization_id"]


async def test_ids_sent_twice_or_taken_are_refused(client, actors) -> None:
    admin = actors[Role.admin].headers
    organization = await _create(client, "organizations", _organization(), admin)
    twice = _organization()
    twice["phones"].append(dict(twice["phones"][0]))
    response = await client.post(f"{DIRECTORY}/organizations", json=twice, headers=admin)
    assert response.status_code == 422
    taken = _organization()
    taken["phones"] = organization["phones"]
    response = await client.post(f"{DIRECTORY}/organizations", json=taken, headers=admin)
    assert response.status_code == 409


async def test_a_location_a_service_is_offered_at_stays(client, actors) -> None:
    admin = actors[Role.admin].headers
    organization = await _create(client, "organizations", _organization(), admin)
    await _create(client, "services", _service(organization), admin)
    body = {key: organization[key] for key in ("name", "description", "phones")}
    response = await client.put(
        f"{DIRECTORY}/organizations/{organization['id']}",
        json={**body, "locations": []},
        headers={**admin, "If-Match": '"1"'},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/locations"


async def test_agency_staff_change_their_contact_data_and_publish_room(
    client, actors, make_actor: MakeActor, session: AsyncSession
) -> None:
    admin = actors[Role.admin].headers
    organization = await _create(client, "organizations", _organization(), admin)
    service = await _create(client, "services", _service(organization), admin)
    staff = await make_actor(Role.agency)
    staff.user.organization_id = uuid.UUID(organization["id"])
    session.add(staff.user)
    await session.commit()

    path = f"{DIRECTORY}/organizations/{organization['id']}"
    phone = {"id": str(uuid.uuid4()), "number": "+66 53 111 2222", "type": "voice"}
    changed = await client.patch(
        path,
        json={"email": "desk@example.org", "phones": [phone]},
        headers={**staff.headers, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    answer = changed.json()
    assert answer["email"] == "desk@example.org"
    assert answer["phones"] == [{**phone, "extension": None, "description": None}]
    assert answer["name"] == organization["name"]
    assert answer["locations"] == organization["locations"]
    assert changed.headers["etag"] == '"2"'
    refused = await client.patch(path, json={"name": "อื่น"}, headers=staff.headers)
    assert refused.status_code == 422

    room = f"{DIRECTORY}/services/{service['id']}/capacity"
    first = await client.patch(room, json={"available": 3, "maximum": 10}, headers=staff.headers)
    assert first.status_code == 200, first.text
    again = await client.patch(room, json={"available": 0, "maximum": 10}, headers=staff.headers)
    (capacity,) = again.json()["capacities"]
    assert (capacity["available"], capacity["maximum"], capacity["unit"]["name"]) == (
        0,
        10,
        "places",
    )
    too_many = await client.patch(
        room, json={"available": 11, "maximum": 10}, headers=staff.headers
    )
    assert too_many.status_code == 422


async def test_lists_page_by_name(client, actors) -> None:
    admin = actors[Role.admin].headers
    for name in ("ค", "ก", "ข"):
        await _create(client, "organizations", _organization(name), admin)
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = await client.get(f"{DIRECTORY}/organizations", params=params, headers=admin)
        assert page.status_code == 200, page.text
        seen += [o["name"] for o in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == 3
    bad = await client.get(f"{DIRECTORY}/services", params={"cursor": "bm90IG91cnM"}, headers=admin)
    assert bad.status_code == 422
