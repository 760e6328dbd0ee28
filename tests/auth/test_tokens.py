"""Forged, expired, misused and revoked tokens: every one answered 401 problem JSON."""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from jose import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from auth.tokens import InvalidToken, TokenKind, decode_token, issue_token
from models.base import utcnow
from models.enums import Role
from models.user import RefreshFamily, User
from service.platform.settings import Settings
from tests.conftest import create_user

ME = "/api/v1/users/me"


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def _login_session(session: AsyncSession, user: User) -> RefreshFamily:
    family = RefreshFamily(user_id=user.id, created_at=utcnow())
    session.add(family)
    await session.flush()
    await session.commit()
    return family


def _claims(
    settings: Settings, user: User, family: RefreshFamily, **changes: Any
) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(user.id),
        "jti": uuid.uuid4().hex,
        "typ": "access",
        "ver": user.token_version,
        "fam": str(family.id),
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    for key, value in changes.items():
        if value is None:
            claims.pop(key, None)
        else:
            claims[key] = value
    return claims


def _sign(settings: Settings, claims: dict[str, Any], key: str | None = None) -> str:
    return jwt.encode(claims, key or settings.jwt_secret, algorithm="HS256")


async def _assert_rejected(client: Any, token: str) -> None:
    response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401
    assert body["type"].endswith("/unauthenticated")
    # RFC 6750: a token was sent, so the challenge says it is not a valid one.
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


@pytest.fixture
async def volunteer(session: AsyncSession) -> tuple[User, RefreshFamily]:
    user = await create_user(session, Role.volunteer)
    family = await _login_session(session, user)
    return user, family


async def test_a_valid_token_is_accepted(client, settings, volunteer) -> None:
    user, family = volunteer
    token = _sign(settings, _claims(settings, user, family))
    response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["username"] == user.username


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
async def test_unsigned_tokens_are_rejected(client, settings, volunteer, alg) -> None:
    user, family = volunteer
    token = f"{_b64({'alg': alg, 'typ': 'JWT'})}.{_b64(_claims(settings, user, family))}."
    await _assert_rejected(client, token)


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
async def test_other_algorithms_are_rejected(client, settings, volunteer, alg) -> None:
    user, family = volunteer
    token = jwt.encode(_claims(settings, user, family), settings.jwt_secret, algorithm=alg)
    await _assert_rejected(client, token)


async def test_wrong_key_is_rejected(client, settings, volunteer) -> None:
    user, family = volunteer
    token = _sign(settings, _claims(settings, user, family), key="another-secret-" + "q" * 32)
    await _assert_rejected(client, token)


async def test_expired_token_is_rejected(client, settings, volunteer) -> None:
    user, family = volunteer
    past = int(time.time()) - 3600
    token = _sign(settings, _claims(settings, user, family, iat=past, nbf=past, exp=past + 60))
    await _assert_rejected(client, token)


async def test_future_nbf_is_rejected(client, settings, volunteer) -> None:
    user, family = volunteer
    token = _sign(settings, _claims(settings, user, family, nbf=int(time.time()) + 3600))
    await _assert_rejected(client, token)


async def test_future_iat_is_rejected(client, settings, volunteer) -> None:
    user, family = volunteer
    token = _sign(settings, _claims(settings, user, family, iat=int(time.time()) + 3600))
    await _assert_rejected(client, token)


@pytest.mark.parametrize("missing", ["exp", "sub", "jti", "aud", "iss", "iat", "typ", "ver", "fam"])
async def test_missing_claim_is_rejected(client, settings, volunteer, missing) -> None:
    user, family = volunteer
    token = _sign(settings, _claims(settings, user, family, **{missing: None}))
    await _assert_rejected(client, token)


@pytest.mark.parametrize(
    ("claim", "value"),
    [("aud", "someone-else"), ("iss", "someone-else"), ("sub", "not-a-uuid"), ("ver", "1")],
)
async def test_wrong_claim_is_rejected(client, settings, volunteer, claim, value) -> None:
    user, family = volunteer
    token = _sign(settings, _claims(settings, user, family, **{claim: value}))
    await _assert_rejected(client, token)


