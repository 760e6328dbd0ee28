"""The supervisors' work queues of cases, offers and referrals: what waits for someone, longest
waiting first, one keyset page at a time. This module holds the queues of cases (unassigned,
escalated); the offers and referrals waiting for an answer are `service.queues.waiting`, what
they share `service.queues.pages`, the helpers' workload `service.queues.workload`.

Each queue walks its own partial index (`models.queues`) from the cursor. The conditions that
make a query fit a partial index are written as literal SQL, never as bound values, so the
index still fits a prepared statement's generic plan.

Who sees what (SPEC §2: "own work only" for volunteers, "own agency's referrals" for agencies):
- caseworkers and supervisors see every queue whole;
- volunteers see their own work: in the unassigned queue the open cases they reported that wait
  for a lead (no volunteer leads an unassigned case), in the escalated queue the open cases they
  reported or lead, in the offers queue the offers made to them; not the referrals queue (403);
- agency staff see only the referrals queue, filtered to their own organization (an agency
  account without one sees an empty queue; asking for another organization too);
- admins see no queue (403: they read no case content).
"""

from __future__ import annotations

import functools
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from auth.policy import CaseScope, case_scope, sees_restricted
from models.base import UTCDateTime
from models.case import Case
from models.enums import Category
from models.queues import (
    URGENCY_ORDER,
    EscalatedCase,
    EscalatedList,
    UnassignedCase,
    UnassignedList,
)
from models.routing import CaseRouting, Offer
from models.user import User
from service.platform.pagination import (
    decode_cursor,
    encode_cursor,
    invalid_cursor,
    time_and_id,
)
from service.queues.pages import (
    OPEN,
    PENDING,
    after_cursor,
    page_cursor,
    seconds_since,
    viewer_page,
)

# --------------------------------------------------------------------------- unassigned


def decode_unassigned_cursor(cursor: str) -> tuple[int, datetime, uuid.UUID]:
    """The (urgency rank, time, id) of the last case of a page, else 422."""
    rank, at_text, id_text = decode_cursor(cursor, size=3)
    if not isinstance(rank, int) or isinstance(rank, bool) or not 0 <= rank < len(URGENCY_ORDER):
        raise invalid_cursor()
    at, row_id = time_and_id(at_text, id_text)
    return rank, at, row_id


def unassigned_query(*, user: User, limit: int, cursor: str | None) -> sa.Select[*tuple[Any, ...]]:
    """One page (`limit + 1` rows) of open cases without a lead, critical first, oldest first,
    with its values bound (what `unassigned_cases` runs, as one statement)."""
    statement, values = _unassigned_page(user=user, limit=limit, cursor=cursor)
    return statement.params(values)


def _unassigned_page(
    *, user: User, limit: int, cursor: str | None
) -> tuple[sa.Select[*tuple[Any, ...]], dict[str, Any]]:
    """The statement of a page and the values of its parameters."""
    start = decode_unassigned_cursor(cursor) if cursor else None
    own = case_scope(user.role) is not CaseScope.all
    statement = _unassigned_statement(
        limit,
        start_rank=None if start is None else start[0],
        own=own,
        hide_restricted=not sees_restricted(user.role),
    )
    values: dict[str, Any] = {}
    if own:
        values["viewer_id"] = user.id
    if start is not None:
        values["after_at"], values["after_id"] = start[1], start[2]
    return statement, values


@functools.lru_cache(maxsize=256)
def _unassigned_statement(
    limit: int, *, start_rank: int | None, own: bool, hide_restricted: bool
) -> sa.Select[*tuple[Any, ...]]:
    """The page's statement for one shape of request, built once per process: the viewer and
    the cursor are parameters (`viewer_id`, `after_at`, `after_id`).

    The urgencies are read one after the other, each a walk of `ix_cases_unassigned` from its
    oldest case; a page takes at most `limit + 1` of each and keeps the first ones."""
    branches: list[sa.Subquery] = []
    for rank, urgency in enumerate(URGENCY_ORDER):
        if start_rank is not None and rank < start_rank:
            continue
        branch: sa.Select[*tuple[Any, ...]] = (
            sa.select(
                col(Case.id).label("id"),
                sa.literal_column(str(rank)).label("rank"),
                col(Case.created_at).label("created_at"),
            )
            .where(OPEN, col(Case.lead_id).is_(None), col(Case.urgency) == urgency)
            .order_by(col(Case.created_at), col(Case.id))
            .limit(limit + 1)
        )
        if rank == start_rank:
            branch = branch.where(
                sa.tuple_(col(Case.created_at), col(Case.id))
                > sa.tuple_(
                    sa.bindparam("after_at", type_=UTCDateTime()),
                    sa.bindparam("after_id", type_=sa.Uuid()),
                )
            )
        if own:
            branch = branch.where(col(Case.created_by_id) == sa.bindparam("viewer_id"))
        if hide_restricted:
            branch = branch.where(col(Case.restricted_at).is_(None))
        branches.append(branch.subquery())
    merged = sa.union_all(*(sa.select(*branch.c) for branch in branches)).subquery()
    # The page is cut from the walks before anything is joined to it: `limit + 1` cases read
    # whole, not `limit + 1` of each urgency.
    page = (
        sa.select(*merged.c)
        .order_by(merged.c.rank, merged.c.created_at, merged.c.id)
        .limit(limit + 1)
        .subquery("page")
    )
    offered_to = aliased(User)
    return (
        sa.select(
            page.c.rank,
            col(Case.id),
            col(Case.reference),
            col(Case.status),
            col(Case.urgency),
            col(Case.categories),
            col(Case.province_code),
            col(Case.country_code),
            col(Case.created_at),
            col(CaseRouting.needs_routing),
            col(CaseRouting.failed_offers),
            col(CaseRouting.escalated_at),
            col(Offer.user_id),
            col(offered_to.display_name),
            col(Offer.expires_at),
        )
        .select_from(page)
        .join(Case, col(Case.id) == page.c.id)
        .outerjoin(CaseRouting, col(CaseRouting.case_id) == col(Case.id))
        .outerjoin(Offer, sa.and_(col(Offer.case_id) == col(Case.id), PENDING))
        .outerjoin(offered_to, col(offered_to.id) == col(Offer.user_id))
        .order_by(page.c.rank, page.c.created_at, page.c.id)
        .limit(limit + 1)
    )


