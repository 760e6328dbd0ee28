"""Appending to and verifying the hash-chained case history.

Every change of a case appends one event in the same transaction. The caller must hold the
case row (loaded `FOR UPDATE`), which serialises appends per case. The case row keeps the
count, the last hash and an anchor: a keyed HMAC over the case id, the count and the last hash.
Without the key, a deleted tail cannot be hidden by rewinding the count and the last hash.

Hashes and anchors name the key that made them (`k<id>:`); an event keeps its key for good,
while each append signs with the current key.
"""

from __future__ import annotations

import json
import logging
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
from service.platform.crypto import AuditKey, UnknownKey, audit_key, digest_of, key_id_of

log = logging.getLogger("onestop.audit")


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


def _chain_message(prev_hash: str | None, payload: dict[str, Any]) -> bytes:
    # The previous digest without its key label: the label only says which key checks it.
    return (digest_of(prev_hash) if prev_hash else "").encode() + b"\n" + _canonical(payload)


def chain_hash(key: AuditKey, prev_hash: str | None, payload: dict[str, Any]) -> str:
    """HMAC-SHA256 under the current key over the previous hash and the canonical payload."""
    return key.sign(_chain_message(prev_hash, payload))


def _anchor_message(case_id: uuid.UUID, count: int, last_hash: str | None) -> bytes:
    return f"anchor\n{case_id}\n{count}\n{last_hash or ''}".encode()


def chain_anchor(key: AuditKey, *, case_id: uuid.UUID, count: int, last_hash: str | None) -> str:
    """The keyed value that pins a case's chain to its count and last hash."""
    return key.sign(_anchor_message(case_id, count, last_hash))


def anchor_holds(
    key: AuditKey, *, case_id: uuid.UUID, count: int, last_hash: str | None, anchor: str | None
) -> bool:
    """Whether `anchor` was signed, by a configured key, over this count and last hash."""
    if anchor is None:
        return False
    try:
        return key.verify(anchor, _anchor_message(case_id, count, last_hash))
    except UnknownKey:
        return False


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
    event = chain_event(
        secret=secret,
        case=case,
        type_=type_,
        actor_id=actor_id,
        now=now,
        changes=changes,
        data=data,
    )
    session.add(event)
    return event


def chain_event(
    *,
    secret: str,
    case: Case,
    type_: CaseEventType,
    actor_id: uuid.UUID | None,
    now: datetime,
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """The next event of `case`'s chain, with the case's count, last hash and anchor moved on
    to it; the caller stores it (`append_event` through the session, intake with its case)."""
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
    key = audit_key(secret)
    digest = chain_hash(key, case.last_event_hash, payload)
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
    fresh = case.event_count == 0 and case.chain_anchor is None
    intact = fresh or anchor_holds(
        key,
        case_id=case.id,
        count=case.event_count,
        last_hash=case.last_event_hash,
        anchor=case.chain_anchor,
    )
    case.event_count = seq
    case.last_event_hash = digest
    if intact:
        case.chain_anchor = chain_anchor(key, case_id=case.id, count=seq, last_hash=digest)
    else:
        # Re-signing would launder a rewound chain: the stale anchor keeps it reported.
        log.warning("chain anchor of case %s does not hold; left for verify-audit", case.id)
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
    key: AuditKey,
    *,
    case_id: uuid.UUID,
    events: Sequence[CaseEvent],
    anchor_count: int,
    anchor_hash: str | None,
) -> list[ChainProblem]:
    """Every way the stored events differ from an untouched chain (pure)."""
    if not events:
        return [ChainProblem(case_id, None, "the case has no events")]
    problems: list[ChainProblem] = []
    if events[0].type is not CaseEventType.created:
        problems.append(
            ChainProblem(case_id, events[0].seq, "the history does not begin with its creation")
        )
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
        problem = _hash_problem(key, event, _chain_message(event.prev_hash, payload))
        if problem:
            problems.append(ChainProblem(case_id, event.seq, problem))
        prev = event.hash
    if len(events) != anchor_count or prev != anchor_hash:
        problems.append(
            ChainProblem(
                case_id, None, f"case expects {anchor_count} events; the chain ends early or late"
            )
        )
    return problems


def _hash_problem(key: AuditKey, event: CaseEvent, message: bytes) -> str | None:
    try:
        if key.verify(event.hash, message):
            return None
    except UnknownKey:
        try:
            return f"made with key {key_id_of(event.hash)}, which is not configured"
        except UnknownKey:
            pass
    return "content does not match its hash"


def verify_anchor(
    key: AuditKey, *, case_id: uuid.UUID, count: int, last_hash: str | None, anchor: str | None
) -> list[ChainProblem]:
    """The problem with a case row's anchor, if any (pure)."""
    if anchor is None:
        return [ChainProblem(case_id, None, "the case has no anchor")]
    if anchor_holds(key, case_id=case_id, count=count, last_hash=last_hash, anchor=anchor):
        return []
    try:
        key.data_key.secret_for(key_id_of(anchor))
    except UnknownKey:
        return [ChainProblem(case_id, None, "the anchor names a key that is not configured")]
    return [ChainProblem(case_id, None, "the anchor does not match the case's count and last hash")]


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
            sa.select(
                col(Case.id),
                col(Case.event_count),
                col(Case.last_event_hash),
                col(Case.chain_anchor),
            )
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
        for case_id, count, last_hash, anchor in anchors:
            problems += verify_chain(
                key,
                case_id=case_id,
                events=by_case.get(case_id, []),
                anchor_count=count,
                anchor_hash=last_hash,
            )
            problems += verify_anchor(
                key, case_id=case_id, count=count, last_hash=last_hash, anchor=anchor
            )
        checked += len(anchors)
        after = ids[-1]


def summarise(problems: Iterable[ChainProblem]) -> list[str]:
    return [
        f"case {p.case_id} event {p.seq if p.seq is not None else '-'}: {p.problem}"
        for p in problems
    ]
