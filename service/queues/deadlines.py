"""The at-risk and breached queues (SPEC §6): open cases whose first response or resolution is
past its warning, or past due, soonest due first, with the deadline and by how much.

A case whose two deadlines are both in a queue is listed once for each. Each deadline kind is
read through its partial index `ix_cases_{kind}_due` (due time, id; deadlines still counting)
as a range scan from now (at risk) or up to now (breached); one statement merges the two
kinds. Staff see every case, a volunteer the cases they lead.
"""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.policy import CaseScope, case_scope, sees_restricted
from models.base import UTCDateTime
from models.case import Case
from models.case_deadlines import DeadlineKind, DeadlineQueueItem, DeadlineQueuePage
from models.user import User
from service.platform.errors import Forbidden
from service.platform.pagination import decode_cursor, encode_cursor, invalid_cursor


class DeadlineQueue(StrEnum):
    at_risk = "at_risk"
    breached = "breached"


def _cursor_key(cursor: str) -> tuple[datetime, uuid.UUID, DeadlineKind]:
    """The (due time, case id, deadline) after which the page starts, else 422."""
    due_text, id_text, kind_text = decode_cursor(cursor, size=3)
    try:
        due_at = datetime.fromisoformat(str(due_text))
        key = (due_at.astimezone(UTC), uuid.UUID(str(id_text)), DeadlineKind(str(kind_text)))
    except (ValueError, OverflowError):
        raise invalid_cursor() from None
    if due_at.tzinfo is None:
        raise invalid_cursor()
    return key


def _kind_page(
    kind: DeadlineKind,
    *,
    queue: DeadlineQueue,
    limit: int,
    own: bool,
    hide_restricted: bool,
    after_kind: DeadlineKind | None,
) -> Any:
    """One deadline kind's part of the page, soonest due first (built, not run)."""
    due = getattr(Case, f"{kind.value}_due_at")
    warn = getattr(Case, f"{kind.value}_warn_at")
    now = sa.bindparam("now", type_=UTCDateTime())
    query = sa.select(
        col(Case.id).label("case_id"),
        col(Case.reference),
        col(Case.status),
        col(Case.urgency),
        col(Case.lead_id).label("lead"),
        col(Case.province_code),
        col(Case.created_at),
        sa.literal_column(f"'{kind.value}'").label("deadline"),
        due.label("due_at"),
        warn.label("warn_at"),
    ).where(getattr(Case, f"{kind.value}_met_at").is_(None))
    if queue is DeadlineQueue.breached:
        query = query.where(due <= now)
    else:
        query = query.where(due > now, warn <= now)
    if own:
        query = query.where(col(Case.lead_id) == sa.bindparam("viewer_id"))
    if hide_restricted:
        query = query.where(col(Case.restricted_at).is_(None))
    if after_kind is not None:
        key = sa.tuple_(due, col(Case.id))
        mark = sa.tuple_(
            sa.bindparam("after_due", type_=UTCDateTime()),
            sa.bindparam("after_id", type_=sa.Uuid()),
        )
        # Rows order by (due time, case id, deadline): the same case and time come again
        # only for a later deadline kind.
        query = query.where(key >= mark if kind.value > after_kind.value else key > mark)
    return query.order_by(due, col(Case.id)).limit(limit + 1)


@functools.lru_cache(maxsize=256)
def _queue_statement(
    queue: DeadlineQueue,
    limit: int,
    *,
    own: bool,
    hide_restricted: bool,
    after_kind: DeadlineKind | None,
) -> Any:
    """The page's statement for one shape of request, built once per process: the moment,
    the viewer and the cursor are parameters (`now`, `viewer_id`, `after_due`, `after_id`)."""
    parts = [
        sa.select(
            _kind_page(
                kind,
                queue=queue,
                limit=limit,
                own=own,
                hide_restricted=hide_restricted,
                after_kind=after_kind,
            ).subquery()
        )
        for kind in DeadlineKind
    ]
    merged = sa.union_all(*parts).subquery()
    return (
        sa.select(merged)
        .order_by(merged.c.due_at, merged.c.case_id, merged.c.deadline)
        .limit(limit + 1)
    )


def _queue_page(
    queue: DeadlineQueue, *, viewer: User, now: datetime, limit: int, cursor: str | None
) -> tuple[Any, dict[str, Any]]:
    """The statement of a page and the values of its parameters."""
    after = _cursor_key(cursor) if cursor is not None else None
    own = case_scope(viewer.role) is CaseScope.own
    statement = _queue_statement(
        queue,
        limit,
        own=own,
        hide_restricted=not sees_restricted(viewer.role),
        after_kind=None if after is None else after[2],
    )
    values: dict[str, Any] = {"now": now}
    if own:
        values["viewer_id"] = viewer.id
    if after is not None:
        values["after_due"], values["after_id"] = after[0], after[1]
    return statement, values


def queue_query(
    queue: DeadlineQueue, *, viewer: User, now: datetime, limit: int, cursor: str | None
) -> Any:
    """A page of `queue` as `viewer` may see it, with its values bound: both deadline kinds
    merged (what `deadline_queue` runs, as one statement)."""
    statement, values = _queue_page(queue, viewer=viewer, now=now, limit=limit, cursor=cursor)
    return statement.params(values)


async def deadline_queue(
    session: AsyncSession,
    *,
    queue: DeadlineQueue,
    viewer: User,
    now: datetime,
    limit: int,
    cursor: str | None,
) -> DeadlineQueuePage:
    """One page of the at-risk or breached queue; staff see all cases, volunteers those they
    lead, anyone else is refused."""
    if case_scope(viewer.role) is CaseScope.none:
        raise Forbidden()
    statement, values = _queue_page(queue, viewer=viewer, now=now, limit=limit, cursor=cursor)
    rows = (await session.execute(statement, values)).mappings().all()
    items = [_item(row, queue=queue, now=now) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_cursor(
            [last.due_at.isoformat(), str(last.case_id), last.deadline.value]
        )
    return DeadlineQueuePage(items=items, next_cursor=next_cursor)


def _item(row: Any, *, queue: DeadlineQueue, now: datetime) -> DeadlineQueueItem:
    values = dict(row)
    due_at = _aware(values["due_at"])
    seconds = int((due_at - now).total_seconds())
    breached = queue is DeadlineQueue.breached
    return DeadlineQueueItem(
        **{
            **values,
            "case_id": uuid.UUID(str(values["case_id"])),
            "lead": uuid.UUID(str(values["lead"])) if values["lead"] else None,
            "created_at": _aware(values["created_at"]),
            "due_at": due_at,
            "warn_at": _aware(values["warn_at"]) if values["warn_at"] else None,
        },
        seconds_left=None if breached else seconds,
        seconds_overdue=-seconds if breached else None,
    )


def _aware(moment: Any) -> datetime:
    """A time read through the union, where the column's type no longer converts it."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    assert isinstance(moment, datetime)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
