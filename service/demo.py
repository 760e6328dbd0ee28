"""Demo data for development: one account per role (and, later, realistic cases)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from service.config import Settings
from service.errors import Forbidden
from service.users import ensure_demo_accounts


async def seed_demo(session: AsyncSession, *, settings: Settings, now: datetime) -> dict[str, int]:
    """Create the demo data that is missing; refused outside development."""
    if not settings.is_development:
        raise Forbidden(f"Demo data is only for development; this is {settings.environment.value}.")
    accounts = await ensure_demo_accounts(session, now=now)
    return {"accounts": len(accounts)}
