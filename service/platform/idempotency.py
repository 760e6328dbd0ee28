"""`Idempotency-Key` for intake: a retry from a phone on a bad connection never makes a
second case.

- The key is scoped to the caller and kept 48 hours (at least the 24 promised).
- The first request claims the key by inserting it in the request's transaction; its answer
  is stored with the case, in the same commit.
- A retry with the same body after that commit replays the stored answer byte for byte.
- A retry while the first is still running finds the key's advisory lock taken and answers
  409 at once (PostgreSQL); SQLite runs writers one at a time, so there the retry waits and
  replays. On PostgreSQL the claim, and the read of a stored answer, are one statement.
- A replay shows no more than the caller's role may see now (`service.cases.intake`), so the
  role the answer was made for is kept with it.
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
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.case import IdempotencyRecord
from models.enums import Role
from service.platform.crypto import seal, unseal
from service.platform.db import dialect_name, insert_if_absent
from service.platform.errors import Conflict, Unprocessable

KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")
RETENTION = timedelta(hours=48)
ANSWER_PURPOSE = "idempotent-answer"


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status_code: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    replayed: bool = False
    made_for: Role | None = None
    """The role of the caller the answer was made for."""


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


def answer_context(owner_id: uuid.UUID, key: str) -> bytes:
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
    if dialect_name(session) == "postgresql":
        found = await _claim_postgres(session, owner_id=owner_id, key=key, print_=print_, now=now)
    else:
        found = await _claim_sqlite(session, owner_id=owner_id, key=key, print_=print_, now=now)
    if found is None:
        return None
    if found.expires_at <= now:
        # Another retry may be replacing the same expired key right now: delete only while it
        # is still expired, so finding it gone (or renewed) is not an error, then claim again.
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
    if found.fingerprint != print_:
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
    if found.status_code is None or found.body is None:
        raise _in_flight()
    body = unseal(secret, ANSWER_PURPOSE, found.body, answer_context(owner_id, key))
    return StoredAnswer(
        found.status_code,
        body,
        dict(found.headers),
        replayed=True,
        made_for=Role(found.viewer_role) if found.viewer_role else None,
    )


def _in_flight() -> Conflict:
    return Conflict(
        "A request with this Idempotency-Key is still being processed; retry shortly.",
        headers={"Retry-After": "1"},
    )


@dataclass(frozen=True, slots=True)
class _Found:
    """A claim already made for the key."""

    fingerprint: str
    status_code: int | None
    body: bytes | None
    headers: dict[str, str]
    viewer_role: str | None
    expires_at: datetime


_COLUMNS = (
    col(IdempotencyRecord.fingerprint),
    col(IdempotencyRecord.status_code),
    col(IdempotencyRecord.body),
    col(IdempotencyRecord.headers),
    col(IdempotencyRecord.viewer_role),
    col(IdempotencyRecord.expires_at),
)


def _values(owner_id: uuid.UUID, key: str, print_: str, now: datetime) -> dict[str, object]:
    return {
        "owner_id": owner_id,
        "key": key,
        "fingerprint": print_,
        "headers": {},
        "created_at": now,
        "expires_at": now + RETENTION,
    }


def _lock_id(owner_id: uuid.UUID, key: str) -> int:
    """The advisory lock of a key: 64 bits of a hash of the caller and the key."""
    digest = hashlib.sha256(answer_context(owner_id, key)).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _claim_statement() -> sa.Select[Any]:
    """The claim of `_claim_postgres` with bound parameters, built once (its compiled form is
    then reused by every request)."""
    table = IdempotencyRecord.__table__  # type: ignore[attr-defined]
    lock = sa.select(
        sa.func.pg_try_advisory_xact_lock(sa.bindparam("lock_id", type_=sa.BigInteger)).label("got")
    ).cte("lock")
    names = list(_values(uuid.UUID(int=0), "", "", datetime.min))
    claimed = (
        pg_insert(table)
        .from_select(
            names,
            sa.select(
                *(sa.bindparam(f"new_{name}", type_=table.c[name].type) for name in names)
            ).where(lock.c.got),
        )
        .on_conflict_do_nothing()
        .returning(table.c.owner_id)
        .cte("claimed")
    )
    owner = sa.bindparam("owner_id", type_=table.c.owner_id.type)
    key: sa.BindParameter[str] = sa.bindparam("key")
    return sa.select(
        lock.c.got,
        sa.exists(sa.select(claimed.c.owner_id)).label("claimed"),
        *_COLUMNS,
    ).select_from(lock.outerjoin(table, sa.and_(table.c.owner_id == owner, table.c.key == key)))


_CLAIM = _claim_statement()


async def _claim_postgres(
    session: AsyncSession, *, owner_id: uuid.UUID, key: str, print_: str, now: datetime
) -> _Found | None:
    """One statement: take the key's advisory lock without waiting, insert the claim, and
    read a claim already committed.

    The request holding the lock is the one running: a retry that cannot take it while no
    answer is stored answers 409 at once, with no lock wait. A retry after the first request
    committed reads the stored answer in the same round trip."""
    values = _values(owner_id, key, print_, now)
    parameters = {
        "lock_id": _lock_id(owner_id, key),
        "owner_id": owner_id,
        "key": key,
        **{f"new_{name}": value for name, value in values.items()},
    }
    got, inserted, *row = (await session.execute(_CLAIM, parameters)).one()
    if inserted:
        return None
    found = _Found(*row) if row[0] is not None else None
    if not got:
        # Another request holds the key: it is the first, or a retry replacing an expired
        # claim. Only a finished, current answer can be replayed meanwhile.
        if found is None or found.status_code is None or found.expires_at <= now:
            raise _in_flight()
        return found
    # Without a row, the first request committed between this statement's snapshot and its
    # insert: read what it stored.
    return found or await _read_claim(session, owner_id=owner_id, key=key)


async def _claim_sqlite(
    session: AsyncSession, *, owner_id: uuid.UUID, key: str, print_: str, now: datetime
) -> _Found | None:
    """SQLite runs one writer at a time: a retry waits for the first and then reads it."""
    table = IdempotencyRecord.__table__  # type: ignore[attr-defined]
    if await insert_if_absent(session, table, _values(owner_id, key, print_, now)):
        return None
    return await _read_claim(session, owner_id=owner_id, key=key)


async def _read_claim(session: AsyncSession, *, owner_id: uuid.UUID, key: str) -> _Found:
    row = (
        await session.execute(
            sa.select(*_COLUMNS).where(
                col(IdempotencyRecord.owner_id) == owner_id, col(IdempotencyRecord.key) == key
            )
        )
    ).one()
    return _Found(*row)


async def store(
    session: AsyncSession,
    *,
    secret: str,
    owner_id: uuid.UUID,
    key: str,
    answer: StoredAnswer,
    made_for: Role,
) -> None:
    """Keep the answer (encrypted) with the claim, in the request's transaction, with the role
    it was made for."""
    sealed = seal(secret, ANSWER_PURPOSE, answer.body, answer_context(owner_id, key))
    await session.execute(
        _STORE,
        {
            "owner": owner_id,
            "claimed_key": key,
            "status_code": answer.status_code,
            "body": sealed,
            "headers": answer.headers,
            "viewer_role": made_for,
        },
    )


_STORE = (
    sa.update(IdempotencyRecord.__table__)  # type: ignore[attr-defined]
    .where(
        col(IdempotencyRecord.owner_id) == sa.bindparam("owner"),
        col(IdempotencyRecord.key) == sa.bindparam("claimed_key"),
    )
    .values(
        status_code=sa.bindparam("status_code"),
        body=sa.bindparam("body"),
        headers=sa.bindparam("headers"),
        viewer_role=sa.bindparam("viewer_role"),
    )
)
