"""A 401 tells the client what to do next (RFC 6750): no token, expired, revoked or not valid."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import httpx
import pytest
from jose import jwt

from auth.tokens import ExpiredToken, InvalidToken, TokenKind, decode_token, issue_token
from models.base import utcnow
from models.enums import Role
from service.platform.messages import DETAILS

ME = "/api/v1/users/me"
INVALID = 'Bearer error="invalid_token", error_description='


async def _me(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    response = await client.get(ME, headers={**headers, "Accept-Language": "en"})
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return response


def _expired_token(settings: Any, actor: Any, **changes: Any) -> str:
    """The actor's own token, signed by us, whose time ran out an hour ago."""
    claims = jwt.get_unverified_claims(actor.headers["Authorization"].removeprefix("Bearer "))
    past = int(time.time()) - 3600
    claims.update(iat=past, nbf=past, exp=past + 60, **changes)
    return str(jwt.encode(claims, settings.jwt_secret, algorithm="HS256"))


async def test_no_token_is_a_bare_challenge(client) -> None:
    response = await _me(client, {})
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"] == DETAILS["token.missing"].en


async def test_an_expired_token_says_it_expired(client, settings, actors) -> None:
    token = _expired_token(settings, actors[Role.volunteer])
    response = await _me(client, {"Authorization": f"Bearer {token}"})
    assert response.headers["www-authenticate"] == INVALID + '"The access token expired"'
    assert response.json()["detail"] == DETAILS["token.expired"].en


async def test_a_revoked_token_says_it_was_revoked(client, actors) -> None:
    headers = actors[Role.volunteer].headers
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    response = await _me(client, headers)
    assert response.headers["www-authenticate"] == INVALID + '"The access token was revoked"'
    assert response.json()["detail"] == DETAILS["token.revoked"].en


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "Bearer", "x" * 5000])
async def test_a_garbage_token_is_not_valid(client, token: str) -> None:
    response = await _me(client, {"Authorization": f"Bearer {token}"})
    assert response.headers["www-authenticate"] == INVALID + '"The access token is not valid"'
    assert response.json()["detail"] == DETAILS["token.invalid"].en


async def test_expired_is_said_only_of_a_token_good_in_every_other_way(
    client, settings, actors
) -> None:
    """A forged or misused token is never called expired, so expiry reveals nothing."""
    actor = actors[Role.volunteer]
    forged = jwt.encode(
        jwt.get_unverified_claims(_expired_token(settings, actor)),
        "another-secret-" + "q" * 32,
        algorithm="HS256",
    )
    as_refresh = _expired_token(settings, actor, typ="refresh")
    other_audience = _expired_token(settings, actor, aud="someone-else")
    for token in (forged, as_refresh, other_audience):
        response = await _me(client, {"Authorization": f"Bearer {token}"})
        assert response.headers["www-authenticate"].endswith('"The access token is not valid"')


def test_decoding_tells_an_expired_token_apart(settings, actors) -> None:
    issued = issue_token(
        settings,
        kind=TokenKind.access,
        subject=actors[Role.volunteer].user.id,
        version=1,
        family_id=actors[Role.volunteer].user.id,
        now=utcnow() - timedelta(hours=2),
    )
    with pytest.raises(ExpiredToken):
        decode_token(settings, issued.token, expected=TokenKind.access, now=utcnow())
    with pytest.raises(InvalidToken) as refused:
        decode_token(settings, issued.token, expected=TokenKind.refresh, now=utcnow())
    assert not isinstance(refused.value, ExpiredToken)


async def test_the_challenge_is_thai_free_ascii_and_the_body_localised(
    client, settings, actors
) -> None:
    token = _expired_token(settings, actors[Role.volunteer])
    response = await client.get(
        ME, headers={"Authorization": f"Bearer {token}", "Accept-Language": "th"}
    )
    assert response.headers["www-authenticate"].isascii()
    assert response.json()["detail"] == DETAILS["token.expired"].th
