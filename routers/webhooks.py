"""Webhooks to agencies: endpoints (a signing secret per agency service, enabled or not) and
the delivery log with replays; admins manage all, agency staff their own organization's. Each
handler calls one function of `service.webhooks`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from auth.dependencies import AgencyEditor, AppSettings
from models.base import utcnow
from models.webhooks import (
    DeliveryList,
    DeliveryOut,
    DeliveryStatus,
    EndpointDisableIn,
    EndpointList,
    EndpointOut,
    EndpointSecretOut,
)
from routers import API_PREFIX
from service.platform.db import Session
from service.platform.errors import problem_schema_responses
from service.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.webhooks import deliveries, endpoints

router = APIRouter(prefix=API_PREFIX + "/webhooks", tags=["webhooks"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size, at most 200.")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=512,
        description="`next_cursor` of the previous page (opaque; checked by the server).",
    ),
]


@router.get(
    "/endpoints",
    summary="List webhook endpoints",
    responses=problem_schema_responses(401, 403, 422),
)
async def list_endpoints(
    user: AgencyEditor, session: Session, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> EndpointList:
    """Webhook endpoints, one per agency service: admins see all, agency staff their own."""
    return await endpoints.list_endpoints(session, user=user, limit=limit, cursor=cursor)


@router.post(
    "/endpoints/{service_id}/secret",
    summary="Make a new signing secret",
    responses=problem_schema_responses(401, 403, 404, 409, 422),
)
async def replace_secret(
    service_id: uuid.UUID, user: AgencyEditor, session: Session, settings: AppSettings
) -> EndpointSecretOut:
    """A new `whsec_` secret for the service's webhook, shown only in this answer; the first
    one creates the endpoint, a later one replaces the old secret at once."""
    return await endpoints.replace_secret(
        session, settings=settings, user=user, service_id=service_id, now=utcnow()
    )


@router.post(
    "/endpoints/{service_id}/enable",
    summary="Enable a webhook endpoint",
    responses=problem_schema_responses(401, 403, 404, 422),
)
async def enable_endpoint(
    service_id: uuid.UUID, user: AgencyEditor, session: Session
) -> EndpointOut:
    """Send the service's referral events again, from the next one on."""
    return await endpoints.enable(session, user=user, service_id=service_id, now=utcnow())


@router.post(
    "/endpoints/{service_id}/disable",
    summary="Disable a webhook endpoint",
    responses=problem_schema_responses(401, 403, 404, 422),
)
async def disable_endpoint(
    service_id: uuid.UUID, body: EndpointDisableIn, user: AgencyEditor, session: Session
) -> EndpointOut:
    """Stop sending to the service's webhook, with a reason; pending deliveries are cancelled."""
    return await endpoints.disable(
        session, user=user, service_id=service_id, reason=body.reason, now=utcnow()
    )


@router.get(
    "/deliveries",
    summary="The webhook delivery log",
    responses=problem_schema_responses(401, 403, 422),
)
async def list_deliveries(
    user: AgencyEditor,
    session: Session,
    status: DeliveryStatus | None = None,
    service_id: Annotated[
        uuid.UUID | None, Query(description="Only this endpoint's (agency service's).")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> DeliveryList:
    """Deliveries newest first, each with its attempts (status code, duration, error class):
    admins see all, agency staff their own organization's."""
    return await deliveries.list_deliveries(
        session, user=user, status=status, service_id=service_id, limit=limit, cursor=cursor
    )


@router.post(
    "/deliveries/{delivery_id}/replay",
    summary="Replay a webhook delivery",
    status_code=status.HTTP_201_CREATED,
    responses=problem_schema_responses(401, 403, 404, 409, 422),
)
async def replay_delivery(
    delivery_id: uuid.UUID, user: AgencyEditor, session: Session
) -> DeliveryOut:
    """Send a delivered, failed or cancelled delivery's message again (same `webhook-id`)."""
    return await deliveries.replay(session, user=user, delivery_id=delivery_id, now=utcnow())
