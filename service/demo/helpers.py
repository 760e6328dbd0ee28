"""The demo helpers' profiles (`helpers.json`): the demo volunteer and caseworker can be
suggested and offered the screened demo cases, so `make run` can walk a case from suggestion
to lead. Set through the same service supervisors use, only where no profile exists yet."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import Role
from models.routing import HelperProfile, HelperProfilePatch
from models.user import User
from service.routing.profiles import update_helper
from service.routing.ranking import bangkok_date

PROFILES_FILE = Path(__file__).with_name("helpers.json")


def demo_profile(data: dict[str, Any], *, now: datetime) -> HelperProfilePatch:
    """A profile of `helpers.json`, its card expiring a number of days from now."""
    values = dict(data)
    card = values.get("card")
    if card is not None:
        days = card.pop("expires_in_days")
        values["card"] = {**card, "expires_on": bangkok_date(now) + timedelta(days=days)}
    return HelperProfilePatch.model_validate(values)


async def ensure_demo_profiles(
    session: AsyncSession, *, people: dict[Role, User], now: datetime
) -> int:
    """Give the demo helpers their profiles where they have none; returns how many were set."""
    profiles: dict[str, dict[str, Any]] = json.loads(PROFILES_FILE.read_text(encoding="utf-8"))
    created = 0
    for role_name, data in profiles.items():
        user = people[Role(role_name)]
        if await session.get(HelperProfile, user.id) is not None:
            continue
        await update_helper(session, user_id=user.id, patch=demo_profile(data, now=now), now=now)
        created += 1
    return created
