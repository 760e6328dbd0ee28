"""The routing decision log: every suggestion that led to an offer (or a referral) is kept as it
was made, with the candidates considered, their scores and reasons, the choice, and who chose
(a user, or routing itself: `chosen_by_id` None, shown as `auto`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.base import UTCDateTime
from models.enums import DecisionKind
from models.routing import DecisionList, DecisionOut, RoutingDecision
from models.user import User
from service.cases.loading import load_case
from service.platform.pagination import decode_time_id_cursor, encode_time_id_cursor


async def record_decision(
    session: AsyncSession,
    *,
    case_id: uuid.UUID,
    kind: DecisionKind,
    candidates: Sequence[dict[str, Any]],
    chosen: uuid.UUID | None,
    chosen_by_id: uuid.UUID | None,
    now: datetime,
) -> RoutingDecision:
    """Store one routing decision; `candidates` are JSON objects (id, name, score, reasons),
    best first; `chosen_by_id` None means routing chose automatically."""
    decision = new_decision(
        case_id=case_id,
        kind=kind,
        candidates=candidates,
        chosen=chosen,
        chosen_by_id=chosen_by_id,
        now=now,
    )
    session.add(decision)
    await session.flush()
    return decision


def new_decision(
    *,
    case_id: uuid.UUID,
    kind: DecisionKind,
    candidates: Sequence[dict[str, Any]],
    chosen: uuid.UUID | None,
    chosen_by_id: uuid.UUID | None,
    now: datetime,
) -> RoutingDecision:
    """A routing decision for the caller to store (`record_decision` stores one at once)."""
    return RoutingDecision(
        case_id=case_id,
        kind=kind,
        candidates=list(candidates),
        chosen_id=chosen,
        chosen_by_id=chosen_by_id,
        created_at=now,
    )


async def case_decisions(
    session: AsyncSession, *, user: User, case_id: uuid.UUID, limit: int, cursor: str | None
) -> DecisionList:
    """A case's routing decisions, oldest first, a page at a time."""
    await load_case(session, user=user, case_id=case_id, lock=False)
    query = (
        sa.select(RoutingDecision, col(User.display_name))
        .outerjoin(User, col(User.id) == col(RoutingDecision.chosen_by_id))
        .where(col(RoutingDecision.case_id) == case_id)
        .order_by(col(RoutingDecision.created_at), col(RoutingDecision.id))
        .limit(limit + 1)
    )
    if cursor is not None:
        at, after = decode_time_id_cursor(cursor)
        query = query.where(
            sa.tuple_(col(RoutingDecision.created_at), col(RoutingDecision.id))
            > sa.tuple_(sa.literal(at, UTCDateTime()), sa.literal(after))
        )
    rows = (await session.execute(query)).all()
    items = [_decision_out(decision, name) for decision, name in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1][0]
        next_cursor = encode_time_id_cursor(last.created_at, last.id)
    return DecisionList(items=items, next_cursor=next_cursor)


def _decision_out(decision: RoutingDecision, chooser_name: str | None) -> DecisionOut:
    return DecisionOut(
        id=decision.id,
        case_id=decision.case_id,
        kind=decision.kind,
        candidates=decision.candidates,
        chosen_id=decision.chosen_id,
        chosen_by=decision.chosen_by_id or "auto",
        chosen_by_name=chooser_name,
        created_at=decision.created_at,
    )
