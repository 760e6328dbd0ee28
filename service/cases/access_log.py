"""Recording and verifying reads of case content (SPEC §8): the access log.

A read of a case's detail, notes or timeline appends one `case_reads` row with one INSERT, in
the read's own transaction, and takes no lock on the case: reads never wait for a change of
the case nor for each other. Each row carries an HMAC over its own content (the audit key, with
a label of its own so a row's hash can never pass for a case event's), so an edited row is
detected by `verify_reads`. Rows are not chained: a chain would serialise every read of a case.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.access_log import CaseRead
from models.base import new_id
from models.enums import CaseReadKind
from service.platform.crypto import AuditKey, UnknownKey, audit_key

_LABEL = b"case-read\n"


def _content(
    *,
    read_id: uuid.UUID,
    case_id: uuid.UUID,
    reader_id: uuid.UUID,
    what: CaseReadKind,
    at: datetime,
) -> bytes:
    """What a read record's HMAC covers, labelled so it can never pass for a case event's."""
    return (
        _LABEL
        + "\n".join(
            (
                str(read_id),
                str(case_id),
                str(reader_id),
                what.value,
                # In UTC, as the database returns it, whatever offset the caller's clock used.
                at.astimezone(UTC).isoformat(timespec="microseconds"),
            )
        ).encode()
    )


def read_hash(
    key: AuditKey,
    *,
    read_id: uuid.UUID,
    case_id: uuid.UUID,
    reader_id: uuid.UUID,
    what: CaseReadKind,
    at: datetime,
) -> str:
    """The keyed HMAC-SHA256 over one read record's content, naming its key (pure)."""
    return key.sign(
        _content(read_id=read_id, case_id=case_id, reader_id=reader_id, what=what, at=at)
    )


async def record_read(
    session: AsyncSession,
    *,
    secret: str,
    case_id: uuid.UUID,
    reader_id: uuid.UUID,
    what: CaseReadKind,
    now: datetime,
) -> None:
    """Append one read record: a single INSERT, no lock on the case."""
    read_id = new_id()
    await session.execute(
        _INSERT_READ,
        {
            "id": read_id,
            "case_id": case_id,
            "reader_id": reader_id,
            "what": what,
            "at": now,
            "hash": read_hash(
                audit_key(secret),
                read_id=read_id,
                case_id=case_id,
                reader_id=reader_id,
                what=what,
                at=now,
            ),
        },
    )


# The table's own INSERT, built once; a read's values go in as parameters.
_INSERT_READ = sa.insert(CaseRead.__table__)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """A read record whose content does not match its HMAC."""

    read_id: uuid.UUID
    case_id: uuid.UUID


def verify_reads(key: AuditKey, reads: Iterable[CaseRead]) -> list[ReadProblem]:
    """Every stored read record whose content was changed after it was written, or whose key
    is no longer configured (pure)."""
    return [ReadProblem(read.id, read.case_id) for read in reads if not _intact(key, read)]


def _intact(key: AuditKey, read: CaseRead) -> bool:
    content = _content(
        read_id=read.id, case_id=read.case_id, reader_id=read.reader_id, what=read.what, at=read.at
    )
    try:
        return key.verify(read.hash, content)
    except UnknownKey:
        return False


async def verify_all_reads(
    session: AsyncSession, *, secret: str, batch: int = 1000
) -> tuple[int, list[ReadProblem]]:
    """Check every read record; returns how many were checked and the altered ones."""
    key = audit_key(secret)
    problems: list[ReadProblem] = []
    checked = 0
    after: uuid.UUID | None = None
    while True:
        query = sa.select(CaseRead).order_by(col(CaseRead.id)).limit(batch)
        if after is not None:
            query = query.where(col(CaseRead.id) > after)
        reads = list((await session.execute(query)).scalars())
        if not reads:
            return checked, problems
        problems += verify_reads(key, reads)
        checked += len(reads)
        after = reads[-1].id
