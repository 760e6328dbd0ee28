"""The staff directory: who works on cases here, by name, for caseworkers and supervisors.

Admins manage accounts through `service.accounts.users`; the directory is the read-only view
staff need to name and find colleagues (a lead, a reporter, whom to offer a case). It lists
active volunteers, caseworkers and supervisors only, never login names or account state.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.enums import Role
from models.user import StaffMember, User
from service.platform.errors import Unprocessable
from service.platform.pagination import decode_cursor, encode_cursor

STAFF_ROLES = frozenset({Role.volunteer, Role.caseworker, Role.supervisor})


def _like_prefix(text: str) -> str:
    """A LIKE pattern matching names that start with `text`, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.casefold() + "%"


def _after(cursor: str) -> tuple[str, uuid.UUID]:
    name, row_id = decode_cursor(cursor, size=2)
    try:
        return str(name), uuid.UUID(str(row_id))
    except ValueError:
        raise Unprocessable(
            "The cursor is not valid; start again without one.",
            errors=[{"parameter": "cursor", "detail": "not a valid cursor", "type": "cursor"}],
        ) from None


async def list_staff(
    session: AsyncSession,
    *,
    limit: int,
    cursor: str | None,
    role: Role | None = None,
    name: str | None = None,
) -> tuple[list[StaffMember], str | None]:
    """Active staff ordered by display name, one keyset page at a time; `name` matches the
    start of a display name, ignoring case."""
    if role is not None and role not in STAFF_ROLES:
        raise Unprocessable(
            "The directory lists volunteers, caseworkers and supervisors only.",
            errors=[{"parameter": "role", "detail": "not a staff role", "type": "enum"}],
        )
    roles = [role] if role is not None else sorted(STAFF_ROLES)
    query = (
        sa.select(col(User.id), col(User.display_name), col(User.role))
        .where(col(User.is_active).is_(True), col(User.role).in_(roles))
        .order_by(col(User.display_name), col(User.id))
        .limit(limit + 1)
    )
    if name:
        query = query.where(sa.func.lower(col(User.display_name)).like(_like_prefix(name), "\\"))
    if cursor:
        after_name, after_id = _after(cursor)
        query = query.where(
            sa.tuple_(col(User.display_name), col(User.id)) > sa.tuple_(after_name, after_id)
        )
    rows = [
        StaffMember(id=row.id, display_name=row.display_name, role=row.role)
        for row in await session.execute(query)
    ]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor([last.display_name, str(last.id)])
    return rows[:limit], next_cursor
