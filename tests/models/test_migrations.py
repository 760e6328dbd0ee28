"""Migrations go up, down to base and up again, and match the models exactly."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

import models
from service.platform.migrations import downgrade, head_revision, upgrade


def _diff(connection: sa.Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, models.metadata))


def _tables(connection: sa.Connection) -> set[str]:
    return set(sa.inspect(connection).get_table_names())


async def test_upgrade_downgrade_upgrade_without_drift(
    engine: AsyncEngine, database_url: str
) -> None:
    expected = {table.name for table in models.metadata.sorted_tables}

    async with engine.connect() as connection:
        assert expected <= await connection.run_sync(_tables)

    await asyncio.to_thread(downgrade, database_url, "base")
    async with engine.connect() as connection:
        assert await connection.run_sync(_tables) <= {"alembic_version"}

    await asyncio.to_thread(upgrade, database_url, "head")
    async with engine.connect() as connection:
        assert expected <= await connection.run_sync(_tables)
        assert await connection.run_sync(_diff) == []
        revision = await connection.execute(sa.text("SELECT version_num FROM alembic_version"))
        assert revision.scalar_one() == head_revision()
        if connection.dialect.name == "postgresql":  # SQLite has no included columns
            assert await connection.run_sync(_included) == _included_by_the_models()


def _included(connection: sa.Connection) -> dict[str, list[str]]:
    """The included (non-key) columns of each index as migrated, on PostgreSQL: the
    comparison above does not look at them."""
    found: dict[str, list[str]] = {}
    inspector = sa.inspect(connection)
    for table in models.metadata.sorted_tables:
        for index in inspector.get_indexes(table.name):
            included = index.get("dialect_options", {}).get("postgresql_include") or []
            if included:
                found[str(index["name"])] = list(included)
    return found


def _included_by_the_models() -> dict[str, list[str]]:
    return {
        str(index.name): list(index.dialect_options["postgresql"]["include"])
        for table in models.metadata.sorted_tables
        for index in table.indexes
        if index.dialect_options["postgresql"]["include"]
    }


def test_every_table_follows_the_naming_convention() -> None:
    for table in models.metadata.sorted_tables:
        assert table.primary_key.name == f"pk_{table.name}"
        for index in table.indexes:
            assert index.name and index.name.startswith(("ix_", "uq_"))
