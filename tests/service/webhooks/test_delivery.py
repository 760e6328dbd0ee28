"""Deliveries to a real receiver on loopback that verifies every request with the
`standardwebhooks` package: retries on the schedule with a movable clock, `Retry-After`, 410,
replays, the address guard. Both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from models.base import utcnow
from models.enums import Role
from models.webhooks import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from service.platform.settings import Settings
from service.webhooks import delivery
from service.webhooks.schedule import MAX_ATTEMPTS
from service.worker.jobs import JOBS
from service.worker.runner import run_job
from tests.conftest import MakeActor, make_settings
from tests.support.referrals import answer, case_in_progress, refer
from tests.support.webhooks import WEBHOOKS, Receiver, hooked_agency

JOB = next(job for job in JOBS if job.name == "webhooks")
LOOPBACK = make_settings(webhooks_allow_private_addresses=True)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


async def _deliver(sessionmaker: async_sessionmaker[AsyncSession], now: datetime) -> int:
    return await run_job(sessionmaker, JOB, settings=LOOPBACK, now=now)


async def _deliveries(session: AsyncSession) -> list[WebhookDelivery]:
    found = await session.scalars(
        sa.select(WebhookDelivery)
        .order_by(col(WebhookDelivery.created_at), col(WebhookDelivery.id))
        .execution_options(populate_existing=True)
    )
    return list(found)


async def _referred(
    client: httpx.AsyncClient,
    session: AsyncSession,
    make_actor: MakeActor,
    receiver: Receiver,
) -> tuple[dict[str, str], dict[str, str], str]:
    """An agency with a webhook to `receiver`, and a case referred to it: caseworker and agency
    headers, and the referral's id."""
    agency, secret = await hooked_agency(
        client, session, make_actor, name="บ้านพักฉุกเฉิน", url=receiver.url
    )
    receiver.secret = secret
    caseworker = await make_actor(Role.caseworker)
    case = await case_in_progress(client, caseworker.headers)
    made = await refer(client, caseworker.headers, case["id"], agency.service.id)
    assert made.status_code == 201, made.text
    return caseworker.headers, agency.staff.headers, made.json()["id"]


async def test_a_receiver_that_fails_twice_gets_the_event_once_verified(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_actor: MakeActor,
    receiver: Receiver,
) -> None:
    receiver.script = [(500, {}), (503, {"Retry-After": "900"})]
    _, agency_headers, referral_id = await _referred(client, session, make_actor, receiver)
    start = utcnow()

    assert await _deliver(sessionmaker, start) == 1  # at once: 500
    (delivery,) = await _deliveries(session)
    assert delivery.status is DeliveryStatus.pending
    assert timedelta(seconds=5) <= delivery.next_attempt_at - start <= timedelta(seconds=7)
    assert await _deliver(sessionmaker, start + timedelta(seconds=2)) == 0  # not due yet

    second = start + timedelta(seconds=6)
    assert await _deliver(sessionmaker, second) == 1  # 503, asking for 15 minutes
    (delivery,) = await _deliveries(session)
    # The schedule says 5 minutes; the receiver's Retry-After asked for longer and wins.
    assert timedelta(seconds=900) <= delivery.next_attempt_at - second <= timedelta(seconds=902)
    assert await _deliver(sessionmaker, second + timedelta(minutes=6)) == 0

    assert await _deliver(sessionmaker, second + timedelta(seconds=901)) == 1
    (delivery,) = await _deliveries(session)
    assert delivery.status is DeliveryStatus.delivered
    assert await _deliver(sessionmaker, second + timedelta(days=2)) == 0

    assert [r.status for r in receiver.received] == [500, 503, 200]
    assert all(r.verified for r in receiver.received)
    assert len({r.webhook_id for r in receiver.received}) == 1  # retries reuse the webhook-id
    assert list(receiver.accepted().values()) == [1]
    payload = receiver.received[-1].payload
    assert payload is not None
    assert payload["type"] == "referral.created"
    assert payload["data"]["referral_id"] == referral_id

    log = await client.get(f"{WEBHOOKS}/deliveries", headers=agency_headers)
    assert log.status_code == 200, log.text
    (item,) = log.json()["items"]
    assert item["status"] == "delivered"
    assert item["webhook_id"] == receiver.received[0].webhook_id
    assert [a["status_code"] for a in item["attempts"]] == [500, 503, 200]
    assert all(a["error"] is None for a in item["attempts"])


async def test_a_delivery_fails_after_the_whole_schedule(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_actor: MakeActor,
    receiver: Receiver,
) -> None:
    receiver.script = [(500, {})] * 20
    await _referred(client, session, make_actor, receiver)
    now = utcnow()
    for _ in range(MAX_ATTEMPTS + 2):
        await _deliver(sessionmaker, now)
        now += timedelta(hours=12)
    (delivery,) = await _deliveries(session)
    assert delivery.status is DeliveryStatus.failed
    assert delivery.attempts == MAX_ATTEMPTS
    assert len(receiver.received) == MAX_ATTEMPTS


