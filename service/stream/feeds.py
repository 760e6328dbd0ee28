"""Where a process's messages come from: one `LISTEN` connection per process on PostgreSQL,
the log itself on SQLite.

PostgreSQL: the trigger of migration `0017_stream` sends each message with `pg_notify` when
its transaction commits, so a rolled-back change announces nothing, and every serving process
hears every message once on its own dedicated connection (not one per client). When that
connection is lost, the open streams end (`interrupted`); their clients reconnect and resume
from the log, so nothing sent meanwhile is lost.

SQLite: the trigger writes the log row in the writing transaction; after a commit that wrote
an announced event, a session hook wakes the process's feed, which reads the new rows. The
feed also looks every `POLL_SECONDS`, for changes made by another process (the `onestop`
command).

Both feeds forget log rows older than `log.RETENTION` every `PRUNE_SECONDS`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from typing import Any, Protocol

import asyncpg
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session as SyncSession

from models.base import utcnow
from models.events import CaseEvent
from models.stream import StreamMessage
from service.platform.db import is_sqlite
from service.stream import log as stream_log
from service.stream.broker import Broker
from service.stream.messages import ANNOUNCED, CHANNEL, notification_message

logger = logging.getLogger("onestop.stream")

PRUNE_SECONDS = 60.0
POLL_SECONDS = 2.0
KEEPALIVE_SECONDS = 30.0
RECONNECT_SECONDS = 1.0
READ_BATCH = 500


class Feed(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


def feed_for(
    broker: Broker, *, database_url: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> Feed:
    """The feed that suits the database."""
    if is_sqlite(database_url):
        return LogFeed(broker, sessionmaker=sessionmaker)
    return NotificationFeed(broker, database_url=database_url, sessionmaker=sessionmaker)


class _Pruning:
    """Forgets old log rows now and then; several processes doing it at once is harmless."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._next = 0.0

    async def maybe(self) -> None:
        if time.monotonic() < self._next:
            return
        self._next = time.monotonic() + PRUNE_SECONDS
        try:
            async with self._sessionmaker() as session, session.begin():
                await stream_log.prune(session, now=utcnow())
        except Exception:
            logger.exception("could not prune the stream log")


class NotificationFeed:
    """`LISTEN onestop_stream` on a connection of its own (PostgreSQL)."""

    def __init__(
        self,
        broker: Broker,
        *,
        database_url: str,
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        self._broker = broker
        url = make_url(database_url).set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._pruning = _Pruning(sessionmaker)
        self._listening = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start listening; waits (briefly) for the first connection."""
        self._task = asyncio.create_task(self._run(), name="stream-listener")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), timeout=10)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _on_notification(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            message = notification_message(payload)
        except (ValueError, KeyError):
            logger.warning("ignored a malformed stream notification")
            return
        self._broker.publish(message)

    async def _run(self) -> None:
        while True:
            try:
                connection = await asyncpg.connect(self._dsn)
            except (OSError, asyncpg.PostgresError):
                logger.warning("stream listener could not connect; retrying")
                await asyncio.sleep(RECONNECT_SECONDS)
                continue
            try:
                await self._listen(connection)
            except (OSError, asyncpg.PostgresError, TimeoutError):
                logger.warning("stream listener lost its connection; streams end and resume")
            finally:
                self._listening.clear()
                self._broker.interrupt()
                with contextlib.suppress(Exception):
                    await connection.close(timeout=2)
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen(self, connection: asyncpg.Connection) -> None:
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        await connection.add_listener(CHANNEL, self._on_notification)
        self._listening.set()
        logger.info("stream listener is listening")
        while not lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), timeout=KEEPALIVE_SECONDS)
            if not lost.is_set():
                # A silent network failure shows only when the connection is used.
                await connection.fetchval("SELECT 1", timeout=10)
                await self._pruning.maybe()


# ------------------------------------------------------------------------------ SQLite

_LOG_FEEDS: weakref.WeakSet[LogFeed] = weakref.WeakSet()
_ANNOUNCES = "onestop_stream_announces"
_hooks_installed = False


def _install_commit_hooks() -> None:
    """Wake the log feeds after a commit that wrote an announced event (SQLite only)."""
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True

    @event.listens_for(SyncSession, "after_flush")
    def _after_flush(session: SyncSession, _context: Any) -> None:
        if any(
            (isinstance(o, CaseEvent) and o.type in ANNOUNCED) or isinstance(o, StreamMessage)
            for o in session.new
        ):
            session.info[_ANNOUNCES] = True

    @event.listens_for(SyncSession, "after_commit")
    def _after_commit(session: SyncSession) -> None:
        if session.info.pop(_ANNOUNCES, False):
            for feed in list(_LOG_FEEDS):
                feed.wake()

    @event.listens_for(SyncSession, "after_soft_rollback")
    def _after_rollback(session: SyncSession, _previous: Any) -> None:
        session.info.pop(_ANNOUNCES, None)


class LogFeed:
    """Reads new log rows after each announcing commit of this process, and every
    `POLL_SECONDS` (SQLite)."""

    def __init__(self, broker: Broker, *, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._broker = broker
        self._sessionmaker = sessionmaker
        self._pruning = _Pruning(sessionmaker)
        self._wake = asyncio.Event()
        self._cursor = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        async with self._sessionmaker() as session:
            self._cursor = await stream_log.last_message_id(session)
        self._loop = asyncio.get_running_loop()
        _install_commit_hooks()
        _LOG_FEEDS.add(self)
        self._task = asyncio.create_task(self._run(), name="stream-log-feed")

    async def stop(self) -> None:
        _LOG_FEEDS.discard(self)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def wake(self) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=POLL_SECONDS)
            self._wake.clear()
            try:
                await self._read_new()
                await self._pruning.maybe()
            except Exception:
                logger.exception("could not read the stream log")

    async def _read_new(self) -> None:
        async with self._sessionmaker() as session:
            while True:
                batch = await stream_log.messages_after(
                    session, after=self._cursor, limit=READ_BATCH
                )
                for message in batch:
                    self._broker.publish(message)
                    self._cursor = message.id
                if len(batch) < READ_BATCH:
                    return
