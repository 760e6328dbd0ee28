"""`Idempotency-Key` for intake: a retry from a phone on a bad connection never makes a
second case.

- The key is scoped to the caller and kept 48 hours (at least the 24 promised).
- The first request claims the key by inserting it in the request's transaction; its answer
  is stored with the case, in the same commit.
- A retry with the same body after that commit replays the stored answer byte for byte.
- A retry while the first is still running finds the claim locked and answers 409 at once
  (PostgreSQL); SQLite runs writers one at a time, so there the retry waits and replays.
- The stored answer is encrypted (it may hold a full id number, names and phones), bound to
  its caller and key.
- The same key with a different body is 422. A request that fails releases its claim (its
  transaction rolls back), so the client may retry it.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.case import IdempotencyRecord
from service.platform.crypto import seal, unseal
from service.platform.db import dialect_name, insert_if_absent
from service.platform.errors import Conflict, Unprocessable

KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")
RETENTION = timedelta(hours=48)
LOCK_TIMEOUT_MS = 100
ANSWER_PURPOSE = "idempotent-answer"


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status_code: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    replayed: bool = False


def fingerprint(body: bytes) -> str:
    """The same JSON document gives the same fingerprint, however its keys are ordered."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


def check_key(key: str) -> str:
    if not KEY_PATTERN.match(key):
        raise Unprocessable(
            "Idempotency-Key must be 1 to 255 visible ASCII characters.",
            errors=[{"header": "Idempotency-Key", "detail": "invalid key", "type": "invalid"}],
        )
    return key


def _is_lock_timeout(error: sa.exc.DBAPIError) -> bool:
    original = getattr(error, "orig", None)
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if code is None and original is not None:
        code = getattr(getattr(original, "__cause__", None), "sqlstate", None)
    return code == "55P03" or "lock timeout" in str(error).lower()


def _context(owner_id: uuid.UUID, key: str) -> bytes:
    return owner_id.bytes + key.encode()


async def claim(
    session: AsyncSession,
    *,
    secret: str,
    owner_id: uuid.UUID,
    key: str,
    print_: str,
    now: datetime,
) -> StoredAnswer | None:
    """Claim `key` for this request, or return the stored answer to replay."""
    check_key(key)
    values = {
        "owner_id": owner_id,
        "key": key,
        "fingerprint": print_,
        "status_code": None,
        "body": None,
        "headers": {},
        "created_at": now,
        "expires_at": now + RETENTION,
    }
    postgres = dialect_name(session) == "postgresql"
    try:
        async with session.begin_nested():
            if postgres:
                await session.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_MS}ms'"))
            inserted = await insert_if_absent(session, IdempotencyRecord.__table__, values)  # type: ignore[attr-defined]
            if postgres:
                await session.execute(sa.text("SET LOCAL lock_timeout = 0"))
    except sa.exc.DBAPIError as error:
        if not _is_lock_timeout(error):
            raise
        raise Conflict(
            "A request with this Idempotency-Key is still being processed; retry shortly.",
            headers={"Retry-After": "1"},
        ) from None
    if inserted:
        return None
    record = (
        await session.execute(
            sa.select(IdempotencyRecord).where(
                col(IdempotencyRecord.owner_id) == owner_id, col(IdempotencyRecord.key) == key
            )
        )
    ).scalar_one()
    if record.expires_at <= now:
        # Another retry may be replacing the same expired key right now: delete only while it
        # is still expired, so finding it gone (or renewed) is not an error, then claim again.
        session.expunge(record)
        await session.execute(
            sa.delete(IdempotencyRecord).where(
                col(IdempotencyRecord.owner_id) == owner_id,
                col(IdempotencyRecord.key) == key,
                col(IdempotencyRecord.expires_at) <= now,
            )
        )
        return await claim(
            session, secret=secret, owner_id=owner_id, key=key, print_=print_, now=now
        )
    if record.fingerprint != print_:
        raise Unprocessable(
            "This Idempotency-Key was used with a different request body.",
            errors=[
                {
                    "header": "Idempotency-Key",
                    "detail": "reused with another body",
                    "type": "mismatch",
                }
            ],
        )
    if record.status_code is None or record.body is None:
        raise Conflict(
            "A request with this Idempotency-Key is still being processed; retry shortly.",
            headers={"Retry-After": "1"},
        )
    body = unseal(secret, ANSWER_PURPOSE, record.body, _context(owner_id, key))
    return StoredAnswer(record.status_code, body, dict(record.headers), replayed=True)


async def store(
    session: AsyncSession, *, secret: str, owner_id: uuid.UUID, key: str, answer: StoredAnswer
) -> None:
    """Keep the answer (encrypted) with the claim, in the request's transaction."""
    sealed = seal(secret, ANSWER_PURPOSE, answer.body, _context(owner_id, key))
    await session.execute(
        sa.update(IdempotencyRecord)
        .where(col(IdempotencyRecord.owner_id) == owner_id, col(IdempotencyRecord.key) == key)
        .values(status_code=answer.status_code, body=sealed, headers=answer.headers)
    )