async def test_410_gone_disables_the_endpoint(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_actor: MakeActor,
    receiver: Receiver,
) -> None:
    receiver.script = [(410, {})]
    caseworker, agency_headers, referral_id = await _referred(client, session, make_actor, receiver)
    await _deliver(sessionmaker, utcnow())
    (delivery,) = await _deliveries(session)
    assert delivery.status is DeliveryStatus.failed
    endpoint = await session.scalar(
        sa.select(WebhookEndpoint).execution_options(populate_existing=True)
    )
    assert endpoint is not None
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, "gone")

    # No more messages while it is disabled.
    cancelled = await answer(client, caseworker, referral_id, "cancel", "ไม่ต้องการแล้ว")
    assert cancelled.status_code == 200, cancelled.text
    assert len(await _deliveries(session)) == 1
    await _deliver(sessionmaker, utcnow() + timedelta(hours=1))
    assert len(receiver.received) == 1

    listed = await client.get(f"{WEBHOOKS}/endpoints", headers=agency_headers)
    (shown,) = listed.json()["items"]
    assert (shown["enabled"], shown["disabled_reason"]) == (False, "gone")
    assert "secret" not in shown
    replayed = await client.post(
        f"{WEBHOOKS}/deliveries/{delivery.id}/replay", headers=agency_headers
    )
    assert replayed.status_code == 409, replayed.text
    assert replayed.json()["type"].endswith("/conflict")

    enabled = await client.post(
        f"{WEBHOOKS}/endpoints/{endpoint.service_id}/enable", headers=agency_headers
    )
    assert enabled.status_code == 200, enabled.text
    assert enabled.json()["enabled"] is True
    replayed = await client.post(
        f"{WEBHOOKS}/deliveries/{delivery.id}/replay", headers=agency_headers
    )
    assert replayed.status_code == 201, replayed.text
    await _deliver(sessionmaker, utcnow() + timedelta(hours=2))
    assert [r.status for r in receiver.received] == [410, 200]


async def test_a_replay_sends_the_same_message_again(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_actor: MakeActor,
    receiver: Receiver,
) -> None:
    _, agency_headers, _ = await _referred(client, session, make_actor, receiver)
    (first,) = await _deliveries(session)
    pending = await client.post(f"{WEBHOOKS}/deliveries/{first.id}/replay", headers=agency_headers)
    assert pending.status_code == 409  # still being tried
    await _deliver(sessionmaker, utcnow())

    admin = await make_actor(Role.admin)
    replayed = await client.post(f"{WEBHOOKS}/deliveries/{first.id}/replay", headers=admin.headers)
    assert replayed.status_code == 201, replayed.text
    body = replayed.json()
    assert body["replay_of"] == str(first.id)
    assert body["status"] == "pending"
    assert body["attempts"] == []
    await _deliver(sessionmaker, utcnow() + timedelta(seconds=1))

    assert [r.status for r in receiver.received] == [200, 200]
    assert len({r.webhook_id for r in receiver.received}) == 1  # the same message id
    assert body["webhook_id"] == receiver.received[0].webhook_id
    delivered = await client.get(
        f"{WEBHOOKS}/deliveries", params={"status": "delivered"}, headers=agency_headers
    )
    assert [d["id"] for d in delivered.json()["items"]] == [body["id"], str(first.id)]


async def test_loopback_is_refused_unless_allowed(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_actor: MakeActor,
    receiver: Receiver,
    settings: Settings,
) -> None:
    await _referred(client, session, make_actor, receiver)
    assert not settings.webhooks_allow_private_addresses  # the default
    await run_job(sessionmaker, JOB, settings=settings, now=utcnow())
    (delivery,) = await _deliveries(session)
    assert delivery.status is DeliveryStatus.failed
    attempt = await session.scalar(sa.select(WebhookAttempt))
    assert attempt is not None
    assert (attempt.status_code, attempt.error) == (None, "refused_address")
    assert receiver.received == []


async def test_an_unreachable_receiver_is_retried_with_the_error_class(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_actor: MakeActor,
    receiver: Receiver,
) -> None:
    await _referred(client, session, make_actor, receiver)
    receiver.stop()
    await _deliver(sessionmaker, utcnow())
    (delivery,) = await _deliveries(session)
    assert delivery.status is DeliveryStatus.pending
    attempt = await session.scalar(sa.select(WebhookAttempt))
    assert attempt is not None
    assert (attempt.status_code, attempt.error) == (None, "ConnectError")


async def test_a_lapsed_lease_is_claimed_again_and_the_late_result_is_not_recorded_over_it(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_actor: MakeActor,
    receiver: Receiver,
) -> None:
    await _referred(client, session, make_actor, receiver)
    start = utcnow()
    (lapsed,) = await delivery._claim(sessionmaker, now=start, batch=10)
    # Claimed: not due again while the lease runs, even for another worker.
    assert await delivery._claim(sessionmaker, now=start + timedelta(minutes=4), batch=10) == []
    # The first worker died; once its lease has passed another claims the delivery again.
    (again,) = await delivery._claim(sessionmaker, now=start + delivery.LEASE, batch=10)
    assert (again.delivery_id, again.number) == (lapsed.delivery_id, 2)
    assert again.lease_id != lapsed.lease_id

    def accepted(item: delivery.Claimed, status_code: int) -> delivery.Outcome:
        return delivery.Outcome(item, status_code, 3, None, None, final=False)

    finished = start + delivery.LEASE + timedelta(seconds=1)
    await delivery._record(sessionmaker, [accepted(again, 200)], now=finished)
    await delivery._record(sessionmaker, [accepted(lapsed, 500)], now=finished)  # too late
    (row,) = await _deliveries(session)
    assert (row.status, row.last_status_code, row.attempts) == (DeliveryStatus.delivered, 200, 2)
    numbers = await session.scalars(
        sa.select(col(WebhookAttempt.number)).order_by(col(WebhookAttempt.number))
    )
    assert list(numbers) == [1, 2]  # both attempts are in the log
