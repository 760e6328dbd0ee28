"""Transactions on SQLite: WAL mode, reads without the write lock, writers that never fail.

Each test also runs on PostgreSQL, where the same promises hold through MVCC and row locks,
except the first, which checks SQLite's own settings.
"""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from models.access_log import CaseRead
from models.case import Case
from models.enums import Role
from models.events import CaseEvent
from models.user import User
from service.cases.events import audit_key, verify_chain
from service.platform import db
from service.platform.db import create_sessionmaker, is_sqlite
from service.platform.errors import install_error_handlers
from tests.conftest import committed_actor
from tests.support.cases import CASES, anonymous_body, create_case


async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(
    engine: AsyncEngine, database_url
) -> None:
    if not is_sqlite(database_url):
        pytest.skip("SQLite's journal settings; PostgreSQL has its own write-ahead log.")
    async with engine.connect() as connection:
        journal = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar_one()
        synchronous = (await connection.exec_driver_sql("PRAGMA synchronous")).scalar_one()
        busy_timeout = (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar_one()
    assert (journal, synchronous, busy_timeout) == ("wal", 1, 30_000)  # 1 is NORMAL


async def test_a_read_answers_while_a_writer_holds_the_lock(
    committed_client, committed_db, settings
) -> None:
    caseworker = await committed_actor(committed_db, settings, Role.caseworker)
    await create_case(committed_client, caseworker.headers)
    async with committed_db.connect() as writer:
        transaction = await writer.begin()
        # A write in an open transaction: SQLite's one write lock is now taken.
        await writer.execute(
            sa.update(User)
            .where(User.id == caseworker.user.id)  # type: ignore[arg-type]
            .values(display_name="Renamed in a transaction not yet committed")
        )
        listed = await asyncio.wait_for(
            committed_client.get(CASES, headers=caseworker.headers), timeout=5
        )
        mine = await asyncio.wait_for(
            committed_client.get("/api/v1/users/me", headers=caseworker.headers), timeout=5
        )
        await transaction.rollback()
    assert listed.status_code == 200, listed.text
    assert len(listed.json()["items"]) == 1
    assert mine.status_code == 200, mine.text


async def test_case_reads_alongside_intakes_all_succeed(
    committed_client, committed_db, settings
) -> None:
    caseworker = await committed_actor(committed_db, settings, Role.caseworker)
    volunteer = await committed_actor(committed_db, settings, Role.volunteer)
    case = await create_case(committed_client, caseworker.headers)
    detail = f"{CASES}/{case['id']}"
    requests = []
    for _ in range(16):
        # Each read of a case's detail appends a read record: a GET that writes.
        requests.append(committed_client.get(detail, headers=caseworker.headers))
        requests.append(
            committed_client.post(CASES, json=anonymous_body(), headers=volunteer.headers)
        )
    answers = await asyncio.gather(*requests)
    assert [a.status_code for a in answers] == [200, 201] * 16, [
        a.text for a in answers if a.status_code >= 300
    ]
    async with create_sessionmaker(committed_db)() as session:
        stored = await session.get(Case, uuid.UUID(case["id"]))
        assert stored is not None
        events = list(
            (
                await session.execute(
                    sa.select(CaseEvent)
                    .where(CaseEvent.case_id == stored.id)  # type: ignore[arg-type]
                    .order_by(CaseEvent.seq)  # type: ignore[arg-type]
                )
            ).scalars()
        )
        cases = await session.scalar(sa.select(sa.func.count()).select_from(Case))
        reads = await session.scalar(
            sa.select(sa.func.count()).select_from(CaseRead).where(CaseRead.case_id == stored.id)  # type: ignore[arg-type]
        )
    assert cases == 17
    assert [e.type.value for e in events] == ["created"]
    assert reads == 16
    problems = verify_chain(
        audit_key(settings.data_key),
        case_id=stored.id,
        events=events,
        anchor_count=stored.event_count,
        anchor_hash=stored.last_event_hash,
    )
    assert problems == []


async def test_an_idle_pooled_connection_that_died_is_replaced_before_use(
    database_url, monkeypatch
) -> None:
    if is_sqlite(database_url):
        pytest.skip("PostgreSQL's pool: SQLite opens a connection per use.")
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
    engine = db.create_engine(database_url, pool_size=1)
    other = db.create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            pid = await connection.scalar(sa.text("SELECT pg_backend_pid()"))
        async with other.connect() as connection:
            await connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await asyncio.sleep(0.1)
        async with engine.connect() as connection:
            assert await connection.scalar(sa.text("SELECT pg_backend_pid()")) != pid
    finally:
        await engine.dispose()
        await other.dispose()


async def test_a_request_refused_to_break_a_deadlock_is_answered_503_and_keeps_nothing(
    committed_db, settings, database_url
) -> None:
    """Two transactions each wait for a row the other holds (as two helpers taking each
    other's cases at the same instant can): PostgreSQL rolls the request's back, and the
    caller is told to send it again, not that the server failed."""
    if is_sqlite(database_url):
        pytest.skip("SQLite has one writer at a time: its transactions never deadlock.")
    first = await committed_actor(committed_db, settings, Role.caseworker)
    second = await committed_actor(committed_db, settings, Role.caseworker)
    holds_first, holds_second = asyncio.Event(), asyncio.Event()

    def rename(user_id: uuid.UUID, name: str) -> sa.Update:
        return sa.update(User).where(User.id == user_id).values(display_name=name)  # type: ignore[arg-type]

    app = FastAPI()
    app.state.sessionmaker = create_sessionmaker(committed_db)
    install_error_handlers(app)

    @app.post("/both")
    async def rename_both(session: db.Session) -> dict[str, str]:
        # This transaction's wait is the one checked first, so it is the one refused.
        await session.execute(sa.text("SET LOCAL deadlock_timeout = '100ms'"))
        await asyncio.wait_for(holds_second.wait(), timeout=10)
        await session.execute(rename(first.user.id, "Renamed by the request"))
        holds_first.set()
        await session.execute(rename(second.user.id, "Renamed by the request"))
        return {"renamed": "both"}

    async def the_other_transaction() -> None:
        async with committed_db.connect() as other:
            transaction = await other.begin()
            await other.execute(sa.text("SET LOCAL deadlock_timeout = '10s'"))
            await other.execute(rename(second.user.id, "Renamed by the other"))
            holds_second.set()
            await asyncio.wait_for(holds_first.wait(), timeout=10)
            # Waits for the request's row: a deadlock, which PostgreSQL breaks by refusing
            # the request; this one then goes on.
            await other.execute(rename(first.user.id, "Renamed by the other"))
            await transaction.rollback()

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        answer, _ = await asyncio.wait_for(
            asyncio.gather(client.post("/both"), the_other_transaction()), timeout=30
        )

    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.headers["retry-after"] == "1"
    assert answer.json()["type"].endswith("/database-busy")
    async with committed_db.connect() as connection:
        names = (
            await connection.execute(
                sa.select(User.display_name).where(
                    User.id.in_([first.user.id, second.user.id])  # type: ignore[attr-defined]
                )
            )
        ).scalars()
        assert "Renamed by the request" not in set(names)
