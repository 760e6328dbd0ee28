"""Moving stored values to the current data key while the service runs.

`onestop rotate-data-key` re-seals id numbers and re-computes their lookup hashes (of cases,
and of data-subject requests, which keep the id number they were given sealed for this), re-seals
the answers kept for `Idempotency-Key` replays and the webhook endpoints' signing secrets, and
re-signs each case's chain anchor. It works in batches, one short transaction each, taking only
rows that still name another key; on PostgreSQL it skips rows a request holds (`FOR UPDATE SKIP
LOCKED`) and finds them on its next pass, so no request waits on it. Events are history and
keep the key that hashed them. A request recorded before requests kept their id number sealed
holds only its hash: it takes the id number of a case it found by it (the same hash under the
hash's key), else it is refused (logged by request) and counted as left under another key.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from models.case import Case, IdempotencyRecord
from models.events import CaseEvent
from models.privacy_requests import PrivacyRequest, PrivacyRequestCase
from models.webhooks import WebhookEndpoint
from service.cases.events import anchor_holds, chain_anchor, verify_chain
from service.platform.crypto import (
    ID_NUMBER_PURPOSE,
    UnknownKey,
    audit_key,
    data_key,
    id_number_hash,
    id_number_hashes,
    key_id_of,
    label,
    open_id_number,
    seal,
    seal_id_number,
    unseal,
)
from service.platform.db import begin
from service.platform.idempotency import ANSWER_PURPOSE, answer_context
from service.webhooks.secrets import reseal_secret

BATCH = 200
log = logging.getLogger("onestop.keys")


@dataclass(slots=True)
class Rotation:
    """What a rotation changed, and how many rows it could not move (logged by case)."""

    id_numbers: int = 0
    anchors: int = 0
    answers: int = 0
    webhook_secrets: int = 0
    request_id_numbers: int = 0
    refused: int = 0

    @property
    def changed(self) -> int:
        return (
            self.id_numbers
            + self.anchors
            + self.answers
            + self.webhook_secrets
            + self.request_id_numbers
        )


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


def _secrets_to_move(current: str) -> Any:
    return _not_current(col(WebhookEndpoint.secret_sealed), current, binary=True)


def _requests_to_move(current: str) -> Any:
    return sa.or_(
        _not_current(col(PrivacyRequest.subject_id_number_enc), current, binary=True),
        _not_current(col(PrivacyRequest.subject_id_hash), current),
    )


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


async def rotate_webhook_secrets(
    session: AsyncSession, *, secret: str, after: uuid.UUID | None, limit: int = BATCH
) -> tuple[uuid.UUID | None, Rotation]:
    """Re-seal one batch of endpoint signing secrets under the current key, so deliveries
    still sign once the old key is retired."""
    key = data_key(secret)
    query = (
        sa.select(col(WebhookEndpoint.service_id), col(WebhookEndpoint.secret_sealed))
        .where(_secrets_to_move(label(key.key_id)))
        .order_by(col(WebhookEndpoint.service_id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if after is not None:
        query = query.where(col(WebhookEndpoint.service_id) > after)
    rows = (await session.execute(query)).all()
    done = Rotation()
    for service_id, sealed in rows:
        try:
            resealed = reseal_secret(key, bytes(sealed), service_id)
        except (UnknownKey, InvalidTag):
            log.warning("signing secret of endpoint %s left under its old key", service_id)
            done.refused += 1
            continue
        await session.execute(
            sa.update(WebhookEndpoint)
            .where(col(WebhookEndpoint.service_id) == service_id)
            .values(secret_sealed=resealed)
        )
        done.webhook_secrets += 1
    await session.flush()
    return (rows[-1][0] if rows else None), done


async def rotate_requests(
    session: AsyncSession, *, secret: str, after: uuid.UUID | None, limit: int = BATCH
) -> tuple[uuid.UUID | None, Rotation]:
    """Re-seal one batch of data-subject requests' id numbers and re-hash their lookup hash,
    so the person is still found by id number once the old key is retired."""
    key = data_key(secret)
    query = (
        sa.select(
            col(PrivacyRequest.id),
            col(PrivacyRequest.subject_id_number_enc),
            col(PrivacyRequest.subject_id_hash),
        )
        .where(_requests_to_move(label(key.key_id)))
        .order_by(col(PrivacyRequest.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if after is not None:
        query = query.where(col(PrivacyRequest.id) > after)
    rows = (await session.execute(query)).all()
    done = Rotation()
    for request_id, sealed, lookup in rows:
        number = await _request_id_number(
            session, key=key, request_id=request_id, sealed=sealed, lookup=lookup
        )
        if number is None:
            log.warning("id number of privacy request %s left under its old key", request_id)
            done.refused += 1
            continue
        await session.execute(
            sa.update(PrivacyRequest)
            .where(col(PrivacyRequest.id) == request_id)
            .values(
                subject_id_number_enc=seal_id_number(key, number, request_id),
                subject_id_hash=id_number_hash(key, number),
            )
        )
        done.request_id_numbers += 1
    await session.flush()
    return (rows[-1][0] if rows else None), done


async def _request_id_number(
    session: AsyncSession,
    *,
    key: str,
    request_id: uuid.UUID,
    sealed: bytes | None,
    lookup: str | None,
) -> str | None:
    """The id number a request was given: its own sealed copy, or for a request recorded
    before requests kept one, the id number of a case it found whose hash under the request
    hash's key is the request's hash; None when neither opens."""
    if sealed is not None:
        try:
            return unseal(key, ID_NUMBER_PURPOSE, bytes(sealed), request_id.bytes).decode()
        except (UnknownKey, InvalidTag):
            return None
    found = await session.execute(
        sa.select(col(Case.id), col(Case.client_id_number_enc))
        .join(PrivacyRequestCase, col(PrivacyRequestCase.case_id) == col(Case.id))
        .where(
            col(PrivacyRequestCase.request_id) == request_id,
            col(Case.client_id_number_enc).is_not(None),
        )
    )
    for case_id, case_sealed in found:
        assert case_sealed is not None  # selected only when present
        number = open_id_number(key, case_sealed, case_id)
        if number is not None and lookup in id_number_hashes(key, number):
            return number
    return None


async def count_older(session: AsyncSession, *, secret: str) -> int:
    """Rows that still hold a value made with another key than the current one."""
    current = label(data_key(secret).key_id)
    left = 0
    for table, condition in (
        (Case, _cases_to_move(current)),
        (IdempotencyRecord, _answers_to_move(current)),
        (WebhookEndpoint, _secrets_to_move(current)),
        (PrivacyRequest, _requests_to_move(current)),
    ):
        left += int(
            await session.scalar(sa.select(sa.func.count()).select_from(table).where(condition))
            or 0
        )
    return left


RotationStep = Callable[..., Awaitable[tuple[Any, Rotation]]]
"""One batch of one kind of row: `(session, secret=, after=, limit=)` to the last row seen
(None when there were none) and what it moved."""

STEPS: tuple[RotationStep, ...] = (
    rotate_cases,
    rotate_answers,
    rotate_webhook_secrets,
    rotate_requests,
)


async def rotate_data_key(
    sessions: async_sessionmaker[AsyncSession], *, secret: str, batch: int = BATCH
) -> tuple[Rotation, int]:
    """Passes over cases, stored answers, webhook secrets and data-subject requests, one
    transaction per batch, until a pass moves nothing; returns the totals and how many rows
    still name another key."""
    total = Rotation()
    while True:
        moved = Rotation()
        for step in STEPS:
            after: Any = None
            while True:
                async with sessions() as session, session.begin():
                    await begin(session, writing=True)
                    after, done = await step(session, secret=secret, after=after, limit=batch)
                _add(moved, done)
                if after is None:
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
    for field in fields(Rotation):
        setattr(total, field.name, getattr(total, field.name) + getattr(part, field.name))
