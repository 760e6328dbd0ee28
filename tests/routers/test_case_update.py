"""Changing a case's client fields: every declared field can change, personal values are kept
out of the history, and a number is kept only with the kind of id it was checked against."""

from __future__ import annotations

from typing import Any

from models.enums import Role
from service.cases.changes import DERIVED_COLUMNS
from service.cases.client_fields import CLIENT_FIELDS
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


# A new value for every declared client field, as sent and as shown back to a caseworker.
NEW_CLIENT_VALUES: dict[str, tuple[Any, Any]] = {
    "title": ("นาย", "นาย"),
    "first_name": ("สมปอง", "สมปอง"),
    "last_name": ("รักดี", "รักดี"),
    "nickname": ("ปอง", "ปอง"),
    "id_type": ("passport", "passport"),
    "id_number": ("aa 1234567", "AA1234567"),
    "phone": ("02-123-4567", "+6621234567"),
    "birth_date": ("2500-01-31", "1957-01-31"),
    "birth_year": (2500, 1957),
    "age_estimate": (68, 68),
    "gender": ("male", "male"),
    "nationality": ("ลาว", "ลาว"),
    "home_province_code": ("41", "41"),
    "languages": (["lo", "th"], ["lo", "th"]),
    "disability": (True, True),
    "pregnant": (False, False),
}


async def test_every_declared_client_field_changes_and_personal_values_are_withheld(
    client, actors
) -> None:
    assert set(NEW_CLIENT_VALUES) == {f.name for f in CLIENT_FIELDS}
    headers = actors[Role.caseworker].headers
    case = await create_case(client, headers, intake_body(client={"pregnant": True}))
    sent = {name: value for name, (value, _) in NEW_CLIENT_VALUES.items()}
    response = await _patch(client, headers, case["id"], {"client": sent})
    assert response.status_code == 200, response.text
    shown = response.json()["client"]
    assert {name: shown[name] for name in NEW_CLIENT_VALUES} == {
        name: value for name, (_, value) in NEW_CLIENT_VALUES.items()
    }
    timeline = (await client.get(f"{CASES}/{case['id']}/timeline", headers=headers)).json()
    changes = [e for e in timeline["items"] if e["type"] == "updated"][-1]["changes"]
    for client_field in CLIENT_FIELDS:
        recorded = changes[client_field.column]
        if client_field.personal:
            assert recorded == {"changed": True}, client_field.name
        else:
            assert recorded == [case["client"][client_field.name], shown[client_field.name]]
    assert not DERIVED_COLUMNS & set(changes)
