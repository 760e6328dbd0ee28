"""Liveness and readiness."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from service.platform.migrations import current_revision, head_revision


@dataclass(frozen=True, slots=True)
class Readiness:
    database: bool
    migrations: bool
    revision: str | None
    expected_revision: str | None

    @property
    def ready(self) -> bool:
        return self.database and self.migrations


async def check_readiness(session: AsyncSession) -> Readiness:
    """Is the database reachable and migrated to the head revision this code expects?"""
    expected = head_revision()
    try:
        await session.execute(sa.text("SELECT 1"))
    except (sa.exc.DBAPIError, OSError):
        return Readiness(False, False, None, expected)
    revision = await current_revision(session)
    return Readiness(True, revision == expected, revision, expected)
