"""The helpers' workload: per volunteer and caseworker with a helper profile, the open cases
they lead and the offers waiting for their answer, against their capacity, most loaded first.

Decided: the load is open cases led plus pending offers (an offer accepted becomes a case led;
one past its expiry counts until the worker expires it),
and the load ratio divides it by the capacity, a capacity of 0 counting as 1 (such a helper
takes no new case, and any case they still lead shows them as loaded). Helpers on leave or
marked unavailable stay in the list, flagged, as do deactivated accounts still leading cases.
The figures are those stored on each profile (kept by `service.routing.load`), so a page walks
the index of profiles by load ratio and user id and stops after it: its cost does not grow with
the number of cases. Ties are broken by user id, highest first (the index read backwards), so
pages never overlap.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.policy import CaseScope, case_scope
from models.enums import Role
from models.queues import HelperWorkload, WorkloadList
from models.routing import HelperProfile
from models.user import User
from service.platform.pagination import decode_cursor, encode_cursor, invalid_cursor

HELPERS = (Role.volunteer, Role.caseworker)


def decode_workload_cursor(cursor: str) -> tuple[float, uuid.UUID]:
    """The (load ratio, user id) of the last helper of a page, else 422."""
    ratio, id_text = decode_cursor(cursor, size=2)
    if not isinstance(ratio, int | float) or isinstance(ratio, bool) or not math.isfinite(ratio):
        raise invalid_cursor()
    try:
        return float(ratio), uuid.UUID(str(id_text))
    except ValueError:
        raise invalid_cursor() from None


def workload_query(*, user: User, limit: int, cursor: str | None) -> sa.Select[*tuple[Any, ...]]:
    """One page of helpers by load ratio, highest first: a walk of the profiles' load index."""
    ratio = col(HelperProfile.load_ratio)
    query: sa.Select[*tuple[Any, ...]] = (
        sa.select(
            col(User.id),
            col(User.display_name),
            col(User.role),
            col(User.is_active),
            col(HelperProfile.open_cases_led).label("open_cases"),
            col(HelperProfile.pending_offers),
            col(HelperProfile.capacity),
            ratio,
            col(HelperProfile.available),
            col(HelperProfile.leave_until),
        )
        .select_from(HelperProfile)
        .join(User, col(User.id) == col(HelperProfile.user_id))
        .where(col(User.role).in_(HELPERS))
        .order_by(ratio.desc(), col(HelperProfile.user_id).desc())
        .limit(limit + 1)
    )
    if cursor is not None:
        last_ratio, last_id = decode_workload_cursor(cursor)
        query = query.where(
            # The first bound lets the walk start at the cursor; the second skips its ties.
            ratio <= last_ratio,
            sa.or_(ratio < last_ratio, col(HelperProfile.user_id) < last_id),
        )
    if case_scope(user.role) is not CaseScope.all:
        query = query.where(col(HelperProfile.user_id) == user.id)
    return query


async def workload(
    session: AsyncSession, *, user: User, limit: int, cursor: str | None, now: datetime
) -> WorkloadList:
    """Helpers with their open cases and pending offers against capacity, most loaded first."""
    rows = (await session.execute(workload_query(user=user, limit=limit, cursor=cursor))).all()
    items = [
        HelperWorkload(
            user_id=row.id,
            display_name=row.display_name,
            role=row.role,
            is_active=row.is_active,
            open_cases=row.open_cases,
            pending_offers=row.pending_offers,
            capacity=row.capacity,
            load_ratio=row.load_ratio,
            available=row.available,
            on_leave=row.leave_until is not None and row.leave_until > now,
            leave_until=row.leave_until,
        )
        for row in rows[:limit]
    ]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_cursor([items[-1].load_ratio, str(items[-1].user_id)])
    return WorkloadList(items=items, next_cursor=next_cursor)
