"""The at-risk and breached queues: open cases whose deadlines need someone now (SPEC §6)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from auth.dependencies import CaseHandler
from models.base import utcnow
from models.case_deadlines import DeadlineQueuePage
from routers import API_PREFIX
from service.platform.db import Session
from service.platform.errors import problem_schema_responses
from service.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.queues.deadlines import DeadlineQueue, deadline_queue

router = APIRouter(prefix=f"{API_PREFIX}/queues", tags=["queues"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size, at most 200.")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=512,
        description="`next_cursor` of the previous page (opaque; checked by the server).",
    ),
]


@router.get(
    "/at-risk",
    summary="Cases at risk of a missed deadline",
    responses=problem_schema_responses(401, 403, 422),
)
async def at_risk_queue(
    user: CaseHandler, session: Session, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> DeadlineQueuePage:
    """Deadlines past 75 % of their time and not yet due, soonest due first, with the seconds
    left (staff: every case; volunteers: the cases they lead)."""
    return await deadline_queue(
        session,
        queue=DeadlineQueue.at_risk,
        viewer=user,
        now=utcnow(),
        limit=limit,
        cursor=cursor,
    )


@router.get(
    "/breached",
    summary="Cases with a breached deadline",
    responses=problem_schema_responses(401, 403, 422),
)
async def breached_queue(
    user: CaseHandler, session: Session, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> DeadlineQueuePage:
    """Deadlines past due and still counting, longest overdue first, with the seconds overdue
    (staff: every case; volunteers: the cases they lead)."""
    return await deadline_queue(
        session,
        queue=DeadlineQueue.breached,
        viewer=user,
        now=utcnow(),
        limit=limit,
        cursor=cursor,
    )
