"""Case intake, reading, listing, updating, lifecycle transitions, timeline, notes and duplicate
decisions; each handler calls one service function of `service.cases`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Request, Response, status

from auth.dependencies import AppSettings, CaseHandler, CaseReader, CaseSubmitter, Caseworker
from models.base import utcnow
from models.case import (
    CaseCreate,
    CaseList,
    CaseOut,
    CasePatch,
    DuplicateList,
    IsoDateTime,
    NoteIn,
    NoteList,
    NoteOut,
    Timeline,
    TransitionIn,
)
from models.enums import CaseStatus, Category, Urgency
from routers import API_PREFIX
from routers.examples import INTAKE_EXAMPLES
from routers.stats import csv_response
from service.cases import (
    changes,
    duplicate_decisions,
    duplicates,
    intake,
    listing,
    notes,
    reading,
    transitions,
)
from service.platform.db import Session
from service.platform.errors import problem_schema_responses
from service.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.statistics import exports
from service.statistics.csv_files import CSV_MEDIA_TYPE, wants_csv

router = APIRouter(prefix=f"{API_PREFIX}/cases", tags=["cases"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size, at most 200.")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=512,
        description="`next_cursor` of the previous page (opaque; checked by the server).",
    ),
]
CASE_LIST_CSV: dict[str, Any] = {
    "content": {
        CSV_MEDIA_TYPE: {
            "schema": {"type": "string"},
            "example": "\ufeff" + ",".join(exports.CASE_COLUMNS) + "\r\n",
        }
    },
    "headers": {
        "Next-Cursor": {
            "description": "With CSV, when more cases match: pass it as `cursor` for the next "
            "1000.",
            "schema": {"type": "string"},
        }
    },
}
CASE_ANSWER = {
    "headers": {
        "ETag": {"description": "Current version of the case.", "schema": {"type": "string"}}
    }
}


def _with_etag(response: Response, tag: str) -> None:
    response.headers["ETag"] = tag
    response.headers["Cache-Control"] = "no-store"


@router.post(
    "",
    summary="Report a case",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseOut,
    responses={
        200: {"model": CaseOut, "description": "This client_reference was already submitted."},
        201: {**CASE_ANSWER, "description": "Created."},
        **problem_schema_responses(401, 403, 409, 422),
    },
)
async def submit_case(
    body: Annotated[CaseCreate, Body(openapi_examples=INTAKE_EXAMPLES)],
    request: Request,
    reporter: CaseSubmitter,
    session: Session,
    settings: AppSettings,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=255,
            description="Retry-safe key chosen by the client; the first answer is replayed. "
            "Checked by the server beyond this schema: a key already used with another body is "
            "422, one whose first request is still running 409.",
        ),
    ] = None,
) -> Response:
    """Report a case (intake); retries with one Idempotency-Key or client_reference are safe."""
    answer = await intake.submit_case(
        session,
        settings=settings,
        reporter=reporter,
        data=body,
        raw_body=await request.body(),
        idempotency_key=idempotency_key,
        now=utcnow(),
    )
    headers = dict(answer.headers)
    if answer.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(content=answer.body, status_code=answer.status_code, headers=headers)


@router.get(
    "",
    summary="List cases",
    response_model=CaseList,
    responses={200: CASE_LIST_CSV, **problem_schema_responses(401, 403, 422)},
)
async def list_cases(
    request: Request,
    user: CaseReader,
    session: Session,
    settings: AppSettings,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    status: Annotated[list[CaseStatus] | None, Query(max_length=7)] = None,
    urgency: Urgency | None = None,
    category: Category | None = None,
    country: Annotated[
        str | None,
        Query(
            pattern=r"^[A-Za-z]{2}$",
            description="ISO 3166-1 alpha-2 code of the country the person is in (`TH` for "
            "Thailand).",
        ),
    ] = None,
    province: Annotated[
        str | None, Query(pattern=r"^[0-9]{2}$", description="2-digit province code.")
    ] = None,
    district: Annotated[
        str | None, Query(pattern=r"^[0-9]{4}$", description="4-digit district code.")
    ] = None,
    lead: Annotated[
        str | None,
        Query(
            max_length=36,
            description="A user id, `me` or `none`; checked by the server beyond this schema.",
        ),
    ] = None,
    reporter: Annotated[
        str | None,
        Query(
            max_length=36,
            description="A user id or `me`; checked by the server beyond this schema.",
        ),
    ] = None,
    created_from: Annotated[
        IsoDateTime | None, Query(description="Inclusive, with offset.")
    ] = None,
    created_to: Annotated[IsoDateTime | None, Query(description="Exclusive, with offset.")] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description="A reference (`OS-2569-000123`), a Thai id number, a phone number, or "
            "the start of a first or last name.",
        ),
    ] = None,
) -> Any:
    """List the cases the caller may see, newest first, with filters and a cursor;
    `Accept: text/csv` gives staff a CSV file of up to 1000 cases, recorded as an export."""
    filters = listing.CaseFilters(
        statuses=list(status or []),
        urgency=urgency,
        category=category,
        country_code=country.upper() if country else None,
        province_code=province,
        district_code=district,
        lead=lead,
        reporter=reporter,
        created_from=created_from,
        created_to=created_to,
        q=q,
    )
    if wants_csv(request.headers.get("accept")):
        file = await exports.export_cases(
            session,
            secret=settings.data_key,
            user=user,
            filters=filters,
            cursor=cursor,
            now=utcnow(),
        )
        return csv_response(file, "cases.csv")
    return await listing.list_cases(
        session,
        user=user,
        filters=filters,
        limit=limit,
        cursor=cursor,
        secret=settings.data_key,
    )


@router.get(
    "/{case_id}",
    summary="Read a case",
    responses={200: CASE_ANSWER, **problem_schema_responses(401, 403, 404, 422)},
)
async def read_case(
    case_id: uuid.UUID,
    response: Response,
    user: CaseReader,
    session: Session,
    settings: AppSettings,
) -> CaseOut:
    """Read a case (the read is recorded); the ETag is needed to change it."""
    case, tag = await reading.read_case(
        session, settings=settings, user=user, case_id=case_id, now=utcnow()
    )
    _with_etag(response, tag)
    return case


@router.patch(
    "/{case_id}",
    summary="Change a case",
    responses={200: CASE_ANSWER, **problem_schema_responses(401, 403, 404, 409, 412, 422, 428)},
)
async def update_case(
    case_id: uuid.UUID,
    body: CasePatch,
    response: Response,
    user: CaseHandler,
    session: Session,
    settings: AppSettings,
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=200)] = None,
) -> CaseOut:
    """Change a case's content (If-Match required)."""
    case, tag = await changes.update_case(
        session,
        settings=settings,
        user=user,
        case_id=case_id,
        patch=body,
        if_match=if_match,
        now=utcnow(),
    )
    _with_etag(response, tag)
    return case


