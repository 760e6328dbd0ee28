"""The database engine and the one-transaction-per-request session.

SQLite follows SQLAlchemy's documented recipe for working SAVEPOINTs: the driver's own
transaction handling is switched off and `BEGIN` is emitted by SQLAlchemy itself. SQLite runs in
WAL mode, so readers never wait for the writer nor the writer for readers. A request with a
write method (POST, PUT, PATCH, DELETE) takes the write lock at `BEGIN IMMEDIATE`, so writers
queue (up to the busy timeout) instead of failing half-way; any other request begins DEFERRED
and takes no lock at all. A GET that turns out to write (reading a case records a `viewed`
event) cannot always upgrade its read snapshot: SQLite refuses at once with SQLITE_BUSY when
another writer holds the lock or has committed since. Its transaction is rolled back and the
request is answered again, whole, with the write lock taken from the start
(`ReplayReadsThatWrite`); a GET is safe to repeat and nothing of the first attempt is kept.
PostgreSQL needs none of this: its row locks and MVCC do the same work. When it rolls a
transaction back to let a concurrent one go on (a deadlock, a serialisation failure), the
request is answered 503 `database-busy` with `Retry-After: 1`: nothing of it was kept.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.platform.errors import DomainError

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A pooled PostgreSQL connection idle for this long is pinged before it is used again.
IDLE_PING_SECONDS = 10.0
_IDLE_SINCE = "onestop_idle_since"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# The execution option the SQLite `begin` listener reads: take the write lock at BEGIN or not.
_WRITE_LOCK_OPTION = "onestop_write_lock"
# Set in the request's state when a GET must be answered again with the write lock.
_REPLAY_WITH_WRITE_LOCK = "replay_with_write_lock"


class DatabaseBusy(DomainError):
    """The database refused the request's transaction for the sake of a concurrent one; all of
    it was rolled back, so the same request can be sent again (`Retry-After: 1`)."""

    status, type_, title = 503, "database-busy", "The database is busy"

    def __init__(self) -> None:
        super().__init__(
            "The request met a concurrent change; send it again.",
            headers={"Retry-After": "1"},
        )


class WriteLockNeeded(DatabaseBusy):
    """A transaction begun without the write lock could not take it later (SQLite only).

    `ReplayReadsThatWrite` answers the request again instead; the 503 is what a client sees
    only if the replay is not installed.
    """


# PostgreSQL's SQLSTATEs for a transaction it rolled back to let a concurrent one go on:
# deadlock_detected (two requests each waiting for a row the other holds, e.g. two helpers
# taking each other's cases at the same instant) and serialization_failure.
REFUSED_FOR_A_CONCURRENT_TRANSACTION = frozenset({"40P01", "40001"})


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


# Each PostgreSQL connection of the service: times in UTC, and no parallel workers. A request's
# statements read a page through an index; when the planner's estimate runs high (a few cases
# with hundreds of duplicate links made it expect hundreds of rows for every case) it started
# two worker processes for a 0.4 ms query, about 4.5 ms of start-up each time, on a machine
# whose cores the other requests need.
SERVER_SETTINGS = {"timezone": "UTC", "max_parallel_workers_per_gather": "0"}


def create_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> AsyncEngine:
    """An async engine for `url`, configured for the database it points to."""
    if is_sqlite(url):
        engine = create_async_engine(
            url,
            echo=echo,
            poolclass=NullPool,
            hide_parameters=True,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        _configure_sqlite(engine)
        return engine
    engine = create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        hide_parameters=True,
        connect_args={"server_settings": SERVER_SETTINGS},
    )
    _ping_idle_connections(engine)
    return engine


def _ping_idle_connections(engine: AsyncEngine) -> None:
    """Check a pooled connection before use only when it sat idle for a while.

    SQLAlchemy's `pool_pre_ping` checks on every checkout, which with asyncpg is three round
    trips (`BEGIN`, `;`, `ROLLBACK`) before each request's own statements. A connection in
    steady use is checked by that use: if the server went away, the request that finds out
    fails, and SQLAlchemy then drops every connection pooled before it. A connection idle for
    `IDLE_PING_SECONDS` (after a quiet night, a restart or a failover) is pinged first and
    replaced if the ping fails, so the first request after a pause does not fail.
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool discards this connection and checks out another (a new one if need be).
            raise DisconnectionError("an idle pooled connection did not answer") from error


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL loses no data on a crash of the process, only (at worst) the last
        # commits on a power cut, and saves an fsync per commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(_WRITE_LOCK_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def create_sessionmaker(bind: Any) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(bind=bind, expire_on_commit=False, autoflush=False)


