"""Every use of python-jose lives here: issuing and verifying access and refresh tokens.

One algorithm is pinned (HS256 with a secret of at least 32 bytes). A token is accepted only
when its header names that algorithm, its signature verifies, and `exp`, `iat`, `sub`, `jti`,
`aud`, `iss`, `typ` and `ver` are all present and right. Access and refresh tokens carry
different `typ` values and are never accepted in each other's place.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from jose import ExpiredSignatureError, JWTError, jwt

from service.platform.settings import Settings

ALGORITHM = "HS256"
MAX_TOKEN_BYTES = 4096
CLOCK_SKEW_SECONDS = 30


class TokenKind(StrEnum):
    access = "access"
    refresh = "refresh"


class InvalidToken(Exception):
    """The token is not one this service issued, or no longer valid. Never says why to callers."""


class ExpiredToken(InvalidToken):
    """A token this service issued, right in every other way, whose time is over: the caller
    is told, so that a client knows to refresh rather than to sign in again."""


@dataclass(frozen=True, slots=True)
class TokenClaims:
    subject: uuid.UUID
    token_id: str
    kind: TokenKind
    version: int
    family_id: uuid.UUID
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    token_id: str
    expires_at: datetime


def issue_token(
    settings: Settings,
    *,
    kind: TokenKind,
    subject: uuid.UUID,
    version: int,
    family_id: uuid.UUID,
    now: datetime,
) -> IssuedToken:
    """Sign a new token of `kind` for `subject`, valid from `now`."""
    lifetime = (
        timedelta(minutes=settings.access_token_minutes)
        if kind is TokenKind.access
        else timedelta(days=settings.refresh_token_days)
    )
    token_id = secrets.token_urlsafe(24)
    expires_at = now + lifetime
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(subject),
        "jti": token_id,
        "typ": kind.value,
        "ver": version,
        "fam": str(family_id),
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    token = jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)
    return IssuedToken(token=token, token_id=token_id, expires_at=expires_at)


def decode_token(
    settings: Settings, token: str, *, expected: TokenKind, now: datetime
) -> TokenClaims:
    """Verify `token` completely and return its claims, or raise `InvalidToken`."""
    if not token or len(token.encode("utf-8", "replace")) > MAX_TOKEN_BYTES:
        raise InvalidToken("size")
    try:
        header = jwt.get_unverified_header(token)
    except JWTError as error:
        raise InvalidToken("header") from error
    if header.get("alg") != ALGORITHM:
        raise InvalidToken("algorithm")
    try:
        claims = _verified_claims(settings, token, verify_exp=True)
    except ExpiredSignatureError:
        # The signature was verified before the expiry; the other checks are made again
        # without it, so only a token that is otherwise good is called expired.
        unexpired = _verified_claims(settings, token, verify_exp=False)
        _claims_from(unexpired, expected=expected, now=now)
        raise ExpiredToken("expired") from None
    return _claims_from(claims, expected=expected, now=now)


def _verified_claims(settings: Settings, token: str, *, verify_exp: bool) -> dict[str, Any]:
    """The claims of `token` once its signature and registered claims are verified."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={
                "verify_signature": True,
                "verify_aud": True,
                "verify_iss": True,
                "verify_exp": verify_exp,
                "verify_nbf": True,
                "verify_iat": True,
                "verify_sub": True,
                "verify_jti": True,
                # jose turns a required claim's check back on; `_claims_from` needs `exp`.
                "require_exp": verify_exp,
                "require_iat": True,
                "require_aud": True,
                "require_iss": True,
                "require_sub": True,
                "require_jti": True,
                "leeway": 0,
            },
        )
    except ExpiredSignatureError:
        raise
    except (JWTError, ValueError, TypeError) as error:
        raise InvalidToken("claims") from error
    return claims


def _claims_from(claims: dict[str, Any], *, expected: TokenKind, now: datetime) -> TokenClaims:
    try:
        kind = TokenKind(claims["typ"])
        subject = uuid.UUID(str(claims["sub"]))
        family_id = uuid.UUID(str(claims["fam"]))
        version = claims["ver"]
        token_id = claims["jti"]
        issued = claims["iat"]
        expires = claims["exp"]
    except (KeyError, ValueError, TypeError) as error:
        raise InvalidToken("claims") from error
    if kind is not expected:
        raise InvalidToken("kind")
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidToken("version")
    if not isinstance(token_id, str) or not token_id or len(token_id) > 64:
        raise InvalidToken("jti")
    issued_at, expires_at = _claim_time(issued, now), _claim_time(expires, now)
    if issued > now.timestamp() + CLOCK_SKEW_SECONDS:
        raise InvalidToken("issued in the future")
    return TokenClaims(
        subject=subject,
        token_id=token_id,
        kind=kind,
        version=version,
        family_id=family_id,
        issued_at=issued_at,
        expires_at=expires_at,
    )


def _claim_time(value: object, now: datetime) -> datetime:
    """A NumericDate claim as a time; a number no calendar date has (even one signed with our
    key) makes the token invalid rather than the request fail."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise InvalidToken("times")
    try:
        return datetime.fromtimestamp(value, now.tzinfo)
    except (OverflowError, OSError, ValueError):
        raise InvalidToken("times") from None