@router.post(
    "/{case_id}/transitions",
    summary="Move a case to another status",
    responses={200: CASE_ANSWER, **problem_schema_responses(401, 403, 404, 409, 412, 422, 428)},
)
async def transition_case(
    case_id: uuid.UUID,
    body: TransitionIn,
    response: Response,
    user: CaseHandler,
    session: Session,
    settings: AppSettings,
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=200)] = None,
) -> CaseOut:
    """Move a case to another status: screen, work, resolve, close or reopen (If-Match required)."""
    case, tag = await transitions.transition_case(
        session,
        settings=settings,
        user=user,
        case_id=case_id,
        body=body,
        if_match=if_match,
        now=utcnow(),
    )
    _with_etag(response, tag)
    return case


@router.get(
    "/{case_id}/timeline",
    summary="A case's timeline",
    responses=problem_schema_responses(401, 403, 404, 422),
)
async def case_timeline(
    case_id: uuid.UUID,
    user: CaseHandler,
    session: Session,
    settings: AppSettings,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Timeline:
    """The case's history, oldest first, with who did what (the read is recorded)."""
    return await reading.case_timeline(
        session,
        settings=settings,
        user=user,
        case_id=case_id,
        limit=limit,
        cursor=cursor,
        now=utcnow(),
    )


@router.post(
    "/{case_id}/notes",
    summary="Add a note to a case",
    status_code=status.HTTP_201_CREATED,
    responses=problem_schema_responses(401, 403, 404, 422),
)
async def add_note(
    case_id: uuid.UUID, body: NoteIn, user: CaseHandler, session: Session, settings: AppSettings
) -> NoteOut:
    """Add a note to a case (its lead, caseworkers and supervisors)."""
    return await notes.add_note(
        session, settings=settings, user=user, case_id=case_id, body=body, now=utcnow()
    )


@router.get(
    "/{case_id}/notes",
    summary="A case's notes",
    responses=problem_schema_responses(401, 403, 404, 422),
)
async def list_notes(
    case_id: uuid.UUID,
    user: CaseHandler,
    session: Session,
    settings: AppSettings,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> NoteList:
    """The notes of a case, oldest first, with their authors' names (the read is recorded)."""
    return await notes.list_notes(
        session,
        settings=settings,
        user=user,
        case_id=case_id,
        limit=limit,
        cursor=cursor,
        now=utcnow(),
    )


@router.get(
    "/{case_id}/duplicates",
    summary="A case's possible duplicates",
    responses=problem_schema_responses(401, 403, 404, 422),
)
async def list_duplicates(
    case_id: uuid.UUID,
    user: Caseworker,
    session: Session,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> DuplicateList:
    """Every possible duplicate touching a case, newer or older, newest first (staff only; a
    link to a restricted case for supervisors only). The case's own answer lists the newest
    20 and their number in all."""
    return await duplicates.list_duplicates(
        session, user=user, case_id=case_id, limit=limit, cursor=cursor
    )


@router.post(
    "/{case_id}/duplicates/{link_id}/confirm",
    summary="Confirm a possible duplicate",
    responses={200: CASE_ANSWER, **problem_schema_responses(401, 403, 404, 409, 412, 422, 428)},
)
async def confirm_duplicate(
    case_id: uuid.UUID,
    link_id: uuid.UUID,
    response: Response,
    user: Caseworker,
    session: Session,
    settings: AppSettings,
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=200)] = None,
) -> CaseOut:
    """Confirm a possible duplicate: this (newer) case closes as a duplicate (If-Match required)."""
    case, tag = await duplicate_decisions.decide_duplicate(
        session,
        settings=settings,
        user=user,
        case_id=case_id,
        link_id=link_id,
        confirm=True,
        if_match=if_match,
        now=utcnow(),
    )
    _with_etag(response, tag)
    return case


@router.post(
    "/{case_id}/duplicates/{link_id}/dismiss",
    summary="Dismiss a possible duplicate",
    responses={200: CASE_ANSWER, **problem_schema_responses(401, 403, 404, 409)},
)
async def dismiss_duplicate(
    case_id: uuid.UUID,
    link_id: uuid.UUID,
    response: Response,
    user: Caseworker,
    session: Session,
    settings: AppSettings,
) -> CaseOut:
    """Dismiss a possible duplicate: the two cases are about different people."""
    case, tag = await duplicate_decisions.decide_duplicate(
        session,
        settings=settings,
        user=user,
        case_id=case_id,
        link_id=link_id,
        confirm=False,
        if_match=None,
        now=utcnow(),
    )
    _with_etag(response, tag)
    return case
