"""Two `onestop worker` processes on one PostgreSQL database deliver each webhook message once
to a real receiver on loopback."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import tempfile
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from models.agency import Organization
from models.base import utcnow
from models.enums import Role
from models.user import User
from models.webhooks import DeliveryStatus, WebhookDelivery
from service.platform.db import create_sessionmaker, is_sqlite
from service.platform.settings import Settings
from tests.conftest import committed_actor
from tests.service.worker.test_worker_processes import _start_worker, _wait_for_start
from tests.support.referrals import add_service, answer, case_in_progress, refer
from tests.support.webhooks import Receiver, new_secret

pytestmark = pytest.mark.slow
REFERRALS = 10


async def _hooked_service(engine: AsyncEngine, settings: Settings, url: str) -> tuple[str, dict]:
    """A committed agency service sending webhooks to `url`, and its staff's headers."""
    staff = await committed_actor(engine, settings, Role.agency)
    async with create_sessionmaker(engine)() as session, session.begin():
        now = utcnow()
        organization = Organization(name="หน่วยงาน", description="-", created_at=now, updated_at=now)
        session.add(organization)
        await session.flush()
        service = await add_service(session, organization, webhook_url=url)
        await session.execute(
            sa.update(User)
            .where(col(User.id) == staff.user.id)
            .values(organization_id=organization.id)
        )
        return str(service.id), staff.headers


async def test_two_workers_deliver_each_message_once(
    committed_client: httpx.AsyncClient,
    committed_db: AsyncEngine,
    database_url: str,
    settings: Settings,
) -> None:
    if is_sqlite(database_url):
        pytest.skip("several worker processes are for PostgreSQL")
    receiver = Receiver().start()
    try:
        service_id, agency = await _hooked_service(committed_db, settings, receiver.url)
        made = await new_secret(committed_client, agency, service_id)
        assert made.status_code == 200, made.text
        receiver.secret = made.json()["secret"]
        caseworker = (await committed_actor(committed_db, settings, Role.caseworker)).headers
        for _ in range(REFERRALS):
            case = await case_in_progress(committed_client, caseworker)
            referral = await refer(committed_client, caseworker, case["id"], service_id)
            assert referral.status_code == 201, referral.text
            accepted = await answer(committed_client, agency, referral.json()["id"], "accept")
            assert accepted.status_code == 200, accepted.text

        environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "ONESTOP_ENVIRONMENT": "test",
            "ONESTOP_JWT_SECRET": settings.jwt_secret,
            "ONESTOP_DATA_KEY": settings.data_key,
            "ONESTOP_JOBS_BATCH_SIZE": "2",
            "ONESTOP_JOBS_INTERVAL_SECONDS": "0.1",
            "ONESTOP_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES": "true",
        }
        logs = [
            Path(tempfile.mkstemp(prefix="onestop-worker-", suffix=".log")[1]) for _ in range(2)
        ]
        workers = [_start_worker(environment, log_path) for log_path in logs]
        await _wait_for_start(logs)
        pending = (
            sa.select(sa.func.count())
            .select_from(WebhookDelivery)
            .where(col(WebhookDelivery.status) != DeliveryStatus.delivered)
        )
        try:
            for _ in range(300):
                async with committed_db.connect() as connection:
                    if not await connection.scalar(pending):
                        break
                await asyncio.sleep(0.2)
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            codes = [worker.wait(timeout=30) for worker in workers]
    finally:
        receiver.stop()

    assert codes == [0, 0]
    accepted_ids = receiver.accepted()
    assert len(accepted_ids) == 2 * REFERRALS  # created and accepted, for each referral
    assert set(accepted_ids.values()) == {1}  # each message delivered exactly once
    assert len(receiver.received) == 2 * REFERRALS
    assert all(r.verified for r in receiver.received)
    handled = [
        int(dict(part.split("=") for part in entry["event"].split(","))["webhooks"])
        for log_path in logs
        for entry in map(json.loads, log_path.read_text().splitlines())
        if entry["message"] == "jobs ran"
    ]
    assert sum(handled) == 2 * REFERRALS
