"""Stamps for data a process keeps between requests (the agency directory, the helpers that
suggestions rank): a table of one row holding a random stamp, given anew by every transaction
that writes the kept data's tables, just before it commits.

The session notes each ORM flush and each Core INSERT, UPDATE or DELETE on those tables (by any
route, command, job or import, present or future). A process keeps what it read with the stamp
it read just before; a request reads the stamp (one primary-key read) and uses what the process
keeps when the stamp is the same, else reads the data again.

Decided:
- A random stamp, not a counter: a transaction that raised a counter and was rolled back could
  leave a process holding what it saw under a number that the next commit reuses.
- The stamp is read before the data (each statement sees what was committed when it started):
  what is read is at least as new as its stamp, so any later change shows as a new stamp at the
  next request.
- A session that has written the tables and not committed yet reads them afresh and keeps
  nothing: what it sees may still be rolled back (`Stamp.written`).
- A write that bypasses the session (plain SQL: the benchmark's seeds) sets a new stamp itself
  (`Stamp.new_stamp_sql`).
- Listeners run in the order they were registered: a module whose `before_commit` writes kept
  tables (the helpers' load recount) must be imported before the stamp is made, so its writes
  are noted before the stamp is renewed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as SyncSession


def _always(_target: Any) -> bool:
    return True


def new_stamp_sql(table: sa.Table) -> str:
    """The PostgreSQL text giving `table`'s row a new random stamp."""
    random_hex = sa.func.replace(sa.cast(sa.func.gen_random_uuid(), sa.Text), "-", "")
    statement = sa.update(table).where(table.c.id == 1).values(stamp=random_hex)
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


class Stamp:
    """The stamp of the data kept from `models`' tables, held in `table` (columns `id`, the
    single row 1, and `stamp`). `changes(target)` says whether a flushed change of an ORM
    object of those models matters (by default every change does); a new or deleted object
    always does, and so does every Core statement writing the tables."""

    def __init__(
        self,
        table: sa.Table,
        *,
        models: Iterable[type[Any]],
        changes: Callable[[Any], bool] = _always,
    ) -> None:
        self.table = table
        self.models = tuple(models)
        self.tables = frozenset(model.__tablename__ for model in self.models)
        self.new_stamp_sql = new_stamp_sql(table)
        self._changes = changes
        self._key = f"onestop_written_{table.name}"
        self._read = sa.select(table.c.stamp).where(table.c.id == 1)
        event.listen(SyncSession, "after_flush", self._note_flushed)
        event.listen(SyncSession, "do_orm_execute", self._note_executed)
        event.listen(SyncSession, "before_commit", self._renew)
        event.listen(SyncSession, "after_soft_rollback", self._forget)

    def column(self) -> sa.ScalarSelect[str]:
        """The stamp as a column of another statement (null when its row is missing)."""
        return self._read.scalar_subquery()

    async def read(self, session: AsyncSession) -> str | None:
        """The stamp as committed (None when its row is missing: then nothing may be kept)."""
        stamp = (await session.execute(self._read)).scalar_one_or_none()
        return None if stamp is None else str(stamp)

    def written(self, session: SyncSession | AsyncSession) -> bool:
        """Whether the session's transaction has written the tables and not committed yet."""
        return bool(session.info.get(self._key))

    def _note_flushed(self, session: SyncSession, _context: Any) -> None:
        for target in (*session.new, *session.deleted):
            if isinstance(target, self.models):
                session.info[self._key] = True
                return
        for target in session.dirty:
            if isinstance(target, self.models) and self._changes(target):
                session.info[self._key] = True
                return

    def _note_executed(self, state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            table = getattr(state.statement, "table", None)
            if getattr(table, "name", None) in self.tables:
                state.session.info[self._key] = True

    def _renew(self, session: SyncSession) -> None:
        session.flush()
        if session.info.pop(self._key, None):
            new = uuid.uuid4().hex
            updated = session.execute(
                sa.update(self.table).where(self.table.c.id == 1).values(stamp=new)
            )
            if getattr(updated, "rowcount", 1) == 0:
                session.execute(sa.insert(self.table).values(id=1, stamp=new))

    def _forget(self, session: SyncSession, previous: Any) -> None:
        if previous.parent is None:  # the whole transaction, not a savepoint
            session.info.pop(self._key, None)
