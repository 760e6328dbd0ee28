"""The delivery log: each delivery of a webhook message with its attempts, and replays.

Admins read every delivery, agency staff their own organization's (a delivery of another
organization answers 404). The list is newest first through an index: the organization's
(`ix_webhook_deliveries_organization_id_created_at`), an endpoint's
(`ix_webhook_deliveries_service_id_created_at`) or everyone's; a status filter narrows the same
walk. A replay is a new delivery of the same message (same `webhook-id`, so a receiver that
already has it can tell), due at once and tried on the whole schedule again; not while the
delivery replayed is still being tried, nor to a disabled endpoint (409).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.enums import Role
from models.user import User
from models.webhooks import (
    AttemptOut,
    DeliveryList,
    DeliveryOut,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
)
from service.platform.errors import Conflict, NotFound
from service.platform.pagination import decode_time_id_cursor, encode_time_id_cursor
from service.webhooks.delivery import webhook_id
from service.webhooks.endpoints import may_manage
from service.webhooks.outbox import queued_delivery


def _page_query() -> sa.Select[WebhookDelivery, WebhookMessage]:
    return sa.select(WebhookDelivery, WebhookMessage).join(
        WebhookMessage, col(WebhookMessage.id) == col(WebhookDelivery.message_id)
    )


async def _outs(
    session: AsyncSession, rows: list[tuple[WebhookDelivery, WebhookMessage]]
) -> list[DeliveryOut]:
    attempts: dict[uuid.UUID, list[AttemptOut]] = defaultdict(list)
    if rows:
        found = await session.scalars(
            sa.select(WebhookAttempt)
            .where(col(WebhookAttempt.delivery_id).in_([d.id for d, _ in rows]))
            .order_by(col(WebhookAttempt.delivery_id), col(WebhookAttempt.number))
        )
        for attempt in found:
            attempts[attempt.delivery_id].append(AttemptOut.model_validate(attempt.model_dump()))
    return [
        DeliveryOut(
            id=delivery.id,
            webhook_id=webhook_id(message.id),
            event_type=message.event_type,
            referral_id=message.referral_id,
            service_id=delivery.service_id,
            organization_id=delivery.organization_id,
            status=delivery.status,
            next_attempt_at=(
                delivery.next_attempt_at if delivery.status is DeliveryStatus.pending else None
            ),
            last_status_code=delivery.last_status_code,
            replay_of=delivery.replay_of_id,
            delivered_at=delivery.delivered_at,
            created_at=delivery.created_at,
            attempts=attempts[delivery.id],
        )
        for delivery, message in rows
    ]


def delivery_list_query(
    user: User,
    *,
    status: DeliveryStatus | None,
    service_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> sa.Select[WebhookDelivery, WebhookMessage]:
    """A page of the deliveries `user` may read, newest first (one row more than `limit`)."""
    query = _page_query().order_by(
        col(WebhookDelivery.created_at).desc(), col(WebhookDelivery.id).desc()
    )
    if user.role is not Role.admin:
        query = query.where(col(WebhookDelivery.organization_id) == user.organization_id)
    if service_id is not None:
        query = query.where(col(WebhookDelivery.service_id) == service_id)
    if status is not None:
        query = query.where(col(WebhookDelivery.status) == status)
    if cursor is not None:
        at, last_id = decode_time_id_cursor(cursor)
        query = query.where(
            sa.tuple_(col(WebhookDelivery.created_at), col(WebhookDelivery.id)) < (at, last_id)
        )
    return query.limit(limit + 1)


async def list_deliveries(
    session: AsyncSession,
    *,
    user: User,
    status: DeliveryStatus | None,
    service_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> DeliveryList:
    """Deliveries the caller may read, newest first, with their attempts."""
    query = delivery_list_query(
        user, status=status, service_id=service_id, limit=limit, cursor=cursor
    )
    rows = [tuple(row) for row in (await session.execute(query)).all()]
    items = await _outs(session, rows[:limit])  # type: ignore[arg-type]
    more = len(rows) > limit
    return DeliveryList(
        items=items,
        next_cursor=encode_time_id_cursor(items[-1].created_at, items[-1].id) if more else None,
    )


async def replay(
    session: AsyncSession, *, user: User, delivery_id: uuid.UUID, now: datetime
) -> DeliveryOut:
    """A new delivery of a delivered, failed or cancelled delivery's message."""
    found = await session.get(WebhookDelivery, delivery_id)
    if found is None or not may_manage(user, found.organization_id):
        raise NotFound(code="webhook.delivery_not_found")
    endpoint = await session.get(WebhookEndpoint, found.service_id)
    if endpoint is None or not endpoint.enabled:
        raise Conflict(code="webhook.endpoint_disabled")
    if found.status is DeliveryStatus.pending:
        raise Conflict(code="webhook.delivery_pending")
    message = await session.get(WebhookMessage, found.message_id)
    assert message is not None
    delivery = queued_delivery(message, now=now, replay_of_id=found.id, requested_by_id=user.id)
    session.add(delivery)
    await session.flush()
    (out,) = await _outs(session, [(delivery, message)])
    return out
