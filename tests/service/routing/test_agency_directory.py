"""The agency directory a process keeps for suggestions: read again only after a commit that
changed it, never kept from a transaction that may still roll back."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import SQLModel, col

from models.agency import DirectoryStamp, Organization, ServiceCapacity
from models.base import utcnow
from service.routing.agency_directory import (
    DIRECTORY_TABLES,
    current_directory,
    written_directory,
)
from service.routing.hsds import import_directory
from tests.service.routing.test_hsds import DEMO


class Statements:
    """The statements an engine runs while counting (a test session's savepoints aside)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine, self.seen = engine, list[str]()

    def _count(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
            self.seen.append(statement)

    def __enter__(self) -> list[str]:
        sa.event.listen(self.engine.sync_engine, "before_cursor_execute", self._count)
        return self.seen

    def __exit__(self, *exc: object) -> None:
        sa.event.remove(self.engine.sync_engine, "before_cursor_execute", self._count)


async def _stamp(session: AsyncSession) -> str | None:
    stamp = (await session.execute(sa.select(col(DirectoryStamp.stamp)))).scalar_one_or_none()
    return None if stamp is None else str(stamp)


async def _stamped(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """The stamp's row, as every migrated database has it (a test that committed and wiped the
    tables may have taken it); without it a process keeps nothing."""
    async with sessionmaker() as session:
        if await _stamp(session) is None:
            session.add(DirectoryStamp(id=1, stamp="0" * 32))
            await session.commit()


async def test_a_process_reads_the_directory_again_only_after_a_change_is_committed(
    sessionmaker: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    await _stamped(sessionmaker)
    async with sessionmaker() as writer:
        before = await _stamp(writer)
        await import_directory(writer, text=DEMO.read_text(encoding="utf-8"), now=utcnow())
        assert written_directory(writer)
        await writer.commit()
        assert not written_directory(writer)
        assert await _stamp(writer) != before

    async with sessionmaker() as reader:
        with Statements(engine) as first_read:
            first = await current_directory(reader)
        with Statements(engine) as second_read:
            second = await current_directory(reader)
    assert len(first_read) == 2, first_read  # the stamp, then the services
    assert len(second_read) == 1, second_read  # the stamp alone
    assert second is first
    assert first.referable, "the demo directory has services taking referrals"
    shelter = next(s for s in first.referable if s.capacity_available)

    async with sessionmaker() as agency:  # the shelter is full now
        await agency.execute(
            sa.update(ServiceCapacity)
            .where(ServiceCapacity.service_id == shelter.service_id)  # type: ignore[arg-type]
            .values(available=0)
        )
        await agency.commit()

    async with sessionmaker() as reader:
        third = await current_directory(reader)
    assert third.stamp != first.stamp
    assert (
        next(s for s in third.referable if s.service_id == shelter.service_id).capacity_available
        == 0
    )


async def test_a_session_that_changed_the_directory_reads_it_afresh_and_keeps_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _stamped(sessionmaker)
    async with sessionmaker() as reader:
        before = await current_directory(reader)
        stamp = await _stamp(reader)

    async with sessionmaker() as writer:
        await import_directory(writer, text=DEMO.read_text(encoding="utf-8"), now=utcnow())
        seen = await current_directory(writer)
        assert seen.stamp is None
        assert len(seen.referable) > len(before.referable)
        await writer.rollback()
        assert not written_directory(writer)

    async with sessionmaker() as reader:
        after = await current_directory(reader)
        assert await _stamp(reader) == stamp  # the rolled-back import gave no new stamp
    assert after is before


async def test_without_the_stamp_s_row_nothing_is_kept_and_the_next_change_restores_it(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        await session.execute(sa.delete(DirectoryStamp))
        await session.commit()
        first = await current_directory(session)
        assert first.stamp is None and await current_directory(session) is not first
        await import_directory(session, text=DEMO.read_text(encoding="utf-8"), now=utcnow())
        await session.commit()
        assert await _stamp(session) is not None
        kept = await current_directory(session)
        assert await current_directory(session) is kept


@pytest.mark.parametrize("table", sorted(DIRECTORY_TABLES))
async def test_a_statement_writing_any_directory_table_is_noted(
    session: AsyncSession, table: str
) -> None:
    await session.execute(sa.delete(SQLModel.metadata.tables[table]).where(sa.false()))
    assert written_directory(session)


async def test_a_directory_row_flushed_through_the_session_is_noted(session: AsyncSession) -> None:
    session.add(Organization(name="ศูนย์ทดสอบ", description="test"))
    await session.flush()
    assert written_directory(session)


async def test_other_writes_are_not_noted(session: AsyncSession) -> None:
    await session.execute(sa.delete(SQLModel.metadata.tables["cases"]).where(sa.false()))
    assert not written_directory(session)
