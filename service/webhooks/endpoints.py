"""Agency webhook endpoints: listed, given a new signing secret, enabled and disabled.

Decided: an endpoint is per agency service, not per organization: the directory keeps the
`webhook_url` on the service, a referral names its service, and two services of one
organization may be answered by different systems. The endpoint's id is the service's id.

Admins manage every endpoint; agency staff those of their own organization's services; to
anyone else an endpoint (or service) they may not manage does not exist (404). The first
secret made for a service creates its endpoint, enabled; a new secret replaces the old one at
once (the receiver must switch to it). Disabling, by hand or because the receiver answered
`410 Gone`, records why and when, cancels the endpoint's pending deliveries, and stops the
outbox writing messages for it; enabling it again starts with the next referral event.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.agency import Service
from models.enums import Role
from models.user import User
from models.webhooks import (
    DeliveryStatus,
    EndpointList,
    EndpointOut,
    EndpointSecretOut,
    WebhookDelivery,
    WebhookEndpoint,
)
from service.platform.db import insert_if_absent
from service.platform.errors import Conflict, NotFound
from service.platform.pagination import decode_text_cursor, encode_cursor
from service.platform.settings import Settings
from service.webhooks.addresses import ALLOWED_SCHEMES
from service.webhooks.secrets import new_secret, seal_secret

UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def may_manage(user: User, organization_id: uuid.UUID) -> bool:
    """Admins manage every webhook; agency staff their own organization's."""
    if user.role is Role.admin:
        return True
    return user.role is Role.agency and user.organization_id == organization_id


def _endpoint_out(endpoint: WebhookEndpoint, service: Service) -> dict[str, Any]:
    return {
        "service_id": endpoint.service_id,
        "service_name": service.name,
        "organization_id": endpoint.organization_id,
        "url": service.webhook_url,
        "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason,
        "disabled_at": endpoint.disabled_at,
        "secret_created_at": endpoint.secret_created_at,
    }


async def list_endpoints(
    session: AsyncSession, *, user: User, limit: int, cursor: str | None
) -> EndpointList:
    """The endpoints the caller manages, by service id."""
    query = (
        sa.select(WebhookEndpoint, Service)
        .join(Service, col(Service.id) == col(WebhookEndpoint.service_id))
        .order_by(col(WebhookEndpoint.service_id))
        .limit(limit + 1)
    )
    if user.role is not Role.admin:
        query = query.where(col(WebhookEndpoint.organization_id) == user.organization_id)
    if cursor is not None:
        query = query.where(col(WebhookEndpoint.service_id) > _service_cursor(cursor))
    rows = (await session.execute(query)).all()
    items = [EndpointOut(**_endpoint_out(endpoint, service)) for endpoint, service in rows[:limit]]
    more = len(rows) > limit
    return EndpointList(
        items=items, next_cursor=encode_cursor([str(items[-1].service_id)]) if more else None
    )


def _service_cursor(cursor: str) -> uuid.UUID:
    return uuid.UUID(decode_text_cursor(cursor, pattern=UUID_PATTERN))


async def _managed_service(session: AsyncSession, *, user: User, service_id: uuid.UUID) -> Service:
    service = await session.get(Service, service_id)
    if service is None or not may_manage(user, service.organization_id):
        raise NotFound(code="webhook.endpoint_not_found")
    return service


async def _managed_endpoint(
    session: AsyncSession, *, user: User, service_id: uuid.UUID
) -> tuple[WebhookEndpoint, Service]:
    service = await _managed_service(session, user=user, service_id=service_id)
    endpoint = await session.get(
        WebhookEndpoint, service_id, with_for_update=True, populate_existing=True
    )
    if endpoint is None:
        raise NotFound(code="webhook.endpoint_not_found")
    return endpoint, service


async def replace_secret(
    session: AsyncSession, *, settings: Settings, user: User, service_id: uuid.UUID, now: datetime
) -> EndpointSecretOut:
    """A new signing secret for a service's endpoint (made on the first call), shown once."""
    service = await _managed_service(session, user=user, service_id=service_id)
    if service.webhook_url is None:
        raise Conflict(code="webhook.no_url")
    if urlsplit(service.webhook_url).scheme not in ALLOWED_SCHEMES:
        raise Conflict(code="webhook.url_refused")
    secret = new_secret()
    sealed = seal_secret(settings.data_key, secret, service.id)
    created = await insert_if_absent(
        session,
        WebhookEndpoint.__table__,  # type: ignore[attr-defined]
        {
            "service_id": service.id,
            "organization_id": service.organization_id,
            "secret_sealed": sealed,
            "enabled": True,
            "secret_created_at": now,
            "created_at": now,
            "updated_at": now,
        },
    )
    if not created:
        await session.execute(
            sa.update(WebhookEndpoint)
            .where(col(WebhookEndpoint.service_id) == service.id)
            .values(secret_sealed=sealed, secret_created_at=now, updated_at=now)
        )
    endpoint = await session.get(WebhookEndpoint, service.id, populate_existing=True)
    assert endpoint is not None
    return EndpointSecretOut(**_endpoint_out(endpoint, service), secret=secret)


async def enable(
    session: AsyncSession, *, user: User, service_id: uuid.UUID, now: datetime
) -> EndpointOut:
    """Send deliveries to the endpoint again, from the next referral event on."""
    endpoint, service = await _managed_endpoint(session, user=user, service_id=service_id)
    endpoint.enabled = True
    endpoint.disabled_reason = None
    endpoint.disabled_at = None
    endpoint.updated_at = now
    await session.flush()
    return EndpointOut(**_endpoint_out(endpoint, service))


async def disable(
    session: AsyncSession, *, user: User, service_id: uuid.UUID, reason: str, now: datetime
) -> EndpointOut:
    """Stop sending to the endpoint, with the reason."""
    endpoint, service = await _managed_endpoint(session, user=user, service_id=service_id)
    await disable_endpoint(session, service_id=service_id, reason=reason, now=now)
    await session.refresh(endpoint)
    return EndpointOut(**_endpoint_out(endpoint, service))


async def disable_endpoint(
    session: AsyncSession, *, service_id: uuid.UUID, reason: str, now: datetime
) -> None:
    """Disable an endpoint with its reason and cancel its pending deliveries."""
    await session.execute(
        sa.update(WebhookEndpoint)
        .where(col(WebhookEndpoint.service_id) == service_id)
        .values(enabled=False, disabled_reason=reason, disabled_at=now, updated_at=now)
    )
    await session.execute(
        sa.update(WebhookDelivery)
        .where(
            col(WebhookDelivery.service_id) == service_id,
            col(WebhookDelivery.status) == DeliveryStatus.pending,
        )
        .values(status=DeliveryStatus.cancelled, lease_id=None, updated_at=now)
    )