@pytest.mark.parametrize(
    ("claim", "value"),
    [("exp", 2**40), ("exp", 2**63), ("iat", -(2**63)), ("iat", -1e308), ("exp", True)],
)
async def test_times_no_calendar_has_are_rejected(
    client, settings, volunteer, claim, value
) -> None:
    """Even signed with our key, a time outside the calendar is a bad token, not a 500."""
    user, family = volunteer
    token = _sign(settings, _claims(settings, user, family, **{claim: value}))
    await _assert_rejected(client, token)


async def test_unknown_subject_is_rejected(client, settings, volunteer) -> None:
    user, family = volunteer
    token = _sign(settings, _claims(settings, user, family, sub=str(uuid.uuid4())))
    await _assert_rejected(client, token)


async def test_refresh_token_is_not_an_access_token(client, settings, volunteer) -> None:
    user, family = volunteer
    refresh = issue_token(
        settings,
        kind=TokenKind.refresh,
        subject=user.id,
        version=user.token_version,
        family_id=family.id,
        now=utcnow(),
    )
    await _assert_rejected(client, refresh.token)


async def test_tampered_payload_is_rejected(client, settings, volunteer, session) -> None:
    user, family = volunteer
    admin = await create_user(session, Role.admin)
    await session.commit()
    header, _payload, signature = _sign(settings, _claims(settings, user, family)).split(".")
    forged = _b64(_claims(settings, admin, family))
    await _assert_rejected(client, f"{header}.{forged}.{signature}")


async def test_oversized_token_is_rejected(client, settings, volunteer) -> None:
    user, family = volunteer
    token = _sign(settings, _claims(settings, user, family, pad="x" * 5000))
    assert len(token) > 4096
    await _assert_rejected(client, token)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "...", "Bearer", "eyJ.eyJ.sig"])
async def test_garbage_is_rejected(client, garbage) -> None:
    response = await client.get(ME, headers={"Authorization": f"Bearer {garbage}"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_missing_header_is_rejected(client) -> None:
    response = await client.get(ME)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_token_of_deactivated_user_is_rejected(client, settings, volunteer, session) -> None:
    user, family = volunteer
    token = _sign(settings, _claims(settings, user, family))
    user.is_active = False
    session.add(user)
    await session.commit()
    await _assert_rejected(client, token)


async def test_token_issued_before_password_change_is_rejected(
    client, settings, session, actors
) -> None:
    user = actors[Role.volunteer].user
    old_headers = actors[Role.volunteer].headers
    assert (await client.get(ME, headers=old_headers)).status_code == 200
    response = await client.post(
        f"/api/v1/users/{user.id}/password",
        json={"password": "a brand new password"},
        headers=actors[Role.admin].headers,
    )
    assert response.status_code == 204, response.text
    await _assert_rejected(client, old_headers["Authorization"].removeprefix("Bearer "))


async def test_token_of_revoked_session_is_rejected(client, settings, volunteer, session) -> None:
    user, family = volunteer
    token = _sign(settings, _claims(settings, user, family))
    family.revoked_at = utcnow()
    session.add(family)
    await session.commit()
    await _assert_rejected(client, token)


def test_decode_checks_kind_and_expiry(settings) -> None:
    now = utcnow()
    subject, family = uuid.uuid4(), uuid.uuid4()
    access = issue_token(
        settings, kind=TokenKind.access, subject=subject, version=3, family_id=family, now=now
    )
    claims = decode_token(settings, access.token, expected=TokenKind.access, now=now)
    assert (claims.subject, claims.version, claims.family_id) == (subject, 3, family)
    assert access.expires_at - now == timedelta(minutes=settings.access_token_minutes)
    with pytest.raises(InvalidToken):
        decode_token(settings, access.token, expected=TokenKind.refresh, now=now)
