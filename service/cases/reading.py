"""Reading one case: the case as the caller may see it, and its history.

Reading a case's detail is itself recorded (a `viewed` event), so the case row is locked for
the read as for a change. Events naming possible duplicates keep their data from those who may
not see the matches.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.policy import sees_possible_duplicates
from models.case import CaseEventOut, CaseOut, Timeline
from models.enums import CaseEventType
from models.events import CaseEvent
from models.user import User
from service.cases.events import append_event
from service.cases.loading import load_case
from service.cases.rendering import case_for_viewer
from service.platform.pagination import decode_int_cursor, encode_cursor
from service.platform.settings import Settings

# Events naming possible duplicates: their data is shown only to those who see the matches.
POSSIBLE_DUPLICATE_EVENTS = frozenset(
    {CaseEventType.duplicate_flagged, CaseEventType.duplicate_dismissed}
)


async def read_case(
    session: AsyncSession, *, settings: Settings, user: User, case_id: uuid.UUID, now: datetime
) -> tuple[CaseOut, str]:
    """The case and its ETag; the read is recorded as a `viewed` event."""
    case = await load_case(session, user=user, case_id=case_id, lock=True)
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.viewed,
        actor_id=user.id,
        now=now,
    )
    return await case_for_viewer(session, case=case, viewer=user, settings=settings)


async def case_timeline(
    session: AsyncSession, *, user: User, case_id: uuid.UUID, limit: int, cursor: str | None
) -> Timeline:
    """The case's events in order, a page at a time."""
    await load_case(session, user=user, case_id=case_id, lock=False)
    query = (
        sa.select(CaseEvent)
        .where(col(CaseEvent.case_id) == case_id)
        .order_by(col(CaseEvent.seq))
        .limit(limit + 1)
    )
    if cursor:
        query = query.where(col(CaseEvent.seq) > decode_int_cursor(cursor))
    events = list((await session.execute(query)).scalars())
    page = events[:limit]
    hide_matches = not sees_possible_duplicates(user.role)
    return Timeline(
        items=[
            CaseEventOut(
                seq=e.seq,
                type=e.type.value,
                actor=e.actor_id,
                occurred_at=e.occurred_at,
                changes=e.changes,
                data={} if hide_matches and e.type in POSSIBLE_DUPLICATE_EVENTS else e.data,
                hash=e.hash,
            )
            for e in page
        ],
        next_cursor=encode_cursor([page[-1].seq]) if len(events) > limit else None,
    )
