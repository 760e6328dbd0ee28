"""The caller's own account, and account management by admins."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from auth.dependencies import Admin, AnyUser
from models.base import utcnow
from models.enums import Role
from models.user import PasswordReset, UserCreate, UserList, UserPublic, UserUpdate
from routers import API_PREFIX
from service.accounts import users
from service.platform.db import Session
from service.platform.errors import problem_schema_responses
from service.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT

router = APIRouter(prefix=f"{API_PREFIX}/users", tags=["users"])


@router.get("/me", summary="My account", responses=problem_schema_responses(401))
async def read_me(user: AnyUser) -> UserPublic:
    """The signed-in user's own account."""
    return UserPublic.model_validate(user, from_attributes=True)


@router.post(
    "",
    summary="Create an account",
    status_code=status.HTTP_201_CREATED,
    responses=problem_schema_responses(401, 403, 409, 422),
)
async def create_user(body: UserCreate, _admin: Admin, session: Session) -> UserPublic:
    """Create an account (admins only)."""
    user = await users.create_user(session, data=body, now=utcnow())
    return UserPublic.model_validate(user, from_attributes=True)


@router.get("", summary="List accounts", responses=problem_schema_responses(401, 403, 422))
async def list_users(
    _admin: Admin,
    session: Session,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(
            max_length=512,
            description="`next_cursor` of the previous page (opaque; checked by the server).",
        ),
    ] = None,
    role: Role | None = None,
    active: bool | None = None,
) -> UserList:
    """List accounts by username, a page at a time (admins only)."""
    rows, next_cursor = await users.list_users(
        session, limit=limit, cursor=cursor, role=role, active=active
    )
    return UserList(
        items=[UserPublic.model_validate(u, from_attributes=True) for u in rows],
        next_cursor=next_cursor,
    )


@router.patch(
    "/{user_id:uuid}",
    summary="Change an account",
    responses=problem_schema_responses(401, 403, 404, 409, 422),
)
async def update_user(
    user_id: uuid.UUID, body: UserUpdate, admin: Admin, session: Session
) -> UserPublic:
    """Change a user's name, role or activity; a role or activity change ends their sessions."""
    user = await users.update_user(
        session, acting=admin, user_id=user_id, changes=body, now=utcnow()
    )
    return UserPublic.model_validate(user, from_attributes=True)


@router.post(
    "/{user_id:uuid}/deactivate",
    summary="Deactivate an account",
    responses=problem_schema_responses(401, 403, 404, 409),
)
async def deactivate_user(user_id: uuid.UUID, admin: Admin, session: Session) -> UserPublic:
    """Deactivate an account: it can no longer sign in and its tokens stop working."""
    user = await users.update_user(
        session,
        acting=admin,
        user_id=user_id,
        changes=UserUpdate(is_active=False),
        now=utcnow(),
    )
    return UserPublic.model_validate(user, from_attributes=True)


@router.post(
    "/{user_id:uuid}/password",
    summary="Set a user's password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_schema_responses(401, 403, 404, 422),
)
async def reset_password(
    user_id: uuid.UUID, body: PasswordReset, _admin: Admin, session: Session
) -> None:
    """Set a new password for a user; every session of theirs ends."""
    await users.reset_password(session, user_id=user_id, password=body.password, now=utcnow())
