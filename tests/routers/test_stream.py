"""Live updates over a real socket: a server (`onestop serve`) on a free loopback port, an
httpx streaming client, real commits.

A new case reported through another request arrives on a supervisor's stream and on its
reporter's, never on another volunteer's; `Last-Event-ID` resumes with what was missed; a
restricted case's messages reach supervisors only, live and on resume; a rolled-back change
announces nothing; the stream ends when its access token expires; an
account holds a bounded number of streams; on PostgreSQL a change committed through one
server process arrives on a stream held by another.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from models.base import utcnow
from models.enums import CaseEventType, Role
from models.events import CaseEvent
from models.stream import StreamMessage
from models.user import RefreshFamily, User
from service.platform.db import is_sqlite
from service.stream.broker import MAX_STREAMS_PER_USER
from tests.conftest import (
    LiveServer,
    create_user,
    make_settings,
    start_server,
    stop_server,
    wipe_database_blocking,
    wipe_tables,
)
from tests.support.cases import CASES, anonymous_body
from tests.support.streams import expiring_bearer

pytestmark = pytest.mark.slow

STREAM = "/api/v1/stream"
# The secret `start_server` gives the server, so tokens can be signed here.
LIVE_SETTINGS = make_settings(jwt_secret="live-server-jwt-secret-" + "z" * 32)
WAIT = 15.0


@dataclass
class People:
    volunteer: User
    other_volunteer: User
    supervisor: User
    caseworker: User


@pytest.fixture(scope="module")
async def people(engine: AsyncEngine) -> People:
    await wipe_tables(engine)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        found = People(
            volunteer=await create_user(session, Role.volunteer),
            other_volunteer=await create_user(session, Role.volunteer),
            supervisor=await create_user(session, Role.supervisor),
            caseworker=await create_user(session, Role.caseworker),
        )
        await session.commit()
    return found


@pytest.fixture(scope="module")
def server(people: People, database_url: str) -> Iterator[LiveServer]:
    server = start_server(database_url, ONESTOP_JOBS_IN_SERVER="false")
    try:
        yield server
    finally:
        stop_server(server)
        wipe_database_blocking(database_url)


async def headers_for(
    engine: AsyncEngine, user: User, *, seconds_left: float | None = None
) -> dict[str, str]:
    """A bearer token the live server accepts, in a new login session; `seconds_left` makes
    one that expires sooner than usual."""
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        family = RefreshFamily(user_id=user.id, created_at=utcnow())
        session.add(family)
        await session.commit()
    if seconds_left is None:
        seconds_left = LIVE_SETTINGS.access_token_minutes * 60
    bearer = expiring_bearer(
        LIVE_SETTINGS,
        subject=user.id,
        version=user.token_version,
        family_id=family.id,
        seconds_left=seconds_left,
    )
    return {"Authorization": bearer}


class Stream:
    """The server-sent events of one open response, one block at a time."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.aiter_lines()

    async def next(self) -> dict[str, Any]:
        """The next event with a name or data (comments and pings skipped)."""
        return await asyncio.wait_for(self._next_event(), WAIT)

    async def _next_event(self) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        async for line in self._lines:
            if line == "":
                if "event" in fields or "data" in fields:
                    if "data" in fields:
                        fields["data"] = json.loads(fields["data"])
                    return fields
                fields = {}
                continue
            name, _, value = line.partition(":")
            if name:
                fields[name] = value.removeprefix(" ")
        raise EOFError("the stream ended")

    async def next_case(self) -> dict[str, Any]:
        """The next case message's data."""
        event = await self.next()
        assert event["event"] in {t.value for t in CaseEventType}, event
        assert event["id"] == str(event["data"]["id"])
        return dict(event["data"])


@asynccontextmanager
async def open_stream(
    base_url: str, headers: dict[str, str], last_event_id: int | None = None
) -> AsyncIterator[Stream]:
    extra = {"Last-Event-ID": str(last_event_id)} if last_event_id is not None else {}
    timeout = httpx.Timeout(30, read=None)
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=timeout) as client,
        client.stream("GET", STREAM, headers={**headers, **extra}) as response,
    ):
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        yield Stream(response)


