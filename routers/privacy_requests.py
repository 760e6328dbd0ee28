"""Data-subject requests (SPEC §8, PDPA s.30-36): the requests, their clocks and answers,
the access export, and the refusals register."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from auth.dependencies import AppSettings, PrivacyOfficer, Supervisor
from models.base import utcnow
from models.privacy_requests import (
    PrivacyRequestIn,
    PrivacyRequestList,
    PrivacyRequestOut,
    RefusalIn,
    RequestKind,
    RequestOutcome,
    SubjectAccessExport,
)
from routers import API_PREFIX
from service.platform.db import Session
from service.platform.errors import problem_schema_responses
from service.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.privacy import access, requests
from service.statistics.csv_files import CSV_MEDIA_TYPE, wants_csv

router = APIRouter(prefix=f"{API_PREFIX}/privacy/requests", tags=["privacy"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size, at most 200.")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=512,
        description="`next_cursor` of the previous page (opaque; checked by the server).",
    ),
]
CSV_ANSWER: dict[str, Any] = {
    "content": {
        CSV_MEDIA_TYPE: {
            "schema": {"type": "string"},
            "example": "\ufeffcase_reference,section,item,field,value\r\n",
        }
    },
    "description": "JSON, or CSV with `Accept: text/csv`.",
}


@router.post(
    "",
    summary="Record a data-subject request",
    status_code=201,
    responses=problem_schema_responses(401, 403, 422),
)
async def record_request(
    body: PrivacyRequestIn, user: PrivacyOfficer, session: Session, settings: AppSettings
) -> PrivacyRequestOut:
    """Record a request of a person about their data: it finds the person's cases by the id
    number (through its keyed hash), the phone number, or the name with the birth date, keeps
    which matched, and starts the legal clock (30 days, 90 for erasure)."""
    return await requests.record_request(
        session, settings=settings, user=user, data=body, now=utcnow()
    )


@router.get(
    "",
    summary="Data-subject requests",
    responses=problem_schema_responses(401, 403, 422),
)
async def list_requests(
    _caller: PrivacyOfficer,
    session: Session,
    open: Annotated[
        bool, Query(description="Only requests not yet answered, soonest due first.")
    ] = False,
    overdue: Annotated[
        bool, Query(description="Only requests not answered and past their due time.")
    ] = False,
    kind: Annotated[RequestKind | None, Query(description="Only requests of this kind.")] = None,
    outcome: Annotated[
        RequestOutcome | None,
        Query(
            description="Only requests with this outcome; `refused` is the refusals register "
            "(s.39), newest refusal first."
        ),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> PrivacyRequestList:
    """Requests with their clocks, newest received first unless filtered."""
    filters = requests.RequestFilters(open_only=open, overdue=overdue, kind=kind, outcome=outcome)
    return await requests.list_requests(
        session, filters=filters, limit=limit, cursor=cursor, now=utcnow()
    )


@router.get(
    "/{request_id}",
    summary="A data-subject request",
    responses=problem_schema_responses(401, 403, 404),
)
async def read_request(
    request_id: uuid.UUID, _caller: PrivacyOfficer, session: Session
) -> PrivacyRequestOut:
    """One request with its clock, outcome and the cases it found."""
    return await requests.read_request(session, request_id=request_id, now=utcnow())


@router.get(
    "/{request_id}/export",
    summary="Export a person's data",
    response_model=SubjectAccessExport,
    responses={200: CSV_ANSWER, **problem_schema_responses(401, 403, 404, 409)},
)
async def export_request(
    request_id: uuid.UUID,
    request: Request,
    user: Supervisor,
    session: Session,
    settings: AppSettings,
) -> SubjectAccessExport | Response:
    """Everything held about the person of an access or portability request, across the
    cases it found: case fields, notes, referrals and what was shared with whom, history and
    who read the cases. JSON, or CSV with `Accept: text/csv`; recorded as an export and in
    each case's history."""
    as_csv = wants_csv(request.headers.get("accept"))
    export = await access.export_subject_data(
        session,
        settings=settings,
        user=user,
        request_id=request_id,
        file_format="csv" if as_csv else "json",
        now=utcnow(),
    )
    if as_csv:
        return Response(
            access.export_csv(export).encode("utf-8"),
            media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="subject-{request_id}.csv"',
                "Cache-Control": "no-store",
            },
        )
    return export


@router.post(
    "/{request_id}/complete",
    summary="Complete a data-subject request",
    responses=problem_schema_responses(401, 403, 404, 409),
)
async def complete_request(
    request_id: uuid.UUID, user: Supervisor, session: Session, settings: AppSettings
) -> PrivacyRequestOut:
    """Mark a request answered. Completing an erasure anonymises every case it found; when
    one is still open the request is refused instead, with that reason recorded (the answer
    says which: `outcome`)."""
    return await requests.complete_request(
        session, settings=settings, request_id=request_id, user=user, now=utcnow()
    )


@router.post(
    "/{request_id}/refuse",
    summary="Refuse a data-subject request",
    responses=problem_schema_responses(401, 403, 404, 409, 422),
)
async def refuse_request(
    request_id: uuid.UUID, body: RefusalIn, user: PrivacyOfficer, session: Session
) -> PrivacyRequestOut:
    """Refuse a request with its reason (naming no person); it joins the refusals register."""
    return await requests.refuse_request(
        session, request_id=request_id, user=user, reason=body.reason, now=utcnow()
    )
