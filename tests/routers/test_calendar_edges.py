"""Times, positions and names at the edges of what the columns hold are refused or stored,
never a 5xx: dates whose UTC form leaves years 1-9999, cursors past a 4-byte column, names that
grow when case-folded, and Buddhist Era years wherever a time is accepted."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from models.base import utcnow
from models.enums import Role
from service.platform.pagination import encode_cursor
from service.thai.dates import BANGKOK, BUDDHIST_ERA_OFFSET
from tests.support.cases import CASES, anonymous_body, create_case

SOME_ID = "3f1c2a8e-4a3b-4bb0-9d4c-9d1f2a3b4c5d"
# Times whose UTC form falls before year 1.
BEFORE_YEAR_ONE = ["0001-01-01T00:00:00+01:00", "0001-01-01T00:30:00+14:00"]
# Read as Buddhist Era years (9999 BE is 9456 CE), so they are far in the future; in a cursor,
# where no Buddhist Era is read, their UTC form falls after year 9999.
LATE_IN_9999 = ["9999-12-31T23:59:59-14:00", "9999-12-31T23:30:00-01:00"]
EDGE_TIMES = BEFORE_YEAR_ONE + LATE_IN_9999


def _refused(response, *, parameter: str | None = None, pointer: str | None = None) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    if parameter is not None:
        assert any(error.get("parameter") == parameter for error in errors), errors
    if pointer is not None:
        assert any(error.get("pointer") == pointer for error in errors), errors


@pytest.mark.parametrize("at", EDGE_TIMES)
async def test_recorded_at_beyond_the_calendar_is_refused(client, actors, at: str) -> None:
    headers = actors[Role.volunteer].headers
    response = await client.post(CASES, json=anonymous_body(recorded_at=at), headers=headers)
    _refused(response, pointer="/recorded_at")


@pytest.mark.parametrize("parameter", ["created_from", "created_to"])
@pytest.mark.parametrize("at", BEFORE_YEAR_ONE)
async def test_list_times_before_year_one_are_refused(
    client, actors, parameter: str, at: str
) -> None:
    response = await client.get(
        CASES, params={parameter: at}, headers=actors[Role.caseworker].headers
    )
    _refused(response, parameter=parameter)


@pytest.mark.parametrize("at", LATE_IN_9999)
async def test_list_times_late_in_9999_are_read_as_buddhist_era(client, actors, at: str) -> None:
    headers = actors[Role.caseworker].headers
    await create_case(client, headers)
    after = await client.get(CASES, params={"created_from": at}, headers=headers)
    assert after.status_code == 200 and after.json()["items"] == [], after.text
    before = await client.get(CASES, params={"created_to": at}, headers=headers)
    assert before.status_code == 200 and before.json()["items"], before.text


@pytest.mark.parametrize(
    "cursor",
    [
        *(encode_cursor([at, SOME_ID]) for at in EDGE_TIMES),
        encode_cursor([2**31]),
        encode_cursor([2**63]),
        encode_cursor([-1]),
    ],
)
async def test_cursors_beyond_the_columns_are_refused(client, actors, cursor: str) -> None:
    headers = actors[Role.caseworker].headers
    case = await create_case(client, headers)
    for url in (CASES, f"{CASES}/{case['id']}/timeline", f"{CASES}/{case['id']}/notes"):
        _refused(
            await client.get(url, params={"cursor": cursor}, headers=headers), parameter="cursor"
        )


async def test_a_buddhist_era_time_filters_like_its_common_era_twin(client, actors) -> None:
    headers = actors[Role.caseworker].headers
    case = await create_case(client, headers)
    since = (utcnow() - timedelta(hours=1)).astimezone(BANGKOK)
    common = since.isoformat()
    buddhist = f"{since.year + BUDDHIST_ERA_OFFSET}{common[4:]}"
    ids = []
    for value in (common, buddhist):
        response = await client.get(CASES, params={"created_from": value}, headers=headers)
        assert response.status_code == 200, response.text
        ids.append([item["id"] for item in response.json()["items"]])
    assert case["id"] in ids[0]
    assert ids[0] == ids[1]
    later = f"{since.year + BUDDHIST_ERA_OFFSET + 1}{common[4:]}"
    response = await client.get(CASES, params={"created_from": later}, headers=headers)
    assert response.status_code == 200 and response.json()["items"] == []


@pytest.mark.parametrize("letter", ["ß", "ﬃ", "İ"])
async def test_names_that_grow_when_folded_are_stored_and_found(
    client, actors, letter: str
) -> None:
    headers = actors[Role.caseworker].headers
    marker = uuid.uuid4().hex[:6]
    body = anonymous_body()
    body["client"] = {
        **body["client"],
        "first_name": f"{marker}{letter * 94}",
        "last_name": letter * 100,
    }
    response = await client.post(CASES, json=body, headers=headers)
    assert response.status_code == 201, response.text
    found = await client.get(CASES, params={"q": marker}, headers=headers)
    assert found.status_code == 200
    assert response.json()["id"] in [item["id"] for item in found.json()["items"]]
