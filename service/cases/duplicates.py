"""Possible duplicates among open cases: same id number, same phone, or a similar name in
the same district. Found at intake, stored as links, listed on the case for staff only, and
confirmed or dismissed by a caseworker (`service.cases.duplicate_decisions`)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.policy import sees_possible_duplicates
from models.case import Case, DuplicateLink, DuplicateOut
from models.enums import CaseEventType, CaseStatus, DuplicateReason
from models.user import User
from service.cases.events import append_event
from service.platform.settings import Settings
from service.thai.names import names_similar

NAME_CANDIDATES_PER_DISTRICT = 300
MAX_LINKS = 20


def _open(query: sa.Select[Case]) -> sa.Select[Case]:
    return query.where(col(Case.status) != CaseStatus.closed)


async def find_possible_duplicates(
    session: AsyncSession, *, case: Case
) -> dict[uuid.UUID, tuple[Case, set[DuplicateReason]]]:
    """Open cases that may be about the same person as `case`, with the reasons."""
    found: dict[uuid.UUID, tuple[Case, set[DuplicateReason]]] = {}

    def note(candidate: Case, reason: DuplicateReason) -> None:
        if candidate.id == case.id:
            return
        found.setdefault(candidate.id, (candidate, set()))[1].add(reason)

    if case.client_id_hash:
        rows = await session.execute(
            _open(sa.select(Case).where(col(Case.client_id_hash) == case.client_id_hash)).limit(
                MAX_LINKS
            )
        )
        for candidate in rows.scalars():
            note(candidate, DuplicateReason.id_number)
    if case.client_phone:
        rows = await session.execute(
            _open(sa.select(Case).where(col(Case.client_phone) == case.client_phone)).limit(
                MAX_LINKS
            )
        )
        for candidate in rows.scalars():
            note(candidate, DuplicateReason.phone)
    if case.client_name_key and case.district_code:
        rows = await session.execute(
            _open(
                sa.select(Case).where(
                    col(Case.district_code) == case.district_code,
                    col(Case.client_name_key).is_not(None),
                )
            )
            .order_by(col(Case.created_at).desc())
            .limit(NAME_CANDIDATES_PER_DISTRICT)
        )
        for candidate in rows.scalars():
            if candidate.client_name_key and names_similar(
                candidate.client_name_key, case.client_name_key
            ):
                note(candidate, DuplicateReason.name)
    return found


async def flag_possible_duplicates(
    session: AsyncSession, *, settings: Settings, case: Case, now: datetime
) -> list[DuplicateLink]:
    """Store a link per possible duplicate and record it in the new case's history."""
    found = await find_possible_duplicates(session, case=case)
    ordered = sorted(found.values(), key=lambda item: (-len(item[1]), item[0].created_at))[
        :MAX_LINKS
    ]
    links = [
        DuplicateLink(
            case_id=case.id,
            candidate_id=candidate.id,
            reasons=sorted(r.value for r in reasons),
            created_at=now,
        )
        for candidate, reasons in ordered
    ]
    if links:
        session.add_all(links)
        await append_event(
            session,
            secret=settings.data_key,
            case=case,
            type_=CaseEventType.duplicate_flagged,
            actor_id=None,
            now=now,
            data={"candidates": [str(link.candidate_id) for link in links]},
        )
    return links


async def load_duplicates(
    session: AsyncSession, *, case_id: uuid.UUID, viewer: User
) -> list[DuplicateOut]:
    """Duplicate links touching a case, newest first; none for viewers who may not see them."""
    if not sees_possible_duplicates(viewer.role):
        return []
    newer = sa.orm.aliased(Case)
    older = sa.orm.aliased(Case)
    rows = await session.execute(
        sa.select(DuplicateLink, col(newer.reference), col(older.reference))
        .join(newer, col(newer.id) == col(DuplicateLink.case_id))
        .join(older, col(older.id) == col(DuplicateLink.candidate_id))
        .where(
            sa.or_(
                col(DuplicateLink.case_id) == case_id, col(DuplicateLink.candidate_id) == case_id
            )
        )
        .order_by(col(DuplicateLink.created_at).desc())
    )
    return [
        DuplicateOut(
            id=link.id,
            case_id=link.case_id,
            case_reference=case_reference,
            candidate_id=link.candidate_id,
            candidate_reference=candidate_reference,
            reasons=[DuplicateReason(r) for r in link.reasons],
            status=link.status,
            created_at=link.created_at,
            decided_at=link.decided_at,
        )
        for link, case_reference, candidate_reference in rows.all()
    ]
