"""Account management by admins, and the caller's own account."""

from __future__ import annotations

import uuid

import pytest

from models.enums import Role

USERS = "/api/v1/users"


def _new_user(**changes):
    body = {
        "username": f"new.{uuid.uuid4().hex[:8]}",
        "display_name": "สมชาย ใจดี",
        "role": "volunteer",
        "password": "a long enough password",
    }
    body.update(changes)
    return body


async def test_admin_creates_a_user_who_can_sign_in(client, actors) -> None:
    body = _new_user(username="  New.Person ")
    response = await client.post(USERS, json=body, headers=actors[Role.admin].headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["username"] == "new.person"
    assert "password" not in created and "password_hash" not in created
    login = await client.post(
        "/api/v1/auth/token", data={"username": "new.person", "password": body["password"]}
    )
    assert login.status_code == 200


async def test_duplicate_username_is_409(client, actors) -> None:
    body = _new_user()
    assert (
        await client.post(USERS, json=body, headers=actors[Role.admin].headers)
    ).status_code == 201
    again = await client.post(USERS, json=body, headers=actors[Role.admin].headers)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"password": "short"}, "/password"),
        ({"role": "emperor"}, "/role"),
        ({"username": "x"}, "/username"),
        ({"username": "bad name!"}, "/username"),
        ({"is_active": False}, "/is_active"),
    ],
)
async def test_create_user_validation(client, actors, change, pointer) -> None:
    response = await client.post(
        USERS, json=_new_user(**change), headers=actors[Role.admin].headers
    )
    assert response.status_code == 422
    assert pointer in [e["pointer"] for e in response.json()["errors"]]


@pytest.mark.parametrize("role", [Role.volunteer, Role.caseworker, Role.supervisor, Role.agency])
async def test_only_admins_manage_users(client, actors, role) -> None:
    headers = actors[role].headers
    target = actors[Role.volunteer].user.id
    assert (await client.post(USERS, json=_new_user(), headers=headers)).status_code == 403
    assert (await client.get(USERS, headers=headers)).status_code == 403
    assert (
        await client.patch(f"{USERS}/{target}", json={"role": "admin"}, headers=headers)
    ).status_code == 403
    assert (await client.post(f"{USERS}/{target}/deactivate", headers=headers)).status_code == 403
    assert (
        await client.post(
            f"{USERS}/{target}/password", json={"password": "x" * 20}, headers=headers
        )
    ).status_code == 403


async def test_user_routes_need_authentication(client) -> None:
    assert (await client.get(USERS)).status_code == 401
    assert (await client.post(USERS, json=_new_user())).status_code == 401


async def test_list_pages_with_a_cursor(client, actors, make_actor) -> None:
    for _ in range(4):
        await make_actor(Role.volunteer)
    headers = actors[Role.admin].headers
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, "role": "volunteer"}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(USERS, params=params, headers=headers)).json()
        seen += [u["username"] for u in page["items"]]
        assert all(u["role"] == "volunteer" for u in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5
    assert seen == sorted(seen) and len(set(seen)) == 5


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 201}, {"cursor": "garbage!"}])
async def test_list_rejects_bad_paging(client, actors, params) -> None:
    response = await client.get(USERS, params=params, headers=actors[Role.admin].headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] in {"limit", "cursor"}


async def test_role_change_and_deactivation_end_sessions(client, actors) -> None:
    admin = actors[Role.admin].headers
    volunteer = actors[Role.volunteer]
    changed = await client.patch(
        f"{USERS}/{volunteer.user.id}", json={"role": "caseworker"}, headers=admin
    )
    assert changed.status_code == 200
    assert changed.json()["role"] == "caseworker"
    assert (await client.get(f"{USERS}/me", headers=volunteer.headers)).status_code == 401

    caseworker = actors[Role.caseworker]
    response = await client.post(f"{USERS}/{caseworker.user.id}/deactivate", headers=admin)
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert (await client.get(f"{USERS}/me", headers=caseworker.headers)).status_code == 401


async def test_display_name_change_keeps_sessions(client, actors) -> None:
    volunteer = actors[Role.volunteer]
    response = await client.patch(
        f"{USERS}/{volunteer.user.id}",
        json={"display_name": "ชื่อใหม่"},
        headers=actors[Role.admin].headers,
    )
    assert response.status_code == 200
    assert (await client.get(f"{USERS}/me", headers=volunteer.headers)).status_code == 200


async def test_admin_cannot_lock_themself_out(client, actors) -> None:
    admin = actors[Role.admin]
    url = f"{USERS}/{admin.user.id}"
    assert (
        await client.patch(url, json={"role": "volunteer"}, headers=admin.headers)
    ).status_code == 409
    assert (await client.post(f"{url}/deactivate", headers=admin.headers)).status_code == 409


@pytest.mark.parametrize("body", [{}, {"role": None}, {"username": "renamed"}])
async def test_update_validation(client, actors, body) -> None:
    target = actors[Role.volunteer].user.id
    response = await client.patch(
        f"{USERS}/{target}", json=body, headers=actors[Role.admin].headers
    )
    assert response.status_code == 422


async def test_unknown_user_is_404(client, actors) -> None:
    response = await client.patch(
        f"{USERS}/{uuid.uuid4()}", json={"display_name": "x"}, headers=actors[Role.admin].headers
    )
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_agency_accounts_belong_to_one_organization(client, actors) -> None:
    admin = actors[Role.admin].headers
    organization = await client.post(
        "/api/v1/directory/organizations",
        json={"name": "หน่วยงาน", "description": "ทดสอบ"},
        headers=admin,
    )
    org_id = organization.json()["id"]

    for body in (
        _new_user(role="agency"),
        _new_user(role="agency", organization_id=str(uuid.uuid4())),
        _new_user(role="volunteer", organization_id=org_id),
    ):
        refused = await client.post(USERS, json=body, headers=admin)
        assert refused.status_code == 422, body
        assert [e["pointer"] for e in refused.json()["errors"]] == ["/organization_id"]

    created = await client.post(
        USERS, json=_new_user(role="agency", organization_id=org_id), headers=admin
    )
    assert created.status_code == 201, created.text
    assert created.json()["organization_id"] == org_id

    moved = await client.patch(
        f"{USERS}/{created.json()['id']}", json={"role": "caseworker"}, headers=admin
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["organization_id"] is None
    back = await client.patch(
        f"{USERS}/{created.json()['id']}", json={"role": "agency"}, headers=admin
    )
    assert back.status_code == 422
