"""The outbox: a message for the agency's webhook, written in the transaction of the referral
change it tells about, so an event is sent if and only if the change was committed.

The body is thin: the event type, when it happened, and ids (the referral, its case's
reference, service and organization). No personal data leaves this way: the agency reads the
referral through the API, where each read of what it shares is recorded.

A message is written only for a service that has a `webhook_url` and an enabled endpoint; while
an endpoint is disabled nothing is queued for it (its agency reads its referral list instead).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.agency import Service
from models.case import Case
from models.enums import CaseEventType
from models.referral import Referral
from models.webhooks import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
    WebhookMessage,
)
from service.webhooks.schedule import event_type


async def announce_referral(
    session: AsyncSession, *, case: Case, referral: Referral, step: CaseEventType, now: datetime
) -> None:
    """Queue the webhook message of a referral step, if its service's endpoint takes it."""
    type_ = event_type(step, referral.status)
    if type_ is None:
        return
    await announce(session, case=case, referral=referral, type_=type_, now=now)


async def announce(
    session: AsyncSession,
    *,
    case: Case,
    referral: Referral,
    type_: WebhookEventType,
    now: datetime,
    **data: Any,
) -> None:
    """Queue a webhook message about `referral` (ids, and `data`), if its service's endpoint
    takes it."""
    receiving = await session.scalar(
        sa.select(col(WebhookEndpoint.service_id))
        .join(Service, col(Service.id) == col(WebhookEndpoint.service_id))
        .where(
            col(WebhookEndpoint.service_id) == referral.service_id,
            col(WebhookEndpoint.enabled).is_(True),
            col(Service.webhook_url).is_not(None),
        )
    )
    if receiving is None:
        return
    body = {
        "type": type_.value,
        "timestamp": now.isoformat(),
        "data": {
            "referral_id": str(referral.id),
            "case_reference": case.reference,
            "service_id": str(referral.service_id),
            "organization_id": str(referral.organization_id),
            "status": referral.status.value,
            **data,
        },
    }
    message = WebhookMessage(
        service_id=referral.service_id,
        organization_id=referral.organization_id,
        referral_id=referral.id,
        event_type=type_,
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        created_at=now,
    )
    session.add(message)
    await session.flush()  # tables without relationships: the message goes in first
    session.add(queued_delivery(message, now=now))


def queued_delivery(message: WebhookMessage, *, now: datetime, **more: Any) -> WebhookDelivery:
    """A new delivery of `message`, due at once."""
    return WebhookDelivery(
        message_id=message.id,
        service_id=message.service_id,
        organization_id=message.organization_id,
        status=DeliveryStatus.pending,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
        **more,
    )
