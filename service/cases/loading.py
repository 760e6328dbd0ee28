"""Loading a case for a caller: who may read it, who may change it, whether their copy is
current, and what an answer about it shows besides the case row.

Access (SPEC §2) is decided by `auth.policy`: a case the caller may not read is 404; one they
may read but not change is 403. Changes need the case's current version in `If-Match` (428
without, 412 when stale); the case row is locked while it changes, so of two updates sent with
the same ETag exactly one succeeds. A read takes no lock.

An answer names the people on the case (reporter, lead, screener) and may link to the case it
duplicates; both come from one joined query (`CaseContext`), with the case itself when reading.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from auth.policy import CaseFacts, may_read_case, may_update_case, needs_offer_lookup
from models.base import utcnow
from models.case import Case
from models.enums import OfferStatus
from models.routing import Offer
from models.user import User
from service.platform.errors import (
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
)


@dataclass(frozen=True, slots=True)
class CaseContext:
    """What an answer about a case shows besides the case row."""

    names: dict[uuid.UUID, str]
    """Display names of the people the case names (reporter, lead, screener)."""
    original: CaseFacts | None
    """The case this one duplicates, for deciding whether the viewer may see the link."""


class AccessColumns(Protocol):
    """The columns of a case its access rules read: a `Case` row, or a statement's columns
    (`service.routing.routed_case.CaseToRoute`)."""

    @property
    def created_by_id(self) -> uuid.UUID: ...
    @property
    def lead_id(self) -> uuid.UUID | None: ...
    @property
    def restricted_at(self) -> datetime | None: ...


def case_facts(case: AccessColumns) -> CaseFacts:
    """What the access policy needs to know about a case."""
    return CaseFacts(
        created_by_id=case.created_by_id,
        lead_id=case.lead_id,
        restricted=case.restricted_at is not None,
    )


def etag(case: Case) -> str:
    """The strong ETag of a case's current version."""
    return f'"{case.version}"'


_Query = TypeVar("_Query", bound=sa.Select[*tuple[Any, ...]])
_lead = aliased(User)
_creator = aliased(User)
_screener = aliased(User)
_original = aliased(Case)
_CONTEXT_COLUMNS = (
    col(_creator.display_name),
    col(_lead.display_name),
    col(_screener.display_name),
    col(_original.created_by_id),
    col(_original.lead_id),
)


def _with_context(query: _Query) -> _Query:
    return (
        query.outerjoin(_creator, col(_creator.id) == col(Case.created_by_id))
        .outerjoin(_lead, col(_lead.id) == col(Case.lead_id))
        .outerjoin(_screener, col(_screener.id) == col(Case.screened_by_id))
        .outerjoin(_original, col(_original.id) == col(Case.duplicate_of_id))
    )


def _context(case: Case, row: sa.Row[*tuple[Any, ...]]) -> CaseContext:
    creator_name, lead_name, screener_name, original_by, original_lead = tuple(row)[-5:]
    names = {
        person: name
        for person, name in (
            (case.created_by_id, creator_name),
            (case.lead_id, lead_name),
            (case.screened_by_id, screener_name),
        )
        if person is not None and name is not None
    }
    original = (
        CaseFacts(created_by_id=original_by, lead_id=original_lead)
        if original_by is not None
        else None
    )
    return CaseContext(names=names, original=original)


# Built once: the case, its people's names and the case it duplicates, by the case's id.
_CASE_FOR_READING = _with_context(sa.select(Case, *_CONTEXT_COLUMNS)).where(
    col(Case.id) == sa.bindparam("case_id")
)


def case_not_found() -> NotFound:
    """The answer for a case that does not exist or that the caller may not read (the same)."""
    return NotFound(code="case.not_found")


async def _facts_for_reader(
    session: AsyncSession, *, user: User, case: Case, now: datetime | None
) -> CaseFacts:
    """The case's facts, with the caller's pending offer looked up only when it matters."""
    facts = case_facts(case)
    if not needs_offer_lookup(user.id, user.role, facts):
        return facts
    offered = await session.scalar(
        sa.select(col(Offer.id))
        .where(
            col(Offer.case_id) == case.id,
            col(Offer.user_id) == user.id,
            col(Offer.status) == OfferStatus.pending,
            col(Offer.expires_at) > (now or utcnow()),
        )
        .limit(1)
    )
    return replace(facts, offered_to=user.id) if offered is not None else facts


async def load_case_for_reading(
    session: AsyncSession, *, user: User, case_id: uuid.UUID, now: datetime | None = None
) -> tuple[Case, CaseContext]:
    """The case and its context in one query, without a lock, if the caller may read it."""
    row = (await session.execute(_CASE_FOR_READING, {"case_id": case_id})).first()
    if row is None or not may_read_case(
        user.id, user.role, await _facts_for_reader(session, user=user, case=row[0], now=now)
    ):
        raise case_not_found()
    case: Case = row[0]
    return case, _context(case, row)


async def load_context(session: AsyncSession, *, case: Case) -> CaseContext:
    """The context of a case already loaded (and flushed): one query."""
    row = (
        await session.execute(
            _with_context(sa.select(*_CONTEXT_COLUMNS).select_from(Case)).where(
                col(Case.id) == case.id
            )
        )
    ).one()
    return _context(case, row)


def require_readable(user: User, facts: CaseFacts, *, offered_to: Collection[uuid.UUID]) -> None:
    """404 unless the caller may read a case with these facts (read by the caller's own
    statement); `offered_to` is whom the case is offered to now (pending, before expiry)."""
    if needs_offer_lookup(user.id, user.role, facts) and user.id in offered_to:
        facts = replace(facts, offered_to=user.id)
    if not may_read_case(user.id, user.role, facts):
        raise case_not_found()


async def load_case(
    session: AsyncSession,
    *,
    user: User,
    case_id: uuid.UUID,
    lock: bool,
    now: datetime | None = None,
) -> Case:
    """The case if the caller may read it (locked for the transaction when `lock`), else 404."""
    case = await session.get(Case, case_id, with_for_update=lock, populate_existing=lock)
    if case is None or not may_read_case(
        user.id, user.role, await _facts_for_reader(session, user=user, case=case, now=now)
    ):
        raise case_not_found()
    return case


async def load_case_to_change(
    session: AsyncSession, *, user: User, case_id: uuid.UUID, if_match: str | None
) -> Case:
    """The case, locked, if the caller may change it and names its current version."""
    case = await load_case(session, user=user, case_id=case_id, lock=True)
    if not may_update_case(user.id, user.role, case_facts(case)):
        raise Forbidden(code="case.read_only")
    check_if_match(case, if_match)
    return case


def check_if_match(case: Case, if_match: str | None) -> None:
    """428 without `If-Match`, 412 unless it names the current version."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            code="case.if_match",
            errors=[{"header": "If-Match", "detail": "required", "type": "missing"}],
        )
    tags = {tag.strip() for tag in if_match.split(",")}
    if "*" not in tags and etag(case) not in tags:
        raise PreconditionFailed(code="case.stale", extra={"current_etag": etag(case)})
