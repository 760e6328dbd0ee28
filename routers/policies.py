"""Deadline policies per urgency and the center's working calendar (SPEC §6)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from auth.dependencies import Admin, PolicyReader
from models.base import utcnow
from models.deadlines import DeadlinePolicies, WorkingCalendarIO, WorkingCalendarOut
from routers import API_PREFIX
from service.deadlines import policies
from service.platform.db import Session
from service.platform.errors import problem_schema_responses

router = APIRouter(prefix=f"{API_PREFIX}/policies", tags=["policies"])

CALENDAR_ANSWER = {
    "headers": {
        "ETag": {"description": "Current version of the calendar.", "schema": {"type": "string"}}
    }
}
DEFAULT_EXAMPLE = {
    "items": [
        {"urgency": urgency, "first_response": first.model_dump(), "resolution": last.model_dump()}
        for urgency, (first, last) in policies.DEFAULT_POLICIES.items()
    ]
}
CALENDAR_EXAMPLE = {
    "week": {
        day: [{"start": "08:30", "end": "12:00"}, {"start": "13:00", "end": "16:30"}]
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
    },
    "closed_days": ["2026-12-30"],
    "open_days": [],
}


@router.get("/deadlines", summary="Deadline policies", responses=problem_schema_responses(401, 403))
async def read_deadline_policies(_caller: PolicyReader, session: Session) -> DeadlinePolicies:
    """Time to screening and to resolution for each urgency (the defaults until an admin saves)."""
    return await policies.read_policies(session)


@router.put(
    "/deadlines",
    summary="Set the deadline policies",
    responses=problem_schema_responses(401, 403, 422),
    openapi_extra={"requestBody": {"content": {"application/json": {"example": DEFAULT_EXAMPLE}}}},
)
async def replace_deadline_policies(
    body: DeadlinePolicies, admin: Admin, session: Session
) -> DeadlinePolicies:
    """Set all four urgencies' policies at once (admins)."""
    return await policies.replace_policies(session, data=body, admin_id=admin.id, now=utcnow())


@router.get(
    "/calendar",
    summary="Working calendar",
    responses={200: CALENDAR_ANSWER, **problem_schema_responses(401, 403)},
)
async def read_working_calendar(
    response: Response, _caller: PolicyReader, session: Session
) -> WorkingCalendarOut:
    """Working hours per weekday, the center's closed and open days, and the holidays skipped."""
    calendar = await policies.read_calendar(session, now=utcnow())
    response.headers["ETag"] = policies.calendar_etag(calendar.version)
    return calendar


@router.put(
    "/calendar",
    summary="Set the working calendar",
    responses={200: CALENDAR_ANSWER, **problem_schema_responses(401, 403, 412, 422, 428)},
    openapi_extra={"requestBody": {"content": {"application/json": {"example": CALENDAR_EXAMPLE}}}},
)
async def replace_working_calendar(
    body: WorkingCalendarIO,
    response: Response,
    admin: Admin,
    session: Session,
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=200)] = None,
) -> WorkingCalendarOut:
    """Set the working hours and the center's closed and open days (admins; If-Match required)."""
    calendar = await policies.replace_calendar(
        session, data=body, if_match=if_match, admin_id=admin.id, now=utcnow()
    )
    response.headers["ETag"] = policies.calendar_etag(calendar.version)
    return calendar
