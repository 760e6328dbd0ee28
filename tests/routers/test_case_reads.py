"""Reads of case content are recorded in the access log, never lock the case, and cost a fixed
handful of statements (SPEC §8; STYLE: a read never takes a write lock)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from models.access_log import CaseRead
from models.base import utcnow
from models.case import Case
from models.enums import Role
from models.events import CaseEvent
from service.cases import reading
from service.cases.access_log import verify_all_reads, verify_reads
from service.platform.crypto import audit_key
from service.platform.db import create_engine, create_sessionmaker, is_sqlite
from tests.conftest import committed_actor
from tests.support.cases import CASES, anonymous_body, create_case

_TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "BEGIN", "ROLLBACK", "COMMIT")


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements sent through `engine` inside the block (transaction control aside)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(_TRANSACTION_CONTROL):
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def _reads(session: Any, case_id: str) -> list[CaseRead]:
    query = (
        sa.select(CaseRead)
        .where(col(CaseRead.case_id) == uuid.UUID(case_id))
        .order_by(col(CaseRead.at), col(CaseRead.what))
    )
    return list((await session.execute(query)).scalars())


@pytest.mark.parametrize(("role", "expected"), [(Role.volunteer, 2), (Role.caseworker, 3)])
async def test_a_detail_read_is_a_load_and_an_insert_without_a_lock(
    client, actors, session, settings, engine, role, expected
) -> None:
    """Volunteers: the case with its names, and the read record. Staff also load the possible
    duplicates (one query)."""
    case = await create_case(client, actors[Role.volunteer].headers)
    with statements(engine) as sent:
        await reading.read_case(
            session,
            settings=settings,
            user=actors[role].user,
            case_id=uuid.UUID(case["id"]),
            now=utcnow(),
        )
    assert len(sent) == expected, sent
    assert not any("FOR UPDATE" in s.upper() or "FOR SHARE" in s.upper() for s in sent)
    writes = [s for s in sent if not s.lstrip().upper().startswith("SELECT")]
    assert len(writes) == 1 and writes[0].lstrip().upper().startswith("INSERT INTO CASE_READS")


async def test_every_read_of_content_is_recorded_and_changes_nothing(
    client, actors, session, settings
) -> None:
    volunteer, caseworker = actors[Role.volunteer], actors[Role.caseworker]
    case = await create_case(client, volunteer.headers)
    url = f"{CASES}/{case['id']}"
    await client.post(url + "/notes", json={"body": "พบแล้ว"}, headers=caseworker.headers)
    before = await session.get(Case, uuid.UUID(case["id"]), populate_existing=True)
    assert before is not None
    version, events = before.version, before.event_count
    for path in ("", "/notes", "/timeline"):
        assert (await client.get(url + path, headers=volunteer.headers)).status_code == 200
    stranger = await client.get(url + "/notes", headers=actors[Role.agency].headers)
    assert stranger.status_code in (403, 404)

    reads = await _reads(session, case["id"])
    assert sorted((r.reader_id, r.what.value) for r in reads) == sorted(
        [
            (volunteer.user.id, "detail"),
            (volunteer.user.id, "notes"),
            (volunteer.user.id, "timeline"),
        ]
    )
    assert verify_reads(audit_key(settings.data_key), reads) == []
    after = await session.get(Case, uuid.UUID(case["id"]), populate_existing=True)
    assert after is not None
    assert (after.version, after.event_count) == (version, events)


async def test_an_edited_read_record_is_found(client, actors, session, settings) -> None:
    volunteer = actors[Role.volunteer]
    case = await create_case(client, volunteer.headers)
    for _ in range(2):
        await client.get(f"{CASES}/{case['id']}", headers=volunteer.headers)
    first, second = await _reads(session, case["id"])
    await session.execute(
        sa.update(CaseRead)
        .where(col(CaseRead.id) == second.id)
        .values(reader_id=actors[Role.caseworker].user.id)
    )
    checked, problems = await verify_all_reads(session, secret=settings.data_key)
    assert checked >= 2
    assert [(p.read_id, p.case_id) for p in problems] == [(second.id, second.case_id)]
    _, with_another_key = await verify_all_reads(session, secret="another-key-" + "k" * 32)
    assert {p.read_id for p in with_another_key} >= {first.id, second.id}


async def test_concurrent_detail_reads_never_wait_for_a_lock_on_the_case(
    committed_client, committed_db, settings, database_url
) -> None:
    """20 reads at once, while another transaction holds the case row FOR UPDATE (PostgreSQL;
    SQLite has no row locks, so there the reads race each other and the intakes' writer)."""
    reader = await committed_actor(committed_db, settings, Role.caseworker)
    case = await create_case(committed_client, reader.headers, anonymous_body())
    url = f"{CASES}/{case['id']}"
    holder = create_engine(database_url)
    try:
        async with holder.connect() as connection:
            transaction = await connection.begin()
            if not is_sqlite(database_url):
                await connection.execute(
                    sa.select(Case.id)  # type: ignore[call-overload]
                    .where(col(Case.id) == uuid.UUID(case["id"]))
                    .with_for_update()
                )
            answers = await asyncio.wait_for(
                asyncio.gather(
                    *(committed_client.get(url, headers=reader.headers) for _ in range(20))
                ),
                timeout=20,
            )
            await transaction.rollback()
    finally:
        await holder.dispose()
    assert [a.status_code for a in answers] == [200] * 20, [a.text for a in answers]
    async with create_sessionmaker(committed_db)() as session:
        reads = await _reads(session, case["id"])
        events = await session.scalar(
            sa.select(sa.func.count())
            .select_from(CaseEvent)
            .where(col(CaseEvent.case_id) == uuid.UUID(case["id"]))
        )
    assert len(reads) == 20
    assert {r.what.value for r in reads} == {"detail"}
    assert events == 1  # `created`: reads are not case events
    assert verify_reads(audit_key(settings.data_key), reads) == []
