"""Who read a case (PDPA accountability): the access log of one case, for supervisors."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.access_log import CaseRead
from models.case import Case
from models.privacy import CaseReadList, CaseReadOut
from models.user import User
from service.platform.errors import NotFound
from service.platform.pagination import decode_time_id_cursor, encode_time_id_cursor


async def list_case_reads(
    session: AsyncSession, *, case_id: uuid.UUID, limit: int, cursor: str | None
) -> CaseReadList:
    """The reads of a case, newest first, with each reader's name and role."""
    if await session.scalar(sa.select(col(Case.id)).where(col(Case.id) == case_id)) is None:
        raise NotFound(code="case.not_found")
    order = (col(CaseRead.at), col(CaseRead.id))
    query = (
        sa.select(
            col(CaseRead.id),
            col(CaseRead.reader_id),
            col(User.display_name),
            col(User.role),
            col(CaseRead.what),
            col(CaseRead.at),
        )
        .outerjoin(User, col(User.id) == col(CaseRead.reader_id))
        .where(col(CaseRead.case_id) == case_id)
    )
    if cursor:
        at, after = decode_time_id_cursor(cursor)
        query = query.where(sa.tuple_(*order) < sa.tuple_(sa.literal(at), sa.literal(after)))
    rows = (
        await session.execute(query.order_by(*(c.desc() for c in order)).limit(limit + 1))
    ).all()
    page = rows[:limit]
    return CaseReadList(
        items=[
            CaseReadOut(
                reader_id=r.reader_id,
                reader_name=r.display_name,
                reader_role=r.role,
                what=r.what,
                at=r.at,
            )
            for r in page
        ],
        next_cursor=encode_time_id_cursor(page[-1].at, page[-1].id) if len(rows) > limit else None,
    )
