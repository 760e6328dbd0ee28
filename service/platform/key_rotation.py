"""Moving stored values to the current data key while the service runs.

`onestop rotate-data-key` re-seals id numbers and re-computes their lookup hashes, re-seals
the answers kept for `Idempotency-Key` replays, and re-signs each case's chain anchor. It works
in batches, one short transaction each, taking only rows that still name another key; on
PostgreSQL it skips rows a request holds (`FOR UPDATE SKIP LOCKED`) and finds them on its next
pass, so no request waits on it. Events are history and keep the key that hashed them.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from models.case import Case, IdempotencyRecord
from models.events import CaseEvent
from service.cases.events import anchor_holds, chain_anchor, verify_chain
from service.platform.crypto import (
    ID_NUMBER_PURPOSE,
    UnknownKey,
    audit_key,
    data_key,
    id_number_hash,
    key_id_of,
    label,
    seal,
    seal_id_number,
    unseal,
)
from service.platform.db import begin
from service.platform.idempotency import ANSWER_PURPOSE, answer_context

BATCH = 200
log = logging.getLogger("onestop.keys")


@dataclass(slots=True)
class Rotation:
    """What a rotation changed, and how many rows it could not move (logged by case)."""

    id_numbers: int = 0
    anchors: int = 0
    answers: int = 0
    refused: int = 0

    @property
    def changed(self) -> int:
        return self.id_numbers + self.anchors + self.answers


def _not_current(column: Any, current: str, *, binary: bool = False) -> Any:
    prefix: str | bytes = current.encode() if binary else current
    head = sa.func.substr(column, 1, len(current), type_=sa.LargeBinary if binary else sa.String)
    return head != prefix


def _cases_to_move(current: str) -> Any:
    return sa.or_(
        _not_current(col(Case.client_id_number_enc), current, binary=True),
        _not_current(col(Case.client_id_hash), current),
        col(Case.chain_anchor).is_(None),
        _not_current(col(Case.chain_anchor), current),
    )


def _answers_to_move(current: str) -> Any:
    return _not_current(col(IdempotencyRecord.body), current, binary=True)


def _names_current(value: str | bytes | None, current_id: str) -> bool:
    try:
        return value is None or key_id_of(value) == current_id
    except UnknownKey:
        return False


async def rotate_cases(
    session: AsyncSession, *, secret: str, after: uuid.UUID | None, limit: int = BATCH
) -> tuple[uuid.UUID | None, Rotation]:
    """Move one batch of cases after `after` to the current key; returns the last case seen."""
    key = data_key(secret)
    query = (
        sa.select(
            col(Case.id),
            col(Case.client_id_number_enc),
            col(Case.client_id_hash),
            col(Case.event_count),
            col(Case.last_event_hash),
            col(Case.chain_anchor),
        )
        .where(_cases_to_move(label(key.key_id)))
        .order_by(col(Case.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if after is not None:
        query = query.where(col(Case.id) > after)
    rows = (await session.execute(query)).all()
    done = Rotation()
    for case_id, sealed, lookup, count, last_hash, anchor in rows:
        values: dict[str, Any] = {}
        try:
            if sealed is not None and not (
                _names_current(sealed, key.key_id) and _names_current(lookup, key.key_id)
            ):
                number = unseal(key, ID_NUMBER_PURPOSE, sealed, case_id.bytes).decode()
                values["client_id_number_enc"] = seal_id_number(key, number, case_id)
                values["client_id_hash"] = id_number_hash(key, number)
                done.id_numbers += 1
        except (UnknownKey, InvalidTag):
            log.warning("id number of case %s left under its old key", case_id)
            done.refused += 1
        if anchor is None or not _names_current(anchor, key.key_id):
            if await _chain_end_holds(
                session, case_id=case_id, count=count, last_hash=last_hash, anchor=anchor, key=key
            ):
                values["chain_anchor"] = chain_anchor(
                    audit_key(key), case_id=case_id, count=count, last_hash=last_hash
                )
                done.anchors += 1
            else:
                log.warning("chain anchor of case %s not re-signed: it does not hold", case_id)
                done.refused += 1
        if values:
            await session.execute(sa.update(Case).where(col(Case.id) == case_id).values(values))
    await session.flush()
    return (rows[-1][0] if rows else None), done


async def _chain_end_holds(
    session: AsyncSession,
    *,
    case_id: uuid.UUID,
    count: int,
    last_hash: str | None,
    anchor: str | None,
    key: str,
) -> bool:
    """Whether re-signing keeps what the old anchor proved: its own check, or for a case
    anchored before anchors existed, its whole chain."""
    keys = audit_key(key)
    if anchor is not None:
        return anchor_holds(keys, case_id=case_id, count=count, last_hash=last_hash, anchor=anchor)
    events = (
        await session.execute(
            sa.select(CaseEvent)
            .where(col(CaseEvent.case_id) == case_id)
            .order_by(col(CaseEvent.seq))
        )
    ).scalars()
    problems = verify_chain(
        keys, case_id=case_id, events=list(events), anchor_count=count, anchor_hash=last_hash
    )
    return not problems


async def rotate_answers(
    session: AsyncSession,
    *,
    secret: str,
    after: tuple[uuid.UUID, str] | None,
    limit: int = BATCH,
) -> tuple[tuple[uuid.UUID, str] | None, Rotation]:
    """Re-seal one batch of stored idempotent answers under the current key."""
    key = data_key(secret)
    query = (
        sa.select(
            col(IdempotencyRecord.owner_id), col(IdempotencyRecord.key), col(IdempotencyRecord.body)
        )
        .where(_answers_to_move(label(key.key_id)))
        .order_by(col(IdempotencyRecord.owner_id), col(IdempotencyRecord.key))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if after is not None:
        query = query.where(
            sa.tuple_(col(IdempotencyRecord.owner_id), col(IdempotencyRecord.key))
            > sa.tuple_(*after)
        )
    rows = (await session.execute(query)).all()
    done = Rotation()
    for owner_id, idempotency_key, body in rows:
        assert body is not None  # a claim still running has no answer and is not selected
        context = answer_context(owner_id, idempotency_key)
        try:
            plaintext = unseal(key, ANSWER_PURPOSE, body, context)
        except (UnknownKey, InvalidTag):
            # Kept 48 hours at most: an answer that cannot move simply expires.
            done.refused += 1
            continue
        await session.execute(
            sa.update(IdempotencyRecord)
            .where(
                col(IdempotencyRecord.owner_id) == owner_id,
                col(IdempotencyRecord.key) == idempotency_key,
            )
            .values(body=seal(key, ANSWER_PURPOSE, plaintext, context))
        )
        done.answers += 1
    await session.flush()
    return ((rows[-1][0], rows[-1][1]) if rows else None), done


async def count_older(session: AsyncSession, *, secret: str) -> int:
    """Rows that still hold a value made with another key than the current one."""
    current = label(data_key(secret).key_id)
    cases = await session.scalar(
        sa.select(sa.func.count()).select_from(Case).where(_cases_to_move(current))
    )
    answers = await session.scalar(
        sa.select(sa.func.count()).select_from(IdempotencyRecord).where(_answers_to_move(current))
    )
    return int(cases or 0) + int(answers or 0)


async def rotate_data_key(
    sessions: async_sessionmaker[AsyncSession], *, secret: str, batch: int = BATCH
) -> tuple[Rotation, int]:
    """Passes over cases and stored answers, one transaction per batch, until a pass moves
    nothing; returns the totals and how many rows still name another key."""
    total = Rotation()
    while True:
        moved = Rotation()
        after_case: uuid.UUID | None = None
        while True:
            async with sessions() as session, session.begin():
                await begin(session, writing=True)
                after_case, done = await rotate_cases(
                    session, secret=secret, after=after_case, limit=batch
                )
            _add(moved, done)
            if after_case is None:
                break
        after_answer: tuple[uuid.UUID, str] | None = None
        while True:
            async with sessions() as session, session.begin():
                await begin(session, writing=True)
                after_answer, done = await rotate_answers(
                    session, secret=secret, after=after_answer, limit=batch
                )
            _add(moved, done)
            if after_answer is None:
                break
        _add(total, moved)
        if moved.changed == 0:
            break
    async with sessions() as session:
        left = await count_older(session, secret=secret)
    # Each pass meets the same refused rows again: the last pass counts them once.
    total.refused = moved.refused
    return total, left


def _add(total: Rotation, part: Rotation) -> None:
    total.id_numbers += part.id_numbers
    total.anchors += part.anchors
    total.answers += part.answers
    total.refused += part.refused