async def report(base_url: str, headers: dict[str, str]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        response = await client.post(CASES, json=anonymous_body(), headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_a_new_case_reaches_staff_and_its_reporter_but_no_other_volunteer(
    server: LiveServer, people: People, engine: AsyncEngine
) -> None:
    volunteer = await headers_for(engine, people.volunteer)
    other = await headers_for(engine, people.other_volunteer)
    supervisor = await headers_for(engine, people.supervisor)
    async with (
        open_stream(server.base_url, supervisor) as staff_stream,
        open_stream(server.base_url, volunteer) as own_stream,
        open_stream(server.base_url, other) as other_stream,
    ):
        case = await report(server.base_url, volunteer)
        for stream in (staff_stream, own_stream):
            message = await stream.next_case()
            assert message["type"] == "created"
            assert (message["case_id"], message["case_reference"]) == (
                case["id"],
                case["reference"],
            )
            assert message["urgency"] == case["urgency"]
            # Thin: ids, reference and urgency; nothing about the person.
            assert set(message) == {
                "id",
                "type",
                "case_id",
                "case_reference",
                "urgency",
                "occurred_at",
                "offer_id",
                "user_id",
                "referral_id",
                "organization_id",
            }
        # The other volunteer's next message is their own case: the first never came.
        own_case = await report(server.base_url, other)
        assert (await other_stream.next_case())["case_id"] == own_case["id"]
        assert (await staff_stream.next_case())["case_id"] == own_case["id"]


async def test_last_event_id_resumes_with_what_was_missed(
    server: LiveServer, people: People, engine: AsyncEngine
) -> None:
    volunteer = await headers_for(engine, people.volunteer)
    supervisor = await headers_for(engine, people.supervisor)
    async with open_stream(server.base_url, supervisor) as stream:
        first = await report(server.base_url, volunteer)
        seen = await stream.next_case()
        assert seen["case_id"] == first["id"]
    missed = [await report(server.base_url, volunteer) for _ in range(2)]
    async with open_stream(server.base_url, supervisor, last_event_id=seen["id"]) as stream:
        replayed = [await stream.next_case() for _ in missed]
        assert [m["case_id"] for m in replayed] == [c["id"] for c in missed]
        assert seen["id"] < replayed[0]["id"] < replayed[1]["id"]
        live = await report(server.base_url, volunteer)
        assert (await stream.next_case())["case_id"] == live["id"]
    async with open_stream(server.base_url, supervisor, last_event_id=10**15) as stream:
        event = await stream.next()
        assert (event["event"], event["data"]) == ("reload", {"reason": "history_gone"})


async def add_escalation(engine: AsyncEngine, case_id: str) -> None:
    """An announced event on the case, committed (as the worker's escalation would be)."""
    async with engine.begin() as connection:
        await connection.execute(
            sa.insert(CaseEvent).values(
                id=uuid.uuid4(),
                case_id=uuid.UUID(case_id),
                seq=99,
                type=CaseEventType.escalated,
                occurred_at=utcnow(),
                changes={},
                data={},
                hash="x",
            )
        )


async def test_a_restricted_cases_messages_reach_supervisors_only(
    server: LiveServer, people: People, engine: AsyncEngine
) -> None:
    volunteer = await headers_for(engine, people.volunteer)
    caseworker = await headers_for(engine, people.caseworker)
    supervisor = await headers_for(engine, people.supervisor)
    async with (
        open_stream(server.base_url, supervisor) as supervisor_stream,
        open_stream(server.base_url, caseworker) as caseworker_stream,
    ):
        earlier = await report(server.base_url, volunteer)
        case = await report(server.base_url, volunteer)
        for stream in (supervisor_stream, caseworker_stream):
            assert [(await stream.next_case())["case_id"] for _ in range(2)] == [
                earlier["id"],
                case["id"],
            ]
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
            restricted = await client.post(
                f"{CASES}/{case['id']}/restriction",
                json={"basis": "objection", "reason": "ผู้รับบริการคัดค้าน"},
                headers=supervisor,
            )
        assert restricted.status_code == 200, restricted.text
        await add_escalation(engine, case["id"])
        later = await report(server.base_url, volunteer)
        escalated = await supervisor_stream.next_case()
        assert (escalated["type"], escalated["case_id"]) == ("escalated", case["id"])
        assert (await supervisor_stream.next_case())["case_id"] == later["id"]
        # The caseworker's next message is the later case: the escalation never came.
        assert (await caseworker_stream.next_case())["case_id"] == later["id"]
    async with engine.connect() as connection:
        resume_from = await connection.scalar(
            sa.select(StreamMessage.id).where(StreamMessage.case_id == uuid.UUID(earlier["id"]))  # type: ignore[call-overload]
        )
    # A resume replays the restricted case, created before its restriction, to supervisors only.
    async with open_stream(server.base_url, supervisor, last_event_id=resume_from) as stream:
        replayed = [await stream.next_case() for _ in range(3)]
        assert [(m["type"], m["case_id"]) for m in replayed] == [
            ("created", case["id"]),
            ("escalated", case["id"]),
            ("created", later["id"]),
        ]
    async with open_stream(server.base_url, caseworker, last_event_id=resume_from) as stream:
        assert (await stream.next_case())["case_id"] == later["id"]
        live = await report(server.base_url, volunteer)
        assert (await stream.next_case())["case_id"] == live["id"]


async def test_a_rolled_back_change_announces_nothing(
    server: LiveServer, people: People, engine: AsyncEngine
) -> None:
    volunteer = await headers_for(engine, people.volunteer)
    supervisor = await headers_for(engine, people.supervisor)
    case = await report(server.base_url, volunteer)
    async with open_stream(server.base_url, supervisor) as stream:
        event_id = uuid.uuid4()
        async with engine.connect() as connection:
            transaction = await connection.begin()
            await connection.execute(
                sa.insert(CaseEvent).values(
                    id=event_id,
                    case_id=uuid.UUID(case["id"]),
                    seq=99,
                    type=CaseEventType.escalated,
                    occurred_at=utcnow(),
                    changes={},
                    data={},
                    hash="x",
                )
            )
            if not is_sqlite(str(engine.url)):
                # Runs the commit-time trigger (and its NOTIFY) now, before the rollback.
                await connection.execute(sa.text("SET CONSTRAINTS ALL IMMEDIATE"))
            await transaction.rollback()
        after = await report(server.base_url, volunteer)
        message = await stream.next_case()
        if (message["type"], message["case_id"]) == ("created", case["id"]):
            # On SQLite the feed looks for new rows every 2 s: the first case's own message may
            # reach a stream opened just after it was made. The rolled-back event never does.
            message = await stream.next_case()
        assert (message["type"], message["case_id"]) == ("created", after["id"])
    async with engine.connect() as connection:
        logged = await connection.scalar(
            sa.select(sa.func.count()).where(StreamMessage.event_id == event_id)  # type: ignore[arg-type]
        )
    assert logged == 0


async def test_the_stream_ends_when_its_access_token_expires(
    server: LiveServer, people: People, engine: AsyncEngine
) -> None:
    short = await headers_for(engine, people.supervisor, seconds_left=3)
    async with open_stream(server.base_url, short) as stream:
        event = await stream.next()
        assert (event["event"], event["data"]) == ("end", {"reason": "token_expired"})
        with pytest.raises(EOFError):
            await stream.next()


async def test_an_account_holds_a_bounded_number_of_streams(
    server: LiveServer, people: People, engine: AsyncEngine
) -> None:
    supervisor = await headers_for(engine, people.supervisor)
    async with open_stream(server.base_url, supervisor) as first:
        streams = [
            open_stream(server.base_url, supervisor) for _ in range(MAX_STREAMS_PER_USER - 1)
        ]
        opened = [await s.__aenter__() for s in streams]
        try:
            async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
                refused = await client.get(STREAM, headers=supervisor)
            assert refused.status_code == 429
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.headers["retry-after"]
        finally:
            for stream in reversed(streams):
                await stream.__aexit__(None, None, None)
        assert opened and first
    # Closed streams give their room back.
    async with open_stream(server.base_url, supervisor):
        pass


async def test_a_change_through_one_process_reaches_a_stream_on_another(
    server: LiveServer, people: People, engine: AsyncEngine, database_url: str
) -> None:
    if is_sqlite(database_url):
        pytest.skip("SQLite serves from one process; PostgreSQL fans out across processes")
    other_server = start_server(database_url, ONESTOP_JOBS_IN_SERVER="false")
    try:
        volunteer = await headers_for(engine, people.volunteer)
        supervisor = await headers_for(engine, people.supervisor)
        async with (
            open_stream(other_server.base_url, supervisor) as far,
            open_stream(server.base_url, supervisor) as near,
        ):
            case = await report(server.base_url, volunteer)
            assert (await far.next_case())["case_id"] == case["id"]
            assert (await near.next_case())["case_id"] == case["id"]
    finally:
        stop_server(other_server)
