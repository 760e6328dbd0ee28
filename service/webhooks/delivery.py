"""Sending due deliveries: the worker's webhook job.

Decided: the HTTP request never runs inside a database transaction. A batch goes in three
steps: (1) claim the due deliveries in one short transaction (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, so two workers never claim the same one), taking a lease on each (its attempt is
counted, `next_attempt_at` moves past the lease, a fresh `lease_id` names the claim) and
commit; (2) send them, at most `SENDS_AT_ONCE` at a time, each signed with its endpoint's
secret; (3) record every attempt and each delivery's new state in one more transaction, only
where the lease is still the one taken (`lease_id`). A worker that dies between (1) and (3)
leaves its deliveries due again once the lease has passed: delivery is at least once, and
receivers drop a second copy by its `webhook-id`.

The `webhook-id` is the message's (`msg_<hex>`): retries and replays send the same one. The
`webhook-timestamp` is the moment of sending by the machine's own clock, not the worker's
schedule clock, since receivers compare it with theirs. A 2xx answer delivers; `410 Gone`
disables the endpoint (recorded, its pending deliveries cancelled); any other answer, a timeout
or a connection error is retried on the schedule (`service.webhooks.schedule`); a URL the
guard refuses (`service.webhooks.addresses`) or a secret that no longer opens fails the
delivery at once (an admin replays it once fixed).
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from math import floor

import httpx
import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from models.agency import Service
from models.webhooks import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
)
from service.platform.crypto import UnknownKey
from service.platform.db import begin, dialect_name
from service.platform.settings import Settings
from service.webhooks.addresses import RefusedAddress, check_url
from service.webhooks.endpoints import disable_endpoint
from service.webhooks.schedule import GONE, is_accepted, next_wait, retry_after
from service.webhooks.secrets import signer

LEASE = timedelta(minutes=5)
SENDS_AT_ONCE = 16
GONE_REASON = "gone"


def webhook_id(message_id: uuid.UUID) -> str:
    """The `webhook-id` of a message, the same on every delivery of it."""
    return f"msg_{message_id.hex}"


@dataclass(frozen=True, slots=True)
class Claimed:
    delivery_id: uuid.UUID
    lease_id: uuid.UUID
    number: int
    message_id: uuid.UUID
    body: str
    service_id: uuid.UUID
    url: str | None
    secret_sealed: bytes


@dataclass(frozen=True, slots=True)
class Outcome:
    claimed: Claimed
    status_code: int | None
    duration_ms: int
    error: str | None
    retry_after: str | None
    final: bool  # no retry can help: the URL is refused or the secret unreadable


async def deliver_webhooks(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    settings: Settings,
    now: datetime,
    batch: int,
) -> int:
    """Claim, send and record at most `batch` due deliveries; returns how many were tried."""
    started = time.monotonic()
    claimed = await _claim(sessionmaker, now=now, batch=batch)
    if not claimed:
        return 0
    gate = asyncio.Semaphore(SENDS_AT_ONCE)
    timeout = httpx.Timeout(settings.webhooks_timeout_seconds)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:

        async def send_one(item: Claimed) -> Outcome:
            async with gate:
                return await _send(client, settings, item)

        outcomes = await asyncio.gather(*(send_one(item) for item in claimed))
    finished = now + timedelta(seconds=time.monotonic() - started)
    await _record(sessionmaker, outcomes, now=finished)
    return len(claimed)


def due_query(now: datetime, batch: int) -> sa.Select[uuid.UUID, int]:
    """The pending deliveries due by `now` to enabled endpoints, the longest waiting first."""
    enabled = sa.exists().where(
        col(WebhookEndpoint.service_id) == col(WebhookDelivery.service_id),
        col(WebhookEndpoint.enabled).is_(True),
    )
    return (
        sa.select(col(WebhookDelivery.id), col(WebhookDelivery.attempts))
        .where(
            col(WebhookDelivery.status) == DeliveryStatus.pending,
            col(WebhookDelivery.next_attempt_at) <= now,
            enabled,
        )
        .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
        .limit(batch)
    )


async def _claim(
    sessionmaker: async_sessionmaker[AsyncSession], *, now: datetime, batch: int
) -> list[Claimed]:
    async with sessionmaker() as session, session.begin():
        await begin(session, writing=True)
        due = due_query(now, batch)
        if dialect_name(session) == "postgresql":
            due = due.with_for_update(skip_locked=True)
        rows = (await session.execute(due)).all()
        if not rows:
            return []
        lease_id = uuid.uuid4()
        ids = [delivery_id for delivery_id, _ in rows]
        await session.execute(
            sa.update(WebhookDelivery)
            .where(col(WebhookDelivery.id).in_(ids))
            .values(
                attempts=col(WebhookDelivery.attempts) + 1,
                next_attempt_at=now + LEASE,
                lease_id=lease_id,
                updated_at=now,
            )
        )
        details = await session.execute(
            sa.select(
                col(WebhookDelivery.id),
                col(WebhookDelivery.attempts),
                col(WebhookMessage.id),
                col(WebhookMessage.body),
                col(WebhookDelivery.service_id),
                col(Service.webhook_url),
                col(WebhookEndpoint.secret_sealed),
            )
            .join(WebhookMessage, col(WebhookMessage.id) == col(WebhookDelivery.message_id))
            .join(
                WebhookEndpoint,
                col(WebhookEndpoint.service_id) == col(WebhookDelivery.service_id),
            )
            .join(Service, col(Service.id) == col(WebhookDelivery.service_id))
            .where(col(WebhookDelivery.id).in_(ids))
            .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
        )
        return [
            Claimed(d_id, lease_id, number, m_id, body, service_id, url, sealed)
            for d_id, number, m_id, body, service_id, url, sealed in details
        ]


async def _send(client: httpx.AsyncClient, settings: Settings, item: Claimed) -> Outcome:
    started = time.monotonic()

    def outcome(
        status_code: int | None = None,
        error: str | None = None,
        *,
        asked: str | None = None,
        final: bool = False,
    ) -> Outcome:
        duration = round((time.monotonic() - started) * 1000)
        return Outcome(item, status_code, duration, error, asked, final)

    try:
        if item.url is None:
            raise RefusedAddress("no_url")
        await check_url(item.url, allow_private=settings.webhooks_allow_private_addresses)
        webhook = signer(settings.data_key, item.secret_sealed, item.service_id)
    except RefusedAddress as refusal:
        return outcome(error=str(refusal), final=True)
    except (UnknownKey, InvalidTag):
        return outcome(error="secret_unreadable", final=True)
    sent_at = datetime.now(UTC)
    message_id = webhook_id(item.message_id)
    headers = {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(floor(sent_at.timestamp())),
        "webhook-signature": webhook.sign(message_id, sent_at, item.body),
    }
    try:
        response = await client.post(item.url, content=item.body.encode(), headers=headers)
    except httpx.HTTPError as error:
        return outcome(error=type(error).__name__)
    return outcome(response.status_code, asked=response.headers.get("retry-after"))


async def _record(
    sessionmaker: async_sessionmaker[AsyncSession], outcomes: list[Outcome], *, now: datetime
) -> None:
    gone: set[uuid.UUID] = set()
    async with sessionmaker() as session, session.begin():
        await begin(session, writing=True)
        session.add_all(
            WebhookAttempt(
                delivery_id=o.claimed.delivery_id,
                number=o.claimed.number,
                attempted_at=now,
                status_code=o.status_code,
                duration_ms=o.duration_ms,
                error=o.error,
            )
            for o in outcomes
        )
        await session.flush()
        for o in outcomes:
            if o.status_code == GONE:
                gone.add(o.claimed.service_id)
            await session.execute(
                sa.update(WebhookDelivery)
                .where(
                    col(WebhookDelivery.id) == o.claimed.delivery_id,
                    col(WebhookDelivery.lease_id) == o.claimed.lease_id,
                )
                .values(**_after(o, now=now), lease_id=None, updated_at=now)
            )
        for service_id in gone:
            await disable_endpoint(session, service_id=service_id, reason=GONE_REASON, now=now)


def _after(o: Outcome, *, now: datetime) -> dict[str, object]:
    """A delivery's new state after an attempt."""
    changes: dict[str, object] = {"last_status_code": o.status_code}
    if o.status_code is not None and is_accepted(o.status_code):
        return {**changes, "status": DeliveryStatus.delivered, "delivered_at": now}
    wait = None
    if not o.final and o.status_code != GONE:
        asked = retry_after(o.retry_after, now=now)
        wait = next_wait(o.claimed.number, asked=asked, jitter=random.random())  # noqa: S311
    if wait is None:
        return {**changes, "status": DeliveryStatus.failed}
    return {**changes, "next_attempt_at": now + wait}
