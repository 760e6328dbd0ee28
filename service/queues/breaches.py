"""The breach queue (PDPA s.37(4)): open breaches whose 72-hour notification to the regulator
is still owed and due within 24 hours or past, soonest due first, one keyset page at a time.

It walks `ix_privacy_breaches_open_due` (open breaches by due time) from the cursor up to
24 hours ahead; the open condition is literal SQL so the partial index fits a generic plan.
Decided: a breach whose regulator was told, or judged `unlikely` to harm (no notification
required), owes no notification and is not in the queue, even while it stays open.
Supervisors and admins keep the register and read this queue; everyone else is refused.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.base import UTCDateTime
from models.enums import NotificationState
from models.privacy import DUE_SOON_HOURS, Breach
from models.queues import DueBreach, DueBreachList
from service.platform.pagination import decode_time_id_cursor, encode_time_id_cursor

OPEN = col(Breach.closed_at).is_(None)
OWED = sa.and_(
    col(Breach.regulator_notified_at).is_(None),
    col(Breach.risk) != sa.literal_column("'unlikely'"),
)
HOUR = 3600


def due_breaches_query(*, now: datetime, limit: int, cursor: str | None) -> sa.Select[Any]:
    """One page (`limit + 1` rows) of open breaches owing a notification due by `now` + 24 h."""
    order = (col(Breach.notify_due_at), col(Breach.id))
    query = (
        sa.select(Breach)
        .where(
            OPEN,
            OWED,
            col(Breach.notify_due_at)
            <= sa.literal(now + timedelta(hours=DUE_SOON_HOURS), UTCDateTime()),
        )
        .order_by(*order)
        .limit(limit + 1)
    )
    if cursor is not None:
        at, after = decode_time_id_cursor(cursor)
        query = query.where(
            sa.tuple_(*order) > sa.tuple_(sa.literal(at, UTCDateTime()), sa.literal(after))
        )
    return query


def due_breach(breach: Breach, now: datetime) -> DueBreach:
    """The queue's row of a breach: how long is left, or how long it is overdue (pure)."""
    seconds = int((breach.notify_due_at - now).total_seconds())
    overdue = now >= breach.notify_due_at
    return DueBreach(
        id=breach.id,
        detected_at=breach.detected_at,
        notify_due_at=breach.notify_due_at,
        notification=NotificationState.overdue if overdue else NotificationState.due_soon,
        risk=breach.risk,
        subjects_affected=breach.subjects_affected,
        vulnerable_subjects=breach.vulnerable_subjects,
        seconds_to_due=seconds,
        hours_left=None if overdue else seconds // HOUR,
        hours_overdue=abs(seconds) // HOUR if overdue else None,
    )


async def due_breaches(
    session: AsyncSession, *, limit: int, cursor: str | None, now: datetime
) -> DueBreachList:
    """Open breaches owing their notification within 24 hours or past due, soonest first."""
    query = due_breaches_query(now=now, limit=limit, cursor=cursor)
    rows = list((await session.scalars(query)).all())
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_time_id_cursor(page[-1].notify_due_at, page[-1].id)
    return DueBreachList(items=[due_breach(b, now) for b in page], next_cursor=next_cursor)