async def begin(session: AsyncSession, *, writing: bool) -> None:
    """Start the session's transaction; on SQLite a `writing` one takes the write lock now.

    Without it a transaction that reads and then writes can find its snapshot stale and fail.
    """
    if dialect_name(session) == "sqlite":
        await session.connection(execution_options={_WRITE_LOCK_OPTION: writing})


def _lost_write_lock(error: OperationalError) -> bool:
    """SQLITE_BUSY and its extended codes (BUSY_SNAPSHOT): another writer got there first."""
    code = getattr(error.orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


async def request_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: commit after the handler, roll back on any error.

    A domain error that must keep its writes (a failed login counted, a reused refresh token
    revoking its family) sets `keep_changes`; those are committed before the error is answered.
    """
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    state = request.scope.setdefault("state", {})
    writing = request.method in WRITE_METHODS or bool(state.get(_REPLAY_WITH_WRITE_LOCK))
    async with sessionmaker() as session:
        await begin(session, writing=writing)
        try:
            yield session
        except DomainError as error:
            if error.keep_changes:
                await session.commit()
            else:
                await session.rollback()
            raise
        except DBAPIError as error:
            await session.rollback()
            _answer_refusal(error, writing=writing, state=state)
            raise
        except BaseException:
            await session.rollback()
            raise
        else:
            try:
                await session.commit()
            except DBAPIError as error:
                await session.rollback()
                _answer_refusal(error, writing=writing, state=state)
                raise


def _answer_refusal(error: DBAPIError, *, writing: bool, state: dict[str, Any]) -> None:
    """When the database refused the transaction because of a concurrent one: a read that
    could not become a write (SQLite) is answered again; a transaction PostgreSQL rolled back
    to break a deadlock or keep serialisability is answered 503 with `Retry-After`, not 500
    (nothing of it was kept, and sending it again succeeds)."""
    if isinstance(error, OperationalError) and not writing and _lost_write_lock(error):
        state[_REPLAY_WITH_WRITE_LOCK] = True
        raise WriteLockNeeded() from error
    if getattr(error.orig, "sqlstate", None) in REFUSED_FOR_A_CONCURRENT_TRANSACTION:
        raise DatabaseBusy() from error


Session = Annotated[AsyncSession, Depends(request_session, scope="function")]


class ReplayReadsThatWrite:
    """Answers a GET again, with the write lock, when its deferred transaction lost the race.

    Installed on SQLite only. The request body (if any) is kept for the second attempt, and
    nothing of the first attempt's answer is sent.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        messages = await _read_request(receive)
        state = scope.setdefault("state", {})
        forwarded = False

        async def send_unless_replayed(message: Message) -> None:
            nonlocal forwarded
            if not state.get(_REPLAY_WITH_WRITE_LOCK):
                forwarded = True
                await send(message)

        await self.app(scope, _replaying(messages, receive), send_unless_replayed)
        if state.get(_REPLAY_WITH_WRITE_LOCK) and not forwarded:
            await self.app(scope, _replaying(messages, receive), send)


async def _read_request(receive: Receive) -> list[Message]:
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            return messages


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def next_message() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return next_message


def dialect_name(session: AsyncSession) -> str:
    """`postgresql` or `sqlite`: the few statements that differ are chosen by this."""
    bind = session.bind
    assert bind is not None, "sessions are always bound"
    return bind.dialect.name


async def insert_if_absent(session: AsyncSession, table: Any, values: dict[str, Any]) -> bool:
    """Insert a row unless its key already exists; True when this call inserted it.

    Safe under concurrency: the database, not a prior read, decides who inserts.
    """
    if dialect_name(session) == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement: Any = pg_insert(table).values(**values).on_conflict_do_nothing()
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(table).values(**values).on_conflict_do_nothing()
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0))
