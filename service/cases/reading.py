"""Reading one case: the case as the caller may see it, and its history.

A read takes no lock and changes nothing of the case: it loads the case with the names it shows
(one query) and appends one record to the access log (`service.cases.access_log`), the
timeline's reads included. Reads used to be `viewed` events in the case's own chain; those
already written stay valid history and are still shown.

A volunteer sees the offer events of their own offers only (`offered`, `offer_declined`,
`offer_expired`, `offer_withdrawn` name one helper), not who else was offered the case or
turned it down.

Nothing a volunteer sees may depend on cases they cannot read: events about possible duplicates
are not shown to those who may not see the matches, their `seq` counts only the events shown
(the cursor too), and the link of a closed duplicate is withheld from the changes shown.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.policy import sees_possible_duplicates
from models.case import CaseEventOut, CaseOut, Timeline
from models.enums import CaseEventType, CaseReadKind
from models.events import CaseEvent
from models.user import User
from service.cases.access_log import record_read
from service.cases.loading import load_case, load_case_for_reading
from service.cases.rendering import case_for_viewer
from service.platform.pagination import decode_int_cursor, encode_cursor
from service.platform.settings import Settings

# Events about possible duplicates: shown only to those who see the matches.
POSSIBLE_DUPLICATE_EVENTS = frozenset(
    {CaseEventType.duplicate_flagged, CaseEventType.duplicate_dismissed}
)
# Events about one helper's offer: shown to staff, and to volunteers only about their own.
OFFER_EVENTS = frozenset(
    {
        CaseEventType.offered,
        CaseEventType.offer_declined,
        CaseEventType.offer_expired,
        CaseEventType.offer_withdrawn,
    }
)
# Changes that name another case: shown only to those who see the matches.
LINKS_TO_OTHER_CASES = frozenset({"duplicate_of_id"})


async def read_case(
    session: AsyncSession, *, settings: Settings, user: User, case_id: uuid.UUID, now: datetime
) -> tuple[CaseOut, str]:
    """The case and its ETag; the read is recorded in the access log."""
    case, context = await load_case_for_reading(session, user=user, case_id=case_id, now=now)
    await record_read(
        session,
        secret=settings.data_key,
        case_id=case.id,
        reader_id=user.id,
        what=CaseReadKind.detail,
        now=now,
    )
    return await case_for_viewer(
        session, case=case, viewer=user, settings=settings, now=now, context=context
    )


def shown_changes(changes: dict[str, Any], *, sees_matches: bool) -> dict[str, Any]:
    """The changes of an event as a viewer may see them (pure)."""
    if sees_matches:
        return changes
    return {name: change for name, change in changes.items() if name not in LINKS_TO_OTHER_CASES}


async def case_timeline(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    case_id: uuid.UUID,
    limit: int,
    cursor: str | None,
    now: datetime,
) -> Timeline:
    """The case's events in order, a page at a time; the read is recorded.

    The cursor is the number of events already shown. Those who see every event page by
    `seq` (a keyset: events are numbered from 1 without gaps); the others skip that many of
    the events they may see, within this one case.
    """
    case = await load_case(session, user=user, case_id=case_id, lock=False, now=now)
    await record_read(
        session,
        secret=settings.data_key,
        case_id=case.id,
        reader_id=user.id,
        what=CaseReadKind.timeline,
        now=now,
    )
    shown = decode_int_cursor(cursor) if cursor else 0
    sees_matches = sees_possible_duplicates(user.role)
    query = (
        sa.select(CaseEvent, col(User.display_name))
        .outerjoin(User, col(User.id) == col(CaseEvent.actor_id))
        .where(col(CaseEvent.case_id) == case.id)
        .order_by(col(CaseEvent.seq))
        .limit(limit + 1)
    )
    if sees_matches:
        query = query.where(col(CaseEvent.seq) > shown)
    else:
        query = query.where(
            col(CaseEvent.type).not_in(POSSIBLE_DUPLICATE_EVENTS),
            sa.or_(
                col(CaseEvent.type).not_in(OFFER_EVENTS),
                col(CaseEvent.data)["user_id"].as_string() == str(user.id),
            ),
        ).offset(shown)
    rows = (await session.execute(query)).all()
    items = [
        CaseEventOut(
            seq=event.seq if sees_matches else shown + position,
            type=event.type.value,
            actor=event.actor_id,
            actor_name=actor_name,
            occurred_at=event.occurred_at,
            changes=shown_changes(event.changes, sees_matches=sees_matches),
            data=event.data,
            hash=event.hash,
        )
        for position, (event, actor_name) in enumerate(rows[:limit], start=1)
    ]
    more = len(rows) > limit
    return Timeline(items=items, next_cursor=encode_cursor([items[-1].seq]) if more else None)
