"""Privacy records (SPEC §8): the breach register, the record of processing, who read a case."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from auth.dependencies import PrivacyOfficer, Supervisor
from models.base import utcnow
from models.privacy import BreachIn, BreachList, BreachOut, BreachPatch, CaseReadList
from models.processing import RecordOfProcessing
from routers import API_PREFIX
from service.platform.db import Session
from service.platform.errors import problem_schema_responses
from service.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.privacy import breaches, reads, record

router = APIRouter(prefix=API_PREFIX, tags=["privacy"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size, at most 200.")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=512,
        description="`next_cursor` of the previous page (opaque; checked by the server).",
    ),
]
ETAG_ANSWER = {
    "headers": {
        "ETag": {"description": "Current version of the breach.", "schema": {"type": "string"}}
    }
}
CSV_ANSWER = {
    "content": {"text/csv": {"schema": {"type": "string"}}},
    "description": "JSON, or CSV with `Accept: text/csv`.",
}


@router.get(
    "/privacy/record-of-processing",
    summary="Record of processing",
    response_model=RecordOfProcessing,
    responses={200: CSV_ANSWER, **problem_schema_responses(401, 403)},
)
async def record_of_processing(
    request: Request, _caller: PrivacyOfficer
) -> RecordOfProcessing | Response:
    """Every processing activity, its purpose, legal basis, retention, recipients and security,
    with the personal data it holds and where (PDPA s.39), generated from the code's own
    declarations. `Accept: text/csv` gives one row per activity and data category."""
    generated = record.record_of_processing()
    if "text/csv" in request.headers.get("accept", ""):
        return Response(record.record_as_csv(generated), media_type="text/csv; charset=utf-8")
    return generated


@router.post(
    "/privacy/breaches",
    summary="Record a breach",
    status_code=201,
    responses={201: ETAG_ANSWER, **problem_schema_responses(401, 403, 422)},
)
async def record_breach(
    body: BreachIn, response: Response, user: PrivacyOfficer, session: Session
) -> BreachOut:
    """Record a personal-data breach; the regulator must be told within 72 hours of its
    detection unless it is unlikely to put anyone at risk (s.37(4))."""
    breach = await breaches.record_breach(session, user=user, data=body, now=utcnow())
    response.headers["ETag"] = f'"{breach.version}"'
    return breach


@router.get(
    "/privacy/breaches",
    summary="The breach register",
    responses=problem_schema_responses(401, 403, 422),
)
async def list_breaches(
    _caller: PrivacyOfficer,
    session: Session,
    open: Annotated[
        bool,
        Query(
            description="Only open breaches, soonest notification due first (else newest first)."
        ),
    ] = False,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> BreachList:
    """Breaches with their notification clocks."""
    return await breaches.list_breaches(
        session, open_only=open, limit=limit, cursor=cursor, now=utcnow()
    )


@router.get(
    "/privacy/breaches/{breach_id}",
    summary="A breach",
    responses={200: ETAG_ANSWER, **problem_schema_responses(401, 403, 404)},
)
async def read_breach(
    breach_id: uuid.UUID, response: Response, _caller: PrivacyOfficer, session: Session
) -> BreachOut:
    """One breach with its notification clock."""
    now = utcnow()
    breach = await breaches.read_breach(session, breach_id=breach_id, now=now)
    response.headers["ETag"] = breaches.etag(breach)
    return breaches.breach_out(breach, now)


@router.patch(
    "/privacy/breaches/{breach_id}",
    summary="Update a breach",
    responses={200: ETAG_ANSWER, **problem_schema_responses(401, 403, 404, 412, 422, 428)},
)
async def change_breach(
    breach_id: uuid.UUID,
    body: BreachPatch,
    response: Response,
    _caller: PrivacyOfficer,
    session: Session,
    if_match: Annotated[str | None, Header(description="The breach's ETag.")] = None,
) -> BreachOut:
    """Change the assessment, record when the regulator and the people were told, or close."""
    now = utcnow()
    breach = await breaches.change_breach(
        session, breach_id=breach_id, data=body, if_match=if_match, now=now
    )
    response.headers["ETag"] = breaches.etag(breach)
    return breaches.breach_out(breach, now)


@router.get(
    "/cases/{case_id}/reads",
    summary="Who read a case",
    responses=problem_schema_responses(401, 403, 404, 422),
)
async def case_reads(
    case_id: uuid.UUID,
    _caller: Supervisor,
    session: Session,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> CaseReadList:
    """The reads of a case's detail, notes, timeline and shared referral fields, newest first,
    from the access log (supervisors)."""
    return await reads.list_case_reads(session, case_id=case_id, limit=limit, cursor=cursor)
