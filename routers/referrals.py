"""Referrals of cases to agency services: made and cancelled by the center, answered by the
agency, read by both; each handler calls one function of `service.routing`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query, status

from auth.dependencies import AgencyStaff, AppSettings, Caseworker, ReferralReader
from models.base import utcnow
from models.enums import ReferralAnswer, ReferralStatus
from models.referral import ReferralAnswerIn, ReferralIn, ReferralList, ReferralOut, SharedCase
from routers import API_PREFIX
from service.platform.db import Session
from service.platform.errors import problem_schema_responses
from service.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.routing import referral_reads, referrals

router = APIRouter(prefix=API_PREFIX, tags=["referrals"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size, at most 200.")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=512,
        description="`next_cursor` of the previous page (opaque; checked by the server).",
    ),
]
AnswerBody = Annotated[ReferralAnswerIn | None, Body()]


@router.post(
    "/cases/{case_id}/referrals",
    summary="Refer a case to an agency",
    status_code=status.HTTP_201_CREATED,
    responses=problem_schema_responses(401, 403, 404, 409, 422),
)
async def make_referral(
    case_id: uuid.UUID,
    body: ReferralIn,
    user: Caseworker,
    session: Session,
    settings: AppSettings,
) -> ReferralOut:
    """Refer a case to an agency service, sharing the field groups consent or the basis allow."""
    return await referrals.create_referral(
        session, settings=settings, user=user, case_id=case_id, body=body, now=utcnow()
    )


@router.get(
    "/cases/{case_id}/referrals",
    summary="A case's referrals",
    responses=problem_schema_responses(401, 403, 404, 422),
)
async def case_referrals(
    case_id: uuid.UUID,
    user: Caseworker,
    session: Session,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ReferralList:
    """The case's referrals, oldest first, with their deadlines and answers."""
    return await referral_reads.case_referrals(
        session, user=user, case_id=case_id, limit=limit, cursor=cursor, now=utcnow()
    )


@router.get(
    "/referrals", summary="List referrals", responses=problem_schema_responses(401, 403, 422)
)
async def list_referrals(
    user: ReferralReader,
    session: Session,
    status: ReferralStatus | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ReferralList:
    """Referrals newest first: agency staff see their own organization's only."""
    return await referral_reads.list_referrals(
        session, user=user, status=status, limit=limit, cursor=cursor, now=utcnow()
    )


@router.get(
    "/referrals/{referral_id}",
    summary="Read a referral",
    responses=problem_schema_responses(401, 403, 404, 422),
)
async def read_referral(
    referral_id: uuid.UUID, user: ReferralReader, session: Session
) -> ReferralOut:
    """One referral, with its deadline, whether it is overdue, and its answer."""
    return await referral_reads.get_referral(
        session, user=user, referral_id=referral_id, now=utcnow()
    )


@router.get(
    "/referrals/{referral_id}/case",
    summary="What a referral shares",
    responses=problem_schema_responses(401, 403, 404, 422),
)
async def read_shared_case(
    referral_id: uuid.UUID, user: ReferralReader, session: Session, settings: AppSettings
) -> SharedCase:
    """Exactly the field groups the referral shares of its case; each read is recorded."""
    return await referral_reads.read_shared_case(
        session, settings=settings, user=user, referral_id=referral_id, now=utcnow()
    )


@router.post(
    "/referrals/{referral_id}/accept",
    summary="Accept a referral",
    responses=problem_schema_responses(401, 403, 404, 409, 422),
)
async def accept_referral(
    referral_id: uuid.UUID,
    user: AgencyStaff,
    session: Session,
    settings: AppSettings,
    body: AnswerBody = None,
) -> ReferralOut:
    """Accept a referral sent to your agency."""
    return await referrals.answer_referral(
        session,
        settings=settings,
        user=user,
        referral_id=referral_id,
        answer=ReferralAnswer.accept,
        reason=body.reason if body else None,
        now=utcnow(),
    )


@router.post(
    "/referrals/{referral_id}/decline",
    summary="Decline a referral",
    responses=problem_schema_responses(401, 403, 404, 409, 422),
)
async def decline_referral(
    referral_id: uuid.UUID,
    user: AgencyStaff,
    session: Session,
    settings: AppSettings,
    body: AnswerBody = None,
) -> ReferralOut:
    """Decline a referral sent to your agency, with a reason."""
    return await referrals.answer_referral(
        session,
        settings=settings,
        user=user,
        referral_id=referral_id,
        answer=ReferralAnswer.decline,
        reason=body.reason if body else None,
        now=utcnow(),
    )


@router.post(
    "/referrals/{referral_id}/complete",
    summary="Complete a referral",
    responses=problem_schema_responses(401, 403, 404, 409, 422),
)
async def complete_referral(
    referral_id: uuid.UUID,
    user: AgencyStaff,
    session: Session,
    settings: AppSettings,
    body: AnswerBody = None,
) -> ReferralOut:
    """Report an accepted referral done: the agency helped."""
    return await referrals.answer_referral(
        session,
        settings=settings,
        user=user,
        referral_id=referral_id,
        answer=ReferralAnswer.complete,
        reason=body.reason if body else None,
        now=utcnow(),
    )


@router.post(
    "/referrals/{referral_id}/fail",
    summary="Fail a referral",
    responses=problem_schema_responses(401, 403, 404, 409, 422),
)
async def fail_referral(
    referral_id: uuid.UUID,
    user: AgencyStaff,
    session: Session,
    settings: AppSettings,
    body: AnswerBody = None,
) -> ReferralOut:
    """Report an accepted referral that could not be carried out, with a reason."""
    return await referrals.answer_referral(
        session,
        settings=settings,
        user=user,
        referral_id=referral_id,
        answer=ReferralAnswer.fail,
        reason=body.reason if body else None,
        now=utcnow(),
    )


@router.post(
    "/referrals/{referral_id}/cancel",
    summary="Cancel a referral",
    responses=problem_schema_responses(401, 403, 404, 409, 422),
)
async def cancel_referral(
    referral_id: uuid.UUID,
    user: Caseworker,
    session: Session,
    settings: AppSettings,
    body: AnswerBody = None,
) -> ReferralOut:
    """Cancel an open referral, with a reason (the center's step)."""
    return await referrals.answer_referral(
        session,
        settings=settings,
        user=user,
        referral_id=referral_id,
        answer=ReferralAnswer.cancel,
        reason=body.reason if body else None,
        now=utcnow(),
    )
