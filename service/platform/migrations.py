"""Alembic, driven from code: the CLI, readiness and the tests share these helpers."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncSession

import models

MIGRATIONS_DIR = Path(models.__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration for `database_url`, independent of the working directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


@lru_cache
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


async def current_revision(session: AsyncSession) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    try:
        async with session.begin_nested():
            result = await session.execute(sa.text("SELECT version_num FROM alembic_version"))
            return result.scalar_one_or_none()
    except sa.exc.DBAPIError:
        return None
