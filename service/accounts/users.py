"""Account management by admins."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.passwords import hash_password
from models.agency import Organization
from models.enums import Role
from models.user import USERNAME_PATTERN, User, UserCreate, UserUpdate
from service.accounts.authentication import end_all_sessions
from service.platform.errors import Conflict, NotFound, Unprocessable, coded_field_error
from service.platform.pagination import decode_text_cursor, encode_cursor


async def _check_organization(
    session: AsyncSession, role: Role, organization_id: uuid.UUID | None
) -> None:
    """An agency account belongs to one organization of the directory; no other account does."""
    if role is Role.agency:
        if organization_id is None or await session.get(Organization, organization_id) is None:
            raise Unprocessable(
                "An agency account needs the organization it belongs to.",
                errors=[coded_field_error("/organization_id", "consistency")],
            )
    elif organization_id is not None:
        raise Unprocessable(
            "Only agency accounts belong to an organization.",
            errors=[coded_field_error("/organization_id", "consistency")],
        )


async def create_user(session: AsyncSession, *, data: UserCreate, now: datetime) -> User:
    """Create an account; 409 when the username is taken, 422 when an agency account names no
    organization of the directory (or another account names one)."""
    await _check_organization(session, data.role, data.organization_id)
    existing = await session.execute(
        sa.select(col(User.id)).where(col(User.username) == data.username)
    )
    if existing.first() is not None:
        raise Conflict("That username is taken.")
    user = User(
        username=data.username,
        display_name=data.display_name,
        role=data.role,
        organization_id=data.organization_id,
        password_hash=await hash_password(data.password),
        password_changed_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("That username is taken.") from None
    return user


async def get_user(session: AsyncSession, *, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


async def list_users(
    session: AsyncSession,
    *,
    limit: int,
    cursor: str | None,
    role: Role | None = None,
    active: bool | None = None,
) -> tuple[list[User], str | None]:
    """Users ordered by username, one keyset page at a time."""
    query = sa.select(User).order_by(col(User.username)).limit(limit + 1)
    if role is not None:
        query = query.where(col(User.role) == role)
    if active is not None:
        query = query.where(col(User.is_active) == active)
    if cursor:
        after = decode_text_cursor(cursor, pattern=USERNAME_PATTERN)
        query = query.where(col(User.username) > after)
    rows = list((await session.execute(query)).scalars())
    next_cursor = encode_cursor([rows[limit - 1].username]) if len(rows) > limit else None
    return rows[:limit], next_cursor


async def update_user(
    session: AsyncSession, *, acting: User, user_id: uuid.UUID, changes: UserUpdate, now: datetime
) -> User:
    """Change an account; a change of role or activity ends all the user's sessions.

    An admin cannot demote or deactivate themself, so the center never locks itself out.
    """
    user = await get_user(session, user_id=user_id)
    fields = changes.model_dump(exclude_unset=True)
    if not fields:
        raise Unprocessable(
            "Nothing to change.",
            errors=[{"pointer": "", "detail": "send at least one field", "type": "empty"}],
        )
    if user.id == acting.id and (
        ("role" in fields and fields["role"] != user.role)
        or ("is_active" in fields and not fields["is_active"])
    ):
        raise Conflict("You cannot change your own role or deactivate yourself.")
    role = fields.get("role", user.role)
    organization_id = fields.get("organization_id", user.organization_id)
    if role is not Role.agency and "organization_id" not in fields:
        organization_id = fields["organization_id"] = None
    await _check_organization(session, role, organization_id)
    ends_sessions = (
        ("role" in fields and fields["role"] != user.role)
        or ("is_active" in fields and fields["is_active"] != user.is_active)
        or organization_id != user.organization_id
    )
    for name, value in fields.items():
        if name == "organization_id":
            user.organization_id = value
            continue
        if value is None:
            raise Unprocessable(
                "A field cannot be cleared.",
                errors=[{"pointer": f"/{name}", "detail": "may not be null", "type": "null"}],
            )
        setattr(user, name, value)
    user.updated_at = now
    if ends_sessions:
        await end_all_sessions(session, user=user, now=now, reason="account-change")
    await session.flush()
    return user


async def reset_password(
    session: AsyncSession, *, user_id: uuid.UUID, password: str, now: datetime
) -> User:
    """Set a new password and end every session of the user."""
    user = await get_user(session, user_id=user_id)
    user.password_hash = await hash_password(password)
    user.password_changed_at = now
    await end_all_sessions(session, user=user, now=now, reason="password-reset")
    return user
