"""Cursors and user references that are not ours are 422, never 500, for every caller."""

from __future__ import annotations

import pytest

from models.enums import Role
from service.platform.pagination import encode_cursor
from tests.support.cases import CASES, create_case

BAD_CURSORS = [
    encode_cursor(["page-two"]),
    encode_cursor([1.5]),
    encode_cursor([True]),
    encode_cursor(["2026-01-01T00:00:00", "3f1c2a8e-4a3b-4bb0-9d4c-9d1f2a3b4c5d"]),
    encode_cursor(["yesterday", "3f1c2a8e-4a3b-4bb0-9d4c-9d1f2a3b4c5d"]),
    encode_cursor(["2026-01-01T00:00:00+00:00", "not-a-uuid"]),
]


def _assert_cursor_refused(response) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["parameter"] == "cursor"


@pytest.mark.parametrize("cursor", BAD_CURSORS)
async def test_bad_cursors_are_refused_everywhere(client, actors, cursor) -> None:
    headers = actors[Role.caseworker].headers
    case = await create_case(client, headers)
    for url in (CASES, f"{CASES}/{case['id']}/timeline", f"{CASES}/{case['id']}/notes"):
        _assert_cursor_refused(await client.get(url, params={"cursor": cursor}, headers=headers))


@pytest.mark.parametrize("role", [Role.agency, Role.volunteer, Role.caseworker])
@pytest.mark.parametrize(
    ("params", "parameter"),
    [({"lead": "someone"}, "lead"), ({"reporter": "x"}, "reporter"), ({"cursor": "!!"}, "cursor")],
)
async def test_list_parameters_are_checked_for_every_role(
    client, actors, role, params, parameter
) -> None:
    response = await client.get(CASES, params=params, headers=actors[role].headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["parameter"] == parameter
