"""Helper profiles: a helper's own availability, and supervisors' view and changes of
volunteers' and caseworkers' profiles; each handler calls one function of
`service.routing.profiles`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import WithJsonSchema

from auth.dependencies import HelperRole, Supervisor
from models.base import utcnow
from models.enums import Role
from models.routing import HelperList, HelperProfileOut, HelperProfilePatch, OwnProfilePatch
from routers import API_PREFIX
from service.platform.db import Session
from service.platform.errors import problem_schema_responses
from service.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.routing import profiles

router = APIRouter(prefix=API_PREFIX, tags=["helpers"])

OWN_EXAMPLES: dict[str, dict[str, Any]] = {
    "leave": {
        "summary": "On leave for a week",
        "value": {"leave_until": "2026-12-07T08:00:00+07:00"},
    },
    "availability": {
        "summary": "Available, 10 hours a week",
        "value": {"available": True, "weekly_hours": 10, "languages": ["th", "en"]},
    },
}


@router.get(
    "/users/me/profile", summary="My helper profile", responses=problem_schema_responses(401, 403)
)
async def read_own_profile(user: HelperRole, session: Session) -> HelperProfileOut:
    """The caller's own helper profile (volunteers and caseworkers)."""
    return await profiles.read_own_profile(session, user=user, now=utcnow())


@router.patch(
    "/users/me/profile",
    summary="Change my availability",
    responses=problem_schema_responses(401, 403, 422),
)
async def update_own_profile(
    body: Annotated[OwnProfilePatch, Body(openapi_examples=OWN_EXAMPLES)],
    user: HelperRole,
    session: Session,
) -> HelperProfileOut:
    """Change one's own availability, leave, weekly hours or languages."""
    return await profiles.update_own_profile(session, user=user, patch=body, now=utcnow())


@router.get("/helpers", summary="List helpers", responses=problem_schema_responses(401, 403, 422))
async def list_helpers(
    _supervisor: Supervisor,
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
        Query(description="volunteer or caseworker."),
        WithJsonSchema({"type": "string", "enum": ["caseworker", "volunteer"]}),
    ] = None,
    card_expiring: Annotated[
        bool,
        Query(description="Only volunteers whose card expired or expires within 30 days."),
    ] = False,
) -> HelperList:
    """Volunteers and caseworkers with their profiles and load (supervisors)."""
    return await profiles.list_helpers(
        session, limit=limit, cursor=cursor, role=role, card_expiring=card_expiring, now=utcnow()
    )


@router.get(
    "/helpers/{user_id}",
    summary="A helper's profile",
    responses=problem_schema_responses(401, 403, 404, 422),
)
async def read_helper(
    user_id: uuid.UUID, _supervisor: Supervisor, session: Session
) -> HelperProfileOut:
    """A volunteer's or caseworker's profile (supervisors)."""
    return await profiles.read_helper(session, user_id=user_id, now=utcnow())


@router.patch(
    "/helpers/{user_id}",
    summary="Change a helper's profile",
    responses=problem_schema_responses(401, 403, 404, 422),
)
async def update_helper(
    user_id: uuid.UUID,
    body: HelperProfilePatch,
    _supervisor: Supervisor,
    session: Session,
) -> HelperProfileOut:
    """Change a volunteer's or caseworker's profile: skills, areas, capacity, card, availability."""
    return await profiles.update_helper(session, user_id=user_id, patch=body, now=utcnow())
