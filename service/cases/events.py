"""Appending to and verifying the hash-chained case history.

Every change of a case appends one event in the same transaction. The caller must hold the
case row (loaded `FOR UPDATE`), which serialises appends per case; the case row keeps the
count and the last hash, so a deleted tail is detected too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.case import Case
from models.enums import CaseEventType
from models.events import CaseEvent
from service.platform.crypto import audit_key


def _canonical(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


def event_payload(
    *,
    case_id: uuid.UUID,
    seq: int,
    type_: str,
    actor_id: uuid.UUID | None,
    occurred_at: datetime,
    changes: dict[str, Any],
    data: dict[str, Any],
) -> dict[str, Any]:
    """The fields an event's hash covers."""
    return {
        "case_id": str(case_id),
        "seq": seq,
        "type": str(type_),
        "actor_id": str(actor_id) if actor_id else None,
        # In UTC, as the database returns it, whatever offset the caller's clock used.
        "occurred_at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "changes": changes,
        "data": data,
    }


def chain_hash(key: bytes, prev_hash: str | None, payload: dict[str, Any]) -> str:
    """HMAC-SHA256 over the previous hash and the canonical payload."""
    message = (prev_hash or "").encode() + b"\n" + _canonical(payload)
    return hmac.new(key, message, hashlib.sha256).hexdigest()


async def append_event(
    session: AsyncSession,
    *,
    secret: str,
    case: Case,
    type_: CaseEventType,
    actor_id: uuid.UUID | None,
    now: datetime,
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """Append one event to `case`'s chain (the case row must be locked by the caller)."""
    seq = case.event_count + 1
    changes = _jsonable(changes or {})
    data = _jsonable(data or {})
    payload = event_payload(
        case_id=case.id,
        seq=seq,
        type_=type_,
        actor_id=actor_id,
        occurred_at=now,
        changes=changes,
        data=data,
    )
    digest = chain_hash(audit_key(secret), case.last_event_hash, payload)
    event = CaseEvent(
        case_id=case.id,
        seq=seq,
        type=type_,
        actor_id=actor_id,
        occurred_at=now,
        changes=changes,
        data=data,
        prev_hash=case.last_event_hash,
        hash=digest,
    )
    case.event_count = seq
    case.last_event_hash = digest
    session.add(event)
    return event


def _jsonable(value: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(_canonical(value))
    return result


@dataclass(frozen=True, slots=True)
class ChainProblem:
    case_id: uuid.UUID
    seq: int | None
    problem: str


def verify_chain(
    key: bytes,
    *,
    case_id: uuid.UUID,
    events: Sequence[CaseEvent],
    anchor_count: int,
    anchor_hash: str | None,
) -> list[ChainProblem]:
    """Every way the stored events differ from an untouched chain (pure)."""
    problems: list[ChainProblem] = []
    prev: str | None = None
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            problems.append(
                ChainProblem(
                    case_id, event.seq, f"expected event {expected_seq}: missing or reordered"
                )
            )
        if event.prev_hash != prev:
            problems.append(
                ChainProblem(case_id, event.seq, "link to the previous event is broken")
            )
        payload = event_payload(
            case_id=event.case_id,
            seq=event.seq,
            type_=event.type,
            actor_id=event.actor_id,
            occurred_at=event.occurred_at,
            changes=event.changes,
            data=event.data,
        )
        if chain_hash(key, event.prev_hash, payload) != event.hash:
            problems.append(ChainProblem(case_id, event.seq, "content does not match its hash"))
        prev = event.hash
    if len(events) != anchor_count or prev != anchor_hash:
        problems.append(
            ChainProblem(
                case_id, None, f"case expects {anchor_count} events; the chain ends early or late"
            )
        )
    return problems


async def verify_all(
    session: AsyncSession, *, secret: str, batch: int = 500
) -> tuple[int, list[ChainProblem]]:
    """Check the chain of every case; returns how many cases were checked and the problems."""
    key = audit_key(secret)
    problems: list[ChainProblem] = []
    checked = 0
    after: uuid.UUID | None = None
    while True:
        query = (
            sa.select(col(Case.id), col(Case.event_count), col(Case.last_event_hash))
            .order_by(col(Case.id))
            .limit(batch)
        )
        if after is not None:
            query = query.where(col(Case.id) > after)
        anchors = (await session.execute(query)).all()
        if not anchors:
            return checked, problems
        ids = [row[0] for row in anchors]
        rows = (
            await session.execute(
                sa.select(CaseEvent)
                .where(col(CaseEvent.case_id).in_(ids))
                .order_by(col(CaseEvent.case_id), col(CaseEvent.seq))
            )
        ).scalars()
        by_case: dict[uuid.UUID, list[CaseEvent]] = {}
        for event in rows:
            by_case.setdefault(event.case_id, []).append(event)
        for case_id, count, last_hash in anchors:
            problems += verify_chain(
                key,
                case_id=case_id,
                events=by_case.get(case_id, []),
                anchor_count=count,
                anchor_hash=last_hash,
            )
        checked += len(anchors)
        after = ids[-1]


def summarise(problems: Iterable[ChainProblem]) -> list[str]:
    return [
        f"case {p.case_id} event {p.seq if p.seq is not None else '-'}: {p.problem}"
        for p in problems
    ]
