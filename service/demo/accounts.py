"""The demo accounts: one per role (two agency accounts, of two organizations), all with the
published demo password.

The README and CI sign in with these names and this password; they are made through the same
`create_user` service an admin uses, and only where they do not exist yet.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.enums import Role
from models.user import User, UserCreate
from service.accounts.users import create_user
from service.demo.agencies import DEMO_ORGANIZATIONS

DEMO_PASSWORD = "onestop-demo"  # noqa: S105 - published demo credential, development only
DEMO_ACCOUNTS: tuple[tuple[str, str, Role], ...] = (
    ("demo.volunteer", "Demo Volunteer (อาสาสมัคร)", Role.volunteer),
    ("demo.caseworker", "Demo Caseworker (นักสังคมสงเคราะห์)", Role.caseworker),
    ("demo.supervisor", "Demo Supervisor (หัวหน้างาน)", Role.supervisor),
    ("demo.agency", "Demo Agency Staff (หน่วยงานภาคี)", Role.agency),
    ("demo.hospital", "Demo Hospital Social Worker (หน่วยงานภาคี)", Role.agency),
    ("demo.admin", "Demo Admin (ผู้ดูแลระบบ)", Role.admin),
)


async def ensure_demo_accounts(session: AsyncSession, *, now: datetime) -> list[User]:
    """Create the demo accounts that do not exist yet (idempotent); all of them, in role order.
    The demo agency accounts belong to demo organizations, so the demo directory comes first."""
    usernames = [username for username, _, _ in DEMO_ACCOUNTS]
    found = await session.execute(sa.select(User).where(col(User.username).in_(usernames)))
    existing = {user.username: user for user in found.scalars()}
    users: list[User] = []
    for username, display_name, role in DEMO_ACCOUNTS:
        user = existing.get(username)
        if user is None:
            account = UserCreate(
                username=username,
                display_name=display_name,
                role=role,
                password=DEMO_PASSWORD,
                organization_id=DEMO_ORGANIZATIONS.get(username),
            )
            user = await create_user(session, data=account, now=now)
        elif user.organization_id is None and username in DEMO_ORGANIZATIONS:
            user.organization_id = DEMO_ORGANIZATIONS[username]  # seeded before agencies were
        users.append(user)
    return users
