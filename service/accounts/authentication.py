"""Sign-in, token rotation and sign-out.

Decisions written down:
- A failed login answers 401 with the same text whether the user exists or not, and spends the
  same Argon2 time; failures count per account and per client address (both keyed hashes, so
  no username or address is stored) and lock with a growing delay (429 + Retry-After).
- Refresh tokens rotate: each is good for one use. Presenting a used one again revokes its
  whole family (the login session), because it means the token was copied. A client on a bad
  connection that lost a refresh answer must sign in again: safety wins over convenience.
- Logout revokes the family of the access token used, which also ends that access token at
  once (the family is checked on every request). Logout-all bumps the token version.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.passwords import verify_password
from auth.tokens import InvalidToken, IssuedToken, TokenKind, decode_token, issue_token
from models.user import USERNAME_PATTERN, LoginThrottle, RefreshFamily, RefreshToken, User
from service.accounts.throttle import (
    ThrottlePolicy,
    ThrottleState,
    after_failure,
    retry_after_seconds,
)
from service.platform.db import insert_if_absent
from service.platform.errors import TooManyRequests, Unauthenticated
from service.platform.settings import Settings

BAD_CREDENTIALS = "Incorrect username or password."


class LoginFailed(Unauthenticated):
    """A wrong password: answered 401, but the counted failure is kept."""

    keep_changes = True


class RefreshReused(Unauthenticated):
    """A rotated refresh token presented again: its family is revoked and that is kept."""

    keep_changes = True


@dataclass(frozen=True, slots=True)
class TokenPair:
    access: IssuedToken
    refresh: IssuedToken


def _throttle_key(settings: Settings, scope: str, value: str) -> str:
    digest = hmac.new(
        settings.data_key.encode(), f"{scope}:{value}".encode(), hashlib.sha256
    ).hexdigest()
    return f"{scope}:{digest[:48]}"


def _policies(settings: Settings) -> tuple[ThrottlePolicy, ThrottlePolicy]:
    window = timedelta(seconds=settings.login_failure_window_seconds)
    lockout = timedelta(seconds=settings.login_lockout_seconds)
    return (
        ThrottlePolicy(settings.login_account_max_failures, window, lockout),
        ThrottlePolicy(settings.login_address_max_failures, window, lockout),
    )


def _state(row: LoginThrottle | None) -> ThrottleState | None:
    if row is None:
        return None
    return ThrottleState(row.failures, row.window_started_at, row.locked_until)


async def _record_failure(
    session: AsyncSession, *, key: str, policy: ThrottlePolicy, now: datetime
) -> None:
    await insert_if_absent(
        session,
        LoginThrottle.__table__,  # type: ignore[attr-defined]
        {"key": key, "failures": 0, "window_started_at": now, "locked_until": None},
    )
    row = await session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
    assert row is not None
    new_state = after_failure(_state(row), policy, now)
    row.failures = new_state.failures
    row.window_started_at = new_state.window_started_at
    row.locked_until = new_state.locked_until
    await session.flush()


async def _issue_pair(
    session: AsyncSession, *, settings: Settings, user: User, family_id: uuid.UUID, now: datetime
) -> TokenPair:
    access = issue_token(
        settings,
        kind=TokenKind.access,
        subject=user.id,
        version=user.token_version,
        family_id=family_id,
        now=now,
    )
    refresh = issue_token(
        settings,
        kind=TokenKind.refresh,
        subject=user.id,
        version=user.token_version,
        family_id=family_id,
        now=now,
    )
    session.add(
        RefreshToken(
            jti=refresh.token_id,
            family_id=family_id,
            issued_at=now,
            expires_at=refresh.expires_at,
        )
    )
    await session.flush()
    return TokenPair(access=access, refresh=refresh)


async def login(
    session: AsyncSession,
    *,
    settings: Settings,
    username: str,
    password: str,
    client_address: str,
    now: datetime,
) -> TokenPair:
    """Check a password and open a new login session (token family)."""
    account_policy, address_policy = _policies(settings)
    account_key = _throttle_key(settings, "account", username.strip().lower())
    address_key = _throttle_key(settings, "address", client_address)
    for key in (account_key, address_key):
        wait = retry_after_seconds(_state(await session.get(LoginThrottle, key)), now)
        if wait is not None:
            raise TooManyRequests(
                "Too many failed sign-in attempts. Try again later.",
                headers={"Retry-After": str(wait)},
            )
    name = username.strip().lower()
    user = None
    if re.fullmatch(USERNAME_PATTERN, name):  # anything else cannot be an account
        user = (
            await session.execute(sa.select(User).where(col(User.username) == name))
        ).scalar_one_or_none()
    usable = user is not None and user.is_active
    valid = await verify_password(password, user.password_hash if usable and user else None)
    if not valid or user is None:
        await _record_failure(session, key=account_key, policy=account_policy, now=now)
        await _record_failure(session, key=address_key, policy=address_policy, now=now)
        raise LoginFailed(BAD_CREDENTIALS)
    await session.execute(sa.delete(LoginThrottle).where(col(LoginThrottle.key) == account_key))
    family = RefreshFamily(user_id=user.id, created_at=now)
    session.add(family)
    await session.flush()
    return await _issue_pair(session, settings=settings, user=user, family_id=family.id, now=now)


async def refresh(
    session: AsyncSession, *, settings: Settings, refresh_token: str, now: datetime
) -> TokenPair:
    """Rotate a refresh token; a second use of the same token revokes its family."""
    try:
        claims = decode_token(settings, refresh_token, expected=TokenKind.refresh, now=now)
    except InvalidToken:
        raise Unauthenticated("The refresh token is not valid.") from None
    claimed = await session.execute(
        sa.update(RefreshToken)
        .where(col(RefreshToken.jti) == claims.token_id, col(RefreshToken.used_at).is_(None))
        .values(used_at=now)
    )
    stored = await session.get(RefreshToken, claims.token_id)
    family = await session.get(RefreshFamily, claims.family_id)
    if stored is None or family is None or stored.family_id != family.id:
        raise Unauthenticated("The refresh token is not valid.")
    if family.revoked_at is not None:
        raise Unauthenticated("The refresh token is not valid.")
    if getattr(claimed, "rowcount", 0) != 1:
        family.revoked_at = now
        family.revoked_reason = "reuse"
        await session.flush()
        raise RefreshReused("The refresh token was already used; the session is ended.")
    user = await session.get(User, claims.subject)
    if (
        user is None
        or user.id != family.user_id
        or not user.is_active
        or user.token_version != claims.version
    ):
        raise Unauthenticated("The refresh token is not valid.")
    return await _issue_pair(session, settings=settings, user=user, family_id=family.id, now=now)


async def logout(session: AsyncSession, *, family_id: uuid.UUID, now: datetime) -> None:
    """End one login session: its refresh tokens and access tokens stop working."""
    await session.execute(
        sa.update(RefreshFamily)
        .where(col(RefreshFamily.id) == family_id, col(RefreshFamily.revoked_at).is_(None))
        .values(revoked_at=now, revoked_reason="logout")
    )


async def end_all_sessions(
    session: AsyncSession, *, user: User, now: datetime, reason: str
) -> None:
    """Invalidate every token `user` holds: bump the token version, revoke every family."""
    user.token_version += 1
    user.updated_at = now
    await session.execute(
        sa.update(RefreshFamily)
        .where(col(RefreshFamily.user_id) == user.id, col(RefreshFamily.revoked_at).is_(None))
        .values(revoked_at=now, revoked_reason=reason[:32])
    )
    await session.flush()
