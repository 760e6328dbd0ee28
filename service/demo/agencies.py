"""The demo directory: Thai agencies and their services from `directory.json`, imported through
the same HSDS import as `onestop import-directory`, and the organizations the demo agency
accounts belong to (`service.demo.accounts`)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.agency import Organization
from service.routing.hsds import import_directory

DIRECTORY_FILE = Path(__file__).with_name("directory.json")
CHIANG_MAI_SHELTER = uuid.UUID("3934dfd7-d968-5794-96bc-5ac3a67b20f4")
HOSPITAL_SOCIAL_WORK = uuid.UUID("2db05a8f-1833-5bed-99dc-35a63ffbc873")
DEMO_ORGANIZATIONS = {
    "demo.agency": CHIANG_MAI_SHELTER,
    "demo.hospital": HOSPITAL_SOCIAL_WORK,
}
"""The organization each demo agency account belongs to."""


async def seed_demo_directory(session: AsyncSession, *, now: datetime) -> tuple[int, int]:
    """Import the demo directory unless its organizations are all there; returns (demo
    organizations, created now)."""
    text = DIRECTORY_FILE.read_text(encoding="utf-8")
    ids = [uuid.UUID(o["id"]) for o in json.loads(text)["organizations"]]
    found = await session.scalar(
        sa.select(sa.func.count()).select_from(Organization).where(col(Organization.id).in_(ids))
    )
    created = 0
    if found != len(ids):
        done = await import_directory(session, text=text, now=now)
        created = done["organizations created"]
    return len(ids), created
