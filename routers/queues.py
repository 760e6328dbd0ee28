"""The supervisors' work queues: unassigned cases, pending offers, referrals waiting for an
agency, the helpers' workload, escalated cases, breaches whose notification is due and
data-subject requests whose answer is due; each handler calls one function of
`service.queues`. Who sees what is written down in `service.queues.work` (the breach queue:
`service.queues.breaches`, the request queue: `service.queues.privacy_requests`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from auth.dependencies import CaseHandler, PrivacyOfficer, ReferralReader
from models.base import utcnow
from models.privacy_requests import PrivacyRequestList
from models.queues import (
    DueBreachList,
    EscalatedList,
    UnassignedList,
    WaitingOfferList,
    WaitingReferralList,
    WorkloadList,
)
from routers import API_PREFIX
from routers.cases import Cursor, Limit
from service.platform.db import Session
from service.platform.errors import problem_schema_responses
from service.platform.pagination import DEFAULT_LIMIT
from service.queues import breaches, privacy_requests, waiting, work, workload

router = APIRouter(prefix=f"{API_PREFIX}/queues", tags=["queues"])

ANSWERS = problem_schema_responses(401, 403, 422)


@router.get("/unassigned", summary="Cases waiting for a lead", responses=ANSWERS)
async def unassigned_queue(
    user: CaseHandler, session: Session, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> UnassignedList:
    """Open cases nobody leads yet, critical first, then oldest first (volunteers: the ones they
    reported)."""
    return await work.unassigned_cases(session, user=user, limit=limit, cursor=cursor, now=utcnow())


@router.get("/offers", summary="Offers waiting for an answer", responses=ANSWERS)
async def offers_queue(
    user: CaseHandler, session: Session, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> WaitingOfferList:
    """Pending offers, waiting longest first: to whom, since when, until when (volunteers:
    the offers made to them)."""
    return await waiting.waiting_offers(
        session, user=user, limit=limit, cursor=cursor, now=utcnow()
    )


@router.get("/referrals", summary="Referrals waiting for an agency", responses=ANSWERS)
async def referrals_queue(
    user: ReferralReader,
    session: Session,
    organization_id: Annotated[
        uuid.UUID | None, Query(description="Only the referrals to this organization.")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> WaitingReferralList:
    """Referrals the agency has not answered, oldest first, with whether the agency's response
    deadline has passed (agency staff: their own organization's)."""
    return await waiting.waiting_referrals(
        session,
        user=user,
        organization_id=organization_id,
        limit=limit,
        cursor=cursor,
        now=utcnow(),
    )


@router.get("/workload", summary="Helpers' workload", responses=ANSWERS)
async def workload_queue(
    user: CaseHandler, session: Session, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> WorkloadList:
    """Volunteers and caseworkers with a profile: open cases led and pending offers against
    capacity, most loaded first, ties by user id highest first (volunteers: their own row)."""
    return await workload.workload(session, user=user, limit=limit, cursor=cursor, now=utcnow())


@router.get("/escalated", summary="Escalated cases", responses=ANSWERS)
async def escalated_queue(
    user: CaseHandler, session: Session, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> EscalatedList:
    """Open cases escalated after too many failed offers, oldest escalation first
    (volunteers: the ones they reported or lead)."""
    return await work.escalated_cases(session, user=user, limit=limit, cursor=cursor, now=utcnow())


@router.get(
    "/breaches",
    summary="Breaches whose notification is due",
    responses=ANSWERS,
)
async def breaches_queue(
    _caller: PrivacyOfficer, session: Session, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> DueBreachList:
    """Open personal-data breaches whose 72-hour notification to the regulator (PDPA s.37(4))
    is still owed and due within 24 hours or already past, soonest due first, with the hours
    left or overdue (supervisors and admins)."""
    return await breaches.due_breaches(session, limit=limit, cursor=cursor, now=utcnow())


@router.get(
    "/privacy-requests",
    summary="Data-subject requests whose answer is due",
    responses=ANSWERS,
)
async def privacy_requests_queue(
    _caller: PrivacyOfficer, session: Session, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> PrivacyRequestList:
    """Open data-subject requests (PDPA s.30-36) whose legal answer is due within 7 days or
    already past, soonest due first, each with its `state` (`due_soon`, `overdue`) and
    `seconds_to_due` (supervisors and admins)."""
    return await privacy_requests.due_requests(session, limit=limit, cursor=cursor, now=utcnow())
