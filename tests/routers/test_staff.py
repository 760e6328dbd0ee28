"""The staff directory: staff find colleagues by name; nobody else reads it."""

from __future__ import annotations

import pytest

from models.enums import Role

STAFF = "/api/v1/staff"
USERS = "/api/v1/users"


async def _named(client, actors, actor, name: str) -> None:
    response = await client.patch(
        f"{USERS}/{actor.user.id}",
        json={"display_name": name},
        headers=actors[Role.admin].headers,
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("role", [Role.caseworker, Role.supervisor])
async def test_staff_read_the_directory_by_name(client, actors, make_actor, role) -> None:
    names = ["สมหญิง ใจงาม", "Anong Srisuk", "สมชาย ใจดี", "anan Kaew"]
    members = []
    for name, member_role in zip(
        names, [Role.volunteer, Role.caseworker, Role.volunteer, Role.supervisor], strict=True
    ):
        member = await make_actor(member_role)
        await _named(client, actors, member, name)
        members.append(member)
    gone = await make_actor(Role.volunteer)
    await _named(client, actors, gone, "สมปอง ลาออก")
    await client.post(f"{USERS}/{gone.user.id}/deactivate", headers=actors[Role.admin].headers)

    headers = actors[role].headers
    page = await client.get(STAFF, params={"name": "สม"}, headers=headers)
    assert page.status_code == 200, page.text
    assert [m["display_name"] for m in page.json()["items"]] == ["สมชาย ใจดี", "สมหญิง ใจงาม"]
    assert set(page.json()["items"][0]) == {"id", "display_name", "role"}

    # Matching ignores case; the order of Latin names follows the database's collation.
    latin = await client.get(STAFF, params={"name": "AN"}, headers=headers)
    assert {m["display_name"] for m in latin.json()["items"]} == {"anan Kaew", "Anong Srisuk"}

    everyone = await client.get(STAFF, params={"limit": 200}, headers=headers)
    listed = {m["id"] for m in everyone.json()["items"]}
    assert {str(m.user.id) for m in members} <= listed
    assert str(gone.user.id) not in listed
    assert str(actors[Role.admin].user.id) not in listed
    assert str(actors[Role.agency].user.id) not in listed


async def test_the_directory_pages_in_name_order(client, actors, make_actor) -> None:
    for index in range(5):
        member = await make_actor(Role.volunteer)
        await _named(client, actors, member, f"ปรีชา {index}")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 2, "name": "ปรีชา", "role": "volunteer"}
        if cursor:
            params["cursor"] = cursor
        page = (
            await client.get(STAFF, params=params, headers=actors[Role.caseworker].headers)
        ).json()
        seen += [m["display_name"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"ปรีชา {index}" for index in range(5)]


async def test_wildcards_in_a_name_are_taken_literally(client, actors, make_actor) -> None:
    member = await make_actor(Role.volunteer)
    await _named(client, actors, member, "100% Volunteer")
    headers = actors[Role.caseworker].headers
    assert (await client.get(STAFF, params={"name": "%"}, headers=headers)).json()["items"] == []
    assert (await client.get(STAFF, params={"name": "_"}, headers=headers)).json()["items"] == []
    found = await client.get(STAFF, params={"name": "100%"}, headers=headers)
    assert [m["display_name"] for m in found.json()["items"]] == ["100% Volunteer"]


@pytest.mark.parametrize("role", [Role.volunteer, Role.agency, Role.admin])
async def test_others_may_not_read_the_directory(client, actors, role) -> None:
    response = await client.get(STAFF, headers=actors[role].headers)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


async def test_the_directory_needs_a_token(client) -> None:
    assert (await client.get(STAFF)).status_code == 401


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"role": "admin"}, "role"),
        ({"role": "agency"}, "role"),
        ({"role": "chief"}, "role"),
        ({"name": "a\x00b"}, "name"),
        ({"name": ""}, "name"),
        ({"cursor": "garbage!"}, "cursor"),
        ({"limit": 0}, "limit"),
    ],
)
async def test_bad_directory_queries_are_422(client, actors, params, parameter) -> None:
    response = await client.get(STAFF, params=params, headers=actors[Role.supervisor].headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert any(e.get("parameter") == parameter for e in response.json()["errors"])
