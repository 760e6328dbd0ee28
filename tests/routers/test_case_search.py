"""Staff find a person again by id number or phone (SPEC §4), through the keyed hash and the
E.164 form, however the number is typed; a volunteer only among their own cases."""

from __future__ import annotations

import pytest

from models.enums import Role
from tests.support.cases import CASES, OTHER_THAI_ID, VALID_THAI_ID, intake_body


async def _ids(client, headers, q: str) -> list[str]:
    response = await client.get(CASES, params={"q": q}, headers=headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
async def people(client, actors) -> dict[str, str]:
    made = {}
    for name, id_number, phone, who in (
        ("first", VALID_THAI_ID, "081-234-5678", Role.volunteer),
        ("second", OTHER_THAI_ID, "089-111-2222", Role.caseworker),
    ):
        body = intake_body(client={"id_number": id_number, "phone": phone})
        response = await client.post(CASES, json=body, headers=actors[who].headers)
        assert response.status_code == 201, response.text
        made[name] = response.json()["id"]
    return made


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("1101700230708", ["first"]),
        ("1-1017-00230-70-8", ["first"]),
        (" 1 1017 00230 70 8 ", ["first"]),
        ("๑๑๐๑๗๐๐๒๓๐๗๐๘", ["first"]),
        ("3100600452569", ["second"]),
        ("0812345678", ["first"]),
        ("081-234-5678", ["first"]),
        ("+66 81 234 5678", ["first"]),
        ("(089) 111 2222", ["second"]),
        # A wrong check digit, or a number that is no phone, finds nobody rather than failing.
        ("1101700230705", []),
        ("0000000", []),
    ],
)
async def test_staff_find_a_person_by_id_number_or_phone(
    client, actors, people, q: str, expected: list[str]
) -> None:
    for role in (Role.caseworker, Role.supervisor):
        assert await _ids(client, actors[role].headers, q) == [people[n] for n in expected], q


async def test_a_volunteer_finds_only_their_own_cases(client, actors, people) -> None:
    headers = actors[Role.volunteer].headers
    assert await _ids(client, headers, VALID_THAI_ID) == [people["first"]]
    assert await _ids(client, headers, OTHER_THAI_ID) == []
    assert await _ids(client, headers, "089-111-2222") == []


async def test_references_and_names_are_still_searched(client, actors, people) -> None:
    headers = actors[Role.caseworker].headers
    detail = await client.get(f"{CASES}/{people['first']}", headers=headers)
    reference = detail.json()["reference"]
    assert await _ids(client, headers, reference.lower()) == [people["first"]]
    assert set(await _ids(client, headers, "สมศรี")) >= {people["first"], people["second"]}
