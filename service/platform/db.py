"""The database engine and the one-transaction-per-request session.

SQLite follows SQLAlchemy's documented recipe for working SAVEPOINTs: the driver's own
transaction handling is switched off and `BEGIN` is emitted by SQLAlchemy itself. Writers take
the database lock at `BEGIN IMMEDIATE`, so two concurrent requests queue instead of failing
half-way with "database is locked".
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from service.platform.errors import DomainError


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> AsyncEngine:
    """An async engine for `url`, configured for the database it points to."""
    if is_sqlite(url):
        engine = create_async_engine(
            url,
            echo=echo,
            poolclass=NullPool,
            hide_parameters=True,
            connect_args={"timeout": 30, "check_same_thread": False},
        )
        _configure_sqlite(engine)
        return engine
    return create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        hide_parameters=True,
        connect_args={"server_settings": {"timezone": "UTC"}},
    )


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_sessionmaker(bind: Any) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(bind=bind, expire_on_commit=False, autoflush=False)


async def request_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: commit after the handler, roll back on any error.

    A domain error that must keep its writes (a failed login counted, a reused refresh token
    revoking its family) sets `keep_changes`; those are committed before the error is answered.
    """
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
        except DomainError as error:
            if error.keep_changes:
                await session.commit()
            else:
                await session.rollback()
            raise
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


Session = Annotated[AsyncSession, Depends(request_session, scope="function")]


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
