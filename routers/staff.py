"""The staff directory: colleagues by name, read-only, for caseworkers and supervisors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AfterValidator, WithJsonSchema

from auth.dependencies import Caseworker
from models.base import no_nul_characters
from models.enums import Role
from models.user import StaffDirectory
from routers import API_PREFIX
from service.accounts import directory
from service.accounts.directory import STAFF_ROLES
from service.platform.db import Session
from service.platform.errors import problem_schema_responses
from service.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT

router = APIRouter(prefix=f"{API_PREFIX}/staff", tags=["users"])


@router.get("", summary="Staff directory", responses=problem_schema_responses(401, 403, 422))
async def list_staff(
    _caller: Caseworker,
    session: Session,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size, at most 200.")] = (
        DEFAULT_LIMIT
    ),
    cursor: Annotated[
        str | None,
        Query(
            max_length=512,
            description="`next_cursor` of the previous page (opaque; checked by the server).",
        ),
    ] = None,
    role: Annotated[
        Role | None,
        Query(description="volunteer, caseworker or supervisor."),
        WithJsonSchema({"type": "string", "enum": sorted(STAFF_ROLES)}),
    ] = None,
    name: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="Start of a display name."),
        AfterValidator(no_nul_characters),
    ] = None,
) -> StaffDirectory:
    """Active volunteers, caseworkers and supervisors by display name (staff only)."""
    members, next_cursor = await directory.list_staff(
        session, limit=limit, cursor=cursor, role=role, name=name
    )
    return StaffDirectory(items=members, next_cursor=next_cursor)
