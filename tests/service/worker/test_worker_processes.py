"""The worker as it runs in production: `onestop worker` processes, and inside `onestop serve`."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from models.base import utcnow
from models.case import Case, IdempotencyRecord
from models.enums import Role
from models.events import CaseEvent
from models.routing import Offer
from service.platform.db import create_sessionmaker, is_sqlite
from service.platform.settings import Settings
from tests.conftest import ROOT, committed_actor, run_cli, start_server, stop_server
from tests.support.cases import anonymous_body, create_case, move

pytestmark = pytest.mark.slow


async def _expired_answers(engine: AsyncEngine, count: int) -> None:
    now = utcnow()
    owner = uuid.uuid4()
    async with create_sessionmaker(engine)() as session, session.begin():
        await session.execute(
            sa.insert(IdempotencyRecord),
            [
                {
                    "owner_id": owner,
                    "key": f"expired-{n}",
                    "fingerprint": "f" * 64,
                    "headers": {},
                    "created_at": now - timedelta(days=2),
                    "expires_at": now - timedelta(days=1),
                }
                for n in range(count)
            ],
        )


async def _left(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(
            await connection.scalar(sa.select(sa.func.count()).select_from(IdempotencyRecord)) or 0
        )


async def _wait_until_gone(engine: AsyncEngine, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    for _ in range(int(seconds / 0.2)):
        if not await _left(engine) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    assert await _left(engine) == 0


def _start_worker(environment: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log_file:
        return subprocess.Popen(
            [sys.executable, "-m", "service.cli", "worker"],
            cwd=ROOT,
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )


async def _wait_for_start(logs: list[Path]) -> None:
    """Until every worker is running: from then on SIGTERM stops it cleanly."""
    for _ in range(300):
        if all("worker started" in log_path.read_text() for log_path in logs):
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the workers did not start: " + " | ".join(p.read_text() for p in logs))


def test_the_worker_command_is_refused_on_sqlite(database_url: str) -> None:
    if not is_sqlite(database_url):
        pytest.skip("SQLite's refusal; PostgreSQL runs the workers below")
    result = run_cli(database_url, "worker")
    assert result.returncode == 2
    assert "inside `onestop serve`" in result.stderr


async def test_two_workers_share_the_work_and_handle_each_row_once(
    committed_db: AsyncEngine, database_url: str
) -> None:
    if is_sqlite(database_url):
        pytest.skip("several worker processes are for PostgreSQL")
    await _expired_answers(committed_db, 3000)
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ONESTOP_ENVIRONMENT": "test",
        "ONESTOP_JOBS_BATCH_SIZE": "25",
        "ONESTOP_JOBS_INTERVAL_SECONDS": "0.1",
    }
    logs = [Path(tempfile.mkstemp(prefix="onestop-worker-", suffix=".log")[1]) for _ in range(2)]
    workers = [_start_worker(environment, log_path) for log_path in logs]
    await _wait_for_start(logs)
    try:
        await _wait_until_gone(committed_db, 60)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        codes = [worker.wait(timeout=30) for worker in workers]

    handled: list[int] = []
    for log_path in logs:
        for line in log_path.read_text().splitlines():
            entry = json.loads(line)  # every line is JSON
            if entry["message"] == "jobs ran":
                counts = dict(part.split("=") for part in entry["event"].split(","))
                handled.append(int(counts["idempotency_keys"]))
    assert codes == [0, 0]
    assert sum(handled) == 3000  # each expired answer forgotten by exactly one worker


async def _screened_cases_with_expired_offers(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings, count: int
) -> list[uuid.UUID]:
    """`count` screened cases, each with a pending offer to a volunteer that has expired."""
    caseworker = await committed_actor(engine, settings, Role.caseworker)
    volunteer = await committed_actor(engine, settings, Role.volunteer)
    case_ids = []
    for _ in range(count):
        case = await create_case(client, caseworker.headers)
        assert (await move(client, caseworker.headers, case["id"], "screened")).status_code == 200
        case_ids.append(uuid.UUID(case["id"]))
    now = utcnow()
    async with create_sessionmaker(engine)() as session, session.begin():
        session.add_all(
            Offer(
                case_id=case_id,
                user_id=volunteer.user.id,
                offered_by_id=caseworker.user.id,
                created_at=now - timedelta(hours=5),
                expires_at=now - timedelta(minutes=1),
            )
            for case_id in case_ids
        )
    return case_ids


async def _two_workers_until_done(
    engine: AsyncEngine, database_url: str, settings: Settings, *, left: sa.Select[Any]
) -> list[Path]:
    """Run two `onestop worker` processes (batches of 2) until `left` counts nothing, stop them
    and check they ended cleanly; returns their logs."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ONESTOP_ENVIRONMENT": "test",
        "ONESTOP_JWT_SECRET": settings.jwt_secret,
        "ONESTOP_DATA_KEY": settings.data_key,
        "ONESTOP_JOBS_BATCH_SIZE": "2",
        "ONESTOP_JOBS_INTERVAL_SECONDS": "0.1",
    }
    logs = [Path(tempfile.mkstemp(prefix="onestop-worker-", suffix=".log")[1]) for _ in range(2)]
    workers = [_start_worker(environment, log_path) for log_path in logs]
    await _wait_for_start(logs)
    try:
        for _ in range(300):
            async with engine.connect() as connection:
                if not await connection.scalar(left):
                    break
            await asyncio.sleep(0.2)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        codes = [worker.wait(timeout=30) for worker in workers]
    assert codes == [0, 0]
    return logs


