"""Sign-in, throttling, refresh rotation with reuse detection, sign-out."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from models.enums import Role
from tests.conftest import TEST_PASSWORD, create_user, make_settings

TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/refresh"
ME = "/api/v1/users/me"


async def _login(client, username: str, password: str = TEST_PASSWORD, **kwargs):
    return await client.post(TOKEN, data={"username": username, "password": password}, **kwargs)


def _bearer(body: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {body['access_token']}"}


async def test_login_returns_working_tokens(client, session) -> None:
    user = await create_user(session, Role.volunteer)
    await session.commit()
    response = await _login(client, user.username.upper())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert 0 < body["expires_in"] <= 15 * 60
    assert response.headers["cache-control"] == "no-store"
    me = await client.get(ME, headers=_bearer(body))
    assert me.status_code == 200
    assert me.json()["role"] == "volunteer"
    assert "password_hash" not in me.json()


async def test_unknown_user_and_wrong_password_answer_alike(client, session) -> None:
    user = await create_user(session, Role.caseworker)
    await session.commit()
    wrong = await _login(client, user.username, "not the password")
    unknown = await _login(client, "nobody.here", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.headers["content-type"] == "application/problem+json"


async def test_inactive_user_cannot_sign_in(client, session) -> None:
    user = await create_user(session, Role.volunteer, active=False)
    await session.commit()
    assert (await _login(client, user.username)).status_code == 401


async def test_missing_form_fields_are_422(client) -> None:
    response = await client.post(TOKEN, data={"username": "x"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/password"


async def test_account_is_throttled_after_repeated_failures(client, session, settings) -> None:
    user = await create_user(session, Role.volunteer)
    await session.commit()
    for _ in range(settings.login_account_max_failures):
        assert (await _login(client, user.username, "wrong password")).status_code == 401
    locked = await _login(client, user.username)  # even the right password waits
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert locked.headers["content-type"] == "application/problem+json"


async def test_unknown_account_is_throttled_the_same_way(client, settings) -> None:
    for _ in range(settings.login_account_max_failures):
        assert (await _login(client, "ghost.user", "wrong password")).status_code == 401
    assert (await _login(client, "ghost.user", "wrong password")).status_code == 429


async def test_address_is_throttled_across_accounts(app, client, session) -> None:
    app.state.settings = make_settings(login_address_max_failures=3)
    user = await create_user(session, Role.volunteer)
    await session.commit()
    for n in range(3):
        assert (await _login(client, f"someone.{n}", "wrong password")).status_code == 401
    blocked = await _login(client, user.username)
    assert blocked.status_code == 429
    assert "retry-after" in blocked.headers


async def test_success_resets_the_account_counter(client, session, settings) -> None:
    user = await create_user(session, Role.volunteer)
    await session.commit()
    for _ in range(settings.login_account_max_failures - 1):
        await _login(client, user.username, "wrong password")
    assert (await _login(client, user.username)).status_code == 200
    for _ in range(settings.login_account_max_failures - 1):
        await _login(client, user.username, "wrong password")
    assert (await _login(client, user.username)).status_code == 200


async def test_refresh_rotates_and_reuse_revokes_the_family(client, session) -> None:
    user = await create_user(session, Role.caseworker)
    await session.commit()
    first = (await _login(client, user.username)).json()
    second = await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text
    second_body = second.json()
    assert second_body["refresh_token"] != first["refresh_token"]
    assert (await client.get(ME, headers=_bearer(second_body))).status_code == 200

    reused = await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401
    # the whole family is gone: the newest refresh token and its access token too
    assert (
        await client.post(REFRESH, json={"refresh_token": second_body["refresh_token"]})
    ).status_code == 401
    assert (await client.get(ME, headers=_bearer(second_body))).status_code == 401
    # another login session of the same user is untouched
    other = (await _login(client, user.username)).json()
    assert (await client.get(ME, headers=_bearer(other))).status_code == 200


async def test_access_token_is_not_a_refresh_token(client, session) -> None:
    user = await create_user(session, Role.volunteer)
    await session.commit()
    tokens = (await _login(client, user.username)).json()
    response = await client.post(REFRESH, json={"refresh_token": tokens["access_token"]})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body", [{}, {"refresh_token": ""}, {"refresh_token": "x", "extra": 1}, {"refresh_token": 5}]
)
async def test_refresh_body_is_validated(client, body) -> None:
    response = await client.post(REFRESH, json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"].startswith("/")


async def test_refresh_after_role_change_is_refused(client, session, actors) -> None:
    user = await create_user(session, Role.volunteer)
    await session.commit()
    tokens = (await _login(client, user.username)).json()
    changed = await client.patch(
        f"/api/v1/users/{user.id}", json={"role": "caseworker"}, headers=actors[Role.admin].headers
    )
    assert changed.status_code == 200
    assert (await client.get(ME, headers=_bearer(tokens))).status_code == 401
    refreshed = await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401


async def test_logout_ends_only_this_session(client, session) -> None:
    user = await create_user(session, Role.volunteer)
    await session.commit()
    phone = (await _login(client, user.username)).json()
    laptop = (await _login(client, user.username)).json()
    assert (await client.post("/api/v1/auth/logout", headers=_bearer(phone))).status_code == 204
    assert (await client.get(ME, headers=_bearer(phone))).status_code == 401
    assert (
        await client.post(REFRESH, json={"refresh_token": phone["refresh_token"]})
    ).status_code == 401
    assert (await client.get(ME, headers=_bearer(laptop))).status_code == 200


async def test_logout_all_ends_every_session(client, session) -> None:
    user = await create_user(session, Role.volunteer)
    await session.commit()
    phone = (await _login(client, user.username)).json()
    laptop = (await _login(client, user.username)).json()
    assert (await client.post("/api/v1/auth/logout-all", headers=_bearer(phone))).status_code == 204
    for tokens in (phone, laptop):
        assert (await client.get(ME, headers=_bearer(tokens))).status_code == 401
        assert (
            await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
        ).status_code == 401
    assert (await _login(client, user.username)).status_code == 200


async def test_logout_needs_a_token(client) -> None:
    assert (await client.post("/api/v1/auth/logout")).status_code == 401


async def test_concurrent_refreshes_of_one_token_give_one_new_pair(
    committed_client, committed_db: AsyncEngine
) -> None:
    async with async_sessionmaker(committed_db, expire_on_commit=False)() as session:
        user = await create_user(session, Role.volunteer)
        await session.commit()
    tokens = (await _login(committed_client, user.username)).json()
    results = await asyncio.gather(
        *(
            committed_client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
            for _ in range(5)
        )
    )
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(200) <= 1
    assert set(statuses) <= {200, 401}
    # the token was presented more than once, so the family must be revoked in the end
    for response in results:
        if response.status_code == 200:
            assert (
                await committed_client.get(ME, headers=_bearer(response.json()))
            ).status_code == 401
