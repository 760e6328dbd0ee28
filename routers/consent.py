"""Consents as records and the restriction of a case (PDPA s.19, s.32, s.34); each handler
calls one function of `service.privacy`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, status

from auth.dependencies import AppSettings, Caseworker, Supervisor
from models.base import utcnow
from models.consent import (
    CaseRestriction,
    ConsentIn,
    ConsentList,
    ConsentOut,
    ConsentWithdrawalIn,
    RestrictionIn,
)
from routers import API_PREFIX
from service.platform.db import Session
from service.platform.errors import problem_schema_responses
from service.privacy import consent, restriction

router = APIRouter(prefix=API_PREFIX, tags=["privacy"])
WithdrawalBody = Annotated[ConsentWithdrawalIn | None, Body()]


@router.post(
    "/cases/{case_id}/consents",
    summary="Record a consent",
    status_code=status.HTTP_201_CREATED,
    responses=problem_schema_responses(401, 403, 404, 422),
)
async def record_consent(
    case_id: uuid.UUID,
    body: ConsentIn,
    user: Caseworker,
    session: Session,
    settings: AppSettings,
) -> ConsentOut:
    """Record what the client (or, for a minor, their guardian) consented to share with
    agencies: the field groups, for any agency or the organizations named, until when. Once a
    case has a consent record, the records decide what consent allows referrals to share."""
    return await consent.record_consent(
        session, settings=settings, user=user, case_id=case_id, body=body, now=utcnow()
    )


@router.get(
    "/cases/{case_id}/consents",
    summary="A case's consents",
    responses=problem_schema_responses(401, 403, 404),
)
async def case_consents(case_id: uuid.UUID, user: Caseworker, session: Session) -> ConsentList:
    """Every consent of the case, oldest first, with the groups each allows now and what was
    withdrawn of it."""
    return await consent.list_consents(session, user=user, case_id=case_id, now=utcnow())


@router.post(
    "/cases/{case_id}/consents/{consent_id}/withdraw",
    summary="Withdraw a consent",
    responses=problem_schema_responses(401, 403, 404, 409, 422),
)
async def withdraw_consent(
    case_id: uuid.UUID,
    consent_id: uuid.UUID,
    user: Caseworker,
    session: Session,
    settings: AppSettings,
    body: WithdrawalBody = None,
) -> ConsentOut:
    """Withdraw field groups of a consent (all that are left when none are named): no new
    referral shares them, open referrals stop sharing them, and the agencies of open referrals
    sharing them are told by a webhook message (`referral.consent_withdrawn`)."""
    return await consent.withdraw_consent(
        session,
        settings=settings,
        user=user,
        case_id=case_id,
        consent_id=consent_id,
        body=body or ConsentWithdrawalIn(),
        now=utcnow(),
    )


@router.post(
    "/cases/{case_id}/restriction",
    summary="Restrict a case",
    responses=problem_schema_responses(401, 403, 404, 409, 422),
)
async def restrict_case(
    case_id: uuid.UUID,
    body: RestrictionIn,
    user: Supervisor,
    session: Session,
    settings: AppSettings,
) -> CaseRestriction:
    """Record the client's request to restrict the use of their data, or their objection
    (supervisors): the case is kept but hidden from everyone else, and cannot be referred,
    shared with agencies or exported until the restriction is lifted."""
    return await restriction.restrict_case(
        session, settings=settings, user=user, case_id=case_id, body=body, now=utcnow()
    )


@router.delete(
    "/cases/{case_id}/restriction",
    summary="Lift a case's restriction",
    responses=problem_schema_responses(401, 403, 404, 409),
)
async def lift_restriction(
    case_id: uuid.UUID, user: Supervisor, session: Session, settings: AppSettings
) -> CaseRestriction:
    """Lift the restriction of a case (supervisors): it is seen, referred and exported again."""
    return await restriction.lift_restriction(
        session, settings=settings, user=user, case_id=case_id, now=utcnow()
    )