def _handled(logs: list[Path], job: str) -> int:
    """How many items `job` handled in all the workers' rounds, as their logs say."""
    return sum(
        int(dict(part.split("=") for part in entry["event"].split(","))[job])
        for log_path in logs
        for entry in map(json.loads, log_path.read_text().splitlines())
        if entry["message"] == "jobs ran"
    )


async def _events_per_case(engine: AsyncEngine, type_: str) -> dict[uuid.UUID, int]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            sa.select(col(CaseEvent.case_id), sa.func.count())
            .where(col(CaseEvent.type) == type_)
            .group_by(col(CaseEvent.case_id))
        )
        return {case_id: count for case_id, count in rows.all()}


async def test_two_workers_expire_each_offer_once(
    committed_client: httpx.AsyncClient,
    committed_db: AsyncEngine,
    database_url: str,
    settings: Settings,
) -> None:
    if is_sqlite(database_url):
        pytest.skip("several worker processes are for PostgreSQL")
    case_ids = await _screened_cases_with_expired_offers(
        committed_client, committed_db, settings, 24
    )
    pending = sa.select(sa.func.count()).select_from(Offer).where(col(Offer.status) == "pending")
    logs = await _two_workers_until_done(committed_db, database_url, settings, left=pending)

    expired = await _events_per_case(committed_db, "offer_expired")
    assert expired == dict.fromkeys(case_ids, 1)  # every offer expired, each exactly once
    assert _handled(logs, "offers") == len(case_ids)


async def test_the_server_runs_the_jobs_unless_told_not_to(
    committed_db: AsyncEngine, database_url: str
) -> None:
    await _expired_answers(committed_db, 40)
    quiet = start_server(database_url, ONESTOP_JOBS_IN_SERVER="false")
    try:
        await asyncio.sleep(1.5)
        assert await _left(committed_db) == 40
    finally:
        stop_server(quiet)

    server = start_server(database_url, ONESTOP_JOBS_INTERVAL_SECONDS="0.2")
    try:
        await _wait_until_gone(committed_db, 30)
    finally:
        stop_server(server)


async def test_two_workers_record_each_breach_once_and_the_case_is_in_the_breached_queue(
    committed_client: httpx.AsyncClient,
    committed_db: AsyncEngine,
    database_url: str,
    settings: Settings,
) -> None:
    if is_sqlite(database_url):
        pytest.skip("several worker processes are for PostgreSQL")
    caseworker = await committed_actor(committed_db, settings, Role.caseworker)
    supervisor = await committed_actor(committed_db, settings, Role.supervisor)
    case_ids = []
    for _ in range(30):
        case = await create_case(
            committed_client, caseworker.headers, anonymous_body(immediate_danger=True)
        )
        case_ids.append(uuid.UUID(case["id"]))
    # An hour and a minute later (the workers run on the wall clock): each critical case has
    # missed its first response.
    late = utcnow() - timedelta(minutes=1)
    async with create_sessionmaker(committed_db)() as session, session.begin():
        await session.execute(
            sa.update(Case)
            .where(col(Case.id).in_(case_ids))
            .values(first_response_due_at=late, first_response_warn_at=late - timedelta(minutes=15))
        )
    unrecorded = (
        sa.select(sa.func.count())
        .select_from(Case)
        .where(col(Case.id).in_(case_ids), col(Case.first_response_breached_at).is_(None))
    )
    logs = await _two_workers_until_done(committed_db, database_url, settings, left=unrecorded)

    breaches = await _events_per_case(committed_db, "sla_breached")
    assert breaches == dict.fromkeys(case_ids, 1)  # each breach recorded exactly once
    assert _handled(logs, "deadline_breaches") == len(case_ids)
    queue = await committed_client.get(
        "/api/v1/queues/breached?limit=200", headers=supervisor.headers
    )
    assert queue.status_code == 200, queue.text
    listed = [
        uuid.UUID(item["case_id"])
        for item in queue.json()["items"]
        if item["deadline"] == "first_response"
    ]
    assert set(case_ids) <= set(listed)
