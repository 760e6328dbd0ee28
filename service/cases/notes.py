"""Notes on a case: added by those who may change the case, read by those who may handle it.

A note's text stays in `case_notes`; the history records only that a note was added, by its id.
Reading the notes (free text about the client) is recorded in the access log, without a lock.
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
from models.enums import CaseEventType, CaseReadKind
from models.user import User
from service.cases.access_log import record_read
from service.cases.events import append_event
from service.cases.loading import case_facts, load_case
from service.platform.errors import Forbidden
from service.platform.pagination import decode_time_id_cursor, encode_time_id_cursor
from service.platform.settings import Settings


def _note_out(note: CaseNote, author_name: str | None) -> NoteOut:
    return NoteOut(
        id=note.id,
        case_id=note.case_id,
        author=note.author_id,
        author_name=author_name,
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
        raise Forbidden(code="case.read_only")
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
    return _note_out(note, user.display_name)


async def list_notes(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    case_id: uuid.UUID,
    limit: int,
    cursor: str | None,
    now: datetime,
) -> NoteList:
    """Notes of a case, oldest first, with their authors' names; the read is recorded."""
    await load_case(session, user=user, case_id=case_id, lock=False)
    await record_read(
        session,
        secret=settings.data_key,
        case_id=case_id,
        reader_id=user.id,
        what=CaseReadKind.notes,
        now=now,
    )
    query = (
        sa.select(CaseNote, col(User.display_name))
        .outerjoin(User, col(User.id) == col(CaseNote.author_id))
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
    rows = (await session.execute(query)).all()
    page = rows[:limit]
    last: CaseNote | None = page[-1][0] if page else None
    return NoteList(
        items=[_note_out(note, author_name) for note, author_name in page],
        next_cursor=encode_time_id_cursor(last.created_at, last.id)
        if last is not None and len(rows) > limit
        else None,
    )
