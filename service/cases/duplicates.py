"""Possible duplicates among open cases: same id number, same phone, or a similar name in
the same district. Found at intake, stored as links a caseworker confirms or dismisses."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.case import Case, DuplicateLink
from models.enums import CaseEventType, CaseStatus, DuplicateReason
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
