"""Routing a case to people: suggestions, offers and their answers, and the decision log; each
handler calls one function of `service.routing`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from auth.dependencies import AppSettings, Caseworker, OfferTaker
from models.base import utcnow
from models.routing import DecisionList, DeclineIn, OfferIn, OfferList, OfferOut, Suggestions
from routers import API_PREFIX
from service.platform.db import Session
from service.platform.errors import problem_schema_responses
from service.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.routing import assignment, decisions, offers, suggestions

router = APIRouter(prefix=API_PREFIX, tags=["routing"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size, at most 200.")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=512,
        description="`next_cursor` of the previous page (opaque; checked by the server).",
    ),
]


@router.get(
    "/cases/{case_id}/suggestions",
    summary="Suggested helpers for a case",
    response_model=Suggestions,
    responses=problem_schema_responses(401, 403, 404, 422),
)
async def case_suggestions(
    case_id: uuid.UUID,
    user: Caseworker,
    session: Session,
    limit: Annotated[int, Query(ge=1, le=suggestions.MAX_SUGGESTIONS)] = (
        suggestions.DEFAULT_SUGGESTIONS
    ),
) -> JSONResponse:
    """Ranked people (and agencies) for a case, with scores, reasons and who was left out."""
    document = await suggestions.suggest(
        session, user=user, case_id=case_id, limit=limit, now=utcnow()
    )
    return JSONResponse(document)


@router.post(
    "/cases/{case_id}/offers",
    summary="Offer a case",
    status_code=status.HTTP_201_CREATED,
    responses=problem_schema_responses(401, 403, 404, 409, 422),
)
async def make_offer(
    case_id: uuid.UUID,
    body: OfferIn,
    user: Caseworker,
    session: Session,
    settings: AppSettings,
) -> OfferOut:
    """Offer a case to a person or to the best suggestion; it waits for an answer until expiry."""
    return await assignment.make_offer(
        session, settings=settings, user=user, case_id=case_id, body=body, now=utcnow()
    )


@router.post(
    "/offers/{offer_id}/accept",
    summary="Accept an offer",
    responses=problem_schema_responses(401, 403, 404, 409, 422),
)
async def accept_offer(
    offer_id: uuid.UUID, user: OfferTaker, session: Session, settings: AppSettings
) -> OfferOut:
    """Accept an offer made to you: you become the case's lead."""
    return await assignment.accept_offer(
        session, settings=settings, user=user, offer_id=offer_id, now=utcnow()
    )


@router.post(
    "/offers/{offer_id}/decline",
    summary="Decline an offer",
    responses=problem_schema_responses(401, 403, 404, 409, 422),
)
async def decline_offer(
    offer_id: uuid.UUID,
    body: DeclineIn,
    user: OfferTaker,
    session: Session,
    settings: AppSettings,
) -> OfferOut:
    """Decline an offer made to you, with a reason."""
    return await assignment.decline_offer(
        session,
        settings=settings,
        user=user,
        offer_id=offer_id,
        reason=body.reason,
        now=utcnow(),
    )


@router.get("/me/offers", summary="My offers", responses=problem_schema_responses(401, 403, 422))
async def my_offers(
    user: OfferTaker, session: Session, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> OfferList:
    """Offers made to you, newest first; a pending offer past its expiry reads as expired, and an
    offer withdrawn because its case was resolved, closed or restricted is left out."""
    return await offers.list_my_offers(session, user=user, limit=limit, cursor=cursor, now=utcnow())


@router.get(
    "/cases/{case_id}/decisions",
    summary="A case's routing decisions",
    responses=problem_schema_responses(401, 403, 404, 422),
)
async def case_decisions(
    case_id: uuid.UUID,
    user: Caseworker,
    session: Session,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> DecisionList:
    """The case's routing decisions, oldest first: candidates, scores, reasons, the choice."""
    return await decisions.case_decisions(
        session, user=user, case_id=case_id, limit=limit, cursor=cursor
    )
