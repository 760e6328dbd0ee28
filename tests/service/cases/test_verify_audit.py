"""`onestop verify-audit` on a real database: intact chains pass, tampered ones are named."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from models.access_log import CaseRead
from models.case import Case
from models.enums import CaseEventType, Role
from models.events import CaseEvent
from service.platform.db import create_sessionmaker
from service.platform.settings import Settings
from tests.conftest import Actor, access_headers, create_user, run_cli
from tests.support.cases import CASES, create_case

pytestmark = pytest.mark.slow

EVENTS = CaseEvent.__table__  # type: ignore[attr-defined]
Tamper = Callable[[AsyncConnection, uuid.UUID], Awaitable[None]]


async def _actor(engine: AsyncEngine, settings: Settings, role: Role) -> Actor:
    async with create_sessionmaker(engine)() as session:
        user = await create_user(session, role)
        headers = await access_headers(session, settings, user)
        await session.commit()
    return Actor(user, headers)


async def _case_with_history(client: httpx.AsyncClient, actor: Actor) -> uuid.UUID:
    """A case with five events: created, updated, screened, note_added, note_added.

    Reads are not events (they go to the access log), so the history is made of changes."""
    case = await create_case(client, actor.headers)
    url = f"{CASES}/{case['id']}"
    updated = await client.patch(
        url, json={"summary": "ติดตามแล้ว"}, headers={**actor.headers, "If-Match": '"1"'}
    )
    assert updated.status_code == 200, updated.text
    screened = await client.post(
        url + "/transitions",
        json={"to": "screened", "urgency": "normal"},
        headers={**actor.headers, "If-Match": updated.headers["etag"]},
    )
    assert screened.status_code == 200, screened.text
    for body in ("โทรติดตาม", "นัดเยี่ยมบ้าน"):
        note = await client.post(url + "/notes", json={"body": body}, headers=actor.headers)
        assert note.status_code == 201, note.text
    return uuid.UUID(case["id"])


@pytest.fixture
async def cases(committed_client, committed_db, settings) -> list[uuid.UUID]:
    """Three cases of five events each, committed through the API."""
    caseworker = await _actor(committed_db, settings, Role.caseworker)
    return [await _case_with_history(committed_client, caseworker) for _ in range(3)]


async def _verify(database_url: str, settings: Settings) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        run_cli, database_url, "verify-audit", ONESTOP_DATA_KEY=settings.data_key
    )


async def _event_count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(sa.select(sa.func.count()).select_from(EVENTS)) or 0)


def _problems(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("case ")]


def _at(case_id: uuid.UUID, seq: int) -> Any:
    return sa.and_(EVENTS.c.case_id == case_id, EVENTS.c.seq == seq)


async def test_intact_chains_pass(cases, committed_db, database_url, settings) -> None:
    result = await _verify(database_url, settings)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked 3 cases and 15 events" in result.stdout
    assert _problems(result) == []
    assert await _event_count(committed_db) == 15  # verifying is not itself recorded


async def test_another_key_fails_every_case(cases, database_url) -> None:
    result = await asyncio.to_thread(
        run_cli, database_url, "verify-audit", ONESTOP_DATA_KEY="another-data-key-" + "q" * 32
    )
    assert result.returncode == 1
    assert {line.split()[1] for line in _problems(result)} == {str(c) for c in cases}


async def _edit_data(connection: AsyncConnection, case_id: uuid.UUID) -> None:
    await connection.execute(
        sa.update(EVENTS).where(_at(case_id, 3)).values(data={"reason": "forged"})
    )


async def _edit_type(connection: AsyncConnection, case_id: uuid.UUID) -> None:
    await connection.execute(
        sa.update(EVENTS).where(_at(case_id, 3)).values(type=CaseEventType.exported)
    )


@pytest.mark.parametrize("tamper", [_edit_data, _edit_type])
async def test_an_edited_event_is_named(
    cases, committed_db, database_url, settings, tamper: Tamper
) -> None:
    target = cases[1]
    async with committed_db.begin() as connection:
        await tamper(connection, target)
    result = await _verify(database_url, settings)
    assert result.returncode == 1, result.stdout
    assert _problems(result) == [f"case {target} event 3: content does not match its hash"]
    assert "checked 3 cases and 15 events" in result.stdout


async def test_a_deleted_middle_event_is_found(cases, committed_db, database_url, settings) -> None:
    target = cases[0]
    async with committed_db.begin() as connection:
        await connection.execute(sa.delete(EVENTS).where(_at(target, 3)))
    result = await _verify(database_url, settings)
    assert result.returncode == 1
    problems = _problems(result)
    assert f"case {target} event 4: expected event 3: missing or reordered" in problems
    assert all(line.startswith(f"case {target} ") for line in problems)


async def test_a_deleted_last_event_is_found_through_the_case(
    cases, committed_db, database_url, settings
) -> None:
    target = cases[2]
    async with committed_db.begin() as connection:
        await connection.execute(sa.delete(EVENTS).where(_at(target, 5)))
    result = await _verify(database_url, settings)
    assert result.returncode == 1
    assert _problems(result) == [
        f"case {target} event -: case expects 5 events; the chain ends early or late"
    ]


async def test_swapped_events_are_found(cases, committed_db, database_url, settings) -> None:
    target = cases[1]
    async with committed_db.begin() as connection:
        # Through a free number, as the (case, seq) pair is unique.
        await connection.execute(sa.update(EVENTS).where(_at(target, 2)).values(seq=-1))
        await connection.execute(sa.update(EVENTS).where(_at(target, 3)).values(seq=2))
        await connection.execute(sa.update(EVENTS).where(_at(target, -1)).values(seq=3))
    result = await _verify(database_url, settings)
    assert result.returncode == 1
    problems = _problems(result)
    assert f"case {target} event 2: link to the previous event is broken" in problems
    assert f"case {target} event 3: content does not match its hash" in problems
    assert all(line.startswith(f"case {target} ") for line in problems)


CASES_TABLE = Case.__table__  # type: ignore[attr-defined]
ANCHOR_PROBLEM = "the anchor does not match the case's count and last hash"


async def _case_row(connection: AsyncConnection, case_id: uuid.UUID) -> Any:
    query = sa.select(CASES_TABLE).where(CASES_TABLE.c.id == case_id)
    return (await connection.execute(query)).one()


async def test_a_deleted_tail_with_a_rewound_case_row_is_found(
    cases, committed_db, database_url, settings
) -> None:
    target = cases[0]
    async with committed_db.begin() as connection:
        third = await connection.scalar(sa.select(EVENTS.c.hash).where(_at(target, 3)))
        await connection.execute(
            sa.delete(EVENTS).where(EVENTS.c.case_id == target, EVENTS.c.seq > 3)
        )
        await connection.execute(
            sa.update(CASES_TABLE)
            .where(CASES_TABLE.c.id == target)
            .values(event_count=3, last_event_hash=third)
        )
    result = await _verify(database_url, settings)
    assert result.returncode == 1
    assert _problems(result) == [f"case {target} event -: {ANCHOR_PROBLEM}"]


async def test_every_event_deleted_is_found(cases, committed_db, database_url, settings) -> None:
    target = cases[1]
    async with committed_db.begin() as connection:
        await connection.execute(sa.delete(EVENTS).where(EVENTS.c.case_id == target))
        await connection.execute(
            sa.update(CASES_TABLE)
            .where(CASES_TABLE.c.id == target)
            .values(event_count=0, last_event_hash=None)
        )
    result = await _verify(database_url, settings)
    assert result.returncode == 1
    assert _problems(result) == [
        f"case {target} event -: the case has no events",
        f"case {target} event -: {ANCHOR_PROBLEM}",
    ]


async def test_a_changed_or_removed_anchor_is_found(
    cases, committed_db, database_url, settings
) -> None:
    changed, removed = cases[0], cases[2]
    async with committed_db.begin() as connection:
        other = (await _case_row(connection, cases[1])).chain_anchor
        await connection.execute(
            sa.update(CASES_TABLE).where(CASES_TABLE.c.id == changed).values(chain_anchor=other)
        )
        await connection.execute(
            sa.update(CASES_TABLE).where(CASES_TABLE.c.id == removed).values(chain_anchor=None)
        )
    result = await _verify(database_url, settings)
    assert result.returncode == 1
    assert sorted(_problems(result)) == sorted(
        [
            f"case {changed} event -: {ANCHOR_PROBLEM}",
            f"case {removed} event -: the case has no anchor",
        ]
    )


READS = CaseRead.__table__  # type: ignore[attr-defined]


async def test_read_records_are_checked_and_an_altered_one_is_named(
    cases, committed_client, committed_db, database_url, settings
) -> None:
    """Reads go to the access log; `verify-audit` checks each record's keyed hash too."""
    reader = await _actor(committed_db, settings, Role.supervisor)
    for case_id in cases:
        answer = await committed_client.get(f"{CASES}/{case_id}", headers=reader.headers)
        assert answer.status_code == 200, answer.text
    intact = await _verify(database_url, settings)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "checked 3 read records" in intact.stdout

    async with committed_db.begin() as connection:
        target = (await connection.execute(sa.select(READS.c.id, READS.c.case_id).limit(1))).one()
        # Who read it is rewritten: the record no longer matches its hash.
        await connection.execute(
            sa.update(READS).where(READS.c.id == target.id).values(reader_id=uuid.uuid4())
        )
    result = await _verify(database_url, settings)
    assert result.returncode == 1
    assert f"read {target.id} of case {target.case_id}: altered" in result.stdout
