"""A caseworker's decision on a possible duplicate: confirm it (the newer case closes as a
duplicate of the older one, through the lifecycle) or dismiss it (two different people)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.policy import sees_restricted
from models.case import Case, CaseOut, DuplicateLink, TransitionIn
from models.enums import CaseEventType, CaseStatus, ClosureReason, DuplicateStatus, Role
from models.user import User
from service.cases.events import append_event
from service.cases.loading import load_case
from service.cases.rendering import case_for_viewer
from service.cases.transitions import transition_case
from service.platform.errors import Conflict, Forbidden, NotFound
from service.platform.settings import Settings


async def decide_duplicate(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    case_id: uuid.UUID,
    link_id: uuid.UUID,
    confirm: bool,
    if_match: str | None,
    now: datetime,
) -> tuple[CaseOut, str]:
    """Confirm (the newer case closes as a duplicate) or dismiss a possible duplicate."""
    case = await load_case(session, user=user, case_id=case_id, lock=True)
    link = await session.get(DuplicateLink, link_id, with_for_update=True)
    if link is None or link.case_id != case.id:
        raise NotFound(code="duplicate.not_found")
    if not sees_restricted(user.role):
        # A link to a restricted case is decided by supervisors only (for others it is not there).
        candidate_restricted = await session.scalar(
            sa.select(col(Case.restricted_at)).where(col(Case.id) == link.candidate_id)
        )
        if candidate_restricted is not None:
            raise NotFound(code="duplicate.not_found")
    if link.status is not DuplicateStatus.open:
        raise Conflict(code="duplicate.decided", extra={"decision": link.status.value})
    if confirm:
        return await transition_case(
            session,
            settings=settings,
            user=user,
            case_id=case.id,
            body=TransitionIn(
                to=CaseStatus.closed,
                closure_reason=ClosureReason.duplicate,
                duplicate_of=link.candidate_id,
            ),
            if_match=if_match,
            now=now,
            event_type=CaseEventType.duplicate_confirmed,
        )
    if user.role not in (Role.caseworker, Role.supervisor):
        raise Forbidden(code="duplicate.staff_only")
    link.status = DuplicateStatus.dismissed
    link.decided_by_id = user.id
    link.decided_at = now
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.duplicate_dismissed,
        actor_id=user.id,
        now=now,
        data={"candidate": str(link.candidate_id)},
    )
    await session.flush()
    return await case_for_viewer(session, case=case, viewer=user, settings=settings, now=now)
