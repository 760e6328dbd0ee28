"""The data-subject request queue (PDPA s.30-36): open requests whose legal answer is due
within `DUE_SOON_DAYS` or past, soonest due first, one keyset page at a time.

It walks `ix_privacy_requests_open_due` (open requests by due time) from the cursor up to the
horizon. Supervisors and admins keep the requests and read this queue; everyone else is
refused by the route.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.base import UTCDateTime
from models.privacy_requests import (
    DUE_SOON_DAYS,
    PrivacyRequest,
    PrivacyRequestList,
    RequestOutcome,
)
from service.platform.pagination import decode_time_id_cursor, encode_time_id_cursor
from service.privacy.requests import matched_cases, request_out

# Literal SQL, so the partial index `outcome = 'pending'` fits a generic plan.
PENDING = col(PrivacyRequest.outcome) == sa.literal_column(f"'{RequestOutcome.pending.value}'")


def due_requests_query(*, now: datetime, limit: int, cursor: str | None) -> sa.Select[Any]:
    """One page (`limit + 1` rows) of open requests due by `now` + `DUE_SOON_DAYS`."""
    order = (col(PrivacyRequest.due_at), col(PrivacyRequest.id))
    horizon = now + timedelta(days=DUE_SOON_DAYS)
    query = (
        sa.select(PrivacyRequest)
        .where(PENDING, col(PrivacyRequest.due_at) <= sa.literal(horizon, UTCDateTime()))
        .order_by(*order)
        .limit(limit + 1)
    )
    if cursor is not None:
        at, after = decode_time_id_cursor(cursor)
        query = query.where(
            sa.tuple_(*order) > sa.tuple_(sa.literal(at, UTCDateTime()), sa.literal(after))
        )
    return query


async def due_requests(
    session: AsyncSession, *, limit: int, cursor: str | None, now: datetime
) -> PrivacyRequestList:
    """Open data-subject requests due within `DUE_SOON_DAYS` days or past due, soonest first."""
    rows = list(
        (await session.scalars(due_requests_query(now=now, limit=limit, cursor=cursor))).all()
    )
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_time_id_cursor(page[-1].due_at, page[-1].id)
    cases = await matched_cases(session, [request.id for request in page])
    return PrivacyRequestList(
        items=[request_out(request, cases[request.id], now) for request in page],
        next_cursor=next_cursor,
    )
