"""Intake's round trips and what an idempotent replay may show: the statements one intake
sends (counted on the engine, so a regression fails), and a replay to a caller whose role now
sees less."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models.enums import Role
from models.user import User
from tests.conftest import Actor, access_headers
from tests.support.cases import CASES, VALID_THAI_ID, intake_body

# Ours, per intake with an Idempotency-Key and a possible duplicate: the key's claim, the
# duplicate candidates, the reference, the case row with its categories, its two events and the
# duplicate links (one statement on PostgreSQL: data-modifying CTEs; on SQLite the case row,
# then one statement per table), and the stored answer. Authentication's own statements (the
# caller's account and session) come on top and are counted separately.
INTAKE_STATEMENTS = {"postgresql": 5, "sqlite": 8}
INTAKE_TABLES = ("idempotency_keys", "cases", "case_categories", "case_events", "case_duplicates")


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every statement sent to the database while the block runs, savepoints included."""
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    sa.event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", record)


def _ours(sent: list[str]) -> list[str]:
    """The statements of intake itself (not authentication's, nor the savepoint the test
    harness wraps each request in)."""
    return [
        s
        for s in sent
        if any(table in s for table in INTAKE_TABLES) or "nextval" in s or "reference_counters" in s
    ]


def _savepoints(sent: list[str]) -> int:
    return sum(s.lstrip().upper().startswith("SAVEPOINT") for s in sent)


async def test_an_intake_takes_a_handful_of_statements(client, engine, actors) -> None:
    caseworker = actors[Role.caseworker]
    first = await client.post(CASES, json=intake_body(), headers=caseworker.headers)
    assert first.status_code == 201, first.text
    with statements(engine) as sent:
        response = await client.post(
            CASES, json=intake_body(), headers={**caseworker.headers, "Idempotency-Key": "count-1"}
        )
    assert response.status_code == 201, response.text
    assert [d["candidate_id"] for d in response.json()["possible_duplicates"]] == [
        first.json()["id"]
    ]
    ours = _ours(sent)
    assert len(ours) == INTAKE_STATEMENTS[engine.dialect.name], "\n".join(ours)
    # The test harness's own savepoint is the only one: intake adds none.
    assert _savepoints(sent) == 1, "\n".join(sent)
    # The answer is rendered from what intake holds: the new case is never read back.
    assert not any(s.lstrip().upper().startswith("SELECT cases.summary".upper()) for s in ours)


async def test_a_replay_reads_its_answer_in_the_claims_statement(client, engine, actors) -> None:
    headers = {**actors[Role.volunteer].headers, "Idempotency-Key": "count-2"}
    first = await client.post(CASES, json=intake_body(), headers=headers)
    assert first.status_code == 201, first.text
    with statements(engine) as sent:
        replay = await client.post(CASES, json=intake_body(), headers=headers)
    assert replay.content == first.content
    ours = _ours(sent)
    expected = 1 if engine.dialect.name == "postgresql" else 2  # SQLite: insert, then read
    assert len(ours) == expected, "\n".join(ours)


async def _demote(session: AsyncSession, settings: Any, actor: Actor, role: Role) -> Actor:
    user = await session.get(User, actor.user.id)
    assert user is not None
    user.role = role
    user.token_version += 1
    await session.flush()
    return Actor(user, await access_headers(session, settings, user))


async def test_a_replay_shows_no_more_than_the_callers_role_sees_now(
    client, session, settings, actors
) -> None:
    caseworker = actors[Role.caseworker]
    older = await client.post(CASES, json=intake_body(), headers=caseworker.headers)
    assert older.status_code == 201, older.text
    key = {"Idempotency-Key": "demoted-1"}
    first = await client.post(CASES, json=intake_body(), headers={**caseworker.headers, **key})
    assert first.status_code == 201, first.text
    assert first.json()["client"]["id_number"] == VALID_THAI_ID
    assert first.json()["possible_duplicates"]

    volunteer = await _demote(session, settings, caseworker, Role.volunteer)
    replay = await client.post(CASES, json=intake_body(), headers={**volunteer.headers, **key})
    assert replay.status_code == 201, replay.text
    assert replay.headers["idempotent-replayed"] == "true"
    assert VALID_THAI_ID not in replay.text
    shown = replay.json()
    read = await client.get(f"{CASES}/{shown['id']}", headers=volunteer.headers)
    assert read.status_code == 200, read.text
    assert shown["client"]["id_number"] == read.json()["client"]["id_number"] == "*********0708"
    assert shown["client"]["id_number_masked"] is True
    assert shown["possible_duplicates"] == read.json()["possible_duplicates"] == []
    assert shown["reference"] == first.json()["reference"]

    # Promoted back, the caller sees the first answer byte for byte again.
    again = await _demote(session, settings, volunteer, Role.caseworker)
    restored = await client.post(CASES, json=intake_body(), headers={**again.headers, **key})
    assert restored.content == first.content
