"""Changing the kind of id keeps a number only with the type it was checked against."""

from __future__ import annotations

from models.enums import Role
from tests.support.cases import CASES, create_case, etag_of, intake_body


async def _patch(client, headers, case_id, body):
    tag = await etag_of(client, headers, case_id)
    return await client.patch(f"{CASES}/{case_id}", json=body, headers={**headers, "If-Match": tag})


async def test_new_id_type_without_its_number_is_refused(client, actors) -> None:
    headers = actors[Role.caseworker].headers
    case = await create_case(client, headers, intake_body())
    response = await _patch(client, headers, case["id"], {"client": {"id_type": "passport"}})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/client/id_number"
    unchanged = (await client.get(f"{CASES}/{case['id']}", headers=headers)).json()
    assert unchanged["client"]["id_type"] == "thai_id"
    assert unchanged["client"]["id_number"] == "1101700230708"
    assert unchanged["version"] == case["version"]


async def test_id_type_none_clears_the_number(client, actors) -> None:
    headers = actors[Role.caseworker].headers
    case = await create_case(client, headers, intake_body())
    response = await _patch(client, headers, case["id"], {"client": {"id_type": "none"}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["client"]["id_type"] == "none"
    assert body["client"]["id_number"] is None
    timeline = (await client.get(f"{CASES}/{case['id']}/timeline", headers=headers)).json()
    updated = [e for e in timeline["items"] if e["type"] == "updated"][-1]
    assert updated["changes"]["client_id_type"] == ["thai_id", "none"]
    assert updated["changes"]["client_id_number_enc"] == {"changed": True}


async def test_new_id_type_with_its_number_is_accepted(client, actors) -> None:
    headers = actors[Role.caseworker].headers
    case = await create_case(client, headers, intake_body())
    response = await _patch(
        client, headers, case["id"], {"client": {"id_type": "passport", "id_number": "aa 1234567"}}
    )
    assert response.status_code == 200, response.text
    assert response.json()["client"]["id_number"] == "AA1234567"
