"""Loading a case for a caller: who may read it, who may change it, and whether their copy is
current.

Access (SPEC §2) is decided by `auth.policy`: a case the caller may not read is 404; one they
may read but not change is 403. Changes need the case's current version in `If-Match` (428
without, 412 when stale); the case row is locked while it changes, so of two updates sent with
the same ETag exactly one succeeds.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from auth.policy import CaseFacts, may_read_case, may_update_case
from models.case import Case
from models.user import User
from service.cases.rendering import etag
from service.platform.errors import (
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
)


def case_facts(case: Case) -> CaseFacts:
    """What the access policy needs to know about a case."""
    return CaseFacts(created_by_id=case.created_by_id, lead_id=case.lead_id)


async def load_case(session: AsyncSession, *, user: User, case_id: uuid.UUID, lock: bool) -> Case:
    """The case if the caller may read it (locked for the transaction when `lock`), else 404."""
    case = await session.get(Case, case_id, with_for_update=lock, populate_existing=lock)
    if case is None or not may_read_case(user.id, user.role, case_facts(case)):
        raise NotFound("No such case.")
    return case


async def load_case_to_change(
    session: AsyncSession, *, user: User, case_id: uuid.UUID, if_match: str | None
) -> Case:
    """The case, locked, if the caller may change it and names its current version."""
    case = await load_case(session, user=user, case_id=case_id, lock=True)
    if not may_update_case(user.id, user.role, case_facts(case)):
        raise Forbidden("You may read this case but not change it.")
    check_if_match(case, if_match)
    return case


def check_if_match(case: Case, if_match: str | None) -> None:
    """428 without `If-Match`, 412 unless it names the current version."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            "Send the case's ETag in If-Match.",
            errors=[{"header": "If-Match", "detail": "required", "type": "missing"}],
        )
    tags = {tag.strip() for tag in if_match.split(",")}
    if "*" not in tags and etag(case) not in tags:
        raise PreconditionFailed(
            "The case changed since you read it; read it again.",
            extra={"current_etag": etag(case)},
        )
