"""What the work queues share: a viewer's page of a keyset-paginated queue, its cursor and
the conditions several queues use.

A queue's statement is built once per shape of request (`functools.lru_cache` on the builder:
page size, the viewer's own rows or all, restricted cases hidden or not, after a cursor) and
run with the viewer and the cursor as parameters (`viewer_id`, `after_at`, `after_id`), so a
request costs its values, not the building of its SQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from auth.policy import CaseScope, case_scope, sees_restricted
from models.base import UTCDateTime
from models.case import Case
from models.routing import Offer
from models.user import User
from service.platform.pagination import decode_time_id_cursor, encode_time_id_cursor

OPEN = col(Case.status) != sa.literal_column("'closed'")
PENDING = col(Offer.status) == sa.literal_column("'pending'")


def seconds_since(at: datetime, now: datetime) -> int:
    """Whole seconds from `at` to `now`, never negative."""
    return max(int((now - at).total_seconds()), 0)


def after_cursor(order: tuple[Any, Any]) -> sa.ColumnElement[bool]:
    """The keyset condition of the page after a (time, id) cursor, its values the parameters
    `after_at` and `after_id` (`cursor_values`)."""
    return sa.tuple_(*order) > sa.tuple_(
        sa.bindparam("after_at", type_=UTCDateTime()), sa.bindparam("after_id", type_=sa.Uuid())
    )


def cursor_values(cursor: str | None) -> dict[str, Any]:
    """The parameters of `_after` for a (time, id) cursor, else 422; none without one."""
    if cursor is None:
        return {}
    at, row_id = decode_time_id_cursor(cursor)
    return {"after_at": at, "after_id": row_id}


def viewer_page(
    statement_of: Callable[..., sa.Select[*tuple[Any, ...]]],
    *,
    user: User,
    limit: int,
    cursor: str | None,
) -> tuple[sa.Select[*tuple[Any, ...]], dict[str, Any]]:
    """A page's statement, of the shape `statement_of(limit, own=, hide_restricted=, after=)`
    builds for this viewer (their own rows or all, restricted cases hidden or not, after a
    (time, id) cursor or from the start), and the values of its parameters."""
    own = case_scope(user.role) is not CaseScope.all
    statement = statement_of(
        limit, own=own, hide_restricted=not sees_restricted(user.role), after=cursor is not None
    )
    values = cursor_values(cursor)
    if own:
        values["viewer_id"] = user.id
    return statement, values


def page_cursor(rows: Sequence[Any], limit: int, at: datetime, row_id: uuid.UUID) -> str | None:
    return encode_time_id_cursor(at, row_id) if len(rows) > limit else None