async def unassigned_cases(
    session: AsyncSession, *, user: User, limit: int, cursor: str | None, now: datetime
) -> UnassignedList:
    """Open cases nobody leads yet, critical first, then oldest first."""
    statement, values = _unassigned_page(user=user, limit=limit, cursor=cursor)
    rows = (await session.execute(statement, values)).all()
    items = [
        UnassignedCase(
            id=row.id,
            reference=row.reference,
            status=row.status,
            urgency=row.urgency,
            categories=[Category(c) for c in row.categories],
            province_code=row.province_code,
            country_code=row.country_code,
            created_at=row.created_at,
            waiting_seconds=seconds_since(row.created_at, now),
            needs_routing=bool(row.needs_routing),
            failed_offers=row.failed_offers or 0,
            escalated_at=row.escalated_at,
            offered_to=row.user_id,
            offered_to_name=row.display_name,
            offer_expires_at=row.expires_at,
        )
        for row in rows[:limit]
    ]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor([last.rank, last.created_at.isoformat(), str(last.id)])
    return UnassignedList(items=items, next_cursor=next_cursor)


# --------------------------------------------------------------------------- escalated


def escalated_query(*, user: User, limit: int, cursor: str | None) -> sa.Select[*tuple[Any, ...]]:
    """One page of open escalated cases, oldest escalation first, with its values bound (what
    `escalated_cases` runs).

    An escalation ends when its case closes (`escalation_ended_at`, resumed on reopening), so
    `ix_case_routing_escalated_at` holds the open cases' escalations only and a page is a walk
    of `limit + 1` of them, however many closed cases were once escalated. The case's status
    is not read again: asking for open cases too would make the planner expect to pass over
    closed ones and read the whole index."""
    statement, values = viewer_page(_escalated_statement, user=user, limit=limit, cursor=cursor)
    return statement.params(values)


@functools.lru_cache(maxsize=256)
def _escalated_statement(
    limit: int, *, own: bool, hide_restricted: bool, after: bool
) -> sa.Select[*tuple[Any, ...]]:
    """The page's statement for one shape of request, built once per process."""
    lead = aliased(User)
    order = (col(CaseRouting.escalated_at), col(CaseRouting.case_id))
    query = (
        sa.select(
            col(CaseRouting.case_id),
            col(CaseRouting.escalated_at),
            col(CaseRouting.failed_offers),
            col(CaseRouting.needs_routing),
            col(Case.reference),
            col(Case.status),
            col(Case.urgency),
            col(Case.created_at),
            col(Case.lead_id),
            col(lead.display_name),
        )
        .join(Case, col(Case.id) == col(CaseRouting.case_id))
        .outerjoin(lead, col(lead.id) == col(Case.lead_id))
        .where(
            col(CaseRouting.escalated_at).is_not(None),
            col(CaseRouting.escalation_ended_at).is_(None),
        )
        .order_by(*order)
        .limit(limit + 1)
    )
    if after:
        query = query.where(after_cursor(order))
    if own:
        # A volunteer's few open cases are found through the open cases' indexes by lead and
        # by reporter, which need the open condition.
        viewer: sa.BindParameter[uuid.UUID] = sa.bindparam("viewer_id", type_=sa.Uuid())
        query = query.where(
            OPEN, sa.or_(col(Case.lead_id) == viewer, col(Case.created_by_id) == viewer)
        )
    if hide_restricted:
        query = query.where(col(Case.restricted_at).is_(None))
    return query


async def escalated_cases(
    session: AsyncSession, *, user: User, limit: int, cursor: str | None, now: datetime
) -> EscalatedList:
    """Open cases escalated to supervisors, oldest escalation first."""
    statement, values = viewer_page(_escalated_statement, user=user, limit=limit, cursor=cursor)
    rows = (await session.execute(statement, values)).all()
    items = []
    for (
        case_id,
        escalated_at,
        failed_offers,
        needs_routing,
        reference,
        status,
        urgency,
        created_at,
        lead_id,
        lead_name,
    ) in rows[:limit]:
        assert escalated_at is not None  # the query's condition
        items.append(
            EscalatedCase(
                id=case_id,
                reference=reference,
                status=status,
                urgency=urgency,
                created_at=created_at,
                escalated_at=escalated_at,
                escalated_seconds=seconds_since(escalated_at, now),
                failed_offers=failed_offers,
                needs_routing=needs_routing,
                lead=lead_id,
                lead_name=lead_name,
            )
        )
    last = items[-1] if items else None
    next_cursor = page_cursor(rows, limit, last.escalated_at, last.id) if last else None
    return EscalatedList(items=items, next_cursor=next_cursor)
