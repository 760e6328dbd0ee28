"""Notes on a case: added by those who may change the case, read by those who may handle it.

A note's text stays in `case_notes`; the history records only that a note was added, by its id.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.policy import may_update_case
from models.base import UTCDateTime
from models.case import CaseNote, NoteIn, NoteList, NoteOut
from models.enums import CaseEventType
from models.user import User
from service.cases.events import append_event
from service.cases.loading import case_facts, load_case
from service.platform.errors import Forbidden
from service.platform.pagination import decode_time_id_cursor, encode_time_id_cursor
from service.platform.settings import Settings


def _note_out(note: CaseNote) -> NoteOut:
    return NoteOut(
        id=note.id,
        case_id=note.case_id,
        author=note.author_id,
        body=note.body,
        created_at=note.created_at,
    )


async def add_note(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    case_id: uuid.UUID,
    body: NoteIn,
    now: datetime,
) -> NoteOut:
    """Add a note; the event records that a note was added, not its text."""
    case = await load_case(session, user=user, case_id=case_id, lock=True)
    if not may_update_case(user.id, user.role, case_facts(case)):
        raise Forbidden("You may read this case but not add notes to it.")
    note = CaseNote(case_id=case.id, author_id=user.id, body=body.body, created_at=now)
    session.add(note)
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.note_added,
        actor_id=user.id,
        now=now,
        data={"note_id": str(note.id)},
    )
    await session.flush()
    return _note_out(note)


async def list_notes(
    session: AsyncSession, *, user: User, case_id: uuid.UUID, limit: int, cursor: str | None
) -> NoteList:
    """Notes of a case, oldest first."""
    await load_case(session, user=user, case_id=case_id, lock=False)
    query = (
        sa.select(CaseNote)
        .where(col(CaseNote.case_id) == case_id)
        .order_by(col(CaseNote.created_at), col(CaseNote.id))
        .limit(limit + 1)
    )
    if cursor:
        after_at, after_id = decode_time_id_cursor(cursor)
        query = query.where(
            sa.tuple_(col(CaseNote.created_at), col(CaseNote.id))
            > sa.tuple_(sa.literal(after_at, UTCDateTime()), sa.literal(after_id))
        )
    notes = list((await session.execute(query)).scalars())
    page = notes[:limit]
    return NoteList(
        items=[_note_out(n) for n in page],
        next_cursor=encode_time_id_cursor(page[-1].created_at, page[-1].id)
        if len(notes) > limit
        else None,
    )
